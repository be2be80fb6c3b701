"""Every AWS failure becomes one line saying what went wrong and what to do."""

from __future__ import annotations

import pytest
from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
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
from bot.ivs.translate import translate_error

ARN = "arn:aws:ivs:us-west-2:123456789012:stage/abcdABCDefgh"


def client_error(code: str, status: int, message: str = "msg") -> ClientError:
    return ClientError(
        {
            "Error": {"Code": code, "Message": message},
            "ResponseMetadata": {"RequestId": "rid-1", "HTTPStatusCode": status},
        },
        "ListParticipantEvents",
    )


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (client_error("AccessDeniedException", 403), AccessDeniedError),
        (client_error("ResourceNotFoundException", 404), NotFoundError),
        (client_error("ValidationException", 400), ServiceValidationError),
        (client_error("ThrottlingException", 429), ThrottledError),
        (client_error("SomethingElse", 429), ThrottledError),
        (client_error("ExpiredTokenException", 403), CredentialsError),
        (client_error("UnrecognizedClientException", 403), CredentialsError),
        (client_error("InternalServerException", 500), UnexpectedIvsError),
        (client_error("Teapot", 418), UnexpectedIvsError),
        (NoCredentialsError(), CredentialsError),
        (
            EndpointConnectionError(endpoint_url="https://ivsrealtime.xx-nowhere-1.amazonaws.com"),
            EndpointError,
        ),
        (ConnectTimeoutError(endpoint_url="https://x"), EndpointError),
        (ReadTimeoutError(endpoint_url="https://x"), EndpointError),
        (RuntimeError("boom"), UnexpectedIvsError),
    ],
)
def test_each_failure_has_its_own_kind_and_a_one_line_message(
    exc: Exception, kind: type[IvsQueryError]
) -> None:
    error = translate_error(exc, operation="ListParticipantEvents", resource=ARN, region="us-west-2")
    assert type(error) is kind
    assert error.user_message and "\n" not in error.user_message
    assert "Traceback" not in error.user_message


def test_the_request_id_is_kept_and_a_long_aws_message_is_cut() -> None:
    error = translate_error(
        client_error("ValidationException", 400, "x" * 5000),
        operation="ListParticipantEvents",
        resource=ARN,
        region="us-west-2",
    )
    assert error.request_id == "rid-1"
    assert len(error.user_message) < 400


def test_not_found_names_the_region_and_the_account_that_owns_the_stage() -> None:
    error = translate_error(
        client_error("ResourceNotFoundException", 404, "Participant not found"),
        operation="GetParticipant",
        resource=ARN,
        region="us-west-2",
    )
    assert error.user_message.startswith(
        "IVS found nothing for these ids in us-west-2 (Participant not found)."
    )
    assert "account 123456789012, which owns the stage" in error.user_message
