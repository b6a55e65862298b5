"""The bridge as one file an owner downloads from their bridge page: ``porchlight-bridge.pyz``.

A Python zip application (PEP 441, what the standard library's ``zipapp`` makes) holding the
bridge program (``bridge/*.py``) and websockets' pure-Python source, with ``bridge.cli:main`` as
its entry point. It runs with ``python3 porchlight-bridge.pyz …`` on any Python 3.11 or newer.

What it does not carry, and why: Pillow and PyAV are compiled extensions (and PyAV brings FFmpeg's
shared libraries); Python cannot import a compiled extension from inside a zip, and one built
for this server's machine would not load on an owner's Raspberry Pi anyway. So ``--help``,
``pair`` and ``discover`` run from the file alone, and running the bridge asks for them:
``sudo apt install python3-pil python3-av`` on Debian 12 (Pillow 9.4, PyAV 10.0) or
``pip install Pillow av`` elsewhere (docs/bridge-install.md). websockets is bundled because the
bridge needs a newer one than Debian 12's (10.4) and it is pure Python (its optional C speed-up
is left out: it cannot load from a zip either).

The archive is reproducible: the same sources give the same bytes (sorted names, a fixed
timestamp), so its SHA-256, shown on the owner's page, can be checked against a build made
anywhere from the same commit. It is built once per server process on first request (about
0.2 s) and kept in ``PORCHLIGHT_BRIDGE_PYZ_DIR`` (``manage.py bridge_pyz`` builds it ahead).
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

import websockets
from django.conf import settings

from bridge import protocol

__all__ = ["FILENAME", "Pyz", "bridge_pyz", "bridge_pyz_build"]

FILENAME = "porchlight-bridge.pyz"
CONTENT_TYPE = "application/zip"  # what its bytes are (no media type is registered for .pyz)
INTERPRETER = b"#!/usr/bin/env python3\n"
MAIN = b"import sys\n\nfrom bridge.cli import main\n\nsys.exit(main())\n"
# Every entry gets this time: zip stores local time to 2 s, and 1980-01-01 is its epoch.
FIXED_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Pyz:
    path: Path
    sha256: str
    size: int
    version: str


def _bridge_dir() -> Path:
    return Path(protocol.__file__).resolve().parent


def _version(bridge_dir: Path) -> str:
    try:
        with (bridge_dir / "pyproject.toml").open("rb") as fh:
            return str(tomllib.load(fh)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def _members(bridge_dir: Path) -> list[tuple[str, bytes]]:
    """(name in the archive, bytes) for everything the archive holds, sorted by name."""
    members = [(f"bridge/{path.name}", path.read_bytes()) for path in bridge_dir.glob("*.py")]
    # The systemd unit and its install script, which `install-files` writes out for the owner.
    members += [(f"bridge/deploy/{p.name}", p.read_bytes()) for p in sorted((bridge_dir / "deploy").glob("*"))]
    ws_dir = Path(websockets.__file__).resolve().parent
    for path in ws_dir.rglob("*.py"):
        members.append((f"websockets/{path.relative_to(ws_dir).as_posix()}", path.read_bytes()))
    licence = _websockets_licence(ws_dir)
    if licence is not None:  # BSD-3-Clause: a copy goes with every redistribution
        members.append(("websockets/LICENSE", licence))
    members.append(("__main__.py", MAIN))
    return sorted(members)


def _websockets_licence(ws_dir: Path) -> bytes | None:
    for record in ws_dir.parent.glob(f"websockets-{websockets.__version__}.dist-info"):
        for name in ("licenses/LICENSE", "LICENSE"):
            if (record / name).is_file():
                return (record / name).read_bytes()
    return None


def bridge_pyz_build(*, target: Path) -> Pyz:
    """Build the archive at ``target`` (replacing it atomically); its digest, size and version."""
    bridge_dir = _bridge_dir()
    buffer = io.BytesIO()
    buffer.write(INTERPRETER)
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in _members(bridge_dir):
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    data = buffer.getvalue()
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    temporary.chmod(0o755)  # executable: ./porchlight-bridge.pyz works where python3 is on PATH
    os.replace(temporary, target)
    return Pyz(path=target, sha256=hashlib.sha256(data).hexdigest(), size=len(data), version=_version(bridge_dir))


def _cache_dir() -> Path:
    return Path(settings.PORCHLIGHT_BRIDGE_PYZ_DIR)


@functools.cache
def bridge_pyz() -> Pyz:
    """The archive of the code this process runs, built on first use and then reused.

    The sources cannot change under a running process (a deploy restarts it), so one build per
    process is enough; the file is named by its digest, and processes that build it at once
    write the same bytes (the replace is atomic).
    """
    built = bridge_pyz_build(target=_cache_dir() / f".building-{os.getpid()}.pyz")
    final = built.path.with_name(f"porchlight-bridge-{built.sha256[:16]}.pyz")
    os.replace(built.path, final)
    return Pyz(path=final, sha256=built.sha256, size=built.size, version=built.version)
