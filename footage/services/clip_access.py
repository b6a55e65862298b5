"""Police access to clips through the gate: viewing in the console's player and download links."""

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Role
from audit.models import Action
from cameras import access
from cameras.models import Purpose

from ..models import Clip, CustodyAction, DownloadLink, StreamLink
from .common import valid_uuid
from .custody import clip_targets, custody_purpose_note, custody_record


def clip_for_police(
    *, actor: access.Actor, purpose: Purpose | None, clip_public_id: Any, action: str
) -> tuple[access.Decision, Clip | None]:
    """A clip for viewing or a download link, through the gate (one event); an allowed viewing
    also gets its 'viewed' custody event here."""
    clip = (
        Clip.objects.select_related("answer__owner_request", "request__purpose")
        .filter(public_id=clip_public_id, purged_at__isnull=True)
        .first()
        if valid_uuid(clip_public_id)
        else None
    )
    if clip is None:
        decision = access.evidence_authorize(
            actor=actor,
            action=action,
            purpose=purpose,
            targets=[f"clip:{clip_public_id}"[:80]],
            owner_refs=[],
            extra_denial=access.Refusal.NOT_FOUND,
        )
        return decision, None
    targets, owners = clip_targets(clip)
    decision = access.evidence_authorize(
        actor=actor,
        action=action,
        purpose=purpose,
        targets=targets,
        owner_refs=owners,
        quantity=clip.size,
        quantity_unit="bytes",
        extra_denial=None if _on_the_case(actor, purpose, clip) else access.Refusal.NOT_ON_CASE,
    )
    if not decision.allowed:
        return decision, None
    if action == Action.CLIP_VIEW:
        custody_record(
            clip=clip,
            action=CustodyAction.VIEWED,
            actor=actor.user,
            case_number=purpose.case_number if purpose else "",
            note=custody_purpose_note(purpose, decision.event_seq),
        )
    # A download's custody event waits until its link serves the bytes (clip_download_record).
    return decision, clip


def _on_the_case(actor: access.Actor, purpose: Purpose | None, clip: Clip) -> bool:
    """Whether this officer may see footage an owner sent for a request: the officer who
    asked, a supervisor, or an officer whose stated purpose names the request's case (a
    colleague on it, whose access is logged under that case like any other)."""
    if clip.request.officer_id == actor.user.pk or actor.user.role == Role.SUPERVISOR:
        return True
    wanted = clip.request.purpose.case_number.strip().casefold()
    return purpose is not None and purpose.case_number.strip().casefold() == wanted


def download_link_issue(
    *, actor: access.Actor, purpose: Purpose | None, clip_public_id: Any
) -> tuple[access.Decision, str | None]:
    """A one-use link valid a few minutes, bound to this user (the download is the logged access).

    The gate's clip_download event and the link are made together or not at all. The clip's
    custody gets its 'downloaded' event only when the link serves it (clip_download_record):
    a link never used claims no download.
    """
    with transaction.atomic():
        decision, clip = clip_for_police(
            actor=actor, purpose=purpose, clip_public_id=clip_public_id, action=Action.CLIP_DOWNLOAD
        )
        if clip is None or purpose is None:
            return decision, None
        raw = secrets.token_urlsafe(32)
        DownloadLink.objects.create(
            clip=clip,
            user=actor.user,
            purpose=purpose,
            token_digest=hashlib.sha256(raw.encode()).hexdigest(),
            access_event_seq=decision.event_seq,
            expires_at=timezone.now() + dt.timedelta(seconds=settings.PORCHLIGHT_DOWNLOAD_LINK_SECONDS),
        )
    return decision, raw


# --- The console's clip player ----------------------------------------------------------


@dataclass(frozen=True)
class Viewing:
    decision: access.Decision
    clip: Clip | None = None
    link: StreamLink | None = None


def clip_view_open(*, actor: access.Actor, purpose: Purpose | None, clip_public_id: Any) -> Viewing:
    """Open a clip in the console's player: one viewing.

    The gate decides (clip_view, one access event, allowed or denied); an allowed viewing
    gets one 'viewed' custody event with the actor, case, purpose and hash, and a stream
    link bound to this user that the player's video element fetches its ranges from.
    Ranges fetched through the link are not further viewings.
    """
    with transaction.atomic():
        decision, clip = clip_for_police(
            actor=actor, purpose=purpose, clip_public_id=clip_public_id, action=Action.CLIP_VIEW
        )
        if clip is None or purpose is None:
            return Viewing(decision)
        link = StreamLink.objects.create(
            clip=clip,
            user=actor.user,
            purpose=purpose,
            access_event_seq=decision.event_seq,
            expires_at=timezone.now() + dt.timedelta(seconds=settings.PORCHLIGHT_STREAM_LINK_SECONDS),
        )
    return Viewing(decision, clip, link)
