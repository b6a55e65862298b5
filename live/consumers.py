"""WebSocket consumers: bridges push frames, viewers receive them.

Frames travel bridge → BridgeConsumer → channel layer group of the camera → every
ViewerConsumer in it. Every database call sets the tenant again (TenantConsumerMixin.db),
since all consumers of a process share one sync thread (stack-pitfalls §1).
Close codes are documented in docs/bridge-protocol.md.
"""

import asyncio
import base64
import binascii
import contextlib
import dataclasses
import json
import logging
import re
import time
import uuid
from http.cookies import CookieError, SimpleCookie
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone, translation
from redis.exceptions import RedisError

from accounts.events import LIVE_RECHECK, user_group
from accounts.models import STAFF_ROLES, User
from accounts.selectors import session_passed_mfa, user_has_mfa
from bridge import protocol
from bridge.h264 import H264Error, keyframe_has_parameter_sets, parse_avcc, unit_nals_valid
from bridge.protocol import HEADER, UNIT_HEADER
from cameras import access
from cameras.addresses import address_for_police
from core import ratelimit
from core.errors import Unavailable
from tenants.asgi import TenantConsumerMixin, socket_session_user
from tenants.selectors import policy_current

from . import bitrate, camera_privacy, camera_status, gop, liveness, positions, presence, services, stall
from .models import EndReason

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.base import SessionBase

    from .models import LiveSession

logger = logging.getLogger("porchlight.live")

# What a failing channel layer (Redis) raises; anything else is a bug, not an outage.
RELAY_ERRORS: tuple[type[BaseException], ...] = (ConnectionError, OSError, TimeoutError, RedisError)
# A viewer that fell behind gets the live picture, not a backlog. Judged by the time the frame
# reached this server, never by the bridge's clock, which may be off.
STALE_FRAME_SECONDS = 2.0
CLOCK_SKEW_SECONDS = 2.0  # a bridge whose clock is further off is told so (once per connection)
# Positions waiting for the database per bridge connection: one a second per camera is
# recorded in a few milliseconds; more waiting means the database is far behind.
POSITION_QUEUE = 64
GARBAGE_LOG_SECONDS = 10.0
# H.264 (docs/bridge-protocol.md, "H.264 units"): the policy's bitrate cap is a token bucket
# per camera over every connection and process (live.bitrate); units above it are dropped up
# to the camera's next keyframe, and those skipped meanwhile count as dropped too.
UNITS_PER_SECOND = 61  # a camera at 60 fps, and one more for jitter
# Drops more than units taken, per camera and connection, before 4429: about 10 s of a 30 fps
# camera far above the cap. A camera at 1.5x the cap gets most of its units through (it is
# capped, not closed); one at 3x it loses more than it sends and closes in about 30 s.
UNIT_DROPS_BEFORE_CLOSE = 300
CODEC_PATTERN = re.compile(r"avc1\.[0-9a-fA-F]{6}")

# The bridge protocol's frame header, message types and close codes are the bridge program's
# (bridge.protocol); the server imports them, the bridge never imports the server.

# Viewer close codes (the viewer page explains each in words; docs/bridge-protocol.md lists them).
VIEWER_BAD_REQUEST = 4400
VIEWER_UNAUTHENTICATED = 4401
VIEWER_DENIED = 4403
VIEWER_NOT_FOUND = 4404
VIEWER_MFA_REQUIRED = 4407
VIEWER_TIME_LIMIT = 4408
VIEWER_POLICY = 4409
VIEWER_CONSENT = 4410
VIEWER_ACCOUNT = 4411
VIEWER_OWNER_ENDED = 4412
VIEWER_PURPOSE_EXPIRED = 4419
VIEWER_RELAY_UNAVAILABLE = 4503
VIEWER_SERVER_ERROR = 1011
VIEWER_ENDED = 1000  # the officer pressed End: a normal close


def _refusal_close_code(reason: str) -> int:
    """The one translation of a refused live view into the socket's close code: a missing
    camera is 4404 (as a page's 404), a view without a purpose 4400 (the client must send
    one), any other refusal 4403."""
    if reason == access.Refusal.NOT_FOUND:
        return VIEWER_NOT_FOUND
    if reason == access.Refusal.PURPOSE_REQUIRED:
        return VIEWER_BAD_REQUEST
    return VIEWER_DENIED


END_CODES: dict[str, int] = {
    EndReason.VIEWER_LEFT: VIEWER_ENDED,
    EndReason.TIME_LIMIT: VIEWER_TIME_LIMIT,
    EndReason.CONSENT: VIEWER_CONSENT,
    EndReason.ACCOUNT: VIEWER_ACCOUNT,
    EndReason.OWNER_ENDED: VIEWER_OWNER_ENDED,
    EndReason.PURPOSE: VIEWER_PURPOSE_EXPIRED,
    EndReason.ROLE: VIEWER_DENIED,
    EndReason.SESSION: VIEWER_UNAUTHENTICATED,
    EndReason.MFA: VIEWER_MFA_REQUIRED,
    EndReason.POLICY: VIEWER_POLICY,
    EndReason.RELAY: VIEWER_RELAY_UNAVAILABLE,
    EndReason.ERROR: VIEWER_SERVER_ERROR,
    EndReason.LOST: VIEWER_SERVER_ERROR,
}


class HotPathMixin:
    """Skip Channels' per-message database clean-up for the frame path.

    Since Channels 4.2 every dispatched message first runs close_old_connections() on the
    process's one sync thread; at hundreds of frames a second that hop is the queue
    (stack-pitfalls §6). The hot handlers touch no database; every database call goes
    through TenantConsumerMixin.db, which cleans up around itself.
    """

    hot_path_types: frozenset[str] = frozenset()

    async def dispatch(self, message: dict[str, Any]) -> None:
        if message["type"] in self.hot_path_types:
            await getattr(self, get_handler_name(message))(message)
            return
        await super().dispatch(message)  # type: ignore[misc]


def _schema(scope: dict[str, Any]) -> str:
    return str(scope["tenant"].schema_name)


def _renew_every(layer: Any) -> float | None:
    """How often a consumer re-adds its group memberships: the core channels-redis layer
    forgets one after group_expiry seconds (a bridge stays for days), so well within that.
    None for a layer without expiry (the pub/sub layer keeps memberships in the process)."""
    expiry = getattr(layer, "group_expiry", None)
    return expiry / 4 if expiry else None


