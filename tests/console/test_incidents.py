"""The console's incidents: the list, an incident's page and timeline, closing it, and the dock
of its cameras (a gate search under a purpose for the incident, logged with the incident)."""

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import Role
from audit.models import AccessEvent
from cameras import access
from incidents.models import IncidentStatus, IntegrationKind
from live import services as live_services
from tests.conftest import TenantClient
from tests.factories import console_incident_make, console_integration_make

pytestmark = pytest.mark.django_db

# The incident's point, and three cameras around it (make_camera: bearing 90°, a 90° wedge, 20 m).
# A corner of Rialto of these tests' own: other tests commit cameras near the usual centre.
POINT = (-117.3599, 34.15)
SEES_NEAR = (-117.36, 34.15)  # 9 m west of the point, looking east at it
SEES_FAR = (-117.36, 34.15003)  # 10 m away, looking east at it too
BEHIND = (-117.35985, 34.15)  # 5 m east of the point, looking away from it: the nearest pin


def _last() -> AccessEvent:
    return AccessEvent.objects.order_by("-seq").first()  # type: ignore[return-value]


@pytest.fixture
def officer_client(logged_in_staff: Any) -> TenantClient:
    client, _ = logged_in_staff(Role.OFFICER)
    return client


@pytest.fixture
def incident(in_rialto: Any) -> Any:
    return console_incident_make(
        incident_type="Shots fired", priority="1", case_number="RPD-26-0500", lon=POINT[0], lat=POINT[1]
    )


def _state_purpose(client: TenantClient, incident: Any, HTTP_ACCEPT_LANGUAGE: str = "en", **fields: str) -> Any:
    data = {"case_number": "RPD-26-0500", "category": "violent_crime", "text": "Shots fired", "authority": "consent"}
    data.update(fields)
    return client.post(
        f"/console/incidents/{incident.public_id}/purpose/", data, HTTP_ACCEPT_LANGUAGE=HTTP_ACCEPT_LANGUAGE
    )


def _rows(html: str) -> list[tuple[str, str, str]]:
    return re.findall(r'data-camera="([^"]+)" data-covers="(\d)" data-live="(\d)"', html)


def test_the_dock_first_asks_for_a_purpose_prefilled_from_the_incident(
    officer_client: TenantClient, incident: Any
) -> None:
    before = _last().seq if _last() else 0

    response = officer_client.post(f"/console/incidents/{incident.public_id}/cameras/")

    form = response.context["purpose_form"]
    assert response.status_code == 200
    assert form.initial["case_number"] == "RPD-26-0500"
    assert form.initial["text"] == "Shots fired"
    assert not AccessEvent.objects.filter(seq__gt=before, action="search").exists()


def test_without_a_case_number_the_purpose_is_prefilled_with_the_senders_id(
    officer_client: TenantClient, in_rialto: Any
) -> None:
    incident = console_incident_make(external_id="CAD-77", incident_type="Alarm")

    response = officer_client.post(f"/console/incidents/{incident.public_id}/cameras/")

    assert response.context["purpose_form"].initial["case_number"] == "CAD-77"


def test_the_dock_lists_the_cameras_that_see_the_point_first_then_the_nearest_pins_through_the_gate(
    officer_client: TenantClient, incident: Any, make_camera: Any, policy: Any
) -> None:
    policy.incident_camera_count = 2  # not an admin-editable field yet (intake's settings page)
    policy.save()
    near = make_camera("registered", lon=SEES_NEAR[0], lat=SEES_NEAR[1])
    far = make_camera("live", lon=SEES_FAR[0], lat=SEES_FAR[1], bridge_online=True)
    behind = make_camera("on_request", lon=BEHIND[0], lat=BEHIND[1])

    response = _state_purpose(officer_client, incident)

    html = response.content.decode()
    assert response.status_code == 200
    assert _rows(html) == [
        (str(near.public_id), "1", "0"),  # registered only: listed, not live-viewable
        (str(far.public_id), "1", "1"),
        (str(behind.public_id), "0", "0"),  # the nearest pin, but it looks away: after the first N
    ]
    assert "Registered only" in html
    event = _last()
    assert (event.action, event.outcome) == ("search", "allowed")
    assert access.incident_target(incident.public_id) in event.targets
    assert {f"camera:{c.public_id}" for c in (near, far, behind)} <= set(event.targets)
    assert event.details["mode"] == "incident"
    assert event.case_number == "RPD-26-0500"


