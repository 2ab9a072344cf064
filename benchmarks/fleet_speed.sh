#!/usr/bin/env bash
# Fleet speed: `preflight migrate up --targets` over TARGETS databases × MIGRATIONS migrations
# with --parallel 1, 4, 8 and 16, against one psql session per target applying the same files
# (BEGIN; \i file; COMMIT; per file) run by xargs -P with the same parallelism, on one throwaway
# server. Every run starts from fresh, empty databases and is checked afterwards (every target
# has every migration).
#
# Reports per parallelism: wall time of each, preflight's speed-up over its own --parallel 1, and
# the per-target overhead: (preflight − psql) × parallelism / targets, i.e. what preflight adds
# to one target's time (its lock, history table, checksums, a second history read for the report).
#
# Usage: bash benchmarks/fleet_speed.sh [PREFLIGHT_BINARY]   (default build/ci/tool/preflight)
# Environment: TARGETS (default 200), MIGRATIONS (default 20), PARALLEL (default "1 4 8 16"),
#              PG_BIN (default: newest /usr/lib/postgresql/*/bin).
set -euo pipefail
cd "$(dirname "$0")/.."

PREFLIGHT=$(realpath "${1:-build/ci/tool/preflight}")
TARGETS=${TARGETS:-200}
MIGRATIONS=${MIGRATIONS:-20}
PARALLEL=${PARALLEL:-"1 4 8 16"}
source benchmarks/lib/server.sh
bench_work preflight-fleet-speed


# ---- migrations: a table, an index and 10 rows each ----
mkdir -p "$WORK/m"
for i in $(seq 1 "$MIGRATIONS"); do
  v=$(printf %04d "$i")
  {
    echo "CREATE TABLE t_$i (id int PRIMARY KEY, label text NOT NULL);"
    echo "CREATE INDEX t_${i}_label_idx ON t_$i (label);"
    printf "INSERT INTO t_%d (id, label) VALUES" "$i"
    for r in $(seq 1 10); do printf " (%d, 'row %d')%s" "$r" "$r" "$([ "$r" = 10 ] && echo ';' || echo ',')"; done
    echo
  } > "$WORK/m/${v}_create_t_$i.sql"
