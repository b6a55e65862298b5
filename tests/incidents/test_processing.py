"""A delivery processed into an incident (incidents.tasks.delivery_process), per payload
format: what each valid body makes, why each invalid one is rejected, and the plate hotlists."""

import datetime as dt
from typing import Any

import pytest
from django.contrib.gis.geos import Point
from django.test import override_settings
from django.utils import timezone

from audit.models import AccessEvent, Action
from incidents.intake import delivery_accept
from incidents.models import (
    Delivery,
    DeliveryStatus,
    Incident,
    IncidentStatus,
    Integration,
    IntegrationKind,
    PayloadShape,
)
from incidents.tasks import delivery_process
from places.geocoders import GeocoderUnavailable
from places.readers import AddressIn
from places.services import address_points_upsert
from tenants.models import DepartmentPolicy, OutboxMessage
from tests.conftest import free_port

from .conftest import integration_make

pytestmark = pytest.mark.django_db

_counter = iter(range(10**6))


def _now(minutes: float = -1) -> str:
    return (timezone.now() + dt.timedelta(minutes=minutes)).isoformat()


def _process(integration: Integration, body: Any) -> Delivery:
    delivery = delivery_accept(
        integration=integration, signature=f"{next(_counter):064x}", signed_at=timezone.now(), body=body
    )
    delivery_process(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    return delivery


@pytest.fixture
def cedar(in_rialto: Any) -> None:
    address_points_upsert(
        points=[AddressIn(number="9", street="Cedar Ave", unit="", city="Rialto", postcode="", lon=-117.4, lat=34.1)]
    )


def _integration(shape: str) -> Integration:
    kind = {
        PayloadShape.GUNSHOT: IntegrationKind.GUNSHOT,
        PayloadShape.PLATE_READER: IntegrationKind.PLATE_READER,
    }.get(PayloadShape(shape), IntegrationKind.CAD)
    return integration_make(kind=kind, shape=shape, name=f"{shape} sender")[0]


def test_a_generic_delivery_makes_an_open_incident_with_its_facts(in_rialto: Any) -> None:
    integration = _integration(PayloadShape.GENERIC)
    body = {
        "id": "CAD-26-001",
        "occurred_at": _now(),
        "type": "Burglary in progress",
        "priority": "1",
        "case_number": "RPD-26-0500",
        "location": {"lat": 34.1, "lon": -117.38},
        "details": {"units": 3, "caller": "neighbour"},
    }

    delivery = _process(integration, body)

    assert (delivery.status, delivery.error) == (DeliveryStatus.PROCESSED, "")
    incident = Incident.objects.get(integration=integration, external_id="CAD-26-001")
    assert delivery.incident_id == incident.pk
    assert (incident.incident_type, incident.priority, incident.case_number, incident.status) == (
        "Burglary in progress",
        "1",
        "RPD-26-0500",
        IncidentStatus.OPEN,
    )
    assert incident.location.equals_exact(Point(-117.38, 34.1, srid=4326), 1e-9)
    assert incident.details == {"units": 3, "caller": "neighbour"}


def test_a_generic_address_is_geocoded_with_the_departments_address_index(in_rialto: Any, cedar: None) -> None:
    integration = _integration(PayloadShape.GENERIC)

    delivery = _process(integration, {"id": "A-1", "occurred_at": _now(), "location": {"address": "9 Cedar Avenue"}})

    assert delivery.status == DeliveryStatus.PROCESSED, delivery.error
    incident = Incident.objects.get(deliveries=delivery)
    assert (round(incident.location.x, 4), round(incident.location.y, 4), incident.address) == (
        -117.4,
        34.1,
        "9 Cedar Avenue",
    )


def test_an_address_the_index_does_not_know_rejects_the_delivery(in_rialto: Any, cedar: None) -> None:
    integration = _integration(PayloadShape.GENERIC)

    delivery = _process(
        integration, {"id": "A-2", "occurred_at": _now(), "location": {"address": "4400 Nowhere Parkway"}}
    )

    assert delivery.status == DeliveryStatus.REJECTED
    assert "was not found in the department's address index" in delivery.error
    assert not Incident.objects.filter(integration=integration).exists()


@pytest.mark.parametrize(
    ("location", "words"),
    [
        ({"point": {"latitude": 34.11, "longitude": -117.37}}, None),
        ({"civicAddressText": "9 Cedar Ave"}, "9 Cedar Ave"),
    ],
)
def test_an_eido_incident_with_a_point_or_an_address_makes_an_incident(
    in_rialto: Any, cedar: None, location: dict[str, Any], words: str | None
) -> None:
    integration = _integration(PayloadShape.EIDO)
    body = {
        "incidentTrackingIdentifier": "urn:emergency:uid:incidentid:1234:cad.example.org",
        "incidentType": "Shots fired",
        "priority": "1",
        "lastUpdateTimeStamp": _now(),
        "status": "Active",
        "location": location,
    }

    delivery = _process(integration, body)

    assert delivery.status == DeliveryStatus.PROCESSED, delivery.error
    incident = Incident.objects.get(deliveries=delivery)
    assert (incident.incident_type, incident.priority, incident.status) == ("Shots fired", "1", IncidentStatus.OPEN)
    assert incident.address == (words or "")


def test_an_eido_update_with_status_closed_closes_the_same_incident(in_rialto: Any) -> None:
    integration = _integration(PayloadShape.EIDO)
    body = {
        "incidentTrackingIdentifier": "INC-77",
        "incidentType": "Alarm",
        "lastUpdateTimeStamp": _now(),
        "location": {"point": {"latitude": 34.11, "longitude": -117.37}},
    }
    opened = _process(integration, {**body, "status": "Active"})

    closed = _process(integration, {**body, "status": "Closed", "lastUpdateTimeStamp": _now(0)})

    assert opened.incident_id == closed.incident_id
    incident = Incident.objects.get(deliveries=closed)
    assert (incident.status, incident.closed_at is not None) == (IncidentStatus.CLOSED, True)


def test_a_gunshot_alert_keeps_its_rounds(in_rialto: Any) -> None:
    integration = _integration(PayloadShape.GUNSHOT)

    delivery = _process(
        integration, {"id": "SS-9", "time": _now(), "location": {"lat": 34.12, "lon": -117.39}, "rounds": 4}
    )

    incident = Incident.objects.get(deliveries=delivery)
    assert (incident.source_kind, incident.incident_type, incident.details) == (
        IntegrationKind.GUNSHOT,
        "Gunshots detected",
        {"rounds": 4},
    )


def _plate(hotlist: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"LPR-{hotlist}",
        "time": _now(),
        "location": {"lat": 34.12, "lon": -117.39},
        "hotlist": hotlist,
        "plate": "7abc123",
        "vehicle": {"make": "Honda", "colour": "blue"},
        "image_url": "https://reader.example.org/frames/1.jpg",
        **extra,
    }


def test_a_plate_hit_of_an_allowed_category_makes_an_incident_keeping_only_what_is_needed(in_rialto: Any) -> None:
    integration = _integration(PayloadShape.PLATE_READER)

    delivery = _process(integration, _plate("stolen_vehicle"))

    assert delivery.status == DeliveryStatus.PROCESSED, delivery.error
    incident = Incident.objects.get(deliveries=delivery)
    assert incident.details == {"hotlist": "stolen_vehicle", "plate": "7ABC123"}
    assert set(delivery.body) == {"id", "time", "location", "hotlist", "plate"}
    assert not AccessEvent.objects.filter(action=Action.PLATE_HIT_BLOCKED).exists()


@pytest.mark.parametrize(
    ("category", "reason"),
    [("immigration_status", "hotlist_blocked"), ("gang_database", "hotlist_not_allowed")],
)
def test_a_plate_hit_the_policy_does_not_accept_is_dropped_and_logged_without_the_plate(
    in_rialto: Any, category: str, reason: str
) -> None:
    integration = _integration(PayloadShape.PLATE_READER)

    delivery = _process(integration, _plate(category))

    assert delivery.status == DeliveryStatus.BLOCKED
    assert category in delivery.error
    assert not Incident.objects.filter(integration=integration).exists()
    assert "plate" not in delivery.body
    assert "7ABC123" not in str(delivery.body)
    event = AccessEvent.objects.filter(action=Action.PLATE_HIT_BLOCKED).get()
    assert (event.outcome, event.reason, event.details["category"], event.actor_role) == (
        "denied",
        reason,
        category,
        "system",
    )
    assert "7ABC123" not in str(event.details) + str(event.targets)


def test_a_blocked_category_wins_over_the_same_category_allowed(in_rialto: Any) -> None:
    policy = DepartmentPolicy.objects.get(department=in_rialto)
    policy.plate_hotlist_allowed = [*policy.plate_hotlist_allowed, "immigration_status"]
    policy.save()
    integration = _integration(PayloadShape.PLATE_READER)

    delivery = _process(integration, _plate("immigration_status"))

    assert delivery.status == DeliveryStatus.BLOCKED
    assert AccessEvent.objects.filter(action=Action.PLATE_HIT_BLOCKED, reason="hotlist_blocked").count() == 1


def test_a_delivery_already_processed_is_skipped(in_rialto: Any) -> None:
    integration = _integration(PayloadShape.GENERIC)
    delivery = _process(integration, {"id": "X-1", "occurred_at": _now(), "location": {"lat": 34.1, "lon": -117.38}})
    Incident.objects.filter(deliveries=delivery).update(priority="changed by hand")

    status = delivery_process(delivery_id=delivery.pk)

    assert status == DeliveryStatus.PROCESSED
    assert Incident.objects.get(deliveries=delivery).priority == "changed by hand"


def test_the_same_external_id_twice_is_one_incident_updated(in_rialto: Any) -> None:
    integration = _integration(PayloadShape.GENERIC)
    body = {"id": "DUP-1", "occurred_at": _now(), "location": {"lat": 34.1, "lon": -117.38}, "priority": "3"}

    first = _process(integration, body)
    second = _process(integration, {**body, "priority": "1"})

    assert first.incident_id == second.incident_id
    assert Incident.objects.filter(integration=integration).count() == 1
    assert Incident.objects.get(integration=integration).priority == "1"


def test_an_update_moves_the_incident_and_rewrites_its_facts(in_rialto: Any) -> None:
    integration = _integration(PayloadShape.GENERIC)
    body = {"id": "MOVE-1", "occurred_at": _now(), "type": "Alarm", "location": {"lat": 34.1, "lon": -117.38}}
    _process(integration, body)

    moved = _process(integration, {**body, "type": "Burglary", "location": {"lat": 34.12, "lon": -117.36}})

    incident = Incident.objects.get(deliveries=moved)
    assert incident.incident_type == "Burglary"
    assert incident.location.equals_exact(Point(-117.36, 34.12, srid=4326), 1e-9)
    assert list(incident.history.order_by("history_id").values_list("history_type", "incident_type")) == [
        ("+", "Alarm"),
        ("~", "Burglary"),
    ]


# --- Invalid bodies: each rejected with a message naming the field -------------------------

GENERIC_OK = {"id": "V-1", "type": "Alarm", "occurred_at": "-1", "location": {"lat": 34.1, "lon": -117.38}}


def _relative_times(body: dict[str, Any]) -> dict[str, Any]:
    """Times written relative to now: "+10" is ten minutes ahead, "-50000" minutes ago."""
    relative = {
        key: _now(float(value))
        for key, value in body.items()
        if key in ("occurred_at", "time", "lastUpdateTimeStamp") and isinstance(value, str) and value[:1] in "+-"
    }
    return {**body, **relative}


@pytest.mark.parametrize(
    ("shape", "body", "message"),
    [
        (PayloadShape.GENERIC, {**GENERIC_OK, "id": ""}, "id is missing"),
        (PayloadShape.GENERIC, {**GENERIC_OK, "occurred_at": None}, "occurred_at is missing"),
        (PayloadShape.GENERIC, {**GENERIC_OK, "occurred_at": "yesterday"}, "occurred_at must be an ISO 8601 time"),
        (PayloadShape.GENERIC, {**GENERIC_OK, "occurred_at": "2026-12-07T12:00:00"}, "with its time zone"),
        (PayloadShape.GENERIC, {**GENERIC_OK, "occurred_at": "+10"}, "more than 5 minutes in the future"),
        (PayloadShape.GENERIC, {**GENERIC_OK, "occurred_at": "-50000"}, "more than 30 days in the past"),
        (PayloadShape.GENERIC, {**GENERIC_OK, "location": None}, "location is missing"),
        (PayloadShape.GENERIC, {**GENERIC_OK, "location": {"lat": 34.1}}, "location.lon is missing"),
        (PayloadShape.GENERIC, {**GENERIC_OK, "location": {"lat": 95, "lon": -117.38}}, "between -90 and 90"),
        (PayloadShape.GENERIC, {**GENERIC_OK, "location": {"lat": 34.1, "lon": 200}}, "between -180 and 180"),
        (PayloadShape.GENERIC, {**GENERIC_OK, "location": {"lat": "34.1", "lon": -117.38}}, "must be a number"),
        (PayloadShape.GENERIC, {**GENERIC_OK, "location": {"lat": 0, "lon": 0}}, "0, 0 is no place"),
        (PayloadShape.GENERIC, {**GENERIC_OK, "location": {"lat": 34.1, "lon": -117.5}}, "outside the department"),
        (PayloadShape.GENERIC, {**GENERIC_OK, "type": "x" * 121}, "type is longer than 120 characters"),
        (PayloadShape.GENERIC, {**GENERIC_OK, "id": "x" * 129}, "id is longer than 128 characters"),
        (PayloadShape.GENERIC, {**GENERIC_OK, "status": "maybe"}, "status must be open or closed"),
        (PayloadShape.GENERIC, {**GENERIC_OK, "details": {"a": {"b": 1}}}, "details.a must be text"),
        (PayloadShape.GENERIC, {**GENERIC_OK, "details": {"a": "x" * 201}}, "details.a is longer than 200"),
        (PayloadShape.EIDO, {"incidentTrackingIdentifier": "E-1"}, "location is missing"),
        (
            PayloadShape.EIDO,
            {"lastUpdateTimeStamp": "+0", "location": {"point": {"latitude": 34.1, "longitude": -117.38}}},
            "incidentTrackingIdentifier is missing",
        ),
        (PayloadShape.GUNSHOT, {"id": "S-1", "location": {"lat": 34.1, "lon": -117.38}}, "time is missing"),
        (
            PayloadShape.GUNSHOT,
            {"id": "S-1", "time": "+0", "location": {"lat": 34.1, "lon": -117.38}, "rounds": -2},
            "rounds must be a whole number",
        ),
        (
            PayloadShape.PLATE_READER,
            {"id": "P-1", "time": "+0", "location": {"lat": 34.1, "lon": -117.38}, "plate": "7ABC123"},
            "hotlist is missing",
        ),
        (
            PayloadShape.PLATE_READER,
            {"id": "P-1", "time": "+0", "location": {"lat": 34.1, "lon": -117.38}, "hotlist": "stolen_vehicle"},
            "plate is missing",
        ),
    ],
)
def test_an_invalid_body_is_rejected_with_a_message_naming_the_field(
    in_rialto: Any, shape: str, body: dict[str, Any], message: str
) -> None:
    integration = _integration(shape)

    delivery = _process(integration, _relative_times(body))

    assert delivery.status == DeliveryStatus.REJECTED
    assert message in delivery.error, delivery.error
    assert not Incident.objects.filter(integration=integration).exists()


def test_a_department_without_a_boundary_accepts_any_point(in_rialto: Any) -> None:
    in_rialto.boundary = None
    integration = _integration(PayloadShape.GENERIC)

    delivery = _process(integration, _relative_times({**GENERIC_OK, "location": {"lat": 40.7, "lon": -74.0}}))

    assert delivery.status == DeliveryStatus.PROCESSED, delivery.error


def test_an_outside_geocoder_that_does_not_answer_leaves_the_delivery_for_a_retry(in_rialto: Any) -> None:
    integration = _integration(PayloadShape.GENERIC)
    delivery = delivery_accept(
        integration=integration,
        signature="f" * 64,
        signed_at=timezone.now(),
        body={"id": "G-9", "occurred_at": _now(), "location": {"address": "9 Cedar Ave"}},
    )

    with (
        override_settings(PORCHLIGHT_GEOCODER=f"nominatim:http://127.0.0.1:{free_port()}"),
        pytest.raises(GeocoderUnavailable),
    ):
        delivery_process(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.error) == (DeliveryStatus.ACCEPTED, "")


# --- Batches: a delivery's processing takes the department's other accepted deliveries ------


def _accepted(integration: Integration, body: Any) -> Delivery:
    return delivery_accept(
        integration=integration, signature=f"{next(_counter):064x}", signed_at=timezone.now(), body=body
    )


def _owed_delivered(delivery: Delivery) -> bool:
    """Whether the outbox message owed for this delivery's processing is marked delivered."""
    message = OutboxMessage.objects.get(
        task_name="incidents.tasks.delivery_process_task", kwargs={"delivery_id": delivery.pk}
    )
    return message.delivered_at is not None


def test_a_deliverys_processing_takes_the_other_accepted_deliveries_and_marks_their_tasks_done(
    in_rialto: Any,
) -> None:
    integration = _integration(PayloadShape.GENERIC)
    point = {"lat": 34.1, "lon": -117.38}
    first = _accepted(integration, {"id": "BATCH-1", "occurred_at": _now(), "location": point, "priority": "3"})
    other = _accepted(integration, {"id": "BATCH-2", "occurred_at": _now(), "location": point})
    update = _accepted(integration, {"id": "BATCH-1", "occurred_at": _now(), "location": point, "priority": "1"})
    invalid = _accepted(integration, {"id": "BATCH-3", "occurred_at": _now()})

    status = delivery_process(delivery_id=first.pk)

    for delivery in (first, other, update, invalid):
        delivery.refresh_from_db()
    assert status == DeliveryStatus.PROCESSED
    assert [d.status for d in (first, other, update, invalid)] == [DeliveryStatus.PROCESSED] * 3 + [
        DeliveryStatus.REJECTED
    ]
    assert "location is missing" in invalid.error
    assert first.incident_id == update.incident_id != other.incident_id
    assert Incident.objects.get(deliveries=first).priority == "1"
    assert Incident.objects.filter(integration=integration).count() == 2
    # Their own tasks find them delivered and do nothing; this delivery's task marks its own.
    assert [_owed_delivered(d) for d in (first, other, update, invalid)] == [False, True, True, True]


def test_an_incident_made_and_updated_in_one_batch_has_one_history_row_as_the_batch_left_it(
    in_rialto: Any,
) -> None:
    integration = _integration(PayloadShape.GENERIC)
    body = {"id": "HIST-1", "occurred_at": _now(), "location": {"lat": 34.1, "lon": -117.38}}
    first = _accepted(integration, {**body, "priority": "3"})
    _accepted(integration, {**body, "priority": "1"})

    delivery_process(delivery_id=first.pk)

    incident = Incident.objects.get(integration=integration, external_id="HIST-1")
    assert list(incident.history.values_list("history_type", "priority")) == [("+", "1")]


def test_a_batch_takes_at_most_its_size_oldest_first(in_rialto: Any) -> None:
    integration = _integration(PayloadShape.GENERIC)
    point = {"lat": 34.1, "lon": -117.38}
    deliveries = [
        _accepted(integration, {"id": f"SIZE-{n}", "occurred_at": _now(), "location": point}) for n in range(4)
    ]

    delivery_process(delivery_id=deliveries[2].pk, batch=2)

    statuses = list(
        Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).order_by("pk").values_list("status", flat=True)
    )
    assert statuses == [
        DeliveryStatus.PROCESSED,
        DeliveryStatus.ACCEPTED,
        DeliveryStatus.PROCESSED,
        DeliveryStatus.ACCEPTED,
    ]


def test_another_delivery_the_geocoder_cannot_locate_is_left_to_its_own_task_and_the_batch_goes_on(
    in_rialto: Any,
) -> None:
    integration = _integration(PayloadShape.GENERIC)
    located = _accepted(integration, {"id": "GEO-1", "occurred_at": _now(), "location": {"lat": 34.1, "lon": -117.38}})
    address = _accepted(integration, {"id": "GEO-2", "occurred_at": _now(), "location": {"address": "9 Cedar Ave"}})

    with override_settings(PORCHLIGHT_GEOCODER=f"nominatim:http://127.0.0.1:{free_port()}"):
        status = delivery_process(delivery_id=located.pk)

    address.refresh_from_db()
    assert status == DeliveryStatus.PROCESSED
    assert (address.status, address.error, address.incident_id) == (DeliveryStatus.ACCEPTED, "", None)
    assert not _owed_delivered(address)
