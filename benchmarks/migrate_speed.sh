#!/usr/bin/env bash
# Speed of the migrator, measured against plain psql on the same throwaway server in the same run.
#
#   1. `preflight migrate up` vs one psql session running BEGIN; \i file; COMMIT; per file, over
#      1,000 small migrations (a table, an index, 10 rows each), each on a fresh database,
#      alternating, ROUNDS times. Target: preflight <= 1.25 x psql.
#   2. `migrate status` and `migrate verify` with 10,000 applied migrations (recorded with
#      `migrate baseline`). Target: < 150 ms each.
#
# Usage: bash benchmarks/migrate_speed.sh [PREFLIGHT_BINARY]   (default build/ci/tool/preflight)
# Environment: ROUNDS (default 5), PG_BIN (default: newest /usr/lib/postgresql/*/bin).
set -euo pipefail
cd "$(dirname "$0")/.."

PREFLIGHT=$(realpath "${1:-build/ci/tool/preflight}")
ROUNDS=${ROUNDS:-5}
source benchmarks/lib/server.sh
bench_work preflight-speed


# ---- migrations ----
mkdir -p "$WORK/m1000" "$WORK/m10000"
for i in $(seq 1 1000); do
  v=$(printf %04d "$i")
  {
    echo "CREATE TABLE t_$i (id int PRIMARY KEY, label text NOT NULL);"
    echo "CREATE INDEX t_${i}_label_idx ON t_$i (label);"
    printf "INSERT INTO t_%d (id, label) VALUES" "$i"
    for r in $(seq 1 10); do printf " (%d, 'row %d')%s" "$r" "$r" "$([ "$r" = 10 ] && echo ';' || echo ',')"; done
    echo
  } > "$WORK/m1000/${v}_create_t_$i.sql"
done
for i in $(seq 1 10000); do
  v=$(printf %05d "$i")
  echo "CREATE TABLE s_$i (id int PRIMARY KEY);" > "$WORK/m10000/${v}_create_s_$i.sql"
done
{
  for f in "$WORK"/m1000/*.sql; do printf 'BEGIN;\n\\i %s\nCOMMIT;\n' "$f"; done
} > "$WORK/psql_script.sql"
chmod -R a+rX "$WORK"

# ---- the server (same settings as preflight's throwaway cluster) ----
bench_server_start -c full_page_writes=off

echo "preflight migrate speed benchmark"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(hostname)  cpus: $(nproc)  load average: $(cut -d" " -f1-3 /proc/loadavg)  server: $("$PG_BIN/postgres" --version)"
echo "binary: $PREFLIGHT ($("$PREFLIGHT" --version))"
echo

# ---- 1. up vs psql ----
echo "1. 1,000 migrations (table + index + 10 rows each), one transaction per migration"
psql_runs=() ; up_runs=() ; ratios=()
for round in $(seq 1 "$ROUNDS"); do
  "${PSQL[@]}" -d postgres -c "CREATE DATABASE psql_$round" -c "CREATE DATABASE pf_$round"
  start=$(now_ns)
  "${PSQL[@]}" -d "psql_$round" -f "$WORK/psql_script.sql" >/dev/null
  psql_ns=$(( $(now_ns) - start ))
  start=$(now_ns)
  "$PREFLIGHT" migrate up --database-url "$(conninfo "pf_$round")" --source "$WORK/m1000" >/dev/null
  up_ns=$(( $(now_ns) - start ))
  applied=$("${PSQL[@]}" -d "pf_$round" -At -c "SELECT count(*) FROM _sqlx_migrations WHERE success")
  tables=$("${PSQL[@]}" -d "psql_$round" -At -c "SELECT count(*) FROM pg_tables WHERE tablename LIKE 't\_%'")
  [ "$applied" = 1000 ] && [ "$tables" = 1000 ] || { echo "round $round: applied $applied, psql tables $tables" >&2; exit 1; }
  ratio=$(awk -v a="$up_ns" -v b="$psql_ns" 'BEGIN { printf "%.2f", a / b }')
  psql_runs+=("$(ms "$psql_ns")"); up_runs+=("$(ms "$up_ns")"); ratios+=("$ratio")
  echo "   round $round: psql $(ms "$psql_ns") ms, preflight migrate up $(ms "$up_ns") ms, ratio $ratio"
done
psql_median=$(printf '%s\n' "${psql_runs[@]}" | median)
up_median=$(printf '%s\n' "${up_runs[@]}" | median)
echo "   median: psql $psql_median ms, preflight $up_median ms; median of the per-round ratios $(printf '%s\n' "${ratios[@]}" | median) (target <= 1.25)"
echo

# ---- 2. status and verify on 10,000 applied migrations ----
echo "2. migrate status / verify with 10,000 applied migrations (recorded by migrate baseline)"
"${PSQL[@]}" -d postgres -c "CREATE DATABASE big"
"$PREFLIGHT" migrate baseline 10000 --database-url "$(conninfo big)" --source "$WORK/m10000" | tail -1 | sed 's/^/   /'
for command in status verify; do
  runs=()
  for run in 1 2 3 4 5; do
    start=$(now_ns)
    "$PREFLIGHT" migrate "$command" --database-url "$(conninfo big)" --source "$WORK/m10000" >/dev/null
    runs+=("$(ms $(( $(now_ns) - start )))")
  done
  echo "   migrate $command: ${runs[*]} ms; median $(printf '%s\n' "${runs[@]}" | median) ms (target < 150)"
done
