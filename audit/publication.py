"""What the public learns of a year's log: the one decision of which counts are published and
which are hidden, taken by this module for every output that publishes them: the public
transparency page and its JSON (portal.transparency) and the annual report in HTML, PDF and CSV
(audit.annual_report). docs/annual-report.md, "Small cells", is the rule in words.

The rule: a count from 1 to N - 1 is published as "<N" (0 is published: that nothing happened
reveals nobody); where a hidden count could be told from what is published (a total less the
others, any combination of totals, or the bounds the labels give: "<N" is 1 to N - 1, "≥N" is
N or more), another count is hidden too (complementary suppression), as few as suffice.

Why one decision. Each output publishes a part of one table (per month: police accesses by
action and their total, searches by purpose category, live minutes, police refusals; per year:
those rows' totals, the events of every action allowed and refused, refusals by reason) and the
relations between its cells are the same wherever they appear. Deciding separately per output
let a reader combine two: a purpose category's year total in the report, less its months on the
page, gave back a month hidden on the page. Decided once, over the union of every output's cells
and of the relations between them, a count hidden in one output is hidden in all, and every sum
that crosses outputs was part of the decision.

In layers, each fixed before the next, so that what was published stays as it was when more is
published later:

1. Months. Each month's column (its actions and their total, its purpose categories and their
   total, its live minutes, its refusals) is decided from that month's counts alone: the same on
   the page the month after it ended, on every later version of the page, and in any report that
   counts the whole month. (Had a later month moved a complement into an earlier one, the two
   versions of the page together would give back the hidden count.)
2. The year: the rows' totals and the report's year-only tables, with the months fixed; their
   complements are year cells. While the year is running (the page before it is over, a report
   held to a checkpoint inside it), a row total with a hidden month is hidden: the next version
   of that total, less this one, would be that month. Once the year is over, a row total is
   hidden only when the months would otherwise be told.
3. The page's own: the owners' answers to footage requests (which the report does not publish),
   with everything above fixed.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import connection

from .figures import ACCESS_ACTIONS, EVIDENCE, POLICE_ACTIONS, cells_derivable, is_door_refusal, is_police_refusal
from .models import Action, Outcome
from .reasons import Refusal

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Mapping, Sequence

__all__ = [
    "WITHHELD",
    "Counts",
    "Decision",
    "Published",
    "YearTable",
    "cells_exposed",
    "cells_suppress",
    "label",
    "month_counts",
    "year_published",
    "year_relations",
    "year_table",
]

Key = tuple[dt.date, str, str, str, str, bool]  # month, action, outcome, reason, category, evidence
Counts = dict[Key, list[int]]  # -> [events, quantity]
Cell = tuple[Any, ...]
#: Cells that add up to the same figure: the left cells' sum is the right cells' sum (a total and
#: its parts: ``((total,), parts)``; two tables adding up to the same figure: ``(one, other)``).
Relation = tuple[tuple[Cell, ...], tuple[Cell, ...]]
ANSWERS = ("uploaded", "no_footage", "declined")


def month_counts(start: dt.date, end: dt.date) -> Counts:
    """The month rollup's rows of the months from ``start`` up to (not including) ``end``."""
    counts: Counts = defaultdict(lambda: [0, 0])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT month, action, outcome, reason, category, evidence, events, quantity FROM audit_monthrollup "
            "WHERE month >= %s AND month < %s",
            [start, end],
        )
        for month, action, outcome, reason, category, evidence, n, quantity in cursor.fetchall():
            cell = counts[(month, action, outcome, reason, category, evidence)]
            cell[0] += n
            cell[1] += quantity
    return counts


@dataclass(frozen=True)
class YearTable:
    """A year's counts as the public outputs publish them: per month (``months``, the first day
    of each) and per year."""

    year: int
    months: tuple[dt.date, ...]
    # Every month of the year is over and fully counted: the page of a past year, a report held
    # to a checkpoint made after the year ended.
    complete: bool
    # Allowed police accesses (ACCESS_ACTIONS; evidence exports apart, as EVIDENCE) per month.
    accesses: dict[str, tuple[int, ...]] = field(default_factory=dict)
    # Allowed searches by purpose category ("" when none was stated) per month.
    searches: dict[str, tuple[int, ...]] = field(default_factory=dict)
    live_seconds: tuple[int, ...] = ()
    denials: tuple[int, ...] = ()  # police refusals (audit.figures.is_police_refusal) per month
    # The year only: allowed events of the other actions, refusals by action (the police's and
    # attempts at pages of another role), by reason, and those attempts, of which for the role.
    other_allowed: dict[str, int] = field(default_factory=dict)
    refused: dict[str, int] = field(default_factory=dict)
    reasons: dict[str, int] = field(default_factory=dict)
    door: int = 0
    door_role: int = 0
    # Each code's action (EVIDENCE is an export).
    actions: dict[str, str] = field(default_factory=dict)


