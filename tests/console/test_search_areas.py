"""Search areas from the console, the CSV export and the staff API: anything malformed is a
400 with a sentence that says what is wrong, and nothing is searched (no event is written)."""

import json
import math
from typing import Any

import pytest

from accounts.models import Role
from accounts.services import api_token_issue
from audit.models import AccessEvent
from tests.conftest import TenantClient

SQUARE = [[-117.381, 34.099], [-117.379, 34.099], [-117.379, 34.101], [-117.381, 34.101], [-117.381, 34.099]]
CIRCLE_OF_1001 = [
    [-117.38 + 0.001 * math.cos(i / 1000 * 2 * math.pi), 34.1 + 0.001 * math.sin(i / 1000 * 2 * math.pi)]
    for i in range(1000)
]


def _polygon(coordinates: Any, kind: str = "Polygon") -> str:
    return json.dumps({"type": kind, "coordinates": coordinates})


# (query parameters, the sentence the officer reads)
BAD_AREAS = [
    ({"polygon": _polygon("abc")}, "coordinates must be a list of one or more rings"),
    ({"polygon": _polygon([])}, "coordinates must be a list of one or more rings"),
    ({"polygon": _polygon(None)}, "coordinates must be a list of one or more rings"),
    ({"polygon": _polygon([[]])}, "needs at least 4 points"),
    ({"polygon": _polygon([[[0, 0], [1, 1]]])}, "needs at least 4 points"),
    ({"polygon": _polygon([[["a", "b"], [1, 1], [1, 0], ["a", "b"]]])}, "two numbers in degrees"),
    ({"polygon": _polygon([[[200, 95], [200.01, 95], [200.01, 95.01], [200, 95]]])}, "between -180 and 180"),
    ({"polygon": _polygon([SQUARE[:-1]])}, "The ring must be closed"),
    ({"polygon": _polygon([[SQUARE]], kind="MultiPolygon")}, "Only a single polygon is supported"),
    ({"polygon": _polygon([[*CIRCLE_OF_1001, CIRCLE_OF_1001[0]]])}, "at most 1000 points"),
    ({"polygon": _polygon([[[0, 0], [1, 1], [2, 2], [0, 0]]])}, "The polygon is empty"),
    ({"polygon": _polygon([[[0, 0], [0.01, 0.01], [0.01, 0], [0, 0.01], [0, 0]]])}, "edges must not cross"),
    ({"polygon": json.dumps({"type": "Feature"})}, "of type “Polygon”"),
    ({"polygon": "5"}, "of type “Polygon”"),
    ({"polygon": "{not json"}, "not valid GeoJSON"),
    ({"lat": "95", "lon": "-117.38", "radius_m": "100"}, "lat: must be between -90 and 90"),
    ({"lat": "nan", "lon": "-117.38", "radius_m": "100"}, "lat: must be a number between -90 and 90"),
    ({"lat": "34.1", "lon": "-190", "radius_m": "100"}, "lon: must be between -180 and 180"),
    ({"lat": "34.1", "lon": "-117.38", "radius_m": "50000"}, "radius_m: must be from 1 to 10000 metres"),
    ({"lat": "34.1", "lon": "-117.38", "radius_m": "0"}, "radius_m: must be from 1 to 10000 metres"),
    ({"lat": "34.1", "lon": "-117.38", "radius_m": "inf"}, "radius_m: must be from 1 to 10000 metres"),
    ({"lat": "34.1", "lon": "-117.38", "radius_m": "100", "mode": "xyz"}, "mode: must be “pin” or “fov”"),
    ({"lat": "34.1", "lon": "-117.38"}, "Give a centre (lat, lon) and a radius"),
]
IDS = [
    "coordinates-string",
    "no-rings",
    "null-coordinates",
    "empty-ring",
    "two-points",
    "letters",
    "off-the-earth",
    "open-ring",
    "multipolygon",
    "1001-points",
    "no-area",
    "bow-tie",
    "feature-without-geometry",
    "a-number",
    "not-json",
    "lat-too-big",
    "lat-nan",
    "lon-too-small",
    "radius-too-big",
    "radius-zero",
    "radius-infinite",
    "unknown-mode",
    "no-radius",
]


def _searches() -> int:
    return AccessEvent.objects.filter(action__in=["search", "export"]).count()


