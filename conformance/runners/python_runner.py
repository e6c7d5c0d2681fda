#!/usr/bin/env python3
"""Differential runner for the Python package (`qonto_webhooks`: the pyo3 binding of the core, or
its pure-Python fallback). Prints one verdict per case (`ok <secret_index>` or the error code),
like every runner.

    .venv/bin/python conformance/runners/python_runner.py CASES.json
    QONTO_WEBHOOKS_IMPLEMENTATION=python .venv/bin/python conformance/runners/python_runner.py CASES.json

`QONTO_WEBHOOKS_IMPLEMENTATION` chooses the implementation as it does for every import of the
package (`native` fails when the native module cannot load, `python` forces the fallback); the
runner checks that the one asked for is the one that runs, and says which on stderr.
"""

import base64
import json
import os
import sys

import qonto_webhooks
from qonto_webhooks import Verifier, WebhookVerificationError


def verdict(case):
    body = base64.b64decode(case["body_b64"])
    try:
        # `tolerance: null` in the cases is a disabled window, which the Verifier takes only
        # spelled out (None would mean the default, 300 s).
        tolerance = "disabled" if case["tolerance"] is None else case["tolerance"]
        verifier = Verifier(case["secrets"], tolerance=tolerance)
        if case["scheme"] == "onboarding":
            verified = verifier.verify_onboarding(body, case["header"])
        else:
            verified = verifier.verify(body, case["header"], now=case["now"])
    except WebhookVerificationError as e:
        return e.code
    return f"ok {verified.secret_index}"


def main():
    wanted = os.environ.get("QONTO_WEBHOOKS_IMPLEMENTATION", "").strip()
    running = qonto_webhooks.IMPLEMENTATION
    if wanted and wanted != running:
        raise SystemExit(f"python_runner: asked for {wanted}, but {running} runs")
    print(f"python_runner: implementation {running}", file=sys.stderr)
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)
    out = [verdict(case) for case in cases]
    sys.stdout.write("\n".join(out) + ("\n" if out else ""))


if __name__ == "__main__":
    main()
