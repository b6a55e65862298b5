"""Reads on departments."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet
from django_tenants.utils import get_public_schema_name

from .models import Department, OutboxMessage


def department_current() -> Any:
    """The tenant the database connection is set to (a Department, or public's FakeTenant)."""
    return connection.tenant  # type: ignore[attr-defined]


def departments_listed() -> QuerySet[Department]:
    """Every department (not the public tenant), with its policy and domains."""
    return (
        Department.objects.exclude(schema_name=get_public_schema_name())
        .select_related("policy")
        .prefetch_related("domains")
        .order_by("name")
    )


def department_base_url(department: Department) -> str:
    """Absolute base URL of a department's portal, for links built without a request."""
    domain = department.get_primary_domain()
    host = domain.domain if domain else "localhost"
    port = settings.PORCHLIGHT_PORT
    default_port = 443 if settings.PORCHLIGHT_SCHEME == "https" else 80
    suffix = f":{port}" if port and port != default_port else ""
    return f"{settings.PORCHLIGHT_SCHEME}://{host}{suffix}"


def outbox_due(
    *, now: dt.datetime, grace: dt.timedelta, redeliver_after: dt.timedelta, max_publishes: int
) -> QuerySet[OutboxMessage]:
    """Undelivered messages that should be published (again), oldest first, with their department.

    Never published and older than ``grace``: the publish after the commit failed (broker
    down) or never ran (the process died right after the commit); ``grace`` leaves that
    publish time to finish. Published but still undelivered after ``redeliver_after``: the
    broker lost the message (Redis restarted without its data) or its retries ran out.
    A message owed later (``not_before``) is published once that time has come.
    A message published ``max_publishes`` times is left alone (its task keeps failing).
    """
    return (
        OutboxMessage.objects.filter(delivered_at__isnull=True, publish_count__lt=max_publishes)
        .filter(
            Q(published_at__isnull=True, not_before__isnull=True, created_at__lte=now - grace)
            | Q(published_at__isnull=True, not_before__lte=now)
            | Q(published_at__lte=now - redeliver_after)
        )
        .select_related("department")
        .order_by("id")
    )
