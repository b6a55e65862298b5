"""Each camera's latest state as its bridge reports it, for its owner's pages (issue 19).

The bridge sends ``{"type": "status", "camera": …, "state": "streaming" | "stopped" |
"error", "detail": …}`` when a camera's state changes (docs/bridge-protocol.md). The server
keeps the latest one per camera, and the last error with its time, in Redis with an expiry
rather than in a database row, because:

- it is runtime state, like the bridge's own liveness (live.presence), and means nothing
  once the bridge is gone: the owner's page combines it with that liveness, and a bridge that
  reconnects starts from "ready" (``camera_status_reset``) since it stops every camera when
  its connection drops;
- a flaky camera can change state every second: a write per change into a history-tracked
  tenant table is not worth it, and none of it is evidence (police access is logged by the
  gate, not here);
- losing it (Redis flushed) loses only the last error's sentence; the bridge reports the
  state again at the next start.

Entries expire KEEP_SECONDS after the last report, so a camera whose bridge went for good
does not keep an error forever. Keys carry the department's schema, and every read goes
through the owner's own cameras (``camera_statuses_of_owner``): another owner or another
department never reads them. Without Redis (the embedded default) they live in this process.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext as _
from redis.exceptions import RedisError

from cameras import events
from cameras.models import Camera

from . import presence

if TYPE_CHECKING:
    from collections.abc import Iterable

    from accounts.models import User

logger = logging.getLogger("porchlight.live")

__all__ = [
    "KEEP_SECONDS",
    "STATES",
    "CameraLiveStatus",
    "bridge_status_received",
    "camera_status_record",
    "camera_status_reset",
    "camera_statuses_of_owner",
]

STATES = ("streaming", "stopped", "error")
# A week: long enough that an owner who looks on the weekend sees Monday's error, short enough
# that a camera whose bridge is gone for good does not keep it forever.
KEEP_SECONDS = 7 * 24 * 3600
# A bridge's detail is one sentence (bridge/client.py); more is a bridge gone wrong.
DETAIL_MAX = 300


def _key(schema: str, camera: str) -> str:
    return f"{presence.PREFIX}:{schema}:camera:{camera}:status"


_local: dict[str, dict[str, str]] = {}
_local_lock = threading.Lock()


def _clean_detail(detail: object) -> str:
    text = detail if isinstance(detail, str) else ""
    return " ".join(text.split())[:DETAIL_MAX]


def _fields(state: str, detail: str, now: float) -> dict[str | bytes, str]:
    fields: dict[str | bytes, str] = {"state": state, "detail": detail, "at": f"{now:.3f}"}
    if state == "error":
        fields.update(error=detail, error_at=f"{now:.3f}")
    return fields


async def camera_status_record(*, schema: str, camera: str, state: str, detail: object) -> bool:
    """Keep a camera's reported state (and, for an error, it as the last error). False, and
    nothing kept, for a state that is not one of STATES. The caller has checked that the
    bridge serves the camera."""
    if state not in STATES:
        return False
    fields = _fields(state, _clean_detail(detail), time.time())
    key = _key(schema, camera)
    if not settings.REDIS_URL:
        with _local_lock:
            _local.setdefault(key, {}).update({str(k): v for k, v in fields.items()})
        return True
    async with presence._aredis().pipeline(transaction=True) as pipe:
        pipe.hset(key, mapping=fields)
        pipe.expire(key, KEEP_SECONDS)
        await pipe.execute()
    return True


async def camera_status_reset(*, schema: str, cameras: Iterable[str]) -> None:
    """A bridge (re)connected: it streams nothing until told to, so whatever its cameras
    reported on an earlier connection is over; their last error is kept."""
    now = f"{time.time():.3f}"
    keys = [_key(schema, camera) for camera in cameras]
    if not settings.REDIS_URL:
        with _local_lock:
            for key in keys:
                if key in _local:
                    _local[key].update(state="", detail="", at=now)
        return
    async with presence._aredis().pipeline(transaction=False) as pipe:
        for key in keys:
            pipe.hset(key, mapping={"state": "", "detail": "", "at": now})
            pipe.expire(key, KEEP_SECONDS)
        await pipe.execute()


@dataclass(frozen=True)
class CameraLiveStatus:
    """What the owner's page says about one camera's live picture."""

    has_bridge: bool  # a bridge (not revoked) is set to relay it
    bridge_connected: bool
    state: str  # "streaming", "stopped", "error" or "" (nothing reported since it connected)
    detail: str
    last_error: str
    last_error_at: dt.datetime | None

    @property
    def code(self) -> str:
        """One word for styling and tests: no_bridge, offline, streaming, error, ready."""
        if not self.has_bridge:
            return "no_bridge"
        if not self.bridge_connected:
            return "offline"
        if self.state in ("streaming", "error"):
            return self.state
        return "ready"

    @property
    def sentence(self) -> str:
        """The state in words, in the owner's language."""
        code = self.code
        if code == "no_bridge":
            return _("No bridge relays this camera: it cannot be watched live.")
        if code == "offline":
            return _("Bridge offline: the camera cannot be watched live until the bridge connects.")
        if code == "streaming":
            return _("Streaming now: an authorized officer is watching.")
        if code == "error":
            return _("Camera not responding: the bridge cannot read it.")
        return _("Ready: the bridge is connected and sends nothing while nobody watches.")


