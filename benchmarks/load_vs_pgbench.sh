#!/usr/bin/env bash
# `preflight bench load` against `pgbench -R` on the same statement, the same server, in the same
# run: with no migration to speak of (a `SELECT 1` migration), at the same rate and connections,
# compare the achieved rate and the latency from scheduled start (p50, p99). Then the highest
# rate preflight's generator sustains here (achieved >= 99 % of the rate asked for).
#
#   cmake --build build/ci && bash benchmarks/load_vs_pgbench.sh
#
# The statement: SELECT v FROM kv WHERE id = $1 (10,000 rows, id uniform), prepared. pgbench:
# -M prepared -R RATE -c N -j N -T SECONDS -l (its per-transaction log gives the latency from
# the scheduled start with -R, like preflight's). The two tools run in alternation, ROUNDS times
# (pgbench, preflight, pgbench, preflight, …), so a change in the machine's speed touches both;
# each round's ratio is preflight / pgbench of that round, and the summary is their median. The
# machine may be shared: read ratios, not absolute figures.
#
# Environment: PREFLIGHT (binary, default build/ci/tool/preflight), PG_BIN, RATE (default 1000),
# CLIENTS (default 4), SECONDS_PER_RUN (default 20), ROUNDS (default 3), MAX_RATES (the rates
# tried for the highest sustained rate, default "2000 4000 8000 16000 32000"), OUT (default
# reports/measured/load_vs_pgbench.txt).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PREFLIGHT=$(realpath "${PREFLIGHT:-$ROOT/build/ci/tool/preflight}")
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
RATE=${RATE:-1000}
CLIENTS=${CLIENTS:-4}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-20}
ROUNDS=${ROUNDS:-3}
MAX_RATES=${MAX_RATES:-"2000 4000 8000 16000 32000"}
OUT=${OUT:-$ROOT/reports/measured/load_vs_pgbench.txt}
WORK=$(mktemp -d /tmp/preflight-load-XXXXXX)
chmod 755 "$WORK"

# The server refuses to run as root: run it as the unprivileged user preflight itself uses.
as_server() { if [ "$(id -u)" = 0 ]; then runuser -u preflight -- "$@"; else "$@"; fi; }
if [ "$(id -u)" = 0 ] && ! id preflight >/dev/null 2>&1; then
  useradd --system --no-create-home --shell /usr/sbin/nologin --user-group preflight
fi
cleanup() {
  as_server "$PG_BIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

mkdir -p "$WORK/data" "$WORK/socket" "$WORK/project/migrations"
chown preflight:preflight "$WORK/data" "$WORK/socket" 2>/dev/null || true
as_server "$PG_BIN/initdb" -D "$WORK/data" -U postgres -A trust -E UTF8 --locale=C --no-sync >/dev/null
as_server "$PG_BIN/pg_ctl" -D "$WORK/data" -l "$WORK/socket/server.log" -w -o \
  "-k $WORK/socket -c listen_addresses= -c fsync=off -c synchronous_commit=off -c max_connections=100" \
  start >/dev/null
PSQL=("$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$WORK/socket" -U postgres)
conninfo() { echo "host=$WORK/socket user=postgres dbname=$1"; }

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

# pgbench at RATE for SECONDS: "achieved_rate p50_ms p99_ms" from its per-transaction log
# (column 3: latency in µs, from the scheduled start under -R).
run_pgbench() {
  local rate=$1 seconds=$2 dir
  dir=$(mktemp -d "$WORK/pgbench-XXXX")
  (cd "$dir" && "$PG_BIN/pgbench" -h "$WORK/socket" -U postgres -n -M prepared -f "$WORK/lookup.sql" \
    -R "$rate" -c "$CLIENTS" -j "$CLIENTS" -T "$seconds" -l pgbench_db >"$dir/out.txt" 2>&1)
  cat "$dir"/pgbench_log.* | awk -v seconds="$seconds" '{ print $3 / 1000 }' | sort -n | awk -v s="$seconds" '
    { v[NR] = $1 } END { printf "%.1f %.3f %.3f\n", NR / s, v[int(NR * 0.5) + 1], v[int(NR * 0.99) + 1] }'
}

# preflight bench load at RATE for SECONDS of traffic before a migration that does nothing:
# "achieved_rate p50_ms p99_ms" of that traffic.
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
print(f'{p["operations"] / p["seconds"]:.1f} {p["p50_ms"]:.3f} {p["p99_ms"]:.3f}')
PY
  "${PSQL[@]}" -d postgres -c "DROP DATABASE $db"
}

