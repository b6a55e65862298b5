#!/usr/bin/env bash
# Ensure PostgreSQL (+PostGIS) and Redis are available for Porchlight and write
# their connection URLs to .local/services.env (sourced by `make run`/`make test`).
#
# Usage: scripts/services.sh [--with-browser]
#   --with-browser   also ensure /usr/bin/chromium and ffmpeg are installed
#
# Environment:
#   DATABASE_URL                 use this PostgreSQL server as-is (must connect); the owner's URL
#   DATABASE_APP_URL             the app role's URL (default: DATABASE_URL's server and database as
#                                the role PORCHLIGHT_DB_APP_ROLE, porchlight_app, created here)
#   REDIS_URL                    use this Redis server as-is (must answer PING)
#   PORCHLIGHT_LOCAL_PG_PORT     port of the project-local PostgreSQL (default 5433)
#   PORCHLIGHT_LOCAL_REDIS_PORT  port of the project-local Redis (default 6380)
#   PORCHLIGHT_FORCE_LOCAL=1     skip the system servers on 127.0.0.1:5432/6379
#
# Order for PostgreSQL: $DATABASE_URL, else 127.0.0.1:5432 (user postgres, trust),
# else a project-local cluster in .local/pg. Redis: $REDIS_URL, else 127.0.0.1:6379,
# else a project-local redis-server. Missing packages are apt-get installed only
# when running as root on Debian; otherwise the script fails with one sentence.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

LOCAL_DIR="$ROOT/.local"
ENV_FILE="$LOCAL_DIR/services.env"
PG_DATA="$LOCAL_DIR/pg"
PG_RUN="$LOCAL_DIR/pg-run"
PG_LOG="$LOCAL_DIR/pg.log"
PG_LOCAL_PORT="${PORCHLIGHT_LOCAL_PG_PORT:-5433}"
REDIS_LOCAL_PORT="${PORCHLIGHT_LOCAL_REDIS_PORT:-6380}"
FORCE_LOCAL="${PORCHLIGHT_FORCE_LOCAL:-0}"
RUN_USER=porchlight
DB_NAME=porchlight

WITH_BROWSER=0
for arg in "$@"; do
    case "$arg" in
        --with-browser) WITH_BROWSER=1 ;;
        -h|--help) sed -n '2,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "services: unknown argument '$arg' (usage: scripts/services.sh [--with-browser])." >&2; exit 2 ;;
    esac
done

log() { echo "services: $*" >&2; }
die() { echo "services: $*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }
redact() { sed -E 's#(://[^:/@]*):[^@/]*@#\1:***@#' <<<"$1"; }

IS_ROOT=0; [ "$(id -u)" = 0 ] && IS_ROOT=1
CAN_APT=0; [ "$IS_ROOT" = 1 ] && [ -f /etc/debian_version ] && have apt-get && CAN_APT=1

APT_UPDATED=0
apt_install() {
    [ "$CAN_APT" = 1 ] || return 1
    export DEBIAN_FRONTEND=noninteractive
    local apt=(apt-get -q -o DPkg::Lock::Timeout=300 -o Dpkg::Use-Pty=0)
    if [ "$APT_UPDATED" = 0 ]; then
        log "apt-get update"
        "${apt[@]}" update >&2 || return 1
        APT_UPDATED=1
    fi
    log "apt-get install $*"
    "${apt[@]}" install -y "$@" >&2
}

# ---------------------------------------------------------------- helpers: PG
# psql quietly, tuples only, against a conninfo/URL; stdout = result.
q() { local url="$1"; shift; PGCONNECT_TIMEOUT=5 psql "$url" -X -w -q -At -v ON_ERROR_STOP=1 "$@"; }

pg_bindir() {  # highest /usr/lib/postgresql/*/bin that has server binaries
    local d best=""
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V); do
        [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ] && best="$d"
    done
    echo "$best"
}

as_pg_user() {
    if [ "$IS_ROOT" = 1 ]; then runuser -u "$RUN_USER" -- "$@"; else "$@"; fi
}

