"""The owner's access digest: recording the notices an access owes and e-mailing them.

The gate (cameras.access) records the notices in the access's transaction and owes the digest
task through the outbox, imported, not named: the task lives here, beside the gate, in the
domain that owns the notices (cameras.notices), not in the portal above it (the outbox rows
that named portal/tasks.py were renamed: tenants migration 0008). Each task runs inside the
schema of the tenant that enqueued it.
"""

import datetime as dt
import logging
from collections.abc import Collection
from smtplib import SMTPException

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.language import in_language_of
from audit.selectors import event_get, events_get
from audit.services import EventFacts
from core.mail import mail_send
from tenants.outbox import OutboxTask, enqueue_later_on_commit, enqueue_on_commit
from tenants.selectors import department_base_url, department_current, policy_rules_current

from .access_log import LIVE_ACTIONS, AccessEntry, access_entry, camera_public_ids, camera_ref
from .models import AccessNotice
from .notices import access_notices_claim, access_notices_sent, owners_to_notify
from .selectors import cameras_notifying_on_access

logger = logging.getLogger("porchlight.cameras")

# A mail server that is down is tried again after waits of up to 1, 2, 4, … minutes (Celery
# picks each at random below that), eight times. Each wait stays under the Redis broker's
# visibility timeout (one hour), past which a delayed task is delivered a second time.
RETRY_BACKOFF_SECONDS = 60
RETRY_BACKOFF_MAX_SECONDS = 30 * 60
MAX_RETRIES = 8


@shared_task(
    name="cameras.digest.access_digest_send",
    base=OutboxTask,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=RETRY_BACKOFF_SECONDS,
    retry_backoff_max=RETRY_BACKOFF_MAX_SECONDS,
    max_retries=MAX_RETRIES,
)
def access_digest_send(*, owner_id: int, case_number: str) -> int:
    """E-mail an owner every police access to their cameras for one case that they have not
    been told of yet, in one e-mail, in their own language; returns how many accesses it listed.

    Owed by each access that has a notice for this owner (cameras.notices): the first of them
    to run, at the end of the department's window (at once for a live view or exigent
    access), sends all the notices of the case, and the later ones find none left. The
    notices are locked while they are sent and marked sent in the same transaction, so each
    access appears in exactly one e-mail; a mail server that is down rolls the mark back
    and Celery retries with backoff; a worker lost mid-send leaves the notices (and the
    outbox row) unsent, and the task runs again: the e-mail goes twice rather than never, as
    the same message (its Message-ID is made from the notices it lists: core.mail).
    """
    with transaction.atomic():
        notices = access_notices_claim(owner_id=owner_id, case_number=case_number)
        if not notices:
            return 0
        owner = get_user_model().objects.filter(pk=owner_id).first()
        if owner is None or not owner.is_active:
            access_notices_sent(notices=notices)  # nobody left to tell
            return 0
        department = department_current()
        events = events_get(seqs=[n.event_seq for n in notices])
        public_ids = {pid for event in events for pid in camera_public_ids(event.targets)}
        # The owner's own cameras the accesses touched, whether or not they still ask for notices.
        own_cameras = {
            c.public_id: camera_ref(c)
            for c in cameras_notifying_on_access(public_ids=public_ids, owner_ids=[owner_id], always=True)
        }
        with in_language_of(owner):
            entries = [access_entry(e, own_cameras=own_cameras, time_zone=department.time_zone) for e in events]
            context = {
                "entries": entries,
                "department": department,
                "case_number": case_number,
                "live": any(e.action in LIVE_ACTIONS for e in entries),
                "link": department_base_url(department) + reverse("portal-access-log"),
            }
            # One e-mail per set of notices: sent again (a worker lost before the commit), or by
            # another of the owner's digest tasks that claims the same notices, the same message.
            mail_send(
                kind="access-digest",
                about=[owner_id, ",".join(str(n.pk) for n in sorted(notices, key=lambda n: n.pk))],
                subject=_digest_subject(entries, case_number),
                body=render_to_string("cameras/email/access_digest.txt", context),
                to=[owner.email],
            )
        access_notices_sent(notices=notices)
    logger.info("access digest sent", extra={"owner_id": owner_id, "accesses": len(entries)})
    return len(entries)


# How long after an owner was told of a case further immediate notices of it wait, to go
# out together (see access_notices_record).
IMMEDIATE_GATHER = dt.timedelta(seconds=60)


def _window() -> dt.timedelta:
    return dt.timedelta(minutes=policy_rules_current().notice_digest_minutes)


def access_notices_record(
    *, event_seq: int, owner_ids: Collection[int], case_number: str, immediate: bool
) -> list[AccessNotice]:
    """Record the notices an access owes its owners, in the caller's (the access's) transaction,
    and owe one digest task per owner: at once when ``immediate``, else at the end of the
    department's window (read now: a window changed later applies to later accesses)."""
    if not owner_ids:
        return []
    now = timezone.now()
    window = _window()
    owners = sorted(set(owner_ids))
    if immediate:
        # At once, unless this owner was told of this case less than a minute ago: then with
        # the others of that minute, in one e-mail (an officer opening live views one after
        # another sent ten e-mails in 75 seconds). A window of 0 means each notice at once.
        gather = min(IMMEDIATE_GATHER, window)
        recent = dict(
            AccessNotice.objects.filter(owner_id__in=owners, case_number=case_number, sent_at__gt=now - gather)
            .values("owner_id")
            .annotate(last=Max("sent_at"))
            .values_list("owner_id", "last")
        )
        due = {owner: (recent[owner] + gather if owner in recent else now) for owner in owners}
    else:
        due = dict.fromkeys(owners, now + window)
    notices = AccessNotice.objects.bulk_create(
        AccessNotice(
            event_seq=event_seq, owner_id=owner_id, case_number=case_number, immediate=immediate, due_at=due[owner_id]
        )
        for owner_id in owners
    )
    for notice in notices:
        if notice.due_at <= now:
            enqueue_on_commit(access_digest_send, owner_id=notice.owner_id, case_number=case_number)
        else:
            enqueue_later_on_commit(
                access_digest_send, not_before=notice.due_at, owner_id=notice.owner_id, case_number=case_number
            )
    return notices


@shared_task(name="cameras.digest.access_notice_send", base=OutboxTask)
def access_notice_send(*, event_seq: int) -> int:
    """An access notice owed by the release before digests (an outbox row left undelivered at
    the upgrade): its notices are recorded now, owed at once, and sent as digests (this row
    is delivered with them, so they are recorded once). Returns how many owners are owed one.
    Nothing enqueues this task any more; remove it once no such row is left."""
    event = event_get(seq=event_seq)
    if event is None:
        return 0
    facts = EventFacts(
        action=event.action,
        outcome=event.outcome,
        reason=event.reason,
        targets=list(event.targets),
        owner_refs=list(event.owner_refs),
        consent_level=event.consent_level,
    )
    notices = access_notices_record(
        event_seq=event.seq, owner_ids=owners_to_notify(facts), case_number=event.case_number, immediate=True
    )
    return len(notices)


def _digest_subject(entries: list[AccessEntry], case_number: str) -> str:
    if len(entries) == 1:
        return _("[Porchlight] Police access to your camera: %(action)s") % {"action": entries[0].action_label}
    return ngettext(
        "[Porchlight] Police accessed your cameras %(count)d time (case %(case)s)",
        "[Porchlight] Police accessed your cameras %(count)d times (case %(case)s)",
        len(entries),
    ) % {"count": len(entries), "case": case_number or "—"}
