"""Frame sources for the bridge program (see docs/bridge-protocol.md).

A source is opened only while its camera is started and is read from a worker thread, because
PyAV's reads block. Each ``read()`` returns one :class:`Frame`: either a JPEG as the camera sent
it (HTTP MJPEG: every demuxed packet is already a complete JPEG) or a lazily rendered Pillow
image (RTSP, the test pattern). :func:`fit_jpeg` turns a frame into a JPEG that respects the
server's ``max_width`` and ``max_frame_bytes``, forwarding the camera's own JPEG untouched when
it already fits.

Source strings (the values of ``[cameras]`` in bridge.toml):

``rtsp://…`` / ``rtsps://…``  H.264 inside: its access units as they are (demuxed, never
                              decoded) to a server that takes H.264; H.265 inside, or H.264
                              with privacy masks: decoded and re-encoded to H.264 at a capped
                              height (:mod:`bridge.transcode`); otherwise decoded with PyAV and
                              re-encoded as JPEG with Pillow
``http(s)://….ts``            MPEG-TS over HTTP: as RTSP
``http://…`` / ``https://…``  HTTP MJPEG (multipart/x-mixed-replace), forwarded as is
``test:`` / ``test:640x360``  a moving test pattern with a clock (FFmpeg lavfi ``testsrc``;
                              a pure-Pillow pattern when lavfi is unavailable); with
                              ``?codec=h264`` encoded with libx264 (1 s GOP) for a server that
                              takes H.264, with ``?codec=h265`` encoded with libx265 and
                              re-encoded to H.264 as an H.265 camera is, and ``&rate=N``
                              frames a second (15 by default); ``&stamp=1`` paints the
                              capture time as black and white cells a reader of the decoded
                              picture can decode (:func:`draw_stamp`, bench/glass.py)

A source that can send H.264 has an ``encoded`` attribute; the client sets it before ``open()``
when the server takes H.264 and the viewers can play it. Its ``read()`` then returns
:class:`Unit` objects instead of :class:`Frame` objects. Such a source also has ``masks`` (the
privacy masks, set by the client before each ``read()``: a masked camera is re-encoded, never
passed through), ``max_height`` and ``max_bitrate`` (for re-encoding) and ``request_keyframe()``
(a viewer joined: a re-encoded camera's next unit is a keyframe).
"""

from __future__ import annotations

import io
import logging
import math
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from PIL import Image, ImageDraw, ImageFont

from bridge.h264 import CodecDescription, H264Error, Packetiser
from bridge.transcode import DEFAULT_MAX_HEIGHT, TranscodeError, Transcoder

if TYPE_CHECKING:
    from bridge.masks import Rect

logger = logging.getLogger("porchlight.bridge")

SCHEMES = ("rtsp", "rtsps", "http", "https", "test")
NETWORK_TIMEOUT = (10.0, 10.0)  # PyAV (open, read) timeouts in seconds
JPEG_QUALITIES = (80, 65, 50, 35, 25)
MIN_WIDTH = 64  # below this a frame is not worth sending: report an error instead


class SourceError(Exception):
    """The source could not be opened or stopped delivering frames (the camera may retry)."""


class UnknownSourceError(ValueError):
    """A source string whose scheme the bridge does not know."""


class FrameTooLargeError(Exception):
    """No JPEG within the byte limit even at low quality and a small size."""


def now_us() -> int:
    """Microseconds since the Unix epoch (the capture time in a frame's header)."""
    return time.time_ns() // 1000


@dataclass
class Frame:
    """One captured frame: the camera's own JPEG, or a renderer producing an image."""

    captured_us: int
    jpeg: bytes | None = None
    render: Callable[[], Image.Image] | None = None

    def image(self) -> Image.Image:
        if self.render is not None:
            return self.render()
        assert self.jpeg is not None
        with Image.open(io.BytesIO(self.jpeg)) as img:
            return img.convert("RGB")


