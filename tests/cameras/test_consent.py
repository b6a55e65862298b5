"""Consent grants: which police actions a camera owner's grant permits, and when.

Pure-function tests; nothing here touches the database.
"""

import dataclasses
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cameras.consent import (
    LEVEL_RANK,
    ConsentAction,
    ConsentLevel,
    GrantState,
    Reason,
    Window,
    consent_permits,
    level_at_least,
    window_contains,
    windows_validate,
    windows_week_coverage,
)

LA_NAME = "America/Los_Angeles"
LA = ZoneInfo(LA_NAME)
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
LEVELS = list(ConsentLevel)
INACTIVE_REASONS = {Reason.REVOKED, Reason.EXPIRED, Reason.PAUSED}
# 2026 US transitions: spring forward Sunday 2026-03-08 02:00 PST -> 03:00 PDT (10:00 UTC),
# fall back Sunday 2026-11-01 02:00 PDT -> 01:00 PST (09:00 UTC).
SPRING_FORWARD = dt.datetime(2026, 3, 8, 10, 0, tzinfo=dt.UTC)
FALL_BACK = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
WEDNESDAY_NOON = dt.datetime(2026, 6, 3, 12, 0, tzinfo=LA)


def t(hour: int, minute: int = 0) -> dt.time:
    return dt.time(hour, minute)


def la(year: int, month: int, day: int, hour: int, minute: int = 0, second: int = 0, *, fold: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=LA, fold=fold)


def grant(level: str = ConsentLevel.LIVE, **changes: Any) -> GrantState:
    return dataclasses.replace(GrantState(level=level, time_zone=LA_NAME), **changes)


def open_minutes(window: Window, start: dt.datetime, hours: int) -> int:
    """Real (UTC) minutes from ``start`` during which a live grant with ``window`` allows live view."""
    live = grant(windows=(window,))
    return sum(
        consent_permits(live, ConsentAction.LIVE_VIEW, start + dt.timedelta(minutes=minute)).allowed
        for minute in range(hours * 60)
    )


# ---------------------------------------------------------------------------
# Strategies
# ---------------------------------------------------------------------------

ALL_LEVELS = st.sampled_from(LEVELS)
zones = st.sampled_from([LA_NAME, "America/New_York", "Europe/London", "Australia/Lord_Howe", "UTC"])
minute_times = st.builds(dt.time, hour=st.integers(0, 23), minute=st.integers(0, 59))
any_windows = st.builds(Window, day=st.integers(0, 6), start=minute_times, end=minute_times, next_day=st.booleans())


@st.composite
def valid_windows(draw: st.DrawFn) -> Window:
    start = draw(minute_times)
    end = draw(minute_times.filter(lambda end: end != start))
    return Window(day=draw(st.integers(0, 6)), start=start, end=end, next_day=end < start)


near_transitions = st.builds(
    lambda anchor, seconds, micro: anchor + dt.timedelta(seconds=seconds, microseconds=micro),
    st.sampled_from([SPRING_FORWARD, FALL_BACK]),
    st.integers(-21 * 86400, 21 * 86400),
    st.integers(0, 999_999),
)
instants = st.one_of(
    near_transitions,
    # hypothesis takes naive bounds and attaches the zone itself
    st.datetimes(
        min_value=dt.datetime(2024, 1, 1),  # noqa: DTZ001
        max_value=dt.datetime(2030, 1, 1),  # noqa: DTZ001
        timezones=st.just(dt.UTC),
    ),
)


@st.composite
def instants_near_window_edges(draw: st.DrawFn, window: Window) -> dt.datetime:
    """Instants within two minutes of the window's local start or end, in weeks around DST transitions."""
    mondays = [dt.date(2026, 2, 23), dt.date(2026, 3, 2), dt.date(2026, 3, 9)]
    mondays += [dt.date(2026, 10, 19), dt.date(2026, 10, 26), dt.date(2026, 11, 2)]
    monday = draw(st.sampled_from(mondays))
    edge_day = draw(st.sampled_from([window.day, window.day + int(window.next_day)]))
    edge_time = draw(st.sampled_from([window.start, window.end]))
    local = dt.datetime.combine(monday + dt.timedelta(days=edge_day), edge_time)
    local += dt.timedelta(seconds=draw(st.integers(-120, 120)))
    return local.replace(tzinfo=LA, fold=draw(st.integers(0, 1))).astimezone(dt.UTC)


