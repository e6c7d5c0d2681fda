"""Turns what a benchmark tool prints or saves into the benchmarks' common JSON, which
benches/render.py renders. Standard library only.

Every file it writes (target/bench/<name>.json) has one shape:

    {"bench": "core", "date": "2026-11-24",
     "machine": {"cpu": "...", "cores": 2, "load_average": [0.1, 0.2, 0.3], "os": "Linux",
                 "runtime": "rustc ..."},
     "params": {...},             # how it was measured (rounds, harness, ...)
     "rows": [{"case": "64 B", "contender": "qonto-webhooks", "value": 232.0, "unit": "ns",
               "group": "business", "size": 64, "runs": [...], "detail": "..."}],
     "notes": ["..."]}

`case`, `contender`, `value` and `unit` are always there; `group` (a table of its own), `size`
(the body in bytes), `runs` (every run's figure, `value` being the one kept) and `detail` (e.g.
allocations) only where the bench has them.

Usage (each writes OUT.json; bench.sh scripts call it):
    collect.py criterion OUT.json CRITERION_HOME ROUNDS
        the core's criterion runs (benches/bench.sh): the lowest median of the rounds
    collect.py instructions OUT.json < "scheme size impl count" lines
        benches/bench.sh --instructions
    collect.py bencher OUT.json LOG
        bindings-c/bench.sh: criterion's bencher lines and the bench's interleaved line
    collect.py gotest OUT.json LOG
        bindings-go/bench.sh: `go test -bench -benchmem` output
    collect.py pytest-benchmark OUT.json PYTEST.json... THREADS.json...
        bindings-python/bench.sh: pytest-benchmark's files and threads.py's
"""

from __future__ import annotations

import json
import os
import platform
import re
import sys
import time
from typing import Any, Dict, Iterable, List, Optional

MEASUREMENT_KEYS = ("case", "contender", "value", "unit")


def machine(runtime: Optional[str] = None) -> Dict[str, Any]:
    """The CPU, its cores, the load average while the bench ran, the OS (and the runtime)."""
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = []
    info: Dict[str, Any] = {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "load_average": load,
        "os": platform.system(),
    }
    if runtime:
        info["runtime"] = runtime
    return info


def document(
    bench: str,
    rows: List[Dict[str, Any]],
    params: Optional[Dict[str, Any]] = None,
    notes: Iterable[str] = (),
    runtime: Optional[str] = None,
) -> Dict[str, Any]:
    for row in rows:
        missing = [k for k in MEASUREMENT_KEYS if k not in row]
        if missing:
            raise ValueError(f"{bench}: a row lacks {', '.join(missing)}: {row}")
    return {
        "bench": bench,
        "date": time.strftime("%Y-%m-%d", time.gmtime()),
        "machine": machine(runtime),
        "params": params or {},
        "rows": rows,
        "notes": list(notes),
    }


def write(path: str, doc: Dict[str, Any]) -> None:
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
        f.write("\n")


def size_label(n: int) -> str:
    if n >= 1 << 20:
        return f"{n >> 20} MiB"
    return f"{n >> 10} KiB" if n >= 1024 else f"{n} B"


# -- the core (benches/bench.sh) ------------------------------------------------------------

CORE_CONTENDERS = ("qonto-webhooks", "a-ring-floor", "b-rustcrypto", "c-naive")
CORE_SIZES = (64, 256, 1024, 16 * 1024, 1024 * 1024)


def from_criterion(home: str, rounds: int) -> Dict[str, Any]:
    names = [f"round{i}" for i in range(1, rounds + 1)]

    def medians(group: str, function: str, param: Any) -> List[float]:
        found = []
        for name in names:
            path = os.path.join(home, group, function, str(param), name, "estimates.json")
            try:
                with open(path) as f:
                    found.append(json.load(f)["median"]["point_estimate"])
            except (OSError, KeyError, ValueError):
                pass
        return found

    rows = []
    for group in ("business", "onboarding"):
        for size in CORE_SIZES:
            for contender in CORE_CONTENDERS:
                runs = medians(group, contender, size)
                if runs:
                    rows.append(
                        {
                            "group": group,
                            "case": size_label(size),
                            "size": size,
                            "contender": contender,
                            "value": min(runs),
                            "unit": "ns",
                            "runs": runs,
                        }
                    )
    for scheme in ("business", "onboarding"):
        for contender in ("qonto-webhooks", "c-naive"):
            runs = medians("parse_header", contender, scheme)
            if runs:
                rows.append(
                    {
                        "group": "parse_header",
                        "case": scheme,
                        "contender": contender,
                        "value": min(runs),
                        "unit": "ns",
                        "runs": runs,
                    }
                )
    return document("core", rows, {"rounds": rounds, "statistic": "lowest criterion median"})


def from_instructions(lines: Iterable[str]) -> Dict[str, Any]:
    rows = []
    for line in lines:
        parts = line.split()
        if not parts:
            continue
        scheme, size, impl, count = parts
        rows.append(
            {
                "group": scheme,
                "case": f"{size} B",
                "size": int(size),
                "contender": impl,
                "value": int(count),
                "unit": "instructions",
            }
        )
    return document(
        "core-instructions",
        rows,
        {"method": "cachegrind: (run of N+1 verifications - run of 1) / N"},
    )


