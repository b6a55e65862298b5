"""Readers of OpenAddresses files: CSV (LON,LAT,NUMBER,STREET,UNIT,CITY,...,POSTCODE) and
GeoJSON (one Feature per line, as OpenAddresses publishes it, or one FeatureCollection).
Files may be gzip-compressed (``.gz``). Each reader yields, per row, its line number and
either an ``AddressIn`` or the reason the row is unusable; nothing here touches the database.
"""

import csv
import gzip
import io
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .normalize import address_key, normalize

# The columns that hold the spelled-out forms (places.models).
STREET_KEY_CHARS = 200
ADDRESS_KEY_CHARS = 400

__all__ = ["AddressIn", "RowError", "read_addresses"]


@dataclass(frozen=True)
class AddressIn:
    number: str
    street: str
    unit: str
    city: str
    postcode: str
    lon: float
    lat: float


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str


def _open(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return path.open(encoding="utf-8-sig", newline="")


def _address(fields: dict[str, Any], lon: Any, lat: Any) -> AddressIn | str:
    def text(name: str, limit: int) -> str:
        value = fields.get(name)
        return "" if value is None else str(value).strip()[:limit]

    try:
        x, y = float(lon), float(lat)
    except (TypeError, ValueError):
        return f"longitude/latitude {lon!r}, {lat!r} are not numbers"
    if not (math.isfinite(x) and math.isfinite(y) and -180 <= x <= 180 and -90 <= y <= 90):
        return f"longitude/latitude {lon}, {lat} are outside the Earth"
    if any(isinstance(value, str) and "\x00" in value for value in fields.values()):
        return "a field holds a NUL character (the file is damaged or not text)"
    street = text("street", 200)
    if not street:
        return "the street is empty"
    point = AddressIn(
        number=text("number", 20),
        street=street,
        unit=text("unit", 50),
        city=text("city", 100),
        postcode=text("postcode", 20),
        lon=x,
        lat=y,
    )
    # Abbreviations are spelled out for search ("W" -> "WEST"): a street can outgrow its column.
    if len(normalize(street)) > STREET_KEY_CHARS:
        return f"the street is longer than {STREET_KEY_CHARS} characters once spelled out"
    key = address_key(number=point.number, street=street, unit=point.unit, city=point.city, postcode=point.postcode)
    if len(key) > ADDRESS_KEY_CHARS:
        return f"the address is longer than {ADDRESS_KEY_CHARS} characters once spelled out"
    return point


def _csv_rows(handle: IO[str]) -> Iterator[tuple[int, AddressIn | str]]:
    reader = csv.DictReader(handle)
    if reader.fieldnames is None or not {"LON", "LAT", "STREET"} <= {f.strip().upper() for f in reader.fieldnames}:
        yield 1, "the header must name at least LON, LAT and STREET (OpenAddresses CSV)"
        return
    for row in reader:
        fields = {(k or "").strip().lower(): v for k, v in row.items()}
        yield reader.line_num, _address(fields, fields.get("lon"), fields.get("lat"))


def _feature(feature: Any) -> AddressIn | str:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return "not a GeoJSON Feature"
    geometry = feature.get("geometry") or {}
    coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
    if not isinstance(geometry, dict) or geometry.get("type") != "Point" or not isinstance(coordinates, list):
        return "the geometry is not a Point"
    if len(coordinates) < 2:
        return "the Point has no longitude/latitude"
    properties = feature.get("properties") or {}
    if not isinstance(properties, dict):
        return "the properties are not an object"
    return _address({k.lower(): v for k, v in properties.items()}, coordinates[0], coordinates[1])


def _geojson_rows(handle: IO[str]) -> Iterator[tuple[int, AddressIn | str]]:
    first = handle.readline()
    try:
        head = json.loads(first) if first.strip() else None
    except json.JSONDecodeError:
        head = None
    if head is None and first.lstrip().startswith("{"):
        # A FeatureCollection spread over many lines: read it whole; rows are numbered by feature.
        try:
            document = json.loads(first + handle.read())
        except json.JSONDecodeError as exc:
            yield exc.lineno, f"not valid JSON ({exc.msg})"
            return
        features = document.get("features") if isinstance(document, dict) else None
        if not isinstance(features, list):
            yield 1, "a GeoJSON file must be a FeatureCollection or one Feature per line"
            return
        for index, feature in enumerate(features, start=1):
            yield index, _feature(feature)
        return
    if isinstance(head, dict) and head.get("type") == "FeatureCollection":
        for index, feature in enumerate(head.get("features") or [], start=1):
            yield index, _feature(feature)
        return
    lines = [first]
    for number, line in enumerate(_chain(lines, handle), start=1):
        if not line.strip():
            continue
        try:
            feature = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, f"not valid JSON ({exc.msg})"
            continue
        yield number, _feature(feature)


def _chain(first: list[str], rest: IO[str]) -> Iterator[str]:
    yield from first
    yield from rest


def read_addresses(path: Path) -> Iterator[RowError | tuple[int, AddressIn]]:
    """Every row of ``path``: ``(line, AddressIn)`` or a ``RowError`` naming what is wrong."""
    name = path.name.lower().removesuffix(".gz")
    if not (name.endswith(".csv") or name.endswith((".geojson", ".geojsonl", ".json", ".ndjson"))):
        raise ValueError(f"{path.name}: expected an OpenAddresses .csv or .geojson file (optionally .gz)")
    with _open(path) as handle:
        rows = _csv_rows(handle) if name.endswith(".csv") else _geojson_rows(handle)
        for line, parsed in rows:
            yield RowError(line, parsed) if isinstance(parsed, str) else (line, parsed)
