"""Verify the ACS signature of an RPC request, V3 (ACS3-HMAC-SHA256 header) or V1 (HMAC-SHA1 parameter).

The expected signatures are computed by the runtime's own signing functions, the code every SDK ships.
"""

from __future__ import annotations

import calendar
import collections
import hashlib
import hmac
import threading
import time
from dataclasses import dataclass

from ..runtime import signing
from .api import Rejection
from .wire import Incoming

V3_REQUIRED = ("host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce", "x-acs-version")
V1_REQUIRED = ("AccessKeyId", "SignatureMethod", "SignatureNonce", "SignatureVersion", "Timestamp")
MAX_SKEW = 15 * 60  # seconds a request's time may differ from the mock's clock
NONCES_KEPT = 100_000


@dataclass(frozen=True)
class Keys:
    """The one AccessKey pair the mock accepts."""

    access_key_id: str
    access_key_secret: str


class Verifier:
    """Checks signatures with the configured keys and refuses a nonce seen before."""

    def __init__(self, keys: Keys) -> None:
        self.keys = keys
        self._nonces: collections.OrderedDict[str, None] = collections.OrderedDict()
        self._lock = threading.Lock()

    def verify(self, incoming: Incoming, pairs: list[tuple[str, str]]) -> str:
        """The signature version of a correctly signed request ("v3" or "v1"), else a Rejection saying why."""
        auth = incoming.headers.get("authorization")
        if auth is not None:
            self._v3(incoming, auth)
            return "v3"
        if any(name == "Signature" for name, _ in pairs):
            self._v1(incoming, pairs)
            return "v1"
        raise Rejection(400, "IncompleteSignature", "the request carries neither an Authorization header (V3) nor a Signature parameter (V1)")

    def _v3(self, incoming: Incoming, auth: str) -> None:
        """ACS3-HMAC-SHA256: the canonical request rebuilt from what arrived, signed with the secret."""
        algorithm, _, rest = auth.partition(" ")
        fields = dict(part.strip().partition("=")[::2] for part in rest.split(","))
        if algorithm != signing.V3_ALGORITHM or not {"Credential", "SignedHeaders", "Signature"} <= set(fields):
            raise Rejection(400, "IncompleteSignature", f"Authorization must be '{signing.V3_ALGORITHM} Credential=…,SignedHeaders=…,Signature=…', got {auth[:60]!r}")
        headers = incoming.headers
        signed = fields["SignedHeaders"].split(";")
        for name in V3_REQUIRED + (("content-type",) if "content-type" in headers else ()):
            if name not in headers:
                raise Rejection(400, "IncompleteSignature", f"header {name} is required for signature V3")
            if name not in signed:
                raise Rejection(400, "IncompleteSignature", f"header {name} is sent but not in SignedHeaders")
        absent = [name for name in signed if name not in headers]
        if absent:
            raise Rejection(400, "IncompleteSignature", f"SignedHeaders names {', '.join(absent)}, not sent")
        self._key(fields["Credential"])
        body_hash = hashlib.sha256(incoming.body).hexdigest()
        if headers["x-acs-content-sha256"] != body_hash:
            raise Rejection(400, "SignatureDoesNotMatch", f"x-acs-content-sha256 is {headers['x-acs-content-sha256']}, the body's SHA-256 is {body_hash}")
        self._fresh(headers["x-acs-date"], headers["x-acs-signature-nonce"])
        request = signing.canonical_request_v3(
            method=incoming.method,
            uri=incoming.path,
            query=signing.canonical_query(incoming.query),
            headers={name: headers[name] for name in signed},
            hashed_payload=body_hash,
        )
        expected = signing.signature_v3(self.keys.access_key_secret, signing.string_to_sign_v3(request))
        if not hmac.compare_digest(expected, fields["Signature"]):
            raise Rejection(400, "SignatureDoesNotMatch", f"the V3 signature does not match the mock's calculation with the secret of {self.keys.access_key_id}; canonical request: {request!r}")

    def _v1(self, incoming: Incoming, pairs: list[tuple[str, str]]) -> None:
        """HMAC-SHA1 over the sorted parameters, keyed by the secret and '&'."""
        given = dict(pairs)
        absent = [name for name in V1_REQUIRED if name not in given]
        if absent:
            raise Rejection(400, "IncompleteSignature", f"signature V1 needs the parameter {', '.join(absent)}")
        if (given["SignatureMethod"], given["SignatureVersion"]) != ("HMAC-SHA1", "1.0"):
            raise Rejection(400, "InvalidSignatureMethod", f"only SignatureMethod=HMAC-SHA1 with SignatureVersion=1.0 is supported, got {given['SignatureMethod']} {given['SignatureVersion']}")
        self._key(given["AccessKeyId"])
        self._fresh(given["Timestamp"], given["SignatureNonce"])
        to_sign = signing.string_to_sign_v1(incoming.method, pairs)
        expected = signing.signature_v1(self.keys.access_key_secret, to_sign)
        if not hmac.compare_digest(expected, given["Signature"]):
            raise Rejection(400, "SignatureDoesNotMatch", f"the V1 signature does not match the mock's calculation with the secret of {self.keys.access_key_id}; string to sign: {to_sign!r}")

    def _key(self, access_key_id: str) -> None:
        """Refuse an AccessKey ID other than the configured one."""
        if access_key_id != self.keys.access_key_id:
            raise Rejection(404, "InvalidAccessKeyId.NotFound", f"AccessKey ID {access_key_id!r} is not the mock's (it accepts the one it was started with)")

    def _fresh(self, stamp: str, nonce: str) -> None:
        """Refuse a badly formatted or expired time, and a nonce used before."""
        try:
            moment = calendar.timegm(time.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ"))
        except ValueError:
            raise Rejection(400, "InvalidTimeStamp.Format", f"time {stamp!r} is not yyyy-MM-ddTHH:mm:ssZ (UTC)") from None
        if abs(time.time() - moment) > MAX_SKEW:
            raise Rejection(400, "InvalidTimeStamp.Expired", f"time {stamp} is more than {MAX_SKEW // 60} minutes from the mock's clock")
        with self._lock:
            if nonce in self._nonces:
                raise Rejection(400, "SignatureNonceUsed", f"signature nonce {nonce!r} was used before")
            self._nonces[nonce] = None
            if len(self._nonces) > NONCES_KEPT:
                self._nonces.popitem(last=False)
