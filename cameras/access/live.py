"""The gate's side of a live view: re-checking an open view without logging, when consent stops
allowing it by itself, and the one event that records its end.
"""

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from audit.models import AccessEvent, Action, Outcome
from audit.services import EventFacts
from tenants.selectors import department_current, policy_rules_current

from ..consent import ConsentAction, permitted_until
from ..models import Camera, Purpose
from ..selectors import grant_state
from .denials import Refusal
from .gate import Actor, _consent_denial, _consent_history_id, _denial, _record

if TYPE_CHECKING:
    from accounts.models import User


def live_end_record(
    *,
    actor: Actor,
    purpose: Purpose,
    camera: Camera | None,
    camera_ref: str,
    reason: str,
    seconds: int,
    bytes_sent: int,
    start_event_seq: int | None = None,
) -> int:
    """Record the end of a live view: how long, how much, and why it ended. A camera
    deleted during the view is gone: its owner and the consent in force are taken from
    the view's start event, so the owner still sees (and is told of) the end."""
    grant = getattr(camera, "consent", None) if camera is not None else None
    if camera is not None:
        owners = [camera.site.owner_id]
        level = getattr(grant, "level", "")
        history_id = _consent_history_id(camera, grant) if grant is not None else None
    else:
        start = None
        if start_event_seq is not None:
            start = (
                AccessEvent.objects.filter(seq=start_event_seq)
                .values_list("owner_refs", "consent_level", "consent_history_id")
                .first()
            )
        owners, level, history_id = (list(start[0]), start[1], start[2]) if start else ([], "", None)
    facts = EventFacts(
        action=Action.LIVE_END,
        outcome=Outcome.ALLOWED,
        reason=reason,
        targets=[camera_ref],
        owner_refs=owners,
        consent_level=level,
        consent_history_id=history_id,
        quantity=seconds,
        quantity_unit="seconds",
        details={"bytes": bytes_sent},
    )
    with transaction.atomic():
        return _record(actor, facts, purpose)


def live_allowed_until(*, camera: Camera, purpose: Purpose) -> dt.datetime | None:
    """When the owner's consent stops allowing this live view by itself (expiry, end of the
    schedule window), or None."""
    policy = policy_rules_current()
    state = grant_state(camera=camera, time_zone=department_current().time_zone)
    exigent = purpose.category in policy.exigent_categories
    return permitted_until(state, ConsentAction.LIVE_VIEW, timezone.now(), exigent=exigent)


def live_view_denial(*, actor: Actor, camera: Camera | None, purpose: Purpose) -> str | None:
    """Re-ask the gate, without logging, whether an open live view may go on: None while it
    may, else the reason it would refuse a live_start now.

    The same checks as the view's start (authorize): the actor's role, account and MFA as
    they stand now (the caller re-reads them from the session the view was opened with), the
    purpose and its expiry, the department policy and the owner's consent at this instant.
    The viewer consumer asks this every fraction of a second; only the end is logged.
    """
    return _denial(actor, Action.LIVE_START, purpose, camera, policy_rules_current())


def live_allowed_now(*, camera: Camera, purpose: Purpose, user: "User") -> str | None:
    """Re-check an open live view without logging: None while it may continue, else why not.

    Used every fraction of a second by the viewer consumer; the end itself is logged.
    """
    if not user.is_active:
        return Refusal.ACCOUNT_INACTIVE
    policy = policy_rules_current()
    return _consent_denial(Action.LIVE_START, camera, purpose, policy)
