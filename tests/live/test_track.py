"""Reading back the track of a past live view of a mobile camera (issue 17): who may read it,
that every reading is one logged decision, and that what is not the reader's is a 404."""

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import Role
from audit.models import AccessEvent
from cameras.access import Actor, purpose_declare
from cameras.models import Camera
from cameras.services import consent_revoke
from live import services as live_services
from live.models import LiveSession
from live.positions import position_parse, position_record
from tenants.models import Department
from tests.conftest import TenantClient
from tests.factories import UserFactory, mobile_source_make

pytestmark = pytest.mark.django_db


def _watch(department: Department, officer: Any, *, lats: tuple[float, ...], lon: float = -117.38) -> LiveSession:
    """A live view of a new mobile camera of ``department`` by ``officer``, during which the
    camera reported ``lats`` (a second apart, going north), then ended. The view is dated back
    a minute, so that its positions can be in the past and inside it."""
    camera, issued = mobile_source_make(department, lon=lon, lat=lats[0])
    actor = Actor(user=officer, mfa=True, session_hash="t" * 64)
    purpose = purpose_declare(actor=actor, case_number="RPD-26-7", category="property_crime", text="Pursuit")
    start = live_services.live_session_start(actor=actor, purpose=purpose, camera_public_id=camera.public_id)
    assert start.session is not None, start.decision
    now = timezone.now()
    LiveSession.objects.filter(pk=start.session.pk).update(started_at=now - dt.timedelta(minutes=1))
    for i, lat in enumerate(lats):
        message = {
            "type": "position",
            "camera": str(camera.public_id),
            "lat": lat,
            "lon": lon,
            "heading": 0,
            "time": (now - dt.timedelta(seconds=len(lats) - i)).isoformat(),
        }
        assert position_record(bridge_id=issued.bridge.pk, position=position_parse(message, now=now)).watched
    live_services.live_session_end(actor=actor, session_id=start.session.pk, reason="viewer_left")
    return LiveSession.objects.get(pk=start.session.pk)


def _url(session: LiveSession) -> str:
    return f"/console/live/sessions/{session.public_id}/track/"


def _stated(client: TenantClient) -> TenantClient:
    response = client.post(
        "/console/purpose/",
        {"case_number": "RPD-26-7", "category": "property_crime", "text": "Pursuit review", "authority": "consent"},
    )
    assert response.status_code == 302
    return client


def _last_track_event() -> AccessEvent:
    return AccessEvent.objects.filter(action="track_read").order_by("-seq").first()  # type: ignore[return-value]


def test_the_officer_who_watched_reads_the_track_as_a_table_and_the_reading_is_logged(
    logged_in_staff: Any, rialto: Department
) -> None:
    client, officer = logged_in_staff(Role.OFFICER)
    session = _watch(rialto, officer, lats=(34.1000, 34.1002, 34.1004))

    response = _stated(client).get(_url(session))

    assert response.status_code == 200
    page = response.content.decode()
    assert page.index("34.100000") < page.index("34.100200") < page.index("34.100400")
    assert 'id="track-line"' in page
    assert "track.js" in page
    assert "no-store" in response["Cache-Control"]
    event = _last_track_event()
    assert (event.outcome, event.quantity, event.actor_id) == ("allowed", 3, officer.pk)
    assert event.targets[:2] == [f"live_session:{session.public_id}", session.camera_ref]


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.DEPT_ADMIN, Role.OVERSIGHT])
def test_supervisors_administrators_and_the_board_read_any_session_of_the_department(
    logged_in_staff: Any, rialto: Department, role: str
) -> None:
    session = _watch(rialto, UserFactory(role=Role.OFFICER), lats=(34.1, 34.1001))
    client, reader = logged_in_staff(role)
    if role == Role.SUPERVISOR:
        _stated(client)

    response = client.get(_url(session))

    assert response.status_code == 200
    assert (_last_track_event().outcome, _last_track_event().actor_id) == ("allowed", reader.pk)


