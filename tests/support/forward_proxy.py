"""A forward HTTP proxy on 127.0.0.1 for tests: absolute-form requests, CONNECT tunnels, Basic auth.

It forwards only to 127.0.0.1 (anything else gets a 403), one thread per client connection, and
records what it was asked so that a test can prove a request went through it.
"""

from __future__ import annotations

import base64
import http.client
import socket
import threading
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

# Hop-by-hop headers a proxy consumes instead of forwarding.
_HOP_HEADERS = frozenset(
    ("connection", "keep-alive", "proxy-authorization", "proxy-connection", "te")
)
_LOOPBACK = ("127.0.0.1", "localhost")


@dataclass
class ProxyRequest:
    """One request the proxy received: ``CONNECT host:port`` or an absolute-form request."""

    method: str
    target: str
    headers: dict[str, str]
    status: int = 0  # what the proxy answered (200 for an established tunnel)


class ForwardProxy:
    """Threaded forward proxy; ``credentials=(user, password)`` demands Basic proxy auth."""

    def __init__(self, credentials: tuple[str, str] | None = None) -> None:
        """Start listening on an ephemeral port of 127.0.0.1."""
        self.credentials = credentials
        self.requests: list[ProxyRequest] = []
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.port = self._listener.getsockname()[1]
        self._start(self._accept_loop)

    def url(self, user: str | None = None, password: str | None = None) -> str:
        """``http://[user:password@]127.0.0.1:port`` (the parts percent-encoded)."""
        auth = ""
        if user is not None:
            auth = f"{quote(user, safe='')}:{quote(password or '', safe='')}@"
        return f"http://{auth}127.0.0.1:{self.port}"

    @property
    def tunnels(self) -> list[ProxyRequest]:
        """The CONNECT requests it accepted."""
        return [r for r in self.requests if r.method == "CONNECT" and r.status == 200]

    @property
    def forwarded(self) -> list[ProxyRequest]:
        """The absolute-form requests it forwarded."""
        return [r for r in self.requests if r.method != "CONNECT" and r.status != 407]

    def _start(self, target: object, *args: object) -> None:
        """Run ``target(*args)`` in a daemon thread."""
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _keep(self, sock: socket.socket) -> socket.socket:
        """Remember ``sock`` so that ``close`` closes it."""
        with self._lock:
            self._sockets.append(sock)
        return sock

    def _accept_loop(self) -> None:
        """Accept until stopped."""
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                continue
            self._start(self._serve, self._keep(client))

    def _serve(self, client: socket.socket) -> None:
        """Answer requests on one client connection until it closes or becomes a tunnel."""
        reader = client.makefile("rb")
        try:
            while not self._stop.is_set():
                request = self._read(reader)
                if request is None:
                    return
                with self._lock:
                    self.requests.append(request)
                if not self._authorized(request):
                    request.status = 407
                    self._answer(
                        client, 407, b"proxy authentication required", close=True
                    )
                    return
                if request.method == "CONNECT":
                    self._tunnel(client, request)
                    return
                self._forward(client, reader, request)
        except OSError:
            return
        finally:
            client.close()

    @staticmethod
    def _read(reader: object) -> ProxyRequest | None:
        """The next request head, or None at end of stream."""
        line = reader.readline()  # type: ignore[attr-defined]
        if not line.strip():
            return None
        method, target, _ = line.decode("latin-1").split(" ", 2)
        headers: dict[str, str] = {}
        while True:
            line = reader.readline()  # type: ignore[attr-defined]
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        return ProxyRequest(method, target, headers)

    def _authorized(self, request: ProxyRequest) -> bool:
        """Whether the request carries the expected Basic proxy credentials (if any are set)."""
        if self.credentials is None:
            return True
        token = base64.b64encode(":".join(self.credentials).encode()).decode()
        return request.headers.get("proxy-authorization") == f"Basic {token}"

    @staticmethod
    def _answer(client: socket.socket, status: int, body: bytes, close: bool) -> None:
        """Send a small answer of the proxy's own."""
        head = f"HTTP/1.1 {status} Proxy Says So\r\nContent-Length: {len(body)}\r\n"
        if status == 407:
            head += 'Proxy-Authenticate: Basic realm="test"\r\n'
        if close:
            head += "Connection: close\r\n"
        client.sendall(head.encode() + b"\r\n" + body)

    def _tunnel(self, client: socket.socket, request: ProxyRequest) -> None:
        """Connect to the origin named by CONNECT and relay bytes both ways."""
        host, _, port = request.target.rpartition(":")
        if host not in _LOOPBACK:
            request.status = 403
            self._answer(client, 403, b"only 127.0.0.1", close=True)
            return
        try:
            upstream = self._keep(socket.create_connection((host, int(port)), 5))
        except OSError:
            request.status = 502
            self._answer(client, 502, b"origin unreachable", close=True)
            return
        request.status = 200
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        self._start(self._pump, upstream, client)
        self._pump(client, upstream)

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        """Copy bytes from ``source`` to ``sink`` until ``source`` ends, then end ``sink``."""
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            try:
                sink.shutdown(socket.SHUT_WR)
            except OSError:
                pass

    def _forward(
        self, client: socket.socket, reader: object, request: ProxyRequest
    ) -> None:
        """Send an absolute-form request on to its origin and its answer back."""
        length = int(request.headers.get("content-length", "0"))
        body = reader.read(length) if length else b""  # type: ignore[attr-defined]
        parts = urlsplit(request.target)
        if parts.scheme != "http" or parts.hostname not in _LOOPBACK:
            request.status = 403
            self._answer(client, 403, b"only http://127.0.0.1", close=False)
            return
        origin = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=5)
        try:
            path = parts.path or "/"
            origin.putrequest(
                request.method,
                f"{path}?{parts.query}" if parts.query else path,
                skip_host=True,
                skip_accept_encoding=True,
            )
            for name, value in request.headers.items():
                if name not in _HOP_HEADERS and name != "content-length":
                    origin.putheader(name, value)
            origin.putheader("Content-Length", str(len(body)))
            origin.endheaders(body)
            answer = origin.getresponse()
            payload = answer.read()
        finally:
            origin.close()
        request.status = answer.status
        lines = [f"HTTP/1.1 {answer.status} {answer.reason}"]
        for name, value in answer.getheaders():
            if name.lower() not in _HOP_HEADERS | {
                "content-length",
                "transfer-encoding",
            }:
                lines.append(f"{name}: {value}")
        lines.append(f"Content-Length: {len(payload)}")
        client.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload)

    def close(self) -> None:
        """Stop accepting, close every socket, join the threads."""
        self._stop.set()
        self._listener.close()
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        for thread in self._threads:
            thread.join(2)

    def __enter__(self) -> ForwardProxy:
        """Use in a ``with`` block."""
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Stop the proxy."""
        self.close()
