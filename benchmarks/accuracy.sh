#!/usr/bin/env bash
# Accuracy and overhead of preflight's timing loop, against pgbench (-M prepared, one client) on
# the same throwaway server in the same run: `SELECT 1` and Get Active Session (fixed user).
# A benchmark, not a test: it prints the figures and keeps the raw output in reports/measured/.
#
#   cmake --build build/ci && bash benchmarks/accuracy.sh
#
# Environment: PREFLIGHT (binary), PG_BIN (PostgreSQL bin folder), OUT (raw output folder),
# RUN_SECONDS (seconds per pgbench run and per preflight phase, default 10).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PREFLIGHT=${PREFLIGHT:-$ROOT/build/ci/tool/preflight}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
OUT=${OUT:-$ROOT/reports/measured}
RUN_SECONDS=${RUN_SECONDS:-10}
PORT=54329
mkdir -p "$OUT"

# The server runs as the unprivileged `preflight` OS user when this script runs as root
# (PostgreSQL refuses to run as root), without fsync, like preflight's own throwaway cluster.
WORK=$(mktemp -d /tmp/preflight-accuracy.XXXXXX)
as_server() { if [ "$(id -u)" = 0 ]; then su preflight -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
[ "$(id -u)" = 0 ] && chown preflight "$WORK"
stop() { as_server "$PG_BIN/pg_ctl -D $WORK/data -m immediate stop" >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap stop EXIT
as_server "$PG_BIN/initdb -D $WORK/data -U postgres --no-sync" >/dev/null
as_server "$PG_BIN/pg_ctl -D $WORK/data -l $WORK/server.log -w start -o \"-c listen_addresses= \
  -c unix_socket_directories=$WORK -p $PORT -c fsync=off -c synchronous_commit=off -c full_page_writes=off\"" >/dev/null
PSQL="$PG_BIN/psql -h $WORK -p $PORT -U postgres -X -q -v ON_ERROR_STOP=1"
url() { echo "host=$WORK port=$PORT user=postgres dbname=$1"; }

pgbench_run() {  # database, script file, output name
  "$PG_BIN/pgbench" -n -M prepared -c 1 -j 1 -T "$RUN_SECONDS" -f "$2" -h "$WORK" -p "$PORT" -U postgres "$1" \
    > "$OUT/$3" 2>&1
}

# 1. SELECT 1: the harness's own overhead.
$PSQL -c "CREATE DATABASE acc_select1"
echo "SELECT 1;" > "$WORK/select1.sql"
pgbench_run acc_select1 "$WORK/select1.sql" pgbench_select1_first.txt
CI=true "$PREFLIGHT" bench run "$ROOT/benchmarks/accuracy/select1.toml" --database-url "$(url acc_select1)" \
  --time-budget "$RUN_SECONDS" --out "$OUT/accuracy_select1.json" > "$OUT/preflight_select1.txt" 2>&1
pgbench_run acc_select1 "$WORK/select1.sql" pgbench_select1_second.txt

# 2. Get Active Session for user 17 on the bundled dataset (scale 0.2), after migration 0003.
$PSQL -c "CREATE DATABASE acc_active"
CI=true "$PREFLIGHT" bench run "$ROOT/benchmarks/accuracy/active_session.toml" --database-url "$(url acc_active)" \
  --time-budget "$RUN_SECONDS" --out "$OUT/accuracy_active_session.json" > "$OUT/preflight_active_session.txt" 2>&1
cat > "$WORK/active.sql" <<'SQL'
\set uid 17
SELECT id, mode, status, duration_seconds, started_at FROM focus_sessions WHERE user_id = :uid AND status = 'active' ORDER BY started_at DESC LIMIT 1;
SQL
pgbench_run acc_active "$WORK/active.sql" pgbench_active_session.txt

python3 - "$OUT" <<'PY' | tee "$OUT/accuracy_summary.txt"
import json, re, sys
out = sys.argv[1]
def pgbench(name):
    text = open(f"{out}/{name}").read()
    lat = float(re.search(r"latency average = ([0-9.]+) ms", text).group(1))
    tps = float(re.search(r"tps = ([0-9.]+) \(without initial connection time\)", text).group(1))
    return lat, tps
def preflight(name, phase):
    doc = json.load(open(f"{out}/{name}"))
    p = next(p for p in doc["queries"][0]["phases"] if p["phase"] == phase)
    s = p["summary"]
    # Time spent outside the timed region (parameters, clock reads, bookkeeping) per execution.
    overhead = (p["sampling_seconds"] - sum(p["samples_ms"]) / 1000) / p["sampling_seconds"]
    return s["p50_ms"], s["mean_ms"], s["count"] / p["sampling_seconds"], overhead
rows = [
    ("SELECT 1 (pgbench first)", preflight("accuracy_select1.json", "before"), pgbench("pgbench_select1_first.txt")),
    ("SELECT 1 (pgbench second)", preflight("accuracy_select1.json", "after"), pgbench("pgbench_select1_second.txt")),
    ("Get Active Session (user 17)", preflight("accuracy_active_session.json", "after"), pgbench("pgbench_active_session.txt")),
]
print(f"{'statement':29} {'pf p50':>9} {'pf mean':>9} {'pgb mean':>9} {'p50 diff':>8} {'mean diff':>9} {'pf/s':>7} {'pgb/s':>7} {'ratio':>6} {'loop overhead':>13}")
for name, (p50, mean, eps, overhead), (lat, tps) in rows:
    print(f"{name:29} {p50:9.4f} {mean:9.4f} {lat:9.4f} {100*(p50-lat)/lat:+7.1f}% {100*(mean-lat)/lat:+8.1f}% {eps:7.0f} {tps:7.0f} {eps/tps:6.3f} {100*overhead:12.2f}%")
print("(latencies in ms; pf = preflight bench run, pgb = pgbench -M prepared -c 1; loop overhead = wall time of the timed loop not inside a timed execution)")
PY
