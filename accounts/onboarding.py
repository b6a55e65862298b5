"""Onboarding a department: it composes tenants (the department, its schema, domain and policy)
and accounts (its first administrator), so it lives above both, here in accounts."""

import logging
from dataclasses import dataclass

from django.contrib.gis.geos import MultiPolygon
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django_tenants.utils import tenant_context

from tenants.exceptions import OnboardingError
from tenants.models import Department
from tenants.services import department_provision, department_validate_new, time_zone_validate

from . import services
from .models import Role, User

logger = logging.getLogger("porchlight.tenants")


@dataclass(frozen=True)
class OnboardedDepartment:
    department: Department
    admin: User
    created: bool


def department_create(
    *,
    name: str,
    schema_name: str,
    domain: str,
    admin_email: str,
    boundary: MultiPolygon | None = None,
    time_zone: str = "America/Los_Angeles",
) -> OnboardedDepartment:
    """Onboard a department: schema (migrated), domain, default policy and first admin.

    Everything is validated before anything is created, and creation is one
    transaction: a failure half-way leaves no schema, row or user behind.
    """
    domain = domain.strip().lower()
    admin_email = admin_email.strip()
    department_validate_new(name=name, schema_name=schema_name, domain=domain)
    try:
        validate_email(admin_email)
    except ValidationError as exc:
        raise OnboardingError(f"'{admin_email}' is not a valid e-mail address.") from exc
    time_zone_validate(time_zone)
    with transaction.atomic():
        department = department_provision(
            name=name, schema_name=schema_name, domain=domain, boundary=boundary, time_zone=time_zone
        )
        with tenant_context(department):
            # Through the module, so that a test can make the invitation fail half-way.
            admin = services.user_invite(
                actor=None, email=admin_email, role=Role.DEPT_ADMIN, full_name="", department=department
            )
    logger.info("department onboarded", extra={"schema": schema_name, "domain": domain})
    return OnboardedDepartment(department=department, admin=admin, created=True)
