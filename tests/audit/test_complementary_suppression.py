"""Small-cell suppression cannot be undone by subtraction: in any group whose total is
published (or can be added up from another table), a single hidden cell takes the next-smallest
with it (shown as "≥N"), on the public page, in its JSON and in the annual report; a count that
two tables show is one cell, hidden in both."""

from typing import Any

import pytest

from audit.checkpoints import checkpoint_make
from audit.figures import Figures, Period, suppress_group
from portal.transparency import transparency_data
from tenants.models import Department
from tenants.selectors import policy_current
from tests.audit.test_annual_report import REPORT, _csv, _year, board, event, log
from tests.audit.test_suppression_property import _worked_out
from tests.conftest import TenantClient
from tests.portal.test_transparency import as_last_month

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
    as_last_month()

    data = rialto_client.get("/transparency.json").json()
    page = rialto_client.get("/transparency/").content.decode()

    by_action = data["accesses_by_month_and_action"]
    months = len(data["accesses_by_month"])
    for m in range(months):
        assert not _unhidden([values[m] for values in by_action.values()])
    # A month's categories may hold one hidden count when the month's searches are hidden too.
    assert not _derivable_on_the_public_page(data)
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
    as_last_month()

    data = rialto_client.get("/transparency.json").json()

    searches = data["accesses_by_month_and_action"]["search"]
    month = searches.index("≥5")
    assert data["searches_by_month_and_purpose_category"]["violent_crime"][month] == "≥5"
    assert not _unhidden([v[month] for v in data["accesses_by_month_and_action"].values()])
    # the live views' months add up to the year's live views, published too
    assert not _unhidden(data["accesses_by_month_and_action"]["live_start"]) or data["live_views"] == "<5"


def test_a_count_hidden_in_one_table_is_hidden_where_another_table_repeats_it(board: TenantClient) -> None:
    """R3 and R1's quantities repeat cells of R1's table of actions: the complement hidden
    there (the footage requests, beside 3 live views whose months add up) is hidden here too."""
    for _n in range(3):
        event("live_start")
    for _n in range(6):
        event("footage_request")
    for _n in range(9):
        event("camera_view")
    checkpoint = checkpoint_make()

    cells = _csv(board.get(f"{REPORT}csv/", {"year": _year(), "checkpoint": checkpoint.pk}).content)

    assert cells[("R1", "Events by action", "Footage requested", "Allowed")] == "≥5"
    assert cells[("R1", "Quantity of data", "Cameras asked for footage", "Quantity")] == "≥5"
    assert (
        cells[
            ("R3", "Copies made of camera data and of the log", "Footage requests sent to owners (cameras)", "Events")
        ]
        == "≥5"
    )
    assert cells[("R1", "Quantity of data", "Live views opened", "Quantity")] == "<5"


def _derivable_on_the_public_page(data: dict[str, Any]) -> set[Any]:
    """The hidden cells of the page's access tables that its published totals give away: each
    month's actions add up to the month's accesses, the live views' and footage requests' months
    to the year's."""
    by_action = data["accesses_by_month_and_action"]
    values: dict[Any, Any] = {(a, m): v for a, row in by_action.items() for m, v in enumerate(row)}
    values |= {("month", m): v for m, v in enumerate(data["accesses_by_month"])}
    values[("row", "live_start")] = data["live_views"]
    values[("row", "footage_request")] = data["footage_requests"]["cameras_asked"]
    categories = data["searches_by_month_and_purpose_category"]
    values |= {("c", c, m): v for c, row in categories.items() for m, v in enumerate(row)}
    months = range(len(data["accesses_by_month"]))
    sums: list[tuple[list[Any], list[Any]]] = [([("month", m)], [(a, m) for a in by_action]) for m in months]
    sums += [([("row", a)], [(a, m) for m in months]) for a in ("live_start", "footage_request") if a in by_action]
    sums += [([("search", m)], [("c", c, m) for c in categories]) for m in months if "search" in by_action]
    return _worked_out([key for key, cell in values.items() if isinstance(cell, str)], sums)


def test_a_hidden_cell_beside_a_published_month_total_cannot_be_worked_out(log: Department) -> None:
    """A month whose only access is the complement hidden in the live views' row: its total,
    published, was that hidden count."""
    zeros = [0] * 8
    figures = Figures(
        period=Period(2026, None),
        accesses_by_bucket_action={"live_start": [7, 0, 5, 12, *zeros], "camera_view": [2, 5, 0, 7, *zeros]},
        accesses_by_bucket=[9, 5, 5, 19, *zeros],
        live_views=24,
        live_minutes_by_bucket=[0] * 12,
        denials_by_bucket=[0] * 12,
    )

    data = transparency_data(period=figures.period, policy=policy_current(), figures=figures)

    assert data["accesses_by_month_and_action"]["camera_view"][0] == "<5"
    assert not _derivable_on_the_public_page(data)


def test_the_footage_answers_do_not_give_away_the_cameras_asked_and_then_a_months_live_starts(
    log: Department,
) -> None:
    """The security review's case: cameras asked hidden as a complement ("≥5"), but answered 0
    and not answered 25 published: 0 + 25 = 25 cameras asked, the month's only footage requests,
    and the month's total less its published actions gave its 4 live starts."""
    from audit.figures import cells_derivable
    from portal.transparency import _published

    zeros = [0] * 11
    figures = Figures(
        period=Period(2026, None),
        accesses_by_bucket_action={
            "search": [100, *zeros],
            "camera_view": [46, *zeros],
            "footage_request": [25, *zeros],
            "live_start": [4, *zeros],
        },
        accesses_by_bucket=[175, *zeros],
        live_views=4,
        footage_requests=25,
        live_minutes_by_bucket=[0] * 12,
        denials_by_bucket=[0] * 12,
    )
    footage = {"uploaded": 0, "no_footage": 0, "declined": 0, "pending": 25, "no_answer": 0}

    cells = _published(figures, footage=footage, answered=0, threshold=5)

    months = range(12)
    actions = figures.accesses_by_bucket_action
    sums: list[tuple[list[Any], list[Any]]] = [([("month", m)], [("a", a, m) for a in actions]) for m in months]
    sums.append(([("live_views",)], [("a", "live_start", m) for m in months]))
    sums.append(([("cameras_asked",)], [("a", "footage_request", m) for m in months]))
    sums.append(([("answered",)], [("answer", a) for a in ("uploaded", "no_footage", "declined")]))
    sums.append(([("cameras_asked",)], [("answered",), ("not_answered",)]))
    hidden = [key for key, cell in cells.items() if isinstance(cell, str)]
    assert cells[("a", "live_start", 0)] == "<5"
    assert cells_derivable(hidden, sums) == set()
