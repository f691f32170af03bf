"""REST credentials: the values the mock expects, and the check of a request's API key, bearer token or basic auth."""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie

from ..ir import tree as ir
from .api import Rejection, Route
from .wire import Incoming

# Environment variable suffixes, after the spec's package name in capitals (the generated README's names).
ENVIRONMENT = {"api_key": "_API_KEY", "bearer_token": "_TOKEN", "username": "_USERNAME", "password": "_PASSWORD"}


@dataclass(frozen=True)
class Secrets:
    """The REST credentials the mock expects; None accepts any value that is present."""

    api_key: str | None = None
    bearer_token: str | None = None
    username: str | None = None
    password: str | None = None

    @classmethod
    def resolve(cls, package: str, **given: str | None) -> Secrets:
        """Each credential as given, else from `<PACKAGE>_API_KEY`, `_TOKEN`, `_USERNAME`, `_PASSWORD`."""
        prefix = package.upper()
        return cls(**{name: given.get(name) or os.environ.get(prefix + suffix) or None for name, suffix in ENVIRONMENT.items()})

    def checked(self) -> list[str]:
        """The credentials whose value is checked, by option name."""
        return [name for name in ENVIRONMENT if getattr(self, name) is not None]


def check_credentials(schemes: tuple[ir.SecurityScheme, ...], route: Route, incoming: Incoming, secrets: Secrets) -> None:
    """An operation that needs credentials gets one of the spec's schemes, with the expected value where one is set."""
    if route.op.anonymous or not schemes:
        return
    wrong = []
    for scheme in schemes:
        sent = _sent(scheme, incoming)
        if sent is None:
            continue
        problem = _problem(scheme, sent, secrets)
        if problem is None:
            return
        wrong.append(problem)
    if wrong:
        raise Rejection(401, "Unauthorized", f"{route.op.operation_id}: " + "; ".join(wrong))
    wanted = " or ".join(f"{s.location} {s.parameter}" for s in schemes)
    raise Rejection(401, "Unauthorized", f"{route.op.operation_id} needs credentials: {wanted}")


def _sent(scheme: ir.SecurityScheme, incoming: Incoming) -> str | None:
    """The credential a request sends for one scheme (the Authorization header's value after its kind), or None."""
    if scheme.kind == "apiKey":
        if scheme.location == "query":
            return next((value for name, value in incoming.query if name == scheme.parameter), None)
        if scheme.location == "cookie":
            return _cookie(incoming.headers.get("cookie", ""), scheme.parameter)
        return incoming.headers.get(scheme.parameter.lower())
    kind, _, value = incoming.headers.get("authorization", "").partition(" ")
    return value.strip() if kind.lower() == scheme.kind.lower() else None


def _cookie(header: str, name: str) -> str | None:
    """One cookie's value from a Cookie header."""
    try:
        morsel = SimpleCookie(header).get(name)
    except CookieError:
        return None
    return morsel.value if morsel is not None else None


def _problem(scheme: ir.SecurityScheme, sent: str, secrets: Secrets) -> str | None:
    """What is wrong with a sent credential (never its value), or None when the mock accepts it."""
    if scheme.kind == "apiKey":
        ok = secrets.api_key is None or sent == secrets.api_key
        return None if ok else f"the API key in the {scheme.location} {scheme.parameter} is not the one the mock expects"
    if scheme.kind == "bearer":
        ok = secrets.bearer_token is None or sent == secrets.bearer_token
        return None if ok else "the bearer token in the Authorization header is not the one the mock expects"
    try:
        username, colon, password = base64.b64decode(sent, validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return "the Authorization header's Basic credentials are not base64 of user:password"
    if not colon:
        return "the Authorization header's Basic credentials have no ':' between user and password"
    if secrets.username is not None and username != secrets.username:
        return "the basic-auth user name is not the one the mock expects"
    if secrets.password is not None and password != secrets.password:
        return "the basic-auth password is not the one the mock expects"
    return None
