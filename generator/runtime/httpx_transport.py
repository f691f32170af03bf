"""Requests through the user's own httpx client (HTTP/2, its pool, proxies and TLS), for flavors that allow it.

Imported only when a client is passed as ``http_client=``, so httpx stays optional. Signatures,
retries, timeouts, hooks, raw responses, pagination and streams work as with the built-in transport.
"""

from __future__ import annotations

from ._sansio import MAX_CONNECTIONS, TransportCore
from .async_transport import AsyncTransport
from .errors import APIConnectionError, APITimeoutError, ParameterError, SDKError
from .http11 import HTTPResponse, merge_headers
from .network import DEFAULT_NETWORK
from .streaming import AsyncOpened, SyncOpened, _read_failure
from .transport import SyncTransport
from .uploads import Upload

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator, Mapping
    from typing import Any

    from ._sansio import Body
    from .network import Network


def _httpx() -> Any:
    """The httpx module, imported once a client is passed (it may lack type information)."""
    import httpx  # type: ignore[import-not-found, unused-ignore]

    return httpx


def _failure(exc: Exception, origin: str, seconds: float) -> Exception:
    """The SDK's error for an httpx failure (``request_sent`` False only when it never connected)."""
    httpx = _httpx()

    sent = not isinstance(
        exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
    )
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(
            f"Timed out waiting for {origin} (timeout {seconds:g} s).",
            phase="read" if sent else "connect",
            request_sent=sent,
        )
    return APIConnectionError(
        f"The request to {origin} through the httpx client failed: "
        f"{exc or type(exc).__name__}",
        request_sent=sent,
    )


def _stream_failure(exc: Exception, origin: str, seconds: float) -> Exception:
    """The error for a streamed body that broke (an httpx timeout is a timeout)."""
    httpx = _httpx()

    timed_out = isinstance(exc, httpx.TimeoutException)
    return _read_failure(TimeoutError() if timed_out else exc, origin, seconds)


def _answer(response: Any, body: bytes) -> HTTPResponse:
    """An httpx response as the SDK's record."""
    return HTTPResponse(
        response.status_code, merge_headers(response.headers.multi_items()), body
    )


class _HttpxShell(TransportCore):
    """What both httpx transports share: the client, the request built for it, errors mapped."""

    _async = False
    _client: Any

    def __init__(
        self,
        scheme: str,
        host: str,
        port: int | None,
        *,
        timeout: float,
        user_agent: str,
        max_connections: int = MAX_CONNECTIONS,
        network: Network = DEFAULT_NETWORK,
    ) -> None:
        """Adopt ``network.http_client`` (hooks still come from ``network``; proxy and TLS are the client's)."""
        super().__init__(
            scheme,
            host,
            port,
            timeout=timeout,
            user_agent=user_agent,
            max_connections=max_connections,
            network=network,
        )
        httpx = _httpx()

        client = network.http_client
        wanted = httpx.AsyncClient if self._async else httpx.Client
        if not isinstance(client, wanted):
            raise ParameterError(
                f"http_client must be an httpx.{wanted.__name__}, "
                f"got {type(client).__name__}"
            )
        self._client = client

    def _request(
        self, method: str, target: str, headers: Mapping[str, str], body: Body
    ) -> tuple[Any, Upload | None]:
        """The httpx request (a streamed body as a generator of its pieces) and the streamed body."""
        fields = dict(headers)
        upload = body if isinstance(body, Upload) else None
        content: Any = body
        if upload is not None:
            content = upload.apieces() if self._async else upload.pieces()
            if upload.length is not None:
                fields["content-length"] = str(upload.length)
        request = self._client.build_request(
            method, self._origin + target, headers=fields, content=content
        )
        return request, upload

    def _timed(self, request: Any, seconds: float) -> Any:
        """``request`` with the call's timeout (each of connect, write, read, pool, as httpx counts it)."""
        if self._closed:
            raise SDKError("this client has been closed")
        httpx = _httpx()

        request.extensions["timeout"] = httpx.Timeout(seconds).as_dict()
        return request


