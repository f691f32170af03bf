"""The mock checks REST credential values: options, `<PACKAGE>_*` variables, flags; 401 says which one was wrong."""

from __future__ import annotations

import base64
import http.client
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from acs_sdkgen.frontend import read_spec
from acs_sdkgen.mock import MockServer, serve

from tests.functional.flavors import REPO_ROOT

PETSTORE = read_spec(REPO_ROOT / "tests" / "fixtures" / "rest_petstore" / "spec.yaml")
NEW_PET = b'{"name": "rex"}'
# A spec whose one operation takes an API key in the query, one in a cookie, or basic auth.
SCHEMES = """
openapi: 3.0.3
info: {title: Keys, version: "1.0.0"}
x-acs-package: fx_keys
servers: [{url: "https://keys.example.com"}]
security: [{Query: []}, {Cookie: []}, {Basic: []}]
paths:
  /things:
    get:
      operationId: listThings
      responses:
        "200": {description: OK, content: {application/json: {schema: {type: array, items: {type: string}}}}}
        "401": {description: No, content: {application/json: {schema: {$ref: "#/components/schemas/Problem"}}}}
components:
  securitySchemes:
    Query: {type: apiKey, in: query, name: key}
    Cookie: {type: apiKey, in: cookie, name: session}
    Basic: {type: http, scheme: basic}
  schemas:
    Problem:
      type: object
      required: [title, detail]
      properties: {title: {type: string}, detail: {type: string}}
"""


@pytest.fixture(autouse=True)
def no_credential_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """No `PET_STORE_*` / `FX_KEYS_*` variable of the caller's shell changes what the mock expects."""
    for name in list(os.environ):
        if name.startswith(("PET_STORE_", "FX_KEYS_")):
            monkeypatch.delenv(name)


