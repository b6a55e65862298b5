"""Celery tasks of the portal. Each runs inside the schema of the tenant that enqueued it."""

import logging
from collections import defaultdict
from typing import Any

from celery import shared_task
from django.core.cache import cache
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from audit.selectors import event_get
from cameras.models import Camera
from cameras.selectors import cameras_notifying_on_access
from tenants.selectors import department_base_url, department_current

from .selectors import access_entry, camera_public_ids

logger = logging.getLogger("porchlight.portal")

# How long a sent notice is remembered, so a redelivered task (acks_late) does not send it again.
SENT_MEMORY_SECONDS = 7 * 24 * 3600


@shared_task(name="portal.tasks.access_notice_send")
def access_notice_send(*, event_seq: int) -> int:
    """E-mail each owner the event touched who asked for notices on one of those cameras.

    One e-mail per owner, naming only their own cameras. At most once per (event, owner):
    the send is claimed in the cache first, so a retried task skips what already went out.
    Returns the number of e-mails sent.
    """
    event = event_get(seq=event_seq)
    if event is None or not event.owner_refs:
        return 0
    # A live view under emergency-only consent is always told to the owner afterwards.
    exigent_live = event.action == "live_end" and event.consent_level == "live_exigent"
    cameras = cameras_notifying_on_access(
        public_ids=camera_public_ids(event.targets), owner_ids=event.owner_refs, always=exigent_live
    )
    by_owner: dict[int, list[Camera]] = defaultdict(list)
    for camera in cameras:
        by_owner[camera.site.owner_id].append(camera)
    department = department_current()
    link = department_base_url(department) + reverse("portal-access-log")
    sent = 0
    for owner_id, owned in by_owner.items():
        owner: Any = owned[0].site.owner
        if not owner.is_active or not cache.add(f"access-notice:{department.schema_name}:{event_seq}:{owner_id}", 1):
            continue
        entry = access_entry(event, own_cameras={c.public_id: c.label for c in owned}, time_zone=department.time_zone)
        send_mail(
            subject=_("[Porchlight] Police access to your camera: %(action)s") % {"action": entry.action_label},
            message=render_to_string(
                "portal/email/access_notice.txt", {"entry": entry, "department": department, "link": link}
            ),
            from_email=None,
            recipient_list=[owner.email],
        )
        sent += 1
        logger.info("access notice sent", extra={"event_seq": event_seq, "owner_id": owner_id})
    return sent
