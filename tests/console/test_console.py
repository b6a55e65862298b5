"""Console pages and the staff API: purpose first, every read through the gate, logged."""

import csv
import html
import io
import json
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import Role
from accounts.services import api_token_issue
from audit.models import AccessEvent
from tests.conftest import TenantClient
from tests.factories import PASSWORD, UserFactory, totp_enable


def _last() -> AccessEvent:
    return AccessEvent.objects.order_by("-seq").first()  # type: ignore[return-value]


@pytest.fixture
def officer_client(logged_in_staff: Any) -> TenantClient:
    client, _ = logged_in_staff(Role.OFFICER)
    return client


@pytest.fixture
def with_purpose(officer_client: TenantClient) -> TenantClient:
    response = officer_client.post(
        "/console/purpose/",
        {"case_number": "RPD-1", "category": "property_crime", "text": "Burglary on Cedar", "authority": "consent"},
    )
    assert response.status_code == 302
    return officer_client


def test_the_map_asks_for_a_purpose_first(officer_client: TenantClient) -> None:
    response = officer_client.get("/console/")

    assert response.status_code == 302
    assert response["Location"] == "/console/purpose/"


def test_a_purpose_without_case_number_is_refused_on_its_field(officer_client: TenantClient) -> None:
    response = officer_client.post(
        "/console/purpose/", {"case_number": "", "category": "property_crime", "text": "x", "authority": "consent"}
    )

    assert response.status_code == 400
    assert "case or incident number" in str(response.context["form"].errors["case_number"])


def test_a_prohibited_purpose_is_refused_and_logged(officer_client: TenantClient) -> None:
    response = officer_client.post(
        "/console/purpose/", {"case_number": "X", "category": "immigration_status", "text": "x", "authority": "consent"}
    )

    assert response.status_code == 400
    assert (_last().reason, _last().outcome) == ("prohibited_purpose", "denied")


def test_map_and_search_work_after_a_purpose(with_purpose: TenantClient, make_camera: Any) -> None:
    make_camera("on_request", lon=-117.3801, lat=34.1001)

    page = with_purpose.get("/console/")
    data = with_purpose.post("/console/map-data/", {"bbox": "-117.42,34.05,-117.33,34.17"})
    results = with_purpose.post(
        "/console/search/", {"lat": "34.10", "lon": "-117.38", "radius_m": "300", "mode": "pin"}
    )

    assert page.status_code == 200
    assert len(data.json()["cameras"]) >= 1
    assert results.status_code == 200
    assert b"Footage on request" in results.content
    assert _last().action == "search"


def test_map_data_query_count_does_not_grow_with_cameras(with_purpose: TenantClient, make_camera: Any) -> None:
    make_camera("on_request")
    with CaptureQueriesContext(connection) as few:
        with_purpose.post("/console/map-data/", {"bbox": "-117.42,34.05,-117.33,34.17"})
    for offset in range(8):
        make_camera("on_request", lon=-117.38 + offset * 0.001)

    with CaptureQueriesContext(connection) as many:
        response = with_purpose.post("/console/map-data/", {"bbox": "-117.42,34.05,-117.33,34.17"})

    assert len(response.json()["cameras"]) >= 9
    assert len(many.captured_queries) == len(few.captured_queries)


def test_search_query_count_does_not_grow_with_results(with_purpose: TenantClient, make_camera: Any) -> None:
    make_camera("on_request")
    params = {"lat": "34.10", "lon": "-117.38", "radius_m": "2000", "mode": "pin"}
    with CaptureQueriesContext(connection) as few:
        with_purpose.post("/console/search/", params)
    for offset in range(8):
        make_camera("live", lon=-117.38 + offset * 0.001)

    with CaptureQueriesContext(connection) as many:
        with_purpose.post("/console/search/", params)

    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.parametrize(
    "params",
    [
        {"lat": "34.10", "lon": "-117.38"},
        {"lat": "95", "lon": "-117.38", "radius_m": "100"},
        {"lat": "34.10", "lon": "-117.38", "radius_m": "50000"},
        {"polygon": "{not json"},
        {"polygon": json.dumps({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]})},
    ],
)
def test_bad_search_areas_get_a_clear_message(with_purpose: TenantClient, params: dict[str, str]) -> None:
    response = with_purpose.post("/console/search/", params)

    assert response.status_code == 400
    assert b"errorlist" in response.content


