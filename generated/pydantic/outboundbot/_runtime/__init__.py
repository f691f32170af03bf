"""Hand-written runtime of generated SDKs: errors, signing, transports, clients.

Standard library only; copied verbatim into each generated package as ``_runtime``.
"""

from .async_transport import AsyncTransport
from .rpc import AsyncAPIClient, Operation, SyncAPIClient, parse_endpoint
from .credentials import Credentials, resolve_credentials
from .encoding import NOT_GIVEN, NotGiven, Param, encode_query, percent_encode
from .errors import (
    APIConnectionError,
    APIError,
    APIResponseError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadGatewayError,
    BadRequestError,
    ClientError,
    ConflictError,
    CredentialsError,
    GatewayTimeoutError,
    InternalServerError,
    NotFoundError,
    ParameterError,
    PermissionDeniedError,
    SDKError,
    ServerError,
    ServiceUnavailableError,
    ThrottlingError,
    UnsuccessfulResponseError,
    error_from_response,
)
from .headers import Headers
from .hooks import RequestInfo, ResponseInfo
from .http11 import HTTPResponse
from .retry import RetryPolicy
from .signing import (
    canonical_query,
    canonical_request_v3,
    new_nonce,
    sign_v1,
    sign_v3,
    signature_v1,
    signature_v3,
    string_to_sign_v1,
    string_to_sign_v3,
    utc_timestamp,
)
from .transport import SyncTransport

__all__ = [
    "NOT_GIVEN",
    "APIConnectionError",
    "APIError",
    "APIResponseError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncAPIClient",
    "AsyncTransport",
    "AuthenticationError",
    "BadGatewayError",
    "BadRequestError",
    "ClientError",
    "ConflictError",
    "Credentials",
    "CredentialsError",
    "GatewayTimeoutError",
    "HTTPResponse",
    "Headers",
    "InternalServerError",
    "NotFoundError",
    "NotGiven",
    "Operation",
    "Param",
    "ParameterError",
    "PermissionDeniedError",
    "RequestInfo",
    "ResponseInfo",
    "RetryPolicy",
    "SDKError",
    "ServerError",
    "ServiceUnavailableError",
    "SyncAPIClient",
    "SyncTransport",
    "ThrottlingError",
    "UnsuccessfulResponseError",
    "canonical_query",
    "canonical_request_v3",
    "encode_query",
    "error_from_response",
    "new_nonce",
    "parse_endpoint",
    "percent_encode",
    "resolve_credentials",
    "sign_v1",
    "sign_v3",
    "signature_v1",
    "signature_v3",
    "string_to_sign_v1",
    "string_to_sign_v3",
    "utc_timestamp",
]
