"""The department's own account is made once, even by concurrent first callers (the partial
unique constraint on its role; accounts.services.department_account_ensure)."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from accounts.models import Role, User
from accounts.services import department_account_ensure
from tenants.models import Department

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


def test_concurrent_first_calls_make_one_department_account(django_db_setup: None) -> None:
    # given no department account yet in Fontana, and eight committed callers at once
    def existing() -> list[int]:
        return list(User.objects.filter(role=Role.DEPARTMENT).values_list("pk", flat=True))

    def without_sites() -> list[int]:
        # Committed by other tests' set-up, if any: an account that owns nothing is forgotten.
        User.objects.filter(role=Role.DEPARTMENT, sites__isnull=True).delete()
        return existing()

    before = in_department("fontana", without_sites)
    barrier = threading.Barrier(8)

    def call() -> int:
        try:
            with tenant_context(Department.objects.get(schema_name="fontana")):
                barrier.wait(timeout=10)
                return department_account_ensure(department=Department.objects.get(schema_name="fontana")).pk
        finally:
            connection.close()

    # when they all ask for the account
    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = {f.result() for f in [pool.submit(call) for _ in range(8)]}

    # then they all got the same one, and there is one
    after = in_department("fontana", existing)
    in_department("fontana", lambda: User.objects.filter(pk__in=set(after) - set(before)).delete())
    assert before == []
    assert len(ids) == 1
    assert len(after) == 1
