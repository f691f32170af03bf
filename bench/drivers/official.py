"""Driver of the official SDK (alibabacloud-outboundbot20191226); see common.py for the modes.

Signature V3 is its default; V1 is `Config(signature_algorithm='v2')`. The canned answer replaces
`DaraCore.do_action`, the function through which the SDK hands every request to `requests`.
"""

from __future__ import annotations

from typing import Any

from alibabacloud_outboundbot20191226 import models
from alibabacloud_outboundbot20191226.client import Client
from alibabacloud_tea_openapi.models import Config
from answer import BODY, HEADERS
from common import INSTANCE_ID, main
from darabonba.core import DaraCore
from darabonba.response import DaraResponse
from darabonba.runtime import RuntimeOptions

ALGORITHMS = {"v3": None, "v1": "v2"}


def _canned_action(request: Any, runtime_option: Any = None) -> DaraResponse:
    """The canned DescribeInstance answer, as `DaraCore.do_action` returns one."""
    response = DaraResponse()
    response.status_code, response.status_message = 200, "OK"
    response.headers, response.body = dict(HEADERS), BODY
    return response


def _config(port: int, signature: str) -> Config:
    """Client configuration for the local server."""
    return Config(
        access_key_id="testid",
        access_key_secret="testsecret",
        endpoint=f"127.0.0.1:{port}",
        protocol="http",
        region_id="cn-shanghai",
        signature_algorithm=ALGORITHMS[signature],
    )


class Adapter:
    """The official client through `describe_instance_with_options[_async]`."""

    @staticmethod
    def client(port: int, signature: str) -> Any:
        """A client for the local server."""
        return Client(_config(port, signature))

    @staticmethod
    def call(client: Any) -> str:
        """One DescribeInstance call."""
        request = models.DescribeInstanceRequest(instance_id=INSTANCE_ID)
        return client.describe_instance_with_options(
            request, RuntimeOptions()
        ).body.instance.instance_id

    @staticmethod
    async def async_client(port: int, signature: str) -> Any:
        """The same client class serves async calls."""
        return Client(_config(port, signature))

    @staticmethod
    async def async_call(client: Any) -> str:
        """One awaited DescribeInstance call."""
        request = models.DescribeInstanceRequest(instance_id=INSTANCE_ID)
        response = await client.describe_instance_with_options_async(
            request, RuntimeOptions()
        )
        return response.body.instance.instance_id

    @staticmethod
    def canned(client: Any) -> None:
        """Answer from memory instead of through `requests`."""
        DaraCore.do_action = staticmethod(_canned_action)

    @staticmethod
    def close(client: Any) -> None:
        """The official client has nothing to close."""

    @staticmethod
    async def async_close(client: Any) -> None:
        """The official client has nothing to close."""


if __name__ == "__main__":
    main(Adapter)
