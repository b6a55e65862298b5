"""Footage requests, owners' answers, clips and custody. Police access goes through the gate."""

import datetime as dt
import hashlib
import secrets
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, BinaryIO, NoReturn, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import STAFF_ROLES, Role
from accounts.selectors import user_pseudonym
from audit.models import Action
from cameras import access
from cameras.models import Camera, Purpose
from notifications.models import Kind
from notifications.services import notification_send, text
from tenants.models import DepartmentPolicy
from tenants.outbox import enqueue_on_commit
from tenants.selectors import department_current

from .content import sniff, video_container
from .models import (
    Answer,
    CameraAnswer,
    Clip,
    CustodyAction,
    CustodyEvent,
    DownloadLink,
    FootageRequest,
    IntegrityNotice,
    OwnerRequest,
    StreamLink,
)
from .storage import clip_store

CHUNK = 1024 * 1024
# How far back a request may reach: the longest a camera's recorder keeps footage
# (Camera.retention_days). It also keeps a mistyped year (0001) out of the database,
# where east of Greenwich it would lie before year 1 in UTC and fail every later read.
REQUEST_LOOKBACK_DAYS = 3650


def _policy() -> DepartmentPolicy:
    return DepartmentPolicy.objects.get(department_id=department_current().pk)


@dataclass(frozen=True)
class RequestResult:
    request: FootageRequest | None
    owners: int
    cameras: int
    refused: int


def footage_request_send(
    *,
    actor: access.Actor,
    purpose: Purpose | None,
    camera_ids: list[Any],
    window_start: dt.datetime,
    window_end: dt.datetime,
    message: str,
    area: dict[str, Any] | None = None,
) -> RequestResult:
    """Ask the owners of the chosen cameras for footage of a time window.

    Each camera is a gate decision (footage_request), so cameras whose consent no longer
    allows a request are left out, and logged. One request goes to each owner, listing
    their cameras; owners are e-mailed after the commit.
    """
    policy = _policy()
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    if purpose is None:
        errors["purpose"] = [_("State a purpose (case number, category and reason) first.")]
    if window_end <= window_start:
        errors["window_end"] = [_("The end of the time window must be after its start.")]
    elif window_end > now:
        # Owners answer at once; footage not yet recorded cannot be sent.
        errors["window_end"] = [_("Footage cannot be requested for the future.")]
    elif window_end - window_start > dt.timedelta(hours=policy.footage_request_max_hours):
        errors["window_end"] = [
            _("The time window may be at most %(hours)d hours.") % {"hours": policy.footage_request_max_hours}
        ]
    if window_start > now:
        errors["window_start"] = [_("Footage cannot be requested for the future.")]
    elif window_start < now - dt.timedelta(days=REQUEST_LOOKBACK_DAYS):
        errors["window_start"] = [
            _("Footage can be requested for at most the last %(days)d days.") % {"days": REQUEST_LOOKBACK_DAYS}
        ]
    if not message.strip():
        errors["message"] = [_("Write a short message to the owners.")]
    if not camera_ids:
        errors["cameras"] = [_("Choose at least one camera.")]
    if errors:
        raise ValidationError(errors)
    by_owner: dict[int, list[Camera]] = defaultdict(list)
    refused = 0
    with transaction.atomic():
        for public_id in dict.fromkeys(str(c) for c in camera_ids):
            _decision, camera = access.camera_lookup(
                actor=actor, purpose=purpose, public_id=public_id, action=Action.FOOTAGE_REQUEST
            )
            if camera is None:
                refused += 1
                continue
            by_owner[camera.site.owner_id].append(camera)
        if not by_owner:
            return RequestResult(None, 0, 0, refused)
        assert purpose is not None
        request = FootageRequest.objects.create(
            officer=actor.user,
            purpose=purpose,
            window_start=window_start,
            window_end=window_end,
            message=message.strip(),
            area=area or {},
            expires_at=timezone.now() + dt.timedelta(days=policy.footage_request_days),
        )
        for owner_id, cameras in by_owner.items():
            owner_request = OwnerRequest.objects.create(request=request, owner_id=owner_id)
            CameraAnswer.objects.bulk_create(
                CameraAnswer(owner_request=owner_request, camera=c, camera_ref=f"camera:{c.public_id}") for c in cameras
            )
            from .tasks import footage_request_notify as footage_request_notify_task

            enqueue_on_commit(footage_request_notify_task, owner_request_id=owner_request.pk)
    return RequestResult(request, len(by_owner), sum(len(c) for c in by_owner.values()), refused)


