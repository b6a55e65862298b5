#!/usr/bin/env bash
# What `make run` does after its set-up: seed the demo, then serve it with honcho on $PORT.
#
# Expects what the Makefile provides: DATABASE_URL / REDIS_URL in the environment (from
# .local/services.env) and the virtualenv's bin first on PATH (the Procfile's commands are
# looked up there). PORT defaults to 8000; PORT=8123 make run serves everything on 8123.
set -euo pipefail
cd "$(dirname "$0")/.."

export PORT="${PORT:-8000}"
# Links in e-mails and the URLs seed_demo prints are built with PORCHLIGHT_PORT: the same port.
export PORCHLIGHT_PORT="${PORCHLIGHT_PORT:-$PORT}"

echo "make run: seeding the demo, then serving it on http://localhost:${PORT}/"
# The seed's errors go to the terminal as they are: a demo that failed to seed must say why.
if ! python manage.py seed_demo; then
    echo "make run stopped: seeding the demo failed (its error is above)." >&2
    exit 1
fi
# The seed ran as the owner; what serves connects as the app role.
. scripts/serve-as-app-role.sh
echo "Serving on http://localhost:${PORT}/ (Ctrl-C stops the server, worker and beat)"
# honcho gives the first process (web) $PORT; the Procfile passes it to uvicorn.
exec honcho start -f Procfile -p "$PORT"
