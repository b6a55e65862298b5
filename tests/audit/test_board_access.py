"""Every page of the board's workspace answers the same to anyone who may not read it: the page
does not exist (404), and the attempt is logged as a refused reading. One test over every URL
name audit declares, so that a new board page is held to it without being listed. The
workspace is the board's (role oversight); the log's own page is also the department's
supervisors' and administrators'."""

from typing import Any

import pytest
from django.urls import URLPattern, reverse
from django_tenants.utils import tenant_context

from accounts.models import Role
from audit import urls as audit_urls
from audit.models import AccessEvent
from tests.conftest import TenantClient, login_with_mfa
from tests.factories import UserFactory, totp_enable

# Public on purpose: the log's signed checkpoint, for witnesses (docs/transparency-log.md).
PUBLIC = {"audit-log-checkpoint"}
ARGS: dict[str, list[Any]] = {
    "audit-board-export": ["csv"],
    "audit-board-export-manifest": ["json"],
    "audit-board-anomaly-review": [1],
    "audit-board-log-failure-resolve": [1],
    "audit-board-record": [1],
    "audit-board-report-file": ["pdf"],
}


def _board_urls() -> list[tuple[str, str]]:
    names = [p.name for p in audit_urls.urlpatterns if isinstance(p, URLPattern) and p.name]
    return [(name, reverse(name, args=ARGS.get(name, []))) for name in names if name not in PUBLIC]


BOARD_URLS = _board_urls()


def _last() -> AccessEvent | None:
    return AccessEvent.objects.order_by("-seq").first()


def test_the_matrix_covers_every_board_page() -> None:
    assert {name for name, _ in BOARD_URLS} >= {
        "oversight-log",
        "oversight-dashboard",
        "audit-board-search",
        "audit-board-export",
        "audit-board-export-manifest",
        "audit-board-admin-changes",
        "audit-board-anomalies",
        "audit-board-anomaly-review",
        "audit-board-log-failure-resolve",
        "audit-board-records",
        "audit-board-record",
        "audit-board-report",
        "audit-board-report-file",
    }


@pytest.mark.parametrize("role", [Role.OFFICER, Role.RESIDENT, Role.BUSINESS])
@pytest.mark.parametrize(("name", "path"), BOARD_URLS, ids=[name for name, _ in BOARD_URLS])
@pytest.mark.parametrize("method", ["get", "post"])
def test_who_may_not_read_the_log_is_told_no_board_page_exists_and_is_logged(
    in_rialto: Any, rialto_client: TenantClient, role: str, name: str, path: str, method: str
) -> None:
    user = UserFactory(role=role)
    if role == Role.OFFICER:
        login_with_mfa(rialto_client, user.email, totp_enable(user))
    else:
        rialto_client.force_login(user)

    response = getattr(rialto_client, method)(path)

    assert response.status_code == 404, (name, response.status_code)
    refused = _last()
    assert refused is not None
    assert (refused.action, refused.outcome, refused.reason, refused.actor_id, refused.quantity or 0) == (
        "audit_read",
        "denied",
        "role_not_permitted",
        user.pk,
        0,
    )
    assert b"Access log" not in response.content


# The board's workspace (issue 15: role ``oversight``): every board page but the log's own page.
WORKSPACE_URLS = [(name, path) for name, path in BOARD_URLS if name != "oversight-log"]


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.DEPT_ADMIN])
def test_the_departments_staff_read_the_log_page_and_no_page_of_the_board(logged_in_staff: Any, role: str) -> None:
    """The board oversees the department: its search, exports, dashboard, anomaly queue and
    notes, records, report and list of administrative changes are the board's alone. The
    department reviews its own log on the log's page (DESIGN: supervisors review their team's
    activity), which links to none of them. Every reading and refusal is logged."""
    client, user = logged_in_staff(role)
    before = _last()

    log_page = client.get(reverse("oversight-log"))
    answers = {name: client.get(path).status_code for name, path in WORKSPACE_URLS}

    body = log_page.content.decode()
    assert log_page.status_code == 200
    assert not [path for _name, path in WORKSPACE_URLS if f'href="{path}' in body]
    assert answers == {name: 404 for name, _path in WORKSPACE_URLS}
    written = list(AccessEvent.objects.filter(seq__gt=before.seq if before else 0).order_by("seq"))
    assert [(e.action, e.outcome, e.actor_id) for e in written[:1]] == [("audit_read", "allowed", user.pk)]
    assert [(e.action, e.outcome, e.reason, e.actor_id, e.details["path"]) for e in written[1:]] == [
        ("audit_read", "denied", "role_not_permitted", user.pk, path) for _name, path in WORKSPACE_URLS
    ]


