"""Shared fixtures: the vector file every binding reads, and a few signed webhooks."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

import qonto_webhooks

#: The implementation under test (test.sh runs the suite once per implementation, choosing it
#: with QONTO_WEBHOOKS_IMPLEMENTATION), and the module that provides it.
IMPLEMENTATION = qonto_webhooks.IMPLEMENTATION
IMPL_MODULE = "qonto_webhooks._native" if IMPLEMENTATION == "native" else "qonto_webhooks._pure"

#: For tests of what only the compiled module does (the GIL released while hashing, the module's
#: declaration to free-threaded CPython, the stubs checked against the compiled module).
native_only = pytest.mark.skipif(
    IMPLEMENTATION != "native",
    reason="native module only (this run tests the pure-Python implementation)",
)

ROOT = Path(__file__).resolve().parents[2]
#: The shared vectors and request cases (the test kit's).
DATA = ROOT / "testkit" / "vectors"
VECTORS_PATH = DATA / "vectors.json"
REQUESTS_PATH = DATA / "requests.json"
#: The documentation's example payloads (the core's fixtures).
EVENTS_DIR = ROOT / "core" / "tests" / "data" / "events"


def load_vectors() -> List[Dict[str, Any]]:
    vectors: List[Dict[str, Any]] = json.loads(VECTORS_PATH.read_text(encoding="utf-8"))
    assert vectors, f"no vectors in {VECTORS_PATH}"
    for v in vectors:
        v["body"] = base64.b64decode(v["body_b64"])
    return vectors


def tolerance_arg(value: Any) -> Any:
    """The vector files' `tolerance` as the Verifier takes it: `null` there means a disabled
    window, which the Verifier only takes spelled out (`None` means the default)."""
    return "disabled" if value is None else value


def load_requests() -> List[Dict[str, Any]]:
    """The request-level cases shared by every binding's request helper."""
    cases: List[Dict[str, Any]] = json.loads(REQUESTS_PATH.read_text(encoding="utf-8"))
    assert cases, f"no cases in {REQUESTS_PATH}"
    for c in cases:
        c["body"] = base64.b64decode(c["body_b64"])
    return cases


VECTORS = load_vectors()
REQUESTS = load_requests()

OFFICIAL_BODY = b'{"test":"data"}'
OFFICIAL_SECRET = "test-secret"
OFFICIAL_HEADER = "t=1704110400,v1=56aff06dc227db80d6568a5070f912c601c31f20451745d257cbc0b5dfa93805"
OFFICIAL_NOW = 1704110400

ONBOARDING_BODY = (
    b'{"id":"75341dcb-0376-474d-97d7-d2c03ff3973c","event_type":"registrations.pending",'
    b'"resource_type":"registration","resource_id":"525817f7-93e8-4f31-a83d-20319778b4b0",'
    b'"created_at":"2022-08-29T13:17:32Z"}'
)
ONBOARDING_SECRET = "secret_key"
ONBOARDING_HEADER_VALUE = "b0d249e653f1310fa5b7f26d5682548afa1799353b92fcafd4cacbd90312023e"


def business_event(**overrides: Any) -> bytes:
    """A realistic business event body (compact JSON, as Qonto sends it)."""
    event: Dict[str, Any] = {
        "id": "0195a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b",
        "subscription_id": "9d1c3e0a-2b4f-4c6d-8e0f-1a2b3c4d5e6f",
        "organization_id": "4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d",
        "membership_id": "7e8f9a0b-1c2d-4e3f-8a4b-5c6d7e8f9a0b",
        "type": "v1/transactions",
        "created_at": "2025-03-02T09:00:00.123Z",
        "data": {"event": "transactions.created", "id": "tx-1", "amount": 12.5},
    }
    event.update(overrides)
    return json.dumps(event, separators=(",", ":")).encode()


@pytest.fixture(params=VECTORS, ids=[v["name"] for v in VECTORS])
def vector(request: pytest.FixtureRequest) -> Dict[str, Any]:
    v: Dict[str, Any] = request.param
    return v


# -- Redis, for the tests of RedisStore ---------------------------------------------------------

#: Set to 1 to skip the Redis tests where no redis-server can be installed (they fail otherwise,
#: so that a CI without Redis does not pass them silently).
SKIP_REDIS_ENV = "QONTO_WEBHOOKS_SKIP_REDIS"
REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class RedisServer:
    """A throw-away redis-server on a free loopback port, without persistence."""

    def __init__(self, path: str) -> None:
        import subprocess
        import tempfile

        import redis

        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._dir = tempfile.TemporaryDirectory()
        self.process = subprocess.Popen(
            [
                path,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self._dir.name,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        import time

        client = redis.Redis(host="127.0.0.1", port=self.port)
        # Until it answers; a server that exits (port taken, bad option) fails at once, one that
        # never answers fails after a minute instead of hanging the suite.
        deadline = time.monotonic() + 60
        while True:
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"redis-server did not answer on port {self.port}")
            if self.process.poll() is not None:
                err = (
                    self.process.stderr.read().decode(errors="replace")
                    if self.process.stderr
                    else ""
                )
                raise RuntimeError(f"redis-server exited with {self.process.returncode}: {err}")
            try:
                client.ping()
                break
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        client.close()

    def client(self) -> Any:
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        if self.process.stderr:
            self.process.stderr.close()
        self._dir.cleanup()


def redis_server_path() -> str:
    """`bash .ci/redis.sh` (from the repository root) installs Debian's redis-server when it is
    missing and prints its path."""
    import subprocess

    if os.environ.get(SKIP_REDIS_ENV) == "1":
        pytest.skip(f"{SKIP_REDIS_ENV}=1: the Redis tests are skipped")
    result = subprocess.run(
        ["bash", str(REPO / ".ci" / "redis.sh")], cwd=REPO, capture_output=True, text=True
    )
    path = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    if result.returncode != 0 or not path:
        pytest.fail(
            f"no redis-server for the RedisStore tests ({result.stderr.strip()}); install it, or "
            f"set {SKIP_REDIS_ENV}=1 to skip them"
        )
    return path


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer(redis_server_path())
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_client(redis_server: RedisServer) -> Iterator[Any]:
    """A new client on the session's server, emptied first."""
    client = redis_server.client()
    client.flushall()
    try:
        yield client
    finally:
        client.close()
