"""A resident types their address on the property form, picks the suggestion with the
keyboard, and the map's pin (and the latitude/longitude fields) move there; the pin can
still be dragged, and the property saves where it was left."""

import uuid
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from accounts.models import Role
from cameras.models import Site
from places.readers import AddressIn
from places.services import address_points_upsert
from tenants.models import Department
from tests.e2e.conftest import LiveServer
from tests.e2e.test_officer_searches import HOST, _committed
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]
LAT, LON = 34.1123, -117.3811


def _make_owner() -> dict[str, Any]:
    department = Department.objects.get(schema_name="rialto")
    with tenant_context(department):
        address_points_upsert(
            points=[
                AddressIn(
                    number="845", street="N Acacia Ave", unit="", city="Rialto", postcode="92376", lon=LON, lat=LAT
                )
            ]
        )
        owner = UserFactory(role=Role.RESIDENT, email=f"pin-{uuid.uuid4().hex[:6]}@example.org")
        session = SessionStore()
        session["_auth_user_id"] = str(owner.pk)
        session["_auth_user_backend"] = settings.AUTHENTICATION_BACKENDS[0]
        session["_auth_user_hash"] = owner.get_session_auth_hash()
        session.create()
    return {"owner": owner, "session": session.session_key}


def _site_of(owner_id: int) -> Site:
    with tenant_context(Department.objects.get(schema_name="rialto")):
        return Site.objects.get(owner_id=owner_id)


def test_owner_picks_the_address_and_the_pin_moves_there(porchlight_server: LiveServer, page: Any, shot: Any) -> None:
    people = _committed(_make_owner)
    page.context.add_cookies([{"name": "sessionid", "value": people["session"], "domain": HOST, "path": "/"}])
    page.goto(porchlight_server.url(HOST, "/my/sites/new/"))
    page.wait_for_selector("#pick-map[data-ready='1']")
    page.fill("[name=name]", "Home")

    address = page.locator("[name=address]")
    address.focus()
    page.keyboard.type("845 n acacia", delay=20)
    expect(address).to_have_attribute("aria-expanded", "true")
    expect(page.locator("[role=listbox] [role=option]").first).to_have_text("845 N Acacia Ave, Rialto 92376")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")

    expect(page.locator("[name=latitude]")).to_have_value(f"{LAT:.6f}")
    expect(page.locator("[name=longitude]")).to_have_value(f"{LON:.6f}")
    expect(address).to_have_value("845 N Acacia Ave, Rialto 92376")
    shot(page, "pin-placed")

    # The owner drags the pin a little to the house's real spot.
    pin = page.locator(".leaflet-marker-icon").bounding_box()
    page.mouse.move(pin["x"] + pin["width"] / 2, pin["y"] + pin["height"] - 2)
    page.mouse.down()
    page.mouse.move(pin["x"] + pin["width"] / 2 + 40, pin["y"] + pin["height"] - 2, steps=5)
    page.mouse.up()
    expect(page.locator("[name=longitude]")).not_to_have_value(f"{LON:.6f}")
    dragged_lon = float(page.locator("[name=longitude]").input_value())
    page.locator("form#site-form button[type=submit]").click()
    page.wait_for_url("**/cameras/new/")

    site = _committed(lambda: _site_of(people["owner"].pk))
    assert site.address == "845 N Acacia Ave, Rialto 92376"
    assert round(site.location.x, 5) == round(dragged_lon, 5)
    assert dragged_lon > LON


def test_in_spanish_the_address_box_says_one_suggestion_and_where_the_pin_went(
    porchlight_server: LiveServer, browser: Any, shot: Any
) -> None:
    people = _committed(_make_owner)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="es-ES")
    context.add_cookies([{"name": "sessionid", "value": people["session"], "domain": HOST, "path": "/"}])
    page = context.new_page()
    page.goto(porchlight_server.url(HOST, "/my/sites/new/"))
    page.wait_for_selector("#pick-map[data-ready='1']")

    address = page.locator("[name=address]")
    address.focus()
    page.keyboard.type("845 n acacia", delay=20)
    status = page.locator(f"#{address.get_attribute('id')}-status")
    expect(status).to_have_text("1 sugerencia: use las flechas arriba y abajo y luego Intro.")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")

    expect(status).to_have_text("Marcador colocado en 845 N Acacia Ave, Rialto 92376; arrástrelo si hace falta.")
    shot(page, "pin-placed-es")
    context.close()