def test_the_dock_offers_a_live_wall_of_the_live_cameras_and_a_canvass_of_the_requestable_ones(
    officer_client: TenantClient, incident: Any, make_camera: Any
) -> None:
    near = make_camera("registered", lon=SEES_NEAR[0], lat=SEES_NEAR[1], bridge_online=True)
    far = make_camera("live", lon=SEES_FAR[0], lat=SEES_FAR[1], bridge_online=True)
    behind = make_camera("on_request", lon=BEHIND[0], lat=BEHIND[1])

    html = _state_purpose(officer_client, incident).content.decode()

    live_form = re.search(
        r'<form method="post" action="/console/live/" id="incident-live-wall">(.*?)</form>', html, re.S
    )
    canvass = re.search(
        r'<form method="post" action="/console/footage/new/" id="incident-canvass">(.*?)</form>', html, re.S
    )
    assert live_form is not None
    assert canvass is not None
    assert re.findall(r'name="camera" value="([^"]+)"', live_form.group(1)) == [str(far.public_id)]
    assert str(near.public_id) not in canvass.group(1)
    assert set(re.findall(r'name="cameras" value="([^"]+)"', canvass.group(1))) == {
        str(far.public_id),
        str(behind.public_id),
    }


def test_the_canvass_asks_for_the_incident_time_either_side_and_lands_on_the_timeline(
    officer_client: TenantClient, incident: Any, make_camera: Any, in_rialto: Any
) -> None:
    incident_department_tz = in_rialto.time_zone
    behind = make_camera("on_request", lon=BEHIND[0], lat=BEHIND[1])
    rendered_after = timezone.now()
    html = _state_purpose(officer_client, incident).content.decode()
    form = re.search(r'id="incident-canvass">(.*?)</form>', html, re.S)
    assert form is not None
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form.group(1)))
    fields["cameras"] = str(behind.public_id)

    response = officer_client.post("/console/footage/new/", fields)

    assert response.status_code == 302, response.context.get("form") and response.context["form"].errors
    tz = ZoneInfo(incident_department_tz)
    local = incident.occurred_at.astimezone(tz).replace(second=0, microsecond=0, tzinfo=None)
    now = timezone.now().astimezone(tz).replace(second=0, microsecond=0, tzinfo=None)
    before = rendered_after.astimezone(tz).replace(second=0, microsecond=0, tzinfo=None)
    assert dt.datetime.fromisoformat(fields["window_start"]) == local - dt.timedelta(minutes=30)
    # the end is the incident's time + 30 min, or the minute the form was drawn if that is sooner
    # (a minute may turn between drawing the form and reading the clock here)
    end = dt.datetime.fromisoformat(fields["window_end"])
    assert min(local + dt.timedelta(minutes=30), before) <= end <= min(local + dt.timedelta(minutes=30), now)
    timeline = officer_client.get(f"/console/incidents/{incident.public_id}/").context["events"]
    assert [e.action for e in timeline][:2] == ["footage_request", "search"]


def test_the_timeline_lists_the_search_live_view_and_request_of_the_incident_newest_first(
    officer_client: TenantClient, incident: Any, make_camera: Any, actor: Any, in_rialto: Any
) -> None:
    camera = make_camera("live", lon=SEES_NEAR[0], lat=SEES_NEAR[1])
    _state_purpose(officer_client, incident)
    purpose = access.purpose_declare(
        actor=actor, case_number="RPD-26-0500", category="violent_crime", text="Shots", incident_ref=incident.public_id
    )
    live_services.live_session_start(actor=actor, purpose=purpose, camera_public_id=camera.public_id)
    unrelated = access.purpose_declare(actor=actor, case_number="OTHER", category="violent_crime", text="Other")
    live_services.live_session_start(actor=actor, purpose=unrelated, camera_public_id=camera.public_id)

    response = officer_client.get(f"/console/incidents/{incident.public_id}/")

    events = response.context["events"]
    assert [e.action for e in events] == ["live_start", "purpose_declare", "search", "purpose_declare"]
    assert all(access.incident_target(incident.public_id) in e.targets for e in events)
    assert b"Live view started" in response.content or b"live" in response.content.lower()


