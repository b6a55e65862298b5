"""Redeeming download and stream links: once, for their user, before they expire; refusals logged."""

import hashlib
from enum import StrEnum
from typing import Any, NoReturn

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Action
from cameras import access
from cameras.models import Purpose
from core.errors import AccessRefused, DomainError, Gone

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


class LinkProblem(StrEnum):
    """Why a download or stream link cannot serve a request (documented in
    docs/audit-events.md): the reason of the logged refusal and the code of the error."""

    DOWNLOAD_LINK_UNKNOWN = "download_link_unknown"
    DOWNLOAD_LINK_NOT_YOURS = "download_link_not_yours"
    DOWNLOAD_LINK_USED = "download_link_used"
    DOWNLOAD_LINK_EXPIRED = "download_link_expired"
    STREAM_LINK_UNKNOWN = "stream_link_unknown"
    STREAM_LINK_NOT_YOURS = "stream_link_not_yours"
    STREAM_LINK_EXPIRED = "stream_link_expired"
    CLIP_PURGED = "clip_purged"


LINK_REASONS = tuple(LinkProblem)


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
            problem = LinkProblem.DOWNLOAD_LINK_UNKNOWN
        elif link.user_id != actor.user.pk:
            problem = LinkProblem.DOWNLOAD_LINK_NOT_YOURS
        elif link.used_at is not None:
            problem = LinkProblem.DOWNLOAD_LINK_USED
        elif link.expires_at <= timezone.now():
            problem = LinkProblem.DOWNLOAD_LINK_EXPIRED
        elif link.clip.purged_at is not None:
            problem = LinkProblem.CLIP_PURGED
        else:
            link.used_at = timezone.now()
            link.save(update_fields=["used_at"])
            return link
    refusal: DomainError
    if problem == LinkProblem.CLIP_PURGED:
        refusal = Gone(_("This clip was deleted at the end of its retention period."), code=problem)
    elif problem in (LinkProblem.DOWNLOAD_LINK_USED, LinkProblem.DOWNLOAD_LINK_EXPIRED):
        refusal = Gone(
            _("This download link was already used or has expired. Ask for a new one (a new, logged download)."),
            code=problem,
        )
    else:
        refusal = AccessRefused(_("This download link is not valid for you, or it has expired."), code=problem)
    _link_refuse(
        actor=actor,
        purpose=purpose,
        action=Action.CLIP_DOWNLOAD,
        clip=link.clip if link is not None else None,
        unknown_target="download:unknown",
        details={"problem": problem},
        refusal=refusal,
    )


def _link_refuse(
    *,
    actor: access.Actor,
    purpose: Purpose | None,
    action: str,
    clip: Clip | None,
    unknown_target: str,
    details: dict[str, Any],
    refusal: DomainError,
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
        extra_denial=refusal.code,
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
        problem = LinkProblem.STREAM_LINK_UNKNOWN
    elif link.user_id != actor.user.pk:
        problem = LinkProblem.STREAM_LINK_NOT_YOURS
    elif link.clip.purged_at is not None:
        problem = LinkProblem.CLIP_PURGED
    elif link.expires_at <= timezone.now():
        problem = LinkProblem.STREAM_LINK_EXPIRED
    else:
        return link
    refusal: DomainError
    if problem == LinkProblem.CLIP_PURGED:
        refusal = Gone(_("This clip was deleted at the end of its retention period."), code=problem)
    elif problem == LinkProblem.STREAM_LINK_EXPIRED:
        refusal = Gone(
            _("This video link has expired. Open the clip again from its request page (a new, logged viewing)."),
            code=problem,
        )
    else:
        refusal = AccessRefused(
            _("This video link is not valid for you. Open the clip from its request page."), code=problem
        )
    _link_refuse(
        actor=actor,
        purpose=purpose,
        action=Action.CLIP_VIEW,
        clip=link.clip if link is not None else None,
        unknown_target=f"stream:{link_public_id}",
        details={"stream_link": str(link_public_id)[:40], "problem": problem},
        refusal=refusal,
    )
