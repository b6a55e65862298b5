#!/usr/bin/env bash
# What `make run-prod` does after its set-up: the demo served the way production is shaped.
# nginx (TLS with a self-signed certificate made on first start, WebSocket upgrade, static
# files) in front of WEB_PROCESSES uvicorn processes, WORKER_PROCESSES Celery workers and one
# beat, all against the one PostgreSQL and one Redis of .local/services.env.
#
# Usage: scripts/prod.sh           seed the demo, write the nginx config, start it all with honcho
#        scripts/prod.sh config    only: nginx installed, certificate made, nginx.conf written
#
# Environment (default):
#   HTTPS_PORT (8443)               where nginx serves https://; HTTPS_ADDRESS (127.0.0.1) its address
#   HTTP_PORT (8080)                plain http:// on HTTP_ADDRESS (HTTPS_ADDRESS): redirects to https://,
#                                   but for ACME's challenges (PORCHLIGHT_ACME_DIR, $PORCHLIGHT_PROD_DIR/acme);
#                                   HTTP_PORT=off: no plain listener
#   NGINX_RATE_PER_SECOND (100), NGINX_BURST (1000), NGINX_CONNECTIONS (1000)
#                                   floods, per client address: requests a second (with that burst
#                                   above it) and connections in progress; over them nginx answers 429
#   WEB_PROCESSES (2)               uvicorn processes, on consecutive free ports from 8100
#   WEB_PORTS                       (config only) their ports, space-separated, instead
#   WORKER_PROCESSES (2)            Celery worker processes, CELERY_CONCURRENCY (2) tasks each
#   INTAKE_CONCURRENCY (4)          processes of the one intake worker (integrations' deliveries, queue intake)
#   PORCHLIGHT_PROD_DIR (.local/prod)  nginx.conf, its pid, access log and temp files, beat schedule
#   PORCHLIGHT_TLS_DIR (.local/tls)    cert.pem and key.pem; PORCHLIGHT_TLS_HOSTS adds names to a new one
#   DJANGO_SETTINGS_MODULE (config.settings.production), with a secret key kept in
#   $PORCHLIGHT_PROD_DIR/secret-key and DJANGO_ALLOWED_HOSTS .localhost,localhost unless set.
#
# nginx runs in the foreground as this user's process (honcho stops it with the rest); no
# system nginx service is started or changed. Missing nginx or openssl is apt-get installed
# only as root on Debian; otherwise the script stops with one sentence saying what to install.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

log() { echo "run-prod: $*" >&2; }
die() { echo "run-prod: $*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

export PORCHLIGHT_PROD_DIR="${PORCHLIGHT_PROD_DIR:-$ROOT/.local/prod}"
TLS_DIR="${PORCHLIGHT_TLS_DIR:-$ROOT/.local/tls}"
HTTPS_PORT="${HTTPS_PORT:-8443}"
HTTPS_ADDRESS="${HTTPS_ADDRESS:-127.0.0.1}"
HTTP_PORT="${HTTP_PORT:-8080}"
HTTP_ADDRESS="${HTTP_ADDRESS:-$HTTPS_ADDRESS}"
NGINX_RATE_PER_SECOND="${NGINX_RATE_PER_SECOND:-100}"
NGINX_BURST="${NGINX_BURST:-1000}"
NGINX_CONNECTIONS="${NGINX_CONNECTIONS:-1000}"
WEB_PROCESSES="${WEB_PROCESSES:-2}"
WORKER_PROCESSES="${WORKER_PROCESSES:-2}"
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-config.settings.production}"

[ "$HTTP_PORT" = off ] || [[ "$HTTP_PORT" =~ ^[1-9][0-9]*$ ]] || die "HTTP_PORT must be a port number or off, not '$HTTP_PORT'."
for number in HTTPS_PORT WEB_PROCESSES WORKER_PROCESSES NGINX_RATE_PER_SECOND NGINX_BURST NGINX_CONNECTIONS; do
    [[ "${!number}" =~ ^[1-9][0-9]*$ ]] || die "$number must be a whole number above 0, not '${!number}'."
done