@st.composite
def grants(draw: st.DrawFn, levels: st.SearchStrategy[ConsentLevel] = ALL_LEVELS) -> GrantState:
    return GrantState(
        level=draw(levels),
        time_zone=draw(zones),
        windows=tuple(draw(st.lists(any_windows, max_size=3))),
        expires_at=draw(st.none() | instants),
        revoked_at=draw(st.none() | instants),
        paused=draw(st.booleans()),
    )


@st.composite
def inactive_grants(draw: st.DrawFn, at: dt.datetime) -> GrantState:
    """A grant that, at ``at``, is revoked, expired or paused (maybe several)."""
    base = draw(grants())
    past = st.builds(
        lambda seconds, zone: (at - dt.timedelta(seconds=seconds)).astimezone(ZoneInfo(zone)),
        st.integers(0, 10 * 86400),
        zones,
    )
    change = draw(
        st.one_of(
            st.just({"paused": True}),
            past.map(lambda when: {"revoked_at": when}),
            past.map(lambda when: {"expires_at": when}),
        )
    )
    return dataclasses.replace(base, **change)


actions = st.sampled_from(list(ConsentAction))
beyond_registered = st.sampled_from([ConsentAction.REQUEST_FOOTAGE, ConsentAction.LIVE_VIEW])


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------


@given(state=grants(), action=actions, at=instants, exigent=st.booleans())
def test_a_higher_level_permits_whatever_a_lower_level_permits(
    state: GrantState, action: ConsentAction, at: dt.datetime, exigent: bool
) -> None:
    higher = [level for level in LEVELS if LEVEL_RANK[level] > LEVEL_RANK[ConsentLevel(state.level)]]

    permitted = consent_permits(state, action, at, exigent=exigent).allowed
    permitted_higher = [
        consent_permits(dataclasses.replace(state, level=level), action, at, exigent=exigent).allowed
        for level in higher
    ]

    assert all(permitted_higher) or not permitted


@given(data=st.data(), at=instants, action=beyond_registered, exigent=st.booleans())
def test_a_revoked_expired_or_paused_grant_permits_nothing_beyond_registered(
    data: st.DataObject, at: dt.datetime, action: ConsentAction, exigent: bool
) -> None:
    state = data.draw(inactive_grants(at))

    decision = consent_permits(state, action, at, exigent=exigent)

    assert not decision.allowed
    assert decision.reason in INACTIVE_REASONS


@given(state=grants(), at=instants, exigent=st.booleans())
def test_any_grant_in_any_state_permits_locating_the_camera(state: GrantState, at: dt.datetime, exigent: bool) -> None:
    decision = consent_permits(state, ConsentAction.LOCATE, at, exigent=exigent)

    assert decision.allowed
    assert decision.reason is Reason.OK


@settings(max_examples=400)
@given(data=st.data(), window=valid_windows())
def test_a_window_permits_live_view_exactly_during_its_local_minutes(data: st.DataObject, window: Window) -> None:
    at = data.draw(st.one_of(near_transitions, instants_near_window_edges(window)))
    local = at.astimezone(LA)
    micro = 1_000_000
    day, week = 86_400 * micro, 7 * 86_400 * micro
    local_offset = local.weekday() * day + (local.hour * 3600 + local.minute * 60 + local.second) * micro
    local_offset += local.microsecond
    window_begin = window.day * day + (window.start.hour * 3600 + window.start.minute * 60) * micro
    window_length = (
        (window.end.hour - window.start.hour) * 3600 + (window.end.minute - window.start.minute) * 60
    ) % 86_400
    expected = (local_offset - window_begin) % week < window_length * micro

    decision = consent_permits(grant(windows=(window,)), ConsentAction.LIVE_VIEW, at)

    assert decision.allowed == expected


