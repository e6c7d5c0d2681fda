#!/usr/bin/env python3
"""The receivers tour: start each example endpoint on 127.0.0.1, fire `qonto-webhooks send --check`
at it (a genuine event, then tampered, stale, wrong-secret, replayed and reframed copies; business
webhooks at /webhooks, onboarding webhooks at /webhooks/onboarding with their own secret), and
print what each receiver answered.

    python3 examples/tour.py [--only NAME ...]

Exits 1 if any receiver answered differently from a correct endpoint, or could not be started. A
correct endpoint answers 2xx to the genuine event, 4xx to the tampered, stale, wrong-secret and
reframed copies, and either refuses the replay (4xx) or acknowledges it as a duplicate (a 2xx
whose JSON body says `"duplicate": true`, the idempotency guard's answer): `send
--expect-duplicate either`, its default.
"""

import argparse
import contextlib
import os
import pathlib
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
SECRET = "whsec_tour_secret_Vb3nQk9XcY2pLm7RtZ4wFhJ8sD1gA6eU"
# Onboarding webhooks come from another registration, with another secret.
ONBOARDING_SECRET = "tour_onboarding_secret_Qm4Xw8Rb2Nk6Tz0Ph3Jc"
LABELS = ["genuine", "tampered", "stale", "wrong-secret", "replay", "reframed"]
# The shots that do not apply to onboarding webhooks (no timestamp).
BUSINESS_ONLY = {"stale", "reframed"}


def venv_bin(name):
    return str(ROOT / ".venv" / "bin" / name)


def receivers():
    """name -> (command, working directory). The port is appended as the last argument."""
    py = venv_bin("python")
    return {
        "rust (axum)": ([str(ROOT / "target/release/axum-receiver")], ROOT),
        "cli (listen)": (
            [str(ROOT / "target/release/qonto-webhooks"), "listen", "--schemes", "both", "--port"],
            ROOT,
        ),
        "python (flask)": ([py, str(ROOT / "examples/python/flask_receiver.py")], ROOT),
        "python (fastapi)": ([py, str(ROOT / "examples/python/fastapi_receiver.py")], ROOT),
        "python (django)": ([py, str(ROOT / "examples/python/django_receiver.py")], ROOT),
        "python (starlette)": ([py, str(ROOT / "examples/python/starlette_receiver.py")], ROOT),
        "python (aiohttp)": ([py, str(ROOT / "examples/python/aiohttp_receiver.py")], ROOT),
        "node (express)": (["node", str(ROOT / "examples/node/express_receiver.js")], ROOT),
        "node (express 4)": (["node", str(ROOT / "examples/node/express4_receiver.js")], ROOT),
        "node (fastify)": (["node", str(ROOT / "examples/node/fastify_receiver.js")], ROOT),
        "node (koa)": (["node", str(ROOT / "examples/node/koa_receiver.js")], ROOT),
        "node (nest)": (
            [
                "node",
                "-r",
                str(ROOT / "examples/node/local-package.js"),
                str(ROOT / "examples/node/nest_receiver.ts"),
            ],
            ROOT,
        ),
        "node (hono)": (
            [
                "node",
                "--import",
                str(ROOT / "examples/node/local-package.mjs"),
                str(ROOT / "examples/node/hono_receiver.mjs"),
            ],
            ROOT,
        ),
        # The Next.js route handlers (app/webhooks/route.mjs, app/webhooks/onboarding/route.mjs),
        # served by serve.mjs, a stand-in for `next start` (Next.js itself is not installed).
        "node (next.js)": (
            [
                "node",
                "--import",
                str(ROOT / "examples/node/local-package.mjs"),
                str(ROOT / "examples/node/nextjs/serve.mjs"),
            ],
            ROOT,
        ),
        "go (net/http)": ([str(GO_RECEIVER)], ROOT),
    }


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def receiver(cmd, cwd=ROOT):
    """Runs a receiver on a free loopback port; yields (port, None), or (port, why) when it did not
    start. Its output goes to a temporary file: a pipe nobody reads would fill and stall it."""
    port = free_port()
    env = {
        **os.environ,
        "QONTO_WEBHOOK_SECRET": SECRET,
        "QONTO_ONBOARDING_SECRET": ONBOARDING_SECRET,
        "PORT": str(port),
    }
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(cmd + [str(port)], cwd=cwd, env=env, stdout=log, stderr=log)
        try:
            if wait_for(port, proc):
                yield port, None
            else:
                log.seek(0)
                yield port, "did not start: " + log.read().decode(errors="replace").strip()[-500:]
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def wait_for(port, proc, seconds=30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            time.sleep(0.1)
    return False


def fire(base, scheme):
    url = base if scheme == "business" else base + "/onboarding"
    secret = SECRET if scheme == "business" else ONBOARDING_SECRET
    cmd = [
        str(ROOT / "target/release/qonto-webhooks"),
        "send",
        "--url",
        url,
        "--scheme",
        scheme,
        "--check",
        "--topic",
        "v1/transactions",
    ]
    out = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QONTO_WEBHOOK_SECRET": secret},
    )
    results = {}
    for line in out.stdout.splitlines():
        m = re.match(r"\s+(\S+)\s+-> (\d+) in\s+([\d.]+) ms\s+(as expected|UNEXPECTED)(.*)", line)
        if m:
            duplicate = m.group(4) == "as expected" and "acknowledged as duplicate" in m.group(5)
            results[m.group(1)] = (int(m.group(2)), m.group(4) == "as expected", duplicate)
    return out.returncode == 0, results, out.stdout + out.stderr


