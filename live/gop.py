"""The last GOP of each watched H.264 camera, so that a viewer who joins starts at once.

A viewer can only start decoding at a keyframe; cameras send one every 1-4 s. The bridge's
connection keeps, per camera, the units since the last keyframe (and the codec description)
in Redis, where a viewer in any server process reads them when it joins: it then shows the
picture within one unit's travel instead of waiting for the camera's next keyframe.

Kept only while the camera streams: every write renews a short expiry (GOP_TTL_SECONDS), so
when the bridge stops (nobody watches) the units are gone within seconds; nothing is kept
for longer than a viewer could use it. A GOP longer than GOP_MAX_UNITS is not cached (a viewer
then waits for the next keyframe).
"""

from __future__ import annotations

import time

from django.conf import settings

from . import presence

GOP_TTL_SECONDS = 10
GOP_MAX_UNITS = 300  # 10 s at 30 fps

# Without Redis (the embedded default): in this process, as presence does.
_local: dict[str, tuple[float, list[bytes]]] = {}
_local_codec: dict[str, tuple[float, str]] = {}


def _key(schema: str, camera: str) -> str:
    return f"{presence.PREFIX}:{schema}:camera:{camera}:gop"


def _codec_key(schema: str, camera: str) -> str:
    return f"{presence.PREFIX}:{schema}:camera:{camera}:codec"


async def gop_codec_set(*, schema: str, camera: str, codec: str) -> None:
    """The camera's codec description (the JSON relayed to viewers); its GOP starts anew."""
    key, codec_key = _key(schema, camera), _codec_key(schema, camera)
    if not settings.REDIS_URL:
        _local.pop(key, None)
        _local_codec[codec_key] = (time.monotonic() + GOP_TTL_SECONDS, codec)
        return
    async with presence._aredis().pipeline(transaction=True) as pipe:
        pipe.delete(key)
        pipe.set(codec_key, codec, ex=GOP_TTL_SECONDS)
        await pipe.execute()


async def gop_append(*, schema: str, camera: str, unit: bytes, keyframe: bool) -> None:
    """Add a unit (capture time, flags and Annex B, as relayed to viewers); a keyframe
    replaces what was kept. A unit that would make the GOP too long empties it instead."""
    key, codec_key = _key(schema, camera), _codec_key(schema, camera)
    if not settings.REDIS_URL:
        now = time.monotonic()
        expires, units = _local.get(key, (0.0, []))
        if keyframe or expires < now:
            units = []
        if keyframe or units:
            units.append(unit)
        _local[key] = (now + GOP_TTL_SECONDS, units if len(units) <= GOP_MAX_UNITS else [])
        if codec_key in _local_codec:
            _local_codec[codec_key] = (now + GOP_TTL_SECONDS, _local_codec[codec_key][1])
        return
    async with presence._aredis().pipeline(transaction=True) as pipe:
        if keyframe:
            pipe.delete(key)
            pipe.rpush(key, unit)
        else:
            pipe.rpushx(key, unit)  # no keyframe kept: nothing a viewer could start from
        pipe.expire(key, GOP_TTL_SECONDS)
        pipe.expire(codec_key, GOP_TTL_SECONDS)
        pipe.llen(key)
        results = await pipe.execute()
    if results[-1] > GOP_MAX_UNITS:
        await presence._aredis().delete(key)


async def gop_read(*, schema: str, camera: str) -> tuple[str | None, list[bytes]]:
    """(codec description, units from the last keyframe), or (None, []) when none is kept."""
    key, codec_key = _key(schema, camera), _codec_key(schema, camera)
    if not settings.REDIS_URL:
        now = time.monotonic()
        codec = _local_codec.get(codec_key)
        expires, units = _local.get(key, (0.0, []))
        if codec is None or codec[0] < now:
            return None, []
        return codec[1], list(units) if expires >= now else []
    async with presence._aredis().pipeline(transaction=False) as pipe:
        pipe.get(codec_key)
        pipe.lrange(key, 0, -1)
        codec, units = await pipe.execute()
    if codec is None:
        return None, []
    return codec.decode(), list(units)


async def gop_forget(*, schema: str, camera: str) -> None:
    """The camera stopped: what was kept goes now rather than at its expiry."""
    key, codec_key = _key(schema, camera), _codec_key(schema, camera)
    if not settings.REDIS_URL:
        _local.pop(key, None)
        _local_codec.pop(codec_key, None)
        return
    await presence._aredis().delete(key, codec_key)