@given(
    state=grants(levels=st.sampled_from([ConsentLevel.REGISTERED, ConsentLevel.ON_REQUEST])),
    at=instants,
)
def test_an_exigent_purpose_never_lifts_a_grant_below_live_exigent_to_live_view(
    state: GrantState, at: dt.datetime
) -> None:
    decision = consent_permits(state, ConsentAction.LIVE_VIEW, at, exigent=True)

    assert not decision.allowed


@given(window=valid_windows())
def test_a_single_valid_window_validates(window: Window) -> None:
    errors = windows_validate([window])

    assert errors == []


# ---------------------------------------------------------------------------
# Each reason
# ---------------------------------------------------------------------------

REASON_SCENARIOS: dict[Reason, tuple[GrantState | None, ConsentAction, bool]] = {
    Reason.OK: (grant(), ConsentAction.LIVE_VIEW, False),
    Reason.NO_GRANT: (None, ConsentAction.LOCATE, False),
    Reason.LEVEL_TOO_LOW: (grant(ConsentLevel.REGISTERED), ConsentAction.REQUEST_FOOTAGE, False),
    Reason.REVOKED: (
        grant(revoked_at=WEDNESDAY_NOON - dt.timedelta(hours=1)),
        ConsentAction.REQUEST_FOOTAGE,
        False,
    ),
    Reason.EXPIRED: (grant(expires_at=WEDNESDAY_NOON), ConsentAction.LIVE_VIEW, False),
    Reason.PAUSED: (grant(paused=True), ConsentAction.LIVE_VIEW, True),
    Reason.OUTSIDE_WINDOW: (grant(windows=(Window(MON, t(9), t(17)),)), ConsentAction.LIVE_VIEW, False),
    Reason.EXIGENT_ONLY: (grant(ConsentLevel.LIVE_EXIGENT), ConsentAction.LIVE_VIEW, False),
}


@pytest.mark.parametrize("reason", list(Reason))
def test_each_reason_comes_with_a_plain_english_sentence(reason: Reason) -> None:
    state, action, exigent = REASON_SCENARIOS[reason]

    decision = consent_permits(state, action, WEDNESDAY_NOON, exigent=exigent)

    assert (decision.allowed, decision.reason) == (reason is Reason.OK, reason)
    assert decision.message.startswith("The ")
    assert decision.message.endswith(".")


@pytest.mark.parametrize("action", list(ConsentAction))
def test_no_grant_permits_nothing(action: ConsentAction) -> None:
    decision = consent_permits(None, action, WEDNESDAY_NOON)

    assert (decision.allowed, decision.reason) == (False, Reason.NO_GRANT)


@pytest.mark.parametrize(
    ("level", "action", "reason"),
    [
        (ConsentLevel.REGISTERED, ConsentAction.LOCATE, Reason.OK),
        (ConsentLevel.REGISTERED, ConsentAction.REQUEST_FOOTAGE, Reason.LEVEL_TOO_LOW),
        (ConsentLevel.ON_REQUEST, ConsentAction.REQUEST_FOOTAGE, Reason.OK),
        (ConsentLevel.LIVE_EXIGENT, ConsentAction.REQUEST_FOOTAGE, Reason.OK),
        (ConsentLevel.LIVE, ConsentAction.REQUEST_FOOTAGE, Reason.OK),
        (ConsentLevel.LIVE, ConsentAction.LOCATE, Reason.OK),
    ],
)
def test_locate_and_footage_need_registered_and_on_request(
    level: ConsentLevel, action: ConsentAction, reason: Reason
) -> None:
    decision = consent_permits(grant(level), action, WEDNESDAY_NOON)

    assert decision.reason is reason


