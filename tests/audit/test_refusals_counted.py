"""What counts as a refusal: the police's refused accesses to camera data (the gate's actions),
never the board's own input errors (a bad search filter) and, apart, the attempts to open pages
of a role one does not have. The same on the dashboard, the public page and the annual report."""

from typing import Any

from django.utils import timezone

from audit.checkpoints import checkpoint_make
from audit.figures import figures_of, period_parse
from tenants.models import Department
from tests.audit.test_annual_report import REPORT, _csv, _year, board, event, log
from tests.conftest import TenantClient
from tests.portal.test_transparency import as_last_month

__all__ = ["board", "log"]


def _mixed() -> None:
    for _ in range(6):
        event("camera_view", outcome="denied", reason="no_grant")
    for _ in range(12):
        event("audit_read", outcome="denied", reason="invalid_filter")
    for _ in range(2):
        event("audit_read", outcome="denied", reason="role_not_permitted")
    event("audit_read", outcome="denied", reason="mfa_required")
    event("console_denied", outcome="denied", reason="role_not_permitted")


def test_the_dashboard_counts_only_police_refusals_and_never_the_boards_input_errors(log: Department) -> None:
    _mixed()

    figures = figures_of(period_parse(year="", month="", today=timezone.localdate()))

    assert figures.denials == 6
    assert sum(figures.denials_by_bucket) == 6
    assert "invalid_filter" not in figures.denials_by_reason
    assert figures.door_refusals == 4


def test_the_public_page_counts_only_police_refusals(log: Department, rialto_client: TenantClient) -> None:
    _mixed()
    as_last_month()

    data = rialto_client.get("/transparency.json").json()

    assert data["denials"] == 6
    assert sum(v for v in data["denials_by_month"] if isinstance(v, int)) == 6


def test_the_report_counts_pages_of_another_role_only_for_the_role_or_mfa(board: TenantClient, **_: Any) -> None:
    for _n in range(6):
        event("console_denied", outcome="denied", reason="role_not_permitted")
    for _n in range(12):
        event("audit_read", outcome="denied", reason="invalid_filter")
    for _n in range(7):
        event("camera_view", outcome="denied", reason="no_grant")
    checkpoint = checkpoint_make()

    cells = _csv(board.get(f"{REPORT}csv/", {"year": _year(), "checkpoint": checkpoint.pk}).content)

    doors = "Attempts to open pages of a role one does not have"
    door = [v for k, v in cells.items() if k[0] == "R8" and k[1] == doors]
    assert door[0] == "6"
    assert not [k for k in cells if "invalid_filter" in k[2] or "Invalid filter" in k[2]]
    refused_reads = cells.get(("R1", "Events by action", "Access log read", "Refused"))
    assert refused_reads in (None, "0")
