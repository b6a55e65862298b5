"""The anomaly queue's rules (cameras.anomalies, docs/anomalies.md): each fires on a constructed
sequence of events and not just below its threshold; catching up in small batches finds what one
run from scratch finds; one department's flags are its own."""

import datetime as dt
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django_tenants.utils import tenant_context

from audit.anomalies import anomaly_review_add
from audit.models import AccessEvent, AnomalyFlag, AnomalyReview, RollupMark
from audit.services import ActorSnapshot, EventFacts, PurposeSnapshot, access_event_record
from cameras.anomalies import anomalies_catch_up, purpose_is_vague
from places.areas import areas_import
from tenants.models import Department
from tenants.services import policy_update
from tests.audit.tampering import anomaly_queue_emptied, log_emptied, superuser_sql
from tests.tenancy import connection

CAMERA = "11111111-2222-3333-4444-555555555555"
OTHER_CAMERA = "99999999-2222-3333-4444-555555555555"


def _reset() -> None:
    log_emptied()
    anomaly_queue_emptied()
    RollupMark.objects.filter(name__startswith="anomalies").delete()


@pytest.fixture
def log(in_rialto: Department, fontana: Department) -> Department:
    with tenant_context(fontana):
        _reset()
    _reset()
    return in_rialto


@pytest.fixture
def zone(in_rialto: Department) -> ZoneInfo:
    return ZoneInfo(in_rialto.time_zone)


def event(
    at: dt.datetime,
    *,
    action: str = "search",
    outcome: str = "allowed",
    officer: int = 7,
    camera: str | None = None,
    case: str = "C-1",
    text: str = "burglary at the shop on fifth street",
    authority: str = "consent",
    details: dict[str, Any] | None = None,
) -> AccessEvent:
    """An event as the gate writes it, then moved to ``at`` as a superuser would (the database
    clock writes every event's time)."""
    written = access_event_record(
        actor=ActorSnapshot(user_id=officer, label=f"Officer {officer}", badge=str(officer), role="officer", mfa=True),
        facts=EventFacts(
            action,
            outcome,
            "ok" if outcome == "allowed" else "no_grant",
            targets=[f"camera:{camera}"] if camera else [],
            details=details or {},
        ),
        purpose=PurposeSnapshot(case_number=case, category="property_crime", text=text, authority=authority),
    )
    superuser_sql("UPDATE audit_accessevent SET occurred_at = %s WHERE seq = %s", [at, written.seq])
    return written


def flags(rule: str) -> list[AnomalyFlag]:
    return list(AnomalyFlag.objects.filter(rule=rule).order_by("occurred_at"))


def _policy(**changes: Any) -> None:
    policy_update(department=connection.tenant, actor=None, **changes)


# --- Live views outside working hours ------------------------------------------------------


@pytest.mark.parametrize(("hour", "minute", "flagged"), [(6, 59, True), (7, 0, False), (18, 59, False), (19, 0, True)])
def test_a_live_view_outside_the_working_day_is_flagged(
    log: Any, zone: ZoneInfo, hour: int, minute: int, flagged: bool
) -> None:
    at = dt.datetime(2026, 11, 3, hour, minute, tzinfo=zone)
    e = event(at, action="live_start", camera=CAMERA)

    anomalies_catch_up(now=at + dt.timedelta(hours=1))

    assert [f.seqs for f in flags("off_hours")] == ([[e.seq]] if flagged else [])


# --- The same camera opened again and again --------------------------------------------------


@pytest.mark.parametrize(("opens", "flagged"), [(5, 1), (4, 0)])
def test_the_same_officer_opening_one_camera_n_times_in_d_days_is_flagged(
    log: Any, zone: ZoneInfo, opens: int, flagged: int
) -> None:
    start = dt.datetime(2026, 11, 2, 10, tzinfo=zone)
    for i in range(opens):
        event(start + dt.timedelta(days=i * 1.5), action="camera_view", camera=CAMERA)
    event(start, action="camera_view", camera=OTHER_CAMERA)
    event(start, action="camera_view", camera=CAMERA, officer=8)

    anomalies_catch_up(now=start + dt.timedelta(days=30))

    assert len(flags("repeat_camera")) == flagged