apt_install() {
    [ "$(id -u)" = 0 ] && [ -f /etc/debian_version ] && have apt-get || return 1
    log "apt-get install $*"
    DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300 -o Dpkg::Use-Pty=0 update >&2 || return 1
    # Debian's package would enable the system nginx service; it is never started here (the
    # policy of a container refuses it, and on a host it is left as Debian sets it up).
    DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300 -o Dpkg::Use-Pty=0 install -y "$@" >&2
}

find_nginx() {
    PORCHLIGHT_NGINX="$(command -v nginx || true)"
    [ -n "$PORCHLIGHT_NGINX" ] || { [ -x /usr/sbin/nginx ] && PORCHLIGHT_NGINX=/usr/sbin/nginx; } || true
}
find_nginx
if [ -z "$PORCHLIGHT_NGINX" ]; then
    apt_install nginx || true
    find_nginx
    [ -n "$PORCHLIGHT_NGINX" ] || die "nginx is not installed: install the Debian package nginx (as root: apt-get install nginx), then run this again."
fi
export PORCHLIGHT_NGINX  # not NGINX: nginx reads that variable as a list of inherited sockets
if ! have openssl; then
    apt_install openssl || true
    have openssl || die "openssl is not installed (it makes the self-signed certificate): install the Debian package openssl."
fi

ACME_DIR="${PORCHLIGHT_ACME_DIR:-$PORCHLIGHT_PROD_DIR/acme}"
mkdir -p "$PORCHLIGHT_PROD_DIR/tmp" "$TLS_DIR" "$ACME_DIR/.well-known/acme-challenge"

# ------------------------------------------------------------------ certificate
# A browser warns about it (nobody vouches for it); it stands in for the real one, which goes
# in the same two files. Browsers and Python's ssl match names exactly: a department's
# host is listed by name, as OpenSSL does not let *.localhost cover one.
if [ ! -s "$TLS_DIR/cert.pem" ] || [ ! -s "$TLS_DIR/key.pem" ]; then
    names="DNS:localhost,DNS:*.localhost,DNS:rialto.localhost,DNS:fontana.localhost,IP:127.0.0.1"
    for host in ${PORCHLIGHT_TLS_HOSTS:-}; do names="$names,DNS:$host"; done
    log "making a self-signed certificate for $names in $TLS_DIR"
    (umask 077 && openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=Porchlight (self-signed)" \
        -addext "subjectAltName=$names" -keyout "$TLS_DIR/key.pem" -out "$TLS_DIR/cert.pem" 2>/dev/null) \
        || die "openssl could not make the self-signed certificate in $TLS_DIR."
fi

# ------------------------------------------------------------------ ports
free_block() {  # first port P >= $1 with $2 free consecutive ports P..P+$2-1 on 127.0.0.1
    python - "$1" "$2" <<'EOF'
import socket, sys

start, count = int(sys.argv[1]), int(sys.argv[2])


def free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


sys.exit(next((print(p) for p in range(start, 60000) if all(free(p + i) for i in range(count))), 1))
EOF
}

MODE="${1:-run}"
case "$MODE" in
    run)
        WEB_BASE="$(free_block 8100 "$WEB_PROCESSES")" || die "no $WEB_PROCESSES free consecutive ports from 8100 for the server processes."
        WEB_PORTS="$(seq -s ' ' "$WEB_BASE" $((WEB_BASE + WEB_PROCESSES - 1)))"
        free_block "$HTTPS_PORT" 1 | grep -qx "$HTTPS_PORT" \
            || die "port $HTTPS_PORT is taken: choose another with HTTPS_PORT=8444 make run-prod."
        [ "$HTTP_PORT" = off ] || free_block "$HTTP_PORT" 1 | grep -qx "$HTTP_PORT" \
            || die "port $HTTP_PORT is taken: choose another with HTTP_PORT=8081 make run-prod (or HTTP_PORT=off)."
        ;;
    config)
        [ -n "${WEB_PORTS:-}" ] || die "scripts/prod.sh config needs WEB_PORTS, the server processes' ports."
        ;;
    *) die "unknown command '$MODE' (usage: scripts/prod.sh [config])." ;;
esac

