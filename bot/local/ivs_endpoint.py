"""A local Amazon IVS RealTime endpoint: real boto3, real HTTP and real SigV4 headers, no AWS.

It speaks the rest-json protocol of the read operations the bot uses, validates every request against
botocore's own ``ivs-realtime`` service model (so a request the real service would reject is rejected here
too), answers in the wire format botocore parses, and can misbehave on demand (latency, throttling, a TPS
quota, injected errors, a looping ``nextToken``) so the bot's error handling is tested against the SDK's
real behaviour rather than a mock. Point boto3 at it with ``AWS_ENDPOINT_URL_IVS_REALTIME``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import binascii
import bisect
import hashlib
import json
import logging
import re
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from functools import cache
from types import TracebackType
from typing import Any, Self

import botocore.session
from aiohttp import web
from botocore.model import ListShape, MapShape, OperationModel, ServiceModel, Shape, StructureShape

from bot.local.scenarios import DEMO_PARTICIPANTS, DEMO_SESSION_ID, DEMO_STAGE_ARN, ScenarioStore, demo_store

logger = logging.getLogger(__name__)

SERVED_OPERATIONS = (
    "ListParticipantEvents",
    "GetParticipant",
    "GetStageSession",
    "ListParticipants",
    "ListStageSessions",
    "GetStage",
)
# API reference: maxResults "Default: 50" for all three List operations.
DEFAULT_MAX_RESULTS = 50
_ERROR_NAMESPACE = "http://internal.amazon.com/coral/com.amazonaws.ivsrealtime/"
# Errors AWS sends that the model does not declare (auth and throttling happen before the service runs).
_UNMODELLED_STATUS = {
    "ThrottlingException": 429,
    "UnrecognizedClientException": 403,
    "ExpiredTokenException": 403,
    "MissingAuthenticationTokenException": 403,
    "IncompleteSignatureException": 403,
    "InvalidSignatureException": 403,
    "UnknownOperationException": 404,
    "SerializationException": 400,
    "ServiceUnavailableException": 503,
}
_DEFAULT_MESSAGES = {
    "ThrottlingException": "Rate exceeded",
    "UnrecognizedClientException": "The security token included in the request is invalid.",
    "ExpiredTokenException": "The security token included in the request is expired",
    "InternalServerException": "An internal error occurred. Please retry your request.",
    "ServiceUnavailableException": "Service is unavailable. Please retry your request.",
    "ResourceNotFoundException": "Resource not found",
}
_SIGV4 = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<key>[^/\s,]+)/(?P<date>\d{8})/(?P<region>[^/\s,]+)/"
    r"(?P<service>[^/\s,]+)/aws4_request,\s*SignedHeaders=[^,\s]+,\s*Signature=[0-9a-f]+"
)


@cache
def service_model() -> ServiceModel:
    """botocore's ``ivs-realtime`` model: the one source of truth for shapes, limits and error codes."""
    return botocore.session.get_session().get_service_model("ivs-realtime")


def error_status(code: str) -> int:
    """HTTP status for an error code: the model's ``httpStatusCode``, else what AWS sends for it."""
    with suppress(Exception):
        status = service_model().shape_for(code).metadata["error"]["httpStatusCode"]
        return int(status)
    return _UNMODELLED_STATUS.get(code, 400)


class ApiError(Exception):
    """An AWS-shaped error response: code, HTTP status, message and extra body fields."""

    def __init__(self, code: str, message: str, status: int | None = None, **extra: Any) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status if status is not None else error_status(code)
        self.extra = extra


# --- request validation from the model ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldError:
    """One violated constraint, worded like AWS's validation messages."""

    path: str
    message: str


def validate(shape: Shape, value: Any, path: str = "") -> list[FieldError]:
    """Check a value against a model shape: required, types, lengths, ranges, patterns and enums.

    Unknown structure members are ignored, as the service ignores them.
    """
    kind = shape.type_name
    if kind == "structure":
        return _validate_structure(shape, value, path)
    checker = _TYPE_CHECKS.get(kind)
    if checker is not None and not checker(value):
        return [_violation(path, value, f"Member must be of type {kind}")]
    errors = [_violation(path, value, c) for c in _broken_constraints(kind, shape.metadata, value)]
    if isinstance(shape, ListShape):
        for i, item in enumerate(value):
            errors += validate(shape.member, item, f"{path}.{i + 1}")
    if isinstance(shape, MapShape):
        for key, item in value.items():
            errors += validate(shape.value, item, f"{path}.{key}")
    return errors


