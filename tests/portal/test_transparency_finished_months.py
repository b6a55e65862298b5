"""The public transparency page publishes finished months only (a month still running would let
a reader who reloads it time each access), and is kept by shared caches only for visitors who
are not signed in."""

import datetime as dt
from typing import Any

from django.utils import timezone

from accounts.models import Role
from audit.figures import figures_of, period_parse
from tenants.services import policy_update
from tests.conftest import TenantClient
from tests.portal.test_transparency import _events, _last_month, _this_month, as_last_month


def test_the_current_month_is_not_published_until_it_is_over(in_rialto: Any, rialto_client: TenantClient) -> None:
    # No small-cell suppression here (threshold 1): events other tests committed into Rialto's
    # last month could otherwise make the month's 7 a complementary "≥5".
    policy_update(department=in_rialto, actor=None, public_cell_threshold=1)
    # Other tests may have committed searches of this category into Rialto's log, this month or
    # last: count from what was there (as_last_month moves this month's figures, theirs too).
    published = rialto_client.get("/transparency.json").json()["searches_by_month_and_purpose_category"]
    running = figures_of(period_parse(year="", month="", today=timezone.localdate())).searches_by_category
    before = (published.get("violent_crime") or [0])[-1] + running.get("violent_crime", 0)
    _events(7, category="violent_crime")
    as_last_month()
    _events(6, category="missing_person")

    data = rialto_client.get("/transparency.json").json()
    page = rialto_client.get("/transparency/").content.decode()

    assert data["period"]["months"][-1] == _last_month().isoformat()[:7]
    assert data["period"]["published_through"] == (_this_month() - dt.timedelta(days=1)).isoformat()
    assert data["searches_by_month_and_purpose_category"]["violent_crime"][-1] == before + 7
    assert "missing_person" not in data["searches_by_month_and_purpose_category"]
    assert f"Figures up to the end of {_last_month():%B %Y}" in page


def test_reloading_the_page_after_an_access_shows_no_change(in_rialto: Any, rialto_client: TenantClient) -> None:
    _events(6)
    as_last_month()
    before = rialto_client.get("/transparency.json").json()

    _events(1)
    after = rialto_client.get("/transparency.json").json()

    for key in ("accesses_by_month_and_action", "accesses_by_month", "searches_by_month_and_purpose_category"):
        assert after[key] == before[key]


def test_the_boards_dashboard_keeps_the_current_month(in_rialto: Any) -> None:
    # from what other tests may have committed into Rialto's log this month
    before = figures_of(period_parse(year="", month="", today=timezone.localdate())).searches_by_category
    _events(6)

    figures = figures_of(period_parse(year="", month="", today=timezone.localdate()))

    assert figures.searches_by_category["violent_crime"] == before.get("violent_crime", 0) + 6


def test_small_cells_of_a_finished_month_are_still_suppressed(in_rialto: Any, rialto_client: TenantClient) -> None:
    _events(3, category="missing_person")
    _events(6, category="violent_crime")
    as_last_month()

    data = rialto_client.get("/transparency.json").json()

    assert data["searches_by_month_and_purpose_category"]["missing_person"][-1] == "<5"


def test_anonymous_visitors_get_open_data_shared_caches_may_keep(in_rialto: Any, rialto_client: TenantClient) -> None:
    for path in ("/transparency.json",):
        response = rialto_client.get(path)

        assert response["Cache-Control"] == "public, max-age=300", path
        assert "Cookie" in response["Vary"]
        assert not response.cookies, path


def test_a_page_that_sets_a_cookie_is_kept_by_no_shared_cache(in_rialto: Any, rialto_client: TenantClient) -> None:
    # Issue 15: the anonymous page was "public, max-age=300" and set a csrftoken cookie (the
    # language menu's form): a shared cache would hand every visitor the same CSRF cookie, and
    # the page the same token. The visitor's own browser may keep it; no shared cache may.
    response = rialto_client.get("/transparency/")

    assert "csrftoken" in response.cookies  # the language menu's form
    assert "public" not in response["Cache-Control"]
    assert response["Cache-Control"] == "private, max-age=300"
    assert "Cookie" in response["Vary"]


def test_a_signed_in_visitor_gets_a_page_no_cache_keeps(logged_in_staff: Any) -> None:
    client, _user = logged_in_staff(Role.OFFICER)

    for path in ("/transparency/", "/transparency.json"):
        response = client.get(path)

        assert "public" not in response["Cache-Control"]
        assert "private" in response["Cache-Control"]
        assert "no-store" in response["Cache-Control"]
        assert "Cookie" in response["Vary"]
