"""Runs every ```python block of the given READMEs against the installed package, so that the docs
cannot drift from it. Run by consumer-test.sh in a fresh install (no access to the repository).

    python readme_examples.py [--installed] [README.md...]

`--installed` runs the README the installed package carries (its long description, which is the
package's README.md): the docs a user reads on the package's page, from the artifact itself.

The blocks of one README run in order in one namespace, as a reader would paste them into one
module, with what a reader's application provides: the secrets in QONTO_WEBHOOK_SECRET and
QONTO_ONBOARDING_SECRET, and an `enqueue` function. A block may also be a fragment of the
application above it (`app`, `request`): it then extends that application. Every web application
a block leaves in `app` (Flask, FastAPI, Starlette, aiohttp), and every Django URLconf it leaves in
`urlpatterns`, is then exercised through its framework's test client: each POST route
must answer a webhook signed as Qonto signs it (business, or onboarding for a route whose path
says so) with a 2xx, and a tampered one with a 4xx.

A block right under the line `<!-- needs: redis -->` needs a Redis server: it runs only when
REDIS_URL is set (tests/test_readme.py runs them against a server of its own); the consumer
installs have none, and say which blocks they left out.
"""

import os
import re
import sys

import qonto_webhooks as qw

BUSINESS_SECRET = "whsec_consumer_test_business_secret"
ONBOARDING_SECRET = "whsec_consumer_test_onboarding_secret"
BODY = (
    b'{"id":"0195a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b","subscription_id":"s1","organization_id":"o1",'
    b'"membership_id":"m1","type":"v1/transactions","created_at":"2025-03-02T09:00:00.123Z",'
    b'"data":{"event":"transactions.created","id":"tx-1"}}'
)
ONBOARDING_BODY = (
    b'{"id":"e1","event_type":"registrations.pending","resource_type":"registration",'
    b'"resource_id":"r1","created_at":"2022-08-29T13:17:32Z"}'
)
BLOCK = re.compile(r"^(<!-- needs: redis -->\n)?```python\n(.*?)^```", re.S | re.M)


def routes(app):
    """(path, poster) for each POST route of a Flask, FastAPI, Starlette or aiohttp application,
    or of a Django URLconf (a block's `urlpatterns`), each through its framework's test client."""
    if isinstance(app, DjangoURLs):
        return app.routes()
    kind = type(app).__module__.split(".")[0]
    if kind == "flask":
        client = app.test_client()
        paths = [r.rule for r in app.url_map.iter_rules() if "POST" in (r.methods or ())]
        return [(p, lambda p, b, h: client.post(p, data=b, headers=h).status_code) for p in paths]
    if kind in ("fastapi", "starlette"):
        from starlette.testclient import TestClient

        client = TestClient(app, raise_server_exceptions=False)
        paths = [r.path for r in app.routes if "POST" in (getattr(r, "methods", None) or ())]
        return [
            (p, lambda p, b, h: client.post(p, content=b, headers=h).status_code) for p in paths
        ]
    if kind == "aiohttp":
        return aiohttp_routes(app)
    raise SystemExit(f"readme_examples: an `app` of an unknown kind: {type(app)!r}")


def aiohttp_routes(app):
    """aiohttp's test server on a loopback port, driven from a loop of its own."""
    import asyncio

    from aiohttp.test_utils import TestClient, TestServer

    loop = asyncio.new_event_loop()
    client = TestClient(TestServer(app), loop=loop)
    loop.run_until_complete(client.start_server())
    CLOSE.append(lambda: (loop.run_until_complete(client.close()), loop.close()))

    async def post(path, body, headers):
        async with client.post(path, data=body, headers=headers) as r:
            await r.read()
            return r.status

    paths = [r.resource.canonical for r in app.router.routes() if r.method == "POST"]
    return [(p, lambda p, b, h: loop.run_until_complete(post(p, b, h))) for p in paths]


