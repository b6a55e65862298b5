#!/bin/sh
# Install the Porchlight bridge as a service on Debian 12, Ubuntu 22.04+ or Raspberry Pi OS
# (docs/bridge-install.md). Run as root, next to the porchlight-bridge.pyz you downloaded from
# your bridge page:
#
#   sudo sh install.sh --url wss://rialto.example.org [--code K7QM-4XZB] [--pyz porchlight-bridge.pyz]
#   sh install.sh --url wss://rialto.example.org --root DIR     # stage the files under DIR only
#
# It installs python3 with Pillow and PyAV from Debian, creates the system user
# porchlight-bridge, puts the program in /opt/porchlight-bridge, its settings in
# /etc/porchlight-bridge (bridge.env: the address; bridge.toml: your cameras), pairs the bridge
# (the token goes to /var/lib/porchlight-bridge/token, readable by that user only) and installs
# the systemd unit. Running it again upgrades the program and keeps settings and token.
# Where systemd is not running (a container, another init system) it installs all the same and
# prints how to start the bridge by hand. --root DIR puts the files under DIR instead of / (for
# a package or a test): it then installs no packages, creates no user, pairs and starts nothing.
set -eu

PROGRAM=porchlight-bridge
SERVICE_USER=porchlight-bridge
OPT=/opt/$PROGRAM
ETC=/etc/$PROGRAM
STATE=/var/lib/$PROGRAM
UNIT=/etc/systemd/system/$PROGRAM.service
HERE=$(cd "$(dirname "$0")" && pwd)
# The system's Python: the one Debian's python3-pil and python3-av are for, and the one the unit
# runs; not the python3 that comes first in root's PATH (pyenv, a virtualenv), which lacks them.
PYTHON=/usr/bin/python3

url=""
code=""
pyz=""
root=""

usage() {
    echo "usage: sudo sh install.sh --url wss://<your department's address> [--code PAIRING-CODE] [--pyz FILE]"
    echo "       sh install.sh --url wss://<address> --root DIR   (only put the files under DIR)"
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
        --root) [ $# -ge 2 ] || die "--root needs a value"; root=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done

[ -n "$url" ] || { usage >&2; die "--url is required (it is on your bridge page)"; }
case "$url" in
    ws://*|wss://*) ;;
    *) die "--url must start with wss:// (or ws:// for a test server), not $url" ;;
esac
if [ -n "$root" ]; then
    mkdir -p "$root" || die "cannot make $root"
    root=$(cd "$root" && pwd)
    [ "$root" != / ] || root=""
fi
[ -n "$root" ] || [ "$(id -u)" -eq 0 ] || die "run it as root (sudo sh install.sh ...)"

# How to run the bridge without systemd: as its user, with the token file the unit would use.
start_by_hand() {
    echo "     runuser -u $SERVICE_USER -- $PYTHON $OPT/$PROGRAM.pyz run --url $url \\"
    echo "         --config $ETC/bridge.toml --token-file $STATE/token"
    echo "   It runs in the foreground and stops with the terminal: keep it running with your init"
    echo "   system, or in tmux or screen (docs/bridge-install.md, \"Without systemd\")."
}

# Owner and group of what the service reads; none when staging (the files are whoever runs this).
owned() {
    if [ -z "$root" ]; then "$@"; fi
}

if [ -z "$pyz" ]; then
    for candidate in "$PWD/$PROGRAM.pyz" "$HERE/$PROGRAM.pyz"; do
        if [ -f "$candidate" ]; then pyz=$candidate; break; fi
    done
fi
if [ -z "$pyz" ] || [ ! -f "$pyz" ]; then
    die "porchlight-bridge.pyz not found: download it from your bridge page, or pass --pyz FILE"
fi

[ -f "$HERE/$PROGRAM.service" ] || die "$PROGRAM.service must sit next to install.sh (python3 $PROGRAM.pyz install-files writes both)"

echo "== Python 3 with Pillow and PyAV (Debian packages)"
if [ -n "$root" ]; then
    echo "   skipped: staging under $root"
elif [ -x "$PYTHON" ] && "$PYTHON" -c 'import PIL, av' >/dev/null 2>&1; then
    echo "   already installed"
elif command -v apt-get >/dev/null 2>&1; then
    # A computer that never ran apt-get update has no package lists yet: update once, try again.
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 python3-pil python3-av \
        || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
            python3 python3-pil python3-av; } \
        || die "apt-get could not install python3-pil and python3-av (see above)"
else
    echo "   not a Debian system: install Python 3.11+, Pillow and PyAV yourself (pip install Pillow av)"
