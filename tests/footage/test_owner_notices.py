"""What a camera's owner is told of police work on footage: e-mails and "Who accessed my cameras"."""

import datetime as dt
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from cameras import access
from cameras import services as camera_services
from cameras.models import Camera
from footage import services
from footage.models import Clip, FootageRequest, OwnerRequest
from tenants.selectors import policy_current
from tests.conftest import TenantClient
from tests.videos import make_video


@pytest.fixture(scope="module")
def mp4(tmp_path_factory: Any) -> bytes:
    return make_video(tmp_path_factory.mktemp("video") / "clip.mp4", seconds=1, size="160x120", rate=5)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def _send(actor: access.Actor, purpose: Any, cameras: list[Camera]) -> services.RequestResult:
    end = timezone.now() - dt.timedelta(hours=1)
    return services.footage_request_send(
        actor=actor,
        purpose=purpose,
        camera_ids=[c.public_id for c in cameras],
        window_start=end - dt.timedelta(hours=2),
        window_end=end,
        message="Did you see a blue van?",
    )


def _more_cameras(camera: Camera, count: int) -> list[Camera]:
    """``count`` more cameras on ``camera``'s site, with the same consent and notices."""
    owner = camera.site.owner
    cameras = []
    for number in range(count):
        extra = camera_services.camera_register(owner=owner, site=camera.site, label=f"Side {number}")
        camera_services.consent_set(
            owner=owner, camera=extra, policy=policy_current(), level="on_request", notify_on_access=True
        )
        cameras.append(extra)
    return cameras


@pytest.fixture
def clip(make_camera: Any, actor: access.Actor, purpose: Any, mp4: bytes) -> Clip:
    """A clip an owner who asked for access notices sent for a request."""
    camera = make_camera("on_request", notify_on_access=True)
    _send(actor, purpose, [camera])
    answer = OwnerRequest.objects.get(owner=camera.site.owner).answers.get()
    receipt = services.clip_upload(
        owner=camera.site.owner, answer_id=answer.pk, upload=BytesIO(mp4), name="door.mp4", size=len(mp4)
    )
    return receipt.clip


def _owners_log(owner: Any) -> tuple[dict[str, Any], str]:
    client = TenantClient("rialto.localhost")
    client.force_login(owner)
    return client.get("/api/v1/me/access-events/").json()["results"][0], client.get("/my/access/").content.decode()


def test_a_footage_request_for_three_cameras_of_one_owner_sends_that_owner_one_email(
    make_camera: Any, actor: access.Actor, purpose: Any, django_capture_on_commit_callbacks: Any
) -> None:
    first = make_camera("on_request", notify_on_access=True)
    cameras = [first, *_more_cameras(first, 2)]

    with django_capture_on_commit_callbacks(execute=True):
        result = _send(actor, purpose, cameras)

    assert (result.owners, result.cameras) == (1, 3)
    assert len(mail.outbox) == 1
    assert "asks for footage" in mail.outbox[0].subject
    assert mail.outbox[0].to == [first.site.owner.email]


