"""Where a mobile camera is (body-worn camera, drone, patrol car): position providers for the
bridge program (docs/bridge-protocol.md, "Positions").

A provider gives the camera's latest fix whenever asked (:meth:`PositionProvider.latest`); the
client sends it as a ``position`` message once a second while the camera streams and every
30 s otherwise. Provider strings (the values of ``[positions]`` in bridge.toml):

``route:<file>[?speed=<m/s>]``  replays a route at a steady speed (default 10 m/s), from its
                                 start to its end and back, for demos and tests: a GeoJSON
                                 LineString (a geometry, a Feature or the first LineString of a
                                 FeatureCollection) or a CSV of ``lat,lon`` rows (a header row
                                 is skipped)
``gpsd://<host>[:<port>]``       gpsd's JSON over TCP (port 2947 by default): the latest TPV
                                 report with a 2D or 3D fix
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import datetime as dt
import itertools
import json
import logging
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

from bridge import protocol

logger = logging.getLogger("porchlight.bridge")

EARTH_RADIUS_M = 6_371_008.8
DEFAULT_SPEED_MPS = 10.0
GPSD_PORT = 2947
ROUTE_ACCURACY_M = 5.0


class ProviderError(ValueError):
    """A provider string or route file the bridge cannot use, phrased for one line."""


@dataclass(frozen=True)
class Fix:
    lat: float
    lon: float
    heading: int | None
    accuracy_m: float | None
    time: dt.datetime  # UTC


class PositionProvider(Protocol):
    async def start(self) -> None: ...

    def latest(self) -> Fix | None: ...

    async def close(self) -> None: ...


def position_message(camera: str, fix: Fix) -> dict[str, Any]:
    """The ``position`` message for a fix (heading and accuracy only when known)."""
    message: dict[str, Any] = {
        "type": protocol.POSITION,
        "camera": camera,
        "lat": round(fix.lat, 7),
        "lon": round(fix.lon, 7),
        "time": fix.time.isoformat(timespec="milliseconds"),
    }
    if fix.heading is not None:
        message["heading"] = fix.heading
    if fix.accuracy_m is not None:
        message["accuracy"] = round(fix.accuracy_m, 1)
    return message


def make_provider(spec: str) -> PositionProvider:
    """A provider for a string of ``[positions]``, or :class:`ProviderError`."""
    if spec.startswith("route:"):
        path, _, query = spec[len("route:") :].partition("?")
        speed = DEFAULT_SPEED_MPS
        if query:
            raw = parse_qs(query).get("speed", [""])[0]
            try:
                speed = float(raw)
            except ValueError:
                raise ProviderError(f"route speed must be a number of m/s, not {raw!r}") from None
            if not math.isfinite(speed) or speed <= 0:
                raise ProviderError(f"route speed must be above 0 m/s, not {raw!r}")
        return RouteProvider(load_route(Path(path)), speed_mps=speed)
    if spec.startswith("gpsd://"):
        parts = urlsplit(spec)
        if not parts.hostname:
            raise ProviderError(f"gpsd provider needs a host: {spec!r} (e.g. gpsd://127.0.0.1:2947)")
        try:
            port = parts.port or GPSD_PORT
        except ValueError:
            raise ProviderError(f"gpsd provider has a bad port: {spec!r}") from None
        return GpsdProvider(parts.hostname, port)
    raise ProviderError(f"unknown position provider {spec!r}: use route:<file.geojson|file.csv> or gpsd://host:port")


# --- a route replayed --------------------------------------------------------------------------


def load_route(path: Path) -> list[tuple[float, float]]:
    """The route's points as (lat, lon), at least two, from GeoJSON or CSV."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProviderError(f"route file {path} not found") from None
    except OSError as exc:
        raise ProviderError(f"cannot read route file {path}: {exc.strerror}") from None
    points = _csv_points(path, text) if path.suffix.lower() == ".csv" else _geojson_points(path, text)
    if len(points) < 2:
        raise ProviderError(f"route file {path} needs at least two points")
    for lat, lon in points:
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ProviderError(f"route file {path}: ({lat}, {lon}) is not a latitude and longitude")
    return points


def _geojson_points(path: Path, text: str) -> list[tuple[float, float]]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ProviderError(f"route file {path} is not GeoJSON: {exc}") from None
    geometry = data
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        lines = [f.get("geometry") for f in data.get("features", []) if isinstance(f, dict)]
        geometry = next((g for g in lines if isinstance(g, dict) and g.get("type") == "LineString"), None)
    elif isinstance(data, dict) and data.get("type") == "Feature":
        geometry = data.get("geometry")
    if not isinstance(geometry, dict) or geometry.get("type") != "LineString":
        raise ProviderError(f"route file {path} has no LineString")
    try:
        return [(float(c[1]), float(c[0])) for c in geometry["coordinates"]]
    except (KeyError, TypeError, ValueError, IndexError):
        raise ProviderError(f"route file {path}: a LineString's coordinates are [lon, lat] pairs") from None


