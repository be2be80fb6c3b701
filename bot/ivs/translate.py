"""Turn boto3/botocore exceptions into typed, user-facing errors (one line, with what to do)."""

from __future__ import annotations

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ReadTimeoutError,
    TokenRetrievalError,
    UnknownEndpointError,
)

from bot.domain.errors import (
    AccessDeniedError,
    CredentialsError,
    EndpointError,
    IvsQueryError,
    NotFoundError,
    ServiceValidationError,
    ThrottledError,
    UnexpectedIvsError,
)

_ACCESS_DENIED = {"AccessDeniedException", "AccessDenied", "UnauthorizedOperation"}
_THROTTLED = {
    "ThrottlingException",
    "Throttling",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "ServiceQuotaExceededException",
}
_BAD_CREDENTIALS = {
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "ExpiredTokenException",
    "ExpiredToken",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "MissingAuthenticationTokenException",
    "IncompleteSignature",
}
_MAX_AWS_MESSAGE = 200


def _aws_message(error: ClientError) -> str:
    # botocore reads Error.Message from "message"; IVS's modelled exceptions name it exceptionMessage.
    raw = error.response.get("Error", {}).get("Message") or error.response.get("exceptionMessage", "")
    message = " ".join(str(raw).split())
    return message[: _MAX_AWS_MESSAGE - 1] + "…" if len(message) > _MAX_AWS_MESSAGE else message


def translate_error(exc: Exception, *, operation: str, resource: str, region: str) -> IvsQueryError:
    """Map an exception raised by a boto3 call to the error the user sees.

    Args:
        exc: what boto3 raised (after botocore's own retries).
        operation: the API operation, e.g. ``ListParticipantEvents`` (names the IAM action).
        resource: what the call was about, usually the stage ARN.
        region: the region the call was signed for.
    """
    if isinstance(exc, IvsQueryError):
        return exc
    if isinstance(exc, ClientError):
        return _translate_client_error(exc, operation=operation, resource=resource, region=region)
    if isinstance(exc, NoCredentialsError | PartialCredentialsError | TokenRetrievalError):
        return CredentialsError(
            "The bot's AWS credentials are missing or expired. Refresh them (or the bot's IAM role) "
            "and try again."
        )
    if isinstance(exc, EndpointConnectionError | ConnectTimeoutError | UnknownEndpointError):
        return EndpointError(
            f"Could not reach the IVS Real-Time endpoint for {region}. Check the region in the stage ARN, "
            "the bot's network access and AWS_ENDPOINT_URL_IVS_REALTIME if it is set."
        )
    if isinstance(exc, ReadTimeoutError):
        return EndpointError(
            f"IVS Real-Time in {region} did not answer in time. Try again in a minute; check the AWS "
            "Health Dashboard if it persists."
        )
    if isinstance(exc, NoRegionError):
        return EndpointError("No AWS region could be worked out for the call; the stage ARN names one.")
    if isinstance(exc, BotoCoreError):
        return UnexpectedIvsError(f"The AWS SDK failed before IVS answered: {type(exc).__name__}.")
    return UnexpectedIvsError(f"Unexpected failure while calling IVS: {type(exc).__name__}.")


def _translate_client_error(exc: ClientError, *, operation: str, resource: str, region: str) -> IvsQueryError:
    error = exc.response.get("Error", {})
    code = str(error.get("Code", ""))
    metadata = exc.response.get("ResponseMetadata", {})
    request_id = metadata.get("RequestId") or None
    status = metadata.get("HTTPStatusCode", 0)
    message = _aws_message(exc)

    if code in _ACCESS_DENIED:
        return AccessDeniedError(f"ivs:{operation}", resource, request_id=request_id)
    if code == "ResourceNotFoundException":
        owner = resource.split(":")[4] if resource.startswith("arn:") and resource.count(":") >= 5 else ""
        credentials = (
            f"the bot's AWS credentials are for account {owner}, which owns the stage"
            if owner
            else ("the bot's AWS credentials are for the account that owns the stage")
        )
        return NotFoundError(
            f"IVS found nothing for these ids in {region} ({message or 'resource not found'}). "
            f"Check the ids, and that {credentials}.",
            request_id=request_id,
        )
    if code == "ValidationException":
        return ServiceValidationError(
            f"IVS rejected the {operation} request: {message or 'invalid input'}. Check the ids.",
            request_id=request_id,
        )
    if code in _THROTTLED or status == 429:
        return ThrottledError(
            f"IVS is throttling this account's {operation} calls (5 per second per operation and region, "
            "shared with every other tool using it) and retries did not get through. Try again in a minute.",
            request_id=request_id,
        )
    if code in _BAD_CREDENTIALS:
        return CredentialsError(
            f"AWS refused the bot's credentials ({code}). They may be expired or for another "
            "partition; refresh them and try again.",
            request_id=request_id,
        )
    if isinstance(status, int) and status >= 500:
        return UnexpectedIvsError(
            f"IVS had an internal error ({code or status}) on {operation}. Try again; if it persists, "
            "contact AWS Support with the request id.",
            request_id=request_id,
        )
    return UnexpectedIvsError(
        f"IVS answered {code or status} to {operation}: {message or 'no message'}.", request_id=request_id
    )