class BridgeConsumer(HotPathMixin, TenantConsumerMixin, AsyncWebsocketConsumer):
    """/ws/bridge/: a bridge at an owner's premises, authenticated by its token."""

    hot_path_types = frozenset({"websocket.receive", "bridge.command"})

    bridge_id: int | None = None
    bridge_public_id: str | None = None
    refused = False
    withdrawn: frozenset[bytes] | set[bytes] = frozenset()
    keepalive: asyncio.Task[None] | None = None
    position_worker: asyncio.Task[None] | None = None
    position_queue: "asyncio.Queue[positions.Position] | None" = None
    garbage_logged_at = 0.0
    # The cameras this connection told its bridge to start (and not to stop since), and how
    # many start/stop it has told: _reconcile compares them with who watches.
    started: set[str]  # set in connect(), before anything can tell the bridge
    commands = 0

    async def connect(self) -> None:
        header = dict(self.scope.get("headers", [])).get(b"authorization", b"").decode("latin-1")
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
        if not await self._attempt_allowed(token):
            return
        bridge = await self.db(services.bridge_authenticate, raw_token=token)
        # Accept first so the bridge sees the close code, not a bare handshake refusal.
        await self.accept()
        if bridge is None:
            logger.warning("bridge refused: bad or revoked token", extra={"schema": _schema(self.scope)})
            await self.close(code=protocol.CLOSE_BAD_TOKEN)
            return
        # From here on, however this consumer ends (__call__), its presence is forgotten.
        self.bridge_public_id = str(bridge.public_id)
        alive = await presence.bridge_connection_renew(
            schema=_schema(self.scope), bridge=self.bridge_public_id, connection=self.channel_name
        )
        if alive > presence.bridge_max_connections():
            await self._refuse(protocol.CLOSE_TOO_MANY, f"{alive} connections on one token")
            return
        self.cameras: dict[bytes, str] = await self.db(_bridge_cameras, bridge.pk)
        # issue 19 (privacy masks): each start and snapshot carries the camera's masks; frames
        # of a masked camera are relayed only once the bridge has said it applies masks.
        self.masks = await self.db(camera_privacy.masks_of_bridge, bridge.pk)
        self.features: set[str] = set()
        self.unmasked_told: set[str] = set()
        self.max_bytes = settings.PORCHLIGHT_LIVE_MAX_FRAME_BYTES
        self.max_fps = settings.PORCHLIGHT_LIVE_MAX_FPS
        self.max_bitrate = await self.db(_max_bitrate)
        self.codecs: dict[bytes, dict[str, Any]] = {}  # camera → its H.264 description, as relayed
        self.skipping: set[bytes] = set()  # cameras whose units are dropped up to a keyframe
        self.over_cap: set[bytes] = set()  # of those, the ones skipping after a unit over the cap
        self.unit_drops: dict[bytes, int] = {}  # camera → units dropped more than taken (4429)
        # Frames of one camera in any one second, over all the token's connections: the rate
        # with 50% headroom for jitter (presence.camera_frame_take).
        self.max_per_second = int(self.max_fps * 1.5 + 1)
        self.dropped = 0
        self.clock_told = False
        self.group = services.bridge_group(_schema(self.scope), bridge.public_id)
        self.started = set()
        await self.channel_layer.group_add(self.group, self.channel_name)
        # issue 19: read the masks again now the group is joined, so a change committed since
        # the first read is either in this read or in a bridge.masks event still to come.
        self.masks = await self.db(camera_privacy.masks_of_bridge, bridge.pk)
        await self.db(services.bridge_seen, bridge_id=bridge.pk)
        self.bridge_id = bridge.pk  # from here on, disconnect() leaves the group
        self.keepalive = asyncio.create_task(self._keepalive())
        await self._hello()
        # issue 19 (camera status): a new connection streams nothing yet; earlier states are over.
        await camera_status.camera_status_reset(schema=_schema(self.scope), cameras=self.cameras.values())
        # After a reconnect, resume the cameras someone is still watching (as JPEG where a
        # viewer's browser cannot play H.264: its own start asked for it, and is not sent again).
        watched = await self.db(_watched_cameras, bridge.pk)
        jpeg = await presence.cameras_jpeg_wanted(schema=_schema(self.scope), cameras=watched)
        for camera in watched:
            await self._tell(self._start_command(camera, jpeg=camera in jpeg))
        if await presence.bridge_liveness_announce(schema=_schema(self.scope), bridge=self.bridge_public_id):
            await self._liveness_changed(self.bridge_public_id)
        logger.info("bridge connected", extra={"bridge": self.bridge_public_id})

    async def _attempt_allowed(self, token: str) -> bool:
        """Count this connection attempt per address and per token (docs/rate-limits.md) before
        the token is looked up, so a flood of bad tokens never reaches the database. Over the
        limit: closed with 4431 and the seconds to wait; Redis unreachable: 1013 (the relay
        cannot work without it anyway). The client's address is the ASGI server's (uvicorn
        takes X-Forwarded-For only from FORWARDED_ALLOW_IPS), never a header read here."""
        client = self.scope.get("client") or ("unknown", 0)
        try:
            refusal = await ratelimit.alimit_take(
                limit=ratelimit.Limit.BRIDGE_CONNECT, schema=_schema(self.scope), ip=client[0], token=token or None
            )
        except Unavailable:
            await self.accept()
            await self.close(code=protocol.CLOSE_TRY_AGAIN_LATER)
            return False
        if refusal is None:
            return True
        logger.warning(
            "bridge refused: too many connection attempts", extra={"schema": _schema(self.scope), "ip": client[0]}
        )
        # Accept first so the bridge sees the close code, not a bare handshake refusal.
        await self.accept()
        await self.close(
            code=protocol.CLOSE_TOO_MANY_ATTEMPTS,
            reason=protocol.RETRY_AFTER_REASON.format(seconds=refusal.retry_after),
        )
        return False

    async def _liveness_changed(self, bridge_public_id: str) -> None:
        """The bridge came or went: what is stored from its liveness (compliance) is recomputed
        after this commit (live.liveness). Only here and in _gone, never on the frame path."""
        try:
            await self.db(liveness.bridge_liveness_changed, bridge_public_ids=[bridge_public_id])
        except Exception:  # the database gone: the nightly recomputation catches up
            logger.warning("bridge liveness change not told", exc_info=True, extra={"bridge": bridge_public_id})

    async def _hello(self) -> None:
        await self.send(
            json.dumps(
                {
                    "type": protocol.HELLO,
                    "bridge": self.bridge_public_id,
                    "cameras": sorted(self.cameras.values()),
                    "max_frame_bytes": self.max_bytes,
                    "max_fps": self.max_fps,
                    # Version 2: H.264 units are welcome, within this many bits a second.
                    "protocol": protocol.PROTOCOL_VERSION,
                    "codecs": [protocol.CODEC_JPEG, protocol.CODEC_H264],
                    "max_bitrate": self.max_bitrate,
                    **camera_privacy.HELLO_MASKED,
                }
            )
        )

    async def bridge_cameras(self, event: dict[str, Any]) -> None:
        """The owner changed which cameras this bridge serves (it keeps its token): cameras
        taken off it are stopped and relayed no more, and the bridge hears its new list in
        a new hello; one added that someone is watching starts."""
        if self.bridge_id is None or self.refused:
            return
        cameras: dict[bytes, str] = await self.db(_bridge_cameras, self.bridge_id)
        before = set(self.cameras.values())
        # Frames already on their way for a camera taken off are dropped, not punished (4409).
        self.withdrawn = {raw for raw, camera in self.cameras.items() if camera not in cameras.values()}
        self.cameras = cameras
        self.masks = await self.db(camera_privacy.masks_of_bridge, self.bridge_id)  # issue 19
        for camera in sorted(before - set(cameras.values())):
            await self._tell({"type": protocol.STOP, "camera": camera})
        await self._hello()
        watched = [c for c in await self.db(_watched_cameras, self.bridge_id) if c not in before]
        jpeg = await presence.cameras_jpeg_wanted(schema=_schema(self.scope), cameras=watched)
        for camera in watched:
            await self._tell(self._start_command(camera, jpeg=camera in jpeg))
        logger.info("bridge cameras changed", extra={"bridge": self.bridge_public_id, "cameras": len(cameras)})

    def _start_command(self, camera: str, *, jpeg: bool = False) -> dict[str, Any]:
        command: dict[str, Any] = {"type": protocol.START, "camera": camera, "fps": self.max_fps, "max_width": 1280}
        if jpeg:  # a viewer's browser cannot play H.264 (ViewerConsumer.jpeg_only)
            command["codecs"] = [protocol.CODEC_JPEG]
        return command

    async def _tell(self, command: dict[str, Any]) -> None:
        """Send the bridge a command, keeping which cameras it was told to start (_reconcile)."""
        if command.get("type") == protocol.START:
            self.started.add(command["camera"])
        elif command.get("type") == protocol.STOP:
            self.started.discard(command["camera"])
        self.commands += 1
        # issue 19: a start or snapshot goes with the camera's privacy masks
        await self.send(json.dumps(camera_privacy.command_with_masks(command, self.masks)))

    async def _reconcile(self) -> None:
        """Tell the bridge again what a lost push did not: start the cameras a view watches
        (presence.cameras_watched) that it was not told to start, stop those nobody watches
        any more. Pub/sub queues nothing: a viewer's start or stop published while this
        process's subscriber connection was down (dropped, reconnecting) never came. A
        command that arrives while presence is read may be newer than the read: the next
        round decides."""
        told = self.commands
        watched = await presence.cameras_watched(schema=_schema(self.scope), cameras=sorted(self.cameras.values()))
        jpeg = await presence.cameras_jpeg_wanted(schema=_schema(self.scope), cameras=sorted(watched - self.started))
        if told != self.commands:
            return
        for camera in sorted(watched - self.started):
            logger.info("bridge told again: start", extra={"bridge": self.bridge_public_id, "camera": camera})
            await self._tell(self._start_command(camera, jpeg=camera in jpeg))
        for camera in sorted(self.started - watched):
            logger.info("bridge told again: stop", extra={"bridge": self.bridge_public_id, "camera": camera})
            await self._tell({"type": protocol.STOP, "camera": camera})

    async def _keepalive(self) -> None:
        """Say the connection is alive (presence, every third of its expiry) and compare what
        the bridge was told with who watches (_reconcile) as often, renew the group
        membership (the channel layer forgets it after group_expiry) and note when the bridge
        was last seen (Bridge.last_seen_at, for its owner's page)."""
        alive = presence.bridge_alive_seconds() / 3
        renew = _renew_every(self.channel_layer)
        seen = services.bridge_heartbeat_seconds()
        loop = asyncio.get_running_loop()
        alive_at = loop.time() + alive
        renew_at = loop.time() + renew if renew else None
        seen_at = loop.time() + seen
        try:
            while self.bridge_id is not None and not self.refused and self.bridge_public_id is not None:
                await asyncio.sleep(min(alive, renew) if renew else alive)
                if renew and renew_at is not None and loop.time() >= renew_at:
                    await self.channel_layer.group_add(self.group, self.channel_name)
                    renew_at = loop.time() + renew
                if loop.time() >= alive_at:
                    await presence.bridge_connection_renew(
                        schema=_schema(self.scope), bridge=self.bridge_public_id, connection=self.channel_name
                    )
                    await self._reconcile()
                    alive_at = loop.time() + alive
                if loop.time() >= seen_at:
                    if not await self.db(services.bridge_seen, bridge_id=self.bridge_id):
                        # Revoked, and its push never came (services.bridge_seen).
                        await self._refuse(protocol.CLOSE_BAD_TOKEN, "token revoked (seen at the heartbeat)")
                        return
                    # A cap the department changed applies from here (the hello keeps the old one).
                    self.max_bitrate = await self.db(_max_bitrate)
                    await self._settings_reconcile()
                    seen_at = loop.time() + seen
        except Exception:  # any failure: the bridge reconnects and starts afresh
            logger.exception("bridge keepalive failed; closing the connection", extra={"bridge": self.bridge_public_id})
            with contextlib.suppress(Exception):  # the socket may already be gone
                await self._refuse(1011, "keepalive failed")

    async def _settings_reconcile(self) -> None:
        """What the owner changed while a push to this connection was lost (pub/sub queues
        nothing: a subscriber connection that was down never hears it): the cameras the bridge
        serves and their privacy masks are compared with the database at the heartbeat, and a
        difference is told to the bridge as the push would have told it. So a lost change is
        corrected within a heartbeat, not at the next reconnect; for masks that bounds how long
        a bridge could go on sending a picture its owner has since masked."""
        if self.bridge_id is None or self.refused:
            return
        cameras: dict[bytes, str] = await self.db(_bridge_cameras, self.bridge_id)
        if cameras != self.cameras:
            logger.warning(
                "bridge cameras push was lost; told at the heartbeat", extra={"bridge": self.bridge_public_id}
            )
            await self.bridge_cameras({"type": "bridge.cameras"})  # reads the masks again too
            return
        masks = await self.db(camera_privacy.masks_of_bridge, self.bridge_id)
        for camera in sorted(set(masks) | set(self.masks)):
            if masks.get(camera) != self.masks.get(camera):
                logger.warning(
                    "bridge masks push was lost; told at the heartbeat", extra={"bridge": self.bridge_public_id}
                )
                await self.bridge_masks({"type": "bridge.masks", "camera": camera, "masks": masks.get(camera, [])})

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Whatever ends this consumer (a close, an exception, the server going away), the
        connection stops counting as alive at once; only a process that dies outright leaves
        its presence to expire (presence.bridge_alive_seconds)."""
        try:
            await super().__call__(scope, receive, send)
        finally:
            await asyncio.shield(self._gone())

    async def disconnect(self, code: int) -> None:
        await self._gone()

    async def _gone(self) -> None:
        """Leave once: stop the keepalive and the positions, forget the presence, leave the group."""
        worker, self.position_worker = self.position_worker, None
        if worker is not None and worker is not asyncio.current_task():
            worker.cancel()  # positions still queued are dropped: the bridge sends newer ones
        keepalive = self.keepalive
        if keepalive is not None and keepalive is not asyncio.current_task():
            keepalive.cancel()
            await asyncio.wait([keepalive])  # its last renewal must not land after the forgetting
        bridge_public_id, self.bridge_public_id = self.bridge_public_id, None
        if bridge_public_id is not None:
            try:
                await presence.bridge_connection_forget(
                    schema=_schema(self.scope), bridge=bridge_public_id, connection=self.channel_name
                )
            except Exception:  # Redis gone: the presence expires by itself within seconds
                logger.warning("could not forget a bridge connection", exc_info=True)
            else:
                try:
                    went = await presence.bridge_liveness_withdraw(schema=_schema(self.scope), bridge=bridge_public_id)
                except Exception:  # Redis gone: the sweep (live.tasks.bridge_liveness_sweep) tells it
                    logger.warning("could not withdraw a bridge's liveness", exc_info=True)
                    went = False
                if went:
                    await self._liveness_changed(bridge_public_id)
        bridge_id, self.bridge_id = self.bridge_id, None
        if bridge_id is not None:
            with contextlib.suppress(Exception):  # Redis gone: the membership expires by itself
                await self.channel_layer.group_discard(self.group, self.channel_name)
            with contextlib.suppress(Exception):  # only the "last seen" time of the owner's page
                await self.db(services.bridge_seen, bridge_id=bridge_id)

    async def _refuse(self, code: int, why: str, *, tell: str | None = None) -> None:
        """Close with ``code``; ``tell``: a reason for the bridge's owner, sent in the close frame
        (at most 123 bytes of UTF-8, WebSocket's limit)."""
        self.refused = True  # ignore anything still queued for this connection
        logger.warning(
            "bridge closed: %s", why, extra={"bridge": getattr(self, "bridge_public_id", None), "code": code}
        )
        await self.close(code=code, reason=tell)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.bridge_id is None or self.refused:
            return
        if text_data is not None:
            try:
                message = json.loads(text_data)
                kind = message["type"]
            except (ValueError, KeyError, TypeError, RecursionError):  # RecursionError: nested too deep
                await self._refuse(protocol.CLOSE_MALFORMED, "malformed text message")
                return
            if kind == protocol.POSITION:
                await self._position(message)
                return
            if kind == protocol.FEATURES:  # issue 19: what the bridge can do (masks, snapshots)
                features = message.get("features")
                self.features = {f for f in features if isinstance(f, str)} if isinstance(features, list) else set()
                return
            if kind == protocol.SNAPSHOT:  # issue 19: a picture its owner asked for
                await camera_privacy.bridge_snapshot_received(
                    schema=_schema(self.scope), served=self.cameras.values(), message=message, max_bytes=self.max_bytes
                )
            if kind == protocol.CODEC:
                await self._codec(message)
                return
            if kind == protocol.STATUS:
                logger.info(
                    "bridge status",
                    extra={
                        "bridge": self.bridge_public_id,
                        "camera": message.get("camera"),
                        "state": message.get("state"),
                    },
                )
                # issue 19 (camera status): kept for the owner's pages, relayed to viewers.
                await camera_status.bridge_status_received(
                    schema=_schema(self.scope), served=self.cameras.values(), message=message, layer=self.channel_layer
                )
            return
        data = bytes_data or b""
        if len(data) < HEADER.size + 4:
            await self._refuse(protocol.CLOSE_MALFORMED, "frame shorter than its header")
            return
        raw_camera, captured_us = HEADER.unpack_from(data)
        camera = self.cameras.get(raw_camera)
        if camera is None:
            if raw_camera in self.withdrawn:
                return
            await self._refuse(protocol.CLOSE_WRONG_CAMERA, "frame for a camera this bridge does not serve")
            return
        if not camera_privacy.frame_allowed(camera=camera, masks=self.masks, features=self.features):
            await self._unmasked_dropped(camera)  # issue 19: never relay a masked camera unmasked
            return
        if data[HEADER.size] in (protocol.UNIT_DELTA, protocol.UNIT_KEYFRAME):
            # issue 19: a masked camera's units only re-encoded with the masks blacked out by a
            # bridge that said so (masked-h264), never the camera's own passed through
            if not camera_privacy.unit_allowed(camera=camera, masks=self.masks, features=self.features):
                await self._unmasked_dropped(camera)
                return
            await self._unit(data, raw_camera, camera, captured_us)
            return
        jpeg = data[HEADER.size :]
        if len(jpeg) > self.max_bytes:
            await self._refuse(protocol.CLOSE_TOO_LARGE, f"frame of {len(jpeg)} bytes")
            return
        if not (jpeg.startswith(b"\xff\xd8") and jpeg.rstrip(b"\x00").endswith(b"\xff\xd9")):
            await self._refuse(protocol.CLOSE_NOT_JPEG, "frame is neither a JPEG nor an H.264 unit")
            return
        if not await presence.camera_frame_take(
            schema=_schema(self.scope), camera=camera, connection=self.channel_name, per_second=self.max_per_second
        ):
            # A burst (frames queued in the socket after a pause) is dropped, not punished;
            # only a bridge that keeps sending far above the limit is closed.
            self.dropped += 1
            if self.dropped > self.max_fps * 10:
                await self._refuse(protocol.CLOSE_TOO_FAST, "frame rate far above the limit")
            return
        self.dropped = max(0, self.dropped - 1)
        arrived = time.time()
        if not self.clock_told and abs(arrived - captured_us / 1e6) > CLOCK_SKEW_SECONDS:
            await self._tell_clock(arrived - captured_us / 1e6)
        await self.channel_layer.group_send(
            services.camera_group(_schema(self.scope), camera),
            {"type": "live.frame", "frame": data[16:], "arrived": arrived},
        )

    async def _codec(self, message: dict[str, Any]) -> None:
        """A camera's H.264 description (docs/bridge-protocol.md, "H.264 units"): checked,
        kept for the connection's units, relayed to the camera's viewers and kept beside its
        GOP for viewers who join. One that is not one closes with 4408, as any malformed message."""
        try:
            raw = uuid.UUID(message["camera"]).bytes
            codec, width, height = message["codec"], message["width"], message["height"]
            if not (isinstance(codec, str) and CODEC_PATTERN.fullmatch(codec)):
                raise ValueError(f"codec {codec!r}")
            if not all(isinstance(v, int) and not isinstance(v, bool) and 16 <= v <= 8192 for v in (width, height)):
                raise ValueError(f"size {width!r}x{height!r}")
            _, sps, pps = parse_avcc(base64.b64decode(message["avcc"], validate=True))
            if not (sps and pps):
                raise ValueError("avcC without SPS or PPS")
        except (KeyError, TypeError, ValueError, AttributeError, binascii.Error, H264Error) as exc:
            await self._refuse(protocol.CLOSE_MALFORMED, f"malformed codec description: {exc}")
            return
        camera = self.cameras.get(raw)
        if camera is None:
            if raw not in self.withdrawn:
                await self._refuse(protocol.CLOSE_WRONG_CAMERA, "codec of a camera this bridge does not serve")
            return
        relay = {"type": protocol.CODEC, "codec": codec, "width": width, "height": height}
        self.codecs[raw] = relay
        self.skipping.add(raw)  # units of the new description start at its keyframe
        self.over_cap.discard(raw)  # skipping for that reason is no fault
        await gop.gop_codec_set(schema=_schema(self.scope), camera=camera, codec=json.dumps(relay))
        await self.channel_layer.group_send(
            services.camera_group(_schema(self.scope), camera), {"type": "live.codec", "codec": relay}
        )

    async def _unit(self, data: bytes, raw: bytes, camera: str, captured_us: int) -> None:
        """One H.264 access unit: refused (closed) when it is garbage, dropped up to the next
        keyframe when it comes too fast or above the policy's bitrate, else kept in the GOP
        cache and relayed. The server decodes nothing: it checks the unit's framing only."""
        keyframe = data[HEADER.size] == protocol.UNIT_KEYFRAME
        unit = data[UNIT_HEADER.size :]
        if raw not in self.codecs:
            await self._refuse(protocol.CLOSE_MALFORMED, "H.264 unit before its camera's codec description")
            return
        if len(unit) > self.max_bytes:
            await self._refuse(protocol.CLOSE_TOO_LARGE, f"unit of {len(unit)} bytes")
            return
        if not unit_nals_valid(unit) or (keyframe and not keyframe_has_parameter_sets(unit)):
            await self._refuse(protocol.CLOSE_NOT_JPEG, "unit is not H.264 in Annex B")
            return
        if keyframe:
            self.skipping.discard(raw)
        elif raw in self.skipping:
            if raw in self.over_cap:  # sent, and lost to the cap all the same
                await self._unit_dropped(raw, camera)
            return  # a unit after a dropped one cannot be decoded: wait for the keyframe
        relayed = data[16:]  # capture time, flags, Annex B: what the viewer's page takes
        if not await bitrate.camera_unit_admit(  # the unit rate, the bitrate cap, the GOP cache
            schema=_schema(self.scope),
            camera=camera,
            connection=self.channel_name,
            unit=relayed,
            size=len(unit),
            keyframe=keyframe,
            bits_per_second=self.max_bitrate,
            per_second=UNITS_PER_SECOND,
        ):
            self.skipping.add(raw)
            self.over_cap.add(raw)
            await self._unit_dropped(raw, camera)
            return
        self.over_cap.discard(raw)
        self.unit_drops[raw] = max(0, self.unit_drops.get(raw, 0) - 1)
        arrived = time.time()
        if not self.clock_told and abs(arrived - captured_us / 1e6) > CLOCK_SKEW_SECONDS:
            await self._tell_clock(arrived - captured_us / 1e6)
        await self.channel_layer.group_send(
            services.camera_group(_schema(self.scope), camera),
            {"type": "live.frame", "frame": relayed, "arrived": arrived, "keyframe": keyframe},
        )

    async def _unit_dropped(self, raw: bytes, camera: str) -> None:
        """Count a unit of the camera lost to the cap (or the unit rate); one camera that keeps
        far above it closes the connection with 4429, naming the camera and the cap to its
        owner (the close frame's reason, and the camera's status on the owner's pages)."""
        drops = self.unit_drops[raw] = self.unit_drops.get(raw, 0) + 1
        if drops <= UNIT_DROPS_BEFORE_CLOSE:
            return
        kbps = self.max_bitrate // 1000
        detail = (
            f"sends far above the department's cap of {kbps} kbit/s for live video: "
            "choose the camera's sub-stream or a lower bitrate"
        )
        status = {"type": protocol.STATUS, "camera": camera, "state": "error", "detail": detail}
        await camera_status.bridge_status_received(
            schema=_schema(self.scope), served=self.cameras.values(), message=status, layer=self.channel_layer
        )
        await self._refuse(
            protocol.CLOSE_TOO_FAST,
            f"camera {camera} {detail}",
            tell=f"camera {camera}: above the cap of {kbps} kbit/s",
        )

    async def _position(self, message: dict[str, Any]) -> None:
        """A mobile camera's position (docs/bridge-protocol.md, "Positions"): checked here
        without the database, then recorded off the frame path by the connection's position
        worker. A position that is not one is logged and dropped, never a reason to close:
        a GPS that glitches must not take its camera's video down."""
        try:
            position = positions.position_parse(message, now=timezone.now())
        except positions.PositionError as exc:
            self._garbage(str(exc))
            return
        raw = uuid.UUID(position.camera).bytes
        if raw not in self.cameras:
            if raw in self.withdrawn:  # already on its way when the camera was taken off
                return
            await self._refuse(protocol.CLOSE_WRONG_CAMERA, "position of a camera this bridge does not serve")
            return
        if not await presence.camera_position_take(schema=_schema(self.scope), camera=position.camera):
            return  # more than one a second: dropped (the next one is as good)
        if self.position_queue is None:
            self.position_queue = asyncio.Queue(maxsize=POSITION_QUEUE)
            self.position_worker = asyncio.create_task(self._record_positions(self.position_queue))
        try:
            self.position_queue.put_nowait(position)
        except asyncio.QueueFull:  # the database is far behind: the newest will do
            self._garbage("position dropped: the server is behind")

    def _garbage(self, why: str) -> None:
        """One warning per connection every GARBAGE_LOG_SECONDS at most: a bridge sending
        nonsense once a second must not fill the log."""
        now = time.monotonic()
        if now - self.garbage_logged_at >= GARBAGE_LOG_SECONDS:
            self.garbage_logged_at = now
            logger.warning("bridge position ignored: %s", why, extra={"bridge": self.bridge_public_id})

    async def _record_positions(self, queue: "asyncio.Queue[positions.Position]") -> None:
        """Record this connection's positions one at a time, in order, and relay each
        accepted one to the camera's viewers, if any (a JSON text message beside the frames)."""
        while (bridge_id := self.bridge_id) is not None:
            position = await queue.get()
            try:
                recorded = await self.db(positions.position_record, bridge_id=bridge_id, position=position)
                if recorded.watched:
                    await self.channel_layer.group_send(
                        services.camera_group(_schema(self.scope), position.camera),
                        {"type": "live.position", "position": positions.position_event(position)},
                    )
            except Exception:  # a database or relay failure loses this position, not the bridge
                logger.exception("could not record a mobile position", extra={"bridge": self.bridge_public_id})

    async def _tell_clock(self, offset: float) -> None:
        """The frame's capture time is far from this server's clock: frames are still shown
        (staleness is judged by arrival here), but the owner should fix the bridge's clock."""
        self.clock_told = True
        logger.warning("bridge clock is off", extra={"bridge": self.bridge_public_id, "offset_ms": int(offset * 1000)})
        await self.send(json.dumps({"type": protocol.CLOCK, "offset_ms": int(offset * 1000)}))

    async def bridge_command(self, event: dict[str, Any]) -> None:
        if self.bridge_id is not None and not self.refused:
            command = event["command"]
            await self._tell(command)
            if command.get("type") == protocol.STOP and isinstance(command.get("camera"), str):
                # Nobody watches: its last GOP is not kept a moment longer than needed.
                with contextlib.suppress(*RELAY_ERRORS):  # it expires by itself
                    await gop.gop_forget(schema=_schema(self.scope), camera=command["camera"])

    async def bridge_masks(self, event: dict[str, Any]) -> None:
        """issue 19: the owner changed a camera's privacy masks: the bridge applies them from
        its next frame (and to every later start and snapshot)."""
        if self.bridge_id is None or self.refused or event["camera"] not in self.cameras.values():
            return
        if event["masks"]:
            self.masks[event["camera"]] = event["masks"]
        else:
            self.masks.pop(event["camera"], None)
        await self.send(json.dumps({"type": protocol.MASKS, "camera": event["camera"], "masks": event["masks"]}))

    async def _unmasked_dropped(self, camera: str) -> None:
        """issue 19: a frame of a masked camera from a bridge that never said it applies masks
        (an older bridge) is dropped; its owner's page says why, once per connection."""
        if camera in self.unmasked_told:
            return
        self.unmasked_told.add(camera)
        message = {
            "type": protocol.STATUS,
            "camera": camera,
            "state": "error",
            "detail": "this bridge does not apply privacy masks (update it); its pictures are not relayed",
        }
        await camera_status.bridge_status_received(
            schema=_schema(self.scope), served=self.cameras.values(), message=message, layer=self.channel_layer
        )

    async def bridge_revoked(self, event: dict[str, Any]) -> None:
        await self._refuse(protocol.CLOSE_BAD_TOKEN, "token revoked")


def _max_bitrate() -> int:
    """The department's H.264 bitrate cap, in bits a second."""
    return int(policy_current().live_max_bitrate_kbps) * 1000


def _bridge_cameras(bridge_id: int) -> dict[bytes, str]:
    from .models import Bridge

    bridge = Bridge.objects.get(pk=bridge_id)
    return {c.public_id.bytes: str(c.public_id) for c in bridge.cameras.all()}


def _watched_cameras(bridge_id: int) -> list[str]:
    from .models import Bridge

    cameras = Bridge.objects.get(pk=bridge_id).cameras.all()
    # Only views whose consumer is alive: one left open by a dead process starts nothing.
    watched = services.live_sessions_watched(cameras=cameras)
    return sorted({str(c) for c in watched})


class ViewerConsumer(HotPathMixin, TenantConsumerMixin, AsyncWebsocketConsumer):
    """/ws/live/<camera>/?purpose=<id>: an officer's live view, through the gate.

    Once the session exists, every way out ends it exactly once (services.live_session_end
    logs live_end) and leaves the groups: the viewer leaving, a reason found by the
    watchdog, the relay failing, or any error at all (__call__, _watch_done). A process
    that dies outright leaves the session to live.tasks (its heartbeat stops).
    """

    hot_path_types = frozenset({"live.frame", "live.ping", "live.position", "live.codec", LIVE_RECHECK})

    session_id: int | None = None
    watch: asyncio.Task[None] | None = None
    ending: asyncio.Task[None] | None = None
    # Set once _end has begun, and done when its close is sent: another way out that comes
    # while it runs waits for it instead of closing with a code of its own.
    ended: asyncio.Event | None = None
    joined: tuple[str, ...] = ()
    camera_pk: int | None = None
    bridges: tuple[str, ...] = ()
    last_frame_at = 0.0  # issue 19: live.stall
    stall_watch: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        user = self.scope["user"]
        await self.accept()
        if not user.is_authenticated:
            await self.close(code=VIEWER_UNAUTHENTICATED)
            return
        self.language = _language(self.scope)
        self.actor = access.Actor(
            user=user,
            mfa=session_passed_mfa(self.scope["session"]),  # and the account still has it: _start
            session_hash=self.scope.get("session_key_hash", ""),
            ip=(self.scope.get("client") or [None])[0],
            user_agent=dict(self.scope.get("headers", [])).get(b"user-agent", b"").decode("latin-1")[:300],
        )
        raw_camera = self.scope["url_route"]["kwargs"]["camera_id"]
        query = parse_qs(self.scope.get("query_string", b"").decode())
        purpose_id = query.get("purpose", [""])[0]
        # The page asks for JPEG when its browser cannot play H.264 (MediaSource.isTypeSupported).
        self.jpeg_only = query.get("codecs", [""])[0] == protocol.CODEC_JPEG
        if user.role not in STAFF_ROLES:
            await self.db(access.console_denied, actor=self.actor, path=f"/ws/live/{raw_camera}/")
            await self.close(code=VIEWER_DENIED)
            return
        # Any spelling of a UUID (upper case, no dashes, braces, urn:uuid:) names the camera;
        # the groups are named from the one canonical spelling only. Not a UUID: not found.
        try:
            camera_id = str(uuid.UUID(raw_camera))
        except ValueError:
            camera_id = ""
        start = await self.db(_start, self.actor, camera_id, purpose_id, self.language)
        self.actor = start.actor
        if start.session is None:
            code = _refusal_close_code(start.decision.reason)
            await self.send(
                json.dumps({"type": "denied", "reason": start.decision.reason, "message": start.decision.message})
            )
            await self.close(code=code)
            return
        # From here on a session is open: __call__ ends it whatever fails.
        self.session_id = start.session.pk
        self.frames = 0
        self.bytes = 0
        self.dropped = 0
        self.need_key = True  # H.264: nothing before a keyframe (from the GOP cache or live)
        self.replayed_until = 0  # capture time of the last unit replayed from the GOP cache
        self.camera_public_id = camera_id
        self.camera_pk = start.session.camera_id
        self.bridges = start.bridge_ids
        self.group = services.camera_group(_schema(self.scope), camera_id)
        self.user_group = user_group(_schema(self.scope), user.pk)
        self.recheck = asyncio.Event()
        try:
            await self._join()
            # Watching, before the start is published: a bridge connection that misses the
            # start finds the view here (BridgeConsumer._reconcile).
            await presence.camera_viewer_renew(
                schema=_schema(self.scope), camera=camera_id, connection=self.channel_name, jpeg=self.jpeg_only
            )
            # Every viewer says start: a second start for a streaming camera only sets its
            # rate, and a view left open by a dead process cannot make this one go dark.
            start_command: dict[str, Any] = {
                "type": protocol.START,
                "camera": camera_id,
                "fps": settings.PORCHLIGHT_LIVE_MAX_FPS,
                "max_width": 1280,
            }
            if self.jpeg_only:
                start_command["codecs"] = [protocol.CODEC_JPEG]
            await self._bridges(start_command)
        except RELAY_ERRORS:  # Redis gone: say so rather than show a frozen picture
            logger.exception("relay unavailable")
            await self._end(EndReason.RELAY)
            return
        await self.send(
            json.dumps(
                {
                    "type": "session",
                    "session": str(start.session.public_id),
                    "ends_at": start.session.ends_at.isoformat(),
                    "limit_seconds": start.session.limit_seconds,
                    "watermark": _watermark(user),
                    # Told only now the gate has allowed the view: what the tile names.
                    "camera": start.tile,
                }
            )
        )
        if not self.jpeg_only:
            await self._replay_gop()
        self.watch = asyncio.create_task(self._watchdog())
        self.watch.add_done_callback(self._watch_done)
        # issue 19: frames that stop coming are said, not left frozen (ends with the view)
        self.stall_watch = asyncio.create_task(stall.stall_watch(self))

    async def _replay_gop(self) -> None:
        """A camera already streaming H.264: its description and the units since its last
        keyframe, so the picture starts now, not at the camera's next keyframe. The view has
        joined the camera's group already; live units it then receives that the replay held
        are skipped (live_frame)."""
        try:
            codec, units = await gop.gop_read(schema=_schema(self.scope), camera=self.camera_public_id)
        except RELAY_ERRORS:  # no head start: the next keyframe will do
            logger.warning("could not read the GOP cache", exc_info=True)
            return
        if codec is None:
            return
        await self.send(codec)
        if not units or units[0][8] != protocol.UNIT_KEYFRAME:
            return
        for unit in units:
            await self.send(bytes_data=unit)
            self.frames += 1
            self.bytes += len(unit) - 8
        self.need_key = False
        self.replayed_until = int.from_bytes(units[-1][:8], "big")

    async def _join(self) -> None:
        """Join (or renew) the camera's group and the officer's."""
        for group in (self.group, self.user_group):
            await self.channel_layer.group_add(group, self.channel_name)
            if group not in self.joined:
                self.joined += (group,)

    async def _bridges(self, command: dict[str, Any]) -> None:
        for bridge in self.bridges:
            await self.channel_layer.group_send(
                services.bridge_group(_schema(self.scope), bridge), {"type": "bridge.command", "command": command}
            )

    async def _watchdog(self) -> None:
        """Check the view again, through the gate (services.live_session_check), every
        PORCHLIGHT_LIVE_WATCH_INTERVAL seconds, at once on a push (revocation, pause, owner's
        end, deactivation, role change), and at the next known deadline (limit, expiry,
        window end). Each check reads only; every VIEW_HEARTBEAT_SECONDS it also writes the
        view's heartbeat. Any failure ends the view."""
        interval = settings.PORCHLIGHT_LIVE_WATCH_INTERVAL
        renew = _renew_every(self.channel_layer)
        loop = asyncio.get_running_loop()
        renew_at = loop.time() + renew if renew else None
        present = presence.viewer_alive_seconds() / 3
        present_at = loop.time() + present
        beat_at = loop.time()
        while (session_id := self.session_id) is not None:
            try:
                beat = loop.time() >= beat_at
                check = await self.db(_check, self.scope, self.actor, session_id, self.frames, self.bytes, beat)
                if beat:
                    beat_at = loop.time() + services.VIEW_HEARTBEAT_SECONDS
                if check.reason is not None:
                    await self._end(check.reason)
                    return
                timeout = interval
                if check.recheck_at is not None:
                    timeout = min(interval, max(0.0, (check.recheck_at - timezone.now()).total_seconds()))
                if renew_at is not None:
                    timeout = min(timeout, max(0.0, renew_at - loop.time()))
                timeout = min(timeout, max(0.0, present_at - loop.time()))
                self.recheck.clear()
                # asyncio.timeout, not wait_for: Python 3.11's wait_for swallows a cancel that
                # arrives as the wait ends, and this loop would then outlive its consumer.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(timeout):
                        await self.recheck.wait()
                # The relay must still be there: a viewer gets "relay unavailable", never a
                # frozen picture, and re-authorizes when it reconnects.
                await self.channel_layer.send(self.channel_name, {"type": "live.ping"})
                if renew and renew_at is not None and loop.time() >= renew_at:
                    await self._join()
                    renew_at = loop.time() + renew
                if loop.time() >= present_at:
                    await presence.camera_viewer_renew(
                        schema=_schema(self.scope),
                        camera=self.camera_public_id,
                        connection=self.channel_name,
                        jpeg=self.jpeg_only,
                    )
                    present_at = loop.time() + present
            except RELAY_ERRORS:
                logger.exception("relay unavailable; ending the view")
                await self._end(EndReason.RELAY)
                return
            except Exception:  # e.g. ChannelFull, a database error: end, never linger
                logger.exception("live view check failed; ending the view")
                await self._end(EndReason.ERROR)
                return

    def _watch_done(self, task: asyncio.Task[None]) -> None:
        """Whatever killed the watchdog, a view without one must not outlive its limits."""
        if task.cancelled() or task.exception() is None:
            return
        logger.error("live view watchdog died; ending the view", exc_info=task.exception())
        if self.session_id is not None:
            self.ending = asyncio.ensure_future(self._end(EndReason.ERROR))

    async def live_recheck(self, event: dict[str, Any]) -> None:
        """Something about the camera or the officer changed: check now."""
        self.recheck.set()

    async def live_ping(self, event: dict[str, Any]) -> None:
        """The watchdog's own probe of the channel layer."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await super().__call__(scope, receive, send)
        except asyncio.CancelledError:
            # The server is going away: still end the session (a second cancellation is left
            # to live.tasks, which ends views whose heartbeat stopped).
            if self.session_id is not None:
                await asyncio.shield(self._end(EndReason.LOST, close=False))
            raise
        except Exception as exc:  # the socket's boundary: any failure ends the view, logged, never lingers
            if self.ended is not None:
                # The view is already ending (the watchdog found the relay gone a moment before
                # this read failed the same way): its close carries the reason; a 1011 here
                # overtook it and the officer saw "server error" instead of "relay unavailable".
                await self.ended.wait()
                return
            if self.session_id is None:
                # Before any session (the gate's own write failed, say): the viewer is told
                # the server failed rather than left waiting on an open socket.
                logger.exception("live view could not start")
                with contextlib.suppress(Exception):  # the socket may already be gone
                    await self.close(code=VIEWER_SERVER_ERROR)
                return
            if isinstance(exc, RELAY_ERRORS):  # the channel layer failed under us (Redis gone)
                logger.exception("relay failed during a live view")
                await self._end(EndReason.RELAY)
            else:  # a bug: the officer sees an error, the owner's log a live_end
                logger.exception("live view failed")
                await self._end(EndReason.ERROR)

    async def _end(self, reason: str, *, close: bool = True) -> None:
        """End the session once: log live_end (with the real counters), leave the groups,
        stop the bridge if nobody else watches, close with the reason's code."""
        session_id, self.session_id = self.session_id, None
        if session_id is None:
            return
        ended = self.ended = asyncio.Event()
        try:
            await self._end_session(session_id, reason, close=close)
        finally:
            ended.set()

    async def _end_session(self, session_id: int, reason: str, *, close: bool) -> None:
        if self.watch is not None and self.watch is not asyncio.current_task():
            self.watch.cancel()
        if self.stall_watch is not None:  # issue 19
            self.stall_watch.cancel()
        try:
            await self.db(
                services.live_session_end,
                actor=self.actor,
                session_id=session_id,
                reason=reason,
                frames=self.frames,
                bytes_sent=self.bytes,
            )
        except Exception:  # its heartbeat stops: live.tasks logs the end
            logger.exception("could not record the end of a live view", extra={"session": session_id})
        await self._leave()
        if close:
            with contextlib.suppress(Exception):  # the socket may already be gone
                await self.close(code=END_CODES.get(reason, VIEWER_SERVER_ERROR))

    async def _leave(self) -> None:
        joined, self.joined = self.joined, ()
        for group in joined:
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception:  # the membership expires by itself
                logger.warning("could not leave a group", exc_info=True)
        if self.camera_pk is None:
            return
        try:
            await presence.camera_viewer_forget(
                schema=_schema(self.scope), camera=self.camera_public_id, connection=self.channel_name
            )
        except Exception:  # Redis gone: the presence expires by itself within seconds
            logger.warning("could not forget a view's presence", exc_info=True)
        try:
            if await self.db(services.live_sessions_active, camera_id=self.camera_pk) == 0:
                await self._bridges({"type": protocol.STOP, "camera": self.camera_public_id})
        except Exception:  # the bridge stops all cameras when it reconnects
            logger.exception("could not stop the camera's stream")

    async def disconnect(self, code: int) -> None:
        await self._end(EndReason.VIEWER_LEFT, close=False)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.session_id is None or text_data is None:
            return
        try:
            message = json.loads(text_data)
        except (ValueError, RecursionError):  # RecursionError: nested too deep; not a message either
            return
        if not isinstance(message, dict):  # [1], "x", 5, null: not a message; ignored
            return
        if message.get("type") == "end":
            # The officer pressed End: the view ends (and is logged) before the socket closes,
            # so the page can say it ended rather than guess.
            await self._end(EndReason.VIEWER_LEFT)
            return
        if message.get("type") == "extend":
            decision, session = await self.db(
                _extend, self.scope, self.actor, self.session_id, str(message.get("reason", "")), self.language
            )
            await self.send(
                json.dumps(
                    {
                        "type": "extended" if decision.allowed else "denied",
                        "ends_at": session.ends_at.isoformat(),
                        "message": decision.message,
                    }
                )
            )

    async def live_frame(self, event: dict[str, Any]) -> None:
        if self.session_id is None:
            return
        frame: bytes = event["frame"]
        keyframe = event.get("keyframe")  # None: a JPEG frame; else an H.264 unit
        if time.time() - event.get("arrived", time.time()) > STALE_FRAME_SECONDS:
            self.dropped += 1
            self.need_key = True  # a unit after a dropped one cannot be decoded
            return
        if keyframe is not None:
            if self.jpeg_only:  # asked for JPEG: the bridge switches; units meanwhile are useless
                return
            if self.replayed_until and int.from_bytes(frame[:8], "big") <= self.replayed_until:
                return  # already sent from the GOP cache
            if keyframe:
                self.need_key = False
            elif self.need_key:
                return
        try:
            await self.send(bytes_data=frame)
        except Exception:  # the viewer left between the frame's arrival and its send
            return
        self.frames += 1
        self.bytes += len(frame) - 8
        self.last_frame_at = time.monotonic()  # issue 19: live.stall

    async def live_status(self, event: dict[str, Any]) -> None:
        """issue 19 (camera status): the bridge says the camera fails or streams again; the
        page greys the picture and says "camera not responding" until frames return."""
        if self.session_id is None:
            return
        with contextlib.suppress(Exception):  # the viewer left between the event and its send
            await self.send(json.dumps(event["status"]))

    async def live_codec(self, event: dict[str, Any]) -> None:
        """The camera's H.264 description (first, or changed: a new resolution): the page
        (re)starts its player; units follow from the next keyframe."""
        if self.session_id is None or self.jpeg_only:
            return
        self.need_key = True
        with contextlib.suppress(Exception):  # the viewer left between the event and its send
            await self.send(json.dumps(event["codec"]))

    async def live_position(self, event: dict[str, Any]) -> None:
        """A mobile camera moved: the viewer's page draws its track while the view is open."""
        if self.session_id is None:
            return
        with contextlib.suppress(Exception):  # the viewer left between the event and its send
            await self.send(json.dumps(event["position"]))


def _watermark(user: User) -> str:
    badge = f" #{user.badge_number}" if user.badge_number else ""
    return f"{user.full_name or user.email}{badge}"


@dataclasses.dataclass(frozen=True)
class _Started:
    actor: access.Actor
    decision: access.Decision
    session: "LiveSession | None"
    bridge_ids: tuple[str, ...]
    tile: dict[str, str] = dataclasses.field(default_factory=dict)


def _with_mfa(actor: access.Actor, user: "User | AnonymousUser", session: "SessionBase") -> access.Actor:
    """The actor as the socket's session shows it now: MFA means the session passed a second
    factor and the account still has one (removing it ends the view)."""
    mfa = bool(getattr(user, "is_authenticated", False)) and session_passed_mfa(session) and user_has_mfa(user)
    return dataclasses.replace(actor, user=user, mfa=mfa)


def _language(scope: dict[str, Any]) -> str:
    """The officer's language, chosen as for their pages (language cookie, Accept-Language)."""
    request = HttpRequest()
    headers = dict(scope.get("headers", []))
    request.META["HTTP_ACCEPT_LANGUAGE"] = headers.get(b"accept-language", b"").decode("latin-1")
    cookies = SimpleCookie()
    with contextlib.suppress(CookieError):  # a malformed cookie header: no language cookie
        cookies.load(headers.get(b"cookie", b"").decode("latin-1"))
    request.COOKIES = {key: morsel.value for key, morsel in cookies.items()}
    return translation.get_language_from_request(request)


def _start(actor: access.Actor, camera_id: str, purpose_id: str, language: str) -> _Started:
    # MFA as every later check will see it (_with_mfa): the account must still have it.
    actor = dataclasses.replace(actor, mfa=actor.mfa and user_has_mfa(actor.user))
    purpose = access.purpose_lookup(actor=actor, public_id=purpose_id) if purpose_id else None
    with translation.override(language):  # the refusal's sentence, in the officer's language
        start = services.live_session_start(actor=actor, purpose=purpose, camera_public_id=camera_id or None)
        tile = _tile(start.session.camera) if start.session is not None else {}
    return _Started(actor, start.decision, start.session, start.bridge_ids, tile)


def _tile(camera: Any) -> dict[str, str]:
    """What the officer's tile names: the kind of camera and its address as police may see
    it (the block unless the owner shares contact details), in the officer's language."""
    site = camera.site
    if camera.mobile:
        # Its site's address is where it is kept, not where it is: the track map shows that.
        return {"name": camera.kind_label, "address": ""}
    return {
        "name": f"{camera.kind_label} · {camera.get_placement_display()}",
        "address": address_for_police(site.address, share_contact=site.share_contact),
    }


def _check(
    scope: dict[str, Any], actor: access.Actor, session_id: int, frames: int, bytes_sent: int, heartbeat: bool
) -> services.SessionCheck:
    """One re-check of an open view: the socket's session and user re-read as the handshake
    read them, then the gate asked again (services.live_session_check)."""
    session, user = socket_session_user(scope)
    return services.live_session_check(
        actor=_with_mfa(actor, user, session),
        session_id=session_id,
        frames=frames,
        bytes_sent=bytes_sent,
        heartbeat=heartbeat,
    )


def _extend(scope: dict[str, Any], actor: access.Actor, session_id: int, reason: str, language: str) -> Any:
    from django.core.exceptions import ValidationError

    from .models import LiveSession

    socket_session, user = socket_session_user(scope)  # the officer as they stand now
    with translation.override(language):
        if not user.is_authenticated:  # signed out: the next check ends the view
            refused = access.Decision(
                False, access.Refusal.ROLE_NOT_PERMITTED, access.denial_message(access.Refusal.ROLE_NOT_PERMITTED), 0
            )
            return refused, LiveSession.objects.get(pk=session_id)
        try:
            return services.live_session_extend(
                actor=_with_mfa(actor, user, socket_session), session_id=session_id, reason=reason
            )
        except ValidationError as exc:
            return access.Decision(
                False, access.Refusal.REASON_MISSING, str(exc.messages[0]), 0
            ), LiveSession.objects.get(pk=session_id)
