"""Serving a stored clip to the console's video player in HTTP byte ranges.

Browsers fetch video with ``Range`` requests (to read the index at the end of an MP4, and
to seek), so the player needs 206 responses with a correct ``Content-Range``. The bytes
come from the storage API in chunks, never the whole file at once. Under ASGI the chunks
are read by an async iterator: Django consumes a *sync* streaming iterator into a list
before sending it when served asynchronously, which would load the whole clip into memory.
"""

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import IO, Any

from asgiref.sync import sync_to_async

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


def iter_range(handle: IO[bytes], start: int, length: int) -> Iterator[bytes]:
    """``length`` bytes from ``start``, a chunk at a time; closes the handle at the end."""
    try:
        handle.seek(start)
        remaining = length
        while remaining > 0:
            block = handle.read(min(STREAM_CHUNK, remaining))
            if not block:
                break
            remaining -= len(block)
            yield block
    finally:
        handle.close()


async def aiter_range(handle: IO[bytes], start: int, length: int) -> AsyncIterator[bytes]:
    """The same for ASGI: each read runs in a worker thread, one chunk in memory at a time."""
    read: Any = sync_to_async(handle.read, thread_sensitive=False)
    try:
        await sync_to_async(handle.seek, thread_sensitive=False)(start)
        remaining = length
        while remaining > 0:
            block = await read(min(STREAM_CHUNK, remaining))
            if not block:
                break
            remaining -= len(block)
            yield block
    finally:
        await sync_to_async(handle.close, thread_sensitive=False)()