def text_without_nul_check(value: str, *, field: str, message: str) -> None:
    """Refuse text PostgreSQL cannot store (the NUL character) with ``message`` on ``field``,
    as a form's CharField would, instead of failing at the database."""
    if "\x00" in value:
        raise ValidationError({field: [message]})


def _answer_of_owner(owner: Any, answer_id: int) -> CameraAnswer:
    return CameraAnswer.objects.select_related("owner_request__request__purpose").get(
        pk=answer_id, owner_request__owner=owner
    )


def answer_set(*, owner: Any, answer_id: int, answer: str, decline_reason: str = "") -> CameraAnswer:
    """'No relevant footage' or 'decline' (the reason stays with the owner)."""
    if answer not in (Answer.NO_FOOTAGE, Answer.DECLINED):
        raise ValidationError({"answer": [_("Choose 'no relevant footage' or 'decline'.")]})
    text_without_nul_check(
        decline_reason,
        field="decline_reason",
        message=_("The reason for declining may not contain the NUL character."),
    )
    with transaction.atomic():
        row = _answer_of_owner(owner, answer_id)
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


class _HashingReader:
    """A file-like view of ``source`` that hashes each byte the first time it is read.

    Storage backends read differently (FileSystemStorage through ``chunks()``, S3 through
    ``read()`` after seeking to the end for the size), and may read a range again; hashing
    at the read, up to a high-water mark, gives the hash of exactly the bytes stored.
    """

    def __init__(self, source: BinaryIO) -> None:
        self._source = source
        self.digest = hashlib.sha256()
        self.hashed = 0
        self.skipped = False  # a read started past the mark: some bytes were never hashed

    def read(self, size: int | None = -1) -> bytes:
        start = self._source.tell()
        block = self._source.read(-1 if size is None else size)
        if start > self.hashed:
            self.skipped = True
        elif start + len(block) > self.hashed:
            self.digest.update(block[self.hashed - start :])
            self.hashed = start + len(block)
        return block

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._source.seek(offset, whence)

    def tell(self) -> int:
        return self._source.tell()

    def seekable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True

    def close(self) -> None:  # the caller owns the source
        return None

    @property
    def closed(self) -> bool:
        return False


def clip_upload(*, owner: Any, answer_id: int, upload: BinaryIO, name: str, size: int) -> Receipt:
    """Store an owner's clip unaltered, hashed while streaming, after checking it is video.

    Nothing is half-stored: the file is written under a server-generated key and removed
    again if the database part fails; a clip already sent for the same camera is refused.
    """
    clip_size_check(size)
    container = video_container(sniff(upload))
    if container is None:
        raise ValidationError({"file": [not_video_message()]})
    row = _answer_of_owner(owner, answer_id)
    answer_open_check(row)
    schema = department_current().schema_name
    key = f"{schema}/clips/{timezone.now():%Y/%m}/{secrets.token_hex(16)}"
    hashing = _HashingReader(upload)
    store = clip_store()
    saved_key = store.save(key, File(cast(BinaryIO, hashing), name=key))  # file-like enough for File
    stored = hashing.hashed
    try:
        if hashing.skipped or stored != size:
            raise ValidationError({"file": [_("The upload was interrupted; please send the file again.")]})
        sha = hashing.digest.hexdigest()
        with transaction.atomic():
            clip = Clip.objects.create(
                answer=row,
                request=row.owner_request.request,
                original_name=name[:255],
                size=stored,
                sha256=sha,
                container=container,
                storage_key=saved_key,
            )
            CameraAnswer.objects.filter(pk=row.pk).update(answer=Answer.UPLOADED, answered_at=timezone.now())
            custody_record(
                clip=clip,
                action=CustodyAction.UPLOADED,
                actor=owner,
                case_number=row.owner_request.request.purpose.case_number,
            )
            _officer_tell_clip_arrived(row.owner_request.request)
    except IntegrityError as exc:
        store.delete(saved_key)
        raise ValidationError({"file": [_("You already sent this exact file for this camera.")]}) from exc
    except BaseException:
        store.delete(saved_key)
        raise
    from .tasks import clip_receipt_send as clip_receipt_send_task

    enqueue_on_commit(clip_receipt_send_task, clip_id=clip.pk)
    return Receipt(clip, clip.original_name, clip.size, clip.sha256, clip.uploaded_at)


