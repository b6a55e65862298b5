"""Celery tasks of the portal. Each runs inside the schema of the tenant that enqueued it."""

import logging
from collections import defaultdict
from smtplib import SMTPException
from typing import Any

from celery import shared_task
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from audit.models import Action, Outcome
from audit.selectors import event_get
from cameras.models import Camera
from cameras.selectors import cameras_notifying_on_access
from config.tasks import OutboxTask
from tenants.selectors import department_base_url, department_current

from .selectors import access_entry, camera_public_ids, camera_ref

logger = logging.getLogger("porchlight.portal")

# How long a sent notice is remembered, so a redelivered or retried task does not send it again.
SENT_MEMORY_SECONDS = 7 * 24 * 3600
# A mail server that is down is tried again after waits of up to 1, 2, 4, … minutes (Celery
# picks each at random below that), eight times. Each wait stays under the Redis broker's
# visibility timeout (one hour), past which a delayed task is delivered a second time.
RETRY_BACKOFF_SECONDS = 60
RETRY_BACKOFF_MAX_SECONDS = 30 * 60
MAX_RETRIES = 8


def _sent_key(*, schema: str, event_seq: int, owner_id: int) -> str:
    return f"access-notice:{schema}:{event_seq}:{owner_id}"


@shared_task(
    name="portal.tasks.access_notice_send",
    base=OutboxTask,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=RETRY_BACKOFF_SECONDS,
    retry_backoff_max=RETRY_BACKOFF_MAX_SECONDS,
    max_retries=MAX_RETRIES,
)
def access_notice_send(*, event_seq: int) -> int:
    """E-mail each owner the event touched who asked for notices on one of those cameras.

    One e-mail per owner, naming only their own cameras. An owner is marked as told only
    once their e-mail went out: a send that fails (mail server down) or never finishes
    (worker lost; tasks are acked late) is sent again by the retry, and a retry skips the
    owners already told. An e-mail that went out just before its worker was lost may go
    out twice: better twice than never. One owner's failure does not hold up the others;
    the task then raises it, and Celery retries with backoff. Returns the number sent.

    Enqueued through the outbox (config.tasks): recorded with the access, so a broker outage
    delays it and never loses it, and run once per outbox row however many copies of the
    message reach the workers (the sent-memory above then only serves Celery's own retries).
    """
    event = event_get(seq=event_seq)
    if event is None or not event.owner_refs:
        return 0
    if event.action == Action.FOOTAGE_REQUEST and event.outcome == Outcome.ALLOWED:
        # The owner is sent the footage request itself (footage.tasks.footage_request_notify),
        # one per request however many of their cameras it names: a notice for each camera's
        # gate decision would only repeat it. The decisions stay in their access log.
        return 0
    # A live view under emergency-only consent is always told to the owner afterwards.
    exigent_live = event.action == Action.LIVE_END and event.consent_level == "live_exigent"
    cameras = cameras_notifying_on_access(
        public_ids=camera_public_ids(event.targets), owner_ids=event.owner_refs, always=exigent_live
    )
    by_owner: dict[int, list[Camera]] = defaultdict(list)
    owners: dict[int, Any] = {}
    for camera in cameras:
        by_owner[camera.site.owner_id].append(camera)
        owners[camera.site.owner_id] = camera.site.owner
    if exigent_live:
        # The camera may have been deleted during the view (which ended it): its owner is
        # still told, from the event's own owner reference.
        for user in get_user_model().objects.filter(pk__in=event.owner_refs).exclude(pk__in=list(owners)):
            by_owner[user.pk], owners[user.pk] = [], user
    department = department_current()
    link = department_base_url(department) + reverse("portal-access-log")
    sent = 0
    failure: Exception | None = None
    for owner_id, owned in by_owner.items():
        owner = owners[owner_id]
        key = _sent_key(schema=department.schema_name, event_seq=event_seq, owner_id=owner_id)
        if not owner.is_active or cache.get(key):
            continue
        entry = access_entry(
            event, own_cameras={c.public_id: camera_ref(c) for c in owned}, time_zone=department.time_zone
        )
        try:
            send_mail(
                subject=_("[Porchlight] Police access to your camera: %(action)s") % {"action": entry.action_label},
                message=render_to_string(
                    "portal/email/access_notice.txt", {"entry": entry, "department": department, "link": link}
                ),
                from_email=None,
                recipient_list=[owner.email],
            )
        except (SMTPException, OSError) as exc:
            logger.warning("access notice not sent", extra={"event_seq": event_seq, "owner_id": owner_id})
            failure = failure or exc
            continue
        cache.set(key, 1, SENT_MEMORY_SECONDS)
        sent += 1
        logger.info("access notice sent", extra={"event_seq": event_seq, "owner_id": owner_id})
    if failure is not None:
        raise failure
    return sent
