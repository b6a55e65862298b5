"""A department administrator imports the department's own cameras: a file with a bad row is
refused whole and the page lists the row, column and reason; the corrected file is stored and
the cameras are listed; one more is registered by clicking the map."""

import uuid
from pathlib import Path
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from accounts.models import Role
from tenants.models import Department
from tests.e2e.conftest import LiveServer
from tests.e2e.test_officer_searches import _committed
from tests.factories import PASSWORD, UserFactory, totp_code, totp_enable

HOST = "fontana.localhost"
pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


def _admin(tag: str) -> dict[str, Any]:
    with tenant_context(Department.objects.get(schema_name="fontana")):
        admin = UserFactory(role=Role.DEPT_ADMIN, email=f"cams-{tag}@example.org")
        return {"email": admin.email, "secret": totp_enable(admin)}


def _forget(tag: str) -> None:
    from accounts.models import User
    from cameras.models import Camera, DepartmentCamera, DepartmentCameraImport, Site

    with tenant_context(Department.objects.get(schema_name="fontana")):
        cameras = list(Camera.objects.filter(label__startswith=f"E2E {tag}").values_list("pk", "site_id"))
        DepartmentCamera.objects.filter(camera_id__in=[c for c, _ in cameras]).delete()
        Camera.objects.filter(pk__in=[c for c, _ in cameras]).delete()
        Site.objects.filter(pk__in=[s for _, s in cameras]).delete()
        DepartmentCameraImport.objects.filter(created_by__email=f"cams-{tag}@example.org").delete()
        User.objects.filter(email=f"cams-{tag}@example.org").delete()
        User.objects.filter(role=Role.DEPARTMENT, sites__isnull=True).delete()


def test_an_administrator_imports_cameras_and_sees_every_bad_row(
    porchlight_server: LiveServer, page: Any, shot: Any, tmp_path: Path
) -> None:
    server, tag = porchlight_server, uuid.uuid4().hex[:6]
    admin = _committed(lambda: _admin(tag))
    header = "label,latitude,longitude,bearing,field_of_view,range,stream_url\n"
    good = (
        f"E2E {tag} Sierra & Baseline,34.1210,-117.4350,90,80,60,rtsp://10.1.0.4/main\n"
        f"E2E {tag} Civic Center,34.0930,-117.4360,200,90,50,\n"
    )
    bad = tmp_path / "cameras-bad.csv"
    bad.write_text(header + good + f"E2E {tag} Park,94.1,-117.44,400,90,50,\n")
    fixed = tmp_path / "cameras.csv"
    fixed.write_text(header + good)

    try:
        page.goto(server.url(HOST, "/accounts/login/"))
        page.fill("[name=login]", admin["email"])
        page.fill("[name=password]", PASSWORD)
        page.click("main button[type=submit]")
        page.fill("[name=code]", totp_code(admin["secret"]))
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        page.goto(server.url(HOST, "/console/department-cameras/imports/"))
        page.set_input_files("[name=file]", str(bad))
        shot(page, "upload")
        page.click("main button[type=submit]")
        page.wait_for_selector("#import-errors")
        shot(page, "refused")
        refused = page.locator("#import-errors tbody").inner_text()

        page.goto(server.url(HOST, "/console/department-cameras/imports/"))
        page.set_input_files("[name=file]", str(fixed))
        page.click("main button[type=submit]")
        page.wait_for_selector("text=2 cameras stored.")
        shot(page, "stored")
        page.goto(server.url(HOST, "/console/department-cameras/new/"))
        page.wait_for_selector("#pick-map[data-ready='1']")
        page.click("#pick-map")  # the map opens on the department: its centre is inside
        picked = page.input_value("[name=latitude]"), page.input_value("[name=longitude]")
        page.fill("[name=label]", f"E2E {tag} Pinned on the map")
        page.fill("[name=bearing_deg]", "120")
        shot(page, "register")
        page.click("main form.stacked button[type=submit]")
        page.wait_for_load_state()
        page.goto(server.url(HOST, f"/console/department-cameras/?q=E2E+{tag}"))
        shot(page, "list")
        listed = page.locator("#department-cameras tbody").inner_text()
    finally:
        _committed(lambda: _forget(tag))

    assert "Latitude out of range" in refused
    assert "0 to 359" in refused
    assert f"E2E {tag} Sierra & Baseline" in listed
    assert f"E2E {tag} Civic Center" in listed
    assert all(picked), picked
    assert f"E2E {tag} Pinned on the map" in listed
