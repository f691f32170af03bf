"""The generated SDKs, every flavor, sync and async, against the mock of the Outbound Bot spec."""

from __future__ import annotations

import http.client
import json
import time
from pathlib import Path

import pytest
from acs_sdkgen.mock import MockServer, serve
from acs_sdkgen.runtime.credentials import Credentials
from acs_sdkgen.runtime.signing import new_nonce, sign_v1_query, utc_timestamp

from tests.functional.flavors import Flavor

from .conftest import KEY_ID, LIMIT, SECRET, SPEC, Call, client_options, write_rules

EXAMPLE_INSTANCE_ID = "90515b5-6115-4ccf-83e2-52d5bfaf2ddf"  # the spec's response example


@pytest.mark.parametrize("signature", ["v3", "v1"])
def test_create_then_describe_returns_what_was_created(flavor: Flavor, call: Call, signature: str) -> None:
    """CreateInstance then DescribeInstance: the created instance, a generated InstanceId and CreationTime."""
    before = int(time.time() * 1000) - 1000
    created = call("create_instance", {"signature_version": signature}, instance_name="first", max_concurrent_conversation=4, calling_number=["4008013260"])
    instance_id = flavor.read(created, "instance.instance_id")
    assert isinstance(instance_id, str) and instance_id != EXAMPLE_INSTANCE_ID
    assert flavor.read(created, "instance.creation_time") >= before
    described = call("describe_instance", {"signature_version": signature}, instance_id=instance_id)
    assert flavor.is_model(described, "DescribeInstanceResponse")
    for path, value in (
        ("instance.instance_id", instance_id),
        ("instance.instance_name", "first"),
        ("instance.max_concurrent_conversation", 4),
        ("instance.creation_time", flavor.read(created, "instance.creation_time")),
        ("success", True),
        ("code", "OK"),
    ):
        assert flavor.read(described, path) == value, path


def test_second_instance_with_the_same_name_is_duplicated(flavor: Flavor, call: Call) -> None:
    """A second CreateInstance with a taken name raises the typed InvalidInstanceName.Duplicated error."""
    call("create_instance", instance_name="twin", max_concurrent_conversation=2)
    with pytest.raises(flavor.errors.InvalidInstanceNameDuplicatedError) as caught:
        call("create_instance", instance_name="twin", max_concurrent_conversation=3)
    assert caught.value.status_code == 400
    assert "InstanceName='twin'" in caught.value.message


def test_concurrency_above_the_limit_is_refused(flavor: Flavor, call: Call) -> None:
    """MaxConcurrentConversation at the configured limit is accepted, above it LimitExceeded.ConcurrentConversation."""
    call("create_instance", instance_name="at-limit", max_concurrent_conversation=LIMIT)
    with pytest.raises(flavor.errors.LimitExceededConcurrentConversationError) as caught:
        call("create_instance", instance_name="above", max_concurrent_conversation=LIMIT + 1)
    assert f"MaxConcurrentConversation={LIMIT + 1} is above the limit {LIMIT}" in caught.value.message


def test_unknown_instance_is_not_found(flavor: Flavor, call: Call) -> None:
    """DescribeInstance of an ID never created: 404 InvalidInstanceId.NotFound naming the ID."""
    with pytest.raises(flavor.package.APIStatusError) as caught:
        call("describe_instance", instance_id="no-such-id")
    assert (caught.value.status_code, caught.value.code) == (404, "InvalidInstanceId.NotFound")
    assert "'no-such-id'" in caught.value.message


@pytest.mark.parametrize("signature", ["v3", "v1"])
def test_wrong_secret_is_signature_does_not_match(flavor: Flavor, call: Call, mock: MockServer, signature: str) -> None:
    """A client signing with another secret gets SignatureDoesNotMatch, and the mock's log says so."""
    with pytest.raises(flavor.package.APIStatusError) as caught:
        call("describe_instance", {"access_key_secret": "not-the-secret", "signature_version": signature}, instance_id="x")
    assert (caught.value.status_code, caught.value.code) == (400, "SignatureDoesNotMatch")
    assert f"the {signature.upper()} signature does not match" in caught.value.message
    assert mock.log[-1].code == "SignatureDoesNotMatch" and mock.log[-1].operation == "DescribeInstance"


def test_unknown_access_key_is_not_found(flavor: Flavor, call: Call) -> None:
    """Another AccessKey ID: 404 InvalidAccessKeyId.NotFound."""
    with pytest.raises(flavor.package.APIStatusError) as caught:
        call("describe_instance", {"access_key_id": "otherid"}, instance_id="x")
    assert (caught.value.status_code, caught.value.code) == (404, "InvalidAccessKeyId.NotFound")


