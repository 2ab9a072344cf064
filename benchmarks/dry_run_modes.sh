#!/usr/bin/env bash
# Cost of a dry run on a throwaway copy against one in a rolled-back transaction, in the same run
# on the same throwaway server.
#
#   1,000 migrations (a table and an index each) on an empty database:
#   `migrate up --dry-run=transaction` vs `migrate up --dry-run=copy` (pg_dump/pg_restore of the
#   schema into a new database on the same server, the migrations committed one by one there,
#   the copy dropped), alternating, ROUNDS times; then the same pair once more on a database that
#   already has 1,000 applied tables (the copy then restores them first), dry-running 100 more.
#
# Figures on a shared machine are noisy: compare the ratios of one run, not runs with each other.
#
# Usage: bash benchmarks/dry_run_modes.sh [PREFLIGHT_BINARY]   (default build/ci/tool/preflight)
# Environment: ROUNDS (default 3), PG_BIN (default: newest /usr/lib/postgresql/*/bin).
set -euo pipefail
cd "$(dirname "$0")/.."

PREFLIGHT=$(realpath "${1:-build/ci/tool/preflight}")
ROUNDS=${ROUNDS:-3}
source benchmarks/lib/server.sh
bench_work preflight-dryrun


# ---- migrations: 1,000 to dry-run; 1,100 of which the first 1,000 get applied ----
mkdir -p "$WORK/m1000" "$WORK/m1100"
for i in $(seq 1 1100); do
  v=$(printf %04d "$i")
  body="CREATE TABLE t_$i (id int, label text);
CREATE INDEX t_${i}_label_idx ON t_$i (label);"
  [ "$i" -le 1000 ] && echo "$body" > "$WORK/m1000/${v}_create_t_$i.sql"
  echo "$body" > "$WORK/m1100/${v}_create_t_$i.sql"
done
chmod -R a+rX "$WORK"

# ---- the server (same settings as preflight's throwaway cluster) ----
bench_server_start -c full_page_writes=off
export PREFLIGHT_PG_BINDIR="$PG_BIN"

echo "preflight dry run modes benchmark"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(hostname)  cpus: $(nproc)  load average: $(cut -d" " -f1-3 /proc/loadavg)  server: $("$PG_BIN/postgres" --version)"
echo "binary: $PREFLIGHT ($("$PREFLIGHT" --version))"
echo

# Runs one dry run, checks it used `mode` and left the database as it was; prints nanoseconds.
dry_run() { # database source mode
  local out start took
  start=$(now_ns)
  out=$("$PREFLIGHT" migrate up "--dry-run=$3" --database-url "$(conninfo "$1")" --source "$2")
  took=$(( $(now_ns) - start ))
  grep -q "^Dry run mode: $3: " <<<"$out" || { echo "not a $3 dry run:" >&2; head -3 <<<"$out" >&2; exit 1; }
  echo "$took"
}

pair() { # label database source
  local t_runs=() c_runs=() ratios=() t c ratio
  echo "$1"
  for round in $(seq 1 "$ROUNDS"); do
    t=$(dry_run "$2" "$3" transaction)
    c=$(dry_run "$2" "$3" copy)
    ratio=$(awk -v a="$c" -v b="$t" 'BEGIN { printf "%.2f", a / b }')
    t_runs+=("$(ms "$t")"); c_runs+=("$(ms "$c")"); ratios+=("$ratio")
    echo "   round $round: transaction $(ms "$t") ms, copy $(ms "$c") ms, ratio copy/transaction $ratio"
  done
  echo "   median: transaction $(printf '%s\n' "${t_runs[@]}" | median) ms, copy $(printf '%s\n' "${c_runs[@]}" | median) ms; median of the per-round ratios $(printf '%s\n' "${ratios[@]}" | median)"
  echo
}

"${PSQL[@]}" -d postgres -c "CREATE DATABASE empty_db" -c "CREATE DATABASE applied_db"
pair "1. 1,000 migrations (table + index each) on an empty database" empty_db "$WORK/m1000"

"$PREFLIGHT" migrate up --to 1000 --database-url "$(conninfo applied_db)" --source "$WORK/m1100" >/dev/null
pair "2. 100 migrations on a database with 1,000 applied (the copy restores 1,000 tables first)" \
  applied_db "$WORK/m1100"

left=$("${PSQL[@]}" -d postgres -At -c "SELECT count(*) FROM pg_database WHERE datname LIKE 'preflight\_copy\_%'")
applied=$("${PSQL[@]}" -d applied_db -At -c "SELECT count(*) FROM _sqlx_migrations")
[ "$left" = 0 ] && [ "$applied" = 1000 ] || { echo "copies left: $left, applied: $applied" >&2; exit 1; }
echo "checked: no copy left behind, the databases unchanged"
