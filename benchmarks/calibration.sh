#!/usr/bin/env bash
# Calibrates the CI gate on real measurements of this machine:
#   A/A: RUNS + 1 separate `bench run`s of the same suite (same build, same data, a new throwaway
#        cluster each time); comparing each run with the next must flag a regression in at most
#        1 % of the RUNS comparisons (false alarms).
#   1.3×: RUNS runs of a variant of the query doing 30 % more work, each compared with an A run
#        as baseline; the gate must flag at least 95 % of them.
# Every comparison is made twice: from the two files alone, and as a CI job would gate, with
# `--confirm $CONFIRM --ephemeral` (a flagged row is re-measured, both suites side by side).
# The targets apply to the gate with --confirm; the rates without it show the machine's drift.
# Usage: CONFIRM=3 bash benchmarks/calibration.sh [RUNS=100] [PREFLIGHT=build/ci/tool/preflight]
# Takes about RUNS × 2 × 4 s for the runs, plus about 10 s per comparison that is re-measured.
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
sed -e 's/generate_series(1, 20000)/generate_series(1, 26000)/' "$here/calibration.toml" > "$slow_suite"
grep -q 26000 "$slow_suite" || { echo "calibration: could not derive the slow variant" >&2; exit 2; }

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
  gated=$raw
  if [ "$raw" = 1 ]; then
    "$preflight" bench compare "$1" "$2" --format json --confirm "$confirm" --ephemeral \
      > "$out/$3.confirmed.json" 2> "$out/$3.confirmed.log"
    gated=$?
  fi
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

echo "without --confirm: A/A false alarms $false_alarms_raw of $runs, 1.3x slowdown detected $detected_raw of $runs"
echo "with --confirm $confirm: A/A false alarms: $false_alarms of $runs comparisons (target <= 1 %)"
echo "with --confirm $confirm: 1.3x slowdown detected: $detected of $runs comparisons (target >= 95 %)"
[ $((false_alarms * 100)) -le "$runs" ] && [ $((detected * 100)) -ge $((runs * 95)) ]
