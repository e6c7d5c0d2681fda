"""Install as users do: the built wheel, pip-installed into a fresh virtualenv, imported there."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

SCRIPT = r"""
import sys, qonto_webhooks as qw
assert qw.__file__.startswith(sys.prefix), (qw.__file__, sys.prefix)
v = qw.Verifier("test-secret")
header = "t=1704110400,v1=56aff06dc227db80d6568a5070f912c601c31f20451745d257cbc0b5dfa93805"
r = v.verify(b'{"test":"data"}', header, now=1704110400)
assert (r.secret_index, r.timestamp) == (0, 1704110400), r
try:
    v.verify(b'{"test":"data"} ', header, now=1704110400)
    raise SystemExit("tampered body accepted")
except qw.SignatureMismatchError as e:
    assert e.code == "signature_mismatch"
print("installed OK", qw.__version__)
"""


def test_wheel_in_a_fresh_venv(tmp_path: Path) -> None:
    wheel = os.environ.get("QONTO_WEBHOOKS_WHEEL")
    if not wheel:
        pytest.skip("QONTO_WEBHOOKS_WHEEL is not set (test.sh builds the wheel and sets it)")
    name = Path(wheel).name
    assert name.startswith("qonto_webhooks-") and "-abi3-" in name, name
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-index", "--no-deps", wheel],
        check=True,
        timeout=300,
    )
    # Run from an empty directory, so that only the installed package can be imported.
    result = subprocess.run(
        [str(python), "-c", SCRIPT],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        env={k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("installed OK"), result.stdout
    assert sys.executable != str(python)
