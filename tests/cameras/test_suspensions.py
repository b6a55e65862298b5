"""Pause all, revoke all, resume all and timed pauses: exact restores, the owner's later word wins."""

import datetime as dt
import time
from typing import Any

import pytest
from django.utils import timezone

from cameras import access, suspensions
from cameras import services as camera_services
from cameras.access import Actor
from cameras.models import Camera, ConsentGrant
from cameras.tasks import suspensions_expire as suspensions_expire_task
from live import services as live_services
from tests.factories import camera_make

pytestmark = pytest.mark.django_db

NIGHTS = [{"day": 4, "start": "22:00", "end": "06:00", "next_day": True}]


def _consent(grant: ConsentGrant) -> tuple[Any, ...]:
    return (grant.level, grant.windows, grant.expires_at, grant.max_live_minutes, grant.notify_on_access)


def _fresh(camera: Camera) -> Camera:
    return Camera.objects.select_related("site", "consent").get(pk=camera.pk)


def test_resume_all_restores_each_revoked_consent_exactly(make_camera: Any) -> None:
    expires = timezone.now() + dt.timedelta(days=30)
    camera = make_camera("live", windows=NIGHTS, expires_at=expires, max_live_minutes=5, notify_on_access=True)
    before = _consent(camera.consent)
    owner = camera.site.owner

    revoked = suspensions.consents_revoke_all(owner=owner)
    during = _fresh(camera).consent.revoked_at
    result = suspensions.suspensions_resume_all(owner=owner)

    grant = ConsentGrant.objects.get(camera=camera)
    assert (revoked, during is not None) == (1, True)
    assert result == suspensions.ResumeResult(restored=1, kept=0)
    assert (_consent(grant), grant.revoked_at) == (before, None)
    assert [h.history_change_reason for h in grant.history.order_by("-history_id")[:2]] == [
        "Resume all",
        "Revoke all",
    ]
    assert grant.history.latest().history_user == owner


def test_resume_all_leaves_a_camera_the_owner_changed_meanwhile_as_the_owner_left_it(
    make_camera: Any, policy: Any, in_rialto: Any
) -> None:
    first = make_camera("live", windows=NIGHTS)
    owner = first.site.owner
    second = camera_make(owner, in_rialto, site=first.site)
    camera_services.consent_set(owner=owner, camera=second, policy=policy, level="on_request")
    suspensions.consents_revoke_all(owner=owner)
    camera_services.consent_set(owner=owner, camera=first, policy=policy, level="registered")
    camera_services.consent_revoke(owner=owner, camera=first)

    result = suspensions.suspensions_resume_all(owner=owner)

    assert result == suspensions.ResumeResult(restored=1, kept=1)
    changed = ConsentGrant.objects.get(camera=first)
    assert (changed.level, changed.windows, changed.revoked_at is not None) == ("registered", [], True)
    untouched = ConsentGrant.objects.get(camera=second)
    assert (untouched.level, untouched.revoked_at) == ("on_request", None)


def test_a_consent_already_withdrawn_before_revoke_all_stays_withdrawn(make_camera: Any) -> None:
    camera = make_camera("live")
    owner = camera.site.owner
    camera_services.consent_revoke(owner=owner, camera=camera)

    suspensions.consents_revoke_all(owner=owner)
    suspensions.suspensions_resume_all(owner=owner)

    assert ConsentGrant.objects.get(camera=camera).revoked_at is not None


def test_a_consent_that_expired_while_revoked_is_still_expired_after_resume(
    make_camera: Any, actor: Actor, purpose: Any
) -> None:
    camera = make_camera("on_request", expires_at=timezone.now() + dt.timedelta(seconds=1))
    owner = camera.site.owner
    suspensions.consents_revoke_all(owner=owner)
    time.sleep(1.1)  # the consent's end passes while it is withdrawn

    suspensions.suspensions_resume_all(owner=owner)

    decision = access.authorize(actor=actor, action="footage_request", purpose=purpose, camera=_fresh(camera))
    assert (decision.allowed, decision.reason) == (False, "expired")


