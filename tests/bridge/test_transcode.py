"""issue 19: the bridge's re-encoding path (bridge.transcode). H.265 cameras become H.264 at a
capped height; H.264 cameras with privacy masks are decoded, masked and re-encoded, and what
leaves is black under the masks; a viewer's join makes the next frame a keyframe; a camera that
changes resolution, or sends no timestamps, does not stop the stream. Clips are made in the test
with PyAV (libx264, libx265) at small sizes, a few frames each."""

from collections.abc import Iterable
from fractions import Fraction
from typing import Any

import av
import pytest
from av.video.frame import VideoFrame
from PIL import Image

from bridge.h264 import NAL_IDR, AccessUnit, keyframe_has_parameter_sets, nal_type, split_annexb
from bridge.masks import Rect
from bridge.transcode import Transcoder, output_size, target_bitrate


def picture(width: int, height: int, shade: int = 230) -> Image.Image:
    """A bright picture with a darker bar, so a mask's black stands out."""
    img = Image.new("RGB", (width, height), (shade, shade, shade))
    img.paste((60, 120, 200), (width // 3, 0, width // 2, height))
    return img


def encode_clip(codec: str, sizes: Iterable[tuple[int, int]], *, timestamps: bool = True) -> list[bytes]:
    """Packets of a clip encoded with ``codec`` (libx264, libx265): one frame per size given, a
    new encoder (as a camera that changes resolution) whenever the size changes."""
    packets: list[bytes] = []
    encoder: Any = None
    current = None
    for index, size in enumerate(sizes):
        if size != current:
            if encoder is not None:
                packets += [bytes(p) for p in encoder.encode(None)]
            encoder = av.CodecContext.create(codec, "w")
            encoder.width, encoder.height, encoder.pix_fmt = *size, "yuv420p"
            encoder.time_base = Fraction(1, 15)
            encoder.options = {"preset": "ultrafast", "tune": "zerolatency"}
            if codec == "libx265":
                encoder.options = {**encoder.options, "x265-params": "log-level=none"}
            current = size
        frame = VideoFrame.from_image(picture(*size)).reformat(format="yuv420p")
        frame.pts = index if timestamps else None
        packets += [bytes(p) for p in encoder.encode(frame)]
    packets += [bytes(p) for p in encoder.encode(None)]
    return packets


def decoded(codec: str, packets: Iterable[bytes]) -> list[Any]:
    decoder: Any = av.CodecContext.create(codec, "r")
    frames: list[Any] = []
    for index, data in enumerate(packets):
        packet = av.Packet(data)
        packet.pts, packet.time_base = index, Fraction(1, 15)
        frames += decoder.decode(packet)
    frames += decoder.decode(None)
    return frames


def transcode(transcoder: Transcoder, frames: Iterable[Any]) -> list[AccessUnit]:
    units: list[AccessUnit] = []
    for frame in frames:
        units += transcoder.encode(frame)
    return units


def brightest(img: Image.Image, box: tuple[int, int, int, int]) -> int:
    low_high: Any = img.convert("L").crop(box).getextrema()
    return int(low_high[1])


def images_of(units: list[AccessUnit]) -> list[Image.Image]:
    """What a viewer sees: the units the bridge sent, decoded as H.264."""
    return [f.to_image() for f in decoded("h264", (u.data for u in units))]


def test_an_h265_camera_becomes_h264_no_higher_than_the_cap_with_its_aspect_kept() -> None:
    # given a 320x180 H.265 camera and a bridge capped at 90 lines
    frames = decoded("hevc", encode_clip("libx265", [(320, 180)] * 4))
    transcoder = Transcoder(source_codec="hevc", max_height=90, max_bitrate=8_000_000)

    units = transcode(transcoder, frames)

    # then every frame went out as H.264 at 160x90, starting with a keyframe and its description
    assert len(units) == 4
    assert units[0].keyframe
    assert keyframe_has_parameter_sets(units[0].data)
    assert units[0].codec is not None
    assert units[0].codec.codec.startswith("avc1.")
    assert (units[0].codec.width, units[0].codec.height) == (160, 90)
    assert {img.size for img in images_of(units)} == {(160, 90)}
    assert transcoder.note == "H.265 camera: re-encoded to H.264 at 160x90 on the bridge"


def test_a_masked_h264_camera_is_black_under_its_masks_in_what_leaves() -> None:
    # given a bright 160x90 H.264 camera with its left half masked
    frames = decoded("h264", encode_clip("libx264", [(160, 90)] * 3))
    transcoder = Transcoder(source_codec="h264", masked=True, max_height=720)
    transcoder.masks = (Rect(0, 0, 0.5, 1),)

    units = transcode(transcoder, frames)

    # then, decoded as a viewer would, the left half is black and the right half is not
    images = images_of(units)
    assert len(images) == 3
    for img in images:
        assert brightest(img, (0, 0, 80, 90)) <= 24
        assert brightest(img, (84, 0, 160, 90)) >= 200
    assert transcoder.applied == transcoder.masks
    assert "decoded, masked and re-encoded to H.264 at 160x90 on the bridge" in transcoder.note


def test_a_mask_holds_when_the_picture_is_also_scaled_down() -> None:
    # given a 320x180 camera masked on a box that does not fall on the scaled grid
    frames = decoded("h264", encode_clip("libx264", [(320, 180)] * 2))
    transcoder = Transcoder(source_codec="h264", masked=True, max_height=90)
    transcoder.masks = (Rect(0.33, 0.21, 0.31, 0.5),)

    images = images_of(transcode(transcoder, frames))

    # then at 160x90 the box (rounded outwards) is black through and through
    left, top = int(0.33 * 160) + 1, int(0.21 * 90) + 1
    for img in images:
        assert img.size == (160, 90)
        assert brightest(img, (left, top, int(0.64 * 160) - 1, int(0.71 * 90) - 1)) <= 24


def test_a_viewer_joining_makes_the_next_frame_a_keyframe() -> None:
    frames = decoded("hevc", encode_clip("libx265", [(160, 90)] * 6))
    transcoder = Transcoder(source_codec="hevc", rate=30)  # a keyframe every 30 frames otherwise
    units = transcode(transcoder, frames[:3])

    transcoder.request_keyframe()
    later = transcode(transcoder, frames[3:])

    assert [u.keyframe for u in units + later] == [True, False, False, True, False, False]
    assert NAL_IDR in {nal_type(n) for n in split_annexb(later[0].data)}  # an IDR: a player starts there
    assert keyframe_has_parameter_sets(later[0].data)


def test_a_camera_that_changes_resolution_mid_stream_keeps_streaming_with_a_new_description() -> None:
    # given an H.265 camera that goes from 320x180 to 192x144 (4:3) after three frames
    frames = decoded("hevc", encode_clip("libx265", [(320, 180)] * 3 + [(192, 144)] * 3))
    transcoder = Transcoder(source_codec="hevc", max_height=90)

    units = transcode(transcoder, frames)

    # then all six frames went out; the change began with a keyframe and a new description
    assert len(units) == 6
    described = [(u.codec.width, u.codec.height) for u in units if u.codec is not None]
    assert described == [(160, 90), (120, 90)]
    assert units[3].keyframe
    assert units[3].codec is not None
    assert {img.size for img in images_of(units[3:])} == {(120, 90)}
    assert transcoder.note == (
        "H.265 camera: re-encoded to H.264 at 120x90 on the bridge; "
        "the camera changed its resolution from 320x180 to 192x144"
    )


def test_a_stream_without_timestamps_is_numbered_by_the_bridge() -> None:
    frames = decoded("h264", encode_clip("libx264", [(160, 90)] * 4))
    for frame in frames:
        frame.pts = None
    transcoder = Transcoder(source_codec="h264", masked=True)

    units = transcode(transcoder, frames)

    assert len(units) == 4
    assert transcoder.note.endswith("its stream has no timestamps, so frames are timed as they arrive")


@pytest.mark.parametrize(
    ("size", "cap", "expected"),
    [
        ((1920, 1080), 720, (1280, 720)),
        ((1280, 720), 720, (1280, 720)),
        ((640, 480), 720, (640, 480)),
        ((2560, 1440), 480, (852, 480)),
        ((1000, 563), 360, (638, 360)),
    ],
)
def test_the_output_size_keeps_the_aspect_even_and_never_upscales(
    size: tuple[int, int], cap: int, expected: tuple[int, int]
) -> None:
    assert output_size(*size, cap) == expected


def test_the_bitrate_stays_under_the_servers_cap() -> None:
    assert target_bitrate(1280, 720, 30, 8_000_000) == 2_764_800
    assert target_bitrate(1920, 1080, 30, 2_000_000) == 1_500_000