url_is_local() {  # host part of a postgres URL is empty/localhost/127.0.0.1/::1
    local hostport
    hostport="$(sed -E 's#^[a-z]+://([^@/]*@)?([^/?]*).*#\2#' <<<"$1")"
    case "$hostport" in ''|localhost|localhost:*|127.0.0.1|127.0.0.1:*|'[::1]'*) return 0 ;; esac
    return 1
}

start_local_pg() {
    local bindir
    bindir="$(pg_bindir)"
    if [ -z "$bindir" ]; then
        if [ "$CAN_APT" = 1 ]; then
            apt_install postgresql postgresql-contrib || die "Installing PostgreSQL with apt-get failed (see the output above)."
            bindir="$(pg_bindir)"
            local major="${bindir#/usr/lib/postgresql/}"; major="${major%/bin}"
            apt_install "postgresql-$major-postgis-3" || log "warning: could not install postgresql-$major-postgis-3"
        fi
        [ -n "$bindir" ] || die "No PostgreSQL server found on 127.0.0.1:5432 and no server binaries in /usr/lib/postgresql/*/bin: install the Debian packages postgresql postgresql-contrib postgresql-15-postgis-3 (or set DATABASE_URL)."
    fi

    mkdir -p "$PG_RUN"
    if [ "$IS_ROOT" = 1 ]; then
        if ! id -u "$RUN_USER" >/dev/null 2>&1; then
            log "creating system user $RUN_USER (PostgreSQL refuses to run as root)"
            useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$RUN_USER" \
                || die "Could not create the system user $RUN_USER needed to run PostgreSQL as non-root."
        fi
        touch "$PG_LOG"
        [ -d "$PG_DATA" ] || install -d -m 700 "$PG_DATA"
        # only chown when needed (keeps re-runs fast)
        if [ "$(stat -c %U "$PG_DATA")" != "$RUN_USER" ] || [ "$(stat -c %U "$PG_RUN")" != "$RUN_USER" ] \
           || [ "$(stat -c %U "$PG_LOG")" != "$RUN_USER" ]; then
            chown -R "$RUN_USER:" "$PG_DATA" "$PG_RUN" "$PG_LOG"
        fi
    fi

    if [ ! -s "$PG_DATA/PG_VERSION" ]; then
        log "initialising project-local PostgreSQL cluster in .local/pg ($bindir)"
        as_pg_user "$bindir/initdb" -D "$PG_DATA" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >>"$PG_LOG" 2>&1 \
            || die "initdb of the project-local PostgreSQL cluster failed (see .local/pg.log)."
    fi
    # The cluster's own version may differ from the highest installed one.
    local ver; ver="$(cat "$PG_DATA/PG_VERSION")"
    [ -x "/usr/lib/postgresql/$ver/bin/pg_ctl" ] && bindir="/usr/lib/postgresql/$ver/bin"

    if as_pg_user "$bindir/pg_ctl" status -D "$PG_DATA" >/dev/null 2>&1; then
        # already running: use the port it is actually listening on
        PG_LOCAL_PORT="$(sed -n 4p "$PG_DATA/postmaster.pid")"
    else
        log "starting project-local PostgreSQL on 127.0.0.1:$PG_LOCAL_PORT"
        as_pg_user "$bindir/pg_ctl" start -w -t 60 -D "$PG_DATA" -l "$PG_LOG" \
            -o "-p $PG_LOCAL_PORT -k $PG_RUN -c listen_addresses=127.0.0.1" >/dev/null 2>&1 \
            || die "The project-local PostgreSQL in .local/pg did not start on port $PG_LOCAL_PORT (see .local/pg.log)."
    fi
    PG_URL="postgres://postgres@127.0.0.1:$PG_LOCAL_PORT/$DB_NAME"
    PG_ADMIN_URL="postgres://postgres@127.0.0.1:$PG_LOCAL_PORT/postgres"
}

# ------------------------------------------------------------ PostgreSQL
if ! have psql || ! have pg_isready; then
    apt_install postgresql-client || true
    have psql && have pg_isready || die "The PostgreSQL client (psql) is not installed: install the Debian package postgresql-client."
