"""The pure-Python implementation (`qonto_webhooks._pure`) against the native module: the same
verdicts, error classes, codes, messages and `TypeError`/`ValueError` texts, on the shared
vectors and request cases and on thousands of random cases; and how `import qonto_webhooks`
chooses between them (`QONTO_WEBHOOKS_IMPLEMENTATION`, a missing native module)."""

from __future__ import annotations

import base64
import importlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, List, Optional, Tuple

import pytest

import qonto_webhooks as qw
from conftest import REQUESTS, VECTORS, tolerance_arg
from qonto_webhooks import _pure

PACKAGE = Path(qw.__file__).resolve().parent
REPO = Path(__file__).resolve().parents[2]


def native_module() -> Optional[ModuleType]:
    try:
        return importlib.import_module("qonto_webhooks._native")
    except ImportError:
        return None


NATIVE = native_module()
needs_native = pytest.mark.skipif(
    NATIVE is None, reason="compares with the native module, which is not installed here"
)


def outcome(call: Callable[[], Any]) -> Tuple[Any, ...]:
    """What a call gives, comparable across implementations: the value (a `Verified` as its
    fields), or the exception's class name, code, scheme and message."""
    try:
        value = call()
    except Exception as e:  # noqa: BLE001 - every outcome is compared
        # The module of the Verifier base class is the one thing that must differ.
        message = re.sub(r"qonto_webhooks\._(native|pure)\.", "qonto_webhooks.<impl>.", str(e))
        return (
            "raise",
            type(e).__name__,
            getattr(e, "code", None),
            getattr(e, "scheme", None),
            message,
        )
    if hasattr(value, "secret_index"):
        return ("ok", value.secret_index, value.timestamp, value.scheme, repr(value))
    return ("ok", value)


def both(run: Callable[[ModuleType], Any]) -> None:
    assert NATIVE is not None
    native, pure = outcome(lambda: run(NATIVE)), outcome(lambda: run(_pure))
    assert native == pure


# --- the version ----------------------------------------------------------------------------


def test_the_version_is_the_workspace_version() -> None:
    cargo = (REPO / "Cargo.toml").read_text()
    version = re.search(r'(?m)^version = "([^"]+)"', cargo)
    assert version, "no version in the workspace Cargo.toml"
    assert _pure.__version__ == version.group(1)
    if NATIVE is not None:
        assert NATIVE.__version__ == _pure.__version__


def test_the_constants_are_the_cores() -> None:
    names = [
        "BUSINESS_HEADER",
        "ONBOARDING_HEADER",
        "DEFAULT_TOLERANCE",
        "MAX_SECRETS",
        "MAX_HEADER_LEN",
        "ERROR_CODES",
    ]
    assert _pure.ERROR_CODES == tuple(c for c in qw.ERRORS if c != "invalid_payload")
    if NATIVE is not None:
        for name in names:
            assert getattr(_pure, name) == getattr(NATIVE, name), name


# --- same verdicts and messages ---------------------------------------------------------------


@needs_native
@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_every_vector_gives_the_same_outcome(vector: Any) -> None:
    def run(m: ModuleType) -> Any:
        v = m.Verifier(vector["secrets"], tolerance=tolerance_arg(vector["tolerance"]))
        if vector["scheme"] == "onboarding":
            return v.verify_onboarding(vector["body"], vector["header"])
        return v.verify(vector["body"], vector["header"], now=vector["now"])

    both(run)


@needs_native
@pytest.mark.parametrize("case", REQUESTS, ids=[c["name"] for c in REQUESTS])
def test_every_request_case_gives_the_same_outcome(case: Any) -> None:
    def run(m: ModuleType) -> Any:
        v = m.Verifier(
            case["secrets"], tolerance=tolerance_arg(case["tolerance"]), schemes=case["schemes"]
        )
        return v._verify_request(
            case["business"], case["onboarding"], case["body"], now=case["now"]
        )

    both(run)


ALPHABETS = ["abcdefghijklmnopqrstuvwxyz0123456789", "ABCDEF_-/+=", "éü€漢🔑☕ ", " \t"]


