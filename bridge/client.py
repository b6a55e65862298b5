"""The Porchlight bridge: runs at a camera owner's premises and streams cameras on request.

It connects *outbound* to ``<url>/ws/bridge/`` with its bridge token, so nothing at the owner's
site listens on the network. Cameras are opened only between the server's ``start`` and ``stop``
for them. Protocol, close codes and reconnect behaviour: docs/bridge-protocol.md.

    porchlight-bridge --url wss://rialto.example.org --token … --config bridge.toml
    python -m bridge --url ws://rialto.localhost:8000 --config bridge.toml   # token from env

bridge.toml::

    [cameras]
    "0b7c…-uuid" = "rtsp://user:pass@192.168.1.20/stream1"
    "5d1e…-uuid" = "http://192.168.1.21/video.mjpg"
    "9f3a…-uuid" = "test:"

    [positions]                      # mobile cameras only (body-worn, drone, patrol car)
    "9f3a…-uuid" = "gpsd://127.0.0.1:2947"     # or "route:patrol.geojson?speed=12"

    [transcode]                      # H.265 cameras and masked H.264 cameras (optional)
    max_height = 720                 # re-encoded no higher than this (aspect kept)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import math
import os
import random
import re
import signal
import sys
import threading
import time
import tomllib
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from bridge import protocol
from bridge.masks import MaskError, Rect, frame_masked, parse_masks
from bridge.net import ws_connect
from bridge.positions import PositionProvider, ProviderError, make_provider, position_message
from bridge.protocol import HEADER, PATH
from bridge.snapshot import redact_secrets, snapshot_answer
from bridge.sources import (
    FrameSource,
    FrameTooLargeError,
    SourceError,
    SourceFactory,
    Unit,
    UnknownSourceError,
    fit_jpeg,
    make_source,
    source_scheme,
)
from bridge.transcode import DEFAULT_MAX_HEIGHT, MIN_MAX_HEIGHT

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

logger = logging.getLogger("porchlight.bridge")

TOKEN_ENV = "PORCHLIGHT_BRIDGE_TOKEN"  # noqa: S105 (the variable's name, not a secret)

DEFAULT_MAX_FRAME_BYTES = 1_048_576
DEFAULT_MAX_FPS = 15
DEFAULT_MAX_WIDTH = protocol.DEFAULT_MAX_WIDTH
QUEUE_SIZE = 2  # frames waiting to be sent per camera; older ones are dropped
# H.264 units waiting to be sent per camera. A unit cannot be dropped alone (the ones after it
# refer to it): when the network falls this far behind, all waiting units go and the camera
# resumes at its next keyframe.
UNIT_QUEUE_SIZE = 90
# How often the positions are looked at: a started camera's first position goes within this,
# and its positions are 1 to 1.25 s apart (the server keeps those at least 0.9 s apart).
POSITION_TICK_SECONDS = 0.25

# Close codes (docs/bridge-protocol.md). The first group ends the program: reconnecting
# with the same token or host cannot succeed.
CLOSE_BAD_TOKEN = protocol.CLOSE_BAD_TOKEN
CLOSE_UNKNOWN_HOST = protocol.CLOSE_UNKNOWN_HOST
FATAL_CLOSES = {
    CLOSE_BAD_TOKEN: "the bridge token is wrong or has been revoked",
    CLOSE_UNKNOWN_HOST: "the server does not know this host name (check --url)",
}
# The server closed the bridge for something the bridge did: reconnecting is allowed, but
# the backoff keeps growing, so a bridge that keeps misbehaving does not hammer the server.
FAULT_CLOSES = {
    protocol.CLOSE_MALFORMED: "malformed message",
    protocol.CLOSE_WRONG_CAMERA: "frame or position for a camera not served by this bridge",
    protocol.CLOSE_TOO_LARGE: "frame too large",
    protocol.CLOSE_NOT_JPEG: "frame is not a JPEG",
    protocol.CLOSE_TOO_FAST: "frame rate exceeded",
    protocol.CLOSE_TOO_MANY: "too many connections on this bridge token",
    protocol.CLOSE_TOO_MANY_ATTEMPTS: "too many connection attempts",
}
RECONNECT_CLOSES = {
    **FAULT_CLOSES,
    1001: "server going away",
    1006: "connection lost",
    1011: "server error",
    1012: "server restarting",
    protocol.CLOSE_TRY_AGAIN_LATER: "server busy, try again later",
}


def retry_after_of(reason: str) -> float:
    """The seconds a 4431's reason asks the bridge to wait (0 when it names none)."""
    found = re.search(r"retry after (\d+) s", reason)
    return float(found.group(1)) if found else 0.0