@dataclass
class Unit:
    """One H.264 access unit as the camera encoded it (Annex B; a keyframe begins with its SPS
    and PPS), and the codec description when it is new or changed."""

    captured_us: int
    data: bytes
    keyframe: bool
    codec: CodecDescription | None = None
    # issue 19: the privacy masks blacked out in this unit's picture (a unit of the camera's own
    # bitstream has none: the client never sends such a unit of a masked camera), and what the
    # bridge does to the camera's stream, for its owner's status ("" for passthrough).
    masks: tuple[Rect, ...] = ()
    note: str = ""


class FrameSource(Protocol):
    """What the bridge needs from a camera. ``read`` blocks; all calls come from one thread."""

    def open(self) -> None: ...

    def read(self) -> Frame | Unit: ...

    def close(self) -> None: ...


SourceFactory = Callable[[str], FrameSource]


def source_scheme(spec: str) -> str:
    """The scheme of a source string, or :class:`UnknownSourceError`."""
    scheme = spec.split(":", 1)[0].lower() if ":" in spec else ""
    if scheme not in SCHEMES:
        raise UnknownSourceError(f"unknown source {spec!r}: use rtsp://…, http(s)://… (MJPEG) or test: (test pattern)")
    return scheme


def make_source(spec: str) -> FrameSource:
    """The default source factory: a closed source for ``spec`` (opened later, on start)."""
    scheme = source_scheme(spec)
    if scheme in ("http", "https"):
        if spec.split("?", 1)[0].lower().endswith((".ts", ".m2ts")):
            return RtspSource(spec, format="mpegts")
        return MjpegHttpSource(spec)
    if scheme in ("rtsp", "rtsps"):
        return RtspSource(spec)
    size, _, query = spec.split(":", 1)[1].partition("?")
    params = dict(p.partition("=")[::2] for p in query.split("&") if p)
    match = re.fullmatch(r"(\d{2,5})x(\d{2,5})", size)
    codec = params.get("codec", "jpeg")
    stamp = params.get("stamp", "0")
    if (
        (size and not match)
        or set(params) - {"codec", "rate", "stamp"}
        or codec not in ("jpeg", "h264", "h265")
        or stamp not in ("0", "1")
    ):
        raise UnknownSourceError(f"bad test source {spec!r}: use test:[WxH][?codec=h264|h265][&rate=N][&stamp=1]")
    rate = params.get("rate", "15")
    if not rate.isdigit() or not 1 <= int(rate) <= 60:
        raise UnknownSourceError(f"bad test source {spec!r}: rate must be 1 to 60")
    width, height = (int(match[1]), int(match[2])) if match else (640, 360)
    return TestPatternSource(
        width=width,
        height=height,
        rate=int(rate),
        h264=codec in ("h264", "h265"),
        hevc=codec == "h265",
        stamp=stamp == "1",
    )


def _redact(url: str) -> str:
    """A URL without its password, for logs and status details."""
    return re.sub(r"//([^:/@]+):[^@/]*@", r"//\1:***@", url)


