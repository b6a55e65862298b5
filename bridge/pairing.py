"""``porchlight-bridge pair``: trade the owner's one-time pairing code for the bridge's token.

The owner's bridge page shows a code such as ``K7QM-4XZB`` (and a QR code holding
``porchlight-pair://<host>/?code=K7QM-4XZB``, which a handheld scanner types into the prompt
below). The bridge sends it over ``<url>/ws/bridge/pair/``; the server answers with the bridge's
token, which is written to the token file readable by its owner only (0600) and used from then
on. Protocol and close codes: docs/bridge-protocol.md, "Pairing".

Where the token is kept, the first that is set:

1. ``--token-file PATH``, or ``$PORCHLIGHT_BRIDGE_TOKEN_FILE``;
2. ``$STATE_DIRECTORY/token`` (systemd sets it for ``StateDirectory=``: the unit in
   bridge/deploy/ uses /var/lib/porchlight-bridge/token);
3. ``$XDG_CONFIG_HOME/porchlight-bridge/token`` (``~/.config/porchlight-bridge/token``).

Only the standard library and websockets: this runs from the single-file .pyz without Pillow
or PyAV.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from bridge import protocol
from bridge.net import ws_connect

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["PairingError", "code_normalize", "main", "pair", "token_path", "token_read", "token_write"]

TOKEN_FILE_ENV = "PORCHLIGHT_BRIDGE_TOKEN_FILE"  # noqa: S105 (the variable's name, not a secret)
EXIT_USAGE = 2
EXIT_REFUSED = 3
PROMPT_ATTEMPTS = 3  # at the terminal: a mistyped code may be typed again, this many times

REFUSALS = {
    protocol.CLOSE_PAIR_UNKNOWN: "the code is not valid for this Porchlight address",
    protocol.CLOSE_PAIR_EXPIRED: "the code has expired",
    protocol.CLOSE_PAIR_USED: "the code was used already",
    protocol.CLOSE_TOO_MANY_ATTEMPTS: "too many pairing attempts",
    protocol.CLOSE_UNKNOWN_HOST: "the server does not know this host name (check --url)",
    protocol.CLOSE_MALFORMED: "the server did not understand the request",
    protocol.CLOSE_TRY_AGAIN_LATER: "the server is busy; try again in a minute",
}


class PairingError(Exception):
    """Pairing did not give a token; the message is one line for the owner."""

    def __init__(self, message: str, *, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


# --- the code ------------------------------------------------------------------------------------


def code_normalize(text: str) -> str:
    """The code as the server stores it: upper case, without spaces or dashes. A pairing URI
    (what the QR code holds) gives its ``code``."""
    text = text.strip()
    if text.lower().startswith(protocol.PAIR_URI_SCHEME + ":"):
        text = (parse_qs(urlsplit(text).query).get("code") or [""])[0]
    return re.sub(r"[\s\-]", "", text).upper()


def code_problem(code: str) -> str | None:
    """Why ``code`` (normalized) cannot be a pairing code, or None."""
    if len(code) != protocol.PAIR_CODE_LENGTH:
        return f"a pairing code has {protocol.PAIR_CODE_LENGTH} characters, like K7QM-4XZB"
    wrong = sorted({c for c in code if c not in protocol.PAIR_ALPHABET})
    if wrong:
        return f"a pairing code has no {', '.join(wrong)} (it uses {protocol.PAIR_ALPHABET})"
    return None


def url_of_uri(text: str) -> str | None:
    """The server address a pairing URI names (``wss://<host>``), or None for a bare code."""
    text = text.strip()
    if not text.lower().startswith(protocol.PAIR_URI_SCHEME + ":"):
        return None
    parts = urlsplit(text)
    scheme = (parse_qs(parts.query).get("ws") or ["wss"])[0]
    return f"{'ws' if scheme == 'ws' else 'wss'}://{parts.netloc}" if parts.netloc else None


# --- the token file --------------------------------------------------------------------------------


def token_path(given: str | None = None) -> Path:
    if given:
        return Path(given).expanduser()
    if os.environ.get(TOKEN_FILE_ENV):
        return Path(os.environ[TOKEN_FILE_ENV]).expanduser()
    if os.environ.get("STATE_DIRECTORY"):  # systemd's StateDirectory= (may list several: the first)
        return Path(os.environ["STATE_DIRECTORY"].split(":")[0]) / "token"
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "porchlight-bridge" / "token"


def token_write(path: Path, token: str) -> None:
    """Write the token readable and writable by this user only (0600), atomically: a crash
    leaves the old file or the new one, never half of one, and never a moment with wider rights."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, 0o600)  # whatever the umask
        os.write(fd, (token + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temporary, path)


def token_read(path: Path) -> str | None:
    """The stored token, or None when there is none. A file others may read is refused."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SystemExit(
            f"porchlight-bridge: error: {path} can be read by other users; "
            f"run 'chmod 600 {path}' (and pair again if someone else may have read it)"
        )
    token = path.read_text().strip()
    return token or None