def test_openings_spread_wider_than_the_window_are_not_flagged(log: Any, zone: ZoneInfo) -> None:
    start = dt.datetime(2026, 11, 2, 10, tzinfo=zone)
    for i in range(5):
        event(start + dt.timedelta(days=i * 2), action="live_start", camera=CAMERA)  # 8 days from first to last

    anomalies_catch_up(now=start + dt.timedelta(days=30))

    assert flags("repeat_camera") == []


def test_a_burst_of_openings_is_flagged_once(log: Any, zone: ZoneInfo) -> None:
    start = dt.datetime(2026, 11, 2, 10, tzinfo=zone)
    for i in range(9):
        event(start + dt.timedelta(hours=i), action="camera_view", camera=CAMERA)

    anomalies_catch_up(now=start + dt.timedelta(days=30))

    assert len(flags("repeat_camera")) == 1


# --- Weekly volume -------------------------------------------------------------------------


@pytest.mark.parametrize(("last_week", "flagged"), [(7, 1), (6, 0)])
def test_a_week_above_n_times_the_officers_median_is_flagged(
    log: Any, zone: ZoneInfo, last_week: int, flagged: int
) -> None:
    monday = dt.datetime(2026, 9, 7, 10, tzinfo=zone)  # a Monday
    for week in range(4):
        for i in range(2):
            event(monday + dt.timedelta(weeks=week, hours=i), action="camera_view", camera=CAMERA)
    for i in range(last_week):  # median 2, factor 3: more than 6 is flagged
        event(monday + dt.timedelta(weeks=4, hours=i), action="search")

    anomalies_catch_up(now=monday + dt.timedelta(weeks=6))

    found = flags("weekly_volume")
    assert len(found) == flagged
    assert all(f.details["median"] == 2 and f.details["count"] == last_week for f in found)


def test_a_week_not_over_yet_is_not_judged(log: Any, zone: ZoneInfo) -> None:
    monday = dt.datetime(2026, 9, 7, 10, tzinfo=zone)
    for week in range(4):
        event(monday + dt.timedelta(weeks=week), action="search")
    for i in range(20):
        event(monday + dt.timedelta(weeks=4, hours=i), action="search")

    anomalies_catch_up(now=monday + dt.timedelta(weeks=4, days=3))

    assert flags("weekly_volume") == []


# --- Vague purposes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "vague"),
    [
        ("investigation", True),
        ("follow up", True),
        ("ongoing investigation, follow up on case", True),
        ("stolen bike on fifth", False),
        ("burglary at the shop", False),
        ("hit and run near the school", False),
    ],
)
def test_vague_purpose_words(text: str, vague: bool) -> None:
    assert purpose_is_vague(text, min_words=4) is vague


@pytest.mark.parametrize(("text", "flagged"), [("follow up", 1), ("stolen bicycle reported yesterday", 0)])
def test_a_search_with_a_vague_purpose_is_flagged_once_per_purpose(
    log: Any, zone: ZoneInfo, text: str, flagged: int
) -> None:
    at = dt.datetime(2026, 11, 3, 10, tzinfo=zone)
    event(at, text=text)
    event(at + dt.timedelta(minutes=5), text=text)

    anomalies_catch_up(now=at + dt.timedelta(hours=1))

    assert len(flags("vague_purpose")) == flagged


def test_every_search_with_the_same_vague_purpose_is_on_its_flag(log: Any, zone: ZoneInfo) -> None:
    # given an officer searching three times with "follow up", caught up after each of two runs
    at = dt.datetime(2026, 11, 3, 10, tzinfo=zone)
    first = [event(at, text="follow up"), event(at + dt.timedelta(minutes=5), text="follow up")]
    anomalies_catch_up(now=at + dt.timedelta(hours=1))
    later = event(at + dt.timedelta(hours=2), text="follow up")
    other_case = event(at + dt.timedelta(hours=2), text="follow up", case="C-2")

    anomalies_catch_up(now=at + dt.timedelta(hours=3))

    # then one flag per purpose holds every one of its searches, not only the first
    by_case = {flag.details["case"]: flag.seqs for flag in flags("vague_purpose")}
    assert by_case == {"C-1": [first[0].seq, first[1].seq, later.seq], "C-2": [other_case.seq]}


