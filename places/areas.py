"""Police areas (beats, districts) and sensitive places, imported from GeoJSON; and which area
a point lies in.

A file is checked whole before anything is written: every bad feature is reported by its
index (0-based, as in the file's ``features`` array) and then nothing is saved, so a
department never runs on half of a new beat map. A good file is written in one transaction,
matched by name: importing it again changes nothing; a renamed or reshaped area is updated.
Areas missing from the file are kept (the log's figures refer to them) and listed.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from django.contrib.gis.gdal.error import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry, MultiPolygon, Point, Polygon
from django.db import connection, transaction

from .models import AreaKind, PoliceArea, SensitiveKind, SensitivePlace

__all__ = [
    "AreaImportError",
    "AreaImportReport",
    "FeatureError",
    "areas_from_geojson",
    "areas_import",
    "police_area_at",
    "police_areas_at",
    "police_areas_list",
    "sensitive_places_near",
]

Which = Literal["police", "sensitive"]
_MODELS: dict[str, Any] = {"police": PoliceArea, "sensitive": SensitivePlace}
_KINDS: dict[str, Sequence[str]] = {"police": AreaKind.values, "sensitive": SensitiveKind.values}
# A name property under any of these keys (files exported from GIS tools spell it differently).
_NAME_KEYS = ("name", "NAME", "Name", "beat", "BEAT", "district", "DISTRICT", "label")


@dataclass(frozen=True)
class FeatureError:
    index: int
    reason: str

    def __str__(self) -> str:
        return f"feature {self.index}: {self.reason}"


class AreaImportError(ValueError):
    """The file or some of its features are not usable; nothing was saved."""

    def __init__(self, message: str, errors: Sequence[FeatureError] = ()) -> None:
        super().__init__(message)
        self.errors = list(errors)


@dataclass(frozen=True)
class AreaIn:
    name: str
    kind: str
    area: MultiPolygon


@dataclass
class AreaImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    not_in_file: list[str] = field(default_factory=list)


def _feature_area(index: int, feature: Any, *, which: Which, default_kind: str) -> AreaIn | FeatureError:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return FeatureError(index, "not a GeoJSON Feature")
    properties = feature.get("properties") or {}
    if not isinstance(properties, dict):
        return FeatureError(index, "its properties are not an object")
    try:
        name = next((str(properties[key]).strip() for key in _NAME_KEYS if properties.get(key) not in (None, "")), "")
    except RecursionError:  # a name that is a list nested too deeply to be written out
        return FeatureError(index, "its name is nested too deeply")
    if not name:
        return FeatureError(index, f"no name (a property named one of {', '.join(_NAME_KEYS[:3])})")
    if len(name) > 200:
        return FeatureError(index, "its name is longer than 200 characters")
    kind = str(properties.get("kind") or default_kind)
    if kind not in _KINDS[which]:
        return FeatureError(index, f"kind {kind!r} is not one of {', '.join(_KINDS[which])}")
    geometry = feature.get("geometry")
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        return FeatureError(index, f"{name!r}: its geometry is not a Polygon or MultiPolygon")
    try:
        shape = GEOSGeometry(json.dumps(geometry), srid=4326)
    except RecursionError:  # parsed, but too deep to write back out for GEOS
        return FeatureError(index, f"{name!r}: its geometry is nested too deeply")
    except (GEOSException, GDALException, ValueError, TypeError) as exc:
        return FeatureError(index, f"{name!r}: its geometry cannot be read ({exc})")
    if shape.empty:
        return FeatureError(index, f"{name!r}: its geometry is empty")
    min_x, min_y, max_x, max_y = shape.extent
    if min_x < -180 or max_x > 180 or min_y < -90 or max_y > 90:
        return FeatureError(index, f"{name!r}: coordinates are not longitude/latitude (WGS 84, EPSG:4326)")
    if not shape.valid:
        return FeatureError(index, f"{name!r}: the polygon is not valid ({shape.valid_reason})")
    area = MultiPolygon(shape, srid=4326) if isinstance(shape, Polygon) else shape
    return AreaIn(name=name, kind=kind, area=area)  # type: ignore[arg-type]


def areas_from_geojson(text: str, *, which: Which, default_kind: str) -> list[AreaIn]:
    """The areas of a GeoJSON FeatureCollection; AreaImportError naming every bad feature."""
    try:
        document = json.loads(text)
    except RecursionError as exc:  # arrays or objects nested deeper than the parser's stack
        raise AreaImportError("not usable GeoJSON: it is nested too deeply") from exc
    except ValueError as exc:
        raise AreaImportError(f"not JSON: {exc}") from exc
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise AreaImportError("not a GeoJSON FeatureCollection")
    features = document.get("features")
    if not isinstance(features, list) or not features:
        raise AreaImportError("the FeatureCollection has no features")
    areas: list[AreaIn] = []
    errors: list[FeatureError] = []
    seen: dict[str, int] = {}
    for index, feature in enumerate(features):
        result = _feature_area(index, feature, which=which, default_kind=default_kind)
        if isinstance(result, FeatureError):
            errors.append(result)
        elif result.name in seen:
            errors.append(FeatureError(index, f"{result.name!r} is also the name of feature {seen[result.name]}"))
        else:
            seen[result.name] = index
            areas.append(result)
    if errors:
        raise AreaImportError(f"{len(errors)} of {len(features)} features are not usable; nothing was saved", errors)
    return areas


def areas_import(*, path: Path, which: Which, default_kind: str) -> AreaImportReport:
    """Load a GeoJSON file of police areas or sensitive places into this department's schema,
    all or nothing (module docstring)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AreaImportError(f"{path}: cannot be read ({exc})") from exc
    areas = areas_from_geojson(text, which=which, default_kind=default_kind)
    model = _MODELS[which]
    report = AreaImportReport()
    with transaction.atomic():
        existing = {row.name: row for row in model.objects.select_for_update()}
        for area in areas:
            row = existing.pop(area.name, None)
            if row is None:
                model.objects.create(name=area.name, kind=area.kind, area=area.area)
                report.created.append(area.name)
            elif row.kind != area.kind or not row.area.equals_exact(area.area, tolerance=1e-9):
                row.kind, row.area = area.kind, area.area
                row.save(update_fields=["kind", "area"])
                report.updated.append(area.name)
            else:
                report.unchanged.append(area.name)
        report.not_in_file = sorted(existing)
    return report