def _request(server: MockServer, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> tuple[int, Any, bytes]:
    """One raw request: status, JSON body, raw body."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        return response.status, json.loads(data) if data else None, data
    finally:
        connection.close()


def _create(server: MockServer, **headers: str) -> tuple[int, Any, bytes]:
    """POST /v1/pets with the given headers."""
    return _request(server, "POST", "/v1/pets", {"Content-Type": "application/json", **headers}, NEW_PET)


def _basic(user: str, password: str) -> str:
    """A Basic Authorization header value."""
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_wrong_api_key_and_token_are_refused_without_echoing_them() -> None:
    """The expected key or token passes; a wrong one is a 401 in the spec's error shape naming it, never showing it."""
    with serve(PETSTORE, api_key="right-key-1", bearer_token="right-token-1") as server:
        assert _create(server, **{"X-API-Key": "right-key-1"})[0] == 201
        assert _create(server, Authorization="Bearer right-token-1")[0] == 201
        status, data, raw = _create(server, **{"X-API-Key": "wrong-key-7"})
        assert status == 401 and set(data) == {"code", "message"}, data
        assert "the API key in the header X-API-Key is not the one the mock expects" in data["message"]
        assert b"wrong-key-7" not in raw and b"right-key-1" not in raw
        status, data, raw = _create(server, Authorization="Bearer wrong-token-7")
        assert status == 401 and "the bearer token in the Authorization header is not the one the mock expects" in data["message"]
        assert b"wrong-token-7" not in raw and b"right-token-1" not in raw
        status, data, _ = _create(server)
        assert status == 401 and "createPet needs credentials: header X-API-Key or header Authorization" in data["message"]
    logged = [entry for entry in server.log if entry.status == 401]
    assert len(logged) == 3 and "X-API-Key is not the one" in logged[0].message
    assert not any("wrong-" in entry.message or "right-" in entry.message for entry in server.log)


def test_one_right_scheme_is_enough() -> None:
    """A wrong key beside the right token passes: the spec's schemes are alternatives."""
    with serve(PETSTORE, api_key="right-key-1", bearer_token="right-token-1") as server:
        assert _create(server, **{"X-API-Key": "wrong-key-7", "Authorization": "Bearer right-token-1"})[0] == 201


def test_values_come_from_the_package_variables_and_options_win(monkeypatch: pytest.MonkeyPatch) -> None:
    """`PET_STORE_API_KEY` is the default the README's examples use; an option overrides it; unset, any key passes."""
    with serve(PETSTORE) as server:
        assert _create(server, **{"X-API-Key": "anything"})[0] == 201
    monkeypatch.setenv("PET_STORE_API_KEY", "env-key-1")
    with serve(PETSTORE) as server:
        assert _create(server, **{"X-API-Key": "env-key-1"})[0] == 201
        assert _create(server, **{"X-API-Key": "anything"})[0] == 401
    with serve(PETSTORE, api_key="option-key-1") as server:
        assert _create(server, **{"X-API-Key": "option-key-1"})[0] == 201
        assert _create(server, **{"X-API-Key": "env-key-1"})[0] == 401


@pytest.fixture
def keys_spec(tmp_path: Path) -> Path:
    """The spec with query, cookie and basic schemes."""
    path = tmp_path / "keys.yaml"
    path.write_text(SCHEMES, encoding="utf-8")
    return path


def test_query_cookie_and_basic_credentials(keys_spec: Path) -> None:
    """Each location is read and checked; basic auth says whether the user or the password was wrong."""
    with serve(keys_spec, api_key="k-1", username="ann", password="pw-1") as server:
        cases = [
            ("/things?key=k-1", {}, 200, ""),
            ("/things?key=k-2", {}, 401, "the API key in the query key is not the one the mock expects"),
            ("/things", {"Cookie": "theme=dark; session=k-1"}, 200, ""),
            ("/things", {"Cookie": "session=k-2"}, 401, "the API key in the cookie session is not the one the mock expects"),
            ("/things", {"Authorization": _basic("ann", "pw-1")}, 200, ""),
            ("/things", {"Authorization": _basic("bob", "pw-1")}, 401, "the basic-auth user name is not the one the mock expects"),
            ("/things", {"Authorization": _basic("ann", "pw-2")}, 401, "the basic-auth password is not the one the mock expects"),
            ("/things", {"Authorization": "Basic !!"}, 401, "are not base64 of user:password"),
        ]
        for path, headers, status, message in cases:
            got, data, raw = _request(server, "GET", path, headers)
            assert got == status, (path, headers, data)
            if message:
                assert set(data) == {"title", "detail"} and message in data["detail"], data
                assert b"pw-" not in raw and b"k-2" not in raw


def test_cli_flags_set_the_expected_values() -> None:
    """`--api-key` makes the mock check the key; the banner says which values are checked."""
    env = {k: v for k, v in os.environ.items() if not k.upper().endswith("_PROXY") and not k.startswith("PET_STORE_")}
    spec = REPO_ROOT / "tests" / "fixtures" / "rest_petstore" / "spec.yaml"
    process = subprocess.Popen(
        [sys.executable, "-m", "acs_sdkgen", "mock", str(spec), "--port", "0", "--api-key", "flag-key-1"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        banner = process.stdout.readline()
        found = re.search(r"at http://127\.0\.0\.1:(\d+); credential values checked: api_key$", banner.strip())
        assert found, banner + process.stderr.read()
        port = int(found.group(1))
        statuses = []
        for key in ("flag-key-1", "flag-key-2"):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("POST", "/v1/pets", body=NEW_PET, headers={"Content-Type": "application/json", "X-API-Key": key})
            statuses.append(connection.getresponse().status)
            connection.close()
        assert statuses == [201, 401]
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert "X-API-Key is not the one the mock expects" in err and "flag-key-2" not in err


def test_a_header_name_http_cannot_carry_is_left_out_with_a_warning(tmp_path: Path) -> None:
    """`name: ADVICEment API Key` (rapidapi's dynamicdocs) is no header name: the generator says so and leaves the
    scheme out, and the mock, reading the same IR, does not ask for it; a valid scheme beside it still applies."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        SCHEMES.replace("[{Query: []}, {Cookie: []}, {Basic: []}]", "[{Spaced: []}, {Query: []}]").replace(
            "    Query: {type: apiKey, in: query, name: key}",
            "    Query: {type: apiKey, in: query, name: key}\n    Spaced: {type: apiKey, in: header, name: My API Key}",
        )
    )
    read = read_spec(spec)
    assert [s.name for s in read.api.security] == ["Basic", "Cookie", "Query"]
    warnings = [d.message for d in read.diagnostics.items if "/components/securitySchemes/Spaced" in d.pointer]
    assert warnings and "names the header 'My API Key', which HTTP cannot carry" in warnings[0]
    with serve(read, api_key="k-1") as server:
        assert _request(server, "GET", "/things?key=k-1", {})[0] == 200
        assert _request(server, "GET", "/things", {})[0] == 401
