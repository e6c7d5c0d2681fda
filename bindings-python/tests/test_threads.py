"""One Verifier shared by 8 threads, thousands of verifications each, every result right."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import List, Tuple

import qonto_webhooks as qw

SECRETS = ["old-secret", "new-secret"]
NOW = 1_800_000_000
THREADS = 8
ROUNDS = 3000


def work(verifier: qw.Verifier, seed: int) -> Tuple[int, List[str]]:
    """Verifies a mix of good and bad webhooks (small and above the GIL threshold); returns the
    count of correct verdicts and a description of any wrong one."""
    wrong: List[str] = []
    right = 0
    for i in range(ROUNDS):
        size = 64 + (i * 37 + seed) % 200 if i % 50 else 20_000 + seed
        body = bytes([(seed + i) % 256]) * size
        secret_index = (i + seed) % 2
        header = qw.sign(SECRETS[secret_index], body, timestamp=NOW - i % 300)
        kind = i % 4
        try:
            if kind == 0:
                verified = verifier.verify(body, header, now=NOW)
                ok = (verified.secret_index, verified.timestamp) == (secret_index, NOW - i % 300)
            elif kind == 1:
                verifier.verify(body + b"x", header, now=NOW)
                ok = False
            elif kind == 2:
                verifier.verify(body, header, now=NOW + 1000)
                ok = False
            else:
                sig = qw.sign_onboarding(SECRETS[secret_index], body)
                ok = verifier.verify_onboarding(body, sig).secret_index == secret_index
        except qw.SignatureMismatchError:
            ok = kind == 1
        except qw.TimestampTooOldError:
            ok = kind == 2
        if ok:
            right += 1
        else:
            wrong.append(f"thread {seed} round {i} kind {kind}")
    return right, wrong


def test_eight_threads_share_one_verifier() -> None:
    verifier = qw.Verifier(SECRETS)
    barrier = threading.Barrier(THREADS)

    def run(seed: int) -> Tuple[int, List[str]]:
        barrier.wait()
        return work(verifier, seed)

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(run, range(THREADS)))
    wrong = [w for _, ws in results for w in ws]
    assert wrong == []
    assert sum(r for r, _ in results) == THREADS * ROUNDS


def test_threads_feeding_big_bytearrays_while_others_mutate_theirs() -> None:
    """Large bytearrays are copied before the GIL is released: a thread resizing its own
    bytearray never disturbs another's verification."""
    verifier = qw.Verifier("k")
    body = bytearray(b"a" * 100_000)
    header = qw.sign("k", bytes(body), timestamp=NOW)
    errors: List[str] = []

    def verify_loop() -> None:
        for _ in range(200):
            if verifier.verify(body, header, now=NOW).secret_index != 0:
                errors.append("wrong verdict")

    def mutate_loop() -> None:
        scratch = bytearray(b"b" * 100_000)
        for _ in range(2000):
            scratch.extend(b"c" * 1000)
            del scratch[-1000:]

    threads = [threading.Thread(target=verify_loop) for _ in range(4)]
    threads += [threading.Thread(target=mutate_loop) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_the_gil_is_released_while_a_large_body_is_hashed() -> None:
    """While one thread verifies a 64 MiB body, this thread keeps running Python code: with the
    GIL held it could not run at all between the flag being set and the call returning."""
    verifier = qw.Verifier("k")
    body = b"x" * (64 << 20)
    header = qw.sign("k", body, timestamp=NOW)
    state = {"inside": False, "done": False}
    results: List[qw.Verified] = []

    def verify() -> None:
        state["inside"] = True
        results.append(verifier.verify(body, header, now=NOW))
        state["inside"] = False
        state["done"] = True

    thread = threading.Thread(target=verify)
    thread.start()
    progressed = 0
    while not state["done"]:
        if state["inside"]:
            progressed += 1
    thread.join()
    assert results and results[0].secret_index == 0
    # Hashing 64 MiB takes tens of milliseconds: a loop running meanwhile counts far more than
    # this; with the GIL held it would count at most a handful.
    assert progressed > 1000, progressed


def test_bodies_around_the_threshold_verify_in_threads() -> None:
    verifier = qw.Verifier("k")
    bodies = [b"y" * n for n in (4095, 4096, 4097)]
    headers = [qw.sign("k", b, timestamp=NOW) for b in bodies]

    def check(i: int) -> bool:
        b, h = bodies[i % 3], headers[i % 3]
        return verifier.verify(b, h, now=NOW).secret_index == 0 and not _wrongly_accepted(
            verifier, b
        )

    with ThreadPoolExecutor(4) as pool:
        assert all(pool.map(check, range(600)))


def _wrongly_accepted(verifier: qw.Verifier, body: bytes) -> bool:
    """True if the header of another body is (wrongly) accepted for this one."""
    other = qw.sign("k", body + b"!", timestamp=NOW)
    try:
        verifier.verify(body, other, now=NOW)
    except qw.SignatureMismatchError:
        return False
    return True
