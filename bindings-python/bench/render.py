"""Prints bench.sh's results as a markdown table, with the ratios against the issue's targets.

Usage: render.py RESULTS.json... (pytest-benchmark --benchmark-json files)"""

from __future__ import annotations

import json
import sys
from typing import Dict, List, Tuple

OURS = "qonto_webhooks"
A, B, C = "(a) hmac.new+hexdigest", "(b) hmac.digest", "(c) stripe"
# Minimum speed-ups of ours over each alternative, by size (issue 4).
TARGETS: Dict[int, Dict[str, float]] = {
    256: {A: 3.0, B: 2.5, C: 5.0},
    1024: {A: 3.0, B: 2.5, C: 5.0},
    1024 * 1024: {B: 1.0},
}


def size_name(size: int) -> str:
    return f"{size // 1024 // 1024} MiB" if size >= 1 << 20 else (
        f"{size // 1024} KiB" if size >= 1024 else f"{size} B"
    )


def fmt_time(seconds: float) -> str:
    us = seconds * 1e6
    return f"{us:.2f} µs" if us < 100 else f"{us:.0f} µs"


def main(paths: List[str]) -> int:
    medians: Dict[Tuple[str, str, int], float] = {}
    threads: Dict[Tuple[str, int], Tuple[float, int]] = {}
    machine = ""
    for path in paths:
        with open(path) as f:
            doc = json.load(f)
        info = doc["machine_info"]
        machine = f"{info.get('cpu', {}).get('brand_raw', '?')}, Python {info['python_version']}"
        for bench in doc["benchmarks"]:
            extra, median = bench["extra_info"], bench["stats"]["median"]
            if extra["kind"] == "verify":
                medians[(extra["abi"], extra["impl"], extra["size"])] = median
            else:
                # Throughput under a busy machine: the best round is the least disturbed one.
                threads[(extra["abi"], extra["threads"])] = (bench["stats"]["min"], extra["total"])
    abis = list(dict.fromkeys(abi for abi, impl, _ in medians if impl == OURS))
    sizes = sorted({size for _, _, size in medians})
    others = [A, B, C]
    base = next((a for a in abis if any((a, o, s) in medians for o in others for s in sizes)), None)
    print(
        f"Median time per verification ({machine}); speed-up = theirs / ours ({abis[0]}).\n"
    )
    head = ["body"] + [f"ours ({abi})" for abi in abis] + others
    head += [f"vs {o.split(' ')[0]} (target)" for o in others]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    failures = []
    for size in sizes:
        row = [size_name(size)]
        row += [fmt_time(medians[(abi, OURS, size)]) if (abi, OURS, size) in medians else "-"
                for abi in abis]
        row += [fmt_time(medians[(base, o, size)]) if (base, o, size) in medians else "-"
                for o in others]
        # Ratios against the default build (the first file), the one every user gets.
        best = medians[(abis[0], OURS, size)]
        for o in others:
            if (base, o, size) not in medians:
                row.append("-")
                continue
            ratio = medians[(base, o, size)] / best
            target = TARGETS.get(size, {}).get(o)
            if target is None:
                row.append(f"{ratio:.2f}×")
            else:
                ok = ratio >= target
                row.append(f"{ratio:.2f}× (≥ {target:g}× {'ok' if ok else 'MISSED'})")
                if not ok:
                    failures.append(f"{size_name(size)} vs {o}")
        print("| " + " | ".join(row) + " |")
    for abi in abis:
        if (abi, 1) in threads and (abi, 2) in threads:
            (t1, total), (t2, _) = threads[(abi, 1)], threads[(abi, 2)]
            speed = t1 / t2
            ok = speed >= 1.7
            print(
                f"\nThreads ({abi}): {total} verifications of 1 MiB take {fmt_time(t1)} on one "
                f"thread, {fmt_time(t2)} on two (best of 20 rounds): {speed:.2f}× the throughput "
                f"(target ≥ 1.7×: {'ok' if ok else 'MISSED'})."
            )
            if not ok:
                failures.append(f"threads ({abi})")
    if failures:
        print("\nTargets missed in this run: " + ", ".join(failures) + ".")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
