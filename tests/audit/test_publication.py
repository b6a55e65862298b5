"""Small-cell suppression is decided once for every output (audit.publication), so that no
combination of what the outputs publish gives a hidden count back (issue 15: the review's
attacker took a purpose category's year total in the annual report, less its months on the
public page, and had the month the page hid), and nothing is hidden that need not be.

The reader is tests.audit.attacker, written apart from the code it attacks."""

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.publication import YearTable, year_published, year_values
from tests.audit.attacker import relations_of, small_told

MONTHS = tuple(dt.date(2025, m, 1) for m in range(1, 13))
# What each output shows of the table (portal.transparency, audit.annual_report): the page by
# month, the report by year; both the months' accesses.
PAGE = (
    "a",
    "month",
    "c",
    "lm",
    "d",
    "A:live_start",
    "A:footage_request",
    "LM",
    "D",
    "answer",
    "answered",
    "not_answered",
)
REPORT = ("month", "A", "C", "LM", "O", "R", "reason", "door", "door_role")


def _shown_in(output: tuple[str, ...], figure: tuple[Any, ...]) -> bool:
    return figure[0] in output or (len(figure) > 1 and f"{figure[0]}:{figure[1]}" in output)


def _part(cells: dict[Any, Any], output: tuple[str, ...]) -> dict[Any, Any]:
    return {f: cell for f, cell in cells.items() if _shown_in(output, f)}


def _table(
    accesses: dict[str, list[int]],
    searches: dict[str, list[int]],
    *,
    months: int = 12,
    complete: bool = True,
    **year: Any,
) -> YearTable:
    return YearTable(
        year=2025,
        months=MONTHS[:months],
        complete=complete,
        accesses={code: tuple(row[:months]) for code, row in accesses.items()},
        searches={code: tuple(row[:months]) for code, row in searches.items()},
        live_seconds=tuple(year.pop("live_seconds", [0] * 12)[:months]),
        denials=tuple(year.pop("denials", [0] * 12)[:months]),
        **year,
    )


def _truth(table: YearTable, footage: dict[str, int] | None = None) -> dict[Any, int]:
    values = year_values(table)
    values.setdefault(("A", "footage_request"), 0)
    if footage:
        values |= {("answer", a): footage[a] for a in ("uploaded", "no_footage", "declined")}
        values[("answered",)] = footage["uploaded"] + footage["no_footage"] + footage["declined"]
        values[("not_answered",)] = footage["pending"] + footage["no_answer"]
    return values


# The review's case, at 2025's shape: missing-person searches in three months of the year, a
# small one in March; the page hid March in its month, the report published the year's 24.
MISSING = [0, 0, 3, 9, 12, 0, 0, 0, 0, 0, 0, 0]
VIOLENT = [20, 31, 25, 18, 22, 40, 38, 29, 33, 27, 24, 30]
CASE = _table(
    {
        "search": [v + m for v, m in zip(VIOLENT, MISSING, strict=True)],
        "camera_view": [55, 61, 48, 52, 70, 66, 59, 62, 58, 64, 60, 57],
    },
    {"violent_crime": VIOLENT, "missing_person": MISSING},
)


def test_the_reviews_attack_gives_nothing_back() -> None:
    published = year_published(CASE, threshold=5).cells
    page, report = _part(published, PAGE), _part(published, REPORT)

    total = report[("C", "missing_person")]
    months = [page[("c", "missing_person", m)] for m in range(12)]

    # March is hidden on the page, and the year's total in the report is not what gave it back.
    assert months[2] == "<5"
    assert not isinstance(total, int) or sum(1 for cell in months if not isinstance(cell, int)) >= 2
    assert small_told({**page, **report}, 5, _truth(CASE)) == {}


def test_a_table_without_small_counts_hides_nothing() -> None:
    table = _table(
        {"search": [v + 10 for v in VIOLENT], "camera_view": [55] * 12},
        {"violent_crime": VIOLENT, "missing_person": [10] * 12},
        live_seconds=[600] * 12,
        denials=[7] * 12,
        refused={"camera_view": 84},
        reasons={"no_grant": 84},
    )

    published = year_published(table, threshold=5, footage=_no_footage()).cells

    assert [f for f, cell in published.items() if not isinstance(cell, int)] == []