fi
if [ -z "$root" ]; then
    [ -x "$PYTHON" ] || die "the bridge runs with $PYTHON, which is missing: install Python 3.11 or newer there"
    "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || die "the bridge needs Python 3.11 or newer as $PYTHON"
fi

echo "== the user $SERVICE_USER"
if [ -n "$root" ]; then
    echo "   skipped: staging under $root"
elif ! id "$SERVICE_USER" >/dev/null 2>&1; then
    useradd --system --user-group --home-dir "$STATE" --no-create-home --shell /usr/sbin/nologin \
        --comment "Porchlight bridge" "$SERVICE_USER"
fi

echo "== the program in $root$OPT"
install -d -m 0755 "$root$OPT"
install -m 0644 "$pyz" "$root$OPT/$PROGRAM.pyz"

echo "== settings in $root$ETC"
# Root writes them, the service reads them; bridge.toml holds camera passwords: nobody else.
install -d -m 0750 "$root$ETC"
owned chown "root:$SERVICE_USER" "$root$ETC"
umask 027
printf 'PORCHLIGHT_URL=%s\n' "$url" > "$root$ETC/bridge.env"
owned chgrp "$SERVICE_USER" "$root$ETC/bridge.env"
if [ ! -f "$root$ETC/bridge.toml" ]; then
    cat > "$root$ETC/bridge.toml" <<TOML
# Your cameras: "<camera id from your bridge page>" = "<where the bridge reads it>".
# To find ONVIF cameras and add them here, as root (docs/bridge-install.md), then let the
# bridge read this file again (discover writes it for root only):
#   $PYTHON $OPT/$PROGRAM.pyz discover --config $ETC/bridge.toml --user admin
#   chgrp $SERVICE_USER $ETC/bridge.toml && chmod 0640 $ETC/bridge.toml
[cameras]
# "6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b" = "rtsp://user:password@192.168.1.20/stream1"
TOML
fi
# Every run: an edited or rewritten bridge.toml must stay readable by the service, and only by it.
chmod 0640 "$root$ETC/bridge.toml"
owned chgrp "$SERVICE_USER" "$root$ETC/bridge.toml"
umask 022

echo "== the token in $root$STATE"
install -d -m 0700 "$root$STATE"
owned chown "$SERVICE_USER:$SERVICE_USER" "$root$STATE"
if [ -n "$root" ]; then
    echo "   not paired: staging under $root (on the computer itself, run this script again with --code)"
elif [ -s "$STATE/token" ]; then
    echo "   already paired (delete $STATE/token and run this again to pair anew)"
else
    set -- "$PYTHON" "$OPT/$PROGRAM.pyz" pair --url "$url" --token-file "$STATE/token"
    if [ -n "$code" ]; then set -- "$@" --code "$code"; fi
    runuser -u "$SERVICE_USER" -- "$@" || die "pairing failed (see above); make a new code on your bridge page and run this again"
fi

echo "== the service"
install -d -m 0755 "$root$(dirname "$UNIT")"
install -m 0644 "$HERE/$PROGRAM.service" "$root$UNIT"
cameras=yes
grep -q '^"' "$root$ETC/bridge.toml" || cameras=""
if [ -n "$root" ]; then
    echo "   the unit is in $root$UNIT; nothing was started (staging under $root)."
    echo "Staged under $root. On a computer without systemd, with python3-pil and python3-av"
    echo "installed and the bridge paired, it is started as root with:"
    start_by_hand
elif [ ! -d /run/systemd/system ]; then
    # systemctl may be installed and still unusable: systemd is not PID 1 (a container, or
    # another init system). Everything else is in place; say how to start the bridge instead.
    echo "   systemd is not running here (PID 1 is $(cat /proc/1/comm 2>/dev/null || echo 'another program')),"
    echo "   so the unit in $UNIT was installed but not enabled, and nothing starts the bridge by itself."
    if [ -z "$cameras" ]; then
        echo "Installed, not started: list your cameras in $ETC/bridge.toml first, then start it by hand, as root:"
    else
        echo "Installed, not started. Start it by hand, as root:"
    fi
    start_by_hand
else
    systemctl daemon-reload
    systemctl enable "$PROGRAM.service"
    if [ -n "$cameras" ]; then
        systemctl restart "$PROGRAM.service"
        echo "Started. See how it goes: systemctl status $PROGRAM; journalctl -u $PROGRAM -f"
    else
        echo "Almost done: list your cameras in $ETC/bridge.toml, then: systemctl start $PROGRAM"
    fi
fi
