"""Every error under /api/v1/ is JSON: a `detail` sentence and a machine `code`."""

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import RequestFactory
from rest_framework.request import Request

from accounts.api_base import ERROR_CODES, exception_handler
from accounts.models import Role
from accounts.services import api_token_issue
from tests.factories import UserFactory, totp_enable

DOC = (Path(__file__).resolve().parents[2] / "docs" / "api-errors.md").read_text()
CODES_SECTION = DOC.split("## Codes", 1)[1].split("\n## ", 1)[0]


def _token(role: str) -> str:
    user = UserFactory(role=role)
    if role not in (Role.RESIDENT, Role.BUSINESS):
        totp_enable(user)
    return api_token_issue(user=user, name="cli").raw


def _call(client: Any, method: str, path: str, body: Any, token: str | None, **extra: Any) -> Any:
    if token:
        extra["HTTP_AUTHORIZATION"] = f"Token {token}"
    if body is not None:
        extra["data"] = body if isinstance(body, str) else json.dumps(body)
        extra["content_type"] = "application/json"
    return getattr(client, method)(path, **extra)


# A site id that no site has (fixed: parallel test workers must collect the same test ids).
MISSING_SITE = "403fe582-8b85-4592-a51f-abb364d30300"


@pytest.mark.parametrize(
    ("role", "method", "path", "body", "status", "code"),
    [
        (Role.RESIDENT, "get", "/api/v1/no-such-thing/", None, 404, "not_found"),
        (Role.RESIDENT, "get", "/api/v1/me/sites/not-a-uuid/", None, 404, "not_found"),
        (Role.RESIDENT, "delete", "/api/v1/me/cameras/12/consent/", None, 404, "not_found"),
        (Role.RESIDENT, "get", "/api/v1/me", None, 404, "not_found"),
        (Role.RESIDENT, "get", f"/api/v1/me/sites/{MISSING_SITE}/", None, 404, "not_found"),
        (Role.RESIDENT, "put", "/api/v1/me/", {}, 405, "method_not_allowed"),
        (None, "get", "/api/v1/me/", None, 401, "not_authenticated"),
        ("bad", "get", "/api/v1/me/", None, 401, "authentication_failed"),
        (Role.RESIDENT, "post", "/api/v1/purposes/", {"category": "x"}, 403, "permission_denied"),
        (Role.OFFICER, "get", "/api/v1/me/sites/", None, 403, "permission_denied"),
        (Role.RESIDENT, "post", "/api/v1/tokens/", {"name": 0}, 400, "invalid"),
        (Role.RESIDENT, "post", "/api/v1/tokens/", "{not json", 400, "parse_error"),
        (Role.RESIDENT, "get", "/api/v1/me/access-events/?page=0", None, 400, "invalid"),
        (Role.OFFICER, "get", "/api/v1/cameras/search/?lat=34.1&lon=-117.38&radius_m=100", None, 403, "access_denied"),
        (Role.OFFICER, "get", "/api/v1/cameras/search/?lat=x&lon=-117.38&radius_m=100", None, 400, "invalid"),
    ],
)
def test_every_api_error_is_json_with_a_detail_sentence_and_a_code(
    in_rialto: Any, rialto_client: Any, role: str | None, method: str, path: str, body: Any, status: int, code: str
) -> None:
    token = "pl_nonsense" if role == "bad" else (_token(role) if role else None)

    response = _call(rialto_client, method, path, body, token)

    assert (response.status_code, response["Content-Type"]) == (status, "application/json")
    assert response.json()["code"] == code
    assert re.fullmatch(r"\S.*[.!?]", response.json()["detail"], re.DOTALL), response.json()


def test_a_field_of_the_wrong_type_is_a_400_naming_the_field(in_rialto: Any, rialto_client: Any) -> None:
    token = _token(Role.RESIDENT)

    response = _call(rialto_client, "post", "/api/v1/tokens/", {"name": 0}, token)

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["name"]
    assert "name" in response.json()["detail"]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/me/sites/", {"address": 5, "latitude": 34.1, "longitude": -117.38}, "address"),
        ("/api/v1/me/sites/", {"address": "1 Main St", "latitude": "34.1", "longitude": -117.38}, "latitude"),
        ("/api/v1/me/sites/", {"address": "1 Main St", "latitude": 34.1, "longitude": -117.38, "kind": 1}, "kind"),
        (
            "/api/v1/me/sites/",
            {"address": "1 Main St", "latitude": 34.1, "longitude": -117.38, "share_contact": "yes"},
            "share_contact",
        ),
    ],
)
def test_json_values_of_the_wrong_type_are_refused_not_coerced(
    in_rialto: Any, rialto_client: Any, path: str, body: dict[str, Any], field: str
) -> None:
    token = _token(Role.RESIDENT)

    response = _call(rialto_client, "post", path, body, token)

    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_nested_field_errors_are_named_by_their_path(in_rialto: Any, rialto_client: Any) -> None:
    from cameras.services import camera_register, site_create

    owner = UserFactory(role=Role.RESIDENT)
    site = site_create(owner=owner, department=in_rialto, lon=-117.38, lat=34.10, address="1 Main St")
    camera = camera_register(owner=owner, site=site, label="Front", bearing_deg=90, fov_angle_deg=90, range_m=20)
    token = api_token_issue(user=owner, name="cli").raw
    body = {"level": "live", "windows": [{"day": 0, "start": "08:00", "end": "nine"}]}

    response = _call(rialto_client, "put", f"/api/v1/me/cameras/{camera.public_id}/consent/", body, token)

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["windows[0].end"]
    assert all(isinstance(m, str) for m in response.json()["fields"]["windows[0].end"])


