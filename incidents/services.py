"""Writing incidents: each write in one transaction, each telling the open consoles after the commit.

Also the integrations' administration (made, rotated, deactivated: each an audit event
``integration_change`` and a history row) and the deliveries' intake (stored as received,
then processed by ``incidents.tasks.delivery_process``)."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from accounts.models import User
from audit.models import Action, Outcome
from audit.services import ActorSnapshot, EventFacts, access_event_record
from tenants.selectors import department_current

from . import secrets
from .events import incident_changed, incidents_changed
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


# What an update writes (every fact a delivery states, and the time of the change).
_UPDATED_FIELDS = [
    "incident_type",
    "priority",
    "occurred_at",
    "location",
    "address",
    "case_number",
    "details",
    "status",
    "closed_at",
    "updated_at",
]


def incidents_upsert(*, items: Sequence[tuple[Integration, IncidentFacts]]) -> dict[tuple[int, str], Incident]:
    """Each (integration, external id) of ``items`` made or updated, in one transaction of a
    few statements however many there are (the intake worker's batches, incidents.tasks), and
    the consoles told once, after the commit. Returns the incidents by (integration id, external id).

    Items of one id are applied in their order: the last one's facts stand, as if each had
    been an incident_upsert, but the history records the incident once, as the batch leaves it.
    Idempotent and safe against any concurrent writer of the same ids (another batch, an
    incident_upsert): the rows are inserted with ON CONFLICT DO NOTHING (the unique constraint
    decides; an insert of the same id not yet committed elsewhere is waited for), then every
    row of the batch is locked and those this call did not insert are updated. Inserts and
    locks go in one order (integration, external id) in every batch, so two batches sharing ids
    wait for each other but never deadlock.
    """
    final: dict[tuple[int, str], tuple[Integration, IncidentFacts]] = {}
    for integration, facts in items:
        final[(integration.pk, facts.external_id)] = (integration, facts)
    if not final:
        return {}
    keys = sorted(final)
    now = timezone.now()
    with transaction.atomic():
        fresh = [
            Incident(
                integration=final[key][0],
                source_kind=final[key][0].kind,
                external_id=key[1],
                **_fields(final[key][1], now=now),
            )
            for key in keys
        ]
        Incident.objects.bulk_create(fresh, ignore_conflicts=True)
        ours = {incident.public_id for incident in fresh}
        by_integration: dict[int, list[str]] = {}
        for integration_id, external_id in keys:
            by_integration.setdefault(integration_id, []).append(external_id)
        which = Q()
        for integration_id, external_ids in by_integration.items():
            which |= Q(integration_id=integration_id, external_id__in=external_ids)
        locked = Incident.objects.select_for_update().filter(which).order_by("integration_id", "external_id")
        found = {(int(incident.integration_id or 0), incident.external_id): incident for incident in locked}
        created, updated = [], []
        for key, incident in found.items():
            if incident.public_id in ours:
                created.append(incident)
                continue
            for name, value in _fields(final[key][1], now=now).items():
                setattr(incident, name, value)
            incident.updated_at = now
            updated.append(incident)
        if updated:
            Incident.objects.bulk_update(updated, _UPDATED_FIELDS)
            Incident.history.bulk_history_create(updated, update=True, default_date=now)
        if created:
            Incident.history.bulk_history_create(created, default_date=now)
        incidents_changed(
            schema=department_current().schema_name, incident_public_ids=[found[key].public_id for key in keys]
        )
    return found


def _fields(facts: IncidentFacts, *, now: dt.datetime | None = None) -> dict[str, Any]:
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
        "closed_at": (now or timezone.now()) if closed else None,
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


@sensitive_variables("secret")
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


@sensitive_variables("secret")
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


@sensitive_variables()
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


@dataclass
class DeliveryOutcome:
    """How one delivery of a batch ended (incidents.tasks): what deliveries_finish records."""

    delivery: Delivery
    status: str
    error: str = ""
    incident: Incident | None = None
    kept_body: dict[str, Any] | None = None


def deliveries_finish(*, outcomes: Sequence[DeliveryOutcome]) -> None:
    """Record how each delivery ended, as delivery_finish does, in one statement for those that
    keep their body and one for those that keep less of it (in the caller's transaction, the
    rows locked)."""
    now = timezone.now()
    plain, cut = [], []
    for outcome in outcomes:
        delivery = outcome.delivery
        delivery.status = outcome.status
        delivery.error = outcome.error[:500]
        delivery.incident = outcome.incident
        delivery.processed_at = now
        if outcome.kept_body is not None:
            delivery.body = outcome.kept_body
            cut.append(delivery)
        else:
            plain.append(delivery)
    fields = ["status", "error", "incident", "processed_at"]
    if plain:
        Delivery.objects.bulk_update(plain, fields)
    if cut:
        Delivery.objects.bulk_update(cut, [*fields, "body"])


def deliveries_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the deliveries received more than PORCHLIGHT_INTEGRATION_DELIVERY_KEEP_DAYS ago
    (at 50 a second a busy feed stores millions a day); their incidents stay. Idempotent."""
    now = timezone.now() if now is None else now
    before = now - dt.timedelta(days=settings.PORCHLIGHT_INTEGRATION_DELIVERY_KEEP_DAYS)
    purged, _by_model = Delivery.objects.filter(received_at__lt=before).delete()
    return purged


__all__ = [
    "DeliveryOutcome",
    "DeliveryStatus",
    "IncidentFacts",
    "deliveries_finish",
    "deliveries_purge",
    "delivery_finish",
    "incident_close",
    "incident_upsert",
    "incidents_upsert",
    "integration_create",
    "integration_rotate",
    "integration_secrets_valid",
    "integration_set_active",
    "plate_hit_blocked_record",
]