def test_export_is_a_csv_logged_as_export(with_purpose: TenantClient, make_camera: Any) -> None:
    make_camera("on_request", share_contact=True)

    response = with_purpose.post("/console/search/export.csv", {"lat": "34.10", "lon": "-117.38", "radius_m": "300"})

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert response["Content-Type"] == "text/csv"
    assert rows[0][0] == "camera_id"
    assert len(rows) >= 2
    assert _last().action == "export"


def test_a_plain_link_to_the_canvass_export_logs_nothing(with_purpose: TenantClient, make_camera: Any) -> None:
    # given another page that links, redirects or prefetches a signed-in officer to the export
    make_camera("on_request", share_contact=True)
    before = AccessEvent.objects.filter(action="export").count()

    # when the browser follows it (a GET, which SameSite=Lax cookies allow)
    response = with_purpose.get("/console/search/export.csv", {"lat": "34.10", "lon": "-117.38", "radius_m": "300"})

    # then nothing is exported, logged or notified on the officer's name
    assert response.status_code == 405
    assert AccessEvent.objects.filter(action="export").count() == before


def test_a_canvass_export_without_the_csrf_token_exports_nothing(with_purpose: TenantClient, make_camera: Any) -> None:
    make_camera("on_request", share_contact=True)
    before = AccessEvent.objects.filter(action="export").count()
    with_purpose.handler.enforce_csrf_checks = True

    response = with_purpose.post("/console/search/export.csv", {"lat": "34.10", "lon": "-117.38", "radius_m": "300"})

    assert response.status_code == 403
    assert AccessEvent.objects.filter(action="export").count() == before


def test_the_results_export_the_searched_area_by_a_form_with_the_csrf_token(
    with_purpose: TenantClient, make_camera: Any
) -> None:
    make_camera("on_request")
    polygon = json.dumps(
        {"type": "Polygon", "coordinates": [[[-117.39, 34.09], [-117.37, 34.09], [-117.38, 34.11], [-117.39, 34.09]]]}
    )
    results = with_purpose.post("/console/search/", {"polygon": polygon, "mode": "fov"}).content.decode()
    form = re.search(r'<form method="post" action="/console/search/export.csv"[^>]*>(.*?)</form>', results, re.S)
    assert form is not None
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(1)))
    with_purpose.handler.enforce_csrf_checks = True

    response = with_purpose.post("/console/search/export.csv", {k: html.unescape(v) for k, v in fields.items()})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert _last().action == "export"
    assert _last().details["mode"] == "fov"


def test_a_plain_link_to_the_console_search_logs_nothing(with_purpose: TenantClient, make_camera: Any) -> None:
    # given another page that links, redirects or prefetches a signed-in officer to a search
    make_camera("on_request")
    before = AccessEvent.objects.filter(action="search").count()

    # when the browser follows it (a GET, which SameSite=Lax cookies allow)
    response = with_purpose.get("/console/search/", {"lat": "34.10", "lon": "-117.38", "radius_m": "300"})

    # then nothing is searched, logged or notified on the officer's name
    assert response.status_code == 405
    assert AccessEvent.objects.filter(action="search").count() == before


def test_a_plain_link_to_the_map_data_logs_no_map_view(with_purpose: TenantClient, make_camera: Any) -> None:
    # given another page that links or prefetches a signed-in officer to the map's data
    make_camera("on_request")
    before = AccessEvent.objects.filter(action="map_view").count()

    # when the browser follows it (a GET, which SameSite=Lax cookies allow)
    response = with_purpose.get("/console/map-data/", {"bbox": "-117.42,34.05,-117.33,34.17"})

    # then no viewing of the map is logged on the officer's name
    assert response.status_code == 405
    assert AccessEvent.objects.filter(action="map_view").count() == before


def test_map_data_without_the_csrf_token_is_refused(with_purpose: TenantClient) -> None:
    before = AccessEvent.objects.filter(action="map_view").count()
    with_purpose.handler.enforce_csrf_checks = True

    response = with_purpose.post("/console/map-data/", {"bbox": "-117.42,34.05,-117.33,34.17"})

    assert response.status_code == 403
    assert AccessEvent.objects.filter(action="map_view").count() == before


