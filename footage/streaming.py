"""Serving a stored clip to the console's video player in HTTP byte ranges.

Browsers fetch video with ``Range`` requests (to read the index at the end of an MP4, and
to seek), so the player needs 206 responses with a correct ``Content-Range``. The bytes
come from the storage API in chunks, never the whole file at once. Under ASGI the chunks
are read by an async iterator: Django consumes a *sync* streaming iterator into a list
before sending it when served asynchronously, which would load the whole clip into memory.
"""

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

from asgiref.sync import sync_to_async
from django.core.files.storage import Storage

STREAM_CHUNK = 256 * 1024

# What the player's <video> is told; browsers play MP4 (H.264) and WebM, not the rest.
CONTENT_TYPES = {
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "matroska": "video/webm",
    "asf": "video/x-ms-asf",
    "flv": "video/x-flv",
    "mpeg-ps": "video/mpeg",
    "mpeg-ts": "video/mp2t",
    "avi": "video/x-msvideo",
}
BROWSER_PLAYABLE = frozenset({"mp4", "matroska"})


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive, as in Content-Range

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    def content_range(self, size: int) -> str:
        return f"bytes {self.start}-{self.end}/{size}"


class RangeNotSatisfiable(ValueError):
    """The requested range starts beyond the end of the file (answered with 416)."""


def byte_range(header: str, size: int) -> ByteRange | None:
    """The single byte range a ``Range`` header asks for, or None to send the whole file.

    Several ranges, another unit or a malformed header are ignored, which RFC 9110 §14.2
    allows (the answer is then 200 with everything); a range that starts at or past the
    end, or an empty suffix, cannot be satisfied.
    """
    unit, _eq, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, dash, last = (part.strip() for part in spec.partition("-"))
    if not dash or (first and not first.isdigit()) or (last and not last.isdigit()):
        return None
    if not first:
        if not last:
            return None
        suffix = int(last)  # "bytes=-500": the last 500 bytes
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiable
        return ByteRange(max(0, size - suffix), size - 1)
    start = int(first)
    if last and int(last) < start:
        return None  # not a valid range at all
    if start >= size:
        raise RangeNotSatisfiable
    return ByteRange(start, min(int(last), size - 1) if last else size - 1)


class _S3Range:
    """The body of a ranged GetObject: only those bytes travel from the bucket."""

    def __init__(self, storage: Any, key: str, start: int, length: int) -> None:
        from storages.utils import clean_name  # django-storages: only with an S3 clip store

        name = storage._normalize_name(clean_name(key))
        obj = storage.bucket.Object(name)
        self._body = obj.get(Range=f"bytes={start}-{start + length - 1}")["Body"]

    def read(self, size: int = -1) -> bytes:
        return self._body.read(None if size < 0 else size)

    def close(self) -> None:
        self._body.close()


def open_range(storage: Storage, key: str, start: int, length: int) -> Any:
    """A reader of ``length`` bytes of ``key`` from ``start``, with ``read(n)`` and ``close()``.

    On S3-compatible storage a ranged GET (django-storages' file object would download the
    whole object on the first seek: 2 GB for each seek of the player); elsewhere the file,
    opened and positioned.
    """
    if hasattr(storage, "bucket") and hasattr(storage, "_normalize_name"):
        return _S3Range(storage, key, start, length)
    handle = storage.open(key, "rb")
    handle.seek(start)
    return handle


def iter_range(reader: Any, length: int) -> Iterator[bytes]:
    """``length`` bytes from a reader made by :func:`open_range`, a chunk at a time; closes it."""
    try:
        remaining = length
        while remaining > 0:
            block = reader.read(min(STREAM_CHUNK, remaining))
            if not block:
                break
            remaining -= len(block)
            yield block
    finally:
        reader.close()


async def aiter_range(reader: Any, length: int) -> AsyncIterator[bytes]:
    """The same for ASGI: each read runs in a worker thread, one chunk in memory at a time."""
    read: Any = sync_to_async(reader.read, thread_sensitive=False)
    try:
        remaining = length
        while remaining > 0:
            block = await read(min(STREAM_CHUNK, remaining))
            if not block:
                break
            remaining -= len(block)
            yield block
    finally:
        await sync_to_async(reader.close, thread_sensitive=False)()
