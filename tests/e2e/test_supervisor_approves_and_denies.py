"""A supervisor is told an exigent purpose waits, opens the notification, approves one purpose
and denies another with a reason; the officer reads both outcomes in their notifications."""

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from accounts.models import Role
from tenants.models import Department, DepartmentPolicy
from tenants.services import policy_update
from tests.e2e.conftest import LiveServer
from tests.e2e.test_officer_searches import _committed
from tests.factories import PASSWORD, UserFactory, totp_code, totp_enable

HOST = "rialto.localhost"
pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


def _approval_required(value: bool | None) -> bool:
    """Set Rialto's "exigent live views need a supervisor's approval" (committed); returns the old value."""
    department = Department.objects.get(schema_name="rialto")
    before = DepartmentPolicy.objects.get(department=department).exigent_requires_approval
    if value is not None:
        policy_update(department=department, actor=None, exigent_requires_approval=value)
    return before


@pytest.fixture
def people(porchlight_server: LiveServer) -> Iterator[dict[str, Any]]:
    def make() -> dict[str, Any]:
        tag = uuid.uuid4().hex[:6]
        with tenant_context(Department.objects.get(schema_name="rialto")):
            officer = UserFactory(role=Role.OFFICER, email=f"officer-{tag}@example.org", full_name="Olga Officer")
            supervisor = UserFactory(
                role=Role.SUPERVISOR, email=f"supervisor-{tag}@example.org", full_name="Sam Supervisor"
            )
            return {
                "tag": tag,
                "officer": officer,
                "officer_secret": totp_enable(officer),
                "supervisor": supervisor,
                "supervisor_secret": totp_enable(supervisor),
            }

    before = _committed(lambda: _approval_required(True))
    try:
        yield _committed(make)
    finally:
        _committed(lambda: _approval_required(before))


def _sign_in(page: Any, server: LiveServer, email: str, secret: str) -> None:
    page.goto(server.url(HOST, "/accounts/login/"))
    page.fill("[name=login]", email)
    page.fill("[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.fill("[name=code]", totp_code(secret))
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def _state_exigent_purpose(page: Any, server: LiveServer, case: str, text: str) -> None:
    page.goto(server.url(HOST, "/console/purpose/"))
    page.fill("[name=case_number]", case)
    page.select_option("[name=category]", "missing_person")
    page.fill("[name=text]", text)
    page.select_option("[name=authority]", "exigent")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/console/")


def test_a_supervisor_approves_one_exigent_purpose_and_denies_another_and_the_officer_is_told(
    porchlight_server: LiveServer, browser: Any, page: Any, shot: Any, people: dict[str, Any]
) -> None:
    server, tag = porchlight_server, people["tag"]
    approve_case, deny_case = f"E-{tag}-1", f"E-{tag}-2"

    # The officer states two exigent purposes.
    _sign_in(page, server, people["officer"].email, people["officer_secret"])
    _state_exigent_purpose(page, server, approve_case, "Missing child near the park")
    _state_exigent_purpose(page, server, deny_case, "Lost dog, owner worried")

    # The supervisor, in a browser of their own, sees two unread notifications in the menu.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    boss = context.new_page()
    _sign_in(boss, server, people["supervisor"].email, people["supervisor_secret"])
    expect(boss.locator("#menu-notifications")).to_have_text("Notifications (2)")
    boss.click("#menu-notifications")
    waiting = boss.locator("li.notification.unread", has_text=approve_case)
    expect(waiting).to_contain_text("Olga Officer (#4711) stated an exigent purpose")
    shot(boss, "supervisor-notifications")

    # Opening it leads to the approvals page, at that purpose.
    waiting.get_by_role("button", name="Approve or deny").click()
    boss.wait_for_url(re.compile(r".*/console/approvals/#purpose-[0-9a-f-]+$"))
    approve_row = boss.locator("tr.awaiting", has_text=approve_case)
    deny_row = boss.locator("tr.awaiting", has_text=deny_case)
    expect(approve_row).to_have_id(re.compile(boss.url.rsplit("#", 1)[1]))
    expect(boss.locator("#menu-notifications")).to_have_text("Notifications (1)")

    # Approve the first.
    approve_row.get_by_role("button", name="Approve").click()
    expect(boss.locator(".messages")).to_contain_text("Approved.")
    expect(approve_row).to_have_count(0)

    # Deny the second: first without a reason (a clear error), then with one.
    deny_row.get_by_role("button", name="Deny").click()
    expect(deny_row.get_by_role("alert")).to_have_text("Give the reason for the denial: the officer is told it.")
    expect(deny_row.get_by_label("Reason for the denial")).to_have_attribute("aria-invalid", "true")
    shot(boss, "deny-without-reason")
    deny_row.get_by_label("Reason for the denial").fill("A lost dog is not an emergency")
    deny_row.get_by_role("button", name="Deny").click()
    expect(boss.locator(".messages")).to_contain_text("Denied. The officer is told your reason.")
    expect(boss.locator("tr.awaiting", has_text=tag)).to_have_count(0)
    shot(boss, "decided")
    context.close()

    # The officer sees both outcomes.
    page.goto(server.url(HOST, "/console/purpose/"))
    expect(page.locator("#menu-notifications")).to_have_text("Notifications (2)")
    page.click("#menu-notifications")
    expect(page.locator("li.notification", has_text=approve_case)).to_contain_text(
        "Sam Supervisor (#4711) approved your exigent purpose"
    )
    expect(page.locator("li.notification", has_text=deny_case)).to_contain_text(
        "Reason: A lost dog is not an emergency"
    )
    shot(page, "officer-told")
    # and the e-mails went out: the supervisor's links to the page where it is decided
    mails = "".join(server.mails())
    assert f"To: {people['supervisor'].email}" in mails
    assert re.search(rf"http://{re.escape(HOST)}:\d+/console/approvals/#purpose-", mails)
    assert "A lost dog is not an emergency" in mails
