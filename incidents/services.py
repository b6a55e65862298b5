"""Writing incidents: each write in one transaction, each telling the open consoles after the commit.

Also the integrations' administration (made, rotated, deactivated: each an audit event
``integration_change`` and a history row) and the deliveries' intake (stored as received,
then processed by ``incidents.tasks.delivery_process``)."""

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from audit.models import Action, Outcome
from audit.services import ActorSnapshot, EventFacts, access_event_record
from tenants.selectors import department_current

from . import secrets
from .events import incident_changed
from .models import Delivery, DeliveryStatus, Incident, IncidentStatus, Integration

if TYPE_CHECKING:
    from cameras.access import Actor


@dataclass(frozen=True)
class IncidentFacts:
    """What a delivery (or an officer) says of an incident, already validated and located."""

    external_id: str
    occurred_at: dt.datetime
    location: Point
    incident_type: str = ""
    priority: str = ""
    address: str = ""
    case_number: str = ""
    closed: bool = False
    details: dict[str, Any] = field(default_factory=dict)


def incident_upsert(*, integration: Integration, facts: IncidentFacts) -> tuple[Incident, bool]:
    """The integration's incident with this external id, made or updated; (incident, created).

    Idempotent: the same id from the same integration always lands on one row, however many
    deliveries race (the unique constraint decides; the loser updates the winner's row)."""
    with transaction.atomic():
        incident = (
            Incident.objects.select_for_update().filter(integration=integration, external_id=facts.external_id).first()
        )
        created = False
        if incident is None:
            try:
                with transaction.atomic():
                    incident = Incident.objects.create(
                        integration=integration,
                        source_kind=integration.kind,
                        external_id=facts.external_id,
                        **_fields(facts),
                    )
                created = True
            except IntegrityError:
                incident = Incident.objects.select_for_update().get(
                    integration=integration, external_id=facts.external_id
                )
        if not created:
            for name, value in _fields(facts).items():
                setattr(incident, name, value)
            incident.save()
        incident_changed(schema=department_current().schema_name, incident_public_id=incident.public_id)
    return incident, created


def _fields(facts: IncidentFacts) -> dict[str, Any]:
    closed = facts.closed
    return {
        "incident_type": facts.incident_type,
        "priority": facts.priority,
        "occurred_at": facts.occurred_at,
        "location": facts.location,
        "address": facts.address,
        "case_number": facts.case_number,
        "details": facts.details,
        "status": IncidentStatus.CLOSED if closed else IncidentStatus.OPEN,
        "closed_at": timezone.now() if closed else None,
    }


def incident_close(*, incident: Incident, by: User) -> Incident:
    """Close an open incident (an officer's decision); closing a closed one changes nothing."""
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        if incident.status != IncidentStatus.CLOSED:
            incident.status = IncidentStatus.CLOSED
            incident.closed_at = timezone.now()
            incident.closed_by = by
            incident.save(update_fields=["status", "closed_at", "closed_by", "updated_at"])
            incident_changed(schema=department_current().schema_name, incident_public_id=incident.public_id)
    return incident


# --- Integrations (the department administrator's) ----------------------------------------


def _integration_event(actor: "Actor", integration: Integration, change: str) -> None:
    access_event_record(
        actor=actor.snapshot(),
        facts=EventFacts(
            Action.INTEGRATION_CHANGE,
            Outcome.ALLOWED,
            "ok",
            targets=[f"integration:{integration.public_id}"],
            details={
                "change": change,
                "name": integration.name,
                "kind": integration.kind,
                "shape": integration.shape,
                "fingerprint": integration.secret_fingerprint,
                "active": integration.active,
            },
        ),
    )


def _save(integration: Integration, actor: "Actor") -> None:
    integration._history_user = actor.user  # type: ignore[attr-defined]  # simple-history's hook
    integration.save()


