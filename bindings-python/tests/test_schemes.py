"""The schemes an endpoint accepts: every request-level case of `testkit/vectors/requests.json`
through `verify_request`, `start_request` and real Flask and FastAPI apps.

The business MAC of (t, body) is the onboarding MAC of the body `t.body`: an endpoint that let the
request's headers pick the scheme would accept a stale business webhook resent as an onboarding
one. The verifier's `schemes` (business only by default) decides, by the core's rule.
"""

from typing import Any, Dict, List, Optional, Tuple

import pytest
from starlette.datastructures import Headers as StarletteHeaders
from werkzeug.datastructures import Headers as WerkzeugHeaders

import qonto_webhooks as qw
from conftest import OFFICIAL_BODY, OFFICIAL_HEADER, OFFICIAL_NOW, OFFICIAL_SECRET, REQUESTS
from conftest import tolerance_arg

CASE_IDS = [c["name"] for c in REQUESTS]


@pytest.fixture(params=REQUESTS, ids=CASE_IDS)
def case(request: pytest.FixtureRequest) -> Dict[str, Any]:
    c: Dict[str, Any] = request.param
    return c


def make_verifier(c: Dict[str, Any]) -> qw.Verifier:
    return qw.Verifier(c["secrets"], tolerance=tolerance_arg(c["tolerance"]), schemes=c["schemes"])


def pairs(c: Dict[str, Any]) -> List[Tuple[str, str]]:
    """The case's headers as (name, value) pairs, with an unrelated header first."""
    out = [("Content-Type", "application/json")]
    if c["business"] is not None:
        out.append((qw.BUSINESS_HEADER, c["business"]))
    if c["onboarding"] is not None:
        out.append((qw.ONBOARDING_HEADER, c["onboarding"]))
    return out


def header_objects(c: Dict[str, Any]) -> Dict[str, Any]:
    """The same headers in every shape verify_request takes."""
    p = pairs(c)
    return {
        "dict": dict(p),
        "dict-lower": {k.lower(): v for k, v in p},
        "dict-upper": {k.upper(): v for k, v in p},
        "pairs": p,
        "asgi-raw": [(k.lower().encode(), v.encode()) for k, v in p],
        "werkzeug": WerkzeugHeaders(p),
        "starlette": StarletteHeaders(raw=[(k.lower().encode(), v.encode()) for k, v in p]),
    }


def check(
    c: Dict[str, Any], verified: Optional[qw.Verified], error: Optional[BaseException]
) -> None:
    if c["expect"] == "ok":
        assert error is None, f"{c['name']}: {error!r}"
        assert verified is not None
        assert (verified.scheme, verified.secret_index) == (c["scheme"], c["secret_index"])
        assert (verified.timestamp is None) == (c["scheme"] == "onboarding")
        return
    assert isinstance(error, qw.WebhookVerificationError), f"{c['name']}: {verified!r}"
    assert error.code == c["expect"], str(error)
    assert type(error) is qw.ERRORS[c["expect"]]
    if "message_contains" in c:
        assert c["message_contains"] in str(error), str(error)


def run(call: Any) -> Tuple[Optional[qw.Verified], Optional[BaseException]]:
    try:
        return call(), None
    except qw.WebhookVerificationError as e:
        return None, e


def test_the_case_file_has_the_reframed_replay() -> None:
    names = {c["name"] for c in REQUESTS}
    assert "reframed_business_replay_refused_by_default" in names
    assert {c["schemes"] for c in REQUESTS} == {"business", "onboarding", "both"}


def test_verify_request(case: Dict[str, Any]) -> None:
    verifier = make_verifier(case)
    for shape, headers in header_objects(case).items():
        verified, error = run(
            lambda: verifier.verify_request(headers, case["body"], now=case["now"])
        )
        try:
            check(case, verified, error)
        except AssertionError as e:
            raise AssertionError(f"headers as {shape}: {e}") from None


def test_start_request(case: Dict[str, Any]) -> None:
    def call() -> qw.Verified:
        state = make_verifier(case).start_request(pairs(case), now=case["now"])
        body = case["body"]
        for i in range(0, len(body), 5):
            state.update(body[i : i + 5])
        return state.finish()

    check(case, *run(call))