def test_another_departments_incident_is_not_found(officer_client: TenantClient, fontana: Any) -> None:
    with tenant_context(fontana):
        theirs = console_incident_make()

    paths = [f"/console/incidents/{theirs.public_id}/"]
    posts = [
        f"/console/incidents/{theirs.public_id}/close/",
        f"/console/incidents/{theirs.public_id}/cameras/",
        f"/console/incidents/{theirs.public_id}/purpose/",
    ]

    assert [officer_client.get(p).status_code for p in paths] == [404]
    assert [officer_client.post(p).status_code for p in posts] == [404, 404, 404]
    with tenant_context(fontana):
        theirs.refresh_from_db()
    assert theirs.status == IncidentStatus.OPEN


def test_a_malformed_incident_id_is_not_found(officer_client: TenantClient) -> None:
    assert officer_client.get("/console/incidents/not-an-id/").status_code == 404


def test_closing_an_incident_records_who_in_its_history_and_tells_the_page(logged_in_staff: Any, incident: Any) -> None:
    client, officer = logged_in_staff(Role.SUPERVISOR)

    response = client.post(f"/console/incidents/{incident.public_id}/close/")

    incident.refresh_from_db()
    assert response.status_code == 302
    assert (incident.status, incident.closed_by) == (IncidentStatus.CLOSED, officer)
    assert incident.history.order_by("-history_date").first().history_user == officer
    page = client.get(f"/console/incidents/{incident.public_id}/")
    assert b"Close this incident" not in page.content
    assert b"incident-history" in page.content


def test_closing_needs_the_csrf_token(logged_in_staff: Any, incident: Any) -> None:
    client, _ = logged_in_staff(Role.OFFICER)
    client.handler.enforce_csrf_checks = True

    response = client.post(f"/console/incidents/{incident.public_id}/close/")

    incident.refresh_from_db()
    assert response.status_code == 403
    assert incident.status == IncidentStatus.OPEN


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.DEPT_ADMIN, Role.OVERSIGHT])
def test_the_incident_pages_are_refused_to_anyone_but_officers_and_logged(
    logged_in_staff: Any, make_staff: Any, rialto_client: TenantClient, incident: Any, role: str
) -> None:
    from tests.conftest import login_with_mfa
    from tests.factories import UserFactory

    if role == Role.RESIDENT:
        user = UserFactory(role=role)
        rialto_client.force_login(user)
        client = rialto_client
    else:
        client, _ = logged_in_staff(role)

    pages = [client.get("/console/incidents/"), client.get(f"/console/incidents/{incident.public_id}/")]
    closing = client.post(f"/console/incidents/{incident.public_id}/close/")

    assert [r.status_code for r in pages] == [403, 403]
    assert closing.status_code == 403
    assert _last().action == "console_denied"
    assert login_with_mfa is not None


def test_the_incident_pages_are_never_stored(officer_client: TenantClient, incident: Any) -> None:
    for path in ("/console/incidents/", f"/console/incidents/{incident.public_id}/"):
        assert "no-store" in officer_client.get(path)["Cache-Control"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "closed"}, {"closed"}),
        ({"source": "gunshot"}, {"gunshot"}),
        ({"type": "burg"}, {"burglary"}),
        ({"start": "2026-03-02", "end": "2026-03-02"}, {"march"}),
        ({}, {"open", "closed", "gunshot", "burglary", "march"}),
    ],
)
def test_the_list_filters_by_status_source_type_and_dates(
    officer_client: TenantClient, in_rialto: Any, officer: Any, query: dict[str, str], expected: set[str]
) -> None:
    cad = console_integration_make()
    made = {
        "open": console_incident_make(cad, incident_type="Traffic stop"),
        "closed": console_incident_make(cad, incident_type="Noise"),
        "gunshot": console_incident_make(console_integration_make(kind=IntegrationKind.GUNSHOT), incident_type="Shots"),
        "burglary": console_incident_make(cad, incident_type="Burglary in progress"),
        "march": console_incident_make(
            cad, incident_type="Old", occurred_at=dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)
        ),
    }
    from incidents.services import incident_close

    incident_close(incident=made["closed"], by=officer)
    names = {str(incident.public_id): name for name, incident in made.items()}

    response = officer_client.get("/console/incidents/", query)

    shown = {names[i] for i in re.findall(r'data-incident="([^"]+)"', response.content.decode()) if i in names}
    assert shown == expected


