"""An officer watches a received clip in the console's player: the video loads and seeks
through HTTP ranges, and the viewing is logged once."""

import datetime as dt
import time
from pathlib import Path
from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from audit.models import AccessEvent
from cameras import access
from footage import services
from footage.models import Clip, CustodyEvent, OwnerRequest
from tests.e2e.conftest import LiveServer
from tests.live.test_consumers import Scene, _scene, committed
from tests.videos import make_video

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


def _received_clip(scene: Scene, video: Path) -> tuple[str, str]:
    """A request answered with ``video``; the officer's session gets the purpose."""
    officer = User.objects.get(pk=scene.officer_id)
    actor = access.Actor(user=officer, mfa=True)
    purpose = access.purpose_lookup(actor=actor, public_id=scene.purpose_id)
    end = timezone.now() - dt.timedelta(hours=2)
    sent = services.footage_request_send(
        actor=actor,
        purpose=purpose,
        camera_ids=[scene.camera_id],
        window_start=end - dt.timedelta(hours=1),
        window_end=end,
        message="Did your camera see a silver sedan?",
    )
    owner_request = OwnerRequest.objects.get(request=sent.request)
    assert owner_request.owner is not None
    with video.open("rb") as upload:
        receipt = services.clip_upload(
            owner=owner_request.owner,
            answer_id=owner_request.answers.get().pk,
            upload=upload,
            name="driveway.mp4",
            size=video.stat().st_size,
        )
    session = SessionStore(session_key=scene.session_key)
    session["console_purpose"] = scene.purpose_id
    session.save()
    return str(sent.request.public_id), str(receipt.clip.public_id)  # type: ignore[union-attr]


def _wait_until(page: Any, expression: str, timeout: float = 15.0) -> None:
    """Poll ``expression`` in the page. (wait_for_function evaluates its predicate with
    eval, which the page's Content-Security-Policy rightly forbids; page.evaluate does not.)"""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        page.wait_for_timeout(100)


def _logged(clip_id: str) -> tuple[int, int]:
    clip = Clip.objects.get(public_id=clip_id)
    return (
        CustodyEvent.objects.filter(clip=clip, action="viewed").count(),
        AccessEvent.objects.filter(
            action="clip_view", outcome="allowed", targets__contains=[f"clip:{clip_id}"]
        ).count(),
    )


def test_officer_watches_a_clip_in_the_console(
    porchlight_server: LiveServer, browser: Any, shot: Any, tmp_path: Path
) -> None:
    video = tmp_path / "driveway.mp4"
    # H.264 with the index (moov) at the end, as many recorders write it: the browser must ask for a range
    make_video(video, seconds=4, size="320x180", rate=10, extra=("-c:v", "libx264"))
    scene = committed(_scene, level="on_request")
    request_id, clip_id = committed(_received_clip, scene, video)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "sessionid", "value": scene.session_key, "domain": "rialto.localhost", "path": "/"}])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    statuses: list[tuple[int, str]] = []
    page.on(
        "response",
        lambda r: (
            statuses.append((r.status, r.headers.get("content-range", ""))) if "/clips/stream/" in r.url else None
        ),
    )

    page.goto(porchlight_server.url("rialto.localhost", f"/console/footage/{request_id}/"))
    shot(page, "request")
    page.click(f"tr[data-clip='{clip_id}'] button.watch")
    page.wait_for_url("**/console/clips/viewing/*/")
    _wait_until(page, "document.getElementById('clip-player').readyState >= 1")
    duration = page.evaluate("document.getElementById('clip-player').duration")
    page.evaluate("document.getElementById('clip-player').currentTime = 2.5")
    _wait_until(page, "(v => v.readyState >= 2 && !v.seeking)(document.getElementById('clip-player'))")
    expect(page.locator("#clip-sha")).to_be_visible()
    shot(page, "player")

    assert 3.5 < duration < 4.5
    assert page.evaluate("document.getElementById('clip-player').error") is None
    assert any(status == 206 and content_range.startswith("bytes ") for status, content_range in statuses), statuses
    assert committed(_logged, clip_id) == (1, 1)
    assert errors == []
    context.close()