# ------------------------------------------------------------------ settings
if [ "$DJANGO_SETTINGS_MODULE" = config.settings.production ]; then
    if [ -z "${DJANGO_SECRET_KEY:-}" ]; then
        [ -s "$PORCHLIGHT_PROD_DIR/secret-key" ] || (umask 077 && python -c \
            'import secrets; print(secrets.token_urlsafe(50))' >"$PORCHLIGHT_PROD_DIR/secret-key")
        DJANGO_SECRET_KEY="$(cat "$PORCHLIGHT_PROD_DIR/secret-key")"
        export DJANGO_SECRET_KEY
    fi
    export DJANGO_ALLOWED_HOSTS="${DJANGO_ALLOWED_HOSTS:-.localhost,localhost}"
    # The demo's e-mails go to files under .local/mail, as with `make run`; set an SMTP server
    # with DJANGO_EMAIL_BACKEND and its settings for real ones.
    export DJANGO_EMAIL_BACKEND="${DJANGO_EMAIL_BACKEND:-django.core.mail.backends.filebased.EmailBackend}"
fi
# Links in e-mails and the URLs seed_demo prints are nginx's: https on HTTPS_PORT.
export PORCHLIGHT_PORT="$HTTPS_PORT" PORCHLIGHT_SCHEME=https