def year_table(counts: Counts, *, year: int, months: Sequence[dt.date], complete: bool) -> YearTable:
    """The table of ``counts`` (keyed by month, action, outcome, reason, category, evidence; the
    month rollup's rows, or the report's up to its checkpoint) over ``months``."""
    index = {month: n for n, month in enumerate(months)}
    width = len(months)
    accesses: dict[str, list[int]] = defaultdict(lambda: [0] * width)
    searches: dict[str, list[int]] = defaultdict(lambda: [0] * width)
    live_seconds, denials = [0] * width, [0] * width
    other: dict[str, int] = defaultdict(int)
    refused: dict[str, int] = defaultdict(int)
    reasons: dict[str, int] = defaultdict(int)
    door = door_role = 0
    actions: dict[str, str] = {}
    for (month, action, outcome, reason, category, evidence), (n, quantity) in counts.items():
        m = index.get(month)
        if m is None or not n:
            continue
        code = EVIDENCE if evidence else action
        actions[code] = action
        if outcome != Outcome.ALLOWED:
            if is_door_refusal(action, outcome, reason):
                door += n
                door_role += n if reason == Refusal.ROLE_NOT_PERMITTED else 0
            elif is_police_refusal(action, outcome):
                denials[m] += n
            else:
                continue  # a log reader's input error (a bad filter) is no refusal
            refused[code] += n
            reasons[reason] += n
            continue
        if action in ACCESS_ACTIONS:
            accesses[code][m] += n
        else:
            other[code] += n
        if action == Action.SEARCH:
            searches[category][m] += n
        elif action == Action.LIVE_END:
            live_seconds[m] += quantity
    return YearTable(
        year=year,
        months=tuple(months),
        complete=complete,
        accesses={code: tuple(row) for code, row in sorted(accesses.items())},
        searches={code: tuple(row) for code, row in sorted(searches.items())},
        live_seconds=tuple(live_seconds),
        denials=tuple(denials),
        other_allowed=dict(sorted(other.items())),
        refused=dict(sorted(refused.items())),
        reasons=dict(sorted(reasons.items())),
        door=door,
        door_role=door_role,
        actions=actions,
    )


def _minutes(seconds: int) -> int:
    return round(seconds / 60)


def year_values(table: YearTable) -> dict[Cell, int]:
    """Every cell of the table, in a fixed order (a tie between two cells goes to the first).
    Per month: ("a", code, m) accesses of an action, ("month", m) their total, ("c", category, m)
    searches of a purpose category, ("lm", m) live minutes, ("d", m) police refusals. Per year:
    ("A", code) and ("C", category) the rows' totals, ("LM",) and ("D",), ("O", code) the other
    actions allowed, ("R", code) refused, ("reason", code), ("door",), ("door_role",)."""
    width = len(table.months)
    values: dict[Cell, int] = {}
    for m in range(width):
        values |= {("a", code, m): row[m] for code, row in table.accesses.items()}
        values[("month", m)] = sum(row[m] for row in table.accesses.values())
        values |= {("c", code, m): row[m] for code, row in table.searches.items()}
        values[("lm", m)] = _minutes(table.live_seconds[m])
        values[("d", m)] = table.denials[m]
    values |= {("A", code): sum(row) for code, row in table.accesses.items()}
    values |= {("C", code): sum(row) for code, row in table.searches.items()}
    # The year's live minutes are its months' (each rounded), so that they add up exactly.
    values[("LM",)] = sum(_minutes(seconds) for seconds in table.live_seconds)
    values[("D",)] = sum(table.denials)
    values |= {("O", code): n for code, n in table.other_allowed.items()}
    values |= {("R", code): n for code, n in table.refused.items()}
    values |= {("reason", code): n for code, n in table.reasons.items()}
    values[("door",)] = table.door
    values[("door_role",)] = table.door_role
    # A cell no output publishes but a reader can form: the door's refusals for want of MFA (the
    # door's less those for the role).
    values[("door_mfa",)] = table.door - table.door_role
    return values


