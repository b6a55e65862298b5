"""Resumable uploads of clips: services for an owner sending a large clip in pieces.

The protocol (views in footage/views/uploads.py, client in footage/static/footage/upload.js):

1. start: the owner names one camera of their answer, the file name and its size. The size
   is checked against the policy before any byte is sent; the server fixes the piece size.
2. pieces: each piece is sent with its byte range and must start exactly where the server
   has got to. A piece is staged (storage "clip_staging") before the offset moves on, so a
   retried piece overwrites its own staged copy and nothing already received is lost.
   The first piece is checked for a video container, so a wrong file is refused at once.
3. finish: the staged pieces are read back in order as one stream and handed to
   ``services.clip_upload``, the same path as a whole-file upload: it re-checks the type,
   hashes the original bytes while storing them in the clip store under a new key, and
   makes the clip, its 'uploaded' custody event and the receipt e-mail.

At any time the owner may ask where the upload has got to, and carry on from there.
"""

import datetime as dt
import uuid
from enum import StrEnum
from typing import TYPE_CHECKING, Any, BinaryIO, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict, Invalid
from tenants.selectors import department_current

from .content import video_container
from .models import CameraAnswer, ClipUpload
from .services.answers import Receipt, answer_open_check, clip_size_check, not_video_message
from .services.common import text_without_nul_check
from .services.hashing import clip_upload
from .storage import staging_store

if TYPE_CHECKING:
    from accounts.models import User

SNIFF_BYTES = 4096  # what footage.content.sniff reads; the first piece must hold it
# Unfinished uploads one owner may have for one camera at a time: several clips of a camera
# may be sent at once (two browser tabs), and what one owner keeps staged stays bounded.
UPLOADS_IN_PROGRESS_MAX = 3


class UploadProblem(StrEnum):
    """Why a step of a resumable upload is refused (the code of its error)."""

    TOO_MANY_IN_PROGRESS = "too_many_in_progress"
    ALREADY_COMPLETE = "already_complete"
    BEYOND_SIZE = "beyond_size"
    WRONG_OFFSET = "wrong_offset"
    WRONG_LENGTH = "wrong_length"
    INCOMPLETE = "incomplete"


class UploadError(Invalid):
    """A piece or step of a resumable upload that is refused; what was received is kept.

    ``offset`` is where the upload stands, for the client to carry on from.
    """

    def __init__(self, message: str, *, code: UploadProblem, offset: int | None = None) -> None:
        super().__init__(message, code=code)
        self.offset = offset


class UploadConflict(Conflict):
    """The piece does not fit the upload's state (wrong offset, already complete, too many
    in progress); ``offset`` as for UploadError."""

    def __init__(self, message: str, *, code: UploadProblem, offset: int | None = None) -> None:
        super().__init__(message, code=code)
        self.offset = offset


def upload_chunk_size() -> int:
    """The piece size for new uploads (at least the bytes needed to recognise a video)."""
    return max(int(settings.PORCHLIGHT_UPLOAD_CHUNK_BYTES), SNIFF_BYTES)


def _piece_key(upload: ClipUpload, index: int) -> str:
    # Flat names (no folder per upload), so a file system keeps no empty folders behind.
    return f"{upload.staging_prefix}.{index:06d}"


def _expected_length(upload: ClipUpload, offset: int) -> int:
    return min(upload.chunk_size, upload.size - offset)


def clip_upload_of_owner(*, owner: "User", upload_id: Any, lock: bool = False) -> ClipUpload:
    """The owner's upload (raises ClipUpload.DoesNotExist for another's, or a bad id)."""
    try:
        public_id = uuid.UUID(str(upload_id))
    except ValueError as exc:
        raise ClipUpload.DoesNotExist from exc
    queryset = ClipUpload.objects.select_related("clip", "answer__owner_request__request")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    return queryset.get(public_id=public_id, owner=owner)


