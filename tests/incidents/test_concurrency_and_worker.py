"""Against committed data: deliveries of one external id racing each other on their own
database connections make one incident, and a signed delivery posted to the receiver is
processed by a real Celery worker, in the department that received it."""

import datetime as dt
import functools
import json
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError, connection, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from config.celery import app
from tenants.models import Department

from .conftest import events_url, integration_make, signed_headers

pytestmark = pytest.mark.django_db


def in_department(schema: str, fn: Callable[[], Any]) -> Any:
    """Run ``fn`` committed, on a connection of its own, in ``schema``'s department."""

    def run() -> Any:
        try:
            with tenant_context(Department.objects.get(schema_name=schema)):
                return fn()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def forget(integration_pk: int) -> None:
    """Remove the committed rows (the access log's events stay: it is append-only)."""
    from incidents.models import Delivery, Incident, Integration

    Delivery.objects.filter(integration_id=integration_pk).delete()
    Incident.objects.filter(integration_id=integration_pk).delete()
    Incident.history.filter(integration_id=integration_pk).delete()
    Integration.objects.filter(pk=integration_pk).delete()
    Integration.history.filter(id=integration_pk).delete()


def _body(external_id: str, n: int) -> dict[str, Any]:
    return {
        "id": external_id,
        "occurred_at": (timezone.now() - dt.timedelta(minutes=1)).isoformat(),
        "priority": str(n),
        "location": {"lat": 34.1, "lon": -117.38},
    }


def test_deliveries_of_one_id_racing_on_their_own_connections_make_one_incident(not_eager: None) -> None:
    # given eight deliveries of the same CAD id, accepted and committed (no worker runs them)
    from incidents.intake import delivery_accept

    integration, _secret = in_department("rialto", lambda: integration_make(name=f"Race {uuid.uuid4().hex[:6]}"))
    external_id = f"RACE-{uuid.uuid4().hex[:8]}"

    def accept(n: int) -> int:
        delivery = delivery_accept(
            integration=integration,
            signature=uuid.uuid4().hex * 2,
            signed_at=timezone.now(),
            body=_body(external_id, n),
        )
        return delivery.pk

    delivery_ids = [in_department("rialto", functools.partial(accept, n)) for n in range(8)]
    app.control.purge()

    # when eight threads process them at the same moment
    from incidents.tasks import delivery_process

    barrier = threading.Barrier(len(delivery_ids))
    department = Department.objects.get(schema_name="rialto")

    def process(delivery_id: int) -> str:
        try:
            with tenant_context(department):
                barrier.wait(timeout=30)
                return delivery_process(delivery_id=delivery_id)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(delivery_ids)) as pool:
        statuses = list(pool.map(process, delivery_ids))

    # then every delivery made or updated the one incident
    def outcome() -> tuple[int, set[Any]]:
        from incidents.models import Delivery, Incident

        incidents = Incident.objects.filter(integration_id=integration.pk, external_id=external_id).count()
        linked = set(Delivery.objects.filter(pk__in=delivery_ids).values_list("incident_id", flat=True))
        return incidents, linked

    incidents, linked = in_department("rialto", outcome)
    in_department("rialto", lambda: forget(integration.pk))
    assert statuses == ["processed"] * 8
    assert incidents == 1
    assert len(linked) == 1
    assert None not in linked


@pytest.mark.worker
def test_a_signed_delivery_is_processed_by_the_worker_in_the_department_that_received_it(
    celery_worker: Path, not_eager: None
) -> None:
    # given a Fontana integration and a delivery signed with its secret, posted to Fontana's host
    from tests.conftest import TenantClient

    integration, secret = in_department("fontana", lambda: integration_make(name=f"Worker {uuid.uuid4().hex[:6]}"))
    external_id = f"W-{uuid.uuid4().hex[:8]}"
    body = json.dumps(
        {
            "id": external_id,
            "occurred_at": (timezone.now() - dt.timedelta(minutes=1)).isoformat(),
            "type": "Robbery",
            "location": {"lat": 34.1, "lon": -117.48},
        }
    ).encode()

    def post() -> Any:
        client: Any = TenantClient("fontana.localhost")
        return client.post(
            events_url(integration), data=body, content_type="application/json", **signed_headers(secret, body)
        )

    response = in_department("fontana", post)

    # when the worker has processed it
    def state() -> Any:
        from incidents.models import Delivery

        return Delivery.objects.values("status", "error", "incident__external_id").get(pk=response.json()["delivery"])

    deadline = time.monotonic() + 60
    found = in_department("fontana", state)
    while found["status"] == "accepted" and time.monotonic() < deadline:
        time.sleep(0.2)
        found = in_department("fontana", state)

    # then Fontana has the incident, Rialto none
    def count() -> int:
        from incidents.models import Incident

        return Incident.objects.filter(external_id=external_id).count()

    counts = in_department("fontana", count), in_department("rialto", count)
    in_department("fontana", lambda: forget(integration.pk))
    assert response.status_code == 202
    assert found == {"status": "processed", "error": "", "incident__external_id": external_id}
    assert counts == (1, 0)


