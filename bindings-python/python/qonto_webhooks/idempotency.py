"""Duplicate deliveries: an idempotency guard keyed on the verified event's id.

Qonto retries a delivery until it gets a 2xx within 1 s, for days, so one event can arrive more
than once; an onboarding webhook has no timestamp, so a captured one verifies forever and
remembering its id is the only replay defence. The guard runs AFTER the signature check (an
unverified body never touches the store) and remembers ``"<scheme>:<id>"``:

- :meth:`IdempotencyGuard.claim` records the key as *processing* for ``lease`` seconds and
  answers ``"claimed"`` (run the handler), ``"processing"`` (another delivery holds it) or
  ``"done"`` (already processed);
- :meth:`IdempotencyGuard.complete` marks it *done* for ``ttl`` seconds once the handler
  succeeded; :meth:`IdempotencyGuard.release` forgets it when the handler failed, so that Qonto's
  retry is processed.

:meth:`IdempotencyGuard.run` does all three around a function, and
:meth:`IdempotencyGuard.handle_request` around a whole HTTP request (verification, key, claim,
handler), answering as every binding of the library does: 200 ``{"duplicate": true, "id": ...}``
for a processed event, 409 ``duplicate_in_progress`` with ``Retry-After`` while another delivery
holds it, 503 ``idempotency_store_unavailable`` when the store fails (the handler is never run
without the guard).

Stores: :class:`MemoryStore` (the default: one process, bounded, an evicted id can be processed
again) and :class:`RedisStore` (shared by every process, over a ``redis.Redis`` client you make).
Any object with the three methods of :class:`Store` works.

This module is plain Python: it behaves the same under the native module and the pure-Python
fallback.
"""

from __future__ import annotations

import inspect
import logging
import math
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    Generic,
    Literal,
    Mapping,
    Optional,
    Tuple,
    Protocol,
    TypeVar,
    Union,
    overload,
)

from ._events import Event, OnboardingEvent, _load_object
from .exceptions import IdempotencyStoreError, InvalidPayloadError, WebhookVerificationError

if TYPE_CHECKING:
    import redis

    from . import Verifier
    from ._native import Verified

__all__ = [
    "ClaimState",
    "Claim",
    "Store",
    "MemoryStore",
    "RedisStore",
    "IdempotencyGuard",
    "RunResult",
    "WebhookResponse",
    "idempotency_key",
    "DEFAULT_LEASE",
    "DEFAULT_TTL",
    "DEFAULT_MAX_ENTRIES",
    "DEFAULT_REDIS_PREFIX",
]

_log = logging.getLogger("qonto_webhooks.idempotency")

#: How long a claim holds a key while its handler runs (seconds): 60.
DEFAULT_LEASE: float = 60.0
#: How long a processed id is remembered (seconds): 7 days, longer than Qonto's retries.
DEFAULT_TTL: float = 7 * 24 * 3600.0
#: How many keys a :class:`MemoryStore` keeps at most: 100 000.
DEFAULT_MAX_ENTRIES: int = 100_000
#: The prefix a :class:`RedisStore` puts before each key.
DEFAULT_REDIS_PREFIX: str = "qonto-webhooks:idempotency:"

#: What a claim found: ``"claimed"`` (the key was free: it is ours now, run the handler),
#: ``"processing"`` (another delivery holds it) or ``"done"`` (already processed).
ClaimState = Literal["claimed", "processing", "done"]

_T = TypeVar("_T")
_Body = Union[bytes, bytearray, memoryview, str]


@dataclass(frozen=True)
class Claim:
    """The answer of :meth:`Store.claim` / :meth:`IdempotencyGuard.claim`.

    Attributes:
        state: ``"claimed"``, ``"processing"`` or ``"done"``.
        key: the key as the guard gave it to the store (``"<scheme>:<id>"``).
        token: the random token of our claim when ``state == "claimed"`` (``complete`` and
            ``release`` act only while the entry still holds it), else ``None``.
    """

    state: ClaimState
    key: str
    token: Optional[str] = field(default=None, repr=False)

    @property
    def claimed(self) -> bool:
        """Whether the key is ours: run the handler, then complete or release."""
        return self.state == "claimed"


