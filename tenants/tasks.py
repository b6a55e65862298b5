"""Periodic platform work (the beat runs it once, in the public schema)."""

from celery import current_app, shared_task
from celery.exceptions import NotRegistered
from django_tenants.utils import schema_context

from tenants.outbox import outbox_sweep as outbox_sweep_service
from tenants.periodic import departments_with_work


@shared_task(name="tenants.tasks.outbox_sweep")
def outbox_sweep() -> int:
    """Publish every department's owed tasks that the broker never got (tenants.outbox.outbox_sweep)."""
    return outbox_sweep_service()


@shared_task(name="tenants.tasks.periodic_dispatch")
def periodic_dispatch(task_name: str) -> int:
    """Send the periodic task ``task_name`` to the departments that have work for it now
    (tenants.periodic); returns how many. Beat runs it in the public schema, in place of the
    tenant-aware scheduler's one task per department."""
    try:
        task = current_app.tasks[task_name]
    except NotRegistered:  # outside a worker the apps' tasks modules are found lazily: load them
        current_app.loader.import_default_modules()
        task = current_app.tasks[task_name]
    schemas = departments_with_work(task_name=task_name)
    for schema in schemas:
        # tenant-schemas-celery puts the current schema in the message's headers.
        with schema_context(schema):
            task.apply_async()
    return len(schemas)
