"""A fault-injecting HTTP/1.1 server on 127.0.0.1 that misbehaves at the byte level.

Each request is answered by the next scripted ``Step`` (then by ``default``): a well-formed
response, raw bytes, a reset (RST) after some bytes, a hang, or a close without an answer. The
server counts connections (total and peak open), requests and V3 nonces, and is bounded: at most
``max_requests`` requests (later ones get a 503 and a close), ``max_seconds`` of life for any
hang, socket timeouts on every connection, and a 64 KiB request head.

Run as ``python -m tests.faults.fault_server`` it serves the default success answer in its own
process, prints its port, and answers ``GET /__stats__`` with its counters as JSON (the load
tests use it so the client's CPU, memory and file descriptors are measured alone).
"""

from __future__ import annotations

import json
import socket
import struct
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from tests.support.acs_server import SEED_INSTANCE

MAX_HEAD = 65536


@dataclass(frozen=True)
class Step:
    """What the server does with one request."""

    action: str  # "send" (data, then keep or close), "reset" (data, then RST), "hang", "drop"
    data: bytes = b""
    close: bool = False
    seconds: float = 0.0


@dataclass
class Seen:
    """One request as it arrived."""

    index: int
    connection: int
    method: str
    target: str
    headers: list[tuple[str, str]]
    body: bytes

    @property
    def query(self) -> list[tuple[str, str]]:
        """Decoded query pairs in wire order."""
        return parse_qsl(urlsplit(self.target).query, keep_blank_values=True)

    def header(self, name: str) -> str | None:
        """A header's value (the first, case-insensitive)."""
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None


