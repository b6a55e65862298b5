"""Writing incidents: each write in one transaction, each telling the open consoles after the commit."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.gis.geos import Point
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from tenants.selectors import department_current

from .events import incident_changed
from .models import Incident, IncidentStatus, Integration


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
