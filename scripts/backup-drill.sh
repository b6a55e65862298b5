#!/usr/bin/env bash
# Backup and restore drill for one department: record its access-log head, back it up with
# pg_dump (the public schema, where the department's record, domains and policy live, and the
# department's own schema), restore the backup into a fresh database, and check there that the
# whole chain verifies and still holds the head recorded before the backup
# (`audit_verify --expect`). Prints each step; exits non-zero, naming the step, if any fails.
#
# Usage: scripts/backup-drill.sh SCHEMA [--expect SEQ:HASH] [--keep]
#   SCHEMA             the department's schema, e.g. rialto
#   --expect SEQ:HASH  hold the restored log to this head instead of the one read before the backup
#                      (e.g. one kept from an earlier day, or printed on the public page)
#   --keep             keep the restored database and the backup file (default: both removed)
#
# Environment: DATABASE_URL (default: the one in .local/services.env), PYTHON (default .venv/bin/python),
# PORCHLIGHT_BACKUP_DIR (default .local/backups).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

die() { echo "backup-drill: $*" >&2; exit 1; }
step() { echo "backup-drill: $*"; }

SCHEMA="" EXPECT="" KEEP=0
while [ $# -gt 0 ]; do
    case "$1" in
        --expect) [ $# -ge 2 ] || die "--expect needs SEQ:HASH."; EXPECT="$2"; shift 2 ;;
        --keep) KEEP=1; shift ;;
        -h|--help) sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) die "unknown option '$1' (usage: scripts/backup-drill.sh SCHEMA [--expect SEQ:HASH] [--keep])." ;;
        *) [ -z "$SCHEMA" ] || die "give one schema, not '$SCHEMA' and '$1'."; SCHEMA="$1"; shift ;;
    esac
done
[ -n "$SCHEMA" ] || die "give the department's schema, e.g. scripts/backup-drill.sh rialto."
[[ "$SCHEMA" =~ ^[a-z_][a-z0-9_]{0,62}$ ]] && [ "$SCHEMA" != public ] || die "'$SCHEMA' is not a department schema name."

if [ -z "${DATABASE_URL:-}" ]; then
    [ -f .local/services.env ] || die "no DATABASE_URL and no .local/services.env (run make setup first)."
    set -a; . ./.local/services.env; set +a
fi
PYTHON="${PYTHON:-.venv/bin/python}"
for tool in pg_dump pg_restore psql; do
    command -v "$tool" >/dev/null || die "$tool is not installed (Debian package postgresql-client)."
done

# libpq reads postgresql:// URLs; Django's may say postgres:// or postgis://.
SOURCE_URL="$(sed -E 's#^(postgres|postgis|pgsql)://#postgresql://#' <<<"$DATABASE_URL")"
SOURCE_DB="$(sed -E 's#^[^/]*//[^/]*/([^?]*).*#\1#' <<<"$SOURCE_URL")"
DRILL_DB="${SOURCE_DB}_drill_$(date +%Y%m%d%H%M%S)_$$"
DRILL_DB="${DRILL_DB:0:63}"
DRILL_URL="$(sed -E "s#^([^/]*//[^/]*/)[^?]*#\1${DRILL_DB}#" <<<"$SOURCE_URL")"
MAINTENANCE_URL="$(sed -E 's#^([^/]*//[^/]*/)[^?]*#\1postgres#' <<<"$SOURCE_URL")"
BACKUP_DIR="${PORCHLIGHT_BACKUP_DIR:-.local/backups}"
BACKUP="$BACKUP_DIR/$SCHEMA-$(date +%Y%m%d%H%M%S).dump"
mkdir -p "$BACKUP_DIR"

cleanup() {
    if [ "$KEEP" = 0 ]; then
        psql -q "$MAINTENANCE_URL" -c "DROP DATABASE IF EXISTS \"$DRILL_DB\"" >/dev/null 2>&1 || true
        rm -f "$BACKUP"
    fi
}
trap cleanup EXIT

step "1/5 verifying the access log of '$SCHEMA' before the backup"
"$PYTHON" manage.py audit_verify --schema "$SCHEMA" || die "the log of '$SCHEMA' does not verify before the backup: fix that first."
HEAD="$("$PYTHON" manage.py audit_head --schema "$SCHEMA")" || die "could not read the head of '$SCHEMA'."
step "    head before the backup: $HEAD"
[ -n "$EXPECT" ] || EXPECT="$HEAD"

step "2/5 backing up the public schema and '$SCHEMA' to $BACKUP"
pg_dump --format=custom --no-owner --no-privileges --schema=public --schema="$SCHEMA" \
    --file="$BACKUP" "$SOURCE_URL" || die "pg_dump failed."

step "3/5 creating the fresh database $DRILL_DB"
psql -q -v ON_ERROR_STOP=1 "$MAINTENANCE_URL" -c "CREATE DATABASE \"$DRILL_DB\"" >/dev/null || die "could not create $DRILL_DB."

step "4/5 restoring the backup into $DRILL_DB"
# The extensions the schemas use come first (a schema-only dump does not create them).
psql -q -v ON_ERROR_STOP=1 "$DRILL_URL" >/dev/null <<'SQL' || die "could not create the extensions in $DRILL_DB."
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;
SQL
# A new database already has its public schema: restore everything but that schema's creation.
# (Triggers, such as the log's append-only guards, are created after the rows are loaded.)
LIST="$BACKUP.list"
pg_restore --list "$BACKUP" | grep -v -E '^[0-9]+; [0-9]+ [0-9]+ SCHEMA - public ' >"$LIST" || die "could not read $BACKUP."
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --use-list="$LIST" \
    --dbname="$DRILL_URL" "$BACKUP" || die "pg_restore into $DRILL_DB failed."
rm -f "$LIST"

step "5/5 verifying the restored log, held to $EXPECT"
DATABASE_URL="$DRILL_URL" "$PYTHON" manage.py audit_verify --schema "$SCHEMA" --expect "$EXPECT" \
    || die "the restored log of '$SCHEMA' does not hold $EXPECT: the backup is not good."
step "ok: '$SCHEMA' restored into $DRILL_DB and its log holds $EXPECT"
[ "$KEEP" = 1 ] && step "kept $DRILL_DB and $BACKUP (--keep)"
exit 0
