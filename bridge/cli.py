"""The ``porchlight-bridge`` command: runs the bridge, or one of its setup commands.

    porchlight-bridge --url wss://rialto.example.org --config bridge.toml   # run (as before)
    porchlight-bridge run --url … --config …                               # the same
    porchlight-bridge pair --url wss://rialto.example.org [--code ABCD-EFGH]
    porchlight-bridge discover --config bridge.toml [--probe 192.168.1.20] [--user admin]

This module imports only the standard library at the top: ``--help``, ``pair`` and
``discover`` work where Pillow and PyAV are not installed (the single-file ``.pyz`` carries
only the bridge and websockets). Running the bridge needs them, and says how to get them when
they are missing instead of a traceback.

A bridge that has no token (no ``--token``, no ``$PORCHLIGHT_BRIDGE_TOKEN``) uses the one
``pair`` stored in its token file; if there is none yet and someone is at the terminal, it asks
for the pairing code shown on the owner's bridge page first (docs/bridge-install.md).
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

__all__ = ["COMMANDS", "MISSING_DEPENDENCIES", "main"]

TOKEN_ENV = "PORCHLIGHT_BRIDGE_TOKEN"  # noqa: S105 (the variable's name, not a secret)

USAGE = """\
usage: porchlight-bridge [run] --url URL --config bridge.toml [--token TOKEN] [--log-level LEVEL]
       porchlight-bridge pair --url URL [--code CODE] [--token-file PATH]
       porchlight-bridge discover --config bridge.toml [--probe ADDRESS] [--user USER]
       porchlight-bridge install-files [DIRECTORY]

Stream this property's cameras to Porchlight while an authorized officer is watching.

commands:
  run        connect to Porchlight and stream cameras on request (the default)
  pair       exchange the one-time pairing code from your bridge page for this bridge's token
  discover   find ONVIF cameras on this network and add their RTSP addresses to bridge.toml
  install-files  write install.sh and the systemd unit here, to install the bridge as a service

'porchlight-bridge COMMAND --help' shows a command's options.
"""

#: The imports that running the bridge needs beyond the standard library and websockets, and
#: how an owner gets them (Debian 12 packages them; pip has wheels for every other system).
MISSING_DEPENDENCIES = (
    "running the bridge needs Pillow and PyAV, which are not installed for {python}.\n"
    "On Debian or Ubuntu:  sudo apt install python3-pil python3-av\n"
    "Elsewhere:            {python} -m pip install Pillow av"
)


def _command_run(argv: list[str]) -> int:
    if not any(arg in ("-h", "--help") for arg in argv):
        with_token = _with_stored_token(argv)
        if with_token is None:
            return 2
        argv = with_token
    try:
        client = importlib.import_module("bridge.client")
    except ModuleNotFoundError as exc:
        if exc.name not in ("PIL", "av", "websockets"):
            raise
        print(f"porchlight-bridge: error: {MISSING_DEPENDENCIES.format(python=sys.executable)}", file=sys.stderr)
        return 2
    main: Callable[[Sequence[str]], int] = client.main
    return main(argv)


def _with_stored_token(argv: list[str]) -> list[str] | None:
    """``argv`` with the stored token added when none is given; None (after saying why) when a
    token is needed and pairing did not give one."""
    if _option(argv, "--token") or os.environ.get(TOKEN_ENV):
        return argv
    from bridge import pairing  # the standard library and websockets only

    path = pairing.token_path(_option(argv, "--token-file"))
    argv = _without_option(argv, "--token-file")
    token = pairing.token_read(path)
    if token is None:
        url = _option(argv, "--url")
        if not url or not sys.stdin.isatty():
            print(
                f"porchlight-bridge: error: no bridge token: pass --token, set {TOKEN_ENV}, or pair this bridge "
                f"first: porchlight-bridge pair --url {url or 'wss://…'} (the token is then kept in {path})",
                file=sys.stderr,
            )
            return None
        print("This bridge has no token yet: pair it with the code shown on your bridge page.")
        if pairing.main(["--url", url, "--token-file", str(path)]) != 0:
            return None
        token = pairing.token_read(path)
        if token is None:
            return None
    # The token goes to the client through its own option, in this process only: it never
    # appears in the process list (argv of the running program is unchanged).
    return [*argv, "--token", token]


def _option(argv: Sequence[str], name: str) -> str | None:
    for i, arg in enumerate(argv):
        if arg == name and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


def _without_option(argv: Sequence[str], name: str) -> list[str]:
    kept: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == name:
            skip = True
        elif not arg.startswith(name + "="):
            kept.append(arg)
    return kept


DEPLOY_FILES = {"install.sh": 0o755, "porchlight-bridge.service": 0o644}


def _command_install_files(argv: list[str]) -> int:
    """Write the install script and the systemd unit (bridge/deploy/, carried in the .pyz and
    the wheel) into a directory, so an owner who downloaded only the .pyz can run install.sh."""
    import argparse
    from importlib.resources import files
    from pathlib import Path

    parser = argparse.ArgumentParser(
        prog="porchlight-bridge install-files",
        description="Write install.sh and porchlight-bridge.service into DIRECTORY (docs/bridge-install.md).",
    )
    parser.add_argument("directory", nargs="?", default=".", help="where to write them (default: here)")
    args = parser.parse_args(argv)
    target = Path(args.directory)
    target.mkdir(parents=True, exist_ok=True)
    deploy = files("bridge").joinpath("deploy")
    for name, mode in DEPLOY_FILES.items():
        path = target / name
        path.write_bytes(deploy.joinpath(name).read_bytes())
        path.chmod(mode)
        print(f"wrote {path}")
    print(f"Next: sudo sh {target / 'install.sh'} --url wss://<your department's address> [--code PAIRING-CODE]")
    return 0


def _command(module: str) -> Callable[[list[str]], int]:
    def run(argv: list[str]) -> int:
        found: Callable[[list[str]], int] = importlib.import_module(module).main
        return found(argv)

    return run


COMMANDS: dict[str, Callable[[list[str]], int]] = {
    "run": _command_run,
    "pair": _command("bridge.pairing"),
    "discover": _command("bridge.discovery"),
    "install-files": _command_install_files,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        print(USAGE, end="")
        return 0 if args else 2
    if args[0] in COMMANDS:
        return COMMANDS[args[0]](args[1:])
    return _command_run(args)  # no command: run, as the program always did


if __name__ == "__main__":
    sys.exit(main())