@pytest.mark.parametrize(("name", "path"), BOARD_URLS, ids=[name for name, _ in BOARD_URLS])
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_board_member_without_mfa_is_sent_to_set_it_up_and_the_attempt_is_logged(
    in_rialto: Any, rialto_client: TenantClient, name: str, path: str, method: str
) -> None:
    # accounts' StaffMFARequiredMiddleware answers before any board view: set up a second factor.
    member = UserFactory(role=Role.OVERSIGHT)
    rialto_client.force_login(member)
    before = _last()

    response = getattr(rialto_client, method)(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/totp/activate/")
    refused = _last()
    assert refused is not None
    assert refused != before
    assert (refused.action, refused.outcome, refused.reason, refused.actor_id, refused.quantity or 0) == (
        "audit_read",
        "denied",
        "mfa_required",
        member.pk,
        0,
    )
    assert refused.details == {"path": path}


@pytest.mark.parametrize(("name", "path"), BOARD_URLS, ids=[name for name, _ in BOARD_URLS])
def test_a_board_member_with_mfa_whose_session_skipped_it_signs_in_again_and_the_attempt_is_logged(
    in_rialto: Any, rialto_client: TenantClient, name: str, path: str
) -> None:
    member = UserFactory(role=Role.OVERSIGHT)
    totp_enable(member)
    rialto_client.force_login(member)  # a session that never passed the second factor

    response = rialto_client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    refused = _last()
    assert refused is not None
    assert (refused.action, refused.outcome, refused.reason, refused.actor_id) == (
        "audit_read",
        "denied",
        "mfa_required",
        member.pk,
    )
    assert refused.actor_mfa is False


def test_an_officer_without_mfa_at_a_board_page_is_logged_as_refused_for_the_role(
    in_rialto: Any, rialto_client: TenantClient
) -> None:
    officer = UserFactory(role=Role.OFFICER)
    rialto_client.force_login(officer)

    response = rialto_client.get(reverse("oversight-log"))

    assert response.status_code == 302
    refused = _last()
    assert refused is not None
    assert (refused.action, refused.outcome, refused.reason, refused.actor_id) == (
        "audit_read",
        "denied",
        "role_not_permitted",
        officer.pk,
    )


def test_the_public_checkpoint_is_not_logged_for_a_staff_member_without_mfa(
    in_rialto: Any, rialto_client: TenantClient
) -> None:
    rialto_client.force_login(UserFactory(role=Role.OVERSIGHT))
    before = _last()

    rialto_client.get(reverse("audit-log-checkpoint"))

    assert _last() == before


@pytest.mark.parametrize(("name", "path"), BOARD_URLS, ids=[name for name, _ in BOARD_URLS])
def test_another_departments_board_member_is_a_stranger_on_this_host(
    in_rialto: Any, fontana: Any, rialto_client: TenantClient, fontana_client: TenantClient, name: str, path: str
) -> None:
    with tenant_context(fontana):
        member = UserFactory(role=Role.OVERSIGHT)
        login_with_mfa(fontana_client, member.email, totp_enable(member))
    rialto_client.cookies["sessionid"] = fontana_client.cookies["sessionid"].value
    before = _last()

    response = rialto_client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert _last() == before
