"""A licence import runs in a real Celery worker, in the department that started it: the
task carries the tenant (tenant-schemas-celery), and its progress is committed batch by batch."""

import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django_tenants.utils import tenant_context

from tenants.models import Department

pytestmark = [pytest.mark.django_db, pytest.mark.worker]


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


def test_the_worker_imports_the_file_in_the_department_that_uploaded_it(celery_worker: Path, not_eager: None) -> None:
    # given a Fontana administrator's file of 2,500 rows (three batches), mapped and started
    tag = uuid.uuid4().hex[:8]
    rows = "".join(f"W{tag}-{n},Shop {n},{n} Sierra Ave,Gas station,2026-05-01\n" for n in range(2500))
    text = "License No,Business Name,Address,License Type,Issue Date\n" + rows + f"W{tag}-1,Twice,1 A St,Bar,\n"

    def start() -> Any:
        from accounts.models import Role
        from compliance.licences import services
        from tests.factories import UserFactory

        admin = UserFactory(role=Role.DEPT_ADMIN)
        job = services.licence_import_create(
            actor=admin, upload=SimpleUploadedFile("city.csv", text.encode()), source="business_licence"
        )
        services.licence_import_map(
            job=job,
            mapping={"number": 0, "name": 1, "address": 2, "category": 3, "issued_on": 4},
            has_header=True,
            unknown_as_other=False,
        )
        return job.pk

    job_pk = in_department("fontana", start)

    # when the worker has run it
    def job_state() -> Any:
        from compliance.models import LicenceImportJob

        return LicenceImportJob.objects.values("status", "rows_done", "rows_total", "rows_bad", "errors").get(pk=job_pk)

    deadline = time.monotonic() + 120
    state = in_department("fontana", job_state)
    while state["status"] not in ("done", "failed") and time.monotonic() < deadline:
        time.sleep(0.2)
        state = in_department("fontana", job_state)

    # then Fontana has the licences, Rialto has none, and the bad row is reported by its line
    def count() -> int:
        from compliance.models import Licence

        return Licence.objects.filter(number__startswith=f"W{tag}-").count()

    counts = in_department("fontana", count), in_department("rialto", count)
    in_department("fontana", lambda: forget(tag, job_pk))
    assert state["status"] == "done", state
    assert (state["rows_total"], state["rows_done"], state["rows_bad"]) == (2501, 2501, 1)
    assert state["errors"][0]["line"] == 2502
    assert counts == (2500, 0)


def forget(tag: str, job_pk: int) -> None:
    """Remove the committed rows, which later tests in Fontana would otherwise list."""
    from compliance.models import Licence, LicenceImportJob

    Licence.objects.filter(number__startswith=f"W{tag}-").delete()
    Licence.history.filter(number__startswith=f"W{tag}-").delete()
    LicenceImportJob.objects.filter(pk=job_pk).delete()