@pytest.mark.parametrize(
    ("level", "exigent", "reason"),
    [
        (ConsentLevel.REGISTERED, False, Reason.LEVEL_TOO_LOW),
        (ConsentLevel.REGISTERED, True, Reason.LEVEL_TOO_LOW),
        (ConsentLevel.ON_REQUEST, False, Reason.LEVEL_TOO_LOW),
        (ConsentLevel.ON_REQUEST, True, Reason.LEVEL_TOO_LOW),
        (ConsentLevel.LIVE_EXIGENT, False, Reason.EXIGENT_ONLY),
        (ConsentLevel.LIVE_EXIGENT, True, Reason.OK),
        (ConsentLevel.LIVE, False, Reason.OK),
        (ConsentLevel.LIVE, True, Reason.OK),
    ],
)
def test_live_view_needs_live_or_live_exigent_with_an_exigent_purpose(
    level: ConsentLevel, exigent: bool, reason: Reason
) -> None:
    decision = consent_permits(grant(level), ConsentAction.LIVE_VIEW, WEDNESDAY_NOON, exigent=exigent)

    assert decision.reason is reason


def test_action_may_be_given_as_a_plain_string() -> None:
    decision = consent_permits(grant(), "request_footage", WEDNESDAY_NOON)

    assert decision.allowed


# ---------------------------------------------------------------------------
# Revoked, expired, paused
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"revoked_at": WEDNESDAY_NOON, "expires_at": WEDNESDAY_NOON, "paused": True}, Reason.REVOKED),
        ({"revoked_at": WEDNESDAY_NOON, "paused": True}, Reason.REVOKED),
        ({"expires_at": WEDNESDAY_NOON, "paused": True}, Reason.EXPIRED),
        ({"revoked_at": WEDNESDAY_NOON + dt.timedelta(seconds=1), "paused": True}, Reason.PAUSED),
    ],
)
def test_revoked_beats_expired_beats_paused(changes: dict[str, Any], reason: Reason) -> None:
    state = grant(**changes)

    decision = consent_permits(state, ConsentAction.LIVE_VIEW, WEDNESDAY_NOON)

    assert decision.reason is reason


@pytest.mark.parametrize(
    "changes",
    [
        {"revoked_at": WEDNESDAY_NOON},
        {"expires_at": WEDNESDAY_NOON},
        {"paused": True},
    ],
)
def test_a_revoked_expired_or_paused_grant_still_lets_police_locate_the_camera(changes: dict[str, Any]) -> None:
    state = grant(**changes)

    decision = consent_permits(state, ConsentAction.LOCATE, WEDNESDAY_NOON)

    assert decision.allowed


@pytest.mark.parametrize("field", ["revoked_at", "expires_at"])
def test_a_revocation_or_expiry_in_the_future_does_not_apply_yet(field: str) -> None:
    changes: dict[str, Any] = {field: WEDNESDAY_NOON + dt.timedelta(microseconds=1)}
    state = grant(**changes)

    decision = consent_permits(state, ConsentAction.LIVE_VIEW, WEDNESDAY_NOON)

    assert decision.allowed


def test_revocation_is_reported_before_a_level_that_was_too_low_anyway() -> None:
    state = grant(ConsentLevel.REGISTERED, revoked_at=WEDNESDAY_NOON)

    decision = consent_permits(state, ConsentAction.REQUEST_FOOTAGE, WEDNESDAY_NOON)

    assert decision.reason is Reason.REVOKED


@pytest.mark.parametrize(
    ("expires_at", "at", "reason"),
    [
        # 01:30 PST (09:30 UTC) is after 01:45 PDT (08:45 UTC), though its wall clock is earlier.
        (la(2026, 11, 1, 1, 30, fold=1), la(2026, 11, 1, 1, 45, fold=0), Reason.OK),
        (la(2026, 11, 1, 1, 45, fold=0), la(2026, 11, 1, 1, 30, fold=1), Reason.EXPIRED),
    ],
)
def test_expiry_in_the_repeated_fall_back_hour_compares_real_instants(
    expires_at: dt.datetime, at: dt.datetime, reason: Reason
) -> None:
    state = grant(expires_at=expires_at)

    decision = consent_permits(state, ConsentAction.REQUEST_FOOTAGE, at)

    assert decision.reason is reason


