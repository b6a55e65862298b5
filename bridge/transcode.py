"""Re-encoding on the bridge (issue 19): the path for what cannot go as the camera sent it.

Passthrough (:mod:`bridge.h264`) forwards a camera's H.264 without decoding it. Two kinds of
camera cannot go that way, and are decoded, changed and encoded again here, to H.264 that every
viewer's player (jmuxer, Media Source Extensions) plays:

- **H.265 cameras**: the server's hello lists only ``jpeg`` and ``h264`` and the viewer's
  player plays only H.264 (Debian's Chromium has no ``hvc1`` in MSE), so HEVC is transcoded;
- **H.264 cameras with privacy masks**: a picture's pixels are only reachable decoded, so the
  masks are blacked out (:func:`bridge.masks.apply_to_video_frame`) between decoding and
  encoding. Nothing of the camera's own bitstream is forwarded.

The output is scaled down, keeping the aspect ratio, so that its height is at most
``max_height`` (720 by default; ``[transcode] max_height`` in bridge.toml), and encoded with
libx264 as a camera would (ultrafast, zerolatency, no B-frames, a keyframe a second, a bitrate
under the server's ``max_bitrate``). :meth:`Transcoder.request_keyframe` makes the next frame a
keyframe (a viewer joined). A camera that changes resolution mid-stream gets a new encoder (and
a new ``codec`` message); a stream without timestamps is numbered by the transcoder itself.
:attr:`Transcoder.note` says in one sentence what the bridge does, for the owner's status.
"""

from __future__ import annotations

import logging
from fractions import Fraction
from typing import Any

from bridge.h264 import AccessUnit, Packetiser
from bridge.masks import _PLANAR, Rect, apply_to_video_frame

logger = logging.getLogger("porchlight.bridge")

DEFAULT_MAX_HEIGHT = 720
MIN_MAX_HEIGHT = 90  # below this the picture is useless; bridge.toml is refused
DEFAULT_RATE = 15  # frames a second when the stream does not say
# The share of the server's max_bitrate the encoder aims at: libx264's rate control overshoots
# a little on keyframes and scene changes, and the server drops units above its cap.
BITRATE_SHARE = 0.75
MIN_BITRATE = 100_000

CODEC_NAMES = {"hevc": "H.265", "h264": "H.264"}


class TranscodeError(Exception):
    """The encoder could not be opened (a PyAV without libx264)."""


def output_size(width: int, height: int, max_height: int) -> tuple[int, int]:
    """The encoded size of a ``width`` x ``height`` picture: scaled down, aspect kept, so that
    the height is at most ``max_height``; both sides even (4:2:0 chroma), never upscaled."""
    out_h = min(height, max_height)
    out_w = round(width * out_h / height) if height else width
    return max(2, out_w - out_w % 2), max(2, out_h - out_h % 2)


def target_bitrate(width: int, height: int, rate: float, max_bitrate: int | None) -> int:
    """Bits a second for the encoder: about 0.1 bit a pixel (≈ 2.8 Mbit/s at 720p30), below
    ``BITRATE_SHARE`` of the server's cap."""
    natural = int(width * height * rate / 10)
    if max_bitrate:
        natural = min(natural, int(max_bitrate * BITRATE_SHARE))
    return max(MIN_BITRATE, natural)