def test_a_date_range_that_ends_before_it_starts_is_named(officer_client: TenantClient) -> None:
    response = officer_client.get("/console/incidents/", {"start": "2026-03-02", "end": "2026-03-01"})

    assert response.status_code == 400
    assert "before the start" in str(response.context["form"].errors["end"])


def test_the_list_costs_the_same_queries_for_a_full_page_as_for_one_incident(
    officer_client: TenantClient, in_rialto: Any
) -> None:
    cad = console_integration_make()
    console_incident_make(cad)
    officer_client.get("/console/incidents/")
    with CaptureQueriesContext(connection) as one:
        officer_client.get("/console/incidents/")
    for _ in range(30):
        console_incident_make(cad)

    with CaptureQueriesContext(connection) as full:
        response = officer_client.get("/console/incidents/?page=1")

    assert len(response.context["page"]) == 25
    assert len(full) == len(one)


def test_the_map_starts_its_incident_panel_from_the_open_incidents_of_its_own_department(
    officer_client: TenantClient, in_rialto: Any, officer: Any, fontana: Any
) -> None:
    officer_client.post(
        "/console/purpose/",
        {"case_number": "RPD-1", "category": "property_crime", "text": "Burglary", "authority": "consent"},
    )
    open_one = console_incident_make(incident_type="Open one")
    closed_one = console_incident_make(incident_type="Closed one")
    from incidents.services import incident_close

    incident_close(incident=closed_one, by=officer)
    with tenant_context(fontana):
        theirs = console_incident_make(incident_type="Fontana's")

    response = officer_client.get("/console/")

    shown = {i["id"] for i in response.context["open_incidents"]}
    assert str(open_one.public_id) in shown
    assert str(closed_one.public_id) not in shown
    assert str(theirs.public_id) not in shown
    assert b'id="open-incidents"' in response.content
    assert b'data-socket="/ws/console/incidents/"' in response.content


def test_the_docks_live_wall_opens_with_one_click_under_the_incidents_purpose(
    officer_client: TenantClient, incident: Any, make_camera: Any
) -> None:
    live = make_camera("live", lon=SEES_FAR[0], lat=SEES_FAR[1], bridge_online=True)
    html = _state_purpose(officer_client, incident).content.decode()
    form = re.search(r'id="incident-live-wall">(.*?)</form>', html, re.S)
    assert form is not None
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form.group(1)))

    opened = officer_client.post("/console/live/", fields)
    page = officer_client.get(opened["Location"])

    assert opened.status_code == 302
    assert page.status_code == 200
    assert page.context["cameras"] == [str(live.public_id)]
    assert page.context["purpose"].incident_ref == incident.public_id


def test_an_exigent_purpose_awaiting_approval_lists_emergency_only_cameras_but_not_for_live_view(
    officer_client: TenantClient, incident: Any, make_camera: Any, in_rialto: Any
) -> None:
    from tenants.services import policy_update

    policy_update(department=in_rialto, actor=None, exigent_requires_approval=True)
    emergency = make_camera("live_exigent", lon=SEES_NEAR[0], lat=SEES_NEAR[1], bridge_online=True)

    response = _state_purpose(officer_client, incident, category="missing_person", authority="exigent")

    html = response.content.decode()
    assert _rows(html) == [(str(emergency.public_id), "1", "0")]
    assert "waits for a supervisor's approval" in html
    assert 'id="incident-live-wall"' not in html


def test_the_incident_pages_and_the_dock_are_in_spanish_for_a_spanish_browser(
    officer_client: TenantClient, incident: Any, make_camera: Any
) -> None:
    make_camera("live", lon=SEES_NEAR[0], lat=SEES_NEAR[1])

    listing = officer_client.get("/console/incidents/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    page = officer_client.get(f"/console/incidents/{incident.public_id}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    dock = _state_purpose(officer_client, incident, HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert "Cualquier origen" in listing
    assert "Incidente RPD-26-0500" in page
    assert "Cronología" in page
    assert "Mostrar las cámaras cercanas a este incidente" in page
    assert "Timeline" not in page
    assert "Propósito: caso RPD-26-0500, para este incidente" in dock
    assert "Ve el incidente" in dock
