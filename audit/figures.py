"""The oversight figures of a period, read from the rollups (audit.rollups), never from the log.

One query per table, whatever the size of the log: a year is read from the month table, a
month from the day table (bench/oversight.py measures both at a million events a year), for the board's
dashboard (audit.views.dashboard). The public outputs (the transparency page, the annual report)
publish their cells as audit.publication decides, once for all of them; ``suppress`` and
``suppress_linked`` serve the counts no other output repeats (registered cameras, the public
compliance page).

A few figures are not in the log: footage answers (an owner's answer is not a police access,
and who declined is kept from police, so it is never an event) and registered cameras. The
apps that own them (footage, cameras) sit above the log; they register a provider here when
they start (``figure_provider_register``), so the log's pages can show them without
importing anything above accounts.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Max, Sum

from core.errors import Invalid

from .models import Action, AreaRollup, HourRollup, Outcome
from .reasons import Refusal

__all__ = [
    "Figures",
    "Period",
    "cells_derivable",
    "figure_provide",
    "figure_provider_register",
    "figures_of",
    "grouper",
    "is_door_refusal",
    "is_police_refusal",
    "period_parse",
    "suppress",
    "suppress_group",
    "suppress_linked",
]

# Actions that are police accesses to camera data (the public page's "uses"); the others are
# stated purposes, approvals, readings of the log and refusals at the door.
ACCESS_ACTIONS = (
    Action.MAP_VIEW,
    Action.SEARCH,
    Action.CAMERA_VIEW,
    Action.OWNER_CONTACT_VIEW,
    Action.MESSAGE_SEND,
    Action.EXPORT,
    Action.FOOTAGE_REQUEST,
    Action.LIVE_START,
    Action.LIVE_EXTEND,
    Action.CLIP_VIEW,
    Action.CLIP_DOWNLOAD,
)
# The actions the gate (cameras.access) decides for the police: a refusal of one of them is a
# police refusal (the public page's "Refused attempts"). A refused reading of the log's pages
# is not: those for the role or MFA are attempts at pages of a role one does not have
# (``is_door_refusal``), the others (a bad search filter, a reversed date range) are the
# reader's input errors, which are no refusal at all.
POLICE_ACTIONS = (*ACCESS_ACTIONS, Action.PURPOSE_DECLARE, Action.EXIGENT_APPROVE, Action.EXIGENT_DENY, Action.LIVE_END)
DOOR_REASONS = (Refusal.ROLE_NOT_PERMITTED, Refusal.MFA_REQUIRED)
EVIDENCE = "evidence_export"  # an export naming clips, told apart from a canvass list
EARLIEST_YEAR = 2000

Provider = Callable[[dt.date, dt.date], dict[str, int]]
_PROVIDERS: dict[str, Provider] = {}


def is_police_refusal(action: str, outcome: str) -> bool:
    """A refused access to camera data (or to a purpose or approval the gate decides)."""
    return outcome == Outcome.DENIED and action in POLICE_ACTIONS


def is_door_refusal(action: str, outcome: str, reason: str) -> bool:
    """An attempt to open the console's or the log's pages without the role or MFA."""
    if outcome != Outcome.DENIED:
        return False
    return action == Action.CONSOLE_DENIED or (action not in POLICE_ACTIONS and reason in DOOR_REASONS)


def figure_provider_register(name: str, provider: Provider) -> None:
    """An app above the log offers a figure of a period of local days [start, end)."""
    _PROVIDERS[name] = provider


def figure_provide(name: str, *, start: dt.date, end: dt.date) -> dict[str, int] | None:
    provider = _PROVIDERS.get(name)
    return provider(start, end) if provider is not None else None


class PeriodError(Invalid):
    """A filter that names no period; the message says which and why."""

    def __init__(self, message: str, *, code: str = Refusal.INVALID_FILTER, field: str | None = None) -> None:
        super().__init__(message, code=code, field=field)


@dataclass(frozen=True)
class Period:
    year: int
    month: int | None
    # The first day not covered (a month's first day): the public outputs publish finished
    # months only (portal.transparency), so that reloading a page cannot time an access.
    until: dt.date | None = None

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.month or 1, 1)

    @property
    def end(self) -> dt.date:
        if self.month is None:
            end = dt.date(self.year + 1, 1, 1)
        else:
            end = dt.date(self.year + (self.month == 12), self.month % 12 + 1, 1)
        return min(end, self.until) if self.until is not None else end

    @property
    def unit(self) -> str:
        return "day" if self.month else "month"

    def buckets(self) -> list[dt.date]:
        if self.month:
            return [self.start + dt.timedelta(days=n) for n in range((self.end - self.start).days)]
        return [dt.date(self.year, m, 1) for m in range(1, 13) if dt.date(self.year, m, 1) < self.end]


def period_parse(*, year: str, month: str, today: dt.date) -> Period:
    """The period a filter asks for (``year`` empty: this year; ``month`` empty: the whole
    year). Raises PeriodError naming the bad value."""
    from django.utils.translation import gettext as _

    if not year:
        year_n = today.year
    elif not (year.isascii() and year.isdigit() and len(year) == 4):
        raise PeriodError(_("The year must be four digits, such as %(year)s.") % {"year": today.year})
    else:
        year_n = int(year)
        if not EARLIEST_YEAR <= year_n <= today.year:
            raise PeriodError(
                _("The year must be between %(first)s and %(last)s.") % {"first": EARLIEST_YEAR, "last": today.year}
            )
    month_n: int | None = None
    if month:
        if not (month.isascii() and month.isdigit() and 1 <= int(month) <= 12):
            raise PeriodError(_("The month must be a number from 1 to 12."))
        month_n = int(month)
    return Period(year=year_n, month=month_n)


@dataclass
class Figures:
    period: Period
    # (action code or EVIDENCE) -> events per bucket (Period.buckets), every outcome
    by_bucket_action: dict[str, list[int]] = field(default_factory=dict)
    # allowed police accesses (ACCESS_ACTIONS, evidence exports apart) per bucket, per action
    accesses_by_bucket: list[int] = field(default_factory=list)
    accesses_by_bucket_action: dict[str, list[int]] = field(default_factory=dict)
    denials_by_bucket: list[int] = field(default_factory=list)
    searches_by_category: dict[str, int] = field(default_factory=dict)
    searches_by_bucket_category: dict[str, list[int]] = field(default_factory=dict)
    live_views: int = 0
    live_seconds: int = 0
    live_minutes_by_bucket: list[int] = field(default_factory=list)
    # police refusals (POLICE_ACTIONS) and attempts at pages of another role, by reason; never
    # the log readers' input errors
    denials_by_reason: dict[str, int] = field(default_factory=dict)
    denials: int = 0  # police refusals only
    door_refusals: int = 0  # console or log pages refused for the role or MFA
    footage_requests: int = 0
    exigent_approved: int = 0
    exigent_denied: int = 0
    by_area: dict[str, int] = field(default_factory=dict)
    # police accesses (ACCESS_ACTIONS, allowed or not) per [weekday 0 = Monday][hour]
    hour_weekday: list[list[int]] = field(default_factory=lambda: [[0] * 24 for _ in range(7)])
    total: int = 0

    @property
    def live_minutes(self) -> int:
        return round(self.live_seconds / 60)


# GROUPING(action, reason, category) of each grouping set below.
_BY_ACTION, _BY_REASON, _BY_CATEGORY = 0b011, 0b001, 0b110
_GROUPED = """
SELECT b, action, outcome, evidence, reason, category, sum(events)::bigint, sum(quantity)::bigint,
       GROUPING(action, reason, category)
