"""An officer finds an address with the keyboard alone: types it (with a typo), moves through
the suggestions with the arrow keys, picks one with Enter; the map centres there and the
search runs at that place. No mouse or pointer event is ever sent."""

import re
import uuid
from typing import Any

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from accounts.models import Role
from cameras import services
from places.readers import AddressIn
from places.services import address_points_upsert
from tenants.models import Department, DepartmentPolicy
from tests.e2e.conftest import LiveServer
from tests.e2e.test_officer_searches import HOST, _committed
from tests.factories import PASSWORD, UserFactory, totp_code, totp_enable

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

# Pointer events a keyboard never causes (a click can be synthesised by Enter on a form).
RECORD_POINTER = """
window.__pointer = [];
for (const type of ["pointerdown", "pointermove", "mousedown", "mousemove", "wheel", "touchstart"]) {
  addEventListener(type, (e) => { if (e.isTrusted) window.__pointer.push(type); }, true);
}
"""
LAT, LON = 34.0734, -117.3871


def _make_people() -> dict[str, Any]:
    tag = uuid.uuid4().hex[:6]
    department = Department.objects.get(schema_name="rialto")
    with tenant_context(department):
        address_points_upsert(
            points=[
                AddressIn(
                    number="1200", street="W Baseline Rd", unit="", city="Rialto", postcode="92376", lon=LON, lat=LAT
                ),
                AddressIn(
                    number="1202",
                    street="W Baseline Rd",
                    unit="",
                    city="Rialto",
                    postcode="92376",
                    lon=LON + 0.0003,
                    lat=LAT,
                ),
            ]
        )
        officer = UserFactory(role=Role.OFFICER, email=f"kbd-officer-{tag}@example.org")
        secret = totp_enable(officer)
        owner = UserFactory(role=Role.BUSINESS, email=f"kbd-owner-{tag}@example.org")
        site = services.site_create(
            owner=owner, department=department, lon=LON, lat=LAT + 0.0002, kind="business", address="1200 W Baseline Rd"
        )
        camera = services.camera_register(owner=owner, site=site, label="Door camera", bearing_deg=0, range_m=30)
        policy = DepartmentPolicy.objects.get(department=department)
        services.consent_set(owner=owner, camera=camera, policy=policy, level="on_request")
    return {"officer": officer, "secret": secret, "camera": camera}


def test_officer_finds_an_address_with_the_keyboard_alone_and_the_search_runs_there(
    porchlight_server: LiveServer, page: Any, shot: Any
) -> None:
    people = _committed(_make_people)
    page.add_init_script(RECORD_POINTER)

    # Sign in and state a purpose, pressing Enter instead of clicking.
    page.goto(porchlight_server.url(HOST, "/accounts/login/"))
    page.fill("[name=login]", people["officer"].email)
    page.fill("[name=password]", PASSWORD)
    page.press("[name=password]", "Enter")
    page.fill("[name=code]", totp_code(people["secret"]))
    page.press("[name=code]", "Enter")
    page.wait_for_load_state()
    page.goto(porchlight_server.url(HOST, "/console/"))
    page.wait_for_url("**/console/purpose/")
    page.fill("[name=case_number]", "RPD-26-0777")
    page.select_option("[name=category]", "property_crime")
    page.fill("[name=text]", "Burglary reported at a shop")
    page.press("[name=case_number]", "Enter")
    page.wait_for_url("**/console/")
    page.wait_for_selector("#console-map[data-ready='1']")

    # Type an address with a typo: suggestions appear in a listbox the field controls.
    box = page.locator("#address-box")
    box.focus()
    page.keyboard.type("1200 w baselne", delay=20)
    listbox = page.locator("#address-box-listbox")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(listbox.locator("[role=option]").first).to_have_text("1200 W Baseline Rd, Rialto 92376")
    shot(page, "address-suggestions")

    # Down, down, up: the first suggestion is the active one; Enter picks it.
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    first = listbox.locator("[role=option]").first
    expect(first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", first.get_attribute("id") or "")
    page.keyboard.press("Enter")

    # The map is centred on the address and the search ran there: the camera is listed.
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).to_have_value("1200 W Baseline Rd, Rialto 92376")
    expect(page.locator("#console-map")).to_have_attribute("data-centre", f"{LAT:.6f},{LON:.6f}")
    expect(page.locator("#console-map")).to_have_attribute("data-results", re.compile(r"[1-9]\d*"))
    expect(page.locator(f"tr.hit[data-camera='{people['camera'].public_id}']")).to_be_visible()
    centre = page.evaluate(
        "() => { const f = document.getElementById('area-form'); return [f.lat.value, f.lon.value]; }"
    )
    assert centre == [f"{LAT:.6f}", f"{LON:.6f}"]
    shot(page, "address-searched")

    # Escape closes a list opened again; typed coordinates are offered as a place too.
    box.fill("")
    page.keyboard.type("34.08, -117.39", delay=10)
    expect(listbox.locator("[role=option]")).to_have_text(["34.080000, -117.390000"])
    page.keyboard.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")

    assert page.evaluate("window.__pointer") == []
