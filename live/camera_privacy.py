"""issue 19: privacy masks on their way to the bridge, and snapshots for the camera's owner.

Masks (bridge.masks; stored by cameras.privacy): every ``start`` and ``snapshot`` a bridge
connection sends carries the camera's masks (BridgeConsumer adds them from what it holds),
and a change reaches the connected bridges as a ``masks`` message after its commit. The
guarantee is the bridge's (it blacks them out before anything leaves the premises); the
server adds one refusal of its own: a bridge that has not said it applies masks (an older
bridge) gets no frame of a masked camera relayed (``frame_allowed``).

Snapshots: only when the owner presses the button (``snapshot_take``), the server asks the
camera's connected bridge for one picture (``snapshot``, with a random request id) and waits
up to SNAPSHOT_WAIT_SECONDS for the answer, which the bridge's connection hands over through
Redis (a list only this request's id names, expiring within seconds). The picture is shown
to that owner and not kept: it is deleted from Redis as it is read (or expires within
SNAPSHOT_KEEP_SECONDS), and nothing is written to the database or to disk. Police never see
it: it answers only the owner's own request, on the owner's page.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import secrets
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from redis import Redis
from redis.exceptions import RedisError

from bridge import protocol
from cameras.models import Camera
from cameras.privacy import camera_privacy_masks_set
from core.groups import group_send_on_commit, group_send_quietly
from tenants.selectors import department_current

from . import presence, services
from .models import Bridge

if TYPE_CHECKING:
    from collections.abc import Iterable

    from accounts.models import User

logger = logging.getLogger("porchlight.live")

# The bridge answers within protocol.SNAPSHOT_SECONDS (6 s) with a picture or an error; this
# leaves it 4 s for the round trip and a busy camera thread. An older bridge never answers:
# the owner is told so after this.
SNAPSHOT_WAIT_SECONDS = 10.0
# An answer not read by then (the owner's request gave up) is gone from Redis.
SNAPSHOT_KEEP_SECONDS = 15


class SnapshotError(Exception):
    """No picture: ``code`` (no_bridge, offline, busy, camera, timeout, unavailable) and the
    owner's sentence."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Snapshot:
    jpeg: bytes
    taken_at: float


# --- masks ----------------------------------------------------------------------------------------


def camera_masks_save(*, owner: User, camera: Camera, masks: object) -> Camera:
    """Save the camera's masks (cameras.privacy validates them) and, after the commit, send
    them to each bridge of the camera: a streaming camera has them from its next frame."""
    with transaction.atomic():
        camera = camera_privacy_masks_set(owner=owner, camera=camera, masks=masks)
        schema = _schema()
        for bridge in Bridge.objects.filter(cameras=camera, revoked_at__isnull=True).values_list(
            "public_id", flat=True
        ):
            group_send_on_commit(
                services.bridge_group(schema, bridge),
                {"type": "bridge.masks", "camera": str(camera.public_id), "masks": list(camera.privacy_masks)},
            )
    return camera


def masks_of_bridge(bridge_id: int) -> dict[str, list[list[float]]]:
    """The masks of the bridge's cameras that have any, by camera public id (sync; one query)."""
    rows = Camera.objects.filter(bridges__pk=bridge_id).values_list("public_id", "privacy_masks")
    return {str(camera): list(masks) for camera, masks in rows if masks}


def command_with_masks(command: dict[str, Any], masks: dict[str, list[list[float]]]) -> dict[str, Any]:
    """A ``start`` or ``snapshot`` for the bridge, with the camera's masks (an empty list
    for a camera without any: a bridge keeps no masks from an earlier start)."""
    if command.get("type") in (protocol.START, protocol.SNAPSHOT):
        return {**command, "masks": masks.get(str(command.get("camera")), [])}
    return command


def frame_allowed(*, camera: str, masks: dict[str, list[list[float]]], features: Iterable[str]) -> bool:
    """Whether a frame of ``camera`` may be relayed: a masked camera only from a bridge that
    said it applies masks."""
    return camera not in masks or protocol.FEATURE_MASKS in features


