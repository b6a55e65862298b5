"""The bridge is its own distribution, ``porchlight-bridge`` (bridge/pyproject.toml, issue 19).

The wheel is built from a copy of bridge/ alone (so the project needs nothing of the rest of
the repository) and installed with pip into a fresh virtual environment that has no Django.
Its three dependencies come from this machine's environment, linked in, so the test needs no
network and takes seconds; pip then sees them installed (``pip check``) as from PyPI.
"""

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(next(p for p in sys.path if p.endswith("site-packages")))
# The bridge's runtime dependencies as they lie in site-packages (with pip's records, and the
# shared libraries their wheels carry).
DEPENDENCIES = ["websockets", "PIL", "pillow.libs", "av", "av.libs"]


def _run(argv: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "")}  # no PYTHONPATH
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, env=env, cwd=cwd)
    assert done.returncode == 0, f"{argv}:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("source") / "bridge"
    shutil.copytree(ROOT / "bridge", source, ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info"))
    out = tmp_path_factory.mktemp("wheels")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(source)])
    (built,) = out.glob("porchlight_bridge-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("venv")
    _run([sys.executable, "-m", "venv", "--without-pip", str(home)])
    python = home / "bin" / "python"
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"]).stdout.strip())
    for name in DEPENDENCIES:
        (site / name).symlink_to(SITE / name)
    for record in SITE.glob("*.dist-info"):
        if record.name.split("-")[0].lower() in ("websockets", "pillow", "av"):
            (site / record.name).symlink_to(record)
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q", str(wheel)])
    return home


def test_the_wheel_holds_the_bridge_and_nothing_else_of_the_repository(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    packages = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}

    assert packages == {"bridge"}
    assert {"bridge/cli.py", "bridge/client.py", "bridge/protocol.py", "bridge/pairing.py"} <= set(names)
    assert not [name for name in names if "pyproject" in name or "README" in name]
    assert {"bridge/deploy/install.sh", "bridge/deploy/porchlight-bridge.service"} <= set(names)


def test_the_wheel_declares_only_the_bridges_dependencies(wheel: Path) -> None:
    metadata = next(
        zipfile.ZipFile(wheel).read(n).decode() for n in zipfile.ZipFile(wheel).namelist() if n.endswith("METADATA")
    )
    requires = sorted(
        line.split(":", 1)[1].split(">")[0].strip()
        for line in metadata.splitlines()
        if line.startswith("Requires-Dist:")
    )

    assert requires == ["Pillow", "av", "websockets"]


def test_installed_without_django_the_command_runs_and_pip_finds_nothing_missing(venv: Path) -> None:
    python = str(venv / "bin" / "python")

    helped = _run([str(venv / "bin" / "porchlight-bridge"), "--help"], cwd=venv)
    checked = _run([sys.executable, "-m", "pip", "--python", python, "check"])
    probe = _run(
        [
            python,
            "-c",
            "import importlib.util as u, bridge.client, bridge.pairing, sys; "
            "print(u.find_spec('django'), 'django' in sys.modules, bridge.client.__file__)",
        ],
        cwd=venv,
    )

    assert "porchlight-bridge pair" in helped.stdout
    assert "No broken requirements" in checked.stdout
    assert probe.stdout.split()[:2] == ["None", "False"]  # Django is not even installed there
    assert probe.stdout.split()[2].startswith(str(venv))  # the installed copy, not the repository's


def test_installed_the_program_writes_out_its_install_files(venv: Path, tmp_path: Path) -> None:
    done = _run([str(venv / "bin" / "porchlight-bridge"), "install-files", str(tmp_path / "setup")])

    assert "sudo sh" in done.stdout
    assert (tmp_path / "setup" / "install.sh").read_text().startswith("#!/bin/sh")
    assert (tmp_path / "setup" / "porchlight-bridge.service").stat().st_mode & 0o777 == 0o644


def test_installed_the_program_refuses_a_missing_config_in_one_line(venv: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [
            str(venv / "bin" / "porchlight-bridge"),
            "--url",
            "ws://x",
            "--token",
            "t",
            "--config",
            str(tmp_path / "no.toml"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 2
    assert done.stderr.strip().endswith("not found")
