"""An import of the department's own cameras runs in a real Celery worker, in the department
that uploaded it (the task carries the tenant), and stores every row or none."""

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


def rows(tag: str, count: int) -> str:
    # Fontana, a grid of points inside its boundary.
    return "".join(
        f"W{tag} {n},{34.10 + (n % 50) * 0.0005:.5f},{-117.45 - (n // 50) * 0.0005:.5f},{n % 360},90,50,\n"
        for n in range(count)
    )


def run_import(tag: str, text: str) -> dict[str, Any]:
    def start() -> Any:
        from accounts.models import Role
        from cameras.department import camera_import_create
        from tests.factories import UserFactory

        admin = UserFactory(role=Role.DEPT_ADMIN, email=f"worker-{tag}@example.org")
        return camera_import_create(actor=admin, upload=SimpleUploadedFile("cams.csv", text.encode())).pk

    job_pk = in_department("fontana", start)

    def job_state() -> Any:
        from cameras.models import DepartmentCameraImport

        return DepartmentCameraImport.objects.values("status", "rows_total", "rows_created", "errors").get(pk=job_pk)

    deadline = time.monotonic() + 120
    state = in_department("fontana", job_state)
    while state["status"] in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.2)
        state = in_department("fontana", job_state)
    return {**state, "pk": job_pk}


def stored(tag: str) -> int:
    from cameras.models import DepartmentCamera

    return DepartmentCamera.objects.filter(camera__label__startswith=f"W{tag} ").count()


def forget(tag: str) -> None:
    """Remove the committed rows, which later tests in Fontana would otherwise see."""
    from accounts.models import Role, User
    from cameras.models import Camera, DepartmentCamera, DepartmentCameraImport, Site

    cameras = list(Camera.objects.filter(label__startswith=f"W{tag} ").values_list("pk", "site_id"))
    DepartmentCamera.objects.filter(camera_id__in=[c for c, _ in cameras]).delete()
    Camera.objects.filter(pk__in=[c for c, _ in cameras]).delete()
    Site.objects.filter(pk__in=[s for _, s in cameras]).delete()
    DepartmentCameraImport.objects.filter(created_by__email=f"worker-{tag}@example.org").delete()
    User.objects.filter(email=f"worker-{tag}@example.org").delete()
    if not Site.objects.filter(owner__role=Role.DEPARTMENT).exists():
        User.objects.filter(role=Role.DEPARTMENT).delete()


def test_the_worker_stores_a_clean_file_in_the_department_that_uploaded_it(
    celery_worker: Path, not_eager: None
) -> None:
    tag = uuid.uuid4().hex[:8]
    header = "label,latitude,longitude,bearing,field_of_view,range,stream_url\n"

    state = run_import(tag, header + rows(tag, 250))

    counts = in_department("fontana", lambda: stored(tag)), in_department("rialto", lambda: stored(tag))
    in_department("fontana", lambda: forget(tag))
    assert (state["status"], state["rows_total"], state["rows_created"]) == ("done", 250, 250), state
    assert counts == (250, 0)


def test_the_worker_stores_nothing_when_one_row_is_bad(celery_worker: Path, not_eager: None) -> None:
    tag = uuid.uuid4().hex[:8]
    header = "label,latitude,longitude,bearing\n"
    text = (
        header
        + "".join(line.rsplit(",", 3)[0] + "\n" for line in rows(tag, 120).splitlines())
        + f"W{tag} bad,34.1,-117.45,360\n"
    )

    state = run_import(tag, text)

    count = in_department("fontana", lambda: stored(tag))
    in_department("fontana", lambda: forget(tag))
    assert state["status"] == "rejected", state
    assert [(e["row"], e["column"], e["problem"]) for e in state["errors"]] == [(122, "bearing", "bearing_range")]
    assert count == 0
