"""HTTPS through both transports against TLS servers on 127.0.0.1 with a throwaway CA (trustme)."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme
from network_helpers import KINDS, send, server_context, tls_server
from runtime_http_server import Server

from acs_sdkgen.runtime import APIConnectionError, ParameterError
from acs_sdkgen.runtime.network import Network


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    """A throwaway certificate authority."""
    return trustme.CA()


@pytest.fixture(scope="module")
def ca_file(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The CA's certificate as a PEM bundle."""
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture
def server(ca: trustme.CA) -> Iterator[Server]:
    """A TLS server whose certificate names 127.0.0.1."""
    with tls_server(server_context(ca, "127.0.0.1")) as running:
        yield running


@pytest.fixture
def mutual_server(ca: trustme.CA) -> Iterator[Server]:
    """A TLS server that requires a client certificate issued by ``ca``."""
    context = server_context(ca, "127.0.0.1")
    context.verify_mode = ssl.CERT_REQUIRED
    ca.configure_trust(context)
    with tls_server(context) as running:
        yield running


@pytest.fixture(scope="module")
def client_cert(
    ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    """A client certificate of ``ca``: its files as a pair and as one PEM."""
    folder = tmp_path_factory.mktemp("client")
    issued = ca.issue_cert("client@example.test")
    paths = {name: str(folder / f"{name}.pem") for name in ("cert", "key", "both")}
    issued.cert_chain_pems[0].write_to_path(paths["cert"])
    issued.private_key_pem.write_to_path(paths["key"])
    issued.private_key_and_cert_chain_pem.write_to_path(paths["both"])
    return paths


@pytest.mark.parametrize("kind", KINDS)
def test_a_ca_bundle_path_is_trusted_and_keeps_alive(
    kind: str, server: Server, ca_file: Path
) -> None:
    for verify in (str(ca_file), ca_file):
        answers = send(kind, "https", server.port, Network(verify=verify), count=3)
        assert [a.status for a in answers] == [200, 200, 200]
    assert server.connections == 2


@pytest.mark.parametrize("kind", KINDS)
def test_an_ssl_context_is_used_as_given(
    kind: str, server: Server, ca: trustme.CA
) -> None:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    assert send(kind, "https", server.port, Network(verify=context))[0].status == 200


@pytest.mark.parametrize("kind", KINDS)
def test_ssl_cert_file_is_honoured(
    kind: str, server: Server, ca_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    assert send(kind, "https", server.port, Network())[0].status == 200


@pytest.mark.parametrize("kind", KINDS)
def test_ssl_cert_dir_and_a_ca_directory_are_honoured(
    kind: str,
    server: Server,
    ca_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command (to hash the CA directory) is not installed")
    folder = tmp_path / "certs"
    folder.mkdir()
    shutil.copy(ca_file, folder / "test-ca.pem")
    subprocess.run(["openssl", "rehash", str(folder)], check=True, capture_output=True)
    assert send(kind, "https", server.port, Network(verify=folder))[0].status == 200
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.setenv("SSL_CERT_DIR", str(folder))
    assert send(kind, "https", server.port, Network())[0].status == 200


@pytest.mark.parametrize("kind", KINDS)
def test_an_unknown_ca_is_refused_by_default(kind: str, server: Server) -> None:
    with pytest.raises(APIConnectionError) as info:
        send(kind, "https", server.port, Network())
    assert str(info.value) == (
        f"Could not connect to https://127.0.0.1:{server.port}: the server's "
        "certificate was refused (unable to get local issuer certificate); to trust "
        "a private CA pass verify='/path/to/ca-bundle.pem' or set SSL_CERT_FILE"
    )
    assert info.value.request_sent is False
    assert server.requests == []


@pytest.mark.parametrize("kind", KINDS)
def test_a_certificate_for_another_host_is_refused(
    kind: str, ca: trustme.CA, ca_file: Path
) -> None:
    with tls_server(server_context(ca, "localhost")) as server:
        with pytest.raises(APIConnectionError, match="IP address mismatch") as info:
            send(kind, "https", server.port, Network(verify=str(ca_file)))
        assert server.requests == []
    assert info.value.request_sent is False


@pytest.mark.parametrize("kind", KINDS)
def test_verify_false_accepts_any_certificate(kind: str, ca: trustme.CA) -> None:
    with tls_server(server_context(ca, "localhost")) as server:
        assert send(kind, "https", server.port, Network(verify=False))[0].status == 200


@pytest.mark.parametrize("kind", KINDS)
def test_a_client_certificate_is_required_and_accepted(
    kind: str, mutual_server: Server, ca_file: Path, client_cert: dict[str, str]
) -> None:
    # TLS 1.3 ends the handshake before the server checks: the refusal comes as an
    # alert or an EOF on the first read, whichever the client sees first.
    with pytest.raises(
        APIConnectionError, match=f"https://127.0.0.1:{mutual_server.port}"
    ):
        send(kind, "https", mutual_server.port, Network(verify=str(ca_file)))
    assert mutual_server.requests == []
    for cert in ((client_cert["cert"], client_cert["key"]), client_cert["both"]):
        network = Network(verify=str(ca_file), cert=cert)
        assert send(kind, "https", mutual_server.port, network)[0].status == 200
    assert len(mutual_server.requests) == 2


def test_bad_tls_settings_fail_at_construction(
    tmp_path: Path, client_cert: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = str(tmp_path / "missing.pem")
    with pytest.raises(
        ParameterError, match=f"cannot load CA certificates from '{missing}'"
    ):
        Network(verify=missing)
    with pytest.raises(ParameterError, match="cannot load the client certificate"):
        Network(cert=missing)
    with pytest.raises(ParameterError, match="cannot load the client certificate"):
        Network(cert=client_cert["cert"])  # no key in it
    with pytest.raises(
        ParameterError, match="load the client certificate into your SSLContext"
    ):
        Network(verify=ssl.create_default_context(), cert=client_cert["both"])
    with pytest.raises(ParameterError, match="verify must be True, False"):
        Network(verify=1)
    monkeypatch.setenv("SSL_CERT_FILE", missing)
    with pytest.raises(ParameterError, match=f"from '{missing}'"):
        Network(cert=client_cert["both"])
