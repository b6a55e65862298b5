"""Periodic work on the registry, per department (the tenant-aware beat runs it in each)."""

from celery import shared_task

from . import suspensions
from .anomalies import anomalies_catch_up
from .area_rollups import area_rollups_catch_up
from .department import camera_import_run

# The owner's access digest tasks live beside the notices they send (cameras/digest.py);
# importing them here registers them with the worker, which loads every app's tasks module.
from .digest import access_digest_send, access_notice_send

__all__ = [
    "access_digest_send",
    "access_notice_send",
    "anomalies_catch_up_task",
    "area_rollups_catch_up_task",
    "camera_import_run_task",
    "suspensions_expire",
]


@shared_task(name="cameras.tasks.suspensions_expire")
def suspensions_expire() -> int:
    """Resume the timed pauses whose end has come (suspensions.suspensions_expire)."""
    return suspensions.suspensions_expire()


@shared_task(name="cameras.tasks.area_rollups_catch_up")
def area_rollups_catch_up_task() -> int:
    """The oversight figures by police area, caught up with the log (cameras.area_rollups)."""
    return area_rollups_catch_up()


@shared_task(name="cameras.tasks.anomalies_catch_up")
def anomalies_catch_up_task() -> int:
    """The oversight board's anomaly queue, caught up with the log (cameras.anomalies)."""
    return anomalies_catch_up()


# acks_late (the project's default) with a job that is running: a redelivered message finds it
# not queued and does nothing.
@shared_task(name="cameras.tasks.camera_import_run")
def camera_import_run_task(*, job_id: int) -> int | None:
    """Check and store one file of the department's own cameras (cameras.department)."""
    job = camera_import_run(job_id=job_id)
    return None if job is None else job.rows_created
