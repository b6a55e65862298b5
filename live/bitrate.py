"""The department policy's H.264 bitrate cap, held per camera (docs/bridge-protocol.md, "H.264 units").

A token bucket per camera that refills at the policy's rate and holds BURST_SECONDS of it, so
that a keyframe (several times a delta unit) passes. It lives in Redis, keyed by the camera,
not in the connection: every connection and server process that carries the camera's units
draws from the same bucket, so a bridge that reconnects (or opens a second connection on its
token) does not start with a fresh allowance, and each of a bridge's cameras has the whole cap
to itself (a bridge is an NVR; the cap is about one camera's stream, not the owner's link).

Without Redis (the embedded default: one process) the buckets live in this process.
"""

from __future__ import annotations

import math
import threading
import time

from django.conf import settings

from . import presence

__all__ = ["BURST_SECONDS", "camera_bitrate_take"]

# Two seconds of the cap: a keyframe of a 1-4 s GOP is 5-20 % of its GOP's bytes, so it fits
# with room to spare, while a camera cannot send more than the cap for longer than this.
BURST_SECONDS = 2.0

# Refill by the time passed, then take ``size`` if the bucket has it. One step, so two
# processes taking from one camera's bucket at once are counted one after the other. A bucket
# idle for BURST_SECONDS is full again, which is what a missing key means: it expires then.
# The bucket itself, shared by _TAKE and _ADMIT: the script sets ``bucket`` (its key), ``rate``,
# ``full``, ``now`` (and ``now_text``, as stored), ``size`` and ``expiry``; it sets ``taken``.
_BUCKET = """
local state = redis.call('HMGET', bucket, 'tokens', 'at')
local tokens = tonumber(state[1]) or full
local at = tonumber(state[2]) or now
tokens = math.min(full, tokens + math.max(0, now - at) * rate)
local taken = 0
if size <= tokens then
  tokens = tokens - size
  taken = 1
end
redis.call('HSET', bucket, 'tokens', tostring(tokens), 'at', now_text)
redis.call('EXPIRE', bucket, expiry)
"""

_TAKE = (
    """
local bucket = KEYS[1]
local rate = tonumber(ARGV[1])
local full = rate * tonumber(ARGV[2])
local now_text = ARGV[3]
local now = tonumber(now_text)
local size = tonumber(ARGV[4])
local expiry = tonumber(ARGV[5])
"""
    + _BUCKET
    + """
return taken
"""
)

_local: dict[str, tuple[float, float]] = {}  # key → (bytes in the bucket, when)
_local_lock = threading.Lock()


def _key(schema: str, camera: str) -> str:
    return f"{presence.PREFIX}:{schema}:camera:{camera}:bitrate"


async def camera_bitrate_take(
    *, schema: str, camera: str, size: int, bits_per_second: int, now: float | None = None
) -> bool:
    """Whether ``size`` more bytes of the camera fit its bucket (``bits_per_second``, holding
    BURST_SECONDS of it); if so they are taken. ``now`` (seconds, wall clock) is for tests."""
    now = time.time() if now is None else now
    rate = bits_per_second / 8
    key = _key(schema, camera)
    if not settings.REDIS_URL:
        with _local_lock:
            full = rate * BURST_SECONDS
            tokens, at = _local.get(key, (full, now))
            tokens = min(full, tokens + max(0.0, now - at) * rate)
            taken = size <= tokens
            _local[key] = (tokens - size if taken else tokens, now)
            return taken
    expiry = math.ceil(BURST_SECONDS) + 1
    taken = await presence._aredis().eval(_TAKE, 1, key, rate, BURST_SECONDS, repr(now), size, expiry)
    return bool(taken)


# An H.264 unit admitted in one Redis step (BridgeConsumer._unit): the camera's unit rate
# (presence.camera_frame_take's window), its bitrate bucket (above) and, if both let it through,
# its GOP cache (live.gop.gop_append). Three round trips a unit were the relay's entry cost: at
# 30 units a second with 50 viewers, each await queued behind the viewers' sends (bench/relay.py
# --codecs h264: a unit's first copy p99 400 ms against 26 ms for a JPEG at 15 a second).
_ADMIT = (
    """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
local bucket = KEYS[2]
local rate = tonumber(ARGV[5])
local full = rate * tonumber(ARGV[6])
local now_text = ARGV[2]
local now = tonumber(now_text)
local size = tonumber(ARGV[7])
local expiry = tonumber(ARGV[8])
"""
    + _BUCKET
    + """if taken == 0 then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('EXPIRE', KEYS[1], 2)
if ARGV[9] == '1' then
  redis.call('DEL', KEYS[3])
  redis.call('RPUSH', KEYS[3], ARGV[10])
else
  redis.call('RPUSHX', KEYS[3], ARGV[10])
end
redis.call('EXPIRE', KEYS[3], tonumber(ARGV[11]))
redis.call('EXPIRE', KEYS[4], tonumber(ARGV[11]))
if redis.call('LLEN', KEYS[3]) > tonumber(ARGV[12]) then redis.call('DEL', KEYS[3]) end
return 1
"""
)


async def camera_unit_admit(
    *,
    schema: str,
    camera: str,
    connection: str,
    unit: bytes,
    size: int,
    keyframe: bool,
    bits_per_second: int,
    per_second: int,
) -> bool:
    """Whether the camera's unit goes to its viewers: within ``per_second`` units in any one
    second and within its bitrate bucket (``size`` bytes, counted in both if so), and then kept
    in its GOP cache as ``unit`` (the bytes relayed). One Redis step."""
    from . import gop

    if not settings.REDIS_URL:
        if not await presence.camera_frame_take(
            schema=schema, camera=camera, connection=connection, per_second=per_second
        ):
            return False
        if not await camera_bitrate_take(schema=schema, camera=camera, size=size, bits_per_second=bits_per_second):
            return False
        await gop.gop_append(schema=schema, camera=camera, unit=unit, keyframe=keyframe)
        return True
    now = time.time()
    keys = (presence._camera_key(schema, camera), _key(schema, camera), gop._key(schema, camera))
    admitted = await presence._aredis().eval(
        _ADMIT,
        4,
        *keys,
        gop._codec_key(schema, camera),
        repr(now - 1.0),
        repr(now),
        per_second,
        f"{connection}:{next(presence._frame_ids)}",
        bits_per_second / 8,
        BURST_SECONDS,
        size,
        math.ceil(BURST_SECONDS) + 1,
        "1" if keyframe else "0",
        unit,
        gop.GOP_TTL_SECONDS,
        gop.GOP_MAX_UNITS,
    )
    return bool(admitted)
