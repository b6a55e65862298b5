"""Whether a site meets the ordinances that cover it, at an instant.

This module is pure: no ORM, no database, no clock. Callers build the facts (``SiteFacts``,
``CameraFacts``, ``AttestationFacts``, ``InspectionFacts``, ``NoticeFacts``, ``AppealFacts``)
and an ``OrdinanceRules`` (one ordinance version) from whatever they store, and pass ``now``
and the department's time zone (every day compared is the department's: a deadline ends at
its midnight, not UTC's);
``compliance_judge`` returns a ``Judgement``: a ``Status`` and the unmet requirements, each a
``Requirement`` code, a ``Severity`` and an English sentence template with its parameters
(``gettext_noop``-marked, so the interface translates it).

Coverage. An ordinance covers a site when the site's kind is one of ``property_kinds`` (empty:
any kind), its business category is one of ``business_categories`` (empty: any), it has at least
``min_units`` units, ``min_parking_spaces`` spaces and ``min_floor_area_sqft`` of floor area
(each when set), and it was built or remodelled on or after ``built_after`` (when set); an
ordinance naming categories and no kinds covers businesses only. A fact
the coverage needs and the site lacks (no construction date, no unit count, no parking or floor
area) does not take a site of a covered kind out: it stays covered and the missing fact is an
unmet requirement, so that blanking a field is no way out. The business category is the
exception: it says what kind of business the site is, and a hardware store that has not given
it is no gas station. A business whose category is unknown, under an ordinance naming
categories (and otherwise covering it), is ``NOT_COVERED`` with nothing unmet, and its
judgement says the category is asked (``Judgement.category_asked``): the owner's page asks for
it and the department's dashboard counts such businesses. A site of a kind or category outside
the ordinance is ``NOT_COVERED``, never ``NOT_COMPLIANT``.

Cameras. The ordinance asks for ``min_cameras`` (at least one) *qualifying* cameras: active,
with a consent grant that is in force (not revoked, expired or paused) at ``now`` and at least
``min_consent``, at least ``min_megapixels`` and ``min_fps`` when those are set (a camera whose
resolution or frame rate is unknown does not qualify), and, with ``live_connection_required``,
served by a bridge that is connected now (real liveness, not a setting). An ordinance asking
for live view (a minimum consent of ``live_exigent`` or ``live``) asks for it at every hour of
the week: a camera whose consent limits live view to schedule windows that leave any hour out
does not qualify (``LIVE_SCHEDULE``, named with the camera and its hours a week). No ordinance
Porchlight models names hours of live access (Detroit's is continuous, DeKalb's 24-hour), so
there is no partial schedule that meets one; a schedule does not matter to a minimum of
``on_request``, since footage requests are not time-limited. While fewer active
cameras than required are registered, every camera requirement the ordinance sets (consent,
live connection, resolution, frame rate) is unmet too: the cameras not there meet none of them,
so a site with no camera is never shown meeting them. Each required
placement needs one qualifying camera that views it; placements that Porchlight does not record
(registers, fuel pumps, loading docks) are attested instead. Cameras that do not qualify are
not counted but never count against the site: adding a camera or raising a consent never makes
a site less compliant.

Attested requirements. What Porchlight cannot see (night vision, retention, signage, lighting
and the unrecorded placements) the owner confirms in an attestation. What a camera declares is
judged from the declaration first: a camera declaring fewer days of retention than the
ordinance asks does not count (like one of too low a resolution), and the requirement is met
without an attestation when enough counting cameras declare at least that
(``Judgement.declared``). A requirement that neither a declaration nor an attestation can
confirm (a version with no attestation schedule: ``rules_problems`` refuses new ones, but a
stored one is judged) is ``FAIL``, "not confirmed" (``Judgement.not_confirmed``), never met.
An attestation is due each year on a fixed day (``attestation_month``/``attestation_day``,
e.g. 1 May; 29 February is due on the 28th in a common year, and ``rules_problems`` refuses a
day the month never has) or on the site's business-licence renewal day. One signed within
``FILING_WINDOW_DAYS`` before a due day counts
for that day; it is valid until the next due day after that (so a year). Expired, or never
filed after a due day has passed: ``FAIL``. Valid but expiring within ``DUE_SOON_DAYS``, or
never filed with the first due day within ``DUE_SOON_DAYS``: ``DUE``. Never filed and the first
due day further ahead: nothing is late and nothing unmet, but the judgement says an
attestation is awaited (``Judgement.attestation_awaited``): what only it confirms is not met
yet, and no certificate certifies it. An attestation that did not confirm a requirement
the version asks for (a new version added one) leaves that requirement unmet.

Inspections, notices, appeals. Requirements the latest inspection found not met are ``FAIL``
until a later inspection finds them met: resolving a notice (the department noting the owner's
fix) does not clear a finding, a re-inspection does, and the sentence says so.
An open notice is ``DUE`` until its cure deadline and ``FAIL`` after it. A decided exemption in
force makes the site ``EXEMPT`` from that ordinance (``Judgement.exempt_until`` is its end,
None for none). A granted appeal exempts from nothing: it sets aside what it disputed, the
inspection findings and notices standing on the day it was filed (an appeal names its ordinance,
not one finding); a later inspection or notice stands, and the requirements Porchlight checks
itself (cameras, consent, attestations) are judged as ever. A pending request of either kind
makes a site that is not compliant ``UNDER_APPEAL`` (the unmet requirements are still listed).

Status, worst first: ``NOT_COMPLIANT`` (any ``FAIL``), ``UNDER_APPEAL``, ``DUE_SOON`` (any
``DUE``), ``COMPLIANT``; ``EXEMPT`` and ``NOT_COVERED`` when they apply. Several ordinances:
``site_status`` combines their judgements, the worst wins.

Contradictions. ``rules_problems`` lists what makes an ordinance version impossible to meet
under the department's policy (a minimum consent of live view where the department does not
use live view, a live connection required without live view, a minimum of cameras above what a
site may register ...); the admin refuses to save such a version.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from cameras.consent import ConsentLevel, Window, level_at_least, windows_week_coverage

__all__ = [
    "ATTESTABLE",
    "DUE_SOON_DAYS",
    "FILING_WINDOW_DAYS",
    "AppealFacts",
    "AttestationFacts",
    "CameraFacts",
    "InspectionFacts",
    "Judgement",
    "NoticeFacts",
    "OrdinanceRules",
    "PlacementCode",
    "Requirement",
    "Severity",
    "SiteFacts",
    "Status",
    "Unmet",
    "attestation_deadlines",
    "compliance_judge",
    "megapixels",
    "ordinance_covers",
    "rules_problems",
    "site_status",
]

#: How far ahead a deadline is "due soon": what a business would call soon, and the first of the
#: reminders (30 and 7 days before, compliance.reminders). None of the ordinances Porchlight
#: models sets a notice period of its own before a due day (``cure_days`` runs after a notice).
DUE_SOON_DAYS = 30
#: An attestation signed up to 60 days before a due day counts for that day, so an owner who
#: files early (licence renewals open about two months ahead) is not asked twice.
FILING_WINDOW_DAYS = 60


def gettext_noop(message: str) -> str:
    """Marks a message for ``makemessages`` without importing Django: callers translate it."""
    return message


class Status(StrEnum):
    NOT_COVERED = "not_covered"
    EXEMPT = "exempt"
    COMPLIANT = "compliant"
    DUE_SOON = "due_soon"
    UNDER_APPEAL = "under_appeal"
    NOT_COMPLIANT = "not_compliant"


#: Worst last; a site under several ordinances takes the worst of their statuses.
_STATUS_RANK = {status: rank for rank, status in enumerate(Status)}


class Severity(StrEnum):
    DUE = "due"
    FAIL = "fail"


class Requirement(StrEnum):
    """Every requirement an ordinance version may set, and the facts coverage needs
    (docs/ordinance-requirements.md explains each; a test keeps the two equal)."""

    SITE_FACTS = "site_facts"
    MIN_CAMERAS = "min_cameras"
    CONSENT = "consent"
    LIVE_SCHEDULE = "live_schedule"
    LIVE_CONNECTION = "live_connection"
    RESOLUTION = "resolution"
    FRAME_RATE = "frame_rate"
    PLACEMENTS = "placements"
    NIGHT_VISION = "night_vision"
    RETENTION = "retention"
    SIGNAGE = "signage"
    LIGHTING = "lighting"
    ATTESTATION = "attestation"
    INSPECTION = "inspection"
    NOTICE = "notice"


class PlacementCode(StrEnum):
    ENTRANCE = "entrance"
    PARKING = "parking"
    REGISTER = "register"
    FUEL_PUMP = "fuel_pump"
    LOADING_DOCK = "loading_dock"


#: Placements a camera's recorded views show (cameras.models.ViewTarget); the rest are attested.
_SEEN_PLACEMENTS = {PlacementCode.ENTRANCE: "entrance", PlacementCode.PARKING: "parking"}

#: Requirements the owner confirms in an attestation because Porchlight cannot check them.
ATTESTABLE = (
    Requirement.NIGHT_VISION,
    Requirement.RETENTION,
    Requirement.SIGNAGE,
    Requirement.LIGHTING,
    Requirement.PLACEMENTS,
)


#: The attested requirements in the words of the ordinance form (rules_problems names them).
#: Marked for makemessages: the interface translates each (compliance.selectors.version_problems).
_ATTESTED_WORDS = {
    Requirement.NIGHT_VISION: gettext_noop("night vision"),
    Requirement.RETENTION: gettext_noop("minimum retention"),
    Requirement.SIGNAGE: gettext_noop("signage"),
    Requirement.LIGHTING: gettext_noop("lighting"),
    Requirement.PLACEMENTS: gettext_noop("placements cameras do not record (registers, fuel pumps, loading docks)"),
}


@dataclass(frozen=True)
class OrdinanceRules:
    """One ordinance version: who it covers and what it requires (each requirement optional)."""

    key: str
    name: str
    property_kinds: tuple[str, ...] = ()
    business_categories: tuple[str, ...] = ()
    built_after: dt.date | None = None
    min_units: int | None = None
    min_parking_spaces: int | None = None
    min_floor_area_sqft: int | None = None
    min_cameras: int | None = None
    placements: tuple[str, ...] = ()
    min_megapixels: float | None = None
    min_fps: int | None = None
    night_vision: bool = False
    retention_days: int | None = None
    min_consent: str | None = None
    live_connection_required: bool = False
    delivery_hours: int | None = None
    signage: bool = False
    lighting: bool = False
    attestation_at_renewal: bool = False
    attestation_month: int | None = None
    attestation_day: int | None = None
    cure_days: int | None = None

    def __post_init__(self) -> None:
        if self.min_consent is not None:
            ConsentLevel(self.min_consent)  # raises ValueError for an unknown level
        for code in self.placements:
            PlacementCode(code)

    @property
    def needs_attestation(self) -> bool:
        return self.attestation_at_renewal or self.attestation_month is not None

    def attested(self) -> tuple[Requirement, ...]:
        """The requirements of this version that an attestation confirms."""
        wanted = {
            Requirement.NIGHT_VISION: self.night_vision,
            Requirement.RETENTION: self.retention_days is not None,
            Requirement.SIGNAGE: self.signage,
            Requirement.LIGHTING: self.lighting,
            Requirement.PLACEMENTS: any(p not in _SEEN_PLACEMENTS for p in self.placements),
        }
        return tuple(code for code in ATTESTABLE if wanted[code])


@dataclass(frozen=True)
class SiteFacts:
    kind: str
    business_category: str = ""
    # The department's own property (its cameras' consent is its policy): no ordinance on
    # private cameras covers it.
    department_owned: bool = False
    constructed_on: dt.date | None = None
    units: int | None = None
    parking_spaces: int | None = None
    floor_area_sqft: int | None = None
    licence_renews_on: dt.date | None = None


@dataclass(frozen=True)
class CameraFacts:
    active: bool
    consent_level: str | None  # None: no grant
    consent_revoked_at: dt.datetime | None = None
    consent_expires_at: dt.datetime | None = None
    views: tuple[str, ...] = ()
    megapixels: float | None = None
    fps: int | None = None
    bridge_online: bool = False
    label: str = ""  # what the owner calls it, for the sentences that name one camera
    #: Days the camera's recorder keeps footage, as the owner declared it; None: not declared.
    retention_days: int | None = None
    #: The consent's weekly live-view schedule (cameras.consent); empty: live view at any hour.
    live_windows: tuple[Window, ...] = ()


@dataclass(frozen=True)
class AttestationFacts:
    ordinance_key: str
    signed_at: dt.datetime
    confirmed: frozenset[str]


@dataclass(frozen=True)
class InspectionFacts:
    ordinance_key: str
    inspected_on: dt.date
    failed: frozenset[str]


@dataclass(frozen=True)
class NoticeFacts:
    ordinance_key: str
    cure_by: dt.date
    text: str = ""
    issued_on: dt.date | None = None


@dataclass(frozen=True)
class AppealFacts:
    ordinance_key: str
    decided: bool
    granted: bool = False
    exempt_until: dt.date | None = None
    #: "exemption" (from the whole ordinance, until ``exempt_until``) or "appeal" (against the
    #: findings and notices standing when it was filed, on ``requested_on``).
    kind: str = "exemption"
    requested_on: dt.date | None = None


@dataclass(frozen=True)
class Unmet:
    requirement: Requirement
    severity: Severity
    template: str
    params: dict[str, Any] = field(default_factory=dict)
    #: The plural form of ``template`` when it counts ``params["n"]`` (the interface passes
    #: both to ngettext: Spanish has three forms). gettext_noop has no plural, so such pairs
    #: are marked for makemessages where they are translated (compliance.selectors.PLURALS).
    plural: str = ""

    @property
    def message(self) -> str:
        template = self.plural if self.plural and self.params.get("n") != 1 else self.template
        return template % self.params if self.params else template


@dataclass(frozen=True)
class Judgement:
    ordinance_key: str
    status: Status
    unmet: tuple[Unmet, ...] = ()
    why_covered: tuple[tuple[str, dict[str, Any]], ...] = ()
    next_attestation_due: dt.date | None = None
    #: Not covered only because the site has not given its business category (module docstring).
    category_asked: bool = False
    exempt_until: dt.date | None = None
    #: Attested requirements the cameras' declarations meet (no attestation needed for them).
    declared: frozenset[Requirement] = frozenset()
    #: Attested requirements nothing can confirm: the version sets no attestation schedule.
    not_confirmed: frozenset[Requirement] = frozenset()
    #: No attestation filed yet, and the first is due later than ``DUE_SOON_DAYS`` ahead (on
    #: ``next_attestation_due``): nothing is late, but what only an attestation confirms is not
    #: shown met either.
    attestation_awaited: bool = False

    def missing(self, requirement: Requirement | str) -> bool:
        return any(item.requirement == requirement for item in self.unmet)


def megapixels(resolution: str) -> float | None:
    """Megapixels of a resolution written "1920x1080" (or with a multiplication sign or *); None
    if unreadable."""
    text = resolution.lower().replace("\u00d7", "x").replace("*", "x").replace(" ", "")
    width, sep, height = text.partition("x")
    if not sep or not width.isdigit() or not height.isdigit():
        return None
    return int(width) * int(height) / 1_000_000


def _aware(value: dt.datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


def _qualifies(camera: CameraFacts, rules: OrdinanceRules, now: dt.datetime) -> bool:
    return not _camera_shortfalls(camera, rules, now)


def _camera_shortfalls(camera: CameraFacts, rules: OrdinanceRules, now: dt.datetime) -> set[Requirement]:
    short: set[Requirement] = set()
    if not camera.active:
        short.add(Requirement.MIN_CAMERAS)
    if rules.min_consent is not None:
        in_force = (
            camera.consent_level is not None
            and (camera.consent_revoked_at is None or camera.consent_revoked_at > now)
            and (camera.consent_expires_at is None or camera.consent_expires_at > now)
        )
        if not in_force or not level_at_least(camera.consent_level or "registered", rules.min_consent):
            short.add(Requirement.CONSENT)
        elif _wants_live(rules) and _schedule_short(camera):
            # The level is enough, but only inside its schedule: live view at some hours only.
            short.add(Requirement.LIVE_SCHEDULE)
    if rules.min_megapixels is not None and (camera.megapixels is None or camera.megapixels < rules.min_megapixels):
        short.add(Requirement.RESOLUTION)
    if rules.min_fps is not None and (camera.fps is None or camera.fps < rules.min_fps):
        short.add(Requirement.FRAME_RATE)
    if rules.live_connection_required and not camera.bridge_online:
        short.add(Requirement.LIVE_CONNECTION)
    if (
        rules.retention_days is not None
        and camera.retention_days is not None
        and camera.retention_days < rules.retention_days
    ):
        # A declaration below the ordinance is a fact, not something an attestation outweighs.
        short.add(Requirement.RETENTION)
    return short


_WEEK = dt.timedelta(days=7)


def _wants_live(rules: OrdinanceRules) -> bool:
    """Whether the version asks for live view (a minimum consent of live view, exigent or not)."""
    return rules.min_consent is not None and level_at_least(rules.min_consent, ConsentLevel.LIVE_EXIGENT)


def _schedule_short(camera: CameraFacts) -> bool:
    """Whether the camera's consent schedule leaves some hour of the week without live view.
    An ordinance asking for live view asks for it at every hour: none of those Porchlight models
    names hours (Detroit's feed is continuous, DeKalb's Level Two access is 24-hour, Jackson's
    connection serves 911 calls whenever they come; docs/ordinance-requirements.md)."""
    return windows_week_coverage(camera.live_windows) < _WEEK


def _schedule_hours(camera: CameraFacts) -> str:
    # Two decimals at most: a schedule of one minute a week is "0.02" hours, not "0".
    hours = windows_week_coverage(camera.live_windows) / dt.timedelta(hours=1)
    return f"{hours:.2f}".rstrip("0").rstrip(".")


def _declared(rules: OrdinanceRules, cameras: list[CameraFacts], now: dt.datetime) -> frozenset[Requirement]:
    """The attested requirements that enough counting cameras' declarations meet."""
    if rules.retention_days is None:
        return frozenset()
    needed = max(rules.min_cameras or 1, 1)
    declaring = [
        c
        for c in cameras
        if c.retention_days is not None and c.retention_days >= rules.retention_days and _qualifies(c, rules, now)
    ]
    return frozenset({Requirement.RETENTION}) if len(declaring) >= needed else frozenset()