def test_a_console_search_without_the_csrf_token_searches_nothing(with_purpose: TenantClient, make_camera: Any) -> None:
    make_camera("on_request")
    before = AccessEvent.objects.filter(action="search").count()
    with_purpose.handler.enforce_csrf_checks = True

    response = with_purpose.post("/console/search/", {"lat": "34.10", "lon": "-117.38", "radius_m": "300"})

    assert response.status_code == 403
    assert AccessEvent.objects.filter(action="search").count() == before


def test_the_map_searches_by_a_form_posting_the_csrf_token(with_purpose: TenantClient, make_camera: Any) -> None:
    make_camera("on_request")
    page = with_purpose.get("/console/").content.decode()
    form = re.search(r'<form id="area-form"[^>]*hx-post="/console/search/"[^>]*>(.*?)</form>', page, re.S)
    assert form is not None
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.group(1))
    assert token is not None
    with_purpose.handler.enforce_csrf_checks = True

    response = with_purpose.post(
        "/console/search/",
        {"csrfmiddlewaretoken": token.group(1), "lat": "34.10", "lon": "-117.38", "radius_m": "300", "mode": "pin"},
    )

    assert response.status_code == 200
    assert _last().action == "search"


def test_camera_detail_is_logged_as_camera_view(with_purpose: TenantClient, make_camera: Any) -> None:
    camera = make_camera("live")

    response = with_purpose.get(f"/console/cameras/{camera.public_id}/")

    assert response.status_code == 200
    assert (_last().action, _last().targets) == ("camera_view", [f"camera:{camera.public_id}"])


def test_owner_contact_is_shown_only_when_shared(with_purpose: TenantClient, make_camera: Any) -> None:
    shared = make_camera("registered", share_contact=True)
    private = make_camera("registered", share_contact=False)

    shown = with_purpose.post(f"/console/cameras/{shared.public_id}/contact/")
    refused = with_purpose.post(f"/console/cameras/{private.public_id}/contact/")

    assert shared.site.owner.email.encode() in shown.content
    assert refused.status_code == 403
    assert private.site.owner.email.encode() not in refused.content


def test_unknown_camera_id_is_404_and_logged(with_purpose: TenantClient) -> None:
    response = with_purpose.get("/console/cameras/00000000-0000-0000-0000-000000000000/")

    assert response.status_code == 404
    assert _last().reason == "not_found"


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.BUSINESS])
@pytest.mark.parametrize(
    "path", ["/console/", "/console/purpose/", "/console/search/?lat=34.1&lon=-117.38&radius_m=100"]
)
def test_owners_cannot_reach_the_console_and_the_attempt_is_logged(
    in_rialto: Any, rialto_client: TenantClient, role: str, path: str
) -> None:
    rialto_client.force_login(UserFactory(role=role))

    response = rialto_client.get(path)

    assert response.status_code == 403
    assert (_last().action, _last().actor_role) == ("console_denied", role)


@pytest.mark.parametrize("role", [Role.OVERSIGHT, Role.DEPT_ADMIN])
def test_oversight_and_admins_cannot_search(logged_in_staff: Any, role: str) -> None:
    client, _ = logged_in_staff(role)

    response = client.post("/console/search/", {"lat": "34.1", "lon": "-117.38", "radius_m": "100"})

    assert response.status_code == 403
    assert _last().action == "console_denied"


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.BUSINESS, Role.OVERSIGHT, Role.DEPT_ADMIN])
@pytest.mark.parametrize(("method", "path"), [("get", "/api/v1/cameras/search/"), ("post", "/api/v1/purposes/")])
def test_the_staff_api_refuses_other_roles_and_the_attempt_is_logged(
    in_rialto: Any, rialto_client: TenantClient, role: str, method: str, path: str
) -> None:
    user = UserFactory(role=role)
    totp_enable(user)  # staff mint tokens only with MFA; owners may have it too
    token = api_token_issue(user=user, name="cli").raw
    params = {"lat": "34.1", "lon": "-117.38", "radius_m": "100", "case_number": "1", "category": "violent_crime"}

    response = getattr(rialto_client, method)(path, params, HTTP_AUTHORIZATION=f"Token {token}")

    assert response.status_code == 403
    assert (_last().action, _last().actor_id, _last().details) == ("console_denied", user.pk, {"path": path})


