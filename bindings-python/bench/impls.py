"""The compared implementations: each verifies one business webhook (header parsing, the
5-minute window, HMAC-SHA256, constant-time comparison) and raises on failure."""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Callable, Dict

import stripe

import qonto_webhooks
from qonto_webhooks import _pure

Verify = Callable[[bytes, str], object]
TOLERANCE = 300


def ours(secret: str) -> Verify:
    verifier = qonto_webhooks.Verifier(secret, tolerance=TOLERANCE)
    return verifier.verify


def fallback(secret: str) -> Verify:
    """The package's pure-Python fallback (what installs where no compiled wheel exists),
    whichever implementation `import qonto_webhooks` picked."""
    verifier = _pure.Verifier(secret, tolerance=TOLERANCE)
    return verifier.verify


def hmac_hexdigest(secret: str) -> Verify:
    """(a) What most guides show: split the header, hmac.new(...).hexdigest(), compare_digest."""
    key = secret.encode()

    def verify(body: bytes, header: str) -> None:
        items = dict(item.split("=", 1) for item in header.split(","))
        t, signature = items["t"], items["v1"]
        if abs(time.time() - int(t)) > TOLERANCE:
            raise ValueError("timestamp outside the tolerance")
        expected = hmac.new(key, f"{t}.".encode() + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature):
            raise ValueError("signature mismatch")

    return verify


def hmac_digest(secret: str) -> Verify:
    """(b) The best stdlib one-shot: hmac.digest (OpenSSL, no HMAC object) on raw bytes."""
    key = secret.encode()

    def verify(body: bytes, header: str) -> None:
        t, _, signature = header.partition(",v1=")
        t = t[2:]
        if abs(time.time() - int(t)) > TOLERANCE:
            raise ValueError("timestamp outside the tolerance")
        expected = hmac.digest(key, t.encode() + b"." + body, "sha256")
        if not hmac.compare_digest(expected, bytes.fromhex(signature)):
            raise ValueError("signature mismatch")

    return verify


def stripe_verify_header(secret: str) -> Verify:
    """(c) The stripe package's verifier, on a header of the same form (t=..,v1=..)."""

    def verify(body: bytes, header: str) -> None:
        stripe.WebhookSignature.verify_header(body, header, secret, tolerance=TOLERANCE)

    return verify


IMPLEMENTATIONS: Dict[str, Callable[[str], Verify]] = {
    "qonto_webhooks": ours,
    "fallback (pure Python)": fallback,
    "(a) hmac.new+hexdigest": hmac_hexdigest,
    "(b) hmac.digest": hmac_digest,
    "(c) stripe": stripe_verify_header,
}