FROM (SELECT {column} AS b, action, outcome, evidence, events, quantity,
             CASE WHEN outcome = 'denied' THEN reason END AS reason,
             CASE WHEN action = 'search' AND outcome = 'allowed' THEN category END AS category
      FROM {table} WHERE {column} >= %s AND {column} < %s) AS r
GROUP BY GROUPING SETS ((b, action, outcome, evidence), (action, reason), (b, category))
HAVING GROUPING(action, reason, category) = 3 OR (GROUPING(action, reason, category) = 1 AND reason IS NOT NULL)
    OR (GROUPING(action, reason, category) = 6 AND category IS NOT NULL)
"""


def figures_of(period: Period) -> Figures:
    """Every figure of the dashboard for a period of the department's local days."""
    figures = Figures(period=period)
    buckets = period.buckets()
    index = {bucket: n for n, bucket in enumerate(buckets)}
    empty = [0] * len(buckets)
    by_action: dict[str, list[int]] = defaultdict(lambda: list(empty))
    by_category: dict[str, list[int]] = defaultdict(lambda: list(empty))
    accesses = list(empty)
    accesses_by_action: dict[str, list[int]] = defaultdict(lambda: list(empty))
    denials = list(empty)
    live_seconds = [0] * len(buckets)
    # A month's days from the day table, a year's months from the month table, summed by
    # PostgreSQL into the three groupings the page needs (a few hundred rows, not thousands).
    table, column = ("audit_dayrollup", "day") if period.month else ("audit_monthrollup", "month")
    with connection.cursor() as cursor:
        cursor.execute(_GROUPED.format(table=table, column=column), [period.start, period.end])
        rows = cursor.fetchall()
    for bucket, action, outcome, evidence, reason, category, n, quantity, grouping in rows:
        if grouping == _BY_REASON:
            door = is_door_refusal(action, Outcome.DENIED, reason)
            if door:
                figures.door_refusals += int(n)
            if door or is_police_refusal(action, Outcome.DENIED):
                figures.denials_by_reason[reason] = figures.denials_by_reason.get(reason, 0) + int(n)
            continue
        slot = index[bucket]
        if grouping == _BY_CATEGORY:
            key = category or "-"
            figures.searches_by_category[key] = figures.searches_by_category.get(key, 0) + n
            by_category[key][slot] += n
            continue
        allowed = outcome == Outcome.ALLOWED
        figures.total += n
        by_action[EVIDENCE if evidence else action][slot] += n
        if allowed and action in ACCESS_ACTIONS:
            accesses[slot] += n
            accesses_by_action[EVIDENCE if evidence else action][slot] += n
        if not allowed:
            if is_police_refusal(action, outcome):
                figures.denials += n
                denials[slot] += n
        elif action == Action.LIVE_START:
            figures.live_views += n
        elif action == Action.LIVE_END:
            live_seconds[slot] += quantity
        elif action == Action.FOOTAGE_REQUEST:
            figures.footage_requests += n
        elif action == Action.EXIGENT_APPROVE:
            figures.exigent_approved += n
        elif action == Action.EXIGENT_DENY:
            figures.exigent_denied += n
    figures.live_seconds = sum(live_seconds)
    live_minutes = [round(seconds / 60) for seconds in live_seconds]
    figures.by_bucket_action = dict(sorted(by_action.items(), key=lambda item: -sum(item[1])))
    figures.searches_by_bucket_category = dict(by_category)
    figures.accesses_by_bucket = accesses
    figures.accesses_by_bucket_action = dict(sorted(accesses_by_action.items(), key=lambda item: -sum(item[1])))
    figures.denials_by_bucket = denials
    figures.live_minutes_by_bucket = live_minutes
    figures.searches_by_category = dict(sorted(figures.searches_by_category.items(), key=lambda item: -item[1]))
    figures.denials_by_reason = dict(sorted(figures.denials_by_reason.items(), key=lambda item: -item[1]))

    month_start = period.start.replace(day=1)
    hours = (
        HourRollup.objects.filter(month__gte=month_start, month__lt=period.end, action__in=ACCESS_ACTIONS)
        .values("weekday", "hour")
        .annotate(n=Sum("events"))
    )
    for row in hours:
        figures.hour_weekday[row["weekday"] - 1][row["hour"]] += int(row["n"])

    areas = (
        AreaRollup.objects.filter(day__gte=period.start, day__lt=period.end)
        .values("area_ref")
        .annotate(n=Sum("events"), name=Max("area_name"))
        .order_by("-n")
    )
    figures.by_area = {(row["name"] if row["area_ref"] else ""): int(row["n"]) for row in areas}
    return figures


