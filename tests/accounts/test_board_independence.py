"""The oversight board oversees the department, so the department does not choose its overseers
(security review of issue 15): a department administrator can neither invite a board member,
make someone one, change one's role nor deactivate one. The platform's operator adds them
(``manage.py invite_board_member``)."""

from typing import Any

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Role, User
from tests.conftest import TenantClient
from tests.factories import UserFactory


@pytest.fixture
def admin_client(logged_in_staff: Any) -> tuple[TenantClient, User]:
    return logged_in_staff(Role.DEPT_ADMIN)


def test_an_administrator_cannot_invite_a_board_member(admin_client: Any) -> None:
    client, _ = admin_client

    response = client.post(
        "/department/staff/invite/", {"email": "crony@example.org", "full_name": "A Crony", "role": "oversight"}
    )

    assert response.status_code in (200, 400)
    assert not User.objects.filter(email="crony@example.org").exists()
    assert 'value="oversight"' not in client.get("/department/staff/").content.decode()


def test_an_administrator_cannot_make_an_officer_a_board_member(admin_client: Any) -> None:
    client, _ = admin_client
    officer = UserFactory(role=Role.OFFICER)

    client.post(f"/department/staff/{officer.pk}/role/", {"role": "oversight"})

    officer.refresh_from_db()
    assert officer.role == Role.OFFICER


def test_an_administrator_cannot_change_or_deactivate_a_board_member(admin_client: Any) -> None:
    client, _ = admin_client
    member = UserFactory(role=Role.OVERSIGHT)

    client.post(f"/department/staff/{member.pk}/role/", {"role": "officer"})
    client.post(f"/department/staff/{member.pk}/active/", {"confirm": "yes"})
    page = client.get("/department/staff/").content.decode()

    member.refresh_from_db()
    assert (member.role, member.is_active) == (Role.OVERSIGHT, True)
    assert f'/department/staff/{member.pk}/role/"' not in page
    assert f'/department/staff/{member.pk}/active/"' not in page
    assert "Added and removed by the platform" in page


def test_the_operator_invites_a_board_member_by_command(in_rialto: Any) -> None:
    call_command("invite_board_member", "--schema", "rialto", "--email", "board2@example.org", "--name", "B Two")

    member = User.objects.get(email="board2@example.org")
    assert (member.role, member.invited_by_id, member.has_usable_password()) == (Role.OVERSIGHT, None, False)


def test_the_command_names_a_schema_that_is_no_department(in_rialto: Any) -> None:
    with pytest.raises(CommandError, match="No department with the schema 'atlantis'"):
        call_command("invite_board_member", "--schema", "atlantis", "--email", "board3@example.org")
