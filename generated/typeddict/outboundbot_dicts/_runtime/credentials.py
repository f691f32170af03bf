"""The access key pair (and optional STS token) that signs every request."""

from __future__ import annotations

import os

from .errors import CredentialsError
from .records import FrozenRecord

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

ENV_ACCESS_KEY_ID = "ALIBABA_CLOUD_ACCESS_KEY_ID"
ENV_ACCESS_KEY_SECRET = "ALIBABA_CLOUD_ACCESS_KEY_SECRET"
ENV_SECURITY_TOKEN = "ALIBABA_CLOUD_SECURITY_TOKEN"


def mask_access_key_id(access_key_id: str) -> str:
    """Show only the first four characters of an access key id."""
    return access_key_id[:4] + "..." if len(access_key_id) > 4 else "***"


class Credentials(FrozenRecord):
    """An access key pair, optionally with an STS security token; repr hides secrets."""

    __slots__ = ("access_key_id", "access_key_secret", "security_token")
    access_key_id: str
    access_key_secret: str
    security_token: str | None

    def __init__(
        self,
        access_key_id: str,
        access_key_secret: str,
        security_token: str | None = None,
    ) -> None:
        """Store the pair and the optional token."""
        self._init(
            access_key_id=access_key_id,
            access_key_secret=access_key_secret,
            security_token=security_token,
        )

    def __repr__(self) -> str:
        """Show the key id prefix only; never the secret or the token."""
        token = None if self.security_token is None else "***"
        return (
            f"Credentials(access_key_id={mask_access_key_id(self.access_key_id)!r}, "
            f"access_key_secret='***', security_token={token!r})"
        )


def _check_header_safe(name: str, value: str) -> None:
    """Refuse a key id or token that cannot travel in a header (the value is not shown)."""
    if not value.isascii() or not value.isprintable() or " " in value:
        raise CredentialsError(
            f"{name} must be printable ASCII without spaces "
            f"({len(value)} characters given; the value is not shown)."
        )


def resolve_credentials(
    access_key_id: str | None,
    access_key_secret: str | None,
    security_token: str | None,
    environ: Mapping[str, str] = os.environ,
) -> Credentials:
    """Explicit arguments win; otherwise the ``ALIBABA_CLOUD_*`` environment variables.

    The environment's security token is used only when the key pair itself came
    from the environment, so an explicit long-term key is never paired with a
    stray STS token.
    """
    key_id = access_key_id or environ.get(ENV_ACCESS_KEY_ID) or None
    secret = access_key_secret or environ.get(ENV_ACCESS_KEY_SECRET) or None
    missing = []
    if key_id is None:
        missing.append(("access_key_id", ENV_ACCESS_KEY_ID))
    if secret is None:
        missing.append(("access_key_secret", ENV_ACCESS_KEY_SECRET))
    if missing:
        what = " and ".join(f"{arg}= (or set {env})" for arg, env in missing)
        raise CredentialsError(f"No credentials: pass {what}.")
    assert key_id is not None and secret is not None
    token = security_token
    if token is None and not access_key_id and not access_key_secret:
        token = environ.get(ENV_SECURITY_TOKEN)
    _check_header_safe("access_key_id", key_id)
    if token:
        _check_header_safe("security_token", token)
    return Credentials(key_id, secret, token or None)
