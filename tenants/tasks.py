"""Periodic platform work (the beat runs it once, in the public schema)."""

from celery import shared_task

from tenants.outbox import outbox_sweep as outbox_sweep_service


@shared_task(name="tenants.tasks.outbox_sweep")
def outbox_sweep() -> int:
    """Publish every department's owed tasks that the broker never got (tenants.outbox.outbox_sweep)."""
    return outbox_sweep_service()
