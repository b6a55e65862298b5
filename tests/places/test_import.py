"""Loading an OpenAddresses file: CSV and GeoJSON, bad rows reported by line, idempotent."""

import gzip
import json
import os
import pty
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from places.models import AddressPoint
from places.services import address_file_import

HEADER = "LON,LAT,NUMBER,STREET,UNIT,CITY,DISTRICT,REGION,POSTCODE,ID,HASH\n"


def _csv(tmp_path: Path, *rows: str, name: str = "addresses.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


def test_a_csv_file_is_loaded_with_every_field(in_rialto: Any, tmp_path: Path) -> None:
    path = _csv(tmp_path, "-117.3701,34.1069,1200,W Baseline Rd,4,Rialto,,CA,92376,,abc")

    report = address_file_import(path=path)

    point = AddressPoint.objects.get()
    assert (report.created, report.errors) == (1, [])
    assert (point.number, point.street, point.unit, point.city, point.postcode) == (
        "1200",
        "W Baseline Rd",
        "4",
        "Rialto",
        "92376",
    )
    assert (round(point.location.x, 4), round(point.location.y, 4)) == (-117.3701, 34.1069)
    assert point.search == "1200 west baseline road 4 rialto 92376"


def test_bad_rows_are_reported_by_line_and_the_good_ones_still_loaded(in_rialto: Any, tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "-117.37,34.10,100,Cedar Ave,,Rialto,,CA,92376,,",
        "not-a-number,34.10,102,Cedar Ave,,Rialto,,CA,92376,,",
        "-117.37,34.10,104,,,Rialto,,CA,92376,,",
        "-217.37,34.10,106,Cedar Ave,,Rialto,,CA,92376,,",
        "-117.37,34.11,108,Cedar Ave,,Rialto,,CA,92376,,",
    )

    report = address_file_import(path=path, batch_size=2)

    assert [(e.line, e.reason) for e in report.errors] == [
        (3, "longitude/latitude 'not-a-number', '34.10' are not numbers"),
        (4, "the street is empty"),
        (5, "longitude/latitude -217.37, 34.10 are outside the Earth"),
    ]
    assert sorted(AddressPoint.objects.values_list("number", flat=True)) == ["100", "108"]


@pytest.mark.parametrize(
    ("street", "reason"),
    [
        ("Bad\u0000St", "NUL character"),
        (" ".join(["W"] * 99) + " St", "longer than 200 characters once spelled out"),
    ],
)
def test_a_row_the_database_would_refuse_is_reported_and_the_rest_loaded(
    in_rialto: Any, tmp_path: Path, street: str, reason: str
) -> None:
    features = [
        {"type": "Feature", "properties": {"number": "1", "street": street}, "geometry": _point()},
        {"type": "Feature", "properties": {"number": "2", "street": "Cedar Ave"}, "geometry": _point()},
    ]
    path = tmp_path / "addresses.geojson"
    path.write_text("\n".join(json.dumps(f) for f in features) + "\n", encoding="utf-8")

    report = address_file_import(path=path)

    assert report.created == 1
    assert [(e.line, reason in e.reason) for e in report.errors] == [(1, True)]
    assert list(AddressPoint.objects.values_list("street", flat=True)) == ["Cedar Ave"]


def _point() -> dict[str, Any]:
    return {"type": "Point", "coordinates": [-117.37, 34.10]}


def test_importing_the_same_file_again_adds_nothing_and_a_moved_point_is_updated(
    in_rialto: Any, tmp_path: Path
) -> None:
    first = _csv(tmp_path, "-117.37,34.10,100,Cedar Ave,,Rialto,,CA,92376,,", "-117.37,34.11,102,Cedar Ave,,,,,,,")
    address_file_import(path=first)
    moved = _csv(
        tmp_path,
        "-117.36,34.10,100,CEDAR AVENUE,,Rialto,,CA,92376,,",
        "-117.37,34.11,102,Cedar Ave,,,,,,,",
        name="again.csv",
    )

    again = address_file_import(path=first)
    report = address_file_import(path=moved)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert AddressPoint.objects.count() == 2
    assert round(AddressPoint.objects.get(number="100").location.x, 2) == -117.36


def test_a_geojson_file_of_one_feature_per_line_is_loaded(in_rialto: Any, tmp_path: Path) -> None:
    features = [
        {
            "type": "Feature",
            "properties": {"number": "7", "street": "Calle Peñasco", "unit": "", "city": "Rialto", "postcode": ""},
            "geometry": {"type": "Point", "coordinates": [-117.38, 34.12]},
        },
        {"type": "Feature", "properties": {"number": "9", "street": "Calle Peñasco"}, "geometry": None},
    ]
    path = tmp_path / "addresses.geojson.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("\n".join(json.dumps(f) for f in features) + "\n{broken\n")

    report = address_file_import(path=path)

    assert [(e.line, e.reason) for e in report.errors] == [
        (2, "the geometry is not a Point"),
        (3, "not valid JSON (Expecting property name enclosed in double quotes)"),
    ]
    assert AddressPoint.objects.get().street == "Calle Peñasco"
    assert AddressPoint.objects.get().search == "7 calle penasco rialto"


def test_a_geojson_feature_collection_is_loaded(in_rialto: Any, tmp_path: Path) -> None:
    path = tmp_path / "addresses.geojson"
    feature = {
        "type": "Feature",
        "properties": {"NUMBER": "1", "STREET": "Main St"},
        "geometry": {"type": "Point", "coordinates": [-117.38, 34.12]},
    }
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}, indent=2), encoding="utf-8")

    report = address_file_import(path=path)

    assert (report.created, report.errors) == (1, [])


def test_the_command_loads_into_the_department_it_names_and_lists_bad_rows(
    rialto: Any, fontana: Any, tmp_path: Path
) -> None:
    path = _csv(tmp_path, "-117.37,34.10,100,Cedar Ave,,Rialto,,CA,92376,,", "x,y,1,Cedar Ave,,,,,,,")
    out, err = StringIO(), StringIO()

    call_command("tenant_command", "address_import", str(path), schema_name="rialto", stdout=out, stderr=err)

    assert "1 added, 0 updated, 0 unchanged, 1 bad rows skipped" in out.getvalue()
    assert "addresses.csv: line 3: longitude/latitude 'x', 'y' are not numbers" in err.getvalue()
    assert "[" not in out.getvalue()  # no progress bar when stdout is not a terminal


@pytest.mark.parametrize("name", ["addresses.txt", "addresses.shp"])
def test_a_file_that_is_not_csv_or_geojson_is_refused_by_name(in_rialto: Any, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("", encoding="utf-8")

    with pytest.raises(ValueError, match=r"expected an OpenAddresses \.csv or \.geojson"):
        address_file_import(path=path)


def test_the_command_draws_a_progress_bar_on_a_terminal(rialto: Any, tmp_path: Path) -> None:
    path = _csv(tmp_path, "-117.37,34.10,100,Cedar Ave,,Rialto,,CA,92376,,")
    leader, follower = pty.openpty()

    with os.fdopen(follower, "w") as terminal:
        call_command("tenant_command", "address_import", str(path), schema_name="rialto", stdout=terminal)
    output = _read_all(leader)

    assert "\r[" in output
    assert "1 added" in output


def _read_all(fd: int) -> str:
    """Everything written to a pty whose other end is closed (Linux then answers EIO)."""
    chunks = []
    try:
        while chunk := os.read(fd, 10_000):
            chunks.append(chunk)
    except OSError:
        pass
    os.close(fd)
    return b"".join(chunks).decode()