def random_header(rng: random.Random, header: str) -> str:
    ops: List[Callable[[str], str]] = [
        lambda h: h[: rng.randint(0, len(h))],
        lambda h: h
        + rng.choice(
            [
                ",v0=x",
                ",v2=" + "a" * 64,
                ",",
                ",x",
                ",t=1",
                ",v1=" + "0" * 64,
                ",t=99999999999999999999",
                ",v1=" + "g" * 64,
                ", ,",
            ]
        ),
        lambda h: h.upper(),
        lambda h: h.replace("v1=", "V1=", 1),
        lambda h: h.replace(",", rng.choice([" ,", ", ", "\t,", ",\t ", " , ", ",,"]), 1),
        lambda h: rng.choice([" ", "\t", ""]) + h + rng.choice([" ", "\t", "", "\n", "x"]),
        lambda h: h[:-1],
        lambda h: h + rng.choice("0aF "),
        lambda h: h.replace("t=", rng.choice(["t=0", "t=+", "t= ", "t=-", "t=1.", "t"]), 1),
        lambda h: ",".join(reversed(h.split(","))),
        lambda h: h + "," + h,
        lambda h: h.replace("=", " = ", 1),
        lambda h: h.replace("=", "", 1),
        lambda h: "",
        lambda h: h + " " * rng.choice([10, 4096]),
        lambda h: h + ",v0=" + "\ud800" * rng.choice([1, 1400]),
        lambda h: "sha256=" + h,
    ]
    for _ in range(rng.choice([0, 1, 1, 2, 3])):
        header = rng.choice(ops)(header)
    return header


def random_cases(seed: int, count: int) -> List[Any]:
    rng = random.Random(seed)
    cases = []
    for _ in range(count):
        n = rng.choice([0, 1, 1, 1, 2, 3, 8, 9])
        secrets: List[Any] = []
        for _ in range(n):
            alphabet = "".join(rng.sample(ALPHABETS, rng.randint(1, len(ALPHABETS))))
            s = "".join(rng.choice(alphabet) for _ in range(rng.choice([0, 1, 5, 32, 65])))
            secrets.append(s.encode() if rng.random() < 0.2 else s)
        body = bytes(rng.getrandbits(8) for _ in range(rng.choice([0, 1, 64, 300])))
        signer = (secrets and rng.choice(secrets)) or "other"
        key = signer.encode() if isinstance(signer, str) else signer
        now = rng.choice([0, 1, 1_735_689_600, 2**64 - 1])
        t = max(0, min(2**64 - 1, now + rng.choice([0, 1, -1, 300, -301, 10**12])))
        header = (
            _pure.sign(key or b"x", body, timestamp=t)
            if rng.random() < 0.7
            else _pure.sign_onboarding(key or b"x", body)
        )
        cases.append(
            {
                "secrets": secrets,
                "tolerance": rng.choice([None, "disabled", 0, 1, 300, 2**64 - 1]),
                "schemes": rng.choice(["business", "onboarding", "both"]),
                "body": body,
                "header": random_header(rng, header),
                "other": random_header(rng, _pure.sign_onboarding(key or b"x", body)),
                "now": now,
            }
        )
    return cases


@needs_native
@pytest.mark.parametrize("seed", range(4))
def test_random_cases_give_the_same_outcome(seed: int) -> None:
    """Random secrets, bodies, windows and mutated headers through every entry point."""
    for case in random_cases(seed, 1500):

        def make(m: ModuleType) -> Any:
            return m.Verifier(case["secrets"], tolerance=case["tolerance"], schemes=case["schemes"])

        def business(m: ModuleType) -> Any:
            return make(m).verify(case["body"], case["header"], now=case["now"])

        def onboarding(m: ModuleType) -> Any:
            return make(m).verify_onboarding(case["body"], case["header"])

        def request(m: ModuleType) -> Any:
            return make(m)._verify_request(
                case["header"], case["other"], case["body"], now=case["now"]
            )

        def streamed(m: ModuleType) -> Any:
            state = make(m)._start_request(None, case["header"], now=case["now"])
            state.update(case["body"][:7])
            state.update(case["body"][7:])
            return state.finish()

        for run in (business, onboarding, request, streamed):
            native, pure = outcome(lambda: run(NATIVE)), outcome(lambda: run(_pure))
            assert native == pure, (run.__name__, case)


