# Shared by the benchmark scripts: a private PostgreSQL server in a temporary folder, stopped and
# removed when the script exits, and the timing helpers. Source it, then call bench_server_start.
#
#   source "$(dirname "$0")/lib/server.sh"
#   bench_work preflight-speed                       # WORK=/tmp/preflight-speed-XXXXXX
#   bench_server_start -c full_page_writes=off       # initdb + start; PSQL=(psql … -h socket)
#
# PG_BIN defaults to the newest /usr/lib/postgresql/*/bin.

PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}

# The server refuses to run as root: run it as the unprivileged user preflight itself uses.
as_server() { if [ "$(id -u)" = 0 ]; then runuser -u preflight -- "$@"; else "$@"; fi; }

# Makes the script's folder WORK (/tmp/NAME-XXXXXX) and removes it, server stopped, on exit.
bench_work() {
  WORK=$(mktemp -d "/tmp/$1-XXXXXX")
  chmod 755 "$WORK"
  if [ "$(id -u)" = 0 ] && ! id preflight >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin --user-group preflight
  fi
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM # the EXIT trap then stops the server on Ctrl-C too
}

bench_cleanup() {
  as_server "$PG_BIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}

# initdb and start a server on a unix socket in $WORK/socket (no TCP), not durable (fsync off:
# these scripts measure preflight, not the disk), with any extra `-c name=value` given. Sets
# PSQL to a psql command line for it and SOCKET to its folder.
bench_server_start() {
  mkdir -p "$WORK/data" "$WORK/socket"
  chown preflight:preflight "$WORK/data" "$WORK/socket" 2>/dev/null || true
  as_server "$PG_BIN/initdb" -D "$WORK/data" -U postgres -A trust -E UTF8 --locale=C --no-sync \
    >/dev/null
  as_server "$PG_BIN/pg_ctl" -D "$WORK/data" -l "$WORK/socket/server.log" -w -o \
    "-k $WORK/socket -c listen_addresses= -c fsync=off -c synchronous_commit=off $*" \
    start >/dev/null
  SOCKET="$WORK/socket"
  PSQL=("$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCKET" -U postgres)
}

# A libpq keyword string for database $1 on the server.
conninfo() { echo "host=$SOCKET user=postgres dbname=$1"; }

now_ns() { date +%s%N; }
# Nanoseconds as milliseconds with $2 decimals (default 1).
ms() { awk -v ns="$1" -v d="${2:-1}" 'BEGIN { printf "%.*f", d, ns / 1e6 }'; }
# The median of the numbers on stdin, one a line.
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
