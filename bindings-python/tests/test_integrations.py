"""The framework integrations (qonto_webhooks.django, .flask, .starlette / .fastapi, .aiohttp), each
run for real: Django's test Client with CSRF checks on, Flask's test client, Starlette's and
FastAPI's TestClient, and aiohttp's test server on a loopback port. Every framework answers the
same requests the same way: the view gets the typed event, refusals are the package's JSON."""

# No `from __future__ import annotations`: FastAPI reads the endpoints' annotations at run time.
import asyncio
import importlib.util
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import types
import urllib.error
import urllib.request
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import pytest

import qonto_webhooks as qw
from conftest import ONBOARDING_BODY, REPO, business_event
from qonto_webhooks import Event, IdempotencyGuard, MemoryStore, OnboardingEvent, Verifier

SECRET = "whsec_integrations_business_secret"
ONBOARDING_SECRET = "integrations_onboarding_secret"
ONBOARDING_ID = "75341dcb-0376-474d-97d7-d2c03ff3973c"
SMALL_LIMIT = 4096

FRAMEWORKS = ["django", "django-async", "flask", "starlette", "fastapi", "aiohttp"]

Posted = Tuple[int, Any, Dict[str, str]]


class Behaviour:
    """What the views do with the event they get: record it (and answer 200 with its id), raise,
    or refuse it with a 503."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.received: List[Any] = []
        self.raw: List[bytes] = []

    def handle(self, event: Any) -> Tuple[int, Dict[str, Any]]:
        if self.mode == "raise":
            raise RuntimeError("the queue is down")
        if self.mode == "refuse":
            return 503, {"error": "queue_full"}
        self.received.append(event)
        return 200, {"received": event.id}


def verifiers() -> Tuple[Verifier, Verifier]:
    return Verifier(SECRET), Verifier(ONBOARDING_SECRET, schemes="onboarding")


# -- One application per framework, with the two routes of every example ---------------------


def django_settings() -> None:
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure()
    django.setup()


def make_django(
    b: Behaviour, guard: Optional[IdempotencyGuard], limit: Optional[int], is_async: bool
) -> Any:
    from django.http import HttpResponse, JsonResponse
    from django.urls import path

    from qonto_webhooks.django import qonto_webhook

    business, onboarding = verifiers()

    def answer(request: Any, event: Any) -> Any:
        b.raw.append(request.body)  # the view can still read the raw body
        status, payload = b.handle(event)
        return JsonResponse(payload, status=status)

    if is_async:

        @qonto_webhook(business, guard=guard, max_body_size=limit)
        async def business_view(request: Any, event: Any) -> Any:
            return answer(request, event)

        @qonto_webhook(onboarding, guard=guard, max_body_size=limit)
        async def onboarding_view(request: Any, event: Any) -> Any:
            return answer(request, event)

    else:

        @qonto_webhook(business, guard=guard, max_body_size=limit)
        def business_view(request: Any, event: Any) -> Any:
            return answer(request, event)

        @qonto_webhook(onboarding, guard=guard, max_body_size=limit)
        def onboarding_view(request: Any, event: Any) -> Any:
            return answer(request, event)

    def undecorated(request: Any) -> Any:  # the control: CSRF applies to it
        return HttpResponse(status=204)

    urls = types.ModuleType("qonto_integration_urls")
    urls.urlpatterns = [  # type: ignore[attr-defined]
        path("webhooks", business_view),
        path("webhooks/onboarding", onboarding_view),
        path("plain", undecorated),
    ]
    return urls


def make_flask(b: Behaviour, guard: Optional[IdempotencyGuard], limit: Optional[int]) -> Any:
    from flask import Flask, request

    from qonto_webhooks.flask import qonto_webhook

    business, onboarding = verifiers()
    app = Flask(__name__)

    def answer(event: Any) -> Any:
        b.raw.append(request.get_data())
        status, payload = b.handle(event)
        return payload, status

    @app.post("/webhooks")
    @qonto_webhook(business, guard=guard, max_body_size=limit)
    def business_view(event: Any) -> Any:
        return answer(event)

    @app.post("/webhooks/onboarding")
    @qonto_webhook(onboarding, guard=guard, max_body_size=limit)
    def onboarding_view(event: Any) -> Any:
        return answer(event)

    return app


def make_starlette(b: Behaviour, guard: Optional[IdempotencyGuard], limit: Optional[int]) -> Any:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from qonto_webhooks.starlette import qonto_webhook

    business, onboarding = verifiers()

    async def answer(request: Request, event: Any) -> JSONResponse:
        b.raw.append(await request.body())
        status, payload = b.handle(event)
        return JSONResponse(payload, status_code=status)

    @qonto_webhook(business, guard=guard, max_body_size=limit)
    async def business_view(request: Request, event: Any) -> JSONResponse:
        return await answer(request, event)

    @qonto_webhook(onboarding, guard=guard, max_body_size=limit)
    def onboarding_view(request: Request, event: Any) -> JSONResponse:  # a sync endpoint
        b.raw.append(b"")
        status, payload = b.handle(event)
        return JSONResponse(payload, status_code=status)

    return Starlette(
        routes=[
            Route("/webhooks", business_view, methods=["POST"]),
            Route("/webhooks/onboarding", onboarding_view, methods=["POST"]),
        ]
    )


def make_fastapi(
    b: Behaviour, guard: Optional[IdempotencyGuard], limit: Optional[int], handlers: bool = True
) -> Any:
    from fastapi import Depends, FastAPI, HTTPException, Request

    from qonto_webhooks.fastapi import QontoWebhook, exception_handlers

    business, onboarding = verifiers()
    app = FastAPI(exception_handlers=exception_handlers if handlers else None)

    async def answer(request: Request, event: Any) -> Any:
        b.raw.append(await request.body())
        status, payload = b.handle(event)
        if status != 200:
            raise HTTPException(status, detail=payload)  # what releases the event
        return payload

    business_event_dep = QontoWebhook(business, guard=guard, max_body_size=limit)
    onboarding_event_dep = QontoWebhook(onboarding, guard=guard, max_body_size=limit)

    @app.post("/webhooks")
    async def business_view(request: Request, event: Any = Depends(business_event_dep)) -> Any:
        return await answer(request, event)

    @app.post("/webhooks/onboarding")
    async def onboarding_view(request: Request, event: Any = Depends(onboarding_event_dep)) -> Any:
        return await answer(request, event)

    return app


def make_aiohttp(b: Behaviour, guard: Optional[IdempotencyGuard], limit: Optional[int]) -> Any:
    from aiohttp import web

    from qonto_webhooks.aiohttp import qonto_webhook

    business, onboarding = verifiers()

    async def answer(request: web.Request, event: Any) -> web.Response:
        b.raw.append(await request.read())
        status, payload = b.handle(event)
        return web.json_response(payload, status=status)

    @qonto_webhook(business, guard=guard, max_body_size=limit)
    async def business_view(request: web.Request, event: Any) -> web.Response:
        return await answer(request, event)

    @qonto_webhook(onboarding, guard=guard, max_body_size=limit)
    async def onboarding_view(request: web.Request, event: Any) -> web.Response:
        return await answer(request, event)

    app = web.Application()
    app.router.add_post("/webhooks", business_view)
    app.router.add_post("/webhooks/onboarding", onboarding_view)
    return app


class Harness:
    """A framework's application behind its own test client (aiohttp: a real server on a
    loopback port), posting raw bytes."""

    def __init__(
        self,
        framework: str,
        guard: Optional[IdempotencyGuard] = None,
        limit: Optional[int] = SMALL_LIMIT,
        app: Any = None,
        **options: Any,
    ) -> None:
        """An application of make_<framework>, or `app` (Django: a URLconf module)."""
        self.framework = framework
        self.behaviour = Behaviour()
        self.guard = guard
        self._close: Callable[[], None] = lambda: None
        b = self.behaviour
        if framework.startswith("django"):
            from django.test import Client
            from django.test.utils import override_settings

            django_settings()
            urls = app or make_django(b, guard, limit, framework == "django-async")
            self._override = override_settings(
                ROOT_URLCONF=urls,
                ALLOWED_HOSTS=["testserver"],
                MIDDLEWARE=[
                    "django.middleware.common.CommonMiddleware",
                    "django.middleware.csrf.CsrfViewMiddleware",
                ],
            )
            self._override.enable()
            self._close = self._override.disable
            # Django's test client skips CSRF checks unless told: enforce them, as a real
            # server does.
            self.client: Any = Client(enforce_csrf_checks=True)
        elif framework == "flask":
            self.client = (app or make_flask(b, guard, limit)).test_client()
        elif framework in ("starlette", "fastapi"):
            from starlette.testclient import TestClient

            if app is None:
                app = (make_starlette if framework == "starlette" else make_fastapi)(
                    b, guard, limit, **options
                )
            self.client = TestClient(app, raise_server_exceptions=False)
        elif framework == "aiohttp":
            from aiohttp.test_utils import TestClient as AiohttpClient
            from aiohttp.test_utils import TestServer

            self.loop = asyncio.new_event_loop()
            self.client = AiohttpClient(
                TestServer(app or make_aiohttp(b, guard, limit)), loop=self.loop
            )
            self.loop.run_until_complete(self.client.start_server())

            def close() -> None:
                self.loop.run_until_complete(self.client.close())
                self.loop.close()

            self._close = close
        else:
            raise AssertionError(framework)

    def close(self) -> None:
        self._close()

    def post(self, path: str, body: Any, headers: Dict[str, str]) -> Posted:
        headers = {"Content-Type": "application/json", **headers}
        if self.framework.startswith("django"):
            extra = {
                "HTTP_" + k.upper().replace("-", "_"): v
                for k, v in headers.items()
                if k != "Content-Type"
            }
            r = self.client.generic("POST", path, body, content_type="application/json", **extra)
            return r.status_code, _json(r.content), _lower(r.headers)
        if self.framework == "flask":
            r = self.client.post(path, data=body, headers=headers)
            return r.status_code, _json(r.get_data()), _lower(r.headers)
        if self.framework in ("starlette", "fastapi"):
            r = self.client.post(path, content=body, headers=headers)
            return r.status_code, _json(r.content), _lower(r.headers)

        async def post() -> Posted:
            async with self.client.post(path, data=body, headers=headers) as r:
                return r.status, _json(await r.read()), _lower(r.headers)

        return self.loop.run_until_complete(post())

    def business(self, body: bytes, **kw: Any) -> Posted:
        return self.post("/webhooks", body, {"X-Qonto-Signature": qw.sign(SECRET, body, **kw)})

    def onboarding(self, body: bytes = ONBOARDING_BODY) -> Posted:
        return self.post(
            "/webhooks/onboarding",
            body,
            {"Qonto-SHA256-Signature": qw.sign_onboarding(ONBOARDING_SECRET, body)},
        )

    @property
    def received(self) -> List[Any]:
        return self.behaviour.received


def _lower(headers: Any) -> Dict[str, str]:
    """The response's headers, names lowercased."""
    return {k.lower(): v for k, v in headers.items()}


