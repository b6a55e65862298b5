"""Browser tests: a real uvicorn serving the test database, driven by Debian's Chromium
through Playwright. Mail goes to files the test reads, as a user reads their inbox."""

import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import UVICORN, free_port, subprocess_database_url

# Playwright's sync API runs an event loop on this thread; Django then refuses ORM calls
# from it (the test database fixtures). The browser talks to a separate server process.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = os.environ.get("PORCHLIGHT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@dataclass
class LiveServer:
    port: int
    mail_dir: Path

    def url(self, host: str, path: str = "/") -> str:
        return f"http://{host}:{self.port}{path}"

    def mails(self) -> list[str]:
        return [p.read_text() for p in sorted(self.mail_dir.iterdir(), key=lambda p: p.stat().st_mtime)]


@pytest.fixture(scope="session")
def porchlight_server(django_db_setup: None, tmp_path_factory: Any) -> Iterator[LiveServer]:
    port = free_port()
    mail_dir = tmp_path_factory.mktemp("e2e-mail")
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=subprocess_database_url(),
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        DJANGO_EMAIL_FILE_PATH=str(mail_dir),
        PORCHLIGHT_PORT=str(port),
        PORCHLIGHT_TILE_URL="http://127.0.0.1:9/{z}/{x}/{y}.png",  # no tiles: maps must work without
        PORCHLIGHT_UPLOAD_CHUNK_BYTES=str(512 * 1024),  # so a few-MB test clip is sent in several pieces
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = (ARTIFACTS / "server.log").open("w")  # the server's own log, for when a test fails
    process = subprocess.Popen(
        [*UVICORN, "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            break
        except urllib.error.HTTPError:
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"uvicorn did not start:\n{(ARTIFACTS / 'server.log').read_text()[-3000:]}")
            time.sleep(0.2)
    yield LiveServer(port=port, mail_dir=mail_dir)
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # Module scope: Playwright's sync API keeps an event loop on this thread while it
    # runs, which must be gone before the async tests of other modules start.
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: `make test` installs the Debian package chromium.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, request: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


@pytest.fixture
def shot(request: Any) -> Any:
    """Save a numbered screenshot of the current step under tests/e2e/artifacts/<test>/."""
    folder = ARTIFACTS / request.node.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    counter = {"n": 0}

    def _shot(page: Any, name: str) -> Path:
        counter["n"] += 1
        path = folder / f"{counter['n']:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot
