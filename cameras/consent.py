"""Whether a camera owner's consent grant permits a police action at an instant.

This module is pure: no ORM, no database, no clock. Callers build a ``GrantState``
from whatever they store and pass the instant to decide for; ``consent_permits``
returns a ``ConsentDecision`` with a machine-readable ``Reason`` and a sentence for
humans.

Consent levels are ordered and each implies those below it:

``registered``
    The police may see the camera's approximate location and message the owner.
``on_request``
    Also send footage requests.
``live_exigent``
    Also open a live view, but only for an exigent purpose (an active emergency).
``live``
    Also open a live view for any stated purpose.

Actions need these levels: ``locate`` and ``message`` need ``registered``; ``request_footage``
needs ``on_request``; ``live_view`` needs ``live``, or ``live_exigent`` when the
caller declares an exigent purpose. A ``live_exigent`` grant asked for a
non-exigent live view is denied with ``EXIGENT_ONLY``; an ``exigent`` flag never
lifts a grant below ``live_exigent`` to live view.

A grant that is revoked (``revoked_at <= at``), expired (``expires_at <= at``)
or paused permits nothing but locating the camera: locating stays allowed,
everything else (messaging the owner too: an owner who withdrew consent is not
written to about that camera) is denied with ``REVOKED``, ``EXPIRED`` or ``PAUSED``,
in that priority order. These are checked before the level, so a revoked
``registered`` grant asked for footage says ``REVOKED``, not ``LEVEL_TOO_LOW``.

Schedule windows restrict **live view only**. Footage requests and locating are
not time-restricted: a footage request asks for recordings the owner reviews
before sharing anything, so when it is sent does not matter. An empty tuple of
windows means live view at any time. Exigent live view obeys the windows too:
the owner's schedule is the owner's schedule.

Windows are weekly and in the department's local wall-clock time (the grant's
``time_zone``). A window covers ``start <= t < end`` on ``day``; an overnight
window (``next_day=True``) covers ``t >= start`` on ``day`` and ``t < end`` on the
following day (Sunday wraps to Monday). An instant is inside a window iff its
local wall-clock time is, so daylight saving time needs no special cases: on the
spring-forward day the skipped hour contains no instant (a window 02:00-03:00
that Sunday is never open, one 01:00-03:00 is open for one real hour), and on the
fall-back day the repeated hour is inside a window twice (a window 01:00-03:00 is
open for three real hours).

Instants are compared in UTC. Python compares two aware datetimes that share a
``tzinfo`` object by wall-clock time, ignoring ``fold``, which would get the
repeated fall-back hour wrong (01:45 PDT would count as after 01:30 PST).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "EXPIRY_HORIZON_YEARS",
    "LEVEL_RANK",
    "MAX_WINDOWS",
    "ConsentAction",
    "ConsentDecision",
    "ConsentLevel",
    "GrantState",
    "Reason",
    "Window",
    "consent_permits",
    "expiry_horizon",
    "level_at_least",
    "window_contains",
    "window_problems",
    "windows_validate",
    "windows_week_coverage",
]


class ConsentLevel(StrEnum):
    REGISTERED = "registered"
    ON_REQUEST = "on_request"
    LIVE_EXIGENT = "live_exigent"
    LIVE = "live"


LEVEL_RANK: dict[ConsentLevel, int] = {
    ConsentLevel.REGISTERED: 0,
    ConsentLevel.ON_REQUEST: 1,
    ConsentLevel.LIVE_EXIGENT: 2,
    ConsentLevel.LIVE: 3,
}


def level_at_least(level: str, minimum: str) -> bool:
    """Whether ``level`` implies ``minimum``. Raises ValueError for an unknown level."""
    return LEVEL_RANK[ConsentLevel(level)] >= LEVEL_RANK[ConsentLevel(minimum)]


#: At most this many weekly schedule windows per grant: two a day covers any real schedule,
#: and the overlap check is quadratic in their number.
MAX_WINDOWS = 14

#: Consent may end at most this many years ahead. An end of "9999-12-31" in a zone west of
#: UTC is in year 10000 in UTC, which PostgreSQL stores but Python cannot read back.
EXPIRY_HORIZON_YEARS = 10


def expiry_horizon(now: dt.datetime) -> dt.datetime:
    """The latest instant a grant may expire at, counted from the aware instant ``now``."""
    try:
        return now.replace(year=now.year + EXPIRY_HORIZON_YEARS)
    except ValueError:  # 29 February, and the year ten years on is not a leap year
        return now.replace(year=now.year + EXPIRY_HORIZON_YEARS, day=28)


class ConsentAction(StrEnum):
    LOCATE = "locate"
    MESSAGE = "message"
    REQUEST_FOOTAGE = "request_footage"
    LIVE_VIEW = "live_view"


class Reason(StrEnum):
    OK = "ok"
    NO_GRANT = "no_grant"
    LEVEL_TOO_LOW = "level_too_low"
    REVOKED = "revoked"
    EXPIRED = "expired"
    PAUSED = "paused"
    OUTSIDE_WINDOW = "outside_window"
    EXIGENT_ONLY = "exigent_only"


@dataclass(frozen=True)
class Window:
    """A weekly window in the department's local wall-clock time.

    ``day`` is the day the window starts, 0=Monday .. 6=Sunday. With ``next_day``
    the window ends at ``end`` on the following day (overnight, e.g. 22:00 -> 06:00).
    Construction does not validate; use ``windows_validate`` for form errors.
    """

    day: int
    start: dt.time
    end: dt.time
    next_day: bool = False


@dataclass(frozen=True)
class GrantState:
    """One camera's consent grant, as far as decisions need it.

    ``level`` must be a ``ConsentLevel`` value, ``time_zone`` an IANA name and the
    two instants timezone-aware; construction raises ValueError otherwise.
    """

    level: str
    time_zone: str
    windows: tuple[Window, ...] = ()
    expires_at: dt.datetime | None = None
    revoked_at: dt.datetime | None = None
    paused: bool = False

    def __post_init__(self) -> None:
        ConsentLevel(self.level)  # raises ValueError for an unknown level
        _zone(self.time_zone)
        for name in ("expires_at", "revoked_at"):
            value: dt.datetime | None = getattr(self, name)
            if value is not None and not _is_aware(value):
                raise ValueError(f"GrantState.{name} must be timezone-aware")


@dataclass(frozen=True)
class ConsentDecision:
    allowed: bool
    reason: Reason
    message: str


_REQUIRED_LEVEL: dict[ConsentAction, ConsentLevel] = {
    ConsentAction.LOCATE: ConsentLevel.REGISTERED,
    ConsentAction.MESSAGE: ConsentLevel.REGISTERED,
    ConsentAction.REQUEST_FOOTAGE: ConsentLevel.ON_REQUEST,
    ConsentAction.LIVE_VIEW: ConsentLevel.LIVE,
}

_ACTION_LABEL: dict[ConsentAction, str] = {
    ConsentAction.LOCATE: "seeing the camera's location",
    ConsentAction.MESSAGE: "messages to the owner",
    ConsentAction.REQUEST_FOOTAGE: "footage requests",
    ConsentAction.LIVE_VIEW: "live view",
}

_LEVEL_LABEL: dict[ConsentLevel, str] = {
    ConsentLevel.REGISTERED: "location and messages only",
    ConsentLevel.ON_REQUEST: "footage on request",
    ConsentLevel.LIVE_EXIGENT: "live view in emergencies",
    ConsentLevel.LIVE: "live view",
}

_DASH = "\u2013"  # en dash between times in messages
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_DAY = dt.timedelta(days=1)
_WEEK = dt.timedelta(days=7)
_ONLY_REGISTERED = "only the camera's location remains available."


def consent_permits(
    grant: GrantState | None,
    action: ConsentAction | str,
    at: dt.datetime,
    *,
    exigent: bool = False,
) -> ConsentDecision:
    """Decide whether ``grant`` permits ``action`` at the aware instant ``at``.

    ``exigent`` declares an exigent purpose (an active emergency); it only matters
    for live view. Raises ValueError if ``at`` is naive or ``action`` is unknown.
    Checks, in order: no grant; revoked > expired > paused (all but locate);
    level; exigent-only; schedule windows (live view only).
    """
    if not _is_aware(at):
        raise ValueError("consent_permits needs a timezone-aware instant")
    action = ConsentAction(action)
    if grant is None:
        return _deny(Reason.NO_GRANT, "The owner has not registered this camera with the department.")

    level = ConsentLevel(grant.level)
    if action is not ConsentAction.LOCATE:
        inactive = _inactive(grant, at)
        if inactive is not None:
            return inactive

    required = _REQUIRED_LEVEL[action]
    if action is ConsentAction.LIVE_VIEW and level is ConsentLevel.LIVE_EXIGENT:
        if not exigent:
            return _deny(
                Reason.EXIGENT_ONLY,
                "The owner allows live view only for an exigent purpose (an active emergency).",
            )
        required = ConsentLevel.LIVE_EXIGENT
    if not level_at_least(level, required):
        return _deny(
            Reason.LEVEL_TOO_LOW,
            f"The owner's consent ({_LEVEL_LABEL[level]}) does not cover {_ACTION_LABEL[action]}.",
        )

    if action is ConsentAction.LIVE_VIEW and grant.windows:
        local = at.astimezone(_zone(grant.time_zone))
        if not any(window_contains(window, local) for window in grant.windows):
            schedule = ", ".join(_describe(window) for window in grant.windows)
            return _deny(
                Reason.OUTSIDE_WINDOW,
                f"The owner allows live view only {schedule} ({grant.time_zone} time).",
            )

    return ConsentDecision(True, Reason.OK, f"The owner's consent covers {_ACTION_LABEL[action]}.")


def window_contains(window: Window, local: dt.datetime) -> bool:
    """Whether the local wall-clock time ``local`` (naive or aware) is inside ``window``.

    Only the weekday and wall-clock time of ``local`` count; its offset and fold do
    not. A window with a day outside 0..6 contains nothing.
    """
    if not 0 <= window.day <= 6:
        return False
    weekday, t = local.weekday(), local.time()
    if not window.next_day:
        return weekday == window.day and window.start <= t < window.end
    return (weekday == window.day and t >= window.start) or (weekday == (window.day + 1) % 7 and t < window.end)


def windows_validate(windows: Sequence[Window]) -> list[str]:
    """Human-readable errors for a set of windows; ``[]`` if they are valid.

    Each window must have a day in 0..6, wall-clock times without a time zone, a
    non-zero length, end after start (or ``next_day`` for overnight) and last at
    most 24 hours. Windows must not overlap anywhere in the week (an overnight
    Sunday window wraps into Monday); touching, end == start, is fine.
    """
    return [template % params for template, params in window_problems(windows)]


def gettext_noop(message: str) -> str:
    """Marks a message for ``makemessages`` without importing Django: callers translate it."""
    return message


def window_problems(
    windows: Sequence[Window], *, day_names: Sequence[str] = _DAY_NAMES
) -> list[tuple[str, dict[str, Any]]]:
    """The errors of ``windows_validate`` as (English %-template, parameters) pairs, so that
    a caller can translate the template and pass day names in the user's language."""
    errors: list[tuple[str, dict[str, Any]]] = []
    valid: list[Window] = []
    for number, window in enumerate(windows, start=1):
        error = _window_error(number, window, day_names)
        if error is None:
            valid.append(window)
        else:
            errors.append(error)
    for i, first in enumerate(valid):
        for second in valid[i + 1 :]:
            if _overlap(first, second):
                errors.append(
                    (
                        gettext_noop(
                            "The window on %(first)s overlaps the window on %(second)s; windows must not overlap."
                        ),
                        {"first": _describe(first, day_names), "second": _describe(second, day_names)},
                    )
                )
    return errors


