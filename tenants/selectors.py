"""Reads on departments."""

from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django_tenants.utils import get_public_schema_name

from .models import Department


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