def test_bad_enum_value_is_invalid_parameter(flavor: Flavor, call: Call) -> None:
    """A value outside the enum (sent past the client's own check): InvalidParameter naming it and the allowed values."""
    with pytest.raises(flavor.package.APIStatusError) as caught:
        call("create_instance", instance_name="e", max_concurrent_conversation=1, extra_query={"NluServiceType": "Bogus"})
    assert (caught.value.status_code, caught.value.code) == (400, "InvalidParameter")
    assert caught.value.message == (
        'the parameter is not valid: NluServiceType: "Bogus" is not one of "DialogStudio", "Authorized", "Provided", "Managed"'
    )


def test_int32_overflow_is_invalid_parameter(flavor: Flavor, call: Call) -> None:
    """MaxConcurrentConversation is int32: 2**31 is refused by its format."""
    with pytest.raises(flavor.package.APIStatusError) as caught:
        call("create_instance", instance_name="big", max_concurrent_conversation=1, extra_query={"MaxConcurrentConversation": str(2**31)})
    assert caught.value.code == "InvalidParameter" and "MaxConcurrentConversation: 2147483648" in caught.value.message


def _raw_v1(server: MockServer, pairs: list[tuple[str, str]], action: str = "CreateInstance") -> tuple[int, dict[str, str]]:
    """POST a V1-signed request with exactly these API pairs; the status and the JSON body."""
    query = sign_v1_query(
        credentials=Credentials(KEY_ID, SECRET),
        method="POST",
        pairs=pairs,
        action=action,
        version="2019-12-26",
        timestamp=utc_timestamp(),
        nonce=new_nonce(),
    )
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request("POST", f"/?{query}")
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_missing_required_parameter_is_named(mock: MockServer) -> None:
    """A correctly signed CreateInstance without InstanceName: 400 MissingParameter naming it, in the body and the log."""
    status, body = _raw_v1(mock, [("MaxConcurrentConversation", "2")])
    assert (status, body["Code"]) == (400, "MissingParameter")
    assert "InstanceName" in body["Message"] and "MaxConcurrentConversation" not in body["Message"]
    assert set(body) == {"RequestId", "Code", "Message", "HostId", "Recommend"}
    assert mock.log[-1].code == "MissingParameter" and "InstanceName" in mock.log[-1].message


def test_repeat_list_with_a_gap_is_refused(mock: MockServer) -> None:
    """CallingNumber.1 and CallingNumber.3 without .2: InvalidParameter naming the indexes."""
    status, body = _raw_v1(mock, [("InstanceName", "g"), ("MaxConcurrentConversation", "2"), ("CallingNumber.1", "1"), ("CallingNumber.3", "3")])
    assert (status, body["Code"]) == (400, "InvalidParameter")
    assert "CallingNumber" in body["Message"] and "[1, 3]" in body["Message"]
    status, body = _raw_v1(mock, [("InstanceName", "g"), ("MaxConcurrentConversation", "2"), ("CallingNumber", "1")])
    assert (status, body["Code"]) == (400, "InvalidParameter")
    assert "CallingNumber: a repeat-list is sent as CallingNumber.1, CallingNumber.2, …, not as CallingNumber=" in body["Message"]


def test_unsigned_request_is_incomplete_signature(mock: MockServer) -> None:
    """No Authorization header and no Signature parameter: IncompleteSignature."""
    connection = http.client.HTTPConnection("127.0.0.1", mock.port, timeout=10)
    try:
        connection.request("POST", "/?Action=DescribeInstance&Version=2019-12-26&InstanceId=x")
        response = connection.getresponse()
        status, body = response.status, json.loads(response.read())
    finally:
        connection.close()
    assert (status, body["Code"]) == (400, "IncompleteSignature")


def test_replayed_nonce_is_refused(mock: MockServer) -> None:
    """The same signed request twice: the second is SignatureNonceUsed."""
    query = sign_v1_query(
        credentials=Credentials(KEY_ID, SECRET), method="POST", pairs=[("InstanceId", "x")], action="DescribeInstance",
        version="2019-12-26", timestamp=utc_timestamp(), nonce=new_nonce(),
    )
    codes = []
    connection = http.client.HTTPConnection("127.0.0.1", mock.port, timeout=10)
    try:
        for _ in range(2):  # over one kept-alive connection
            connection.request("POST", f"/?{query}")
            response = connection.getresponse()
            codes.append(json.loads(response.read())["Code"])
            assert not response.will_close
    finally:
        connection.close()
    assert codes == ["InvalidInstanceId.NotFound", "SignatureNonceUsed"]


def test_error_on_demand_by_header(flavor: Flavor, call: Call) -> None:
    """`x-mock-response: <code>` answers that documented error: the typed exception with its documented status."""
    with pytest.raises(flavor.errors.InternalError) as caught:
        call("describe_instance", {"max_retries": 0}, instance_id="x", extra_headers={"x-mock-response": "InternalError"})
    assert caught.value.status_code == 500
    with pytest.raises(flavor.errors.LimitExceededConcurrentConversationError):
        call("create_instance", instance_name="h", max_concurrent_conversation=1, extra_headers={"x-mock-response": "LimitExceeded.ConcurrentConversation"})