@pytest.mark.parametrize("role", [Role.OFFICER, Role.RESIDENT])
def test_another_officers_session_or_a_resident_gets_404_and_the_refusal_is_logged(
    logged_in_staff: Any, rialto_client: TenantClient, rialto: Department, role: str
) -> None:
    session = _watch(rialto, UserFactory(role=Role.OFFICER), lats=(34.1,))
    if role == Role.RESIDENT:
        client = rialto_client
        client.force_login(UserFactory(role=Role.RESIDENT))
    else:
        client, _ = logged_in_staff(role)
        _stated(client)

    response = client.get(_url(session))

    assert response.status_code == 404
    assert "34.100000" not in response.content.decode()
    event = _last_track_event()
    assert (event.outcome, event.reason, event.quantity) == ("denied", "role_not_permitted", None)


def test_another_departments_session_id_is_404_and_logged_as_any_unknown_id(
    logged_in_staff: Any, rialto: Department, fontana: Department
) -> None:
    client, _ = logged_in_staff(Role.SUPERVISOR)
    _stated(client)
    connection.set_tenant(fontana)  # type: ignore[attr-defined]
    theirs = _watch(fontana, UserFactory(role=Role.OFFICER), lats=(34.1,), lon=-117.45)
    connection.set_tenant(rialto)  # type: ignore[attr-defined]

    foreign = client.get(_url(theirs))
    foreign_event = _last_track_event()
    unknown = client.get("/console/live/sessions/00000000-0000-4000-8000-000000000000/track/")
    unknown_event = _last_track_event()

    assert (foreign.status_code, unknown.status_code) == (404, 404)
    assert (foreign_event.outcome, foreign_event.reason, foreign_event.targets) == ("denied", "not_found", [])
    assert (unknown_event.reason, unknown_event.targets) == ("not_found", [])
    assert foreign_event.details == {"asked_for": str(theirs.public_id)}


def test_an_officer_without_a_stated_purpose_is_sent_to_state_one(logged_in_staff: Any, rialto: Department) -> None:
    client, officer = logged_in_staff(Role.OFFICER)
    session = _watch(rialto, officer, lats=(34.1,))

    response = client.get(_url(session))

    assert (response.status_code, response["Location"]) == (302, "/console/purpose/")
    assert _last_track_event().reason == "purpose_required"


def test_the_track_outlives_the_cameras_consent_being_withdrawn(logged_in_staff: Any, rialto: Department) -> None:
    session = _watch(rialto, UserFactory(role=Role.OFFICER), lats=(34.1, 34.1001))
    camera = Camera.objects.select_related("site__owner").get(pk=session.camera_id or 0)
    consent_revoke(owner=camera.site.owner, camera=camera)  # as retiring the camera does
    client, _ = logged_in_staff(Role.OVERSIGHT)

    response = client.get(_url(session))

    assert response.status_code == 200
    assert "34.100100" in response.content.decode()


def test_the_camera_page_lists_an_officers_own_views_of_a_mobile_camera_with_a_link_to_each_track(
    logged_in_staff: Any, rialto: Department
) -> None:
    client, officer = logged_in_staff(Role.OFFICER)
    mine = _watch(rialto, officer, lats=(34.1,))
    _stated(client)
    camera_page = client.get(f"/console/cameras/{mine.camera.public_id}/")  # type: ignore[union-attr]

    listing = client.get(f"/console/live/cameras/{mine.camera.public_id}/tracks/")  # type: ignore[union-attr]

    assert f"/console/live/cameras/{mine.camera.public_id}/tracks/" in camera_page.content.decode()  # type: ignore[union-attr]
    assert listing.status_code == 200
    assert _url(mine) in listing.content.decode()
    event = _last_track_event()
    assert (event.outcome, event.quantity, event.details) == ("allowed", 1, {"list": "sessions"})


def test_the_track_page_is_in_spanish(logged_in_staff: Any, rialto: Department) -> None:
    session = _watch(rialto, UserFactory(role=Role.OFFICER), lats=(34.1, 34.1001))
    client, _ = logged_in_staff(Role.OVERSIGHT)

    page = client.get(_url(session), HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert "Recorrido de Body camera 12 durante una transmisión en vivo" in page
    assert "2 posiciones informadas mientras la transmisión estaba abierta" in page
    assert "Positions" not in page
    assert "Watched by" not in page