_Coverage = tuple[bool, list[tuple[str, dict[str, Any]]], list[Unmet], bool]


def _coverage(site: SiteFacts, rules: OrdinanceRules) -> _Coverage:
    """(covered, why in words, facts missing, category asked). Missing facts keep the site
    covered, except the business category (the module docstring says why)."""
    why: list[tuple[str, dict[str, Any]]] = []
    missing: list[Unmet] = []
    category_unknown = False
    if site.department_owned:
        return False, [], [], False
    if rules.property_kinds:
        if site.kind not in rules.property_kinds:
            return False, [], [], False
        why.append((gettext_noop("It covers this kind of property: %(kind)s."), {"kind": site.kind}))
    if rules.business_categories:
        # Categories are of businesses: a home is outside unless the ordinance names its kind.
        if not rules.property_kinds and site.kind != "business":
            return False, [], [], False
        if site.business_category and site.business_category not in rules.business_categories:
            return False, [], [], False
        if site.business_category:
            why.append(
                (gettext_noop("It covers this kind of business: %(category)s."), {"category": site.business_category})
            )
        else:
            category_unknown = True
    thresholds = (
        (rules.min_units, site.units, gettext_noop("It covers buildings with at least %(n)d units."),
         gettext_noop("Give the number of units: the ordinance covers buildings with at least %(n)d.")),
        (rules.min_parking_spaces, site.parking_spaces,
         gettext_noop("It covers properties with at least %(n)d parking spaces."),
         gettext_noop("Give the number of parking spaces: the ordinance covers properties with at least %(n)d.")),
        (rules.min_floor_area_sqft, site.floor_area_sqft,
         gettext_noop("It covers buildings of at least %(n)d square feet."),
         gettext_noop("Give the floor area: the ordinance covers buildings of at least %(n)d square feet.")),
    )  # fmt: skip
    for minimum, value, covered_words, ask_words in thresholds:
        if minimum is None:
            continue
        if value is None:
            missing.append(_fail(Requirement.SITE_FACTS, ask_words, n=minimum))
        elif value < minimum:
            return False, [], [], False
        else:
            why.append((covered_words, {"n": minimum}))
    if rules.built_after is not None:
        if site.constructed_on is None:
            missing.append(
                _fail(
                    Requirement.SITE_FACTS,
                    gettext_noop(
                        "Not compliant until you give the date of construction or last remodel: the ordinance "
                        "applies to properties of this kind built or remodelled on or after %(date)s."
                    ),
                    date=rules.built_after.isoformat(),
                )
            )
        elif site.constructed_on < rules.built_after:
            return False, [], [], False
        else:
            why.append(
                (
                    gettext_noop("It covers properties built or remodelled on or after %(date)s."),
                    {"date": rules.built_after.isoformat()},
                )
            )
    if category_unknown:
        # Everything else would cover it: ask the category rather than judge it.
        return False, [], [], True
    return True, why, missing, False


