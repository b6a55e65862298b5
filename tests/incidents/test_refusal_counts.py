"""Refusal counts per integration outlive Redis: each refusal is counted in Redis at once, and
the count is carried into the database (incidents.IntegrationRefusal) at most once a minute per
integration and reason, by the first refusal of that minute; the integration's page shows the
stored count plus what Redis holds. A Redis restart loses at most the refusals not yet carried."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache

from accounts.models import Role
from incidents import limits
from incidents.limits import refusals_of
from incidents.models import Integration, IntegrationRefusal

pytestmark = pytest.mark.django_db

PAYLOAD = {"id": "CAD-R-1", "occurred_at": "2026-12-07T12:00:00Z", "location": {"lat": 34.1, "lon": -117.38}}
WRONG = {"HTTP_X_PORCHLIGHT_SIGNATURE": "sha256=" + "3" * 64}


def _redis_restarted(integration: Integration) -> None:
    """What a Redis restart without persistence does to this integration's counters."""
    _minute_turned(integration)
    cache.delete_many([limits.refusal_pending_key(integration, reason) for reason in limits.REFUSAL_REASONS])


def _minute_turned(integration: Integration) -> None:
    cache.delete_many([limits.refusal_carried_key(integration, reason) for reason in limits.REFUSAL_REASONS])


def _stored(integration: Integration) -> dict[str, int]:
    return dict(IntegrationRefusal.objects.filter(integration=integration).values_list("reason", "count"))


def test_the_first_refusal_of_a_minute_is_stored_and_the_rest_wait_in_redis(
    cad: tuple[Integration, str], send: Callable[..., Any]
) -> None:
    integration, secret = cad

    for _ in range(3):
        send(integration, secret, PAYLOAD, **WRONG)

    assert _stored(integration) == {"signature_invalid": 1}
    assert refusals_of(integration=integration) == {"signature_invalid": 3}


def test_the_next_minutes_first_refusal_carries_what_waited(
    cad: tuple[Integration, str], send: Callable[..., Any]
) -> None:
    integration, secret = cad
    for _ in range(3):
        send(integration, secret, PAYLOAD, **WRONG)
    _minute_turned(integration)

    send(integration, secret, PAYLOAD, **WRONG)

    assert _stored(integration) == {"signature_invalid": 4}
    assert refusals_of(integration=integration) == {"signature_invalid": 4}


def test_counts_carried_to_the_database_survive_a_redis_restart_and_show_on_the_page(
    cad: tuple[Integration, str], send: Callable[..., Any], logged_in_staff: Any
) -> None:
    integration, secret = cad
    send(integration, secret, PAYLOAD, **WRONG)
    send(integration, secret, PAYLOAD, HTTP_X_PORCHLIGHT_TIMESTAMP="1")
    _minute_turned(integration)
    send(integration, secret, PAYLOAD, **WRONG)
    client, _admin = logged_in_staff(Role.DEPT_ADMIN)

    _redis_restarted(integration)

    page = client.get(f"/console/integrations/{integration.public_id}/").content.decode()
    listing = client.get("/console/integrations/").content.decode()
    assert refusals_of(integration=integration) == {"timestamp_stale": 1, "signature_invalid": 2}
    refusals = page[page.index('id="refusals"') : page.index('id="deliveries"')]
    assert "(<code>signature_invalid</code>)</td><td>2</td>" in refusals
    assert "(<code>timestamp_stale</code>)</td><td>1</td>" in refusals
    assert re.search(rf"{integration.public_id}/\">{integration.name}</a>.*?<td>3</td></tr>", listing, re.S)


def test_the_list_of_integrations_reads_the_counts_in_one_query_whatever_their_number(
    cad: tuple[Integration, str], send: Callable[..., Any], logged_in_staff: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .conftest import integration_make

    client, _admin = logged_in_staff(Role.DEPT_ADMIN)
    integration, secret = cad
    send(integration, secret, PAYLOAD, **WRONG)
    with CaptureQueriesContext(connection) as few:
        client.get("/console/integrations/")
    for n in range(3):
        more, more_secret = integration_make(name=f"More CAD {n}")
        send(more, more_secret, PAYLOAD, **WRONG)

    with CaptureQueriesContext(connection) as many:
        client.get("/console/integrations/")

    assert len(many.captured_queries) == len(few.captured_queries)
