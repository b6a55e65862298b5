"""H.264 passthrough end to end: Debian's ffmpeg encodes SMPTE colour bars to H.264 and serves
them as MPEG-TS over HTTP (the camera); the real bridge program demuxes and relays them,
undecoded, through the real uvicorn (Redis channel layer); Debian's Chromium plays them with
Media Source Extensions (jmuxer) on the live page, and the test reads the decoded picture back
from the page's canvas: the bars' colours where they are, and the officer's watermark over them."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore

from cameras.mixins import SESSION_PURPOSE
from live import presence
from live.models import LiveSession
from tests.conftest import free_port
from tests.e2e.conftest import ROOT, LiveServer
from tests.live.test_consumers import Scene, _scene, committed

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]
FFMPEG = "/usr/bin/ffmpeg"


@pytest.fixture
def h264_camera() -> Iterator[str]:
    """An H.264 camera: colour bars, 640x360 at 15 fps, a keyframe a second, no B-frames."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/cam.ts"
    process = subprocess.Popen(
        [
            FFMPEG,
            "-hide_banner",
            "-loglevel",
            "error",
            "-re",
            "-f",
            "lavfi",
            "-i",
            "smptebars=size=640x360:rate=15",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-tune",
            "zerolatency",
            "-g",
            "15",
            "-bf",
            "0",
            "-pix_fmt",
            "yuv420p",
            "-f",
            "mpegts",
            "-listen",
            "1",
            url,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    yield url
    process.kill()
    process.wait()


@pytest.fixture
def h264_bridge(porchlight_server: LiveServer, h264_camera: str, tmp_path: Path) -> Iterator[tuple[Scene, Path]]:
    scene = committed(_scene, level="live")
    config = tmp_path / "bridge.toml"
    config.write_text(f'[cameras]\n"{scene.camera_id}" = "{h264_camera}"\n')
    log = tmp_path / "bridge.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bridge",
                "--url",
                f"ws://rialto.localhost:{porchlight_server.port}",
                "--token",
                scene.bridge_token,
                "--config",
                str(config),
            ],
            cwd=ROOT,
            env=dict(os.environ),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 20
    while not presence.bridges_connected(schema="rialto", bridges=[scene.bridge_id]) and time.monotonic() < deadline:
        time.sleep(0.1)
    yield scene, log
    process.terminate()
    process.wait(timeout=10)


def _with_purpose(scene: Scene) -> None:
    session = SessionStore(session_key=scene.session_key)
    session[SESSION_PURPOSE] = scene.purpose_id
    session.save()


# SMPTE bars, top two thirds: 75% grey, yellow, cyan, green, magenta, red, blue, each 1/7 wide.
BARS = {"grey": (45, (191, 191, 191)), "yellow": (137, (191, 191, 0)), "blue": (594, (0, 0, 191))}

READ_PIXELS = """([points, box]) => {
  const canvas = document.querySelector('.live-tile canvas');
  const ctx = canvas.getContext('2d');
  const at = points.map(([x, y]) => Array.from(ctx.getImageData(x, y, 1, 1).data.slice(0, 3)));
  // The watermark: white text on a dark box at the bottom right, where the bars are black.
  const d = ctx.getImageData(canvas.width - box, canvas.height - 34, box, 26).data;
  let white = 0;
  for (let i = 0; i < d.length; i += 4) if (d[i] > 200 && d[i + 1] > 200 && d[i + 2] > 200) white++;
  return {at, white, codec: canvas.closest('.live-tile').dataset.codec};
}"""


# For a failure's message: the tile, and its player's state.
VIDEO_STATE = """() => {
  const v = document.querySelector('.live-tile video');
  return document.querySelector('.live-tile').outerHTML + JSON.stringify(v && {
    rs: v.readyState, paused: v.paused, t: v.currentTime, err: v.error && v.error.message,
    buf: v.buffered.length ? [v.buffered.start(0), v.buffered.end(v.buffered.length - 1)] : null});
}"""


def test_an_h264_camera_plays_in_chromium_with_the_watermark_over_it(
    porchlight_server: LiveServer, h264_bridge: tuple[Scene, Path], browser: Any
) -> None:
    scene, log = h264_bridge
    committed(_with_purpose, scene)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    cookie = {"name": "sessionid", "value": scene.session_key, "url": porchlight_server.url("rialto.localhost")}
    context.add_cookies([cookie])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text) if "image" not in message.text else None)
    page.goto(porchlight_server.url("rialto.localhost", "/console/"))

    # Open the live view as the console does: a POST with the camera (CSRF-checked).
    page.evaluate(
        """(camera) => {
          const form = document.createElement('form');
          form.method = 'post'; form.action = '/console/live/';
          const token = document.cookie.split('; ').find(c => c.startsWith('csrftoken=')).split('=')[1];
          for (const [name, value] of [['csrfmiddlewaretoken', token], ['camera', camera]]) {
            const input = document.createElement('input');
            input.type = 'hidden'; input.name = name; input.value = value; form.appendChild(input);
          }
          document.body.appendChild(form); form.submit();
        }""",
        scene.camera_id,
    )
    page.wait_for_url("**/console/live/*/")
    try:
        page.wait_for_function(
            "() => Number(document.querySelector('.live-tile').dataset.frames || 0) >= 10", timeout=25_000
        )
    except Exception:
        tile = page.evaluate(VIDEO_STATE)
        raise AssertionError(f"no pictures: {errors} {console}\n{tile}\n{log.read_text()[-3000:]}") from None
    read = page.evaluate(READ_PIXELS, [[[x, 100] for x, _ in BARS.values()], 200])

    assert read["codec"].startswith("avc1."), read  # played as H.264, not the JPEG fallback
    for (name, (_, expected)), got in zip(BARS.items(), read["at"], strict=True):
        assert all(abs(g - e) <= 24 for g, e in zip(got, expected, strict=True)), (name, got, expected)
    assert read["white"] > 50  # the watermark's text
    assert errors == []
    assert "H.264" in log.read_text()
    page.click(".live-tile .end")
    page.wait_for_function("() => document.querySelector('.live-tile').dataset.closed === '1000'")
    session = committed(lambda: LiveSession.objects.filter(officer_id=scene.officer_id).get())
    assert (session.end_reason, session.frames >= 10) == ("viewer_left", True)
    context.close()
