"""Keeping the stored compliance current (compliance.records; docs/compliance-dashboard.md).

Both tasks run in the department's schema (tenant-schemas-celery's header, set by the outbox
or by the tenant-aware beat), are idempotent (they recompute and replace rows) and write no
history (the rows are derived data)."""

from celery import shared_task

from tenants.outbox import OutboxTask

from .records import records_refresh


@shared_task(base=OutboxTask, name="compliance.tasks.site_compliance_refresh")
def site_compliance_refresh(site_ids: list[int]) -> int:
    """Recompute the stored compliance of these sites after a change to one of them."""
    return records_refresh(site_ids=site_ids)


@shared_task(base=OutboxTask, name="compliance.tasks.compliance_refresh_all")
def compliance_refresh_all() -> int:
    """Recompute every site's stored compliance: after an ordinance change, and nightly."""
    return records_refresh()