@pytest.fixture
def with_purpose(logged_in_staff: Any) -> TenantClient:
    client, _ = logged_in_staff(Role.OFFICER)
    response = client.post(
        "/console/purpose/",
        {"case_number": "RPD-1", "category": "property_crime", "text": "Burglary on Cedar", "authority": "consent"},
    )
    assert response.status_code == 302
    return client


@pytest.fixture
def api(in_rialto: Any, rialto_client: TenantClient, make_staff: Any) -> tuple[TenantClient, dict[str, Any], str]:
    officer, _ = make_staff(Role.OFFICER)
    auth: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Token {api_token_issue(user=officer, name='cli').raw}"}
    purpose = rialto_client.post(
        "/api/v1/purposes/",
        {"case_number": "RPD-9", "category": "violent_crime", "text": "Robbery"},
        content_type="application/json",
        **auth,
    ).json()
    return rialto_client, auth, purpose["id"]


@pytest.mark.parametrize(("params", "message"), BAD_AREAS, ids=IDS)
def test_a_bad_area_in_the_console_is_a_400_that_says_what_is_wrong(
    with_purpose: TenantClient, params: dict[str, str], message: str
) -> None:
    before = _searches()

    response = with_purpose.post("/console/search/", params)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert _searches() == before


@pytest.mark.parametrize(("params", "message"), BAD_AREAS, ids=IDS)
def test_a_bad_area_in_the_csv_export_is_a_400_with_the_same_sentence(
    with_purpose: TenantClient, params: dict[str, str], message: str
) -> None:
    before = _searches()

    response = with_purpose.post("/console/search/export.csv", params)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert _searches() == before


def _as_json_numbers(params: dict[str, str]) -> dict[str, Any]:
    """The query's numbers as JSON numbers: a JSON body must send numbers."""
    out: dict[str, Any] = dict(params)
    for name in ("lat", "lon", "radius_m"):
        if name in params and math.isfinite(float(params[name])):
            out[name] = float(params[name])
    return out


# JSON has no NaN or infinity: those two cases are covered by the console and export tests above.
_JSON_SPELLABLE = [not {"nan", "inf"} & set(params.values()) for params, _message in BAD_AREAS]


@pytest.mark.parametrize(
    ("params", "message"),
    [case for case, ok in zip(BAD_AREAS, _JSON_SPELLABLE, strict=True) if ok],
    ids=[name for name, ok in zip(IDS, _JSON_SPELLABLE, strict=True) if ok],
)
def test_a_bad_area_in_the_api_is_a_400_with_the_same_sentence(
    api: tuple[TenantClient, dict[str, Any], str], params: dict[str, str], message: str
) -> None:
    client, auth, purpose = api
    before = _searches()

    by_get = client.get("/api/v1/cameras/search/", {**params, "purpose": purpose}, **auth)
    by_post = client.post(
        "/api/v1/cameras/search/",
        json.dumps({**_as_json_numbers(params), "purpose": purpose}),
        content_type="application/json",
        **auth,
    )

    assert (by_get.status_code, by_post.status_code) == (400, 400)
    assert message in by_get.json()["detail"]
    assert message in by_post.json()["detail"]
    assert _searches() == before


def test_a_field_error_is_shown_as_field_and_message_not_as_the_field_name_alone(with_purpose: TenantClient) -> None:
    response = with_purpose.post("/console/search/", {"lat": "34.1", "lon": "-117.38", "radius_m": "100", "mode": "x"})

    assert b"<li>mode</li>" not in response.content
    assert "<li>mode: must be “pin” or “fov”</li>" in response.content.decode()


def test_a_polygon_posted_as_a_geojson_object_with_an_open_ring_is_refused(
    api: tuple[TenantClient, dict[str, Any], str],
) -> None:
    client, auth, purpose = api

    response = client.post(
        "/api/v1/cameras/search/",
        {"polygon": {"type": "Polygon", "coordinates": [SQUARE[:-1]]}, "purpose": purpose},
        content_type="application/json",
        **auth,
    )

    assert response.status_code == 400
    assert "The ring must be closed" in response.json()["detail"]