GO_RECEIVER = ROOT / "target/conformance/go_receiver"


def prepare():
    """Installs what the receivers need besides the bindings (`make tour` builds those first and
    puts the pinned Go on PATH), and builds the Go receiver (cgo over the C library)."""
    subprocess.run(
        ["bash", str(ROOT / ".ci/venv.sh"), str(ROOT / "examples/requirements.txt")],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    if shutil.which("go") is None:
        raise SystemExit("go is not on PATH: run the tour through make (make tour)")
    subprocess.run(
        ["go", "build", "-o", str(GO_RECEIVER), "./receiver"], cwd=ROOT / "examples/go", check=True
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", help="receivers to run (default: all)")
    args = parser.parse_args()
    prepare()
    chosen = {k: v for k, v in receivers().items() if not args.only or k in args.only}
    rows, failures = [], []
    for name, (cmd, cwd) in chosen.items():
        with receiver(cmd, cwd) as (port, why):
            if why:
                failures.append(f"{name}: {why}")
                rows.append((name, "-", ["did not start"] * len(LABELS)))
                continue
            base = f"http://127.0.0.1:{port}/webhooks"
            for scheme in ("business", "onboarding"):
                ok, results, output = fire(base, scheme)
                cells = []
                for label in LABELS:
                    if label not in results:
                        cells.append(
                            "n/a"
                            if scheme == "onboarding" and label in BUSINESS_ONLY
                            else "missing"
                        )
                        continue
                    status, expected, duplicate = results[label]
                    cells.append(
                        f"{status}{' dup' if duplicate else ''}{'' if expected else ' (!)'}"
                    )
                rows.append((name, scheme, cells))
                if not ok:
                    failures.append(f"{name} ({scheme}):\n{output}")

    width = max(len(r[0]) for r in rows) if rows else 10
    print(
        f"{'receiver':<{width}}  {'scheme':<10}  " + "  ".join(f"{label:>12}" for label in LABELS)
    )
    for name, scheme, cells in rows:
        print(f"{name:<{width}}  {scheme:<10}  " + "  ".join(f"{c:>12}" for c in cells))
    print(
        "\nA correct endpoint answers 2xx to the genuine event and 4xx to the other copies, but "
        "the replay: refused (4xx) or acknowledged as a duplicate (200 dup: a 2xx saying "
        '"duplicate": true); (!) marks a wrong answer.'
    )
    for f in failures:
        print("\nFAILED " + f, file=sys.stderr)
    passed = sum(
        1
        for _, _, cells in rows
        if all("(!)" not in c and c not in ("missing", "did not start") for c in cells)
    )
    print(f"\ntour: {passed} passed, {len(rows) - passed} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