class DjangoURLs:
    """A block's Django `urlpatterns`, served with the settings of a new project: CSRF middleware
    on and enforced (a decorated webhook view must be exempt), Django's test client."""

    def __init__(self, urlpatterns):
        self.urlpatterns = urlpatterns

    def routes(self):
        import types

        import django
        from django.conf import settings

        urls = types.ModuleType("readme_urls")
        urls.urlpatterns = self.urlpatterns
        if not settings.configured:
            settings.configure(
                ALLOWED_HOSTS=["testserver"],
                ROOT_URLCONF=urls,
                MIDDLEWARE=[
                    "django.middleware.common.CommonMiddleware",
                    "django.middleware.csrf.CsrfViewMiddleware",
                ],
            )
            django.setup()
        else:
            settings.ROOT_URLCONF = urls
        from django.test import Client

        client = Client(enforce_csrf_checks=True)

        def post(p, b, h):
            extra = {
                "HTTP_" + k.upper().replace("-", "_"): v
                for k, v in h.items()
                if k != "Content-Type"
            }
            return client.generic(
                "POST", p, b, content_type="application/json", **extra
            ).status_code

        return [("/" + str(u.pattern), post) for u in self.urlpatterns]


CLOSE: list = []


def exercise(app, where):
    """Every POST route: a signed webhook is accepted, a tampered one refused."""
    checked = []
    for path, post in routes(app):
        if "onboarding" in path:
            body = ONBOARDING_BODY
            headers = {"Qonto-SHA256-Signature": qw.sign_onboarding(ONBOARDING_SECRET, body)}
        else:
            body = BODY
            headers = {"X-Qonto-Signature": qw.sign(BUSINESS_SECRET, body)}
        headers["Content-Type"] = "application/json"
        good = post(path, body, headers)
        bad = post(path, body + b" ", headers)
        if not (200 <= good < 300 and 400 <= bad < 500):
            raise SystemExit(
                f"readme_examples: {where}, POST {path}: a signed webhook got {good}, a tampered "
                f"one {bad} (expected 2xx, then 4xx)"
            )
        checked.append(path)
    if not checked:
        raise SystemExit(f"readme_examples: {where}: the application has no POST route")
    return checked


def installed_readme():
    from importlib.metadata import metadata

    text = metadata("qonto-webhooks").get_payload()
    if not text or "# qonto-webhooks for Python" not in text:
        raise SystemExit("readme_examples: the installed package carries no README")
    return text


def run_readme(path):
    if path == "--installed":
        path, text = "the installed package's README", installed_readme()
    else:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    blocks = BLOCK.findall(text)
    if not blocks:
        raise SystemExit(f"readme_examples: no python block in {path}")
    received = []
    namespace = {"__name__": "readme_example", "enqueue": received.append}
    apps = []
    left_out = []
    for number, (needs_redis, block) in enumerate(blocks, 1):
        where = f"{path}, python block {number}"
        if needs_redis and not os.environ.get("REDIS_URL"):
            left_out.append(str(number))
            continue
        try:
            exec(compile(block, where, "exec"), namespace)
        except Exception as e:  # noqa: BLE001 - the block's failure, said with its place
            raise SystemExit(f"readme_examples: {where} raised {type(e).__name__}: {e}") from e
        app = namespace.get("app")
        if app is not None and all(app is not seen for seen, _ in apps):
            apps.append((app, where))
        urlpatterns = namespace.get("urlpatterns")  # a Django block
        if urlpatterns is not None and all(
            not isinstance(seen, DjangoURLs) or seen.urlpatterns is not urlpatterns
            for seen, _ in apps
        ):
            apps.append((DjangoURLs(urlpatterns), where))
    # Each application once its blocks are all run (a later fragment may add routes to it).
    for app, where in apps:
        paths = exercise(app, where)
        kind = "django" if isinstance(app, DjangoURLs) else type(app).__module__.split(".")[0]
        print(f"{where}: {kind} app, POST {', '.join(paths)}: ok")
    for close in CLOSE:
        close()
    CLOSE.clear()
    ran = len(blocks) - len(left_out)
    note = f"; left out, needing Redis (no REDIS_URL): {', '.join(left_out)}" if left_out else ""
    print(f"{path}: {ran} python blocks ran ({qw.IMPLEMENTATION}){note}")


def main():
    os.environ["QONTO_WEBHOOK_SECRET"] = BUSINESS_SECRET
    os.environ["QONTO_ONBOARDING_SECRET"] = ONBOARDING_SECRET
    for path in sys.argv[1:]:
        run_readme(path)


if __name__ == "__main__":
    main()
