"""boto3 clients for IVS Real-Time: one per (region, credentials), reused, with retries and timeouts."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

import boto3
import botocore.session
from botocore.config import Config
from botocore.utils import parse_timestamp as botocore_parse_timestamp

from bot.domain.errors import CredentialsError
from bot.ivs.rate_limit import SlidingWindowLimiter

if TYPE_CHECKING:
    from mypy_boto3_ivs_realtime import IvsrealtimeClient

# Standard retry mode: exponential backoff with jitter on throttling and transient errors, bounded by a
# retry quota. Four attempts in all; the client-side limiter keeps throttling rare in the first place.
# Connect fast (a wrong endpoint should fail in seconds, not a minute), read with room for a 100-event page.
DEFAULT_CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": 4},
    connect_timeout=3,
    read_timeout=10,
    max_pool_connections=16,
    user_agent_extra="ivs-events",
)


def parse_timestamp(value: str | float) -> datetime:
    """botocore's timestamp parser, fast path first.

    botocore parses every ``eventTime`` with dateutil, about 70% of the client's time on a 100-event page.
    ``datetime.fromisoformat`` reads the ISO 8601 IVS sends in a fraction of that, and always gives UTC
    (dateutil gives ``tzlocal()`` on a machine set to UTC). Anything else goes to botocore's own parser.
    """
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            if parsed.tzinfo is not None:
                return parsed.astimezone(UTC)
    return botocore_parse_timestamp(value).astimezone(UTC)  # type: ignore[arg-type]  # takes epochs too


def default_session() -> boto3.session.Session:
    """A boto3 session (standard credential chain) whose responses parse timestamps fast."""
    core = botocore.session.get_session()
    core.get_component("response_parser_factory").set_parser_defaults(timestamp_parser=parse_timestamp)
    return boto3.session.Session(botocore_session=core)


class ClientSource(Protocol):
    """Where the fetcher gets a client for a region (a seam: tests hand in Stubber-backed clients)."""

    def client_for(self, region: str) -> IvsrealtimeClient: ...


class IvsClientFactory:
    """Creates boto3 ``ivs-realtime`` clients lazily and keeps them.

    Credentials come from the standard chain (environment, profile, SSO, container or instance role);
    ``AWS_ENDPOINT_URL_IVS_REALTIME`` redirects calls to another endpoint with no code change.
    boto3 sessions are not thread-safe, so creation is serialised; the clients themselves are.
    """

    def __init__(
        self,
        session: boto3.session.Session | None = None,
        config: Config = DEFAULT_CONFIG,
        limiter: SlidingWindowLimiter | None = None,
    ):
        self._session = session or default_session()
        self._config = config
        self._limiter = limiter
        self._clients: dict[tuple[str, str], IvsrealtimeClient] = {}
        self._lock = threading.Lock()

    def client_for(self, region: str) -> IvsrealtimeClient:
        """The client for ``region`` signed with the current credentials.

        Raises:
            CredentialsError: when the credential chain finds nothing.
        """
        with self._lock:
            credentials = self._session.get_credentials()
            if credentials is None:
                raise CredentialsError(
                    "The bot has no AWS credentials. Set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
                    "AWS_PROFILE, or run it with an IAM role that allows the ivs:* read actions."
                )
            key = (region, credentials.access_key)
            client = self._clients.get(key)
            if client is None:
                client = self._make_client(region)
                if self._limiter is not None:
                    # Every attempt, retries included, waits for the quota of its (identity, region,
                    # operation).
                    client.meta.events.register("before-send.ivs-realtime", self._rate_limited(key))
                self._clients[key] = client
            return client

    def _rate_limited(self, key: tuple[str, str]) -> Callable[..., None]:
        limiter = self._limiter
        assert limiter is not None

        def wait_for_quota(event_name: str, **_: Any) -> None:
            # "before-send.ivs-realtime.ListParticipantEvents": the quota is per operation.
            limiter.acquire((*key, event_name.rsplit(".", 1)[-1]))

        return wait_for_quota

    def _make_client(self, region: str) -> IvsrealtimeClient:
        kwargs: dict[str, Any] = {"region_name": region, "config": self._config}
        return self._session.client("ivs-realtime", **kwargs)

    @property
    def client_count(self) -> int:
        """How many clients exist (tests use it to prove reuse)."""
        return len(self._clients)