def ordinance_covers(rules: OrdinanceRules, site: SiteFacts) -> bool:
    """Whether the ordinance covers the site (a fact the coverage needs and the site lacks
    keeps it covered, the business category excepted, as in ``compliance_judge``)."""
    return _coverage(site, rules)[0]


def _fail(requirement: Requirement, template: str, /, plural: str = "", **params: Any) -> Unmet:
    return Unmet(requirement, Severity.FAIL, template, params, plural)


def _due(requirement: Requirement, template: str, /, **params: Any) -> Unmet:
    return Unmet(requirement, Severity.DUE, template, params)


def _anniversary(month: int, day: int, year: int) -> dt.date:
    """The due day in ``year``: a day the month lacks that year is its last day (29 February
    is due on the 28th in a common year; ``rules_problems`` refuses days no year has, such as
    31 April, but a version stored before that was refused is judged by its month's last day)."""
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def attestation_deadlines(rules: OrdinanceRules, site: SiteFacts) -> tuple[int, int] | None:
    """The (month, day) an attestation is due each year, or None when the ordinance asks for
    none or the site has not given the licence renewal date the ordinance counts from."""
    if rules.attestation_month is not None:
        return rules.attestation_month, rules.attestation_day or 1
    if rules.attestation_at_renewal and site.licence_renews_on is not None:
        return site.licence_renews_on.month, site.licence_renews_on.day
    return None


