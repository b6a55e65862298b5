"""Celery app. tenant-schemas-celery puts the enqueuing schema in each task's headers
and the worker runs the task inside that schema.

A task treats its database connection as Django treats one across requests: kept between
tasks for CONN_MAX_AGE (60 s in workers) and checked before use (CONN_HEALTH_CHECKS), instead
of Celery's default for Django, which closes every connection before and after each task.
That default cost each task two new PostgreSQL connections (pg_stat_database counted 1,202
sessions for 600 delivery tasks; ~20-35 ms each here, and PostgreSQL's catalog caches built
anew for every task), more than the task's own work (bench/README.md, incidents).
"""

import os
from typing import Any

from celery.signals import task_postrun
from django.db import close_old_connections
from tenant_schemas_celery.app import CeleryApp as TenantAwareCeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = TenantAwareCeleryApp("porchlight")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_postrun.connect(dispatch_uid="porchlight_connections_after_task")
def _connections_as_after_a_request(sender: Any = None, **kwargs: Any) -> None:
    """After each task, what Django does after each request: close a connection that is too
    old or was left in a transaction, and have the next use check the others first (a
    connection PostgreSQL dropped meanwhile, by a restart, is replaced before the next task's
    first query; tests/incidents/test_concurrency_and_worker.py). Not for a task run in-process
    (eager: a test, or the demo without Redis), whose connection is its caller's."""
    if sender is None or getattr(sender.request, "is_eager", False):
        return
    close_old_connections()