# -- the C ABI (bindings-c/bench.sh) ----------------------------------------------------------


def from_bencher(log: str) -> Dict[str, Any]:
    runs: Dict[str, List[float]] = {}
    interleaved: Dict[str, List[float]] = {}
    for line in log.splitlines():
        m = re.match(r"test (verify_256B)/(\w+) \.\.\. bench:\s+([\d,.]+) ns/iter", line)
        if m:
            runs.setdefault(m.group(2), []).append(float(m.group(3).replace(",", "")))
            continue
        m = re.match(r"interleaved verify_256B rust ([\d.]+) c_abi ([\d.]+) ns", line)
        if m:
            interleaved.setdefault("rust", []).append(float(m.group(1)))
            interleaved.setdefault("c_abi", []).append(float(m.group(2)))
    rows = [
        {
            "group": "criterion",
            "case": "verify 256 B",
            "contender": path,
            "value": min(v),
            "unit": "ns",
            "runs": v,
        }
        for path, v in runs.items()
    ]
    rows += [
        {
            "group": "interleaved",
            "case": "verify 256 B",
            "contender": path,
            "value": min(v),
            "unit": "ns",
            "runs": v,
        }
        for path, v in interleaved.items()
    ]
    return document("c-abi", rows, {"body": 256, "interleaved_batch": 2000})


# -- Go (bindings-go/bench.sh) ---------------------------------------------------------------

GO_SIZES = {"256B": 256, "1KiB": 1024, "16KiB": 16 * 1024, "1MiB": 1 << 20}


def from_gotest(log: str) -> Dict[str, Any]:
    found: Dict[tuple, Dict[str, Any]] = {}
    version = None
    for line in log.splitlines():
        m = re.match(r"BenchmarkVerify/(\w+)/(\w+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op(.*)", line)
        if m:
            impl, size, ns, rest = m.group(1), m.group(2), float(m.group(3)), m.group(4)
            row = found.setdefault(
                (impl, size), {"case": size, "contender": impl, "unit": "ns", "runs": []}
            )
            if size in GO_SIZES:
                row["size"] = GO_SIZES[size]
            row["runs"].append(ns)
            row["value"] = min(row["runs"])
            b = re.search(r"(\d+) B/op\s+(\d+) allocs/op", rest)
            if b:
                row["detail"] = f"{b.group(1)} B, {b.group(2)} allocs"
        m = re.match(r"go version (go\S+)", line)
        if m:
            version = m.group(1)
    return document("go", list(found.values()), {"statistic": "fastest run"}, runtime=version)


# -- Python (bindings-python/bench.sh) -------------------------------------------------------

PY_OURS = "qonto_webhooks"


def from_pytest_benchmark(paths: List[str]) -> Dict[str, Any]:
    rows: List[Dict[str, Any]] = []
    runtime = None
    cpu = None
    params: Dict[str, Any] = {"statistic": "median"}
    seen = set()
    for path in paths:
        with open(path) as f:
            doc = json.load(f)
        if "results" in doc:  # threads.py: {"abi": ..., "results": {impl: {...}}}
            for impl, r in doc["results"].items():
                contender = f"{impl} ({doc['abi']})"
                for case, key, unit in (
                    ("1 thread", "one", "s"),
                    ("2 threads", "two", "s"),
                    ("speed-up", "speedup", "x"),
                ):
                    rows.append(
                        {
                            "group": "threads",
                            "case": case,
                            "contender": contender,
                            "value": r[key],
                            "unit": unit,
                        }
                    )
                params["threads_total"], params["threads_pairs"] = r["total"], r["pairs"]
            continue
        info = doc["machine_info"]
        runtime = f"Python {info['python_version']}"
        cpu = info.get("cpu", {}).get("brand_raw")
        for bench in doc["benchmarks"]:
            extra = bench["extra_info"]
            # The native module is measured once per wheel (its ABI in its name); the others
            # once, in the first file.
            impl = extra["impl"]
            contender = f"{impl} ({extra['abi']})" if impl == PY_OURS else impl
            case = size_label(extra["size"])
            if (case, contender) in seen:
                continue
            seen.add((case, contender))
            rows.append(
                {
                    "case": case,
                    "size": extra["size"],
                    "contender": contender,
                    "value": bench["stats"]["median"],
                    "unit": "s",
                }
            )
    out = document("python", rows, params, runtime=runtime)
    if cpu:
        out["machine"]["cpu"] = cpu
    return out


def main(argv: List[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    kind, out, rest = argv[0], argv[1], argv[2:]
    if kind == "criterion" and len(rest) == 2:
        doc = from_criterion(rest[0], int(rest[1]))
    elif kind == "instructions" and not rest:
        doc = from_instructions(sys.stdin)
    elif kind == "bencher" and len(rest) == 1:
        with open(rest[0]) as f:
            doc = from_bencher(f.read())
    elif kind == "gotest" and len(rest) == 1:
        with open(rest[0]) as f:
            doc = from_gotest(f.read())
    elif kind == "pytest-benchmark" and rest:
        doc = from_pytest_benchmark(rest)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    if not doc["rows"]:
        print(f"collect.py {kind}: no measurement found", file=sys.stderr)
        return 1
    write(out, doc)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
