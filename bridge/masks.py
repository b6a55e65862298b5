"""Privacy masks: rectangles of a camera's picture the bridge blacks out before anything leaves
the owner's premises (issue 19; docs/bridge-protocol.md, "Privacy masks").

A mask is a rectangle in picture coordinates normalised to 0..1 (x and y from the top-left
corner, w and h its width and height), so it holds whatever resolution the camera sends or the
bridge scales to. The owner draws them in the portal; the server stores them on the camera and
sends them in ``start``, ``snapshot`` and ``masks`` messages. The same :func:`parse_masks`
validates them on both sides (the server imports it, as it imports :mod:`bridge.protocol`), so
what the server accepted is what the bridge applies.

A masked camera is never forwarded as the camera's own JPEG: each kept frame is decoded,
masked and re-encoded (:func:`frame_masked`), and the H.264 path decodes, masks
(:func:`apply_to_video_frame`) and re-encodes. A box is rounded *outwards* to whole pixels, so
a mask never covers less than the owner drew.

This module imports only the standard library and Pillow (PyAV only when a video frame is
masked).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw

__all__ = [
    "MAX_MASKS",
    "MIN_SIDE",
    "MaskError",
    "Rect",
    "apply_to_image",
    "apply_to_video_frame",
    "frame_masked",
    "masks_payload",
    "parse_masks",
    "pixel_box",
]

# A handful covers a neighbour's windows, a yard and a street; more is a mistake or an
# attempt to make the bridge do per-frame work without end.
MAX_MASKS = 16
# 0.5 % of the picture's side (6 px of 1280): smaller is a slip of the mouse, not a mask.
MIN_SIDE = 0.005


class MaskError(ValueError):
    """A mask list that is not valid: ``code`` says why (machine-readable), ``index`` which
    mask (0-based; None for the list itself)."""

    def __init__(self, code: str, index: int | None = None, message: str = "") -> None:
        self.code = code
        self.index = index
        super().__init__(message or (code if index is None else f"mask {index + 1}: {code}"))


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float

    def as_list(self) -> list[float]:
        return [self.x, self.y, self.w, self.h]


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def parse_masks(raw: object) -> tuple[Rect, ...]:
    """The masks of ``raw`` (a list of ``[x, y, w, h]`` or ``{"x", "y", "w", "h"}``), or
    :class:`MaskError` with its code:

    - ``not_a_list``: not a list;
    - ``too_many``: more than MAX_MASKS;
    - ``malformed``: a mask that is not four finite numbers;
    - ``outside``: a mask that does not lie inside the picture (0 ≤ x, x + w ≤ 1, same for y);
    - ``empty``: a side smaller than MIN_SIDE.
    """
    if not isinstance(raw, list):
        raise MaskError("not_a_list", message="masks must be a list of rectangles")
    if len(raw) > MAX_MASKS:
        raise MaskError("too_many", message=f"at most {MAX_MASKS} masks")
    masks: list[Rect] = []
    for index, item in enumerate(raw):
        values: list[object]
        if isinstance(item, dict):
            values = [item.get(k) for k in ("x", "y", "w", "h")]
        elif isinstance(item, list | tuple) and len(item) == 4:
            values = list(item)
        else:
            raise MaskError("malformed", index)
        numbers = [_number(v) for v in values]
        if any(n is None for n in numbers):
            raise MaskError("malformed", index)
        x, y, w, h = (float(n) for n in numbers if n is not None)
        if w < MIN_SIDE or h < MIN_SIDE:
            raise MaskError("empty", index)
        # A hair of rounding from the browser's arithmetic is not "outside".
        if x < 0 or y < 0 or x + w > 1 + 1e-9 or y + h > 1 + 1e-9:
            raise MaskError("outside", index)
        masks.append(Rect(round(x, 6), round(y, 6), round(min(w, 1 - x), 6), round(min(h, 1 - y), 6)))
    return tuple(masks)


def masks_payload(masks: tuple[Rect, ...] | list[Rect]) -> list[list[float]]:
    """The masks as they travel: a list of ``[x, y, w, h]``."""
    return [m.as_list() for m in masks]


def pixel_box(mask: Rect, width: int, height: int) -> tuple[int, int, int, int]:
    """The mask in pixels of a picture ``width`` by ``height`` pixels, as (left, top, right, bottom)
    with right and bottom exclusive, rounded outwards (never less than the owner drew)."""
    left = max(0, math.floor(mask.x * width))
    top = max(0, math.floor(mask.y * height))
    right = min(width, math.ceil((mask.x + mask.w) * width))
    bottom = min(height, math.ceil((mask.y + mask.h) * height))
    return left, top, right, bottom


def apply_to_image(img: Image.Image, masks: tuple[Rect, ...] | list[Rect]) -> Image.Image:
    """``img`` (converted to RGB) with every mask filled black."""
    if img.mode != "RGB":
        img = img.convert("RGB")
    if not masks:
        return img
    draw = ImageDraw.Draw(img)
    for mask in masks:
        left, top, right, bottom = pixel_box(mask, img.width, img.height)
        if right > left and bottom > top:
            draw.rectangle([left, top, right - 1, bottom - 1], fill=(0, 0, 0))
    return img


# Planar YUV formats whose planes are written directly: black is Y at its floor and U, V at
# the middle. Limited range ("yuv…") has its floor at 16, full range ("yuvj…") at 0.
_PLANAR = {
    "yuv420p": (2, 2),
    "yuvj420p": (2, 2),
    "yuv422p": (2, 1),
    "yuvj422p": (2, 1),
    "yuv444p": (1, 1),
    "yuvj444p": (1, 1),
}


def apply_to_video_frame(frame: Any, masks: tuple[Rect, ...] | list[Rect]) -> Any:
    """A PyAV ``VideoFrame`` with every mask black, for the path that decodes and re-encodes
    a video stream. Planar YUV frames (what H.264 and H.265 decode to) are written in place
    and returned; any other format is masked through Pillow and a new frame of the same
    format, size and timestamps is returned."""
    if not masks:
        return frame
    name = frame.format.name
    if name in _PLANAR:
        sub_x, sub_y = _PLANAR[name]
        floor = 0 if name.startswith("yuvj") else 16
        for mask in masks:
            left, top, right, bottom = pixel_box(mask, frame.width, frame.height)
            if right <= left or bottom <= top:
                continue
            _fill_plane(frame.planes[0], left, top, right, bottom, floor)
            # Chroma boxes rounded outwards too: a chroma sample half under the mask is masked.
            box = (left // sub_x, top // sub_y, -(-right // sub_x), -(-bottom // sub_y))
            _fill_plane(frame.planes[1], *box, 128)
            _fill_plane(frame.planes[2], *box, 128)
        return frame
    import av

    img = apply_to_image(frame.to_image(), masks)
    out = av.VideoFrame.from_image(img).reformat(format=name, width=frame.width, height=frame.height)
    out.pts = frame.pts
    if frame.time_base is not None:
        out.time_base = frame.time_base
    return out


def _fill_plane(plane: Any, left: int, top: int, right: int, bottom: int, value: int) -> None:
    view = memoryview(plane)
    stride = plane.line_size
    right = min(right, plane.width)
    bottom = min(bottom, plane.height)
    run = bytes([value]) * (right - left)
    for row in range(top, bottom):
        start = row * stride + left
        view[start : start + len(run)] = run


def frame_masked(frame: Any, masks: tuple[Rect, ...] | list[Rect]) -> Any:
    """``frame`` (a ``bridge.sources.Frame``) with its masks applied when it is rendered: a
    camera's own JPEG is decoded first, so it is never forwarded unmasked (and is re-encoded by
    ``fit_jpeg``). Typed loosely on purpose: the server imports this module (validation), and
    must not import the program's sources (import-linter: server-uses-only-the-bridge-protocol)."""
    if not masks:
        return frame
    image = frame.image
    return dataclasses.replace(frame, jpeg=None, render=lambda: apply_to_image(image(), masks))
