"""A reader who wants the hidden counts back (issue 15's reviews), written apart from
audit.publication: it knows how the published tables add up (from the outputs themselves: a
month's actions add up to its accesses, a row's months to its year total ...) and tries
1. differencing: a relation with one unknown left gives it (the attack that recovered a month
   from a purpose category's year total in the report less its months on the page), again and
   again with what it learnt;
2. the labels' bounds: "<5" is 1 to 4, "≥5" is 5 or more, narrowed through every relation;
3. any combination of relations (elimination over the rationals).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

Figure = tuple[Any, ...]
Relation = tuple[Sequence[Figure], Sequence[Figure]]
INF = float("inf")
# The actions the gate decides (docs/audit-events.md, "What counts as a refusal"): their refusals
# are the page's refused attempts; the others' are attempts at pages of another role.
POLICE = {
    "map_view", "search", "camera_view", "owner_contact_view", "message_send", "export", "evidence_export",
    "footage_request", "live_start", "live_extend", "clip_view", "clip_download", "purpose_declare",
    "exigent_approve", "exigent_deny", "live_end",
}  # fmt: skip
# A figure no output publishes but a reader can form: the door's refusals less those for the role.
DOOR_MFA = ("door_mfa",)


def relations_of(figures: Iterable[Figure]) -> list[Relation]:
    """What a reader knows of how the figures add up, for the figures they have (the page's and
    the report's names: ("a", action, month), ("month", m), ("c", category, m), ("lm", m),
    ("d", m), ("A", action), ("C", category), ("LM",), ("D",), ("R", action), ("reason", code),
    ("door",), ("door_role",), ("answer", what), ("answered",), ("not_answered",))."""
    have = set(figures)
    months = sorted({f[-1] for f in have if f[0] in ("a", "month", "c", "lm", "d")})
    actions = sorted({f[1] for f in have if f[0] == "a"})  # the rows of the page's table by month
    year_actions = sorted({f[1] for f in have if f[0] == "A"})
    categories = sorted({f[1] for f in have if f[0] in ("c", "C")})
    refused = sorted({f[1] for f in have if f[0] == "R"})
    reasons = sorted({f[1] for f in have if f[0] == "reason"})
    police = [a for a in refused if a in POLICE]
    # The report lists every action of the year (allowed and refused), the page only the live
    # views and the cameras asked: the year's totals by action add up to its months' only then.
    report = any(f[0] in ("O", "R") for f in have)
    out: list[Relation] = []
    for m in months:
        if actions:
            out.append(([("month", m)], [("a", a, m) for a in actions]))
        if categories and ("a", "search", m) in have:
            out.append(([("a", "search", m)], [("c", c, m) for c in categories]))
    out += [([("A", a)], [("a", a, m) for m in months]) for a in actions]
    out += [([("C", c)], [("c", c, m) for m in months]) for c in categories]
    if any(f[0] == "lm" for f in have):
        out.append(([("LM",)], [("lm", m) for m in months]))
    if any(f[0] == "d" for f in have):
        out.append(([("D",)], [("d", m) for m in months]))
    if report:
        out.append(([("month", m) for m in months], [("A", a) for a in year_actions]))
        out.append(([("A", "search")], [("C", c) for c in categories]))
    if refused:
        out.append(([("D",)], [("R", a) for a in police]))
        out.append(([("door",)], [("R", a) for a in refused if a not in police]))
        out.append(([("reason", r) for r in reasons], [("R", a) for a in refused]))
    if ("door",) in have and ("door_role",) in have:
        out.append(([("door",)], [("door_role",), DOOR_MFA]))
        have.add(DOOR_MFA)
    out.append(([("answered",)], [("answer", a) for a in ("uploaded", "no_footage", "declined")]))
    out.append(([("A", "footage_request")], [("answered",), ("not_answered",)]))
    # Only relations between figures the reader has (a missing figure is one they cannot use).
    return [(left, right) for left, right in out if set(left) | set(right) <= have and (left or right)]


def _bounds(cell: Any, threshold: int) -> tuple[float, float]:
    if cell is None or cell == "x":  # formed, not published, or withheld whatever its size: 0 or more
        return (0, INF)
    if isinstance(cell, int):
        return (cell, cell)
    return (1, threshold - 1) if cell.startswith("<") else (threshold, INF)


def told(published: Mapping[Figure, Any], threshold: int, relations: Sequence[Relation] | None = None) -> set[Figure]:
    """The hidden figures of ``published`` this reader can tell exactly."""
    relations = relations_of(published) if relations is None else relations
    published = {**published, **{f: None for left, right in relations for f in (*left, *right) if f not in published}}
    bounds = {f: _bounds(cell, threshold) for f, cell in published.items()}
    hidden = [f for f, cell in published.items() if not isinstance(cell, int)]
    # 1 and 2: differencing and bounds, until nothing more is learnt.
    for _round in range(200):
        changed = False
        for left, right in relations:
            terms = [(f, 1) for f in left] + [(f, -1) for f in right]
            for f, sign in terms:
                low = high = 0.0
                for g, s in terms:
                    if g is not f:
                        a, b = -s * bounds[g][0], -s * bounds[g][1]
                        low, high = low + min(a, b), high + max(a, b)
                # sign * f = -(the others), within [low, high]
                lo, hi = (low, high) if sign == 1 else (-high, -low)
                new = (max(bounds[f][0], lo), min(bounds[f][1], hi))
                if new != bounds[f]:
                    bounds[f] = new
                    changed = True
        if not changed:
            break
    found = {f for f in hidden if bounds[f][0] == bounds[f][1]}
    # 3: any combination of relations.
    return found | _eliminated(hidden, relations, published)


def _eliminated(hidden: list[Figure], relations: Sequence[Relation], published: Mapping[Figure, Any]) -> set[Figure]:
    rows = []
    for left, right in relations:
        row = [Fraction(list(left).count(f) - list(right).count(f)) for f in hidden]
        if any(row):
            rows.append(row)
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
    return {hidden[c] for c, r in pivot_of.items() if all(v == 0 for j, v in enumerate(rows[r]) if j != c)}


def small_told(
    published: Mapping[Figure, Any],
    threshold: int,
    truth: Mapping[Figure, int],
    relations: Sequence[Relation] | None = None,
) -> dict[Figure, int]:
    """The small counts (hidden as "<N", or formed and under N) the reader can tell, with their
    values."""
    return {
        f: truth[f]
        for f in told(published, threshold, relations)
        if 0 < truth[f] < threshold and not isinstance(published.get(f), int)
    }
