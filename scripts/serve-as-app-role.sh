# Sourced by scripts/run.sh and scripts/prod.sh once the demo is seeded (as the owner, whose
# URL is DATABASE_URL): the server, workers and beat honcho starts connect as the app role
# instead, which owns nothing and cannot switch off the access log's triggers
# (docs/database-roles.md). scripts/services.sh writes DATABASE_APP_URL to .local/services.env.
if [ -n "${DATABASE_APP_URL:-}" ]; then
    export DATABASE_URL="$DATABASE_APP_URL"
else
    echo "warning: DATABASE_APP_URL is not set (run scripts/services.sh): the server, workers and beat" \
         "connect as the owner, who can rewrite the access log (docs/database-roles.md)." >&2
fi