EXIT_USAGE = 2  # bad arguments or configuration
EXIT_REJECTED = 3  # the server refused the bridge (4401, 4404)


# --- configuration -------------------------------------------------------------------------


class ConfigError(Exception):
    """A problem with bridge.toml, phrased for a one-line message."""


@dataclass(frozen=True)
class BridgeConfig:
    cameras: dict[str, str]  # camera UUID (canonical form) → source string
    positions: dict[str, str] = field(default_factory=dict)  # mobile camera UUID → provider string
    # issue 19: the height cap of re-encoded cameras (H.265, masked H.264), [transcode] max_height
    transcode_max_height: int = DEFAULT_MAX_HEIGHT


def load_config(path: str | Path) -> BridgeConfig:
    path = Path(path)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"config file {path} not found") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    table = data.get("cameras")
    if not isinstance(table, dict) or not table:
        raise ConfigError(f'config file {path} needs a [cameras] table of "<camera uuid>" = "<source>"')
    cameras: dict[str, str] = {}
    for key, source in table.items():
        try:
            camera = str(uuid.UUID(key))
        except ValueError:
            raise ConfigError(f"config file {path}: [cameras] key {key!r} is not a camera UUID") from None
        if not isinstance(source, str):
            raise ConfigError(f"config file {path}: source for camera {camera} must be a string")
        try:
            source_scheme(source)
        except UnknownSourceError as exc:
            raise ConfigError(f"config file {path}: camera {camera}: {exc}") from None
        cameras[camera] = source
    return BridgeConfig(
        cameras=cameras,
        positions=_load_positions(path, data.get("positions", {}), cameras),
        transcode_max_height=_load_transcode(path, data.get("transcode", {})),
    )


def _load_transcode(path: Path, table: object) -> int:
    """[transcode] max_height: how high a re-encoded camera's picture may be (720 by default)."""
    if not isinstance(table, dict) or set(table) - {"max_height"}:
        raise ConfigError(f"config file {path}: [transcode] takes only max_height = <pixels>")
    height = table.get("max_height", DEFAULT_MAX_HEIGHT)
    if isinstance(height, bool) or not isinstance(height, int) or not MIN_MAX_HEIGHT <= height <= 4320:
        raise ConfigError(
            f"config file {path}: [transcode] max_height must be a whole number from {MIN_MAX_HEIGHT} to 4320"
        )
    return height


def _load_positions(path: Path, table: object, cameras: dict[str, str]) -> dict[str, str]:
    """The [positions] table: provider strings of mobile cameras, each checked now (a route
    file is read), so that a mistake is one line at start rather than a silent camera later."""
    if not isinstance(table, dict):
        raise ConfigError(f'config file {path}: [positions] must be a table of "<camera uuid>" = "<provider>"')
    positions: dict[str, str] = {}
    for key, spec in table.items():
        try:
            camera = str(uuid.UUID(key))
        except ValueError:
            raise ConfigError(f"config file {path}: [positions] key {key!r} is not a camera UUID") from None
        if camera not in cameras:
            raise ConfigError(f"config file {path}: [positions] names camera {camera}, which [cameras] does not")
        if not isinstance(spec, str):
            raise ConfigError(f"config file {path}: provider for camera {camera} must be a string")
        try:
            make_provider(spec if not spec.startswith("route:") else _relative_route(path, spec))
        except ProviderError as exc:
            raise ConfigError(f"config file {path}: camera {camera}: {exc}") from None
        positions[camera] = spec if not spec.startswith("route:") else _relative_route(path, spec)
    return positions


def _relative_route(config: Path, spec: str) -> str:
    """A route file named relative to bridge.toml, as its owner reads it."""
    route = Path(spec[len("route:") :].partition("?")[0])
    if route.is_absolute():
        return spec
    return "route:" + str(config.parent / route) + spec[len("route:") + len(str(route)) :]


# --- reconnect backoff -----------------------------------------------------------------------


@dataclass
class Backoff:
    """Exponential backoff with full jitter: attempt n waits uniform(0, min(cap, base·factor^n))."""

    base: float = 0.5
    factor: float = 2.0
    cap: float = 30.0
    rng: random.Random = field(default_factory=random.Random)
    attempt: int = 0

    def ceiling(self, attempt: int) -> float:
        return min(self.cap, self.base * self.factor ** min(attempt, 64))

    def next_delay(self) -> float:
        delay = self.rng.uniform(0, self.ceiling(self.attempt))
        self.attempt += 1
        return delay

    def reset(self) -> None:
        self.attempt = 0


# --- one camera --------------------------------------------------------------------------------


