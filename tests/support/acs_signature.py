"""Server-side signature primitives of the fake Alibaba Cloud gateway, written from the published spec."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence

V3_ALGORITHM = "ACS3-HMAC-SHA256"
V1_METHOD = "HMAC-SHA1"
V1_VERSION = "1.0"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

_UNRESERVED = frozenset(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"
)


def percent_encode(value: str) -> str:
    """Encode UTF-8 bytes per RFC 3986: unreserved bytes literal, every other byte as upper-case %XX."""
    return "".join(
        chr(byte) if byte in _UNRESERVED else f"%{byte:02X}"
        for byte in value.encode("utf-8")
    )


def canonical_query(pairs: Iterable[tuple[str, str]]) -> str:
    """Sort the decoded pairs by raw name (then value), encode both and join as ``name=value`` with ``&``."""
    return "&".join(
        f"{percent_encode(name)}={percent_encode(value)}"
        for name, value in sorted(pairs)
    )


def sha256_hex(data: bytes) -> str:
    """Lower-case hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def v3_canonical_request(
    method: str,
    path: str,
    pairs: Iterable[tuple[str, str]],
    header_values: Mapping[str, str],
    signed_headers: Sequence[str],
    payload_hash: str,
) -> str:
    """Build the ACS3 canonical request from the signed header names and their canonical values."""
    canonical_headers = "".join(
        f"{name}:{header_values[name]}\n" for name in signed_headers
    )
    return "\n".join(
        [
            method,
            path,
            canonical_query(pairs),
            canonical_headers,
            ";".join(signed_headers),
            payload_hash,
        ]
    )


def v3_string_to_sign(canonical_request: str) -> str:
    """ACS3 string to sign: the algorithm name and the hex SHA-256 of the canonical request."""
    return f"{V3_ALGORITHM}\n{sha256_hex(canonical_request.encode('utf-8'))}"


def v3_signature(secret: str, string_to_sign: str) -> str:
    """Lower-case hex HMAC-SHA256 of the string to sign, keyed by the bare secret."""
    key, message = secret.encode("utf-8"), string_to_sign.encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def v1_string_to_sign(method: str, pairs: Iterable[tuple[str, str]]) -> str:
    """V1 string to sign: ``METHOD&%2F&`` and the encoded canonicalized query string."""
    return f"{method}&{percent_encode('/')}&{percent_encode(canonical_query(pairs))}"


def v1_signature(secret: str, string_to_sign: str) -> str:
    """Base64 HMAC-SHA1 of the string to sign, keyed by the secret and ``&``."""
    key, message = f"{secret}&".encode("utf-8"), string_to_sign.encode("utf-8")
    return base64.b64encode(hmac.new(key, message, hashlib.sha1).digest()).decode()
