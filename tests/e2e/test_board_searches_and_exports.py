"""An oversight board member signs in, filters the access log by an officer's badge and a day,
downloads the selection as CSV and its signed manifest, and the two verify."""

import csv
import io
import json
import uuid
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import Role
from audit.services import ActorSnapshot, EventFacts, PurposeSnapshot, access_event_record
from tenants.models import Department
from tests.e2e.conftest import LiveServer
from tests.e2e.test_officer_searches import _committed
from tests.factories import PASSWORD, UserFactory, totp_code, totp_enable

HOST = "rialto.localhost"
pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


def _world() -> dict[str, Any]:
    """A board member, and events of two officers (committed, so the server sees them)."""
    tag = uuid.uuid4().hex[:6]
    department = Department.objects.get(schema_name="rialto")
    with tenant_context(department):
        member = UserFactory(role=Role.OVERSIGHT, email=f"board-{tag}@example.org", full_name="Bea Board")
        badge = f"B{tag}"
        mine = [
            access_event_record(
                actor=ActorSnapshot(user_id=None, badge=badge, role="officer", mfa=True),
                facts=EventFacts("search", "allowed", "ok", quantity=n),
                purpose=PurposeSnapshot(case_number=f"=CASE-{tag}-{n}", category="property_crime", text="a theft"),
            ).seq
            for n in range(3)
        ]
        access_event_record(
            actor=ActorSnapshot(user_id=None, badge=f"other{tag}", role="officer", mfa=True),
            facts=EventFacts("search", "allowed", "ok"),
        )
        today = timezone.localdate(timezone=ZoneInfo(department.time_zone)).isoformat()
        return {"member": member, "secret": totp_enable(member), "badge": badge, "mine": mine, "today": today}


def test_a_board_member_filters_by_officer_and_day_and_downloads_a_verified_csv(
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
    page.goto(server.url(HOST, "/oversight/search/"))
    page.fill("[name=badge]", world["badge"])
    page.fill("[name=date_from]", world["today"])
    page.fill("[name=date_to]", world["today"])
    shot(page, "filter")
    page.click("#board-filter button[type=submit]")
    page.wait_for_load_state()
    shot(page, "results")
    listed = [int(n) for n in page.locator("#board-results tbody tr td:first-child").all_inner_texts()]
    with page.expect_download() as download_info:
        page.click("#export-csv")
    csv_path = tmp_path / "log.csv"
    download_info.value.save_as(csv_path)
    with page.expect_download() as manifest_info:
        page.click("#manifest-csv")
    manifest_path = tmp_path / "log.manifest.json"
    manifest_info.value.save_as(manifest_path)

    assert listed == sorted(world["mine"], reverse=True)
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text())))
    assert [int(r["seq"]) for r in rows] == sorted(world["mine"], reverse=True)
    assert all(r["case_number"].startswith("'=") for r in rows)
    manifest = json.loads(manifest_path.read_text())["manifest"]
    assert (manifest["count"], manifest["filter"]["badge"]) == (3, world["badge"])
    out = io.StringIO()
    call_command("audit_export_verify", str(csv_path), str(manifest_path), stdout=out)
    assert out.getvalue().startswith("ok: 3 events")