@pytest.mark.parametrize(
    "path",
    [
        "/console/",
        "/console/search/?lat=34.1&lon=-117.38&radius_m=100",
        "/console/footage/",
        "/api/v1/cameras/search/?lat=34.1&lon=-117.38&radius_m=100",
    ],
)
def test_an_officer_whose_session_has_not_passed_mfa_is_turned_away_and_the_attempt_is_logged(
    in_rialto: Any, rialto_client: TenantClient, path: str
) -> None:
    officer = UserFactory(role=Role.OFFICER)
    rialto_client.post("/accounts/login/", {"login": officer.email, "password": PASSWORD})

    response = rialto_client.get(path)

    assert response.status_code in (302, 403)
    assert (_last().action, _last().actor_id, _last().actor_mfa) == ("console_denied", officer.pk, False)
    assert _last().details == {"path": path.split("?")[0]}


def test_a_staff_session_without_mfa_on_pages_outside_the_console_logs_nothing(
    in_rialto: Any, rialto_client: TenantClient
) -> None:
    admin = UserFactory(role=Role.DEPT_ADMIN)
    rialto_client.post("/accounts/login/", {"login": admin.email, "password": PASSWORD})
    before = AccessEvent.objects.count()

    rialto_client.get("/department/staff/")
    rialto_client.get("/accounts/2fa/totp/activate/")

    assert AccessEvent.objects.count() == before


def test_api_search_needs_a_valid_purpose(in_rialto: Any, rialto_client: TenantClient, make_staff: Any) -> None:
    officer, _ = make_staff(Role.OFFICER)
    token = api_token_issue(user=officer, name="cli").raw

    response = rialto_client.get(
        "/api/v1/cameras/search/",
        {"lat": "34.1", "lon": "-117.38", "radius_m": "300"},
        HTTP_AUTHORIZATION=f"Token {token}",
    )

    assert response.status_code == 403
    assert "POST /api/v1/purposes/" in response.json()["detail"]


def test_api_purpose_then_search_returns_geojson(
    in_rialto: Any, rialto_client: TenantClient, make_staff: Any, make_camera: Any
) -> None:
    officer, _ = make_staff(Role.OFFICER)
    camera = make_camera("live", share_contact=True)
    auth: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Token {api_token_issue(user=officer, name='cli').raw}"}
    purpose = rialto_client.post(
        "/api/v1/purposes/",
        {"case_number": "RPD-9", "category": "violent_crime", "text": "Robbery"},
        content_type="application/json",
        **auth,
    ).json()

    response = rialto_client.get(
        "/api/v1/cameras/search/",
        {"lat": "34.10", "lon": "-117.38", "radius_m": "300", "purpose": purpose["id"]},
        **auth,
    )
    polygon = {
        "type": "Polygon",
        "coordinates": [
            [[-117.381, 34.099], [-117.379, 34.099], [-117.379, 34.101], [-117.381, 34.101], [-117.381, 34.099]]
        ],
    }
    posted = rialto_client.post(
        "/api/v1/cameras/search/",
        {"polygon": polygon, "mode": "fov", "purpose": purpose["id"]},
        content_type="application/json",
        **auth,
    )

    feature = next(f for f in response.json()["features"] if f["properties"]["id"] == str(camera.public_id))
    assert response.json()["type"] == "FeatureCollection"
    assert feature["properties"]["owner_contact"]["email"] == camera.site.owner.email
    assert str(camera.public_id) in [f["properties"]["id"] for f in posted.json()["features"]]


def _api_purpose(client: TenantClient) -> str:
    response = client.post(
        "/api/v1/purposes/",
        {"case_number": "RPD-9", "category": "violent_crime", "text": "Robbery"},
        content_type="application/json",
    )
    assert response.status_code == 201
    return str(response.json()["id"])


