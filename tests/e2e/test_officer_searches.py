"""An officer signs in with MFA, states a purpose, draws a circle on the console map and sees the
cameras around it; the owner then finds that search in "Who accessed my cameras"."""

import datetime as dt
import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from accounts.models import Role
from cameras import services
from cameras.models import Purpose
from tenants.models import Department, DepartmentPolicy
from tests.e2e.conftest import LiveServer
from tests.factories import PASSWORD, UserFactory, bridge_online_make, totp_code, totp_enable

HOST = "rialto.localhost"
pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


def _committed(fn: Any) -> Any:
    """Run ``fn`` on its own thread and connection, so its rows are committed and the
    server process sees them (the test's own connection is inside a transaction)."""

    def run() -> Any:
        try:
            return fn()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


@pytest.fixture
def people(porchlight_server: LiveServer) -> dict[str, Any]:
    return _committed(_make_people)


def _make_people() -> dict[str, Any]:
    tag = uuid.uuid4().hex[:6]
    department = Department.objects.get(schema_name="rialto")
    with tenant_context(department):
        policy = DepartmentPolicy.objects.get(department=department)
        officer = UserFactory(role=Role.OFFICER, email=f"officer-{tag}@example.org", badge_number="7731")
        secret = totp_enable(officer)
        owner = UserFactory(role=Role.BUSINESS, email=f"owner-{tag}@example.org")
        site = services.site_create(
            owner=owner, department=department, lon=-117.3650, lat=34.0900, kind="business", address="5 Valley Blvd"
        )
        camera = services.camera_register(owner=owner, site=site, label="Lot camera", bearing_deg=0, range_m=30)
        services.consent_set(owner=owner, camera=camera, policy=policy, level="on_request")
        session = SessionStore()  # the owner's own signed-in browser, later
        session["_auth_user_id"] = str(owner.pk)
        session["_auth_user_backend"] = settings.AUTHENTICATION_BACKENDS[0]
        session["_auth_user_hash"] = owner.get_session_auth_hash()
        session.create()
    return {
        "officer": officer,
        "secret": secret,
        "owner": owner,
        "camera": camera,
        "owner_session": session.session_key,
    }


