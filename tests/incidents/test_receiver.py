"""The receiver of signed deliveries: what it accepts (202, a stored delivery, its processing
owed after the commit) and each way it refuses, with the reason named, logged and counted."""

import json
import logging
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import override_settings
from django_tenants.utils import tenant_context

from audit.models import AccessEvent
from config.celery import app
from incidents import services
from incidents.limits import refusals_of
from incidents.models import Delivery, DeliveryStatus, Incident, Integration
from tenants.models import OutboxMessage

from .conftest import admin_actor, events_url, integration_make, post_signed, signed_headers

pytestmark = pytest.mark.django_db

PAYLOAD = {"id": "CAD-26-001", "occurred_at": "2026-12-07T12:00:00Z", "location": {"lat": 34.1, "lon": -117.38}}


def test_a_signed_delivery_is_stored_and_answered_202_with_its_id(
    cad: tuple[Integration, str], send: Callable[..., Any]
) -> None:
    integration, secret = cad

    response = send(integration, secret, PAYLOAD)

    assert response.status_code == 202, response.content
    delivery = Delivery.objects.get(pk=response.json()["delivery"])
    assert (delivery.integration_id, delivery.status, delivery.body) == (
        integration.pk,
        DeliveryStatus.ACCEPTED,
        PAYLOAD,
    )
    assert OutboxMessage.objects.filter(
        task_name="incidents.tasks.delivery_process_task", kwargs={"delivery_id": delivery.pk}
    ).exists()


def _refused(response: Any, status: int, reason: str) -> None:
    assert response.status_code == status, response.content
    assert response.json()["reason"] == reason, response.json()
    assert response.json()["detail"]


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"HTTP_X_PORCHLIGHT_SIGNATURE": "sha256=" + "0" * 64}, "signature_invalid"),
        ({"HTTP_X_PORCHLIGHT_SIGNATURE": ""}, "signature_missing"),
        ({"HTTP_X_PORCHLIGHT_SIGNATURE": "md5=abc"}, "signature_missing"),
        ({"HTTP_X_PORCHLIGHT_TIMESTAMP": ""}, "timestamp_missing"),
        ({"HTTP_X_PORCHLIGHT_TIMESTAMP": "yesterday"}, "timestamp_missing"),
    ],
)
def test_a_delivery_without_a_valid_signature_is_refused_401_naming_why(
    cad: tuple[Integration, str], send: Callable[..., Any], headers: dict[str, str], reason: str
) -> None:
    integration, secret = cad

    response = send(integration, secret, PAYLOAD, **headers)

    _refused(response, 401, reason)
    assert not Delivery.objects.filter(integration=integration).exists()


def test_a_delivery_signed_with_another_secret_is_refused(
    cad: tuple[Integration, str], send: Callable[..., Any]
) -> None:
    integration, _secret = cad
    _other, other_secret = integration_make(name="Another sender")

    response = send(integration, other_secret, PAYLOAD)

    _refused(response, 401, "signature_invalid")


def test_a_body_changed_after_signing_is_refused(cad: tuple[Integration, str], rialto_client: Any) -> None:
    integration, secret = cad
    body = json.dumps(PAYLOAD).encode()
    headers = signed_headers(secret, body)

    response = rialto_client.post(
        events_url(integration),
        data=body.replace(b"CAD-26-001", b"CAD-26-002"),
        content_type="application/json",
        **headers,
    )

    _refused(response, 401, "signature_invalid")


# 310, not 301: the timestamp is whole seconds (truncated), so +301 is within 300 s of the check
# whenever the second's fraction and the request's own time add up to a second (seen under load).
@pytest.mark.parametrize("offset", [-310, 310, -3600, 86400])
def test_a_delivery_signed_outside_five_minutes_either_way_is_refused_as_stale(
    cad: tuple[Integration, str], rialto_client: Any, offset: int
) -> None:
    integration, secret = cad
    body = json.dumps(PAYLOAD).encode()

    response = rialto_client.post(
        events_url(integration),
        data=body,
        content_type="application/json",
        **signed_headers(secret, body, timestamp=int(time.time()) + offset),
    )

    _refused(response, 401, "timestamp_stale")


@pytest.mark.parametrize("offset", [-290, 290])
def test_a_delivery_signed_within_five_minutes_is_accepted(
    cad: tuple[Integration, str], rialto_client: Any, offset: int
) -> None:
    integration, secret = cad
    body = json.dumps(PAYLOAD).encode()

    response = rialto_client.post(
        events_url(integration),
        data=body,
        content_type="application/json",
        **signed_headers(secret, body, timestamp=int(time.time()) + offset),
    )

    assert response.status_code == 202


def test_the_same_signed_delivery_sent_again_is_refused_as_a_replay(
    cad: tuple[Integration, str], rialto_client: Any
) -> None:
    integration, secret = cad
    body = json.dumps(PAYLOAD).encode()
    headers = signed_headers(secret, body)
    first = rialto_client.post(events_url(integration), data=body, content_type="application/json", **headers)

    again = rialto_client.post(events_url(integration), data=body, content_type="application/json", **headers)

    assert first.status_code == 202
    _refused(again, 401, "replayed")
    assert Delivery.objects.filter(integration=integration).count() == 1


