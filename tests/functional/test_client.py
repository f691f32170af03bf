"""Functional tests of every generated SDK flavor against the signature-checking fake gateway.

Each behaviour test runs for the pydantic, dataclasses and typeddict flavors and for each client kind
(sync, async) the flavor has; results are read through ``Flavor.read`` (attributes, or wire keys for
the typeddict flavor). A combination a flavor lacks is
skipped with a reason.
"""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from tests.support.acs_server import (
    DOCUMENTED_ERRORS,
    ERROR_CATALOGUE,
    SEED_INSTANCE,
    V1_COMMON_PARAMS,
    AcsServer,
    RecordedRequest,
    delayed_response,
    dropped_connection,
    empty_body_response,
    error_response,
    html_bad_gateway_response,
    json_response,
    throttling_response,
    truncated_json_response,
    unsuccessful_response,
)

from .flavors import CLIENT_CLASSES, FLAVOR_SPECS, KINDS, REPO_ROOT, Flavor

CREDENTIALS = {
    "ak": {"access_key_id": "testid", "access_key_secret": "testsecret"},
    "sts": {
        "access_key_id": "stsid",
        "access_key_secret": "stssecret",
        "security_token": "ststoken",
    },
}
ENV_NAMES = {
    "access_key_id": "ALIBABA_CLOUD_ACCESS_KEY_ID",
    "access_key_secret": "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
    "security_token": "ALIBABA_CLOUD_SECURITY_TOKEN",
}
CREATE_ARGS = {
    "instance_name": "第一個實例",
    "max_concurrent_conversation": 4,
    "instance_description": "這個是第一的實例",
    "nlu_service_type": "Provided",
    "resource_group_id": "rg-acfmwd4qr3z773y",
    "calling_number": ["4008013260", "4008013261"],
}
CREATE_QUERY = {
    "CallingNumber.1": "4008013260",
    "CallingNumber.2": "4008013261",
    "InstanceDescription": "這個是第一的實例",
    "InstanceName": "第一個實例",
    "MaxConcurrentConversation": "4",
    "NluServiceType": "Provided",
    "ResourceGroupId": "rg-acfmwd4qr3z773y",
}
MINIMAL_CREATE = {"instance_name": "x", "max_concurrent_conversation": 1}
INSTANCE_ID = "af81a389-91f0-4157-8d82-720edd02b66a"
OPERATIONS = {
    "CreateInstance": ("create_instance", CREATE_ARGS),
    "DescribeInstance": ("describe_instance", {"instance_id": INSTANCE_ID}),
}
ERROR_CLASSES = {
    "InvalidInstanceName.Duplicated": (
        "InvalidInstanceNameDuplicatedError",
        "BadRequestError",
    ),
    "LimitExceeded.ConcurrentConversation": (
        "LimitExceededConcurrentConversationError",
        "BadRequestError",
    ),
    "InternalError": ("InternalError", "InternalServerError"),
}
ERROR_NAMES = (
    "APIConnectionError",
    "APIError",
    "APIResponseError",
    "APIStatusError",
    "APITimeoutError",
    "BadRequestError",
    "ClientError",
    "InternalError",
    "InternalServerError",
    "InvalidInstanceNameDuplicatedError",
    "LimitExceededConcurrentConversationError",
    "ParameterError",
    "SDKError",
    "ServerError",
    "ThrottlingError",
    "UnsuccessfulResponseError",
)


@dataclass(frozen=True)
class Caller:
    """Runs operations on a fresh sync ``Client`` or async ``AsyncClient`` of one flavor."""

    flavor: Flavor
    kind: str
    options: Mapping[str, object] = field(default_factory=dict)

    def __call__(self, operation: str, **arguments: object) -> object:
        """Run one operation and return its result."""
        return self.run((operation, arguments))[0]

    def run(self, *calls: tuple[str, Mapping[str, object]]) -> list[object]:
        """Run several operations on one client, in order."""
        client_class = self.flavor.client_class(self.kind)
        if self.kind == "async":
            return asyncio.run(self._run_async(client_class, calls))
        with client_class(**self.options) as client:
            return [getattr(client, name)(**arguments) for name, arguments in calls]

    async def _run_async(
        self, client_class: type, calls: tuple[tuple[str, Mapping[str, object]], ...]
    ) -> list[object]:
        """The async twin of ``run``."""
        async with client_class(**self.options) as client:
            return [
                await getattr(client, name)(**arguments) for name, arguments in calls
            ]

    def configured(self, **options: object) -> Caller:
        """A caller whose clients get ``options`` on top of the current ones."""
        return replace(self, options={**self.options, **options})

    @property
    def errors(self):
        """The flavor's ``errors`` module."""
        return self.flavor.errors

    def read(self, result: object, *paths: str) -> object:
        """One value of ``result`` by Python attribute path, or a tuple of several."""
        values = tuple(self.flavor.read(result, path) for path in paths)
        return values[0] if len(values) == 1 else values