def _at(raw: str | None) -> dt.datetime | None:
    try:
        return dt.datetime.fromtimestamp(float(raw), dt.UTC) if raw else None
    except ValueError:
        return None


def _read(keys: list[str]) -> list[dict[str, str]]:
    if not keys:
        return []
    if not settings.REDIS_URL:
        with _local_lock:
            return [dict(_local.get(key, {})) for key in keys]
    with presence._redis().pipeline(transaction=False) as pipe:
        for key in keys:
            pipe.hgetall(key)
        rows: list[dict[bytes, bytes]] = pipe.execute()
    return [{k.decode(): v.decode() for k, v in row.items()} for row in rows]


def camera_statuses_of_owner(
    *, owner: User, schema: str, cameras: Iterable[Camera]
) -> dict[uuid.UUID, CameraLiveStatus]:
    """The live status of each of the owner's cameras among ``cameras`` (another owner's are
    left out, whatever the caller passed), by public id. One query and two Redis round
    trips, whatever the number of cameras."""
    wanted = {c.public_id for c in cameras}
    if not wanted:
        return {}
    # Ownership and bridges in one query: a camera of another owner is not in it.
    rows_db = Camera.objects.filter(site__owner=owner, public_id__in=wanted).values_list(
        "public_id", "bridges__public_id", "bridges__revoked_at"
    )
    own: list[uuid.UUID] = []
    bridges_of: dict[uuid.UUID, set[str]] = {}
    for camera, bridge, revoked_at in rows_db:
        if camera not in bridges_of:
            own.append(camera)
            bridges_of[camera] = set()
        if bridge is not None and revoked_at is None:
            bridges_of[camera].add(str(bridge))
    alive = presence.bridges_connected(schema=schema, bridges=sorted(set().union(*bridges_of.values())))
    rows = _read([_key(schema, str(camera)) for camera in own])
    result: dict[uuid.UUID, CameraLiveStatus] = {}
    for camera, row in zip(own, rows, strict=True):
        result[camera] = CameraLiveStatus(
            has_bridge=bool(bridges_of[camera]),
            bridge_connected=bool(bridges_of[camera] & alive),
            state=row.get("state", ""),
            detail=row.get("detail", ""),
            last_error=row.get("error", ""),
            last_error_at=_at(row.get("error_at")),
        )
    return result


def status_event(state: str) -> dict[str, str]:
    """The status as relayed to a camera's viewers: the state and, for an error, nothing of
    the bridge's detail (it may name the owner's network; the viewer's page says it in words)."""
    return {"type": "status", "state": state if state in STATES else "error"}


async def bridge_status_received(*, schema: str, served: Iterable[str], message: dict[str, Any], layer: Any) -> None:
    """A bridge's ``status`` message (BridgeConsumer): kept for the owner's pages and relayed
    to the camera's viewers (the page says "camera not responding" on an error). Ignored, as
    before, for a camera this bridge does not serve or a state that is not one; a Redis
    failure loses the status, never the bridge's connection."""
    raw = message.get("camera")
    try:
        camera = str(uuid.UUID(raw)) if isinstance(raw, str) else ""
    except ValueError:
        camera = ""
    state = message.get("state")
    if camera not in set(served) or not isinstance(state, str):
        return
    try:
        if not await camera_status_record(schema=schema, camera=camera, state=state, detail=message.get("detail")):
            return
        await layer.group_send(
            events.camera_group(schema, camera), {"type": "live.status", "status": status_event(state)}
        )
    except (ConnectionError, OSError, TimeoutError, RedisError):
        logger.warning("could not keep a camera's status", exc_info=True, extra={"camera": camera})
