#!/usr/bin/env bash
# Calibrates the CI gate on real measurements of this machine:
#   A/A: RUNS + 1 separate `bench run`s of the same suite (same build, same data, a new throwaway
#        cluster each time); comparing each run with the next must flag a regression in at most
#        1 % of the RUNS comparisons (false alarms).
#   1.3×: RUNS runs of a variant of the query doing 30 % more work, each compared with an A run
#        as baseline; the gate must flag at least 95 % of them.
# Every comparison is made twice: from the two files alone, and as a CI job on a drifting machine
# should gate, with `--confirm $CONFIRM --confirm-all --ephemeral` (every row re-measured, both
# suites side by side). The targets apply to the second; the first shows the machine's drift.
# Usage: CONFIRM=3 bash benchmarks/calibration.sh [RUNS=100] [PREFLIGHT=build/ci/tool/preflight]
# REUSE=1 keeps the runs already in $OUT and only compares again.
# Takes about RUNS × 2 × 3 s for the runs, plus about 10 s per comparison for the re-measuring.
# Prints the rates; results stay in $OUT (default: a temp folder).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
runs="${1:-100}"
preflight="${2:-$here/../build/ci/tool/preflight}"
out="${OUT:-$(mktemp -d -t preflight-calibration.XXXXXX)}"
confirm="${CONFIRM:-3}"
mkdir -p "$out"

# The slow variant: same suite, 30 % more rows; written beside the original so `migrations`
# resolves the same way.
slow_suite="$here/.calibration_slow.toml"
trap 'rm -f "$slow_suite"' EXIT
sed -e 's/generate_series(1, 10000)/generate_series(1, 13000)/' "$here/calibration.toml" > "$slow_suite"
grep -q 13000 "$slow_suite" || { echo "calibration: could not derive the slow variant" >&2; exit 2; }

run_suite() {  # suite, output file
  "$preflight" bench run "$1" --ephemeral --out "$2" > "$2.log" 2>&1 || {
    # bench run exits 1 when a suite expectation fails; the calibration suite has none, so any
    # failure here is real.
    echo "calibration: bench run failed, see $2.log" >&2
    exit 2
  }
}

echo "calibration: $runs A/A and $runs 1.3x comparisons; results in $out"
for i in $(seq 0 "$runs"); do
  if [ "${REUSE:-0}" = 1 ] && [ -f "$out/a_$i.json" ] && { [ "$i" = 0 ] || [ -f "$out/slow_$i.json" ]; }; then
    continue
  fi
  run_suite "$here/calibration.toml" "$out/a_$i.json"
  if [ "$i" -gt 0 ]; then run_suite "$slow_suite" "$out/slow_$i.json"; fi
  printf '.' >&2
done
echo >&2

# compare BASELINE CURRENT NAME: sets `raw` and `gated` to 0 (pass) or 1 (regression flagged).
compare() {
  set +e
  "$preflight" bench compare "$1" "$2" --format json > "$out/$3.compare.json"
  raw=$?
  "$preflight" bench compare "$1" "$2" --format json --confirm "$confirm" --confirm-all --ephemeral \
    > "$out/$3.confirmed.json" 2> "$out/$3.confirmed.log"
  gated=$?
  set -e
  for code in "$raw" "$gated"; do
    case "$code" in 0|1) ;; *) echo "calibration: compare $3 failed ($code)" >&2; exit 2 ;; esac
  done
}

false_alarms=0; false_alarms_raw=0
detected=0; detected_raw=0
for i in $(seq 1 "$runs"); do
  prev=$((i - 1))
  compare "$out/a_$prev.json" "$out/a_$i.json" "aa_$i"
  false_alarms_raw=$((false_alarms_raw + raw)); false_alarms=$((false_alarms + gated))
  compare "$out/a_$prev.json" "$out/slow_$i.json" "slow_$i"
  detected_raw=$((detected_raw + raw)); detected=$((detected + gated))
  printf '.' >&2
done
echo >&2

# The machine's drift and the side-by-side measurements behind the rates.
python3 - "$out" "$runs" <<'PY'
import glob, json, re, sys
out, runs = sys.argv[1], int(sys.argv[2])
def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * (len(values) - 1) + 0.5))] if values else float("nan")
def p50(doc, phase):
    return next(p for p in doc["queries"][0]["phases"] if p["phase"] == phase)["summary"]["p50_ms"]
a = [json.load(open(f"{out}/a_{i}.json")) for i in range(runs + 1)]
before = [p50(d, "before") for d in a]
print(f"same statement, median latency run by run (before phase): min {min(before):.2f} ms, "
      f"median {pct(before, .5):.2f} ms, max {max(before):.2f} ms")
consecutive = [before[i] / before[i - 1] for i in range(1, len(before))]
print(f"ratio of consecutive runs' medians: 5th pct {pct(consecutive, .05):.2f}, median {pct(consecutive, .5):.2f}, "
      f"95th pct {pct(consecutive, .95):.2f}")
within = [p50(d, "after") / p50(d, "before") for d in a]
print(f"within one run, after/before medians (same statement): 5th pct {pct(within, .05):.2f}, "
      f"median {pct(within, .5):.2f}, 95th pct {pct(within, .95):.2f}")
for kind in ("aa", "slow"):
    changes = []
    for f in glob.glob(f"{out}/{kind}_*.confirmed.json"):
        for row in json.load(open(f))["rows"]:
            m = re.search(r"median change ([+-][0-9.]+) %", row.get("confirmation", ""))
            if m: changes.append(float(m.group(1)))
    if changes:
        print(f"{kind}: {len(changes)} rows re-measured side by side; their median change: 5th pct "
              f"{pct(changes, .05):+.1f} %, median {pct(changes, .5):+.1f} %, 95th pct {pct(changes, .95):+.1f} %")
PY

echo "without --confirm: A/A false alarms $false_alarms_raw of $runs, 1.3x slowdown detected $detected_raw of $runs"
echo "with --confirm $confirm --confirm-all: A/A false alarms: $false_alarms of $runs comparisons (target <= 1 %)"
echo "with --confirm $confirm --confirm-all: 1.3x slowdown detected: $detected of $runs comparisons (target >= 95 %)"
[ $((false_alarms * 100)) -le "$runs" ] && [ $((detected * 100)) -ge $((runs * 95)) ]