def test_one_small_month_hides_what_it_needs_and_no_more() -> None:
    """March's 3 missing-person searches: hidden, with one more count of March's searches (else
    March's searches less its other categories give it), and the two purpose categories' year
    totals, now each the only hidden count of its row... or one cell each that would do as well;
    whatever is hidden, each is needed."""
    published = year_published(CASE, threshold=5).cells
    truth = _truth(CASE)

    hidden = {f for f, cell in published.items() if not isinstance(cell, int)}

    assert ("c", "missing_person", 2) in hidden
    assert all(f[-1] == 2 or f[0] in ("A", "C") for f in hidden)  # March's column, and year totals
    _assert_each_is_needed(published, truth, forced=set())


def _no_footage() -> dict[str, int]:
    return {"uploaded": 0, "no_footage": 0, "declined": 0, "pending": 0, "no_answer": 0}


def _assert_each_is_needed(published: dict[Any, Any], truth: dict[Any, int], *, forced: set[Any]) -> None:
    """Every hidden cell is a small count, a running year's total of a row with a hidden month
    (``forced``), or one that, published, would let the reader tell a small count."""
    for figure, cell in published.items():
        if isinstance(cell, int) or cell == "x" or 0 < truth[figure] < 5 or figure in forced:
            continue
        shown = {**published, figure: truth[figure]}
        assert small_told(shown, 5, truth), f"{figure} = {truth[figure]} is hidden for nothing"


def _forced(table: YearTable, published: dict[Any, Any]) -> set[Any]:
    """A running year's row totals whose row has a hidden month (the module's temporal rule)."""
    if table.complete:
        return set()
    months = range(len(table.months))
    rows: dict[Any, list[Any]] = {("A", code): [("a", code, m) for m in months] for code in table.accesses}
    rows |= {("C", code): [("c", code, m) for m in months] for code in table.searches}
    rows |= {("LM",): [("lm", m) for m in months], ("D",): [("d", m) for m in months]}
    return {total for total, parts in rows.items() if any(not isinstance(published[p], int) for p in parts)}


counts = st.integers(0, 12)


@st.composite
def tables(draw: Any) -> tuple[YearTable, dict[str, int]]:
    width = draw(st.integers(1, 4))
    codes = draw(st.lists(st.sampled_from(["camera_view", "live_start", "footage_request", "clip_view"]), unique=True))
    categories = draw(st.lists(st.sampled_from(["violent_crime", "missing_person", ""]), unique=True, max_size=3))
    searches = {c: draw(st.lists(counts, min_size=width, max_size=width)) for c in categories}
    accesses = {c: draw(st.lists(counts, min_size=width, max_size=width)) for c in codes}
    if searches:
        accesses["search"] = [sum(row[m] for row in searches.values()) for m in range(width)]
    denials = draw(st.lists(counts, min_size=width, max_size=width))
    live = draw(st.lists(st.integers(0, 900), min_size=width, max_size=width))
    door_role, door_mfa = draw(counts), draw(counts)
    refused_search = draw(st.integers(0, sum(denials)))
    table = YearTable(
        year=2025,
        months=MONTHS[:width],
        complete=draw(st.booleans()),
        accesses={c: tuple(r) for c, r in sorted(accesses.items())},
        searches={c: tuple(r) for c, r in sorted(searches.items())},
        live_seconds=tuple(live),
        denials=tuple(denials),
        other_allowed={"purpose_declare": draw(counts), "audit_read": draw(counts)},
        # The police's refusals by action add up to the months' refusals; the door's by action.
        refused={
            "camera_view": sum(denials) - refused_search,
            "search": refused_search,
            "console_denied": door_role + door_mfa,
        },
        reasons={"no_grant": sum(denials), "role_not_permitted": door_role, "mfa_required": door_mfa},
        door=door_role + door_mfa,
        door_role=door_role,
    )
    # Every camera asked is answered (with footage, none, declined) or not (pending, no answer).
    left = sum(table.accesses.get("footage_request", [0]))
    footage: dict[str, int] = {}
    for answer in ("uploaded", "no_footage", "declined", "no_answer"):
        footage[answer] = draw(st.integers(0, left))
        left -= footage[answer]
    footage["pending"] = left
    return table, footage


