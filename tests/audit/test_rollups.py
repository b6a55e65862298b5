"""The oversight figures are kept up to date as events are written and always equal what a
full scan of the log computes; they can be rebuilt from the log; police areas are caught up
from a mark, once per event however often or concurrently the catch-up runs."""

import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.figures import ACCESS_ACTIONS
from audit.models import AreaRollup, DayRollup
from audit.rollups import (
    rollup_scan_day,
    rollup_scan_hour,
    rollup_scan_month,
    rollup_stored_day,
    rollup_stored_hour,
    rollup_stored_month,
    rollups_rebuild,
)
from audit.services import ActorSnapshot, EventFacts, PurposeSnapshot, access_event_record
from cameras.area_rollups import area_rollups_catch_up
from places.areas import areas_import

EVENT = st.fixed_dictionaries(
    {
        "action": st.sampled_from(["search", "camera_view", "live_start", "live_end", "export", "exigent_approve"]),
        "outcome": st.sampled_from(["allowed", "denied"]),
        "reason": st.sampled_from(["ok", "no_grant", "prohibited_purpose", "mfa_required"]),
        "category": st.sampled_from(["", "violent_crime", "property_crime", "missing_person"]),
        "quantity": st.one_of(st.none(), st.integers(min_value=0, max_value=10_000)),
        "clip": st.booleans(),
    }
)


def _record(event: dict[str, Any]) -> None:
    targets = ["clip:00000000-0000-0000-0000-000000000001"] if event["clip"] else ["camera:x"]
    access_event_record(
        actor=ActorSnapshot(user_id=1),
        facts=EventFacts(
            event["action"], event["outcome"], event["reason"], targets=targets, quantity=event["quantity"]
        ),
        purpose=PurposeSnapshot(category=event["category"]),
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=st.lists(EVENT, min_size=1, max_size=30))
def test_rollups_equal_a_full_scan_after_any_mix_of_events(in_rialto: Any, events: list[dict[str, Any]]) -> None:
    for event in events:
        _record(event)

    assert rollup_stored_day() == rollup_scan_day()
    assert rollup_stored_month() == rollup_scan_month()
    assert rollup_stored_hour() == rollup_scan_hour()


def test_a_rolled_back_access_takes_its_count_with_it(in_rialto: Any) -> None:
    from django.db import transaction

    before = rollup_stored_day()

    with transaction.atomic():
        _record(
            {"action": "search", "outcome": "allowed", "reason": "ok", "category": "", "quantity": 3, "clip": False}
        )
        transaction.set_rollback(True)

    assert rollup_stored_day() == before


def test_days_are_the_departments_local_days(in_rialto: Any) -> None:
    rialto = connection.tenant  # type: ignore[attr-defined]
    rialto.time_zone = "Pacific/Kiritimati"  # UTC+14: its day differs from UTC's for 14 hours of 24
    # The log's trigger reads it from the department's row (audit migration 0033).
    type(rialto).objects.filter(pk=rialto.pk).update(time_zone=rialto.time_zone)

    event = access_event_record(actor=ActorSnapshot(user_id=1), facts=EventFacts("search", "allowed", "ok"))

    local_day = event.occurred_at.astimezone(__import__("zoneinfo").ZoneInfo("Pacific/Kiritimati")).date()
    assert DayRollup.objects.filter(day=local_day, action="search").exists()


def test_the_rebuild_command_recomputes_the_figures_from_the_log(in_rialto: Any) -> None:
    for action in ["search", "search", "camera_view"]:
        access_event_record(actor=ActorSnapshot(user_id=1), facts=EventFacts(action, "allowed", "ok"))
    DayRollup.objects.all().delete()

    call_command("tenant_command", "audit_rollups_rebuild", schema="rialto")

    assert rollup_stored_day() == rollup_scan_day()
    assert rollup_stored_month() == rollup_scan_month()
    assert rollup_stored_hour() == rollup_scan_hour()


def test_a_rebuild_and_new_events_agree(in_rialto: Any) -> None:
    access_event_record(actor=ActorSnapshot(user_id=1), facts=EventFacts("search", "allowed", "ok"))

    rollups_rebuild()
    access_event_record(actor=ActorSnapshot(user_id=1), facts=EventFacts("search", "allowed", "ok"))

    assert rollup_stored_day() == rollup_scan_day()


def _beats(tmp_path: Path) -> None:
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": name},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[x0, 34.0], [x0 + 0.04, 34.0], [x0 + 0.04, 34.2], [x0, 34.2], [x0, 34.0]]],
                },
            }
            for name, x0 in [("West", -117.42), ("East", -117.38)]
        ],
    }
    path = tmp_path / "beats.geojson"
    path.write_text(json.dumps(collection))
    areas_import(path=path, which="police", default_kind="beat")


