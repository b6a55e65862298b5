"""Celery tasks of compliance; the tenant travels in the task's headers (tenant-schemas-celery).

Keeping the stored compliance current (compliance.records; docs/compliance-dashboard.md): both
refresh tasks run in the department's schema (tenant-schemas-celery's header, set by the outbox
or by the tenant-aware beat), are idempotent (they recompute and replace rows) and write no
history (the rows are derived data)."""

from celery import shared_task

from tenants.outbox import OutboxTask

from .licences.notices import licence_invitation_email_send
from .licences.services import licence_import_files_purge, licence_import_run, licences_rematch_site
from .records import records_refresh
from .reminders import reminders_send

__all__ = [
    "compliance_refresh_all",
    "compliance_reminders_send",
    "licence_import_files_purge_task",
    "licence_import_run_task",
    "licence_invitation_email_send",
    "licences_rematch_site_task",
    "site_compliance_refresh",
]


@shared_task(base=OutboxTask, name="compliance.tasks.site_compliance_refresh")
def site_compliance_refresh(site_ids: list[int]) -> int:
    """Recompute the stored compliance of these sites after a change to one of them."""
    return records_refresh(site_ids=site_ids)


@shared_task(base=OutboxTask, name="compliance.tasks.compliance_refresh_all")
def compliance_refresh_all() -> int:
    """Recompute every site's stored compliance: after an ordinance change, and nightly."""
    return records_refresh()


@shared_task(base=OutboxTask, name="compliance.tasks.licences_rematch_site_task")
def licences_rematch_site_task(*, site_id: int) -> int:
    """Match again the licences a site's change concerns (compliance.licences.services)."""
    return licences_rematch_site(site_id=site_id)


# acks_late (the project's default) with a job that is RUNNING: a redelivered message finds
# it not queued and does nothing; the page offers to run a stopped job again.
@shared_task(name="compliance.tasks.licence_import_run")
def licence_import_run_task(*, job_id: int) -> int | None:
    """Import one licence file (compliance.licences.services.licence_import_run)."""
    job = licence_import_run(job_id=job_id)
    return None if job is None else job.rows_done


# Beat, in every department's schema (config/settings: CELERY_BEAT_SCHEDULE).
@shared_task(name="compliance.tasks.reminders_send")
def compliance_reminders_send() -> int:
    """Attestations due in 30 and 7 days, and notices at their cure deadline (compliance.reminders)."""
    return reminders_send()


# Beat, in every department's schema (config/settings: CELERY_BEAT_SCHEDULE).
@shared_task(name="compliance.tasks.licence_import_files_purge")
def licence_import_files_purge_task() -> int:
    """Delete the files of licence imports left unfinished after their days (a finished import
    deletes its own; compliance.licences.services.licence_import_files_purge)."""
    return licence_import_files_purge()
