"""Prints bench.sh's results as a markdown table, with the ratios against the issue's targets.

Usage: render.py RESULTS.json... (pytest-benchmark --benchmark-json files, threads.py files)"""

from __future__ import annotations

import json
import sys
from typing import Any, Dict, List, Tuple

OURS = "qonto_webhooks"
FALLBACK = "fallback (pure Python)"
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
    thread_docs: List[Dict[str, Any]] = []
    machine = ""
    for path in paths:
        with open(path) as f:
            doc = json.load(f)
        if "results" in doc:  # threads.py
            thread_docs.append(doc)
            continue
        info = doc["machine_info"]
        machine = f"{info.get('cpu', {}).get('brand_raw', '?')}, Python {info['python_version']}"
        for bench in doc["benchmarks"]:
            extra, median = bench["extra_info"], bench["stats"]["median"]
            medians[(extra["abi"], extra["impl"], extra["size"])] = median
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
    print()
    fallback_rows = [s for s in sizes if (base, FALLBACK, s) in medians]
    if fallback_rows:
        print("The pure-Python fallback (installed where no compiled wheel exists) against the "
              "hand-written standard-library code it replaces; target: no slower (≥ 1×).\n")
        print("| body | fallback | (a) | (b) | vs (a) (target) | vs (b) (target) |")
        print("|---|---|---|---|---|---|")
        for size in fallback_rows:
            mine = medians[(base, FALLBACK, size)]
            row = [size_name(size), fmt_time(mine)]
            row += [fmt_time(medians[(base, o, size)]) for o in (A, B)]
            for o in (A, B):
                ratio = medians[(base, o, size)] / mine
                ok = ratio >= 1.0
                row.append(f"{ratio:.2f}× (≥ 1× {'ok' if ok else 'MISSED'})")
                if not ok:
                    failures.append(f"fallback {size_name(size)} vs {o}")
            print("| " + " | ".join(row) + " |")
        print()
    control = thread_docs[0]["results"].get(B, {}).get("speedup", 0.0) if thread_docs else 0.0
    for t in thread_docs:
        for impl, r in t["results"].items():
            if impl != OURS and t is not thread_docs[0]:
                continue  # the control once is enough
            name = f"ours ({t['abi']})" if impl == OURS else f"{impl} (control)"
            line = (
                f"Threads, {name}: {r['total']} verifications of 1 MiB take "
                f"{fmt_time(r['one'])} on one thread, {fmt_time(r['two'])} on two (medians of "
                f"{r['pairs']} alternating runs): {r['speedup']:.2f}× the throughput"
            )
            if impl == OURS and control < 1.5:
                line += " (target ≥ 1.7×: not judged, the control shows no free second core)"
            elif impl == OURS:
                ok = r["speedup"] >= 1.7
                line += f" (target ≥ 1.7×: {'ok' if ok else 'MISSED'})"
                if not ok:
                    failures.append(f"threads ({t['abi']})")
            print(line + ".  ")
    if failures:
        print("\nTargets missed in this run: " + ", ".join(failures) + ".")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
