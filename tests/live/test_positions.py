"""Positions of mobile sources: what a position message must be, which are accepted, and that
a track is kept only while someone watches the camera live (live.positions, cameras.mobile)."""

import datetime as dt
import logging
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from cameras.mobile import Move, distance_m
from cameras.models import Camera
from live import positions, tasks
from live import services as live_services
from live.models import LiveSession, PositionSample
from live.positions import PositionError, position_parse, position_record
from tenants.models import Department, DepartmentPolicy
from tests.factories import mobile_source_make

pytestmark = pytest.mark.django_db
CAMERA = "6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b"
NOW = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)


def message(**changes: Any) -> dict[str, Any]:
    return {
        "type": "position",
        "camera": CAMERA,
        "lat": 34.1,
        "lon": -117.38,
        "heading": 90,
        "accuracy": 4.5,
        "time": "2026-12-07T11:59:59.500Z",
        **changes,
    }


def test_a_good_position_is_parsed_with_its_optional_fields() -> None:
    position = position_parse(message(camera=CAMERA.upper()), now=NOW)

    assert position == positions.Position(
        camera=CAMERA,
        lat=34.1,
        lon=-117.38,
        heading=90,
        accuracy_m=4.5,
        at=dt.datetime(2026, 12, 7, 11, 59, 59, 500000, tzinfo=dt.UTC),
    )


def test_heading_and_accuracy_may_be_left_out() -> None:
    bare = {k: v for k, v in message().items() if k not in ("heading", "accuracy")}

    position = position_parse(bare, now=NOW)

    assert (position.heading, position.accuracy_m) == (None, None)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"camera": "camera-12"}, "camera"),
        ({"camera": None}, "camera"),
        ({"lat": "34.1"}, "lat"),
        ({"lat": True}, "lat"),
        ({"lat": float("nan")}, "lat"),
        ({"lat": 91}, "lat"),
        ({"lon": float("inf")}, "lon"),
        ({"lon": -180.5}, "lon"),
        ({"lon": None}, "lon"),
        ({"heading": 360}, "heading"),
        ({"heading": -1}, "heading"),
        ({"heading": "north"}, "heading"),
        ({"accuracy": -3}, "accuracy"),
        ({"accuracy": 1e9}, "accuracy"),
        ({"time": "2026-12-07T11:59:59"}, "time"),  # no zone: whose noon?
        ({"time": "yesterday"}, "time"),
        ({"time": 1796558399}, "time"),
        ({"time": "2026-12-07T12:00:30Z"}, "time"),  # 30 s in the future
        ({"time": "2026-12-07T10:30:00Z"}, "time"),  # an hour and a half old
    ],
)
def test_a_bad_position_is_refused_naming_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(PositionError) as raised:
        position_parse(message(**changes), now=NOW)

    assert str(raised.value).startswith(field)


# --- recording --------------------------------------------------------------------------------


def at(seconds_ago: float) -> str:
    return (timezone.now() - dt.timedelta(seconds=seconds_ago)).isoformat()


def report(camera: Camera, bridge_id: int, *, lat: float, lon: float, seconds_ago: float, **extra: Any) -> Any:
    position = position_parse(
        message(camera=str(camera.public_id), lat=lat, lon=lon, time=at(seconds_ago), **extra), now=timezone.now()
    )
    return position_record(bridge_id=bridge_id, position=position)


@pytest.fixture
def mobile(in_rialto: Department) -> tuple[Camera, Any]:
    return mobile_source_make(in_rialto)


def test_an_accepted_position_moves_the_camera_and_its_field_of_view_without_a_history_row(
    mobile: tuple[Camera, Any],
) -> None:
    camera, issued = mobile
    history_before = camera.history.count()

    recorded = report(camera, issued.bridge.pk, lat=34.105, lon=-117.37, seconds_ago=1, heading=180)

    camera.refresh_from_db()
    assert recorded.outcome == Move.ACCEPTED
    assert (round(camera.location.x, 6), round(camera.location.y, 6)) == (-117.37, 34.105)
    assert camera.bearing_deg == 180
    assert camera.position_at is not None
    assert timezone.now() - camera.position_at < dt.timedelta(seconds=2)
    # The wedge starts at the new point and looks south (bearing 180): all of it below the point.
    assert camera.fov.contains(camera.fov.centroid)
    assert max(y for x, y in camera.fov.coords[0]) == pytest.approx(34.105)
    assert camera.history.count() == history_before


