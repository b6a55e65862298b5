"""core.sql.CompiledQuery: SQL compiled once from the ORM, run in whichever schema is active."""

from typing import Any

import pytest
from django_tenants.utils import tenant_context

from accounts.models import Role, User
from core.sql import CompiledQuery
from tenants.models import Department, DepartmentPolicy
from tests.factories import UserFactory
from tests.tenancy import connection

pytestmark = pytest.mark.django_db


def test_compiled_query_returns_what_the_orm_returns(rialto: Department) -> None:
    query = CompiledQuery(
        lambda pk: DepartmentPolicy.objects.filter(department_id=pk).values_list("purpose_categories")
    )

    row = query.first(rialto.pk)

    assert row == DepartmentPolicy.objects.filter(department_id=rialto.pk).values_list("purpose_categories").first()


def test_one_compiled_query_reads_each_departments_own_schema(rialto: Department, fontana: Department) -> None:
    # given a user with the same e-mail in both departments
    query = CompiledQuery(lambda email: User.objects.filter(email=email).values_list("full_name"))
    with tenant_context(rialto):
        UserFactory(email="same@example.org", full_name="Rialto person", role=Role.RESIDENT)
        from_rialto = query.first("same@example.org")
    with tenant_context(fontana):
        UserFactory(email="same@example.org", full_name="Fontana person", role=Role.RESIDENT)

        # when the same compiled query runs in Fontana
        from_fontana = query.first("same@example.org")

    # then each saw its own row, not the one of the schema it was compiled in
    assert (from_rialto, from_fontana) == (("Rialto person",), ("Fontana person",))


def test_a_query_whose_parameters_the_orm_changes_is_refused_on_first_use(rialto: Department) -> None:
    query = CompiledQuery(lambda pk: DepartmentPolicy.objects.filter(department_id=pk + 1).values_list("id"))

    with pytest.raises(RuntimeError, match="expected exactly"):
        query.first(rialto.pk)


def test_missing_row_is_none_and_wrong_arity_is_an_error(rialto: Department) -> None:
    query = CompiledQuery(lambda pk: DepartmentPolicy.objects.filter(department_id=pk).values_list("id"))

    assert query.first(-1) is None
    assert query.all(-1) == []
    with pytest.raises(TypeError):
        query.first(1, 2)


def test_the_compiled_sql_names_no_schema(rialto: Department, in_rialto: Any) -> None:
    query = CompiledQuery(lambda email: User.objects.filter(email=email).values_list("id"))
    query.first("nobody@example.org")

    assert "rialto" not in (query._sql or "")
    assert connection.schema_name == "rialto"
