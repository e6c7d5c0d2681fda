"""The README's python blocks run and do what they show: the consumer test's runner
(consumer/readme_examples.py) over this package's README, with a Redis server for the blocks that
need one (the consumer installs have none and leave them out)."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from conftest import REPO, RedisServer

RUNNER = REPO / "bindings-python" / "consumer" / "readme_examples.py"
README = REPO / "bindings-python" / "README.md"
# The business body the runner signs and posts to every application a block leaves in `app`.
RUNNER_EVENT_KEY = "qonto-webhooks:idempotency:business:0195a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b"


def run(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(RUNNER), str(README)],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=300,
    )


def test_readme_blocks_without_redis() -> None:
    result = run(REDIS_URL="")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "left out, needing Redis (no REDIS_URL)" in result.stdout, result.stdout


def test_readme_blocks_with_redis(redis_server: RedisServer, redis_client: Any) -> None:
    result = run(REDIS_URL=redis_server.url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "left out" not in result.stdout, result.stdout
    # The Redis block's guard served the application of the block above it.
    assert redis_client.get(RUNNER_EVENT_KEY) == b"done"
