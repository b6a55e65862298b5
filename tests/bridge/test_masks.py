"""issue 19: privacy masks are validated the same way on both sides and blacked out on a
Pillow image and on a PyAV video frame (what the H.264 path decodes to)."""

import av
import pytest
from PIL import Image

from bridge.masks import MAX_MASKS, MaskError, Rect, apply_to_image, apply_to_video_frame, parse_masks, pixel_box
from bridge.sources import Frame


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("0,0,1,1", "not_a_list"),
        ([[0, 0, 0.1, 0.1]] * (MAX_MASKS + 1), "too_many"),
        ([[0, 0, 0.1]], "malformed"),
        ([[0, 0, "a", 0.1]], "malformed"),
        ([[0, 0, True, 0.1]], "malformed"),
        ([[0, 0, float("nan"), 0.1]], "malformed"),
        ([[0.6, 0, 0.5, 0.1]], "outside"),
        ([[-0.1, 0, 0.5, 0.1]], "outside"),
        ([[0, 0.95, 0.1, 0.1]], "outside"),
        ([[0.1, 0.1, 0, 0.2]], "empty"),
        ([[0.1, 0.1, 0.001, 0.2]], "empty"),
    ],
)
def test_a_mask_list_that_is_not_valid_is_refused_with_its_code(raw: object, code: str) -> None:
    with pytest.raises(MaskError) as refused:
        parse_masks(raw)

    assert refused.value.code == code


def test_masks_are_accepted_as_lists_or_objects() -> None:
    masks = parse_masks([[0.1, 0.2, 0.3, 0.4], {"x": 0, "y": 0, "w": 1, "h": 1}])

    assert masks == (Rect(0.1, 0.2, 0.3, 0.4), Rect(0.0, 0.0, 1.0, 1.0))


def test_a_mask_in_pixels_is_rounded_outwards() -> None:
    assert pixel_box(Rect(0.101, 0.101, 0.2, 0.2), 100, 100) == (10, 10, 31, 31)


def _grey(width: int = 64, height: int = 48) -> Image.Image:
    return Image.new("RGB", (width, height), (200, 200, 200))


def test_a_mask_blacks_out_its_pixels_of_a_pillow_image_and_nothing_else() -> None:
    img = apply_to_image(_grey(), [Rect(0.25, 0.25, 0.5, 0.5)])

    assert img.getpixel((16, 12)) == (0, 0, 0)  # the mask's first pixel
    assert img.getpixel((47, 35)) == (0, 0, 0)
    assert img.getpixel((15, 12)) == (200, 200, 200)
    assert img.getpixel((48, 36)) == (200, 200, 200)


@pytest.mark.parametrize("fmt", ["yuv420p", "yuvj420p", "rgb24", "nv12"])
def test_a_mask_blacks_out_a_video_frame_in_its_own_format(fmt: str) -> None:
    frame = av.VideoFrame.from_image(_grey()).reformat(format=fmt)
    frame.pts = 42

    masked = apply_to_video_frame(frame, [Rect(0.25, 0.25, 0.5, 0.5)])

    picture = masked.to_image()
    inside, outside = picture.getpixel((32, 24)), picture.getpixel((2, 2))
    assert isinstance(inside, tuple)
    assert isinstance(outside, tuple)
    assert (masked.format.name, masked.pts, masked.width, masked.height) == (fmt, 42, 64, 48)
    assert max(inside) <= 4
    assert min(outside) >= 190


def test_a_cameras_own_jpeg_is_decoded_masked_and_never_forwarded_as_it_came() -> None:
    import io

    from bridge.masks import frame_masked
    from bridge.sources import fit_jpeg

    out = io.BytesIO()
    _grey(640, 360).save(out, "JPEG")
    frame = Frame(captured_us=1, jpeg=out.getvalue())

    jpeg = fit_jpeg(frame_masked(frame, (Rect(0, 0, 0.5, 1),)), max_width=1280, max_bytes=1_000_000)

    assert jpeg != out.getvalue()
    pixel = Image.open(io.BytesIO(jpeg)).convert("RGB").getpixel((100, 180))
    assert isinstance(pixel, tuple)
    assert max(pixel) <= 8