# --- the exchange -----------------------------------------------------------------------------------


async def pair(url: str, code: str, *, name: str = "") -> dict[str, Any]:
    """Send ``code`` to ``url``'s pairing endpoint; the server's ``paired`` message.

    Raises :class:`PairingError` with the server's reason when it refuses the code.
    """
    endpoint = url.rstrip("/") + protocol.PAIR_PATH
    try:
        async with ws_connect(endpoint, open_timeout=15, user_agent_header="porchlight-bridge") as ws:
            await ws.send(json.dumps({"type": protocol.PAIR, "code": code, "name": name}))
            answer = await asyncio.wait_for(ws.recv(), timeout=30)
    except ConnectionClosed as exc:
        close = exc.rcvd.code if exc.rcvd is not None else 1006
        reason = exc.rcvd.reason if exc.rcvd is not None else ""
        what = REFUSALS.get(close, "the connection closed")
        raise PairingError(f"{what}: {reason}" if reason else what, code=close) from None
    except (OSError, TimeoutError, InvalidHandshake) as exc:
        raise PairingError(f"cannot reach {endpoint}: {exc or exc.__class__.__name__}") from None
    try:
        message = json.loads(answer)
        if message.get("type") != protocol.PAIRED or not isinstance(message.get("token"), str):
            raise ValueError
    except (ValueError, AttributeError):
        raise PairingError(f"unexpected answer from {endpoint}: {str(answer)[:80]!r}") from None
    return dict(message)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="porchlight-bridge pair",
        description="Pair this bridge with the one-time code from your bridge page; keeps the token it receives.",
    )
    parser.add_argument("--url", help="Porchlight address, e.g. wss://rialto.example.org (or in a pairing URI)")
    parser.add_argument("--code", help="the pairing code, e.g. K7QM-4XZB, or the pairing URI (asked for if left out)")
    parser.add_argument("--token-file", help="where to keep the token (default: see docs/bridge-install.md)")
    parser.add_argument("--name", default=socket.gethostname(), help="this computer's name, shown on your page")
    return parser.parse_args(argv)


def _fail(message: str, code: int) -> int:
    print(f"porchlight-bridge: error: {message}", file=sys.stderr)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(list(sys.argv[1:] if argv is None else argv))
    path = token_path(args.token_file)
    interactive = args.code is None
    if interactive and not sys.stdin.isatty():
        return _fail("no pairing code: pass --code (no terminal to ask at)", EXIT_USAGE)
    for _attempt in range(PROMPT_ATTEMPTS if interactive else 1):
        typed = args.code if not interactive else input("Pairing code (from your bridge page): ")
        url = args.url or url_of_uri(typed)
        if not url:
            return _fail("no Porchlight address: pass --url wss://<your department's address>", EXIT_USAGE)
        if not url.startswith(("ws://", "wss://")):
            return _fail(f"--url must start with ws:// or wss://, not {url!r}", EXIT_USAGE)
        code = code_normalize(typed)
        problem = code_problem(code)
        if problem is not None:
            print(f"porchlight-bridge: {problem}", file=sys.stderr)
            continue
        try:
            paired = asyncio.run(pair(url, code, name=args.name))
        except PairingError as exc:
            print(f"porchlight-bridge: pairing refused: {exc}", file=sys.stderr)
            if exc.code != protocol.CLOSE_PAIR_UNKNOWN:
                return EXIT_REFUSED
            continue
        except InvalidURI as exc:
            return _fail(f"invalid --url: {exc}", EXIT_USAGE)
        token_write(path, paired["token"])
        cameras = ", ".join(str(c.get("label", c.get("id"))) for c in paired.get("cameras", []) if isinstance(c, dict))
        print(f"Paired as bridge “{paired.get('name', '')}” ({paired.get('bridge', '')}).")
        if cameras:
            print(f"Cameras it may serve: {cameras}")
        print(f"Its token is kept in {path} (readable by this user only).")
        return 0
    return _fail("no valid pairing code; make a new one on your bridge page", EXIT_REFUSED)


if __name__ == "__main__":
    sys.exit(main())