def http_response(
    status: int,
    body: bytes,
    headers: Iterable[tuple[str, str]] = (),
    *,
    reason: str = "Whatever",
    length: bool = True,
) -> bytes:
    """The bytes of a response (with Content-Length unless ``length`` is False)."""
    lines = [f"HTTP/1.1 {status} {reason}", *(f"{k}: {v}" for k, v in headers)]
    if length:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def success_body(request_id: str) -> bytes:
    """A success body every flavor decodes for both actions."""
    body = {
        "HttpStatusCode": 200,
        "Code": "OK",
        "Message": "Success",
        "RequestId": request_id,
        "Success": True,
        "Instance": dict(SEED_INSTANCE),
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def respond(
    status: int = 200,
    body: bytes | dict[str, object] | None = None,
    headers: Iterable[tuple[str, str]] = (),
    *,
    content_type: str | None = "application/json;charset=utf-8",
    close: bool = False,
) -> Step:
    """A complete response; a dict body is sent as JSON; None means the success body."""
    if body is None:
        return Step("success", close=close)
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    head = [("Content-Type", content_type)] if content_type else []
    return Step("send", http_response(status, data, [*head, *headers]), close=close)


def raw(data: bytes, *, close: bool = True) -> Step:
    """Exactly ``data`` (then close unless told otherwise)."""
    return Step("send", data, close=close)


def reset(data: bytes = b"") -> Step:
    """Send ``data`` (maybe nothing), then abort the connection with a TCP RST."""
    return Step("reset", data)


def hang(seconds: float) -> Step:
    """Say nothing for ``seconds`` (or until the server stops), then close."""
    return Step("hang", seconds=seconds)


def drop() -> Step:
    """Close the connection (FIN) without a byte of answer."""
    return Step("drop")


SUCCESS = Step("success")


@dataclass
class Stats:
    """Counters, readable while the server runs."""

    connections: int = 0
    open: int = 0
    peak_open: int = 0
    requests: int = 0
    nonces: set[str] = field(default_factory=set)


class FaultServer:
    """Thread-per-connection server running a script of ``Step``s."""

    def __init__(
        self,
        default: Step = SUCCESS,
        *,
        max_requests: int = 200,
        max_seconds: float = 30.0,
        backlog: int = 256,
        record: bool = True,
    ) -> None:
        """Listen on an ephemeral port of 127.0.0.1 and start accepting."""
        self.default = default
        self.max_requests = max_requests
        self.max_seconds = max_seconds
        self.record = record
        self.stats = Stats()
        self.seen: list[Seen] = []
        self._script: list[Step] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._started = time.monotonic()
        self._sockets: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=backlog)
        self._listener.settimeout(0.05)
        self.port = self._listener.getsockname()[1]
        self._accepter = threading.Thread(target=self._accept_loop, daemon=True)
        self._accepter.start()

    @property
    def endpoint(self) -> str:
        """``127.0.0.1:PORT``."""
        return f"127.0.0.1:{self.port}"

    @property
    def requests(self) -> int:
        """How many requests arrived."""
        with self._lock:
            return self.stats.requests

    @property
    def connections(self) -> int:
        """How many connections were accepted."""
        with self._lock:
            return self.stats.connections

    def script(self, *steps: Step) -> None:
        """Answer the next requests with ``steps``, in order."""
        with self._lock:
            self._script.extend(steps)

    def __enter__(self) -> FaultServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _accept_loop(self) -> None:
        """Accept until stopped."""
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                if self._stop.is_set():
                    return
                continue
            with self._lock:
                self.stats.connections += 1
                self.stats.open += 1
                self.stats.peak_open = max(self.stats.peak_open, self.stats.open)
                index = self.stats.connections
                self._sockets.add(client)
            thread = threading.Thread(
                target=self._serve, args=(client, index), daemon=True
            )
            self._threads = [t for t in self._threads if t.is_alive()]
            self._threads.append(thread)
            thread.start()

    def _read(
        self, client: socket.socket, buffer: bytearray, index: int
    ) -> Seen | None:
        """One request, or None when the peer closed (or sent too much)."""
        while b"\r\n\r\n" not in buffer:
            if len(buffer) > MAX_HEAD:
                return None
            chunk = client.recv(65536)
            if not chunk:
                return None
            buffer += chunk
        head, _, rest = bytes(buffer).partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers = []
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers.append((name.strip(), value.strip()))
        length = int(dict((k.lower(), v) for k, v in headers).get("content-length", 0))
        while len(rest) < length:
            chunk = client.recv(65536)
            if not chunk:
                return None
            rest += chunk
        buffer[:] = rest[length:]
        return Seen(0, index, method, target, headers, rest[:length])

    def _serve(self, client: socket.socket, index: int) -> None:
        """Answer requests on one connection until it closes or a step ends it."""
        buffer = bytearray()
        client.settimeout(10.0)
        try:
            while not self._stop.is_set():
                seen = self._read(client, buffer, index)
                if seen is None:
                    return
                if seen.target == "/__stats__":
                    client.sendall(self._stats_response())
                    continue
                step, number = self._next(seen)
                if not self._perform(client, step, number):
                    return
        except OSError:
            return
        finally:
            with self._lock:
                self.stats.open -= 1
                self._sockets.discard(client)
            client.close()

    def _next(self, seen: Seen) -> tuple[Step, int]:
        """Record the request and pick its step."""
        with self._lock:
            self.stats.requests += 1
            seen.index = self.stats.requests
            nonce = seen.header("x-acs-signature-nonce")
            if nonce:
                self.stats.nonces.add(nonce)
            if self.record:
                self.seen.append(seen)
            if self.stats.requests > self.max_requests:
                busy = b'{"Code":"ServiceUnavailable","Message":"request limit"}'
                return raw(http_response(503, busy, [("Connection", "close")])), 0
            step = self._script.pop(0) if self._script else self.default
            return step, seen.index

    def _perform(self, client: socket.socket, step: Step, number: int) -> bool:
        """Carry ``step`` out; False when the connection must end."""
        if step.action == "success":
            request_id = f"fault-req-{number}"
            head = [
                ("Content-Type", "application/json;charset=utf-8"),
                ("x-acs-request-id", request_id),
            ]
            client.sendall(http_response(200, success_body(request_id), head))
            return not step.close
        if step.action == "send":
            client.sendall(step.data)
            return not step.close
        if step.action == "reset":
            if step.data:
                client.sendall(step.data)
            client.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
            )
            return False
        if step.action == "hang":
            left = self.max_seconds - (time.monotonic() - self._started)
            self._stop.wait(max(min(step.seconds, left), 0.0))
            return False
        return False  # drop

    def _stats_response(self) -> bytes:
        """The counters as a JSON response."""
        with self._lock:
            data = {
                "connections": self.stats.connections,
                "peak_open": self.stats.peak_open,
                "requests": self.stats.requests,
                "unique_nonces": len(self.stats.nonces),
            }
        return http_response(200, json.dumps(data).encode())

    def close(self) -> None:
        """Stop, close every connection and join the threads."""
        self._stop.set()
        try:
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes accept() at once
        except OSError:
            pass
        self._accepter.join(2)
        self._listener.close()
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for thread in self._threads:
            thread.join(2)


def main() -> None:
    """Serve the default answer until stdin closes; print the port first."""
    server = FaultServer(max_requests=100_000, max_seconds=120.0, record=False)
    print(server.port, flush=True)
    try:
        sys.stdin.read()
    finally:
        server.close()


if __name__ == "__main__":
    main()
