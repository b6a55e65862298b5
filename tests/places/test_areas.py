"""Police areas and sensitive places load from GeoJSON all or nothing, idempotently."""

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from places.areas import police_area_at
from places.models import PoliceArea, SensitivePlace


def _square(name: Any, x0: float, **properties: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"name": name, **properties},
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[x0, 34.0], [x0 + 0.04, 34.0], [x0 + 0.04, 34.2], [x0, 34.2], [x0, 34.0]]],
        },
    }


def _file(tmp_path: Path, features: list[Any]) -> Path:
    path = tmp_path / "areas.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def _import(command: str, path: Path, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("tenant_command", command, str(path), *args, schema="rialto", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_police_areas_load_and_loading_again_changes_nothing(in_rialto: Any, tmp_path: Path) -> None:
    path = _file(tmp_path, [_square("Beat 1", -117.42), _square("District North", -117.38, kind="district")])

    first, _ = _import("police_areas_import", path)
    again, _ = _import("police_areas_import", path)

    assert "2 created" in first
    assert "0 created, 0 updated, 2 unchanged" in again
    assert sorted(PoliceArea.objects.values_list("name", "kind")) == [
        ("Beat 1", "beat"),
        ("District North", "district"),
    ]
    assert police_area_at(lon=-117.40, lat=34.1).name == "Beat 1"  # type: ignore[union-attr]


def test_bad_features_are_listed_by_index_and_nothing_is_saved(in_rialto: Any, tmp_path: Path) -> None:
    bowtie = _square("Bowtie", -117.3)
    bowtie["geometry"]["coordinates"] = [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]
    path = _file(
        tmp_path,
        [
            _square("Good", -117.42),
            _square("", -117.38),
            {"type": "Feature", "properties": {"name": "Point"}, "geometry": {"type": "Point", "coordinates": [0, 0]}},
            bowtie,
            _square("Good", -117.34),
            _square("Beat 9", -117.30, kind="precinct"),
        ],
    )

    with pytest.raises(CommandError, match="5 of 6 features are not usable; nothing was saved"):
        _import("police_areas_import", path)

    assert not PoliceArea.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [("not json", "not JSON"), ('{"type": "Feature"}', "not a GeoJSON FeatureCollection")],
)
def test_a_file_that_is_not_geojson_is_refused(in_rialto: Any, tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.geojson"
    path.write_text(content)

    with pytest.raises(CommandError, match=message):
        _import("police_areas_import", path)


DEEP = 100_000


@pytest.mark.parametrize(
    "content",
    [
        "[" * DEEP + "]" * DEEP,
        json.dumps({"type": "FeatureCollection", "features": [_square("Deep", -117.4)]}).replace(
            '"coordinates": [', '"coordinates": ' + "[" * DEEP + "[", 1
        )
        + "]" * DEEP,
    ],
    ids=["document", "coordinates"],
)
def test_a_file_nested_too_deeply_is_refused_with_a_clear_error(in_rialto: Any, tmp_path: Path, content: str) -> None:
    path = tmp_path / "deep.geojson"
    path.write_text(content)

    with pytest.raises(CommandError, match="nested too deeply"):
        _import("police_areas_import", path)

    assert not PoliceArea.objects.exists()


def test_sensitive_places_load_with_their_kind(in_rialto: Any, tmp_path: Path) -> None:
    path = _file(tmp_path, [_square("St Mary", -117.42, kind="worship"), _square("Clinic A", -117.38)])

    _import("sensitive_places_import", path, "--kind", "clinic")

    assert sorted(SensitivePlace.objects.values_list("name", "kind")) == [
        ("Clinic A", "clinic"),
        ("St Mary", "worship"),
    ]


def test_the_command_refuses_the_public_schema(db: Any, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Run it for a department"):
        call_command("police_areas_import", str(_file(tmp_path, [_square("A", -117.4)])))