def _window_error(number: int, window: Window, day_names: Sequence[str]) -> tuple[str, dict[str, Any]] | None:
    if not 0 <= window.day <= 6:
        return (
            gettext_noop("Window %(number)d has day %(day)d; the day must be 0 (Monday) to 6 (Sunday)."),
            {"number": number, "day": window.day},
        )
    day = day_names[window.day]
    if window.start.tzinfo is not None or window.end.tzinfo is not None:
        return gettext_noop("The window on %(day)s must use local wall-clock times without a time zone."), {"day": day}
    if window.start == window.end:
        return (
            gettext_noop("The window on %(day)s starts and ends at %(time)s; it must have a length."),
            {"day": day, "time": _hhmm(window.start)},
        )
    if not window.next_day and window.end < window.start:
        return (
            gettext_noop("The window on %(day)s ends before it starts; tick 'ends next day' for overnight windows."),
            {"day": day},
        )
    if window.next_day and window.end > window.start:
        return (
            gettext_noop(
                "The window on %(day)s would last longer than 24 hours; "
                "an overnight window must end before %(time)s on the next day."
            ),
            {"day": day, "time": _hhmm(window.start)},
        )
    return None


def windows_week_coverage(windows: Sequence[Window]) -> dt.timedelta:
    """How much of a week, in local wall-clock time, ``windows`` leave live view open: the
    whole week (7 days) when there are none (no schedule: any time). Overlaps are counted once
    and a window with a day outside 0..6, or ending before it starts, covers nothing (such
    windows are refused when saved; this measures whatever is stored). Wall-clock time, as the
    windows are: a schedule covering every hour of the week is open at every instant, whatever
    daylight saving time does."""
    if not windows:
        return _WEEK
    spans = sorted(
        (begin, finish)
        for window in windows
        if 0 <= window.day <= 6
        for begin, finish in _week_intervals(window)
        if begin < finish
    )
    covered = dt.timedelta(0)
    reach = dt.timedelta(0)
    for begin, finish in spans:
        if finish <= reach:
            continue
        covered += finish - max(begin, reach)
        reach = finish
    return min(covered, _WEEK)


