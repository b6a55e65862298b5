"""Reading a file of the department's own cameras (docs/department-cameras.md): CSV with a
header row, or a GeoJSON FeatureCollection of points. Each row becomes a ``CameraRow`` or one
``RowError`` per wrong cell, naming the row, the column and what is wrong. No ORM and no
clock here: cameras.department checks the rows against the department (its boundary, the
labels already in use) and stores them.

Rows are numbered as the administrator sees them: a CSV's physical line (the header is line
1), a GeoJSON feature's position in its list, from 1.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = [
    "COLUMNS",
    "REQUIRED_COLUMNS",
    "STREAM_SCHEMES",
    "CameraRow",
    "Column",
    "FileProblem",
    "RowError",
    "RowProblem",
    "read_csv",
    "read_geojson",
    "stream_url_problem",
]


class Column(StrEnum):
    LABEL = "label"
    LATITUDE = "latitude"
    LONGITUDE = "longitude"
    BEARING = "bearing"
    FOV = "field_of_view"
    RANGE = "range"
    STREAM_URL = "stream_url"
    ADDRESS = "address"
    MOBILE = "mobile"


COLUMNS = tuple(Column)
# In GeoJSON the point gives latitude and longitude.
REQUIRED_COLUMNS = (Column.LABEL, Column.LATITUDE, Column.LONGITUDE, Column.BEARING)
DEFAULT_FOV = 90
DEFAULT_RANGE = 50
LABEL_MAX = 120
ADDRESS_MAX = 255
STREAM_URL_MAX = 500
STREAM_SCHEMES = ("rtsp://", "rtsps://", "http://", "https://")
# Other titles seen in cities' camera inventories, read as ours (compared in lower case).
ALIASES = {
    "name": Column.LABEL,
    "lat": Column.LATITUDE,
    "lon": Column.LONGITUDE,
    "lng": Column.LONGITUDE,
    "long": Column.LONGITUDE,
    "heading": Column.BEARING,
    "direction": Column.BEARING,
    "fov": Column.FOV,
    "field of view": Column.FOV,
    "range_m": Column.RANGE,
    "bearing_deg": Column.BEARING,
    "fov_angle_deg": Column.FOV,
    "url": Column.STREAM_URL,
    "stream": Column.STREAM_URL,
}


class RowProblem(StrEnum):
    """What is wrong with one cell (cameras.department.row_error_sentence words it)."""

    MISSING = "missing"
    NOT_A_NUMBER = "not_a_number"
    LATITUDE_RANGE = "latitude_range"
    LONGITUDE_RANGE = "longitude_range"
    BEARING_RANGE = "bearing_range"
    FOV_RANGE = "fov_range"
    RANGE_RANGE = "range_range"
    TOO_LONG = "too_long"
    STREAM_SCHEME = "stream_scheme"
    DUPLICATE_LABEL = "duplicate_label"
    LABEL_IN_USE = "label_in_use"
    OUTSIDE = "outside"
    NOT_A_POINT = "not_a_point"
    NOT_YES_NO = "not_yes_no"


class FileProblem(StrEnum):
    """What is wrong with the whole file (row 0 of the errors)."""

    UNREADABLE = "unreadable"
    ENCODING = "encoding"
    MISSING_COLUMN = "missing_column"
    EMPTY = "empty"
    TOO_MANY_ROWS = "too_many_rows"
    NOT_GEOJSON = "not_geojson"


@dataclass(frozen=True)
class CameraRow:
    row: int
    label: str
    lat: float
    lon: float
    bearing_deg: int
    fov_angle_deg: int = DEFAULT_FOV
    range_m: int = DEFAULT_RANGE
    stream_url: str = ""
    address: str = ""
    mobile: bool = False


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    problem: str
    params: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "problem": self.problem, "params": self.params}


def stream_url_problem(url: str) -> str | None:
    """Why a stream URL cannot be stored (None: it can). Its value is never repeated in a
    message: it may carry a password."""
    if len(url) > STREAM_URL_MAX:
        return RowProblem.TOO_LONG
    if url and not url.lower().startswith(STREAM_SCHEMES):
        return RowProblem.STREAM_SCHEME
    return None


def _number(raw: Any, row: int, column: str, errors: list[RowError]) -> float | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        errors.append(RowError(row, column, RowProblem.MISSING))
        return None
    try:
        value = float(raw.strip() if isinstance(raw, str) else raw)
    except (TypeError, ValueError):
        errors.append(RowError(row, column, RowProblem.NOT_A_NUMBER))
        return None
    if not math.isfinite(value):
        errors.append(RowError(row, column, RowProblem.NOT_A_NUMBER))
        return None
    return value


def _whole(
    raw: Any, row: int, column: str, errors: list[RowError], *, low: int, high: int, problem: str, default: int | None
) -> int | None:
    if default is not None and (raw is None or (isinstance(raw, str) and not raw.strip())):
        return default
    value = _number(raw, row, column, errors)
    if value is None:
        return None
    if value != int(value) or not (low <= value <= high):
        errors.append(RowError(row, column, problem, {"low": low, "high": high}))
        return None
    return int(value)


def _row(values: dict[str, Any], row: int) -> tuple[CameraRow | None, list[RowError]]:
    """One row's values by column (strings from a CSV, JSON values from GeoJSON)."""
    errors: list[RowError] = []
    label = str(values.get(Column.LABEL) or "").strip()
    if not label:
        errors.append(RowError(row, Column.LABEL, RowProblem.MISSING))
    elif len(label) > LABEL_MAX:
        errors.append(RowError(row, Column.LABEL, RowProblem.TOO_LONG, {"max": LABEL_MAX}))
    lat = _number(values.get(Column.LATITUDE), row, Column.LATITUDE, errors)
    if lat is not None and not -90 <= lat <= 90:
        errors.append(RowError(row, Column.LATITUDE, RowProblem.LATITUDE_RANGE))
        lat = None
    lon = _number(values.get(Column.LONGITUDE), row, Column.LONGITUDE, errors)
    if lon is not None and not -180 <= lon <= 180:
        errors.append(RowError(row, Column.LONGITUDE, RowProblem.LONGITUDE_RANGE))
        lon = None
    bearing = _whole(
        values.get(Column.BEARING),
        row,
        Column.BEARING,
        errors,
        low=0,
        high=359,
        problem=RowProblem.BEARING_RANGE,
        default=None,
    )
    fov = _whole(
        values.get(Column.FOV),
        row,
        Column.FOV,
        errors,
        low=1,
        high=360,
        problem=RowProblem.FOV_RANGE,
        default=DEFAULT_FOV,
    )
    range_m = _whole(
        values.get(Column.RANGE),
        row,
        Column.RANGE,
        errors,
        low=1,
        high=500,
        problem=RowProblem.RANGE_RANGE,
        default=DEFAULT_RANGE,
    )
    stream_url = str(values.get(Column.STREAM_URL) or "").strip()
    if problem := stream_url_problem(stream_url):
        errors.append(RowError(row, Column.STREAM_URL, problem, {"max": STREAM_URL_MAX}))
    address = str(values.get(Column.ADDRESS) or "").strip()
    if len(address) > ADDRESS_MAX:
        errors.append(RowError(row, Column.ADDRESS, RowProblem.TOO_LONG, {"max": ADDRESS_MAX}))
    mobile = _yes_no(values.get(Column.MOBILE), row, errors)
    if errors or lat is None or lon is None or bearing is None or fov is None or range_m is None:
        return None, errors
    return CameraRow(row, label, lat, lon, bearing, fov, range_m, stream_url, address, bool(mobile)), []