def _next_due(month_day: tuple[int, int], after: dt.date) -> dt.date:
    """The first due day strictly after ``after``."""
    candidate = _anniversary(*month_day, after.year)
    return candidate if candidate > after else _anniversary(*month_day, after.year + 1)


def _attestation_valid_until(month_day: tuple[int, int], signed_on: dt.date) -> dt.date:
    """The due day after the one this signature counts for (see the module docstring)."""
    counts_for = _next_due(month_day, signed_on - dt.timedelta(days=1))
    if (counts_for - signed_on).days > FILING_WINDOW_DAYS:
        return counts_for  # filed too early for that day: it counts for the previous one
    return _next_due(month_day, counts_for)


def _attestation_unmet(
    rules: OrdinanceRules,
    site: SiteFacts,
    attestations: list[AttestationFacts],
    zone: ZoneInfo,
    today: dt.date,
    settled: frozenset[Requirement],
) -> tuple[list[Unmet], dt.date | None, bool]:
    """(unmet, next due day, awaited: none filed yet and the first not due soon)."""
    if not rules.needs_attestation:
        return [_not_confirmed(code, rules) for code in rules.attested() if code not in settled], None, False
    month_day = attestation_deadlines(rules, site)
    if month_day is None:
        return (
            [
                _fail(
                    Requirement.SITE_FACTS,
                    gettext_noop("Give your business licence renewal date: the yearly attestation is due then."),
                )
            ],
            None,
            False,
        )
    if not attestations:
        due = _next_due(month_day, today - dt.timedelta(days=1))
        if (due - today).days > DUE_SOON_DAYS:
            return [], due, True
        return (
            [
                _due(
                    Requirement.ATTESTATION,
                    gettext_noop("File the yearly attestation by %(date)s."),
                    date=due.isoformat(),
                )
            ],
            due,
            False,
        )
    latest = max(attestations, key=lambda a: a.signed_at)
    # The day it was signed where the department is: a signature at 23:30 on 30 April in
    # California counts for the 1 May due day, as the owner saw it.
    valid_until = _attestation_valid_until(month_day, latest.signed_at.astimezone(zone).date())
    unmet: list[Unmet] = []
    if valid_until <= today:
        unmet.append(
            _fail(
                Requirement.ATTESTATION,
                gettext_noop("Your attestation expired on %(date)s: file this year's attestation."),
                date=valid_until.isoformat(),
            )
        )
    elif (valid_until - today).days <= DUE_SOON_DAYS:
        unmet.append(
            _due(
                Requirement.ATTESTATION,
                gettext_noop("File the yearly attestation by %(date)s."),
                date=valid_until.isoformat(),
            )
        )
    else:
        for code in rules.attested():
            if code not in latest.confirmed and code not in settled:
                unmet.append(
                    _fail(
                        code,
                        gettext_noop("Your last attestation did not confirm this requirement: file it again."),
                    )
                )
    return unmet, valid_until, False