def _week_intervals(window: Window) -> list[tuple[dt.timedelta, dt.timedelta]]:
    """The window as half-open offsets from Monday 00:00, split at the week's end."""
    begin = window.day * _DAY + _time_offset(window.start)
    finish = window.day * _DAY + _time_offset(window.end) + (_DAY if window.next_day else dt.timedelta(0))
    if finish <= _WEEK:
        return [(begin, finish)]
    return [(begin, _WEEK), (dt.timedelta(0), finish - _WEEK)]


def _overlap(first: Window, second: Window) -> bool:
    return any(
        a_begin < b_end and b_begin < a_end
        for a_begin, a_end in _week_intervals(first)
        for b_begin, b_end in _week_intervals(second)
    )


def _inactive(grant: GrantState, at: dt.datetime) -> ConsentDecision | None:
    now = at.astimezone(dt.UTC)
    if grant.revoked_at is not None and grant.revoked_at.astimezone(dt.UTC) <= now:
        return _deny(Reason.REVOKED, f"The owner revoked consent; {_ONLY_REGISTERED}")
    if grant.expires_at is not None and grant.expires_at.astimezone(dt.UTC) <= now:
        local = grant.expires_at.astimezone(_zone(grant.time_zone))
        return _deny(Reason.EXPIRED, f"The owner's consent expired {local:%Y-%m-%d %H:%M %Z}; {_ONLY_REGISTERED}")
    if grant.paused:
        return _deny(Reason.PAUSED, f"The owner has paused this camera; {_ONLY_REGISTERED}")
    return None


