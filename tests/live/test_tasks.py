"""The beat task that ends live views and bridge presences whose process is gone."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from audit.models import AccessEvent
from cameras.access import Actor
from live import services
from live.models import LiveSession
from live.tasks import live_sessions_sweep

pytestmark = pytest.mark.django_db
LONG_AGO = dt.timedelta(hours=1)


@pytest.fixture
def live_session(make_camera: Any, actor: Actor, purpose: Any) -> LiveSession:
    camera = make_camera("live")
    start = services.live_session_start(actor=actor, purpose=purpose, camera_public_id=camera.public_id)
    assert start.session is not None
    return start.session


def _ends(session: LiveSession) -> list[tuple[str, int]]:
    events = AccessEvent.objects.filter(action="live_end", targets__contains=[session.camera_ref])
    return [(e.reason, e.details["bytes"]) for e in events]


def test_a_view_without_a_recent_heartbeat_is_ended_and_logged_once(live_session: LiveSession) -> None:
    LiveSession.objects.filter(pk=live_session.pk).update(
        heartbeat_at=timezone.now() - LONG_AGO, frames=5, bytes_sent=5000
    )

    live_sessions_sweep.apply().get()
    live_sessions_sweep.apply().get()

    assert LiveSession.objects.get(pk=live_session.pk).end_reason == "lost"
    assert _ends(live_session) == [("lost", 5000)]


def test_a_view_past_its_time_limit_is_ended(live_session: LiveSession) -> None:
    LiveSession.objects.filter(pk=live_session.pk).update(ends_at=timezone.now() - LONG_AGO)

    live_sessions_sweep.apply().get()

    assert _ends(live_session) == [("time_limit", 0)]


def test_a_view_with_a_recent_heartbeat_is_left_alone(live_session: LiveSession) -> None:
    live_sessions_sweep.apply().get()

    assert LiveSession.objects.get(pk=live_session.pk).ended_at is None
    assert _ends(live_session) == []


def test_a_view_the_owner_ended_whose_viewer_is_gone_still_gets_its_live_end(live_session: LiveSession) -> None:
    camera = live_session.camera
    assert camera is not None
    services.live_session_owner_end(owner=camera.site.owner, session_public_id=live_session.public_id)
    LiveSession.objects.filter(pk=live_session.pk).update(ended_at=timezone.now() - LONG_AGO, bytes_sent=700)

    live_sessions_sweep.apply().get()
    live_sessions_sweep.apply().get()

    assert _ends(live_session) == [("owner_ended", 700)]
