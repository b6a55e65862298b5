"""The owner's install files (bridge/deploy/, docs/bridge-install.md): the install script is
valid POSIX sh that shellcheck finds clean; run from the .pyz the portal offers into a temporary
root (--root) it lays out what the unit expects, settings readable by nobody else, keeps the
owner's cameras when run again, and says how to start the bridge without systemd; the unit runs
the bridge as its own user, restarting on failure but not after the exits that need the owner
(2, 3)."""

import configparser
import shutil
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from live.bridge_pyz import bridge_pyz_build

DEPLOY = Path(__file__).resolve().parents[2] / "bridge" / "deploy"
SH = shutil.which("sh") or "/bin/sh"
SHELLCHECK = shutil.which("shellcheck")


def test_the_install_script_parses_and_answers_help() -> None:
    parsed = subprocess.run([SH, "-n", str(DEPLOY / "install.sh")], capture_output=True, text=True, timeout=30)
    helped = subprocess.run([SH, str(DEPLOY / "install.sh"), "--help"], capture_output=True, text=True, timeout=30)
    refused = subprocess.run([SH, str(DEPLOY / "install.sh")], capture_output=True, text=True, timeout=30)

    assert parsed.returncode == 0, parsed.stderr
    assert helped.returncode == 0
    assert "--url" in helped.stdout
    assert refused.returncode == 1
    assert "--url is required" in refused.stderr


@pytest.mark.skipif(SHELLCHECK is None, reason="shellcheck is not installed (apt install shellcheck)")
def test_shellcheck_finds_nothing_in_the_install_script() -> None:
    done = subprocess.run([str(SHELLCHECK), str(DEPLOY / "install.sh")], capture_output=True, text=True, timeout=60)

    assert done.returncode == 0, done.stdout


def test_the_unit_runs_as_its_own_user_and_restarts_only_what_a_restart_can_fix() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive in systemd
    unit.read(DEPLOY / "porchlight-bridge.service")
    service = unit["Service"]

    assert service["User"] == "porchlight-bridge"
    assert service["Restart"] == "on-failure"
    assert service["RestartPreventExitStatus"].split() == ["2", "3"]
    assert service["StateDirectory"] == "porchlight-bridge"
    assert service["NoNewPrivileges"] == "yes"
    assert "run --url ${PORCHLIGHT_URL}" in service["ExecStart"]


def _install(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SH, str(folder / "install.sh"), *args], cwd=folder, capture_output=True, text=True, timeout=60
    )


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_install_script_from_the_downloaded_pyz_stages_a_bridge_under_a_root(tmp_path: Path) -> None:
    # Given the file the portal offers, and what its install-files command writes beside it
    owner = tmp_path / "owner"
    owner.mkdir()
    pyz = bridge_pyz_build(target=owner / "porchlight-bridge.pyz").path
    wrote = subprocess.run(
        [sys.executable, str(pyz), "install-files"], cwd=owner, capture_output=True, text=True, timeout=60
    )
    root = tmp_path / "root"

    # When the owner's install script runs into a temporary root
    done = _install(owner, "--url", "wss://rialto.example.org", "--root", str(root))

    # Then everything is where the unit looks for it, the settings readable by no one else
    assert wrote.returncode == 0, wrote.stderr
    assert done.returncode == 0, done.stderr
    assert (root / "opt/porchlight-bridge/porchlight-bridge.pyz").read_bytes() == pyz.read_bytes()
    assert (root / "etc/porchlight-bridge/bridge.env").read_text() == "PORCHLIGHT_URL=wss://rialto.example.org\n"
    settings = tomllib.loads((root / "etc/porchlight-bridge/bridge.toml").read_text())
    assert settings == {"cameras": {}}
    assert _mode(root / "etc/porchlight-bridge") == 0o750
    assert _mode(root / "etc/porchlight-bridge/bridge.env") == 0o640
    assert _mode(root / "etc/porchlight-bridge/bridge.toml") == 0o640
    assert _mode(root / "var/lib/porchlight-bridge") == 0o700
    unit = root / "etc/systemd/system/porchlight-bridge.service"
    assert unit.read_text() == (DEPLOY / "porchlight-bridge.service").read_text()
    # … and it says how to start the bridge where systemd does not, with the unit's paths
    assert (
        "runuser -u porchlight-bridge -- /usr/bin/python3 /opt/porchlight-bridge/porchlight-bridge.pyz run"
        in done.stdout
    )
    assert "--config /etc/porchlight-bridge/bridge.toml --token-file /var/lib/porchlight-bridge/token" in done.stdout
    assert "--config /etc/porchlight-bridge/bridge.toml" in unit.read_text()


def test_installing_again_keeps_the_cameras_readable_by_the_service_and_takes_the_new_address(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "bridge", "install-files", str(tmp_path)], check=True, capture_output=True)
    (tmp_path / "porchlight-bridge.pyz").write_bytes(b"PK\x05\x06" + bytes(18))
    root = tmp_path / "root"
    _install(tmp_path, "--url", "wss://old.example.org", "--root", str(root))
    cameras = '[cameras]\n"6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b" = "rtsp://viewer:secret@192.168.1.20/stream1"\n'
    (root / "etc/porchlight-bridge/bridge.toml").write_text(cameras)
    (root / "etc/porchlight-bridge/bridge.toml").chmod(0o600)  # as `discover` rewrites it (for root only)

    again = _install(tmp_path, "--url", "wss://rialto.example.org", "--root", str(root))

    assert again.returncode == 0, again.stderr
    assert (root / "etc/porchlight-bridge/bridge.toml").read_text() == cameras
    assert _mode(root / "etc/porchlight-bridge/bridge.toml") == 0o640  # the service can read it again
    assert (root / "etc/porchlight-bridge/bridge.env").read_text() == "PORCHLIGHT_URL=wss://rialto.example.org\n"


def test_the_install_script_refuses_to_start_without_the_unit_beside_it(tmp_path: Path) -> None:
    shutil.copy(DEPLOY / "install.sh", tmp_path / "install.sh")
    (tmp_path / "porchlight-bridge.pyz").write_bytes(b"PK\x05\x06" + bytes(18))

    done = _install(tmp_path, "--url", "wss://rialto.example.org", "--root", str(tmp_path / "root"))

    assert done.returncode == 1
    assert "porchlight-bridge.service must sit next to install.sh" in done.stderr
    assert not (tmp_path / "root" / "opt").exists()  # nothing half installed