def test_an_integration_of_another_department_is_not_found(fontana: Any, rialto_client: Any, in_rialto: Any) -> None:
    with tenant_context(fontana):
        fontanas, secret = integration_make(name="Fontana CAD")

    response = post_signed(rialto_client, fontanas, secret, PAYLOAD)

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/integrations/00000000-0000-0000-0000-000000000000/events/",
        "/api/v1/integrations/not-a-uuid/events/",
    ],
)
def test_an_unknown_integration_is_not_found(in_rialto: Any, rialto_client: Any, path: str) -> None:
    response = rialto_client.post(path, data=b"{}", content_type="application/json")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_deactivated_integration_refuses_deliveries_403(
    cad: tuple[Integration, str], send: Callable[..., Any]
) -> None:
    integration, secret = cad
    services.integration_set_active(actor=admin_actor(), integration=integration, active=False)

    response = send(integration, secret, PAYLOAD)

    _refused(response, 403, "inactive")
    assert "deactivated" in response.json()["detail"]


@override_settings(PORCHLIGHT_INTEGRATION_MAX_BODY_BYTES=1024)
def test_a_body_over_the_limit_is_refused_413(cad: tuple[Integration, str], send: Callable[..., Any]) -> None:
    integration, secret = cad

    response = send(integration, secret, {**PAYLOAD, "details": {"note": "x" * 2000}})

    _refused(response, 413, "too_large")
    assert response.json()["code"] == "payload_too_large"


def test_a_64_kb_limit_applies_by_default(cad: tuple[Integration, str], send: Callable[..., Any]) -> None:
    integration, secret = cad

    response = send(integration, secret, {**PAYLOAD, "padding": "x" * 65536})

    _refused(response, 413, "too_large")


@pytest.mark.parametrize(
    "body", [b"{not json", b"[1, 2]", b'{"x": NaN}', b'{"x": "\\u0000"}', b'{"x": "\\ud800"}', b"\xff\xfe"]
)
def test_a_body_that_is_not_a_json_object_is_refused_400(
    cad: tuple[Integration, str], send: Callable[..., Any], body: bytes
) -> None:
    integration, secret = cad

    response = send(integration, secret, body)

    _refused(response, 400, "invalid_json")
    assert not Delivery.objects.filter(integration=integration).exists()


def test_deliveries_beyond_the_rate_per_minute_are_refused_429_with_retry_after(
    cad: tuple[Integration, str], send: Callable[..., Any]
) -> None:
    integration, secret = cad
    Integration.objects.filter(pk=integration.pk).update(rate_per_minute=3)
    integration.refresh_from_db()
    accepted = [send(integration, secret, {**PAYLOAD, "id": f"CAD-{n}"}).status_code for n in range(3)]

    refused = send(integration, secret, {**PAYLOAD, "id": "CAD-4"})

    assert accepted == [202, 202, 202]
    _refused(refused, 429, "rate_limited")
    assert 1 <= int(refused["Retry-After"]) <= 60


def test_unsigned_posts_do_not_use_up_the_senders_rate(cad: tuple[Integration, str], send: Callable[..., Any]) -> None:
    integration, secret = cad
    Integration.objects.filter(pk=integration.pk).update(rate_per_minute=2)
    integration.refresh_from_db()
    for _ in range(5):
        send(integration, secret, PAYLOAD, HTTP_X_PORCHLIGHT_SIGNATURE="sha256=" + "1" * 64)

    response = send(integration, secret, PAYLOAD)

    assert response.status_code == 202


def test_replayed_deliveries_do_not_use_up_the_senders_rate(cad: tuple[Integration, str], rialto_client: Any) -> None:
    integration, secret = cad
    Integration.objects.filter(pk=integration.pk).update(rate_per_minute=2)
    integration.refresh_from_db()
    body = json.dumps(PAYLOAD).encode()
    headers = signed_headers(secret, body)
    first = rialto_client.post(events_url(integration), data=body, content_type="application/json", **headers)
    replays = [
        rialto_client.post(events_url(integration), data=body, content_type="application/json", **headers)
        for _ in range(4)
    ]

    fresh = post_signed(rialto_client, integration, secret, {**PAYLOAD, "id": "CAD-FRESH"})

    assert first.status_code == 202
    assert [r.json()["reason"] for r in replays] == ["replayed"] * 4
    assert fresh.status_code == 202, fresh.content
    assert refusals_of(integration=integration) == {"replayed": 4}


