"""TENANT_LIMIT_SET_CALLS = True: the saving, and the safety after a savepoint rollback (#1262)."""

from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from tests.factories import UserFactory
from tests.tenancy import connection


def _set_statements(queries: list[dict[str, str]]) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith("SET search_path")]


def test_limit_set_calls_is_on() -> None:
    assert settings.TENANT_LIMIT_SET_CALLS is True


def test_a_typical_page_sets_the_search_path_once_per_schema_switch(in_rialto: Any, rialto_client: Any) -> None:
    rialto_client.force_login(UserFactory())

    with CaptureQueriesContext(connection) as captured:
        response = rialto_client.get("/api/v1/me/")

    statements = _set_statements(captured.captured_queries)
    assert response.status_code == 200
    # One for the public schema (host lookup), one for the tenant; then none per query.
    assert statements == ['SET search_path = "public"', 'SET search_path = "rialto","public"']
    assert len(captured.captured_queries) > len(statements) + 2


def test_no_query_after_a_rolled_back_savepoint_runs_in_another_schema(rialto: Any, fontana: Any) -> None:
    connection.set_tenant(fontana)
    UserFactory(email="only-in-fontana@example.org")
    connection.set_tenant(rialto)
    UserFactory(email="only-in-rialto@example.org")
    assert User.objects.filter(email="only-in-rialto@example.org").exists()  # search_path cached as rialto

    def switch_schemas_then_fail() -> None:
        with transaction.atomic():
            connection.set_tenant(fontana)
            User.objects.count()  # SET to fontana inside the savepoint
            connection.set_tenant(rialto)
            User.objects.count()  # SET back to rialto inside the savepoint ...
            connection.set_tenant(fontana)
            User.objects.count()  # ... and to fontana again, then roll the savepoint back:
            raise RuntimeError  # PostgreSQL reverts search_path to rialto; Django still says fontana

    with pytest.raises(RuntimeError):
        switch_schemas_then_fail()

    with connection.cursor() as cursor:
        cursor.execute("SHOW search_path")
        (path,) = cursor.fetchone()
    assert path.startswith("fontana")
    assert User.objects.filter(email="only-in-fontana@example.org").exists()
    assert not User.objects.filter(email="only-in-rialto@example.org").exists()


def test_cached_search_path_is_reissued_after_savepoint_rollback_in_the_same_tenant(rialto: Any, fontana: Any) -> None:
    # The exact #1262 shape: the SET issued inside the savepoint is undone by the
    # rollback, while the connection believes it is still in force.
    connection.set_tenant(rialto)
    User.objects.count()

    def switch_then_fail() -> None:
        with transaction.atomic():
            connection.set_tenant(fontana)
            User.objects.count()
            raise RuntimeError

    with pytest.raises(RuntimeError):
        switch_then_fail()

    with connection.cursor() as cursor:
        cursor.execute("SHOW search_path")
        (path,) = cursor.fetchone()
    assert path.startswith("fontana")
