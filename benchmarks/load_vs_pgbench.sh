#!/usr/bin/env bash
# `preflight bench load` against `pgbench -R` on the same statement, the same server, in the same
# run: with no migration to speak of (a `SELECT 1` migration), at the same rate and connections,
# compare the achieved rate and the latency from scheduled start (p50, p99), split into its two
# parts: the schedule lag (scheduled start to sending) and the service time (sending to the
# result). Then the highest rate preflight's generator sustains here (achieved >= 99 % of the
# rate asked for).
#
#   cmake --build build/ci && bash benchmarks/load_vs_pgbench.sh
#
# The statement: SELECT v FROM kv WHERE id = $1 (10,000 rows, id uniform), prepared. pgbench:
# -M prepared -R RATE -c N -j N -T SECONDS -l; its per-transaction log gives the latency from the
# scheduled start (column 3) and the schedule lag (column 7) under -R, like preflight's.
#
# pgbench runs twice a round: as installed, and with its timer slack set to 1 ns (as preflight's
# traffic threads set theirs). Linux lets a sleeping thread wake up to its timer slack (50 µs by
# default) late; a generator that sleeps until each scheduled start adds that lateness to every
# latency from scheduled start. At ~0.2 ms per statement that is a quarter of the p50, so the
# latency comparison that measures the tools rather than the kernel's default is against pgbench
# with the same slack. The three runs alternate, ROUNDS times, so a change in the machine's speed
# touches all; each round's ratio is preflight / pgbench of that round, and the summary is their
# median. The machine may be shared: read ratios, not absolute figures.
#
# Environment: PREFLIGHT (binary, default build/ci/tool/preflight), PG_BIN, RATE (default 1000),
# CLIENTS (default 4), SECONDS_PER_RUN (default 20), ROUNDS (default 3), MAX_RATES (the rates
# tried for the highest sustained rate, default "2000 4000 8000 16000 32000"), OUT (default
# reports/measured/load_vs_pgbench.txt).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PREFLIGHT=$(realpath "${PREFLIGHT:-$ROOT/build/ci/tool/preflight}")
RATE=${RATE:-1000}
CLIENTS=${CLIENTS:-4}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-20}
ROUNDS=${ROUNDS:-3}
MAX_RATES=${MAX_RATES:-"2000 4000 8000 16000 32000"}
OUT=${OUT:-$ROOT/reports/measured/load_vs_pgbench.txt}
source "$ROOT/benchmarks/lib/server.sh"
bench_work preflight-load
mkdir -p "$WORK/project/migrations"
bench_server_start -c max_connections=100

cat > "$WORK/project/migrations/0001_kv.sql" <<'SQL'
CREATE TABLE kv (id int PRIMARY KEY, v int NOT NULL);
SQL
echo "SELECT 1;" > "$WORK/project/migrations/0002_nothing.sql"
cat > "$WORK/project/suite.toml" <<'TOML'
name = "kv lookup"
migrations = "migrations"
before = 1
after = 2

[dataset]
sql = "INSERT INTO kv SELECT g, g FROM generate_series(1, 10000) g"

[[queries]]
name = "lookup"
sql = "SELECT v FROM kv WHERE id = $1"
params = [{ int = [1, 10000] }]
TOML
printf '\\set id random(1, 10000)\nSELECT v FROM kv WHERE id = :id;\n' > "$WORK/lookup.sql"
"${PSQL[@]}" -d postgres -c "CREATE DATABASE pgbench_db"
"${PSQL[@]}" -d pgbench_db -c "CREATE TABLE kv (id int PRIMARY KEY, v int NOT NULL)" \
  -c "INSERT INTO kv SELECT g, g FROM generate_series(1, 10000) g" -c "VACUUM ANALYZE kv"

# pgbench at RATE for SECONDS, its timer slack as installed (SLACK=default) or 1 ns (SLACK=1ns):
# "achieved_rate p50_ms p99_ms lag_ms service_p50_ms" from its per-transaction log (column 3:
# latency from the scheduled start under -R; column 7: schedule lag; service = latency - lag;
# lag_ms = p50 latency - p50 service, computed as for preflight).
run_pgbench() {
  local rate=$1 seconds=$2 slack=$3 dir
  dir=$(mktemp -d "$WORK/pgbench-XXXX")
  local cmd=("$PG_BIN/pgbench" -h "$WORK/socket" -U postgres -n -M prepared -f "$WORK/lookup.sql"
    -R "$rate" -c "$CLIENTS" -j "$CLIENTS" -T "$seconds" -l pgbench_db)
  if [ "$slack" = 1ns ]; then
    # prctl(PR_SET_TIMERSLACK, 1): kept across exec and inherited by pgbench's threads.
    cmd=(python3 -c 'import ctypes, os, sys; ctypes.CDLL(None).prctl(29, 1, 0, 0, 0); os.execv(sys.argv[1], sys.argv[1:])' "${cmd[@]}")
  fi
  (cd "$dir" && "${cmd[@]}" >"$dir/out.txt" 2>&1)
  cat "$dir"/pgbench_log.* | python3 -c '
import statistics, sys
seconds = float(sys.argv[1])
lat, lag, svc = [], [], []
for line in sys.stdin:
    f = line.split()
    lat.append(int(f[2]) / 1000); lag.append(int(f[6]) / 1000); svc.append((int(f[2]) - int(f[6])) / 1000)
def q(v, p): v = sorted(v); return v[int(len(v) * p)]
print(f"{len(lat) / seconds:.1f} {q(lat, .5):.3f} {q(lat, .99):.3f} {q(lat, .5) - q(svc, .5):.3f} {q(svc, .5):.3f}")
' "$seconds"
}