fi

PG_ADMIN_URL=""
if [ -n "${DATABASE_URL:-}" ]; then
    PG_URL="$DATABASE_URL"
    if ! err="$(q "$PG_URL" -c 'select 1' 2>&1 >/dev/null)"; then
        die "DATABASE_URL is set to $(redact "$PG_URL") but psql cannot connect to it ($(head -n1 <<<"$err" | sed 's/^psql: //; s/^error: //'))."
    fi
    log "PostgreSQL: using DATABASE_URL"
elif [ "$FORCE_LOCAL" != 1 ] && pg_isready -q -t 3 -h 127.0.0.1 -p 5432 \
     && q "postgres://postgres@127.0.0.1:5432/postgres" -c 'select 1' >/dev/null 2>&1; then
    PG_URL="postgres://postgres@127.0.0.1:5432/$DB_NAME"
    PG_ADMIN_URL="postgres://postgres@127.0.0.1:5432/postgres"
    log "PostgreSQL: using server on 127.0.0.1:5432"
else
    start_local_pg
    log "PostgreSQL: using project-local server on 127.0.0.1:$PG_LOCAL_PORT"
fi

if [ -n "$PG_ADMIN_URL" ]; then
    if [ "$(q "$PG_ADMIN_URL" -c "select 1 from pg_database where datname='$DB_NAME'")" != 1 ]; then
        log "creating database $DB_NAME"
        q "$PG_ADMIN_URL" -c "create database $DB_NAME" >/dev/null || die "Could not create the database $DB_NAME on $(redact "$PG_ADMIN_URL")."
    fi
fi

# ------------------------------------------------------------ PostGIS
# one round-trip: available? | server major | installed in this db?
pg_state() {
    q "$PG_URL" -F '|' -c "select exists(select 1 from pg_available_extensions where name='postgis'),
        current_setting('server_version_num')::int/10000,
        exists(select 1 from pg_extension where extname='postgis')"
}
IFS='|' read -r PG_AVAIL PG_MAJOR PG_HAS <<<"$(pg_state)"
if [ "$PG_AVAIL" != t ] && [ "$CAN_APT" = 1 ] && url_is_local "$PG_URL"; then
    apt_install "postgresql-$PG_MAJOR-postgis-3" || true
    IFS='|' read -r PG_AVAIL PG_MAJOR PG_HAS <<<"$(pg_state)"
fi
if [ "$PG_AVAIL" != t ]; then
    die "PostGIS is not available on the PostgreSQL server at $(redact "$PG_URL"): install the package postgresql-$PG_MAJOR-postgis-3 (Debian) or equivalent."
fi
if [ "$PG_HAS" != t ]; then
    log "enabling the postgis extension"
    PGOPTIONS='-c client_min_messages=warning' q "$PG_URL" -c 'create extension if not exists postgis' >/dev/null 2>&1 \
        || die "PostGIS is installed but could not be enabled in $(redact "$PG_URL"): run 'CREATE EXTENSION postgis' there as a superuser."
fi
# template1, so that test databases (test_porchlight) inherit PostGIS; best effort.
if [ "$(q "$PG_URL" -c '\c template1' -c "select 1 from pg_extension where extname='postgis'" 2>/dev/null)" != 1 ]; then
    PGOPTIONS='-c client_min_messages=warning' q "$PG_URL" -c '\c template1' -c 'create extension if not exists postgis' \
        >/dev/null 2>&1 && log "enabled postgis in template1" || true
fi

