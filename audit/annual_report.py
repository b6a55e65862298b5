"""The annual surveillance report, computed from the log up to a signed checkpoint
(docs/annual-report.md says what each section is computed from).

Held to a checkpoint: the report counts the events #1 to the checkpoint's tree size and
nothing after, states that head (the event's number and hash) and the checkpoint (size, root,
time), so anyone can check it against the public log, and the same year and checkpoint give
the same report, byte for byte, however the log grew since. It reads the rollups, not the
log: a year's counts are the month table's rows (audit.rollups) less the events written after
the checkpoint (read by their numbers: the minutes since the checkpoint, not the year). The
board's own records (complaints, public-records requests) are read from their
``board_record`` events up to the checkpoint, the anomaly queue's flags and notes by the
event numbers they cite, administrative changes up to the checkpoint's time.

Places and cameras are above the log: cameras registers the two sources the report needs
(``report_source_register``): the police areas of a range of events and the registered
cameras at a time.

Small counts: R1, R3 and R8 publish the cells of one year table with the public transparency
page, and audit.publication decides once, for both, which are hidden (docs/annual-report.md,
"Small cells"); the report's own tables (R4 to R7) are suppressed table by table with the same
function (``cells_suppress``).
"""

from __future__ import annotations

import base64
import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Max, Sum
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from tenants.models import PURPOSE_LABELS

from .admin_changes import admin_change_kinds, admin_changes
from .board_records import RecordState, board_records_as_of
from .checkpoints import checkpoint_mismatch
from .figures import EVIDENCE, PeriodError, label, period_parse, suppress
from .models import (
    BOARD_RECORD_CATEGORIES,
    BOARD_RECORD_OUTCOMES,
    Action,
    AnomalyFlag,
    AnomalyReview,
    AnomalyRule,
    AreaRollup,
    AreaRollupMark,
    BoardRecordKind,
    BoardRecordStatus,
    Outcome,
    SignedCheckpoint,
)
from .publication import Counts, Key, Published, cells_suppress, month_counts, year_published, year_table
from .publication import label as cell_label
from .reasons import Refusal, reason_label
from .rollups import _EVIDENCE_SQL

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "Report",
    "ReportError",
    "Section",
    "Table",
    "annual_report",
    "report_checkpoint",
    "report_source_register",
    "year_counts",
    "year_counts_scan",
]

_SOURCES: dict[str, Callable[..., Any]] = {}


def report_source_register(name: str, source: Callable[..., Any]) -> None:
    """An app above the log offers what the report needs of it (cameras' ready()):
    ``area_counts(after=, upto=, zone=)`` -> {(day, area_ref, area_name, action, outcome): n}
    for the events numbered after ``after`` up to ``upto``; ``cameras_registered(at=)`` ->
    {(kind of property, consent level or "off"): cameras} registered at time ``at``."""
    _SOURCES[name] = source


class ReportError(PeriodError):
    """A year or checkpoint that names no report; the message says which and why."""


# --- Counting --------------------------------------------------------------------------------

_GROUP = f"""
SELECT date_trunc('month', occurred_at AT TIME ZONE %(zone)s)::date, action, outcome, reason, purpose_category,
       {_EVIDENCE_SQL}, count(*), coalesce(sum(quantity), 0)::bigint
FROM audit_accessevent
WHERE {{which}} AND occurred_at >= (%(start)s::timestamp AT TIME ZONE %(zone)s)
  AND occurred_at < (%(end)s::timestamp AT TIME ZONE %(zone)s)
GROUP BY 1, 2, 3, 4, 5, 6
"""  # noqa: S608 (no input in the text)


def _year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year + 1, 1, 1)


def _grouped(which: str, *, year: int, upto: int, zone: str) -> list[tuple[Any, ...]]:
    start, end = _year_bounds(year)
    with connection.cursor() as cursor:
        cursor.execute(_GROUP.format(which=which), {"zone": zone, "start": start, "end": end, "upto": upto})
        return list(cursor.fetchall())