# ---------------------------------------------------------------------------
# Schedule windows
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "allowed"),
    [
        (la(2026, 6, 1, 8, 59), False),
        (la(2026, 6, 1, 9, 0), True),
        (la(2026, 6, 1, 16, 59, 59), True),
        (la(2026, 6, 1, 17, 0), False),
        (la(2026, 6, 8, 12, 0), True),  # the following Monday: windows repeat weekly
        (la(2026, 6, 2, 12, 0), False),  # Tuesday
        (dt.datetime(2026, 6, 1, 16, 0, tzinfo=dt.UTC), True),  # 09:00 PDT
        (dt.datetime(2026, 6, 1, 15, 59, tzinfo=dt.UTC), False),  # 08:59 PDT
    ],
)
def test_a_daytime_window_permits_live_view_from_start_until_just_before_end(at: dt.datetime, allowed: bool) -> None:
    state = grant(windows=(Window(MON, t(9), t(17)),))

    decision = consent_permits(state, ConsentAction.LIVE_VIEW, at)

    assert decision.allowed is allowed


@pytest.mark.parametrize(
    ("at", "allowed"),
    [
        (la(2026, 6, 6, 21, 59), False),  # Saturday
        (la(2026, 6, 6, 22, 0), True),
        (la(2026, 6, 6, 23, 59, 59), True),
        (la(2026, 6, 7, 0, 0), True),  # Sunday
        (la(2026, 6, 7, 5, 59), True),
        (la(2026, 6, 7, 6, 0), False),
        (la(2026, 6, 7, 23, 0), False),  # Sunday night is not Saturday night
        (la(2026, 6, 5, 23, 0), False),  # Friday night
    ],
)
def test_an_overnight_window_runs_into_the_next_morning(at: dt.datetime, allowed: bool) -> None:
    state = grant(windows=(Window(SAT, t(22), t(6), next_day=True),))

    decision = consent_permits(state, ConsentAction.LIVE_VIEW, at)

    assert decision.allowed is allowed


@pytest.mark.parametrize(
    ("at", "allowed"),
    [
        (la(2026, 6, 7, 23, 0), True),  # Sunday
        (la(2026, 6, 8, 5, 59), True),  # Monday
        (la(2026, 6, 8, 6, 0), False),
        (la(2026, 6, 1, 5, 0), True),  # the Monday before: the week wraps
    ],
)
def test_a_sunday_overnight_window_wraps_into_monday(at: dt.datetime, allowed: bool) -> None:
    state = grant(windows=(Window(SUN, t(22), t(6), next_day=True),))

    decision = consent_permits(state, ConsentAction.LIVE_VIEW, at)

    assert decision.allowed is allowed


@pytest.mark.parametrize(
    ("at", "allowed"),
    [
        (la(2026, 6, 1, 10, 0), True),
        (la(2026, 6, 3, 20, 0), True),
        (la(2026, 6, 3, 10, 0), False),
    ],
)
def test_live_view_is_allowed_inside_any_of_several_windows(at: dt.datetime, allowed: bool) -> None:
    state = grant(windows=(Window(MON, t(9), t(17)), Window(WED, t(18), t(23))))

    decision = consent_permits(state, ConsentAction.LIVE_VIEW, at)

    assert decision.allowed is allowed


@pytest.mark.parametrize("action", [ConsentAction.LOCATE, ConsentAction.REQUEST_FOOTAGE])
def test_windows_restrict_live_view_only(action: ConsentAction) -> None:
    state = grant(windows=(Window(MON, t(9), t(17)),))

    decision = consent_permits(state, action, WEDNESDAY_NOON)

    assert decision.allowed


def test_exigent_live_view_also_obeys_the_owners_schedule() -> None:
    state = grant(ConsentLevel.LIVE_EXIGENT, windows=(Window(MON, t(9), t(17)),))

    decision = consent_permits(state, ConsentAction.LIVE_VIEW, WEDNESDAY_NOON, exigent=True)

    assert decision.reason is Reason.OUTSIDE_WINDOW


def test_the_outside_window_message_lists_the_schedule_in_department_time() -> None:
    state = grant(windows=(Window(SAT, t(22), t(6), next_day=True), Window(MON, t(9), t(17, 30))))

    decision = consent_permits(state, ConsentAction.LIVE_VIEW, WEDNESDAY_NOON)

    assert decision.message == (
        "The owner allows live view only Saturday 22:00\u2013Sunday 06:00, Monday 09:00\u201317:30 "
        "(America/Los_Angeles time)."
    )