def _broken_constraints(kind: str, meta: Mapping[str, Any], value: Any) -> Iterator[str]:
    """The model's constraints (``min``/``max``, ``pattern``, ``enum``) that ``value`` breaks."""
    measure, noun = (len(value), "length") if kind in ("string", "list", "map") else (value, "value")
    if kind in ("string", "list", "map", "integer", "long"):
        if "min" in meta and measure < meta["min"]:
            yield f"Member must have {noun} greater than or equal to {meta['min']}"
        if "max" in meta and measure > meta["max"]:
            yield f"Member must have {noun} less than or equal to {meta['max']}"
    if kind == "string" and "pattern" in meta and not _pattern(meta["pattern"]).fullmatch(value):
        yield f"Member must satisfy regular expression pattern: {meta['pattern']}"
    if kind == "string" and "enum" in meta and value not in meta["enum"]:
        yield f"Member must satisfy enum value set: [{', '.join(meta['enum'])}]"


def _validate_structure(shape: Shape, value: Any, path: str) -> list[FieldError]:
    assert isinstance(shape, StructureShape)
    if not isinstance(value, Mapping):
        return [_violation(path, value, "Member must be of type structure")]
    errors = [
        FieldError(
            _join(path, name),
            f"Value null at '{_join(path, name)}' failed to satisfy constraint: Member must not be null",
        )
        for name in shape.required_members
        if value.get(name) is None
    ]
    for name, member in shape.members.items():
        if value.get(name) is not None:
            errors += validate(member, value[name], _join(path, name))
    return errors


_TYPE_CHECKS: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "long": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "float": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "double": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "timestamp": lambda v: isinstance(v, str | int | float | datetime) and not isinstance(v, bool),
    "list": lambda v: isinstance(v, list | tuple),
    "map": lambda v: isinstance(v, Mapping),
}


@cache
def _pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _violation(path: str, value: Any, constraint: str) -> FieldError:
    return FieldError(path, f"Value '{value}' at '{path}' failed to satisfy constraint: {constraint}")


def validation_error(errors: Sequence[FieldError]) -> ApiError:
    """The ValidationException AWS sends for a set of violations (Coral wording, plus ``fieldList``)."""
    count = f"{len(errors)} validation error{'s' if len(errors) > 1 else ''} detected"
    return ApiError(
        "ValidationException",
        f"{count}: " + "; ".join(e.message for e in errors),
        fieldList=[{"path": e.path, "message": e.message} for e in errors],
    )


# --- the wire format botocore parses ------------------------------------------------------------------


