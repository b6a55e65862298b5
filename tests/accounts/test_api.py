"""API base: hashed per-user tokens, the one base class, the OpenAPI schema."""

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from accounts.api_base import BaseApi
from accounts.models import ApiToken, Role
from accounts.services import api_token_issue
from tests.factories import UserFactory, totp_enable


def test_token_authenticates_and_is_stored_only_as_a_digest(in_rialto: Any, rialto_client: Any) -> None:
    user = UserFactory()
    issued = api_token_issue(user=user, name="cli")

    response = rialto_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {issued.raw}")

    stored = ApiToken.objects.get(pk=issued.token.pk)
    assert response.status_code == 200
    assert response.json()["email"] == user.email
    assert issued.raw not in (stored.digest, stored.prefix)
    assert len(stored.digest) == 64


@pytest.mark.parametrize("header", ["Token nonsense", "Token", "Token a b", "Bearer whatever"])
def test_bad_token_header_is_refused(in_rialto: Any, rialto_client: Any, header: str) -> None:
    response = rialto_client.get("/api/v1/me/", HTTP_AUTHORIZATION=header)

    assert response.status_code == 401


def test_revoked_token_is_refused(in_rialto: Any, rialto_client: Any) -> None:
    user = UserFactory()
    issued = api_token_issue(user=user, name="cli")
    rialto_client.force_login(user)
    rialto_client.post("/me/api-tokens/", {"revoke": issued.token.pk})
    rialto_client.logout()

    response = rialto_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {issued.raw}")

    assert response.status_code == 401


def test_token_of_a_deactivated_user_is_refused(in_rialto: Any, rialto_client: Any) -> None:
    user = UserFactory()
    issued = api_token_issue(user=user, name="cli")
    user.is_active = False
    user.save()

    response = rialto_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {issued.raw}")

    assert response.status_code == 401


def test_staff_with_mfa_creates_a_token_through_the_api(logged_in_staff: Any) -> None:
    client, _ = logged_in_staff(Role.OFFICER)

    response = client.post("/api/v1/tokens/", {"name": "laptop"}, content_type="application/json")
    raw = response.json()["token"]
    client.logout()

    assert response.status_code == 201
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {raw}").json()["role"] == "officer"


def test_operator_mints_a_token_with_tenant_command(in_rialto: Any, rialto_client: Any) -> None:
    user = UserFactory(role=Role.SUPERVISOR)
    totp_enable(user)
    out = StringIO()

    call_command("tenant_command", "issue_api_token", user.email, schema_name="rialto", stdout=out)

    raw = out.getvalue().strip()
    assert rialto_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {raw}").json()["email"] == user.email


def test_tenant_command_refuses_staff_without_mfa(in_rialto: Any) -> None:
    from django.core.management import CommandError

    user = UserFactory(role=Role.OFFICER)

    with pytest.raises(CommandError, match="two-factor"):
        call_command("tenant_command", "issue_api_token", user.email, schema_name="rialto")


def test_api_on_the_public_host_is_not_found(public_client: Any) -> None:
    response = public_client.get("/api/v1/me/")

    assert response.status_code == 404


def test_a_subclass_cannot_widen_api_security() -> None:
    with pytest.raises(TypeError, match="may not override permission_classes"):

        class Sloppy(BaseApi):
            # The wrong type is the point: a subclass that drops the base's permission classes.
            permission_classes = ()  # type: ignore[assignment]


def test_openapi_schema_and_docs_are_served(rialto_client: Any) -> None:
    schema = rialto_client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    docs = rialto_client.get("/api/v1/docs/")

    assert schema.status_code == 200
    assert "/api/v1/me/" in schema.json()["paths"]
    assert "tokenAuth" in schema.json()["components"]["securitySchemes"]
    assert docs.status_code == 200


def test_the_openapi_schema_documents_the_refusals(rialto_client: Any) -> None:
    paths = rialto_client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]

    search = paths["/api/v1/cameras/search/"]["get"]["responses"]
    camera = paths["/api/v1/me/cameras/{public_id}/"]["patch"]["responses"]
    assert {"200", "400", "401", "403"} <= set(search)
    assert {"400", "401", "403", "404"} <= set(camera)
    assert camera["404"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert "enum" in str(paths)  # the default enum post-processing still runs


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ('{"address": "x", "latitude": 34.1, "longitude": -117.38, "kind": "\\ud800"}', "kind"),
        ('{"address": "1 Main\\u0000St", "latitude": 34.1, "longitude": -117.38, "kind": "home"}', "address"),
        (
            '{"address": "x", "latitude": 34.1, "longitude": -117.38, "kind": "home", "notes": ["ok", "\\udfff"]}',
            "notes[1]",
        ),
    ],
)
def test_json_text_the_database_cannot_store_is_a_400_naming_the_field(
    in_rialto: Any, rialto_client: Any, body: str, where: str
) -> None:
    from cameras.models import Site

    owner = UserFactory(role=Role.RESIDENT)
    issued = api_token_issue(user=owner, name="cli")

    response = rialto_client.post(
        "/api/v1/me/sites/", body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {issued.raw}"
    )

    assert response.status_code == 400
    assert where in response.json()["detail"]
    assert not Site.objects.filter(owner=owner).exists()
