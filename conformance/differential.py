#!/usr/bin/env python3
"""Cross-language differential: the same random cases through every binding, same verdicts.

Generates random cases in the vector format (random secrets, multi-byte UTF-8 included; bodies of
random size, empty and binary included; headers signed then mutated: truncated, extra items, case
changes, whitespace, wrong lengths, the other scheme, timestamps around the window's edges), runs
them through each runner (Rust, CLI, Python, pure Python, Node, Node web, pure JS, C, Go, pure
Go) and asserts identical verdicts: `ok <secret_index>` or the same error code. A disagreement is
shrunk to a minimal case, printed in the vector format and, with --add, appended to
testkit/vectors/vectors.json (expecting the Rust core's verdict, which the other bindings must
then match).

    python3 conformance/differential.py --seed 1 --cases 2000           # what CI runs
    python3 conformance/differential.py --seed $RANDOM --cases 20000    # by hand, any seed
    python3 conformance/differential.py --only rust python              # some runners
"""

import argparse
import base64
import hashlib
import hmac
import json
import pathlib
import random
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
VECTORS = ROOT / "testkit/vectors/vectors.json"
RUNNERS = pathlib.Path(__file__).resolve().parent / "runners"

# name -> command (the cases file path is appended). Each prints one verdict per case.
RUNNER_COMMANDS = {
    "rust": [str(ROOT / "target/release/vector-runner")],
    "reference": [sys.executable, str(RUNNERS / "reference.py")],
    "python": [str(ROOT / ".venv/bin/python"), str(RUNNERS / "python_runner.py")],
    "python-pure": [
        "env",
        "QONTO_WEBHOOKS_IMPLEMENTATION=python",
        str(ROOT / ".venv/bin/python"),
        str(RUNNERS / "python_runner.py"),
    ],
    "node": ["node", str(RUNNERS / "node_runner.js")],
    "node-web": ["node", str(RUNNERS / "web_runner.mjs")],
    "node-js": ["node", str(RUNNERS / "node_runner.js"), "--implementation", "js"],
    "c": [sys.executable, str(RUNNERS / "c_runner.py")],
    "go": ["bash", str(RUNNERS / "go_runner.sh")],
    "go-pure": ["env", "CGO_ENABLED=0", "bash", str(RUNNERS / "go_runner.sh")],
}


def sign(secret, t_text, body):
    return hmac.new(secret.encode(), t_text.encode() + b"." + body, hashlib.sha256).hexdigest()


def sign_onboarding(secret, body):
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


ALPHABETS = [
    "abcdefghijklmnopqrstuvwxyz0123456789",
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ_-/+=",
    "éàüßçøñ€漢字🔑☕ ",
    " \t",
]


def random_secret(rng):
    roll = rng.random()
    if roll < 0.03:
        return ""
    n = rng.choice([1, 2, 5, 11, 32, 50, 64, 65, 128, 200])
    alphabet = "".join(rng.sample(ALPHABETS, rng.randint(1, len(ALPHABETS))))
    s = "".join(rng.choice(alphabet) for _ in range(n))
    return ("whsec_" + s) if rng.random() < 0.3 else s


def random_body(rng):
    roll = rng.random()
    if roll < 0.1:
        return b""
    if roll < 0.3:
        return bytes(rng.getrandbits(8) for _ in range(rng.choice([1, 7, 64, 300])))
    n = rng.choice([1, 3, 10])
    items = ",".join(f'"k{i}":"{rng.choice(["é", "x", "☕", "1.50"])}"' for i in range(n))
    return ("{" + items + "}").encode()


def mutate_header(rng, header):
    """One random change to a header string."""
    ops = [
        lambda h: h[: rng.randint(0, len(h))],  # truncated
        lambda h: h
        + rng.choice([",v0=x", ",v2=" + "a" * 64, ",", ",x", ",t=1", ",v1=" + "0" * 64]),
        lambda h: h.upper(),  # case
        lambda h: h.replace("v1=", "V1=", 1),
        lambda h: h.replace(",", rng.choice([" ,", ", ", "\t,", ",\t ", " , "]), 1),
        lambda h: rng.choice([" ", "\t", ""]) + h + rng.choice([" ", "\t", "", "\n"]),
        lambda h: h[:-1] if h else h,  # wrong length
        lambda h: h + rng.choice("0aF"),
        lambda h: h.replace("t=", "t=0", 1),  # leading zero
        lambda h: h.replace("t=", "t=+", 1),
        lambda h: ",".join(reversed(h.split(","))),  # order
        lambda h: h + "," + h,  # duplicated items
        lambda h: h.replace("=", " = ", 1),
        lambda h: "",
        lambda h: h + " " * rng.choice([10, 4096]),
    ]
    return rng.choice(ops)(header)