@dataclass
class StreamSettings:
    fps: float
    max_width: int
    max_bytes: int  # for the JPEG, so that header + JPEG stays within max_frame_bytes
    h264: bool = False  # the server and this camera's viewers take H.264 units
    # issue 19: for a camera re-encoded on the bridge (H.265, or H.264 with masks)
    max_height: int = DEFAULT_MAX_HEIGHT
    max_bitrate: int | None = None  # the server's hello


# What waits to be sent for a camera: ("jpeg", captured_us, jpeg), ("unit", captured_us, flags +
# Annex B) or ("codec", 0, JSON text), in the order the camera thread produced them.
Outgoing = tuple[str, int, bytes | str]


class CameraStream:
    """Reads one camera on its own thread and hands JPEGs to the event loop.

    The thread opens the source, keeps only as many frames as the requested rate needs,
    scales and encodes those, and puts ``(captured_us, jpeg)`` on a small queue (older frames
    are dropped when the network is slower than the camera). If the source fails it reports
    ``error`` and reopens it with backoff until stopped. It closes the source when stopped.
    """

    def __init__(
        self,
        camera: str,
        source: FrameSource,
        settings: StreamSettings,
        loop: asyncio.AbstractEventLoop,
        on_state: Callable[[CameraStream, str, str], None],
    ) -> None:
        self.camera = camera
        self.camera_bytes = uuid.UUID(camera).bytes
        self.source = source
        self.settings = settings
        # issue 19: privacy masks, applied to every frame before it is encoded (replaced
        # whole from the event loop; the camera thread reads the attribute once per frame).
        # A masked camera is never relayed as H.264 passthrough (its pictures are not decoded
        # there, so nothing could black the masks out): it is decoded, masked and re-encoded
        # (bridge.transcode), and a unit without all the masks in it is never sent.
        self.masks: tuple[Rect, ...] = ()
        self.keyframe_wanted = False  # a viewer joined: a re-encoded camera makes a keyframe
        self.queue: asyncio.Queue[Outgoing] = asyncio.Queue()
        self.dropped = 0
        self.units_behind = False  # units were dropped: the thread resyncs at the next keyframe
        self.codec_message: str | None = None
        self._resend_codec = False
        self._loop = loop
        self._on_state = on_state
        self._state = ""
        self._detail = ""
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"camera-{camera[:8]}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def resume_at_keyframe(self) -> None:
        """Units waiting were dropped (new masks): the ones after them cannot be decoded, so
        the camera resumes at its next keyframe (a re-encoded one makes it at once), with its
        codec description again."""
        self.units_behind = True
        self._resend_codec = True

    def stop(self) -> None:
        self._stopping.set()

    async def join(self, timeout: float = 15.0) -> None:
        await asyncio.to_thread(self._thread.join, timeout)

    # Everything below runs on the camera thread.

    def _run(self) -> None:
        retry = Backoff(base=1.0, cap=30.0)
        while not self._stopping.is_set():
            if hasattr(self.source, "encoded"):
                self.source.encoded = self.settings.h264
            if hasattr(self.source, "masks"):  # issue 19: what a re-encoded camera needs
                self.source.masks = self.masks
                setattr(self.source, "max_height", self.settings.max_height)  # noqa: B010
                setattr(self.source, "max_bitrate", self.settings.max_bitrate)  # noqa: B010
            try:
                self.source.open()
                try:
                    self._pump(retry)
                finally:
                    self.source.close()
            except SourceError as exc:
                self._set_state("error", str(exc))
            except Exception as exc:  # a bug or an unexpected library error: report, then retry
                logger.exception("camera %s: source failed", self.camera)
                self._set_state("error", f"source failed: {exc.__class__.__name__}: {exc}")
            self._stopping.wait(retry.next_delay())

    def _pump(self, retry: Backoff) -> None:
        due = time.monotonic()
        while not self._stopping.is_set():
            if hasattr(self.source, "masks"):  # masks as of now, for the frame read next
                self.source.masks = self.masks
            if self.keyframe_wanted and hasattr(self.source, "request_keyframe"):
                self.keyframe_wanted = False
                self.source.request_keyframe()
            frame = self.source.read()
            if isinstance(frame, Unit):
                self._unit(frame)
                retry.reset()
                continue
            now = time.monotonic()
            interval = 1 / self.settings.fps
            # Keep a frame when it is due (10% early is fine: the sender paces exactly).
            if now < due - interval * 0.1:
                continue
            due = max(due + interval, now - interval)
            frame = frame_masked(frame, self.masks)  # issue 19: masks before anything is encoded
            try:
                jpeg = fit_jpeg(frame, max_width=self.settings.max_width, max_bytes=self.settings.max_bytes)
            except FrameTooLargeError as exc:
                self._set_state("error", f"frame skipped: {exc}")
                continue
            self._deliver(frame.captured_us, jpeg)
            self._set_state("streaming", "")
            retry.reset()

    def _unit(self, unit: Unit) -> None:
        """An H.264 unit: every one is sent (the camera's own rate; a delta cannot be left
        out), none larger than the server takes; after units were dropped, none until the
        next keyframe (with its codec description again)."""
        # issue 19: a masked camera's unit goes only with every mask blacked out in it (a
        # passthrough unit has none: masks set while it streamed restart it re-encoded)
        if self.masks and not set(self.masks) <= set(unit.masks):
            self.units_behind = True
            return
        if self.units_behind:
            self.units_behind = False
            if hasattr(self.source, "resync"):
                self.source.resync()
            if not unit.keyframe:
                return
        if len(unit.data) + 1 > self.settings.max_bytes:
            self._set_state("error", f"unit skipped: {len(unit.data)} bytes, more than the server takes")
            self.units_behind = True
            return
        if unit.codec is not None:
            message = json.dumps(unit.codec.message(self.camera))
            self.codec_message = message
            self._send_soon(("codec", 0, message))
        elif unit.keyframe and self._resend_codec and self.codec_message is not None:
            self._send_soon(("codec", 0, self.codec_message))
        self._resend_codec = False
        flags = protocol.UNIT_KEYFRAME if unit.keyframe else protocol.UNIT_DELTA
        self._send_soon(("unit", unit.captured_us, bytes([flags]) + unit.data))
        self._set_state("streaming", unit.note)  # issue 19: says so when re-encoded

    def _send_soon(self, item: Outgoing) -> None:
        with contextlib.suppress(RuntimeError):  # the loop has closed: we are shutting down
            self._loop.call_soon_threadsafe(self._put_item, item)

    def _deliver(self, captured_us: int, jpeg: bytes) -> None:
        with contextlib.suppress(RuntimeError):  # the loop has closed: we are shutting down
            self._loop.call_soon_threadsafe(self._put, captured_us, jpeg)

    def _set_state(self, state: str, detail: str) -> None:
        # A change of state; or, streaming, of what the bridge does (re-encoding, a new size)
        changed = state != self._state or (state == "streaming" and detail != self._detail)
        if changed and not self._stopping.is_set():
            self._state, self._detail = state, detail
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._on_state, self, state, detail)

    # On the event loop.

    def _put(self, captured_us: int, jpeg: bytes) -> None:
        while self.queue.qsize() >= QUEUE_SIZE:
            self.queue.get_nowait()
            self.dropped += 1
        self.queue.put_nowait(("jpeg", captured_us, jpeg))

    def _put_item(self, item: Outgoing) -> None:
        if self.queue.qsize() >= UNIT_QUEUE_SIZE:
            # The network is far behind: drop what waits, resume at the next keyframe, and say
            # the codec again then (it may have been among what was dropped).
            while not self.queue.empty():
                self.queue.get_nowait()
                self.dropped += 1
            self.units_behind = True
            self._resend_codec = True
            return
        self.queue.put_nowait(item)


