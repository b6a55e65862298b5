"""The owner's answers to a footage request, and the checks a clip passes before any byte is stored."""

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Answer, CameraAnswer, Clip
from .common import text_without_nul_check

if TYPE_CHECKING:
    from accounts.models import User


def answer_of_owner(owner: "User", answer_id: int) -> CameraAnswer:
    return CameraAnswer.objects.select_related("owner_request__request__purpose").get(
        pk=answer_id, owner_request__owner=owner
    )


def answer_set(*, owner: "User", answer_id: int, answer: str, decline_reason: str = "") -> CameraAnswer:
    """'No relevant footage' or 'decline' (the reason stays with the owner)."""
    if answer not in (Answer.NO_FOOTAGE, Answer.DECLINED):
        raise ValidationError({"answer": [_("Choose 'no relevant footage' or 'decline'.")]})
    text_without_nul_check(
        decline_reason,
        field="decline_reason",
        message=_("The reason for declining may not contain the NUL character."),
    )
    with transaction.atomic():
        row = answer_of_owner(owner, answer_id)
        if row.clips.exists():
            raise ValidationError({"answer": [_("You already sent footage for this camera.")]})
        row.answer = answer
        row.decline_reason = decline_reason.strip()[:1000] if answer == Answer.DECLINED else ""
        row.answered_at = timezone.now()
        row.save()
    return row


@dataclass(frozen=True)
class Receipt:
    clip: Clip
    name: str
    size: int
    sha256: str
    at: dt.datetime


def not_video_message() -> str:
    return _("This is not a video file (MP4, MOV, MKV, AVI, WMV, TS…), whatever its name says.")


def clip_size_check(size: int) -> None:
    """Refuse a clip larger than the policy's limit, or an empty one (before any byte is stored)."""
    policy_max = settings.PORCHLIGHT_CLIP_MAX_BYTES
    if size > policy_max:
        raise ValidationError(
            {"file": [_("The file is too large: at most %(gb).1f GB.") % {"gb": policy_max / 1024**3}]}
        )
    if size <= 0:
        raise ValidationError({"file": [_("The file is empty.")]})


def answer_open_check(row: CameraAnswer) -> None:
    """Refuse footage for a request that has expired."""
    if row.owner_request.request.expires_at <= timezone.now():
        raise ValidationError({"file": [_("This request has expired; police can no longer receive footage for it.")]})
