"""Hostile or broken deliveries found in review: each ends in a clear refusal or a rejected
delivery naming what was wrong, never in a server error or a delivery left waiting forever."""

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from audit.models import AccessEvent, Action
from incidents.models import Delivery, DeliveryStatus, Incident, Integration, PayloadShape

from .test_processing import _integration, _now, _plate, _process

pytestmark = pytest.mark.django_db

POINT = {"lat": 34.1, "lon": -117.38}


# --- The receiver: bodies Python's json reads but PostgreSQL's jsonb cannot store ----------


@pytest.mark.parametrize(
    "body",
    [
        # A number beyond a double: Python reads it as infinity, which JSON cannot carry.
        b'{"id": "H-1", "occurred_at": "2026-12-07T12:00:00Z", "location": {"lat": 1e400, "lon": -117.38}}',
        b'{"id": "H-1", "n": -1e999}',
        # Nesting deeper than Python's recursion limit (well within 64 KB).
        b'{"a": ' + b"[" * 5000 + b"]" * 5000 + b"}",
    ],
    ids=["lat-1e400", "minus-1e999", "deep-nesting"],
)
def test_a_body_json_cannot_store_is_refused_400_and_nothing_stored(
    cad: tuple[Integration, str], send: Callable[..., Any], body: bytes
) -> None:
    integration, secret = cad

    response = send(integration, secret, body)

    assert response.status_code == 400, response.content
    assert response.json()["reason"] == "invalid_json"
    assert not Delivery.objects.filter(integration=integration).exists()


# --- The worker: values that broke the mapping instead of rejecting the delivery ----------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"location": {"lat": 10**400, "lon": -117.38}}, "location.lat must be between -90 and 90"),
        ({"location": {"lat": 34.1, "lon": -(10**400)}}, "location.lon must be between -180 and 180"),
        ({"occurred_at": "2026-13-45T12:00:00Z"}, "occurred_at must be an ISO 8601 time"),
        ({"occurred_at": "2026-12-07T12:00:00+99:00"}, "occurred_at must be an ISO 8601 time"),
    ],
    ids=["huge-lat", "huge-lon", "month-13", "offset-99h"],
)
def test_an_absurd_value_rejects_the_delivery_naming_the_field(
    in_rialto: Any, body: dict[str, Any], message: str
) -> None:
    integration = _integration(PayloadShape.GENERIC)

    delivery = _process(integration, {"id": "ABS-1", "occurred_at": _now(), "location": POINT, **body})

    assert delivery.status == DeliveryStatus.REJECTED
    assert message in delivery.error, delivery.error
    assert not Incident.objects.filter(integration=integration).exists()


# --- Plate hotlists: a category is a category whatever its case, spaces or hyphens ----------


@pytest.mark.parametrize(
    "category", ["Immigration Status", "immigration-status", " IMMIGRATION_STATUS ", "Immigration  Status"]
)
def test_a_blocked_category_written_differently_is_still_blocked_as_such(in_rialto: Any, category: str) -> None:
    integration = _integration(PayloadShape.PLATE_READER)

    delivery = _process(integration, _plate(category))

    assert delivery.status == DeliveryStatus.BLOCKED
    assert not Incident.objects.filter(integration=integration).exists()
    event = AccessEvent.objects.filter(action=Action.PLATE_HIT_BLOCKED).get()
    assert (event.reason, event.details["category"]) == ("hotlist_blocked", "immigration_status")


@pytest.mark.parametrize("category", ["Stolen Vehicle", "stolen-vehicle", "STOLEN_VEHICLE"])
def test_an_allowed_category_written_as_readers_write_it_is_accepted(in_rialto: Any, category: str) -> None:
    integration = _integration(PayloadShape.PLATE_READER)

    delivery = _process(integration, _plate(category))

    assert delivery.status == DeliveryStatus.PROCESSED, delivery.error
    assert Incident.objects.get(deliveries=delivery).details["hotlist"] == "stolen_vehicle"


# --- The delivery store: kept a while for the integration's page, then deleted -------------


def test_deliveries_older_than_the_keep_are_purged_and_recent_ones_kept(in_rialto: Any) -> None:
    from django.conf import settings

    from incidents import services, tasks

    integration = _integration(PayloadShape.GENERIC)
    old = _process(integration, {"id": "OLD-1", "occurred_at": _now(), "location": POINT})
    recent = _process(integration, {"id": "NEW-1", "occurred_at": _now(), "location": POINT})
    keep = dt.timedelta(days=settings.PORCHLIGHT_INTEGRATION_DELIVERY_KEEP_DAYS)
    Delivery.objects.filter(pk=old.pk).update(received_at=timezone.now() - keep - dt.timedelta(minutes=1))

    purged = services.deliveries_purge()

    assert purged >= 1
    assert not Delivery.objects.filter(pk=old.pk).exists()
    assert Delivery.objects.filter(pk=recent.pk).exists()
    # The incident the old delivery made stays: it is the department's record, not the delivery's.
    assert Incident.objects.filter(integration=integration, external_id="OLD-1").exists()
    assert tasks.deliveries_purge() == 0
    assert settings.CELERY_BEAT_SCHEDULE["purge-integration-deliveries"]["task"] == "incidents.tasks.deliveries_purge"


def test_the_keep_is_longer_than_the_replay_window() -> None:
    from django.conf import settings

    keep = settings.PORCHLIGHT_INTEGRATION_DELIVERY_KEEP_DAYS * 86400
    assert keep > 2 * settings.PORCHLIGHT_INTEGRATION_WINDOW_SECONDS


# --- A plate hit that is rejected keeps no more of the reader's body than one processed ------


@pytest.mark.parametrize(
    "change",
    [
        {"location": {"lat": 34.1, "lon": -117.9}},  # outside the department
        {"time": "2026-13-45T12:00:00Z"},
        {"plate": "X" * 17},
    ],
    ids=["outside", "bad-time", "plate-too-long"],
)
def test_a_rejected_plate_hit_keeps_neither_the_plate_nor_the_readers_extras(
    in_rialto: Any, change: dict[str, Any]
) -> None:
    integration = _integration(PayloadShape.PLATE_READER)

    delivery = _process(integration, {**_plate("immigration_status"), **change})

    assert delivery.status == DeliveryStatus.REJECTED
    assert delivery.error
    assert "plate" not in delivery.body
    assert set(delivery.body) <= {"id", "time", "location", "hotlist"}
    assert "7ABC123" not in str(delivery.body).upper()
    assert "Honda" not in str(delivery.body)