def _sign_in_and_state_a_purpose(page: Any, server: LiveServer, people: dict[str, Any], shot: Any = None) -> None:
    # Sign in with password, then the TOTP code.
    page.goto(server.url(HOST, "/accounts/login/"))
    page.fill("[name=login]", people["officer"].email)
    page.fill("[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.fill("[name=code]", totp_code(people["secret"]))
    if shot:
        shot(page, "mfa")
    page.click("main button[type=submit]")
    page.wait_for_load_state()

    # The console asks for a purpose first.
    page.goto(server.url(HOST, "/console/"))
    page.wait_for_url("**/console/purpose/")
    page.fill("[name=case_number]", "RPD-26-1234")
    page.select_option("[name=category]", "property_crime")
    page.fill("[name=text]", "Catalytic converter theft in the lot")
    if shot:
        shot(page, "purpose")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/console/")
    page.wait_for_selector("#console-map[data-ready='1']")


def _search(page: Any, lat: str, lon: str, radius_m: str) -> None:
    """Fill the area form as a click on the map would, and press Search."""
    page.evaluate(
        "([lat, lon]) => { const f = document.getElementById('area-form');"
        " f.lat.value = lat; f.lon.value = lon; f.polygon.value = ''; }",
        [lat, lon],
    )
    page.fill("[name=radius_m]", radius_m)
    page.click("#search-button")


def test_officer_draws_a_circle_and_the_owner_sees_the_search(
    porchlight_server: LiveServer, page: Any, shot: Any, people: dict[str, Any]
) -> None:
    _sign_in_and_state_a_purpose(page, porchlight_server, people, shot)

    # Centre the map on the camera's block and draw a circle with the drawing tool.
    box = page.locator("#console-map").bounding_box()
    page.locator(".leaflet-draw-draw-circle").click()
    centre_x, centre_y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(centre_x, centre_y)
    page.mouse.down()
    page.mouse.move(centre_x + 120, centre_y, steps=8)
    page.mouse.up()
    expect(page.locator("#results table.results")).to_be_visible()
    shot(page, "circle-drawn")
    assert page.locator("#results").inner_text() != ""

    # A direct search at the camera's spot lists it.
    page.fill("[name=radius_m]", "200")
    page.evaluate(
        "([lat, lon]) => { const f = document.getElementById('area-form');"
        " f.lat.value = lat; f.lon.value = lon; f.polygon.value = ''; htmx.trigger(f, 'submit'); }",
        ["34.0900", "-117.3650"],
    )
    hit = page.locator(f"tr.hit[data-camera='{people['camera'].public_id}']")
    expect(hit.locator("td").first).to_have_text("0 m")
    expect(page.locator("#console-map")).to_have_attribute("data-results", re.compile(r"[1-9]\d*"))
    shot(page, "results")

    # The owner finds that search in "Who accessed my cameras".
    owner_context = page.context.browser.new_context(viewport={"width": 1280, "height": 900})
    owner_context.add_cookies(
        [{"name": "sessionid", "value": people["owner_session"], "domain": "rialto.localhost", "path": "/"}]
    )
    owner_page = owner_context.new_page()
    owner_page.goto(porchlight_server.url(HOST, "/my/access/"))
    expect(owner_page.locator("main")).to_contain_text("RPD-26-1234")
    expect(owner_page.locator("main")).to_contain_text("7731")
    shot(owner_page, "owner-sees-the-search")
    owner_context.close()


def test_a_search_the_server_refuses_shows_why_on_the_page(
    porchlight_server: LiveServer, page: Any, shot: Any, people: dict[str, Any]
) -> None:
    _sign_in_and_state_a_purpose(page, porchlight_server, people)

    # A radius the server refuses (the browser's own checks are off: the server decides).
    _search(page, "34.0900", "-117.3650", "20000")

    expect(page.locator("#results .errorlist")).to_contain_text("radius_m: must be from 1 to 10000 metres")
    expect(page.locator("#results")).not_to_contain_text("Results appear here")
    shot(page, "radius-refused")

    # The purpose expires while the page is open: the search and the map say so.
    _committed(lambda: _expire_purposes_of(people["officer"]))
    _search(page, "34.0900", "-117.3650", "200")
    expect(page.locator("#results .errorlist")).to_contain_text("That purpose has expired; state it again.")
    page.locator(".leaflet-control-zoom-in").click()
    expect(page.locator("#map-message")).to_contain_text("That purpose has expired; state it again.")
    shot(page, "purpose-expired")

    # Back on the map, the officer is sent to state it again.
    page.goto(porchlight_server.url(HOST, "/console/"))
    page.wait_for_url("**/console/purpose/")
    expect(page.locator("ul.messages")).to_contain_text("Your purpose for case RPD-26-1234 expired; state it again.")


def _expire_purposes_of(officer: Any) -> None:
    with tenant_context(Department.objects.get(schema_name="rialto")):
        # The clock expires purposes; no service moves it.
        Purpose.objects.filter(officer_id=officer.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))