@dataclass(frozen=True)
class AreaRef:
    pk: int
    name: str
    kind: str


def police_areas_list() -> list[AreaRef]:
    return [AreaRef(pk, name, kind) for pk, name, kind in PoliceArea.objects.values_list("pk", "name", "kind")]


def police_area_at(*, lon: float, lat: float) -> AreaRef | None:
    """The police area containing the point (a beat before a district when both do)."""
    row = (
        PoliceArea.objects.filter(area__intersects=Point(lon, lat, srid=4326))
        .order_by("kind", "pk")
        .values_list("pk", "name", "kind")
        .first()
    )
    return AreaRef(*row) if row else None


def police_areas_at(points: Sequence[tuple[float, float]]) -> list[AreaRef | None]:
    """The police area of each (lon, lat) point, in order (None outside every area), in one
    query: a page of sites is placed at once (compliance.records)."""
    if not points:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT a.id, a.name, a.kind FROM unnest(%s::float8[], %s::float8[]) WITH ORDINALITY AS p(x, y, i)
            LEFT JOIN LATERAL (
                SELECT id, name, kind FROM places_policearea
                WHERE ST_Intersects(area, ST_SetSRID(ST_MakePoint(p.x, p.y), 4326))
                ORDER BY kind, id LIMIT 1
            ) AS a ON true
            ORDER BY p.i
            """,
            [[p[0] for p in points], [p[1] for p in points]],
        )
        return [AreaRef(pk, name, kind) if pk is not None else None for pk, name, kind in cursor.fetchall()]


def sensitive_places_near(shapes: Sequence[tuple[str, float]], *, distance_m: float) -> list[list[str]]:
    """For each (WKT shape in lon/lat, extra metres) the names of the sensitive places within
    ``distance_m`` + extra of it, in order, in one query (the anomaly queue: a search's circle
    is its centre with its radius as the extra)."""
    if not shapes:
        return []
    found: list[list[str]] = [[] for _ in shapes]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT s.i, p.name FROM unnest(%s::text[], %s::float8[]) WITH ORDINALITY AS s(wkt, extra, i)
            JOIN places_sensitiveplace AS p
              ON ST_DWithin(p.area::geography, ST_GeomFromText(s.wkt, 4326)::geography, s.extra + %s)
            ORDER BY s.i, p.name
            """,
            [[shape for shape, _ in shapes], [extra for _, extra in shapes], distance_m],
        )
        for index, name in cursor.fetchall():
            found[index - 1].append(name)
    return found
