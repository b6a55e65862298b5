"""Retention: stored originals deleted at the end of the department's retention period."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenants.outbox import enqueue_on_commit
from tenants.selectors import policy_current

from ..models import Clip, CustodyAction
from ..notices import clip_purged_notify
from ..storage import clip_store
from .custody import custody_record


def clips_purge_expired(*, now: dt.datetime | None = None) -> int:
    """Delete the stored originals of clips past the retention period and not held.

    Each clip is read again, locked, just before its file is deleted: a legal hold placed
    while the run works through its list keeps the clip (a hold waits for the lock).
    """
    now = now or timezone.now()
    policy = policy_current()
    cutoff = now - dt.timedelta(days=policy.footage_retention_days)
    purged = 0
    expired = Clip.objects.filter(purged_at__isnull=True, held=False, uploaded_at__lt=cutoff)
    for pk in list(expired.values_list("pk", flat=True)):
        with transaction.atomic():
            clip = expired.select_for_update(of=("self",)).select_related("answer__owner_request").filter(pk=pk).first()
            if clip is None:  # held, or purged by another run, since the list was read
                continue
            Clip.objects.filter(pk=clip.pk).update(purged_at=now)
            custody_record(
                clip=clip,
                action=CustodyAction.PURGED,
                note=_("retention period of %(days)d days ended") % {"days": policy.footage_retention_days},
            )
            # The owner's notice is recorded with the purge (the outbox row commits with it): a
            # worker killed between this commit and a record made after it purged the clip and
            # never told the owner, as the next run no longer sees the clip
            # (tests/faults/test_worker_killed.py).
            enqueue_on_commit(clip_purged_notify, clip_id=clip.pk)
            # Last, so that a failed delete leaves the clip unpurged for the next run.
            clip_store().delete(clip.storage_key)
        purged += 1
    return purged