def unit_allowed(*, camera: str, masks: dict[str, list[list[float]]], features: Iterable[str]) -> bool:
    """Whether an H.264 unit of ``camera`` may be relayed: a masked camera's only from a bridge
    that said it re-encodes masked cameras with the masks blacked out (``masked-h264``,
    bridge/transcode.py), never a camera's own units passed through."""
    return camera not in masks or protocol.FEATURE_MASKED_H264 in features


# The hello's promise that goes with unit_allowed: the server relays these codecs of masked
# cameras (re-encoded by a bridge that said masked-h264), so such a bridge need not use JPEG.
HELLO_MASKED = {protocol.HELLO_MASKED_CODECS: [protocol.CODEC_H264]}


# --- snapshots -----------------------------------------------------------------------------------


def _schema() -> str:
    return str(department_current().schema_name)


def _pending_key(schema: str, request: str) -> str:
    return f"{presence.PREFIX}:{schema}:snapshot:{request}:pending"


def _answer_key(schema: str, request: str) -> str:
    return f"{presence.PREFIX}:{schema}:snapshot:{request}:answer"


def _busy_key(schema: str, camera: str) -> str:
    return f"{presence.PREFIX}:{schema}:camera:{camera}:snapshot-busy"


# Without Redis (the embedded default: one process), answers wait here.
_local_pending: dict[str, str] = {}
_local_answers: dict[str, str] = {}
_local_cond = threading.Condition()


def snapshot_take(*, owner: User, camera: Camera, schema: str) -> Snapshot:
    """Ask the camera's connected bridge for one picture, for its owner, and wait for it.

    :class:`SnapshotError` when there is none: no bridge relays the camera, its bridge is
    offline, a snapshot of it is already being taken, the camera failed (the bridge's words),
    or no answer came within SNAPSHOT_WAIT_SECONDS (an older bridge that does not know the
    message, or a camera that hangs).
    """
    camera = Camera.objects.get(pk=camera.pk, site__owner=owner)
    camera_id = str(camera.public_id)
    bridges = [
        str(b)
        for b in Bridge.objects.filter(cameras=camera, revoked_at__isnull=True).values_list("public_id", flat=True)
    ]
    if not bridges:
        raise SnapshotError("no_bridge", _("No bridge relays this camera: connect one on the Bridges page first."))
    connected = sorted(presence.bridges_connected(schema=schema, bridges=bridges))
    if not connected:
        raise SnapshotError(
            "offline", _("The camera's bridge is offline: start it on the computer at your property, then try again.")
        )
    request = secrets.token_urlsafe(18)
    command = {"type": protocol.SNAPSHOT, "camera": camera_id, "request": request}
    if not settings.REDIS_URL:
        return _snapshot_local(schema, camera_id, request, command, connected)
    try:
        return _snapshot_redis(schema, camera_id, request, command, connected)
    except RedisError as exc:
        raise SnapshotError("unavailable", _("Snapshots are unavailable for a moment: try again shortly.")) from exc


_blocking_client: Redis | None = None


def _redis_blocking() -> Redis:
    """A client whose socket waits longer than the snapshot's BLPOP (live.presence's clients
    time out after 5 s, and a wait for the bridge is longer)."""
    global _blocking_client
    if _blocking_client is None:
        _blocking_client = Redis.from_url(
            settings.REDIS_URL,
            socket_timeout=SNAPSHOT_WAIT_SECONDS + presence.REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=presence.REDIS_TIMEOUT_SECONDS,
        )
    return _blocking_client


