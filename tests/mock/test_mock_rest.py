"""The mock of a REST spec (tests/fixtures/rest_petstore) with the generated REST clients of every flavor."""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from importlib import import_module
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from acs_sdkgen.config import Config
from acs_sdkgen.diagnostics import Diagnostic
from acs_sdkgen.frontend import read_spec
from acs_sdkgen.mock import MockServer, serve
from acs_sdkgen.output.files import write_output
from acs_sdkgen.pipeline import run

from tests.functional.flavors import REPO_ROOT

SPEC_PATH = REPO_ROOT / "tests" / "fixtures" / "rest_petstore" / "spec.yaml"
PACKAGES = {"pydantic": "pet_store", "dataclasses": "pet_store_lite", "typeddict": "pet_store_dicts"}


@pytest.fixture(scope="module")
def petstore(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The Pet Store SDKs generated into a temporary directory and importable."""
    out = tmp_path_factory.mktemp("petstore")
    config = Config(spec=SPEC_PATH, out=out, version="0.1.0", flavors=tuple(PACKAGES), overrides={}, source="tests/mock")
    write_output(out, run(config).files)
    roots = [str(out / name) for name in PACKAGES]
    sys.path[:0] = roots
    yield out
    for root in roots:
        sys.path.remove(root)


@pytest.fixture
def mock() -> Iterator[MockServer]:
    """The Pet Store mock."""
    with serve(read_spec(SPEC_PATH), seed=7) as server:
        yield server


def _field(value: Any, name: str) -> Any:
    """A field of a model, or a key of a TypedDict."""
    return value[name] if isinstance(value, dict) else getattr(value, name)


def _calls(package: ModuleType, flavor: str) -> list[tuple[str, dict[str, Any]]]:
    """Create, read, list, update, delete of one pet (the id is filled in after the create)."""
    models = import_module(f"{package.__name__}.models")
    new = {"name": "rex", "tag": "dog"}
    update = {"name": "max", "status": "sold"}
    if flavor != "typeddict":
        new, update = models.NewPet(**new), models.UpdatePetRequest(name="max", status=models.UpdatePetRequestStatus("sold"))
    return [("create_pet", {"body": new}), ("get_pet", {}), ("list_pets", {"limit": 5}), ("update_pet", {"body": update}), ("delete_pet", {}), ("get_pet", {})]


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("flavor", sorted(PACKAGES))
def test_crud_through_the_rest_client(petstore: Path, mock: MockServer, flavor: str, kind: str) -> None:
    """POST creates, GET reads and lists it, PATCH updates it (form body), DELETE removes it, then GET is a 404."""
    package = import_module(PACKAGES[flavor])
    cls = package.Client if kind == "sync" else package.AsyncClient
    results: list[Any] = []

    async def step(sdk: Any, method: str, arguments: dict[str, Any]) -> None:
        if method != "create_pet" and method != "list_pets":
            arguments = {**arguments, "pet_id": _field(results[0], "id")}
        try:
            value = getattr(sdk, method)(**arguments)
            results.append(await value if kind == "async" else value)
        except package.APIStatusError as exc:
            results.append(exc)

    async def go() -> None:
        options = {"base_url": mock.url + "/v1", "api_key": "fake-key", "max_retries": 0}
        if kind == "sync":
            with cls(**options) as sdk:
                for method, arguments in _calls(package, flavor):
                    await step(sdk, method, arguments)
        else:
            async with cls(**options) as sdk:
                for method, arguments in _calls(package, flavor):
                    await step(sdk, method, arguments)

    asyncio.run(go())
    created, read, listed, updated, deleted, gone = results
    assert _field(created, "name") == "rex" and _field(created, "tag") == "dog"
    assert _field(read, "id") == _field(created, "id") and _field(read, "name") == "rex"
    assert [_field(pet, "id") for pet in listed] == [_field(created, "id")]
    assert _field(updated, "status") == "sold"
    assert deleted is None
    assert isinstance(gone, package.APIStatusError) and gone.status_code == 404


def _request(server: MockServer, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None) -> tuple[int, Any]:
    """One raw request; the status and the JSON body."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        return response.status, json.loads(data) if data else None
    finally:
        connection.close()


def test_rest_rejections_say_what_was_wrong(mock: MockServer) -> None:
    """Body against its schema, content type, credentials, path parameter type, unknown path and method."""
    key = {"X-API-Key": "fake-key"}
    json_type = {**key, "Content-Type": "application/json"}
    cases = [
        (("POST", "/v1/pets", b'{"tag": "x"}', json_type), 400, '"name" is a required property'),
        (("POST", "/v1/pets", b'{"name": "a", "status": "lost"}', json_type), 400, 'status: "lost" is not one of "available", "pending", "sold"'),
        (("POST", "/v1/pets", b"name=a", {**key, "Content-Type": "text/plain"}), 415, "'text/plain' is not one of application/json"),
        (("POST", "/v1/pets", b'{"name": "a"}', {"Content-Type": "application/json"}), 401, "header X-API-Key or header Authorization"),
        (("GET", "/v1/pets/abc", b"", key), 400, 'petId: "abc" is not of type "integer"'),
        (("GET", "/v1/nowhere", b"", key), 404, "no operation of the spec matches the path /v1/nowhere"),
        (("POST", "/v1/pets/1", b"", key), 405, "allowed: DELETE, GET, PATCH"),
    ]
    for (method, path, body, headers), status, message in cases:
        got, data = _request(mock, method, path, body, headers)
        assert got == status, (path, data)
        assert message in data["message"], (message, data)
        assert message in mock.log[-1].message


def test_anonymous_operation_needs_no_credentials_and_answers_are_seeded(petstore: Path) -> None:
    """`security: []` passes without a key; generated answers are the same for the same seed, different for another."""
    answers = []
    for seed in (7, 7, 8):
        with serve(read_spec(SPEC_PATH), seed=seed) as server:
            status, data = _request(server, "GET", "/store/inventory")
            assert status == 200
            answers.append(data)
    assert answers[0] == answers[1] != answers[2]


def test_a_client_that_resets_its_connection_is_not_reported_as_an_error(capfd: pytest.CaptureFixture[str]) -> None:
    """A connection reset before or in the middle of a request (a keep-alive connection dropped by its client) is
    not a traceback on the mock's stderr; the mock goes on answering."""
    with serve(read_spec(SPEC_PATH), seed=7) as server:
        for partial in (b"", b"GET /pets HTTP/1.1\r\nHost: x\r\n"):
            raw = socket.create_connection(("127.0.0.1", server.port))
            raw.sendall(partial)
            time.sleep(0.1)  # the handler thread is reading
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close with a reset
            raw.close()
        time.sleep(0.2)
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        connection.request("GET", "/pets")
        assert connection.getresponse().status < 500
        connection.close()
    err = capfd.readouterr().err
    assert "Traceback" not in err and "ConnectionResetError" not in err, err


ANY_ERROR_SPEC = """
openapi: 3.0.3
info: {title: Any error, version: "1"}
servers: [{url: "https://example.com"}]
paths:
  /things:
    get:
      operationId: listThings
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: array, items: {type: string}}}}}
        "480": {description: Conflict, content: {application/json: {schema: {$ref: "#/components/schemas/Conflict"}}}}
        "404": {description: Missing, content: {application/json: {schema: {type: string}}}}
components:
  schemas:
    Conflict: {}
"""


def test_an_error_documented_with_a_schema_that_allows_anything_is_answered_as_an_error_object(tmp_path: Path) -> None:
    """AWS specs document their errors as `{}`: the mock answers `{code, message}` (an SDK reads it as the status's
    error), not a random string; an error documented as a string stays a string."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(ANY_ERROR_SPEC)
    with serve(read_spec(spec), seed=7) as server:
        status, data = _request(server, "GET", "/things", headers={"x-mock-response": "480"})
        assert status == 480 and data == {"code": "Status480", "message": "the mock was asked to answer 480 Status480"}
        status, data = _request(server, "GET", "/things", headers={"x-mock-response": "404"})
        assert status == 404 and isinstance(data, str)


UPPER_CASE_MEDIA_SPEC = """
openapi: 3.0.3
info: {title: Upper, version: "1"}
servers: [{url: "https://example.com"}]
paths:
  /check:
    post:
      operationId: check
      requestBody:
        required: true
        content: {application/JSON: {schema: {type: object, required: [a], properties: {a: {type: string}}}}}
      responses:
        "200": {description: ok, content: {application/JSON: {schema: {type: object, properties: {ok: {type: boolean}}}}}}
"""


def test_media_types_are_read_without_regard_to_case(tmp_path: Path) -> None:
    """`application/JSON` (Mastercard's specs) is JSON: the operation takes a JSON body, and the mock accepts one
    sent as `application/json` and answers JSON."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(UPPER_CASE_MEDIA_SPEC)
    read = read_spec(spec)
    body = read.api.operations[0].body
    assert body is not None and (body.encoding, body.media_type) == ("json", "application/json")
    assert read.api.operations[0].responses[0].media_type == "application/json"
    with serve(read, seed=7) as server:
        status, data = _request(server, "POST", "/check", b'{"a": "x"}', {"Content-Type": "application/json"})
        assert status == 200 and isinstance(data, dict), data
        status, data = _request(server, "POST", "/check", b'{"b": 1}', {"Content-Type": "application/json"})
        assert status == 400 and '"a" is a required property' in data["message"]


MULTIPART_SPEC = """
openapi: 3.0.3
info: {title: Upload, version: "1"}
servers: [{url: "https://example.com"}]
paths:
  /files:
    post:
      operationId: upload
      requestBody:
        required: true
        content: {multipart/form-data: {schema: {type: object, properties: {file: {type: string, format: binary}}}}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: object}}}}
"""


def test_a_multipart_form_with_no_fields_is_read_as_an_empty_form(tmp_path: Path) -> None:
    """A form whose fields are all optional, sent empty, is the closing delimiter alone (what the SDKs send for `{}`):
    the mock reads no fields, as form parsers do; a body without the boundary is still refused."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(MULTIPART_SPEC)
    form = {"Content-Type": "multipart/form-data; boundary=b0"}
    with serve(read_spec(spec), seed=7) as server:
        assert _request(server, "POST", "/files", b"--b0--\r\n", form)[0] == 200
        status, data = _request(server, "POST", "/files", b"junk", form)
        assert status == 400 and "no parts (is the boundary right?)" in data["message"]


FRAGMENT_SPEC = """
openapi: 3.0.3
info: {title: Targets, version: "1"}
servers: [{url: "https://example.com"}]
paths:
  "/#X-Amz-Target=Svc.CreatePlan":
    post:
      operationId: CreatePlan
      parameters: [{name: X-Amz-Target, in: header, required: true, schema: {type: string, enum: [Svc.CreatePlan]}}]
      responses: {"200": {description: ok, content: {application/json: {schema: {type: object}}}}}
  "/#X-Amz-Target=Svc.DeletePlan":
    post:
      operationId: DeletePlan
      parameters: [{name: X-Amz-Target, in: header, required: true, schema: {type: string, enum: [Svc.DeletePlan]}}]
      responses: {"200": {description: ok, content: {application/json: {schema: {type: object}}}}}
"""


def test_operations_that_share_a_path_are_told_apart_by_their_fragment(tmp_path: Path) -> None:
    """AWS specs write every operation as `POST /#X-Amz-Target=Service.Action`: the mock routes by the header the
    fragment names (it took the first operation for all, and refused the others' target)."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(FRAGMENT_SPEC)
    with serve(read_spec(spec), seed=7) as server:
        for target in ("Svc.CreatePlan", "Svc.DeletePlan"):
            assert _request(server, "POST", "/", b"", {"X-Amz-Target": target})[0] == 200, target
            assert server.log[-1].operation == target.split(".")[1]
        assert _request(server, "POST", "/", b"", {"X-Amz-Target": "Svc.Other"})[0] == 400


CONCRETE_PATH_SPEC = """
openapi: 3.0.3
info: {title: Places, version: "1"}
servers: [{url: "https://example.com"}]
paths:
  /pois/{poisId}:
    get:
      operationId: getPoi
      parameters: [{name: poisId, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: ok, content: {application/json: {schema: {type: object, properties: {one: {type: string}}}}}}}
  /pois/by-square:
    get:
      operationId: getPoisBySquare
      responses: {"200": {description: ok, content: {application/json: {schema: {type: object, properties: {many: {type: array, items: {type: string}}}}}}}}
"""


def test_a_concrete_path_wins_over_a_templated_one(tmp_path: Path) -> None:
    """`/pois/by-square` is its own operation, not `/pois/{poisId}` with the id `by-square`, whichever the spec
    writes first (Amadeus points-of-interest: the mock answered the single point where a list was due)."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(CONCRETE_PATH_SPEC)
    with serve(read_spec(spec), seed=7) as server:
        status, data = _request(server, "GET", "/pois/by-square", b"", {})
        assert status == 200 and server.log[-1].operation == "getPoisBySquare" and "many" in data, data
        _request(server, "GET", "/pois/P1", b"", {})  # a resource never created: 404, from getPoi
        assert server.log[-1].operation == "getPoi"


def _generated(tmp_path: Path, spec_text: str) -> tuple[Path, list[Diagnostic]]:
    """The pydantic SDK of `spec_text` written to `tmp_path/out`: the spec's path and the run's diagnostics."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(spec_text)
    config = Config(spec=spec, out=tmp_path / "out", version="0.1.0", flavors=("pydantic",), overrides={}, source="tests/mock")
    result = run(config)
    write_output(tmp_path / "out", result.files)
    return spec, result.diagnostics


def _run_sdk(out: Path, server: MockServer, script: str) -> subprocess.CompletedProcess[str]:
    """`script` run with the pydantic SDK under `out` importable and the mock's URL as its first argument."""
    return subprocess.run(
        [sys.executable, "-c", script, f"http://127.0.0.1:{server.port}"],
        env={**os.environ, "PYTHONPATH": str(out / "pydantic")},
        capture_output=True,
        text=True,
        timeout=120,
    )


VENDOR_MEDIA_SPEC = """
openapi: 3.0.3
info: {title: Bookings, version: "1", x-acs-package: bookings}
servers: [{url: "https://example.com"}]
paths:
  /bookings:
    post:
      operationId: createBooking
      security: []
      requestBody:
        required: true
        content: {application/vnd.amadeus+json: {schema: {type: object, required: [guest], properties: {guest: {type: string}}}}}
      responses:
        "200": {description: ok, content: {application/vnd.amadeus+json: {schema: {type: object, properties: {id: {type: string}}}}}}
"""
CALL_BOOKING = """
import sys
from bookings import Client
with Client(base_url=sys.argv[1], max_retries=0) as client:
    print(client.create_booking(body={"guest": "ann"}).id)
"""


def test_a_json_body_is_sent_with_the_media_type_the_spec_names(tmp_path: Path) -> None:
    """`application/vnd.amadeus+json` bodies go out under that type (they went as `application/json`, and a server
    that checks the type, as the mock does, answered 415); the `id` the mock gives a created resource has the type
    the schema gives it (a string here; it was always a number)."""
    spec, _ = _generated(tmp_path, VENDOR_MEDIA_SPEC)
    with serve(read_spec(spec), seed=7) as server:
        done = _run_sdk(tmp_path / "out", server, CALL_BOOKING)
        assert done.returncode == 0 and done.stdout.strip(), done.stderr
        assert server.log[-1].status == 200


HEAD_SPEC = """
openapi: 3.0.3
info: {title: Objects, version: "1", x-acs-package: objects}
servers: [{url: "https://example.com"}]
paths:
  /objects/{key}:
    head:
      operationId: describeObject
      security: []
      parameters: [{name: key, in: path, required: true, schema: {type: string}}]
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Described"}}}}
components:
  schemas:
    Described: {type: object, properties: {size: {type: integer}}}
"""
CALL_HEAD = """
import sys
from objects import Client
with Client(base_url=sys.argv[1], max_retries=0) as client:
    print(repr(client.describe_object(key="k1")))
"""


def test_a_head_operation_returns_none_whatever_body_the_spec_documents(tmp_path: Path) -> None:
    """An answer to HEAD has no body (AWS mediastore-data documents a JSON one): the method returns None, with an
    INFO that says why, instead of failing to parse the empty body into the documented model."""
    spec, diagnostics = _generated(tmp_path, HEAD_SPEC)
    assert any("an answer to HEAD has no body" in d.message for d in diagnostics)
    with serve(read_spec(spec), seed=7) as server:
        done = _run_sdk(tmp_path / "out", server, CALL_HEAD)
        assert done.returncode == 0 and done.stdout.strip() == "None", done.stderr
        assert server.log[-1].status == 200


MISTYPED_ENUMS_SPEC = """
openapi: 3.0.3
info: {title: Messages, version: "1", x-acs-package: messages}
servers: [{url: "https://example.com"}]
paths:
  /messages:
    post:
      operationId: sendMessage
      security: []
      parameters: [{name: priority, in: query, required: true, schema: {type: integer, enum: ["1", "6"]}}]
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Message"}}}
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Message"}}}}
components:
  schemas:
    Message:
      type: object
      required: [version, kind]
      properties:
        version: {type: integer, enum: ["6", "7"], default: "6"}
        kind: {type: string, enum: [1, 2.5, text]}
"""
CALL_MESSAGE = """
import sys
from messages import Client
from messages.models import Message
with Client(base_url=sys.argv[1], max_retries=0) as client:
    sent = client.send_message(priority=6, body=Message(version=7, kind="2.5"))
    print(sent.version.value, repr(sent.kind.value))
"""


def test_enum_values_written_as_another_type_are_read_as_the_schemas_type(tmp_path: Path) -> None:
    """`type: integer` with `"6"`, `type: string` with `1` and `2.5` (about 30 public specs, WhatsApp's among them):
    the models, the checks and the mock all read them as the schema's type, with a warning at each enum. The models
    took them as written, and the mock refused every value the SDK sent."""
    spec, diagnostics = _generated(tmp_path, MISTYPED_ENUMS_SPEC)
    warned = sorted(d.pointer for d in diagnostics if "read as" in d.message)
    assert warned == [
        "/components/schemas/Message/properties/kind/enum",
        "/components/schemas/Message/properties/version/enum",
        "/paths/~1messages/post/parameters/0/schema/enum",
    ]
    with serve(read_spec(spec), seed=7) as server:
        done = _run_sdk(tmp_path / "out", server, CALL_MESSAGE)
        assert done.returncode == 0, done.stderr
        version, kind = done.stdout.split(maxsplit=1)
        assert version in ("6", "7") and kind.strip() in ("'1'", "'2.5'", "'text'")
        assert server.log[-1].status == 200