def test_a_cross_site_get_of_the_api_search_with_the_officers_session_logs_nothing(
    with_purpose: TenantClient, make_camera: Any
) -> None:
    # given an officer signed in to the console, whose purpose id another page has learnt
    make_camera("on_request")
    purpose = _api_purpose(with_purpose)
    with_purpose.handler.enforce_csrf_checks = True
    before = AccessEvent.objects.count()

    # when another site sends the browser there (a GET carries the session cookie, not the token)
    response = with_purpose.get(
        "/api/v1/cameras/search/", {"lat": "34.10", "lon": "-117.38", "radius_m": "300", "purpose": purpose}
    )

    # then nothing is searched or logged, and the answer says what is missing
    assert response.status_code == 403
    assert "X-CSRFToken" in response.json()["detail"]
    assert AccessEvent.objects.count() == before


def test_the_api_search_by_get_with_a_session_and_the_csrf_header_searches(
    with_purpose: TenantClient, make_camera: Any
) -> None:
    make_camera("on_request")
    purpose = _api_purpose(with_purpose)
    token = with_purpose.get("/console/purpose/").context["csrf_token"]
    with_purpose.handler.enforce_csrf_checks = True

    response = with_purpose.get(
        "/api/v1/cameras/search/",
        {"lat": "34.10", "lon": "-117.38", "radius_m": "300", "purpose": purpose},
        HTTP_X_CSRFTOKEN=str(token),
    )

    assert response.status_code == 200
    assert _last().action == "search"


def test_api_prohibited_purpose_is_refused(in_rialto: Any, rialto_client: TenantClient, make_staff: Any) -> None:
    officer, _ = make_staff(Role.OFFICER)
    auth: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Token {api_token_issue(user=officer, name='cli').raw}"}

    response = rialto_client.post(
        "/api/v1/purposes/",
        {"case_number": "1", "category": "reproductive_care", "text": "x"},
        content_type="application/json",
        **auth,
    )

    assert response.status_code == 400
    assert _last().reason == "prohibited_purpose"


def _staff_routes() -> list[str]:
    """Every URL of the tenant URL conf that returns camera data to staff."""
    found: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                found.append(prefix + str(pattern.pattern))

    walk(get_resolver("config.urls_tenant").url_patterns, "")
    return found


# Every tenant route, classified. A new route fails this test until someone decides
# whether it serves camera data to staff (then it must call the gate) or not.
CAMERA_DATA_ROUTES = {
    "console/",
    "console/map-data/",
    "console/search/",
    "console/search/export.csv",
    "console/cameras/<str:camera_id>/",
    "console/cameras/<str:camera_id>/contact/",
    # The track of a live view of a mobile camera, and the list of its views (cameras.access.track_authorize).
    "console/live/sessions/<str:session_id>/track/",
    "console/live/cameras/<str:camera_id>/tracks/",
    "api/v1/cameras/search/",
    "console/footage/new/",
    "console/footage/<uuid:request_id>/export/",
    "console/clips/<str:clip_id>/download/",
    "console/clips/<str:clip_id>/hold/",
    "console/clips/<str:clip_id>/play/",  # the viewing is a gate decision
    "console/clips/viewing/<str:link_id>/",  # the page of a viewing the gate allowed; refusals are gate events
    "console/clips/stream/<str:link_id>/",  # bytes for a link the gate issued; refusals are gate events
    "console/cameras/<str:camera_id>/message/",  # sending is the gate's message_send
    "console/incidents/<str:incident_id>/cameras/",  # the incident's dock: the gate's incident_cameras
    "console/incidents/<str:incident_id>/purpose/",  # states the purpose, then the dock (as above)
}


