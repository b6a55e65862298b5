#!/usr/bin/env bash
# Stop the project-local PostgreSQL (.local/pg) and Redis (.local/redis.pid)
# started by scripts/services.sh, if they are running. System servers are untouched.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
log() { echo "services-stop: $*" >&2; }

PG_DATA="$ROOT/.local/pg"
if [ -s "$PG_DATA/PG_VERSION" ]; then
    bindir="/usr/lib/postgresql/$(cat "$PG_DATA/PG_VERSION")/bin"
    as_owner=()
    if [ "$(id -u)" = 0 ] && [ "$(stat -c %U "$PG_DATA")" != root ]; then
        as_owner=(runuser -u "$(stat -c %U "$PG_DATA")" --)
    fi
    if "${as_owner[@]}" "$bindir/pg_ctl" status -D "$PG_DATA" >/dev/null 2>&1; then
        log "stopping project-local PostgreSQL"
        "${as_owner[@]}" "$bindir/pg_ctl" stop -w -m fast -D "$PG_DATA" >/dev/null
    fi
fi

PIDFILE="$ROOT/.local/redis.pid"
if [ -s "$PIDFILE" ]; then
    pid="$(cat "$PIDFILE")"
    if kill -0 "$pid" 2>/dev/null && grep -q redis-server "/proc/$pid/cmdline" 2>/dev/null; then
        log "stopping project-local Redis (pid $pid)"
        kill -TERM "$pid"
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -f "$PIDFILE"
fi