def _json(content: bytes) -> Any:
    try:
        return json.loads(content)
    except ValueError:
        return None


@pytest.fixture(params=FRAMEWORKS)
def framework(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
def app(framework: str) -> Iterator[Harness]:
    h = Harness(framework)
    try:
        yield h
    finally:
        h.close()


@pytest.fixture
def guarded(framework: str) -> Iterator[Harness]:
    h = Harness(framework, guard=IdempotencyGuard())
    try:
        yield h
    finally:
        h.close()


# -- Every framework, without a guard ----------------------------------------------------------


def test_a_valid_webhook_reaches_the_view_with_the_typed_event(app: Harness) -> None:
    body = business_event(id="evt-1")
    status, payload, _ = app.business(body)
    assert (status, payload) == (200, {"received": "evt-1"})
    [event] = app.received
    assert isinstance(event, Event)
    assert (event.id, event.type, event.event) == (
        "evt-1",
        "v1/transactions",
        "transactions.created",
    )
    assert event.verified is not None and event.verified.scheme == "business"
    assert app.behaviour.raw == [body]  # the raw body is still there for the view


def test_the_onboarding_route_gets_an_onboarding_event(app: Harness) -> None:
    status, payload, _ = app.onboarding()
    assert (status, payload) == (200, {"received": ONBOARDING_ID})
    [event] = app.received
    assert isinstance(event, OnboardingEvent)
    assert (event.event_type, event.verified and event.verified.scheme) == (
        "registrations.pending",
        "onboarding",
    )


@pytest.mark.parametrize(
    "case, code",
    [
        ("tampered", "signature_mismatch"),
        ("wrong secret", "signature_mismatch"),
        ("stale", "timestamp_too_old"),
        ("no header", "missing_header"),
        ("malformed", "malformed_header"),
        ("onboarding header on the business route", "missing_header"),
    ],
)
def test_a_bad_webhook_is_400_with_its_code(app: Harness, case: str, code: str) -> None:
    body = business_event()
    header = qw.sign(SECRET, body)
    headers = {"X-Qonto-Signature": header}
    if case == "tampered":
        body = body.replace(b"12.5", b"1250")
    elif case == "wrong secret":
        headers["X-Qonto-Signature"] = qw.sign("whsec_someone_else", body)
    elif case == "stale":
        headers["X-Qonto-Signature"] = qw.sign(SECRET, body, timestamp=qw.unix_now() - 3600)
    elif case == "no header":
        headers = {}
    elif case == "malformed":
        headers["X-Qonto-Signature"] = header.replace("v1=", "v1=sha256:")
    else:
        headers = {"Qonto-SHA256-Signature": qw.sign_onboarding(SECRET, body)}
    status, payload, response_headers = app.post("/webhooks", body, headers)
    assert status == 400
    assert payload["error"] == code
    assert isinstance(payload["message"], str) and payload["message"]
    assert set(payload) == {"error", "message"}
    assert response_headers["content-type"].startswith("application/json")
    assert app.received == []


def test_the_business_signature_is_refused_on_the_onboarding_route(app: Harness) -> None:
    body = ONBOARDING_BODY
    status, payload, _ = app.post(
        "/webhooks/onboarding", body, {"X-Qonto-Signature": qw.sign(ONBOARDING_SECRET, body)}
    )
    assert (status, payload["error"]) == (400, "missing_header")
    assert app.received == []


def test_a_verified_body_that_is_not_an_event_is_invalid_payload(app: Harness) -> None:
    for body in (b'{"id":"evt-1"}', b"[1]", b"not json"):
        status, payload, _ = app.business(body)
        assert (status, payload["error"]) == (400, "invalid_payload"), body
    assert app.received == []


def test_a_body_over_the_limit_is_413(app: Harness) -> None:
    body = business_event(data={"event": "transactions.created", "pad": "x" * SMALL_LIMIT})
    status, payload, _ = app.business(body)
    assert status == 413
    assert payload["error"] == "body_too_large"
    assert str(SMALL_LIMIT) in payload["message"]
    assert app.received == []
    # At the limit exactly, it is read.
    pad = SMALL_LIMIT - len(business_event(data={"event": "transactions.created", "pad": ""}))
    body = business_event(data={"event": "transactions.created", "pad": "x" * pad})
    assert len(body) == SMALL_LIMIT
    assert app.business(body)[0] == 200


@pytest.mark.parametrize("framework", ["starlette", "fastapi", "flask"])
def test_a_streamed_body_over_the_limit_is_413(framework: str) -> None:
    """No Content-Length (chunked): the limit still holds, counted as the body is read."""
    h = Harness(framework)
    try:
        body = business_event(data={"event": "transactions.created", "pad": "x" * SMALL_LIMIT})
        chunks = [body[i : i + 1000] for i in range(0, len(body), 1000)]
        headers = {"X-Qonto-Signature": qw.sign(SECRET, body), "Content-Type": "application/json"}
        if framework == "flask":
            from io import BytesIO

            # What a WSGI server gives for a chunked body: a terminated input, no length.
            r = h.client.post(
                "/webhooks",
                input_stream=BytesIO(body),
                headers={**headers, "Transfer-Encoding": "chunked"},
                environ_overrides={"wsgi.input_terminated": True},
            )
            status, payload = r.status_code, r.get_json()
        else:
            r = h.client.post("/webhooks", content=iter(chunks), headers=headers)
            status, payload = r.status_code, r.json()
        assert (status, payload["error"]) == (413, "body_too_large")
        assert h.received == []
    finally:
        h.close()


@pytest.mark.parametrize("framework", ["django", "django-async"])
def test_django_csrf_is_not_in_the_way(framework: str) -> None:
    """With CsrfViewMiddleware on and checks enforced, a view without the decorator is refused
    (403): the decorated ones are not."""
    h = Harness(framework)
    try:
        assert h.post("/plain", b"{}", {})[0] == 403
        body = business_event()
        assert h.business(body)[0] == 200
        assert h.onboarding()[0] == 200
        assert len(h.received) == 2
    finally:
        h.close()


def test_a_view_that_raises_is_the_frameworks_500(app: Harness) -> None:
    app.behaviour.mode = "raise"
    if app.framework.startswith("django"):
        app.client.raise_request_exception = False
    elif app.framework == "flask":
        pass  # Flask answers 500 unless testing mode propagates exceptions (off here)
    assert app.business(business_event())[0] == 500


# -- With an idempotency guard ---------------------------------------------------------------


def test_a_duplicate_is_200_duplicate_and_not_seen_again(guarded: Harness) -> None:
    body = business_event(id="evt-1")
    assert guarded.business(body)[:2] == (200, {"received": "evt-1"})
    status, payload, _ = guarded.business(body)  # Qonto's retry: signed again, same id
    assert (status, payload) == (200, {"duplicate": True, "id": "evt-1"})
    assert len(guarded.received) == 1


def test_an_onboarding_replay_is_200_duplicate(guarded: Harness) -> None:
    assert guarded.onboarding()[:2] == (200, {"received": ONBOARDING_ID})
    assert guarded.onboarding()[:2] == (200, {"duplicate": True, "id": ONBOARDING_ID})
    assert len(guarded.received) == 1
    # The business route keeps its own ids: the same id there is another event.
    assert guarded.business(business_event(id=ONBOARDING_ID))[:2] == (
        200,
        {"received": ONBOARDING_ID},
    )


def test_an_event_in_progress_is_409_with_retry_after(guarded: Harness) -> None:
    assert guarded.guard is not None
    claim = guarded.guard.claim("business:evt-1")  # another delivery holds it
    status, payload, headers = guarded.business(business_event(id="evt-1"))
    assert (status, payload["error"]) == (409, "duplicate_in_progress")
    assert headers["retry-after"] == "60"
    assert guarded.received == []
    guarded.guard.release(claim)
    assert guarded.business(business_event(id="evt-1"))[0] == 200


def test_a_failing_view_releases_the_event(guarded: Harness) -> None:
    body = business_event(id="evt-1")
    guarded.behaviour.mode = "raise"
    if guarded.framework.startswith("django"):
        guarded.client.raise_request_exception = False
    assert guarded.business(body)[0] == 500
    guarded.behaviour.mode = "refuse"  # a 503 answer (FastAPI: raised as an HTTPException)
    assert guarded.business(body)[:2] == (
        503,
        {"error": "queue_full"}
        if guarded.framework != "fastapi"
        else {"detail": {"error": "queue_full"}},
    )
    guarded.behaviour.mode = "ok"
    assert guarded.business(body)[:2] == (200, {"received": "evt-1"})  # Qonto's retry
    assert guarded.business(body)[:2] == (200, {"duplicate": True, "id": "evt-1"})


def test_the_guard_runs_after_verification(guarded: Harness) -> None:
    body = business_event(id="evt-1")
    tampered = body.replace(b"12.5", b"1250")
    status, payload, _ = guarded.post(
        "/webhooks", tampered, {"X-Qonto-Signature": qw.sign(SECRET, body)}
    )
    assert (status, payload["error"]) == (400, "signature_mismatch")
    assert guarded.guard is not None and guarded.guard.claim("business:evt-1").claimed


def test_an_invalid_event_with_an_id_is_400_and_released(guarded: Harness) -> None:
    status, payload, _ = guarded.business(b'{"id":"evt-1"}')
    assert (status, payload["error"]) == (400, "invalid_payload")
    assert guarded.guard is not None and guarded.guard.claim("business:evt-1").claimed


def test_an_empty_id_is_invalid_payload_under_the_guard(guarded: Harness) -> None:
    status, payload, _ = guarded.business(business_event(id=""))
    assert (status, payload["error"]) == (400, "invalid_payload")
    assert guarded.received == []


class BrokenStore(MemoryStore):
    def claim(self, key: str, lease: float) -> Any:
        raise ConnectionError("redis is down")


def test_a_store_failure_is_503_and_the_view_does_not_run(framework: str) -> None:
    h = Harness(framework, guard=IdempotencyGuard(BrokenStore()))
    try:
        status, payload, _ = h.business(business_event())
        assert (status, payload["error"]) == (503, "idempotency_store_unavailable")
        assert h.received == []
    finally:
        h.close()


# -- Framework specifics ---------------------------------------------------------------------


def test_fastapi_without_the_exception_handlers_nests_the_answer_in_detail() -> None:
    h = Harness("fastapi", handlers=False)
    try:
        status, payload, _ = h.post("/webhooks", business_event(), {})
        assert status == 400
        assert payload["detail"]["error"] == "missing_header"
    finally:
        h.close()


def test_the_helpers_refuse_what_is_not_a_verifier() -> None:
    from qonto_webhooks.aiohttp import qonto_webhook as aiohttp_webhook
    from qonto_webhooks.django import qonto_webhook as django_webhook
    from qonto_webhooks.fastapi import QontoWebhook
    from qonto_webhooks.flask import qonto_webhook as flask_webhook
    from qonto_webhooks.starlette import qonto_webhook as starlette_webhook

    django_settings()
    for helper in (django_webhook, flask_webhook, starlette_webhook, aiohttp_webhook, QontoWebhook):
        with pytest.raises(TypeError, match="Verifier"):
            helper(SECRET)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="max_body_size"):
            helper(Verifier(SECRET), max_body_size=0)