@pytest.mark.parametrize("body", [[1, 2], "abc", 5], ids=["list", "string", "number"])
def test_an_api_search_body_that_is_not_a_json_object_is_a_400(
    api: tuple[TenantClient, dict[str, Any], str], body: Any
) -> None:
    client, auth, _ = api
    before = _searches()

    response = client.post("/api/v1/cameras/search/", json.dumps(body), content_type="application/json", **auth)

    assert response.status_code == 400
    assert response.json()["detail"] == "Send a JSON object."
    assert _searches() == before


def test_a_form_encoded_api_search_is_accepted(api: tuple[TenantClient, dict[str, Any], str], make_camera: Any) -> None:
    client, auth, purpose = api
    camera = make_camera("on_request")

    response = client.post(
        "/api/v1/cameras/search/", {"lat": "34.1", "lon": "-117.38", "radius_m": "100", "purpose": purpose}, **auth
    )

    assert response.status_code == 200
    assert str(camera.public_id) in [f["properties"]["id"] for f in response.json()["features"]]


def test_a_valid_polygon_with_a_hole_is_searched(with_purpose: TenantClient, make_camera: Any) -> None:
    inside = make_camera("on_request", lon=-117.3805, lat=34.0995)
    in_the_hole = make_camera("on_request", lon=-117.38, lat=34.10)
    hole = [
        [-117.3802, 34.0998],
        [-117.3798, 34.0998],
        [-117.3798, 34.1002],
        [-117.3802, 34.1002],
        [-117.3802, 34.0998],
    ]

    response = with_purpose.post("/console/search/", {"polygon": _polygon([SQUARE, hole])})

    assert response.status_code == 200
    assert str(inside.public_id) in response.content.decode()
    assert str(in_the_hole.public_id) not in response.content.decode()


HUGE = 10**400  # a JSON integer no float can hold


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"lat": HUGE, "lon": -117.38, "radius_m": 100}, "lat: must be a number between -90 and 90"),
        ({"lat": 34.1, "lon": -117.38, "radius_m": HUGE}, "radius_m: must be from 1 to 10000 metres"),
        (
            {
                "polygon": {
                    "type": "Polygon",
                    "coordinates": [[[-117.4, 34.1], [-117.39, 34.1], [-117.39, 34.11], [-117.4, 34.1, HUGE]]],
                }
            },
            "two numbers in degrees",
        ),
    ],
)
def test_a_json_number_too_large_for_a_float_is_a_400(
    api: tuple[TenantClient, dict[str, Any], str], body: dict[str, Any], message: str
) -> None:
    client, auth, purpose = api
    before = _searches()

    response = client.post(
        "/api/v1/cameras/search/", json.dumps({**body, "purpose": purpose}), content_type="application/json", **auth
    )

    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert _searches() == before


@pytest.mark.parametrize("role", [Role.OFFICER, Role.RESIDENT])
def test_json_nested_too_deeply_is_a_400(
    in_rialto: Any, rialto_client: TenantClient, make_staff: Any, role: str
) -> None:
    from tests.factories import UserFactory

    user = make_staff(role)[0] if role == Role.OFFICER else UserFactory(role=role)
    auth: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Token {api_token_issue(user=user, name='cli').raw}"}
    path = "/api/v1/cameras/search/" if role == Role.OFFICER else "/api/v1/me/sites/"

    response = rialto_client.post(
        path, '{"name": ' + "[" * 100_000 + "]" * 100_000 + "}", content_type="application/json", **auth
    )

    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"lat": "34.1", "lon": -117.38, "radius_m": 800}, "lat"),
        ({"lat": 34.1, "lon": -117.38, "radius_m": True}, "radius_m"),
        ({"lat": 34.1, "lon": -117.38, "radius_m": 800, "mode": 1}, "mode"),
        ({"lat": 34.1, "lon": -117.38, "radius_m": 800, "purpose": 5}, "purpose"),
    ],
)
def test_a_json_search_value_of_the_wrong_type_is_a_400_naming_the_field(
    api: tuple[TenantClient, dict[str, Any], str], body: dict[str, Any], field: str
) -> None:
    client, auth, purpose = api
    before = _searches()

    response = client.post(
        "/api/v1/cameras/search/", json.dumps({"purpose": purpose, **body}), content_type="application/json", **auth
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["fields"]) == [field]
    assert _searches() == before