def _not_confirmed(code: Requirement, rules: OrdinanceRules) -> Unmet:
    if code is Requirement.RETENTION:
        return _fail(
            code,
            gettext_noop(
                "Not confirmed: give how many days each camera's recorder keeps footage (the ordinance asks at "
                "least %(n)d days)."
            ),
            n=rules.retention_days,
        )
    return _fail(
        code,
        gettext_noop(
            "Not confirmed: nothing on record shows this, and the ordinance sets no yearly attestation to confirm "
            "it in. Ask the department."
        ),
    )


def _camera_unmet(rules: OrdinanceRules, cameras: list[CameraFacts], now: dt.datetime) -> list[Unmet]:
    needed = max(rules.min_cameras or 1, 1)
    qualifying = [c for c in cameras if _qualifies(c, rules, now)]
    unmet: list[Unmet] = []
    if len(qualifying) < needed:
        # Name what keeps the closest cameras from counting, so the owner knows what to fix.
        short: set[Requirement] = set()
        for camera in cameras:
            short |= _camera_shortfalls(camera, rules, now)
        active = len([c for c in cameras if c.active])
        if active < needed:
            # The cameras not registered meet none of the camera requirements.
            short |= _camera_shortfalls(CameraFacts(active=False, consent_level=None), rules, now)
            unmet.append(
                _fail(
                    Requirement.MIN_CAMERAS,
                    # Singular and plural, marked for makemessages in compliance.selectors (PLURALS).
                    "Register at least %(n)d active camera here (%(have)d now).",
                    plural="Register at least %(n)d active cameras here (%(have)d now).",
                    n=needed,
                    have=active,
                )
            )
        if Requirement.CONSENT in short and rules.min_consent is not None:
            unmet.append(
                _fail(
                    Requirement.CONSENT,
                    "At least %(n)d camera here must allow “%(level)s”, with consent in force and not paused.",
                    plural="At least %(n)d cameras here must allow “%(level)s”, with consent in force and not paused.",
                    level=rules.min_consent,
                    n=needed,
                )
            )
        if Requirement.LIVE_SCHEDULE in short:
            # Named with each camera whose schedule is what keeps it from counting.
            for camera in cameras:
                if camera.active and Requirement.LIVE_SCHEDULE in _camera_shortfalls(camera, rules, now):
                    unmet.append(
                        _fail(
                            Requirement.LIVE_SCHEDULE,
                            gettext_noop(
                                "Camera “%(camera)s” allows live view only on a schedule, %(hours)s of the week's 168 "
                                "hours: the ordinance asks for live view at every hour, so this camera does not "
                                "count. Remove the schedule from its consent, or make it cover the whole week."
                            ),
                            camera=camera.label,
                            hours=_schedule_hours(camera),
                        )
                    )
        if Requirement.LIVE_CONNECTION in short:
            unmet.append(
                _fail(
                    Requirement.LIVE_CONNECTION,
                    gettext_noop(
                        "Connect a bridge to at least %(n)d of these cameras: live view needs it, and none is "
                        "connected now."
                    ),
                    n=needed,
                )
            )
        if Requirement.RESOLUTION in short:
            # A resolution given but too low is named with its camera; only a missing one asks for it.
            minimum = rules.min_megapixels or 0.0
            low = [c for c in cameras if c.active and c.megapixels is not None and c.megapixels < minimum]
            for camera in low:
                unmet.append(
                    _fail(
                        Requirement.RESOLUTION,
                        gettext_noop(
                            "Camera “%(camera)s” records %(have)s megapixels, too low: cameras must record at "
                            "least %(mp)s megapixels."
                        ),
                        camera=camera.label,
                        have=f"{camera.megapixels:.1f}",
                        mp=f"{minimum:g}",
                    )
                )
            if not low or any(c.active and c.megapixels is None for c in cameras):
                unmet.append(
                    _fail(
                        Requirement.RESOLUTION,
                        gettext_noop("Cameras must record at least %(mp)s megapixels; give each camera's resolution."),
                        mp=f"{rules.min_megapixels:g}",
                    )
                )
        if Requirement.RETENTION in short and rules.retention_days is not None:
            declared_days = [
                c.retention_days
                for c in cameras
                if c.retention_days is not None and c.retention_days < rules.retention_days
            ]
            unmet.append(
                _fail(
                    Requirement.RETENTION,
                    gettext_noop(
                        "The ordinance asks to keep footage at least %(n)d days; the cameras here keep it %(have)d "
                        "days. A camera that keeps it too briefly does not count: keep footage longer and update "
                        "the camera."
                    ),
                    n=rules.retention_days,
                    have=max(declared_days),
                )
            )
        if Requirement.FRAME_RATE in short:
            unmet.append(
                _fail(
                    Requirement.FRAME_RATE,
                    gettext_noop("Cameras must record at least %(fps)d frames a second; give each camera's rate."),
                    fps=rules.min_fps,
                )
            )
    for code in rules.placements:
        view = _SEEN_PLACEMENTS.get(PlacementCode(code))
        if view is not None and not any(view in c.views for c in qualifying):
            unmet.append(
                _fail(
                    Requirement.PLACEMENTS,
                    gettext_noop("A camera that counts must view the %(place)s."),
                    place=view,
                )
            )
    return unmet