def suppress(value: int, threshold: int) -> int | str:
    """A count as published: those from 1 to threshold - 1 as "<threshold" (0 stays 0: that
    nothing happened reveals nobody). The same in HTML and JSON."""
    return f"<{threshold}" if 0 < value < threshold else value


def suppress_group(values: list[int], threshold: int) -> list[int | str]:
    """The counts of a group whose total is published (or can be added up elsewhere), as
    published: each from 1 to threshold - 1 as "<threshold" (``suppress``) and, when that hides
    exactly one cell, the next-smallest cell too, as "≥threshold" (complementary suppression:
    else the hidden cell is the total less the others). When every other cell is 0, the total
    is the hidden cell itself, so under the threshold and hidden wherever it is published."""
    cells = [suppress(value, threshold) for value in values]
    hidden = [n for n, value in enumerate(values) if 0 < value < threshold]
    shown = [n for n, value in enumerate(values) if value >= threshold]
    if len(hidden) == 1 and shown:
        cells[min(shown, key=lambda n: (values[n], n))] = f"≥{threshold}"
    return cells


K = TypeVar("K", bound=Hashable)
#: A published relation between cells: the left cells add up to the right cells (a total and
#: its parts: ``([total], parts)``; two tables adding up to the same figure: ``(one, other)``).
Sum_ = tuple[Sequence[Any], Sequence[Any]]
# Arithmetic modulo a prime: the sums' matrices are 0/±1 and, for tables and their margins,
# totally unimodular (every minor is 0 or ±1), so their ranks modulo this prime are their ranks
# over the rationals, at Python-int speed instead of Fractions'.
_PRIME = 2**61 - 1