def _search_at(lon: float, lat: float) -> None:
    access_event_record(
        actor=ActorSnapshot(user_id=1),
        facts=EventFacts("search", "allowed", "ok", details={"area": {"shape": "circle", "center": [lon, lat]}}),
    )


def _by_area() -> dict[str, int]:
    return {row.area_name: row.events for row in AreaRollup.objects.all()}


def test_searches_are_counted_by_the_police_area_of_their_centre_once(in_rialto: Any, tmp_path: Path) -> None:
    _beats(tmp_path)
    _search_at(-117.40, 34.1)
    _search_at(-117.36, 34.1)
    _search_at(-117.36, 34.1)
    _search_at(-110.0, 30.0)  # in no police area
    access_event_record(actor=ActorSnapshot(user_id=1), facts=EventFacts("audit_read", "allowed", "ok"))

    area_rollups_catch_up()
    area_rollups_catch_up()

    assert _by_area() == {"West": 1, "East": 2, "": 1}


def test_a_camera_access_counts_in_the_area_of_the_camera(in_rialto: Any, tmp_path: Path, make_camera: Any) -> None:
    _beats(tmp_path)
    camera = make_camera(lon=-117.40, lat=34.1)
    access_event_record(
        actor=ActorSnapshot(user_id=1),
        facts=EventFacts("camera_view", "allowed", "ok", targets=[f"camera:{camera.public_id}"]),
    )

    area_rollups_catch_up()

    assert _by_area() == {"West": 1}


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=st.lists(EVENT, min_size=1, max_size=25))
def test_the_pages_figures_equal_counts_read_from_the_log(in_rialto: Any, events: list[dict[str, Any]]) -> None:
    from collections import Counter

    from django.db.models import Sum
    from django.utils import timezone

    from audit.figures import Period, figures_of
    from audit.models import AccessEvent
    from audit.rollups import department_time_zone

    for event in events:
        _record(event)
    today = timezone.localdate(timezone=ZoneInfo(department_time_zone()))  # the rollups' days

    figures = figures_of(Period(year=today.year, month=None))
    month = figures_of(Period(year=today.year, month=today.month))

    log = AccessEvent.objects.all()
    searches = Counter(log.filter(action="search", outcome="allowed").values_list("purpose_category", flat=True))
    assert figures.total == month.total == log.count()
    assert figures.denials_by_reason == dict(Counter(log.filter(outcome="denied").values_list("reason", flat=True)))
    assert figures.searches_by_category == {(k or "-"): v for k, v in searches.items()}
    assert figures.live_views == log.filter(action="live_start", outcome="allowed").count()
    live = log.filter(action="live_end", outcome="allowed").aggregate(s=Sum("quantity"))["s"] or 0
    assert figures.live_seconds == month.live_seconds == live
    assert sum(sum(row) for row in figures.hour_weekday) == log.filter(action__in=ACCESS_ACTIONS).count()


def test_a_schema_entered_by_name_still_counts_in_the_departments_days(in_rialto: Any) -> None:
    from django_tenants.utils import schema_context

    from audit.rollups import department_time_zone

    with schema_context("rialto"):
        zone = department_time_zone()

    assert zone == in_rialto.time_zone


@pytest.mark.django_db(transaction=False)
def test_concurrent_writers_and_catch_ups_count_every_event_once(
    django_db_blocker: Any, fontana: Any, tmp_path: Path
) -> None:
    # Real concurrency needs committed rows in separate connections (as the chain's own
    # concurrency test): Fontana's committed schema, so Rialto's exact counts above stay apart.
    import threading

    from django.db import transaction
    from django.db.models import Q, Sum
    from django_tenants.utils import tenant_context

    from audit.models import AccessEvent

    with django_db_blocker.unblock(), tenant_context(fontana):
        _beats(tmp_path)
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            for _ in range(10):
                with django_db_blocker.unblock(), tenant_context(fontana), transaction.atomic():
                    _search_at(-117.40, 34.1)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    def catcher() -> None:
        try:
            for _ in range(5):
                with django_db_blocker.unblock(), tenant_context(fontana):
                    area_rollups_catch_up(limit=7)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer) for _ in range(6)] + [threading.Thread(target=catcher) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    with django_db_blocker.unblock(), tenant_context(fontana):
        area_rollups_catch_up()
        placed = AccessEvent.objects.filter(
            Q(details__area__center__isnull=False) | Q(targets__icontains="camera:")
        ).count()
        counted = AreaRollup.objects.aggregate(n=Sum("events"))["n"]
        assert errors == []
        assert counted == placed
        assert rollup_stored_day() == rollup_scan_day()
        assert rollup_stored_hour() == rollup_scan_hour()