def test_the_package_imports_no_framework() -> None:
    """`import qonto_webhooks` pulls in no web framework: they are optional."""
    import subprocess
    import sys

    code = (
        "import sys, qonto_webhooks; "
        "print(sorted(m for m in ('django', 'flask', 'starlette', 'fastapi', 'aiohttp') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- The example receivers (examples/python), in process and as the servers they start ---------

EXAMPLES = REPO / "examples" / "python"
#: example file -> the framework of its test client
EXAMPLE_FRAMEWORKS = {
    "django_receiver": "django",
    "flask_receiver": "flask",
    "fastapi_receiver": "fastapi",
    "starlette_receiver": "starlette",
    "aiohttp_receiver": "aiohttp",
}


def load_example(name: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A fresh instance of examples/python/<name>.py (its own verifiers, guard and queue)."""
    monkeypatch.setenv("QONTO_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("QONTO_ONBOARDING_SECRET", ONBOARDING_SECRET)
    monkeypatch.delenv("REDIS_URL", raising=False)
    if name == "django_receiver":
        django_settings()  # the example configures Django only when nothing did yet
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


@pytest.fixture(params=list(EXAMPLE_FRAMEWORKS))
def example(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Tuple[Any, Harness]]:
    name: str = request.param
    module = load_example(name, monkeypatch)
    framework = EXAMPLE_FRAMEWORKS[name]
    if framework == "django":
        app = module
    elif framework == "aiohttp":
        app = module.make_app()
    else:
        app = module.app
    h = Harness(framework, app=app)
    try:
        yield module, h
    finally:
        h.close()


def test_example_receivers(example: Tuple[Any, Harness]) -> None:
    module, h = example
    body = business_event(id="evt-1")
    assert h.business(body)[:2] == (200, {"received": True, "id": "evt-1"})
    assert h.business(body)[:2] == (200, {"duplicate": True, "id": "evt-1"})  # Qonto's retry
    tampered = body.replace(b"12.5", b"1250")
    status, payload, _ = h.post("/webhooks", tampered, {"X-Qonto-Signature": qw.sign(SECRET, body)})
    assert (status, payload["error"]) == (400, "signature_mismatch")
    # The onboarding route, with its own secret; the business secret does not sign there.
    status, payload, _ = h.post(
        "/webhooks/onboarding",
        ONBOARDING_BODY,
        {"Qonto-SHA256-Signature": qw.sign_onboarding(SECRET, ONBOARDING_BODY)},
    )
    assert (status, payload["error"]) == (400, "signature_mismatch")
    assert h.onboarding()[:2] == (200, {"received": True, "id": ONBOARDING_ID})
    assert h.onboarding()[:2] == (200, {"duplicate": True, "id": ONBOARDING_ID})  # a replay
    assert [scheme for scheme, _ in module.queue] == ["business", "onboarding"]
    if h.framework == "django":  # CSRF enforced by the test client: the decorator exempts
        assert h.client.get("/webhooks").status_code == 405  # require_POST


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def post(url: str, body: bytes, headers: Dict[str, str]) -> Tuple[int, Any]:
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json", **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


@pytest.mark.parametrize("name", ["django_receiver", "starlette_receiver", "aiohttp_receiver"])
def test_example_servers(name: str) -> None:
    """Each new example as a user runs it: `python examples/python/<name>.py PORT`, then
    webhooks over HTTP on the loopback."""
    port = free_port()
    env = {
        **os.environ,
        "QONTO_WEBHOOK_SECRET": SECRET,
        "QONTO_ONBOARDING_SECRET": ONBOARDING_SECRET,
        "REDIS_URL": "",
    }
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            [sys.executable, str(EXAMPLES / f"{name}.py"), str(port)],
            env=env,
            stdout=log,
            stderr=log,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    pytest.fail(
                        f"{name} did not start: {log.read().decode(errors='replace')[-2000:]}"
                    )
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.1)
            base = f"http://127.0.0.1:{port}/webhooks"
            body = business_event(id="evt-1")
            assert post(base, body, {"X-Qonto-Signature": qw.sign(SECRET, body)}) == (
                200,
                {"received": True, "id": "evt-1"},
            )
            assert post(base, body, {"X-Qonto-Signature": qw.sign(SECRET, body)}) == (
                200,
                {"duplicate": True, "id": "evt-1"},
            )
            status, payload = post(base, body, {"X-Qonto-Signature": qw.sign("whsec_other", body)})
            assert (status, payload["error"]) == (400, "signature_mismatch")
            onboarding = {
                "Qonto-SHA256-Signature": qw.sign_onboarding(ONBOARDING_SECRET, ONBOARDING_BODY)
            }
            assert post(base + "/onboarding", ONBOARDING_BODY, onboarding) == (
                200,
                {"received": True, "id": ONBOARDING_ID},
            )
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