# What nginx must agree with Django on: where the static files are and how large a body may be.
read -r STATIC_ROOT BODY_MAX < <(python -c '
import django
django.setup()
from django.conf import settings as s
# A whole clip in one form post is the largest body; its multipart wrapping adds a little.
print(s.STATIC_ROOT, max(s.PORCHLIGHT_CLIP_MAX_BYTES, s.PORCHLIGHT_UPLOAD_CHUNK_BYTES) + 1024 * 1024)
') || die "Django's settings did not load (the error is above)."

# ------------------------------------------------------------------ nginx.conf
upstreams=""
for port in $WEB_PORTS; do
    # One refused connection takes a process out for 5 s: nginx tries the next one at once.
    upstreams="$upstreams        server 127.0.0.1:$port max_fails=1 fail_timeout=5s;
"
done
user_line=""
# As root, nginx's workers drop to an unprivileged user: the checkout's owner, who can read the static files.
[ "$(id -u)" = 0 ] && user_line="user $(stat -c %U "$ROOT");"
D="$PORCHLIGHT_PROD_DIR"
# The client's address and scheme are nginx's word alone: X-Forwarded-For is set, never
# appended to, so a client cannot name its own address (uvicorn believes these headers only
# from 127.0.0.1: --forwarded-allow-ips). nginx inherits no proxy_set_header into a location
# that sets one of its own, so each location gets all of them.
forwarded='            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header Forwarded "";'
# Plain HTTP only sends people to https://, on the same host and path. What stays plain: ACME's
# HTTP-01 challenges (a certificate authority fetches them over http:// before there is a
# certificate; certbot --webroot -w $ACME_DIR). A bridge must dial wss:// itself: a WebSocket
# client does not follow a redirect.
https_suffix=":$HTTPS_PORT"
[ "$HTTPS_PORT" = 443 ] && https_suffix=""
plain_server=""
if [ "$HTTP_PORT" != off ]; then
    plain_server="
    server {
        listen $HTTP_ADDRESS:$HTTP_PORT;
        server_name _;
        limit_conn porchlight_conn $NGINX_CONNECTIONS;

        location /.well-known/acme-challenge/ {
            limit_req zone=porchlight_rate burst=$NGINX_BURST nodelay;
            root $ACME_DIR;
            default_type text/plain;
        }

        location / {
            return 301 https://\$host$https_suffix\$request_uri;
        }
    }
"
fi
cat >"$D/nginx.conf.new" <<EOF
# Written by scripts/prod.sh; edit that script, not this file.
$user_line
daemon off;
worker_processes 1;
pid $D/nginx.pid;
error_log stderr warn;

events {
    worker_connections 4096;
}

http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    server_tokens off;
    sendfile on;
    client_body_temp_path $D/tmp/body;
    proxy_temp_path $D/tmp/proxy;
    fastcgi_temp_path $D/tmp/fastcgi;
    uwsgi_temp_path $D/tmp/uwsgi;
    scgi_temp_path $D/tmp/scgi;

    # Which server process answered each request, for the operator (and the multi-process test).
    log_format porchlight '\$remote_addr [\$time_local] "\$request" \$status \$body_bytes_sent '
                          '\$request_time upstream=\$upstream_addr';
    access_log $D/access.log porchlight;

    # Floods, counted per client address before anything reaches a server process
    # (docs/deploy.md, "Floods"). Generous: a station's officers behind one NAT address stay far
    # below them; one client hammering gets nginx's 429 at no cost to the processes.
    limit_req_zone \$binary_remote_addr zone=porchlight_rate:10m rate=${NGINX_RATE_PER_SECOND}r/s;
    limit_conn_zone \$binary_remote_addr zone=porchlight_conn:10m;
    limit_req_status 429;
    limit_conn_status 429;
    limit_req_log_level warn;
    limit_conn_log_level warn;

    map \$http_upgrade \$connection_upgrade {
        default upgrade;
        ''      close;
    }

    upstream porchlight {
        # Fewest open connections first: live views are long WebSockets, and round-robin
        # would pile them on one process while the other sits idle.
        least_conn;
$upstreams    }

    server {
        listen $HTTPS_ADDRESS:$HTTPS_PORT ssl;
        server_name _;
        ssl_certificate $TLS_DIR/cert.pem;
        ssl_certificate_key $TLS_DIR/key.pem;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_session_cache shared:porchlight_tls:10m;

        limit_conn porchlight_conn $NGINX_CONNECTIONS;
        error_page 429 @too_many;
        location @too_many {
            default_type text/plain;
            add_header Retry-After 1 always;
            return 429 "Too many requests from your address at once. Try again in a moment.\n";
        }

        # The largest clip an owner may send in one form post (PORCHLIGHT_CLIP_MAX_BYTES),
        # streamed to the server process as it arrives, not spooled to nginx's disk first.
        client_max_body_size $BODY_MAX;
        proxy_request_buffering off;

        location /static/ {
            alias $STATIC_ROOT/;
            expires 7d;
            access_log off;
        }

        location /ws/ {
            limit_req zone=porchlight_rate burst=$NGINX_BURST nodelay;
            proxy_pass http://porchlight;
$forwarded
            proxy_http_version 1.1;
            proxy_set_header Upgrade \$http_upgrade;
            proxy_set_header Connection \$connection_upgrade;
            # A bridge or a viewer may be quiet for a while (the bridge's liveness renews
            # every 2 s); an hour only ends a socket nobody closed.
            proxy_read_timeout 1h;
            proxy_send_timeout 1h;
            proxy_buffering off;
        }

        location / {
            limit_req zone=porchlight_rate burst=$NGINX_BURST nodelay;
            proxy_pass http://porchlight;
$forwarded
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_read_timeout 300s;
        }
    }
$plain_server}
EOF
"$PORCHLIGHT_NGINX" -t -q -p "$D" -c "$D/nginx.conf.new" -e stderr || die "the nginx configuration written to $D/nginx.conf.new is refused (above)."
mv -f "$D/nginx.conf.new" "$D/nginx.conf"
[ "$MODE" = config ] && exit 0

# ------------------------------------------------------------------ run
echo "make run-prod: seeding the demo, then serving it on https://localhost:${HTTPS_PORT}/"
if ! python manage.py seed_demo; then
    echo "make run-prod stopped: seeding the demo failed (its error is above)." >&2
    exit 1
fi
# The seed ran as the owner; what serves connects as the app role.
. scripts/serve-as-app-role.sh
echo "Serving on https://localhost:${HTTPS_PORT}/ through nginx: $WEB_PROCESSES server processes on ports" \
     "$WEB_PORTS, $WORKER_PROCESSES Celery workers, an intake worker and one beat (Ctrl-C stops them all)."
[ "$HTTP_PORT" = off ] || echo "http://localhost:${HTTP_PORT}/ redirects there."
echo "The certificate is self-signed ($TLS_DIR/cert.pem): the browser asks once whether to trust it."
# honcho gives the web processes consecutive ports from WEB_BASE (the first Procfile entry);
# PORT is the Makefile's `make run` port and would override that base.
unset PORT
exec honcho start -f Procfile.prod -p "$WEB_BASE" -c "web=$WEB_PROCESSES,worker=$WORKER_PROCESSES"
