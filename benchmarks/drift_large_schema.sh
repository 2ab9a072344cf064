#!/usr/bin/env bash
# `preflight migrate diff` on a large schema: 2,000 tables, each with an identity primary key, a
# foreign key, a CHECK, a default, two indexes (one partial) and a plpgsql function, plus a
# trigger on every 10th table and a view on every 20th, in 20 migrations of 100 tables.
#
#   1. Migrate a database on a private server with `preflight migrate up`.
#   2. Run `preflight migrate diff --format json` ROUNDS times: it must find no difference, and
#      the whole command without the migrations' apply time should take under 2 s.
#   Printed per round: wall time of the command, the migrations' apply time on the throwaway
#   cluster, wall time without it, and the split reported by the tool (cluster start, catalog
#   read of the live database (while the migrations apply), of the expected one, comparison).
#
# Usage: bash benchmarks/drift_large_schema.sh [PREFLIGHT_BINARY]   (default build/ci/tool/preflight)
# Environment: ROUNDS (default 5), TABLES (default 2000), PG_BIN (default: newest
# /usr/lib/postgresql/*/bin).
set -euo pipefail
cd "$(dirname "$0")/.."

PREFLIGHT=$(realpath "${1:-build/ci/tool/preflight}")
ROUNDS=${ROUNDS:-5}
TABLES=${TABLES:-2000}
source benchmarks/lib/server.sh
bench_work preflight-drift


# ---- migrations ----
mkdir -p "$WORK/migrations"
per_file=100
files=$(( (TABLES + per_file - 1) / per_file ))
for f in $(seq 1 "$files"); do
  {
    for i in $(seq $(( (f - 1) * per_file + 1 )) $(( f * per_file < TABLES ? f * per_file : TABLES ))); do
      ref=""
      [ "$i" -gt 1 ] && ref="parent_id bigint REFERENCES t_$((i - 1)) (id),"
      cat <<SQL
CREATE TABLE t_$i (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  $ref
  name text NOT NULL DEFAULT '',
  amount numeric(10, 2) CHECK (amount >= 0),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX t_${i}_name_idx ON t_$i (name);
CREATE INDEX t_${i}_recent_idx ON t_$i (created_at) WHERE amount > 0;
CREATE FUNCTION t_${i}_total(p_min numeric) RETURNS numeric LANGUAGE plpgsql STABLE AS \$\$
BEGIN
  RETURN (SELECT coalesce(sum(amount), 0) FROM t_$i WHERE amount >= p_min);
END
\$\$;
SQL
      if [ $((i % 10)) = 0 ]; then
        echo "CREATE FUNCTION t_${i}_touch() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN NEW.name := lower(NEW.name); RETURN NEW; END \$\$;"
        echo "CREATE TRIGGER t_${i}_touch BEFORE INSERT ON t_$i FOR EACH ROW EXECUTE FUNCTION t_${i}_touch();"
      fi
      if [ $((i % 20)) = 0 ]; then
        echo "CREATE VIEW t_${i}_positive AS SELECT id, name, amount FROM t_$i WHERE amount > 0;"
      fi
    done
  } > "$WORK/migrations/$(printf %04d "$f")_tables_$f.sql"
done
chmod -R a+rX "$WORK"

# ---- the live server (same settings as preflight's throwaway cluster) ----
bench_server_start -c full_page_writes=off -c max_locks_per_transaction=256
"$PG_BIN/psql" -X -q -h "$WORK/socket" -U postgres -d postgres -c "CREATE DATABASE live"
URL="host=$WORK/socket user=postgres dbname=live"

echo "preflight migrate diff on a large schema"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(hostname)  cpus: $(nproc)  load average: $(cut -d" " -f1-3 /proc/loadavg)  server: $("$PG_BIN/postgres" --version)"
echo "binary: $PREFLIGHT ($("$PREFLIGHT" --version))"
start=$(now_ns)
"$PREFLIGHT" migrate up --database-url "$URL" --source "$WORK/migrations" >/dev/null
echo "schema: $TABLES tables in $files migrations, applied in $(( ($(now_ns) - start) / 1000000 )) ms; catalog:"
"$PG_BIN/psql" -X -q -A -t -h "$WORK/socket" -U postgres -d live -c "
  SELECT format('  %s tables, %s columns, %s indexes, %s constraints, %s functions, %s triggers, %s views',
    (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND relkind = 'r'),
    (SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0),
    (SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'),
    (SELECT count(*) FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace WHERE n.nspname = 'public'),
    (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'),
    (SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal),
    (SELECT count(*) FROM pg_views WHERE schemaname = 'public'))"
echo
printf '%5s %10s %10s %14s %10s %12s %14s %10s %s\n' round wall_ms apply_ms without_apply cluster_ms read_live_ms read_expected compare_ms differences
for round in $(seq 1 "$ROUNDS"); do
  # Each round starts with the previous one's files written back (its throwaway cluster wrote and
  # removed some 15,000 files), so that a round does not pay for the one before.
  sync
  start=$(now_ns)
  set +e
  "$PREFLIGHT" migrate diff --database-url "$URL" --source "$WORK/migrations" --format json \
    > "$WORK/diff.json" 2> "$WORK/diff.err"
  code=$?
  set -e
  wall=$(( ($(now_ns) - start) / 1000000 ))
  if [ "$code" != 0 ]; then echo "migrate diff exited $code:"; cat "$WORK/diff.err"; head -c 2000 "$WORK/diff.json"; exit 1; fi
  python3 - "$WORK/diff.json" "$round" "$wall" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); t = d["timings_ms"]; wall = float(sys.argv[3])
print(f'{sys.argv[2]:>5} {wall:10.0f} {t["apply"]:10.0f} {wall - t["apply"]:14.0f} {t["cluster"]:10.0f} '
      f'{t["read_actual"]:12.0f} {t["read_expected"]:14.0f} {t["compare"]:10.1f} {len(d["differences"])}')
PY
done
echo
echo "read_live_ms overlaps apply_ms (the live catalog is read while the migrations apply); without_apply is"
echo "the command's wall time minus the migrations' apply time on the throwaway cluster."
