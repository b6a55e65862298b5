"""What an uploaded file really is: decided from its bytes, never its name."""

from typing import BinaryIO

# (name, offset, signature)
_SIGNATURES = (
    ("mp4", 4, b"ftyp"),  # MP4 / MOV / 3GP (ISO base media)
    ("mov", 4, b"moov"),
    ("mov", 4, b"mdat"),
    ("mov", 4, b"wide"),
    ("matroska", 0, b"\x1a\x45\xdf\xa3"),  # MKV / WebM
    ("asf", 0, b"\x30\x26\xb2\x75\x8e\x66\xcf\x11"),  # WMV / ASF
    ("flv", 0, b"FLV\x01"),
    ("mpeg-ps", 0, b"\x00\x00\x01\xba"),
)


def video_container(head: bytes) -> str | None:
    """The container of a video file from its first bytes, or None if it is not one."""
    for name, offset, signature in _SIGNATURES:
        if head[offset : offset + len(signature)] == signature:
            return name
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "avi"
    # MPEG transport stream (many recorders export .ts): a sync byte every 188 bytes.
    if len(head) >= 188 * 3 and all(head[i * 188] == 0x47 for i in range(3)):
        return "mpeg-ts"
    return None


def sniff(file: BinaryIO, size: int = 4096) -> bytes:
    position = file.tell()
    head = file.read(size)
    file.seek(position)
    return head