def test_a_timed_pause_ends_by_itself_and_the_gate_refuses_until_then(
    make_camera: Any, actor: Actor, purpose: Any
) -> None:
    camera = make_camera("on_request")
    owner = camera.site.owner
    start = timezone.now()

    suspensions.cameras_pause_all(owner=owner, duration=dt.timedelta(hours=24))
    during = access.authorize(actor=actor, action="footage_request", purpose=purpose, camera=_fresh(camera))
    not_yet = suspensions.suspensions_expire(now=start + dt.timedelta(hours=23, minutes=59))
    ended = suspensions.suspensions_expire(now=start + dt.timedelta(hours=24, seconds=1))
    again = suspensions.suspensions_expire(now=start + dt.timedelta(hours=25))
    after = access.authorize(actor=actor, action="footage_request", purpose=purpose, camera=_fresh(camera))

    assert (during.allowed, during.reason) == (False, "paused")
    assert (not_yet, ended, again) == (0, 1, 0)
    assert _fresh(camera).status == "active"
    assert _fresh(camera).history.latest().history_change_reason == "Pause ended by itself"
    assert after.allowed


def test_the_beat_task_ends_a_pause_whose_time_has_come(make_camera: Any) -> None:
    camera = make_camera("on_request")
    suspensions.cameras_pause_all(owner=camera.site.owner, duration=dt.timedelta(microseconds=1))

    ended = suspensions_expire_task.apply().get()

    assert ended == 1
    assert _fresh(camera).status == "active"


def test_a_camera_resumed_by_hand_and_paused_again_during_a_timed_pause_stays_paused(make_camera: Any) -> None:
    camera = make_camera("on_request")
    owner = camera.site.owner
    suspensions.cameras_pause_all(owner=owner, duration=dt.timedelta(hours=24))
    camera_services.camera_status_set(owner=owner, camera=camera, status="active")
    camera_services.camera_status_set(owner=owner, camera=camera, status="paused")

    ended = suspensions.suspensions_expire(now=timezone.now() + dt.timedelta(days=2))

    assert ended == 1
    assert _fresh(camera).status == "paused"


def test_a_camera_paused_before_pause_all_stays_paused_after_resume_all(make_camera: Any) -> None:
    camera = make_camera("on_request")
    owner = camera.site.owner
    camera_services.camera_status_set(owner=owner, camera=camera, status="paused")

    suspensions.cameras_pause_all(owner=owner)
    result = suspensions.suspensions_resume_all(owner=owner)

    assert result == suspensions.ResumeResult(restored=0, kept=0)
    assert _fresh(camera).status == "paused"


def test_resume_all_touches_only_the_owners_own_suspensions(make_camera: Any) -> None:
    mine, theirs = make_camera("live"), make_camera("live")
    suspensions.consents_revoke_all(owner=theirs.site.owner)

    suspensions.suspensions_resume_all(owner=mine.site.owner)

    assert ConsentGrant.objects.get(camera=theirs).revoked_at is not None


@pytest.mark.parametrize("bulk", ["pause", "revoke"])
def test_pausing_or_revoking_all_ends_an_open_live_view(
    make_camera: Any, actor: Actor, purpose: Any, bulk: str
) -> None:
    camera = make_camera("live", kind="business")
    start = live_services.live_session_start(actor=actor, purpose=purpose, camera_public_id=camera.public_id)
    assert start.session is not None

    if bulk == "pause":
        suspensions.cameras_pause_all(owner=camera.site.owner, duration=dt.timedelta(hours=24))
    else:
        suspensions.consents_revoke_all(owner=camera.site.owner)
    check = live_services.live_session_check(actor=actor, session_id=start.session.pk, heartbeat=False)

    assert check.reason == "consent"


def test_a_timed_pause_resumed_by_hand_is_not_resumed_again_when_its_time_comes(make_camera: Any) -> None:
    camera = make_camera("on_request")
    owner = camera.site.owner
    suspensions.cameras_pause_all(owner=owner, duration=dt.timedelta(hours=24))
    suspensions.suspensions_resume_all(owner=owner)
    camera_services.camera_status_set(owner=owner, camera=camera, status="paused")

    ended = suspensions.suspensions_expire(now=timezone.now() + dt.timedelta(days=2))

    assert ended == 0
    assert _fresh(camera).status == "paused"