def _csv_points(path: Path, text: str) -> list[tuple[float, float]]:
    points = []
    for number, row in enumerate(csv.reader(text.splitlines()), start=1):
        if not row or not "".join(row).strip():
            continue
        try:
            points.append((float(row[0]), float(row[1])))
        except (ValueError, IndexError):
            if number == 1:  # a header such as "lat,lon"
                continue
            raise ProviderError(f"route file {path}, line {number}: expected lat,lon, got {','.join(row)!r}") from None
    return points


def _distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    dp, dl = p2 - p1, math.radians(b[1] - a[1])
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def _bearing(a: tuple[float, float], b: tuple[float, float]) -> int:
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    dl = math.radians(b[1] - a[1])
    y = math.sin(dl) * math.cos(p2)
    x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return round(math.degrees(math.atan2(y, x))) % 360


class RouteProvider:
    """A route walked at a steady speed from the moment it starts, to its end and back."""

    def __init__(self, points: list[tuple[float, float]], *, speed_mps: float = DEFAULT_SPEED_MPS) -> None:
        self.points = points
        self.speed = speed_mps
        self.legs = [_distance_m(a, b) for a, b in itertools.pairwise(points)]
        self.length = sum(self.legs)
        self._started: float | None = None

    async def start(self) -> None:
        if self._started is None:
            self._started = time.monotonic()

    def latest(self) -> Fix | None:
        if self._started is None:
            return None
        return self.at(time.monotonic() - self._started)

    def at(self, elapsed: float) -> Fix:
        """Where the route puts the camera ``elapsed`` seconds after the start."""
        travelled = self.speed * elapsed
        if self.length > 0:
            travelled %= 2 * self.length
        points, legs = self.points, self.legs
        if travelled > self.length:  # on the way back
            travelled -= self.length
            points, legs = points[::-1], legs[::-1]
        for i, leg in enumerate(legs):
            if travelled <= leg or i == len(legs) - 1:
                share = min(1.0, travelled / leg) if leg else 0.0
                (lat1, lon1), (lat2, lon2) = points[i], points[i + 1]
                lat, lon = lat1 + (lat2 - lat1) * share, lon1 + (lon2 - lon1) * share
                return Fix(lat, lon, _bearing(points[i], points[i + 1]), ROUTE_ACCURACY_M, dt.datetime.now(dt.UTC))
            travelled -= leg
        raise AssertionError("unreachable: the last leg returns")

    async def close(self) -> None:
        return None


# --- gpsd --------------------------------------------------------------------------------------

WATCH = b'?WATCH={"enable":true,"json":true};\n'


class GpsdProvider:
    """The latest fix from gpsd (JSON over TCP): TPV reports with mode 2 (2D) or 3 (3D).
    Reconnects with backoff while the bridge runs; no fix until gpsd has one."""

    def __init__(self, host: str, port: int = GPSD_PORT) -> None:
        self.host, self.port = host, port
        self._fix: Fix | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"gpsd-{self.host}")

    def latest(self) -> Fix | None:
        return self._fix

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        delay = 1.0
        while True:
            try:
                reader, writer = await asyncio.open_connection(self.host, self.port)
                try:
                    writer.write(WATCH)
                    await writer.drain()
                    delay = 1.0
                    while line := await reader.readline():
                        self.feed(line)
                finally:
                    writer.close()
            except OSError as exc:
                logger.warning("gpsd at %s:%d: %s; retrying in %.0f s", self.host, self.port, exc, delay)
            await asyncio.sleep(delay)
            delay = min(30.0, delay * 2)

    def feed(self, line: bytes) -> None:
        """Take one line of gpsd's output: a TPV report with a fix becomes the latest fix."""
        try:
            report = json.loads(line)
        except ValueError:
            return
        if not isinstance(report, dict) or report.get("class") != "TPV" or report.get("mode", 0) < 2:
            return
        lat, lon, raw_time = report.get("lat"), report.get("lon"), report.get("time")
        if not isinstance(lat, int | float) or not isinstance(lon, int | float) or not isinstance(raw_time, str):
            return
        try:
            at = dt.datetime.fromisoformat(raw_time).astimezone(dt.UTC)
        except ValueError:
            return
        track = report.get("track")
        heading = round(track) % 360 if isinstance(track, int | float) and math.isfinite(track) else None
        errors = [report.get(k) for k in ("eph", "epx", "epy")]
        accuracy = next((float(e) for e in errors if isinstance(e, int | float) and math.isfinite(e)), None)
        self._fix = Fix(float(lat), float(lon), heading, accuracy, at)
