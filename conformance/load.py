#!/usr/bin/env python3
"""Load comparison: each stack's receiver built on this library against the same endpoint
verifying by hand (the way most guides show), under the same sustained concurrent signed requests
on loopback (`target/release/load URL REQUESTS THREADS`, conformance/rust/load.rs: every genuine event must be accepted
exactly once, every tampered, stale, wrong-secret or replayed one rejected). Prints a markdown
table of requests per second and correctness; exits 1 on any lost or wrong answer.

    python3 conformance/load.py [--requests 20000] [--threads 8] [--only axum flask express go]

The hand-written baselines are conformance/baselines/ (Flask, Express) and
conformance/go/handwritten (Go); the axum one is the example receiver's `--handwritten` mode. Run
it with the pinned Go on PATH (as `make tour` does) after `make artifacts` (the release binaries,
the Python package, the Node addon, the C library).

Servers: axum on a current-thread tokio runtime, Flask on Werkzeug's threaded development server
(`app.run`, one thread per connection; a production WSGI server would be faster for both Flask
rows alike), Express 5 on Node's http server (one process). Each pair differs only in how it
verifies: these are figures of whole requests, HTTP included, not of verification alone.
"""

import argparse
import os
import pathlib
import platform
import re
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples"))
from tour import GO_RECEIVER, prepare, receiver, venv_bin  # noqa: E402

BASELINES = ROOT / "conformance/baselines"
GO_HANDWRITTEN = ROOT / "target/conformance/go_handwritten"

LOAD = ROOT / "target/release/load"


def stacks():
    """stack -> [(receiver label, command)]; the port is appended as the last argument."""
    py = venv_bin("python")
    axum = str(ROOT / "target/release/axum-receiver")
    return {
        "axum": [
            ("rust axum + qonto-webhooks", [axum]),
            ("rust axum, hand-written (hmac + hex + ==)", [axum, "--handwritten"]),
        ],
        "flask": [
            ("flask + qonto_webhooks", [py, str(ROOT / "examples/python/flask_receiver.py")]),
            (
                "flask, hand-written (hmac.new + compare_digest)",
                [py, str(BASELINES / "flask_handwritten.py")],
            ),
        ],
        "express": [
            ("express + qontoWebhook", ["node", str(ROOT / "examples/node/express_receiver.js")]),
            (
                "express, hand-written (createHmac + timingSafeEqual)",
                ["node", str(BASELINES / "express_handwritten.js")],
            ),
        ],
        "go": [
            ("go net/http + qontowebhooks", [str(GO_RECEIVER)]),
            ("go net/http, hand-written (crypto/hmac + hex + hmac.Equal)", [str(GO_HANDWRITTEN)]),
        ],
    }


def run_one(cmd, requests, threads):
    """Starts a receiver, loads it; returns (req/s or None, accepted, lost, wrong, passed, output)."""
    with receiver(cmd) as (port, why):
        if why:
            return None, 0, 0, 0, False, why
        out = subprocess.run(
            [str(LOAD), f"http://127.0.0.1:{port}/webhooks", str(requests), str(threads)],
            capture_output=True,
            text=True,
            timeout=300,
        )
    text = out.stdout + out.stderr
    m = re.search(r"([\d.]+) req/s; accepted (\d+), lost (\d+), wrong (\d+)", text)
    if not m:
        return None, 0, 0, 0, False, text
    rps, accepted, lost, wrong = (
        float(m.group(1)),
        int(m.group(2)),
        int(m.group(3)),
        int(m.group(4)),
    )
    return rps, accepted, lost, wrong, out.returncode == 0, text


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument(
        "--only", nargs="*", help="stacks to run: axum, flask, express, go (default: all)"
    )
    args = parser.parse_args()
    if not LOAD.exists():
        raise SystemExit(
            "build the Rust binaries first: cargo build --release -p qonto-webhooks-cli "
            "-p qonto-webhooks-examples -p qonto-webhooks-conformance"
        )
    prepare()
    subprocess.run(
        ["go", "build", "-o", str(GO_HANDWRITTEN), "./handwritten"],
        cwd=ROOT / "conformance/go",
        check=True,
    )
    chosen = {k: v for k, v in stacks().items() if not args.only or k in args.only}
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in open("/proc/cpuinfo", encoding="utf-8")
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    print(
        f"load: {args.requests} requests (70% genuine, 30% tampered/stale/wrong-secret, "
        f"+2% replays), {args.threads} client threads, loopback; {cpu}, {os.cpu_count()} cores, "
        f"{time.strftime('%Y-%m-%d', time.gmtime())}\n"
    )
    print("| receiver | req/s | accepted | lost | wrong | result |")
    print("|---|---:|---:|---:|---:|---|")
    failures = []
    for rows in chosen.values():
        for label, cmd in rows:
            rps, accepted, lost, wrong, passed, output = run_one(cmd, args.requests, args.threads)
            shown = f"{rps:,.0f}" if rps is not None else "-"
            print(
                f"| {label} | {shown} | {accepted} | {lost} | {wrong} | "
                f"{'ok' if passed else 'FAILED'} |",
                flush=True,
            )
            if not passed:
                failures.append(f"{label}:\n{output.strip()[-1500:]}")
    for f in failures:
        print("\nFAILED " + f, file=sys.stderr)
    total = sum(len(rows) for rows in chosen.values())
    print(f"\nload: {total - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
