"""A chart of months, wider than a phone's screen, scrolls in its own box; on a 375-px phone it
opens on the latest months (scrolled to its end), not on January, on the public transparency
page and on the board's dashboard, without JavaScript errors. (The reviewer opened the page on
a phone and saw January of a year whose news was in November.)"""

import uuid
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from accounts.models import Role
from tenants.models import Department
from tests.e2e.conftest import LiveServer
from tests.e2e.test_officer_searches import _committed
from tests.factories import PASSWORD, UserFactory, totp_code, totp_enable

HOST = "rialto.localhost"
pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

# Each scrolling chart of months: where it is scrolled, how far it can be, and whether its last
# month's label is inside the box a person sees.
SCROLLED = """() => [...document.querySelectorAll('.chart-scroll')].map(box => {
  const labels = [...box.querySelectorAll('svg text[text-anchor=middle]')];
  const last = labels[labels.length - 1].getBoundingClientRect(), seen = box.getBoundingClientRect();
  return {left: box.scrollLeft, most: box.scrollWidth - box.clientWidth, last: labels[labels.length - 1].textContent,
          lastInView: last.left >= seen.left - 0.5 && last.right <= seen.right + 0.5};
})"""


def _phone(browser: Any) -> tuple[Any, Any, list[str]]:
    context = browser.new_context(viewport={"width": 375, "height": 800}, locale="en-US")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return context, page, errors


def test_the_public_pages_month_chart_opens_on_the_latest_months_on_a_phone(
    porchlight_server: LiveServer, browser: Any, shot: Any
) -> None:
    context, page, errors = _phone(browser)

    page.goto(porchlight_server.url(HOST, "/transparency/?year=2025"))
    page.wait_for_load_state("load")
    shot(page, "transparency-375")
    charts = page.evaluate(SCROLLED)
    context.close()

    assert charts, "the page has its chart of months"
    for chart in charts:
        assert chart["most"] > 0  # wider than the phone: it scrolls
        assert chart["left"] >= chart["most"] - 1  # opened at its end
        assert chart["last"] == "Dec"
        assert chart["lastInView"]
    assert errors == []


def _member() -> dict[str, Any]:
    with tenant_context(Department.objects.get(schema_name="rialto")):
        member = UserFactory(role=Role.OVERSIGHT, email=f"board-{uuid.uuid4().hex[:6]}@example.org")
        return {"member": member, "secret": totp_enable(member)}


def test_the_boards_month_charts_open_on_the_latest_months_on_a_phone(
    porchlight_server: LiveServer, browser: Any, shot: Any
) -> None:
    world = _committed(_member)
    context, page, errors = _phone(browser)
    page.goto(porchlight_server.url(HOST, "/accounts/login/"))
    page.fill("[name=login]", world["member"].email)
    page.fill("[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.fill("[name=code]", totp_code(world["secret"]))
    page.click("main button[type=submit]")
    page.wait_for_load_state()

    page.goto(porchlight_server.url(HOST, "/oversight/dashboard/?year=2025"))
    page.wait_for_load_state("load")
    shot(page, "dashboard-375")
    # (the charts of months: the hours-by-weekday one is not a time line)
    charts = [chart for chart in page.evaluate(SCROLLED) if chart["last"] == "Dec"]
    context.close()

    assert len(charts) >= 2  # events by month and action, live views and minutes by month
    assert all(chart["most"] > 0 and chart["left"] >= chart["most"] - 1 for chart in charts), charts
    assert all(chart["lastInView"] for chart in charts), charts
    assert errors == []