@pytest.mark.parametrize(
    "local",
    [dt.datetime(2026, 6, 1, 9, 30), dt.datetime(2026, 6, 1, 9, 30, tzinfo=LA)],  # noqa: DTZ001 (naive on purpose)
    ids=["naive", "aware"],
)
def test_window_contains_reads_only_the_local_wall_clock(local: dt.datetime) -> None:
    window = Window(MON, t(9), t(10))

    contained = window_contains(window, local)

    assert contained


def test_a_window_with_an_impossible_day_contains_nothing() -> None:
    window = Window(7, t(0), t(0), next_day=True)

    contained = window_contains(window, dt.datetime(2026, 6, 2, 12, 0))  # noqa: DTZ001 (naive on purpose)

    assert not contained


# ---------------------------------------------------------------------------
# Daylight saving time (America/Los_Angeles, 2026)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "allowed"),
    [
        (la(2026, 3, 7, 22, 0), True),  # Saturday 22:00 PST
        (la(2026, 3, 8, 1, 59, 59), True),  # last second of PST
        (la(2026, 3, 8, 3, 0), True),  # the next instant: 03:00 PDT
        (la(2026, 3, 8, 5, 59), True),  # PDT
        (la(2026, 3, 8, 6, 0), False),
        (dt.datetime(2026, 3, 8, 12, 59, tzinfo=dt.UTC), True),  # 05:59 PDT
        (dt.datetime(2026, 3, 8, 13, 0, tzinfo=dt.UTC), False),  # 06:00 PDT (would be 05:00 PST)
    ],
)
def test_an_overnight_window_across_spring_forward_ends_at_local_six(at: dt.datetime, allowed: bool) -> None:
    state = grant(windows=(Window(SAT, t(22), t(6), next_day=True),))

    decision = consent_permits(state, ConsentAction.LIVE_VIEW, at)

    assert decision.allowed is allowed


@pytest.mark.parametrize(
    "at",
    [
        la(2026, 11, 1, 1, 30, fold=0),  # 01:30 PDT
        la(2026, 11, 1, 1, 30, fold=1),  # 01:30 PST, an hour later
        dt.datetime(2026, 11, 1, 8, 30, tzinfo=dt.UTC),  # 01:30 PDT
        dt.datetime(2026, 11, 1, 9, 30, tzinfo=dt.UTC),  # 01:30 PST
        dt.datetime(2026, 11, 1, 10, 59, tzinfo=dt.UTC),  # 02:59 PST
    ],
)
def test_a_window_over_the_repeated_fall_back_hour_contains_both_occurrences(at: dt.datetime) -> None:
    state = grant(windows=(Window(SUN, t(1), t(3)),))

    decision = consent_permits(state, ConsentAction.LIVE_VIEW, at)

    assert decision.allowed


@pytest.mark.parametrize(
    ("window", "scan_from", "minutes"),
    [
        (Window(SUN, t(1), t(3)), la(2026, 3, 7, 12, 0), 60),  # 02:00-03:00 does not exist
        (Window(SUN, t(2), t(3)), la(2026, 3, 7, 12, 0), 0),  # entirely inside the gap
        (Window(SUN, t(2, 30), t(4)), la(2026, 3, 7, 12, 0), 60),  # starts in the gap: opens at 03:00 PDT
        (Window(SAT, t(22), t(6), next_day=True), la(2026, 3, 7, 12, 0), 7 * 60),
        (Window(SUN, t(1), t(3)), la(2026, 10, 31, 12, 0), 3 * 60),  # 01:00-02:00 happens twice
        (Window(SAT, t(22), t(6), next_day=True), la(2026, 10, 31, 12, 0), 9 * 60),
        (Window(SUN, t(1), t(3)), la(2026, 6, 6, 12, 0), 2 * 60),  # an ordinary Sunday
    ],
)
def test_on_transition_days_a_window_is_open_for_its_wall_clock_span_in_real_time(
    window: Window, scan_from: dt.datetime, minutes: int
) -> None:
    opened = open_minutes(window, scan_from.astimezone(dt.UTC), hours=48)

    assert opened == minutes