def year_counts(*, year: int, upto: int, zone: str) -> Counts:
    """The year's events #1..``upto`` per (month, action, outcome, reason, category, evidence):
    the month rollup's rows, less the events after ``upto`` (read by number)."""
    start, end = _year_bounds(year)
    counts = month_counts(start, end)
    for month, action, outcome, reason, category, evidence, n, quantity in _grouped(
        "seq > %(upto)s", year=year, upto=upto, zone=zone
    ):
        cell = counts[(month, action, outcome, reason, category, evidence)]
        cell[0] -= n
        cell[1] -= quantity
    return {key: cell for key, cell in counts.items() if cell[0]}


def year_counts_scan(*, year: int, upto: int, zone: str) -> Counts:
    """The same from the log itself (the tests and bench/report.py compare the two)."""
    return {
        (month, action, outcome, reason, category, evidence): [n, quantity]
        for month, action, outcome, reason, category, evidence, n, quantity in _grouped(
            "seq <= %(upto)s", year=year, upto=upto, zone=zone
        )
    }


def _area_counts(*, year: int, upto: int, zone: str) -> dict[tuple[str, str, str, str], int] | None:
    """(area_ref, area_name, action, outcome) -> events of the year #1..``upto`` with a place:
    the area rollup (counted up to its mark) corrected by the events between its mark and
    ``upto``, whose areas cameras finds. None when no app offers areas."""
    source = _SOURCES.get("area_counts")
    if source is None:
        return None
    start, end = _year_bounds(year)
    counts: Counter[tuple[str, str, str, str]] = Counter()
    names: dict[str, str] = {}
    rows = (
        AreaRollup.objects.filter(day__gte=start, day__lt=end)
        .values("area_ref", "action", "outcome")
        .annotate(n=Sum("events"), name=Max("area_name"))
    )
    for row in rows:
        names.setdefault(row["area_ref"], row["name"])
        counts[(row["area_ref"], row["action"], row["outcome"])] += int(row["n"])  # type: ignore[index]
    mark = AreaRollupMark.objects.values_list("seq", flat=True).first() or 0
    if mark != upto:
        sign = 1 if mark < upto else -1
        between = source(after=min(mark, upto), upto=max(mark, upto), zone=zone)
        for (day, ref, name, action, outcome), n in between.items():
            if start <= day < end:
                names.setdefault(ref, name)
                counts[(ref, action, outcome)] += sign * n  # type: ignore[index]
    return {(ref, names.get(ref, ""), action, outcome): n for (ref, action, outcome), n in counts.items() if n}  # type: ignore[misc]


# --- The report's shape ----------------------------------------------------------------------

Cell = int | str


@dataclass
class Table:
    title: str
    columns: list[str]  # the first names the rows
    rows: list[list[Cell]] = field(default_factory=list)


@dataclass
class Section:
    code: str  # the item of docs/annual-report.md (R1 ...)
    title: str
    source: str  # what it is computed from, in words
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Report:
    department: str
    year: int
    time_zone: str
    threshold: int
    checkpoint_id: int
    tree_size: int
    root_hash: str  # base64, as in the signed note
    checkpoint_time: str  # UTC, ISO 8601
    head_seq: int
    head_hash: str
    sections: list[Section] = field(default_factory=list)
    not_computed: list[tuple[str, str, str]] = field(default_factory=list)  # code, item, why

    def facts(self) -> list[tuple[str, str]]:
        """What the report was computed up to, in words (the header of every format)."""
        return [
            (_("Department"), self.department),
            (_("Year"), str(self.year)),
            (_("Days counted in"), self.time_zone),
            (_("Signed checkpoint"), f"#{self.checkpoint_id}"),
            (_("Checkpoint tree size"), str(self.tree_size)),
            (_("Checkpoint root hash"), self.root_hash),
            (_("Checkpoint time (UTC)"), self.checkpoint_time),
            (_("Chain head: last event counted"), f"#{self.head_seq}"),
            (_("Chain head hash"), self.head_hash),
            (
                _("Small counts"),
                _(
                    "figures under %(n)s (but not zero) are shown as <%(n)s; where one would be recoverable from "
                    "totals (in this report or on the public transparency page), another is also hidden, shown as "
                    "≥%(n)s, and where even that would not do, the whole breakdown is shown as x. While the year "
                    "is running, a year total is hidden when one of its months is"
                )
                % {"n": self.threshold},
            ),
        ]


