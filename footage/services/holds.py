"""Legal holds: a supervisor keeps a clip past its retention period."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import Action
from cameras import access
from cameras.models import Purpose

from ..models import Clip, CustodyAction
from .common import text_without_nul_check, valid_uuid
from .custody import clip_targets, custody_record


def clip_hold_set(
    *, actor: access.Actor, purpose: Purpose | None, clip_public_id: Any, held: bool, reason: str
) -> Clip:
    """A supervisor puts a clip on legal hold (or releases it), with a reason; every attempt
    is one evidence_hold event (allowed or denied)."""
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for the hold or its release.")]})
    text_without_nul_check(
        reason, field="reason", message=_("The reason for the hold or its release may not contain the NUL character.")
    )
    clip = (
        Clip.objects.select_related("answer__owner_request")
        .filter(public_id=clip_public_id, purged_at__isnull=True)
        .first()
        if valid_uuid(clip_public_id)
        else None
    )
    targets, owners = clip_targets(clip) if clip is not None else ([f"clip:{clip_public_id}"[:80]], [])
    refusal = None
    if clip is None:
        refusal = access.Refusal.NOT_FOUND
    elif getattr(actor.user, "role", None) != "supervisor":
        refusal = access.Refusal.ROLE_NOT_PERMITTED
    decision = access.evidence_authorize(
        actor=actor,
        action=Action.EVIDENCE_HOLD,
        purpose=purpose,
        targets=targets,
        owner_refs=owners,
        details={"hold": held, "reason": reason.strip()[:200]},
        extra_denial=refusal,
    )
    if clip is None:
        raise Clip.DoesNotExist("No such clip.")
    if not decision.allowed:
        if decision.reason == access.Refusal.ROLE_NOT_PERMITTED:
            raise decision.refusal(_("Only a supervisor can place or release a legal hold."))
        raise decision.refusal()
    with transaction.atomic():
        # Waits for a retention purge busy with this clip; a clip it purged meanwhile is gone.
        if not Clip.objects.filter(pk=clip.pk, purged_at__isnull=True).update(
            held=held, hold_reason=reason.strip()[:500]
        ):
            raise Clip.DoesNotExist("No such clip.")
        clip.refresh_from_db()
        custody_record(
            clip=clip,
            action=CustodyAction.HELD if held else CustodyAction.RELEASED,
            actor=actor.user,
            case_number=purpose.case_number if purpose else "",
            note=reason,
        )
    return clip