def year_relations(table: YearTable) -> list[Relation]:
    """Every sum a reader can form between the cells of ``year_values``, whichever outputs they
    read (the page's tables and totals, the report's R1, R3 and R8)."""
    months = range(len(table.months))
    codes, categories = list(table.accesses), list(table.searches)
    relations: list[Relation] = []
    for m in months:  # a month's column
        relations.append(((("month", m),), tuple(("a", code, m) for code in codes)))
        if categories:
            searches = (("a", Action.SEARCH.value, m),) if Action.SEARCH in table.accesses else ()
            relations.append((searches, tuple(("c", code, m) for code in categories)))
    # The rows' totals: a row's months add up to its year.
    relations += [((("A", code),), tuple(("a", code, m) for m in months)) for code in codes]
    relations += [((("C", code),), tuple(("c", code, m) for m in months)) for code in categories]
    relations.append(((("LM",),), tuple(("lm", m) for m in months)))
    relations.append(((("D",),), tuple(("d", m) for m in months)))
    # The year's accesses, by month or by action; its searches by purpose category.
    relations.append((tuple(("month", m) for m in months), tuple(("A", code) for code in codes)))
    if categories:
        searches_year = (("A", Action.SEARCH.value),) if Action.SEARCH in table.accesses else ()
        relations.append((searches_year, tuple(("C", code) for code in categories)))
    # The refusals: the police's by action add up to the page's refused attempts, the others to
    # the door's; every refused action to the reasons.
    police = [code for code in table.refused if table.actions.get(code, code) in POLICE_ACTIONS]
    others = [code for code in table.refused if code not in police]
    relations.append(((("D",),), tuple(("R", code) for code in police)))
    relations.append(((("door",),), tuple(("R", code) for code in others)))
    relations.append((tuple(("reason", code) for code in table.reasons), tuple(("R", code) for code in table.refused)))
    relations.append(((("door",),), (("door_role",), ("door_mfa",))))
    return relations


def _month_layer(values: Mapping[Cell, int], m: int) -> list[Cell]:
    return [key for key in values if key[0] in ("a", "month", "c", "lm", "d") and key[-1] == m]


@dataclass
class Published:
    """The cells as published: a count, or "<N" / "≥N" for one hidden."""

    threshold: int
    cells: dict[Cell, int | str]

    def __getitem__(self, key: Cell) -> int | str:
        return self.cells.get(key, 0)

    def hidden(self) -> set[Cell]:
        return {key for key, cell in self.cells.items() if isinstance(cell, str)}


def year_published(table: YearTable, *, threshold: int, footage: Mapping[str, int] | None = None) -> Published:
    """The published cells of ``table`` (and of the page's footage answers, when given: the
    counts of ANSWERS, "pending" and "no_answer"), decided in the module's three layers."""
    values = year_values(table)
    relations = year_relations(table)
    implied = {("door_mfa",)}
    hidden: set[Cell] = set()
    withheld: set[Cell] = set()

    def decide(decision: Decision) -> None:
        hidden.update(decision.hidden)
        withheld.update(decision.withheld)

    # 1. Each month's column, from its own counts and relations only.
    for m in range(len(table.months)):
        layer = _month_layer(values, m)
        own = [r for r in relations if set(r[0]) | set(r[1]) <= set(layer)]
        decide(cells_suppress({k: values[k] for k in layer}, own, threshold, layer=layer))
    # 2. The year's cells, with the months fixed.
    months = {key for m in range(len(table.months)) for key in _month_layer(values, m)}
    year = [key for key in values if key not in months and key not in implied]
    forced: set[Cell] = set()
    if not table.complete:
        months_of = range(len(table.months))
        rows: dict[Cell, list[Cell]] = {("A", code): [("a", code, m) for m in months_of] for code in table.accesses}
        rows |= {("C", code): [("c", code, m) for m in months_of] for code in table.searches}
        rows |= {("LM",): [("lm", m) for m in months_of], ("D",): [("d", m) for m in months_of]}
        forced = {total for total, parts in rows.items() if (hidden | withheld).intersection(parts)}
    decide(
        cells_suppress(
            values,
            relations,
            threshold,
            layer=year,
            hidden=hidden,
            withheld=withheld,
            forced=forced,
            implied=implied,
        )
    )
    # 3. The page's footage answers, with everything above fixed.
    if footage is not None:
        answered = sum(footage[a] for a in ANSWERS)
        page: dict[Cell, int] = {("answer", a): footage[a] for a in ANSWERS}
        page |= {("answered",): answered, ("not_answered",): footage["pending"] + footage["no_answer"]}
        values |= page
        asked = ("A", Action.FOOTAGE_REQUEST.value)
        values.setdefault(asked, 0)
        relations = [
            *relations,
            ((("answered",),), tuple(("answer", a) for a in ANSWERS)),
            # Every camera asked is answered or not (yet).
            ((asked,), (("answered",), ("not_answered",))),
        ]
        decide(
            cells_suppress(
                values, relations, threshold, layer=list(page), hidden=hidden, withheld=withheld, implied=implied
            )
        )
    cells: dict[Cell, int | str] = {
        key: label(value, threshold, hidden=key in hidden, withheld=key in withheld)
        for key, value in values.items()
        if key not in implied
    }
    return Published(threshold=threshold, cells=cells)