def _caller(
    server: AcsServer,
    flavor: Flavor,
    kind: str,
    signature_version: str,
    credential: str,
) -> Caller:
    """A caller for the fake server: plain HTTP, no retries unless a test asks."""
    options = {
        "endpoint": server.endpoint,
        "protocol": "http",
        "signature_version": signature_version,
        "max_retries": 0,
        **CREDENTIALS[credential],
    }
    return Caller(flavor, kind, options)


@pytest.fixture(params=["v3", "v1"])
def signature_version(request) -> str:
    """Both signature schemes."""
    return request.param


@pytest.fixture(params=sorted(CREDENTIALS))
def credential(request) -> str:
    """A plain AccessKey pair and an STS triple."""
    return request.param


@pytest.fixture
def call(acs_server, flavor, kind, signature_version, credential) -> Caller:
    """Every client: flavor x sync/async x V3/V1 x AccessKey/STS."""
    return _caller(acs_server, flavor, kind, signature_version, credential)


@pytest.fixture
def call_v3(acs_server, flavor, kind) -> Caller:
    """Each flavor's sync and async clients signing V3 with a plain AccessKey."""
    return _caller(acs_server, flavor, kind, "v3", "ak")


def _only_request(server: AcsServer) -> RecordedRequest:
    """The single request the server saw; it must have passed verification."""
    assert server.request_count == 1, [r.error_code for r in server.requests]
    record = server.last_request
    assert record.verified, record.error_message
    return record


def _api_params(record: RecordedRequest) -> dict[str, str]:
    """The API parameters of a request (V1 common parameters removed)."""
    return {k: v for k, v in record.query if k not in V1_COMMON_PARAMS}


def _assert_arrived(
    record: RecordedRequest, caller: Caller, action: str, params: Mapping[str, str]
) -> None:
    """Check method, path, host, signature scheme, credentials and API parameters of a request."""
    options = caller.options
    assert (record.method, record.path, record.body) == ("POST", "/", b"")
    assert record.header("host") == options["endpoint"]
    assert record.signature_version == options["signature_version"]
    assert record.access_key_id == options["access_key_id"]
    assert record.action == action
    assert _api_params(record) == dict(params)
    token = options.get("security_token")
    if options["signature_version"] == "v3":
        assert dict(record.query) == dict(params)
        assert record.header("x-acs-security-token") == token
    else:
        assert record.param("SecurityToken") == token
        assert record.header("x-acs-security-token") is None