# ------------------------------------------------------------ the app role
# What the server, workers and beat connect as (docs/database-roles.md): LOGIN, no superuser,
# no BYPASSRLS, no CREATEDB/CREATEROLE, owning nothing; `make migrate` (manage.py db_grants)
# gives it its privileges. Roles are the whole cluster's: created once, by whoever comes
# first (a duplicate from a concurrent creation means it exists). A password is made once
# (.local/db-app-password) for servers that ask for one; trust servers ignore it.
APP_ROLE="${PORCHLIGHT_DB_APP_ROLE:-porchlight_app}"
[[ "$APP_ROLE" =~ ^[a-z_][a-z0-9_]{0,62}$ ]] || die "PORCHLIGHT_DB_APP_ROLE must be a plain lower-case role name, not '$APP_ROLE'."
APP_URL=""
if [ -n "${DATABASE_APP_URL:-}" ]; then
    APP_URL="$DATABASE_APP_URL"
    q "$APP_URL" -c 'select 1' >/dev/null 2>&1 || die "DATABASE_APP_URL is set to $(redact "$APP_URL") but psql cannot connect to it."
    log "PostgreSQL app role: using DATABASE_APP_URL"
elif [ "$(q "$PG_URL" -c "select rolsuper or rolcreaterole from pg_roles where rolname = current_user")" = t ]; then
    PW_FILE="$LOCAL_DIR/db-app-password"
    if [ ! -s "$PW_FILE" ]; then
        mkdir -p "$LOCAL_DIR"
        (umask 077; od -An -N18 -tx1 /dev/urandom | tr -d ' \n' >"$PW_FILE")
    fi
    APP_PW="$(cat "$PW_FILE")"
    q "$PG_URL" -v role="$APP_ROLE" -v pw="$APP_PW" >/dev/null 2>&1 <<'SQL' || true
SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD %L', :'role', :'pw')
    WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION', :'role')
    WHERE EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role' AND (rolsuper OR rolbypassrls OR rolcreatedb
                  OR rolcreaterole OR rolreplication OR NOT rolcanlogin)) \gexec
SQL
    [ "$(q "$PG_URL" -c "select 1 from pg_roles where rolname = '$APP_ROLE'")" = 1 ] \
        || die "Could not create the PostgreSQL role $APP_ROLE on $(redact "$PG_URL")."
    # The owner's URL with the app role (and its password) in place of the user.
    APP_URL="$(sed -E "s#^([a-z]+://)([^@/]*@)?#\1$APP_ROLE:$APP_PW@#" <<<"$PG_URL")"
    if ! q "$APP_URL" -c 'select 1' >/dev/null 2>&1; then
        # Made by another checkout with another password, on a server that asks for one.
        q "$PG_URL" -v role="$APP_ROLE" -v pw="$APP_PW" >/dev/null <<'SQL' || true
SELECT format('ALTER ROLE %I PASSWORD %L', :'role', :'pw') \gexec
SQL
        q "$APP_URL" -c 'select 1' >/dev/null 2>&1 || die "The PostgreSQL role $APP_ROLE cannot connect to $(redact "$APP_URL") (see pg_hba.conf)."
    fi
    log "PostgreSQL app role: $APP_ROLE"
else
    log "warning: $(redact "$PG_URL") may not create roles and DATABASE_APP_URL is not set: the server, workers and beat will connect as the owner (docs/database-roles.md)."
fi

# ------------------------------------------------------------ GDAL (GeoDjango)
if ! ldconfig -p 2>/dev/null | grep -q libgdal; then
    apt_install gdal-bin || true
    ldconfig -p 2>/dev/null | grep -q libgdal || die "The GDAL library (libgdal) that GeoDjango needs is not installed: install the Debian package gdal-bin (or libgdal-dev)."
fi

# ------------------------------------------------------------ gettext (msgfmt)
if ! have msgfmt; then
    apt_install gettext || true
    have msgfmt || log "warning: msgfmt not found; install the package gettext to compile translations."
fi

# ------------------------------------------------------------ browser tools
if [ "$WITH_BROWSER" = 1 ]; then
    missing=()
    [ -x /usr/bin/chromium ] || missing+=(chromium)
    have ffmpeg || missing+=(ffmpeg)
    if [ "${#missing[@]}" -gt 0 ]; then
        apt_install "${missing[@]}" || true
        [ -x /usr/bin/chromium ] || die "Chromium is not installed at /usr/bin/chromium: install the Debian package chromium."
        have ffmpeg || die "ffmpeg is not installed: install the Debian package ffmpeg."
    fi