# ---------------------------------------------------------------------------
# Validating windows
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "windows",
    [
        [],
        [Window(MON, t(9), t(17)), Window(SAT, t(22), t(6), next_day=True), Window(SUN, t(6), t(8))],
        [Window(SUN, t(22), t(6), next_day=True), Window(MON, t(6), t(9))],  # touching across the week's end
        [Window(MON, t(9), t(12)), Window(MON, t(12), t(13))],  # touching
        [Window(SUN, t(0), t(23, 59)), Window(SUN, t(23, 59), t(0), next_day=True)],
    ],
    ids=["none", "several", "touching-across-week-end", "touching", "a-whole-day"],
)
def test_valid_windows_have_no_errors(windows: list[Window]) -> None:
    errors = windows_validate(windows)

    assert errors == []


@pytest.mark.parametrize(
    ("windows", "fragments"),
    [
        ([Window(7, t(9), t(17))], ("Window 1", "day 7", "0 (Monday) to 6 (Sunday)")),
        ([Window(MON, t(9), t(17)), Window(-1, t(9), t(17))], ("Window 2", "day -1")),
        ([Window(TUE, t(9), t(9))], ("Tuesday", "starts and ends at 09:00")),
        ([Window(TUE, t(9), t(9), next_day=True)], ("Tuesday", "starts and ends at 09:00")),
        (
            [Window(WED, t(22), t(6), next_day=True), Window(WED, t(10), t(11), next_day=True)],
            ("longer than 24 hours",),
        ),
        ([Window(MON, dt.time(9, tzinfo=dt.UTC), t(10))], ("Monday", "without a time zone")),
        ([Window(MON, t(9), t(12)), Window(MON, t(11), t(13))], ("Monday 09:00\u201312:00", "Monday 11:00\u201313:00")),
        ([Window(FRI, t(22), t(6), next_day=True), Window(SAT, t(5), t(7))], ("Friday", "Saturday", "overlaps")),
        ([Window(SUN, t(22), t(6), next_day=True), Window(MON, t(5), t(7))], ("Sunday", "Monday", "overlaps")),
        ([Window(THU, t(9), t(10)), Window(THU, t(9), t(10))], ("Thursday", "overlaps")),
        ([Window(THU, t(8), t(18)), Window(THU, t(9), t(10))], ("Thursday", "overlaps")),
    ],
    ids=[
        "day-too-big",
        "day-negative",
        "empty",
        "empty-next-day",
        "longer-than-a-day",
        "aware-time",
        "overlap-same-day",
        "overlap-overnight",
        "overlap-across-week-end",
        "duplicate",
        "nested",
    ],
)
def test_invalid_windows_get_one_plain_english_error(windows: list[Window], fragments: tuple[str, ...]) -> None:
    errors = windows_validate(windows)

    assert len(errors) == 1
    assert all(fragment in errors[0] for fragment in fragments), errors


def test_an_inverted_window_suggests_ticking_ends_next_day() -> None:
    windows = [Window(MON, t(22), t(6))]

    errors = windows_validate(windows)

    assert errors == ["The window on Monday ends before it starts; tick 'ends next day' for overnight windows."]


def test_every_invalid_window_and_every_overlapping_pair_is_reported() -> None:
    windows = [
        Window(MON, t(9), t(17)),
        Window(MON, t(16), t(18)),
        Window(MON, t(17), t(9)),  # inverted: reported once, not also as overlapping
        Window(MON, t(10), t(11)),
    ]

    errors = windows_validate(windows)

    assert len(errors) == 3


# ---------------------------------------------------------------------------
# Levels and bad input
# ---------------------------------------------------------------------------


def test_levels_rank_in_the_order_they_are_declared() -> None:
    ranks = [LEVEL_RANK[level] for level in ConsentLevel]

    assert ranks == [0, 1, 2, 3]