def report_checkpoint(value: str) -> SignedCheckpoint:
    """The checkpoint a report is held to: the one numbered ``value``, or the latest when empty;
    refused when the log no longer matches it (a report would count other events than those it
    signed, under its root)."""
    found = _checkpoint_named(value)
    problem = checkpoint_mismatch(found)
    if problem:
        raise ReportError(
            _(
                "The log no longer matches signed checkpoint #%(number)s: %(problem)s. A report held to it would "
                "not count the events it signed. See the log's integrity on the Access log page, and choose a "
                "checkpoint the log still matches."
            )
            % {"number": found.pk, "problem": problem},
            field="checkpoint",
            code=Refusal.CHECKPOINT_MISMATCH,
        )
    return found


def _checkpoint_named(value: str) -> SignedCheckpoint:
    if not value:
        latest = SignedCheckpoint.objects.order_by("-pk").first()
        if latest is None:
            raise ReportError(
                _("The log has no signed checkpoint yet; the first is made within 15 minutes."),
                field="checkpoint",
            )
        return latest
    # At most 18 digits: a checkpoint's number is a bigint, and a longer one names none.
    number = value.isascii() and value.isdigit() and len(value) <= 18
    found = SignedCheckpoint.objects.filter(pk=int(value)).first() if number else None
    if found is None:
        raise ReportError(
            _("There is no signed checkpoint #%(value)s: choose one from the list.") % {"value": value[:20]},
            field="checkpoint",
        )
    return found


def report_year(value: str, *, today: dt.date) -> int:
    try:
        return period_parse(year=value, month="", today=today).year
    except PeriodError as exc:
        raise ReportError(exc.message, field="year") from None


# --- Sections --------------------------------------------------------------------------------


def _action_words(code: str) -> str:
    return _("Footage exported as evidence") if code == EVIDENCE else label(Action, code)


def _purpose_words(code: str) -> str:
    return str(PURPOSE_LABELS[code]) if code in PURPOSE_LABELS else (code or _("none stated"))


