"""How a client reaches its endpoint: proxy choice, TLS context, hooks; checked at construction."""

from __future__ import annotations

from .encoding import NOT_GIVEN
from .errors import ParameterError
from .hooks import Hooks
from .proxy import check_proxy
from .tls import tls_context

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ssl
    from collections.abc import Iterable, Mapping, Sequence

    from .hooks import Hook


class Network:
    """A client's network settings, handed to its transport."""

    __slots__ = ("proxy", "trust_env", "tls", "hooks", "http_client")

    def __init__(
        self,
        *,
        proxy: object = NOT_GIVEN,
        trust_env: bool = True,
        verify: object = True,
        cert: object = None,
        event_hooks: Mapping[str, Sequence[Hook]] | None = None,
        secret_headers: Iterable[str] = (),
        secret_query: Iterable[str] = (),
        http_client: object = None,
    ) -> None:
        """Check every setting (a bad CA path or certificate fails here, not on first use).

        ``proxy``: ``http://[user:password@]host:port``; None for none; not given: from
        ``HTTPS_PROXY``/``HTTP_PROXY``/``ALL_PROXY`` and ``NO_PROXY`` unless ``trust_env`` is False
        (which concerns only these: ``SSL_CERT_FILE`` is honoured either way, as OpenSSL reads it).
        ``verify``: True (system CAs, or ``SSL_CERT_FILE``/``SSL_CERT_DIR``), a CA bundle path,
        an ``ssl.SSLContext``, or False (no verification: unsafe). ``cert``: a client
        certificate, a PEM path holding the key too or ``(certfile, keyfile)``.
        ``event_hooks``: ``{"request": [f, ...], "response": [g, ...]}`` called on every
        attempt with a ``RequestInfo``/``ResponseInfo`` (secrets replaced by ``***``);
        ``secret_headers``/``secret_query``: names hidden from hooks besides the built-in ones.
        ``http_client``: an httpx client to send through (``httpx_transport``); proxies and TLS
        are then its own settings, so ``proxy``, ``verify`` and ``cert`` must be left as they are.
        """
        if http_client is not None and (
            proxy is not NOT_GIVEN or verify is not True or cert is not None
        ):
            raise ParameterError(
                "with http_client=, set the proxy and TLS (proxy=, verify=, cert=) on the "
                "httpx client itself"
            )
        self.http_client = http_client
        check_proxy(proxy)
        self.proxy = proxy
        self.trust_env = bool(trust_env)
        self.tls: ssl.SSLContext | None = tls_context(verify, cert)
        hooks = Hooks(event_hooks, secret_headers, secret_query)
        self.hooks: Hooks | None = hooks if hooks else None


DEFAULT_NETWORK = Network()