def test_reframed_business_replay_refused_by_default() -> None:
    """A business webhook, long stale, resent as `Qonto-SHA256-Signature: <its v1>` with the body
    `<t>.<body>`: a default verifier refuses it (it is the onboarding MAC of that body)."""
    t, v1 = OFFICIAL_HEADER.split(",")
    reframed_body = t[2:].encode() + b"." + OFFICIAL_BODY
    headers = {qw.ONBOARDING_HEADER: v1[3:]}
    verifier = qw.Verifier(OFFICIAL_SECRET)
    assert verifier.schemes == "business"
    with pytest.raises(qw.MissingHeaderError, match="accepts business webhooks only"):
        verifier.verify_request(headers, reframed_body, now=OFFICIAL_NOW + 10**9)
    with pytest.raises(qw.MissingHeaderError, match="accepts business webhooks only"):
        verifier.start_request(headers, now=OFFICIAL_NOW + 10**9)
    # The reason the default matters: an endpoint that accepts onboarding webhooks under the
    # business secret takes it. Hence one secret per scheme.
    same_secret = qw.Verifier(OFFICIAL_SECRET, schemes="onboarding")
    assert same_secret.verify_request(headers, reframed_body).scheme == "onboarding"


def test_schemes_option() -> None:
    assert qw.Verifier("k").schemes == "business"
    names: List[Any] = ["business", "onboarding", "both"]
    for name in names:
        v = qw.Verifier("k", schemes=name)
        assert v.schemes == name
        assert f"schemes={name}" in repr(v)
    bad_names: List[Any] = ["Business", "all", "", "business,onboarding", "both\ud800"]
    for bad in bad_names:
        with pytest.raises(ValueError, match="schemes must be"):
            qw.Verifier("k", schemes=bad)
    wrong_types: List[Any] = [None, 1, b"business", ["business"]]
    for wrong in wrong_types:
        with pytest.raises(TypeError, match="schemes must be"):
            qw.Verifier("k", schemes=wrong)


def test_explicit_calls_name_their_scheme() -> None:
    """`verify` and `verify_onboarding` say the scheme themselves: `schemes` is for requests."""
    v = qw.Verifier(OFFICIAL_SECRET, schemes="onboarding")
    assert v.verify(OFFICIAL_BODY, OFFICIAL_HEADER, now=OFFICIAL_NOW).scheme == "business"


# -- real frameworks, each app configured like the case's endpoint --


def flask_app(c: Dict[str, Any]) -> Any:
    from flask import Flask, request

    app = Flask(__name__)
    verifier = make_verifier(c)

    @app.post("/webhooks")
    def webhook() -> Any:
        try:
            v = verifier.verify_request(request.headers, request.get_data(), now=c["now"])
        except qw.WebhookVerificationError as e:
            return {"error": e.code, "message": str(e)}, 400
        return {"scheme": v.scheme, "secret_index": v.secret_index}

    return app.test_client()


def fastapi_app(c: Dict[str, Any]) -> Any:
    from fastapi import FastAPI, Request
    from fastapi.responses import JSONResponse
    from fastapi.testclient import TestClient

    app = FastAPI()  # (no `from __future__ import annotations` here: FastAPI reads `Request`)
    verifier = make_verifier(c)

    @app.post("/webhooks")
    async def webhook(request: Request) -> JSONResponse:
        body = await request.body()
        try:
            v = verifier.verify_request(request.headers, body, now=c["now"])
        except qw.WebhookVerificationError as e:
            return JSONResponse({"error": e.code, "message": str(e)}, status_code=400)
        return JSONResponse({"scheme": v.scheme, "secret_index": v.secret_index})

    return TestClient(app)


@pytest.mark.parametrize("framework", ["flask", "fastapi"])
def test_frameworks(case: Dict[str, Any], framework: str) -> None:
    headers = dict(pairs(case))
    if framework == "flask":
        response = flask_app(case).post("/webhooks", data=case["body"], headers=headers)
        payload = response.get_json()
    else:
        response = fastapi_app(case).post("/webhooks", content=case["body"], headers=headers)
        payload = response.json()
    if case["expect"] == "ok":
        assert response.status_code == 200, payload
        assert payload == {"scheme": case["scheme"], "secret_index": case["secret_index"]}
    else:
        assert response.status_code == 400, payload
        assert payload["error"] == case["expect"], payload
        assert case.get("message_contains", "") in payload["message"]
