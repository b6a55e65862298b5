"""Every page of the oversight board's workspace, reached from its menu, fits a 375-px phone
without a sideways page scroll (wide tables scroll inside their own box), and its charts keep
labels a person can read (12-px text, none cut off), on a phone and at desktop width; in
English and in Spanish. The reviewer found the search 755 px wide on a phone, the report 623,
the charts' text about 5 px and the refusals chart's labels cut off at 1280 px."""

import uuid
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import Role
from audit.anomalies import FlagIn, anomaly_flags_add
from audit.checkpoints import checkpoint_make
from audit.services import ActorSnapshot, EventFacts, PurposeSnapshot, access_event_record
from tenants.models import Department
from tests.e2e.conftest import LiveServer
from tests.e2e.test_officer_searches import _committed
from tests.factories import PASSWORD, UserFactory, totp_code, totp_enable

HOST = "rialto.localhost"
pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

# Every page of the board's workspace, as its menu links to it.
BOARD_PAGES = [
    "/oversight/",
    "/oversight/dashboard/",
    "/oversight/search/",
    "/oversight/anomalies/",
    "/oversight/changes/",
    "/oversight/records/",
    "/oversight/report/",
]

# Each chart's text in CSS pixels on the screen, and whether any text runs out of the chart.
CHARTS = """() => [...document.querySelectorAll('svg.chart')].map(svg => {
  const box = svg.getBoundingClientRect();
  const scale = svg.viewBox.baseVal.width ? box.width / svg.viewBox.baseVal.width : 1;  // fluid: drawn at 1:1
  const cut = [...svg.querySelectorAll('text')].filter(t => {
    const r = t.getBoundingClientRect();
    return r.left < box.left - 0.5 || r.right > box.right + 0.5;
  }).map(t => t.textContent);
  return {font: 12 * scale, cut: cut};
})"""


def _world() -> dict[str, Any]:
    """A board member, refusals with long reasons, a live view, a flag and a checkpoint."""
    tag = uuid.uuid4().hex[:6]
    department = Department.objects.get(schema_name="rialto")
    with tenant_context(department):
        member = UserFactory(role=Role.OVERSIGHT, email=f"board-{tag}@example.org", full_name="Phil Phone")
        actor = ActorSnapshot(user_id=None, label="Officer Ames", badge=f"F{tag}", role="officer", mfa=True)
        purpose = PurposeSnapshot(case_number=f"C-{tag}", category="property_crime", text="a theft on Foothill")
        for reason in ("residential_live_view_disallowed", "purpose_required", "prohibited_purpose"):
            access_event_record(actor=actor, facts=EventFacts("live_start", "denied", reason), purpose=purpose)
        seq = access_event_record(actor=actor, facts=EventFacts("search", "allowed", "ok"), purpose=purpose).seq
        anomaly_flags_add(flags=[FlagIn("vague_purpose", f"fit-{tag}", [seq], timezone.now(), None, "Officer Ames")])
        checkpoint_make()
        year = timezone.localdate(timezone=ZoneInfo(department.time_zone)).year
        return {"member": member, "secret": totp_enable(member), "year": year}


def _signed_in_context(browser: Any, server: LiveServer, world: dict[str, Any], locale: str) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=locale)
    page = context.new_page()
    page.goto(server.url(HOST, "/accounts/login/"))
    page.fill("[name=login]", world["member"].email)
    page.fill("[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.fill("[name=code]", totp_code(world["secret"]))
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    if locale == "es":
        page.select_option("select[name=language]", "es")
        page.click("form.lang button")
        page.wait_for_load_state()
    return context


@pytest.mark.parametrize("locale", ["en", "es"])
def test_every_board_page_fits_a_phone_with_readable_charts(
    porchlight_server: LiveServer, browser: Any, shot: Any, locale: str
) -> None:
    # given a board member signed in, with refusals, a flag and a checkpoint in the log
    server, world = porchlight_server, _committed(_world)
    context = _signed_in_context(browser, server, world, locale)
    page = context.new_page()

    # when they open each page of the workspace on a phone and at desktop width
    widths: dict[tuple[str, int], int] = {}
    charts: dict[tuple[str, int], list[Any]] = {}
    missing_from_menu: dict[str, list[str]] = {}
    # (the search with results, and the report of this year, as well as each page as it opens)
    paths = [*BOARD_PAGES, "/oversight/search/?action=search", f"/oversight/report/?year={world['year']}"]
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        for path in paths:
            page.goto(server.url(HOST, path))
            shot(page, f"{path.strip('/').replace('/', '-').split('?')[0]}-{width}-{locale}")
            widths[(path, width)] = page.evaluate("document.documentElement.scrollWidth")
            charts[(path, width)] = page.evaluate(CHARTS)
            menu = page.eval_on_selector_all(".board-nav a", "links => links.map(a => a.pathname)")
            missing_from_menu[path] = [p for p in BOARD_PAGES if p not in menu]
    context.close()

    # then each page's board menu reaches every page, none is wider than the screen, and every
    # chart's text is at least 11 px and inside its chart
    assert {path: gone for path, gone in missing_from_menu.items() if gone} == {}
    assert {key: w for key, w in widths.items() if w > key[1]} == {}
    assert charts[("/oversight/dashboard/", 375)], "the dashboard has charts"
    assert {key: c for key, c in charts.items() if any(chart["font"] < 11 or chart["cut"] for chart in c)} == {}
