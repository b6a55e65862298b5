"""Processing a delivery into an incident, in a Celery worker (the receiver only stores it).

The task runs in the department that received the delivery (tenant-schemas-celery carries the
schema; the outbox publishes it after the receiver's commit) and once per delivery: a delivery
no longer ``accepted`` is skipped, so a redelivered message changes nothing.
"""

import logging
from typing import Any

from celery import shared_task
from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from places.geocoders import GeocoderUnavailable, address_geocode
from tenants.outbox import OutboxTask
from tenants.selectors import department_current, policy_current

from . import services
from .models import Delivery, DeliveryStatus, PayloadShape
from .payloads import Mapped, PayloadInvalid, hotlist_category_normal, payload_map

__all__ = ["deliveries_purge", "delivery_process", "delivery_process_task"]

logger = logging.getLogger("porchlight.incidents")

# An outside geocoder that does not answer: try again, about 1, 2, 4, 8, 16 minutes later.
GEOCODER_RETRIES = 5


def _locate(address: str) -> Point | None:
    matches = address_geocode(query=address, limit=1)
    if not matches or matches[0].kind == "coordinates":
        return None
    return Point(matches[0].lon, matches[0].lat, srid=4326)


def delivery_process(*, delivery_id: int) -> str:
    """Map one accepted delivery and make or update its incident; returns the status it ends in.

    The mapping (and its geocoding) runs before the row is locked; the locked re-read then
    skips a delivery another run already finished. Plate-reader hits go through the policy's
    hotlists: a category in ``plate_hotlist_blocked`` is dropped whatever else the policy says,
    one not in ``plate_hotlist_allowed`` is dropped too; a dropped hit makes no incident, keeps
    no plate, and is logged (audit action ``plate_hit_blocked``).
    """
    delivery = Delivery.objects.select_related("integration").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != DeliveryStatus.ACCEPTED:
        return delivery.status if delivery else "missing"
    integration = delivery.integration
    mapped: Mapped | None = None
    error = ""
    try:
        mapped = payload_map(
            shape=integration.shape,
            body=delivery.body,
            now=timezone.now(),
            boundary=department_current().boundary,
            locate=_locate,
        )
    except PayloadInvalid as exc:
        error = exc.message

    with transaction.atomic():
        # of=("self",): the delivery's row only. Without it PostgreSQL's FOR UPDATE also locked the
        # joined integration row until the worker's commit, and every insert naming that integration
        # (the receiver's next delivery, another worker's new incident) waits for FOR KEY SHARE on
        # it: one integration's deliveries were stored and processed one at a time (at 50/s the
        # receiver answered 18.5 a second and four workers made 13-15 incidents a second).
        delivery = Delivery.objects.select_for_update(of=("self",)).select_related("integration").get(pk=delivery_id)
        if delivery.status != DeliveryStatus.ACCEPTED:
            return str(delivery.status)
        if mapped is None:
            services.delivery_finish(
                delivery=delivery, status=DeliveryStatus.REJECTED, error=error, kept_body=_rejected_body(delivery)
            )
            logger.info("delivery rejected", extra={"integration": str(integration.public_id), "delivery": delivery.pk})
            return str(DeliveryStatus.REJECTED)
        if integration.shape == PayloadShape.PLATE_READER:
            rule = _hotlist_rule(mapped.hotlist_category)
            if rule:
                kept = {key: value for key, value in (mapped.kept_body or {}).items() if key != "plate"}
                services.delivery_finish(
                    delivery=delivery,
                    status=DeliveryStatus.BLOCKED,
                    error=_hotlist_message(rule, mapped.hotlist_category),
                    kept_body=kept,
                )
                services.plate_hit_blocked_record(
                    integration=integration, delivery=delivery, category=mapped.hotlist_category, rule=rule
                )
                return str(DeliveryStatus.BLOCKED)
        incident, _created_now = services.incident_upsert(integration=integration, facts=mapped.facts)
        services.delivery_finish(
            delivery=delivery, status=DeliveryStatus.PROCESSED, incident=incident, kept_body=mapped.kept_body
        )
    return str(DeliveryStatus.PROCESSED)


# What a rejected plate-reader hit keeps of its body: never the plate, nor the reader's photos
# and other readings (as for a processed or blocked hit); enough to recognise the delivery.
_PLATE_REJECTED_KEPT = ("id", "time", "location", "hotlist")


def _rejected_body(delivery: Delivery) -> dict[str, Any] | None:
    """None (the body kept as received) except for a plate-reader hit, cut to _PLATE_REJECTED_KEPT."""
    if delivery.integration.shape != PayloadShape.PLATE_READER:
        return None
    body = delivery.body if isinstance(delivery.body, dict) else {}
    return {key: body[key] for key in _PLATE_REJECTED_KEPT if key in body}


def _hotlist_rule(category: str) -> str:
    """'' when the policy accepts hits of this category, else the audit reason for dropping it."""
    policy = policy_current()
    if category in {hotlist_category_normal(c) for c in policy.plate_hotlist_blocked}:
        return "hotlist_blocked"
    if category not in {hotlist_category_normal(c) for c in policy.plate_hotlist_allowed}:
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