ARGUMENT_CALLS: List[Tuple[str, Callable[[ModuleType], Any]]] = [
    ("secret None", lambda m: m.Verifier(None)),
    ("secret dict", lambda m: m.Verifier({"a": 1})),
    ("secret list of int", lambda m: m.Verifier(["a", 1])),
    ("secret empty list", lambda m: m.Verifier([])),
    ("secret empty", lambda m: m.Verifier("")),
    ("nine secrets", lambda m: m.Verifier(["a"] * 9)),
    ("nine, last empty", lambda m: m.Verifier(["a"] * 8 + [""])),
    ("surrogate secret", lambda m: m.Verifier("\ud800")),
    ("generator", lambda m: m.Verifier(s for s in ["a", b"b", bytearray(b"c")]).secret_count),
    ("tolerance str", lambda m: m.Verifier("k", tolerance="off")),
    ("tolerance bytes", lambda m: m.Verifier("k", tolerance=b"disabled")),
    ("tolerance float", lambda m: m.Verifier("k", tolerance=1.5)),
    ("tolerance negative", lambda m: m.Verifier("k", tolerance=-3)),
    ("tolerance huge", lambda m: m.Verifier("k", tolerance=2**64)),
    ("tolerance before secret", lambda m: m.Verifier(42, tolerance="x")),
    ("schemes int", lambda m: m.Verifier("k", schemes=1)),
    ("schemes other", lambda m: m.Verifier("k", schemes="Both")),
    ("repr", lambda m: repr(m.Verifier(["a", "b"], tolerance="disabled", schemes="both"))),
    ("body int", lambda m: m.Verifier("k").verify(42, "t=1,v1=0")),
    ("header int", lambda m: m.Verifier("k").verify(b"", 42)),
    ("header bytearray", lambda m: m.Verifier("k").verify_onboarding(b"", bytearray(b"a"))),
    ("header before body", lambda m: m.Verifier("k").verify(42, 42)),
    ("body before missing header", lambda m: m.Verifier("k").verify(42, None)),
    ("now str", lambda m: m.Verifier("k").verify(b"", "t=1,v1=0", now="1")),
    ("now negative", lambda m: m.Verifier("k").verify(b"", "t=1,v1=0", now=-1)),
    (
        "now bool",
        lambda m: m.Verifier("k", tolerance=5).verify(b"", m.sign("k", b"", timestamp=1), now=True),
    ),
    ("sign empty secret", lambda m: m.sign("", b"x", timestamp=1)),
    ("sign secret list", lambda m: m.sign(["a"], b"x", timestamp=1)),
    ("sign timestamp float", lambda m: m.sign("k", b"x", timestamp=1.0)),
    ("sign huge", lambda m: m.sign("k", b"x", timestamp=2**64 - 1)),
    ("sign_onboarding bytearray", lambda m: m.sign_onboarding(bytearray(b"k"), memoryview(b"x"))),
    ("verified", lambda m: m.Verified(1, None, "onboarding")),
    ("verified bad scheme", lambda m: m.Verified(0, None, "other")),
    ("verified negative", lambda m: m.Verified(-1, None, "business")),
    ("verified str", lambda m: m.Verified("0", None, "business")),
    ("verified huge timestamp", lambda m: m.Verified(0, 2**64, "business")),
    ("verified float timestamp", lambda m: m.Verified(0, 1.0, "business")),
    ("verified pickled", lambda m: __import__("pickle").dumps(m.Verified(0, 1, "business"))),
    ("verified read-only", lambda m: setattr(m.Verified(0, 1, "business"), "secret_index", 2)),
    ("verified no attribute", lambda m: setattr(m.Verified(0, 1, "business"), "other", 2)),
    ("verified delete", lambda m: delattr(m.Verified(0, 1, "business"), "scheme")),
    ("verifier read-only", lambda m: setattr(m.Verifier("k"), "tolerance", 2)),
    ("verifier no attribute", lambda m: setattr(m.Verifier("k"), "anything", 2)),
    ("incremental constructor", lambda m: m.Incremental()),
    ("verified eq", lambda m: m.Verified(0, 5, "business") == m.Verified(0, 5, "business")),
    ("verified ne", lambda m: m.Verified(0, 5, "business") != m.Verified(1, 5, "business")),
    (
        "finished twice",
        lambda m: [
            s.finish() for s in [m.Verifier("k").start_onboarding(m.sign_onboarding("k", b""))] * 2
        ],
    ),
    ("incremental repr", lambda m: repr(m.Verifier("k").start_onboarding("0" * 64))),
    (
        "select both absent",
        lambda m: m.Verifier("k", schemes="both")._verify_request(None, " \t", b""),
    ),
    ("select other only", lambda m: m.Verifier("k")._verify_request(None, "x", b"")),
    (
        "select other only o",
        lambda m: m.Verifier("k", schemes="onboarding")._start_request("x", ""),
    ),
    ("select long blank", lambda m: m.Verifier("k")._verify_request(" " * 4097, None, b"")),
    ("diagnose bad tolerance", lambda m: m.diagnose("k", b"", "x", tolerance=-1)),
    ("diagnose bad body", lambda m: m.diagnose("k", 42, "x")),
    ("diagnose empty secret", lambda m: m.diagnose("", b"", "x")),
]