def cells_derivable(hidden: Sequence[K], sums: Sequence[Sum_]) -> set[K]:
    """The hidden cells whose exact value follows from the published cells through ``sums``
    (any combination of them, not only one subtraction): the cells whose unit vector lies in
    the row space of the sums restricted to the hidden cells (Gauss-Jordan elimination, kept
    reduced as each sum comes in; rows are sparse, a sum touches a dozen cells of hundreds)."""
    index = {key: n for n, key in enumerate(hidden)}
    pivots: dict[int, dict[int, int]] = {}  # pivot column -> its row, reduced (no other pivot in it)
    for left, right in sums:
        row: dict[int, int] = defaultdict(int)
        for keys, sign in ((left, 1), (right, -1)):
            for key in keys:
                if key in index:
                    row[index[key]] = (row[index[key]] + sign) % _PRIME
        row = {column: value for column, value in row.items() if value}
        # Reduce by the pivots already found: their rows hold no other pivot column, so one pass.
        for column in [c for c in row if c in pivots]:
            factor = row.get(column, 0)
            if factor:
                for c, value in pivots[column].items():
                    updated = (row.get(c, 0) - factor * value) % _PRIME
                    if updated:
                        row[c] = updated
                    else:
                        row.pop(c, None)
        if not row:
            continue
        pivot = min(row)
        inverse = pow(row[pivot], _PRIME - 2, _PRIME)
        row = {c: value * inverse % _PRIME for c, value in row.items()}
        for other in pivots.values():  # keep the others reduced: no pivot column but their own
            factor = other.get(pivot, 0)
            if factor:
                for c, value in row.items():
                    updated = (other.get(c, 0) - factor * value) % _PRIME
                    if updated:
                        other[c] = updated
                    else:
                        other.pop(c, None)
        pivots[pivot] = row
    return {hidden[column] for column, row in pivots.items() if len(row) == 1}


def suppress_linked(
    values: dict[K, int], sums: Sequence[Sum_], threshold: int, *, known: Collection[K] = ()
) -> dict[K, int | str]:
    """Every published count of one page or report (``values``, each cell once however many
    tables show it), as published: each from 1 to threshold - 1 as "<threshold" and then, while
    any hidden cell can be worked out from the published ones through ``sums`` (by subtraction
    from a total, or adding up another table), the smallest published count that shares a sum
    with it is hidden too (as "≥threshold" or "<threshold"; a total when nothing smaller is left):
    complementary suppression. ``known`` cells are figures the reader has from elsewhere: never
    hidden and not returned. The same values give the same cells (ties go by ``values``' order).

    Exact derivation only: that a hidden count is from 1 to threshold - 1 narrows what the others
    can be, which this does not consider (docs/annual-report.md, "Small counts")."""
    order = {key: n for n, key in enumerate(values)}
    hidden = [key for key in values if 0 < values[key] < threshold and key not in known]
    hidden_set = set(hidden)
    while True:
        derivable = cells_derivable(hidden, sums)
        if not derivable:
            break
        worked_out = min(derivable, key=order.__getitem__)
        beside = [
            key
            for left, right in sums
            if worked_out in left or worked_out in right
            for key in (*left, *right)
            if key not in hidden_set and key not in known and values.get(key, 0) > 0
        ]
        if not beside:  # worked out through other sums: the smallest count beside any hidden one
            beside = [
                key
                for left, right in sums
                if hidden_set.intersection(left) or hidden_set.intersection(right)
                for key in (*left, *right)
                if key not in hidden_set and key not in known and values.get(key, 0) > 0
            ]
        if not beside:  # every count beside them is 0 or hidden already: nothing more can hide it
            break
        complement = min(beside, key=lambda key: (values[key], order[key]))
        hidden.append(complement)
        hidden_set.add(complement)
    return {
        key: ((f"<{threshold}" if value < threshold else f"≥{threshold}") if key in hidden_set else value)
        for key, value in values.items()
        if key not in known
    }


def grouper() -> Callable[[int | str], str]:
    """A formatter of counts with the language's thousands separator (1,234 / 1.234), for the
    hundreds of table cells a page has: Django's intcomma per cell costs more than the
    queries."""
    from django.utils.formats import get_format

    separator = str(get_format("THOUSAND_SEPARATOR"))

    def grouped(value: int | str) -> str:
        return f"{value:,}".replace(",", separator) if isinstance(value, int) else str(value)

    return grouped


def label(choices: Any, code: str) -> str:
    return str(choices(code).label) if code in choices.values else code
