"""Reading incidents, scoped to the current department's schema."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from .models import Delivery, Incident, IncidentStatus, Integration


def incidents_open() -> QuerySet[Incident]:
    return Incident.objects.filter(status=IncidentStatus.OPEN).select_related("integration").order_by("-occurred_at")


def incident_get(*, public_id: Any) -> Incident | None:
    """The incident with this id in the current department, or None (a malformed id too)."""
    try:
        return Incident.objects.select_related("integration").filter(public_id=public_id).first()
    except (ValueError, TypeError):
        return None


def incidents_filter(
    *,
    status: str = "",
    source_kind: str = "",
    type_contains: str = "",
    start: Any = None,
    end: Any = None,
) -> QuerySet[Incident]:
    """The department's incidents, newest first, filtered (an empty value does not filter);
    ``start`` inclusive, ``end`` exclusive, both aware. One query a page (no related rows read)."""
    incidents = Incident.objects.order_by("-occurred_at", "-pk")
    if status:
        incidents = incidents.filter(status=status)
    if source_kind:
        incidents = incidents.filter(source_kind=source_kind)
    if type_contains:
        incidents = incidents.filter(incident_type__icontains=type_contains)
    if start is not None:
        incidents = incidents.filter(occurred_at__gte=start)
    if end is not None:
        incidents = incidents.filter(occurred_at__lt=end)
    return incidents


def incidents_by_ids(*, public_ids: list[Any]) -> dict[str, Incident]:
    """The current department's incidents with these ids, by id (text): one query, however many."""
    return {
        str(incident.public_id): incident
        for incident in Incident.objects.select_related("integration").filter(public_id__in=public_ids)
    }


def integrations_all() -> QuerySet[Integration]:
    return Integration.objects.select_related("created_by").order_by("name", "pk")


def integration_get(*, public_id: Any) -> Integration | None:
    """The integration with this id in the current department, or None (a malformed id too)."""
    try:
        return Integration.objects.filter(public_id=public_id).first()
    except (ValueError, TypeError, ValidationError):
        return None


def deliveries_recent(*, integration: Integration, limit: int = 50) -> list[Delivery]:
    return list(
        Delivery.objects.filter(integration=integration)
        .select_related("incident")
        .defer("body")
        .order_by("-received_at", "-pk")[:limit]
    )
