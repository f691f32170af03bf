"""Functional tests of the generated ``outboundbot`` SDK against the signature-checking fake gateway."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

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

outboundbot = pytest.importorskip("outboundbot")
errors = pytest.importorskip("outboundbot.errors")

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
    """Runs operations on a fresh sync ``Client`` or async ``AsyncClient`` built from ``options``."""

    asynchronous: bool
    options: Mapping[str, object] = field(default_factory=dict)

    def __call__(self, operation: str, **arguments: object) -> object:
        """Run one operation and return its result."""
        return self.run((operation, arguments))[0]

    def run(self, *calls: tuple[str, Mapping[str, object]]) -> list[object]:
        """Run several operations on one client, in order."""
        if self.asynchronous:
            return asyncio.run(self._run_async(calls))
        with outboundbot.Client(**self.options) as client:
            return [getattr(client, name)(**arguments) for name, arguments in calls]

    async def _run_async(
        self, calls: tuple[tuple[str, Mapping[str, object]], ...]
    ) -> list[object]:
        """The async twin of ``run``."""
        async with outboundbot.AsyncClient(**self.options) as client:
            return [
                await getattr(client, name)(**arguments) for name, arguments in calls
            ]

    def configured(self, **options: object) -> Caller:
        """A caller whose clients get ``options`` on top of the current ones."""
        return replace(self, options={**self.options, **options})


def _caller(
    server: AcsServer, asynchronous: bool, signature_version: str, credential: str
) -> Caller:
    """A caller for the fake server: plain HTTP, no retries unless a test asks."""
    options = {
        "endpoint": server.endpoint,
        "protocol": "http",
        "signature_version": signature_version,
        "max_retries": 0,
        **CREDENTIALS[credential],
    }
    return Caller(asynchronous, options)


@pytest.fixture(params=["sync", "async"])
def mode(request) -> str:
    """The sync and the async client."""
    return request.param


@pytest.fixture(params=["v3", "v1"])
def signature_version(request) -> str:
    """Both signature schemes."""
    return request.param


@pytest.fixture(params=sorted(CREDENTIALS))
def credential(request) -> str:
    """A plain AccessKey pair and an STS triple."""
    return request.param


@pytest.fixture
def call(acs_server, mode, signature_version, credential) -> Caller:
    """Every client flavour: sync/async x V3/V1 x AccessKey/STS."""
    return _caller(acs_server, mode == "async", signature_version, credential)


@pytest.fixture
def call_v3(acs_server, mode) -> Caller:
    """Sync and async clients signing V3 with a plain AccessKey."""
    return _caller(acs_server, mode == "async", "v3", "ak")


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
    record = _only_request(acs_server)
    _assert_arrived(record, call, "CreateInstance", CREATE_QUERY)
    assert type(result).__name__ == "CreateInstanceResponse"
    assert (result.http_status_code, result.code, result.message, result.success) == (
        200,
        "OK",
        "無",
        True,
    )
    assert result.request_id == record.request_id
    instance = result.instance
    assert instance.instance_id in acs_server.instances
    assert acs_server.instances[instance.instance_id].calling_numbers == (
        "4008013260",
        "4008013261",
    )
    assert (instance.instance_name, instance.instance_description) == (
        "第一個實例",
        "這個是第一的實例",
    )
    assert (instance.resource_group_id, instance.max_concurrent_conversation) == (
        "rg-acfmwd4qr3z773y",
        4,
    )
    assert (
        type(instance.creation_time) is int and instance.creation_time == 1578469042851
    )
    assert (instance.creator_id, instance.creator_name, instance.owner_name) == (
        435986,
        "xxx",
        "xxxx",
    )


def test_describe_instance_returns_typed_result(call, acs_server):
    result = call("describe_instance", instance_id=INSTANCE_ID)
    record = _only_request(acs_server)
    _assert_arrived(record, call, "DescribeInstance", {"InstanceId": INSTANCE_ID})
    assert type(result).__name__ == "DescribeInstanceResponse"
    assert (result.code, result.message, result.success) == ("OK", "Success", True)
    assert result.request_id == record.request_id
    assert result.instance.instance_id == INSTANCE_ID
    assert result.instance.instance_name == SEED_INSTANCE["InstanceName"]
    assert result.instance.max_concurrent_conversation == 4


def test_describe_finds_the_created_instance(call_v3, acs_server):
    created = call_v3("create_instance", **MINIMAL_CREATE)
    described = call_v3("describe_instance", instance_id=created.instance.instance_id)
    assert described.instance == created.instance


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
    assert result.instance.instance_id == SEED_INSTANCE["InstanceId"]


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
    acs_server, clean_env, mode, signature_version, credential_name
):
    for option, value in CREDENTIALS[credential_name].items():
        clean_env.setenv(ENV_NAMES[option], value)
    caller = _caller(acs_server, mode == "async", signature_version, credential_name)
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


def test_close_releases_clients(acs_server):
    options = _caller(acs_server, False, "v3", "ak").options
    client = outboundbot.Client(**options)
    client.describe_instance(instance_id=INSTANCE_ID)
    client.close()

    async def use_async_client() -> None:
        async_client = outboundbot.AsyncClient(**options)
        await async_client.describe_instance(instance_id=INSTANCE_ID)
        await async_client.aclose()

    asyncio.run(use_async_client())
    assert [r.verified for r in acs_server.requests] == [True, True]


# --- errors from the service ----------------------------------------------------------------------


@pytest.mark.parametrize(("action", "code"), DOCUMENTED_ERRORS)
def test_documented_errors_raise_per_code_classes(call, acs_server, action, code):
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


def test_server_errors_are_not_retried_by_default(call_v3, acs_server):
    acs_server.script(error_response("InternalError"), times=None)
    with pytest.raises(errors.InternalError):
        call_v3.configured(max_retries=2)("describe_instance", instance_id=INSTANCE_ID)
    assert acs_server.request_count == 1


def test_server_errors_are_retried_when_enabled(call_v3, acs_server):
    acs_server.script(error_response("InternalError"))
    caller = call_v3.configured(max_retries=1, retry_server_errors=True)
    result = caller("describe_instance", instance_id=INSTANCE_ID)
    assert result.success is True
    first, second = acs_server.requests
    assert (first.status, second.status) == (500, 200)
    assert first.header("x-acs-signature-nonce") != second.header(
        "x-acs-signature-nonce"
    )


def test_throttling_raises_throttling_error(call, acs_server):
    acs_server.script(throttling_response("100"))
    with pytest.raises(errors.ThrottlingError) as caught:
        call("describe_instance", instance_id=INSTANCE_ID)
    assert (caught.value.status_code, caught.value.code) == (400, "Throttling.User")
    assert _lower_headers(caught.value.headers)["x-acs-retry-after"] == "100"
    assert acs_server.request_count == 1


def test_html_bad_gateway_raises_server_error(call_v3, acs_server):
    acs_server.script(html_bad_gateway_response())
    with pytest.raises(errors.ServerError) as caught:
        call_v3("describe_instance", instance_id=INSTANCE_ID)
    assert caught.value.status_code == 502
    assert acs_server.request_count == 1


@pytest.mark.parametrize(
    "response",
    [empty_body_response(), truncated_json_response()],
    ids=["empty", "truncated"],
)
def test_malformed_success_body_raises_api_response_error(
    call_v3, acs_server, response
):
    acs_server.script(response)
    with pytest.raises(errors.APIResponseError):
        call_v3("describe_instance", instance_id=INSTANCE_ID)


def test_unsuccessful_body_raises(call, acs_server):
    acs_server.script(
        unsuccessful_response("Instance.NotExists", "The instance does not exist.")
    )
    with pytest.raises(errors.UnsuccessfulResponseError) as caught:
        call("describe_instance", instance_id=INSTANCE_ID)
    assert "Instance.NotExists" in str(caught.value)


def test_gateway_rejection_raises_client_error(call_v3, acs_server):
    caller = call_v3.configured(access_key_secret="wrongsecret")
    with pytest.raises(errors.BadRequestError) as caught:
        caller("describe_instance", instance_id=INSTANCE_ID)
    assert (caught.value.status_code, caught.value.code) == (
        400,
        "SignatureDoesNotMatch",
    )


# --- errors on the way there ----------------------------------------------------------------------


def test_timeout_raises_api_timeout_error(call_v3, acs_server):
    acs_server.script(delayed_response(0.1))
    with pytest.raises(errors.APITimeoutError):
        call_v3("describe_instance", instance_id=INSTANCE_ID, timeout=0.02)
    assert acs_server.request_count == 1


def test_refused_connection_raises_api_connection_error(call_v3):
    caller = call_v3.configured(endpoint=f"127.0.0.1:{_closed_port()}")
    with pytest.raises(errors.APIConnectionError) as caught:
        caller("describe_instance", instance_id=INSTANCE_ID)
    assert not isinstance(caught.value, errors.APITimeoutError)


def test_dropped_connection_raises_api_connection_error(call_v3, acs_server):
    acs_server.script(dropped_connection())
    with pytest.raises(errors.APIConnectionError):
        call_v3("describe_instance", instance_id=INSTANCE_ID)


# --- parameters checked before sending ------------------------------------------------------------

PARAMETER_ERRORS = {
    "missing-instance-name": ("create_instance", {"max_concurrent_conversation": 4}),
    "none-instance-name": (
        "create_instance",
        {"instance_name": None, "max_concurrent_conversation": 4},
    ),
    "missing-max-conversations": ("create_instance", {"instance_name": "x"}),
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
    "missing-instance-id": ("describe_instance", {}),
    "none-instance-id": ("describe_instance", {"instance_id": None}),
    "int-instance-id": ("describe_instance", {"instance_id": 123}),
}


@pytest.mark.parametrize(
    ("operation", "arguments"), PARAMETER_ERRORS.values(), ids=PARAMETER_ERRORS
)
def test_invalid_parameters_fail_before_sending(
    call_v3, acs_server, operation, arguments
):
    with pytest.raises(errors.ParameterError) as caught:
        call_v3(operation, **arguments)
    assert isinstance(caught.value, ValueError)
    assert acs_server.request_count == 0


@pytest.mark.parametrize(
    "nlu_service_type", ["Authorized", "DialogStudio", "Managed", "Provided"]
)
def test_every_nlu_service_type_is_accepted(call_v3, acs_server, nlu_service_type):
    call_v3("create_instance", nlu_service_type=nlu_service_type, **MINIMAL_CREATE)
    assert _only_request(acs_server).param("NluServiceType") == nlu_service_type


# --- the error classes ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ERROR_NAMES)
def test_errors_are_exported_from_package_and_module(name):
    assert getattr(outboundbot, name) is getattr(errors, name)
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
def test_error_hierarchy(child, parent):
    parent_class = ValueError if parent == "ValueError" else getattr(errors, parent)
    assert issubclass(getattr(errors, child), parent_class)
