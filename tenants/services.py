"""Writes on departments, domains and policies."""

import datetime as dt
import json
import logging
import re
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib.gis.gdal.error import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry, MultiPolygon, Polygon
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_exists, tenant_context

from .exceptions import OnboardingError
from .models import (
    ANOMALY_POLICY_FIELDS,
    DEFAULT_EXIGENT_CATEGORIES,
    DEFAULT_PROHIBITED_PURPOSES,
    DEFAULT_PURPOSE_CATEGORIES,
    INCIDENT_POLICY_FIELDS,
    Department,
    DepartmentPolicy,
    Domain,
    OutboxMessage,
)

if TYPE_CHECKING:
    # The user model (AUTH_USER_MODEL) as django-stubs' plugin resolves it: tenants sits below
    # accounts (pyproject's layers), so it names no accounts module, even for the type checker.
    from collections.abc import Callable

    from django.contrib.auth.models import _User

logger = logging.getLogger("porchlight.tenants")

# PostgreSQL identifiers: lower case letters, digits and underscores, starting with a letter,
# at most 63 bytes; the pg_ prefix is reserved.
_SCHEMA_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$")


def boundary_from_geojson(text: str) -> MultiPolygon:
    """Parse a GeoJSON Polygon/MultiPolygon (bare, Feature or FeatureCollection) in WGS 84."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise OnboardingError(f"The boundary file is not valid JSON: {exc.msg} (line {exc.lineno}).") from exc
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features") or []
        if len(features) != 1:
            raise OnboardingError("The boundary FeatureCollection must hold exactly one feature.")
        data = features[0]
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    if not isinstance(data, dict) or data.get("type") not in ("Polygon", "MultiPolygon"):
        raise OnboardingError("The boundary must be a GeoJSON Polygon or MultiPolygon.")
    data = {"type": data["type"], "coordinates": data.get("coordinates")}  # never a "crs" from input
    try:
        geometry = GEOSGeometry(json.dumps(data), srid=4326)
    except (GEOSException, GDALException, ValueError) as exc:
        raise OnboardingError(f"The boundary geometry could not be read: {exc}.") from exc
    if isinstance(geometry, Polygon):
        geometry = MultiPolygon(geometry, srid=4326)
    assert isinstance(geometry, MultiPolygon)
    min_x, min_y, max_x, max_y = geometry.extent
    if not (-180 <= min_x <= max_x <= 180 and -90 <= min_y <= max_y <= 90):
        raise OnboardingError("The boundary coordinates must be longitude/latitude (WGS 84).")
    if not geometry.valid:
        raise OnboardingError(f"The boundary polygon is invalid: {geometry.valid_reason}.")
    return geometry


def public_tenant_ensure(*, domain: str = "localhost") -> Department:
    """The public schema's tenant row and its host name (idempotent)."""
    public, _ = Department.objects.get_or_create(
        schema_name=get_public_schema_name(),
        defaults={"name": "Porchlight", "slug": "public"},
    )
    Domain.objects.get_or_create(domain=domain, defaults={"tenant": public, "is_primary": True})
    return public


def department_validate_new(*, name: str, schema_name: str, domain: str) -> None:
    """Refuse (OnboardingError) a new department's name, schema or domain that cannot be created.

    ``domain`` is expected stripped and lower-cased. Onboarding (accounts.onboarding) calls
    this before anything is created.
    """
    if not name.strip():
        raise OnboardingError("The department needs a name.")
    if not _SCHEMA_RE.match(schema_name) or schema_name.startswith("pg_"):
        raise OnboardingError(
            f"'{schema_name}' is not a valid schema name: use lower-case letters, digits and "
            "underscores, starting with a letter, at most 63 characters, not starting with pg_."
        )
    if schema_name in (get_public_schema_name(), "information_schema", "postgis", "topology"):
        raise OnboardingError(f"The schema name '{schema_name}' is reserved.")
    if Department.objects.filter(schema_name=schema_name).exists() or schema_exists(schema_name):
        raise OnboardingError(f"A schema named '{schema_name}' already exists.")
    if Department.objects.filter(slug=schema_name.replace("_", "-")).exists():
        raise OnboardingError(f"A department with the slug '{schema_name}' already exists.")
    if not _DOMAIN_RE.match(domain):
        raise OnboardingError(f"'{domain}' is not a valid host name.")
    if Domain.objects.filter(domain=domain).exists():
        raise OnboardingError(f"The domain '{domain}' is already taken.")


