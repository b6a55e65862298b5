"""The every-minute beat entries run once, in public, and enter only the departments with work."""

import datetime as dt
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from audit.models import RollupMark
from audit.rollups import department_time_zone
from cameras import suspensions
from cameras.access import Actor
from cameras.anomalies import WEEK_MARK, anomalies_catch_up
from cameras.area_rollups import area_rollups_catch_up
from cameras.models import Camera
from live import presence
from live import services as live_services
from live.models import LiveSession
from tenants.periodic import departments_with_work, sql_probe
from tenants.tasks import periodic_dispatch
from tests.tenancy import connection

pytestmark = pytest.mark.django_db

EVERY_MINUTE = {
    "sweep-live-views": "live.tasks.live_sessions_sweep",
    "sweep-bridge-liveness": "live.tasks.bridge_liveness_sweep",
    "end-timed-pauses": "cameras.tasks.suspensions_expire",
    "area-rollups": "cameras.tasks.area_rollups_catch_up",
}
DISPATCHED = {**EVERY_MINUTE, "anomalies": "cameras.tasks.anomalies_catch_up"}
EVERY = {"anomalies": 300.0}


@pytest.mark.parametrize(("entry", "task_name"), DISPATCHED.items())
def test_a_frequent_entry_is_one_dispatch_in_public_not_one_task_per_department(entry: str, task_name: str) -> None:
    beat = settings.CELERY_BEAT_SCHEDULE[entry]

    assert beat == {
        "task": "tenants.tasks.periodic_dispatch",
        "schedule": EVERY.get(entry, 60.0),
        "args": [task_name],
        "tenant_schemas": ["public"],
    }


def _with_work(task_name: str) -> set[str]:
    return set(departments_with_work(task_name=task_name, schemas=["rialto", "fontana"]))


@pytest.fixture
def announced() -> Iterator[Callable[[str], str]]:
    """Announce a bridge of a department as connected (with no connection alive, as after a
    killed process); the test's announcements are withdrawn afterwards."""
    made: list[tuple[str, str]] = []

    def _announce(schema: str) -> str:
        bridge = f"test-{uuid.uuid4()}"
        presence._redis().sadd(presence._announced_key(schema), bridge)
        made.append((schema, bridge))
        return bridge

    for schema in ("rialto", "fontana"):
        presence._redis().delete(presence._announced_key(schema))
    yield _announce
    for schema, bridge in made:
        presence._redis().srem(presence._announced_key(schema), bridge)


def test_the_live_sweep_enters_a_department_with_an_open_view_and_not_one_without(
    make_camera: Any, actor: Actor, purpose: Any
) -> None:
    camera = make_camera("live")
    # Views other tests committed into Rialto, closed in this test's transaction only.
    LiveSession.objects.filter(Q(ended_at__isnull=True) | Q(end_pending=True)).update(
        ended_at=timezone.now(), end_pending=False
    )
    before = _with_work("live.tasks.live_sessions_sweep")

    start = live_services.live_session_start(actor=actor, purpose=purpose, camera_public_id=camera.public_id)
    assert start.session is not None
    after = _with_work("live.tasks.live_sessions_sweep")

    assert "rialto" not in before
    assert "rialto" in after
    assert "fontana" not in after


def test_the_live_sweep_enters_a_department_whose_ended_view_still_owes_its_end(
    make_camera: Any, actor: Actor, purpose: Any
) -> None:
    camera = make_camera("live")
    start = live_services.live_session_start(actor=actor, purpose=purpose, camera_public_id=camera.public_id)
    assert start.session is not None

    live_services.live_session_owner_end(owner=camera.site.owner, session_public_id=start.session.public_id)

    assert "rialto" in _with_work("live.tasks.live_sessions_sweep")


def test_the_pause_sweep_enters_a_department_whose_pause_has_ended_and_not_one_still_paused(
    make_camera: Any,
) -> None:
    suspensions.suspensions_expire()  # pauses other tests committed into Rialto, if any
    later = make_camera("on_request")
    suspensions.cameras_pause_all(owner=later.site.owner, duration=dt.timedelta(hours=24))
    not_yet = _with_work("cameras.tasks.suspensions_expire")

    due = make_camera("on_request")
    suspensions.cameras_pause_all(owner=due.site.owner, duration=dt.timedelta(microseconds=1))
    after = _with_work("cameras.tasks.suspensions_expire")

    assert "rialto" not in not_yet
    assert "rialto" in after
    assert "fontana" not in after


