"""The integration pages, the receiver's errors and the console's incident feed speak Spanish
(issue 17): every sentence of the main content is translated, nothing English is left."""

import re
from html import unescape
from typing import Any

import pytest

from accounts.models import Role
from cameras.department import CameraSpec, department_camera_register
from incidents.models import Integration
from tenants.models import Department

from .conftest import events_url, integration_make, post_signed

pytestmark = pytest.mark.django_db

# Shown as they are in either language: data, not words of the page (numbers, times, angles and
# distances, the integration's name, secrets, fingerprints, URLs, addresses, machine codes, file
# names, and the names other tests' committed rows carry with their hex tag, such as the browser
# tests' "County CAD 6c3592": the suite shares Rialto), and the words Spanish spells as English does.
_DATA = re.compile(
    r"^([\d\s:.\-\u2013\u2014·,/()#%]*|County CAD|whsec_\S+|[0-9a-f]{8,}|https?://\S+|\S+@\S+"
    r"|[a-z]+(_[a-z]+)+|\d+ ?(°|m)|Error|[\w.-]+\.(mp4|csv|pdf|png|jpe?g)|.*\b(?=[a-f]*\d)[0-9a-f]{6}\b.*)$"
)


def _main_text(html: str) -> list[str]:
    """The text of the page's <main> (its words, its attributes a person reads), one piece per
    text node; data (numbers, times, names, fingerprints, URLs) left out."""
    main = html[html.index("<main>") : html.index("</main>")]
    main = re.sub(r"<(script|style)\b.*?</\1>", " ", main, flags=re.S)
    pieces = re.findall(r">([^<]+)<", main)
    pieces += re.findall(r'(?:aria-label|title|placeholder)="([^"]+)"', main)
    texts = [" ".join(unescape(p).split()) for p in pieces]
    return [t for t in texts if t and not _DATA.match(t)]


def _english_left(client: Any, path: str) -> tuple[list[str], list[str]]:
    """(the English page's texts, those the Spanish page still has) for one page."""
    english = _main_text(client.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode())
    spanish = set(_main_text(client.get(path, HTTP_ACCEPT_LANGUAGE="es").content.decode()))
    return english, [t for t in english if t in spanish]


@pytest.fixture
def admin_with_integration(logged_in_staff: Any, in_rialto: Department, rialto_client: Any) -> tuple[Any, Integration]:
    client, _admin = logged_in_staff(Role.DEPT_ADMIN)
    integration, secret = integration_make()
    body = {"id": "D-1", "occurred_at": "2026-12-07T12:00:00Z", "location": {"lat": 34.1, "lon": -117.38}}
    post_signed(rialto_client, integration, secret, body)
    post_signed(rialto_client, integration, secret, body, HTTP_X_PORCHLIGHT_SIGNATURE="sha256=" + "2" * 64)
    return client, integration


@pytest.mark.parametrize("page", ["/console/integrations/", "/console/integrations/new/", "", "rotate/", "active/"])
def test_the_integration_pages_leave_no_english_in_spanish(
    admin_with_integration: tuple[Any, Integration], page: str
) -> None:
    client, integration = admin_with_integration
    path = page if page.startswith("/") else f"/console/integrations/{integration.public_id}/{page}"

    english, left = _english_left(client, path)

    assert len(english) >= 3  # the page has words to translate
    assert left == []


def test_the_secret_page_after_adding_an_integration_is_in_spanish(logged_in_staff: Any, in_rialto: Department) -> None:
    client, _admin = logged_in_staff(Role.DEPT_ADMIN)

    created = client.post(
        "/console/integrations/new/",
        {"kind": "gunshot", "name": "County CAD", "shape": "gunshot"},
        HTTP_ACCEPT_LANGUAGE="es",
    )

    page = created.content.decode()
    assert created.status_code == 201
    assert "Copie el secreto compartido ahora" in page
    assert not [t for t in _main_text(page) if "secret" in t.lower() and "secreto" not in t.lower()]


@pytest.mark.parametrize(
    ("headers", "status", "spanish"),
    [
        ({}, 401, "La cabecera X-Porchlight-Timestamp"),
        ({"HTTP_X_PORCHLIGHT_SIGNATURE": "sha256=" + "2" * 64}, 401, "La firma no coincide"),
    ],
)
def test_the_receivers_errors_follow_the_requests_language(
    in_rialto: Department, rialto_client: Any, headers: dict[str, str], status: int, spanish: str
) -> None:
    integration, secret = integration_make()
    body = {"id": "D-1", "occurred_at": "2026-12-07T12:00:00Z", "location": {"lat": 34.1, "lon": -117.38}}

    if headers:
        response = post_signed(rialto_client, integration, secret, body, HTTP_ACCEPT_LANGUAGE="es", **headers)
    else:
        response = rialto_client.post(
            events_url(integration), data=body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="es"
        )

    assert response.status_code == status
    assert response.json()["detail"].startswith(spanish)
    assert response.json()["code"] == "authentication_failed"


def test_the_consoles_incident_feed_gets_its_words_from_the_page_in_spanish(logged_in_staff: Any) -> None:
    client, _officer = logged_in_staff(Role.OFFICER)
    client.post(
        "/console/purpose/",
        {"case_number": "RPD-1", "category": "property_crime", "text": "Robo", "authority": "consent"},
    )

    page = client.get("/console/", HTTP_ACCEPT_LANGUAGE="es").content.decode()

    panel = page[page.index('id="incident-panel"') : page.index("</section>", page.index('id="incident-panel"'))]
    assert 'data-closed-text="El canal de incidentes en vivo' in panel
    assert 'data-priority-text="prioridad"' in panel
    assert "Open incidents" not in panel


@pytest.mark.parametrize("page", ["", "new/", "imports/", "{camera}/"])
def test_the_department_camera_pages_leave_no_english_in_spanish(
    logged_in_staff: Any, in_rialto: Department, page: str
) -> None:
    client, admin = logged_in_staff(Role.DEPT_ADMIN)
    spec = CameraSpec(label="County CAD", lat=34.1001, lon=-117.3801, bearing_deg=45, fov_angle_deg=90, range_m=60)
    camera = department_camera_register(actor=admin, department=in_rialto, spec=spec)  # a label _DATA knows
    path = "/console/department-cameras/" + page.format(camera=camera.public_id)

    english, left = _english_left(client, path)

    assert len(english) >= 3
    assert left == []