def _custody_label(actor: Any) -> str:
    """Staff as they are named (badge included); an owner by pseudonym: police are never told
    who sent footage, and the label outlives the owner's account (docs/owner-data.md)."""
    if actor is None:
        return "Porchlight"
    if getattr(actor, "role", None) in STAFF_ROLES:
        return str(getattr(actor, "display_label", "") or "")
    return user_pseudonym(user_id=actor.pk)


def _officer_tell_clip_arrived(request: FootageRequest) -> None:
    """The officer who asked is told a clip arrived: which case and how many clips so far,
    never who sent it or the file's name (an owner may name it after themselves)."""
    case = request.purpose.case_number
    notification_send(
        recipient=request.officer,
        kind=Kind.CLIP_ARRIVED,
        subject=text(gettext_lazy("Footage arrived for case %(case)s"), case=case),
        body=text(
            gettext_lazy("An owner sent footage for your request for case %(case)s. Clips received so far: %(count)s."),
            case=case,
            count=request.clips.count(),
        ),
        link=reverse("footage-request-detail", args=[request.public_id]),
    )


def custody_record(
    *, clip: Clip, action: str, actor: Any = None, case_number: str = "", note: str = ""
) -> CustodyEvent:
    return CustodyEvent.objects.create(
        clip=clip,
        action=action,
        actor_id=getattr(actor, "pk", None),
        actor_label=_custody_label(actor),
        case_number=case_number,
        sha256=clip.sha256,
        note=note[:500],
    )


def _clip_targets(clip: Clip) -> tuple[list[str], list[int]]:
    owner_id = clip.answer.owner_request.owner_id  # None: kept as evidence after the owner left
    return [f"clip:{clip.public_id}", clip.answer.camera_ref], [] if owner_id is None else [owner_id]


def _clips_targets(clips: list[Clip]) -> tuple[list[str], list[int]]:
    """The clips, their cameras and their owners, each named once (several clips may come
    from one camera, several cameras from one owner)."""
    targets: dict[str, None] = {}
    owners: dict[int, None] = {}
    for clip in clips:
        clip_targets, clip_owners = _clip_targets(clip)
        targets.update(dict.fromkeys(clip_targets))
        owners.update(dict.fromkeys(clip_owners))
    return list(targets), list(owners)