def _lower_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Header names lower-cased."""
    return {name.lower(): value for name, value in dict(headers).items()}


def _parsed(body: object) -> Mapping[str, object]:
    """An error body as a mapping, whether the SDK kept it parsed or raw."""
    if isinstance(body, (bytes, str)):
        return json.loads(body)
    return body


def _closed_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- successful calls -----------------------------------------------------------------------------


def test_create_instance_returns_typed_result(call, acs_server):
    result = call("create_instance", **CREATE_ARGS)
    read = call.read
    record = _only_request(acs_server)
    _assert_arrived(record, call, "CreateInstance", CREATE_QUERY)
    assert call.flavor.is_model(result, "CreateInstanceResponse")
    assert read(result, "http_status_code", "code", "message", "success") == (
        200,
        "OK",
        "無",
        True,
    )
    assert read(result, "request_id") == record.request_id
    instance = read(result, "instance")
    assert call.flavor.is_model(instance, "Instance")
    instance_id = read(instance, "instance_id")
    assert instance_id in acs_server.instances
    assert acs_server.instances[instance_id].calling_numbers == (
        "4008013260",
        "4008013261",
    )
    assert read(instance, "instance_name", "instance_description") == (
        "第一個實例",
        "這個是第一的實例",
    )
    assert read(instance, "resource_group_id", "max_concurrent_conversation") == (
        "rg-acfmwd4qr3z773y",
        4,
    )
    creation_time = read(instance, "creation_time")
    assert type(creation_time) is int and creation_time == 1578469042851
    assert read(instance, "creator_id", "creator_name", "owner_name") == (
        435986,
        "xxx",
        "xxxx",
    )


def test_describe_instance_returns_typed_result(call, acs_server):
    result = call("describe_instance", instance_id=INSTANCE_ID)
    read = call.read
    record = _only_request(acs_server)
    _assert_arrived(record, call, "DescribeInstance", {"InstanceId": INSTANCE_ID})
    assert call.flavor.is_model(result, "DescribeInstanceResponse")
    assert read(result, "code", "message", "success") == ("OK", "Success", True)
    assert read(result, "request_id") == record.request_id
    assert read(result, "instance.instance_id") == INSTANCE_ID
    assert read(result, "instance.instance_name") == SEED_INSTANCE["InstanceName"]
    assert read(result, "instance.max_concurrent_conversation") == 4


def test_describe_finds_the_created_instance(call_v3, acs_server):
    read = call_v3.read
    created = call_v3("create_instance", **MINIMAL_CREATE)
    described = call_v3(
        "describe_instance", instance_id=read(created, "instance.instance_id")
    )
    assert read(described, "instance") == read(created, "instance")


def test_empty_description_is_sent_and_signed(call, acs_server):
    call("create_instance", instance_description="", **MINIMAL_CREATE)
    record = _only_request(acs_server)
    assert _api_params(record)["InstanceDescription"] == ""
    assert "InstanceDescription=" in record.raw_query.split("&")


def test_empty_calling_number_sends_no_key(call, acs_server):
    call("create_instance", calling_number=[], **MINIMAL_CREATE)
    record = _only_request(acs_server)
    assert _api_params(record) == {
        "InstanceName": "x",
        "MaxConcurrentConversation": "1",
    }


def test_each_request_gets_a_fresh_nonce(call, acs_server):
    describe = ("describe_instance", {"instance_id": INSTANCE_ID})
    call.run(describe, describe)
    first, second = acs_server.requests
    assert first.verified and second.verified
    nonce = {
        "v3": lambda r: r.header("x-acs-signature-nonce"),
        "v1": lambda r: r.param("SignatureNonce"),
    }
    read = nonce[call.options["signature_version"]]
    assert read(first) != read(second)


def test_unknown_response_fields_are_tolerated(call_v3, acs_server):
    instance = {**SEED_INSTANCE, "FutureField": {"nested": True}}
    body = {
        "HttpStatusCode": 200,
        "Code": "OK",
        "Success": True,
        "Instance": instance,
        "New": 1,
    }
    acs_server.script(json_response(body))
    result = call_v3("describe_instance", instance_id=INSTANCE_ID)
    assert call_v3.read(result, "instance.instance_id") == SEED_INSTANCE["InstanceId"]


def test_extra_query_and_headers_arrive_signed(call, acs_server):
    call(
        "describe_instance",
        instance_id=INSTANCE_ID,
        extra_query={"ExtraParam": "a b"},
        extra_headers={"x-test-trace": "abc", "x-acs-test": "1"},
    )
    record = _only_request(acs_server)
    assert record.param("ExtraParam") == "a b"
    assert (record.header("x-test-trace"), record.header("x-acs-test")) == ("abc", "1")


@pytest.mark.parametrize("credential_name", sorted(CREDENTIALS))
def test_credentials_from_environment(
    acs_server, clean_env, flavor, kind, signature_version, credential_name
):
    for option, value in CREDENTIALS[credential_name].items():
        clean_env.setenv(ENV_NAMES[option], value)
    caller = _caller(acs_server, flavor, kind, signature_version, credential_name)
    caller = replace(
        caller, options={k: v for k, v in caller.options.items() if k not in ENV_NAMES}
    )
    caller("describe_instance", instance_id=INSTANCE_ID)
    record = _only_request(acs_server)
    _assert_arrived(
        record,
        caller.configured(**CREDENTIALS[credential_name]),
        "DescribeInstance",
        {"InstanceId": INSTANCE_ID},
    )


def test_close_releases_clients(acs_server, flavor, kind):
    options = _caller(acs_server, flavor, kind, "v3", "ak").options
    client_class = flavor.client_class(kind)
    if kind == "sync":
        client = client_class(**options)
        client.describe_instance(instance_id=INSTANCE_ID)
        client.close()
    else:

        async def use_async_client() -> None:
            async_client = client_class(**options)
            await async_client.describe_instance(instance_id=INSTANCE_ID)
            await async_client.aclose()

        asyncio.run(use_async_client())
    assert [r.verified for r in acs_server.requests] == [True]


# --- errors from the service ----------------------------------------------------------------------


@pytest.mark.parametrize(("action", "code"), DOCUMENTED_ERRORS)
def test_documented_errors_raise_per_code_classes(call, acs_server, action, code):
    errors = call.errors
    acs_server.script(error_response(code), action=action)
    operation, arguments = OPERATIONS[action]
    class_name, base_name = ERROR_CLASSES[code]
    with pytest.raises(getattr(errors, class_name)) as caught:
        call(operation, **arguments)
    error = caught.value
    status, message = ERROR_CATALOGUE[code]
    record = _only_request(acs_server)
    assert isinstance(error, getattr(errors, base_name))
    assert isinstance(error, errors.APIStatusError)
    assert (error.status_code, error.code, error.message) == (status, code, message)
    assert error.request_id == record.request_id
    assert _lower_headers(error.headers)["x-acs-request-id"] == record.request_id
    assert _parsed(error.body)["Code"] == code


def test_create_server_errors_are_not_retried_by_default(call_v3, acs_server):
    errors = call_v3.errors
    acs_server.script(error_response("InternalError"), times=None)
    with pytest.raises(errors.InternalError):
        call_v3.configured(max_retries=2)("create_instance", **MINIMAL_CREATE)
    assert acs_server.request_count == 1


@pytest.mark.parametrize(
    ("operation", "arguments", "options"),
    [
        ("describe_instance", {"instance_id": INSTANCE_ID}, {}),
        ("create_instance", MINIMAL_CREATE, {"retry_server_errors": True}),
    ],
    ids=["read-only", "opted-in"],
)
def test_server_errors_are_retried_when_safe(
    call_v3, acs_server, operation, arguments, options
):
    acs_server.script(error_response("InternalError"))
    result = call_v3.configured(max_retries=1, **options)(operation, **arguments)
    assert call_v3.read(result, "success") is True
    first, second = acs_server.requests
    assert (first.status, second.status) == (500, 200)
    assert second.verified
    assert first.header("x-acs-signature-nonce") != second.header(
        "x-acs-signature-nonce"
    )


def test_throttling_raises_throttling_error(call, acs_server):
    errors = call.errors
    acs_server.script(throttling_response("100"))
    with pytest.raises(errors.ThrottlingError) as caught:
        call("describe_instance", instance_id=INSTANCE_ID)
    assert (caught.value.status_code, caught.value.code) == (400, "Throttling.User")
    assert _lower_headers(caught.value.headers)["x-acs-retry-after"] == "100"
    assert acs_server.request_count == 1


def test_html_bad_gateway_raises_api_response_error(call_v3, acs_server):
    errors = call_v3.errors
    acs_server.script(html_bad_gateway_response())
    with pytest.raises(errors.APIResponseError) as caught:
        call_v3("describe_instance", instance_id=INSTANCE_ID)
    assert caught.value.status_code == 502
    assert caught.value.body.startswith(b"<html>")
    assert "502" in str(caught.value)
    assert acs_server.request_count == 1


@pytest.mark.parametrize(
    "response",
    [empty_body_response(), truncated_json_response()],
    ids=["empty", "truncated"],
)
def test_malformed_success_body_raises_api_response_error(
    call_v3, acs_server, response
):
    errors = call_v3.errors
    acs_server.script(response)
    with pytest.raises(errors.APIResponseError):
        call_v3("describe_instance", instance_id=INSTANCE_ID)


def test_unsuccessful_body_raises(call, acs_server):
    errors = call.errors
    acs_server.script(
        unsuccessful_response("Instance.NotExists", "The instance does not exist.")
    )
    with pytest.raises(errors.UnsuccessfulResponseError) as caught:
        call("describe_instance", instance_id=INSTANCE_ID)
    assert "Instance.NotExists" in str(caught.value)


def test_gateway_rejection_raises_client_error(call_v3, acs_server):
    errors = call_v3.errors
    caller = call_v3.configured(access_key_secret="wrongsecret")
    with pytest.raises(errors.BadRequestError) as caught:
        caller("describe_instance", instance_id=INSTANCE_ID)
    assert (caught.value.status_code, caught.value.code) == (
        400,
        "SignatureDoesNotMatch",
    )


# --- errors on the way there ----------------------------------------------------------------------


def test_timeout_raises_api_timeout_error(call_v3, acs_server):
    errors = call_v3.errors
    acs_server.script(delayed_response(0.1))
    with pytest.raises(errors.APITimeoutError):
        call_v3("describe_instance", instance_id=INSTANCE_ID, timeout=0.02)
    assert acs_server.request_count == 1


def test_refused_connection_raises_api_connection_error(call_v3):
    errors = call_v3.errors
    caller = call_v3.configured(endpoint=f"127.0.0.1:{_closed_port()}")
    with pytest.raises(errors.APIConnectionError) as caught:
        caller("describe_instance", instance_id=INSTANCE_ID)
    assert not isinstance(caught.value, errors.APITimeoutError)


def test_dropped_connection_raises_api_connection_error(call_v3, acs_server):
    errors = call_v3.errors
    acs_server.script(dropped_connection())
    with pytest.raises(errors.APIConnectionError):
        call_v3("describe_instance", instance_id=INSTANCE_ID)


# --- parameters checked before sending ------------------------------------------------------------

PARAMETER_ERRORS = {
    "none-instance-name": (
        "create_instance",
        {"instance_name": None, "max_concurrent_conversation": 4},
    ),
    "none-max-conversations": (
        "create_instance",
        {"instance_name": "x", "max_concurrent_conversation": None},
    ),
    "string-max-conversations": (
        "create_instance",
        {"instance_name": "x", "max_concurrent_conversation": "4"},
    ),
    "unknown-nlu-service-type": (
        "create_instance",
        {**MINIMAL_CREATE, "nlu_service_type": "Foo"},
    ),
    "string-as-calling-number-list": (
        "create_instance",
        {**MINIMAL_CREATE, "calling_number": "4008013260"},
    ),
    "none-instance-id": ("describe_instance", {"instance_id": None}),
    "int-instance-id": ("describe_instance", {"instance_id": 123}),
}


@pytest.mark.parametrize(
    ("operation", "arguments"), PARAMETER_ERRORS.values(), ids=PARAMETER_ERRORS
)
def test_invalid_parameters_fail_before_sending(
    call_v3, acs_server, operation, arguments
):
    errors = call_v3.errors
    with pytest.raises(errors.ParameterError) as caught:
        call_v3(operation, **arguments)
    assert isinstance(caught.value, ValueError)
    assert acs_server.request_count == 0


MISSING_ARGUMENTS = {
    "missing-instance-name": ("create_instance", {"max_concurrent_conversation": 4}),
    "missing-max-conversations": ("create_instance", {"instance_name": "x"}),
    "missing-instance-id": ("describe_instance", {}),
}


@pytest.mark.parametrize(
    ("operation", "arguments"), MISSING_ARGUMENTS.values(), ids=MISSING_ARGUMENTS
)
def test_missing_required_arguments_fail_before_sending(
    call_v3, acs_server, operation, arguments
):
    """Required arguments have no default: Python (and mypy) refuse the call itself."""
    with pytest.raises(TypeError, match="missing 1 required keyword-only argument"):
        call_v3(operation, **arguments)
    assert acs_server.request_count == 0


@pytest.mark.parametrize(
    "nlu_service_type", ["Authorized", "DialogStudio", "Managed", "Provided"]
)
def test_every_nlu_service_type_is_accepted(call_v3, acs_server, nlu_service_type):
    call_v3("create_instance", nlu_service_type=nlu_service_type, **MINIMAL_CREATE)
    assert _only_request(acs_server).param("NluServiceType") == nlu_service_type


# --- the error classes ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ERROR_NAMES)
def test_errors_are_exported_from_package_and_module(flavor, name):
    errors = flavor.errors
    assert getattr(flavor.package, name) is getattr(errors, name)
    assert issubclass(getattr(errors, name), errors.SDKError)


@pytest.mark.parametrize(
    ("child", "parent"),
    [
        ("APIConnectionError", "APIError"),
        ("APIResponseError", "APIError"),
        ("APIStatusError", "APIError"),
        ("APITimeoutError", "APIConnectionError"),
        ("BadRequestError", "ClientError"),
        ("ClientError", "APIStatusError"),
        ("InternalError", "InternalServerError"),
        ("InternalServerError", "ServerError"),
        ("InvalidInstanceNameDuplicatedError", "BadRequestError"),
        ("LimitExceededConcurrentConversationError", "BadRequestError"),
        ("ParameterError", "ValueError"),
        ("ServerError", "APIStatusError"),
        ("ThrottlingError", "APIStatusError"),
    ],
)
def test_error_hierarchy(flavor, child, parent):
    errors = flavor.errors
    parent_class = ValueError if parent == "ValueError" else getattr(errors, parent)
    assert issubclass(getattr(errors, child), parent_class)


# --- packaging ------------------------------------------------------------------------------------


def test_flavor_has_exactly_its_client_kinds(flavor):
    present = {kind for kind in KINDS if hasattr(flavor.package, CLIENT_CLASSES[kind])}
    assert present == set(flavor.kinds)
    assert set(flavor.package.__all__) >= {
        CLIENT_CLASSES[kind] for kind in flavor.kinds
    }


def test_flavor_ships_py_typed(flavor):
    module = FLAVOR_SPECS[flavor.name].module
    assert (flavor.directory / module / "py.typed").is_file()
    installed = Path(flavor.package.__file__).parent
    assert (installed / "py.typed").is_file(), "the installed wheel carries py.typed"
    assert not installed.samefile(flavor.directory / module), "the tests run against the installed wheel"


# The script runs in ``python -I``: it blocks pydantic and httpx with a meta-path finder, imports the
# flavor from its generated project directory and makes one DescribeInstance call; it prints JSON.
NO_DEPENDENCY_SCRIPT = """
import importlib, importlib.abc, json, sys, sysconfig

