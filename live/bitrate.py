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
_TAKE = """
local rate = tonumber(ARGV[1])
local full = rate * tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local size = tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or full
local at = tonumber(state[2]) or now
tokens = math.min(full, tokens + math.max(0, now - at) * rate)
local taken = 0
if size <= tokens then
  tokens = tokens - size
  taken = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', ARGV[3])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[5]))
return taken
"""

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
