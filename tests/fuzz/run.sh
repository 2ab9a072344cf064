#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (preset fuzz, folder build/fuzz) and fuzzes each one for
# SECONDS (default 5), starting from its seed corpus tests/fuzz/corpus/<target>/. New interesting
# inputs go to a scratch folder, not into the repository. A crash stops with exit 1 and leaves the
# input in build/<preset>/crashes/: once fixed, copy it into tests/fuzz/corpus/<target>/, where the
# unit tests replay it (FuzzCorpus).
# The sanitizer build (preset asan, clang) holds the same targets: PREFLIGHT_FUZZ_PRESET=asan uses
# it instead of building build/fuzz (CI does, after the sanitizer suite).
# Usage: bash tests/fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-5}"
shift || true
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
preset="${PREFLIGHT_FUZZ_PRESET:-fuzz}"
cmake --preset "$preset" -G Ninja >/dev/null
cmake --build --preset "$preset" -j 2 --target fuzz_targets >/dev/null
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=($(ls tests/fuzz/corpus))
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
mkdir -p build/$preset/crashes
total=0
for t in "${targets[@]}"; do
  mkdir -p "$scratch/$t"
  log="$scratch/$t.log"
  if ! ASAN_OPTIONS=detect_leaks=1 "build/$preset/tests/fuzz/fuzz_$t" -max_total_time="$seconds" \
      -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="build/$preset/crashes/$t-" "$scratch/$t" "tests/fuzz/corpus/$t" >"$log" 2>&1; then
    tail -40 "$log"
    echo "fuzz: $t crashed; the input is in build/$preset/crashes/ (replay: build/$preset/tests/fuzz/fuzz_$t FILE)" >&2
    exit 1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  total=$((total + ${runs:-0}))
  echo "fuzz: $t: ${runs:-?} inputs in ${seconds} s, no crash"
done
echo "fuzz: ${#targets[@]} targets, $total inputs, no crash"
