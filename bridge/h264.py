"""H.264 packetising for the bridge: the camera's own access units, never decoded.

A demuxer hands out packets in one of two layouts: Annex B (NAL units after ``00 00 01`` start
codes: MPEG-TS, RTSP, a raw encoder) or AVCC (each NAL unit after a big-endian length, with the
parameter sets in an ``avcC`` record: MP4, FLV, Matroska). :class:`Packetiser` turns either into
what the protocol sends (docs/bridge-protocol.md, "H.264 units"): one access unit in Annex B per
message, every keyframe beginning with its SPS and PPS, so that a viewer (and the server's GOP
cache) can start at any keyframe; and a :class:`CodecDescription` whenever the parameter sets
change (first keyframe, a camera that changes resolution mid-stream).
"""

from __future__ import annotations

import base64
import struct
from dataclasses import dataclass

START_CODE = b"\x00\x00\x00\x01"
NAL_IDR = 5
NAL_SPS = 7
NAL_PPS = 8
NAL_AUD = 9  # access unit delimiter: carries nothing a player needs

# Profiles whose SPS carries chroma format, bit depths and scaling matrices (H.264 7.3.2.1.1).
_HIGH_PROFILES = {100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135}


class H264Error(ValueError):
    """Bytes that are not the H.264 they claim to be."""


def nal_type(nal: bytes) -> int:
    return nal[0] & 0x1F


def split_annexb(data: bytes) -> list[bytes]:
    """The NAL units of an Annex B byte stream, without their start codes."""
    nals: list[bytes] = []
    i = data.find(b"\x00\x00\x01")
    if i < 0:
        return [data] if data else []
    while i >= 0:
        begin = i + 3
        nxt = data.find(b"\x00\x00\x01", begin)
        end = len(data) if nxt < 0 else nxt
        nal = data[begin:end]
        if nxt >= 0:  # a 4-byte start code's leading zero (and trailing zeros) belong to no NAL
            nal = nal.rstrip(b"\x00")
        if nal:
            nals.append(nal)
        i = nxt
    return nals


def split_avcc(data: bytes, length_size: int) -> list[bytes]:
    """The NAL units of an AVCC packet (each after a ``length_size``-byte big-endian length)."""
    nals: list[bytes] = []
    pos = 0
    while pos + length_size <= len(data):
        size = int.from_bytes(data[pos : pos + length_size], "big")
        pos += length_size
        if size == 0 or pos + size > len(data):
            raise H264Error(f"AVCC NAL unit of {size} bytes overruns its packet")
        nals.append(data[pos : pos + size])
        pos += size
    return nals


def parse_avcc(record: bytes) -> tuple[int, list[bytes], list[bytes]]:
    """(NAL length size, SPSs, PPSs) of an ``avcC`` record (ISO/IEC 14496-15 5.3.3.1)."""
    if len(record) < 7 or record[0] != 1:
        raise H264Error("not an avcC record")
    length_size = (record[4] & 0x03) + 1
    pos = 6
    sps: list[bytes] = []
    pps: list[bytes] = []
    try:
        for count, out in ((record[5] & 0x1F, sps), (None, pps)):
            if count is None:
                count = record[pos]
                pos += 1
            for _ in range(count):
                (size,) = struct.unpack_from(">H", record, pos)
                out.append(record[pos + 2 : pos + 2 + size])
                pos += 2 + size
    except (struct.error, IndexError):
        raise H264Error("truncated avcC record") from None
    return length_size, sps, pps


def avcc_record(sps: bytes, pps: bytes) -> bytes:
    """The ``avcC`` record of one SPS and one PPS (what MSE players and MP4 muxers take)."""
    return (
        bytes([1, sps[1], sps[2], sps[3], 0xFF, 0xE1])
        + struct.pack(">H", len(sps))
        + sps
        + bytes([1])
        + struct.pack(">H", len(pps))
        + pps
    )


def codec_string(sps: bytes) -> str:
    """The RFC 6381 codec string of an SPS, e.g. ``avc1.64001f`` (profile, constraints, level)."""
    return f"avc1.{sps[1]:02x}{sps[2]:02x}{sps[3]:02x}"


class _Bits:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def u(self, n: int) -> int:
        value = 0
        for _ in range(n):
            byte = self.pos >> 3
            if byte >= len(self.data):
                raise H264Error("SPS ends early")
            value = (value << 1) | ((self.data[byte] >> (7 - (self.pos & 7))) & 1)
            self.pos += 1
        return value

    def ue(self) -> int:
        zeros = 0
        while self.u(1) == 0:
            zeros += 1
            if zeros > 31:
                raise H264Error("bad Exp-Golomb code in SPS")
        return (1 << zeros) - 1 + self.u(zeros)

    def se(self) -> int:
        k = self.ue()
        return (k + 1) // 2 if k % 2 else -(k // 2)