# --- the client --------------------------------------------------------------------------------


class BridgeRejectedError(Exception):
    """The server closed with a code that reconnecting cannot fix (4401, 4404)."""

    def __init__(self, code: int, reason: str) -> None:
        self.code = code
        super().__init__(f"server closed the connection with {code}: {FATAL_CLOSES[code]}; not reconnecting")
        self.reason = reason


class _ProtocolError(ValueError):
    pass


@dataclass
class _Limits:
    cameras: set[str] | None = None  # from hello; None until it arrives
    max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES
    max_fps: float = DEFAULT_MAX_FPS
    # What the server takes: a version-1 hello names no codecs, and such a server takes JPEG only.
    codecs: frozenset[str] = frozenset({protocol.CODEC_JPEG})
    max_bitrate: int | None = None  # bits a second of H.264 (protocol 2's hello)
    # issue 19: the server relays re-encoded H.264 of masked cameras (its hello's masked_codecs);
    # otherwise a masked camera goes as JPEG, as to any server before
    masked_h264: bool = False


class BridgeClient:
    """Connects, obeys start/stop/ping and reconnects with backoff until rejected or cancelled."""

    def __init__(
        self,
        url: str,
        token: str,
        cameras: dict[str, str],
        *,
        source_factory: SourceFactory = make_source,
        backoff: Backoff | None = None,
        positions: dict[str, PositionProvider] | None = None,
        transcode_max_height: int = DEFAULT_MAX_HEIGHT,
    ) -> None:
        self.url = url.rstrip("/") + PATH
        self.transcode_max_height = transcode_max_height
        self.token = token
        self.cameras = {str(uuid.UUID(camera)): source for camera, source in cameras.items()}
        self.source_factory = source_factory
        self.backoff = backoff or Backoff()
        self.connections = 0
        self._streams: dict[str, CameraStream] = {}
        self._senders: dict[str, asyncio.Task[None]] = {}
        self._outbox: asyncio.Queue[str] = asyncio.Queue()
        self._limits = _Limits()
        self._snapshots: set[asyncio.Task[None]] = set()  # issue 19: snapshots being taken
        self.positions = {str(uuid.UUID(camera)): p for camera, p in (positions or {}).items()}

    async def run(self) -> None:
        """Run until cancelled; :class:`BridgeRejectedError` when the server refuses the bridge."""
        for provider in self.positions.values():
            await provider.start()
        try:
            await self._run()
        finally:
            for provider in self.positions.values():
                await provider.close()

    async def _run(self) -> None:
        logger.info("connecting to %s", self.url)
        while True:
            code, reason, what = await self._connect_once()
            if code in FATAL_CLOSES:
                logger.error("rejected: %s; not reconnecting", what)
                raise BridgeRejectedError(code, reason)
            # The server accepted this bridge (it said hello): the address, the token and the
            # server work, so whatever ended the connection (a restart, a lost network, a
            # server error) is retried at once, however briefly it lasted. A rule based on how
            # long it lasted let a server that kept dropping connections early push every
            # reconnect to the 30 s cap. A close for the bridge's own fault keeps growing.
            if self._limits.cameras is not None and code not in FAULT_CLOSES:
                self.backoff.reset()
            delay = self.backoff.next_delay()
            if code == protocol.CLOSE_TOO_MANY_ATTEMPTS:  # the server said when: not before
                delay = max(delay, retry_after_of(reason))
            logger.warning("%s; reconnecting in %.1f s", what, delay)
            await asyncio.sleep(delay)

    async def _connect_once(self) -> tuple[int | None, str, str]:
        """One connection, from dialling to close: (close code or None, reason, one-line summary)."""
        self._limits = _Limits()  # no hello yet on this connection
        code: int | None
        try:
            async with ws_connect(
                self.url,
                additional_headers={"Authorization": f"Bearer {self.token}"},
                compression=None,  # JPEGs do not compress; deflate would only cost CPU
                open_timeout=15,
                user_agent_header="porchlight-bridge",
            ) as ws:
                self.connections += 1
                logger.info("connected to %s", self.url)
                try:
                    await self._session(ws)
                finally:
                    await self._stop_all()
            code, reason = ws.close_code or 1006, ws.close_reason or ""
        except ConnectionClosed as exc:
            code = exc.rcvd.code if exc.rcvd is not None else 1006
            reason = exc.rcvd.reason if exc.rcvd is not None else ""
        except (OSError, TimeoutError, InvalidHandshake) as exc:
            return None, str(exc), f"connection to {self.url} failed: {exc or exc.__class__.__name__}"
        what = FATAL_CLOSES.get(code) or RECONNECT_CLOSES.get(code, "closed")
        return code, reason, f"disconnected: {code} {what}" + (f" ({reason})" if reason else "")

    async def _session(self, ws: Any) -> None:
        self._limits = _Limits()
        self._outbox = asyncio.Queue()
        writer = asyncio.create_task(self._write_texts(ws))
        reporter = asyncio.create_task(self._report_positions()) if self.positions else None
        try:
            async for message in ws:
                if isinstance(message, bytes):
                    logger.warning("ignored a binary message from the server")
                    continue
                try:
                    await self._handle(ws, message)
                except _ProtocolError as exc:
                    logger.warning("ignored a server message: %s", exc)
            # Iteration ends quietly on a normal close (1000/1001); other closes raise.
        finally:
            if reporter is not None:
                await cancel_and_wait(reporter)
            await cancel_and_wait(writer)

    async def _handle(self, ws: Any, text: str) -> None:
        try:
            message = json.loads(text)
            kind = message["type"]
        except (ValueError, KeyError, TypeError, RecursionError):  # RecursionError: nested too deep
            raise _ProtocolError(f"not a JSON message with a type: {text[:80]!r}") from None
        if kind == protocol.PING:
            await ws.send(json.dumps({"type": protocol.PONG}))
        elif kind == protocol.HELLO:
            self._hello(message)
        elif kind == protocol.START:
            self._start(ws, message)
        elif kind == protocol.STOP:
            camera = _camera_field(message)
            self._stop(camera)
            self._status(camera, "stopped")
        elif kind == protocol.SNAPSHOT:  # issue 19
            self._snapshot(message)
        elif kind == protocol.MASKS:  # issue 19
            self._masks_changed(ws, message)
        elif kind == protocol.CLOCK:
            offset = message.get("offset_ms")
            if not isinstance(offset, int | float):
                raise _ProtocolError(f"bad clock: {message!r}")
            logger.warning(
                "this computer's clock is %.1f s %s the server's: set it right (NTP); frames still flow",
                abs(offset) / 1000,
                "behind" if offset > 0 else "ahead of",
            )
        else:
            logger.debug("ignored message of type %r", kind)

    def _hello(self, message: dict[str, Any]) -> None:
        cameras = message.get("cameras")
        max_bytes = message.get("max_frame_bytes", DEFAULT_MAX_FRAME_BYTES)
        max_fps = message.get("max_fps", DEFAULT_MAX_FPS)
        if not isinstance(cameras, list) or not _positive(max_bytes) or not _positive(max_fps):
            raise _ProtocolError(f"bad hello: {message!r}")
        codecs = message.get("codecs", [protocol.CODEC_JPEG])
        if not isinstance(codecs, list):
            raise _ProtocolError(f"bad hello: {message!r}")
        served = {str(uuid.UUID(c)) for c in cameras if isinstance(c, str) and _is_uuid(c)}
        self._limits = _Limits(
            cameras=served,
            max_frame_bytes=int(max_bytes),
            max_fps=float(max_fps),
            codecs=frozenset(c for c in codecs if isinstance(c, str)),
            max_bitrate=int(bitrate)
            if isinstance(bitrate := message.get("max_bitrate"), int | float) and _positive(bitrate)
            else None,
            masked_h264=protocol.CODEC_H264 in _strings(message.get(protocol.HELLO_MASKED_CODECS)),
        )
        # issue 19: say what this bridge can do; a server relays no frame of a masked camera
        # from a bridge that has not said "masks".
        features = [protocol.FEATURE_MASKS, protocol.FEATURE_SNAPSHOT, protocol.FEATURE_MASKED_H264]
        self._outbox.put_nowait(json.dumps({"type": protocol.FEATURES, "features": features}))
        unconfigured = sorted(served - set(self.cameras))
        logger.info(
            "hello: bridge %s, %d camera(s) assigned, %d configured here, max %d bytes at %g fps, codecs %s; "
            "masked cameras as %s%s",
            message.get("bridge"),
            len(served),
            len(served & set(self.cameras)),
            max_bytes,
            max_fps,
            ", ".join(sorted(self._limits.codecs)),
            "re-encoded H.264" if self._limits.masked_h264 else "JPEG",
            f"; not in bridge.toml: {', '.join(unconfigured)}" if unconfigured else "",
        )

    def _start(self, ws: Any, message: dict[str, Any]) -> None:
        camera = _camera_field(message)
        fps = message.get("fps", self._limits.max_fps)
        max_width = message.get("max_width", DEFAULT_MAX_WIDTH)
        if not _positive(fps) or not _positive(max_width):
            self._status(camera, "error", f"bad start parameters fps={fps!r} max_width={max_width!r}")
            return
        if camera not in self.cameras:
            self._status(camera, "error", "camera is not configured in this bridge's bridge.toml")
            return
        if self._limits.cameras is not None and camera not in self._limits.cameras:
            self._status(camera, "error", "camera is not assigned to this bridge by the server")
            return
        try:  # issue 19: a start whose masks cannot be applied starts nothing
            masks = parse_masks(message.get("masks", []))
        except MaskError as exc:
            self._status(camera, "error", f"bad privacy masks in start: {exc}; not streaming")
            self._stop(camera)
            return
        # H.264 when the server takes it, unless this start is for a viewer whose browser cannot
        # play it ("codecs": ["jpeg"]). JPEG then stays until the camera stops, so that viewer
        # keeps its picture when another one joins (every page shows JPEG too). A camera with
        # privacy masks (or H.265) is re-encoded to H.264 on the bridge (bridge.transcode),
        # where the server relays that for a masked camera (its hello); JPEG otherwise.
        wanted = message.get("codecs")
        h264 = (
            protocol.CODEC_H264 in self._limits.codecs
            and (not isinstance(wanted, list) or protocol.CODEC_H264 in wanted)
            and (not masks or self._limits.masked_h264)
        )
        current = self._streams.get(camera)
        settings = StreamSettings(
            fps=min(float(fps), self._limits.max_fps),
            max_width=int(max_width),
            max_bytes=self._limits.max_frame_bytes - HEADER.size,
            h264=h264 and (current is None or current.settings.h264),
            max_height=self.transcode_max_height,
            max_bitrate=self._limits.max_bitrate,
        )
        if current is not None and current.settings.h264 and not settings.h264:
            logger.info("camera %s: a viewer (or the camera's masks) needs JPEG; restarting it as JPEG", camera)
            self._stop(camera)
            current = None
        if current is not None and current.settings.h264 and bool(masks) != bool(current.masks):
            # passthrough cannot black anything out: opened again, it is re-encoded (and a
            # camera whose masks are all gone goes back to passthrough, sparing the CPU)
            logger.info("camera %s: privacy masks set or cleared; restarting the camera", camera)
            self._stop(camera)
            current = None
        if current is not None:  # a repeated start (another viewer) changes the parameters
            current.settings = settings
            current.masks = masks
            current.keyframe_wanted = True  # issue 19: a re-encoded camera starts them at once
            logger.info("camera %s: now %g fps, max width %d", camera, settings.fps, settings.max_width)
            return
        try:
            source = self.source_factory(self.cameras[camera])
        except (UnknownSourceError, SourceError) as exc:
            self._status(camera, "error", str(exc))
            return
        stream = CameraStream(camera, source, settings, asyncio.get_running_loop(), self._stream_state)
        stream.masks = masks
        self._streams[camera] = stream
        self._senders[camera] = asyncio.create_task(self._send_frames(ws, stream), name=f"send-{camera[:8]}")
        logger.info(
            "camera %s: starting (%g fps, max width %d, %s where the camera offers it)",
            camera,
            settings.fps,
            settings.max_width,
            "H.264" if settings.h264 else "JPEG",
        )
        stream.start()

    # --- issue 19: snapshots and privacy masks ---------------------------------------------

    def _snapshot(self, message: dict[str, Any]) -> None:
        """Take one picture for the owner, off the event loop, and answer with its request id."""
        camera = _camera_field(message)
        assigned = self._limits.cameras is not None and camera in self._limits.cameras

        async def answer() -> None:
            reply = await snapshot_answer(
                message,
                camera=camera,
                spec=self.cameras.get(camera),
                assigned=assigned,
                source_factory=self.source_factory,
                max_bytes=self._limits.max_frame_bytes - HEADER.size,
            )
            self._outbox.put_nowait(json.dumps(reply))

        task = asyncio.create_task(answer(), name=f"snapshot-{camera[:8]}")
        self._snapshots.add(task)
        task.add_done_callback(self._snapshots.discard)

    def _masks_changed(self, ws: Any, message: dict[str, Any]) -> None:
        """The owner changed a streaming camera's masks: the next frame has them, and frames
        already encoded without them are dropped, not sent."""
        camera = _camera_field(message)
        stream = self._streams.get(camera)
        try:
            masks = parse_masks(message.get("masks"))
        except MaskError as exc:  # fail closed: stop rather than stream without the masks
            self._status(camera, "error", f"bad privacy masks: {exc}; not streaming")
            self._stop(camera)
            return
        if stream is None:
            return
        if stream.settings.h264 and bool(masks) != bool(stream.masks):
            # passthrough cannot black anything out: re-encoded from now (bridge.transcode), or
            # JPEG where the server relays no re-encoded H.264 of a masked camera; a camera
            # whose masks are all gone goes back to passthrough (no re-encoding, no CPU)
            h264 = not masks or self._limits.masked_h264
            logger.info("camera %s: privacy masks %s; restarting it", camera, "set" if masks else "cleared")
            self._stop(camera)
            settings = replace(stream.settings, h264=h264)
            try:  # a source of its own: the stopped stream's thread may still be closing the old one
                source = self.source_factory(self.cameras[camera])
            except (UnknownSourceError, SourceError) as exc:
                self._status(camera, "error", str(exc))
                return
            stream = CameraStream(camera, source, settings, asyncio.get_running_loop(), self._stream_state)
            stream.masks = masks
            self._streams[camera] = stream
            self._senders[camera] = asyncio.create_task(self._send_frames(ws, stream), name=f"send-{camera[:8]}")
            stream.start()
            return
        stream.masks = masks
        while not stream.queue.empty():
            stream.queue.get_nowait()
        if stream.settings.h264:
            stream.resume_at_keyframe()
        logger.info("camera %s: %d privacy mask(s)", camera, len(masks))

    def _stop(self, camera: str) -> CameraStream | None:
        sender = self._senders.pop(camera, None)
        if sender is not None:
            sender.cancel()
        stream = self._streams.pop(camera, None)
        if stream is not None:
            stream.stop()
        return stream

    async def _stop_all(self) -> None:
        streams = [s for s in (self._stop(camera) for camera in list(self._streams)) if s is not None]
        for stream in streams:
            logger.info("camera %s: stopped (disconnected)", stream.camera)
        await asyncio.gather(*(stream.join() for stream in streams))

    def _stream_state(self, stream: CameraStream, state: str, detail: str) -> None:
        if self._streams.get(stream.camera) is stream:  # ignore a stopped stream's last words
            self._status(stream.camera, state, detail)

    def _status(self, camera: str, state: str, detail: str = "") -> None:
        # issue 19: FFmpeg's own error text repeats the URL it failed on, password included;
        # the detail goes to the server and the owner's page, so no password may be in it.
        detail = redact_secrets(detail)
        logger.info("camera %s: %s%s", camera, state, f" ({detail})" if detail else "")
        message = {"type": protocol.STATUS, "camera": camera, "state": state, "detail": detail}
        self._outbox.put_nowait(json.dumps(message))

    async def _report_positions(self) -> None:
        """Send each mobile camera's latest position: once a second while it streams, every
        POSITION_IDLE_SECONDS otherwise (its last-known position, so a search finds it), and
        only once the server's hello has said the camera is this bridge's."""
        sent: dict[str, float] = {}
        while True:
            now = time.monotonic()
            for camera, provider in self.positions.items():
                if self._limits.cameras is None or camera not in self._limits.cameras:
                    continue
                streaming = camera in self._streams
                every = protocol.POSITION_STREAMING_SECONDS if streaming else protocol.POSITION_IDLE_SECONDS
                if now - sent.get(camera, -math.inf) < every:
                    continue
                fix = provider.latest()
                if fix is None:  # no fix yet (gpsd still searching)
                    continue
                self._outbox.put_nowait(json.dumps(position_message(camera, fix)))
                sent[camera] = now
            await asyncio.sleep(POSITION_TICK_SECONDS)

    async def _write_texts(self, ws: Any) -> None:
        with contextlib.suppress(ConnectionClosed):  # the reader sees the close and cleans up
            while True:
                await ws.send(await self._outbox.get())

    async def _send_frames(self, ws: Any, stream: CameraStream) -> None:
        """Send the stream's frames, never two closer than 1/fps apart; H.264 units and their
        codec descriptions as they come (the camera paces them), in order."""
        next_at = 0.0
        with contextlib.suppress(ConnectionClosed):  # the reader sees the close and cleans up
            while True:
                kind, captured_us, payload = await stream.queue.get()
                if isinstance(payload, str):
                    await ws.send(payload)
                    continue
                if kind == "unit":
                    await ws.send(HEADER.pack(stream.camera_bytes, captured_us) + payload)
                    continue
                wait = next_at - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                next_at = time.monotonic() + 1 / stream.settings.fps
                await ws.send(HEADER.pack(stream.camera_bytes, captured_us) + payload)


