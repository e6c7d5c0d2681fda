#!/usr/bin/env bash
# Usage: benches/bench.sh [--table-only] [CRITERION ARGS...]
# Runs the criterion benchmarks ROUNDS times (default 3; short by default: 0.5 s warm-up, 2 s
# measurement per case), then prints a markdown table of qonto-webhooks against the three
# baselines from criterion's estimates.json files: for each case, the lowest of the rounds'
# medians (on a shared machine other work only ever adds time). --table-only prints the table of
# the last run without running anything.
#        benches/bench.sh --instructions
# Counts instructions per verification under valgrind's cachegrind instead (unaffected by other
# load on the machine; needs valgrind) and prints that table.
#        benches/bench.sh --check-instructions
# The instruction-count guard (CI): the core's cost above the ring floor at 256 B, per scheme,
# must not exceed benches/instructions-baseline by more than its slack. Counts are exact for a
# given build, so this gates CI where a timing could not; a toolchain update may move them a
# little (the slack), a real regression moves them more. Lower it when the core gets cheaper.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--instructions" ] || [ "${1:-}" = "--check-instructions" ]; then
  command -v valgrind >/dev/null || { echo "$1 needs valgrind" >&2; exit 1; }
  cargo build --quiet --release -p qonto-webhooks-benches --example instructions >&2
  bin="$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')/release/examples/instructions"
  count() { # IMPL SCHEME SIZE N -> instructions for the whole run
    valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$bin" "$@" 2>&1 |
      sed -n 's/.*I *refs: *//p' | tr -d ,
  }
  per_call() { # IMPL SCHEME SIZE N -> instructions per verification
    local one many
    one=$(count "$1" "$2" "$3" 1)
    many=$(count "$1" "$2" "$3" $(($4 + 1)))
    echo $(((many - one) / $4))
  }
  if [ "$1" = "--check-instructions" ]; then
    status=0
    while read -r scheme size limit slack; do
      case "$scheme" in '#'* | '') continue ;; esac
      ours=$(per_call qonto-webhooks "$scheme" "$size" 1000)
      floor=$(per_call a-ring-floor "$scheme" "$size" 1000)
      above=$((ours - floor))
      if [ "$above" -gt $((limit + slack)) ]; then
        echo "instructions: $scheme $size B: $above above the ring floor, over the baseline $limit (+$slack slack): a regression" >&2
        status=1
      else
        echo "instructions: $scheme $size B: $above above the ring floor (baseline $limit, slack $slack): ok"
      fi
    done < benches/instructions-baseline
    exit "$status"
  fi
  echo "Instructions per verification (cachegrind: the run with N+1 verifications minus the run with 1, divided by N)."
  for scheme in business onboarding; do
    printf '\n**%s**\n\n| body | qonto-webhooks | (a) ring floor | (b) RustCrypto | (c) naive | ours - (a) |\n|---|---|---|---|---|---|\n' "$scheme"
    for size in 64 256 1024 16384; do
      n=1000; [ "$size" -ge 16384 ] && n=100
      row="| $size B |"
      declare -A per=()
      for impl in qonto-webhooks a-ring-floor b-rustcrypto c-naive; do
        per[$impl]=$(per_call "$impl" "$scheme" "$size" "$n")
        row="$row ${per[$impl]} |"
      done
      echo "$row $(( per[qonto-webhooks] - per[a-ring-floor] )) |"
    done
  done
  exit 0
fi

target_dir=$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
export CRITERION_HOME="$target_dir/criterion"

if [ "${1:-}" = "--table-only" ]; then
  shift
else
  args=("$@")
  if [ "${#args[@]}" -eq 0 ]; then
    args=(--warm-up-time 0.5 --measurement-time 2)
  fi
  cargo bench -p qonto-webhooks-benches --bench verify --no-run >&2
  for round in $(seq 1 "${ROUNDS:-3}"); do
    echo "== round $round of ${ROUNDS:-3}" >&2
    cargo bench -p qonto-webhooks-benches --bench verify -- "${args[@]}" \
      --save-baseline "round$round" >&2
  done
fi

python3 - "$CRITERION_HOME" "${ROUNDS:-3}" <<'PY'
import json, os, platform, sys, time

home = sys.argv[1]
rounds = [f"round{i}" for i in range(1, int(sys.argv[2]) + 1)]
OURS, RING, RC, NAIVE = "qonto-webhooks", "a-ring-floor", "b-rustcrypto", "c-naive"
SIZES = [64, 256, 1024, 16 * 1024, 1024 * 1024]


def median_ns(group, function, param):
    """The lowest median over the rounds."""
    found = []
    for name in rounds:
        path = os.path.join(home, group, function, str(param), name, "estimates.json")
        try:
            with open(path) as f:
                found.append(json.load(f)["median"]["point_estimate"])
        except (OSError, KeyError, ValueError):
            pass
    return min(found) if found else None


def size_name(n):
    return f"{n // (1024 * 1024)} MiB" if n >= 1024 * 1024 else f"{n // 1024} KiB" if n >= 1024 else f"{n} B"


def fmt_time(ns):
    if ns is None:
        return "-"
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.0f} ns"


def fmt_rate(size, ns):
    if ns is None:
        return ""
    return f" ({size / ns * 1e9 / 2**20:,.0f} MiB/s)"


def verdict(size, ours, floor):
    if ours is None or floor is None:
        return "-", "-"
    ratio = ours / floor
    delta = ours - floor
    if size <= 64:
        return f"{delta:+.0f} ns", ("yes" if delta <= 30 else "NO") + " (<= +30 ns)"
    if size >= 1024 * 1024:
        return f"{ratio:.3f}x", ("yes" if floor / ours >= 0.95 else "NO") + " (>= 95% of (a) throughput)"
    if size >= 1024:
        return f"{ratio:.3f}x", ("yes" if ratio <= 1.05 else "NO") + " (within 5%)"
    return f"{ratio:.3f}x", "no target"


cpu = "unknown CPU"
try:
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
except OSError:
    pass
print(f"Time per verification, lowest median of {len(rounds)} criterion runs (throughput); "
      f"{cpu}, {os.cpu_count()} cores, "
      f"{platform.system()}, {time.strftime('%Y-%m-%d', time.gmtime())}.\n")
for group in ("business", "onboarding"):
    print(f"**{group}**\n")
    print("| body | qonto-webhooks | (a) ring + subtle floor | (b) RustCrypto | (c) naive | ours vs (a) | target met |")
    print("|---|---|---|---|---|---|---|")
    for size in SIZES:
        t = {name: median_ns(group, name, size) for name in (OURS, RING, RC, NAIVE)}
        diff, ok = verdict(size, t[OURS], t[RING])
        cells = [fmt_time(t[n]) + fmt_rate(size, t[n]) for n in (OURS, RING, RC, NAIVE)]
        print(f"| {size_name(size)} | " + " | ".join(cells) + f" | {diff} | {ok} |")
    print()
print("**header parsing alone**\n")
print("| header | qonto-webhooks | (c) naive (String split) |")
print("|---|---|---|")
for scheme in ("business", "onboarding"):
    ours = median_ns("parse_header", OURS, scheme)
    naive = median_ns("parse_header", NAIVE, scheme)
    print(f"| {scheme} | {fmt_time(ours)} | {fmt_time(naive)} |")
PY