def test_a_vague_search_after_its_flag_was_reviewed_opens_a_new_flag(log: Any, zone: ZoneInfo) -> None:
    at = dt.datetime(2026, 11, 3, 10, tzinfo=zone)
    reviewed_search = event(at, text="follow up")
    anomalies_catch_up(now=at + dt.timedelta(hours=1))
    flag = flags("vague_purpose")[0]
    anomaly_review_add(
        flag_id=flag.pk,
        note="Asked the sergeant; the case file explains it.",
        actor=ActorSnapshot(user_id=99, label="Board member", badge="", role="oversight", mfa=True),
    )
    after = [event(at + dt.timedelta(days=1), text="follow up"), event(at + dt.timedelta(days=2), text="follow up")]

    anomalies_catch_up(now=at + dt.timedelta(days=3))

    # the reviewed flag keeps what the board reviewed; the later searches wait on a new flag
    assert [f.seqs for f in flags("vague_purpose")] == [[reviewed_search.seq], [s.seq for s in after]]


# --- Sensitive places ------------------------------------------------------------------------


def _clinic(tmp_path: Path) -> None:
    # A square about 110 m a side, its west edge at longitude -117.3800.
    ring = [[-117.38, 34.10], [-117.3788, 34.10], [-117.3788, 34.101], [-117.38, 34.101], [-117.38, 34.10]]
    path = tmp_path / "clinic.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"name": "Family clinic"},
                        "geometry": {"type": "Polygon", "coordinates": [ring]},
                    }
                ],
            }
        )
    )
    areas_import(path=path, which="sensitive", default_kind="clinic")


@pytest.mark.parametrize(("gap_m", "flagged"), [(140, 1), (160, 0)])
def test_a_search_near_a_sensitive_place_is_flagged(
    log: Any, zone: ZoneInfo, tmp_path: Path, gap_m: int, flagged: int
) -> None:
    _clinic(tmp_path)
    _policy(anomaly_sensitive_distance_m=100)
    # A circle of 50 m whose centre is gap_m west of the clinic: its edge is gap_m - 50 away.
    lon = -117.38 - gap_m / (111_320 * 0.8281)  # metres to degrees of longitude at 34.1°
    at = dt.datetime(2026, 11, 3, 10, tzinfo=zone)
    event(at, details={"area": {"shape": "circle", "center": [lon, 34.1005], "radius_m": 50}})

    anomalies_catch_up(now=at + dt.timedelta(hours=1))

    found = flags("sensitive_place")
    assert len(found) == flagged
    assert all(f.details["places"] == "Family clinic" for f in found)


# --- Denials, then a success -----------------------------------------------------------------


@pytest.mark.parametrize(("denials", "flagged"), [(3, 1), (2, 0)])
def test_repeated_denials_then_a_success_are_flagged(log: Any, zone: ZoneInfo, denials: int, flagged: int) -> None:
    at = dt.datetime(2026, 11, 3, 10, tzinfo=zone)
    for i in range(denials):
        event(at + dt.timedelta(minutes=i), action="live_start", outcome="denied", camera=CAMERA)
    event(at + dt.timedelta(minutes=10), action="live_start", camera=OTHER_CAMERA)  # another camera
    success = event(at + dt.timedelta(minutes=20), action="live_start", camera=CAMERA)

    anomalies_catch_up(now=at + dt.timedelta(hours=1))

    found = flags("denials_then_success")
    assert len(found) == flagged
    assert all(f.seqs[-1] == success.seq and len(f.seqs) == denials + 1 for f in found)


def test_denials_older_than_the_window_do_not_count(log: Any, zone: ZoneInfo) -> None:
    at = dt.datetime(2026, 11, 3, 10, tzinfo=zone)
    for i in range(3):
        event(at + dt.timedelta(minutes=i), action="live_start", outcome="denied", camera=CAMERA)
    event(at + dt.timedelta(minutes=62), action="live_start", camera=CAMERA)

    anomalies_catch_up(now=at + dt.timedelta(hours=2))

    assert flags("denials_then_success") == []