def _snapshot_redis(
    schema: str, camera_id: str, request: str, command: dict[str, Any], connected: list[str]
) -> Snapshot:
    client = _redis_blocking()
    if not client.set(_busy_key(schema, camera_id), request, nx=True, ex=int(SNAPSHOT_WAIT_SECONDS) + 1):
        raise SnapshotError("busy", _("A snapshot of this camera is being taken: wait a few seconds."))
    try:
        client.set(_pending_key(schema, request), camera_id, ex=int(SNAPSHOT_WAIT_SECONDS) + 1)
        for bridge in connected:
            group_send_quietly(services.bridge_group(schema, bridge), {"type": "bridge.command", "command": command})
        popped = client.blpop([_answer_key(schema, request)], timeout=SNAPSHOT_WAIT_SECONDS)
    finally:
        client.delete(_pending_key(schema, request), _answer_key(schema, request))
        client.delete(_busy_key(schema, camera_id))
    if popped is None:
        raise SnapshotError(
            "timeout",
            _(
                "The bridge did not answer within %(seconds)d seconds. It may be an older version that cannot "
                "take snapshots (update it), or the camera may not be responding."
            )
            % {"seconds": int(SNAPSHOT_WAIT_SECONDS)},
        )
    return _snapshot_of(popped[1].decode())


def _snapshot_local(schema: str, camera: str, request: str, command: dict[str, Any], bridges: list[str]) -> Snapshot:
    with _local_cond:
        _local_pending[f"{schema}:{request}"] = camera
    try:
        for bridge in bridges:
            group_send_quietly(services.bridge_group(schema, bridge), {"type": "bridge.command", "command": command})
        deadline = time.monotonic() + SNAPSHOT_WAIT_SECONDS
        with _local_cond:
            while f"{schema}:{request}" not in _local_answers and time.monotonic() < deadline:
                _local_cond.wait(deadline - time.monotonic())
            answer = _local_answers.pop(f"{schema}:{request}", None)
    finally:
        with _local_cond:
            _local_pending.pop(f"{schema}:{request}", None)
    if answer is None:
        raise SnapshotError("timeout", _("The bridge did not answer in time."))
    return _snapshot_of(answer)


def _snapshot_of(answer: str) -> Snapshot:
    data = json.loads(answer)
    if "error" in data:
        raise SnapshotError(
            "camera", _("The camera gave no picture. The bridge said: “%(detail)s”.") % {"detail": data["error"]}
        )
    return Snapshot(jpeg=base64.b64decode(data["jpeg"]), taken_at=float(data["at"]))


async def bridge_snapshot_received(
    *, schema: str, served: Iterable[str], message: dict[str, Any], max_bytes: int
) -> None:
    """A bridge's answer to a ``snapshot`` (BridgeConsumer): handed to the waiting request
    only if that request is still waiting for this very camera, and this bridge serves it.
    Anything else (no such request, another camera, not a JPEG, too large) is dropped: a
    bridge cannot push a picture nobody asked for."""
    request = message.get("request")
    camera = message.get("camera")
    if not isinstance(request, str) or not isinstance(camera, str) or camera not in set(served):
        return
    if isinstance(message.get("error"), str):
        answer: dict[str, Any] = {"error": " ".join(message["error"].split())[:300]}
    else:
        try:
            jpeg = base64.b64decode(str(message.get("jpeg", "")), validate=True)
        except (binascii.Error, ValueError):
            jpeg = b""
        if not (jpeg.startswith(b"\xff\xd8") and len(jpeg) <= max_bytes):
            logger.warning("snapshot answer dropped: not a JPEG or too large", extra={"camera": camera})
            return
        answer = {"jpeg": base64.b64encode(jpeg).decode("ascii"), "at": time.time()}
    encoded = json.dumps(answer)
    if not settings.REDIS_URL:
        with _local_cond:
            if _local_pending.get(f"{schema}:{request}") == camera:
                _local_answers[f"{schema}:{request}"] = encoded
                _local_cond.notify_all()
        return
    client = presence._aredis()
    if (await client.get(_pending_key(schema, request))) != camera.encode():
        return
    # Taken once: a second answer (two connections of one bridge) finds nothing pending.
    if not await client.delete(_pending_key(schema, request)):
        return
    async with client.pipeline(transaction=True) as pipe:
        pipe.rpush(_answer_key(schema, request), encoded)
        pipe.expire(_answer_key(schema, request), SNAPSHOT_KEEP_SECONDS)
        await pipe.execute()