def sps_size(sps: bytes) -> tuple[int, int]:
    """Width and height in pixels (after cropping) that an SPS NAL unit describes."""
    rbsp = sps[1:].replace(b"\x00\x00\x03", b"\x00\x00")  # emulation prevention bytes
    bits = _Bits(rbsp)
    profile = bits.u(8)
    bits.u(16)  # constraint flags, level
    bits.ue()  # seq_parameter_set_id
    chroma = 1
    if profile in _HIGH_PROFILES:
        chroma = bits.ue()
        if chroma == 3:
            bits.u(1)
        bits.ue()
        bits.ue()
        bits.u(1)
        if bits.u(1):  # scaling matrices: skipped, they do not change the size
            for i in range(12 if chroma == 3 else 8):
                if bits.u(1):
                    last = nxt = 8
                    for _ in range(16 if i < 6 else 64):
                        if nxt:
                            nxt = (last + bits.se() + 256) % 256
                        last = nxt or last
    bits.ue()  # log2_max_frame_num_minus4
    poc_type = bits.ue()
    if poc_type == 0:
        bits.ue()
    elif poc_type == 1:
        bits.u(1)
        bits.se()
        bits.se()
        for _ in range(bits.ue()):
            bits.se()
    bits.ue()  # max_num_ref_frames
    bits.u(1)
    width_mbs = bits.ue() + 1
    height_units = bits.ue() + 1
    frame_mbs_only = bits.u(1)
    if not frame_mbs_only:
        bits.u(1)
    bits.u(1)
    width, height = width_mbs * 16, (2 - frame_mbs_only) * height_units * 16
    if bits.u(1):  # frame cropping
        left, right, top, bottom = bits.ue(), bits.ue(), bits.ue(), bits.ue()
        crop_x = 2 if chroma in (1, 2) else 1
        crop_y = (2 if chroma == 1 else 1) * (2 - frame_mbs_only)
        width -= (left + right) * crop_x
        height -= (top + bottom) * crop_y
    return width, height


@dataclass(frozen=True)
class CodecDescription:
    """What a player needs before the first unit of a camera (the protocol's ``codec`` message)."""

    codec: str  # RFC 6381, e.g. avc1.64001f
    width: int
    height: int
    sps: bytes
    pps: bytes

    @classmethod
    def of(cls, sps: bytes, pps: bytes) -> CodecDescription:
        if len(sps) < 4 or nal_type(sps) != NAL_SPS or not pps or nal_type(pps) != NAL_PPS:
            raise H264Error("not an SPS and a PPS")
        width, height = sps_size(sps)
        return cls(codec=codec_string(sps), width=width, height=height, sps=sps, pps=pps)

    def message(self, camera: str) -> dict[str, object]:
        return {
            "type": "codec",
            "camera": camera,
            "codec": self.codec,
            "width": self.width,
            "height": self.height,
            "avcc": base64.b64encode(avcc_record(self.sps, self.pps)).decode("ascii"),
        }


@dataclass(frozen=True)
class AccessUnit:
    data: bytes  # Annex B
    keyframe: bool
    codec: CodecDescription | None  # set on the first unit of a new description


class Packetiser:
    """Demuxed packets of one H.264 stream in, protocol access units out.

    ``extradata`` is the stream's out-of-band parameter sets (an ``avcC`` record for AVCC
    streams, Annex B SPS/PPS otherwise, or nothing when they only come in-band). Nothing is
    put out before the first keyframe with known parameter sets; after :meth:`resync` (units
    were dropped) nothing until the next keyframe.
    """

    def __init__(self, extradata: bytes | None = None) -> None:
        self.length_size = 0  # 0: Annex B packets
        self.sps: bytes | None = None
        self.pps: bytes | None = None
        self.described: CodecDescription | None = None
        self.waiting_for_key = True
        if extradata:
            if extradata[0] == 1:
                self.length_size, sps, pps = parse_avcc(extradata)
                self.sps = sps[0] if sps else None
                self.pps = pps[0] if pps else None
            else:
                for nal in split_annexb(extradata):
                    self._learn(nal)

    def _learn(self, nal: bytes) -> None:
        if nal_type(nal) == NAL_SPS:
            self.sps = nal
        elif nal_type(nal) == NAL_PPS:
            self.pps = nal

    def resync(self) -> None:
        self.waiting_for_key = True

    def push(self, packet: bytes, keyframe: bool) -> AccessUnit | None:
        nals = split_avcc(packet, self.length_size) if self.length_size else split_annexb(packet)
        for nal in nals:
            self._learn(nal)
        keyframe = keyframe or any(nal_type(n) == NAL_IDR for n in nals)
        if keyframe:
            if self.sps is None or self.pps is None:
                return None  # no parameter sets yet: a player could not decode it
            nals = [self.sps, self.pps] + [n for n in nals if nal_type(n) not in (NAL_SPS, NAL_PPS, NAL_AUD)]
            self.waiting_for_key = False
        elif self.waiting_for_key:
            return None
        else:
            nals = [n for n in nals if nal_type(n) != NAL_AUD]
        if not nals:
            return None
        codec = None
        changed = self.described is None or (self.described.sps, self.described.pps) != (self.sps, self.pps)
        if keyframe and self.sps is not None and self.pps is not None and changed:
            codec = self.described = CodecDescription.of(self.sps, self.pps)
        return AccessUnit(data=b"".join(START_CODE + n for n in nals), keyframe=keyframe, codec=codec)


def unit_nals_valid(data: bytes) -> bool:
    """Whether ``data`` looks like an Annex B access unit: a start code, then NAL units whose
    forbidden bit is clear (the server's check of a unit; it decodes nothing)."""
    if not (data.startswith(b"\x00\x00\x00\x01") or data.startswith(b"\x00\x00\x01")):
        return False
    nals = split_annexb(data)
    return bool(nals) and all(n[0] & 0x80 == 0 for n in nals)


def keyframe_has_parameter_sets(data: bytes) -> bool:
    types = {nal_type(n) for n in split_annexb(data)}
    return {NAL_SPS, NAL_PPS, NAL_IDR} <= types
