"""An owner answers a footage request in the browser by uploading a clip, and gets a receipt."""

import datetime as dt
import hashlib
import urllib.parse
import urllib.request
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
from tests.videos import make_video

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
    assert owner is not None
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
    make_video(video, seconds=2, size="320x180", rate=10)
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


def test_the_receipt_fits_a_phone(porchlight_server: LiveServer, browser: Any, shot: Any, tmp_path: Path) -> None:
    # given an owner on a phone answering a request
    video = tmp_path / "porch.mp4"
    make_video(video, seconds=2, size="320x180", rate=10)
    scene = committed(_scene, level="on_request")
    request_id, session_key = committed(_request_and_owner_session, scene)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.add_cookies([{"name": "sessionid", "value": session_key, "domain": "rialto.localhost", "path": "/"}])
    page = context.new_page()
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(porchlight_server.url("rialto.localhost", "/my/requests/"))
    shot(page, "inbox-375")
    inbox_width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(porchlight_server.url("rialto.localhost", f"/my/requests/{request_id}/"))

    # when they send a clip and get the receipt with its 64-digit SHA-256
    page.set_input_files("input[name=file]", str(video))
    page.click("section.answer form.clip-upload button[type=submit]")
    expect(page.locator("#receipt")).to_be_visible()
    shot(page, "receipt-390")

    # then the hash wraps inside the screen instead of widening the page, and the list of
    # requests fits a 375-px phone (its table scrolls inside the page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert inbox_width <= 375
    context.close()


def _noisy_video(path: Path, seconds: int) -> bytes:
    """A few megabytes of real MP4: noise does not compress."""
    noise = ("-vf", "noise=alls=30:allf=t")
    return make_video(path, seconds=seconds, size="640x360", rate=25, source="testsrc2", extra=noise)


def _deliver(server: LiveServer, request: Any) -> None:
    """Send a request the browser made straight to the server (Playwright's own fetch cannot
    resolve *.localhost as Chromium does), keeping its host, cookies and CSRF token."""
    host = urllib.parse.urlsplit(request.url)
    forwarded = urllib.request.Request(
        f"http://127.0.0.1:{server.port}{host.path}",
        data=request.post_data_buffer,
        method=request.method,
        headers={**request.all_headers(), "host": host.netloc},
    )
    with urllib.request.urlopen(forwarded, timeout=30) as response:  # noqa: S310 (our own test server)
        assert response.status == 200


def test_owner_sends_a_large_clip_in_pieces_survives_a_dropped_connection_and_sees_the_receipt(
    porchlight_server: LiveServer, browser: Any, shot: Any, tmp_path: Path
) -> None:
    video = tmp_path / "backyard.mp4"
    data = _noisy_video(video, seconds=2)
    scene = committed(_scene, level="on_request")
    request_id, session_key = committed(_request_and_owner_session, scene)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "sessionid", "value": session_key, "domain": "rialto.localhost", "path": "/"}])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    pieces: list[str] = []

    def interrupt(route: Any) -> None:
        if route.request.method != "PUT":
            route.continue_()
            return
        pieces.append(route.request.headers.get("content-range", ""))
        if len(pieces) == 3:
            # The network drops before the third piece reaches the server.
            route.abort("connectionreset")
        elif len(pieces) == 5:
            # The fifth piece reaches the server but its answer is lost on the way back:
            # the page must ask the server where it got to rather than send it again.
            _deliver(porchlight_server, route.request)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route(lambda url: "/my/uploads/" in url, interrupt)

    page.goto(porchlight_server.url("rialto.localhost", f"/my/requests/{request_id}/"))
    page.set_input_files("input[name=file]", str(video))
    page.click("section.answer form.clip-upload button[type=submit]")
    expect(page.locator(".upload-status")).to_contain_text("interrupted")
    shot(page, "connection-dropped")
    expect(page.locator("#receipt")).to_be_visible(timeout=30_000)
    shot(page, "receipt")

    piece_count = -(-len(data) // (512 * 1024))
    expect(page.locator("section.answer h2 small")).to_have_text("Footage sent")
    assert page.locator("#receipt-sha").inner_text() == hashlib.sha256(data).hexdigest()
    assert page.locator("#receipt [data-field=size]").inner_text() == str(len(data))
    assert piece_count >= 6
    assert pieces[3] == pieces[2]  # the piece that never arrived was sent again
    assert pieces[5] != pieces[4]  # the one whose answer was lost was not: the server had it
    assert len(pieces) == piece_count + 1
    assert pieces[-1].endswith(f"-{len(data) - 1}/{len(data)}")
    assert errors == []
    context.close()


def test_without_javascript_the_plain_form_still_uploads_the_clip(
    porchlight_server: LiveServer, browser: Any, shot: Any, tmp_path: Path
) -> None:
    video = tmp_path / "porch.mp4"
    data = _noisy_video(video, seconds=1)
    scene = committed(_scene, level="on_request")
    request_id, session_key = committed(_request_and_owner_session, scene)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    context.add_cookies([{"name": "sessionid", "value": session_key, "domain": "rialto.localhost", "path": "/"}])
    page = context.new_page()

    page.goto(porchlight_server.url("rialto.localhost", f"/my/requests/{request_id}/"))
    page.set_input_files("input[name=file]", str(video))
    page.click("section.answer form.clip-upload button[type=submit]")
    expect(page.locator("#receipt")).to_be_visible()
    shot(page, "receipt-without-javascript")

    assert page.locator("#receipt-sha").inner_text() == hashlib.sha256(data).hexdigest()
    context.close()


def test_a_file_that_is_not_video_is_refused_on_its_first_piece_in_the_browser(
    porchlight_server: LiveServer, browser: Any, shot: Any, tmp_path: Path
) -> None:
    fake = tmp_path / "holiday.mp4"
    fake.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8192)  # 2 MB: four pieces, refused on the first
    scene = committed(_scene, level="on_request")
    request_id, session_key = committed(_request_and_owner_session, scene)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "sessionid", "value": session_key, "domain": "rialto.localhost", "path": "/"}])
    page = context.new_page()
    pieces: list[str] = []
    page.on("request", lambda r: pieces.append(r.url) if r.method == "PUT" else None)

    page.goto(porchlight_server.url("rialto.localhost", f"/my/requests/{request_id}/"))
    page.set_input_files("input[name=file]", str(fake))
    page.click("section.answer form.clip-upload button[type=submit]")
    expect(page.locator(".upload-status")).to_contain_text("not a video")
    shot(page, "refused")

    assert len(pieces) == 1
    assert page.locator("#receipt").count() == 0
    context.close()
