"""The idempotency guard: MemoryStore and RedisStore (against a real redis-server the tests start),
the framework-free API, and the Flask and FastAPI example receivers that use it."""

from __future__ import annotations

import importlib.util
import json
import threading
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import pytest

import qonto_webhooks as qw
from conftest import (
    ONBOARDING_BODY,
    REPO,
    RedisServer,
    business_event,
    redis_server_path,
)
from qonto_webhooks import (
    Claim,
    IdempotencyGuard,
    IdempotencyStoreError,
    InvalidPayloadError,
    MemoryStore,
    RedisStore,
    idempotency_key,
)

SECRET = "whsec_idempotency_business_secret"
ONBOARDING_SECRET = "idempotency_onboarding_secret"
EXAMPLES = REPO / "examples" / "python"
THREADS = 16


class Clock:
    """An injected clock for MemoryStore: time moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# -- MemoryStore --------------------------------------------------------------------------------


def test_memory_claim_then_claim_is_processing() -> None:
    store = MemoryStore()
    first = store.claim("business:e1", 60)
    assert first.state == "claimed" and first.claimed and first.token
    assert store.claim("business:e1", 60) == Claim("processing", "business:e1")
    assert store.claim("business:e2", 60).state == "claimed"


def test_memory_complete_makes_done() -> None:
    store = MemoryStore()
    claim = store.claim("k", 60)
    assert claim.token
    store.complete("k", claim.token, 3600)
    assert store.claim("k", 60) == Claim("done", "k")


def test_memory_release_makes_claimable_again() -> None:
    store = MemoryStore()
    claim = store.claim("k", 60)
    assert claim.token
    store.release("k", claim.token)
    again = store.claim("k", 60)
    assert again.state == "claimed" and again.token != claim.token


def test_memory_token_mismatch_is_a_noop() -> None:
    store = MemoryStore()
    claim = store.claim("k", 60)
    store.complete("k", "not-our-token", 3600)
    assert store.claim("k", 60).state == "processing"
    store.release("k", "not-our-token")
    assert store.claim("k", 60).state == "processing"
    assert claim.token
    store.complete("k", claim.token, 3600)
    store.release("k", claim.token)  # done now: a release no longer applies
    assert store.claim("k", 60).state == "done"


def test_memory_lease_expires() -> None:
    clock = Clock()
    store = MemoryStore(clock=clock)
    late = store.claim("k", 60)
    clock.now += 59
    assert store.claim("k", 60).state == "processing"
    clock.now += 1  # the lease is over: another delivery may claim it
    second = store.claim("k", 60)
    assert second.state == "claimed"
    # The first claim's handler finishing late must not touch the second claim.
    assert late.token
    store.complete("k", late.token, 3600)
    store.release("k", late.token)
    assert store.claim("k", 60).state == "processing"
    assert second.token
    store.complete("k", second.token, 3600)
    assert store.claim("k", 60).state == "done"


def test_memory_done_expires_after_ttl() -> None:
    clock = Clock()
    store = MemoryStore(clock=clock)
    claim = store.claim("k", 60)
    assert claim.token
    store.complete("k", claim.token, 100)
    clock.now += 99
    assert store.claim("k", 60).state == "done"
    clock.now += 1
    assert store.claim("k", 60).state == "claimed"


def test_memory_eviction_drops_expired_entries_first_then_the_oldest() -> None:
    clock = Clock()
    store = MemoryStore(max_entries=3, clock=clock)
    store.claim("a", 1000)
    store.claim("b", 10)
    store.claim("c", 1000)
    clock.now += 10  # b has expired
    store.claim("d", 1000)  # full: b goes, a stays
    assert len(store) == 3
    assert store.claim("a", 1000).state == "processing"
    store.claim("e", 1000)  # full, nothing expired: the oldest (a) goes
    assert len(store) == 3
    assert store.claim("c", 1000).state == "processing"
    assert store.claim("a", 1000).state == "claimed"  # evicted: processed again (documented)
    assert len(store) == 3  # claiming a evicted c, the oldest then
    assert store.claim("d", 1000).state == "processing"


def test_memory_eviction_drops_an_entry_whose_ttl_ended_before_older_ones() -> None:
    clock = Clock()
    store = MemoryStore(max_entries=3, clock=clock)
    store.claim("x", 1000)
    store.claim("y", 1000)
    z = store.claim("z", 1000)
    assert z.token
    store.complete("z", z.token, 5)  # done, remembered for 5 s only
    clock.now += 5
    store.claim("w", 1000)  # full: z has expired and goes; x, the oldest, stays
    assert [store.claim(k, 1000).state for k in ("x", "y", "w")] == ["processing"] * 3
    assert len(store) == 3


def test_memory_arguments_are_checked() -> None:
    with pytest.raises(ValueError):
        MemoryStore(max_entries=0)
    with pytest.raises(TypeError):
        MemoryStore(max_entries=True)
    with pytest.raises(ValueError):
        IdempotencyGuard(lease=0)
    with pytest.raises(ValueError):
        IdempotencyGuard(ttl=float("inf"))
    with pytest.raises(TypeError):
        IdempotencyGuard(lease="60")  # type: ignore[arg-type]


def test_default_guard() -> None:
    guard = IdempotencyGuard()
    assert isinstance(guard.store, MemoryStore)
    assert guard.store.max_entries == 100_000
    assert (guard.lease, guard.ttl) == (60.0, 7 * 24 * 3600.0)


# -- The key ------------------------------------------------------------------------------------


def test_key_from_a_verified_request_and_from_events() -> None:
    body = business_event(id="evt-1")
    verifier = qw.Verifier(SECRET)
    verified = verifier.verify_request({"X-Qonto-Signature": qw.sign(SECRET, body)}, body)
    assert idempotency_key(verified, body) == "business:evt-1"
    assert idempotency_key(verified, json.loads(body)) == "business:evt-1"
    assert (
        idempotency_key(verifier.construct_event(body, qw.sign(SECRET, body))) == "business:evt-1"
    )
    onboarding = qw.Verifier(ONBOARDING_SECRET, schemes="onboarding")
    header = qw.sign_onboarding(ONBOARDING_SECRET, ONBOARDING_BODY)
    event = onboarding.construct_onboarding_event(ONBOARDING_BODY, header)
    assert idempotency_key(event) == "onboarding:75341dcb-0376-474d-97d7-d2c03ff3973c"
    verified = onboarding.verify_request({"Qonto-SHA256-Signature": header}, ONBOARDING_BODY)
    assert idempotency_key(verified, ONBOARDING_BODY) == idempotency_key(event)


@pytest.mark.parametrize(
    "body", [b'{"type":"x"}', b'{"id":""}', b'{"id":42}', b'{"id":null}', b'{"data":{"id":"x"}}']
)
def test_key_needs_a_top_level_string_id(body: bytes) -> None:
    with pytest.raises(InvalidPayloadError) as info:
        idempotency_key("business", body)
    assert info.value.code == "invalid_payload"
    assert "no string `id` to deduplicate on" in str(info.value)


def test_key_refuses_non_objects_and_unknown_schemes() -> None:
    with pytest.raises(InvalidPayloadError):
        idempotency_key("business", b"not json")
    with pytest.raises(InvalidPayloadError):
        idempotency_key("business", b'["id"]')
    with pytest.raises(ValueError):
        idempotency_key("both", b'{"id":"x"}')  # type: ignore[call-overload]
    with pytest.raises(TypeError):
        idempotency_key(b'{"id":"x"}')  # type: ignore[call-overload]


# -- Both stores through the guard ----------------------------------------------------------------


@pytest.fixture(params=["memory", "redis"])
def make_store(request: pytest.FixtureRequest) -> Callable[[], Any]:
    """Makes a store; for Redis each call is a NEW client and RedisStore on the same server (the
    test's server, emptied), as another process or a restarted application would have."""
    if request.param == "memory":
        store = MemoryStore()
        return lambda: store
    server: RedisServer = request.getfixturevalue("redis_server")
    clients: List[Any] = []
    first = server.client()
    first.flushall()
    clients.append(first)

    def make() -> RedisStore:
        client = server.client()
        clients.append(client)
        return RedisStore(client)

    request.addfinalizer(lambda: [c.close() for c in clients])
    return make


def test_guard_claim_complete_release(make_store: Callable[[], Any]) -> None:
    guard = IdempotencyGuard(make_store())
    claim = guard.claim("business:e1")
    assert claim.claimed
    assert guard.claim("business:e1").state == "processing"
    guard.release(claim)
    claim = guard.claim("business:e1")
    assert claim.claimed
    guard.complete(claim)
    done = guard.claim("business:e1")
    assert done == Claim("done", "business:e1")
    with pytest.raises(ValueError):
        guard.complete(done)
    with pytest.raises(ValueError):
        guard.release(done)


def test_store_token_mismatch_is_a_noop(make_store: Callable[[], Any]) -> None:
    store = make_store()
    claim = store.claim("business:e1", 60)
    store.complete("business:e1", "0" * 32, 3600)
    store.release("business:e1", "0" * 32)
    assert store.claim("business:e1", 60).state == "processing"
    store.complete("business:e1", claim.token, 3600)
    store.release("business:e1", claim.token)
    assert store.claim("business:e1", 60).state == "done"


def test_run_runs_once_and_a_failure_lets_the_retry_through(make_store: Callable[[], Any]) -> None:
    guard = IdempotencyGuard(make_store())
    calls: List[int] = []

    def fail() -> None:
        calls.append(1)
        raise RuntimeError("the database is down")

    with pytest.raises(RuntimeError):
        guard.run("business:e1", fail)
    result = guard.run("business:e1", lambda: calls.append(2) or "ok")
    assert (result.state, result.value, result.duplicate) == ("claimed", "ok", False)
    again = guard.run("business:e1", lambda: calls.append(3))
    assert (again.state, again.value, again.duplicate) == ("done", None, True)
    assert calls == [1, 2]


def test_a_restarted_application_still_refuses_the_duplicate(make_store: Callable[[], Any]) -> None:
    first = IdempotencyGuard(make_store())
    assert first.run("onboarding:e1", lambda: 1).state == "claimed"
    # Another guard over a new store instance (for Redis: a new client on the same server).
    second = IdempotencyGuard(make_store())
    assert second.run("onboarding:e1", lambda: 2).state == "done"
    assert second.run("business:e1", lambda: 3).state == "claimed"  # another key space


def test_concurrent_deliveries_run_the_handler_once(make_store: Callable[[], Any]) -> None:
    guard = IdempotencyGuard(make_store())
    calls: List[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS)
    states: List[str] = []

    def handler() -> None:
        with lock:
            calls.append(1)

    def deliver() -> None:
        barrier.wait()
        result = guard.run("business:e1", handler)
        with lock:
            states.append(result.state)

    threads = [threading.Thread(target=deliver) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    assert len(states) == THREADS
    assert states.count("claimed") == 1
    assert set(states) <= {"claimed", "done", "processing"}


# -- Redis only ---------------------------------------------------------------------------------


def test_redis_keys_values_and_expiries(redis_client: Any) -> None:
    store = RedisStore(redis_client, prefix="app1:")
    claim = store.claim("business:e1", 60)
    assert redis_client.get("app1:business:e1") == f"processing:{claim.token}".encode()
    assert 0 < redis_client.pttl("app1:business:e1") <= 60_000
    store.complete("business:e1", claim.token, 3600)
    assert redis_client.get("app1:business:e1") == b"done"
    assert 60_000 < redis_client.pttl("app1:business:e1") <= 3_600_000
    # The default prefix, and another prefix: other key spaces.
    assert RedisStore(redis_client).claim("business:e1", 60).claimed
    assert redis_client.exists("qonto-webhooks:idempotency:business:e1") == 1
    assert RedisStore(redis_client, prefix="app2:").claim("business:e1", 60).claimed


def test_redis_decoded_responses(redis_server: RedisServer) -> None:
    import redis

    client = redis.Redis(host="127.0.0.1", port=redis_server.port, decode_responses=True)
    try:
        client.flushall()
        guard = IdempotencyGuard(RedisStore(client))
        claim = guard.claim("business:e1")
        assert guard.claim("business:e1").state == "processing"
        guard.complete(claim)
        assert guard.claim("business:e1").state == "done"
    finally:
        client.close()


@pytest.fixture
def doomed_redis() -> Iterator[RedisServer]:
    """A server of its own, for the tests that stop it."""
    server = RedisServer(redis_server_path())
    try:
        yield server
    finally:
        server.stop()


def test_redis_down_is_store_unavailable(doomed_redis: RedisServer) -> None:
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    # No retries: each failure is reported at once (the HTTP test below keeps the defaults).
    client = redis.Redis(host="127.0.0.1", port=doomed_redis.port, retry=Retry(NoBackoff(), 0))
    guard = IdempotencyGuard(RedisStore(client))
    claim = guard.claim("business:e1")
    assert claim.claimed
    doomed_redis.stop()
    with pytest.raises(IdempotencyStoreError) as info:
        guard.claim("business:e2")
    assert info.value.code == "idempotency_store_unavailable"
    assert "Redis" in str(info.value)
    with pytest.raises(IdempotencyStoreError):
        guard.complete(claim)
    calls: List[int] = []
    with pytest.raises(IdempotencyStoreError):
        guard.run("business:e3", lambda: calls.append(1))
    assert calls == []  # fail closed: never run without the guard
    client.close()


class BrokenStore:
    def claim(self, key: str, lease: float) -> Claim:
        raise ConnectionError("connection refused")

    def complete(self, key: str, token: str, ttl: float) -> None:
        raise ConnectionError("connection refused")

    def release(self, key: str, token: str) -> None:
        raise ConnectionError("connection refused")


def test_a_custom_store_failure_fails_closed() -> None:
    guard = IdempotencyGuard(BrokenStore())
    with pytest.raises(IdempotencyStoreError) as info:
        guard.claim("business:e1")
    assert info.value.code == "idempotency_store_unavailable"
    assert isinstance(info.value.__cause__, ConnectionError)


def test_store_errors_pickle() -> None:
    import pickle

    error = pickle.loads(pickle.dumps(IdempotencyStoreError("down")))
    assert (type(error), error.code, error.message) == (
        IdempotencyStoreError,
        "idempotency_store_unavailable",
        "down",
    )
    assert not isinstance(error, qw.WebhookVerificationError)
    assert isinstance(error, qw.IdempotencyError)


# -- The HTTP layer: the example receivers -------------------------------------------------------


def load_example(
    name: str, monkeypatch: pytest.MonkeyPatch, redis_url: Optional[str] = None
) -> Any:
    """A fresh instance of examples/python/<name>.py (its own verifiers and guard)."""
    monkeypatch.setenv("QONTO_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("QONTO_ONBOARDING_SECRET", ONBOARDING_SECRET)
    if redis_url:
        monkeypatch.setenv("REDIS_URL", redis_url)
    else:
        monkeypatch.delenv("REDIS_URL", raising=False)
    load_example.count += 1  # type: ignore[attr-defined]
    spec = importlib.util.spec_from_file_location(
        f"example_{name}_{load_example.count}",
        EXAMPLES / f"{name}.py",  # type: ignore[attr-defined]
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


load_example.count = 0  # type: ignore[attr-defined]


class Receiver:
    """An example receiver behind its framework's test client."""

    def __init__(self, framework: str, module: Any) -> None:
        self.framework = framework
        self.module = module
        if framework == "flask":
            self.client: Any = module.app.test_client()
        else:
            from fastapi.testclient import TestClient

            self.client = TestClient(module.app, raise_server_exceptions=False)

    def post(self, path: str, body: bytes, headers: Dict[str, str]) -> Tuple[int, Any, Any]:
        headers = {"Content-Type": "application/json", **headers}
        if self.framework == "flask":
            r = self.client.post(path, data=body, headers=headers)
            return r.status_code, r.get_json(silent=True), r.headers
        r = self.client.post(path, content=body, headers=headers)
        try:
            payload = r.json()
        except ValueError:
            payload = None
        return r.status_code, payload, r.headers

    def business(self, body: bytes) -> Tuple[int, Any, Any]:
        return self.post("/webhooks", body, {"X-Qonto-Signature": qw.sign(SECRET, body)})

    def onboarding(self, body: bytes, header: Optional[str] = None) -> Tuple[int, Any, Any]:
        header = header or qw.sign_onboarding(ONBOARDING_SECRET, body)
        return self.post("/webhooks/onboarding", body, {"Qonto-SHA256-Signature": header})

    @property
    def processed(self) -> List[Any]:
        return list(self.module.queue)


@pytest.fixture(params=["flask_receiver", "fastapi_receiver"])
def receiver(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Receiver:
    name = request.param
    return Receiver(
        "flask" if name.startswith("flask") else "fastapi", load_example(name, monkeypatch)
    )


def test_http_a_duplicate_is_answered_200_and_not_processed(receiver: Receiver) -> None:
    body = business_event(id="evt-1")
    status, payload, _ = receiver.business(body)
    assert (status, payload) == (200, {"received": True, "id": "evt-1"})
    status, payload, _ = receiver.business(body)  # Qonto's retry: signed again, same id
    assert (status, payload) == (200, {"duplicate": True, "id": "evt-1"})
    assert len(receiver.processed) == 1


def test_http_in_progress_is_409_with_retry_after(receiver: Receiver) -> None:
    body = business_event(id="evt-1")
    claim = receiver.module.guard.claim("business:evt-1")  # another delivery is processing it
    status, payload, headers = receiver.business(body)
    assert status == 409
    assert payload == {
        "error": "duplicate_in_progress",
        "message": "event evt-1 is being processed by another delivery; Qonto will retry it",
    }
    assert headers["Retry-After"] == "60"
    assert receiver.processed == []
    receiver.module.guard.release(claim)  # that delivery failed: the retry is processed
    assert receiver.business(body)[0] == 200
    assert len(receiver.processed) == 1


def test_http_a_failing_handler_lets_the_retry_through(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = business_event(id="evt-1")
    original = receiver.module.process
    calls: List[str] = []

    def failing(event: Any) -> None:  # the receivers' process(event): the typed event
        calls.append(event.id)
        raise RuntimeError("the queue is down")

    monkeypatch.setattr(receiver.module, "process", failing)
    assert receiver.business(body)[0] == 500
    monkeypatch.setattr(receiver.module, "process", original)
    status, payload, _ = receiver.business(body)
    assert (status, payload) == (200, {"received": True, "id": "evt-1"})
    assert calls == ["evt-1"] and len(receiver.processed) == 1


def test_http_a_handler_answering_an_error_releases_the_event(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = business_event(id="evt-1")
    original = receiver.module.process

    def refusing(event: Any) -> Any:  # the framework's own way of answering an error
        if receiver.framework == "flask":
            return {"error": "queue_full"}, 503
        from fastapi import HTTPException

        raise HTTPException(503, "queue_full")

    monkeypatch.setattr(receiver.module, "process", refusing)
    assert receiver.business(body)[0] == 503
    monkeypatch.setattr(receiver.module, "process", original)
    assert receiver.business(body)[:2] == (200, {"received": True, "id": "evt-1"})


def test_http_the_guard_runs_after_verification(receiver: Receiver) -> None:
    body = business_event(id="evt-1")
    tampered = body.replace(b"12.5", b"1250")
    status, payload, _ = receiver.post(
        "/webhooks", tampered, {"X-Qonto-Signature": qw.sign(SECRET, body)}
    )
    assert status == 400 and payload["error"] == "signature_mismatch"
    # The forged delivery did not touch the store: the genuine one is processed.
    assert receiver.module.guard.claim("business:evt-1").claimed


def test_http_an_event_without_an_id_is_invalid_payload(receiver: Receiver) -> None:
    for body in (b'{"type":"v1/transactions"}', b'{"id":7}', b"[1]", b"not json"):
        status, payload, _ = receiver.business(body)
        assert status == 400 and payload["error"] == "invalid_payload", (body, payload)
    assert receiver.processed == []


def test_http_an_onboarding_replay_is_refused(receiver: Receiver) -> None:
    header = qw.sign_onboarding(ONBOARDING_SECRET, ONBOARDING_BODY)
    first = receiver.onboarding(ONBOARDING_BODY, header)
    assert first[:2] == (200, {"received": True, "id": "75341dcb-0376-474d-97d7-d2c03ff3973c"})
    # The same captured request, byte for byte: it still verifies (no timestamp), the guard refuses it.
    replay = receiver.onboarding(ONBOARDING_BODY, header)
    assert replay[:2] == (200, {"duplicate": True, "id": "75341dcb-0376-474d-97d7-d2c03ff3973c"})
    assert len(receiver.processed) == 1


def test_http_business_and_onboarding_ids_are_apart(receiver: Receiver) -> None:
    same_id = json.loads(ONBOARDING_BODY)["id"]
    assert receiver.onboarding(ONBOARDING_BODY)[0] == 200
    status, payload, _ = receiver.business(business_event(id=same_id))
    assert (status, payload) == (200, {"received": True, "id": same_id})
    assert [scheme for scheme, _ in receiver.processed] == ["onboarding", "business"]


def test_http_store_unavailable_is_503(receiver: Receiver) -> None:
    receiver.module.guard.store = BrokenStore()
    status, payload, _ = receiver.business(business_event(id="evt-1"))
    assert status == 503 and payload["error"] == "idempotency_store_unavailable"
    assert receiver.processed == []


def test_http_concurrent_deliveries_through_flask(monkeypatch: pytest.MonkeyPatch) -> None:
    module = load_example("flask_receiver", monkeypatch)
    body = business_event(id="evt-1")
    headers = {"X-Qonto-Signature": qw.sign(SECRET, body), "Content-Type": "application/json"}
    barrier = threading.Barrier(THREADS)
    answers: List[Tuple[int, Any]] = []
    lock = threading.Lock()

    def deliver() -> None:
        client = module.app.test_client()
        barrier.wait()
        r = client.post("/webhooks", data=body, headers=headers)
        with lock:
            answers.append((r.status_code, r.get_json()))

    threads = [threading.Thread(target=deliver) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(module.queue) == 1
    assert len(answers) == THREADS
    processed = [a for a in answers if a == (200, {"received": True, "id": "evt-1"})]
    assert len(processed) == 1
    for status, payload in answers:
        assert (status, payload) in (
            (200, {"received": True, "id": "evt-1"}),
            (200, {"duplicate": True, "id": "evt-1"}),
        ) or (status == 409 and payload["error"] == "duplicate_in_progress"), (status, payload)


def signed_request(body: bytes) -> Tuple[qw.Verifier, Dict[str, str]]:
    return qw.Verifier(SECRET), {"X-Qonto-Signature": qw.sign(SECRET, body)}


def test_handle_request_refuses_an_async_handler_and_releases() -> None:
    guard = IdempotencyGuard()
    body = business_event(id="evt-1")
    verifier, headers = signed_request(body)

    async def handler(verified: Any, event: Dict[str, Any]) -> None:
        raise AssertionError("never awaited")

    with pytest.raises(TypeError, match="handle_request_async"):
        guard.handle_request(verifier, headers, body, handler)
    assert guard.claim("business:evt-1").claimed  # released


def test_handle_request_async() -> None:
    import asyncio

    guard = IdempotencyGuard()
    body = business_event(id="evt-1")
    verifier, headers = signed_request(body)
    calls: List[str] = []

    async def failing(verified: Any, event: Dict[str, Any]) -> None:
        calls.append("failing")
        raise RuntimeError("down")

    async def handler(verified: Any, event: Dict[str, Any]) -> Dict[str, str]:
        await asyncio.sleep(0)
        calls.append(verified.scheme)
        return {"queued": event["id"]}

    async def main() -> None:
        with pytest.raises(RuntimeError):
            await guard.handle_request_async(verifier, headers, body, failing)
        r = await guard.handle_request_async(verifier, headers, body, handler)
        assert (r.status, r.body) == (200, {"queued": "evt-1"})
        r = await guard.handle_request_async(verifier, headers, body, handler)
        assert (r.status, r.body) == (200, {"duplicate": True, "id": "evt-1"})
        # A plain function works too.
        other = business_event(id="evt-2")
        r = await guard.handle_request_async(
            verifier, {"X-Qonto-Signature": qw.sign(SECRET, other)}, other, lambda v, e: None
        )
        assert (r.status, r.body) == (200, {"received": True, "id": "evt-2"})
        # Cancelled while the handler runs (the client went away): released.
        third = business_event(id="evt-3")
        started = asyncio.Event()

        async def slow(verified: Any, event: Dict[str, Any]) -> None:
            started.set()
            await asyncio.Event().wait()  # never set

        task = asyncio.ensure_future(
            guard.handle_request_async(
                verifier, {"X-Qonto-Signature": qw.sign(SECRET, third)}, third, slow
            )
        )
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert guard.claim("business:evt-3").claimed

    asyncio.run(main())
    assert calls == ["failing", "business"]


# -- The HTTP layer over Redis --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["flask_receiver", "fastapi_receiver"])
def test_http_redis_restart_still_refuses_the_duplicate(
    name: str, redis_client: Any, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    framework = "flask" if name.startswith("flask") else "fastapi"
    first = Receiver(framework, load_example(name, monkeypatch, redis_server.url))
    assert isinstance(first.module.guard.store, RedisStore)
    body = business_event(id="evt-1")
    assert first.business(body)[:2] == (200, {"received": True, "id": "evt-1"})
    assert redis_client.get("qonto-webhooks:idempotency:business:evt-1") == b"done"
    # The application restarted: a new module, client, store and guard on the same server.
    second = Receiver(framework, load_example(name, monkeypatch, redis_server.url))
    assert second.module.guard is not first.module.guard
    assert second.business(body)[:2] == (200, {"duplicate": True, "id": "evt-1"})
    header = qw.sign_onboarding(ONBOARDING_SECRET, ONBOARDING_BODY)
    assert first.onboarding(ONBOARDING_BODY, header)[0] == 200
    assert second.onboarding(ONBOARDING_BODY, header)[1]["duplicate"] is True
    assert len(first.processed) == 2 and second.processed == []


def test_http_redis_concurrent_deliveries_through_flask(
    redis_client: Any, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two application instances (two workers) on one Redis, eight threads each.
    modules = [load_example("flask_receiver", monkeypatch, redis_server.url) for _ in range(2)]
    body = business_event(id="evt-1")
    headers = {"X-Qonto-Signature": qw.sign(SECRET, body), "Content-Type": "application/json"}
    barrier = threading.Barrier(THREADS)
    answers: List[Tuple[int, Any]] = []
    lock = threading.Lock()

    def deliver(module: Any) -> None:
        client = module.app.test_client()
        barrier.wait()
        r = client.post("/webhooks", data=body, headers=headers)
        with lock:
            answers.append((r.status_code, r.get_json()))

    threads = [threading.Thread(target=deliver, args=(modules[i % 2],)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(len(m.queue) for m in modules) == 1
    assert answers.count((200, {"received": True, "id": "evt-1"})) == 1
    assert all(
        a in ((200, {"received": True, "id": "evt-1"}), (200, {"duplicate": True, "id": "evt-1"}))
        or (a[0] == 409 and a[1]["error"] == "duplicate_in_progress")
        for a in answers
    ), answers


def test_http_redis_down_is_503(doomed_redis: RedisServer, monkeypatch: pytest.MonkeyPatch) -> None:
    receiver = Receiver("flask", load_example("flask_receiver", monkeypatch, doomed_redis.url))
    assert receiver.business(business_event(id="evt-1"))[0] == 200
    doomed_redis.stop()
    status, payload, _ = receiver.business(business_event(id="evt-2"))
    assert status == 503 and payload["error"] == "idempotency_store_unavailable"
    assert len(receiver.processed) == 1
