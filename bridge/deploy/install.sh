#!/bin/sh
# Install the Porchlight bridge as a service on Debian 12, Ubuntu 22.04+ or Raspberry Pi OS
# (docs/bridge-install.md). Run as root, next to the porchlight-bridge.pyz you downloaded from
# your bridge page:
#
#   sudo sh install.sh --url wss://rialto.example.org [--code K7QM-4XZB] [--pyz porchlight-bridge.pyz]
#
# It installs python3 with Pillow and PyAV from Debian, creates the system user
# porchlight-bridge, puts the program in /opt/porchlight-bridge, its settings in
# /etc/porchlight-bridge (bridge.env: the address; bridge.toml: your cameras), pairs the bridge
# (the token goes to /var/lib/porchlight-bridge/token, readable by that user only) and installs
# the systemd unit. Running it again upgrades the program and keeps settings and token.
set -eu

PROGRAM=porchlight-bridge
SERVICE_USER=porchlight-bridge
OPT=/opt/$PROGRAM
ETC=/etc/$PROGRAM
STATE=/var/lib/$PROGRAM
UNIT=/etc/systemd/system/$PROGRAM.service
HERE=$(cd "$(dirname "$0")" && pwd)

url=""
code=""
pyz=""

usage() {
    echo "usage: sudo sh install.sh --url wss://<your department's address> [--code PAIRING-CODE] [--pyz FILE]"
}

die() {
    echo "install.sh: $*" >&2
    exit 1
}

while [ $# -gt 0 ]; do
    case "$1" in
        --url) [ $# -ge 2 ] || die "--url needs a value"; url=$2; shift 2 ;;
        --code) [ $# -ge 2 ] || die "--code needs a value"; code=$2; shift 2 ;;
        --pyz) [ $# -ge 2 ] || die "--pyz needs a value"; pyz=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done

[ -n "$url" ] || { usage >&2; die "--url is required (it is on your bridge page)"; }
case "$url" in
    ws://*|wss://*) ;;
    *) die "--url must start with wss:// (or ws:// for a test server), not $url" ;;
esac
[ "$(id -u)" -eq 0 ] || die "run it as root (sudo sh install.sh ...)"
command -v systemctl >/dev/null 2>&1 || die "this system has no systemd; run the bridge by hand (docs/bridge-install.md)"

if [ -z "$pyz" ]; then
    for candidate in "$PWD/$PROGRAM.pyz" "$HERE/$PROGRAM.pyz"; do
        if [ -f "$candidate" ]; then pyz=$candidate; break; fi
    done
fi
if [ -z "$pyz" ] || [ ! -f "$pyz" ]; then
    die "porchlight-bridge.pyz not found: download it from your bridge page, or pass --pyz FILE"
fi

echo "== Python 3 with Pillow and PyAV (Debian packages)"
if command -v apt-get >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 python3-pil python3-av
else
    echo "   not a Debian system: install Python 3.11+, Pillow and PyAV yourself (pip install Pillow av)"
fi
python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || die "the bridge needs Python 3.11 or newer"

echo "== the user $SERVICE_USER"
if ! id "$SERVICE_USER" >/dev/null 2>&1; then
    useradd --system --user-group --home-dir "$STATE" --no-create-home --shell /usr/sbin/nologin \
        --comment "Porchlight bridge" "$SERVICE_USER"
fi

echo "== the program in $OPT"
install -d -m 0755 "$OPT"
install -m 0644 "$pyz" "$OPT/$PROGRAM.pyz"

echo "== settings in $ETC"
# Root writes them, the service reads them; bridge.toml holds camera passwords: nobody else.
install -d -m 0750 -o root -g "$SERVICE_USER" "$ETC"
umask 027
printf 'PORCHLIGHT_URL=%s\n' "$url" > "$ETC/bridge.env"
chgrp "$SERVICE_USER" "$ETC/bridge.env"
if [ ! -f "$ETC/bridge.toml" ]; then
    cat > "$ETC/bridge.toml" <<'TOML'
# Your cameras: "<camera id from your bridge page>" = "<where the bridge reads it>".
# `porchlight-bridge discover` finds ONVIF cameras and adds them here (docs/bridge-install.md).
[cameras]
# "6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b" = "rtsp://user:password@192.168.1.20/stream1"
TOML
    chgrp "$SERVICE_USER" "$ETC/bridge.toml"
fi
umask 022

echo "== the token in $STATE"
install -d -m 0700 -o "$SERVICE_USER" -g "$SERVICE_USER" "$STATE"
if [ -s "$STATE/token" ]; then
    echo "   already paired (delete $STATE/token and run this again to pair anew)"
else
    set -- python3 "$OPT/$PROGRAM.pyz" pair --url "$url" --token-file "$STATE/token"
    if [ -n "$code" ]; then set -- "$@" --code "$code"; fi
    runuser -u "$SERVICE_USER" -- "$@" || die "pairing failed (see above); make a new code on your bridge page and run this again"
fi

echo "== the service"
install -m 0644 "$HERE/$PROGRAM.service" "$UNIT" 2>/dev/null || die "$PROGRAM.service must sit next to install.sh"
systemctl daemon-reload
systemctl enable "$PROGRAM.service"
if grep -q '^"' "$ETC/bridge.toml"; then
    systemctl restart "$PROGRAM.service"
    echo "Started. See how it goes: systemctl status $PROGRAM; journalctl -u $PROGRAM -f"
else
    echo "Almost done: list your cameras in $ETC/bridge.toml, then: systemctl start $PROGRAM"
fi