def clip_upload_start(*, owner: "User", answer_id: int, name: str, size: int) -> ClipUpload:
    """Begin a resumable upload for one camera of the owner's answer.

    The size is checked against the policy now, before any byte is sent. Uploads already
    in progress for the camera carry on (another tab may be sending another clip of it);
    beyond UPLOADS_IN_PROGRESS_MAX of them a new one is refused (UploadConflict), which
    bounds what one owner can keep staged.
    """
    clip_size_check(size)
    text_without_nul_check(name or "", field="name", message=_("The file name may not contain the NUL character."))
    name = (name or "").strip()[:255] or "clip"
    now = timezone.now()
    with transaction.atomic():
        # Locked: two starts at once for the camera are counted one after the other.
        row = (
            CameraAnswer.objects.select_for_update(of=("self",))
            .select_related("owner_request__request")
            .get(pk=answer_id, owner_request__owner=owner)
        )
        answer_open_check(row)
        if (
            ClipUpload.objects.filter(owner=owner, answer=row, completed_at__isnull=True).count()
            >= UPLOADS_IN_PROGRESS_MAX
        ):
            raise UploadConflict(
                _(
                    "%(count)d uploads of this camera's footage are already in progress. Carry on with one "
                    "of them (choose the same file again on the page where you started it), or start "
                    "this one once they are finished; an upload left without progress for %(hours)d "
                    "hours is discarded."
                )
                % {
                    "count": UPLOADS_IN_PROGRESS_MAX,
                    "hours": -(-settings.PORCHLIGHT_UPLOAD_ABANDON_SECONDS // 3600),  # rounded up
                },
                code=UploadProblem.TOO_MANY_IN_PROGRESS,
            )
        public_id = uuid.uuid4()
        upload = ClipUpload.objects.create(
            public_id=public_id,
            owner=owner,
            answer=row,
            name=name,
            size=size,
            chunk_size=upload_chunk_size(),
            staging_prefix=f"{department_current().schema_name}/uploads/{public_id}",
            touched_at=now,
        )
    return upload


def clip_upload_piece(*, owner: "User", upload_id: Any, offset: int, total: int, data: bytes) -> ClipUpload:
    """Stage one piece at ``offset``; the upload's offset moves on only once it is stored.

    Refused with UploadConflict when the piece does not start where the upload stands or
    the upload is complete, with UploadError when it lies beyond the declared size or has
    the wrong length, with ValidationError when the request has expired (at once, rather
    than at the finish; what was received stays until the upload is purged), and with
    ValidationError (the upload then dropped, nothing staged) when the first piece is not
    the start of a video file.
    """
    refused = False
    with transaction.atomic():
        upload = clip_upload_of_owner(owner=owner, upload_id=upload_id, lock=True)
        if upload.completed_at is not None:
            raise UploadConflict(
                _("This upload is already complete."), code=UploadProblem.ALREADY_COMPLETE, offset=upload.size
            )
        answer_open_check(upload.answer)
        if total != upload.size or offset < 0 or offset + len(data) > upload.size:
            raise UploadError(
                _("This piece lies beyond the size declared for the file (%(size)d bytes).") % {"size": upload.size},
                code=UploadProblem.BEYOND_SIZE,
                offset=upload.received,
            )
        if offset != upload.received:
            raise UploadConflict(
                _("The server has %(received)d bytes of this file; send the piece that starts there.")
                % {"received": upload.received},
                code=UploadProblem.WRONG_OFFSET,
                offset=upload.received,
            )
        expected = _expected_length(upload, offset)
        if len(data) != expected:
            raise UploadError(
                _("This piece should be %(expected)d bytes long, not %(length)d.")
                % {"expected": expected, "length": len(data)},
                code=UploadProblem.WRONG_LENGTH,
                offset=upload.received,
            )
        if offset == 0:
            container = video_container(data[:SNIFF_BYTES])
            if container is None:
                upload.delete()
                refused = True
            else:
                upload.container = container
        if not refused:
            _piece_store(upload, offset // upload.chunk_size, data)
            upload.received = offset + len(data)
            upload.touched_at = timezone.now()
            upload.save(update_fields=["received", "touched_at", "container"])
    if refused:
        raise ValidationError({"file": [not_video_message()]})
    return upload


def _piece_store(upload: ClipUpload, index: int, data: bytes) -> None:
    store = staging_store()
    key = _piece_key(upload, index)
    # Left from an attempt whose offset was never recorded (the process died in between).
    if store.exists(key):
        store.delete(key)
    saved = store.save(key, ContentFile(data))
    if saved != key:
        store.delete(saved)
        raise RuntimeError(f"staging storage renamed piece {key} to {saved}")


class _StagedStream:
    """The staged pieces of a complete upload, read in order as one seekable file."""

    def __init__(self, upload: ClipUpload) -> None:
        self._upload = upload
        self._store = staging_store()
        self._position = 0
        self._index: int | None = None
        self._handle: Any = None

    def _piece(self, index: int) -> Any:
        if index != self._index:
            self._close_piece()
            self._handle = self._store.open(_piece_key(self._upload, index), "rb")
            self._index = index
        return self._handle

    def _close_piece(self) -> None:
        if self._handle is not None:
            self._handle.close()
        self._handle, self._index = None, None

    def read(self, size: int | None = -1) -> bytes:
        total = self._upload.size
        wanted = total - self._position if size is None or size < 0 else size
        out = bytearray()
        while len(out) < wanted and self._position < total:
            index, within = divmod(self._position, self._upload.chunk_size)
            handle = self._piece(index)
            handle.seek(within)
            block = handle.read(min(wanted - len(out), self._upload.chunk_size - within))
            if not block:  # a piece shorter than recorded: the caller sees the shortfall
                break
            out += block
            self._position += len(block)
        return bytes(out)

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._position, 2: self._upload.size}[whence]
        self._position = max(0, base + offset)
        return self._position

    def tell(self) -> int:
        return self._position

    def seekable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._close_piece()

    @property
    def closed(self) -> bool:
        return False


def clip_upload_finish(*, owner: "User", upload_id: Any) -> Receipt:
    """Turn a complete upload into a clip, through the same service as a whole-file upload.

    Idempotent: finishing again returns the same receipt. When the clip is refused (the
    same file already sent for this camera, the request expired, not a video), the upload
    and its pieces are dropped and the refusal is raised.

    The upload's row stays locked while its pieces are copied into the clip store, so a
    second finish or a late piece waits rather than racing; for the largest clips (2 GB)
    that is a transaction of some tens of seconds on this one row.
    """
    refusal: ValidationError | None = None
    with transaction.atomic():
        upload = clip_upload_of_owner(owner=owner, upload_id=upload_id, lock=True)
        if upload.clip is not None:
            return _receipt(upload)
        if upload.received != upload.size:
            raise UploadConflict(
                _("The server has %(received)d of %(size)d bytes; send the rest before finishing.")
                % {"received": upload.received, "size": upload.size},
                code=UploadProblem.INCOMPLETE,
                offset=upload.received,
            )
        stream = _StagedStream(upload)
        try:
            receipt = clip_upload(
                owner=owner,
                answer_id=upload.answer_id,
                upload=cast("BinaryIO", stream),
                name=upload.name,
                size=upload.size,
            )
        except ValidationError as exc:
            refusal = exc
            upload.delete()
        else:
            upload.clip = receipt.clip
            upload.completed_at = timezone.now()
            upload.save(update_fields=["clip", "completed_at"])
        finally:
            stream.close()
    _pieces_delete(upload)
    if refusal is not None:
        raise refusal
    return receipt


def _receipt(upload: ClipUpload) -> Receipt:
    clip = upload.clip
    assert clip is not None
    return Receipt(clip, clip.original_name, clip.size, clip.sha256, clip.uploaded_at)


def clip_upload_receipt(upload: ClipUpload) -> Receipt | None:
    """The receipt of a finished upload (for a client that lost the finish response)."""
    return _receipt(upload) if upload.clip is not None else None


def upload_pieces_delete(upload: ClipUpload) -> None:
    """Delete an upload's staged pieces (e.g. when its owner deletes their account)."""
    _pieces_delete(upload)


def _pieces_delete(upload: ClipUpload) -> None:
    store = staging_store()
    # One past the recorded offset: a piece stored by an attempt that died before recording it.
    last = min(upload.received // upload.chunk_size, max(upload.size - 1, 0) // upload.chunk_size)
    for index in range(last + 1):
        store.delete(_piece_key(upload, index))


def clip_uploads_purge(*, now: dt.datetime | None = None) -> int:
    """Delete unfinished uploads untouched for PORCHLIGHT_UPLOAD_ABANDON_SECONDS, with their pieces.

    Runs in each department's schema (Celery beat, footage.tasks.clip_uploads_purge). An
    upload busy with a piece right now is locked and skipped until the next run.
    """
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.PORCHLIGHT_UPLOAD_ABANDON_SECONDS)
    purged = 0
    stale = ClipUpload.objects.filter(completed_at__isnull=True, touched_at__lt=cutoff).values_list("pk", flat=True)
    for pk in list(stale):
        with transaction.atomic():
            upload = (
                ClipUpload.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, completed_at__isnull=True, touched_at__lt=cutoff)
                .first()
            )
            if upload is None:
                continue
            upload.delete()
        _pieces_delete(upload)
        purged += 1
    return purged
