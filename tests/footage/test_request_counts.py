"""An officer's footage request page counts what it says it counts: the cameras asked, how
many of them sent footage or answered that they have none, and the owners asked and reached,
so that one owner sending footage for one of their three cameras does not read as everything
answered ("1 of 1 owners"). Declines and silence are still never told apart."""

from typing import Any

import pytest

from cameras import access
from cameras import services as camera_services
from footage.models import OwnerRequest
from tests.footage.test_requests import _owner_client, _send, _staff_client, _upload, media, mp4  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_cameras_one_owner(make_camera: Any, policy: Any) -> list[Any]:
    first = make_camera("on_request")
    owner, site = first.site.owner, first.site
    others = []
    for label in ("Pump 1", "Pump 2"):
        camera = camera_services.camera_register(
            owner=owner, site=site, label=label, bearing_deg=90, fov_angle_deg=90, range_m=20
        )
        camera_services.consent_set(owner=owner, camera=camera, policy=policy, level="on_request")
        others.append(camera)
    return [first, *others]


def _page(actor: access.Actor, purpose: Any, request_public_id: Any) -> str:
    client = _staff_client(actor.user)
    session = client.session
    session["console_purpose"] = str(purpose.public_id)
    session.save()
    return client.get(f"/console/footage/{request_public_id}/").content.decode()


def test_one_camera_of_three_answered_reads_as_one_of_three_cameras_not_one_of_one_owners(
    three_cameras_one_owner: list[Any],
    actor: access.Actor,
    purpose: Any,
    mp4: bytes,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # the owner's request e-mailed: reached
        result = _send(actor, purpose, three_cameras_one_owner)
    owner_request = OwnerRequest.objects.get(request=result.request)
    answer = owner_request.answers.order_by("pk").first()
    assert answer is not None
    _owner_client(owner_request).post(
        f"/my/requests/{owner_request.public_id}/",
        {"answer_id": answer.pk, "file": _clip(mp4)},
    )

    page = _page(actor, purpose, result.request.public_id)  # type: ignore[union-attr]

    assert "Cameras asked: 3. Footage sent for 1, no relevant footage for 0, neither yet for 2" in page
    assert "Owners asked: 1, reached by e-mail: 1, sent footage: 1." in page
    assert "1 of 1 owners" not in page


def test_an_owner_not_yet_reached_is_counted_as_asked_only(
    three_cameras_one_owner: list[Any], actor: access.Actor, purpose: Any
) -> None:
    result = _send(actor, purpose, three_cameras_one_owner[:1])  # the e-mail not sent yet

    page = _page(actor, purpose, result.request.public_id)  # type: ignore[union-attr]

    assert "Cameras asked: 1. Footage sent for 0, no relevant footage for 0, neither yet for 1" in page
    assert "Owners asked: 1, reached by e-mail: 0, sent footage: 0." in page


def _clip(content: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("door.mp4", content, content_type="video/mp4")
