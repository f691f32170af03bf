"""Alibaba Cloud signatures: V3 (ACS3-HMAC-SHA256 header) and V1 (HMAC-SHA1 query).

Pure functions: the caller passes the time and the nonce, nothing here does I/O.
"""

from __future__ import annotations

import os
import time

from .encoding import percent_encode
from .errors import ParameterError
from .http11 import FRAMING_HEADERS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from .credentials import Credentials

V3_ALGORITHM = "ACS3-HMAC-SHA256"
EMPTY_BODY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def utc_timestamp() -> str:
    """The current UTC time as ``YYYY-MM-DDTHH:MM:SSZ``."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def new_nonce() -> str:
    """A fresh random nonce (32 hex digits)."""
    return os.urandom(16).hex()


def canonical_query(pairs: Iterable[tuple[str, str]]) -> str:
    """V3 canonical query: encode names and values, sort, join with ``&``."""
    encode = percent_encode
    encoded = sorted([(encode(name), encode(value)) for name, value in pairs])
    return "&".join([f"{name}={value}" for name, value in encoded])


def canonical_request_v3(
    *,
    method: str,
    query: str,
    headers: Mapping[str, str],
    hashed_payload: str,
    uri: str = "/",
) -> str:
    """V3 canonical request; every header in ``headers`` is signed."""
    values = {name.lower(): value for name, value in headers.items()}
    return _canonical_request(
        method, uri, query, values, sorted(values), hashed_payload
    )


def _canonical_request(
    method: str,
    uri: str,
    query: str,
    values: Mapping[str, str],
    names: list[str],
    hashed_payload: str,
) -> str:
    """Assemble the canonical request from lower-case, sorted signed header names."""
    canonical_headers = "".join([f"{name}:{values[name].strip()}\n" for name in names])
    return (
        f"{method}\n{uri}\n{query}\n{canonical_headers}\n"
        f"{';'.join(names)}\n{hashed_payload}"
    )


def string_to_sign_v3(canonical_request: str) -> str:
    """``ACS3-HMAC-SHA256`` + newline + hex SHA-256 of the canonical request."""
    import hashlib

    digest = hashlib.sha256(canonical_request.encode()).hexdigest()
    return f"{V3_ALGORITHM}\n{digest}"


def signature_v3(secret: str, string_to_sign: str) -> str:
    """Lower-case hex HMAC-SHA256 of the string to sign, keyed by the secret."""
    import hmac

    return hmac.digest(secret.encode(), string_to_sign.encode(), "sha256").hex()


def sign_v3_query(
    *,
    credentials: Credentials,
    method: str,
    host: str,
    query: str,
    headers: Mapping[str, str],
    body: bytes,
    action: str,
    version: str,
    date: str,
    nonce: str,
) -> dict[str, str]:
    """Like ``sign_v3`` for a query already in canonical form (also used in the URL)."""
    out = {name.lower(): value for name, value in headers.items()}
    out.pop("authorization", None)
    out["host"] = host
    out["x-acs-action"] = action
    out["x-acs-version"] = version
    out["x-acs-date"] = date
    out["x-acs-signature-nonce"] = nonce
    if not isinstance(body, bytes):
        raise ParameterError(
            "signature V3 signs a hash of the whole body (x-acs-content-sha256, no "
            "UNSIGNED-PAYLOAD): a streamed body cannot be signed; pass bytes"
        )
    if body:
        import hashlib

        payload_hash = hashlib.sha256(body).hexdigest()
    else:
        payload_hash = EMPTY_BODY_SHA256
    out["x-acs-content-sha256"] = payload_hash
    if credentials.security_token:
        out["x-acs-security-token"] = credentials.security_token
    names = sorted([name for name in out if name not in FRAMING_HEADERS])
    request = _canonical_request(method, "/", query, out, names, payload_hash)
    signature = signature_v3(credentials.access_key_secret, string_to_sign_v3(request))
    out["Authorization"] = (
        f"{V3_ALGORITHM} Credential={credentials.access_key_id},"
        f"SignedHeaders={';'.join(names)},Signature={signature}"
    )
    return out


def sign_v3(
    *,
    credentials: Credentials,
    method: str,
    host: str,
    pairs: Iterable[tuple[str, str]],
    headers: Mapping[str, str],
    body: bytes,
    action: str,
    version: str,
    date: str,
    nonce: str,
) -> dict[str, str]:
    """All headers to send for a V3-signed request, ``Authorization`` included.

    Signs every header returned: the given ones (``accept``, ``user-agent``,
    ``content-type``...), ``host`` and the ``x-acs-*`` ones it adds. Framing
    headers (``content-length``, ``connection``...) are returned unsigned; a
    given ``authorization`` is dropped.
    """
    return sign_v3_query(
        credentials=credentials,
        method=method,
        host=host,
        query=canonical_query(pairs),
        headers=headers,
        body=body,
        action=action,
        version=version,
        date=date,
        nonce=nonce,
    )


def canonical_query_v1(pairs: Iterable[tuple[str, str]]) -> str:
    """V1 canonicalized query: sort by raw name, then encode and join with ``&``."""
    encode = percent_encode
    return "&".join(
        [f"{encode(name)}={encode(value)}" for name, value in sorted(pairs)]
    )


def _encode_again(query: str) -> str:
    """Percent-encode an already encoded query: only ``%``, ``=`` and ``&`` change."""
    return query.replace("%", "%25").replace("=", "%3D").replace("&", "%26")


def string_to_sign_v1(method: str, pairs: Iterable[tuple[str, str]]) -> str:
    """``METHOD&%2F&`` + the percent-encoded canonicalized query (no ``Signature``)."""
    query = canonical_query_v1((n, v) for n, v in pairs if n != "Signature")
    return f"{method}&%2F&{_encode_again(query)}"


def signature_v1(secret: str, string_to_sign: str) -> str:
    """Base64 HMAC-SHA1 of the string to sign, keyed by ``secret + "&"``."""
    import binascii
    import hmac

    digest = hmac.digest(f"{secret}&".encode(), string_to_sign.encode(), "sha1")
    return binascii.b2a_base64(digest, newline=False).decode()


def _v1_pairs(
    credentials: Credentials,
    pairs: Iterable[tuple[str, str]],
    action: str,
    version: str,
    timestamp: str,
    nonce: str,
) -> list[tuple[str, str]]:
    """Common V1 parameters (as the official SDK sends them) plus the API pairs."""
    api = list(pairs)
    common = [
        ("Action", action),
        ("Format", "json"),
        ("Version", version),
        ("Timestamp", timestamp),
        ("SignatureNonce", nonce),
    ]
    if credentials.security_token:
        common.append(("SecurityToken", credentials.security_token))
    common += [
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"),
        ("AccessKeyId", credentials.access_key_id),
    ]
    given = {name for name, _ in api}
    return [pair for pair in common if pair[0] not in given] + api


def sign_v1(
    *,
    credentials: Credentials,
    method: str,
    pairs: Iterable[tuple[str, str]],
    action: str,
    version: str,
    timestamp: str,
    nonce: str,
) -> list[tuple[str, str]]:
    """The full V1 query: common parameters, the API pairs, then ``Signature``.

    An API pair named like a common parameter replaces it (as in the official SDK).
    """
    full = _v1_pairs(credentials, pairs, action, version, timestamp, nonce)
    to_sign = string_to_sign_v1(method, full)
    full.append(("Signature", signature_v1(credentials.access_key_secret, to_sign)))
    return full


def sign_v1_query(
    *,
    credentials: Credentials,
    method: str,
    pairs: Iterable[tuple[str, str]],
    action: str,
    version: str,
    timestamp: str,
    nonce: str,
) -> str:
    """Like ``sign_v1`` but returns the encoded query string ready for the URL."""
    full = _v1_pairs(credentials, pairs, action, version, timestamp, nonce)
    query = canonical_query_v1(pair for pair in full if pair[0] != "Signature")
    to_sign = f"{method}&%2F&{_encode_again(query)}"
    signature = signature_v1(credentials.access_key_secret, to_sign)
    return f"{query}&Signature={percent_encode(signature)}"