class Store(Protocol):
    """What the guard needs from a store. Each operation must be atomic with respect to the
    others (across processes, for a shared store); ``lease`` and ``ttl`` are in seconds. Raise
    anything on failure: the guard turns it into :class:`IdempotencyStoreError` and does not run
    the handler."""

    def claim(self, key: str, lease: float) -> Claim:
        """If ``key`` is absent or expired: record it as processing with a fresh random token
        until now + ``lease`` and return ``Claim("claimed", key, token)``; else
        ``Claim("processing", key)`` or ``Claim("done", key)``."""
        ...

    def complete(self, key: str, token: str, ttl: float) -> None:
        """If ``key`` still holds our claim (``token``): mark it done until now + ``ttl``; else
        nothing."""
        ...

    def release(self, key: str, token: str) -> None:
        """If ``key`` still holds our claim (``token``): delete it; else nothing."""
        ...


def _new_token() -> str:
    return secrets.token_hex(16)


def _check_seconds(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number of seconds, not {type(value).__qualname__}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number of seconds, not {value!r}")
    return float(value)


class MemoryStore:
    """Keeps keys in this process's memory: thread-safe (one lock), bounded.

    ``MemoryStore(*, max_entries=100_000, clock=time.monotonic)``

    When ``max_entries`` keys are held, inserting a new one first drops the expired entries, then
    the oldest ones (in insertion order): **an evicted id can be processed again**, and so can
    every id after a restart or in another process. Use :class:`RedisStore` (or your own
    :class:`Store`) when several processes receive webhooks. Expiry is checked lazily, on access.
    ``clock`` (seconds, monotonic) is for tests.
    """

    def __init__(
        self, *, max_entries: int = DEFAULT_MAX_ENTRIES, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if isinstance(max_entries, bool) or not isinstance(max_entries, int):
            raise TypeError(f"max_entries must be an int, not {type(max_entries).__qualname__}")
        if max_entries < 1:
            raise ValueError(f"max_entries must be at least 1, not {max_entries}")
        self.max_entries = max_entries
        self._clock = clock
        self._lock = threading.Lock()
        # key -> (state, token, expires at); insertion order is the eviction order.
        self._entries: OrderedDict[str, Tuple[str, Optional[str], float]] = OrderedDict()
        # No entry expires before this: a full store is scanned for expired entries only once
        # one may have expired (it may be earlier than the true minimum, never later).
        self._earliest = math.inf

    def __len__(self) -> int:
        """The number of entries held, expired ones included until they are dropped."""
        with self._lock:
            return len(self._entries)

    def _live(self, key: str, now: float) -> Optional[Tuple[str, Optional[str], float]]:
        entry = self._entries.get(key)
        if entry is not None and entry[2] <= now:
            del self._entries[key]
            return None
        return entry

    def _set(self, key: str, entry: Tuple[str, Optional[str], float]) -> None:
        self._entries[key] = entry
        self._earliest = min(self._earliest, entry[2])

    def _make_room(self, now: float) -> None:
        if len(self._entries) < self.max_entries:
            return
        if self._earliest <= now:
            for key in [k for k, (_, _, expires) in self._entries.items() if expires <= now]:
                del self._entries[key]
            self._earliest = min((e[2] for e in self._entries.values()), default=math.inf)
        while len(self._entries) >= self.max_entries:
            self._entries.popitem(last=False)

    def claim(self, key: str, lease: float) -> Claim:
        with self._lock:
            now = self._clock()
            entry = self._live(key, now)
            if entry is not None:
                return Claim("done" if entry[0] == "done" else "processing", key)
            self._make_room(now)
            token = _new_token()
            self._set(key, ("processing", token, now + lease))
            return Claim("claimed", key, token)

    def complete(self, key: str, token: str, ttl: float) -> None:
        with self._lock:
            now = self._clock()
            entry = self._live(key, now)
            if entry is not None and entry[0] == "processing" and entry[1] == token:
                self._set(key, ("done", None, now + ttl))  # keeps its place in the order

    def release(self, key: str, token: str) -> None:
        with self._lock:
            entry = self._live(key, self._clock())
            if entry is not None and entry[0] == "processing" and entry[1] == token:
                del self._entries[key]


# KEYS[1]: the key; ARGV[1]: "processing:<token>"; ARGV[2]: the TTL in milliseconds.
_COMPLETE_LUA = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], 'done', 'PX', ARGV[2])
  return 1
