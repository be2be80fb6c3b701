"""Run a participant query for someone in Slack and deliver what it finds: the flow every surface shares.

A listener acknowledges Slack, works out *what* was asked (:mod:`bot.asked` reads a
:class:`ParticipantQuery`), *who* asked and *where* (an :class:`Asker`), and *how* to answer (an
:class:`AnswerTarget`: a slash command's ``response_url``, or a thread). :class:`QueryReplies` does the
rest in tracked background work: fetch through the IVS service with progress, analyse, render, deliver,
and write one structured log line.

Slack quirks handled here, once:
- ``response_url`` accepts 5 posts in 30 minutes and answers HTTP errors without raising in the SDK:
  :class:`ResponseUrl` budgets and checks every post.
- A bot that is not a member of a channel cannot post or share files there (``not_in_channel``): join the
  public channel and retry; otherwise give the asker the answer privately (the shortcut's response_url,
  chat.postEphemeral, or a direct message), or send the file as a direct message.

Modules (listeners import from this package, not from them):
- ``slack_calls``: retries, the failures to catch, Slack's error code, a reply as message fields.
- ``response_url``: :class:`ResponseUrl` and its 5-post budget.
- ``targets``: where an answer goes (:class:`CommandAnswer`, :class:`ThreadAnswer`).
- ``progress``: :class:`ProgressReporter`, the pacing of progress updates.
- ``flow``: :class:`QueryReplies` (answer, upload the JSON file, join a channel) and :class:`FileShare`.
- ``query_log``: :class:`Asker` and the one structured log line per query.

What was asked is read by :mod:`bot.asked`.
"""

from bot.replies.flow import INTERNAL_ERROR, INTERRUPTED, Clock, FileShare, QueryReplies
from bot.replies.progress import ProgressReporter
from bot.replies.query_log import Asker, log_query
from bot.replies.response_url import RESPONSE_URL_POSTS, ResponseUrl
from bot.replies.slack_calls import (
    NOT_A_MEMBER,
    SLACK_FAILURES,
    message_body,
    slack_error,
    slack_retry_handlers,
)
from bot.replies.targets import (
    COMMAND_PROGRESS_SCHEDULE,
    THREAD_PROGRESS_SCHEDULE,
    AnswerTarget,
    CommandAnswer,
    PrivateLine,
    ThreadAnswer,
)

__all__ = [
    "COMMAND_PROGRESS_SCHEDULE",
    "INTERNAL_ERROR",
    "INTERRUPTED",
    "NOT_A_MEMBER",
    "RESPONSE_URL_POSTS",
    "SLACK_FAILURES",
    "THREAD_PROGRESS_SCHEDULE",
    "AnswerTarget",
    "Asker",
    "Clock",
    "CommandAnswer",
    "FileShare",
    "PrivateLine",
    "ProgressReporter",
    "QueryReplies",
    "ResponseUrl",
    "ThreadAnswer",
    "log_query",
    "message_body",
    "slack_error",
    "slack_retry_handlers",
]
