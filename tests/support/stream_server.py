"""A streaming HTTP/1.1 server on 127.0.0.1: each answer is a script of chunks, gates and drops.

A script step is `bytes` (sent at once as one chunk), a `threading.Event` (wait until the test sets
it: proof that the client read what came before without the rest of the body), `DROP` (close the
connection mid-body) or `AWAIT_CLOSE` (wait until the client closes the connection, then record it).
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Union

from .quiet_server import QuietHTTPServer

DROP = "drop"
AWAIT_CLOSE = "await-close"
GATE_SECONDS = 10.0

Step = Union[bytes, threading.Event, str]


@dataclass
class Answer:
    """What one request gets: a status, a content type and the body's steps."""

    steps: list[Step]
    status: int = 200
    content_type: str = "text/event-stream"


@dataclass
class Seen:
    """One request as the server read it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class StreamServer:
    """Serves `script(request)` for every request; `closed` is set when a client closed mid-stream."""

    script: Callable[[Seen], Answer]
    requests: list[Seen] = field(default_factory=list)
    closed: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                owner._answer(self)

            do_POST = do_GET

            def log_message(self, format: str, *args: object) -> None:
                """Quiet."""

        self._http = QuietHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._http.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        """`http://127.0.0.1:port`."""
        return f"http://127.0.0.1:{self._http.server_address[1]}"

    def _answer(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        body = handler.rfile.read(int(handler.headers.get("Content-Length", "0")))
        seen = Seen(handler.command, handler.path, {k.lower(): v for k, v in handler.headers.items()}, body)
        self.requests.append(seen)
        answer = self.script(seen)
        handler.send_response(answer.status)
        handler.send_header("Content-Type", answer.content_type)
        if answer.status >= 300:
            data = b"".join(s for s in answer.steps if isinstance(s, bytes))
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
            return
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        for step in answer.steps:
            if isinstance(step, bytes):
                handler.wfile.write(b"%x\r\n%s\r\n" % (len(step), step))
                handler.wfile.flush()
            elif isinstance(step, threading.Event):
                step.wait(GATE_SECONDS)
            elif step == DROP:
                handler.close_connection = True
                return
            elif step == AWAIT_CLOSE:
                handler.connection.settimeout(GATE_SECONDS)
                if handler.connection.recv(1) == b"":
                    self.closed.set()
                handler.close_connection = True
                return
        handler.wfile.write(b"0\r\n\r\n")
        handler.wfile.flush()

    def stop(self) -> None:
        """Stop serving."""
        self._http.shutdown()
        self._http.server_close()