def clip_for_police(
    *, actor: access.Actor, purpose: Purpose | None, clip_public_id: Any, action: str
) -> tuple[access.Decision, Clip | None]:
    """A clip for viewing or a download link, through the gate (one event); an allowed viewing
    also gets its 'viewed' custody event here."""
    clip = (
        Clip.objects.select_related("answer__owner_request", "request__purpose")
        .filter(public_id=clip_public_id, purged_at__isnull=True)
        .first()
        if _valid_uuid(clip_public_id)
        else None
    )
    if clip is None:
        decision = access.evidence_authorize(
            actor=actor,
            action=action,
            purpose=purpose,
            targets=[f"clip:{clip_public_id}"[:80]],
            owner_refs=[],
            extra_denial="not_found",
        )
        return decision, None
    targets, owners = _clip_targets(clip)
    decision = access.evidence_authorize(
        actor=actor,
        action=action,
        purpose=purpose,
        targets=targets,
        owner_refs=owners,
        quantity=clip.size,
        quantity_unit="bytes",
        extra_denial=None if _on_the_case(actor, purpose, clip) else "not_on_case",
    )
    if not decision.allowed:
        return decision, None
    if action == Action.CLIP_VIEW:
        custody_record(
            clip=clip,
            action=CustodyAction.VIEWED,
            actor=actor.user,
            case_number=purpose.case_number if purpose else "",
            note=_custody_purpose_note(purpose, decision.event_seq),
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


def _custody_purpose_note(purpose: Purpose | None, event_seq: int | None) -> str:
    """The purpose behind a custody event, and the access-log event that allowed it."""
    if purpose is None:
        return f"access event {event_seq}"
    return f"{purpose.category} ({purpose.authority}): {purpose.text}; access event {event_seq}"


def _valid_uuid(value: Any) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


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


def clip_download_record(*, link: DownloadLink) -> CustodyEvent:
    """The 'downloaded' custody event of a redeemed link whose clip is being sent: who, for
    which case and purpose, and the access event that issued the link."""
    return custody_record(
        clip=link.clip,
        action=CustodyAction.DOWNLOADED,
        actor=link.user,
        case_number=link.purpose.case_number,
        note=_custody_purpose_note(link.purpose, link.access_event_seq),
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
    targets, owners = _clip_targets(clip) if clip is not None else ([unknown_target[:80]], [])
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
        if _valid_uuid(clip_public_id)
        else None
    )
    targets, owners = _clip_targets(clip) if clip is not None else ([f"clip:{clip_public_id}"[:80]], [])
    refusal = None
    if clip is None:
        refusal = "not_found"
    elif getattr(actor.user, "role", None) != "supervisor":
        refusal = "role_not_permitted"
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
        if decision.reason == "role_not_permitted":
            raise PermissionError(_("Only a supervisor can place or release a legal hold."))
        raise PermissionError(decision.message)
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


def clips_purge_expired(*, now: dt.datetime | None = None) -> int:
    """Delete the stored originals of clips past the retention period and not held.

    Each clip is read again, locked, just before its file is deleted: a legal hold placed
    while the run works through its list keeps the clip (a hold waits for the lock).
    """
    now = now or timezone.now()
    policy = _policy()
    cutoff = now - dt.timedelta(days=policy.footage_retention_days)
    purged = 0
    expired = Clip.objects.filter(purged_at__isnull=True, held=False, uploaded_at__lt=cutoff)
    for pk in list(expired.values_list("pk", flat=True)):
        with transaction.atomic():
            clip = expired.select_for_update(of=("self",)).select_related("answer__owner_request").filter(pk=pk).first()
            if clip is None:  # held, or purged by another run, since the list was read
                continue
            Clip.objects.filter(pk=clip.pk).update(purged_at=now)
            custody_record(
                clip=clip,
                action=CustodyAction.PURGED,
                note=_("retention period of %(days)d days ended") % {"days": policy.footage_retention_days},
            )
            # Last, so that a failed delete leaves the clip unpurged for the next run.
            clip_store().delete(clip.storage_key)
        from .tasks import clip_purged_notify as clip_purged_notify_task

        enqueue_on_commit(clip_purged_notify_task, clip_id=clip.pk)
        purged += 1
    return purged


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


def _opener(key: str) -> Any:
    def open_stored() -> BinaryIO:
        return clip_store().open(key, "rb")  # type: ignore[return-value]

    return open_stored


@dataclass(frozen=True)
class ExportResult:
    decision: access.Decision
    path: str | None = None
    fingerprint: str = ""


def request_export(
    *, actor: access.Actor, purpose: Purpose | None, request_public_id: Any, directory: str
) -> ExportResult:
    """The evidence export of one request's clips: a signed zip written to ``directory``.

    One gate decision (export); each clip gets an 'exported' custody event, or
    'integrity_failed' if its stored bytes no longer match the hash taken at upload.
    """
    import os
    import tempfile

    from .export import ExportIntegrityError, ExportItem, export_write, iter_custody, safe_file_name

    request = (
        FootageRequest.objects.select_related("purpose")
        .filter(public_id=request_public_id, officer_id=actor.user.pk)
        .first()
    )
    clips = (
        list(request.clips.filter(purged_at__isnull=True).select_related("answer__owner_request")) if request else []
    )
    # Each clip's camera is named as for a view or download (_clip_targets), so that its
    # owner sees which camera the footage came from and is told if they asked to be. A
    # request not found is named itself, as a clip not found is.
    targets, owners = (
        _clips_targets(clips) if request is not None else ([f"footage_request:{request_public_id}"[:80]], [])
    )
    decision = access.evidence_authorize(
        actor=actor,
        action=Action.EXPORT,
        purpose=purpose,
        targets=targets,
        owner_refs=owners,
        quantity=sum(c.size for c in clips),
        quantity_unit="bytes",
        extra_denial=None if request is not None else "not_found",
    )
    if not decision.allowed or request is None:
        return ExportResult(decision)
    items = [
        ExportItem(
            clip_id=str(c.public_id),
            file_name=safe_file_name(str(c.public_id), c.original_name),
            open=_opener(c.storage_key),
            sha256=c.sha256,
            size=c.size,
            custody=iter_custody(c.custody.all()),
        )
        for c in clips
    ]
    handle, path = tempfile.mkstemp(suffix=".zip", dir=directory)
    try:
        with os.fdopen(handle, "wb") as out:
            summary = export_write(
                out,
                case_number=request.purpose.case_number,
                department_name=department_current().name,
                clips=items,
                exported_by=getattr(actor.user, "display_label", str(actor.user)),
            )
    except ExportIntegrityError as exc:
        os.unlink(path)
        broken = next(c for c in clips if str(c.public_id) == exc.clip_id)
        custody_record(
            clip=broken,
            action=CustodyAction.INTEGRITY_FAILED,
            note=f"export refused: stored file hashes to {exc.actual_sha256}",
        )
        integrity_notice_raise(clip=broken, actual_sha256=exc.actual_sha256)  # as the weekly re-hash would
        raise
    for clip in clips:
        custody_record(
            clip=clip,
            action=CustodyAction.EXPORTED,
            actor=actor.user,
            case_number=request.purpose.case_number,
            note=f"manifest {summary.manifest_sha256}",
        )
    return ExportResult(decision, path, summary.fingerprint)


def requests_remind(*, now: dt.datetime | None = None) -> int:
    """Remind owners, once, before their recorder overwrites the requested footage.

    A camera's recorder keeps footage for its retention_days; when the start of the
    requested window is within a day of falling out of it, the owner is reminded.
    """
    now = now or timezone.now()
    reminded = 0
    pending = (
        OwnerRequest.objects.filter(
            reminded_at__isnull=True, request__expires_at__gt=now, answers__answer=Answer.PENDING
        )
        .select_related("request")
        .prefetch_related("answers__camera")
        .distinct()
    )
    for owner_request in pending:
        retention = [
            a.camera.retention_days
            for a in owner_request.answers.all()
            if a.answer == Answer.PENDING and a.camera is not None and a.camera.retention_days
        ]
        if not retention:
            continue
        overwritten_at = owner_request.request.window_start + dt.timedelta(days=min(retention))
        if overwritten_at - dt.timedelta(days=1) <= now < overwritten_at:
            OwnerRequest.objects.filter(pk=owner_request.pk).update(reminded_at=now)
            from .tasks import footage_request_remind as footage_request_remind_task

            enqueue_on_commit(footage_request_remind_task, owner_request_id=owner_request.pk)
            reminded += 1
    return reminded


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


def stream_link_resolve(*, actor: access.Actor, purpose: Purpose | None, link_public_id: Any) -> StreamLink:
    """The stream link behind a player request, for the user it was made for, until it expires.

    A refused request (someone else's link, an expired one, an unknown id, a purged clip)
    is logged through the gate as a denied clip_view with the link's problem in its details.
    """
    link = (
        StreamLink.objects.select_related("clip__answer__owner_request").filter(public_id=link_public_id).first()
        if _valid_uuid(link_public_id)
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


def integrity_notice_acknowledge(*, user: Any, notice_id: int, note: str = "") -> IntegrityNotice:
    """A department admin or supervisor acknowledges an integrity notice (who and when).

    The notice stays, with its history; acknowledging it a second time is refused.
    """
    from .selectors import INTEGRITY_NOTICE_ROLES

    if getattr(user, "role", None) not in INTEGRITY_NOTICE_ROLES:
        raise PermissionError(_("Only department administrators and supervisors can acknowledge this."))
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
