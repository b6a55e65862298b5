"""The owner's install files (bridge/deploy/, docs/bridge-install.md): the install script is
valid POSIX sh that shellcheck finds clean, and the unit runs the bridge as its own user,
restarting on failure but not after the exits that need the owner (2, 3)."""

import configparser
import shutil
import subprocess
from pathlib import Path

import pytest

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
