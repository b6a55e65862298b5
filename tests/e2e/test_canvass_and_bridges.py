"""In Chromium: the canvass list pages by keyboard without a new search and shows address
blocks; the owner's bridge page fits a phone and changes a bridge's cameras, same token."""

import re
import uuid
from typing import Any

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from accounts.models import Role
from cameras import services
from tenants.models import Department, DepartmentPolicy
from tests.e2e.conftest import LiveServer
from tests.e2e.test_officer_searches import (
    HOST,
    _committed,
    _search,
    _searches_by,
    _sign_in_and_state_a_purpose,
    people,  # noqa: F401 (the fixture)
)
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


def _add_cameras(count: int) -> None:
    department = Department.objects.get(schema_name="rialto")
    with tenant_context(department):
        policy = DepartmentPolicy.objects.get(department=department)
        owner = UserFactory(role=Role.BUSINESS, email=f"many-{uuid.uuid4().hex[:6]}@example.org")
        for n in range(count):
            site = services.site_create(
                owner=owner,
                department=department,
                lon=-117.3650 + 0.00003 * (n + 1),
                lat=34.0901,
                kind="business",
                address=f"{1234 + n} W Baseline Rd",
            )
            camera = services.camera_register(owner=owner, site=site, label="Door", bearing_deg=0, range_m=30)
            services.consent_set(owner=owner, camera=camera, policy=policy, level="on_request")


def test_the_canvass_list_pages_by_keyboard_without_searching_again(
    porchlight_server: LiveServer,
    page: Any,
    shot: Any,
    people: dict[str, Any],  # noqa: F811
) -> None:
    # given a search whose area holds 31 cameras
    _committed(lambda: _add_cameras(30))
    _sign_in_and_state_a_purpose(page, porchlight_server, people)
    _search(page, "34.0900", "-117.3650", "300")
    expect(page.locator("#results-pager")).to_be_visible()
    searches = _committed(lambda: _searches_by(people["officer"].pk))
    shot(page, "canvass-page-1")
    assert page.locator("tr.hit:visible").count() == 25
    assert "1200 block of W Baseline Rd" in page.locator("#results-table").inner_text()
    assert not re.search(r"\b12[3-6]\d W Baseline", page.locator("#results-table").inner_text())

    # when the officer reaches Next by keyboard and presses Enter
    page.locator("#results-pager .pager-previous").evaluate("b => b.blur()")
    page.locator("#export-csv").focus()
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('pager-next')"):
            break
    page.keyboard.press("Enter")
    shot(page, "canvass-page-2")

    # then the second page shows the other six, and no new search was made
    assert page.locator("tr.hit:visible").count() == 6
    expect(page.locator("#results-pager .pager-status")).to_have_text("Cameras 26\u201331 of 31")
    assert page.locator("#results-pager .pager-next").is_disabled()
    assert _committed(lambda: _searches_by(people["officer"].pk)) == searches

    # and Previous goes back
    page.locator("#results-pager .pager-previous").press("Enter")
    assert page.locator("tr.hit:visible").count() == 25


@pytest.mark.parametrize(
    ("locale", "kept"),
    [("en-US", "keeps its token"), ("es-ES", "conserva su token")],
)
def test_the_bridge_page_fits_a_phone_and_changes_a_bridges_cameras_keeping_its_token(
    porchlight_server: LiveServer,
    browser: Any,
    shot: Any,
    people: dict[str, Any],  # noqa: F811
    locale: str,
    kept: str,
) -> None:
    # given the owner, on a phone, with a second camera on the property
    def second_camera() -> None:
        with tenant_context(Department.objects.get(schema_name="rialto")):
            services.camera_register(owner=people["owner"], site=people["camera"].site, label="Back gate")

    _committed(second_camera)
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale=locale)
    context.add_cookies([{"name": "sessionid", "value": people["owner_session"], "domain": HOST, "path": "/"}])
    page = context.new_page()
    page.goto(porchlight_server.url(HOST, "/my/bridges/"))

    # when they create a bridge for the first camera only
    form = page.locator("form.stacked").filter(has=page.locator("input[name=name]"))
    form.locator("input[name=name]").fill("Garage NVR")
    form.locator("label:has-text('Back gate') input").uncheck()
    form.locator("button[type=submit]").click()
    expect(page.locator("#bridge-token")).to_be_visible()
    shot(page, f"bridge-token-375-{locale}")

    # then the token wraps on the phone: nothing is wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    token_box = page.locator("#bridge-token").bounding_box()
    assert token_box["x"] + token_box["width"] <= 375
    prefix = page.locator("#bridge-token").inner_text()[:10]

    # when they change the bridge's cameras to both
    page.goto(porchlight_server.url(HOST, "/my/bridges/"))
    page.locator(".bridge-change summary").click()
    page.locator(".bridge-change label:has-text('Back gate') input").check()
    shot(page, f"bridge-change-375-{locale}")
    page.locator(".bridge-change button[name=change_cameras]").click()

    # then it serves both and keeps its token
    expect(page.locator(".bridge-cameras").first).to_contain_text("Back gate")
    assert prefix in page.locator("table.bridges").inner_text()
    assert kept in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(page, f"bridge-changed-375-{locale}")
    context.close()