def _deny(reason: Reason, message: str) -> ConsentDecision:
    return ConsentDecision(False, reason, message)


def _describe(window: Window, day_names: Sequence[str] = _DAY_NAMES) -> str:
    if not 0 <= window.day <= 6:
        return f"day {window.day} {_hhmm(window.start)}{_DASH}{_hhmm(window.end)}"
    day = day_names[window.day]
    if window.next_day:
        return f"{day} {_hhmm(window.start)}{_DASH}{day_names[(window.day + 1) % 7]} {_hhmm(window.end)}"
    return f"{day} {_hhmm(window.start)}{_DASH}{_hhmm(window.end)}"


def _hhmm(t: dt.time) -> str:
    return t.strftime("%H:%M:%S" if t.second or t.microsecond else "%H:%M")


def _time_offset(t: dt.time) -> dt.timedelta:
    return dt.timedelta(hours=t.hour, minutes=t.minute, seconds=t.second, microseconds=t.microsecond)


def _is_aware(value: dt.datetime) -> bool:
    return value.tzinfo is not None and value.utcoffset() is not None


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"Unknown time zone {name!r}") from exc


def permitted_until(
    grant: GrantState | None, action: ConsentAction | str, at: dt.datetime, *, exigent: bool = False
) -> dt.datetime | None:
    """Until when the decision of ``consent_permits`` at ``at`` stays "allowed" by itself.

    ``at`` itself if it is not allowed now; otherwise the earliest of the expiry and the
    end of the current schedule window (live view), or None if nothing ends it by time.
    Revocation and pause are not predictable: the caller hears of those separately.
    Touching windows yield the first end; asking again there continues into the next.
    """
    if not consent_permits(grant, action, at, exigent=exigent).allowed:
        return at
    assert grant is not None
    candidates: list[dt.datetime] = []
    if grant.expires_at is not None:
        candidates.append(grant.expires_at)
    if ConsentAction(action) == ConsentAction.LIVE_VIEW and grant.windows:
        zone = ZoneInfo(grant.time_zone)
        local = at.astimezone(zone)
        for window in grant.windows:
            if not window_contains(window, local):
                continue
            end_date = local.date()
            if window.next_day and local.weekday() == window.day:
                end_date += _DAY
            candidates.append(dt.datetime.combine(end_date, window.end, tzinfo=zone))
    return min(candidates) if candidates else None