def test_a_radius_the_map_cannot_draw_is_refused_and_the_last_circle_kept(
    porchlight_server: LiveServer, page: Any, shot: Any, people: dict[str, Any]
) -> None:
    _sign_in_and_state_a_purpose(page, porchlight_server, people)
    box = page.locator("#console-map").bounding_box()
    centre_x, centre_y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(centre_x, centre_y)
    expect(page.locator("#console-map")).to_have_attribute("data-results", re.compile(r"\d+"))
    drawn = page.locator("path.leaflet-interactive[stroke='#0b57d0']")
    expect(drawn).to_have_count(1)
    circle_path = drawn.get_attribute("d")

    # Not a number (a number field holds "" then), then too large: a message, the circle stays.
    page.fill("[name=radius_m]", "")
    page.locator("[name=radius_m]").press("Enter")
    expect(page.locator("#area-message")).to_have_text("Enter a radius in metres, from 1 to 10000.")
    page.fill("[name=radius_m]", "50000")
    page.locator("[name=radius_m]").dispatch_event("change")
    expect(page.locator("#area-message")).to_contain_text("at most 10000 m")
    expect(drawn).to_have_count(1)
    assert drawn.get_attribute("d") == circle_path
    shot(page, "radius-too-large")

    # A circle dragged wider than 10 km with the tool is refused with a message too.
    page.fill("[name=radius_m]", "250")
    page.locator("[name=radius_m]").dispatch_event("change")
    expect(page.locator("#area-message")).to_be_hidden()
    for _ in range(5):
        page.locator(".leaflet-control-zoom-out").click()
        page.wait_for_timeout(300)
    page.locator(".leaflet-draw-draw-circle").click()
    page.mouse.move(centre_x, centre_y)
    page.mouse.down()
    page.mouse.move(centre_x + 250, centre_y, steps=8)
    page.mouse.up()
    expect(page.locator("#area-message")).to_contain_text(
        re.compile(r"The circle you drew has a radius of \d+ m; the most")
    )
    assert page.input_value("[name=radius_m]") == "250"
    shot(page, "drawn-too-large")


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (390, 844)])
def test_the_console_fits_the_screen_after_a_search(
    porchlight_server: LiveServer, browser: Any, shot: Any, people: dict[str, Any], width: int, height: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-US")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    _sign_in_and_state_a_purpose(page, porchlight_server, people)

    _search(page, "34.0900", "-117.3650", "300")
    expect(page.locator("#results table.results")).to_be_visible()
    shot(page, f"results-{width}")
    page_width = page.evaluate("document.documentElement.scrollWidth")
    _search(page, "34.0900", "-117.3650", "20000")
    expect(page.locator("#results .errorlist")).to_be_visible()
    shot(page, f"refused-{width}")

    assert page_width <= width
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert errors == []
    context.close()


def test_the_department_home_page_fits_a_phone_with_the_log_fingerprint(
    porchlight_server: LiveServer, browser: Any, shot: Any, people: dict[str, Any]
) -> None:
    # given a phone-sized screen and an access log with a chain head to show
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    page = context.new_page()
    _sign_in_and_state_a_purpose(page, porchlight_server, people)

    # when the department's home page (where sign-in lands) shows the 64-digit fingerprint
    page.goto(porchlight_server.url(HOST, "/"))
    expect(page.locator("#chain-head code")).to_be_visible()
    shot(page, "home-390")

    # then it wraps inside the screen instead of widening the page
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()


def _make_supervisor() -> dict[str, Any]:
    department = Department.objects.get(schema_name="rialto")
    with tenant_context(department):
        supervisor = UserFactory(role=Role.SUPERVISOR, email=f"supervisor-{uuid.uuid4().hex[:6]}@example.org")
        secret = totp_enable(supervisor)
    return {"officer": supervisor, "secret": secret}


def test_the_access_log_fits_a_phone(
    porchlight_server: LiveServer, browser: Any, shot: Any, people: dict[str, Any]
) -> None:
    # given events in the log (an officer's purpose and search) and a supervisor on a phone
    officer = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    officer_page = officer.new_page()
    _sign_in_and_state_a_purpose(officer_page, porchlight_server, people)
    _search(officer_page, "34.0900", "-117.3650", "300")
    expect(officer_page.locator("#results table.results")).to_be_visible()
    officer.close()
    supervisor = _committed(_make_supervisor)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    page = context.new_page()
    page.goto(porchlight_server.url(HOST, "/accounts/login/"))
    page.fill("[name=login]", supervisor["officer"].email)
    page.fill("[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.fill("[name=code]", totp_code(supervisor["secret"]))
    page.click("main button[type=submit]")
    page.wait_for_load_state()

    # when they read the access log, with its chain head and checkpoint command
    page.goto(porchlight_server.url(HOST, "/oversight/"))
    expect(page.locator("#checkpoint code").first).to_be_visible()  # the root hash, or the head to keep
    shot(page, "access-log-390")

    # then the page is no wider than the screen (the wide table scrolls inside its box)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()


def _searches_by(user_id: int) -> int:
    from audit.models import AccessEvent

    with tenant_context(Department.objects.get(schema_name="rialto")):
        return AccessEvent.objects.filter(action="search", actor_id=user_id).count()


def test_typing_a_radius_then_pressing_search_is_one_search(
    porchlight_server: LiveServer, page: Any, people: dict[str, Any]
) -> None:
    # given an officer who clicked the map for a centre (one search)
    _sign_in_and_state_a_purpose(page, porchlight_server, people)
    box = page.locator("#console-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.locator("#console-map")).to_have_attribute("data-results", re.compile(r"\d+"))
    page.wait_for_timeout(500)
    before = _committed(lambda: _searches_by(people["officer"].pk))

    # when they type another radius and press Search
    page.click("[name=radius_m]")
    page.keyboard.press("Control+A")
    page.keyboard.type("600")
    page.click("#search-button")
    page.wait_for_timeout(1500)

    # then that is one more search in the log (each one is told to owners who asked), not two
    assert page.locator("#results h2, #results #no-results").count() == 1
    assert _committed(lambda: _searches_by(people["officer"].pk)) == before + 1


def test_the_canvass_list_downloads_from_the_results(
    porchlight_server: LiveServer, browser: Any, people: dict[str, Any]
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US", accept_downloads=True)
    page = context.new_page()
    _sign_in_and_state_a_purpose(page, porchlight_server, people)
    _search(page, "34.0900", "-117.3650", "300")
    expect(page.locator("#results table.results")).to_be_visible()

    with page.expect_download() as download:
        page.click("#export-csv")

    assert download.value.suggested_filename == "canvass.csv"
    rows = Path(download.value.path()).read_text().splitlines()
    assert rows[0].startswith("camera_id,")
    assert any(row.startswith(str(people["camera"].public_id)) for row in rows)
    expect(page.locator("#results table.results")).to_be_visible()  # the console stays as it was
    context.close()


def test_asking_the_owners_for_footage_opens_the_request_page_from_the_results(
    porchlight_server: LiveServer, page: Any, people: dict[str, Any]
) -> None:
    _sign_in_and_state_a_purpose(page, porchlight_server, people)
    _search(page, "34.0900", "-117.3650", "300")
    expect(page.locator("#results table.results")).to_be_visible()

    page.click("#request-footage")

    page.wait_for_url("**/console/footage/new/")
    expect(page.locator(f"input[name=cameras][value='{people['camera'].public_id}']")).to_be_checked()
    expect(page.locator("form.stacked input[name=radius_m]")).to_have_value("300")


def _add_live_cameras(count: int) -> list[str]:
    department = Department.objects.get(schema_name="rialto")
    ids = []
    with tenant_context(department):
        policy = DepartmentPolicy.objects.get(department=department)
        for n in range(count):
            owner = UserFactory(role=Role.BUSINESS, email=f"live-{uuid.uuid4().hex[:6]}@example.org")
            site = services.site_create(
                owner=owner,
                department=department,
                # A corner of Rialto no other browser test uses: the results are paged, and
                # other tests' cameras around 34.09/-117.365 would push these off the first page.
                lon=-117.3900 + 0.0002 * n,
                lat=34.0701,
                kind="business",
                address=f"{n} Valley Blvd",
            )
            camera = services.camera_register(owner=owner, site=site, label="Door", bearing_deg=0, range_m=30)
            services.consent_set(owner=owner, camera=camera, policy=policy, level="live")
            bridge_online_make(owner, site, [camera])
            ids.append(str(camera.public_id))
    return ids


@pytest.mark.parametrize(("width", "height", "rows"), [(1280, 800, 1), (390, 844, 3)])
def test_a_live_wall_opens_from_the_results_and_its_tiles_stack_on_a_phone(
    porchlight_server: LiveServer, browser: Any, shot: Any, people: dict[str, Any], width: int, height: int, rows: int
) -> None:
    cameras = _committed(lambda: _add_live_cameras(3))
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-US")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    _sign_in_and_state_a_purpose(page, porchlight_server, people)
    _search(page, "34.0700", "-117.3900", "300")
    expect(page.locator("#results table.results")).to_be_visible()

    for camera in cameras:
        page.check(f"input.live-pick[value='{camera}']")
    shot(page, f"live-wall-chosen-{width}")
    page.click("#open-live-wall")

    page.wait_for_url(re.compile(r".*/console/live/[\w-]+/$"))
    expect(page.locator(".live-tile")).to_have_count(3)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.live-tile .left')].every(e => /left/.test(e.textContent))"
    )
    shot(page, f"live-wall-{width}")
    boxes = [page.locator(".live-tile").nth(i).bounding_box() for i in range(3)]
    tops = [round(box["y"]) for box in boxes]
    assert sorted(page.eval_on_selector_all(".live-tile", "els => els.map(e => e.dataset.camera)")) == sorted(cameras)
    assert len(set(tops)) == rows  # three tiles a row on a desktop, one under the other on a phone
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert errors == []
    context.close()


def test_the_map_shows_the_cameras_of_the_view(
    porchlight_server: LiveServer, page: Any, people: dict[str, Any]
) -> None:
    _sign_in_and_state_a_purpose(page, porchlight_server, people)

    expect(page.locator("#console-map")).to_have_attribute("data-loaded", re.compile(r"[1-9]\d*"))
    assert page.locator("#console-map").get_attribute("data-map-error") is None
    assert page.locator("#map-message").is_hidden()
