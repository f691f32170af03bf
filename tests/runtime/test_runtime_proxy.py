"""Proxies through both transports: a real forward proxy on 127.0.0.1 proves where requests went."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from urllib.parse import quote

import pytest
import trustme
from network_helpers import KINDS, send, server_context, tls_server
from runtime_http_server import Server

from acs_sdkgen.runtime import APIConnectionError, APITimeoutError, ParameterError
from acs_sdkgen.runtime.network import Network
from acs_sdkgen.runtime.proxy import parse_proxy, select_proxy
from tests.support.forward_proxy import ForwardProxy

USER, PASSWORD = "tester", "p@ss:w/rd-not-shown"


@pytest.fixture
def proxy() -> Iterator[ForwardProxy]:
    """An open forward proxy."""
    with ForwardProxy() as running:
        yield running


@pytest.fixture
def locked_proxy() -> Iterator[ForwardProxy]:
    """A forward proxy that demands Basic credentials."""
    with ForwardProxy(credentials=(USER, PASSWORD)) as running:
        yield running


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    """A throwaway certificate authority."""
    return trustme.CA()


@pytest.fixture
def https_origin(ca: trustme.CA) -> Iterator[Server]:
    """A TLS origin on 127.0.0.1 with a certificate of ``ca``."""
    with tls_server(server_context(ca, "127.0.0.1")) as server:
        yield server


def _trusting(ca: trustme.CA, **options: object) -> Network:
    """Network settings that trust ``ca``."""
    import ssl

    context = ssl.create_default_context()
    ca.configure_trust(context)
    return Network(verify=context, **options)


def _closed_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("kind", KINDS)
def test_http_goes_through_an_explicit_proxy_in_absolute_form(
    kind: str, server: Server, proxy: ForwardProxy
) -> None:
    answers = send(
        kind, "http", server.port, Network(proxy=proxy.url()), count=3, target="/?a=1"
    )
    assert [a.status for a in answers] == [200, 200, 200]
    origin = f"http://127.0.0.1:{server.port}"
    assert [r.target for r in proxy.forwarded] == [f"{origin}/?a=1"] * 3
    assert [r.target for r in server.requests] == ["/?a=1"] * 3
    assert server.requests[0].headers["host"] == f"127.0.0.1:{server.port}"


@pytest.mark.parametrize("kind", KINDS)
def test_https_is_tunnelled_with_connect_then_tls_to_the_origin(
    kind: str, https_origin: Server, proxy: ForwardProxy, ca: trustme.CA
) -> None:
    network = _trusting(ca, proxy=proxy.url())
    answers = send(kind, "https", https_origin.port, network, count=3)
    assert [a.status for a in answers] == [200, 200, 200]
    # One tunnel carries the three keep-alive requests; the proxy saw only CONNECT.
    assert [(r.method, r.target) for r in proxy.requests] == [
        ("CONNECT", f"127.0.0.1:{https_origin.port}")
    ]
    assert [r.target for r in https_origin.requests] == ["/"] * 3


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"]
)
def test_http_proxy_variables_are_read(
    kind: str,
    variable: str,
    server: Server,
    proxy: ForwardProxy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(variable, proxy.url())
    assert send(kind, "http", server.port, Network())[0].status == 200
    assert len(proxy.forwarded) == 1


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "https_proxy"])
def test_https_proxy_variables_are_read(
    kind: str,
    variable: str,
    https_origin: Server,
    proxy: ForwardProxy,
    ca: trustme.CA,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(variable, proxy.url())
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # not for https
    assert send(kind, "https", https_origin.port, _trusting(ca))[0].status == 200
    assert len(proxy.tunnels) == 1


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "no_proxy", ["127.0.0.1", "localhost, 127.0.0.1:{port}", ".0.0.1", "*"]
)
def test_no_proxy_bypasses_the_proxy(
    kind: str,
    no_proxy: str,
    server: Server,
    proxy: ForwardProxy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url())
    monkeypatch.setenv("NO_PROXY", no_proxy.format(port=server.port))
    assert send(kind, "http", server.port, Network())[0].status == 200
    assert proxy.requests == []
    assert len(server.requests) == 1


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "options", [{"proxy": None}, {"trust_env": False}], ids=["proxy=None", "trust_env"]
)
def test_the_environment_can_be_ignored(
    kind: str,
    options: dict[str, object],
    server: Server,
    proxy: ForwardProxy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url())
    assert send(kind, "http", server.port, Network(**options))[0].status == 200
    assert proxy.requests == []


@pytest.mark.parametrize("kind", KINDS)
def test_an_explicit_proxy_wins_over_the_environment(
    kind: str, server: Server, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{_closed_port()}")
    monkeypatch.setenv("NO_PROXY", "*")
    assert send(kind, "http", server.port, Network(proxy=proxy.url()))[0].status == 200
    assert len(proxy.forwarded) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_proxy_credentials_are_sent_to_the_proxy_only(
    kind: str,
    server: Server,
    https_origin: Server,
    locked_proxy: ForwardProxy,
    ca: trustme.CA,
) -> None:
    url = locked_proxy.url(USER, PASSWORD)
    assert send(kind, "http", server.port, Network(proxy=url))[0].status == 200
    assert (
        send(kind, "https", https_origin.port, _trusting(ca, proxy=url))[0].status
        == 200
    )
    assert len(locked_proxy.forwarded) == 1 and len(locked_proxy.tunnels) == 1
    for origin in (server, https_origin):
        assert "proxy-authorization" not in origin.requests[0].headers


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("scheme", ["http", "https"])
@pytest.mark.parametrize("password", ["wrong-password", None])
def test_refused_proxy_credentials_raise_a_clear_error(
    kind: str,
    scheme: str,
    password: str | None,
    server: Server,
    https_origin: Server,
    locked_proxy: ForwardProxy,
    ca: trustme.CA,
) -> None:
    origin = server if scheme == "http" else https_origin
    url = locked_proxy.url(USER if password else None, password)
    with pytest.raises(APIConnectionError) as info:
        send(kind, scheme, origin.port, _trusting(ca, proxy=url))
    message = str(info.value)
    shown = f"http://{USER}:***@" if password else "http://"
    assert message.startswith(
        f"The proxy {shown}127.0.0.1:{locked_proxy.port} did not reach "
        f"{scheme}://127.0.0.1:{origin.port}: 407 Proxy Authentication Required"
    )
    assert ("check the user and password" in message) == bool(password)
    assert "wrong-password" not in message and PASSWORD not in message
    assert info.value.request_sent is False
    assert origin.requests == []


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("scheme", ["http", "https"])
def test_an_unreachable_proxy_is_named_without_its_password(
    kind: str, scheme: str, server: Server
) -> None:
    port = _closed_port()
    network = Network(
        proxy=f"http://{USER}:{quote(PASSWORD, safe='')}@127.0.0.1:{port}"
    )
    with pytest.raises(APIConnectionError) as info:
        send(kind, scheme, server.port, network)
    assert str(info.value) == (
        f"Could not connect to {scheme}://127.0.0.1:{server.port} through the proxy "
        f"http://{USER}:***@127.0.0.1:{port}: Connection refused"
    )
    assert info.value.request_sent is False
    assert server.requests == []


@pytest.mark.parametrize("kind", KINDS)
def test_a_proxy_that_cannot_reach_the_origin_is_reported(
    kind: str, proxy: ForwardProxy
) -> None:
    with pytest.raises(APIConnectionError) as info:
        send(kind, "https", _closed_port(), Network(proxy=proxy.url()))
    assert "did not reach https://127.0.0.1:" in str(info.value)
    assert str(info.value).endswith(": status 502.")


@pytest.mark.parametrize("kind", KINDS)
def test_a_silent_proxy_is_a_connect_timeout(kind: str) -> None:
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never answers
        port = silent.getsockname()[1]
        with pytest.raises(APITimeoutError) as info:
            send(
                kind,
                "https",
                443,
                Network(proxy=f"http://127.0.0.1:{port}"),
                timeout=0.3,
            )
    assert str(info.value) == (
        "Timed out connecting to https://127.0.0.1:443 through the proxy "
        f"http://127.0.0.1:{port} (timeout 0.3 s)."
    )
    assert (info.value.phase, info.value.request_sent) == ("connect", False)


def test_proxy_urls_are_parsed_like_urllib() -> None:
    proxy = parse_proxy("http://us%40er:pa%3Ass@proxy.test:3128", "proxy")
    assert (proxy.host, proxy.port) == ("proxy.test", 3128)
    assert proxy.authorization == "Basic dXNAZXI6cGE6c3M="  # "us@er:pa:ss"
    assert proxy.label == "http://us%40er:***@proxy.test:3128"
    assert "pa" not in repr(proxy)
    bare = parse_proxy("proxy.test:8080", "proxy")
    assert (bare.host, bare.port, bare.authorization) == ("proxy.test", 8080, None)
    assert parse_proxy("http://[::1]", "proxy").label == "http://[::1]:80"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("socks5://127.0.0.1:1080", "proxy: only http:// proxies are supported"),
        ("https://127.0.0.1:3128", "got a https:// URL"),
        ("http://", "proxy is not a proxy URL like 'http://host:port'"),
        ("http://127.0.0.1:99999", "proxy is not a proxy URL"),
    ],
)
def test_bad_proxy_urls_are_refused(url: str, message: str) -> None:
    with pytest.raises(ParameterError, match=message.replace("?", r"\?")):
        select_proxy("https", "example.test", url, True)


def test_a_bad_proxy_variable_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "socks5://127.0.0.1:1080")
    with pytest.raises(ParameterError, match="the HTTPS_PROXY environment variable"):
        select_proxy("https", "example.test", Network().proxy, True)
    with pytest.raises(ParameterError, match="proxy must be a URL"):
        Network(proxy=3128)
