"""Helpers of the proxy, TLS and hook tests: a test CA, TLS servers, sends through either transport."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterator
from contextlib import contextmanager

import trustme
from runtime_http_server import Server

from acs_sdkgen.runtime import AsyncTransport, HTTPResponse, SyncTransport
from acs_sdkgen.runtime.network import Network

KINDS = ("sync", "async")
HEADERS = {"accept": "application/json"}


def send(
    kind: str,
    scheme: str,
    port: int,
    network: Network | None = None,
    *,
    count: int = 1,
    host: str = "127.0.0.1",
    target: str = "/",
    timeout: float = 5,
) -> list[HTTPResponse]:
    """Send ``count`` requests on one sync or async transport, then close it."""
    options = {"network": network or Network(proxy=None), "timeout": timeout}
    if kind == "sync":
        transport = SyncTransport(scheme, host, port, user_agent="t", **options)
        try:
            return [transport.send("POST", target, HEADERS, b"") for _ in range(count)]
        finally:
            transport.close()

    async def main() -> list[HTTPResponse]:
        aio = AsyncTransport(scheme, host, port, user_agent="t", **options)
        try:
            return [await aio.send("POST", target, HEADERS, b"") for _ in range(count)]
        finally:
            await aio.aclose()

    return asyncio.run(main())


def server_context(ca: trustme.CA, *names: str) -> ssl.SSLContext:
    """A server context with a certificate of ``ca`` for ``names``."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert(*names).configure_cert(context)
    return context


@contextmanager
def tls_server(context: ssl.SSLContext) -> Iterator[Server]:
    """A TLS server on 127.0.0.1 with ``context``, stopped afterwards."""
    server = Server(tls=context)
    try:
        yield server
    finally:
        server.close()