def time_zone_validate(time_zone: str) -> None:
    """Refuse (OnboardingError) a time zone that is not in the tz database."""
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError, OSError, TypeError) as exc:  # unknown, malformed, a folder, not text
        raise OnboardingError(f"'{time_zone}' is not a known time zone.") from exc


def department_provision(
    *,
    name: str,
    schema_name: str,
    domain: str,
    boundary: MultiPolygon | None = None,
    time_zone: str = "America/Los_Angeles",
) -> Department:
    """A department's schema (migrated), domain and default policy, in one transaction.

    Validated first (department_validate_new, time_zone_validate) by the caller: onboarding
    (accounts.onboarding.department_create) wraps this and the first admin's invitation in
    its own transaction, so that a failure at any step leaves no schema, row or user behind.
    """
    department = Department(
        name=name.strip(),
        slug=schema_name.replace("_", "-"),
        schema_name=schema_name,
        boundary=boundary,
        time_zone=time_zone,
    )
    # PostgreSQL DDL is transactional, so a failure at any step (even after the schema was
    # created and migrated) leaves nothing behind.
    with transaction.atomic():
        department.save()  # creates and migrates the schema
        Domain.objects.create(domain=domain, tenant=department, is_primary=True)
        DepartmentPolicy.objects.create(
            department=department,
            purpose_categories=list(DEFAULT_PURPOSE_CATEGORIES),
            exigent_categories=list(DEFAULT_EXIGENT_CATEGORIES),
            prohibited_purposes=list(DEFAULT_PROHIBITED_PURPOSES),
        )
    return department


POLICY_EDITABLE_FIELDS = (
    "live_view_limit_minutes",
    "live_max_bitrate_kbps",
    "footage_retention_days",
    "purpose_categories",
    "exigent_categories",
    "prohibited_purposes",
    "residential_live_view_allowed",
    "exigent_requires_approval",
    "notice_digest_minutes",
    "language",
    "public_cell_threshold",
    *ANOMALY_POLICY_FIELDS,
    "compliance_list_public",
    "compliance_mailing_address",
    "compliance_phone",
    "compliance_reply_email",
    "department_camera_level",
    "department_camera_legal_basis",
    *INCIDENT_POLICY_FIELDS,
    "plate_hotlist_allowed",
    "plate_hotlist_blocked",
)


# Checks of a changed policy by the apps above tenants (compliance: an ordinance in force that
# the change would make impossible to meet), registered in their AppConfig.ready: tenants
# cannot import them. Each returns the problems by field, translated; {} when none.
_POLICY_VALIDATORS: list["Callable[[DepartmentPolicy], dict[str, list[str]]]"] = []


def policy_validator_register(validator: "Callable[[DepartmentPolicy], dict[str, list[str]]]") -> None:
    """Have policy_update refuse a change ``validator(policy)`` finds problems with (the policy
    as it would be saved)."""
    if validator not in _POLICY_VALIDATORS:
        _POLICY_VALIDATORS.append(validator)


# What the apps above tenants keep in step with the policy (cameras: the department's own
# cameras' consent follows department_camera_level), registered in their AppConfig.ready and
# called in policy_update's transaction, in the department's schema: a change and what follows
# from it commit together or not at all.
_POLICY_LISTENERS: list["Callable[..., object]"] = []


def policy_change_listen(listener: "Callable[..., object]") -> None:
    """Call ``listener(policy=..., actor=...)`` after each policy change, before its commit."""
    if listener not in _POLICY_LISTENERS:
        _POLICY_LISTENERS.append(listener)


