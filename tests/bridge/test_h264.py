"""The bridge's H.264 packetising (bridge.h264): what a demuxer hands out, in Annex B or AVCC,
becomes units a viewer can start at, each keyframe with its parameter sets, and a codec
description whenever they change. No Django: the bridge is a program of its own."""

import struct

import pytest

from bridge.h264 import (
    H264Error,
    Packetiser,
    avcc_record,
    codec_string,
    keyframe_has_parameter_sets,
    parse_avcc,
    split_annexb,
    split_avcc,
    sps_size,
    unit_nals_valid,
)
from bridge.sources import TestPatternSource, Unit, UnknownSourceError, make_source

SC = b"\x00\x00\x00\x01"
AUD = b"\x09\xf0"
SEI = b"\x06\x05\x01\x00\x80"
IDR = b"\x65\x88\x84\x00\x33"
SLICE = b"\x41\x9a\x02\x80"  # a NAL unit ends in its stop bit, never in 00


@pytest.fixture(scope="module")
def stream() -> list[Unit]:
    """A real stream: libx264 (PyAV's FFmpeg), 320x180 at 10 fps, a keyframe a second."""
    source = TestPatternSource(width=320, height=180, rate=10, h264=True)
    source.encoded = True
    source.open()
    try:
        return [source.read() for _ in range(12)]  # type: ignore[misc]
    finally:
        source.close()


@pytest.fixture(scope="module")
def parameter_sets(stream: list[Unit]) -> tuple[bytes, bytes]:
    assert stream[0].codec is not None
    return stream[0].codec.sps, stream[0].codec.pps


def test_the_test_source_makes_h264_with_a_keyframe_every_second(stream: list[Unit]) -> None:
    assert [u.keyframe for u in stream] == [True] + [False] * 9 + [True, False]
    assert stream[0].codec is not None
    assert (stream[0].codec.width, stream[0].codec.height) == (320, 180)
    assert all(u.codec is None for u in stream[1:])  # the description is sent once, not again
    assert all(keyframe_has_parameter_sets(u.data) for u in stream if u.keyframe)


def test_the_size_comes_from_the_sps_with_its_cropping(parameter_sets: tuple[bytes, bytes]) -> None:
    # 180 is not a multiple of 16: the SPS codes 192 rows and crops 12.
    assert sps_size(parameter_sets[0]) == (320, 180)
    assert codec_string(parameter_sets[0]).startswith("avc1.")


def test_annexb_packets_get_their_parameter_sets_in_front_of_each_keyframe(
    parameter_sets: tuple[bytes, bytes],
) -> None:
    sps, pps = parameter_sets
    packetiser = Packetiser(SC + sps + SC + pps)  # out of band, as RTSP's sprop-parameter-sets

    key = packetiser.push(SC + AUD + SC + SEI + SC + IDR, keyframe=True)
    delta = packetiser.push(b"\x00\x00\x01" + SLICE, keyframe=False)

    assert key is not None
    assert delta is not None
    assert key.data == SC + sps + SC + pps + SC + SEI + SC + IDR  # no delimiter; SPS and PPS first
    assert key.codec is not None
    assert key.codec.codec == codec_string(sps)
    assert (delta.data, delta.keyframe, delta.codec) == (SC + SLICE, False, None)


def test_avcc_packets_are_rewritten_to_annexb(parameter_sets: tuple[bytes, bytes]) -> None:
    sps, pps = parameter_sets
    packetiser = Packetiser(avcc_record(sps, pps))  # MP4/FLV: lengths and an avcC record

    key = packetiser.push(struct.pack(">I", len(IDR)) + IDR, keyframe=True)
    delta = packetiser.push(struct.pack(">I", len(SLICE)) + SLICE, keyframe=False)

    assert key is not None
    assert delta is not None
    assert key.data == SC + sps + SC + pps + SC + IDR
    assert delta.data == SC + SLICE


def test_nothing_goes_out_before_the_first_keyframe_nor_after_a_resync_until_the_next(
    parameter_sets: tuple[bytes, bytes],
) -> None:
    sps, pps = parameter_sets
    packetiser = Packetiser()  # parameter sets only in-band, as MPEG-TS

    before = packetiser.push(SC + SLICE, keyframe=False)
    first = packetiser.push(SC + sps + SC + pps + SC + IDR, keyframe=True)
    packetiser.resync()
    dropped = packetiser.push(SC + SLICE, keyframe=False)
    again = packetiser.push(SC + IDR, keyframe=True)

    assert before is None
    assert first is not None
    assert first.codec is not None
    assert dropped is None
    assert again is not None
    assert again.data.startswith(SC + sps + SC + pps)
    assert again.codec is None  # the same parameter sets: no new description


def test_a_keyframe_without_any_parameter_sets_yet_is_held_back() -> None:
    assert Packetiser().push(SC + IDR, keyframe=True) is None


def test_a_new_sps_gives_a_new_description(stream: list[Unit], parameter_sets: tuple[bytes, bytes]) -> None:
    sps, pps = parameter_sets
    source = TestPatternSource(width=640, height=360, rate=10, h264=True)
    source.encoded = True
    source.open()
    try:
        other = source.read()
    finally:
        source.close()
    assert isinstance(other, Unit)
    assert other.codec is not None
    packetiser = Packetiser(SC + sps + SC + pps)
    packetiser.push(SC + IDR, keyframe=True)

    changed = packetiser.push(other.data, keyframe=True)  # the camera changed resolution

    assert changed is not None
    assert changed.codec is not None
    assert (changed.codec.width, changed.codec.height) == (640, 360)


def test_a_truncated_avcc_packet_or_record_is_an_error() -> None:
    with pytest.raises(H264Error):
        split_avcc(struct.pack(">I", 100) + b"\x65", 4)
    with pytest.raises(H264Error):
        parse_avcc(b"\x01\x64\x00\x1f\xff\xe1\x00\x20\x67")


def test_the_servers_check_tells_annexb_from_garbage(stream: list[Unit]) -> None:
    assert unit_nals_valid(stream[1].data)
    assert not unit_nals_valid(b"GIF89a")
    assert not unit_nals_valid(SC + b"\xe5\x00")  # the forbidden bit
    assert not keyframe_has_parameter_sets(SC + IDR)


def test_split_annexb_handles_three_and_four_byte_start_codes() -> None:
    assert split_annexb(b"\x00\x00\x01" + SLICE + SC + IDR) == [SLICE, IDR]


@pytest.mark.parametrize(
    ("spec", "h264", "size"),
    [
        ("test:", False, (640, 360)),
        ("test:?codec=h264", True, (640, 360)),
        ("test:1280x720?codec=h264&rate=30", True, (1280, 720)),
    ],
)
def test_test_sources_name_their_codec_size_and_rate(spec: str, h264: bool, size: tuple[int, int]) -> None:
    source = make_source(spec)

    assert isinstance(source, TestPatternSource)
    assert (source.h264, (source.width, source.height)) == (h264, size)


@pytest.mark.parametrize("spec", ["test:?codec=vp9", "test:?rate=0", "test:big", "test:?fps=3"])
def test_a_bad_test_source_is_refused(spec: str) -> None:
    with pytest.raises(UnknownSourceError):
        make_source(spec)


def test_an_http_source_ending_in_ts_is_read_as_mpegts() -> None:
    source = make_source("http://192.168.1.21/live/cam.ts")

    assert getattr(source, "format", None) == "mpegts"
