"""Small-cell suppression cannot be undone by subtraction: in any group whose total is
published (or can be added up from another table), a single hidden cell takes the next-smallest
with it (shown as "≥N"), on the public page, in its JSON and in the annual report."""

import pytest

from audit.checkpoints import checkpoint_make
from audit.figures import suppress_group
from tenants.models import Department
from tests.audit.test_annual_report import REPORT, _csv, _year, board, event, log
from tests.conftest import TenantClient

__all__ = ["board", "log"]


@pytest.mark.parametrize(
    ("values", "published"),
    [
        ([3, 6, 7, 140], ["<5", "≥5", 7, 140]),  # one hidden: the next-smallest goes too
        ([3, 2, 140], ["<5", "<5", 140]),  # two hidden: no single one can be worked out
        ([3, 0, 0], ["<5", 0, 0]),  # the total is itself under the threshold (and hidden)
        ([6, 7], [6, 7]),
        ([], []),
    ],
)
def test_a_single_hidden_cell_hides_the_next_smallest(values: list[int], published: list[object]) -> None:
    assert suppress_group(values, 5) == published


def _unhidden(cells: list[object]) -> bool:
    """Whether exactly one cell of a group is hidden (it could be worked out from the total)."""
    return sum(1 for c in cells if isinstance(c, str)) == 1


def test_the_public_page_hides_a_second_cell_of_each_month(log: Department, rialto_client: TenantClient) -> None:
    for _n in range(3):
        event("live_start")
    for _n in range(6):
        event("search", category="violent_crime")
    for _n in range(2):
        event("search", category="missing_person")
    for _n in range(9):
        event("camera_view")

    data = rialto_client.get("/transparency.json").json()
    page = rialto_client.get("/transparency/").content.decode()

    by_action = data["accesses_by_month_and_action"]
    months = len(data["accesses_by_month"])
    for m in range(months):
        assert not _unhidden([values[m] for values in by_action.values()])
        assert not _unhidden([values[m] for values in data["searches_by_month_and_purpose_category"].values()])
    assert "≥5" in by_action["search"]
    assert "≥5" in page
    assert "cannot be worked out by subtraction" in page


def test_the_report_hides_a_second_cell_of_each_group(board: TenantClient) -> None:
    for _n in range(3):
        event("live_start")
    for _n in range(6):
        event("search", category="violent_crime")
    for _n in range(9):
        event("camera_view")
    checkpoint = checkpoint_make()

    cells = _csv(board.get(f"{REPORT}csv/", {"year": _year(), "checkpoint": checkpoint.pk}).content)

    assert cells[("R1", "Events by action", "Live view started", "Allowed")] == "<5"
    assert cells[("R1", "Events by action", "Area search", "Allowed")] == "≥5"
    assert cells[("R1", "Events by action", "Camera details viewed", "Allowed")] == "9"


def test_a_second_hidden_cell_cannot_be_added_up_from_another_table(
    log: Department, rialto_client: TenantClient
) -> None:
    """The month's searches hidden as the complement of its live views must not be the sum of
    the month's purpose categories, all shown."""
    for _n in range(3):
        event("live_start")
    for _n in range(6):
        event("search", category="violent_crime")
    for _n in range(9):
        event("camera_view")

    data = rialto_client.get("/transparency.json").json()

    searches = data["accesses_by_month_and_action"]["search"]
    month = searches.index("≥5")
    assert data["searches_by_month_and_purpose_category"]["violent_crime"][month] == "≥5"
    assert not _unhidden([v[month] for v in data["accesses_by_month_and_action"].values()])
    # the live views' months add up to the year's live views, published too
    assert not _unhidden(data["accesses_by_month_and_action"]["live_start"]) or data["live_views"] == "<5"
