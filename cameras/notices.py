"""Owners' access notices, collected per owner and case and sent as one e-mail (a digest).

This module holds the notices' rows (who is owed one, claiming and marking them sent);
cameras/digest.py records them with each access, owes the task, and sends the e-mail.

An owner who asked to be told of every police access to their camera used to get one e-mail
per access: six in a minute from one officer working one case. Now the gate records an
``AccessNotice`` per owner in the access's own transaction, and owes one task per notice
through the outbox, due at the end of the department's window (policy
``notice_digest_minutes``, 15 minutes by default) or at once for a live view or exigent
access. The task sends every notice of that owner and case not sent yet, in one e-mail, and
marks them sent in the same transaction: the first task of a case sends the digest, the
others find nothing left and send nothing.

Why this is safe (docs/notices-and-tasks.md):
- a broker outage delays the task (the outbox keeps it), never loses it;
- each notice has its own task, due no later than its own end of window, so no notice
  waits for a task that another access was supposed to owe;
- a digest locks its notices (SKIP LOCKED) and marks them sent with its e-mail: an access
  appears in exactly one digest; a worker lost mid-send leaves them unsent, and its outbox
  row unsent too, so the task runs again (the e-mail may, rarely, go twice; never not at all).
"""

import datetime as dt
from collections.abc import Collection

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from audit.models import Action, Outcome
from audit.services import EventFacts

from .consent import ConsentLevel
from .models import AccessNotice, ConsentGrant

__all__ = [
    "access_notices_claim",
    "access_notices_sent",
    "owners_to_notify",
]


def owners_to_notify(facts: EventFacts) -> list[int]:
    """The owners of the event's cameras who asked for notices (one indexed query), or every
    owner of an emergency live view's end, which owners are always told about."""
    if facts.action == Action.FOOTAGE_REQUEST and facts.outcome == Outcome.ALLOWED:
        # The owner is sent the footage request itself (footage.tasks.footage_request_notify),
        # one per request however many of their cameras it names: a notice for each camera's
        # gate decision would only repeat it. The decisions stay in their access log.
        return []
    if facts.action == Action.LIVE_END and facts.consent_level == ConsentLevel.LIVE_EXIGENT:
        # Every owner but the department's own account (its cameras' owner, with no mailbox).
        owners = list(dict.fromkeys(facts.owner_refs))
        own = set(User.objects.filter(pk__in=owners, role=Role.DEPARTMENT).values_list("pk", flat=True))
        return [owner for owner in owners if owner not in own]
    ids = [t.split(":", 1)[1] for t in facts.targets if t.startswith("camera:")]
    if not ids or not facts.owner_refs:
        return []
    return list(
        ConsentGrant.objects.filter(
            camera__public_id__in=ids, camera__site__owner_id__in=facts.owner_refs, notify_on_access=True
        )
        .values_list("camera__site__owner_id", flat=True)
        .distinct()
    )


def access_notices_claim(*, owner_id: int, case_number: str) -> list[AccessNotice]:
    """Lock the owner's notices of one case not sent yet, oldest first, until the caller's
    transaction ends. Notices another digest holds are skipped: that digest sends them."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Notices can only be claimed inside the transaction that sends them.")
    return list(
        AccessNotice.objects.filter(owner_id=owner_id, case_number=case_number, sent_at__isnull=True)
        .select_for_update(skip_locked=True)
        .order_by("event_seq")
    )


# Sent notices are kept this long (for an operator asking whether an owner was told), then
# forgotten: the access log keeps the accesses themselves.
SENT_KEPT = dt.timedelta(days=7)


def access_notices_sent(*, notices: Collection[AccessNotice]) -> None:
    """Mark claimed notices sent (in the transaction that claimed them), and forget the same
    owner's notices sent more than a week ago."""
    now = timezone.now()
    AccessNotice.objects.filter(pk__in=[n.pk for n in notices]).update(sent_at=now)
    owner_ids = {n.owner_id for n in notices}
    AccessNotice.objects.filter(owner_id__in=owner_ids, sent_at__lt=now - SENT_KEPT).delete()
