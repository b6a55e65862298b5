"""The oversight board reads the log (and that read is logged); the public sees the chain head."""

from typing import Any

import pytest
from django.db import connection

from accounts.models import Role
from audit.models import AccessEvent
from audit.services import ActorSnapshot, EventFacts, access_event_record
from tests.conftest import TenantClient
from tests.factories import UserFactory


def _last() -> AccessEvent:
    return AccessEvent.objects.order_by("-seq").first()  # type: ignore[return-value]


@pytest.mark.parametrize("role", [Role.OVERSIGHT, Role.DEPT_ADMIN, Role.SUPERVISOR])
def test_audit_readers_see_the_log_and_their_read_is_logged(logged_in_staff: Any, role: str) -> None:
    client, user = logged_in_staff(role)

    response = client.get("/oversight/")

    assert response.status_code == 200
    assert b"Integrity verified" in response.content
    assert (_last().action, _last().outcome, _last().actor_id) == ("audit_read", "allowed", user.pk)


def test_an_officer_cannot_read_the_log_and_the_attempt_is_logged(logged_in_staff: Any) -> None:
    client, _ = logged_in_staff(Role.OFFICER)

    response = client.get("/oversight/")

    assert response.status_code == 403
    assert (_last().action, _last().outcome) == ("audit_read", "denied")


def test_residents_cannot_read_the_log(in_rialto: Any, rialto_client: TenantClient) -> None:
    rialto_client.force_login(UserFactory(role=Role.RESIDENT))

    response = rialto_client.get("/oversight/")

    assert response.status_code == 403


def test_a_tampered_log_is_flagged_on_the_oversight_page(logged_in_staff: Any) -> None:
    client, _ = logged_in_staff(Role.OVERSIGHT)
    event = access_event_record(actor=ActorSnapshot(user_id=1), facts=EventFacts("search", "allowed", "ok"))
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_accessevent DISABLE TRIGGER USER")
        cursor.execute("UPDATE audit_accessevent SET quantity = 0 WHERE seq = %s", [event.seq])
        cursor.execute("ALTER TABLE audit_accessevent ENABLE TRIGGER USER")

    response = client.get("/oversight/")

    assert f"tampered with at event #{event.seq}".encode() in response.content


def test_the_public_portal_shows_the_chain_head(in_rialto: Any, rialto_client: TenantClient) -> None:
    event = access_event_record(actor=ActorSnapshot(user_id=1), facts=EventFacts("search", "allowed", "ok"))

    response = rialto_client.get("/")

    assert event.hash.encode() in response.content
