"""The HTTP side of the mock: a threading HTTP/1.1 server (keep-alive, concurrent clients), faults, the log."""

from __future__ import annotations

import contextlib
import logging
import os
import random
import select
import socket
import struct
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from ..frontend import RefOptions, SpecRead, read_spec
from .api import MockApi
from .auth import Secrets
from .engine import Engine
from .examples import example_request
from .rules import Rules, load_rules
from .signature import Keys
from .wire import Incoming

log = logging.getLogger("acs_sdkgen.mock")
MAX_BODY = 16 * 1024 * 1024
IDLE_TIMEOUT = 30.0  # seconds a kept-alive connection may stay silent


@dataclass(frozen=True)
class Logged:
    """One served request: what it was, how it was answered, and why."""

    method: str
    target: str
    operation: str
    status: int | None  # None for a fault
    code: str
    message: str


class MockServer:
    """A running mock: `url`, the `log` of served requests, `stop()`."""

    def __init__(self, engine: Engine, host: str = "127.0.0.1", port: int = 0) -> None:
        self.engine = engine
        self.log: list[Logged] = []
        self.stopping = threading.Event()
        self._httpd = _HTTPServer((host, port), _handler(self))
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """`http://HOST:PORT` (IPv6 hosts in brackets)."""
        host, port = str(self._httpd.server_address[0]), self._httpd.server_address[1]
        return f"http://{f'[{host}]' if ':' in host else host}:{port}"

    @property
    def port(self) -> int:
        """The port it listens on."""
        return int(self._httpd.server_address[1])

    def start(self) -> MockServer:
        """Serve in a daemon thread."""
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="acs-sdkgen-mock", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until `stop()` is called from another one."""
        self._httpd.serve_forever()

    def stop(self) -> None:
        """Stop accepting, release hanging connections, close the socket."""
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def example_request(self, operation: str) -> tuple[list[tuple[str, str, Any]], Any]:
        """A valid request of an operation (by ID, action or method name): `(name, location, value)` of its parameters, and its body.

        The spec's examples where given, else values generated to fit the schemas (the same for the same seed).
        """
        route = self.engine.api.find(operation)
        if route is None:
            raise KeyError(f"no operation {operation!r} in the spec")
        return example_request(self.engine.api, route, random.Random(f"{self.engine.seed}:example:{operation}"))

    def record(self, entry: Logged) -> None:
        """Keep and log one served request."""
        self.log.append(entry)
        answer = f"{entry.status} {entry.code}".strip() if entry.status is not None else "fault"
        text = f"{entry.method} {entry.target[:120]} [{entry.operation}] -> {answer}"
        if entry.message:
            text += f": {entry.message}"
        (log.warning if entry.status is None or entry.status >= 400 else log.info)(text)


class _HTTPServer(ThreadingHTTPServer):
    """Daemon handler threads, so that a hanging client never blocks shutdown."""

    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Print the traceback of a failed request, but not of a client that went away (a reset or broken pipe,
        such as a keep-alive connection dropped between requests): nothing went wrong in the mock."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _handler(mock: MockServer) -> type[BaseHTTPRequestHandler]:
    """The request handler class bound to one mock."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body leave at once, not 40 ms apart (delayed ACK)
        timeout = IDLE_TIMEOUT
        server_version = "acs-sdkgen-mock"

        def _serve(self) -> None:
            body = self._body()
            if body is None:
                return
            headers = {name.lower(): value for name, value in self.headers.items()}
            incoming = Incoming(self.command, self.path, headers, body)
            decision = mock.engine.decide(incoming, headers.get("host", "127.0.0.1"))
            if decision.latency:
                mock.stopping.wait(decision.latency)
            answer = decision.answer
            message = "; ".join(m for m in (answer.message if answer else "", decision.note) if m)
            mock.record(Logged(self.command, self.path, decision.operation, answer.status if answer else None,
                               answer.code if answer else decision.fault, message))
            if answer is None:
                self._fault(decision.fault)
                return
            self.send_response(answer.status)
            for name, value in answer.headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(answer.body)

        def _body(self) -> bytes | None:
            """The request body by Content-Length (chunked bodies are read too); None after refusing it."""
            if self.headers.get("transfer-encoding", "").lower() == "chunked":
                chunks: list[bytes] = []
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                    if size == 0:
                        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                            pass
                        return b"".join(chunks)
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
            length = int(self.headers.get("content-length") or 0)
            if length > MAX_BODY:
                self.send_error(413, f"body over {MAX_BODY} bytes")
                return None
            return self.rfile.read(length) if length else b""

        def _fault(self, fault: str) -> None:
            """`reset`: close with a TCP RST; `hang`: say nothing until the client gives up or the mock stops."""
            self.close_connection = True
            sock = self.connection
            if fault == "hang":
                while not mock.stopping.is_set():
                    ready, _, _ = select.select([sock], [], [], 0.1)
                    if ready and not sock.recv(65536, socket.MSG_PEEK):
                        break
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the mock logs its own lines
            """Silence the standard access log (`MockServer.record` logs every request)."""

    return Handler


def _spec(spec: Path | str | SpecRead, refs: RefOptions) -> SpecRead:
    """A spec read through the front end (a SpecError says what is wrong with it)."""
    return spec if isinstance(spec, SpecRead) else read_spec(spec, refs)


def build(
    spec: Path | str | SpecRead,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    seed: int = 0,
    rules: Path | Rules | None = None,
    access_key_id: str | None = None,
    access_key_secret: str | None = None,
    api_key: str | None = None,
    bearer_token: str | None = None,
    username: str | None = None,
    password: str | None = None,
    limits: dict[str, float] | None = None,
    stateful: bool = True,
    refs: RefOptions = RefOptions(),
) -> MockServer:
    """A mock server for a spec, bound but not serving; keys default to ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET.

    REST credentials (`api_key`, `bearer_token`, `username`, `password`) default to `<PACKAGE>_API_KEY`,
    `_TOKEN`, `_USERNAME`, `_PASSWORD`; one that is set nowhere is only checked to be present.
    `stateful=False` answers every call from the spec alone (examples or generated data), keeping nothing.
    """
    rules = load_rules(rules) if isinstance(rules, Path) else (rules or Rules())
    rules.limits.update(limits or {})
    key_id = access_key_id or os.environ.get("ALIBABA_CLOUD_ACCESS_KEY_ID")
    secret = access_key_secret or os.environ.get("ALIBABA_CLOUD_ACCESS_KEY_SECRET")
    keys = Keys(key_id, secret) if key_id and secret else None
    api = MockApi(_spec(spec, refs))
    secrets = Secrets.resolve(api.api.package, api_key=api_key, bearer_token=bearer_token, username=username, password=password)
    engine = Engine(api, seed=seed, keys=keys, secrets=secrets, rules=rules, stateful=stateful)
    return MockServer(engine, host, port)


@contextlib.contextmanager
def serve(spec: Path | str | SpecRead, *, port: int = 0, **options: Any) -> Iterator[MockServer]:
    """Run a mock of `spec` in a thread on 127.0.0.1 (a free port by default) for the `with` block; see `build`."""
    server = build(spec, port=port, **options).start()
    try:
        yield server
    finally:
        server.stop()
