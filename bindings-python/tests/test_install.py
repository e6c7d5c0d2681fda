"""Install as users do: the built wheel, pip-installed into a fresh virtualenv, imported there,
with every CPython (3.9 and later) found on this machine: the wheel is abi3."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

SCRIPT = r"""
import os, sys, qonto_webhooks as qw
assert qw.__file__.startswith(sys.prefix), (qw.__file__, sys.prefix)
# The native wheel carries both implementations: the native one unless the variable asks.
wanted = os.environ.get("QONTO_WEBHOOKS_IMPLEMENTATION") or "native"
assert qw.IMPLEMENTATION == wanted, (qw.IMPLEMENTATION, wanted)
v = qw.Verifier("test-secret")
header = "t=1704110400,v1=56aff06dc227db80d6568a5070f912c601c31f20451745d257cbc0b5dfa93805"
r = v.verify(b'{"test":"data"}', header, now=1704110400)
assert (r.secret_index, r.timestamp) == (0, 1704110400), r
r = v.verify_request({"x-qonto-signature": header}, '{"test":"data"}', now=1704110400)
assert r.secret_index == 0, r
try:
    v.verify(b'{"test":"data"} ', header, now=1704110400)
    raise SystemExit("tampered body accepted")
except qw.SignatureMismatchError as e:
    assert e.code == "signature_mismatch"
body = b'{"id":"75341dcb-0376-474d-97d7-d2c03ff3973c","event_type":"registrations.pending","resource_type":"registration","resource_id":"525817f7-93e8-4f31-a83d-20319778b4b0","created_at":"2022-08-29T13:17:32Z"}'
e = qw.Verifier("secret_key").construct_onboarding_event(
    body, "b0d249e653f1310fa5b7f26d5682548afa1799353b92fcafd4cacbd90312023e")
assert e.event_type == "registrations.pending" and e.created_at == "2022-08-29T13:17:32Z", e
assert e.created_time().year == 2022, e
print("installed OK", qw.__version__, sys.version_info[:2])
"""


def interpreters() -> List[str]:
    """This interpreter, every other python3.N on PATH, and those listed (space-separated) in
    QONTO_WEBHOOKS_TEST_PYTHONS."""
    found = [sys.executable]
    for minor in range(9, 20):
        path = shutil.which(f"python3.{minor}")
        if path and minor != sys.version_info[1]:
            found.append(path)
    found += os.environ.get("QONTO_WEBHOOKS_TEST_PYTHONS", "").split()
    return list(dict.fromkeys(found))


def version_of(python: str) -> tuple[int, int]:
    out = subprocess.run(
        [python, "-c", "import sys; print(*sys.version_info[:2])"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if out.returncode != 0:
        return (0, 0)
    major, minor = out.stdout.split()
    return (int(major), int(minor))


@pytest.mark.parametrize("python", interpreters())
def test_wheel_in_a_fresh_venv(tmp_path: Path, python: str) -> None:
    wheel = os.environ.get("QONTO_WEBHOOKS_WHEEL")
    if not wheel:
        pytest.skip("QONTO_WEBHOOKS_WHEEL is not set (test.sh builds the wheel and sets it)")
    name = Path(wheel).name
    tag = re.search(r"-cp3(\d+)-abi3-", name)
    assert name.startswith("qonto_webhooks-") and tag, name
    version = version_of(python)
    if version == (0, 0):
        pytest.skip(f"{python} does not run here")
    if version < (3, int(tag.group(1))):
        pytest.skip(f"the wheel needs Python 3.{tag.group(1)}+, {python} is {version}")
    env_dir = tmp_path / "venv"
    subprocess.run([python, "-m", "venv", str(env_dir)], check=True, timeout=300)
    venv_python = env_dir / "bin" / "python"
    subprocess.run(
        [str(venv_python), "-m", "pip", "install", "--quiet", "--no-index", "--no-deps", wheel],
        check=True,
        timeout=300,
    )
    # Run from an empty directory, so that only the installed package can be imported.
    result = subprocess.run(
        [str(venv_python), "-c", SCRIPT],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        env={k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("installed OK"), result.stdout