def test_a_delivery_being_processed_holds_up_neither_the_receiver_nor_other_deliveries_of_its_integration(
    not_eager: None,
) -> None:
    # given two accepted deliveries of one integration, of two different ids, committed
    from incidents.intake import delivery_accept
    from incidents.tasks import delivery_process

    integration, _secret = in_department("rialto", lambda: integration_make(name=f"Side {uuid.uuid4().hex[:6]}"))

    def accept(external_id: str) -> int:
        return delivery_accept(
            integration=integration,
            signature=uuid.uuid4().hex * 2,
            signed_at=timezone.now(),
            body=_body(external_id, 1),
        ).pk

    first, second = (
        in_department("rialto", functools.partial(accept, f"SIDE-{n}-{uuid.uuid4().hex[:8]}")) for n in (1, 2)
    )
    app.control.purge()

    # when the first is processed in a transaction still open (as the worker's: OutboxTask marks
    # its outbox row delivered in the same transaction, after the work)
    department = Department.objects.get(schema_name="rialto")
    processed, release = threading.Event(), threading.Event()

    def hold() -> str:
        try:
            with tenant_context(department), transaction.atomic():
                status = delivery_process(delivery_id=first)
                processed.set()
                release.wait(timeout=30)
                return status
        finally:
            processed.set()
            connection.close()

    def within_two_seconds(fn: Callable[[], Any]) -> Callable[[], Any]:
        def run() -> Any:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '2s'")
            try:
                return fn()
            except OperationalError as exc:  # lock_timeout: it waited on the first one's locks
                return f"waited: {type(exc.__cause__).__name__}"

        return run

    with ThreadPoolExecutor(max_workers=1) as holder:
        held = holder.submit(hold)
        processed.wait(timeout=30)
        try:
            # then meanwhile the receiver stores a third delivery, and the second is processed
            third = in_department("rialto", within_two_seconds(lambda: accept(f"SIDE-3-{uuid.uuid4().hex[:8]}")))
            second_status = in_department("rialto", within_two_seconds(lambda: delivery_process(delivery_id=second)))
        finally:
            release.set()
        first_status = held.result(timeout=30)

    in_department("rialto", lambda: forget(integration.pk))
    assert first_status == "processed"
    assert isinstance(third, int), third
    assert second_status == "processed"


def test_a_batch_racing_single_deliveries_of_the_same_ids_makes_one_incident_per_id(not_eager: None) -> None:
    # given twelve ids, each sent twice, accepted and committed (no worker runs them)
    from incidents.intake import delivery_accept

    integration, _secret = in_department("rialto", lambda: integration_make(name=f"Batch {uuid.uuid4().hex[:6]}"))
    external_ids = [f"BR-{n}-{uuid.uuid4().hex[:8]}" for n in range(12)]

    def accept_all() -> list[int]:
        # One commit for all: a worker that another test started cannot take some of them
        # before the rest exist (it may take them all, before the purge below: then they race
        # it instead of each other).
        with transaction.atomic():
            return [
                delivery_accept(
                    integration=integration,
                    signature=uuid.uuid4().hex * 2,
                    signed_at=timezone.now(),
                    body=_body(external_id, n),
                ).pk
                for n in (1, 2)
                for external_id in external_ids
            ]

    delivery_ids = in_department("rialto", accept_all)
    app.control.purge()

    # when one thread processes the first copy of the first id in a batch that may take them
    # all, while six threads each process a second copy alone, all at the same moment
    from incidents.tasks import delivery_process

    department = Department.objects.get(schema_name="rialto")
    runs = [(delivery_ids[0], 50)] + [(delivery_ids[12 + n], 1) for n in range(0, 12, 2)]
    barrier = threading.Barrier(len(runs))

    def process(run: tuple[int, int]) -> str:
        try:
            with tenant_context(department):
                barrier.wait(timeout=30)
                return delivery_process(delivery_id=run[0], batch=run[1])
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(runs)) as pool:
        statuses = list(pool.map(process, runs))

    # then every id has one incident, which both of its deliveries name
    def outcome() -> tuple[dict[str, int], set[str], int]:
        from django.db.models import Count

        from incidents.models import Delivery, Incident

        per_id = dict(
            Incident.objects.filter(integration_id=integration.pk).values_list("external_id").annotate(n=Count("id"))
        )
        rows = Delivery.objects.filter(pk__in=delivery_ids).values_list("status", "body__id", "incident__external_id")
        mislinked = sum(1 for _status, sent, linked in rows if sent != linked)
        return per_id, {status for status, _sent, _linked in rows}, mislinked

    per_id, delivery_statuses, mislinked = in_department("rialto", outcome)
    in_department("rialto", lambda: forget(integration.pk))
    assert statuses == ["processed"] * len(runs)
    assert per_id == dict.fromkeys(external_ids, 1)
    assert delivery_statuses == {"processed"}
    assert mislinked == 0