def policy_update(*, department: Department, actor: "_User | None", **changes: Any) -> DepartmentPolicy:
    """Change the department's policy; the history row records the acting admin. Refused with
    a ValidationError by field, nothing saved, when the model or a registered validator
    (policy_validator_register) finds the changed policy wrong."""
    unknown = set(changes) - set(POLICY_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not policy fields: {sorted(unknown)}")
    with transaction.atomic():
        policy = DepartmentPolicy.objects.select_for_update().get(department=department)
        for field, value in changes.items():
            setattr(policy, field, value)
        policy.full_clean()
        problems: dict[str, list[str]] = {}
        # The validators read the department's own tables (its ordinances): in its schema,
        # whichever schema the caller is in (the operator's commands and tests run in public).
        with tenant_context(department):
            for validator in _POLICY_VALIDATORS:
                for field, messages in validator(policy).items():
                    problems.setdefault(field, []).extend(messages)
        if problems:
            raise ValidationError(problems)
        policy._history_user = actor  # type: ignore[attr-defined]
        policy.save()
        with tenant_context(department):
            for listener in _POLICY_LISTENERS:
                listener(policy=policy, actor=actor)
    return policy


# --- The outbox (tenants.outbox publishes and delivers; these are its writes) ----------------


def outbox_record(
    *, department: Any, task_name: str, kwargs: dict[str, Any], not_before: dt.datetime | None = None
) -> OutboxMessage:
    """Record a task due once the caller's transaction commits (or at ``not_before``), in that
    same transaction."""
    if not isinstance(department, Department):  # public's FakeTenant (an operator's action)
        department = Department.objects.get(schema_name=department.schema_name)
    return OutboxMessage.objects.create(
        department=department, task_name=task_name, kwargs=kwargs, not_before=not_before
    )


def outbox_published(*, message_ids: list[int]) -> None:
    """Note that the broker accepted these messages (the sweep then leaves them to it for a while)."""
    OutboxMessage.objects.filter(pk__in=message_ids).update(
        published_at=timezone.now(), publish_count=F("publish_count") + 1
    )


def outbox_claim(*, message_id: int) -> bool:
    """Lock a message for its delivery, until the caller's transaction ends; False when it was
    already delivered (or delivered and since purged), so that the caller skips it.

    A second copy of the message (a sweep racing the publish after the commit, or the broker
    redelivering) waits here for the first copy's transaction, then sees it delivered.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("An outbox message can only be claimed inside the transaction that delivers it.")
    delivered = OutboxMessage.objects.select_for_update().filter(pk=message_id).values_list("delivered_at", flat=True)
    return list(delivered) == [None]


def outbox_delivered(*, message_id: int) -> None:
    """Mark a claimed message delivered, in the transaction of the work it asked for."""
    OutboxMessage.objects.filter(pk=message_id).update(delivered_at=timezone.now())


def outbox_delivered_elsewhere(*, department: Any, task_name: str, kwargs_list: list[dict[str, Any]]) -> int:
    """Mark delivered, in the caller's transaction, the undelivered messages of ``task_name`` for
    ``department`` whose kwargs are among ``kwargs_list``: the caller did their work in this
    same transaction (the intake worker's batches, incidents.tasks), so work and marks commit
    together and their own deliveries are skipped. Returns how many it marked.

    A message locked now (a worker is delivering it: outbox_claim) is skipped, not waited for:
    that worker finds its work done and marks its own row. Waiting could deadlock, since that
    worker may be waiting for a row the caller holds.
    """
    if not kwargs_list:
        return 0
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Messages can only be marked delivered inside the transaction that did their work.")
    # The partial index outbox_undelivered keeps this to the messages still undelivered.
    free = (
        OutboxMessage.objects.select_for_update(skip_locked=True)
        .filter(delivered_at__isnull=True, department_id=department.pk, task_name=task_name, kwargs__in=kwargs_list)
        .values("pk")
    )
    return OutboxMessage.objects.filter(pk__in=free).update(delivered_at=timezone.now())


def outbox_purge_delivered(*, before: dt.datetime) -> int:
    """Forget messages delivered before ``before``: a late copy of one finds no row and is skipped."""
    deleted, _ = OutboxMessage.objects.filter(delivered_at__lt=before).delete()
    return deleted
