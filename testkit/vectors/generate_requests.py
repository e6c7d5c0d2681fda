#!/usr/bin/env python3
"""Writes requests.json: request-level cases, where a request carries zero, one or both signature
headers and the endpoint is configured to accept some schemes (`business`, `onboarding`, `both`).

Every binding with a request helper (Rust `Verifier::verify_request`, Python `verify_request`,
Node `verifyRequest` and the Express middleware, the web entry, C `qw_verify_request`, Go, the
CLI's `listen`) runs all of them. The signatures are computed here with Python's `hmac`.

Form: {name, schemes, secrets, business (header or null), onboarding (header or null), body_b64,
now, tolerance, expect: "ok" | code, scheme and secret_index (when ok), message_contains (a
substring of the rejection's message, where the case pins one)}.

    python3 testkit/vectors/generate_requests.py
"""

import base64
import hashlib
import hmac
import json
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
OUT = HERE / "requests.json"

SECRET = "whsec_public_example_secret_0123456789abcdef"
ONBOARDING_SECRET = "onboarding_example_secret_fedcba9876543210"
NOW = 1735689600
BODY = b'{"id":"0196f5a2-7c3e-7b1a-9d4e-2f1c3a5b7d9e","type":"v1/transactions","data":{}}'
OB_BODY = (
    b'{"id":"75341dcb-0376-474d-97d7-d2c03ff3973c","event_type":"registrations.pending",'
    b'"resource_type":"registration","resource_id":"525817f7-93e8-4f31-a83d-20319778b4b0",'
    b'"created_at":"2022-08-29T13:17:32Z"}'
)


def mac(secret, message):
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def business(t=NOW, body=BODY, secret=SECRET):
    return f"t={t},v1={mac(secret, str(t).encode() + b'.' + body)}"


def case(
    name,
    schemes,
    *,
    business=None,
    onboarding=None,
    body=BODY,
    secrets=(SECRET,),
    now=NOW,
    tolerance=300,
    expect="ok",
    scheme=None,
    secret_index=0,
    message_contains=None,
):
    c = {
        "name": name,
        "schemes": schemes,
        "secrets": list(secrets),
        "business": business,
        "onboarding": onboarding,
        "body_b64": base64.b64encode(body).decode(),
        "now": now,
        "tolerance": tolerance,
        "expect": expect,
    }
    if expect == "ok":
        c["scheme"] = scheme
        c["secret_index"] = secret_index
    if message_contains is not None:
        c["message_contains"] = message_contains
    return c