@pytest.mark.parametrize("page", ["0", "-1", "abc", "2", "1.5", "9" * 5000])
def test_a_page_that_is_not_a_page_of_the_list_is_a_400_naming_page(
    in_rialto: Any, rialto_client: Any, page: str
) -> None:
    token = _token(Role.RESIDENT)

    response = _call(rialto_client, "get", f"/api/v1/me/access-events/?page={page}", None, token)

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["page"]
    assert "page" in response.json()["detail"]


def test_the_first_page_of_an_empty_list_is_an_empty_page(in_rialto: Any, rialto_client: Any) -> None:
    token = _token(Role.RESIDENT)

    response = _call(rialto_client, "get", "/api/v1/me/access-events/?page=1", None, token)

    assert (response.status_code, response.json()["results"]) == (200, [])


def test_an_unexpected_failure_is_a_json_500_and_is_logged(in_rialto: Any, caplog: pytest.LogCaptureFixture) -> None:
    request = RequestFactory().get("/api/v1/me/", HTTP_HOST="rialto.localhost")

    response = exception_handler(RuntimeError("the disk caught fire"), {"request": Request(request), "view": None})

    assert response is not None
    assert (response.status_code, response.data["code"]) == (500, "server_error")
    assert "the disk caught fire" not in response.data["detail"]
    assert any(r.exc_info and "the disk caught fire" in str(r.exc_info[1]) for r in caplog.records)


def test_a_throttled_request_is_a_json_429_that_says_when_to_retry(in_rialto: Any) -> None:
    from rest_framework.exceptions import Throttled

    request = RequestFactory().get("/api/v1/me/", HTTP_HOST="rialto.localhost")

    response = exception_handler(Throttled(wait=30), {"request": Request(request), "view": None})

    assert response is not None
    assert (response.status_code, response.data["code"], response["Retry-After"]) == (429, "throttled", "30")
    assert "30 seconds" in response.data["detail"]


@pytest.mark.parametrize("code", sorted(ERROR_CODES))
def test_every_error_code_is_documented(code: str) -> None:
    assert re.search(rf"^\| `{code}` \|", CODES_SECTION, re.MULTILINE), f"{code} is missing from docs/api-errors.md"


def test_the_documented_error_codes_are_the_codes_of_the_code() -> None:
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", CODES_SECTION, re.MULTILINE))

    assert documented == set(ERROR_CODES)


def test_the_openapi_schema_states_the_error_shape_and_its_codes(rialto_client: Any) -> None:
    schema = rialto_client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    error = schema["components"]["schemas"]["Error"]
    tokens = schema["paths"]["/api/v1/tokens/"]["post"]["responses"]
    assert set(error["required"]) == {"detail", "code"}
    assert set(error["properties"]["code"]["enum"]) == set(ERROR_CODES)
    assert tokens["400"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_a_body_too_large_to_read_is_a_json_400(in_rialto: Any, rialto_client: Any, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    token = _token(Role.RESIDENT)

    response = _call(rialto_client, "post", "/api/v1/tokens/", {"name": "x" * 2000}, token)

    assert (response.status_code, response["Content-Type"]) == (400, "application/json")
    assert response.json()["code"] == "parse_error"


@pytest.mark.parametrize("urlconf", ["config.urls_tenant", "config.urls_public"])
def test_a_failure_before_any_api_view_is_a_json_500(urlconf: str) -> None:
    from django.urls import get_resolver

    handler = get_resolver(urlconf).resolve_error_handler(500)

    api = handler(RequestFactory().get("/api/v1/me/"))
    page = handler(RequestFactory().get("/my/cameras/"))

    assert (api.status_code, api["Content-Type"], json.loads(api.content)["code"]) == (
        500,
        "application/json",
        "server_error",
    )
    assert page["Content-Type"].startswith("text/html")


def test_every_api_input_serializer_reads_json_types_strictly() -> None:
    import inspect

    from rest_framework import serializers

    from accounts import api as accounts_api
    from accounts.api_base import ApiInput
    from cameras import api as cameras_api
    from console import api as console_api

    inputs = [
        cls
        for module in (accounts_api, cameras_api, console_api)
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, serializers.Serializer) and cls.__name__.endswith("Input")
    ]

    assert len(inputs) >= 6
    assert [cls.__name__ for cls in inputs if not issubclass(cls, ApiInput)] == []