def test_an_impossible_jump_is_ignored_with_one_warning(
    mobile: tuple[Camera, Any], caplog: pytest.LogCaptureFixture
) -> None:
    camera, issued = mobile
    report(camera, issued.bridge.pk, lat=34.10, lon=-117.38, seconds_ago=10)
    caplog.set_level(logging.WARNING, logger="porchlight.live")

    # 2 km in 5 s: 400 m/s
    recorded = report(camera, issued.bridge.pk, lat=34.118, lon=-117.38, seconds_ago=5)

    camera.refresh_from_db()
    assert recorded.outcome == Move.JUMP
    assert round(camera.location.y, 6) == 34.10
    jumps = [r for r in caplog.records if "impossible jump" in r.getMessage()]
    assert len(jumps) == 1
    assert jumps[0].levelno == logging.WARNING


def test_a_fast_but_possible_move_is_accepted(mobile: tuple[Camera, Any]) -> None:
    camera, issued = mobile
    report(camera, issued.bridge.pk, lat=34.10, lon=-117.38, seconds_ago=10)
    metres = distance_m(-117.38, 34.10, -117.38, 34.1022)  # ~245 m in 5 s: 49 m/s, a car on a freeway

    recorded = report(camera, issued.bridge.pk, lat=34.1022, lon=-117.38, seconds_ago=5)

    assert recorded.outcome == Move.ACCEPTED
    assert 240 < metres < 250


def test_a_position_not_newer_than_the_one_held_is_ignored(mobile: tuple[Camera, Any]) -> None:
    camera, issued = mobile
    report(camera, issued.bridge.pk, lat=34.10, lon=-117.38, seconds_ago=5)

    recorded = report(camera, issued.bridge.pk, lat=34.1001, lon=-117.38, seconds_ago=8)

    assert recorded.outcome == Move.NOT_NEWER


@pytest.mark.parametrize("what", ["fixed", "resident_owned"])
def test_a_position_of_a_camera_that_is_not_a_mobile_source_of_the_department_is_ignored(
    mobile: tuple[Camera, Any], what: str
) -> None:
    camera, issued = mobile
    if what == "fixed":
        Camera.objects.filter(pk=camera.pk).update(mobile=False)
    else:
        type(camera.site).objects.filter(pk=camera.site_id).update(department_owned=False)
    before = Camera.objects.get(pk=camera.pk).location

    recorded = report(camera, issued.bridge.pk, lat=34.105, lon=-117.37, seconds_ago=1)

    assert recorded.outcome == Move.NOT_MOBILE
    assert Camera.objects.get(pk=camera.pk).location == before
    assert Camera.objects.get(pk=camera.pk).position_at is None


def test_a_position_reported_by_a_bridge_that_does_not_relay_the_camera_is_refused(
    in_rialto: Department, mobile: tuple[Camera, Any]
) -> None:
    camera, _ = mobile
    _, other = mobile_source_make(in_rialto)

    recorded = report(camera, other.bridge.pk, lat=34.105, lon=-117.37, seconds_ago=1)

    assert recorded.outcome == positions.NOT_RELAYED
    assert Camera.objects.get(pk=camera.pk).position_at is None


def test_a_revoked_bridge_moves_nothing(mobile: tuple[Camera, Any]) -> None:
    camera, issued = mobile
    live_services.bridge_revoke(owner=camera.site.owner, bridge=issued.bridge)

    recorded = report(camera, issued.bridge.pk, lat=34.105, lon=-117.37, seconds_ago=1)

    assert recorded.outcome == positions.NOT_RELAYED


def _open_view(camera: Camera, actor: Any, purpose: Any) -> LiveSession:
    start = live_services.live_session_start(actor=actor, purpose=purpose, camera_public_id=camera.public_id)
    assert start.session is not None, start.decision
    return start.session


def test_no_track_is_kept_while_nobody_watches(mobile: tuple[Camera, Any]) -> None:
    camera, issued = mobile

    for seconds_ago in (30, 20, 10):
        report(camera, issued.bridge.pk, lat=34.10, lon=-117.38 + seconds_ago / 1e5, seconds_ago=seconds_ago)

    assert PositionSample.objects.filter(camera=camera).count() == 0
    assert Camera.objects.get(pk=camera.pk).position_at is not None


