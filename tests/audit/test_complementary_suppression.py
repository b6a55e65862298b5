"""Small-cell suppression cannot be undone by subtraction: in any group whose total is
published (or can be added up from another table), a single hidden cell takes another with it
(shown as "≥N"), on the public page, in its JSON and in the annual report; a count that two
tables show is one cell, hidden in both. (tests/audit/test_publication.py holds the decision to
every pair of outputs; these are the outputs themselves.)"""

import datetime as dt
from typing import Any

import pytest

from audit.checkpoints import checkpoint_make
from audit.figures import Period, suppress_group
from audit.publication import YearTable, year_published, year_values
from portal.transparency import transparency_data
from tenants.models import Department
from tenants.selectors import policy_current
from tests.audit.attacker import small_told
from tests.audit.test_annual_report import REPORT, _csv, _year, board, event, log
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
    assert "≥5" in [cell for row in by_action.values() for cell in row]
    assert "≥5" in page
    assert "where one would be recoverable from totals" in page


def test_the_report_hides_a_second_cell_of_each_group(board: TenantClient) -> None:
    for _n in range(3):
        event("live_start")
    for _n in range(6):
        event("search", category="violent_crime")
    for _n in range(9):
        event("camera_view")
    checkpoint = checkpoint_make()

    cells = _csv(board.get(f"{REPORT}csv/", {"year": _year(), "checkpoint": checkpoint.pk}).content)

    others = [cells[("R1", "Events by action", name, "Allowed")] for name in ("Area search", "Camera details viewed")]
    assert cells[("R1", "Events by action", "Live view started", "Allowed")] == "<5"
    assert sorted(others) in (["6", "≥5"], ["9", "≥5"])  # one of them goes with it (the month's total is 18)


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

    month = len(data["accesses_by_month"]) - 1
    column = [row[month] for row in data["accesses_by_month_and_action"].values()]
    assert data["accesses_by_month_and_action"]["live_start"][month] == "<5"
    assert not _unhidden(column)
    assert not _derivable_on_the_public_page(data)


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
    """The hidden cells of the page's tables that the reader of tests.audit.attacker can tell
    from the page alone (labels and sums: each month's actions add up to its accesses, its
    purpose categories to its searches, the rows' months to the page's year totals)."""
    by_action = data["accesses_by_month_and_action"]
    figures: dict[Any, Any] = {("a", a, m): v for a, row in by_action.items() for m, v in enumerate(row)}
    figures |= {("month", m): v for m, v in enumerate(data["accesses_by_month"])}
    figures |= {
        ("c", c, m): v for c, row in data["searches_by_month_and_purpose_category"].items() for m, v in enumerate(row)
    }
    figures |= {("lm", m): v for m, v in enumerate(data["live_minutes_by_month"])}
    figures |= {("d", m): v for m, v in enumerate(data["denials_by_month"])}
    figures[("A", "live_start")] = data["live_views"]
    figures[("A", "footage_request")] = data["footage_requests"]["cameras_asked"]
    figures[("LM",)], figures[("D",)] = data["live_minutes"], data["denials"]
    from tests.audit.attacker import told

    return {f for f in told(figures, data["suppression"]["threshold"]) if str(figures[f]).startswith("<")}


def _table(accesses: dict[str, list[int]], *, months: int = 12) -> YearTable:
    return YearTable(
        year=2026,
        months=tuple(dt.date(2026, m, 1) for m in range(1, months + 1)),
        complete=True,
        accesses={code: tuple(row) for code, row in sorted(accesses.items())},
        live_seconds=(0,) * months,
        denials=(0,) * months,
    )


def test_a_hidden_cell_beside_a_published_month_total_cannot_be_worked_out(log: Department) -> None:
    """A month whose only access is the complement hidden in the live views' row: its total,
    published, was that hidden count."""
    zeros = [0] * 8
    table = _table({"live_start": [7, 0, 5, 12, *zeros], "camera_view": [2, 5, 0, 7, *zeros]})

    data = transparency_data(period=Period(2026, None), policy=policy_current(), table=table)

    assert data["accesses_by_month_and_action"]["camera_view"][0] == "<5"
    assert not _derivable_on_the_public_page(data)


def test_the_footage_answers_do_not_give_away_the_cameras_asked_and_then_a_months_live_starts(
    log: Department,
) -> None:
    """The security review's case: cameras asked hidden as a complement ("≥5"), but answered 0
    and not answered 25 published: 0 + 25 = 25 cameras asked, the month's only footage requests,
    and the month's total less its published actions gave its 4 live starts."""
    zeros = [0] * 11
    table = _table(
        {
            "search": [100, *zeros],
            "camera_view": [46, *zeros],
            "footage_request": [25, *zeros],
            "live_start": [4, *zeros],
        }
    )
    footage = {"uploaded": 0, "no_footage": 0, "declined": 0, "pending": 25, "no_answer": 0}
    truth = year_values(table) | {("answer", a): 0 for a in ("uploaded", "no_footage", "declined")}
    truth |= {("answered",): 0, ("not_answered",): 25}

    cells = year_published(table, threshold=5, footage=footage).cells

    assert cells[("a", "live_start", 0)] == "<5"
    assert small_told(cells, 5, truth) == {}