def test_the_request_email_gives_the_window_in_the_departments_time_zone(
    make_camera: Any, actor: access.Actor, purpose: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from zoneinfo import ZoneInfo

    camera = make_camera("on_request")

    with django_capture_on_commit_callbacks(execute=True):
        result = _send(actor, purpose, [camera])

    request = result.request
    assert request is not None
    local = ZoneInfo("America/Los_Angeles")  # Rialto's
    start, end = (timezone.localtime(t, local) for t in (request.window_start, request.window_end))
    body = mail.outbox[0].body
    assert f"between {start:%Y-%m-%d %H:%M} {start.tzname()} and {end:%Y-%m-%d %H:%M} {end.tzname()}" in body


def test_the_upload_receipt_email_gives_the_time_in_the_departments_time_zone(
    clip: Clip, django_capture_on_commit_callbacks: Any
) -> None:
    from zoneinfo import ZoneInfo

    from footage.notices import clip_receipt_send

    clip_receipt_send.apply(kwargs={"clip_id": clip.pk})

    at = timezone.localtime(clip.uploaded_at, ZoneInfo("America/Los_Angeles"))  # Rialto's
    assert f"at {at:%Y-%m-%d %H:%M:%S} {at.tzname()}." in mail.outbox[-1].body


def test_an_owner_request_records_when_its_email_was_sent_not_when_the_request_was_made(
    make_camera: Any, actor: access.Actor, purpose: Any
) -> None:
    from footage.notices import footage_request_notify

    camera = make_camera("on_request")
    _send(actor, purpose, [camera])
    owner_request = OwnerRequest.objects.get(owner=camera.site.owner)
    # made three hours ago, and e-mailed only now (a worker that was down a while)
    made = timezone.now() - dt.timedelta(hours=3)
    FootageRequest.objects.filter(pk=owner_request.request_id).update(created_at=made)
    before = timezone.now()

    footage_request_notify.apply(kwargs={"owner_request_id": owner_request.pk})

    owner_request.refresh_from_db()
    assert owner_request.notified_at is not None
    assert owner_request.notified_at >= before


def test_each_camera_of_a_footage_request_stays_in_the_owners_access_log(
    make_camera: Any, actor: access.Actor, purpose: Any
) -> None:
    first = make_camera("on_request", notify_on_access=True)
    _send(actor, purpose, [first, *_more_cameras(first, 2)])
    client = TenantClient("rialto.localhost")
    client.force_login(first.site.owner)

    events = client.get("/api/v1/me/access-events/").json()["results"]

    assert [e["action"] for e in events] == ["footage_request"] * 3


def test_an_export_shows_the_owner_the_camera_the_footage_came_from(
    clip: Clip, actor: access.Actor, purpose: Any, tmp_path: Path
) -> None:
    result = services.request_export(
        actor=actor, purpose=purpose, request_public_id=clip.request.public_id, directory=str(tmp_path)
    )

    event, page = _owners_log(clip.answer.owner_request.owner)

    assert result.decision.allowed is True
    assert event["action"] == "export"
    assert clip.answer.camera is not None
    assert event["cameras"] == [{"id": str(clip.answer.camera.public_id), "label": "Front", "site": "1 Main St"}]
    assert event["deleted_camera"] is False
    assert "a deleted camera" not in page
    assert "Footage exported as evidence" in page


def test_an_export_emails_an_owner_who_asked_for_notices_at_the_end_of_the_window(
    clip: Clip, actor: access.Actor, purpose: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    from tenants.outbox import outbox_sweep

    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.request_export(
            actor=actor, purpose=purpose, request_public_id=clip.request.public_id, directory=str(tmp_path)
        )
    outbox_sweep(now=timezone.now() + dt.timedelta(minutes=16))  # the department's 15 minutes later

    notices = [m for m in mail.outbox if "Police access" in m.subject]  # (the sweep sends the request's too)
    assert clip.answer.owner_request.owner is not None
    assert [m.to for m in notices] == [[clip.answer.owner_request.owner.email]]
    assert "Footage exported as evidence" in notices[0].subject
    assert "Front (1 Main St)" in notices[0].body


def test_an_export_of_footage_from_a_camera_deleted_since_still_says_a_deleted_camera(
    clip: Clip, actor: access.Actor, purpose: Any, tmp_path: Path
) -> None:
    owner = clip.answer.owner_request.owner
    assert owner is not None
    assert clip.answer.camera_id is not None
    camera_services.camera_delete(owner=owner, camera=Camera.objects.get(pk=clip.answer.camera_id))

    services.request_export(
        actor=actor, purpose=purpose, request_public_id=clip.request.public_id, directory=str(tmp_path)
    )
    event, page = _owners_log(owner)

    assert event["action"] == "export"
    assert event["cameras"] == []
    assert event["deleted_camera"] is True
    assert "a deleted camera" in page