def compliance_judge(
    *,
    rules: OrdinanceRules,
    site: SiteFacts,
    cameras: list[CameraFacts],
    attestations: list[AttestationFacts] = (),  # type: ignore[assignment]
    inspections: list[InspectionFacts] = (),  # type: ignore[assignment]
    notices: list[NoticeFacts] = (),  # type: ignore[assignment]
    appeals: list[AppealFacts] = (),  # type: ignore[assignment]
    now: dt.datetime,
    time_zone: str,
) -> Judgement:
    """Judge ``site`` under one ordinance version at the aware instant ``now`` (see the module
    docstring), in the department's ``time_zone`` (an IANA name): its days (a notice's cure
    date, an exemption's end, an attestation's due day) are the department's, so a deadline
    runs to midnight where the department is, not in UTC. Facts of other ordinances (by
    ``ordinance_key``) are ignored."""
    _aware(now, "now")
    zone = ZoneInfo(time_zone)
    key = rules.key
    covered, why, unmet, category_asked = _coverage(site, rules)
    if not covered:
        return Judgement(key, Status.NOT_COVERED, category_asked=category_asked)
    today = now.astimezone(zone).date()
    mine_appeals = [a for a in appeals if a.ordinance_key == key]
    exemptions = [
        a
        for a in mine_appeals
        if a.kind == "exemption" and a.decided and a.granted and (a.exempt_until is None or a.exempt_until >= today)
    ]
    if exemptions:
        ends = [a.exempt_until for a in exemptions]
        until = None if None in ends else max(d for d in ends if d is not None)
        return Judgement(key, Status.EXEMPT, why_covered=tuple(why), exempt_until=until)

    camera_unmet = _camera_unmet(rules, list(cameras), now)
    unmet += camera_unmet
    declared = _declared(rules, list(cameras), now)
    # What the cameras meet, or already fail, is not asked of an attestation as well.
    settled = declared | {u.requirement for u in camera_unmet}
    attested, next_due, awaited = _attestation_unmet(
        rules, site, [a for a in attestations if a.ordinance_key == key], zone, today, settled
    )
    unmet += attested
    not_confirmed = frozenset() if rules.needs_attestation else frozenset(rules.attested()) - settled
    # What granted appeals set aside: the findings and notices of the day they were filed or before.
    granted_on = [a.requested_on or today for a in mine_appeals if a.kind == "appeal" and a.decided and a.granted]
    set_aside_until = max(granted_on, default=None)
    mine_inspections = [
        i
        for i in inspections
        if i.ordinance_key == key and (set_aside_until is None or i.inspected_on > set_aside_until)
    ]
    if mine_inspections:
        latest = max(mine_inspections, key=lambda i: i.inspected_on)
        for code in sorted(latest.failed):
            unmet.append(
                _fail(
                    Requirement.INSPECTION,
                    gettext_noop(
                        "The inspection of %(date)s found this not met: %(requirement)s. A new inspection must "
                        "find it met."
                    ),
                    date=latest.inspected_on.isoformat(),
                    requirement=code,
                )
            )
    for notice in (
        n
        for n in notices
        if n.ordinance_key == key
        and (set_aside_until is None or (n.issued_on is not None and n.issued_on > set_aside_until))
    ):
        if notice.cure_by < today:
            unmet.append(
                _fail(
                    Requirement.NOTICE,
                    gettext_noop("The cure period of a notice ended on %(date)s."),
                    date=notice.cure_by.isoformat(),
                )
            )
        else:
            unmet.append(
                _due(
                    Requirement.NOTICE,
                    gettext_noop("Fix what the department's notice names by %(date)s."),
                    date=notice.cure_by.isoformat(),
                )
            )

    if any(u.severity is Severity.FAIL for u in unmet):
        status = Status.NOT_COMPLIANT
    elif unmet:
        status = Status.DUE_SOON
    else:
        status = Status.COMPLIANT
    if status is not Status.COMPLIANT and any(not a.decided for a in mine_appeals):
        status = Status.UNDER_APPEAL
    return Judgement(
        key,
        status,
        tuple(unmet),
        tuple(why),
        next_due,
        declared=declared,
        not_confirmed=not_confirmed,
        attestation_awaited=awaited,
    )