@needs_native
@pytest.mark.parametrize("name,call", ARGUMENT_CALLS, ids=[n for n, _ in ARGUMENT_CALLS])
def test_arguments_give_the_same_outcome(name: str, call: Callable[[ModuleType], Any]) -> None:
    both(call)


DIAGNOSE_SECRET = "whsec_VuvcYxzMbryt1UBytq58jtGBxCgbQdzX/c0vj5ZLjUA="
DIAGNOSE_BODY = '{"id":"e1","type":"v1/clients","data":{"event":"created","name":"Société ☕","n":[1,2.5,{}],"z":null}}'.encode()
NOW = 1735689600


def diagnose_cases() -> List[Tuple[str, Any, bytes, str, str, int]]:
    s, b, sign = DIAGNOSE_SECRET, DIAGNOSE_BODY, _pure.sign
    h = sign(s, b, timestamp=NOW)
    parsed = json.loads(b)
    return [
        ("good", s, b, h, "business", NOW),
        ("reserialised", s, json.dumps(parsed).encode(), h, "business", NOW),
        (
            "pretty",
            s,
            b,
            sign(s, json.dumps(parsed, indent=2, ensure_ascii=False).encode(), timestamp=NOW),
            "business",
            NOW,
        ),
        (
            "sorted",
            s,
            b,
            sign(
                s,
                json.dumps(
                    parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False
                ).encode(),
                timestamp=NOW,
            ),
            "business",
            NOW,
        ),
        (
            "escaped",
            s,
            b,
            sign(s, json.dumps(parsed, separators=(",", ":")).encode(), timestamp=NOW),
            "business",
            NOW,
        ),
        (
            "python default",
            s,
            b,
            sign(s, json.dumps(parsed).encode(), timestamp=NOW),
            "business",
            NOW,
        ),
        ("base64 secret", base64.b64decode(s[6:]), b, h, "business", NOW),
        ("stripped prefix", s[6:], b, h, "business", NOW),
        ("signed stripped", s, b, sign(s[6:], b, timestamp=NOW), "business", NOW),
        ("signed decoded", s, b, sign(base64.b64decode(s[6:]), b, timestamp=NOW), "business", NOW),
        ("no prefix secret", "abc", b, sign("whsec_abc", b, timestamp=NOW), "business", NOW),
        (
            "encoded secret",
            "abc",
            b,
            sign("whsec_" + base64.b64encode(b"abc").decode(), b, timestamp=NOW),
            "business",
            NOW,
        ),
        ("whitespace", s + "\n", b, h, "business", NOW),
        ("newline added", s, b + b"\n", h, "business", NOW),
        ("crlf added", s, b + b"\r\n", h, "business", NOW),
        ("newline missing", s, b, sign(s, b + b"\n", timestamp=NOW), "business", NOW),
        ("crlf", s, b"a\r\nb\r\n", sign(s, b"a\nb\n", timestamp=NOW), "business", NOW),
        ("lf", s, b"a\nb", sign(s, b"a\r\nb", timestamp=NOW), "business", NOW),
        ("onboarding header", s, b, _pure.sign_onboarding(s, b), "business", NOW),
        ("business as onboarding", s, b, h, "onboarding", NOW),
        (
            "onboarding reserialised",
            s,
            json.dumps(parsed).encode(),
            _pure.sign_onboarding(s, b),
            "onboarding",
            NOW,
        ),
        ("milliseconds", s, b, sign(s, b, timestamp=NOW * 1000), "business", NOW),
        ("skew behind", s, b, sign(s, b, timestamp=NOW - 900), "business", NOW),
        ("skew ahead", s, b, sign(s, b, timestamp=NOW + 900), "business", NOW),
        ("old and wrong", "other", b, sign(s, b, timestamp=NOW - 900), "business", NOW),
        (
            "without timestamp",
            s,
            b,
            "t=%d,v1=%s" % (NOW, _pure.sign_onboarding(s, b)),
            "business",
            NOW,
        ),
        ("wrong secret", "nope", b, h, "business", NOW),
        ("malformed", s, b, "t=1,v1=zz", "business", NOW),
        ("missing", s, b, "", "onboarding", NOW),
        ("binary body", s, bytes(range(256)), sign(s, b"x", timestamp=NOW), "business", NOW),
        ("not utf-8 json", s, b'{"a":"\xff"}', sign(s, b"x", timestamp=NOW), "business", NOW),
        ("json scalar", s, b" 12.5 ", sign(s, b"12.5", timestamp=NOW), "business", NOW),
    ]


