"""Processing deliveries into incidents, in a Celery worker (the receiver only stores them).

The task runs in the department that received the delivery (tenant-schemas-celery carries the
schema; the outbox publishes it after the receiver's commit) and once per delivery: a delivery
no longer ``accepted`` is skipped, so a redelivered message changes nothing.

A task does not process its delivery alone: it also takes the department's other accepted
deliveries that no other task holds (up to PORCHLIGHT_INTAKE_BATCH in all, oldest first) and
processes them in the same transaction, with their incidents made or updated together
(incidents.services.incidents_upsert), their outbox messages marked delivered, and the consoles
told once. One delivery alone cost ~19 statements, a commit and a push to the consoles; a batch
costs about as many in all (bench/intake_profile.py), so the worker keeps up with a sender far
faster than one task per delivery could. The tasks of the deliveries a batch took then find
their message delivered and do nothing.
"""

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from celery import shared_task
from django.conf import settings
from django.contrib.gis.geos import Point
from django.contrib.gis.geos.prepared import PreparedGeometry
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from places.geocoders import GeocoderUnavailable, address_geocode
from tenants.outbox import OutboxTask, outbox_done_here
from tenants.selectors import department_current, policy_current

from . import services
from .models import Delivery, DeliveryStatus, PayloadShape
from .payloads import PayloadInvalid, hotlist_category_normal, payload_map
from .services import IncidentFacts

__all__ = ["deliveries_purge", "delivery_process", "delivery_process_task"]

logger = logging.getLogger("porchlight.incidents")

# An outside geocoder that does not answer: try again, about 1, 2, 4, 8, 16 minutes later.
GEOCODER_RETRIES = 5


@dataclass
class _Batch:
    """What the deliveries of one batch share: the clock, the boundary, addresses already
    located, the policy's hotlists once read."""

    now: dt.datetime
    boundary: PreparedGeometry | None
    located: dict[str, Point | None] = field(default_factory=dict)
    hotlists: tuple[set[str], set[str]] | None = None

    def locate(self, address: str) -> Point | None:
        if address not in self.located:
            matches = address_geocode(query=address, limit=1)
            self.located[address] = (
                None
                if not matches or matches[0].kind == "coordinates"
                else Point(matches[0].lon, matches[0].lat, srid=4326)
            )
        return self.located[address]


def delivery_process(*, delivery_id: int, batch: int | None = None) -> str:
    """Map this accepted delivery and make or update its incident, and do the same for up to
    ``batch`` - 1 other accepted deliveries of the department (default
    PORCHLIGHT_INTAKE_BATCH); returns the status this delivery ends in.

    The delivery is locked first (waiting for a batch of another task that holds it, then
    finding it done); the others are taken only if no other task holds them (SKIP LOCKED).
    A geocoder that does not answer for this delivery raises GeocoderUnavailable before
    anything is written (the task retries); for another delivery it leaves that one accepted,
    to its own task. Plate-reader hits go through the policy's hotlists: a category in
    ``plate_hotlist_blocked`` is dropped whatever else the policy says, one not in
    ``plate_hotlist_allowed`` is dropped too; a dropped hit makes no incident, keeps no
    plate, and is logged (audit action ``plate_hit_blocked``).
    """
    size = settings.PORCHLIGHT_INTAKE_BATCH if batch is None else batch
    with transaction.atomic():
        # of=("self",): the delivery's row only. Without it PostgreSQL's FOR UPDATE also locked the
        # joined integration row until the worker's commit, and every insert naming that integration
        # (the receiver's next delivery, another worker's new incident) waits for FOR KEY SHARE on
        # it: one integration's deliveries were stored and processed one at a time (at 50/s the
        # receiver answered 18.5 a second and four workers made 13-15 incidents a second).
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("integration")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            return "missing"
        if delivery.status != DeliveryStatus.ACCEPTED:
            return str(delivery.status)
        shared = _Batch(now=timezone.now(), boundary=_boundary())
        own = _outcome(delivery, shared)  # GeocoderUnavailable: nothing written, the task retries
        batch_ended = [own]
        if size > 1:
            others = (
                Delivery.objects.select_for_update(of=("self",), skip_locked=True)
                .select_related("integration")
                .filter(status=DeliveryStatus.ACCEPTED)
                .exclude(pk=delivery.pk)
                .order_by("pk")[: size - 1]
            )
            for other in others:
                try:
                    batch_ended.append(_outcome(other, shared))
                except GeocoderUnavailable:
                    continue  # left accepted: its own task retries it
        _finish(batch_ended)
        # The others' own tasks then find their messages delivered (a task running one of them
        # right now holds its message: that one finds its delivery processed instead).
        outbox_done_here(delivery_process_task, [{"delivery_id": e.outcome.delivery.pk} for e in batch_ended[1:]])
    if len(batch_ended) > 1:
        logger.info("deliveries processed together", extra={"deliveries": len(batch_ended)})
    return str(own.outcome.status)