# preflight bench load at RATE for SECONDS of traffic before a migration that does nothing:
# "achieved_rate p50_ms p99_ms lag_ms service_p50_ms" of that traffic (lag_ms = p50 latency -
# p50 service time).
run_preflight() {
  local rate=$1 seconds=$2 db
  db=pf_$RANDOM$RANDOM
  "${PSQL[@]}" -d postgres -c "CREATE DATABASE $db"
  (cd "$WORK/project" && "$PREFLIGHT" bench load suite.toml --database-url "$(conninfo "$db")" \
    --clients "$CLIENTS" --rate "$rate" --before "$seconds" --after 0 --out "$WORK/$db.json" \
    >"$WORK/$db.txt" 2>&1) || { cat "$WORK/$db.txt" >&2; return 1; }
  python3 - "$WORK/$db.json" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))["load"]
p = next(p for p in run["operations"][0]["phases"] if p["phase"] == "before")
print(f'{p["operations"] / p["seconds"]:.1f} {p["p50_ms"]:.3f} {p["p99_ms"]:.3f} '
      f'{p["p50_ms"] - p["service_p50_ms"]:.3f} {p["service_p50_ms"]:.3f}')
PY
  "${PSQL[@]}" -d postgres -c "DROP DATABASE $db"
}

{
  echo "preflight bench load vs pgbench -R"
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(hostname)  cpus: $(nproc)  load average: $(cut -d" " -f1-3 /proc/loadavg)"
  echo "server: $("$PG_BIN/postgres" --version)  binary: $("$PREFLIGHT" --version)"
  echo "statement: SELECT v FROM kv WHERE id = \$1 (prepared); rate $RATE/s, $CLIENTS connections, $SECONDS_PER_RUN s per run, $ROUNDS rounds"
  echo
  printf "%-6s %-22s %10s %10s %10s %10s %12s\n" round tool "rate/s" "p50 ms" "p99 ms" "lag ms" "service p50"
} | tee "$OUT"
ratios=()
row() { printf "%-6s %-22s %10s %10s %10s %10s %12s\n" "$@"; }
for round in $(seq 1 "$ROUNDS"); do
  read -r pg_rate pg_p50 pg_p99 pg_lag pg_svc < <(run_pgbench "$RATE" "$SECONDS_PER_RUN" default)
  read -r ps_rate ps_p50 ps_p99 ps_lag ps_svc < <(run_pgbench "$RATE" "$SECONDS_PER_RUN" 1ns)
  read -r pf_rate pf_p50 pf_p99 pf_lag pf_svc < <(run_preflight "$RATE" "$SECONDS_PER_RUN")
  {
    row "$round" pgbench "$pg_rate" "$pg_p50" "$pg_p99" "$pg_lag" "$pg_svc"
    row "$round" "pgbench (1 ns slack)" "$ps_rate" "$ps_p50" "$ps_p99" "$ps_lag" "$ps_svc"
    row "$round" preflight "$pf_rate" "$pf_p50" "$pf_p99" "$pf_lag" "$pf_svc"
  } | tee -a "$OUT"
  ratios+=("$(python3 -c '
import sys
r, pf, pg, ps = float(sys.argv[1]), *[list(map(float, a.split())) for a in sys.argv[2:]]
print(" ".join(f"{x:.4f}" for x in [pf[0] / r, pg[0] / r, pf[1] / ps[1], pf[2] / ps[2], pf[4] / ps[4],
                                     pf[1] / pg[1], pf[2] / pg[2], pf[4] / pg[4]]))
' "$RATE" "$pf_rate $pf_p50 $pf_p99 $pf_lag $pf_svc" "$pg_rate $pg_p50 $pg_p99 $pg_lag $pg_svc" \
    "$ps_rate $ps_p50 $ps_p99 $ps_lag $ps_svc")")
done
{
  echo
  echo "medians over rounds (per round: preflight / pgbench of that round):"
  printf '%s\n' "${ratios[@]}" | python3 -c '
import statistics, sys
rows = [list(map(float, l.split())) for l in sys.stdin if l.strip()]
cols = list(zip(*rows))
names = ["preflight achieved rate / target", "pgbench achieved rate / target",
         "p50 latency, preflight / pgbench (1 ns slack)", "p99 latency, preflight / pgbench (1 ns slack)",
         "p50 service time, preflight / pgbench (1 ns slack)",
         "p50 latency, preflight / pgbench (default slack)", "p99 latency, preflight / pgbench (default slack)",
         "p50 service time, preflight / pgbench (default slack)"]
for n, c in zip(names, cols): print(f"  {n}: {statistics.median(c):.3f}")
'
  echo
  echo "highest sustained rate ($CLIENTS connections, 5 s each; sustained = achieved >= 99 % of the rate asked for):"
} | tee -a "$OUT"
best=0
for rate in $MAX_RATES; do
  read -r pf_rate pf_p50 pf_p99 _ _ < <(run_preflight "$rate" 5)
  read -r pg_rate pg_p50 pg_p99 _ _ < <(run_pgbench "$rate" 5 1ns)
  ok=$(awk -v a="$pf_rate" -v r="$rate" 'BEGIN { print (a >= 0.99 * r) ? "yes" : "no" }')
  printf "  asked %6s/s: preflight %8s/s (p50 %s ms, p99 %s ms) sustained %s; pgbench (1 ns slack) %8s/s (p50 %s ms, p99 %s ms)\n" \
    "$rate" "$pf_rate" "$pf_p50" "$pf_p99" "$ok" "$pg_rate" "$pg_p50" "$pg_p99" | tee -a "$OUT"
  [ "$ok" = yes ] && best=$rate
done
echo "highest rate preflight sustained: $best/s" | tee -a "$OUT"