def cases():
    good = business()
    ob = mac(ONBOARDING_SECRET, OB_BODY)
    # The audit's replay: a business webhook a billion seconds stale, its v1 resent as an
    # onboarding signature over the body "<t>.<body>" (the same MAC).
    stale_t = NOW - 1_000_000_000
    reframed_body = str(stale_t).encode() + b"." + BODY
    reframed_sig = mac(SECRET, reframed_body)
    both_secrets = (SECRET, ONBOARDING_SECRET)
    out = [
        case("business_default_ok", "business", business=good, scheme="business"),
        case(
            "reframed_business_replay_refused_by_default",
            "business",
            onboarding=reframed_sig,
            body=reframed_body,
            expect="missing_header",
            message_contains="accepts business webhooks only",
        ),
        case(
            "reframed_business_replay_with_stale_business_header_too",
            "business",
            business=business(t=stale_t),
            onboarding=reframed_sig,
            body=reframed_body,
            expect="timestamp_too_old",
        ),
        case(
            "onboarding_header_ignored_when_business_only",
            "business",
            business=good,
            onboarding="zz",
            scheme="business",
        ),
        case(
            "onboarding_ok_when_configured",
            "onboarding",
            onboarding=ob,
            body=OB_BODY,
            secrets=(ONBOARDING_SECRET,),
            scheme="onboarding",
        ),
        case(
            "business_header_alone_refused_when_onboarding_only",
            "onboarding",
            business=good,
            secrets=(ONBOARDING_SECRET,),
            expect="missing_header",
            message_contains="carries X-Qonto-Signature",
        ),
        case(
            "onboarding_only_reads_the_onboarding_header",
            "onboarding",
            business="garbage",
            onboarding=ob,
            body=OB_BODY,
            secrets=(ONBOARDING_SECRET,),
            scheme="onboarding",
        ),
        case(
            "both_business_wins",
            "both",
            business=good,
            onboarding="not-read",
            secrets=both_secrets,
            scheme="business",
        ),
        case(
            "both_blank_business_falls_back_to_onboarding",
            "both",
            business=" \t",
            onboarding=ob,
            body=OB_BODY,
            secrets=both_secrets,
            scheme="onboarding",
            secret_index=1,
        ),
        case(
            "both_onboarding_alone",
            "both",
            onboarding=ob,
            body=OB_BODY,
            secrets=both_secrets,
            scheme="onboarding",
            secret_index=1,
        ),
        case(
            "both_business_is_checked_not_skipped",
            "both",
            business=business(secret="other"),
            onboarding=ob,
            body=OB_BODY,
            secrets=both_secrets,
            expect="signature_mismatch",
        ),
        case(
            "both_with_the_onboarding_secret_refuses_the_reframed_replay",
            "both",
            onboarding=reframed_sig,
            body=reframed_body,
            secrets=(ONBOARDING_SECRET,),
            expect="signature_mismatch",
        ),
        case(
            "both_neither_header",
            "both",
            expect="missing_header",
            message_contains="both missing or empty",
        ),
        case(
            "business_neither_header",
            "business",
            expect="missing_header",
            message_contains="X-Qonto-Signature header is missing or empty",
        ),
        case(
            "onboarding_neither_header",
            "onboarding",
            expect="missing_header",
            message_contains="Qonto-SHA256-Signature header is missing or empty",
        ),
        case("business_empty_header", "business", business="", expect="missing_header"),
        case(
            "business_stale", "business", business=business(t=NOW - 301), expect="timestamp_too_old"
        ),
        case(
            "business_window_disabled",
            "business",
            business=business(t=1),
            tolerance=None,
            scheme="business",
        ),
        case("business_malformed", "business", business="t=1,v1=xyz", expect="malformed_header"),
        case(
            "business_blank_over_the_limit_is_malformed_not_missing",
            "business",
            business=" " * 4097,
            expect="malformed_header",
            message_contains="4097 bytes long",
        ),
        case(
            "both_blank_business_over_the_limit_is_read_and_malformed",
            "both",
            business="\t" * 5000,
            onboarding=ob,
            body=OB_BODY,
            secrets=both_secrets,
            expect="malformed_header",
        ),
        case(
            "both_blank_business_at_the_limit_falls_back_to_onboarding",
            "both",
            business=" " * 4096,
            onboarding=ob,
            body=OB_BODY,
            secrets=both_secrets,
            scheme="onboarding",
            secret_index=1,
        ),
        case(
            "business_blank_at_the_limit_is_missing_and_names_the_other_header",
            "business",
            business="\t" * 4096,
            onboarding=ob,
            expect="missing_header",
            message_contains="carries Qonto-SHA256-Signature",
        ),
        case(
            "onboarding_blank_over_the_limit_is_malformed_not_missing",
            "onboarding",
            onboarding=" " * 4097,
            expect="malformed_header",
        ),
        case(
            "onboarding_malformed",
            "onboarding",
            onboarding="sha256=" + ob,
            body=OB_BODY,
            expect="malformed_header",
        ),
    ]
    return out


def main():
    data = cases()
    OUT.write_text(json.dumps(data, indent=2) + "\n")
    print(f"{OUT.name}: {len(data)} cases")


if __name__ == "__main__":
    main()