def _boundary() -> PreparedGeometry | None:
    """The department's boundary, prepared for the many points of a batch (None: any point)."""
    boundary = department_current().boundary
    return boundary.prepared if boundary is not None else None


@dataclass
class _Ended:
    """How one delivery of a batch ends, with what ``_finish`` still has to write for it."""

    outcome: services.DeliveryOutcome
    facts: IncidentFacts | None = None  # processed: its incident's facts
    rule: str = ""  # blocked: the audit reason, and the hit's category
    category: str = ""


def _outcome(delivery: Delivery, shared: _Batch) -> _Ended:
    integration = delivery.integration
    try:
        mapped = payload_map(
            shape=integration.shape,
            body=delivery.body,
            now=shared.now,
            boundary=shared.boundary,
            locate=shared.locate,
        )
    except PayloadInvalid as exc:
        logger.info("delivery rejected", extra={"integration": str(integration.public_id), "delivery": delivery.pk})
        return _Ended(
            services.DeliveryOutcome(
                delivery, DeliveryStatus.REJECTED, error=exc.message, kept_body=_rejected_body(delivery)
            )
        )
    if integration.shape == PayloadShape.PLATE_READER:
        rule = _hotlist_rule(mapped.hotlist_category, shared)
        if rule:
            kept = {key: value for key, value in (mapped.kept_body or {}).items() if key != "plate"}
            error = _hotlist_message(rule, mapped.hotlist_category)
            return _Ended(
                services.DeliveryOutcome(delivery, DeliveryStatus.BLOCKED, error=error, kept_body=kept),
                rule=rule,
                category=mapped.hotlist_category,
            )
    return _Ended(
        services.DeliveryOutcome(delivery, DeliveryStatus.PROCESSED, kept_body=mapped.kept_body), facts=mapped.facts
    )


def _finish(batch: list[_Ended]) -> None:
    """Write what the batch's deliveries came to: incidents, dropped hits' events, the deliveries."""
    made = [(ended.outcome, ended.facts) for ended in batch if ended.facts is not None]
    incidents = services.incidents_upsert(items=[(outcome.delivery.integration, facts) for outcome, facts in made])
    for outcome, facts in made:
        outcome.incident = incidents[(outcome.delivery.integration.pk, facts.external_id)]
    for ended in batch:
        if ended.rule:
            services.plate_hit_blocked_record(
                integration=ended.outcome.delivery.integration,
                delivery=ended.outcome.delivery,
                category=ended.category,
                rule=ended.rule,
            )
    services.deliveries_finish(outcomes=[ended.outcome for ended in batch])


# What a rejected plate-reader hit keeps of its body: never the plate, nor the reader's photos
# and other readings (as for a processed or blocked hit); enough to recognise the delivery.
_PLATE_REJECTED_KEPT = ("id", "time", "location", "hotlist")


def _rejected_body(delivery: Delivery) -> dict[str, Any] | None:
    """None (the body kept as received) except for a plate-reader hit, cut to _PLATE_REJECTED_KEPT."""
    if delivery.integration.shape != PayloadShape.PLATE_READER:
        return None
    body = delivery.body if isinstance(delivery.body, dict) else {}
    return {key: body[key] for key in _PLATE_REJECTED_KEPT if key in body}


def _hotlist_rule(category: str, shared: _Batch) -> str:
    """'' when the policy accepts hits of this category, else the audit reason for dropping it
    (the policy read once per batch, at its start)."""
    if shared.hotlists is None:
        policy = policy_current()
        shared.hotlists = (
            {hotlist_category_normal(c) for c in policy.plate_hotlist_blocked},
            {hotlist_category_normal(c) for c in policy.plate_hotlist_allowed},
        )
    blocked, allowed = shared.hotlists
    if category in blocked:
        return "hotlist_blocked"
    if category not in allowed:
        return "hotlist_not_allowed"
    return ""


def _hotlist_message(rule: str, category: str) -> str:
    if rule == "hotlist_blocked":
        return _("Dropped: the department's policy blocks the hotlist category %(category)s.") % {"category": category}
    return _("Dropped: the hotlist category %(category)s is not one the department's policy accepts.") % {
        "category": category
    }


@shared_task(bind=True, base=OutboxTask, name="incidents.tasks.delivery_process_task", max_retries=GEOCODER_RETRIES)
def delivery_process_task(self: OutboxTask, delivery_id: int) -> str:
    try:
        return delivery_process(delivery_id=delivery_id)
    except GeocoderUnavailable as exc:
        raise self.retry(exc=exc, countdown=60 * 2**self.request.retries) from exc


@shared_task(name="incidents.tasks.deliveries_purge")
def deliveries_purge() -> int:
    """Beat, each department: deliveries older than PORCHLIGHT_INTEGRATION_DELIVERY_KEEP_DAYS deleted."""
    purged = services.deliveries_purge()
    if purged:
        logger.info("deliveries purged", extra={"purged": purged})
    return purged
