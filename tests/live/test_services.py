"""Live sessions as services: extensions through the gate, and the end of a view logged once."""

from typing import Any

import pytest

from audit.models import AccessEvent
from cameras import services as camera_services
from cameras.access import Actor
from live import services
from live.models import LiveSession

pytestmark = pytest.mark.django_db


@pytest.fixture
def live_session(make_camera: Any, actor: Actor, purpose: Any) -> LiveSession:
    camera = make_camera("live")
    start = services.live_session_start(actor=actor, purpose=purpose, camera_public_id=camera.public_id)
    assert start.session is not None
    return start.session


def test_extending_a_view_logs_live_extend_not_a_second_live_start(live_session: LiveSession, actor: Actor) -> None:
    decision, session = services.live_session_extend(
        actor=actor, session_id=live_session.pk, reason="Suspect still on scene"
    )

    event = AccessEvent.objects.latest("seq")
    assert decision.allowed
    assert session.extensions == 1
    assert (event.action, event.outcome, event.targets) == ("live_extend", "allowed", [live_session.camera_ref])
    assert (event.quantity, event.quantity_unit) == (live_session.limit_seconds, "seconds")
    assert event.details == {"extension": 1, "reason": "Suspect still on scene"}
    assert AccessEvent.objects.filter(action="live_start", targets__contains=[live_session.camera_ref]).count() == 1


def test_an_extension_is_refused_and_logged_when_consent_was_revoked_meanwhile(
    live_session: LiveSession, actor: Actor
) -> None:
    camera = live_session.camera
    assert camera is not None
    camera_services.consent_revoke(owner=camera.site.owner, camera=camera)

    decision, session = services.live_session_extend(actor=actor, session_id=live_session.pk, reason="More time")

    event = AccessEvent.objects.latest("seq")
    assert (decision.allowed, decision.reason) == (False, "revoked")
    assert (event.action, event.outcome, event.reason) == ("live_extend", "denied", "revoked")
    assert (session.extensions, session.ends_at) == (0, live_session.ends_at)


def test_the_owner_ending_a_view_leaves_its_live_end_to_the_viewer(live_session: LiveSession) -> None:
    camera = live_session.camera
    assert camera is not None

    services.live_session_owner_end(owner=camera.site.owner, session_public_id=live_session.public_id)
    first = services.live_session_end(
        actor=None, session_id=live_session.pk, reason="viewer_left", frames=3, bytes_sent=6000
    )
    second = services.live_session_end(actor=None, session_id=live_session.pk, reason="viewer_left")

    ends = list(AccessEvent.objects.filter(action="live_end", targets__contains=[live_session.camera_ref]))
    assert (first, second) == (True, False)
    assert [(e.reason, e.details["bytes"]) for e in ends] == [("owner_ended", 6000)]
    assert LiveSession.objects.get(pk=live_session.pk).end_reason == "owner_ended"


def test_the_end_of_a_view_names_the_consent_in_force_as_the_start_did(live_session: LiveSession) -> None:
    services.live_session_end(actor=None, session_id=live_session.pk, reason="viewer_left")

    start = AccessEvent.objects.get(seq=live_session.start_event_seq)
    end = AccessEvent.objects.get(action="live_end", targets__contains=[live_session.camera_ref])
    assert start.consent_history_id is not None
    assert (end.consent_level, end.consent_history_id) == (start.consent_level, start.consent_history_id)


def test_the_end_of_a_view_whose_camera_was_deleted_names_the_consent_of_its_start(live_session: LiveSession) -> None:
    camera = live_session.camera
    assert camera is not None
    camera_services.camera_delete(owner=camera.site.owner, camera=camera)
    services.live_session_end(actor=None, session_id=live_session.pk, reason="viewer_left")

    start = AccessEvent.objects.get(seq=live_session.start_event_seq)
    end = AccessEvent.objects.get(action="live_end", targets__contains=[live_session.camera_ref])
    assert (end.consent_level, end.consent_history_id) == (start.consent_level, start.consent_history_id)


def test_rechecking_an_open_view_reads_a_few_rows_and_writes_nothing(
    live_session: LiveSession, actor: Actor, django_assert_max_num_queries: Any
) -> None:
    events = AccessEvent.objects.count()
    heartbeat = LiveSession.objects.get(pk=live_session.pk).heartbeat_at

    with django_assert_max_num_queries(5) as captured:
        check = services.live_session_check(actor=actor, session_id=live_session.pk, heartbeat=False)

    assert check.reason is None
    assert not [q["sql"] for q in captured.captured_queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert AccessEvent.objects.count() == events
    assert LiveSession.objects.get(pk=live_session.pk).heartbeat_at == heartbeat
