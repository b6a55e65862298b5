"""A snapshot for the camera's owner (issue 19): one picture, taken only when the server
asks on the owner's behalf, masked like the live picture, and answered with the request's id
(docs/bridge-protocol.md, "Snapshots")."""

from __future__ import annotations

import asyncio
import base64
import logging
import re
from typing import TYPE_CHECKING, Any

from bridge import protocol
from bridge.masks import MaskError, apply_to_image, parse_masks
from bridge.sources import Frame, FrameTooLargeError, SourceError, UnknownSourceError, fit_jpeg

if TYPE_CHECKING:
    from bridge.masks import Rect
    from bridge.sources import FrameSource, SourceFactory

logger = logging.getLogger("porchlight.bridge")

SNAPSHOT_MAX_WIDTH = 1280


def redact_secrets(text: str) -> str:
    """``text`` without the password of any URL in it: FFmpeg's error texts repeat the URL
    they failed on, and such a text goes to the server and the owner's page."""
    return re.sub(r"//([^:/@\s'\"]+):[^@/\s'\"]*@", r"//\1:***@", text)


def snapshot_take(source: FrameSource, masks: tuple[Rect, ...], *, max_bytes: int) -> bytes:
    """Open the source, read one frame, close it; the frame masked, as a JPEG (blocking)."""
    source.open()
    try:
        frame = source.read()
    finally:
        source.close()
    if not isinstance(frame, Frame):  # a source gives encoded units only when asked (H.264 passthrough)
        raise SourceError("the camera gave no picture to take")
    image = apply_to_image(frame.image(), masks)
    return fit_jpeg(
        Frame(captured_us=frame.captured_us, render=lambda: image), max_width=SNAPSHOT_MAX_WIDTH, max_bytes=max_bytes
    )


async def snapshot_answer(
    message: dict[str, Any],
    *,
    camera: str,
    spec: str | None,
    assigned: bool,
    source_factory: SourceFactory,
    max_bytes: int,
    timeout: float = protocol.SNAPSHOT_SECONDS,
) -> dict[str, Any]:
    """The answer to one ``snapshot`` request: ``jpeg`` (base64) or ``error`` in words."""
    answer: dict[str, Any] = {"type": protocol.SNAPSHOT, "camera": camera, "request": message.get("request")}
    if spec is None:
        return {**answer, "error": "camera is not configured in this bridge's bridge.toml"}
    if not assigned:
        return {**answer, "error": "camera is not assigned to this bridge by the server"}
    try:
        masks = parse_masks(message.get("masks", []))
    except MaskError as exc:  # never take a picture the owner asked to mask but we cannot
        return {**answer, "error": f"bad privacy masks: {exc}"}
    try:
        source = source_factory(spec)
        jpeg = await asyncio.wait_for(asyncio.to_thread(snapshot_take, source, masks, max_bytes=max_bytes), timeout)
    except TimeoutError:
        return {**answer, "error": f"the camera gave no picture within {timeout:g} s"}
    except (SourceError, UnknownSourceError, FrameTooLargeError) as exc:
        return {**answer, "error": redact_secrets(str(exc))}
    except Exception as exc:  # a library error: say it rather than leave the owner waiting
        logger.exception("camera %s: snapshot failed", camera)
        return {**answer, "error": redact_secrets(f"snapshot failed: {exc.__class__.__name__}: {exc}")}
    logger.info("camera %s: snapshot taken for its owner (%d bytes)", camera, len(jpeg))
    return {**answer, "jpeg": base64.b64encode(jpeg).decode("ascii")}
