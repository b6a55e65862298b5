"""An owner's clip stored unaltered, hashed while it streams to the clip store."""

import hashlib
import secrets
from typing import TYPE_CHECKING, BinaryIO, cast

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications.models import Kind
from notifications.services import notification_send, text
from tenants.outbox import enqueue_on_commit
from tenants.selectors import department_current

from ..content import sniff, video_container
from ..models import Answer, CameraAnswer, Clip, CustodyAction, FootageRequest
from ..notices import clip_receipt_send
from ..storage import clip_store
from .answers import Receipt, answer_of_owner, answer_open_check, clip_size_check, not_video_message
from .custody import custody_record

if TYPE_CHECKING:
    from accounts.models import User


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


def clip_upload(*, owner: "User", answer_id: int, upload: BinaryIO, name: str, size: int) -> Receipt:
    """Store an owner's clip unaltered, hashed while streaming, after checking it is video.

    Nothing is half-stored: the file is written under a server-generated key and removed
    again if the database part fails; a clip already sent for the same camera is refused.
    """
    clip_size_check(size)
    container = video_container(sniff(upload))
    if container is None:
        raise ValidationError({"file": [not_video_message()]})
    row = answer_of_owner(owner, answer_id)
    answer_open_check(row)
    schema = department_current().schema_name
    key = f"{schema}/clips/{timezone.now():%Y/%m}/{secrets.token_hex(16)}"
    hashing = _HashingReader(upload)
    store = clip_store()
    saved_key = store.save(key, File(cast("BinaryIO", hashing), name=key))  # file-like enough for File
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
    except BaseException:  # anything, a cancellation too: the stored file must not outlive a failed save
        store.delete(saved_key)
        raise
    enqueue_on_commit(clip_receipt_send, clip_id=clip.pk)
    return Receipt(clip, clip.original_name, clip.size, clip.sha256, clip.uploaded_at)


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