class Transcoder:
    """Decoded frames of one camera in, protocol access units (H.264, Annex B) out.

    ``source_codec`` is the camera's codec as PyAV names it (``hevc`` or ``h264``), ``masked``
    whether it is transcoded because of privacy masks. Set :attr:`masks` before each frame;
    :attr:`applied` is what the last unit had blacked out.
    """

    def __init__(
        self,
        *,
        source_codec: str,
        masked: bool = False,
        max_height: int = DEFAULT_MAX_HEIGHT,
        max_bitrate: int | None = None,
        rate: float | None = None,
    ) -> None:
        self.source_codec = source_codec
        self.masked = masked
        self.max_height = max_height
        self.max_bitrate = max_bitrate
        self.rate = min(60.0, max(1.0, float(rate))) if rate else float(DEFAULT_RATE)
        self.masks: tuple[Rect, ...] = ()
        self.applied: tuple[Rect, ...] = ()
        self.input_size: tuple[int, int] | None = None
        self.size: tuple[int, int] | None = None  # what is encoded
        self.resized_from: tuple[int, int] | None = None  # the camera changed size mid-stream
        self.untimed = False  # the camera's frames came without timestamps
        self.frames = 0
        self._encoder: Any = None
        self._packetiser: Packetiser | None = None
        self._force_key = True

    @property
    def note(self) -> str:
        """What the bridge does with this camera, for its owner (one sentence)."""
        if self.size is None:
            return ""
        size = f"{self.size[0]}x{self.size[1]}"
        camera = CODEC_NAMES.get(self.source_codec, self.source_codec)
        if self.masked:
            text = f"privacy masks: the {camera} stream is decoded, masked and re-encoded to H.264 at {size}"
            text += " on the bridge (CPU)"
        else:
            text = f"{camera} camera: re-encoded to H.264 at {size} on the bridge"
        if self.resized_from is not None and self.input_size is not None:
            before, now = self.resized_from, self.input_size
            text += f"; the camera changed its resolution from {before[0]}x{before[1]} to {now[0]}x{now[1]}"
        if self.untimed:
            text += "; its stream has no timestamps, so frames are timed as they arrive"
        return text

    def request_keyframe(self) -> None:
        """Make the next encoded frame a keyframe (a viewer joined, or units were dropped)."""
        self._force_key = True

    def encode(self, frame: Any) -> list[AccessUnit]:
        """The access units of one decoded frame (usually one; none before the encoder's first)."""
        import av
        from av.video.frame import PictureType

        if frame.pts is None:
            self.untimed = True
        size = (frame.width, frame.height)
        if size != self.input_size:
            if self.input_size is not None:
                logger.info("camera changed resolution from %s to %s: new encoder", self.input_size, size)
                self.resized_from = self.input_size
            self.input_size = size
            self._open(*output_size(frame.width, frame.height, self.max_height))
        assert self._encoder is not None
        assert self._packetiser is not None
        masks = self.masks
        if masks:
            # Black the masks out in the camera's own pixels first, so that nothing under them
            # reaches the scaler (which would blur it into the pixels beside). A decoded frame
            # may share its buffer with the decoder's reference pictures: a copy, then.
            if frame.format.name in _PLANAR:
                frame = _writable(frame)
            frame = apply_to_video_frame(frame, masks)
        width, height = self.size or size
        out = frame.reformat(width=width, height=height, format="yuv420p")
        if masks and out is not frame:  # and again at the output size, rounded outwards there
            out = apply_to_video_frame(out, masks)
        out.pts = self.frames
        out.time_base = self._encoder.time_base
        out.pict_type = PictureType.I if self._force_key else PictureType.NONE
        self._force_key = False
        self.frames += 1
        units: list[AccessUnit] = []
        try:
            packets = self._encoder.encode(out)
        except av.FFmpegError as exc:
            raise TranscodeError(f"H.264 encoder failed: {exc}") from exc
        for packet in packets:
            unit = self._packetiser.push(bytes(packet), bool(packet.is_keyframe))
            if unit is not None:
                units.append(unit)
        self.applied = masks
        return units

    def _open(self, width: int, height: int) -> None:
        """A new encoder (and packetiser: its first keyframe carries a new description)."""
        import av

        try:
            encoder = av.CodecContext.create("libx264", "w")
        except (av.FFmpegError, ValueError) as exc:
            raise TranscodeError(f"no H.264 encoder on this bridge (PyAV without libx264): {exc}") from exc
        rate = Fraction(self.rate).limit_denominator(1001)
        bitrate = target_bitrate(width, height, self.rate, self.max_bitrate)
        encoder.width, encoder.height, encoder.pix_fmt = width, height, "yuv420p"
        encoder.time_base = 1 / rate
        encoder.framerate = rate
        encoder.gop_size = max(1, round(self.rate))  # a keyframe a second
        encoder.bit_rate = bitrate
        encoder.options = {
            "preset": "ultrafast",
            "tune": "zerolatency",
            "bf": "0",  # no B-frames (an option, not max_b_frames: Debian 12's PyAV 10 lacks that)
            "forced-idr": "1",  # a forced keyframe is an IDR, where a player can start
            "sc_threshold": "0",
            "maxrate": str(bitrate),
            "bufsize": str(bitrate),
        }
        try:
            encoder.open()
        except av.FFmpegError as exc:
            raise TranscodeError(f"cannot open the H.264 encoder at {width}x{height}: {exc}") from exc
        self._encoder = encoder
        self._packetiser = Packetiser(bytes(encoder.extradata) if encoder.extradata else None)
        self.size = (width, height)
        self._force_key = True


def _writable(frame: Any) -> Any:
    """``frame`` with a buffer of its own (written in place by the masks)."""
    if hasattr(frame, "make_writable"):  # PyAV 13+: copies only a buffer that is shared
        frame.make_writable()
        return frame
    other = "yuv444p" if frame.format.name != "yuv444p" else "yuv420p"  # older PyAV: a copy
    return frame.reformat(format=other)