def random_case(rng):
    scheme = "onboarding" if rng.random() < 0.3 else "business"
    nsecrets = rng.choice([0, 1, 1, 1, 2, 3, 8, 9]) if rng.random() < 0.2 else rng.choice([1, 2])
    secrets = [random_secret(rng) for _ in range(nsecrets)]
    body = random_body(rng)
    # `now` stays within 2**53 - 1: a JavaScript number cannot hold more, so the Node and web APIs
    # cannot be given more. `tolerance` stays within 2**31 - 1 s (68 years): Go's time.Duration
    # holds at most 292 years. `t` in the header is text and goes up to 2**64 - 1.
    now = rng.choice([0, 1, 1_735_689_600, 2**53 - 1])
    tolerance = rng.choice([None, 0, 1, 300, 300, 3600, 2**31 - 1])
    signer = rng.choice(secrets + ["someone-else"]) if secrets else "someone-else"
    signer = signer or "x"
    # The timestamp: around the window's edges, or anywhere.
    edge = rng.choice([0, 1, -1, 300, -300, 301, -301, 3600, -3601, 10**12])
    t = max(0, min(2**64 - 1, now + edge)) if rng.random() < 0.8 else rng.getrandbits(64)
    t_text = str(t)
    if scheme == "business":
        header = f"t={t_text},v1={sign(signer, t_text, body)}"
        if rng.random() < 0.2:
            header += f",v1={sign_onboarding(signer, body)}"
    else:
        header = sign_onboarding(signer, body)
    if rng.random() < 0.05:  # the other scheme's header
        header = (
            sign_onboarding(signer, body)
            if scheme == "business"
            else f"t={t_text},v1={sign(signer, t_text, body)}"
        )
    for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
        header = mutate_header(rng, header)
    return {
        "name": "",
        "scheme": scheme,
        "secrets": secrets,
        "header": header,
        "body_b64": base64.b64encode(body).decode(),
        "now": now,
        "tolerance": tolerance,
    }


def run_all(runners, cases):
    """runner name -> list of verdicts (one per case)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp) / "cases.json"
        path.write_text(json.dumps(cases, ensure_ascii=False), encoding="utf-8")
        out = {}
        for name, cmd in runners.items():
            proc = subprocess.run(cmd + [str(path)], capture_output=True, text=True, timeout=1800)
            verdicts = proc.stdout.splitlines()
            if proc.returncode != 0 or len(verdicts) != len(cases):
                raise SystemExit(
                    f"runner {name} failed (exit {proc.returncode}, "
                    f"{len(verdicts)}/{len(cases)} verdicts):\n{proc.stderr[-2000:]}"
                )
            out[name] = verdicts
        return out


def disagree(runners, case):
    verdicts = run_all(runners, [case])
    return len({v[0] for v in verdicts.values()}) > 1


def shrink(runners, case):
    """A smaller case on which the runners still disagree."""
    changed = True
    while changed:
        changed = False
        candidates = []
        h = case["header"]
        for i in range(len(h)):
            candidates.append({**case, "header": h[:i] + h[i + 1 :]})
        if len(case["secrets"]) > 1:
            for i in range(len(case["secrets"])):
                candidates.append(
                    {**case, "secrets": case["secrets"][:i] + case["secrets"][i + 1 :]}
                )
        body = base64.b64decode(case["body_b64"])
        if body:
            candidates.append(
                {**case, "body_b64": base64.b64encode(body[: len(body) // 2]).decode()}
            )
        for c in candidates:
            if disagree(runners, c):
                case, changed = c, True
                break
    return case


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--only", nargs="*", help="runner names (default: all)")
    parser.add_argument(
        "--add",
        action="store_true",
        help="append minimal disagreements to testkit/vectors/vectors.json",
    )
    args = parser.parse_args()
    runners = {k: v for k, v in RUNNER_COMMANDS.items() if not args.only or k in args.only}
    rng = random.Random(args.seed)
    cases = [random_case(rng) for _ in range(args.cases)]
    cases += json.loads(VECTORS.read_text(encoding="utf-8"))
    verdicts = run_all(runners, cases)
    names = list(runners)
    disagreements = [i for i in range(len(cases)) if len({verdicts[n][i] for n in names}) > 1]
    counts = {}
    for v in verdicts[names[0]]:
        key = v.split()[0]
        counts[key] = counts.get(key, 0) + 1
    print(
        f"differential: seed {args.seed}, {len(cases)} cases ({args.cases} random + the vectors) "
        f"through {', '.join(names)}"
    )
    print("verdicts: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    found = []
    for i in disagreements[:5]:
        minimal = shrink(runners, cases[i])
        got = run_all(runners, [minimal])
        print("\nDISAGREEMENT (minimal case):")
        print(json.dumps(minimal, ensure_ascii=False, indent=1))
        for n in names:
            print(f"  {n:<10} {got[n][0]}")
        found.append((minimal, got))
    if args.add and found:
        existing = json.loads(VECTORS.read_text(encoding="utf-8"))
        for k, (minimal, got) in enumerate(found):
            rust = got.get("rust", [next(iter(got.values()))[0]])[0].split()
            minimal = {
                **minimal,
                "name": f"differential seed {args.seed} case {k}",
                "expect": rust[0],
            }
            if rust[0] == "ok":
                minimal["secret_index"] = int(rust[1])
            existing.append(minimal)
        VECTORS.write_text(
            json.dumps(existing, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        print(f"added {len(found)} case(s) to {VECTORS.relative_to(ROOT)}")
    print(f"\ndifferential: {len(cases) - len(disagreements)} passed, {len(disagreements)} failed")
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