def test_a_replay_redis_forgot_is_refused_by_the_store_and_gives_its_count_back(
    cad: tuple[Integration, str], rialto_client: Any
) -> None:
    integration, secret = cad
    Integration.objects.filter(pk=integration.pk).update(rate_per_minute=2)
    integration.refresh_from_db()
    body = json.dumps(PAYLOAD).encode()
    headers = signed_headers(secret, body)
    first = rialto_client.post(events_url(integration), data=body, content_type="application/json", **headers)
    signature = headers["HTTP_X_PORCHLIGHT_SIGNATURE"].removeprefix("sha256=")
    replays = []
    for _ in range(3):
        cache.delete(f"incidents:seen:{integration.public_id}:{signature}")  # as after a Redis restart
        replays.append(
            rialto_client.post(events_url(integration), data=body, content_type="application/json", **headers)
        )

    fresh = post_signed(rialto_client, integration, secret, {**PAYLOAD, "id": "CAD-FRESH"})

    assert first.status_code == 202
    assert [r.json()["reason"] for r in replays] == ["replayed"] * 3
    assert fresh.status_code == 202, fresh.content
    assert Delivery.objects.filter(integration=integration).count() == 2


def test_refusals_are_logged_and_counted_but_not_written_to_the_access_log(
    cad: tuple[Integration, str], send: Callable[..., Any], caplog: pytest.LogCaptureFixture
) -> None:
    integration, secret = cad
    events_before = AccessEvent.objects.count()

    with caplog.at_level(logging.WARNING, logger="porchlight.incidents"):
        for _ in range(3):
            send(integration, secret, PAYLOAD, HTTP_X_PORCHLIGHT_SIGNATURE="sha256=" + "1" * 64)
        send(integration, secret, PAYLOAD, HTTP_X_PORCHLIGHT_TIMESTAMP="1")

    assert refusals_of(integration=integration) == {"timestamp_stale": 1, "signature_invalid": 3}
    assert AccessEvent.objects.count() == events_before
    refused = [r for r in caplog.records if r.getMessage() == "integration delivery refused"]
    assert [getattr(r, "reason", None) for r in refused] == ["signature_invalid"] * 3 + ["timestamp_stale"]
    assert all(getattr(r, "integration", None) == str(integration.public_id) for r in refused)


def test_a_get_is_answered_405(cad: tuple[Integration, str], rialto_client: Any) -> None:
    integration, _secret = cad

    response = rialto_client.get(events_url(integration))

    assert (response.status_code, response["Allow"]) == (405, "POST")


def test_the_previous_secret_is_accepted_during_the_rotation_grace_only(
    cad: tuple[Integration, str], send: Callable[..., Any]
) -> None:
    integration, old_secret = cad
    integration, new_secret = services.integration_rotate(actor=admin_actor(), integration=integration)

    during_grace = send(integration, old_secret, {**PAYLOAD, "id": "A"})
    with_new = send(integration, new_secret, {**PAYLOAD, "id": "B"})
    Integration.objects.filter(pk=integration.pk).update(previous_secret_valid_until="2000-01-01T00:00:00Z")
    integration.refresh_from_db()
    after_grace = send(integration, old_secret, {**PAYLOAD, "id": "C"})

    assert (during_grace.status_code, with_new.status_code) == (202, 202)
    _refused(after_grace, 401, "signature_invalid")


def test_the_receiver_only_stores_the_delivery_and_makes_no_incident_itself(
    cad: tuple[Integration, str], send: Callable[..., Any], django_assert_max_num_queries: Any
) -> None:
    integration, secret = cad

    # the integration, the delivery and its outbox row (with their savepoints), nothing more
    with django_assert_max_num_queries(8):
        response = send(integration, secret, PAYLOAD)

    assert response.status_code == 202
    assert not Incident.objects.filter(integration=integration).exists()


def _waiting(queue: str) -> int:
    """Messages waiting on a queue of the tests' broker (Redis: a list named after the queue)."""
    with app.connection_for_write() as broker:
        return int(broker.default_channel.client.llen(queue))


def test_a_delivery_waits_for_the_intake_workers_on_a_queue_of_its_own(
    cad: tuple[Integration, str], send: Callable[..., Any], not_eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    # given no task waiting on either queue
    integration, secret = cad
    app.control.purge()

    # when a delivery is accepted and its transaction commits (the outbox publishes it)
    with django_capture_on_commit_callbacks(execute=True):
        response = send(integration, secret, PAYLOAD)

    # then its processing waits on the intake queue, not behind the general workers' tasks
    waiting = {"intake": _waiting("intake"), "celery": _waiting("celery")}
    app.control.purge()
    assert response.status_code == 202
    assert waiting == {"intake": 1, "celery": 0}


def test_after_its_commit_the_receiver_only_publishes_the_delivery_and_writes_nothing_more(
    cad: tuple[Integration, str], send: Callable[..., Any], not_eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    # given a sender's delivery
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    integration, secret = cad
    app.control.purge()

    # when it is accepted and its transaction commits (the outbox publishes its task)
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = send(integration, secret, PAYLOAD)
    waiting = _waiting("intake")
    app.control.purge()

    # then its task was published, and no statement noted it (a commit of its own per delivery,
    # at 50 a second): the worker's claim or, for a worker far behind, the sweep settles the row
    writes = [q["sql"].split()[0] for q in queries.captured_queries if q["sql"].startswith(("INSERT", "UPDATE"))]
    assert response.status_code == 202
    assert len(callbacks) == 1
    assert waiting == 1
    assert writes == ["INSERT", "INSERT"]
