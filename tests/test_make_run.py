"""`make run` on another port: the pieces it runs after set-up, run for real with PORT set.

`make run` does its set-up, then `scripts/run.sh`: seed the demo (errors shown), then honcho
with the Procfile on $PORT. These tests run that script and that Procfile themselves, with the
test database, so they never touch a running demo or port 8000.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import free_port, subprocess_database_url

pytestmark = [pytest.mark.django_db]

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = str(Path(sys.executable).parent)


def _environment(**extra: str) -> dict[str, str]:
    """This environment with the virtualenv first on PATH (as the Makefile puts it) and the test database."""
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.test", DATABASE_URL=subprocess_database_url())
    env["PATH"] = f"{VENV_BIN}:{env.get('PATH', '')}"
    env.update(extra)
    return env


def _healthz(port: int) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"Host": f"rialto.localhost:{port}"})
    try:
        with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.fixture
def honcho_web(django_db_setup: None, tmp_path: Path) -> Iterator[tuple[int, subprocess.Popen[bytes], Path]]:
    """The Procfile's web process, started by honcho exactly as `make run` starts it, on a free port."""
    port = free_port()
    log = tmp_path / "honcho.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "honcho", "start", "-f", "Procfile", "-p", str(port), "web"],
            cwd=ROOT,
            env=_environment(),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: honcho and the server it started end together
        )
        yield port, process, log
        with contextlib.suppress(ProcessLookupError):  # already ended
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_the_procfile_serves_on_the_port_honcho_is_given(honcho_web: tuple[int, Any, Path]) -> None:
    port, process, log = honcho_web

    deadline = time.monotonic() + 30
    status = 0
    while status != 200 and process.poll() is None and time.monotonic() < deadline:
        try:
            status = _healthz(port)
        except OSError:
            time.sleep(0.3)

    assert status == 200, log.read_text()[-3000:]


def test_make_run_shows_a_failing_seeds_error_and_serves_nothing(django_db_setup: None) -> None:
    port = free_port()
    broken = subprocess_database_url().rsplit("/", 1)[0] + "/porchlight_no_such_database"

    result = subprocess.run(
        [str(ROOT / "scripts" / "run.sh")],
        cwd=ROOT,
        env=_environment(PORT=str(port), DATABASE_URL=broken),
        capture_output=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert f"http://localhost:{port}/" in result.stdout.decode()
    assert 'database "porchlight_no_such_database" does not exist' in result.stderr.decode()
    assert "seeding the demo failed" in result.stderr.decode()
    with pytest.raises(urllib.error.URLError, match="Connection refused"):
        _healthz(port)