def integration_create(*, actor: "Actor", kind: str, name: str, shape: str) -> tuple[Integration, str]:
    """A new integration and its shared secret (returned once: only its encryption is kept)."""
    secret = secrets.secret_generate()
    with transaction.atomic():
        integration = Integration(
            kind=kind,
            name=name.strip(),
            shape=shape,
            secret_encrypted=secrets.secret_encrypt(secret),
            secret_fingerprint=secrets.secret_fingerprint(secret),
            created_by=actor.user,
        )
        integration.full_clean()
        _save(integration, actor)
        _integration_event(actor, integration, "created")
    return integration, secret


def integration_rotate(*, actor: "Actor", integration: Integration) -> tuple[Integration, str]:
    """A new secret for the integration (returned once); the previous one is still accepted
    for PORCHLIGHT_INTEGRATION_ROTATION_GRACE_SECONDS so the sender can switch without a gap."""
    secret = secrets.secret_generate()
    now = timezone.now()
    with transaction.atomic():
        integration = Integration.objects.select_for_update().get(pk=integration.pk)
        integration.previous_secret_encrypted = integration.secret_encrypted
        integration.previous_secret_valid_until = now + dt.timedelta(
            seconds=settings.PORCHLIGHT_INTEGRATION_ROTATION_GRACE_SECONDS
        )
        integration.secret_encrypted = secrets.secret_encrypt(secret)
        integration.secret_fingerprint = secrets.secret_fingerprint(secret)
        integration.secret_rotated_at = now
        _save(integration, actor)
        _integration_event(actor, integration, "rotated")
    return integration, secret


def integration_set_active(*, actor: "Actor", integration: Integration, active: bool) -> Integration:
    """Stop (or resume) accepting deliveries; setting the state it has changes nothing."""
    with transaction.atomic():
        integration = Integration.objects.select_for_update().get(pk=integration.pk)
        if integration.active != active:
            integration.active = active
            _save(integration, actor)
            _integration_event(actor, integration, "reactivated" if active else "deactivated")
    return integration


def integration_secrets_valid(*, integration: Integration, now: dt.datetime) -> list[str]:
    """The secrets a delivery may be signed with now: the current one, and the previous one
    during its grace after a rotation. A secret the key cannot decrypt is left out (logged by
    the caller as a refusal: the integration then needs a rotation)."""
    found: list[str] = []
    encrypted = [integration.secret_encrypted]
    valid_until = integration.previous_secret_valid_until
    if integration.previous_secret_encrypted and valid_until is not None and now < valid_until:
        encrypted.append(integration.previous_secret_encrypted)
    for token in encrypted:
        try:
            found.append(secrets.secret_decrypt(token))
        except secrets.SecretUnreadable:
            continue
    return found


# --- Deliveries -------------------------------------------------------------------------


SYSTEM = ActorSnapshot(user_id=None, label="Porchlight intake", role="system")


def plate_hit_blocked_record(*, integration: Integration, delivery: Delivery, category: str, rule: str) -> None:
    """Log a dropped plate-reader hit: its category and the rule that dropped it, never the plate."""
    access_event_record(
        actor=SYSTEM,
        facts=EventFacts(
            Action.PLATE_HIT_BLOCKED,
            Outcome.DENIED,
            rule,
            targets=[f"integration:{integration.public_id}"],
            details={"category": category, "delivery": delivery.pk},
        ),
    )


def delivery_finish(
    *,
    delivery: Delivery,
    status: str,
    error: str = "",
    incident: Incident | None = None,
    kept_body: dict[str, Any] | None = None,
) -> None:
    """Record how a delivery ended (in the caller's transaction, with the row locked)."""
    delivery.status = status
    delivery.error = error[:500]
    delivery.incident = incident
    delivery.processed_at = timezone.now()
    fields = ["status", "error", "incident", "processed_at"]
    if kept_body is not None:
        delivery.body = kept_body
        fields.append("body")
    delivery.save(update_fields=fields)


__all__ = [
    "DeliveryStatus",
    "IncidentFacts",
    "delivery_finish",
    "incident_close",
    "incident_upsert",
    "integration_create",
    "integration_rotate",
    "integration_secrets_valid",
    "integration_set_active",
    "plate_hit_blocked_record",
]
