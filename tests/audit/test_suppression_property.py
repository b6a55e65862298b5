"""Complementary suppression holds for any table (issue 15): whatever the counts, no hidden
cell of a table published with its row totals, column totals and grand total can be worked out
from what is published, by subtraction or any combination of the totals. Checked here by an
elimination over the rationals written apart from the one in audit.figures."""

from fractions import Fraction
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from audit.figures import suppress_linked


def _worked_out(hidden: list[Any], sums: list[tuple[list[Any], list[Any]]]) -> set[Any]:
    """The hidden cells that a reader can work out: x is determined when every solution of the
    homogeneous system (the sums over the hidden cells) has x = 0."""
    rows = []
    for left, right in sums:
        row = [Fraction(left.count(k) - right.count(k)) for k in hidden]
        if any(row):
            rows.append(row)
    # Row-reduce, then read the null space: a hidden cell is free or depends on a free one
    # unless its pivot row has nothing but its pivot.
    pivot_of: dict[int, int] = {}
    r = 0
    for c in range(len(hidden)):
        p = next((i for i in range(r, len(rows)) if rows[i][c] != 0), None)
        if p is None:
            continue
        rows[r], rows[p] = rows[p], rows[r]
        rows[r] = [v / rows[r][c] for v in rows[r]]
        for i in range(len(rows)):
            if i != r and rows[i][c] != 0:
                f = rows[i][c]
                rows[i] = [a - f * b for a, b in zip(rows[i], rows[r], strict=True)]
        pivot_of[c] = r
        r += 1
    return {hidden[c] for c, row in pivot_of.items() if all(v == 0 for j, v in enumerate(rows[row]) if j != c)}


tables = st.integers(1, 5).flatmap(
    lambda n_rows: st.integers(1, 5).flatmap(
        lambda n_cols: st.lists(
            st.lists(st.integers(0, 14), min_size=n_cols, max_size=n_cols), min_size=n_rows, max_size=n_rows
        )
    )
)


@settings(max_examples=300, deadline=None)
@given(table=tables, threshold=st.integers(2, 6))
def test_no_hidden_cell_of_a_table_with_its_totals_can_be_worked_out(table: list[list[int]], threshold: int) -> None:
    n_rows, n_cols = len(table), len(table[0])
    values: dict[Any, int] = {("cell", r, c): table[r][c] for r in range(n_rows) for c in range(n_cols)}
    values |= {("row", r): sum(table[r]) for r in range(n_rows)}
    values |= {("col", c): sum(row[c] for row in table) for c in range(n_cols)}
    values[("all",)] = sum(map(sum, table))
    sums: list[tuple[list[Any], list[Any]]] = [
        ([("row", r)], [("cell", r, c) for c in range(n_cols)]) for r in range(n_rows)
    ]
    sums += [([("col", c)], [("cell", r, c) for r in range(n_rows)]) for c in range(n_cols)]
    sums += [([("all",)], [("row", r) for r in range(n_rows)]), ([("all",)], [("col", c) for c in range(n_cols)])]

    published = suppress_linked(values, sums, threshold)

    hidden = [key for key, cell in published.items() if isinstance(cell, str)]
    assert not _worked_out(hidden, sums)
    for key, value in values.items():
        if 0 < value < threshold:
            assert published[key] == f"<{threshold}"
        elif isinstance(published[key], str):
            assert published[key] == (f"<{threshold}" if value < threshold else f"≥{threshold}")
        else:
            assert published[key] == value
    assert suppress_linked(dict(values), list(sums), threshold) == published


def test_a_lone_hidden_cell_beside_its_row_total_takes_the_next_smallest_with_it() -> None:
    values = {"a": 3, "b": 9, "c": 7, "total": 19}

    published = suppress_linked(values, [(["total"], ["a", "b", "c"])], 5)

    assert published == {"a": "<5", "b": 9, "c": "≥5", "total": 19}


def test_a_hidden_cell_that_two_tables_add_up_to_is_hidden_in_both() -> None:
    """The same count in two tables is one cell: hidden in one, it is hidden in the other."""
    values = {"search": 6, "live": 3, "month": 9, "cat_a": 4, "cat_b": 2}
    sums = [(["month"], ["search", "live"]), (["search"], ["cat_a", "cat_b"])]

    published = suppress_linked(values, sums, 5)

    assert published == {"search": "≥5", "live": "<5", "month": 9, "cat_a": "<5", "cat_b": "<5"}