def site_status(judgements: list[Judgement]) -> Status:
    """The worst status of a site's judgements; NOT_COVERED when there are none."""
    if not judgements:
        return Status.NOT_COVERED
    return max((j.status for j in judgements), key=_STATUS_RANK.__getitem__)


def rules_problems(
    rules: OrdinanceRules, *, live_view_barred_kinds: frozenset[str]
) -> list[tuple[str, str, dict[str, Any]]]:
    """What makes ``rules`` impossible to meet under the department's policy, as (field, English
    %-template, parameters); ``[]`` if nothing. ``live_view_barred_kinds`` are the property kinds
    whose cameras the department's policy never views live (homes, unless the policy allows it):
    an ordinance asking those for live view could never be met."""
    problems: list[tuple[str, str, dict[str, Any]]] = []
    # None: every kind; an ordinance of business categories alone covers businesses only.
    kinds = set(rules.property_kinds) if rules.property_kinds else ({"business"} if rules.business_categories else None)
    barred = sorted(live_view_barred_kinds if kinds is None else kinds & live_view_barred_kinds)
    wants_live = rules.min_consent is not None and level_at_least(rules.min_consent, "live_exigent")
    if wants_live and barred:
        problems.append(
            (
                "min_consent",
                gettext_noop(
                    "The minimum consent asks for live view, but the department's policy does not allow live view "
                    "of %(kinds)s: those sites could never comply. Lower the minimum consent, leave those kinds "
                    "out, or change the policy first."
                ),
                {"kinds": ", ".join(barred)},
            )
        )
    if rules.live_connection_required and barred:
        problems.append(
            (
                "live_connection_required",
                gettext_noop(
                    "A live connection is required, but the department's policy does not allow live view of "
                    "%(kinds)s: those sites could never comply."
                ),
                {"kinds": ", ".join(barred)},
            )
        )
    if rules.live_connection_required and not wants_live:
        problems.append(
            (
                "min_consent",
                gettext_noop(
                    "A live connection is required, but the minimum consent does not allow live view; "
                    "set the minimum consent to live view."
                ),
                {},
            )
        )
    if (rules.attestation_month is None) != (rules.attestation_day is None):
        problems.append(
            ("attestation_day", gettext_noop("Give both the month and the day the attestation is due."), {})
        )
    if (
        rules.attestation_month is not None
        and rules.attestation_day is not None
        and 1 <= rules.attestation_month <= 12
        # A leap year's lengths: 29 February is allowed and due on the 28th in a common year.
        and rules.attestation_day > calendar.monthrange(2024, rules.attestation_month)[1]
    ):
        problems.append(
            (
                "attestation_day",
                gettext_noop("Month %(month)d has only %(n)d days: give a day from 1 to %(n)d."),
                {"month": rules.attestation_month, "n": calendar.monthrange(2024, rules.attestation_month)[1]},
            )
        )
    if rules.attested() and not rules.needs_attestation:
        problems.append(
            (
                "attestation_month",
                gettext_noop(
                    "The ordinance asks for %(requirements)s, which only the owner's yearly attestation can "
                    "confirm: give the month and day the attestation is due, or make it due at licence renewal."
                ),
                # The English words, each for the interface to translate before joining them.
                {"requirements": tuple(_ATTESTED_WORDS[code] for code in rules.attested())},
            )
        )
    if rules.attestation_month is not None and rules.attestation_at_renewal:
        problems.append(
            (
                "attestation_at_renewal",
                gettext_noop("The attestation is due either on a fixed day or at licence renewal, not both."),
                {},
            )
        )
    return problems
