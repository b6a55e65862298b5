"""The test pattern's stamp (test:?stamp=1, for bench/glass.py): the capture time painted as
cells survives the real encoders (libx264, the JPEG path's Pillow) and is read back from the
decoded picture, as the glass-to-glass benchmark reads it in the browser."""

import io

import av
import pytest
from PIL import Image

from bridge.sources import Frame, TestPatternSource, Unit, UnknownSourceError, fit_jpeg, make_source, read_stamp


def test_the_stamp_is_read_back_from_the_decoded_h264_picture() -> None:
    source = make_source("test:320x180?codec=h264&rate=30&stamp=1")
    assert isinstance(source, TestPatternSource)
    source.encoded = True
    source.open()
    try:
        units = [source.read() for _ in range(3)]
    finally:
        source.close()
    decoder = av.CodecContext.create("h264", "r")

    pictures = [f.to_image() for u in units if isinstance(u, Unit) for f in decoder.decode(av.Packet(u.data))]

    assert [read_stamp(p) for p in pictures] == [u.captured_us // 1000 % 2**32 for u in units][: len(pictures)]
    assert len(pictures) >= 2


def test_the_stamp_is_read_back_from_the_jpeg_path_scaled_down() -> None:
    source = make_source("test:1280x720?stamp=1")
    source.open()
    try:
        frame = source.read()
    finally:
        source.close()
    assert isinstance(frame, Frame)

    jpeg = fit_jpeg(frame, max_width=640, max_bytes=60_000)

    with Image.open(io.BytesIO(jpeg)) as img:
        assert img.width == 640
        assert read_stamp(img.convert("RGB")) == frame.captured_us // 1000 % 2**32


def test_a_pattern_without_the_stamp_reads_as_none() -> None:
    source = make_source("test:320x180")
    source.open()
    try:
        frame = source.read()
    finally:
        source.close()
    assert isinstance(frame, Frame)

    assert read_stamp(frame.image()) is None


@pytest.mark.parametrize("spec", ["test:?stamp=yes", "test:?stamp="])
def test_a_bad_stamp_option_is_refused(spec: str) -> None:
    with pytest.raises(UnknownSourceError):
        make_source(spec)
