"""The API's JSON is gzipped when the client accepts it; pages (which carry the CSRF token
beside reflected input: BREACH) never are."""

import gzip
import json
from typing import Any

from accounts.models import Role
from accounts.services import api_token_issue
from tests.conftest import TenantClient

# A corner of Rialto of these tests' own: other tests commit cameras near the usual centre.
LON, LAT = -117.4105, 34.1205


def _search(client: TenantClient, make_staff: Any, make_camera: Any, **headers: Any) -> Any:
    officer, _ = make_staff(Role.OFFICER)
    auth: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Token {api_token_issue(user=officer, name='cli').raw}"}
    purpose = client.post(
        "/api/v1/purposes/",
        {"case_number": "RPD-9", "category": "violent_crime", "text": "Robbery"},
        content_type="application/json",
        **auth,
    ).json()["id"]
    for i in range(5):
        make_camera(lon=LON + 0.0001 * i, lat=LAT, address=f"{10 + i} Main St")
    return client.get(
        "/api/v1/cameras/search/",
        {"lat": LAT, "lon": LON, "radius_m": 100, "purpose": purpose},
        **auth,
        **headers,
    )


def test_an_api_search_is_gzipped_for_a_client_that_accepts_it(
    in_rialto: Any, rialto_client: TenantClient, make_staff: Any, make_camera: Any
) -> None:
    response = _search(rialto_client, make_staff, make_camera, HTTP_ACCEPT_ENCODING="gzip, deflate")

    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    body = json.loads(gzip.decompress(response.content))
    assert body["type"] == "FeatureCollection"
    assert body["returned"] == len(body["features"]) == 5


def test_an_api_search_is_plain_json_for_a_client_that_does_not(
    in_rialto: Any, rialto_client: TenantClient, make_staff: Any, make_camera: Any
) -> None:
    response = _search(rialto_client, make_staff, make_camera)

    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
    assert response.json()["returned"] == 5


def test_a_page_with_a_csrf_token_is_never_compressed(rialto_client: TenantClient) -> None:
    response = rialto_client.get("/accounts/login/", HTTP_ACCEPT_ENCODING="gzip")

    assert response.status_code == 200
    assert b"csrfmiddlewaretoken" in response.content
    assert not response.has_header("Content-Encoding")
