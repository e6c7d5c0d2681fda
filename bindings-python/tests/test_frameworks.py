"""Real frameworks, written the way the README tells users to: the raw body, never parsed JSON."""

from typing import Any, Dict, Iterator

import pytest

import qonto_webhooks as qw
from conftest import business_event

SECRET = "whsec_public_example_secret_0123456789abcdef"


def make_flask_app() -> Any:
    # -- as in the README --
    from flask import Flask, request

    from qonto_webhooks import Verifier, WebhookVerificationError

    app = Flask(__name__)
    verifier = Verifier(SECRET)
    received = []

    @app.post("/webhooks/qonto")
    def qonto_webhook() -> Any:
        try:
            event = verifier.construct_event(
                request.get_data(), request.headers.get("X-Qonto-Signature")
            )
        except WebhookVerificationError as e:
            return {"error": e.code, "message": str(e)}, 400
        received.append(event)  # queue it; deduplicate on event.id
        return "", 204

    # -- end --
    app.config["received"] = received
    return app


def make_fastapi_app() -> Any:
    # -- as in the README --
    from fastapi import FastAPI, HTTPException, Request, Response

    from qonto_webhooks import Verifier, WebhookVerificationError

    app = FastAPI()
    verifier = Verifier(SECRET)
    received = []

    @app.post("/webhooks/qonto")
    async def qonto_webhook(request: Request) -> Response:
        body = await request.body()  # the raw bytes, not a parsed model
        try:
            verified = verifier.verify_request(request.headers, body)
        except WebhookVerificationError as e:
            raise HTTPException(400, detail={"error": e.code, "message": str(e)})
        received.append((verified, body))
        return Response(status_code=204)

    # -- end --
    app.state.received = received
    return app


class Client:
    """The same requests against either framework's test client."""

    def __init__(self, framework: str) -> None:
        self.framework = framework
        if framework == "flask":
            self.app = make_flask_app()
            self.client: Any = self.app.test_client()
        else:
            from fastapi.testclient import TestClient

            self.app = make_fastapi_app()
            self.client = TestClient(self.app)

    def post(self, body: bytes, headers: Dict[str, str]) -> Any:
        headers = {"Content-Type": "application/json", **headers}
        if self.framework == "flask":
            return self.client.post("/webhooks/qonto", data=body, headers=headers)
        return self.client.post("/webhooks/qonto", content=body, headers=headers)

    def error(self, response: Any) -> str:
        payload = response.get_json() if self.framework == "flask" else response.json()["detail"]
        code: str = payload["error"]
        return code

    def received(self) -> int:
        if self.framework == "flask":
            return len(self.app.config["received"])
        return len(self.app.state.received)


@pytest.fixture(params=["flask", "fastapi"])
def client(request: pytest.FixtureRequest) -> Iterator[Client]:
    yield Client(request.param)


def test_good_webhook_is_accepted(client: Client) -> None:
    body = business_event()
    response = client.post(body, {"X-Qonto-Signature": qw.sign(SECRET, body)})
    assert response.status_code == 204, response.text if hasattr(response, "text") else response
    assert client.received() == 1


def test_lowercase_header_name(client: Client) -> None:
    body = business_event()
    response = client.post(body, {"x-qonto-signature": qw.sign(SECRET, body)})
    assert response.status_code == 204


@pytest.mark.parametrize(
    "case, code",
    [
        ("tampered", "signature_mismatch"),
        ("reserialized", "signature_mismatch"),
        ("stale", "timestamp_too_old"),
        ("future", "timestamp_in_future"),
        ("wrong secret", "signature_mismatch"),
        ("no header", "missing_header"),
        ("malformed", "malformed_header"),
    ],
)
def test_bad_webhooks_are_refused(client: Client, case: str, code: str) -> None:
    body = business_event()
    now = qw.unix_now()
    header = qw.sign(SECRET, body, timestamp=now)
    headers = {"X-Qonto-Signature": header}
    if case == "tampered":
        body = body.replace(b"12.5", b"1250")
    elif case == "reserialized":
        import json

        body = json.dumps(json.loads(body)).encode()  # spaces added: not the signed bytes
    elif case == "stale":
        headers["X-Qonto-Signature"] = qw.sign(SECRET, body, timestamp=now - 3600)
    elif case == "future":
        headers["X-Qonto-Signature"] = qw.sign(SECRET, body, timestamp=now + 3600)
    elif case == "wrong secret":
        headers["X-Qonto-Signature"] = qw.sign("whsec_someone_else", body, timestamp=now)
    elif case == "no header":
        del headers["X-Qonto-Signature"]
    elif case == "malformed":
        headers["X-Qonto-Signature"] = header.replace("v1=", "v1=sha256:")
    response = client.post(body, headers)
    assert response.status_code == 400
    assert client.error(response) == code
    assert client.received() == 0
