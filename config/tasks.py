"""Enqueueing Celery tasks so they run after the commit, in the right tenant."""

from importlib import import_module
from typing import Any

from celery import Task
from django.db import transaction
from django_tenants.utils import tenant_context

from tenants.selectors import department_current


def enqueue_on_commit(task: Task, **kwargs: Any) -> None:
    """Send ``task`` once the current transaction commits, for the current tenant.

    The tenant is captured now: by the time the commit hook runs, the
    connection may have been switched to another schema.
    """
    tenant = department_current()

    def _send() -> None:
        with tenant_context(tenant):
            task.apply_async(kwargs=kwargs)

    # robust: the action has committed; a notice that cannot be queued (broker down) or,
    # with eager tasks, sent, is logged as an error rather than failing the request after it.
    transaction.on_commit(_send, robust=True)


def enqueue_named_on_commit(task_name: str, **kwargs: Any) -> None:
    """Like enqueue_on_commit, for a task named rather than imported.

    Lower layers use this to start work implemented above them (the gate asking the
    portal to notify owners) without importing upwards.
    """
    module, _, name = task_name.rpartition(".")
    task = getattr(import_module(module), name)  # registers it too, where nothing imported it yet
    enqueue_on_commit(task, **kwargs)
