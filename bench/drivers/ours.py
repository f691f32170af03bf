"""Driver of our generated SDK (package `outboundbot` on PYTHONPATH); see common.py for the modes."""

from __future__ import annotations

from typing import Any

import outboundbot
from answer import BODY, HEADERS
from common import INSTANCE_ID, main
from outboundbot._runtime.http11 import HTTPResponse

KEYS = {"access_key_id": "testid", "access_key_secret": "testsecret"}


class _CannedTransport:
    """Answers every request from memory (sync)."""

    def send(
        self, method: str, target: str, headers: Any, body: bytes, timeout: Any = None
    ) -> HTTPResponse:
        """The canned DescribeInstance answer."""
        return HTTPResponse(200, dict(HEADERS), BODY)

    def close(self) -> None:
        """Nothing to close."""


class Adapter:
    """Our SDK through its public API (`Client`, `AsyncClient`, `describe_instance`)."""

    @staticmethod
    def client(port: int, signature: str) -> Any:
        """A sync client for the local server."""
        return outboundbot.Client(
            **KEYS,
            endpoint=f"127.0.0.1:{port}",
            protocol="http",
            signature_version=signature,
            max_retries=0,
        )

    @staticmethod
    def call(client: Any) -> str:
        """One DescribeInstance call."""
        return client.describe_instance(instance_id=INSTANCE_ID).instance.instance_id

    @staticmethod
    async def async_client(port: int, signature: str) -> Any:
        """An async client for the local server."""
        return outboundbot.AsyncClient(
            **KEYS,
            endpoint=f"127.0.0.1:{port}",
            protocol="http",
            signature_version=signature,
            max_retries=0,
        )

    @staticmethod
    async def async_call(client: Any) -> str:
        """One awaited DescribeInstance call."""
        return (
            await client.describe_instance(instance_id=INSTANCE_ID)
        ).instance.instance_id

    @staticmethod
    def canned(client: Any) -> None:
        """Replace the client's transport by one answering from memory."""
        client._transport = _CannedTransport()

    @staticmethod
    def close(client: Any) -> None:
        """Close the sync client."""
        client.close()

    @staticmethod
    async def async_close(client: Any) -> None:
        """Close the async client."""
        await client.aclose()


if __name__ == "__main__":
    main(Adapter)