_YES = frozenset({"yes", "y", "true", "1", "mobile"})
_NO = frozenset({"no", "n", "false", "0", "fixed", ""})


def _yes_no(raw: Any, row: int, errors: list[RowError]) -> bool | None:
    """The ``mobile`` column: blank is a fixed camera; yes/no, true/false, 1/0 (any case)."""
    if isinstance(raw, bool):
        return raw
    text = str(raw if raw is not None else "").strip().casefold()
    if text in _YES:
        return True
    if text in _NO:
        return False
    errors.append(RowError(row, Column.MOBILE, RowProblem.NOT_YES_NO))
    return None


@dataclass
class Reading:
    """What a file held: its good rows, every error of the others, and how many rows. The
    caller stores the rows only when there is no error at all (and its own checks add none)."""

    rows: list[CameraRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    total: int = 0


def _column_of(title: str) -> str | None:
    key = " ".join(title.strip().lower().replace("-", " ").split())
    if key.replace(" ", "_") in COLUMNS:
        return key.replace(" ", "_")
    return ALIASES.get(key)


def _check_rows(items: Iterator[tuple[int, dict[str, Any]]], *, max_rows: int, progress: Any) -> Reading:
    reading = Reading()
    labels: dict[str, int] = {}
    for number, values in items:
        reading.total += 1
        if reading.total > max_rows:
            reading.errors = [RowError(0, "", FileProblem.TOO_MANY_ROWS, {"max": max_rows})]
            reading.rows = []
            return reading
        row, errors = _row(values, number)
        if row is not None:
            first = labels.setdefault(row.label.casefold(), number)
            if first != number:
                errors.append(RowError(number, Column.LABEL, RowProblem.DUPLICATE_LABEL, {"first": first}))
            else:
                reading.rows.append(row)
        reading.errors.extend(errors)
        if progress is not None:
            progress(reading.total)
    if not reading.total:
        reading.errors.append(RowError(0, "", FileProblem.EMPTY))
    return reading


def read_csv(stream: IO[str], *, max_rows: int, progress: Any = None) -> Reading:
    """Every row of a CSV with a header naming the columns (docs/department-cameras.md)."""
    sample = stream.read(8192)
    stream.seek(0)
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample.strip() else csv.excel
    except csv.Error:
        dialect = csv.excel
    # strict: a quote never closed (or a stray one) is an error, not a cell that runs to the end.
    reader = csv.reader(stream, dialect, strict=True)
    try:
        header = next(reader, None)
    except csv.Error:
        return Reading(errors=[RowError(0, "", FileProblem.UNREADABLE)])
    if not header or not any(cell.strip() for cell in header):
        return Reading(errors=[RowError(0, "", FileProblem.EMPTY)])
    columns = [_column_of(title) for title in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        return Reading(errors=[RowError(0, str(c), FileProblem.MISSING_COLUMN) for c in missing])

    def items() -> Iterator[tuple[int, dict[str, Any]]]:
        line = reader.line_num + 1
        for cells in reader:
            if not any(cell.strip() for cell in cells):  # a blank line is no camera
                line = reader.line_num + 1
                continue
            values: dict[str, Any] = {}
            for index, column in enumerate(columns):
                if column is not None and index < len(cells):
                    values[column] = cells[index]
            yield line, values
            line = reader.line_num + 1

    try:
        return _check_rows(items(), max_rows=max_rows, progress=progress)
    except csv.Error:
        return Reading(errors=[RowError(reader.line_num, "", FileProblem.UNREADABLE)])


def read_geojson(data: bytes, *, max_rows: int, progress: Any = None) -> Reading:
    """Every Point feature of a FeatureCollection; its properties name the other columns."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return Reading(errors=[RowError(0, "", FileProblem.ENCODING)])
    except ValueError:
        return Reading(errors=[RowError(0, "", FileProblem.NOT_GEOJSON)])
    features = document.get("features") if isinstance(document, dict) else None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection" or not isinstance(features, list):
        return Reading(errors=[RowError(0, "", FileProblem.NOT_GEOJSON)])
    point_errors: list[RowError] = []

    def items() -> Iterator[tuple[int, dict[str, Any]]]:
        for number, feature in enumerate(features, start=1):
            geometry = feature.get("geometry") if isinstance(feature, dict) else None
            properties = feature.get("properties") if isinstance(feature, dict) else None
            coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
            if (
                not isinstance(geometry, dict)
                or geometry.get("type") != "Point"
                or not isinstance(coordinates, list)
                or len(coordinates) < 2
            ):
                point_errors.append(RowError(number, "geometry", RowProblem.NOT_A_POINT))
                yield number, {Column.LATITUDE: 0, Column.LONGITUDE: 0, **_properties(properties)}
                continue
            values = _properties(properties)
            values[Column.LONGITUDE], values[Column.LATITUDE] = coordinates[0], coordinates[1]
            yield number, values

    reading = _check_rows(items(), max_rows=max_rows, progress=progress)
    if point_errors and not any(e.problem == FileProblem.TOO_MANY_ROWS for e in reading.errors):
        not_points = {e.row for e in point_errors}
        reading.errors = sorted(reading.errors + point_errors, key=lambda e: e.row)
        reading.rows = [row for row in reading.rows if row.row not in not_points]
    return reading


def _properties(properties: Any) -> dict[str, Any]:
    if not isinstance(properties, dict):
        return {}
    values: dict[str, Any] = {}
    for title, value in properties.items():
        column = _column_of(str(title))
        if column is not None and column not in (Column.LATITUDE, Column.LONGITUDE):
            values[column] = value
    return values
