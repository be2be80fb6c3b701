"""One slash command's, shortcut's or button's ``response_url``: Slack's 5-post budget, every post checked."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.replies.slack_calls import SLACK_FAILURES, slack_error, slack_retry_handlers

logger = logging.getLogger(__name__)

# Slack: "use response_url up to 5 times within 30 minutes".
RESPONSE_URL_POSTS = 5


class ResponseUrl:
    """One ``response_url``: posts JSON within Slack's budget and reports whether Slack took it.

    slack_sdk's webhook client (like Bolt's ``respond()``) returns HTTP errors instead of raising; every
    post's status is checked here and a failure is logged (without the URL, which is a credential).
    """

    def __init__(self, url: str, *, budget: int = RESPONSE_URL_POSTS) -> None:
        self._url = url
        self._client = AsyncWebhookClient(url, retry_handlers=slack_retry_handlers())
        self._left = budget
        self.failure: str | None = None  # why the last post failed, in words fit for the asker

    @property
    def posts_left(self) -> int:
        """Posts left of Slack's budget for this URL."""
        return self._left

    async def post(self, body: dict[str, Any], *, urgent: bool = False) -> bool:
        """Send one message body; False (and a log line) when over budget or Slack refused it.

        ``urgent`` (a last notice while shutting down) tries once, without retries, so the other ways to
        reach the asker still have time.
        """
        if self._left <= 0:
            logger.warning("response_url budget used up; dropped a post (%s)", _shape(body))
            self.failure = "its 5 posts were used up"
            return False
        self._left -= 1
        try:
            client = AsyncWebhookClient(self._url) if urgent else self._client
            response = await client.send_dict(body)
        except SLACK_FAILURES as error:
            logger.warning("response_url post failed: %s (%s)", slack_error(error), _shape(body))
            self.failure = f"it could not be reached: {slack_error(error)}"
            return False
        if response.status_code != 200:
            logger.warning(
                "response_url post refused: HTTP %s %r (%s)",
                response.status_code,
                (response.body or "")[:200],
                _shape(body),
            )
            self.failure = f"Slack refused it: HTTP {response.status_code}"
            return False
        self.failure = None
        return True

    async def note(self, text: str, *, urgent: bool = False) -> bool:
        """A private (ephemeral) note to the person who used the command, shortcut or button.

        Never ``replace_original``: for a shortcut or a button the original is somebody's message.
        """
        body = {"response_type": "ephemeral", "replace_original": False, "text": text}
        return await self.post(body, urgent=urgent)


def _shape(body: dict[str, Any]) -> str:
    flags = [k for k in ("replace_original", "delete_original") if body.get(k)]
    return " ".join([str(body.get("response_type", "-")), *flags])