@settings(max_examples=150, deadline=None)
@given(case=tables())
def test_no_pair_of_outputs_gives_a_hidden_count_back(case: tuple[YearTable, dict[str, int]]) -> None:
    table, footage = case
    truth = _truth(table, footage)

    published = year_published(table, threshold=5, footage=footage).cells

    page, report = _part(published, PAGE), _part(published, REPORT)
    assert small_told(page, 5, truth) == {}
    assert small_told(report, 5, truth) == {}
    assert small_told({**page, **report}, 5, truth) == {}
    for figure, cell in published.items():
        value = truth[figure]
        assert cell in (value, "<5" if value < 5 else "≥5", "x")
        assert cell != value or not 0 < value < 5


@settings(max_examples=100, deadline=None)
@given(case=tables())
def test_nothing_is_hidden_that_need_not_be(case: tuple[YearTable, dict[str, int]]) -> None:
    table, footage = case
    truth = _truth(table, footage)

    published = year_published(table, threshold=5, footage=footage).cells

    _assert_each_is_needed(published, truth, forced=_forced(table, published))


@settings(max_examples=80, deadline=None)
@given(case=tables(), new=st.lists(counts, min_size=8, max_size=8))
def test_this_months_page_and_last_months_give_nothing_back_together(
    case: tuple[YearTable, dict[str, int]], new: list[int]
) -> None:
    """While the year runs, the page gains a month each month, and its earlier versions stay on
    the web. The months are the same figures in both versions; the year totals are two figures,
    and this month's less last month's must not give the new month back."""
    table = _running(case[0])
    grown = _grown(table, new)
    before, after = year_published(table, threshold=5).cells, year_published(grown, threshold=5).cells

    both = {**_version(_part(before, PAGE), "before"), **_version(_part(after, PAGE), "after")}
    truth = {**_version(_truth(table), "before"), **_version(_truth(grown), "after")}
    relations = [
        *_versioned(relations_of(_part(before, PAGE)), "before"),
        *_versioned(relations_of(_part(after, PAGE)), "after"),
    ]

    for m in range(len(table.months)):  # a month is decided from its own counts
        assert _column(before, m) == _column(after, m)
    assert small_told(both, 5, truth, relations) == {}


def _grown(table: YearTable, new: list[int]) -> YearTable:
    """``table`` with one more month: each action's and purpose category's count from ``new``."""
    searches = {c: (*row, new[n]) for n, (c, row) in enumerate(table.searches.items())}
    accesses = {c: (*row, new[3 + n]) for n, (c, row) in enumerate(table.accesses.items()) if c != "search"}
    if searches:
        accesses["search"] = (*table.accesses["search"], sum(row[-1] for row in searches.values()))
    return YearTable(
        year=2025,
        months=MONTHS[: len(table.months) + 1],
        complete=False,
        accesses=dict(sorted(accesses.items())),
        searches=searches,
        live_seconds=(*table.live_seconds, 60 * new[7]),
        denials=(*table.denials, new[6]),
    )


def _column(cells: dict[Any, Any], m: int) -> dict[Any, Any]:
    return {f: c for f, c in cells.items() if _month_cell(f) and f[-1] == m}


def _version(cells: dict[Any, Any], tag: str) -> dict[Any, Any]:
    return {(f if _month_cell(f) else (*f, tag)): c for f, c in cells.items()}


def _running(table: YearTable) -> YearTable:
    return YearTable(
        year=2025,
        months=table.months,
        complete=False,
        accesses=table.accesses,
        searches=table.searches,
        live_seconds=table.live_seconds,
        denials=table.denials,
    )


def _month_cell(figure: tuple[Any, ...]) -> bool:
    return figure[0] in ("a", "month", "c", "lm", "d")


def _versioned(relations: list[Any], tag: str) -> list[Any]:
    def name(f: tuple[Any, ...]) -> tuple[Any, ...]:
        return f if _month_cell(f) else (*f, tag)

    return [([name(f) for f in left], [name(f) for f in right]) for left, right in relations]


@pytest.mark.parametrize("threshold", [2, 5, 10])
def test_the_same_counts_give_the_same_cells(threshold: int) -> None:
    assert year_published(CASE, threshold=threshold).cells == year_published(CASE, threshold=threshold).cells


def test_the_reader_of_these_tests_is_not_blind() -> None:
    """The attacker finds what a decision for one output alone left: the category's year total,
    published beside a single hidden month, gives the month back."""
    figures: dict[Any, Any] = {("c", "missing_person", m): n for m, n in enumerate(MISSING)}
    figures[("c", "missing_person", 2)] = "<5"
    figures[("C", "missing_person")] = 24

    assert small_told(figures, 5, _truth(CASE)) == {("c", "missing_person", 2): 3}