def to_wire(shape: Shape | None, value: Any) -> Any:
    """Turn boto3-form data into JSON-ready data, timestamps in the format the model declares.

    Every timestamp in these outputs is ``timestampFormat: iso8601``; botocore parses it with dateutil,
    which yields a naive datetime when the string has no zone, hence the explicit ``Z``. Members the model
    does not know pass through unchanged.
    """
    if isinstance(value, datetime):
        fmt = shape.serialization.get("timestampFormat", "iso8601") if shape else "iso8601"
        return _format_timestamp(value, fmt)
    if isinstance(value, Mapping):
        if isinstance(shape, StructureShape):
            return {k: to_wire(shape.members.get(k), v) for k, v in value.items()}
        inner = shape.value if isinstance(shape, MapShape) else None
        return {k: to_wire(inner, v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        member = shape.member if isinstance(shape, ListShape) else None
        return [to_wire(member, v) for v in value]
    return value


def _format_timestamp(value: datetime, fmt: str) -> str | float:
    value = value.astimezone(UTC)
    if fmt == "epoch-seconds":
        return value.timestamp()
    if fmt == "rfc822":
        return format_datetime(value, usegmt=True)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{text}.{value.microsecond // 1000:03d}Z" if value.microsecond else f"{text}Z"


# --- SigV4 and pagination -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SigningScope:
    """What the SigV4 ``Credential=`` scope says (the signature itself is not verified)."""

    access_key_id: str
    date: str
    region: str
    service: str


def parse_authorization(header: str | None) -> SigningScope:
    """Read the credential scope of a SigV4 ``Authorization`` header, failing as AWS does."""
    if not header:
        raise ApiError("MissingAuthenticationTokenException", "Missing Authentication Token")
    match = _SIGV4.match(header)
    if match is None:
        raise ApiError(
            "IncompleteSignatureException", f"Authorization header requires a SigV4 signature: {header[:60]}"
        )
    if match["service"] != "ivs":
        raise ApiError("InvalidSignatureException", "Credential should be scoped to correct service: 'ivs'.")
    return SigningScope(match["key"], match["date"], match["region"], match["service"])


def _token_scope(operation: str, params: Mapping[str, Any]) -> str:
    query = {k: v for k, v in params.items() if k not in ("nextToken", "maxResults")}
    return hashlib.sha256(json.dumps([operation, query], sort_keys=True).encode()).hexdigest()[:12]


def encode_token(operation: str, params: Mapping[str, Any], offset: int) -> str:
    """An opaque nextToken (``[a-zA-Z0-9+/=_-]*``), valid only for the same operation and query."""
    raw = f"{_token_scope(operation, params)}:{offset}".encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_token(operation: str, params: Mapping[str, Any], token: str) -> int:
    """The offset a nextToken points at; a token from another query is rejected like AWS does."""
    try:
        scope, offset = base64.urlsafe_b64decode(token.encode()).decode().split(":")
        if scope == _token_scope(operation, params) and int(offset) >= 0:
            return int(offset)
    except (ValueError, binascii.Error):
        pass
    raise ApiError(
        "ValidationException",
        "The nextToken provided is invalid for this request.",
        fieldList=[{"path": "nextToken", "message": "invalid pagination token"}],
    )


# --- faults and call records --------------------------------------------------------------------------


@dataclass(slots=True)
class InjectedError:
    """Answer the next ``remaining`` calls (of ``operation``, or any) with this error."""

    code: str
    status: int
    message: str | None
    remaining: int = 1
    operation: str | None = None


@dataclass(slots=True)
class Faults:
    """Misbehaviour on demand; change it at any time, also while the server runs in another thread.

    Attributes:
        latency: seconds from a call's arrival to its answer, the endpoint's own work included (an
            async sleep: other calls proceed meanwhile).
        throttle_next: answer this many next calls with 429 ThrottlingException.
        tps_limit: calls per sliding second per (account, region, operation) above which calls get 429,
            like IVS's real 5 TPS quota of each operation; None for no limit.
        repeat_next_token: ListParticipantEvents returns the same nextToken forever (a looping API).
        errors: queued injected errors, see :meth:`fail_next`.
    """

    latency: float = 0.0
    throttle_next: int = 0
    tps_limit: float | None = None
    repeat_next_token: bool = False
    errors: list[InjectedError] = field(default_factory=list)

    def fail_next(
        self,
        code: str,
        *,
        count: int = 1,
        status: int | None = None,
        message: str | None = None,
        operation: str | None = None,
    ) -> InjectedError:
        """Answer the next ``count`` calls (only of ``operation`` when given) with error ``code``.

        ``status`` defaults to the model's status for the code (or what AWS sends for unmodelled ones);
        ``message`` to a realistic AWS message.
        """
        injected = InjectedError(code, status or error_status(code), message, count, operation)
        self.errors.append(injected)
        return injected

    def reset(self) -> None:
        """Back to a well-behaved endpoint."""
        self.latency, self.throttle_next, self.tps_limit, self.repeat_next_token = 0.0, 0, None, False
        self.errors.clear()


@dataclass(slots=True)
class RecordedCall:
    """One request as the endpoint saw it, and how it answered."""

    operation: str
    params: dict[str, Any]
    region: str | None
    access_key_id: str | None
    time: float
    request_id: str
    status: int = 0
    error_code: str | None = None


def max_calls_in_window(times: Sequence[float], window: float = 1.0) -> int:
    """The most timestamps inside any half-open window ``[t, t + window)``."""
    ordered = sorted(times)
    return max((bisect.bisect_left(ordered, t + window) - i for i, t in enumerate(ordered)), default=0)


# --- the server ---------------------------------------------------------------------------------------


class LocalIvsEndpoint:
    """The local IVS RealTime endpoint: ``async with LocalIvsEndpoint() as ep: ... ep.url``.

    Attributes:
        store: the data served (default: the demo stage).
        faults: misbehaviour to inject.
        calls: every request received, in arrival order.
        url: the base URL once started (``http://127.0.0.1:PORT``).
        tps_throttled: how many calls the ``faults.tps_limit`` rejected.
        strict_region: when True (the default, as AWS) a stage is only visible to calls signed for the
            region in its ARN; a call signed for another region sees no such stage.
    """

    def __init__(self, store: ScenarioStore | None = None, *, strict_region: bool = True) -> None:
        self.store = store if store is not None else demo_store()
        self.faults = Faults()
        self.calls: list[RecordedCall] = []
        self.url = ""
        self.tps_throttled = 0
        self.strict_region = strict_region
        self._runner: web.AppRunner | None = None
        self._windows: dict[tuple[str, str, str], deque[float]] = {}
        self._handlers: dict[str, Callable[[dict[str, Any], SigningScope], dict[str, Any]]] = {
            "ListParticipantEvents": self._list_participant_events,
            "GetParticipant": self._get_participant,
            "GetStageSession": self._get_stage_session,
            "ListParticipants": self._list_participants,
            "ListStageSessions": self._list_stage_sessions,
            "GetStage": self._get_stage,
        }

    # --- lifecycle ---

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen on ``host:port`` (0: any free port) and return the base URL."""
        app = web.Application()
        app.router.add_route("*", "/{operation:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        bound_host, bound_port = self._runner.addresses[0][:2]
        self.url = f"http://{bound_host}:{bound_port}"
        return self.url

    async def stop(self) -> None:
        """Close the listener and any open connections."""
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        if self._runner is None:
            await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    @contextmanager
    def running_in_thread(self, host: str = "127.0.0.1", port: int = 0) -> Iterator[Self]:
        """Serve from a daemon thread with its own event loop, for synchronous code (CLI demo, benchmarks)."""
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="local-ivs-endpoint", daemon=True)
        thread.start()
        try:
            asyncio.run_coroutine_threadsafe(self.start(host, port), loop).result(timeout=10)
            yield self
        finally:
            try:
                asyncio.run_coroutine_threadsafe(self.stop(), loop).result(timeout=10)
            finally:
                loop.call_soon_threadsafe(loop.stop)
                thread.join(timeout=10)
                loop.close()

    # --- what tests read ---

    def calls_to(self, operation: str) -> list[RecordedCall]:
        """The recorded calls of one operation, in arrival order."""
        return [c for c in self.calls if c.operation == operation]

    def max_calls_in_any_second(self, operation: str | None = None) -> int:
        """The most calls (of ``operation``, or all) that arrived within one second: proves a rate limit."""
        return max_calls_in_window([c.time for c in self.calls if operation in (None, c.operation)])

    def reset(self) -> None:
        """Forget calls and counters and clear every fault (the store is kept)."""
        self.calls.clear()
        self.faults.reset()
        self.tps_throttled = 0
        self._windows.clear()

    # --- request handling ---

    async def _handle(self, request: web.Request) -> web.Response:
        arrived = time.monotonic()
        operation = request.match_info["operation"]
        body = await request.read()
        try:
            params: Any = json.loads(body) if body.strip() else {}
        except ValueError:
            params = None
        call = RecordedCall(
            operation, params if isinstance(params, dict) else {}, None, None, arrived, str(uuid.uuid4())
        )
        self.calls.append(call)
        try:
            scope = parse_authorization(request.headers.get("Authorization"))
            call.region, call.access_key_id = scope.region, scope.access_key_id
            if request.method != "POST" or operation not in SERVED_OPERATIONS:
                raise ApiError(
                    "UnknownOperationException", f"Unknown operation {request.method} /{operation}"
                )
            fault = self._fault_for(call, scope, arrived)
            if fault is not None:
                raise fault
            if not isinstance(params, dict):
                raise ApiError("SerializationException", "Request body must be a JSON object")
            input_shape = service_model().operation_model(operation).input_shape
            errors = validate(input_shape, params) if input_shape is not None else []
            if errors:
                raise validation_error(errors)
            payload = self._handlers[operation](params, scope)
            call.status = 200
            response = self._json(200, to_wire(self._output_shape(operation), payload), call.request_id)
            await self._answer_after_latency(arrived)
            return response
        except ApiError as api_error:
            error = api_error
        except Exception:  # a bug here must still look like AWS's 500, not a page botocore cannot parse
            logger.exception("local IVS endpoint failed on %s %s", operation, call.params)
            error = ApiError("InternalServerException", "The local IVS endpoint crashed: see its log.")
        call.status, call.error_code = error.status, error.code
        await self._answer_after_latency(arrived)
        return self._json(
            error.status,
            {"message": error.message, "exceptionMessage": error.message, **error.extra},
            call.request_id,
            {"x-amzn-ErrorType": f"{error.code}:{_ERROR_NAMESPACE}"},
        )

    async def _answer_after_latency(self, arrived: float) -> None:
        """Answer ``faults.latency`` after the request arrived: a service's latency includes its own work."""
        remaining = self.faults.latency - (time.monotonic() - arrived)
        if remaining > 0:
            await asyncio.sleep(remaining)

    @staticmethod
    def _output_shape(operation: str) -> Shape | None:
        model: OperationModel = service_model().operation_model(operation)
        return model.output_shape

    @staticmethod
    def _json(
        status: int, payload: Any, request_id: str, headers: Mapping[str, str] | None = None
    ) -> web.Response:
        return web.json_response(
            payload, status=status, headers={"x-amzn-RequestId": request_id, **(headers or {})}
        )

    def _fault_for(self, call: RecordedCall, scope: SigningScope, now: float) -> ApiError | None:
        """Decide at arrival time whether this call fails: injected errors, throttling, then the TPS quota."""
        faults = self.faults
        for injected in faults.errors:  # spent entries stay, so a test can read ``remaining == 0``
            if injected.remaining > 0 and injected.operation in (None, call.operation):
                injected.remaining -= 1
                message = injected.message or self._default_message(injected.code, call)
                return ApiError(injected.code, message, injected.status)
        if faults.throttle_next > 0:
            faults.throttle_next -= 1
            return ApiError("ThrottlingException", _DEFAULT_MESSAGES["ThrottlingException"])
        if faults.tps_limit is not None:
            window = self._windows.setdefault(self._quota_key(call, scope), deque())
            while window and window[0] <= now - 1.0:
                window.popleft()
            if len(window) >= faults.tps_limit:
                self.tps_throttled += 1
                return ApiError("ThrottlingException", _DEFAULT_MESSAGES["ThrottlingException"])
            window.append(now)
        return None

    @staticmethod
    def _quota_key(call: RecordedCall, scope: SigningScope) -> tuple[str, str, str]:
        """(account, region, operation): IVS's quotas are per operation. The account is the stage ARN's,
        else the access key's."""
        arn = call.params.get("stageArn", call.params.get("arn"))
        parts = arn.split(":") if isinstance(arn, str) else []
        account = parts[4] if len(parts) > 5 else scope.access_key_id
        return account, scope.region, call.operation

    @staticmethod
    def _default_message(code: str, call: RecordedCall) -> str:
        if code == "AccessDeniedException":
            resource = call.params.get("stageArn", call.params.get("arn", "*"))
            return (
                f"User: arn:aws:iam::123456789012:user/local is not authorized to perform: "
                f"ivs:{call.operation} on resource: {resource}"
            )
        return _DEFAULT_MESSAGES.get(code, f"{code} injected by the local IVS endpoint")

    # --- operations ---

    def _visible(self, arn: str, scope: SigningScope) -> bool:
        """A stage lives in the region of its ARN: calls signed for another region do not see it."""
        return not self.strict_region or arn.split(":")[3] == scope.region

    def _page(
        self, operation: str, params: dict[str, Any], items: Sequence[Any]
    ) -> tuple[list[Any], str | None]:
        token = params.get("nextToken")
        offset = decode_token(operation, params, token) if token else 0
        end = offset + int(params.get("maxResults", DEFAULT_MAX_RESULTS))
        return list(items[offset:end]), encode_token(operation, params, end) if end < len(items) else None

    def _list_participant_events(self, params: dict[str, Any], scope: SigningScope) -> dict[str, Any]:
        arn, session_id, participant_id = params["stageArn"], params["sessionId"], params["participantId"]
        events = (
            self.store.events_newest_first(arn, session_id, participant_id)
            if self._visible(arn, scope)
            else ()
        )
        page, next_token = self._page("ListParticipantEvents", params, events)
        if self.faults.repeat_next_token:
            next_token = params.get("nextToken") or encode_token("ListParticipantEvents", params, len(page))
        return {"events": page, **({"nextToken": next_token} if next_token else {})}

    def _get_participant(self, params: dict[str, Any], scope: SigningScope) -> dict[str, Any]:
        arn, session_id, participant_id = params["stageArn"], params["sessionId"], params["participantId"]
        participant = (
            self.store.participant(arn, session_id, participant_id) if self._visible(arn, scope) else None
        )
        if participant is None:
            raise ApiError(
                "ResourceNotFoundException", f"Participant {participant_id} not found in {session_id}"
            )
        return {"participant": participant}

    def _get_stage_session(self, params: dict[str, Any], scope: SigningScope) -> dict[str, Any]:
        arn, session_id = params["stageArn"], params["sessionId"]
        session = self.store.session(arn, session_id) if self._visible(arn, scope) else None
        if session is None:
            raise ApiError("ResourceNotFoundException", f"Stage session {session_id} not found in {arn}")
        return {"stageSession": session}

    def _get_stage(self, params: dict[str, Any], scope: SigningScope) -> dict[str, Any]:
        stage = self.store.stage(params["arn"]) if self._visible(params["arn"], scope) else None
        if stage is None:
            raise ApiError("ResourceNotFoundException", f"Resource: {params['arn']} not found")
        return {"stage": stage}

    def _list_stage_sessions(self, params: dict[str, Any], scope: SigningScope) -> dict[str, Any]:
        arn = params["stageArn"]
        sessions = self.store.sessions(arn) if self._visible(arn, scope) else []
        page, next_token = self._page("ListStageSessions", params, sessions)
        return {"stageSessions": page, **({"nextToken": next_token} if next_token else {})}

    def _list_participants(self, params: dict[str, Any], scope: SigningScope) -> dict[str, Any]:
        filters = {k: v for k, v in params.items() if k.startswith("filterBy") and v is not None}
        if len(filters) > 1:
            # API reference: "Only one of filterByUserId, filterByPublished, filterByState, or
            # filterByRecordingState can be provided per request."
            raise ApiError(
                "ValidationException",
                "Only one of filterByUserId, filterByPublished, filterByState, "
                "or filterByRecordingState can be provided per request.",
            )
        arn, session_id = params["stageArn"], params["sessionId"]
        everyone = self.store.participants(arn, session_id) if self._visible(arn, scope) else []
        field_of = {
            "filterByUserId": "userId",
            "filterByPublished": "published",
            "filterByState": "state",
            "filterByRecordingState": "recordingState",
        }
        matching = [p for p in everyone if all(p.get(field_of[k]) == v for k, v in filters.items())]
        summary = service_model().shape_for("ParticipantSummary")
        assert isinstance(summary, StructureShape)
        summaries = [{k: v for k, v in p.items() if k in summary.members} for p in matching]
        page, next_token = self._page("ListParticipants", params, summaries)
        return {"participants": page, **({"nextToken": next_token} if next_token else {})}


# --- standalone ---------------------------------------------------------------------------------------


async def _serve(host: str, port: int, latency: float, tps_limit: float | None) -> None:
    endpoint = LocalIvsEndpoint()
    endpoint.faults.latency, endpoint.faults.tps_limit = latency, tps_limit
    url = await endpoint.start(host, port)
    print(f"Local IVS RealTime endpoint on {url}: demo stage {DEMO_STAGE_ARN}, session {DEMO_SESSION_ID}")
    print(f"export AWS_ENDPOINT_URL_IVS_REALTIME={url}")
    # boto3 refuses to send unsigned calls: any non-empty credentials will do (signatures are not checked).
    print("export AWS_ACCESS_KEY_ID=AKIDLOCALIVS AWS_SECRET_ACCESS_KEY=local AWS_DEFAULT_REGION=us-west-2")
    for participant_id, story in DEMO_PARTICIPANTS.items():
        print(f"  {participant_id}  {story}")
    print("Ctrl-C to stop.", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await endpoint.stop()


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m bot.local.ivs_endpoint --port 4566``: serve the demo stage until Ctrl-C."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4566)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every call")
    parser.add_argument("--tps-limit", type=float, default=None, help="e.g. 5, the real per-account quota")
    args = parser.parse_args(argv)
    with suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.host, args.port, args.latency, args.tps_limit))


if __name__ == "__main__":
    main()
