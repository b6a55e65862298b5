"""An owner with one of every kind of row Porchlight keeps about owners, made through services."""

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.utils import timezone

from accounts.models import Role, User
from accounts.services import api_token_issue
from cameras import access
from cameras import services as camera_services
from cameras.models import Camera, Site
from footage import services as footage_services
from footage.models import Clip, FootageRequest, OwnerRequest
from live import services as live_services
from live.models import LiveSession
from messaging import services as messaging_services
from tenants.models import Department
from tests.conftest import TenantClient
from tests.factories import UserFactory, totp_enable
from tests.videos import make_video

OLIVE_EMAIL = "olive.quillfeather@example.org"
OLIVE_NAME = "Olive Quillfeather"
OLIVE_ADDRESS = "4471 Quillfeather Lane"
OLIVE_REPLY = "Olive saw the van at 9:05"


@pytest.fixture(scope="session")
def mp4(tmp_path_factory: Any) -> bytes:
    return make_video(tmp_path_factory.mktemp("video") / "clip.mp4", seconds=1, size="160x120", rate=5)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@dataclass
class OwnerWorld:
    owner: User
    other_owner: User
    site_a: Site
    site_b: Site
    live_camera: Camera
    other_camera: Camera
    held_clip: Clip  # answered a request that has expired by ``later``, under a legal hold
    unheld_clip: Clip  # answered a request that has expired by ``later``: purged
    open_clip: Clip  # answered a request still open at ``later``
    open_request: OwnerRequest  # still open at ``later``, one camera unanswered
    declined_request: OwnerRequest
    live_session: LiveSession
    officer_actor: access.Actor
    purpose: Any  # the officer's (cameras.Purpose)
    client: TenantClient  # the owner's signed-in browser
    totp_secret: str
    later: dt.datetime  # the time of deletion


def _send(actor: access.Actor, purpose: Any, cameras: list[Camera]) -> None:
    end = timezone.now() - dt.timedelta(hours=1)
    footage_services.footage_request_send(
        actor=actor,
        purpose=purpose,
        camera_ids=[c.public_id for c in cameras],
        window_start=end - dt.timedelta(hours=2),
        window_end=end,
        message="Did you see a blue van?",
    )


def _upload(owner: User, owner_request: OwnerRequest, camera: Camera, mp4: bytes, name: str) -> Clip:
    answer = owner_request.answers.get(camera=camera)
    data = mp4 + name.encode()  # each clip its own bytes
    receipt = footage_services.clip_upload(
        owner=owner, answer_id=answer.pk, upload=io.BytesIO(data), name=name, size=len(data)
    )
    return receipt.clip


@pytest.fixture
def world(
    in_rialto: Department, policy: Any, actor: access.Actor, purpose: Any, mp4: bytes, rialto_client: TenantClient
) -> OwnerWorld:
    owner = UserFactory(role=Role.BUSINESS, email=OLIVE_EMAIL, full_name=OLIVE_NAME)
    site_a = camera_services.site_create(
        owner=owner, department=in_rialto, lon=-117.38, lat=34.10, kind="business", address=OLIVE_ADDRESS
    )
    site_b = camera_services.site_create(
        owner=owner, department=in_rialto, lon=-117.381, lat=34.101, kind="business", address="2 Side St"
    )
    live_camera = camera_services.camera_register(owner=owner, site=site_a, label="Olive's front door")
    camera_services.consent_set(owner=owner, camera=live_camera, policy=policy, level="live")
    second = camera_services.camera_register(owner=owner, site=site_a, label="Yard")
    camera_services.consent_set(owner=owner, camera=second, policy=policy, level="on_request")
    third = camera_services.camera_register(owner=owner, site=site_b, label="Side")
    camera_services.consent_set(owner=owner, camera=third, policy=policy, level="on_request")
    live_services.bridge_create(owner=owner, site=site_a, name="Olive's NVR", cameras=[live_camera])
    totp_secret = totp_enable(owner)
    api_token_issue(user=owner, name="my script")

    other_owner = UserFactory(role=Role.RESIDENT)
    other_site = camera_services.site_create(
        owner=other_owner, department=in_rialto, lon=-117.382, lat=34.102, address="9 Other Rd"
    )
    other_camera = camera_services.camera_register(owner=other_owner, site=other_site, label="Porch")
    camera_services.consent_set(owner=other_owner, camera=other_camera, policy=policy, level="on_request")

    _send(actor, purpose, [live_camera, second, other_camera])
    first_request = OwnerRequest.objects.get(owner=owner)
    held_clip = _upload(owner, first_request, live_camera, mp4, "front.mp4")
    declined = first_request.answers.get(camera=second)
    footage_services.answer_set(
        owner=owner, answer_id=declined.pk, answer="declined", decline_reason="Olive's private reason"
    )
    _send(actor, purpose, [third])
    second_request = OwnerRequest.objects.filter(owner=owner).exclude(pk=first_request.pk).get()
    unheld_clip = _upload(owner, second_request, third, mp4, "side.mp4")
    _send(actor, purpose, [second, third])
    open_request = OwnerRequest.objects.filter(owner=owner).exclude(pk__in=[first_request.pk, second_request.pk]).get()
    open_clip = _upload(owner, open_request, second, mp4, "yard.mp4")
    # Time passes for the first two requests: no service moves a request's end, so the
    # test does (the department's answer period is not editable after sending).
    FootageRequest.objects.filter(pk__in=[first_request.request_id, second_request.request_id]).update(
        expires_at=timezone.now() - dt.timedelta(days=1)
    )

    supervisor = access.Actor(user=UserFactory(role=Role.SUPERVISOR), mfa=True, session_hash="u" * 64)
    supervisor_purpose = access.purpose_declare(
        actor=supervisor, case_number=purpose.case_number, category="property_crime", text="Evidence"
    )
    footage_services.clip_hold_set(
        actor=supervisor, purpose=supervisor_purpose, clip_public_id=held_clip.public_id, held=True, reason="Trial"
    )

    # An officer messaged Olive about the van; her answer shares her contact details.
    thread = messaging_services.message_send(
        actor=actor, purpose=purpose, camera_public_id=live_camera.public_id, body="Did you see a blue van?"
    ).thread
    messaging_services.message_reply(
        owner=owner, thread_public_id=thread.public_id, body=OLIVE_REPLY, share_contact=True
    )

    start = live_services.live_session_start(actor=actor, purpose=purpose, camera_public_id=live_camera.public_id)
    assert start.session is not None

    # An operator once edited the account in the Django admin, whose log names it.
    LogEntry.objects.log_actions(
        user_id=UserFactory(role=Role.DEPT_ADMIN).pk, queryset=[owner], action_flag=CHANGE, single_object=True
    )

    rialto_client.force_login(owner)
    # The owner once opened a console page: the refusal is in the append-only log.
    rialto_client.get("/console/")

    return OwnerWorld(
        owner=owner,
        other_owner=other_owner,
        site_a=site_a,
        site_b=site_b,
        live_camera=live_camera,
        other_camera=other_camera,
        held_clip=held_clip,
        unheld_clip=unheld_clip,
        open_clip=open_clip,
        open_request=open_request,
        declined_request=first_request,
        live_session=start.session,
        officer_actor=actor,
        purpose=purpose,
        client=rialto_client,
        totp_secret=totp_secret,
        later=timezone.now(),
    )