def _camera_field(message: dict[str, Any]) -> str:
    camera = message.get("camera")
    if not isinstance(camera, str) or not _is_uuid(camera):
        raise _ProtocolError(f"{message.get('type')} without a camera UUID: {message!r}")
    return str(uuid.UUID(camera))


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _strings(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _positive(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


# --- command line ------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="porchlight-bridge",
        description="Stream this site's cameras to Porchlight while someone is watching.",
    )
    parser.add_argument("--url", required=True, help="Porchlight address, e.g. wss://rialto.example.org")
    parser.add_argument("--token", default=os.environ.get(TOKEN_ENV), help=f"bridge token (default: ${TOKEN_ENV})")
    parser.add_argument("--config", required=True, help="bridge.toml with a [cameras] table")
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    return parser.parse_args(argv)


def _fail(message: str, code: int) -> int:
    print(f"porchlight-bridge: error: {message}", file=sys.stderr)
    return code


async def cancel_and_wait(task: asyncio.Task[Any]) -> None:
    """Cancel ``task`` and wait for it to end, without swallowing a cancellation of our own.

    ``suppress(CancelledError)`` around the wait would also eat a cancel aimed at the caller
    that lands while it waits, and the bridge would go on reconnecting after being told to stop.
    """
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if current is not None and current.cancelling():
            raise


async def _run_until_signal(client: BridgeClient) -> None:
    task = asyncio.current_task()
    assert task is not None
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, task.cancel)
    with contextlib.suppress(asyncio.CancelledError):
        await client.run()
    logger.info("shut down")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not args.token:
        return _fail(f"no bridge token: pass --token or set {TOKEN_ENV}", EXIT_USAGE)
    if not args.url.startswith(("ws://", "wss://")):
        return _fail(f"--url must start with ws:// or wss://, not {args.url!r}", EXIT_USAGE)
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        return _fail(str(exc), EXIT_USAGE)
    client = BridgeClient(
        args.url,
        args.token,
        config.cameras,
        positions={camera: make_provider(spec) for camera, spec in config.positions.items()},
        transcode_max_height=config.transcode_max_height,
    )
    try:
        asyncio.run(_run_until_signal(client))
    except BridgeRejectedError as exc:
        return _fail(str(exc), EXIT_REJECTED)
    except InvalidURI as exc:
        return _fail(f"invalid --url: {exc}", EXIT_USAGE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
