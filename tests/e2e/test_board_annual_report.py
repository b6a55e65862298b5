"""An oversight board member enters a complaint, opens the annual surveillance report for this
year at a new signed checkpoint, sees its sections and what it was computed up to, and downloads
it as a PDF."""

import uuid
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import Role
from audit.checkpoints import checkpoint_make
from tenants.models import Department
from tests.e2e.conftest import LiveServer
from tests.e2e.test_officer_searches import _committed
from tests.factories import PASSWORD, UserFactory, totp_code, totp_enable

HOST = "rialto.localhost"
pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


def _world() -> dict[str, Any]:
    department = Department.objects.get(schema_name="rialto")
    with tenant_context(department):
        member = UserFactory(
            role=Role.OVERSIGHT, email=f"board-{uuid.uuid4().hex[:6]}@example.org", full_name="Ria Report"
        )
        today = timezone.localdate(timezone=ZoneInfo(department.time_zone))
        return {"member": member, "secret": totp_enable(member), "year": today.year, "today": today.isoformat()}


def _checkpoint() -> int:
    with tenant_context(Department.objects.get(schema_name="rialto")):
        return checkpoint_make().pk


def test_a_board_member_enters_a_complaint_and_downloads_the_annual_report(
    porchlight_server: LiveServer, page: Any, shot: Any, tmp_path: Path
) -> None:
    server, world = porchlight_server, _committed(_world)
    page.goto(server.url(HOST, "/accounts/login/"))
    page.fill("[name=login]", world["member"].email)
    page.fill("[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.fill("[name=code]", totp_code(world["secret"]))
    page.click("main button[type=submit]")
    page.wait_for_load_state()

    page.goto(server.url(HOST, "/oversight/records/"))
    page.select_option("[name=kind]", "complaint")
    page.fill("[name=received_on]", world["today"])
    page.select_option("[name=category]", "protected_activity")
    page.fill("[name=summary]", "A resident asks whether cameras were searched around a march downtown.")
    page.click("main form.stacked button[type=submit]")
    page.wait_for_load_state()
    shot(page, "complaint")
    assert "Protest, religion or other protected activity" in page.locator("main").inner_text()

    checkpoint = _committed(_checkpoint)
    page.goto(server.url(HOST, "/oversight/report/"))
    page.select_option("[name=year]", str(world["year"]))
    page.select_option("[name=checkpoint]", str(checkpoint))
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    shot(page, "report")
    main = page.locator("main").inner_text()
    assert f"#{checkpoint}" in main
    assert "Complaints and concerns" in main
    assert "Not computed from the log" in main

    with page.expect_download() as download_info:
        page.click("main a:text('PDF')")
    pdf = tmp_path / "report.pdf"
    download_info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    assert f"checkpoint-{checkpoint}.pdf" in download_info.value.suggested_filename