{
  echo "preflight bench load vs pgbench -R"
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(hostname)  cpus: $(nproc)  load average: $(cut -d" " -f1-3 /proc/loadavg)"
  echo "server: $("$PG_BIN/postgres" --version)  binary: $("$PREFLIGHT" --version)"
  echo "statement: SELECT v FROM kv WHERE id = \$1 (prepared); rate $RATE/s, $CLIENTS connections, $SECONDS_PER_RUN s per run, $ROUNDS rounds"
  echo
  printf "%-6s %-10s %10s %10s %10s\n" round tool "rate/s" "p50 ms" "p99 ms"
} | tee "$OUT"
ratios=()
for round in $(seq 1 "$ROUNDS"); do
  read -r pg_rate pg_p50 pg_p99 < <(run_pgbench "$RATE" "$SECONDS_PER_RUN")
  read -r pf_rate pf_p50 pf_p99 < <(run_preflight "$RATE" "$SECONDS_PER_RUN")
  {
    printf "%-6s %-10s %10s %10s %10s\n" "$round" pgbench "$pg_rate" "$pg_p50" "$pg_p99"
    printf "%-6s %-10s %10s %10s %10s\n" "$round" preflight "$pf_rate" "$pf_p50" "$pf_p99"
  } | tee -a "$OUT"
  ratios+=("$(awk -v a="$pf_rate" -v b="$pg_rate" -v c="$pf_p50" -v d="$pg_p50" -v e="$pf_p99" -v f="$pg_p99" -v r="$RATE" \
    'BEGIN { printf "%.4f %.4f %.4f %.4f %.4f", a / r, b / r, c / d, e / f, a / b }')")
done
{
  echo
  echo "per round: preflight rate/target, pgbench rate/target, p50 preflight/pgbench, p99 preflight/pgbench, rate preflight/pgbench"
  for r in "${ratios[@]}"; do echo "  $r"; done
  printf '%s\n' "${ratios[@]}" | python3 -c '
import statistics, sys
rows = [list(map(float, l.split())) for l in sys.stdin if l.strip()]
cols = list(zip(*rows))
names = ["preflight rate / target", "pgbench rate / target", "p50 preflight / pgbench", "p99 preflight / pgbench", "rate preflight / pgbench"]
print("medians over rounds:")
for n, c in zip(names, cols): print(f"  {n}: {statistics.median(c):.3f}")
'
  echo
  echo "highest sustained rate ($CLIENTS connections, 5 s each; sustained = achieved >= 99 % of the rate asked for):"
} | tee -a "$OUT"
best=0
for rate in $MAX_RATES; do
  read -r pf_rate pf_p50 pf_p99 < <(run_preflight "$rate" 5)
  read -r pg_rate pg_p50 pg_p99 < <(run_pgbench "$rate" 5)
  ok=$(awk -v a="$pf_rate" -v r="$rate" 'BEGIN { print (a >= 0.99 * r) ? "yes" : "no" }')
  printf "  asked %6s/s: preflight %8s/s (p50 %s ms, p99 %s ms) sustained %s; pgbench %8s/s (p50 %s ms, p99 %s ms)\n" \
    "$rate" "$pf_rate" "$pf_p50" "$pf_p99" "$ok" "$pg_rate" "$pg_p50" "$pg_p99" | tee -a "$OUT"
  [ "$ok" = yes ] && best=$rate
done
echo "highest rate preflight sustained: $best/s" | tee -a "$OUT"
