"""TLS settings of a client: certificate verification, CA bundles, client certificates."""

from __future__ import annotations

from .errors import ParameterError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ssl
    from os import PathLike
    from typing import Union

    Verify = Union[bool, str, "PathLike[str]", ssl.SSLContext]
    Cert = Union[str, "PathLike[str]", tuple[str, str]]

# Default contexts by (SSL_CERT_FILE, SSL_CERT_DIR): loading the CA store is slow.
_defaults: dict[tuple[str | None, str | None], ssl.SSLContext] = {}


def _environment_locations() -> tuple[str | None, str | None]:
    """The CA file and directory named by ``SSL_CERT_FILE`` and ``SSL_CERT_DIR``."""
    import os

    return os.environ.get("SSL_CERT_FILE") or None, (
        os.environ.get("SSL_CERT_DIR") or None
    )


def _verifying_context(cafile: str | None, capath: str | None) -> ssl.SSLContext:
    """A verifying context trusting ``cafile``/``capath``, else the system's CAs."""
    import ssl

    try:
        return ssl.create_default_context(cafile=cafile, capath=capath)
    except (OSError, ssl.SSLError) as exc:
        where = cafile or capath
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ParameterError(
            f"cannot load CA certificates from {where!r}: {reason}"
        ) from None


def default_tls_context() -> ssl.SSLContext:
    """The shared verifying context (``SSL_CERT_FILE``/``SSL_CERT_DIR`` or system CAs)."""
    locations = _environment_locations()
    context = _defaults.get(locations)
    if context is None:
        context = _defaults[locations] = _verifying_context(*locations)
    return context


def _unverified_context() -> ssl.SSLContext:
    """A context that accepts any certificate for any host (unsafe)."""
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _load_cert(context: ssl.SSLContext, cert: object) -> None:
    """Load a client certificate: a PEM path (key included) or ``(certfile, keyfile)``."""
    import os
    import ssl

    if isinstance(cert, tuple) and len(cert) == 2:
        certfile, keyfile = cert
    else:
        certfile, keyfile = cert, None
    paths = (certfile,) if keyfile is None else (certfile, keyfile)
    if not all(isinstance(p, (str, os.PathLike)) for p in paths):
        raise ParameterError(
            f"cert must be a path or a (certfile, keyfile) pair of paths, got {cert!r}"
        )
    try:
        context.load_cert_chain(certfile, keyfile)
    except (OSError, ssl.SSLError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ParameterError(
            f"cannot load the client certificate {cert!r}: {reason}"
        ) from None


def tls_context(verify: object = True, cert: object = None) -> ssl.SSLContext | None:
    """The context for ``verify`` and ``cert``; None: the shared default, made on first use.

    ``verify``: True (system CAs, or ``SSL_CERT_FILE``/``SSL_CERT_DIR``), a CA bundle file or
    directory, an ``ssl.SSLContext`` used as given, or False (no verification: unsafe).
    """
    if verify is True and cert is None:
        return None
    import os
    import ssl

    if isinstance(verify, ssl.SSLContext):
        if cert is not None:
            raise ParameterError(
                "pass cert= or an SSLContext as verify=, not both: load the "
                "client certificate into your SSLContext"
            )
        return verify
    if verify is True:
        context = _verifying_context(*_environment_locations())
    elif verify is False:
        context = _unverified_context()
    elif isinstance(verify, (str, os.PathLike)):
        path = os.fspath(verify)
        if os.path.isdir(path):
            context = _verifying_context(None, path)
        else:
            context = _verifying_context(path, None)
    else:
        raise ParameterError(
            "verify must be True, False, a CA bundle path or an ssl.SSLContext, "
            f"got {verify!r}"
        )
    if cert is not None:
        _load_cert(context, cert)
    return context


def describe_tls_error(exc: OSError) -> str | None:
    """A clear reason for a failed TLS handshake; None for other errors."""
    import ssl

    if isinstance(exc, ssl.SSLCertVerificationError):
        detail = exc.verify_message or exc.reason or "verification failed"
        return (
            f"the server's certificate was refused ({detail}); to trust a private "
            "CA pass verify='/path/to/ca-bundle.pem' or set SSL_CERT_FILE"
        )
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed: {exc.reason or exc}"
    return None