@pytest.mark.parametrize(
    ("level", "minimum", "expected"),
    [
        ("registered", "registered", True),
        ("on_request", "registered", True),
        ("live", "live_exigent", True),
        ("live_exigent", "live", False),
        ("registered", "on_request", False),
        (ConsentLevel.LIVE, "live", True),
    ],
)
def test_level_at_least_compares_ranks(level: str, minimum: str, expected: bool) -> None:
    result = level_at_least(level, minimum)

    assert result is expected


def test_level_at_least_rejects_an_unknown_level() -> None:
    with pytest.raises(ValueError, match="superuser"):
        level_at_least("superuser", "registered")


def test_a_naive_instant_is_refused() -> None:
    naive = dt.datetime(2026, 6, 3, 12, 0)  # noqa: DTZ001 (what the test refuses)

    with pytest.raises(ValueError, match="timezone-aware"):
        consent_permits(grant(), ConsentAction.LOCATE, naive)


def test_an_unknown_action_is_refused() -> None:
    with pytest.raises(ValueError, match="teleport"):
        consent_permits(grant(), "teleport", WEDNESDAY_NOON)


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        ({"level": "superuser", "time_zone": LA_NAME}, "superuser"),
        ({"level": "live", "time_zone": "Mars/Olympus_Mons"}, "Unknown time zone"),
        ({"level": "live", "time_zone": LA_NAME, "expires_at": dt.datetime(2026, 1, 1)}, "expires_at"),  # noqa: DTZ001 (refused)
        ({"level": "live", "time_zone": LA_NAME, "revoked_at": dt.datetime(2026, 1, 1)}, "revoked_at"),  # noqa: DTZ001 (refused)
    ],
)
def test_a_grant_state_refuses_impossible_fields(fields: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        GrantState(**fields)


def test_permitted_until_is_the_end_of_the_current_window() -> None:
    from cameras.consent import permitted_until

    grant = GrantState(
        level="live",
        time_zone="America/Los_Angeles",
        windows=(Window(day=5, start=dt.time(22), end=dt.time(6), next_day=True),),
    )
    at = dt.datetime(2026, 3, 7, 23, 30, tzinfo=ZoneInfo("America/Los_Angeles"))  # Saturday night

    until = permitted_until(grant, "live_view", at)

    assert until == dt.datetime(2026, 3, 8, 6, 0, tzinfo=ZoneInfo("America/Los_Angeles"))


def test_permitted_until_is_the_expiry_without_windows_and_now_when_not_permitted() -> None:
    from cameras.consent import permitted_until

    at = dt.datetime(2026, 5, 1, 12, tzinfo=dt.UTC)
    expires = at + dt.timedelta(hours=2)
    grant = GrantState(level="live", time_zone="UTC", expires_at=expires)
    registered = GrantState(level="registered", time_zone="UTC")

    assert permitted_until(grant, "live_view", at) == expires
    assert permitted_until(registered, "live_view", at) == at
    assert permitted_until(GrantState(level="live", time_zone="UTC"), "live_view", at) is None


# --- How much of the week a schedule leaves live view open (compliance's "every hour") --------

H = dt.timedelta(hours=1)


@pytest.mark.parametrize(
    ("windows", "open_for"),
    [
        ((), 168 * H),  # no schedule: any time
        (tuple(Window(day, dt.time(9), dt.time(17)) for day in range(MON, SAT)), 40 * H),
        ((Window(SUN, dt.time(22), dt.time(6), next_day=True),), 8 * H),  # wraps into Monday
        (
            tuple(
                w
                for day in range(7)
                for w in (Window(day, dt.time(0), dt.time(12)), Window(day, dt.time(12), dt.time(0), next_day=True))
            ),
            168 * H,
        ),
        ((Window(MON, dt.time(9), dt.time(12)), Window(MON, dt.time(11), dt.time(13))), 4 * H),  # overlap once
        ((Window(9, dt.time(9), dt.time(12)), Window(MON, dt.time(12), dt.time(9))), 0 * H),  # invalid: nothing
    ],
)
def test_a_schedule_s_weekly_coverage_counts_each_hour_once(
    windows: tuple[Window, ...], open_for: dt.timedelta
) -> None:
    assert windows_week_coverage(windows) == open_for