#: A withheld cell's label: the same whatever its count (0, small or large).
WITHHELD = "x"


def label(value: int, threshold: int, *, hidden: bool, withheld: bool = False) -> int | str:
    """A count as published: itself, "<N" hidden as small, "≥N" hidden as the complement of a
    small one, ``WITHHELD`` withheld with the rest of its breakdown."""
    if withheld:
        return WITHHELD
    if hidden:
        return f"<{threshold}" if value < threshold else f"≥{threshold}"
    return value


# --- The decision ------------------------------------------------------------------------------


def _bounds(value: int, threshold: int, *, implied: bool) -> tuple[float, float]:
    """What a reader knows of a hidden cell: "<N" is 1 to N - 1, "≥N" is N or more; a cell no
    output publishes is 0 or more."""
    if implied:
        return (0, math.inf)
    return (1, threshold - 1) if value < threshold else (threshold, math.inf)


def cells_pinned(
    unknown: Mapping[Cell, tuple[float, float]], relations: Sequence[Relation], values: Mapping[Cell, int]
) -> dict[Cell, tuple[float, float]]:
    """The bounds a reader can narrow each unknown cell to, from the published cells and every
    relation, by propagating each relation's bounds until nothing changes (interval constraint
    propagation: a relation's unknown is the known total less the others' bounds)."""
    bounds = dict(unknown)
    equations: list[tuple[dict[Cell, int], int]] = []
    for left, right in relations:
        coefficients: dict[Cell, int] = defaultdict(int)
        for keys, sign in ((left, 1), (right, -1)):
            for key in keys:
                coefficients[key] += sign
        constant = 0
        terms: dict[Cell, int] = {}
        for key, c in coefficients.items():
            if not c:
                continue
            if key in bounds:
                terms[key] = c
            else:
                constant -= c * values.get(key, 0)
        if terms:
            equations.append((terms, constant))
    # Each round narrows every unknown of every relation from the others' bounds; the bounds
    # are whole numbers that only narrow, so this ends (in a few rounds for tables like these).
    for _round in range(100):
        changed = False
        for terms, constant in equations:
            for key, c in terms.items():
                rest_low = rest_high = 0.0
                for other, d in terms.items():
                    if other != key:
                        low, high = d * bounds[other][0], d * bounds[other][1]
                        rest_low += min(low, high)
                        rest_high += max(low, high)
                # c * x = constant - (the others' part), which lies in [rest_low, rest_high].
                first, last = (constant - rest_high) / c, (constant - rest_low) / c
                lo, hi = bounds[key]
                new_lo = max(lo, _whole(min(first, last), up=True))
                new_hi = min(hi, _whole(max(first, last), up=False))
                if (new_lo, new_hi) != (lo, hi):
                    bounds[key] = (new_lo, new_hi)
                    changed = True
        if not changed:
            break
    return bounds


def _whole(value: float, *, up: bool) -> float:
    """``value`` rounded to the whole number inside the bound (an infinite bound stays one)."""
    if math.isinf(value):
        return value
    return float(math.ceil(value - 1e-9) if up else math.floor(value + 1e-9))


def cells_exposed(
    hidden: Collection[Cell],
    relations: Sequence[Relation],
    values: Mapping[Cell, int],
    threshold: int,
    *,
    implied: Collection[Cell] = (),
) -> set[Cell]:
    """The cells a reader can tell although they are hidden: the small ones among ``hidden`` and
    ``implied`` (cells no output publishes) whose exact value follows from the published cells
    (the others) through the relations, by any combination of them (audit.figures.cells_derivable)
    or by the bounds the labels give."""
    implied_set = set(implied)
    unknown = list(dict.fromkeys([*hidden, *implied]))
    protect = {key for key in unknown if 0 < values.get(key, 0) < threshold}
    if not protect:
        return set()
    told = cells_derivable(unknown, relations) & protect
    bounds = cells_pinned(
        {key: _bounds(values.get(key, 0), threshold, implied=key in implied_set) for key in unknown},
        relations,
        values,
    )
    told |= {key for key in protect if bounds[key][0] == bounds[key][1]}
    return told


