"""Ordinance changes are administrative changes the oversight board sees (issue 15: "policy
edits, staff invitations, role changes, deactivations, ordinance and integration changes, each
with who and when"), read from the ordinances' history; an owner's bridge is not one."""

import datetime as dt
from typing import Any

import pytest

from accounts.models import Role
from compliance import services
from live.services import bridge_create
from tenants.models import DepartmentPolicy
from tests.conftest import TenantClient, login_with_mfa
from tests.factories import DEKALB_AFFIDAVIT, UserFactory, camera_make, site_make

pytestmark = pytest.mark.django_db

NAME = "Board-changes test ordinance"


@pytest.fixture
def board(logged_in_staff: Any) -> TenantClient:
    client, _user = logged_in_staff(Role.OVERSIGHT)
    return client


def _changes(board: TenantClient, **params: str) -> set[tuple[str, str, str, str]]:
    response = board.get("/oversight/changes/", params)
    assert response.status_code == 200
    return {(c.kind, c.who, c.subject, c.change) for c, _label in response.context["changes"]}


def test_an_ordinance_and_its_new_version_are_shown_with_who_and_when(
    board: TenantClient, in_rialto: Any, policy: DepartmentPolicy
) -> None:
    admin = UserFactory(role=Role.DEPT_ADMIN, full_name="Ada Admin", badge_number="1")
    first = services.ordinance_version_add(actor=admin, policy=policy, **{**DEKALB_AFFIDAVIT, "name": NAME})
    services.ordinance_version_add(
        actor=admin,
        policy=policy,
        ordinance=first.ordinance,
        effective_on=dt.date(2027, 1, 1),
        business_categories=["gas_station"],
        retention_days=90,
        attestation_month=5,
        attestation_day=1,
    )

    changes = _changes(board)

    assert ("ordinance_added", "Ada Admin (#1)", NAME, "") in changes
    assert ("ordinance_version_added", "Ada Admin (#1)", NAME, "in force from 2023-06-30") in changes
    assert ("ordinance_version_added", "Ada Admin (#1)", NAME, "in force from 2027-01-01") in changes


def test_the_board_filters_the_changes_to_ordinances(
    board: TenantClient, in_rialto: Any, policy: DepartmentPolicy
) -> None:
    admin = UserFactory(role=Role.DEPT_ADMIN)
    services.ordinance_version_add(actor=admin, policy=policy, **{**DEKALB_AFFIDAVIT, "name": NAME})

    changes = _changes(board, kind="ordinance_added")

    assert {kind for kind, *_rest in changes} == {"ordinance_added"}
    assert any(subject == NAME for _k, _w, subject, _c in changes)


def test_an_owner_registering_a_bridge_is_no_administrative_change(board: TenantClient, in_rialto: Any) -> None:
    owner = UserFactory(role=Role.BUSINESS)
    site = site_make(owner, in_rialto, kind="business")
    before = _changes(board)

    bridge_create(owner=owner, site=site, name="NVR", cameras=[camera_make(owner, in_rialto, site=site)])

    assert _changes(board) == before


def test_a_version_edited_in_the_admin_shows_its_fields_old_and_new(
    in_rialto: Any, policy: DepartmentPolicy, make_staff: Any, rialto_client: TenantClient, logged_in_staff: Any
) -> None:
    operator, secret = make_staff(Role.DEPT_ADMIN, is_staff=True, is_superuser=True, full_name="Olga Operator")
    assert login_with_mfa(rialto_client, operator.email, secret).status_code == 302
    version = services.ordinance_version_add(actor=operator, policy=policy, **{**DEKALB_AFFIDAVIT, "name": NAME})
    board, _member = logged_in_staff(Role.OVERSIGHT, client=TenantClient("rialto.localhost"))

    edited = rialto_client.post(
        f"/admin/compliance/ordinanceversion/{version.pk}/change/",
        {
            "ordinance": str(version.ordinance_id),
            "effective_on": "2023-06-30",
            "business_categories": "gas_station",
            "retention_days": "90",
            "signage": "on",
            "night_vision": "on",
            "attestation_month": "5",
            "attestation_day": "1",
            "min_consent": "",
        },
    )

    assert edited.status_code == 302, edited.context["adminform"].form.errors
    changed = [c for c in _changes(board, kind="ordinance_changed") if c[2] == NAME]
    assert changed == [
        (
            "ordinance_changed",
            f"Olga Operator (#{operator.badge_number})",
            NAME,
            "in force from 2023-06-30: minimum retention (days): 60 → 90",
        )
    ]