# Ordinance compliance (console.compliance, console.compliance_actions, console.licence_views):
# a business's obligations and the city's licences, no camera view, footage or live data; the
# pages have their own gate (ComplianceStaffMixin: administrators and supervisors with the
# compliance duty; the licences, administrators only), which logs its refusals.
COMPLIANCE_ROUTES = {
    "console/compliance/",
    "console/compliance/map-data/",
    "console/compliance/export.csv",
    "console/compliance/sites/<uuid:site_id>/",
    "console/compliance/sites/<uuid:site_id>/photos/<int:photo_id>/",
    "console/compliance/sites/<uuid:site_id>/ordinances/<uuid:ordinance_id>/inspect/",
    "console/compliance/sites/<uuid:site_id>/ordinances/<uuid:ordinance_id>/notice/",
    "console/compliance/notices/<int:notice_id>/resolve/",
    "console/compliance/coverage-exits/<uuid:exit_id>/review/",
    "console/compliance/appeals/",
    "console/compliance/appeals/<uuid:appeal_id>/",
    "console/compliance/appeals/<uuid:appeal_id>/files/<uuid:attachment_id>/",
    "console/compliance/attestations/<uuid:attestation_id>/",
    "console/licences/",
    "console/licences/imports/<uuid:job_id>/",
    "console/licences/imports/<uuid:job_id>/status/",
    "console/licences/imports/<uuid:job_id>/retry/",
    "console/licences/imports/<uuid:job_id>/discard/",
    "console/licences/match/",
    "console/licences/not-registered/",
    "console/licences/invite/",
}
# The department's own cameras (console.department_camera_views): the registry's administration
# by the department administrator (DeptAdminConsoleMixin logs every other role's refusal); no
# officer reaches camera data through them, and the cameras themselves are searched and viewed
# through the gate like any other.
DEPARTMENT_CAMERA_ROUTES = {
    "console/department-cameras/",
    "console/department-cameras/new/",
    "console/department-cameras/<uuid:camera_id>/",
    "console/department-cameras/<uuid:camera_id>/retire/",
    "console/department-cameras/imports/",
    "console/department-cameras/imports/<uuid:job_id>/",
    "console/department-cameras/imports/<uuid:job_id>/status/",
}

# The department's integrations (console.integration_views): senders of incidents and their
# shared secrets, no camera data; administrators only (DeptAdminConsoleMixin), refusals logged.
INTEGRATION_ROUTES = {
    "console/integrations/",
    "console/integrations/new/",
    "console/integrations/<uuid:integration_id>/",
    "console/integrations/<uuid:integration_id>/rotate/",
    "console/integrations/<uuid:integration_id>/active/",
}

# The department's ordinances (console.ordinance_views): the law the department enforces, no
# camera data; administrators with MFA only, refusals logged (tests/console/test_ordinance_pages.py).
ORDINANCE_ROUTES = {
    "console/ordinances/",
    "console/ordinances/new/",
    "console/ordinances/<uuid:ordinance_id>/",
    "console/ordinances/<uuid:ordinance_id>/versions/new/",
    "console/ordinances/<uuid:ordinance_id>/versions/<int:version_id>/",
    "console/ordinances/<uuid:ordinance_id>/retire/",
}


def test_every_staff_camera_route_goes_through_the_gate() -> None:
    import console.api
    import console.views

    routes = _staff_routes()
    gated = {
        name
        for name in routes
        if name.startswith("console/") or name.startswith("api/v1/cameras/") or name.startswith("api/v1/purposes/")
    }

    assert set(routes) >= CAMERA_DATA_ROUTES
    # Pages that carry no camera data themselves (live frames flow through /ws/live/, which
    # asks the gate; see tests/live/test_consumers.py).
    assert (
        gated - CAMERA_DATA_ROUTES
        == {
            "console/purpose/",
            "console/approvals/",
            "console/live/",
            "console/live/<str:handle>/",  # the live page of one POST to console/live/
            "api/v1/purposes/",
            "console/footage/",  # the officer's own requests
            "console/footage/<uuid:request_id>/",  # counts and clip metadata; clip bytes go through the gate
            "console/messages/",  # the officer's own threads: camera by reference only, no owner
            "console/messages/<uuid:thread_id>/",  # one of them; a follow-up is the gate's message_send
            "console/addresses/",  # the department's address list (places): no camera, consent or owner data
            "console/incidents/",  # the department's incidents: what dispatch and sensors sent, no camera data
            "console/incidents/<str:incident_id>/",  # one incident and its timeline (log events naming it)
            "console/incidents/<str:incident_id>/close/",  # closing it
        }
        | COMPLIANCE_ROUTES
        | INTEGRATION_ROUTES
        | ORDINANCE_ROUTES
        | DEPARTMENT_CAMERA_ROUTES
    )
    # The console and staff API modules import no camera model or selector except via the gate.
    import console.incident_views
    import footage.views.console
    import footage.views.integrity
    import messaging.views

    modules = (console.views, console.api, console.incident_views, footage.views.console, footage.views.integrity)
    for module in (*modules, messaging.views):
        source = open(module.__file__ or "").read()  # noqa: SIM115
        assert "cameras.models import Camera" not in source
        assert "cameras.search_sql import" not in source
        assert "cameras import selectors" not in source