def test_the_track_is_kept_while_a_live_view_is_open_and_not_after(
    mobile: tuple[Camera, Any], actor: Any, purpose: Any
) -> None:
    camera, issued = mobile
    session = _open_view(camera, actor, purpose)

    watched = [report(camera, issued.bridge.pk, lat=34.10 + i / 1e4, lon=-117.38, seconds_ago=30 - i) for i in range(3)]
    live_services.live_session_end(actor=actor, session_id=session.pk, reason="viewer_left")
    after = report(camera, issued.bridge.pk, lat=34.1004, lon=-117.38, seconds_ago=20)

    assert [r.watched for r in watched] == [True, True, True]
    assert (after.accepted, after.watched) == (True, False)
    track = list(PositionSample.objects.filter(camera=camera).values_list("point", flat=True))
    assert [round(p.y, 4) for p in track] == [34.10, 34.1001, 34.1002]


def test_track_points_older_than_the_footage_retention_are_purged(
    mobile: tuple[Camera, Any], actor: Any, purpose: Any, policy: DepartmentPolicy
) -> None:
    camera, issued = mobile
    _open_view(camera, actor, purpose)
    report(camera, issued.bridge.pk, lat=34.10, lon=-117.38, seconds_ago=20)
    report(camera, issued.bridge.pk, lat=34.1001, lon=-117.38, seconds_ago=10)
    later = timezone.now() + dt.timedelta(days=policy.footage_retention_days, seconds=-15)

    purged = positions.position_samples_purge(now=later)

    # (other tests' committed tracks may be purged too: the count is at least this one)
    assert purged >= 1
    kept = PositionSample.objects.filter(camera=camera).values_list("point", flat=True)
    assert [round(p.y, 4) for p in kept] == [34.1001]


def test_the_hourly_task_purges_old_track_points_in_the_department(
    mobile: tuple[Camera, Any], actor: Any, purpose: Any, policy: DepartmentPolicy
) -> None:
    camera, issued = mobile
    _open_view(camera, actor, purpose)
    report(camera, issued.bridge.pk, lat=34.10, lon=-117.38, seconds_ago=20)
    track = PositionSample.objects.filter(camera=camera)
    track.update(at=timezone.now() - dt.timedelta(days=policy.footage_retention_days, minutes=1))

    purged = tasks.position_samples_purge()

    assert purged >= 1
    assert not track.exists()
    assert settings.CELERY_BEAT_SCHEDULE["purge-position-tracks"]["task"] == "live.tasks.position_samples_purge"


def test_a_huge_bad_value_is_not_copied_whole_into_the_message() -> None:
    with pytest.raises(PositionError) as raised:
        position_parse(message(lat="9" * 100_000), now=NOW)

    assert len(str(raised.value)) < 100


def test_a_glitch_taken_as_the_first_position_does_not_hold_the_camera_there(
    mobile: tuple[Camera, Any], caplog: pytest.LogCaptureFixture
) -> None:
    # A receiver without a fix yet reports 0,0 ("null island"): the first position is taken as
    # is, and every true one after it is 13,000 km away. Were the camera held there until a
    # patrol car could have driven that far (36 hours at 100 m/s), it would vanish from every
    # search for a day and a half.
    camera, issued = mobile
    report(camera, issued.bridge.pk, lat=0.0, lon=0.0, seconds_ago=10)
    caplog.set_level(logging.WARNING, logger="porchlight.live")

    outcomes = [
        report(camera, issued.bridge.pk, lat=34.10 + i / 1e4, lon=-117.38, seconds_ago=5 - i).outcome for i in range(4)
    ]

    # A lone jump is still ignored; positions that agree with each other, not with the one
    # held, are the journey, and the one held was the glitch.
    assert outcomes[:2] == [Move.JUMP, Move.JUMP]
    assert outcomes[2:] == [Move.ACCEPTED, Move.ACCEPTED]
    assert round(Camera.objects.get(pk=camera.pk).location.y, 4) == 34.1003
    assert any("agree" in r.getMessage() for r in caplog.records)


def test_a_glitch_that_comes_back_between_true_positions_never_moves_the_camera(mobile: tuple[Camera, Any]) -> None:
    camera, issued = mobile
    report(camera, issued.bridge.pk, lat=34.10, lon=-117.38, seconds_ago=12)

    outcomes = []
    for i in range(5):  # the same wrong fix, again and again, with good ones between
        outcomes.append(report(camera, issued.bridge.pk, lat=0.0, lon=0.0, seconds_ago=11 - 2 * i).outcome)
        outcomes.append(
            report(camera, issued.bridge.pk, lat=34.10 + i / 1e4, lon=-117.38, seconds_ago=10 - 2 * i).outcome
        )

    assert outcomes == [Move.JUMP, Move.ACCEPTED] * 5
    assert round(Camera.objects.get(pk=camera.pk).location.y, 4) == 34.1004