def test_the_area_rollups_enter_a_department_whose_log_is_ahead_of_its_figures(
    make_camera: Any, actor: Actor, purpose: Any
) -> None:
    camera = make_camera("live")
    area_rollups_catch_up()
    level = _with_work("cameras.tasks.area_rollups_catch_up")

    live_services.live_session_start(actor=actor, purpose=purpose, camera_public_id=camera.public_id)
    ahead = _with_work("cameras.tasks.area_rollups_catch_up")

    assert "rialto" not in level
    assert "rialto" in ahead


def test_the_anomaly_queue_enters_a_department_whose_log_is_ahead_of_its_marks(
    make_camera: Any, actor: Actor, purpose: Any
) -> None:
    camera = make_camera("live")
    anomalies_catch_up()
    level = _with_work("cameras.tasks.anomalies_catch_up")

    live_services.live_session_start(actor=actor, purpose=purpose, camera_public_id=camera.public_id)
    ahead = _with_work("cameras.tasks.anomalies_catch_up")

    assert "rialto" not in level
    assert "rialto" in ahead


def test_the_anomaly_queue_enters_a_department_whose_last_week_is_not_judged_yet(
    make_camera: Any, actor: Actor, purpose: Any
) -> None:
    camera = make_camera("live")
    live_services.live_session_start(actor=actor, purpose=purpose, camera_public_id=camera.public_id)
    anomalies_catch_up()
    level = _with_work("cameras.tasks.anomalies_catch_up")
    today = timezone.now().astimezone(ZoneInfo(department_time_zone())).date()
    two_weeks_ago = today - dt.timedelta(days=today.weekday() + 14)

    # The week before last judged, the last one not yet.
    RollupMark.objects.filter(name=WEEK_MARK).update(seq=two_weeks_ago.toordinal())
    behind = _with_work("cameras.tasks.anomalies_catch_up")

    assert "rialto" not in level
    assert "rialto" in behind


def test_the_bridge_sweep_enters_a_department_with_an_announced_bridge_and_not_one_without(
    announced: Callable[[str], str],
) -> None:
    none = _with_work("live.tasks.bridge_liveness_sweep")

    announced("rialto")
    some = _with_work("live.tasks.bridge_liveness_sweep")

    assert none == set()
    assert some == {"rialto"}


def test_a_department_whose_probe_fails_is_sent_its_task_and_the_others_are_still_asked() -> None:
    idle = sql_probe("(SELECT count(*) FROM {schema}.accounts_user) < 0")
    busy = sql_probe("(SELECT count(*) FROM {schema}.accounts_user) >= 0")
    schemas = ["rialto", "fontana", "not_yet_migrated"]

    # The schema without the table is sent its task, as before the probes; the others are
    # judged by their own tables.
    assert idle(schemas) == {"not_yet_migrated"}
    assert busy(schemas) == {"rialto", "fontana", "not_yet_migrated"}


def test_a_task_without_a_probe_is_sent_to_every_department() -> None:
    found = departments_with_work(task_name="accounts.tasks.sessions_clear_expired", schemas=["rialto", "fontana"])

    assert found == ["fontana", "rialto"]


def test_the_dispatch_runs_the_task_in_the_department_with_work(make_camera: Any, in_rialto: Any) -> None:
    camera = make_camera("on_request")
    suspensions.cameras_pause_all(owner=camera.site.owner, duration=dt.timedelta(microseconds=1))
    connection.set_schema_to_public()

    sent = periodic_dispatch.apply(args=["cameras.tasks.suspensions_expire"]).get()

    connection.set_tenant(in_rialto)
    assert sent >= 1
    assert Camera.objects.get(pk=camera.pk).status == "active"


@pytest.mark.worker
def test_a_real_worker_runs_the_dispatched_sweep_in_the_department_with_work(
    celery_worker: Path, not_eager: None, announced: Callable[[str], str]
) -> None:
    bridge = announced("rialto")

    sent = periodic_dispatch.apply(args=["live.tasks.bridge_liveness_sweep"]).get()

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and presence._redis().sismember(presence._announced_key("rialto"), bridge):
        time.sleep(0.1)
    assert sent == 1
    assert not presence._redis().sismember(presence._announced_key("rialto"), bridge)