done
for f in "$WORK"/m/*.sql; do printf 'BEGIN;\n\\i %s\nCOMMIT;\n' "$f"; done > "$WORK/psql_script.sql"
chmod -R a+rX "$WORK"

# ---- the server (same settings as preflight's throwaway cluster) ----
bench_server_start -c full_page_writes=off -c max_connections=100
export PSQL_BIN="$PG_BIN/psql" SOCKET="$WORK/socket" SCRIPT="$WORK/psql_script.sql"

# Creates databases <prefix>_0001 … and writes their targets file.
make_fleet() {
  local prefix=$1
  for i in $(seq -f %04g 1 "$TARGETS"); do echo "CREATE DATABASE ${prefix}_$i;"; done |
    "${PSQL[@]}" -d postgres
  for i in $(seq -f %04g 1 "$TARGETS"); do
    echo "host=$WORK/socket user=postgres dbname=${prefix}_$i"
  done > "$WORK/$prefix.txt"
}
drop_fleet() {
  for i in $(seq -f %04g 1 "$TARGETS"); do echo "DROP DATABASE ${1}_$i;"; done |
    "${PSQL[@]}" -d postgres
}
# Every database of the fleet has every migration: `what` counts tables t_* or history rows.
check_fleet() {
  local prefix=$1 query=$2 expected=$3
  for i in $(seq -f %04g 1 "$TARGETS"); do
    got=$("${PSQL[@]}" -d "${prefix}_$i" -At -c "$query")
    [ "$got" = "$expected" ] || { echo "${prefix}_$i: $got, expected $expected" >&2; exit 1; }
  done
}

echo "preflight fleet speed benchmark: $TARGETS databases x $MIGRATIONS migrations"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(hostname)  cpus: $(nproc)  load average: $(cut -d" " -f1-3 /proc/loadavg)  server: $("$PG_BIN/postgres" --version)"
echo "binary: $PREFLIGHT ($("$PREFLIGHT" --version))"
echo
printf '%9s  %12s  %14s  %9s  %22s  %26s\n' parallel "psql (ms)" "preflight (ms)" speed-up \
  "overhead per target" "CPU ms/target psql|preflight"
base_ns=
# CPU time (ms) of the server's exited backends and of this script's finished children: every
# target's backends exit with their connection, so the difference over a run is what it cost.
server_cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{ print ($16 + $17) * 1000 / hz }' "/proc/$(head -1 "$WORK/data/postmaster.pid")/stat"; }
# (`times` in this shell, not in a subshell: a subshell's children are not this shell's.)
client_cpu() {
  times >"$WORK/times.txt"
  CLIENT_CPU=$(tail -1 "$WORK/times.txt" | awk '{ split($1, u, /[ms]/); split($2, s, /[ms]/); print (u[1] * 60 + u[2] + s[1] * 60 + s[2]) * 1000 }')
}
for p in $PARALLEL; do
  # Both fleets exist before either runs, and a checkpoint follows every bulk change: CREATE
  # DATABASE writes each copy to the WAL, and the checkpoints that would trigger during the next
  # run must not land on one tool only.
  make_fleet "q$p"
  make_fleet "p$p"
  "${PSQL[@]}" -d postgres -c CHECKPOINT
  s0=$(server_cpu_ms); client_cpu; c0=$CLIENT_CPU
  start=$(now_ns)
  seq -f %04g 1 "$TARGETS" | xargs -P "$p" -I{} \
    sh -c '"$PSQL_BIN" -X -q -v ON_ERROR_STOP=1 -h "$SOCKET" -U postgres -d "q'"$p"'_{}" -f "$SCRIPT" >/dev/null'
  psql_ns=$(( $(now_ns) - start ))
  client_cpu
  psql_cpu=$(awk -v s0="$s0" -v s1="$(server_cpu_ms)" -v c0="$c0" -v c1="$CLIENT_CPU" -v n="$TARGETS" \
    'BEGIN { printf "%.0f+%.0f", (s1 - s0) / n, (c1 - c0) / n }')
  "${PSQL[@]}" -d postgres -c CHECKPOINT
  s0=$(server_cpu_ms); client_cpu; c0=$CLIENT_CPU
  start=$(now_ns)
  "$PREFLIGHT" migrate up --targets "$WORK/p$p.txt" --source "$WORK/m" --parallel "$p" >"$WORK/p$p.out"
  pf_ns=$(( $(now_ns) - start ))
  client_cpu
  pf_cpu=$(awk -v s0="$s0" -v s1="$(server_cpu_ms)" -v c0="$c0" -v c1="$CLIENT_CPU" -v n="$TARGETS" \
    'BEGIN { printf "%.0f+%.0f", (s1 - s0) / n, (c1 - c0) / n }')
  check_fleet "q$p" "SELECT count(*) FROM pg_tables WHERE tablename LIKE 't\_%'" "$MIGRATIONS"
  check_fleet "p$p" "SELECT count(*) FROM _sqlx_migrations WHERE success" "$MIGRATIONS"
  grep -q "^$TARGETS targets: $TARGETS ok, 0 failed" "$WORK/p$p.out" ||
    { tail -3 "$WORK/p$p.out" >&2; exit 1; }
  drop_fleet "q$p"
  drop_fleet "p$p"

  [ -n "$base_ns" ] || base_ns=$pf_ns
  speedup=$(awk -v a="$base_ns" -v b="$pf_ns" 'BEGIN { printf "%.2fx", a / b }')
  overhead=$(awk -v a="$pf_ns" -v b="$psql_ns" -v p="$p" -v n="$TARGETS" \
    'BEGIN { printf "%+.1f ms", (a - b) * p / n / 1e6 }')
  printf '%9s  %12s  %14s  %9s  %22s  %26s\n' "$p" "$(ms "$psql_ns" 0)" "$(ms "$pf_ns" 0)" "$speedup" \
    "$overhead" "$psql_cpu | $pf_cpu"
done
echo
echo "speed-up: preflight --parallel 1 time / this time. overhead per target: (preflight - psql) x"
echo "parallel / targets, what preflight adds to one target's own time at that parallelism."
echo "CPU ms/target: server (its backends) + client (psql processes, or the preflight process)."