BLOCKED = {"pydantic", "pydantic_core", "httpx"}


class Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in BLOCKED:
            raise ImportError(f"blocked for this test: {name}")
        return None


sys.meta_path.insert(0, Blocker())
endpoint, project, module, instance_id = sys.argv[1:]
site = tuple(sysconfig.get_paths()[key] for key in ("purelib", "platlib"))


def installed_modules():
    return {
        name
        for name, loaded in list(sys.modules.items())
        if str(getattr(loaded, "__file__", None) or "").startswith(site)
    }


before = installed_modules()
for name in sorted(BLOCKED):
    try:
        importlib.import_module(name)
    except ImportError:
        pass
    else:
        sys.exit(f"the import guard let {name} through")
sys.path.insert(0, project)
sdk = importlib.import_module(module)
options = dict(endpoint=endpoint, protocol="http", max_retries=0)
options.update(access_key_id="testid", access_key_secret="testsecret")
with sdk.Client(**options) as client:
    result = client.describe_instance(instance_id=instance_id)
if isinstance(result, dict):
    read_id = result["Instance"]["InstanceId"]
else:
    read_id = result.instance.instance_id
print(
    json.dumps(
        {
            "file": sdk.__file__,
            "type": type(result).__name__,
            "instance_id": read_id,
            "loaded": sorted(name for name in BLOCKED if name in sys.modules),
            "installed": sorted(installed_modules() - before),
        }
    )
)
"""


def _run_without_pydantic(
    server: AcsServer, flavor_name: str
) -> subprocess.CompletedProcess[str]:
    """Run ``NO_DEPENDENCY_SCRIPT`` for one flavor in an isolated interpreter."""
    spec = FLAVOR_SPECS[flavor_name]
    project = str(REPO_ROOT / "generated" / flavor_name)
    argv = [server.endpoint, project, spec.module, INSTANCE_ID]
    return subprocess.run(
        [sys.executable, "-I", "-c", NO_DEPENDENCY_SCRIPT, *argv],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("flavor_name", ["dataclasses", "typeddict"])
def test_flavor_works_without_pydantic_or_httpx(acs_server, flavor_name):
    done = _run_without_pydantic(acs_server, flavor_name)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    project = REPO_ROOT / "generated" / flavor_name / FLAVOR_SPECS[flavor_name].module
    assert (project / "__init__.py").samefile(report["file"])
    assert report["instance_id"] == INSTANCE_ID
    assert report["type"] == (
        "dict" if FLAVOR_SPECS[flavor_name].wire_keys else "DescribeInstanceResponse"
    )
    assert (report["loaded"], report["installed"]) == ([], [])
    record = _only_request(acs_server)
    assert (record.action, record.param("InstanceId")) == (
        "DescribeInstance",
        INSTANCE_ID,
    )


def test_import_guard_stops_the_pydantic_flavor(acs_server):
    """Control: the same script fails for the pydantic flavor, so the guard really blocks pydantic."""
    done = _run_without_pydantic(acs_server, "pydantic")
    assert done.returncode != 0
    assert "blocked for this test: pydantic" in done.stderr
