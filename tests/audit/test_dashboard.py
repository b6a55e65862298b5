"""The board's dashboard: its figures come from the rollups, every reading is logged, and
anyone who is not an audit reader gets a 404 (also logged)."""

from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.models import Role
from audit.models import AccessEvent
from audit.rollups import department_time_zone
from audit.services import ActorSnapshot, EventFacts, PurposeSnapshot, access_event_record
from tests.conftest import TenantClient
from tests.factories import UserFactory
from tests.tenancy import connection


def _last() -> AccessEvent:
    return AccessEvent.objects.order_by("-seq").first()  # type: ignore[return-value]


def _event(action: str, outcome: str = "allowed", reason: str = "ok", **facts: Any) -> None:
    category = facts.pop("category", "")
    access_event_record(
        actor=ActorSnapshot(user_id=1),
        facts=EventFacts(action, outcome, reason, **facts),
        purpose=PurposeSnapshot(category=category),
    )


def test_the_board_sees_the_dashboard_and_its_reading_is_logged(logged_in_staff: Any) -> None:
    client, user = logged_in_staff(Role.OVERSIGHT)
    _event("search", category="violent_crime")
    _event("live_end", reason="viewer_left", quantity=600)
    _event("live_start", "denied", "no_grant")

    response = client.get("/oversight/dashboard/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "<svg" in body
    assert "Violent crime" in body
    assert "no_grant" in body
    assert "Answered with footage" in body  # footage's counts, offered to the log's page (audit.figures)
    assert (_last().action, _last().outcome, _last().actor_id) == ("audit_read", "allowed", user.pk)
    assert _last().details["page"] == "dashboard"


@pytest.mark.parametrize("role", [Role.OFFICER, Role.RESIDENT, Role.BUSINESS, Role.SUPERVISOR, Role.DEPT_ADMIN])
def test_anyone_else_gets_a_404_and_the_attempt_is_logged(
    in_rialto: Any, rialto_client: TenantClient, logged_in_staff: Any, role: str
) -> None:
    if role in (Role.OFFICER, Role.SUPERVISOR, Role.DEPT_ADMIN):
        client, user = logged_in_staff(role)
    else:
        user = UserFactory(role=role)
        rialto_client.force_login(user)
        client = rialto_client

    response = client.get("/oversight/dashboard/")

    assert response.status_code == 404
    assert (_last().action, _last().outcome, _last().reason, _last().actor_id) == (
        "audit_read",
        "denied",
        "role_not_permitted",
        user.pk,
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("year=20x5", "The year must be four digits"),
        ("year=1999", "The year must be between"),
        ("year=2999", "The year must be between"),
        ("month=13", "The month must be a number from 1 to 12"),
        ("month=-1", "The month must be a number from 1 to 12"),
        ("colour=red", "Unknown filter: colour"),
    ],
)
def test_bad_filters_get_a_clear_message(logged_in_staff: Any, query: str, message: str) -> None:
    client, _ = logged_in_staff(Role.OVERSIGHT)

    response = client.get(f"/oversight/dashboard/?{query}")

    assert response.status_code == 400
    assert message in response.content.decode()
    assert (_last().action, _last().outcome, _last().reason) == ("audit_read", "denied", "invalid_filter")


def test_a_month_shows_its_days(logged_in_staff: Any) -> None:
    client, _ = logged_in_staff(Role.OVERSIGHT)
    today = timezone.localdate(timezone=ZoneInfo(department_time_zone()))  # the department's day
    _event("search", category="property_crime")

    response = client.get(f"/oversight/dashboard/?year={today.year}&month={today.month}")

    assert response.status_code == 200
    assert f">{today.day}</th>" in response.content.decode()


def test_the_dashboard_reads_no_more_queries_as_the_log_grows(
    logged_in_staff: Any, django_assert_max_num_queries: Any
) -> None:
    client, _ = logged_in_staff(Role.OVERSIGHT)
    for _ in range(30):
        _event("search", category="violent_crime")

    with django_assert_max_num_queries(30):
        response = client.get("/oversight/dashboard/")

    assert response.status_code == 200


def test_one_departments_dashboard_never_counts_anothers(
    logged_in_staff: Any, in_fontana: Any, fontana: Any, rialto: Any
) -> None:
    from django_tenants.utils import tenant_context

    with tenant_context(fontana):
        for _ in range(7):
            _event("search", category="missing_person")
    with tenant_context(rialto):
        client, _ = logged_in_staff(Role.OVERSIGHT)
        connection.set_tenant(rialto)

        response = client.get("/oversight/dashboard/")

    assert "Missing person" not in response.content.decode()


def test_a_changed_time_zone_is_flagged_until_the_figures_are_recounted(logged_in_staff: Any) -> None:
    from audit.rollups import rollups_rebuild
    from cameras.area_rollups import area_rollups_catch_up

    client, _ = logged_in_staff(Role.OVERSIGHT)
    _event("search")
    area_rollups_catch_up()  # counted in Los Angeles time
    department = connection.tenant
    type(department).objects.filter(pk=department.pk).update(time_zone="America/New_York")
    department.time_zone = "America/New_York"

    flagged = client.get("/oversight/dashboard/").content.decode()
    rollups_rebuild()
    recounted = client.get("/oversight/dashboard/").content.decode()

    assert "time-zone-changed" in flagged
    assert "time-zone-changed" not in recounted
