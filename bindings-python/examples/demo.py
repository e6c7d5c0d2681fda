"""Verifies signed Qonto webhooks end to end: one accepted event, then the usual rejects with
their stable codes and messages, then Qonto's official onboarding vector."""

from __future__ import annotations

import json
import textwrap

import qonto_webhooks as qw

SECRET = "whsec_VuvcYxzMbryt1UBytq58jtGBxCgbQdzX/c0vj5ZLjUA="  # Qonto's documented example

# A beneficiary removal, shaped as Qonto's business envelope (compact JSON, as sent).
EVENT = {
    "id": "0195a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b",
    "subscription_id": "9d1c3e0a-2b4f-4c6d-8e0f-1a2b3c4d5e6f",
    "organization_id": "4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d",
    "membership_id": "7e8f9a0b-1c2d-4e3f-8a4b-5c6d7e8f9a0b",
    "type": "v1/beneficiaries",
    "created_at": "2025-03-02T09:00:00Z",
    "data": {"event": "deleted", "id": "b8f1c2d3-4e5f-4a6b-8c7d-9e0f1a2b3c4d"},
}


SHOWN: set[str] = set()


def show(label: str, verifier: qw.Verifier, body: bytes, header: str | None) -> None:
    try:
        event = verifier.construct_event(body, header)
    except qw.WebhookVerificationError as e:
        print(f"  REJECT {label:<26} {e.code}")
        if e.code not in SHOWN:  # each message once
            SHOWN.add(e.code)
            print(textwrap.fill(str(e), 96, initial_indent=" " * 9, subsequent_indent=" " * 9))
        return
    index = event.verified.secret_index if event.verified else None
    print(
        f"  ACCEPT {label:<26} {event.type} {event.action}, id {event.id[:8]}..., "
        f"created {event.created_time():%Y-%m-%d %H:%M %z} ({event.created_at}), secret #{index}"
    )


def main() -> None:
    verifier = qw.Verifier(SECRET)  # tolerance: 300 s, Qonto's 5 minutes
    body = json.dumps(EVENT, separators=(",", ":")).encode()
    now = qw.unix_now()
    header = qw.sign(SECRET, body, timestamp=now)
    print(f"Python qonto_webhooks {qw.__version__}: business webhooks ({qw.BUSINESS_HEADER})")
    print(f"  header: {header}")
    show("signed event", verifier, body, header)
    show("tampered body", verifier, body.replace(b"deleted", b"created"), header)
    show("parsed and re-serialised", verifier, json.dumps(json.loads(body)).encode(), header)
    show("stale (10 min old)", verifier, body, qw.sign(SECRET, body, timestamp=now - 600))
    show("wrong secret", verifier, body, qw.sign("whsec_not_the_secret", body, timestamp=now))
    show("malformed header", verifier, body, header.replace("v1=", "v1=sha256="))
    show("missing header", verifier, body, None)

    rotation = qw.Verifier(["whsec_new_secret_after_rotation", SECRET])
    show("rotation: old secret", rotation, body, header)

    onboarding_body = (
        b'{"id":"75341dcb-0376-474d-97d7-d2c03ff3973c","event_type":"registrations.pending",'
        b'"resource_type":"registration","resource_id":"525817f7-93e8-4f31-a83d-20319778b4b0",'
        b'"created_at":"2022-08-29T13:17:32Z"}'
    )
    onboarding_header = "b0d249e653f1310fa5b7f26d5682548afa1799353b92fcafd4cacbd90312023e"
    print(f"Onboarding webhooks ({qw.ONBOARDING_HEADER}), Qonto's official vector")
    # An endpoint for onboarding webhooks says so: the default accepts business webhooks only.
    event = qw.Verifier("secret_key", schemes="onboarding").verify_request(
        {"qonto-sha256-signature": onboarding_header}, onboarding_body
    )
    parsed = qw.Verifier("secret_key").construct_onboarding_event(
        onboarding_body, onboarding_header
    )
    print(
        f"  ACCEPT {'official vector':<26} {parsed.event_type}, {parsed.resource_type} "
        f"{parsed.resource_id[:8]}... (scheme {event.scheme}: no timestamp, no replay window)"
    )
    try:
        qw.Verifier("secret_key").verify_onboarding(onboarding_body + b"\n", onboarding_header)
    except qw.SignatureMismatchError as e:
        print(f"  REJECT {'one byte appended':<26} {e.code}")


if __name__ == "__main__":
    main()