class HttpxTransport(_HttpxShell, SyncTransport):
    """Sends through an ``httpx.Client``; the client stays the caller's to close."""

    def _held(
        self, method: str, request: Any, upload: Upload | None, seconds: float
    ) -> HTTPResponse:
        """Send through the httpx client and read the whole answer."""
        httpx = _httpx()

        try:
            response = self._client.send(self._timed(request, seconds))
        except httpx.RequestError as exc:
            raise _failure(exc, self._origin, seconds) from exc
        return _answer(response, response.content)

    def open_stream(
        self,
        method: str,
        target: str,
        headers: Mapping[str, str],
        body: Body,
        timeout: float | None = None,
    ) -> SyncOpened | HTTPResponse:
        """Send and keep the answer open when it succeeds; an error answer is read whole."""
        httpx = _httpx()

        seconds = self._timeout if timeout is None else timeout
        request = self._timed(self._request(method, target, headers, body)[0], seconds)
        try:
            response = self._client.send(request, stream=True)
            if 200 <= response.status_code < 300:
                return HttpxOpened(response, seconds, self._origin)
            try:
                return _answer(response, response.read())
            finally:
                response.close()
        except httpx.RequestError as exc:
            raise _failure(exc, self._origin, seconds) from exc

    def close(self) -> None:
        """Refuse later sends; the httpx client is left open (it is the caller's)."""
        self._closed = True


class AsyncHttpxTransport(_HttpxShell, AsyncTransport):
    """Sends through an ``httpx.AsyncClient``; the client stays the caller's to close."""

    _async = True

    async def _held(
        self, method: str, request: Any, upload: Upload | None, seconds: float
    ) -> HTTPResponse:
        """Send through the httpx client and read the whole answer."""
        httpx = _httpx()

        try:
            response = await self._client.send(self._timed(request, seconds))
        except httpx.RequestError as exc:
            raise _failure(exc, self._origin, seconds) from exc
        return _answer(response, response.content)

    async def open_stream(
        self,
        method: str,
        target: str,
        headers: Mapping[str, str],
        body: Body,
        timeout: float | None = None,
    ) -> AsyncOpened | HTTPResponse:
        """Send and keep the answer open when it succeeds; an error answer is read whole."""
        httpx = _httpx()

        seconds = self._timeout if timeout is None else timeout
        request = self._timed(self._request(method, target, headers, body)[0], seconds)
        try:
            response = await self._client.send(request, stream=True)
            if 200 <= response.status_code < 300:
                return AsyncHttpxOpened(response, seconds, self._origin)
            try:
                return _answer(response, await response.aread())
            finally:
                await response.aclose()
        except httpx.RequestError as exc:
            raise _failure(exc, self._origin, seconds) from exc

    async def aclose(self) -> None:
        """Refuse later sends; the httpx client is left open (it is the caller's)."""
        self._closed = True


def _open(opened: Any, response: Any, seconds: float, origin: str) -> None:
    """Fill an opened answer's fields from an httpx streamed response."""
    opened.status = response.status_code
    opened.headers = merge_headers(response.headers.multi_items())
    opened.body = b""
    opened.conn = response
    opened.seconds = seconds
    opened.origin = origin


class HttpxOpened(SyncOpened):
    """A streamed answer read through httpx."""

    def __init__(self, response: Any, seconds: float, origin: str) -> None:
        """Wrap an httpx response opened with ``stream=True``."""
        _open(self, response, seconds, origin)

    def chunks(self) -> Iterator[bytes]:
        """The body's bytes as they arrive (decoded as httpx decodes them); closed at the end."""
        httpx = _httpx()

        try:
            for data in self.conn.iter_bytes():
                yield data
        except httpx.RequestError as exc:
            raise _stream_failure(exc, self.origin, self.seconds) from exc
        finally:
            self.close()


class AsyncHttpxOpened(AsyncOpened):
    """An async streamed answer read through httpx."""

    def __init__(self, response: Any, seconds: float, origin: str) -> None:
        """Wrap an httpx response opened with ``stream=True``."""
        _open(self, response, seconds, origin)

    async def chunks(self) -> AsyncIterator[bytes]:
        """The body's bytes as they arrive (decoded as httpx decodes them); closed at the end."""
        httpx = _httpx()

        try:
            async for data in self.conn.aiter_bytes():
                yield data
        except httpx.RequestError as exc:
            raise _stream_failure(exc, self.origin, self.seconds) from exc
        finally:
            self.close()

    def close(self) -> None:
        """Close the response (from any context: its connection is released by httpx)."""
        import asyncio

        try:
            self._closing = asyncio.get_running_loop().create_task(self.conn.aclose())
        except RuntimeError:  # no running loop: nothing left to release it on
            pass
