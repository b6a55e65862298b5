"""The real bridge program pairs with a one-time code against a real uvicorn (issue 19): it keeps
the token it receives in a file only its user can read, then connects with it by itself."""

import os
import pty
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from live import pairing
from tests.e2e.conftest import ROOT, LiveServer
from tests.live.test_consumers import Scene, _scene, committed

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


def _code(scene: Scene) -> str:
    from accounts.models import User

    issued: pairing.IssuedPairing = committed(
        lambda: pairing.bridge_pairing_issue(
            owner=User.objects.get(pk=scene.owner_id), bridge_public_id=scene.bridge_id
        )
    )
    return pairing.code_display(issued.code)


def test_the_bridge_pairs_keeps_its_token_0600_and_then_connects_with_it(
    porchlight_server: LiveServer, tmp_path: Path
) -> None:
    # given a bridge on the owner's page, its pairing code, and a computer with no token yet
    scene = committed(_scene, level="live")
    url = f"ws://rialto.localhost:{porchlight_server.port}"
    token_file = tmp_path / "state" / "token"
    config = tmp_path / "bridge.toml"
    config.write_text(f'[cameras]\n"{scene.camera_id}" = "test:"\n')
    env = {k: v for k, v in os.environ.items() if k != "PORCHLIGHT_BRIDGE_TOKEN"}

    # when the owner pairs it with the code, then starts it
    paired = subprocess.run(
        [sys.executable, "-m", "bridge", "pair", "--url", url, "--code", _code(scene), "--token-file", str(token_file)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    log = tmp_path / "bridge.log"
    with log.open("ab") as out:
        running = subprocess.Popen(
            [sys.executable, "-m", "bridge", "--url", url, "--config", str(config), "--token-file", str(token_file)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=out,
            stdin=subprocess.DEVNULL,
        )
    try:
        deadline = time.monotonic() + 30
        while "hello: bridge" not in log.read_text() and running.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        said = log.read_text()
    finally:
        running.terminate()
        running.wait(timeout=10)

    # then the token is kept for this user only, and the bridge connected with it
    assert paired.returncode == 0, paired.stderr
    assert str(token_file) in paired.stdout
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(token_file.parent.stat().st_mode) == 0o700
    assert token_file.read_text().strip().startswith("plb_")
    assert f"hello: bridge {scene.bridge_id}" in said, said[-2000:]


def test_a_used_code_is_refused_in_one_line_and_no_token_is_written(
    porchlight_server: LiveServer, tmp_path: Path
) -> None:
    scene = committed(_scene, level="live")
    url = f"ws://rialto.localhost:{porchlight_server.port}"
    code = _code(scene)
    argv = [sys.executable, "-m", "bridge", "pair", "--url", url, "--code", code, "--token-file"]
    first = subprocess.run([*argv, str(tmp_path / "a")], cwd=ROOT, capture_output=True, text=True, timeout=60)

    again = subprocess.run([*argv, str(tmp_path / "b")], cwd=ROOT, capture_output=True, text=True, timeout=60)

    assert first.returncode == 0, first.stderr
    assert again.returncode == 3
    assert "pairing refused: the code was used already" in again.stderr
    assert "Traceback" not in again.stderr
    assert not (tmp_path / "b").exists()


def test_without_a_token_and_no_terminal_the_bridge_says_to_pair(porchlight_server: LiveServer, tmp_path: Path) -> None:
    config = tmp_path / "bridge.toml"
    config.write_text('[cameras]\n"6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b" = "test:"\n')
    env = {k: v for k, v in os.environ.items() if k != "PORCHLIGHT_BRIDGE_TOKEN"}

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bridge",
            "--url",
            "ws://rialto.localhost:1",
            "--config",
            str(config),
            "--token-file",
            str(tmp_path / "none"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )

    assert done.returncode == 2
    assert "porchlight-bridge pair --url ws://rialto.localhost:1" in done.stderr


def test_at_first_start_with_no_token_the_bridge_asks_for_the_code_then_runs(
    porchlight_server: LiveServer, tmp_path: Path
) -> None:
    # given a bridge started at a terminal with no token anywhere
    scene = committed(_scene, level="live")
    url = f"ws://rialto.localhost:{porchlight_server.port}"
    token_file = tmp_path / "token"
    config = tmp_path / "bridge.toml"
    config.write_text(f'[cameras]\n"{scene.camera_id}" = "test:"\n')
    env = {k: v for k, v in os.environ.items() if k != "PORCHLIGHT_BRIDGE_TOKEN"}
    terminal, keyboard_side = pty.openpty()
    log = tmp_path / "bridge.log"
    argv = [sys.executable, "-m", "bridge", "--url", url, "--config", str(config), "--token-file", str(token_file)]
    with log.open("ab") as out:
        running = subprocess.Popen(argv, cwd=ROOT, env=env, stdin=keyboard_side, stdout=out, stderr=out)
    try:
        # when the owner types the code at its prompt
        deadline = time.monotonic() + 30
        while "Pairing code" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        os.write(terminal, (_code(scene) + "\n").encode())
        while "hello: bridge" not in log.read_text() and running.poll() is None and time.monotonic() < deadline + 30:
            time.sleep(0.2)
        said = log.read_text()
    finally:
        running.terminate()
        running.wait(timeout=10)
        os.close(terminal)
        os.close(keyboard_side)

    # then it paired, kept the token, and connected with it, in the same run
    assert "This bridge has no token yet" in said
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert f"hello: bridge {scene.bridge_id}" in said, said[-2000:]