@dataclass(frozen=True)
class Decision:
    """The cells of a layer hidden (labelled "<N" or "≥N") and withheld (labelled ``WITHHELD``)."""

    hidden: frozenset[Cell]
    withheld: frozenset[Cell]


def cells_suppress(
    values: Mapping[Cell, int],
    relations: Sequence[Relation],
    threshold: int,
    *,
    layer: Iterable[Cell],
    hidden: Collection[Cell] = (),
    withheld: Collection[Cell] = (),
    forced: Collection[Cell] = (),
    implied: Collection[Cell] = (),
) -> Decision:
    """Which cells of ``layer`` to hide: each from 1 to threshold - 1, those ``forced``, and then,
    while a small hidden cell (of this layer or ``hidden`` before it) or a small ``implied`` one
    can be told (``cells_exposed``), the smallest published cell of the layer that shares a
    relation with it (or with a hidden cell that shares one with it, and so on): complementary
    suppression. Then each complement that is not needed after all is published again, the last
    added first, so that every complement hidden is one without which a small count could be
    told.

    Where no cell of the layer can do it (a relation whose total an earlier layer published, and
    whose hidden parts the labels pin down: 6 refusals, 5 of one kind shown "≥5", so the other
    is 1), the layer's cells on that side of the relation are withheld, all of them whatever
    their count, so that their label says nothing of their size. It never happens within a month
    (every relation of a month has its total in the month).

    Cells outside the layer, ``hidden``, ``withheld`` and ``implied`` are published: never
    hidden here. The same values give the same cells (ties go by ``values``' order)."""
    layer = [key for key in layer if key in values]
    in_layer = set(layer)
    order = {key: n for n, key in enumerate(values)}
    chosen = {key for key in layer if 0 < values[key] < threshold} | (set(forced) & in_layer)
    unknown = set(hidden) | chosen
    kept_back = set(withheld)
    members: dict[Cell, list[int]] = defaultdict(list)
    for n, (left, right) in enumerate(relations):
        for key in {*left, *right}:
            members[key].append(n)

    def exposed() -> set[Cell]:
        return cells_exposed(
            sorted(unknown | kept_back, key=order.__getitem__),
            relations,
            values,
            threshold,
            implied=[*implied, *kept_back],
        )

    def candidates(start: Cell) -> list[Cell]:
        """The layer's published cells nearest ``start`` through the relations: those beside it,
        or else beside the hidden cells beside it, and so on."""
        seen_cells, seen_relations, frontier = {start}, set(), [start]
        while frontier:
            found: list[Cell] = []
            following: list[Cell] = []
            for key in frontier:
                for n in members[key]:
                    if n in seen_relations:
                        continue
                    seen_relations.add(n)
                    for other in {*relations[n][0], *relations[n][1]}:
                        if other in in_layer and other not in unknown and other not in kept_back and values[other] > 0:
                            found.append(other)
                        elif (other in unknown or other in implied or other in kept_back) and other not in seen_cells:
                            seen_cells.add(other)
                            following.append(other)
            if found:
                return found
            frontier = following
        return []

    added: list[Cell] = []
    told = exposed()
    while told:
        nearest = [c for start in sorted(told, key=order.__getitem__) for c in candidates(start)]
        if nearest:
            complement = min(nearest, key=lambda key: (values[key], order[key]))
            unknown.add(complement)
            added.append(complement)
        else:
            more = {
                key
                for cell in told
                for n in members[cell]
                for side in relations[n]
                if cell in side
                for key in side
                if key in in_layer
            } - kept_back
            if not more:
                break  # nothing of this layer touches them (the callers' tests say it does not happen)
            kept_back |= more
        told = exposed()
    left_told = told
    for complement in reversed(added):
        unknown.discard(complement)
        if not exposed() <= left_told:
            unknown.add(complement)
    return Decision(
        hidden=frozenset(key for key in unknown if key in in_layer and key not in kept_back),
        withheld=frozenset(key for key in kept_back if key in in_layer),
    )
