"""Typed, user-facing failures of an IVS query.

Each error carries a one-line ``user_message``: what went wrong and what to do. It is plain text; the view
layer escapes it before it reaches mrkdwn (it can contain text that came from AWS or from the user).
"""

from __future__ import annotations


class IvsQueryError(Exception):
    """Base class: a failure the person who asked can understand and act on."""

    kind = "error"

    def __init__(self, message: str, *, request_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.request_id = request_id

    @property
    def user_message(self) -> str:
        """One line for Slack or the terminal, with the AWS request id when there is one."""
        line = " ".join(self.message.split())
        if self.request_id:
            line += f" (AWS request id {self.request_id})"
        return line


class InvalidQueryError(IvsQueryError):
    """The ids typed or found are malformed; nothing was sent to AWS."""

    kind = "invalid_query"

    def __init__(self, part: str, message: str) -> None:
        super().__init__(message)
        self.part = part


class AccessDeniedError(IvsQueryError):
    """The bot's AWS identity lacks an IAM permission."""

    kind = "access_denied"

    def __init__(self, action: str, resource: str, *, request_id: str | None = None) -> None:
        super().__init__(
            f"Access denied: the bot's AWS role may not call `{action}` on `{resource}`. "
            f"Ask an AWS admin to allow `{action}` on that stage for the bot's role.",
            request_id=request_id,
        )
        self.action = action
        self.resource = resource


class NotFoundError(IvsQueryError):
    """The stage, session or participant does not exist (in that region and account)."""

    kind = "not_found"


class ServiceValidationError(IvsQueryError):
    """IVS rejected the request as invalid."""

    kind = "validation"


class ThrottledError(IvsQueryError):
    """IVS kept throttling after our retries (5 TPS per account and region, not adjustable)."""

    kind = "throttled"


class CredentialsError(IvsQueryError):
    """The bot has no AWS credentials, or they expired."""

    kind = "credentials"


class EndpointError(IvsQueryError):
    """IVS could not be reached: network, wrong region or a bad endpoint override."""

    kind = "endpoint"


class UnexpectedIvsError(IvsQueryError):
    """Any other AWS failure (an internal error on AWS's side, an unmodelled error)."""

    kind = "unexpected"
