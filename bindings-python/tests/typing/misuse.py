"""Wrong uses that the stubs must make `mypy --strict` refuse (see test_typing.py); each line
marked `# E` must produce one error."""

from datetime import datetime

from qonto_webhooks import IdempotencyGuard, Verifier, idempotency_key, sign

verifier = Verifier("secret")
verifier.verify(123, "t=1,v1=00")  # E
verifier.verify(b"{}", 42)  # E
verifier.verify(b"{}", "h", now=1.5)  # E
verifier.verify(b"{}", "h", 1704110400)  # E
Verifier("secret", tolerance="300")  # E
Verifier("secret", tolerance="off")  # E
Verifier("secret", schemes="all")  # E
Verifier("secret", schemes=None)  # E
Verifier(42)  # E
sign("secret", b"{}", timestamp="now")  # E
verifier.verify(b"{}", "h").secret_index.upper()  # E
guard = IdempotencyGuard()
guard.complete("business:e1")  # E
guard.claim(42)  # E
idempotency_key("both", b"{}")  # E
guard.run("business:e1", 42)  # E
verifier.construct_event_from_request({}, b"{}").type  # E
verifier.construct_event_from_request({}, b"{}", 1704110400)  # E
event = verifier.construct_event(b"{}", "h")
created: datetime = event.created_at  # E
event.created_at.isoformat()  # E
event.created_time().upper()  # E
verifier.construct_onboarding_event(b"{}", "h").created_at.tzinfo  # E
