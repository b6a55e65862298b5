"""Celery app. tenant-schemas-celery puts the enqueuing schema in each task's headers
and the worker runs the task inside that schema."""

import os

from tenant_schemas_celery.app import CeleryApp as TenantAwareCeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = TenantAwareCeleryApp("porchlight")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