@needs_native
@pytest.mark.parametrize("case", diagnose_cases(), ids=[c[0] for c in diagnose_cases()])
def test_diagnose_gives_the_same_findings(case: Any) -> None:
    _, secret, body, header, scheme, now = case
    for secrets in (secret, [secret, "whsec_second"]):
        both(
            lambda m: m.diagnose(secrets, body, header, onboarding=scheme == "onboarding", now=now)
        )


# --- choosing the implementation --------------------------------------------------------------


def run_python(
    code: str, env_value: Optional[str], path: Optional[Path] = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "QONTO_WEBHOOKS_IMPLEMENTATION"}
    if env_value is not None:
        env["QONTO_WEBHOOKS_IMPLEMENTATION"] = env_value
    if path is not None:
        env["PYTHONPATH"] = str(path)
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        cwd=path or PACKAGE.parent,
        timeout=120,
    )


PRINT = "import qonto_webhooks as q; print(q.IMPLEMENTATION, type(q.Verifier('k')).__mro__[1].__module__)"


def test_the_variable_forces_the_pure_implementation() -> None:
    result = run_python(PRINT, "python")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["python", "qonto_webhooks._pure"]


@needs_native
def test_native_by_default_and_on_demand() -> None:
    for value in (None, "", "native"):
        result = run_python(PRINT, value)
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == ["native", "qonto_webhooks._native"]


def test_another_value_is_refused_by_name() -> None:
    result = run_python(PRINT, "js")
    assert result.returncode != 0
    assert "QONTO_WEBHOOKS_IMPLEMENTATION must be 'native' or 'python'" in result.stderr


def test_without_the_native_module(tmp_path: Path) -> None:
    """A copy of the package without the compiled module (what the pure wheel installs): the
    import falls back, and `=native` fails with a message that says why."""
    shutil.copytree(
        PACKAGE,
        tmp_path / "qonto_webhooks",
        ignore=shutil.ignore_patterns("_native*.so", "_native*.pyd", "__pycache__"),
    )
    result = run_python(PRINT, None, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["python", "qonto_webhooks._pure"]
    result = run_python(PRINT, "native", tmp_path)
    assert result.returncode != 0
    assert "QONTO_WEBHOOKS_IMPLEMENTATION=native, but the native module" in result.stderr
    assert "ImportError" in result.stderr
