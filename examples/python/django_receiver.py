"""A Qonto webhook endpoint with Django, in one file (the settings are made in code): business
webhooks at /webhooks, onboarding webhooks at /webhooks/onboarding, each with its own secret and
a verifier that accepts its scheme only, and each event processed once (Qonto retries: the
idempotency guard answers the duplicates).

    QONTO_WEBHOOK_SECRET=whsec_... QONTO_ONBOARDING_SECRET=... \
        python examples/python/django_receiver.py 8080
    qonto-webhooks send --url http://127.0.0.1:8080/webhooks --check

CsrfViewMiddleware is on, as in every Django project: `qonto_webhook` exempts its views (Qonto
sends no CSRF token; the signature authenticates the request). With REDIS_URL=redis://... the
processed ids are kept in Redis (shared by every worker process, kept across restarts); without
it, in this process's memory.
"""

import collections
import os
import secrets
import sys

import django
from django.conf import settings

if not settings.configured:  # a project puts these in settings.py
    settings.configure(
        SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(32),
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=[
            "django.middleware.security.SecurityMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
        ],
    )
    django.setup()

from django.http import JsonResponse  # noqa: E402 - after the settings
from django.urls import path  # noqa: E402
from django.views.decorators.http import require_POST  # noqa: E402

from qonto_webhooks import IdempotencyGuard, RedisStore, Verifier  # noqa: E402
from qonto_webhooks.django import qonto_webhook  # noqa: E402

# Built once, at start-up. Business only is the default; onboarding is said explicitly.
business = Verifier(os.environ["QONTO_WEBHOOK_SECRET"])
onboarding = Verifier(os.environ["QONTO_ONBOARDING_SECRET"], schemes="onboarding")
queue: "collections.deque[object]" = collections.deque(maxlen=10_000)  # your job queue


def make_guard():
    url = os.environ.get("REDIS_URL")
    if not url:
        return IdempotencyGuard()  # a MemoryStore: one process
    import redis

    return IdempotencyGuard(RedisStore(redis.Redis.from_url(url)))


guard = make_guard()


def process(event):
    # Queue the event here and answer within Qonto's 1 s. Raising, or answering outside 2xx,
    # releases the event: Qonto's retry is processed.
    queue.append((event.verified.scheme, event))
    return JsonResponse({"received": True, "id": event.id})


# The decorator reads the raw request.body, verifies it (400 {"error": <code>, "message": ...}
# when it does not verify, 413 over 1 MiB) and calls the view once per event id with the typed
# event: a processed event is answered 200 {"duplicate": true}, one being processed 409
# duplicate_in_progress with Retry-After, a store failure 503.
@require_POST
@qonto_webhook(business, guard=guard)
def business_webhook(request, event):  # event: a qonto_webhooks.Event
    return process(event)


@require_POST
@qonto_webhook(onboarding, guard=guard)
def onboarding_webhook(request, event):  # event: a qonto_webhooks.OnboardingEvent
    return process(event)


urlpatterns = [
    path("webhooks", business_webhook),
    path("webhooks/onboarding", onboarding_webhook),
]

if __name__ == "__main__":
    from django.core.management import execute_from_command_line

    port = int(sys.argv[1]) if len(sys.argv) > 1 else int(os.environ.get("PORT", "8080"))
    execute_from_command_line([sys.argv[0], "runserver", "--noreload", f"127.0.0.1:{port}"])