def _worker_connections() -> list[tuple[int, Any]]:
    """The Celery worker's connections to the test database: (pid, started)."""
    from tests.conftest import WORKER_APPLICATION_NAME

    with connection.cursor() as cursor:
        # (The statistics views keep what a transaction first read of them: read them anew.)
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT pid, backend_start FROM pg_stat_activity WHERE datname = current_database()"
            " AND application_name = %s ORDER BY pid",
            [WORKER_APPLICATION_NAME],
        )
        return [(int(pid), started) for pid, started in cursor.fetchall()]


def _post_and_wait(integration: Any, secret: str, external_id: str) -> str:
    """Post a signed delivery to Rialto's receiver and wait (up to 60 s) for the worker's verdict."""
    from tests.conftest import TenantClient

    body = json.dumps(_body(external_id, 1)).encode()

    def post() -> Any:
        client: Any = TenantClient("rialto.localhost")
        return client.post(
            events_url(integration), data=body, content_type="application/json", **signed_headers(secret, body)
        )

    delivery_id = in_department("rialto", post).json()["delivery"]

    def state() -> str:
        from incidents.models import Delivery

        return str(Delivery.objects.values_list("status", flat=True).get(pk=delivery_id))

    deadline = time.monotonic() + 60
    status = in_department("rialto", state)
    while status == "accepted" and time.monotonic() < deadline:
        time.sleep(0.2)
        status = in_department("rialto", state)
    return status


@pytest.mark.worker
def test_the_worker_keeps_its_database_connection_from_one_task_to_the_next(
    celery_worker: Path, not_eager: None
) -> None:
    # given a delivery the worker processed
    integration, secret = in_department("rialto", lambda: integration_make(name=f"Keep {uuid.uuid4().hex[:6]}"))
    first = _post_and_wait(integration, secret, f"KEEP-1-{uuid.uuid4().hex[:8]}")
    after_first = _worker_connections()

    # when it processes the next one
    second = _post_and_wait(integration, secret, f"KEEP-2-{uuid.uuid4().hex[:8]}")
    after_second = _worker_connections()

    # then on the same connection (Celery's default for Django opened two per task)
    in_department("rialto", lambda: forget(integration.pk))
    assert (first, second) == ("processed", "processed")
    assert len(after_first) == 1
    assert after_second == after_first


@pytest.mark.worker
def test_a_worker_whose_database_connection_was_cut_processes_the_next_delivery(
    celery_worker: Path, not_eager: None
) -> None:
    # given a worker whose connection PostgreSQL ended (as a restart does) after a first delivery
    integration, secret = in_department("rialto", lambda: integration_make(name=f"Cut {uuid.uuid4().hex[:6]}"))
    first = _post_and_wait(integration, secret, f"CUT-1-{uuid.uuid4().hex[:8]}")
    cut = _worker_connections()
    with connection.cursor() as cursor:
        for pid, _started in cut:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])

    # when the next delivery arrives
    second = _post_and_wait(integration, secret, f"CUT-2-{uuid.uuid4().hex[:8]}")

    # then the worker checks its connection first, replaces it, and processes the delivery
    in_department("rialto", lambda: forget(integration.pk))
    assert first == "processed"
    assert len(cut) == 1
    assert second == "processed"
    assert [pid for pid, _started in _worker_connections()] != [pid for pid, _started in cut]
