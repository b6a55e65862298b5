"""Celery tasks of compliance. The tenant travels in the task's headers (tenant-schemas-celery)."""

from celery import shared_task

from .licences.notices import licence_invitation_email_send
from .licences.services import licence_import_run

__all__ = ["licence_import_run_task", "licence_invitation_email_send"]


# acks_late (the project's default) with a job that is RUNNING: a redelivered message finds
# it not queued and does nothing; the page offers to run a stopped job again.
@shared_task(name="compliance.tasks.licence_import_run")
def licence_import_run_task(*, job_id: int) -> int | None:
    """Import one licence file (compliance.licences.services.licence_import_run)."""
    job = licence_import_run(job_id=job_id)
    return None if job is None else job.rows_done
