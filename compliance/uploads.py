"""Files people send with compliance records: inspection photos (staff) and the attachments of
an exemption or appeal request (owners). What a file is comes from its bytes, never its name
or the type the browser claims (as footage.content does for clips)."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from core.errors import Invalid

if TYPE_CHECKING:
    from collections.abc import Sequence

    from django.core.files.uploadedfile import UploadedFile

__all__ = [
    "ATTACHMENTS_MAX",
    "ATTACHMENT_BYTES_MAX",
    "PHOTOS_MAX",
    "PHOTO_BYTES_MAX",
    "Checked",
    "attachments_check",
    "file_kind",
    "photos_check",
]

# A phone photo is 2-6 MB; 10 MB leaves room for a high-resolution one and keeps an
# inspection of five photos under the 50 MB a request may carry.
PHOTO_BYTES_MAX = 10 * 1024 * 1024
PHOTOS_MAX = 5
# A scanned letter or permit is well under 5 MB; three cover a permit, a letter and a photo.
ATTACHMENT_BYTES_MAX = 5 * 1024 * 1024
ATTACHMENTS_MAX = 3

_SIGNATURES = (
    ("application/pdf", b"%PDF-"),
    ("image/jpeg", b"\xff\xd8\xff"),
    ("image/png", b"\x89PNG\r\n\x1a\n"),
)
_SUFFIXES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
IMAGE_TYPES = frozenset({"image/jpeg", "image/png"})
ATTACHMENT_TYPES = frozenset({"application/pdf", *IMAGE_TYPES})


@dataclass(frozen=True)
class Checked:
    """An accepted file: what its bytes say it is, its size and fingerprint, and the name the
    person gave it (without any folder)."""

    upload: UploadedFile
    content_type: str
    size: int
    sha256: str
    name: str

    @property
    def stored_name(self) -> str:
        """The name to store it under: its suffix from its bytes, never from the name the
        person gave (a PDF called page.html is stored as .pdf and never served as a page)."""
        return "file" + _SUFFIXES[self.content_type]


def file_kind(head: bytes) -> str | None:
    """The type of a file from its first bytes (PDF, JPEG, PNG), or None."""
    for content_type, signature in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def _name(upload: UploadedFile) -> str:
    name = os.path.basename((upload.name or "").replace("\\", "/")).strip()
    return name[:200] or "file"


def _fingerprint(upload: UploadedFile) -> tuple[str, bytes]:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest(), head


def _is_image(upload: UploadedFile) -> bool:
    """Whether Pillow reads the whole file as the image its signature announces (a PNG
    signature in front of anything else is refused)."""
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return False
    finally:
        upload.seek(0)
    return True


def _too_many_pixels(upload: UploadedFile) -> bool:
    """Whether Pillow refuses to open the image as a decompression bomb (its header announces
    more than twice Image.MAX_IMAGE_PIXELS): a small file that would take gigabytes to read."""
    upload.seek(0)
    try:
        with Image.open(upload):
            return False
    except Image.DecompressionBombError:
        return True
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return False  # not an image at all: _is_image says so
    finally:
        upload.seek(0)


def _check(
    uploads: Sequence[UploadedFile], *, field: str, most: int, max_bytes: int, types: frozenset[str]
) -> list[Checked]:
    if len(uploads) > most:
        raise Invalid(
            _("Send at most %(n)d files.") % {"n": most},
            code="too_many_files",
            field=field,
        )
    checked: list[Checked] = []
    for upload in uploads:
        name = _name(upload)
        size = upload.size or 0
        if size == 0:
            raise Invalid(_("%(name)s is empty.") % {"name": name}, code="empty_file", field=field)
        if size > max_bytes:
            raise Invalid(
                _("%(name)s is too large (at most %(mb)d MB).") % {"name": name, "mb": max_bytes // (1024 * 1024)},
                code="file_too_large",
                field=field,
            )
        sha256, head = _fingerprint(upload)
        kind = file_kind(head)
        if kind in IMAGE_TYPES and kind in types and _too_many_pixels(upload):
            raise Invalid(
                _("%(name)s is too large in pixels (at most %(mp)d million); send a smaller image.")
                % {"name": name, "mp": (Image.MAX_IMAGE_PIXELS or 0) * 2 // 1_000_000},
                code="image_too_large",
                field=field,
            )
        if kind not in types or (kind in IMAGE_TYPES and not _is_image(upload)):
            message = (
                _("%(name)s is not a JPEG or PNG photo.")
                if types == IMAGE_TYPES
                else _("%(name)s is not a PDF, JPEG or PNG file.")
            )
            raise Invalid(message % {"name": name}, code="file_type", field=field)
        checked.append(Checked(upload, kind, size, sha256, name))
    return checked


def photos_check(uploads: Sequence[UploadedFile], *, field: str = "photos") -> list[Checked]:
    """Inspection photos: at most PHOTOS_MAX JPEG or PNG images of at most PHOTO_BYTES_MAX each;
    Invalid naming the file otherwise."""
    return _check(uploads, field=field, most=PHOTOS_MAX, max_bytes=PHOTO_BYTES_MAX, types=IMAGE_TYPES)


def attachments_check(uploads: Sequence[UploadedFile], *, field: str = "attachments") -> list[Checked]:
    """An appeal's attachments: at most ATTACHMENTS_MAX PDF, JPEG or PNG files of at most
    ATTACHMENT_BYTES_MAX each; Invalid naming the file otherwise."""
    return _check(uploads, field=field, most=ATTACHMENTS_MAX, max_bytes=ATTACHMENT_BYTES_MAX, types=ATTACHMENT_TYPES)
