"""The root README's python blocks run and do what they show: the README runner
(consumer/readme_examples.py, which tests/test_readme.py runs over this package's README) over the
repository's README.md. Its Flask application must answer a webhook signed as Qonto signs it with a
2xx, and a tampered one with a 4xx."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO

RUNNER = REPO / "bindings-python" / "consumer" / "readme_examples.py"
README = REPO / "README.md"


def test_root_readme_python_blocks() -> None:
    result = subprocess.run(
        [sys.executable, str(RUNNER), str(README)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "flask app, POST /webhooks/qonto: ok" in result.stdout, result.stdout
    assert "1 python blocks ran" in result.stdout, result.stdout
