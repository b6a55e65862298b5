"""Reads on departments."""

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet
from django_tenants.utils import get_public_schema_name

from core.sql import CompiledQuery

from .models import Department, DepartmentPolicy, OutboxMessage


def department_current() -> Any:
    """The tenant the database connection is set to (a Department, or public's FakeTenant)."""
    return connection.tenant  # type: ignore[attr-defined]


# --- The department policy: the one way to read it ------------------------------------------
# Read afresh at each use, never kept: an administrator's change applies to the very next
# access. Every department has its policy (department_provision creates both in one
# transaction), so a missing one is an error (DepartmentPolicy.DoesNotExist), not a default.


def policy_of(*, department: Any) -> DepartmentPolicy:
    """``department``'s policy (for work that names its department: onboarding, demo data)."""
    return DepartmentPolicy.objects.get(department_id=department.pk)


def policy_current() -> DepartmentPolicy:
    """The policy of the department the connection is set to (department_current)."""
    return policy_of(department=department_current())


@dataclass(frozen=True)
class PolicyRules:
    """What every police access reads of the policy (the gate's checks, and how long an owner's
    access notices wait to go out together), by one compiled query: the whole row through the
    ORM would cost more than the rest of a small decision."""

    purpose_categories: list[str]
    exigent_categories: list[str]
    prohibited_purposes: list[str]
    residential_live_view_allowed: bool
    exigent_requires_approval: bool
    notice_digest_minutes: int
    mobile_position_max_age_seconds: int  # a mobile camera's older position is not searched


_RULES_FIELDS = tuple(f.name for f in fields(PolicyRules))
_rules_query = CompiledQuery(
    lambda department_id: DepartmentPolicy.objects.filter(department_id=department_id).values_list(*_RULES_FIELDS)
)


def policy_rules_current() -> PolicyRules:
    """PolicyRules of the current department's policy (as policy_current, for the hot path)."""
    row = _rules_query.first(department_current().pk)
    if row is None:
        raise DepartmentPolicy.DoesNotExist("This department has no policy.")
    return PolicyRules(*row)


def departments_listed() -> QuerySet[Department]:
    """Every department (not the public tenant), with its policy and domains."""
    return (
        Department.objects.exclude(schema_name=get_public_schema_name())
        .select_related("policy")
        .prefetch_related("domains")
        .order_by("name")
    )


def department_base_url(department: Department) -> str:
    """Absolute base URL of a department's portal, for links built without a request.

    The primary domain is picked from ``department.domains.all()``: the domains prefetched with
    the departments (departments_listed) cost no query per department; otherwise one query, as
    django-tenants' get_primary_domain() would make."""
    domain = next((d for d in department.domains.all() if d.is_primary), None)
    host = domain.domain if domain else "localhost"
    port = settings.PORCHLIGHT_PORT
    default_port = 443 if settings.PORCHLIGHT_SCHEME == "https" else 80
    suffix = f":{port}" if port and port != default_port else ""
    return f"{settings.PORCHLIGHT_SCHEME}://{host}{suffix}"


def outbox_settled(*, message_id: int) -> bool:
    """True when the message was delivered (or delivered and since purged): final once seen
    committed, so a worker may skip it without locking it (tenants.outbox.OutboxTask)."""
    return not OutboxMessage.objects.filter(pk=message_id, delivered_at__isnull=True).exists()


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
