"""What open bridge connections share across server processes, kept in Redis with expiries.

- Liveness: each open bridge connection renews its own entry in the bridge's set every few
  seconds, with an expiry; the bridge is connected while any entry has not expired. A
  process that dies outright (SIGKILL, out of memory, a consumer killed by an exception
  before disconnect() ran) stops renewing, and its connection is gone within
  ``bridge_alive_seconds()``. A counter of opens and closes cannot do that: a close that
  never runs leaves it wrong until someone sweeps (docs/bridge-protocol.md, "Connections").
- The number of live connections per token, capped at connect.
- The frame rate per camera, over every connection that sends it (a one-second sliding
  window): two connections on one token cannot double it.
- Which cameras have a view open, renewed with an expiry as a bridge's liveness is: each
  bridge connection re-tells its bridge start/stop where that differs from what it said
  (a start or stop pushed through pub/sub can be lost).

Keys carry the department's schema. Without Redis (the embedded default: one process with the
in-memory channel layer) the same structures live in this process.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
import weakref
from typing import TYPE_CHECKING

from django.conf import settings
from redis import Redis
from redis import asyncio as aioredis

if TYPE_CHECKING:
    from collections.abc import Sequence

PREFIX = "porchlight:live"
# Each command is tiny; a Redis that takes longer than this is treated as gone (1011/close).
REDIS_TIMEOUT_SECONDS = 5.0


def bridge_alive_seconds() -> float:
    """How long a bridge connection counts as alive after its last renewal. A connection
    renews every third of it, so one late renewal (a busy process) does not drop it."""
    return float(settings.PORCHLIGHT_LIVE_BRIDGE_ALIVE_SECONDS)


def bridge_max_connections() -> int:
    """Open connections allowed on one bridge token: a restarted bridge whose old process
    has not gone yet needs two; more is a copied token or a reconnect loop."""
    return int(settings.PORCHLIGHT_LIVE_BRIDGE_MAX_CONNECTIONS)


def _bridge_key(schema: str, bridge: str) -> str:
    return f"{PREFIX}:{schema}:bridge:{bridge}:alive"


def _camera_key(schema: str, camera: str) -> str:
    return f"{PREFIX}:{schema}:camera:{camera}:frames"


# --- Redis clients ---------------------------------------------------------------------------

_async_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, aioredis.Redis] = weakref.WeakKeyDictionary()
_sync_client: Redis | None = None


def _aredis() -> aioredis.Redis:
    """One client (and pool) per event loop: redis.asyncio connections belong to a loop."""
    loop = asyncio.get_running_loop()
    client = _async_clients.get(loop)
    if client is None:
        client = aioredis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
        )
        _async_clients[loop] = client
    return client


def _redis() -> Redis:
    global _sync_client
    if _sync_client is None:
        _sync_client = Redis.from_url(
            settings.REDIS_URL, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
        )
    return _sync_client


# --- in this process, without Redis ------------------------------------------------------------

_local: dict[str, dict[str, float]] = {}  # key → {member: score}, as Redis sorted sets
_local_lock = threading.Lock()


def _local_trim(key: str, below: float) -> dict[str, float]:
    members = _local.setdefault(key, {})
    for member in [m for m, score in members.items() if score <= below]:
        del members[member]
    return members


# --- liveness and the connection cap -------------------------------------------------------------


async def bridge_connection_renew(*, schema: str, bridge: str, connection: str) -> int:
    """Say this connection is alive for another bridge_alive_seconds(); returns how many of
    the bridge's connections are alive now, this one included (in one atomic step, so two
    connections opening at once are counted one after the other)."""
    now = time.time()
    ttl = bridge_alive_seconds()
    key = _bridge_key(schema, bridge)
    if not settings.REDIS_URL:
        with _local_lock:
            members = _local_trim(key, now)
            members[connection] = now + ttl
            return len(members)
    async with _aredis().pipeline(transaction=True) as pipe:
        pipe.zremrangebyscore(key, "-inf", now)
        pipe.zadd(key, {connection: now + ttl})
        pipe.zcard(key)
        pipe.expire(key, int(ttl) + 1)
        _, _, alive, _ = await pipe.execute()
    return int(alive)


async def bridge_connection_forget(*, schema: str, bridge: str, connection: str) -> None:
    """The connection closed: it no longer counts, at once."""
    key = _bridge_key(schema, bridge)
    if not settings.REDIS_URL:
        with _local_lock:
            _local.get(key, {}).pop(connection, None)
        return
    await _aredis().zrem(key, connection)


def bridges_connected(*, schema: str, bridges: list[str]) -> set[str]:
    """Those of the bridges (public ids) with a connection alive now."""
    now = time.time()
    if not bridges:
        return set()
    if not settings.REDIS_URL:
        with _local_lock:
            return {b for b in bridges if any(score > now for score in _local.get(_bridge_key(schema, b), {}).values())}
    with _redis().pipeline(transaction=False) as pipe:
        for bridge in bridges:
            pipe.zcount(_bridge_key(schema, bridge), f"({now}", "+inf")
        counts = pipe.execute()
    return {bridge for bridge, count in zip(bridges, counts, strict=True) if count}


# --- liveness announced to what is derived from it ------------------------------------------------
# Stored judgements that depend on a bridge being connected (compliance's "live connection
# required") are recomputed when a bridge comes or goes (live.liveness), not on every frame or
# renewal. The bridges last announced as connected are kept in one set per department, so that
# each change is announced once (two connections of one token announce nothing new), and so
# that a sweep can find the bridges whose presence expired without a disconnect (a killed
# process): announced, yet no connection alive.


def _announced_key(schema: str) -> str:
    return f"{PREFIX}:{schema}:bridges:announced"


# Remove the bridge from the announced set only if none of its connections is alive now: in one
# step, so that a connection opening meanwhile is either counted here or announces itself after.
_WITHDRAW = """
if redis.call('ZCOUNT', KEYS[1], '(' .. ARGV[1], '+inf') > 0 then return 0 end
return redis.call('SREM', KEYS[2], ARGV[2])
"""

_local_announced: dict[str, set[str]] = {}


def _local_withdraw(schema: str, bridge: str, now: float) -> bool:
    if any(score > now for score in _local.get(_bridge_key(schema, bridge), {}).values()):
        return False
    announced = _local_announced.setdefault(schema, set())
    if bridge not in announced:
        return False
    announced.discard(bridge)
    return True


async def bridge_liveness_announce(*, schema: str, bridge: str) -> bool:
    """A connection of the bridge is alive (call after bridge_connection_renew): True when the
    bridge was not announced as connected yet, so that what depends on it is told once."""
    if not settings.REDIS_URL:
        with _local_lock:
            announced = _local_announced.setdefault(schema, set())
            added = bridge not in announced
            announced.add(bridge)
            return added
    return bool(await _aredis().sadd(_announced_key(schema), bridge))


async def bridge_liveness_withdraw(*, schema: str, bridge: str) -> bool:
    """A connection of the bridge closed (call after bridge_connection_forget): True when it was
    announced as connected and none of its connections is alive any more."""
    now = time.time()
    if not settings.REDIS_URL:
        with _local_lock:
            return _local_withdraw(schema, bridge, now)
    withdrawn = await _aredis().eval(_WITHDRAW, 2, _bridge_key(schema, bridge), _announced_key(schema), now, bridge)
    return bool(withdrawn)


def bridges_expired_withdraw(*, schema: str) -> list[str]:
    """The bridges announced as connected whose every connection has expired without closing
    (the process holding them died): withdrawn now, and returned (public ids)."""
    now = time.time()
    if not settings.REDIS_URL:
        with _local_lock:
            announced = sorted(_local_announced.get(schema, set()))
            return [bridge for bridge in announced if _local_withdraw(schema, bridge, now)]
    client = _redis()
    announced = sorted(member.decode() for member in client.smembers(_announced_key(schema)))
    withdraw = client.register_script(_WITHDRAW)
    return [
        bridge
        for bridge in announced
        if withdraw(keys=[_bridge_key(schema, bridge), _announced_key(schema)], args=[now, bridge])
    ]


def schemas_with_announced_bridges(schemas: Sequence[str]) -> set[str]:
    """Of these departments, those with a bridge announced as connected: the only ones where
    ``bridges_expired_withdraw`` can find something (one pipelined EXISTS per department)."""
    if not settings.REDIS_URL:
        with _local_lock:
            return {schema for schema in schemas if _local_announced.get(schema)}
    pipe = _redis().pipeline(transaction=False)
    for schema in schemas:
        pipe.exists(_announced_key(schema))
    return {schema for schema, found in zip(schemas, pipe.execute(), strict=True) if found}


# --- viewers of a camera ------------------------------------------------------------------------
# Pub/sub queues nothing: a start or stop published while a bridge's process has no subscriber
# connection (it dropped and is reconnecting) is lost. So each open view says, with an expiry,
# that it watches its camera, and each bridge connection compares that with what it told its
# bridge, every few seconds, and tells it again where they differ (docs/bridge-protocol.md).


def viewer_alive_seconds() -> float:
    """How long a view counts as watching its camera after its last renewal; renewed every
    third of it. The same as a bridge connection's: a view whose process died stops its
    camera within this (plus the bridge connection's next comparison)."""
    return bridge_alive_seconds()


def _viewers_key(schema: str, camera: str) -> str:
    return f"{PREFIX}:{schema}:camera:{camera}:viewers"


def _jpeg_viewers_key(schema: str, camera: str) -> str:
    return f"{PREFIX}:{schema}:camera:{camera}:jpeg-viewers"


async def camera_viewer_renew(*, schema: str, camera: str, connection: str, jpeg: bool = False) -> None:
    """This view (its channel name) watches the camera for another viewer_alive_seconds();
    ``jpeg``: its browser cannot play H.264, so the camera must stream JPEG (cameras_jpeg_wanted)."""
    now = time.time()
    ttl = viewer_alive_seconds()
    keys = [_viewers_key(schema, camera)] + ([_jpeg_viewers_key(schema, camera)] if jpeg else [])
    if not settings.REDIS_URL:
        with _local_lock:
            for key in keys:
                _local_trim(key, now)[connection] = now + ttl
        return
    async with _aredis().pipeline(transaction=True) as pipe:
        for key in keys:
            pipe.zremrangebyscore(key, "-inf", now)
            pipe.zadd(key, {connection: now + ttl})
            pipe.expire(key, int(ttl) + 1)
        await pipe.execute()


async def camera_viewer_forget(*, schema: str, camera: str, connection: str) -> None:
    """The view ended: it watches the camera no more, at once."""
    keys = (_viewers_key(schema, camera), _jpeg_viewers_key(schema, camera))
    if not settings.REDIS_URL:
        with _local_lock:
            for key in keys:
                _local.get(key, {}).pop(connection, None)
        return
    async with _aredis().pipeline(transaction=False) as pipe:
        for key in keys:
            pipe.zrem(key, connection)
        await pipe.execute()


async def cameras_jpeg_wanted(*, schema: str, cameras: Sequence[str]) -> set[str]:
    """Those of the cameras that a view whose browser cannot play H.264 watches now: a bridge
    connection that starts them (after a reconnect, or telling a lost start again) asks for
    JPEG, as that view's own start did, or the view would get nothing it can show."""
    now = time.time()
    if not cameras:
        return set()
    if not settings.REDIS_URL:
        with _local_lock:
            return {
                c
                for c in cameras
                if any(score > now for score in _local.get(_jpeg_viewers_key(schema, c), {}).values())
            }
    async with _aredis().pipeline(transaction=False) as pipe:
        for camera in cameras:
            pipe.zcount(_jpeg_viewers_key(schema, camera), f"({now}", "+inf")
        counts = await pipe.execute()
    return {camera for camera, count in zip(cameras, counts, strict=True) if count}


async def cameras_watched(*, schema: str, cameras: Sequence[str]) -> set[str]:
    """Those of the cameras (public ids) that a view, in any process, watches now."""
    now = time.time()
    if not cameras:
        return set()
    if not settings.REDIS_URL:
        with _local_lock:
            return {
                c for c in cameras if any(score > now for score in _local.get(_viewers_key(schema, c), {}).values())
            }
    async with _aredis().pipeline(transaction=False) as pipe:
        for camera in cameras:
            pipe.zcount(_viewers_key(schema, camera), f"({now}", "+inf")
        counts = await pipe.execute()
    return {camera for camera, count in zip(cameras, counts, strict=True) if count}


# --- frame rate per camera -----------------------------------------------------------------------

_frame_ids = itertools.count()
# Drop the window's old frames, then take this frame only if the window has room: only frames
# let through count, so two connections sending the same camera share the rate instead of
# both being starved by each other's dropped frames. Atomic, so the cap holds across processes.
_TAKE_FRAME = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('EXPIRE', KEYS[1], 2)
return 1
"""


async def camera_frame_take(*, schema: str, camera: str, connection: str, per_second: int) -> bool:
    """Whether one more frame of the camera fits in a one-second sliding window of at most
    ``per_second`` frames, over every connection that sends it; if so it is counted."""
    now = time.time()
    key = _camera_key(schema, camera)
    member = f"{connection}:{next(_frame_ids)}"
    if not settings.REDIS_URL:
        with _local_lock:
            members = _local_trim(key, now - 1.0)
            if len(members) >= per_second:
                return False
            members[member] = now
            return True
    taken = await _aredis().eval(_TAKE_FRAME, 1, key, now - 1.0, now, per_second, member)
    return bool(taken)


# --- positions of mobile cameras -------------------------------------------------------------

# A bridge sends a streaming camera's position once a second; accepted ones are at least this
# far apart. Not a full second: a bridge pacing exactly 1 s apart reaches us with network
# jitter, and a window of 1 s would then drop about every other one.
POSITION_MIN_INTERVAL_SECONDS = 0.9


def _position_key(schema: str, camera: str) -> str:
    return f"{PREFIX}:{schema}:camera:{camera}:position"


async def camera_position_take(*, schema: str, camera: str) -> bool:
    """Whether a position of the camera may be taken now: none was taken in the last
    POSITION_MIN_INTERVAL_SECONDS, over every connection and process (one atomic SET NX
    with an expiry); if so, this one counts."""
    key = _position_key(schema, camera)
    if not settings.REDIS_URL:
        now = time.time()
        with _local_lock:
            members = _local_trim(key, now - POSITION_MIN_INTERVAL_SECONDS)
            if members:
                return False
            members["taken"] = now
            return True
    taken = await _aredis().set(key, 1, nx=True, px=int(POSITION_MIN_INTERVAL_SECONDS * 1000))
    return bool(taken)