# --- Exigent access without a later case report ----------------------------------------------


@pytest.mark.parametrize(("report_after_days", "flagged"), [(None, 1), (4, 1), (2, 0)])
def test_an_exigent_purpose_without_a_later_report_is_flagged(
    log: Any, zone: ZoneInfo, report_after_days: int | None, flagged: int
) -> None:
    at = dt.datetime(2026, 11, 3, 10, tzinfo=zone)
    event(at, action="purpose_declare", case="X-9", authority="exigent")
    if report_after_days is not None:
        event(at + dt.timedelta(days=report_after_days), action="footage_request", case="X-9", camera=CAMERA)

    anomalies_catch_up(now=at + dt.timedelta(days=10))

    assert len(flags("exigent_no_report")) == flagged


def test_an_exigent_purpose_is_not_judged_before_its_days_have_passed(log: Any, zone: ZoneInfo) -> None:
    at = dt.datetime(2026, 11, 3, 10, tzinfo=zone)
    event(at, action="purpose_declare", case="X-9", authority="exigent")

    anomalies_catch_up(now=at + dt.timedelta(days=2))
    anomalies_catch_up(now=at + dt.timedelta(days=3, minutes=1))

    assert len(flags("exigent_no_report")) == 1


# --- Incremental equals from scratch; idempotent; one department ------------------------------


def _mixed_log(zone: ZoneInfo) -> None:
    """Ten hours from 03:00 of two officers at work, every ten minutes: each on their own
    camera (officer 7 on CAMERA), three refusals in every ten events, vague purposes now and
    then, exigent purposes without a report."""
    start = dt.datetime(2026, 11, 2, 3, tzinfo=zone)
    for i in range(60):
        at = start + dt.timedelta(minutes=10 * i)
        officer = 7 + i % 2
        camera = CAMERA if officer == 7 else OTHER_CAMERA
        outcome = "denied" if i % 10 in (0, 2, 4) else "allowed"
        event(at, action="live_start", outcome=outcome, camera=camera, officer=officer)
        event(at, text="follow up" if i % 4 == 0 else f"a detailed purpose of six words {i}", officer=officer)
        if i % 9 == 0:
            event(at, action="purpose_declare", case=f"X-{i}", authority="exigent")


def _all_flags() -> list[tuple[Any, ...]]:
    return sorted(AnomalyFlag.objects.values_list("rule", "key", "seqs", "occurred_at", "officer_id", "details"))


def test_catching_up_in_small_batches_finds_what_one_run_from_scratch_finds(log: Any, zone: ZoneInfo) -> None:
    _mixed_log(zone)
    now = dt.datetime(2026, 12, 1, tzinfo=zone)
    anomalies_catch_up(now=now)
    scratch = _all_flags()
    assert {flag[0] for flag in scratch} == {
        "off_hours",
        "vague_purpose",
        "repeat_camera",
        "denials_then_success",
        "exigent_no_report",
    }
    anomaly_queue_emptied()  # a flag is never deleted but by its owner (audit migration 0031)
    RollupMark.objects.filter(name__startswith="anomalies").delete()

    anomalies_catch_up(now=now, limit=7)
    anomalies_catch_up(now=now, limit=7)  # a second run finds nothing new

    assert _all_flags() == scratch


def test_one_departments_flags_are_not_anothers(log: Any, zone: ZoneInfo, fontana: Department) -> None:
    at = dt.datetime(2026, 11, 3, 3, tzinfo=zone)
    event(at, action="live_start", camera=CAMERA)

    anomalies_catch_up(now=at + dt.timedelta(hours=1))
    with tenant_context(fontana):
        anomalies_catch_up(now=at + dt.timedelta(hours=1))
        in_fontana = AnomalyFlag.objects.count()

    assert (len(flags("off_hours")), in_fontana) == (1, 0)
    assert AnomalyReview.objects.count() == 0