fi

# ------------------------------------------------------------ Redis
redis_ping() {  # $1 = host, $2 = port; true if it answers PONG
    if have redis-cli; then
        [ "$(timeout 3 redis-cli -h "$1" -p "$2" ping 2>/dev/null)" = PONG ]
    else
        timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2" && printf "PING\r\n" >&3 && read -r l <&3 && [ "${l%$'"'"'\r'"'"'}" = "+PONG" ]' _ "$1" "$2" 2>/dev/null
    fi
}
redis_url_ok() {
    local url="$1"
    if have redis-cli; then
        [ "$(timeout 3 redis-cli -u "$url" ping 2>/dev/null)" = PONG ]
    else
        python3 - "$url" <<'EOF' 2>/dev/null
import socket, sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
s = socket.create_connection((u.hostname or "127.0.0.1", u.port or 6379), timeout=3)
if u.password:
    args = [b"AUTH"] + ([u.username.encode()] if u.username else []) + [urllib.parse.unquote(u.password).encode()]
    s.sendall(b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args))
    s.recv(1024)
s.sendall(b"PING\r\n")
sys.exit(0 if s.recv(1024).startswith(b"+PONG") else 1)
EOF
    fi
}

if [ -n "${REDIS_URL:-}" ]; then
    redis_url_ok "$REDIS_URL" || die "REDIS_URL is set to $(redact "$REDIS_URL") but no Redis server answers PING there."
    R_URL="$REDIS_URL"
    log "Redis: using REDIS_URL"
elif [ "$FORCE_LOCAL" != 1 ] && redis_ping 127.0.0.1 6379; then
    R_URL="redis://127.0.0.1:6379/0"
    log "Redis: using server on 127.0.0.1:6379"
else
    if ! have redis-server; then
        apt_install redis-server || true
        have redis-server || die "No Redis server answers on 127.0.0.1:6379 and redis-server is not installed: install the Debian package redis-server (or set REDIS_URL)."
    fi
    if [ "$FORCE_LOCAL" != 1 ] && [ "$APT_UPDATED" = 1 ] && redis_ping 127.0.0.1 6379; then
        # the Debian package may have started a system Redis on 6379
        R_URL="redis://127.0.0.1:6379/0"
        log "Redis: using server on 127.0.0.1:6379"
    else
        if ! redis_ping 127.0.0.1 "$REDIS_LOCAL_PORT"; then
            log "starting project-local Redis on 127.0.0.1:$REDIS_LOCAL_PORT"
            mkdir -p "$LOCAL_DIR"
            redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_LOCAL_PORT" --save "" --appendonly no \
                --dir "$LOCAL_DIR" --logfile "$LOCAL_DIR/redis.log" --pidfile "$LOCAL_DIR/redis.pid" >/dev/null \
                || die "redis-server failed to start on port $REDIS_LOCAL_PORT (see .local/redis.log)."
            for _ in $(seq 50); do redis_ping 127.0.0.1 "$REDIS_LOCAL_PORT" && break; sleep 0.1; done
            redis_ping 127.0.0.1 "$REDIS_LOCAL_PORT" || die "The project-local Redis did not answer on port $REDIS_LOCAL_PORT (see .local/redis.log)."
        fi
        R_URL="redis://127.0.0.1:$REDIS_LOCAL_PORT/0"
        log "Redis: using project-local server on 127.0.0.1:$REDIS_LOCAL_PORT"
    fi
fi

# ------------------------------------------------------------ write env file
mkdir -p "$LOCAL_DIR"
tmp="$(mktemp "$LOCAL_DIR/.services.env.XXXXXX")"
printf 'DATABASE_URL=%q\nDATABASE_APP_URL=%q\nREDIS_URL=%q\n' "$PG_URL" "$APP_URL" "$R_URL" >"$tmp"
chmod 644 "$tmp"
mv -f "$tmp" "$ENV_FILE"
log "wrote .local/services.env"
