"""What becomes of an owner's footage when they delete their account (docs/owner-data.md).

- A clip they sent stays with the department as evidence when it is under a legal hold,
  or when the request it answered is still open (the case is being worked on); it is
  detached from them: its request no longer names them, and its custody log names them
  by pseudonym (``owner-<hash>``, accounts.selectors.user_pseudonym).
- Every other clip of theirs is purged at once: its stored file is deleted after the
  commit, its file name as sent is erased, and its custody records the purge, as at the
  end of the retention period.
- Their requests stay, detached, so that police's counts ("owners asked") stay true; an
  open one they had not answered is closed as "no answer", and their reasons for
  declining (their own words) are erased.
- Unfinished uploads go, with their staged pieces.

``owner_footage_preview`` says all this before it happens, for the confirmation page;
``owner_footage_release`` does it, in the caller's transaction.
"""

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.selectors import user_pseudonym

from . import uploads
from .models import Answer, CameraAnswer, Clip, ClipUpload, CustodyAction, CustodyEvent, OwnerRequest
from .services.custody import custody_record
from .storage import clip_store

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger("porchlight.footage")


class KeptBecause:
    LEGAL_HOLD = "legal_hold"
    OPEN_REQUEST = "open_request"


@dataclass(frozen=True)
class KeptClip:
    public_id: Any
    case_number: str
    because: str  # KeptBecause


@dataclass(frozen=True)
class FootageDeparture:
    kept: list[KeptClip]  # clips that stay with the department as evidence
    deleted_clips: int  # clips purged now
    open_requests: int  # open requests not (fully) answered, closed as "no answer"

    @property
    def cases(self) -> list[str]:
        """The case numbers the kept clips are evidence in, each once, in order."""
        return list(dict.fromkeys(clip.case_number for clip in self.kept))


def _clips_of(owner: "User") -> Any:
    return (
        Clip.objects.filter(answer__owner_request__owner=owner, purged_at__isnull=True)
        .select_related("request__purpose")
        .order_by("uploaded_at", "pk")
    )


def _kept_because(clip: Clip, now: dt.datetime) -> str | None:
    if clip.held:
        return KeptBecause.LEGAL_HOLD
    if clip.request.expires_at > now:
        return KeptBecause.OPEN_REQUEST
    return None


def _open_unanswered(owner: "User", now: dt.datetime) -> Any:
    return OwnerRequest.objects.filter(
        owner=owner, request__expires_at__gt=now, answers__answer=Answer.PENDING
    ).distinct()


def owner_footage_preview(*, owner: "User", now: dt.datetime | None = None) -> FootageDeparture:
    """What deleting the owner's account would do to their footage and requests (reads only)."""
    now = now or timezone.now()
    kept: list[KeptClip] = []
    deleted = 0
    for clip in _clips_of(owner):
        because = _kept_because(clip, now)
        if because is None:
            deleted += 1
        else:
            kept.append(KeptClip(clip.public_id, clip.request.purpose.case_number, because))
    return FootageDeparture(kept=kept, deleted_clips=deleted, open_requests=_open_unanswered(owner, now).count())


def _after_commit_delete(delete: Callable[[], None], what: str) -> None:
    def run() -> None:
        try:
            delete()
        except OSError:  # the rows say purged; a file left behind is logged for an operator
            logger.exception("could not delete %s of a deleted account", what)

    transaction.on_commit(run)


def owner_footage_release(*, owner: "User", now: dt.datetime | None = None) -> FootageDeparture:
    """Detach the owner from their footage requests and clips, keeping only the evidence
    (see the module's docstring). Runs in the caller's transaction, before the account
    itself is deleted (a request still naming the owner would go with them, and a clip
    cannot lose its request)."""
    now = now or timezone.now()
    pseudonym = user_pseudonym(user_id=owner.pk)
    with transaction.atomic():
        requests = OwnerRequest.objects.select_for_update().filter(owner=owner)
        request_ids = list(requests.values_list("pk", flat=True))
        open_ids = list(_open_unanswered(owner, now).values_list("pk", flat=True))
        kept: list[KeptClip] = []
        deleted = 0
        store = clip_store()
        for clip in _clips_of(owner).select_for_update(of=("self",)):
            because = _kept_because(clip, now)
            case_number = clip.request.purpose.case_number
            if because is None:
                # Its file name as sent may name the owner; a purged clip no longer needs it.
                Clip.objects.filter(pk=clip.pk).update(purged_at=now, original_name="")
                custody_record(
                    clip=clip,
                    action=CustodyAction.PURGED,
                    case_number=case_number,
                    note=f"the owner ({pseudonym}) deleted their account",
                )
                _after_commit_delete(partial(store.delete, clip.storage_key), "a clip")
                deleted += 1
            else:
                custody_record(
                    clip=clip,
                    action=CustodyAction.OWNER_DELETED,
                    case_number=case_number,
                    note=f"the owner ({pseudonym}) deleted their account; kept as evidence ({because})",
                )
                kept.append(KeptClip(clip.public_id, case_number, because))
        # The custody log names them by pseudonym from now on (rows written before owners
        # were named so at upload carried their name).
        CustodyEvent.objects.filter(clip__answer__owner_request__owner=owner, actor_id=owner.pk).update(
            actor_id=None, actor_label=pseudonym
        )
        CameraAnswer.objects.filter(
            owner_request_id__in=open_ids, owner_request__request__expires_at__gt=now, answer=Answer.PENDING
        ).update(answer=Answer.NO_ANSWER, answered_at=now)
        CameraAnswer.objects.filter(owner_request_id__in=request_ids).filter(~Q(decline_reason="")).update(
            decline_reason=""
        )
        OwnerRequest.objects.filter(pk__in=request_ids).update(owner=None)
        for upload in ClipUpload.objects.select_for_update().filter(owner=owner, completed_at__isnull=True):
            _after_commit_delete(partial(uploads.upload_pieces_delete, upload), "an upload's pieces")
            upload.delete()
        # Finished uploads only point at their clip; they go with the account.
        ClipUpload.objects.filter(owner=owner).delete()
    return FootageDeparture(kept=kept, deleted_clips=deleted, open_requests=len(open_ids))
