"""The threading HTTP server the tests' servers share: daemon threads, and no traceback for a client that goes away."""

from __future__ import annotations

import socket
import sys
from http.server import ThreadingHTTPServer


class QuietHTTPServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer whose handler threads never block exit, and which prints no traceback for a client that
    dropped its connection (a reset or broken pipe, such as a keep-alive connection closed between requests)."""

    daemon_threads = True

    def handle_error(self, request: socket.socket | tuple[bytes, socket.socket], client_address: object) -> None:
        """Report a failed request as the standard library does, unless the client went away."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)