end
return 0
"""
_RELEASE_LUA = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


def _text(value: Any) -> Optional[str]:
    if value is None:
        return None
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


class RedisStore:
    """Keeps keys in Redis, shared by every process and surviving restarts of the application.

    ``RedisStore(client, *, prefix="qonto-webhooks:idempotency:")``

    ``client`` is a ``redis.Redis`` you make (``redis.Redis.from_url(...)``; the package does not
    depend on redis-py). claim is ``SET key "processing:<token>" NX PX <lease ms>`` (then ``GET``
    to tell processing from done); complete and release are Lua scripts (``EVALSHA``) that act
    only while the key still holds our token. Every Redis failure raises
    :class:`IdempotencyStoreError`.
    """

    def __init__(self, client: redis.Redis, *, prefix: str = DEFAULT_REDIS_PREFIX) -> None:
        if not isinstance(prefix, str):
            raise TypeError(f"prefix must be a str, not {type(prefix).__qualname__}")
        self.client = client
        self.prefix = prefix
        self._complete = client.register_script(_COMPLETE_LUA)
        self._release = client.register_script(_RELEASE_LUA)

    def _fail(self, what: str, error: Exception) -> IdempotencyStoreError:
        return IdempotencyStoreError(
            f"the idempotency store (Redis) failed to {what}: {type(error).__name__}: {error}"
        )

    def claim(self, key: str, lease: float) -> Claim:
        name = self.prefix + key
        lease_ms = max(1, int(lease * 1000))
        try:
            # The key can expire between SET NX and GET: then claim again (a few times at most).
            for _ in range(3):
                token = _new_token()
                if self.client.set(name, f"processing:{token}", nx=True, px=lease_ms):
                    return Claim("claimed", key, token)
                value = _text(self.client.get(name))
                if value == "done":
                    return Claim("done", key)
                if value is not None:
                    return Claim("processing", key)
        except Exception as e:  # noqa: BLE001 - any client failure: fail closed
            raise self._fail("claim the event", e) from e
        raise IdempotencyStoreError(
            f"the idempotency store (Redis) could not claim {key!r}: its entry kept expiring"
        )

    def complete(self, key: str, token: str, ttl: float) -> None:
        try:
            self._complete(
                keys=[self.prefix + key], args=[f"processing:{token}", max(1, int(ttl * 1000))]
            )
        except Exception as e:  # noqa: BLE001
            raise self._fail("mark the event done", e) from e

    def release(self, key: str, token: str) -> None:
        try:
            self._release(keys=[self.prefix + key], args=[f"processing:{token}"])
        except Exception as e:  # noqa: BLE001
            raise self._fail("release the event", e) from e


_SCHEMES = ("business", "onboarding")
_NO_ID = "the event has no string `id` to deduplicate on"


@overload
def idempotency_key(event: Union[Event, OnboardingEvent], /) -> str: ...


@overload
def idempotency_key(
    verified: Union[Verified, Literal["business", "onboarding"]],
    payload: Union[_Body, Mapping[str, Any]],
    /,
) -> str: ...


def idempotency_key(source: Any, payload: Any = None, /) -> str:
    """The key of a verified event: ``"<scheme>:<id>"``.

    ``idempotency_key(event)`` for an :class:`Event` (``business``) or :class:`OnboardingEvent`
    (``onboarding``); ``idempotency_key(verified, body)`` for what :meth:`Verifier.verify_request`
    returned and the raw body (or the parsed JSON object); the scheme may also be given as
    ``"business"`` or ``"onboarding"``. The id is the body's top-level ``id``.

    Raises:
        InvalidPayloadError: the body is not a JSON object, or has no non-empty string ``id``.

    >>> idempotency_key("business", b'{"id":"0195a1b2","type":"v1/transactions"}')
    'business:0195a1b2'
    """
    if payload is None:
        if isinstance(source, Event):
            return f"business:{source.id}"
        if isinstance(source, OnboardingEvent):
            return f"onboarding:{source.id}"
        raise TypeError(
            "idempotency_key takes an Event or OnboardingEvent, or (verified, body); "
            f"not {type(source).__qualname__} alone"
        )
    scheme = source if isinstance(source, str) else getattr(source, "scheme", None)
    if scheme not in _SCHEMES:
        raise ValueError(f"the scheme must be 'business' or 'onboarding', not {scheme!r}")
    obj = payload if isinstance(payload, Mapping) else _load_object(payload)
    id_ = obj.get("id")
    if not isinstance(id_, str) or not id_:
        raise InvalidPayloadError(_NO_ID, scheme=scheme)
    return f"{scheme}:{id_}"


@dataclass(frozen=True)
class RunResult(Generic[_T]):
    """What :meth:`IdempotencyGuard.run` did.

    Attributes:
        state: ``"claimed"`` when the function ran (and succeeded); ``"done"`` or ``"processing"``
            when it did not (a duplicate).
        key: the event's key.
        value: what the function returned, when it ran; else ``None``.
    """

    state: ClaimState
    key: str
    value: Optional[_T] = None

    @property
    def duplicate(self) -> bool:
        """Whether the function was skipped because the event is a duplicate."""
        return self.state != "claimed"


@dataclass(frozen=True)
class WebhookResponse:
    """An HTTP answer, framework-free: ``status``, a JSON-serialisable ``body`` and ``headers``.

    Flask: ``return r.body, r.status, r.headers``; FastAPI/Starlette:
    ``JSONResponse(r.body, status_code=r.status, headers=r.headers)``; Django:
    ``JsonResponse(r.body, status=r.status, headers=r.headers)``.
    """

    status: int
    body: Any
    headers: Mapping[str, str] = field(default_factory=dict)


_KeySource = Union[str, Event, OnboardingEvent]


class IdempotencyGuard:
    """Processes each verified event once.

    ``IdempotencyGuard(store=None, *, lease=60, ttl=604800)``

    Args:
        store: where keys are kept: a :class:`MemoryStore` of its own by default (one process),
            :class:`RedisStore`, or any :class:`Store`.
        lease: seconds a claim holds a key while the handler runs (60); a handler that takes
            longer may see a retry processed beside it. Also the ``Retry-After`` of a 409.
        ttl: seconds a processed id is remembered (7 days: Qonto retries for "a few days").

    Framework-free: claim, process (or enqueue), then complete (or release on failure)::

        claim = guard.claim(idempotency_key(verified, body))
        if claim.claimed:
            try:
                enqueue(body)
            except BaseException:
                guard.release(claim)
                raise
            guard.complete(claim)

    or ``guard.run(key, fn)``, or ``guard.handle_request(verifier, headers, body, handler)``.
    Store failures raise :class:`IdempotencyStoreError`. Thread-safe (as its store).
    """

    def __init__(
        self,
        store: Optional[Store] = None,
        *,
        lease: float = DEFAULT_LEASE,
        ttl: float = DEFAULT_TTL,
    ) -> None:
        self.store: Store = MemoryStore() if store is None else store
        self.lease = _check_seconds("lease", lease)
        self.ttl = _check_seconds("ttl", ttl)

    @staticmethod
    def _key(source: _KeySource) -> str:
        if isinstance(source, str):
            if not source:
                raise ValueError("the idempotency key must not be empty")
            return source
        if isinstance(source, (Event, OnboardingEvent)):
            return idempotency_key(source)
        raise TypeError(
            "a key is a str (see idempotency_key) or an Event / OnboardingEvent, "
            f"not {type(source).__qualname__}"
        )

    def claim(self, key: _KeySource) -> Claim:
        """Claims the event (a key from :func:`idempotency_key`, or an event).

        Returns:
            a :class:`Claim`: ``claimed`` (process it, then :meth:`complete` or :meth:`release`),
            ``processing`` or ``done`` (a duplicate: do not process it).

        Raises:
            IdempotencyStoreError: the store failed (do not process the event: answer 503, and
                Qonto retries).
        """
        name = self._key(key)
        try:
            claim = self.store.claim(name, self.lease)
        except IdempotencyStoreError:
            raise
        except Exception as e:  # noqa: BLE001 - a custom store's failure: fail closed
            raise IdempotencyStoreError(
                f"the idempotency store failed to claim the event: {type(e).__name__}: {e}"
            ) from e
        if not isinstance(claim, Claim) or claim.state not in ("claimed", "processing", "done"):
            raise IdempotencyStoreError(f"the idempotency store answered {claim!r}, not a Claim")
        if claim.claimed and not claim.token:
            raise IdempotencyStoreError("the idempotency store claimed the event without a token")
        return claim

    @staticmethod
    def _ours(claim: Claim, what: str) -> str:
        if not isinstance(claim, Claim):
            raise TypeError(f"{what} takes the Claim that claim() returned")
        if not claim.claimed or claim.token is None:
            raise ValueError(f"{what}: this claim is {claim.state!r}, not ours to {what}")
        return claim.token

    def complete(self, claim: Claim) -> None:
        """The event was processed: remember it as done for ``ttl`` seconds.

        Raises:
            ValueError: ``claim`` is not ``claimed``.
            IdempotencyStoreError: the store failed (the key stays processing until the lease
                ends, after which a retry is processed again).
        """
        token = self._ours(claim, "complete")
        try:
            self.store.complete(claim.key, token, self.ttl)
        except IdempotencyStoreError:
            raise
        except Exception as e:  # noqa: BLE001
            raise IdempotencyStoreError(
                f"the idempotency store failed to mark the event done: {type(e).__name__}: {e}"
            ) from e

    def release(self, claim: Claim) -> None:
        """Processing failed: forget the claim, so that Qonto's retry is processed.

        Raises:
            ValueError: ``claim`` is not ``claimed``.
            IdempotencyStoreError: the store failed (the key is freed when the lease ends).
        """
        token = self._ours(claim, "release")
        try:
            self.store.release(claim.key, token)
        except IdempotencyStoreError:
            raise
        except Exception as e:  # noqa: BLE001
            raise IdempotencyStoreError(
                f"the idempotency store failed to release the event: {type(e).__name__}: {e}"
            ) from e

    def _finish(self, claim: Claim, ok: bool) -> None:
        """complete or release after the handler; a store failure then is logged, not raised:
        the handler's own outcome is what the caller must see."""
        try:
            if ok:
                self.complete(claim)
            else:
                self.release(claim)
        except IdempotencyStoreError as e:
            _log.warning("%s (key %s)", e, claim.key)

    def run(self, key: _KeySource, fn: Callable[[], _T]) -> RunResult[_T]:
        """Runs ``fn()`` unless the event is a duplicate: claim, call, then complete when it
        returns or release when it raises (the exception propagates).

        Returns:
            a :class:`RunResult`: ``state == "claimed"`` and ``fn``'s ``value`` when it ran;
            ``"done"`` / ``"processing"`` (``duplicate`` is true) when it did not.

        Raises:
            IdempotencyStoreError: the store failed to claim (``fn`` did not run).
        """
        claim = self.claim(key)
        if not claim.claimed:
            return RunResult(claim.state, claim.key)
        try:
            value = fn()
        except BaseException:
            self._finish(claim, ok=False)
            raise
        self._finish(claim, ok=True)
        return RunResult("claimed", claim.key, value)

    def duplicate_response(self, claim: Claim) -> Optional[WebhookResponse]:
        """The HTTP answer to a duplicate, ``None`` for a claimed event: 200
        ``{"duplicate": true, "id": ...}`` when done, 409 ``duplicate_in_progress`` with
        ``Retry-After: <lease>`` while another delivery holds it."""
        if claim.claimed:
            return None
        id_ = claim.key.split(":", 1)[1] if ":" in claim.key else claim.key
        if claim.state == "done":
            return WebhookResponse(200, {"duplicate": True, "id": id_})
        return WebhookResponse(
            409,
            {
                "error": "duplicate_in_progress",
                "message": f"event {id_} is being processed by another delivery; Qonto will retry it",
            },
            {"Retry-After": str(math.ceil(self.lease))},
        )

    def _admit(
        self, verifier: Verifier, headers: Any, body: _Body, now: Optional[int]
    ) -> Union[WebhookResponse, Tuple[Claim, Verified, Dict[str, Any]]]:
        """Verification, key and claim: the answer when the handler must not run, else what it
        needs."""
        try:
            verified = verifier.verify_request(headers, body, now=now)
            obj = _load_object(body)
            key = idempotency_key(verified, obj)
        except WebhookVerificationError as e:
            return WebhookResponse(400, {"error": e.code, "message": str(e)})
        try:
            claim = self.claim(key)
        except IdempotencyStoreError as e:
            return WebhookResponse(503, {"error": e.code, "message": str(e)})
        duplicate = self.duplicate_response(claim)
        if duplicate is not None:
            return duplicate
        return claim, verified, obj

    def _conclude(self, claim: Claim, obj: Dict[str, Any], answer: Any) -> WebhookResponse:
        if isinstance(answer, WebhookResponse):
            self._finish(claim, ok=200 <= answer.status < 300)
            return answer
        self._finish(claim, ok=True)
        if answer is None:
            answer = {"received": True, "id": obj["id"]}
        return WebhookResponse(200, answer)

    def handle_request(
        self,
        verifier: Verifier,
        headers: Any,
        body: _Body,
        handler: Callable[[Verified, Dict[str, Any]], Any],
        *,
        now: Optional[int] = None,
    ) -> WebhookResponse:
        """Verifies a request, then runs ``handler(verified, event)`` at most once per event.

        ``event`` is the body's JSON object. The answer:

        - the request does not verify: 400 ``{"error": <code>, "message": ...}``;
        - it verifies but its body has no string ``id``: 400 ``invalid_payload``;
        - the store fails: 503 ``idempotency_store_unavailable`` (the handler does not run);
        - already processed: 200 ``{"duplicate": true, "id": ...}``;
        - another delivery is processing it: 409 ``duplicate_in_progress``, ``Retry-After``;
        - else the handler runs. It returns a :class:`WebhookResponse` (used as is; a status
          outside 2xx releases the event, so the retry is processed), or any other value: 200
          with that value as the body (``None``: ``{"received": true, "id": ...}``). When it
          raises, the event is released and the exception propagates (your framework's 500).

        ``headers``, ``body`` and ``now`` are as for :meth:`Verifier.verify_request`. For an
        ``async def`` handler, use :meth:`handle_request_async` (a coroutine returned here is
        refused with a ``TypeError``, the event released).
        """
        admitted = self._admit(verifier, headers, body, now)
        if isinstance(admitted, WebhookResponse):
            return admitted
        claim, verified, obj = admitted
        try:
            answer = handler(verified, obj)
            if inspect.isawaitable(answer):
                if inspect.iscoroutine(answer):
                    answer.close()
                raise TypeError("the handler is async: use `await guard.handle_request_async(...)`")
        except BaseException:
            self._finish(claim, ok=False)
            raise
        return self._conclude(claim, obj, answer)

    async def handle_request_async(
        self,
        verifier: Verifier,
        headers: Any,
        body: _Body,
        handler: Callable[[Verified, Dict[str, Any]], Any],
        *,
        now: Optional[int] = None,
    ) -> WebhookResponse:
        """:meth:`handle_request` for asyncio frameworks (FastAPI, Starlette, aiohttp): the
        handler may be ``async def`` (awaited) or plain. The store's calls stay synchronous (a
        dict lookup, or one Redis round trip each)."""
        admitted = self._admit(verifier, headers, body, now)
        if isinstance(admitted, WebhookResponse):
            return admitted
        claim, verified, obj = admitted
        try:
            answer = handler(verified, obj)
            if inspect.isawaitable(answer):
                answer = await answer
        except BaseException:  # CancelledError included: the client went away
            self._finish(claim, ok=False)
            raise
        return self._conclude(claim, obj, answer)