@pytest.fixture
def rules_mock(tmp_path: Path, clean_env: pytest.MonkeyPatch) -> MockServer:
    """A mock with a rules file: a documented error for one name, one reset, one 503 and one throttle on DescribeInstance."""
    rules = write_rules(
        tmp_path,
        """
rules:
  - match: {operation: CreateInstance, params: {InstanceName: taken}}
    answer: {error: InvalidInstanceName.Duplicated}
  - match: {operation: DescribeInstance, params: {InstanceId: reset-once}}
    times: 1
    answer: {fault: reset}
  - match: {operation: DescribeInstance, params: {InstanceId: unavailable-once}}
    times: 1
    answer: {status: 503}
  - match: {operation: describe_instance, params: {InstanceId: throttled-once}}
    times: 1
    answer: {throttle: 0}
""",
    )
    with serve(SPEC, access_key_id=KEY_ID, access_key_secret=SECRET, rules=rules) as server:
        yield server


def test_error_on_demand_by_rules_file(flavor: Flavor, rules_mock: MockServer) -> None:
    """A rule matching operation and parameter answers the documented error as its typed exception; others pass."""
    with flavor.package.Client(**client_options(rules_mock, max_retries=0)) as sdk:
        with pytest.raises(flavor.errors.InvalidInstanceNameDuplicatedError):
            sdk.create_instance(instance_name="taken", max_concurrent_conversation=1)
        created = sdk.create_instance(instance_name="free", max_concurrent_conversation=1)
    assert flavor.read(created, "instance.instance_name") == "free"


FAULTS = {"reset-once": (None, "reset"), "unavailable-once": (503, "ServiceUnavailable"), "throttled-once": (429, "Throttling.User")}


@pytest.mark.parametrize("instance", sorted(FAULTS))
def test_faults_are_retried_by_the_client(flavor: Flavor, kind: str, rules_mock: MockServer, instance: str) -> None:
    """A reset connection, a 503 and a 429 with Retry-After on the read-only DescribeInstance: the client retries and gets the answer."""
    import asyncio

    cls = flavor.client_class(kind)
    options = client_options(rules_mock, max_retries=2)
    if kind == "sync":
        with cls(**options) as sdk:
            with pytest.raises(flavor.package.APIStatusError) as caught:
                sdk.describe_instance(instance_id=instance)
    else:

        async def go() -> None:
            async with cls(**options) as sdk:
                await sdk.describe_instance(instance_id=instance)

        with pytest.raises(flavor.package.APIStatusError) as caught:
            asyncio.run(go())
    assert caught.value.code == "InvalidInstanceId.NotFound"  # the retry reached the mock's real answer
    first, second = rules_mock.log[-2:]
    assert (first.status, first.code) == FAULTS[instance]
    assert second.code == "InvalidInstanceId.NotFound"


def test_hang_ends_in_a_client_timeout(flavor: Flavor, clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """`hang` never answers: the client gives up after its timeout with a connection error."""
    rules = write_rules(tmp_path, "rules:\n  - answer: {fault: hang}\n")
    with serve(SPEC, access_key_id=KEY_ID, access_key_secret=SECRET, rules=rules) as server:
        with flavor.package.Client(**client_options(server, timeout=0.3, max_retries=0)) as sdk:
            with pytest.raises(flavor.package.APIConnectionError):
                sdk.describe_instance(instance_id="x")
        assert server.log[-1].code == "hang"


def test_concurrent_clients_and_keep_alive(flavor: Flavor, mock: MockServer) -> None:
    """Eight threads, each with its own client making several calls over kept-alive connections, all answered."""
    from concurrent.futures import ThreadPoolExecutor

    def work(index: int) -> list[str]:
        with flavor.package.Client(**client_options(mock)) as sdk:
            created = sdk.create_instance(instance_name=f"worker-{index}", max_concurrent_conversation=1)
            instance_id = flavor.read(created, "instance.instance_id")
            return [flavor.read(sdk.describe_instance(instance_id=instance_id), "instance.instance_name") for _ in range(3)]

    with ThreadPoolExecutor(8) as pool:
        names = list(pool.map(work, range(8)))
    assert names == [[f"worker-{i}"] * 3 for i in range(8)]


def test_malformed_extension_is_refused_with_its_pointer(tmp_path: Path) -> None:
    """A wrong `x-acs-sdkgen-mock` stops the mock with a located diagnostic naming the key."""
    from acs_sdkgen.diagnostics import SpecError

    text = SPEC.spec.path.read_text(encoding="utf-8").replace("role: create", "role: make", 1)
    broken = tmp_path / "outboundbot.yaml"
    broken.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        with serve(broken):
            pass
    [problem] = [d.format() for d in caught.value.diagnostics]
    assert "x-acs-sdkgen-mock/role" in problem and "role must be one of create, read, list, update, delete" in problem
