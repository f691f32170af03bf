"""A tiny scriptable HTTP/1.1 server on 127.0.0.1 for the runtime's transport tests."""

from __future__ import annotations

import json
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Request:
    """One request as the server read it."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes
    connection: int

    @property
    def path(self) -> str:
        """The path part of the target."""
        return urlsplit(self.target).path

    @property
    def query(self) -> list[tuple[str, str]]:
        """The decoded query pairs, in wire order."""
        return parse_qsl(urlsplit(self.target).query, keep_blank_values=True)

    @property
    def raw_query(self) -> str:
        """The query exactly as sent."""
        return urlsplit(self.target).query


@dataclass
class Reply:
    """What the server does for one request."""

    status: int = 200
    body: bytes = b'{"RequestId":"req-1","Success":true}'
    headers: dict[str, str] = field(
        default_factory=lambda: {"Content-Type": "application/json;charset=utf-8"}
    )
    chunked: bool = False
    delay: float = 0.0
    close_after: bool = False
    truncate_to: int | None = None
    reset: bool = False
    raw: bytes | None = None
    length: bool = True
    drip: float = 0.0  # seconds between body bytes (the head goes at once)
    stray: bytes = b""  # sent 50 ms after the reply, while the connection is idle


def json_reply(status: int = 200, **fields: object) -> Reply:
    """A JSON reply built from keyword fields."""
    return Reply(status=status, body=json.dumps(fields).encode())


Handler = Callable[[Request], Reply]


def _reset(client: socket.socket) -> bool:
    """Make closing ``client`` send a RST; False: the connection must end."""
    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    return False


class Server:
    """Accepts connections in a thread, one thread per connection, keep-alive by default."""

    def __init__(
        self,
        handler: Handler | None = None,
        *,
        backlog: int = 64,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        """Start listening on an ephemeral port (TLS when ``tls`` is given)."""
        self.tls = tls
        self.handler: Handler = handler or (lambda request: Reply())
        self.requests: list[Request] = []
        self.connections = 0
        self.in_flight = 0
        self.peak_in_flight = 0
        self._lock = threading.Lock()
        self._clients: list[socket.socket] = []
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=backlog)
        self._listener.settimeout(0.05)
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._accepter = threading.Thread(target=self._accept_loop, daemon=True)
        self._accepter.start()

    @property
    def endpoint(self) -> str:
        """``127.0.0.1:port``."""
        return f"127.0.0.1:{self.port}"

    def _accept_loop(self) -> None:
        """Accept until stopped."""
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            with self._lock:
                self.connections += 1
                index = self.connections
                self._clients.append(client)
            thread = threading.Thread(
                target=self._serve, args=(client, index), daemon=True
            )
            self._threads.append(thread)
            thread.start()

    def _read_request(
        self, client: socket.socket, buffer: bytearray, index: int
    ) -> Request | None:
        """Read one request, or None at EOF."""
        while b"\r\n\r\n" not in buffer:
            chunk = client.recv(65536)
            if not chunk:
                return None
            buffer += chunk
        head, _, rest = bytes(buffer).partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(rest) < length:
            chunk = client.recv(65536)
            if not chunk:
                return None
            rest += chunk
        buffer[:] = rest[length:]
        return Request(method, target, headers, rest[:length], index)

    def _serve(self, client: socket.socket, index: int) -> None:
        """Answer requests on one connection until it closes."""
        buffer = bytearray()
        client.settimeout(5.0)
        try:
            if self.tls is not None:
                client = self.tls.wrap_socket(client, server_side=True)
            while not self._stop.is_set():
                request = self._read_request(client, buffer, index)
                if request is None:
                    return
                with self._lock:
                    self.requests.append(request)
                    self.in_flight += 1
                    self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
                try:
                    reply = self.handler(request)
                    if reply.delay:
                        self._stop.wait(reply.delay)
                    keep = self._write(client, reply)
                finally:
                    with self._lock:
                        self.in_flight -= 1
                if not keep:
                    return
        except OSError:
            return
        finally:
            client.close()

    def _write(self, client: socket.socket, reply: Reply) -> bool:
        """Send one reply; False when the connection must end."""
        if reply.raw is not None:
            client.sendall(reply.raw)
            if reply.reset:
                return _reset(client)
            return not reply.close_after
        lines = [f"HTTP/1.1 {reply.status} Whatever"]
        lines += [f"{k}: {v}" for k, v in reply.headers.items()]
        body = reply.body
        if reply.chunked:
            lines.append("Transfer-Encoding: chunked")
            pieces = [body[i : i + 7] for i in range(0, len(body), 7)]
            payload = b"".join(b"%x;ext=1\r\n%s\r\n" % (len(p), p) for p in pieces)
            payload += b"0\r\nX-Trailer: yes\r\n\r\n"
        else:
            if reply.length:
                lines.append(f"Content-Length: {len(body)}")
            payload = body
        data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload
        if reply.truncate_to is not None:
            data = data[: len(data) - len(payload) + reply.truncate_to]
        if reply.drip:
            head = len(data) - len(payload)
            client.sendall(data[:head])
            for index in range(head, len(data)):
                if self._stop.wait(reply.drip):
                    return False
                client.sendall(data[index : index + 1])
        else:
            client.sendall(data)
        if reply.stray:
            self._stop.wait(0.05)
            client.sendall(reply.stray)
        if reply.reset:
            return _reset(client)
        if reply.truncate_to is not None or not reply.length:
            return False
        return not reply.close_after

    def wait_for_connections(self, count: int, timeout: float = 2.0) -> None:
        """Wait until the server has accepted ``count`` connections."""
        deadline = time.monotonic() + timeout
        while self.connections < count and time.monotonic() < deadline:
            time.sleep(0.005)

    def close(self) -> None:
        """Stop accepting, close every connection, join the threads."""
        self._stop.set()
        self._accepter.join(2)
        self._listener.close()
        with self._lock:
            clients = list(self._clients)
        for client in clients:
            try:
                client.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            client.close()
        for thread in self._threads:
            thread.join(2)