class _Builder:
    def __init__(self, *, year: int, upto: int, zone: str, threshold: int, made_at: dt.datetime) -> None:
        self.year, self.upto, self.zone, self.threshold, self.made_at = year, upto, zone, threshold, made_at
        self.counts = year_counts(year=year, upto=upto, zone=zone)
        self._tally()

    def _tally(self) -> None:
        """The counts R1, R3 and R8 publish: cells of the year table the public page publishes
        too, hidden where audit.publication decides, for both (each cell once, however many of
        the report's tables repeat it)."""
        months = [dt.date(self.year, m, 1) for m in range(1, 13)]
        # The year is over at the checkpoint (in the department's time zone): every month of it is
        # counted whole, as on the public page of that year.
        self.complete = self.made_at >= dt.datetime(self.year + 1, 1, 1, tzinfo=ZoneInfo(self.zone))
        table = year_table(self.counts, year=self.year, months=months, complete=self.complete)
        self.table = table
        self.cells: Published = year_published(table, threshold=self.threshold)
        allowed = {**{code: sum(row) for code, row in table.accesses.items()}, **table.other_allowed}
        codes = set(allowed) | set(table.refused)
        volume = {code: allowed.get(code, 0) + table.refused.get(code, 0) for code in codes}
        self.action_order = sorted(codes, key=lambda code: (-volume[code], code))
        totals = {code: sum(row) for code, row in table.searches.items()}
        self.category_order = sorted(totals, key=lambda code: (-totals[code], code))
        self.reason_order = sorted(table.reasons, key=lambda code: (-table.reasons[code], code))
        self.refused_order = sorted(table.refused, key=lambda code: (-table.refused[code], code))

    def allowed(self, code: str) -> Cell:
        """A code's allowed events of the year as published (R1's table of actions, R3, R1's quantities)."""
        return self.cells[("A", code)] if code in self.table.accesses else self.cells[("O", code)]

    def refused(self, code: str) -> Cell:
        return self.cells[("R", code)]

    def n(self, value: int) -> Cell:
        """A count no other count of the report adds up to or from."""
        return suppress(value, self.threshold)

    def linked(
        self, values: dict[Any, int], relations: list[tuple[tuple[Any, ...], tuple[Any, ...]]]
    ) -> dict[Any, Cell]:
        """The counts of one of the report's own tables, with the sums a reader can form between
        them (a total and its parts, two tables of the same total), hidden as the year table's
        (audit.publication.cells_suppress)."""
        decision = cells_suppress(values, relations, self.threshold, layer=list(values))
        return {
            key: cell_label(value, self.threshold, hidden=key in decision.hidden, withheld=key in decision.withheld)
            for key, value in values.items()
        }

    def total(self, keep: Callable[[Key], bool], *, quantity: bool = False) -> int:
        return sum(cell[1 if quantity else 0] for key, cell in self.counts.items() if keep(key))

    # R1
    def uses(self) -> Section:
        action_rows: list[list[Any]] = [
            [_action_words(code), self.allowed(code), self.refused(code)] for code in self.action_order
        ]
        actions = Table(
            _("Events by action"), [_("Action"), pgettext("events counted", "Allowed"), _("Refused")], action_rows
        )
        months = Table(
            _("Police accesses to camera data by month"),
            [_("Month"), _("Accesses")],
            [[str(MONTHS[m + 1]), self.cells[("month", m)]] for m in range(12)],
        )
        categories = Table(
            _("Searches by purpose category"),
            [_("Purpose category"), _("Searches")],
            [[_purpose_words(code), self.cells[("C", code)]] for code in self.category_order],
        )

        def of(action: str, *, evidence: bool | None = None) -> Callable[[Key], bool]:
            return lambda k: k[1] == action and k[2] == Outcome.ALLOWED and (evidence is None or k[5] == evidence)

        quantity = Table(
            _("Quantity of data"),
            [_("What"), _("Quantity")],
            [
                # Counts of R1's table of actions, published as they are there.
                [_("Live views opened"), self.allowed(Action.LIVE_START)],
                # Each month's minutes rounded, added up: as on the public page.
                [_("Minutes watched live"), self.cells[("LM",)]],
                [_("Cameras returned by searches"), self.n(self.total(of(Action.SEARCH), quantity=True))],
                [_("Clips viewed"), self.allowed(Action.CLIP_VIEW)],
                [_("Clips downloaded"), self.allowed(Action.CLIP_DOWNLOAD)],
                [_("Cameras asked for footage"), self.allowed(Action.FOOTAGE_REQUEST)],
            ],
        )
        notes = []
        if not self.complete:
            notes.append(
                _(
                    "The year was not over at this checkpoint: its figures are provisional. A report held to a "
                    "later checkpoint counts more events; publish the report of a year that is over."
                )
            )
        return Section(
            "R1",
            _("How the system was used, and the quantity of data"),
            _("The access log's monthly rollups, less the events after the checkpoint."),
            [actions, months, categories, quantity],
            notes,
        )

    # R3
    def sharing(self) -> Section:
        # Allowed counts of R1's table of actions, published as they are there.
        table = Table(
            _("Copies made of camera data and of the log"),
            [_("What"), _("Events")],
            [
                [_("Canvass lists exported"), self.allowed(Action.EXPORT)],
                [_("Footage exported as evidence"), self.allowed(EVIDENCE)],
                [_("Clips downloaded"), self.allowed(Action.CLIP_DOWNLOAD)],
                [_("Footage requests sent to owners (cameras)"), self.allowed(Action.FOOTAGE_REQUEST)],
                [_("Selections of the access log exported by the board"), self.allowed(Action.LOG_EXPORT)],
            ],
        )
        return Section(
            "R3",
            _("Sharing and exports"),
            _("The access log's monthly rollups, less the events after the checkpoint."),
            [table],
            [
                _(
                    "The log records every export and download, not who received a copy outside the department: "
                    "named recipients, the legal standard and the justification of each disclosure are not "
                    "computed from the log."
                )
            ],
        )

    # R4
    def sources(self) -> Section:
        source = _SOURCES.get("cameras_registered")
        section = Section(
            "R4",
            _("Data sources: registered cameras"),
            _("The cameras' and consents' history at the checkpoint's time (no locations)."),
        )
        if source is None:
            section.notes.append(_("Not available: the cameras application is not installed."))
            return section
        counts: dict[tuple[str, str], int] = source(at=self.made_at)
        levels: Counter[str] = Counter()
        kinds: Counter[str] = Counter()
        for (kind, level), n in counts.items():
            levels[level] += n
            kinds[kind] += n
        # The two tables add up to the same number of cameras: a level hidden alone would be
        # the kinds' sum less the other levels.
        values = {("level", k): n for k, n in sorted(levels.items())} | {
            ("kind", k): n for k, n in sorted(kinds.items())
        }
        cells = self.linked(
            values, [(tuple(k for k in values if k[0] == "level"), tuple(k for k in values if k[0] == "kind"))]
        )
        section.tables = [
            Table(
                _("Registered cameras by consent level"),
                [_("Consent level"), _("Cameras")],
                [[level, cells[("level", level)]] for level in sorted(levels)],
            ),
            Table(
                _("Registered cameras by kind of property"),
                [_("Kind of property"), _("Cameras")],
                [[kind, cells[("kind", kind)]] for kind in sorted(kinds)],
            ),
        ]
        return section

    # R5
    def areas(self) -> Section:
        section = Section(
            "R5",
            _("Geographic breakdown by police area"),
            _(
                "The area rollup (a search's centre, a camera's registered position), corrected to the "
                "checkpoint's events."
            ),
        )
        counts = _area_counts(year=self.year, upto=self.upto, zone=self.zone)
        if counts is None:
            section.notes.append(_("Not available: the cameras application is not installed."))
            return section
        by_area: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for (_ref, name, _action, outcome), n in counts.items():
            by_area[name][0 if outcome == Outcome.ALLOWED else 1] += n
        section.tables = [
            Table(
                _("Events with a place by police area"),
                [_("Police area"), pgettext("events counted", "Allowed"), _("Refused")],
                [
                    [name or _("No police area"), self.n(a), self.n(r)]
                    for name, (a, r) in sorted(by_area.items(), key=lambda i: (not i[0], i[0]))
                ],
            )
        ]
        return section

    # R6, R10
    def board_records(self, states: list[RecordState], *, kind: str, code: str, title: str) -> Section:
        categories = BOARD_RECORD_CATEGORIES[BoardRecordKind(kind)]
        outcomes = BOARD_RECORD_OUTCOMES[BoardRecordKind(kind)]
        mine = [s for s in states if s.kind == kind and s.status != BoardRecordStatus.ENTERED_IN_ERROR]
        received = [s for s in mine if s.received_on.year == self.year]
        closed = [s for s in mine if s.disposed_on is not None and s.disposed_on.year == self.year]
        by_category = Counter(s.category for s in received)
        by_status = Counter(s.status for s in received)
        by_outcome = Counter(s.outcome for s in closed)
        statuses = [BoardRecordStatus.RECEIVED, BoardRecordStatus.IN_PROGRESS, BoardRecordStatus.CLOSED]
        # Those received add up to their total, by category or by status; those closed in the
        # year (some received before it) have no published total.
        values = {("cat", c): by_category[c] for c in categories} | {("total",): len(received)}
        values |= {("status", st): by_status[st] for st in statuses}
        values |= {("outcome", o): by_outcome[o] for o in outcomes}
        cells = self.linked(
            values,
            [
                ((("total",),), tuple(("cat", c) for c in categories)),
                ((("total",),), tuple(("status", st) for st in statuses)),
            ],
        )
        return Section(
            code,
            title,
            _("The board's entries (board_record events) up to the checkpoint."),
            [
                Table(
                    _("Received in the year by category"),
                    [_("Category"), pgettext("records counted", "Received")],
                    [[str(words), cells[("cat", c)]] for c, words in categories.items()]
                    + [[_("Total"), cells[("total",)]]],
                ),
                Table(
                    _("Status at the checkpoint of those received in the year"),
                    [_("Status"), _("Records")],
                    [[str(st.label), cells[("status", st)]] for st in statuses],
                ),
                Table(
                    _("Closed in the year by outcome"),
                    [_("Outcome"), pgettext("records counted", "Closed")],
                    [[str(words), cells[("outcome", o)]] for o, words in outcomes.items()],
                ),
            ],
        )

    # R7
    def audits(self, start: dt.datetime, end: dt.datetime) -> Section:
        flags = list(
            AnomalyFlag.objects.filter(occurred_at__gte=start, occurred_at__lt=end).values_list("pk", "rule", "seqs")
        )
        # A flag counts when its events are in the checkpoint. A vague-purpose flag gathers its
        # subject's searches as they come (cameras.anomalies): it counts from its first search,
        # with its searches up to the checkpoint, so a later search changes no report held to it.
        events: dict[int, int] = {}
        counted: dict[int, str] = {}
        for pk, rule, seqs in flags:
            within = [seq for seq in seqs if seq <= self.upto]
            if within and (rule == AnomalyRule.VAGUE_PURPOSE or len(within) == len(seqs)):
                counted[pk], events[pk] = rule, len(within)
        reviewed = set(
            AnomalyReview.objects.filter(flag_id__in=list(counted), event_seq__lte=self.upto).values_list(
                "flag_id", flat=True
            )
        )
        values: dict[Any, int] = {}
        for rule in AnomalyRule:
            found = [pk for pk, r in counted.items() if r == rule]
            done = sum(1 for pk in found if pk in reviewed)
            values |= {
                ("flags", rule): len(found),
                ("events", rule): sum(events[pk] for pk in found),
                ("reviewed", rule): done,
                ("open", rule): len(found) - done,
            }
        # A rule's flags are those reviewed and those not.
        cells = self.linked(
            values, [((("flags", rule),), (("reviewed", rule), ("open", rule))) for rule in AnomalyRule]
        )
        for rule in AnomalyRule:
            # A rule whose flags have one event each (a live view at night): its events would say
            # its flags, hidden or not.
            if not isinstance(cells[("flags", rule)], int) and values[("events", rule)] == values[("flags", rule)]:
                cells[("events", rule)] = cell_label(values[("events", rule)], self.threshold, hidden=True)
        rows: list[list[Cell]] = [
            [str(rule.label), *(cells[(what, rule)] for what in ("flags", "events", "reviewed", "open"))]
            for rule in AnomalyRule
        ]
        return Section(
            "R7",
            _("Internal audit: the anomaly queue"),
            _(
                "The anomaly rules' flags of the year whose events are in the checkpoint, and the board's "
                "review notes logged up to it."
            ),
            [
                Table(
                    _("Flags by rule"),
                    [_("Rule"), _("Flags"), _("Events flagged"), _("Reviewed"), _("Not reviewed")],
                    rows,
                )
            ],
            [_("Flags are findings to look at, not violations; the review notes say what the board concluded.")],
        )

    # R8
    def refusals(self) -> Section:
        return Section(
            "R8",
            _("Refused and unauthorized access attempts"),
            _("The access log's monthly rollups (refused events), less the events after the checkpoint."),
            [
                Table(
                    _("Refusals by reason"),
                    # the words and the code exports use (a published report names no file of the code base)
                    [_("Reason (the log's code in brackets)"), _("Refused")],
                    [[reason_label(code), self.cells[("reason", code)]] for code in self.reason_order],
                ),
                Table(
                    _("Refusals by action"),
                    [_("Action"), _("Refused")],
                    # R1's refused column, published as it is there.
                    [[_action_words(code), self.refused(code)] for code in self.refused_order],
                ),
                Table(
                    _("Attempts to open pages of a role one does not have"),
                    [_("What"), _("Refused")],
                    [
                        [_("Console or the log's pages refused (wrong role or no MFA)"), self.cells[("door",)]],
                        [
                            _("Of which refused for the role"),
                            self.cells[("door_role",)],
                        ],
                    ],
                ),
            ],
            [
                _(
                    "A breach outside the application (of the servers or the database) is not an event of the "
                    "log; the chain and its signed checkpoints are what reveal a rewritten log."
                )
            ],
        )

    # R12
    def policy(self, start: dt.datetime, end: dt.datetime) -> Section:
        changes = admin_changes(start=start, end=end)
        zone = ZoneInfo(self.zone)
        policy_rows: list[list[Cell]] = [
            [c.at.astimezone(zone).date().isoformat(), c.change]
            for c in sorted(changes, key=lambda c: c.at)
            if c.kind == "policy_changed"
        ]
        kinds = Counter(c.kind for c in changes)
        return Section(
            "R12",
            _("Changes to the use policy and other administrative changes"),
            _("The history of the department's policy and of staff accounts, up to the checkpoint's time."),
            [
                Table(_("Policy changes"), [_("Date"), _("What changed")], policy_rows),
                Table(
                    _("Administrative changes by kind"),
                    [_("Kind"), _("Changes")],
                    [[str(words), self.n(kinds[code])] for code, words in admin_change_kinds()],
                ),
            ],
            [_("The basis of a change is the department's to state; the log records who changed what and when.")],
        )


