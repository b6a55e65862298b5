"""Small things a board member met on their pages (issue 15's review): a note added to an
anomaly flag is confirmed as saved, the annual report offers only the years the department can
have a report for, and every page's title and heading name the department, with the
Dashboard in the board's own menu on every page."""

import html
import re
from typing import Any

import pytest
from django.utils import timezone

from tenants.models import Department
from tests.audit.test_anomaly_queue import QUEUE, board, queue
from tests.conftest import TenantClient

__all__ = ["board", "queue"]

pytestmark = pytest.mark.django_db

BOARD_PAGES = [
    "/oversight/",
    "/oversight/dashboard/",
    "/oversight/search/",
    "/oversight/anomalies/",
    "/oversight/changes/",
    "/oversight/records/",
    "/oversight/report/",
]


def test_a_note_added_to_a_flag_is_confirmed_as_saved(board: TenantClient, queue: list[Any]) -> None:
    # given a flag of the anomaly queue
    flag = queue[0]

    # when the board marks it reviewed with a note and is sent back to the queue
    response = board.post(f"{QUEUE}{flag.pk}/review/", {"note": "Looked at it: fine."}, follow=True)

    # then the queue says the note is saved (as the rest of the app confirms what it saved)
    messages = [(m.level_tag, str(m)) for m in response.context["messages"]]
    assert messages[-1] == ("success", f"Your note on flag {flag.pk} is saved.")
    assert f"Your note on flag {flag.pk} is saved." in response.content.decode()


def test_the_report_offers_the_years_from_the_departments_first(board: TenantClient, in_rialto: Department) -> None:
    # given a department made this year (the test department is made today)
    this_year = timezone.localdate().year

    # when the board opens the annual report
    page = board.get("/oversight/report/").content.decode()
    select = page[page.index('id="report-year"') : page.index("</select>", page.index('id="report-year"'))]

    # then the years offered go back to the year it was made, not to 2000
    years = [int(y) for y in re.findall(r'<option value="(\d{4})"', select)]
    assert years[0] == this_year
    assert years[-1] == min(in_rialto.created_at.year, this_year)
    assert 2000 not in years


@pytest.mark.parametrize("path", BOARD_PAGES)
def test_every_board_page_names_the_department_and_has_the_whole_menu(
    board: TenantClient, in_rialto: Department, path: str
) -> None:
    page = html.unescape(board.get(path).content.decode())

    title = re.search(r"<title>(.*?)</title>", page, re.S)
    heading = re.search(r"<h1>(.*?)</h1>", page, re.S)
    menu = re.search(r'<nav class="board-nav".*?</nav>', page, re.S)
    assert title is not None
    assert heading is not None
    assert menu is not None
    assert in_rialto.name in title[1]
    assert in_rialto.name in heading[1]
    linked = re.findall(r'href="([^"]+)"', menu[0])
    assert [p for p in BOARD_PAGES if p not in linked] == []