class MjpegHttpSource:
    """HTTP MJPEG (``multipart/x-mixed-replace``) through FFmpeg's ``mpjpeg`` demuxer."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._container: Any = None
        self._packets: Iterator[Any] | None = None

    def open(self) -> None:
        import av

        try:
            self._container = av.open(self.url, format="mpjpeg", timeout=NETWORK_TIMEOUT)
            self._packets = self._container.demux(video=0)
        except (av.FFmpegError, OSError) as exc:
            self.close()
            raise SourceError(f"cannot open {_redact(self.url)}: {exc}") from exc

    def read(self) -> Frame:
        import av

        assert self._packets is not None, "read() before open()"
        try:
            for packet in self._packets:
                data = bytes(packet)
                if data:  # the demuxer ends with an empty flush packet
                    return Frame(captured_us=now_us(), jpeg=data)
        except (av.FFmpegError, OSError) as exc:
            raise SourceError(f"reading {_redact(self.url)} failed: {exc}") from exc
        raise SourceError(f"{_redact(self.url)} ended the stream")

    def close(self) -> None:
        if self._container is not None:
            self._container.close()
        self._container = self._packets = None


class RtspSource:
    """RTSP over TCP, or MPEG-TS over HTTP (``format="mpegts"``), read with PyAV.

    H.264 inside and ``encoded`` set: demuxed only, its access units forwarded as they are
    (:class:`bridge.h264.Packetiser`). Otherwise (another codec, or a server or viewer that
    takes JPEG only) decoded, to be re-encoded as JPEG.
    """

    def __init__(self, url: str, *, format: str | None = None) -> None:
        self.url = url
        self.format = format
        self.encoded = False
        self.masks: tuple[Rect, ...] = ()
        self.max_height = DEFAULT_MAX_HEIGHT
        self.max_bitrate: int | None = None
        self._container: Any = None
        self._frames: Iterator[Any] | None = None
        self._packets: Iterator[Any] | None = None
        self._packetiser: Packetiser | None = None
        self._transcoder: Transcoder | None = None
        self._pending: list[Unit] = []
        self._pts_anchor: tuple[int, int] | None = None  # (first PTS, its arrival) in µs

    def open(self) -> None:
        import av

        self._pts_anchor = None
        options = {"rtsp_transport": "tcp"} if self.format is None else {}
        try:
            self._container = av.open(self.url, format=self.format, options=options, timeout=NETWORK_TIMEOUT)
            stream = self._container.streams.video[0]
            codec = stream.codec_context.name
            if self.encoded and (codec == "hevc" or (codec == "h264" and self.masks)):
                # issue 19: H.265 (no viewer plays it) or masks (only decoded pixels can be
                # blacked out): decoded and re-encoded to H.264 (bridge.transcode)
                stream.thread_type = "AUTO"
                rate = stream.average_rate or stream.guessed_rate
                self._transcoder = Transcoder(
                    source_codec=codec,
                    masked=bool(self.masks),
                    max_height=self.max_height,
                    max_bitrate=self.max_bitrate,
                    rate=float(rate) if rate else None,
                )
                self._pending = []
                self._frames = self._container.decode(stream)
            elif self.encoded and codec == "h264":
                extradata = stream.codec_context.extradata
                self._packetiser = Packetiser(bytes(extradata) if extradata else None)
                self._packets = self._container.demux(stream)
            else:
                stream.thread_type = "AUTO"
                self._frames = self._container.decode(stream)
        except (av.FFmpegError, OSError, IndexError, H264Error) as exc:
            self.close()
            raise SourceError(f"cannot open {_redact(self.url)}: {exc}") from exc

    def read(self) -> Frame | Unit:
        import av

        try:
            if self._packets is not None:
                return self._read_unit()
            if self._transcoder is not None:
                return self._read_transcoded()
            assert self._frames is not None, "read() before open()"
            frame = next(self._frames)
        except StopIteration:
            raise SourceError(f"{_redact(self.url)} ended the stream") from None
        except (av.FFmpegError, OSError) as exc:
            raise SourceError(f"reading {_redact(self.url)} failed: {exc}") from exc
        except TranscodeError as exc:
            raise SourceError(str(exc)) from exc
        # Converting to RGB is the expensive part: only frames the bridge keeps are rendered.
        return Frame(captured_us=now_us(), render=frame.to_image)

    def _read_unit(self) -> Unit:
        assert self._packets is not None
        assert self._packetiser is not None
        for packet in self._packets:
            if not packet.size:  # the demuxer's flush packet
                continue
            try:
                unit = self._packetiser.push(bytes(packet), bool(packet.is_keyframe))
            except H264Error as exc:
                raise SourceError(f"{_redact(self.url)} sent broken H.264: {exc}") from exc
            if unit is not None:
                captured = self._captured(packet)
                return Unit(captured_us=captured, data=unit.data, keyframe=unit.keyframe, codec=unit.codec)
        raise SourceError(f"{_redact(self.url)} ended the stream")

    def _read_transcoded(self) -> Unit:
        """The next re-encoded unit: frames decoded, masked with the masks of now, scaled and
        encoded (StopIteration when the camera's stream ends)."""
        assert self._frames is not None
        assert self._transcoder is not None
        while not self._pending:
            frame = next(self._frames)
            captured = self._captured(frame)
            self._transcoder.masks = self.masks
            note = self._transcoder.note
            for unit in self._transcoder.encode(frame):
                self._pending.append(
                    Unit(
                        captured_us=captured,
                        data=unit.data,
                        keyframe=unit.keyframe,
                        codec=unit.codec,
                        masks=self._transcoder.applied,
                        note=self._transcoder.note or note,
                    )
                )
        return self._pending.pop(0)

    def request_keyframe(self) -> None:
        """A viewer joined: a re-encoded camera's next unit is a keyframe. (Passthrough cannot
        ask a camera for one over RTSP; the server's GOP cache starts the viewer instead.)"""
        if self._transcoder is not None:
            self._transcoder.request_keyframe()

    def _captured(self, packet: Any) -> int:
        """The unit's capture time: the camera's own timestamps (PTS) from the first unit's
        arrival on, so units keep the camera's spacing even when the demuxer hands them out in
        a burst (at the start it reads ahead); arrival time where the stream has none."""
        now = now_us()
        if packet.pts is None or packet.time_base is None:
            return now
        at = int(packet.pts * packet.time_base * 1_000_000)
        if self._pts_anchor is None or abs(at - self._pts_anchor[0] - (now - self._pts_anchor[1])) > 5_000_000:
            self._pts_anchor = (at, now)  # the first unit, or the stream's clock jumped
        return self._pts_anchor[1] + at - self._pts_anchor[0]

    def resync(self) -> None:
        """Units were dropped: send nothing until the next keyframe (a re-encoded camera makes
        one at once)."""
        if self._packetiser is not None:
            self._packetiser.resync()
        if self._transcoder is not None:
            self._pending.clear()
            self._transcoder.request_keyframe()

    def close(self) -> None:
        if self._container is not None:
            self._container.close()
        self._container = self._frames = self._packets = self._packetiser = self._transcoder = None
        self._pending = []


class TestPatternSource:
    """A moving test pattern with the current time, paced at ``rate`` frames per second.

    ``h264``: the owner asked for encoded video (``?codec=h264``, or ``?codec=h265`` with
    ``hevc``). H.264 without masks is libx264's output as it is (a camera's passthrough); H.265,
    or H.264 with privacy masks, goes through :class:`bridge.transcode.Transcoder` as a camera's
    stream would (H.265 really encoded with libx265 and decoded again first).
    """

    __test__ = False  # not a pytest test class

    def __init__(
        self,
        width: int = 640,
        height: int = 360,
        rate: int = 15,
        *,
        h264: bool = False,
        hevc: bool = False,
        stamp: bool = False,
    ) -> None:
        self.width, self.height, self.rate = width, height, rate
        self.stamp = stamp  # the capture time also as cells (test:?stamp=1, for bench/glass.py)
        self.h264 = h264 or hevc  # the owner asked for encoded video (test:?codec=h264 or h265)
        self.hevc = hevc  # … from an H.265 camera (test:?codec=h265)
        self.encoded = False  # and the server and viewers take it (set by the client)
        self.masks: tuple[Rect, ...] = ()
        self.max_height = DEFAULT_MAX_HEIGHT
        self.max_bitrate: int | None = None
        self._container: Any = None
        self._frames: Iterator[Any] | None = None
        self._encoder: Any = None
        self._packetiser: Packetiser | None = None
        self._transcoder: Transcoder | None = None
        self._hevc: tuple[Any, Any] | None = None  # (libx265 encoder, HEVC decoder): the camera
        self._next = 0.0
        self._count = 0

    def open(self) -> None:
        self._next = time.monotonic()
        self._count = 0
        try:
            import av

            self._container = av.open(f"testsrc=size={self.width}x{self.height}:rate={self.rate}", format="lavfi")
            self._frames = self._container.decode(video=0)
        except Exception as exc:  # lavfi missing from this FFmpeg build, or no PyAV at all
            logger.info("lavfi testsrc unavailable (%s): drawing the test pattern with Pillow", exc)
            self.close()
        if self.h264 and self.encoded and (self.hevc or self.masks):
            self._open_transcoder()
        elif self.h264 and self.encoded:
            self._open_encoder()

    def _open_transcoder(self) -> None:
        """issue 19: the pattern as an H.265 camera's (libx265, decoded again) or a masked
        camera's frames, re-encoded to H.264 by the bridge's transcoder."""
        from fractions import Fraction

        import av

        self._transcoder = Transcoder(
            source_codec="hevc" if self.hevc else "h264",
            masked=bool(self.masks),
            max_height=self.max_height,
            max_bitrate=self.max_bitrate,
            rate=self.rate,
        )
        if self.hevc:
            try:
                encoder = av.CodecContext.create("libx265", "w")
            except (av.FFmpegError, ValueError) as exc:
                raise SourceError(f"no H.265 encoder for the test pattern: {exc}") from exc
            encoder.width, encoder.height, encoder.pix_fmt = self.width, self.height, "yuv420p"
            encoder.time_base = Fraction(1, self.rate)
            encoder.framerate = Fraction(self.rate, 1)
            encoder.gop_size = self.rate
            encoder.options = {"preset": "ultrafast", "tune": "zerolatency", "x265-params": "log-level=none"}
            encoder.open()
            self._hevc = (encoder, av.CodecContext.create("hevc", "r"))

    def _open_encoder(self) -> None:
        """libx264 (PyAV's FFmpeg has it; no other H.264 encoder there but V4L2 hardware),
        tuned as a camera is: no B-frames, a keyframe every second, no encoder delay."""
        from fractions import Fraction

        import av

        try:
            encoder = av.CodecContext.create("libx264", "w")
        except (av.FFmpegError, ValueError) as exc:
            raise SourceError(f"no H.264 encoder for the test pattern: {exc}") from exc
        encoder.width, encoder.height, encoder.pix_fmt = self.width, self.height, "yuv420p"
        encoder.time_base = Fraction(1, self.rate)
        encoder.framerate = Fraction(self.rate, 1)
        encoder.gop_size = self.rate
        encoder.bit_rate = self.width * self.height * self.rate // 10  # ~2 Mbit/s at 720p15
        # no B-frames: "bf" (Debian 12's PyAV 10 has no max_b_frames attribute)
        encoder.options = {"preset": "ultrafast", "tune": "zerolatency", "sc_threshold": "0", "bf": "0"}
        encoder.open()
        self._encoder = encoder
        self._packetiser = Packetiser(bytes(encoder.extradata) if encoder.extradata else None)

    def read(self) -> Frame | Unit:
        while True:
            delay = self._next - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self._next = max(self._next + 1 / self.rate, time.monotonic() - 1 / self.rate)
            self._count += 1
            captured = now_us()
            if self._transcoder is not None:
                unit = self._transcode(self._frame(captured).image(), captured)
            elif self._encoder is None:
                return self._frame(captured)
            else:
                unit = self._encode(self._frame(captured).image(), captured)
            if unit is not None:
                return unit

    def _transcode(self, image: Image.Image, captured: int) -> Unit | None:
        import av

        assert self._transcoder is not None
        frame = av.VideoFrame.from_image(image).reformat(format="yuv420p")
        frame.pts = self._count
        frames = [frame]
        if self._hevc is not None:  # what an H.265 camera sends, decoded as the bridge does
            encoder, decoder = self._hevc
            frames = [f for packet in encoder.encode(frame) for f in decoder.decode(packet)]
        self._transcoder.masks = self.masks
        out: Unit | None = None
        try:
            for decoded in frames:
                for unit in self._transcoder.encode(decoded):
                    out = Unit(
                        captured_us=captured,
                        data=unit.data,
                        keyframe=unit.keyframe,
                        codec=unit.codec,
                        masks=self._transcoder.applied,
                        note=self._transcoder.note,
                    )
        except TranscodeError as exc:
            raise SourceError(str(exc)) from exc
        return out

    def request_keyframe(self) -> None:
        if self._transcoder is not None:
            self._transcoder.request_keyframe()

    def _encode(self, image: Image.Image, captured: int) -> Unit | None:
        import av

        assert self._encoder is not None
        assert self._packetiser is not None
        frame = av.VideoFrame.from_image(image).reformat(format="yuv420p")
        frame.pts = self._count
        out: Unit | None = None
        for packet in self._encoder.encode(frame):
            unit = self._packetiser.push(bytes(packet), bool(packet.is_keyframe))
            if unit is not None:
                out = Unit(captured_us=captured, data=unit.data, keyframe=unit.keyframe, codec=unit.codec)
        return out

    def resync(self) -> None:
        if self._packetiser is not None:
            self._packetiser.resync()
        if self._transcoder is not None:
            self._transcoder.request_keyframe()

    def _frame(self, captured: int) -> Frame:
        if self._frames is not None:
            av_frame = next(self._frames)
            return Frame(captured_us=captured, render=lambda: self._stamped(av_frame.to_image(), captured))
        count = self._count
        return Frame(captured_us=captured, render=lambda: self._stamped(self._pillow_pattern(count), captured))

    def _stamped(self, img: Image.Image, captured: int) -> Image.Image:
        img = _draw_clock(img, captured)
        return draw_stamp(img, captured) if self.stamp else img

    def close(self) -> None:
        if self._container is not None:
            self._container.close()
        self._container = self._frames = self._encoder = self._packetiser = self._transcoder = self._hevc = None

    def _pillow_pattern(self, count: int) -> Image.Image:
        w, h = self.width, self.height
        img = Image.new("RGB", (w, h))
        draw = ImageDraw.Draw(img)
        colours = [(192, 192, 192), (192, 192, 0), (0, 192, 192), (0, 192, 0), (192, 0, 192), (192, 0, 0), (0, 0, 192)]
        bar = w / len(colours)
        for i, colour in enumerate(colours):
            draw.rectangle([int(i * bar), 0, int((i + 1) * bar), h], fill=colour)
        x = int((count * 8) % w)
        draw.rectangle([x, h // 3, x + w // 16, 2 * h // 3], fill=(255, 255, 255))
        y = int(h / 2 + math.sin(count / 10) * h / 4)
        draw.ellipse([w // 2 - 20, y - 20, w // 2 + 20, y + 20], fill=(0, 0, 0))
        return img


def _draw_clock(img: Image.Image, captured_us: int) -> Image.Image:
    """The capture time, white on black at the top left, about 1/16 of the picture high.

    Only Pillow 9.4's API (Debian 12's python3-pil): ``ImageFont.load_default(size=)`` came in
    10.1, so the default font is drawn at its own size and the label scaled up whole."""
    text = datetime.fromtimestamp(captured_us / 1e6, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] + " UTC"
    font = ImageFont.load_default()
    left, top, right, bottom = (int(v) for v in ImageDraw.Draw(img).textbbox((0, 0), text, font=font))
    label = Image.new("RGB", (right - left + 8, bottom - top + 8), (0, 0, 0))
    ImageDraw.Draw(label).text((4 - left, 4 - top), text, font=font, fill=(255, 255, 255))
    scale = max(1, max(12, img.height // 16) // max(1, bottom - top))
    if scale > 1:
        label = label.resize((label.width * scale, label.height * scale), Image.Resampling.NEAREST)
    img.paste(label, (6, 6))
    return img


# The stamp (test:?stamp=1): the capture time in milliseconds modulo 2**32 (it wraps every
# 49.7 days, far longer than any latency), 32 bits most significant first as square cells of
# 1/40 of the picture's width, white for 1, from the 5th cell on, in the row just above the
# middle; the row below holds the complement, so that a reader can refuse a misread cell
# (compression blurs edges, and a scaled picture's cells fall between pixels). Cells, not
# digits: a reader needs no font, only the brightness at each cell's centre, at any scale.
STAMP_BITS = 32
STAMP_CELLS = 40  # cells across the picture's width: 16 px at 640, 32 px at 1280


def _stamp_cell(width: int, height: int) -> tuple[float, float, float]:
    """The cell's side, the first cell's left edge and the top row's top edge, in pixels."""
    cell = width / STAMP_CELLS
    return cell, 4 * cell, height / 2 - cell


def draw_stamp(img: Image.Image, captured_us: int) -> Image.Image:
    """The capture time, in milliseconds modulo 2**32, as cells (see ``STAMP_BITS``)."""
    value = (captured_us // 1000) % 2**STAMP_BITS
    cell, left, top = _stamp_cell(img.width, img.height)
    draw = ImageDraw.Draw(img)
    for i in range(STAMP_BITS):
        bit = value >> (STAMP_BITS - 1 - i) & 1
        x0, x1 = round(left + i * cell), round(left + (i + 1) * cell) - 1
        for row, on in ((0, bit), (1, 1 - bit)):
            y0, y1 = round(top + row * cell), round(top + (row + 1) * cell) - 1
            draw.rectangle([x0, y0, x1, y1], fill=(255, 255, 255) if on else (0, 0, 0))
    return img


def read_stamp(img: Image.Image) -> int | None:
    """The stamp of a decoded picture (milliseconds modulo 2**32), or None where a cell and
    its complement do not differ clearly (no stamp, or a misread). bench/glass.py reads it the
    same way in the browser."""
    grey = img.convert("L")
    cell, left, top = _stamp_cell(img.width, img.height)
    value = 0
    for i in range(STAMP_BITS):
        x = int(left + (i + 0.5) * cell)
        upper = grey.getpixel((x, int(top + 0.5 * cell)))
        lower = grey.getpixel((x, int(top + 1.5 * cell)))
        assert isinstance(upper, int)  # an "L" image's pixel
        assert isinstance(lower, int)
        if abs(upper - lower) < 96:
            return None
        value = value << 1 | (upper > lower)
    return value


def jpeg_size(jpeg: bytes) -> tuple[int, int]:
    """Width and height from a JPEG's header (Pillow reads only the header)."""
    with Image.open(io.BytesIO(jpeg)) as img:
        return img.size


def fit_jpeg(frame: Frame, *, max_width: int, max_bytes: int) -> bytes:
    """A JPEG of ``frame`` at most ``max_width`` wide and ``max_bytes`` long.

    A camera's own JPEG that already fits is returned unchanged. Otherwise the image is scaled
    down to ``max_width`` (keeping its aspect ratio) and encoded at falling quality, then at
    falling size, until it fits; :class:`FrameTooLargeError` if it never does.
    """
    if frame.jpeg is not None and len(frame.jpeg) <= max_bytes and jpeg_size(frame.jpeg)[0] <= max_width:
        return frame.jpeg
    img = frame.image()
    width = min(img.width, max_width)
    smallest = 0
    while width >= MIN_WIDTH:
        scaled = _scale(img, width)
        for quality in JPEG_QUALITIES:
            out = io.BytesIO()
            scaled.save(out, "JPEG", quality=quality)
            if out.tell() <= max_bytes:
                return out.getvalue()
            smallest = out.tell()
        width = int(width * 0.7)
    raise FrameTooLargeError(f"no JPEG within {max_bytes} bytes (smallest {smallest} bytes)")


def _scale(img: Image.Image, width: int) -> Image.Image:
    if img.width <= width:
        return img if img.mode == "RGB" else img.convert("RGB")
    height = max(1, round(img.height * width / img.width))
    return img.convert("RGB").resize((width, height), Image.Resampling.BILINEAR)