def _not_computed() -> list[tuple[str, str, str]]:
    why = _("Not computed from the log")
    return [
        ("R2", _("Whether data was captured on people not suspected of wrongdoing"), why),
        ("R3", _("Named recipients, legal standard and justification of each disclosure"), why),
        ("R9", _("Effectiveness, including crime statistics"), why),
        ("R11", _("Annual cost, funding source and the cost of complying with the ordinance"), why),
        ("R13", _("Products and services acquired that are not in the policy"), why),
        ("R14", _("Civil-rights impact analysis"), why),
        ("R15", _("Equity metrics"), why),
    ]


def annual_report(*, year: int, checkpoint: SignedCheckpoint, department: str, zone: str, threshold: int) -> Report:
    """The report of ``year`` (department-local days) held to ``checkpoint``."""
    upto = checkpoint.tree_size
    with connection.cursor() as cursor:
        cursor.execute("SELECT hash FROM audit_accessevent WHERE seq = %s", [upto])
        row = cursor.fetchone()
    made_at = checkpoint.made_at
    tz = ZoneInfo(zone)
    start, year_end = dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)
    # Administrative changes are read by time: those before the checkpoint was made.
    changes_end = max(start, min(year_end, made_at))
    build = _Builder(year=year, upto=upto, zone=zone, threshold=threshold, made_at=made_at)
    states = board_records_as_of(upto=upto)
    report = Report(
        department=department,
        year=year,
        time_zone=zone,
        threshold=threshold,
        checkpoint_id=checkpoint.pk,
        tree_size=upto,
        root_hash=base64.b64encode(bytes(checkpoint.root_hash)).decode(),
        checkpoint_time=made_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        head_seq=upto,
        head_hash=row[0] if row else "",
    )
    report.sections = [
        build.uses(),
        build.sharing(),
        build.sources(),
        build.areas(),
        build.board_records(states, kind=BoardRecordKind.COMPLAINT, code="R6", title=_("Complaints and concerns")),
        build.audits(start, year_end),
        build.refusals(),
        build.board_records(
            states, kind=BoardRecordKind.RECORDS_REQUEST, code="R10", title=_("Public-records requests")
        ),
        build.policy(start, changes_end),
    ]
    report.not_computed = _not_computed()
    return report
