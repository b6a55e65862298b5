"""Uploaded text files (a city's licence CSV, the department's camera list): which encoding
they are in, read chunk by chunk so that a file is never held in memory whole.

Shared by compliance.licences and cameras.department_import; knows no app."""

from __future__ import annotations

import codecs
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

__all__ = ["CHUNK", "EncodingRefused", "detect_encoding", "upload_chunks"]

# Bytes read per step while checking the encoding: the file is never held in memory whole.
CHUNK = 1024 * 1024


def upload_chunks(upload: Any) -> Iterator[bytes]:
    """An uploaded (or stored) file's bytes from its start, CHUNK at a time."""
    upload.seek(0)
    while chunk := upload.read(CHUNK):
        yield chunk


class EncodingRefused(Exception):
    """The file is not text in an encoding we read (a workbook, UTF-16, binary)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def detect_encoding(chunks: Iterable[bytes]) -> str:
    """``utf-8-sig`` (a BOM), ``utf-8``, ``cp1252`` or ``latin-1``: the first that decodes the
    whole file, read chunk by chunk. Raises EncodingRefused for an Excel workbook ("xlsx"),
    UTF-16 ("utf16") or other binary ("binary"): decoding those as Latin-1 would import
    nonsense rather than say what is wrong."""
    decoders = {name: codecs.getincrementaldecoder(name)() for name in ("utf-8", "cp1252")}
    alive = ["utf-8", "cp1252"]
    first = True
    bom = False
    for chunk in chunks:
        if first:
            first = False
            if chunk.startswith(b"PK\x03\x04") or chunk.startswith(b"\xd0\xcf\x11\xe0"):
                raise EncodingRefused("xlsx")
            sample = chunk[:4096]
            # UTF-16 text without its mark: every other byte of ASCII is a NUL.
            if chunk.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or sample.count(b"\x00") * 3 > len(sample):
                raise EncodingRefused("utf16")
            bom = chunk.startswith(codecs.BOM_UTF8)
        if b"\x00" in chunk:
            raise EncodingRefused("binary")
        for name in list(alive):
            try:
                decoders[name].decode(chunk)
            except UnicodeDecodeError:
                alive.remove(name)
    for name in list(alive):
        try:
            decoders[name].decode(b"", final=True)
        except UnicodeDecodeError:
            alive.remove(name)
    if "utf-8" in alive:
        return "utf-8-sig" if bom else "utf-8"
    return alive[0] if alive else "latin-1"
