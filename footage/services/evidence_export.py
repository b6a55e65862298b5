"""The evidence export of one request's clips: a signed zip, one gate decision."""

import os
import tempfile
from dataclasses import dataclass
from typing import Any, BinaryIO

from audit.models import Action
from cameras import access
from cameras.models import Purpose
from tenants.selectors import department_current

from ..export import ExportIntegrityError, ExportItem, export_write, iter_custody, safe_file_name
from ..models import CustodyAction, FootageRequest
from ..storage import clip_store
from .custody import clips_targets, custody_record
from .integrity import integrity_notice_raise


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
    request = (
        FootageRequest.objects.select_related("purpose")
        .filter(public_id=request_public_id, officer_id=actor.user.pk)
        .first()
    )
    clips = (
        list(request.clips.filter(purged_at__isnull=True).select_related("answer__owner_request")) if request else []
    )
    # Each clip's camera is named as for a view or download (clip_targets), so that its
    # owner sees which camera the footage came from and is told if they asked to be. A
    # request not found is named itself, as a clip not found is.
    targets, owners = (
        clips_targets(clips) if request is not None else ([f"footage_request:{request_public_id}"[:80]], [])
    )
    decision = access.evidence_authorize(
        actor=actor,
        action=Action.EXPORT,
        purpose=purpose,
        targets=targets,
        owner_refs=owners,
        quantity=sum(c.size for c in clips),
        quantity_unit="bytes",
        extra_denial=None if request is not None else access.Refusal.NOT_FOUND,
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
