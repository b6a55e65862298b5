"""Integrity of stored clips: the weekly re-hash, a missing original, and the notices department admins acknowledge."""

import hashlib
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cameras.access import Refusal
from core.errors import Refused

from ..models import Clip, CustodyAction, IntegrityNotice
from ..selectors import INTEGRITY_NOTICE_ROLES
from ..storage import clip_store
from .common import CHUNK, text_without_nul_check
from .custody import custody_record

if TYPE_CHECKING:
    from accounts.models import User


def clips_rehash() -> list[Clip]:
    """Re-hash every stored clip; a mismatch is recorded in its custody and returned."""
    broken = []
    for clip in Clip.objects.filter(purged_at__isnull=True):
        digest = hashlib.sha256()
        try:
            with clip_store().open(clip.storage_key, "rb") as handle:
                while block := handle.read(CHUNK):
                    digest.update(block)
            actual = digest.hexdigest()
        except FileNotFoundError:
            actual = "missing"
        if actual != clip.sha256:
            custody_record(clip=clip, action=CustodyAction.INTEGRITY_FAILED, note=f"stored file hashes to {actual}")
            integrity_notice_raise(clip=clip, actual_sha256=actual)
            broken.append(clip)
    return broken


def clip_original_missing(*, clip: Clip, when: str) -> None:
    """Record that ``clip``'s stored original was found missing (while serving it): the
    department's admins get an integrity notice and the clip's custody says so, as the
    weekly re-hash would; once, not at every request of a player that retries."""
    if integrity_notice_raise(clip=clip, actual_sha256="missing") is not None:
        custody_record(clip=clip, action=CustodyAction.INTEGRITY_FAILED, note=f"{when}: stored file is missing")


# --- Integrity notices for department admins ----------------------------------------------


def integrity_notice_raise(*, clip: Clip, actual_sha256: str) -> IntegrityNotice | None:
    """A notice that ``clip``'s stored bytes no longer match its hash, unless one is open.

    Idempotent: rerunning the check adds no second open notice for the clip, and a state of
    the stored bytes (its actual hash) that someone already acknowledged is not raised
    again; a further change to the bytes is.
    """
    with transaction.atomic():
        known = IntegrityNotice.objects.filter(clip=clip).filter(
            models.Q(acknowledged_at__isnull=True) | models.Q(actual_sha256=actual_sha256)
        )
        if known.exists():
            return None
        try:
            with transaction.atomic():
                return IntegrityNotice.objects.create(
                    clip=clip, expected_sha256=clip.sha256, actual_sha256=actual_sha256[:64]
                )
        except IntegrityError:  # a concurrent run raised it first
            return None


def integrity_notice_acknowledge(*, user: "User", notice_id: int, note: str = "") -> IntegrityNotice:
    """A department admin or supervisor acknowledges an integrity notice (who and when).

    The notice stays, with its history; acknowledging it a second time is refused.
    """
    if getattr(user, "role", None) not in INTEGRITY_NOTICE_ROLES:
        raise Refused(
            _("Only department administrators and supervisors can acknowledge this."), code=Refusal.ROLE_NOT_PERMITTED
        )
    text_without_nul_check(note, field="note", message=_("The acknowledgement note may not contain the NUL character."))
    with transaction.atomic():
        notice = IntegrityNotice.objects.select_for_update().get(pk=notice_id)
        if notice.acknowledged_at is not None:
            raise ValidationError(
                _("%(who)s already acknowledged this notice.") % {"who": notice.acknowledged_by_label}
            )
        notice.acknowledged_at = timezone.now()
        notice.acknowledged_by = user
        notice.acknowledged_by_label = (getattr(user, "display_label", "") or str(user))[:200]
        notice.acknowledgement_note = note.strip()[:500]
        notice._history_user = user  # type: ignore[attr-defined]  # simple-history: who, not the request's user
        notice.save(
            update_fields=["acknowledged_at", "acknowledged_by", "acknowledged_by_label", "acknowledgement_note"]
        )
    return notice
