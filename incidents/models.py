"""Incidents that dispatch and sensors send (CAD calls, gunshot alerts, plate-reader hits,
alarms), the integrations they come through, and each delivery received.

An integration is configured by the department admin; a sender signs every delivery with
the integration's shared secret (docs/webhooks.md). A delivery is stored as received and
processed by Celery into at most one incident: the same external id updates that incident,
never a second one.
"""

import uuid

from django.conf import settings
from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class IntegrationKind(models.TextChoices):
    CAD = "cad", _("Computer-aided dispatch (CAD)")
    GUNSHOT = "gunshot", _("Gunshot detection")
    PLATE_READER = "plate_reader", _("Licence-plate reader")
    ALARM = "alarm", _("Alarm")
    OTHER = "other", _("Other")


class PayloadShape(models.TextChoices):
    """How a sender's JSON maps onto an incident (incidents.payloads)."""

    GENERIC = "generic", _("Porchlight's generic form")
    EIDO = "eido", _("Incident (NENA EIDO style)")
    GUNSHOT = "gunshot", _("Gunshot alert")
    PLATE_READER = "plate_reader", _("Plate-reader hit")


class Integration(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=IntegrationKind.choices)
    name = models.CharField(_("name"), max_length=120)
    shape = models.CharField(
        _("payload format"), max_length=20, choices=PayloadShape.choices, default=PayloadShape.GENERIC
    )
    # The shared secret is shown once when made or rotated. HMAC needs the key itself to
    # verify a signature, so it is kept encrypted with a key outside the database
    # (incidents.secrets); the fingerprint names it on pages without revealing it.
    secret_encrypted = models.TextField(blank=True)
    secret_fingerprint = models.CharField(max_length=16, blank=True)
    # After a rotation the previous secret is accepted until this time, so the sender can switch.
    previous_secret_encrypted = models.TextField(blank=True)
    previous_secret_valid_until = models.DateTimeField(null=True, blank=True)
    secret_rotated_at = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(_("accepting deliveries"), default=True)
    rate_per_minute = models.PositiveIntegerField(_("deliveries accepted per minute"), default=600)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(
        excluded_fields=["secret_encrypted", "previous_secret_encrypted", "previous_secret_valid_until"]
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class IntegrationRefusal(models.Model):
    """How many of an integration's deliveries were refused for one reason (incidents.limits):
    counted in Redis at once and carried here at most once a minute per integration and
    reason, so that the counts outlive a Redis restart without a database write per refusal."""

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="refusals")
    reason = models.CharField(max_length=32)
    count = models.BigIntegerField(default=0)
    last_carried_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["integration", "reason"], name="integration_refusal_once_per_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.integration_id} {self.reason}: {self.count}"


class IncidentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Incident(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Null for an incident an officer entered by hand.
    integration = models.ForeignKey(
        Integration, on_delete=models.PROTECT, null=True, blank=True, related_name="incidents"
    )
    source_kind = models.CharField(_("source"), max_length=20, choices=IntegrationKind.choices)
    external_id = models.CharField(_("sender's id"), max_length=128)
    incident_type = models.CharField(_("type"), max_length=120, blank=True)
    priority = models.CharField(_("priority"), max_length=32, blank=True)
    occurred_at = models.DateTimeField(_("time"))
    location = models.PointField(_("location"), geography=True, srid=4326)
    address = models.CharField(_("address"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=IncidentStatus.choices, default=IncidentStatus.OPEN)
    case_number = models.CharField(_("case number"), max_length=64, blank=True)
    # What the source adds (rounds fired, a hotlist category...), as the mapping read it.
    details = models.JSONField(default=dict, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-occurred_at"]
        constraints = [
            # The same id from the same sender updates the incident, never duplicates it.
            models.UniqueConstraint(fields=["integration", "external_id"], name="incident_once_per_sender_id"),
        ]
        indexes = [models.Index(fields=["status", "-occurred_at"], name="incident_status_time")]

    def __str__(self) -> str:
        return f"{self.get_source_kind_display()} {self.external_id}"


class DeliveryStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted, waiting")
    PROCESSED = "processed", _("Made or updated an incident")
    REJECTED = "rejected", _("Refused: invalid content")
    BLOCKED = "blocked", _("Dropped by department policy")


class Delivery(models.Model):
    """One signed delivery as received (its body verbatim), before and after processing.

    The signature is unique per integration: a replay of the same signed body is refused."""

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="deliveries")
    signature = models.CharField(max_length=64)
    signed_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)
    body = models.JSONField()
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.ACCEPTED)
    error = models.CharField(max_length=500, blank=True)
    incident = models.ForeignKey(Incident, on_delete=models.SET_NULL, null=True, blank=True, related_name="deliveries")
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["integration", "signature"], name="delivery_signature_once"),
        ]
        indexes = [
            # The intake worker takes the oldest accepted deliveries (incidents.tasks): the few
            # waiting, found without reading the millions processed (30 days at 50 a second).
            models.Index(fields=["id"], name="delivery_accepted", condition=models.Q(status="accepted")),
        ]

    def __str__(self) -> str:
        return f"delivery {self.pk} of {self.integration_id}"
