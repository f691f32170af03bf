"""HTTPS through both transports against a local TLS server with a throwaway certificate."""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from acs_sdkgen.runtime import APIConnectionError, AsyncTransport, SyncTransport, http11
from runtime_http_server import Server

HEADERS = {"host": "127.0.0.1", "accept": "application/json"}


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made with the openssl CLI."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def tls_server(certificate: tuple[Path, Path]) -> Iterator[Server]:
    """A TLS server on 127.0.0.1."""
    cert, key = certificate
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = Server(tls=context)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def trust(certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the default SSL context trust the throwaway certificate."""
    original = ssl.create_default_context

    def trusting(*args: object, **kwargs: object) -> ssl.SSLContext:
        context = original()
        context.load_verify_locations(cafile=str(certificate[0]))
        return context

    monkeypatch.setattr(ssl, "create_default_context", trusting)
    monkeypatch.setattr(http11, "_tls_context", None)


@pytest.fixture(autouse=True)
def fresh_tls_context(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test builds the shared TLS context anew (and never leaks its own)."""
    monkeypatch.setattr(http11, "_tls_context", None)


def test_sync_https_keeps_alive(tls_server: Server, trust: None) -> None:
    transport = SyncTransport(
        "https", "127.0.0.1", tls_server.port, timeout=5, user_agent="t"
    )
    try:
        for _ in range(3):
            assert transport.send("POST", "/", HEADERS, b"").status == 200
    finally:
        transport.close()
    assert tls_server.connections == 1


def test_async_https_keeps_alive(tls_server: Server, trust: None) -> None:
    async def main() -> list[int]:
        transport = AsyncTransport(
            "https", "127.0.0.1", tls_server.port, timeout=5, user_agent="t"
        )
        try:
            return [
                (await transport.send("POST", "/", HEADERS, b"")).status
                for _ in range(3)
            ]
        finally:
            await transport.aclose()

    assert asyncio.run(main()) == [200, 200, 200]
    assert tls_server.connections == 1


def test_untrusted_certificate_is_refused(tls_server: Server) -> None:
    transport = SyncTransport(
        "https", "127.0.0.1", tls_server.port, timeout=5, user_agent="t"
    )
    with pytest.raises(APIConnectionError) as info:
        transport.send("POST", "/", HEADERS, b"")
    transport.close()
    assert info.value.request_sent is False
    assert "CERTIFICATE_VERIFY_FAILED" in str(info.value) or "certificate" in str(
        info.value
    )

    async def main() -> None:
        aio = AsyncTransport(
            "https", "127.0.0.1", tls_server.port, timeout=5, user_agent="t"
        )
        try:
            await aio.send("POST", "/", HEADERS, b"")
        finally:
            await aio.aclose()

    with pytest.raises(APIConnectionError) as info:
        asyncio.run(main())
    assert info.value.request_sent is False
    assert tls_server.requests == []
