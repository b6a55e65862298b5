"""An owner answers a footage request in the browser by uploading a clip, and gets a receipt."""

import datetime as dt
import hashlib
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from cameras import access
from footage import services
from footage.models import OwnerRequest
from tests.e2e.conftest import LiveServer
from tests.live.test_consumers import Scene, _scene, committed

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


def _request_and_owner_session(scene: Scene) -> tuple[str, str]:
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
    owner = owner_request.owner
    session = SessionStore()
    session["_auth_user_id"] = str(owner.pk)
    session["_auth_user_backend"] = settings.AUTHENTICATION_BACKENDS[0]
    session["_auth_user_hash"] = owner.get_session_auth_hash()
    session.create()
    return str(owner_request.public_id), session.session_key or ""


def test_owner_uploads_footage_and_sees_the_receipt(
    porchlight_server: LiveServer, browser: Any, shot: Any, tmp_path: Path
) -> None:
    video = tmp_path / "driveway.mp4"
    subprocess.run(
        [
            "/usr/bin/ffmpeg",
            "-hide_banner",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=duration=2:size=320x180:rate=10",
            "-pix_fmt",
            "yuv420p",
            str(video),
        ],
        check=True,
    )
    scene = committed(_scene, level="on_request")
    request_id, session_key = committed(_request_and_owner_session, scene)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "sessionid", "value": session_key, "domain": "rialto.localhost", "path": "/"}])
    page = context.new_page()

    page.goto(porchlight_server.url("rialto.localhost", "/my/requests/"))
    shot(page, "inbox")
    page.click("a:has-text('Answer')")
    page.wait_for_url(f"**/my/requests/{request_id}/")
    page.set_input_files("input[name=file]", str(video))
    shot(page, "choose-file")
    page.click("section.answer form button[type=submit]")
    expect(page.locator("#receipt")).to_be_visible()
    shot(page, "receipt")

    assert page.locator("#receipt-sha").inner_text() == hashlib.sha256(video.read_bytes()).hexdigest()
    context.close()
