"""Forward proxies: which one an origin uses (argument or environment), CONNECT, proxy errors."""

from __future__ import annotations

from .encoding import NotGiven
from .errors import APIConnectionError, ParameterError
from .records import FrozenRecord

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .http11 import HTTPResponse


class Proxy(FrozenRecord):
    """An ``http://`` forward proxy: where to connect and the credentials to send it."""

    __slots__ = ("host", "port", "authorization", "label")
    host: str
    port: int
    authorization: str | None
    label: str

    def __init__(
        self, host: str, port: int, authorization: str | None, label: str
    ) -> None:
        """``authorization``: a ``Proxy-Authorization`` value; ``label``: the URL, password masked."""
        self._init(host=host, port=port, authorization=authorization, label=label)

    def __repr__(self) -> str:
        """Show the URL without the password."""
        return f"Proxy({self.label!r})"


def parse_proxy(url: str, source: str) -> Proxy:
    """The proxy at ``http://[user:password@]host[:port]`` (``source`` names it in errors)."""
    import base64
    from urllib.parse import unquote, urlsplit

    text = url.strip()
    if "://" not in text:
        text = f"http://{text}"  # "host:port", as urllib accepts it
    try:
        parts = urlsplit(text)
        port = parts.port or 80
    except ValueError:
        parts = None
    if parts is None or not parts.hostname:
        raise ParameterError(f"{source} is not a proxy URL like 'http://host:port'")
    if parts.scheme.lower() != "http":
        raise ParameterError(
            f"{source}: only http:// proxies are supported (https origins are "
            f"tunnelled through them with CONNECT), got a {parts.scheme}:// URL"
        )
    host = parts.hostname
    shown = f"[{host}]" if ":" in host else host
    label = f"http://{shown}:{port}"
    authorization = None
    if parts.username is not None:
        user, password = unquote(parts.username), unquote(parts.password or "")
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        authorization = f"Basic {token}"
        label = f"http://{parts.username}:***@{shown}:{port}"
    return Proxy(host, port, authorization, label)


def check_proxy(value: object) -> None:
    """``proxy=`` is NOT_GIVEN (environment), None (no proxy) or a URL string."""
    if not isinstance(value, (str, NotGiven)) and value is not None:
        raise ParameterError(
            f"proxy must be a URL like 'http://host:port' or None, got {value!r}"
        )


def select_proxy(
    scheme: str, authority: str, proxy: object, trust_env: bool
) -> Proxy | None:
    """The proxy requests to ``scheme://authority`` go through, or None to connect directly.

    An explicit ``proxy`` URL is always used; otherwise, when ``trust_env``, the variables
    ``<scheme>_proxy``/``ALL_PROXY`` and ``NO_PROXY`` are read as ``urllib`` reads them.
    """
    check_proxy(proxy)
    if isinstance(proxy, str):
        return parse_proxy(proxy, "proxy")
    if proxy is None or not trust_env:
        return None
    from urllib.request import getproxies_environment, proxy_bypass

    proxies = getproxies_environment()
    url = proxies.get(scheme) or proxies.get("all")
    # With proxy variables set, urllib's ``proxy_bypass`` reads NO_PROXY on every platform.
    if not url or proxy_bypass(authority):
        return None
    variable = f"{scheme.upper()}_PROXY" if scheme in proxies else "ALL_PROXY"
    return parse_proxy(url, f"the {variable} environment variable")


def connect_request(authority: str, proxy: Proxy, user_agent: str) -> bytes:
    """The CONNECT request asking ``proxy`` for a tunnel to ``authority`` (host:port)."""
    lines = [
        f"CONNECT {authority} HTTP/1.1",
        f"Host: {authority}",
        f"User-Agent: {user_agent}",
    ]
    if proxy.authorization is not None:
        lines.append(f"Proxy-Authorization: {proxy.authorization}")
    lines.append("\r\n")
    return "\r\n".join(lines).encode("latin-1")


def proxy_refusal(
    proxy: Proxy, origin: str, response: HTTPResponse
) -> APIConnectionError:
    """The error for a proxy that answered ``response`` instead of reaching ``origin``."""
    if response.status == 407:
        why = (
            "407 Proxy Authentication Required: check the user and password in the "
            "proxy URL"
            if proxy.authorization
            else "407 Proxy Authentication Required: put the user and password in "
            "the proxy URL (http://user:password@host:port)"
        )
    else:
        why = f"status {response.status}"
    return APIConnectionError(
        f"The proxy {proxy.label} did not reach {origin}: {why}.",
        request_sent=False,
    )
