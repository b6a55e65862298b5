"""Redeeming download and stream links: once, for their user, before they expire; refusals logged."""

import hashlib
from typing import Any, NoReturn

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Action
from cameras import access
from cameras.models import Purpose

from ..models import Clip, CustodyAction, CustodyEvent, DownloadLink, StreamLink
from .common import valid_uuid
from .custody import clip_targets, custody_purpose_note, custody_record


def clip_download_record(*, link: DownloadLink) -> CustodyEvent:
    """The 'downloaded' custody event of a redeemed link whose clip is being sent: who, for
    which case and purpose, and the access event that issued the link."""
    return custody_record(
        clip=link.clip,
        action=CustodyAction.DOWNLOADED,
        actor=link.user,
        case_number=link.purpose.case_number,
        note=custody_purpose_note(link.purpose, link.access_event_seq),
    )


class LinkRefused(Exception):
    """A download or stream link that cannot serve this request; ``status`` is the HTTP
    answer (403: not this user's or unknown; 410: used, expired or the clip purged)."""

    def __init__(self, message: str, *, reason: str, status: int) -> None:
        super().__init__(message)
        self.reason = reason
        self.status = status


# Reason codes of refused links (documented in docs/audit-events.md).
LINK_REASONS = (
    "download_link_unknown",
    "download_link_not_yours",
    "download_link_used",
    "download_link_expired",
    "stream_link_unknown",
    "stream_link_not_yours",
    "stream_link_expired",
    "clip_purged",
)


def download_link_redeem(*, actor: access.Actor, purpose: Purpose | None, raw_token: str) -> DownloadLink:
    """The link (and its clip), once, for the user it was made for, before it expires.

    A refused redemption (another user's link, a used or expired one, an unknown token, a
    purged clip) is logged through the gate as a denied clip_download, then raised.
    """
    with transaction.atomic():
        link = (
            DownloadLink.objects.select_for_update()
            .select_related("clip__answer__owner_request", "user", "purpose")
            .filter(token_digest=hashlib.sha256(raw_token.encode()).hexdigest())
            .first()
        )
        if link is None:
            problem, status = "download_link_unknown", 403
        elif link.user_id != actor.user.pk:
            problem, status = "download_link_not_yours", 403
        elif link.used_at is not None:
            problem, status = "download_link_used", 410
        elif link.expires_at <= timezone.now():
            problem, status = "download_link_expired", 410
        elif link.clip.purged_at is not None:
            problem, status = "clip_purged", 410
        else:
            link.used_at = timezone.now()
            link.save(update_fields=["used_at"])
            return link
    if problem == "clip_purged":
        message = _("This clip was deleted at the end of its retention period.")
    elif status == 410:
        message = _("This download link was already used or has expired. Ask for a new one (a new, logged download).")
    else:
        message = _("This download link is not valid for you, or it has expired.")
    _link_refuse(
        actor=actor,
        purpose=purpose,
        action=Action.CLIP_DOWNLOAD,
        clip=link.clip if link is not None else None,
        unknown_target="download:unknown",
        details={"problem": problem},
        refusal=LinkRefused(message, reason=problem, status=status),
    )


def _link_refuse(
    *,
    actor: access.Actor,
    purpose: Purpose | None,
    action: str,
    clip: Clip | None,
    unknown_target: str,
    details: dict[str, Any],
    refusal: LinkRefused,
) -> NoReturn:
    """Log a refused download or stream link through the gate (a denied event naming the
    problem, on the clip when there is one), then raise the refusal."""
    targets, owners = clip_targets(clip) if clip is not None else ([unknown_target[:80]], [])
    access.evidence_authorize(
        actor=actor,
        action=action,
        purpose=purpose,
        targets=targets,
        owner_refs=owners,
        details=details,
        extra_denial=refusal.reason,
    )
    raise refusal


def stream_link_resolve(*, actor: access.Actor, purpose: Purpose | None, link_public_id: Any) -> StreamLink:
    """The stream link behind a player request, for the user it was made for, until it expires.

    A refused request (someone else's link, an expired one, an unknown id, a purged clip)
    is logged through the gate as a denied clip_view with the link's problem in its details.
    """
    link = (
        StreamLink.objects.select_related("clip__answer__owner_request").filter(public_id=link_public_id).first()
        if valid_uuid(link_public_id)
        else None
    )
    if link is None:
        problem, status = "stream_link_unknown", 403
    elif link.user_id != actor.user.pk:
        problem, status = "stream_link_not_yours", 403
    elif link.clip.purged_at is not None:
        problem, status = "clip_purged", 410
    elif link.expires_at <= timezone.now():
        problem, status = "stream_link_expired", 410
    else:
        return link
    if problem == "clip_purged":
        message = _("This clip was deleted at the end of its retention period.")
    elif status == 410:
        message = _("This video link has expired. Open the clip again from its request page (a new, logged viewing).")
    else:
        message = _("This video link is not valid for you. Open the clip from its request page.")
    _link_refuse(
        actor=actor,
        purpose=purpose,
        action=Action.CLIP_VIEW,
        clip=link.clip if link is not None else None,
        unknown_target=f"stream:{link_public_id}",
        details={"stream_link": str(link_public_id)[:40], "problem": problem},
        refusal=LinkRefused(message, reason=problem, status=status),
    )
