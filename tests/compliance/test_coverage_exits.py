"""An owner's edit that takes a site out of an ordinance's coverage (compliance.coverage_exits):
the owner may correct their data, but the change is kept in history, flagged on the
department's compliance dashboard with the values before and after, and told to the
department's compliance staff. Tested through the owner's own edit form."""

import datetime as dt
from typing import Any

import pytest

from accounts.models import Role, User
from cameras.models import Site
from compliance.models import CoverageExit
from notifications.models import Kind, Notification
from tenants.models import Department, DepartmentPolicy
from tests.conftest import TenantClient, login_with_mfa
from tests.factories import DEKALB_AFFIDAVIT, RIALTO_CONDITIONS, UserFactory, ordinance_make, site_make

pytestmark = pytest.mark.django_db

# Names of our own: browser tests commit ordinances into Rialto for the session.
CONDITIONS = {**RIALTO_CONDITIONS, "name": "Coverage-exit conditions"}
AFFIDAVIT = {**DEKALB_AFFIDAVIT, "name": "Coverage-exit affidavit"}


def _form(site: Site, **changes: str) -> dict[str, str]:
    """The owner's edit form as the page fills it in, with ``changes``."""
    data = {
        "kind": site.kind,
        "name": site.name,
        "address": site.address,
        "business_name": site.business_name,
        "parcel_number": site.parcel_number,
        "permit_number": site.permit_number,
        "property_type": site.property_type,
        "constructed_on": site.constructed_on.isoformat() if site.constructed_on else "",
        "business_category": site.business_category,
        "units": "" if site.units is None else str(site.units),
        "parking_spaces": "" if site.parking_spaces is None else str(site.parking_spaces),
        "floor_area_sqft": "" if site.floor_area_sqft is None else str(site.floor_area_sqft),
        "licence_renews_on": "",
        "police_notes": site.police_notes,
        "latitude": str(site.location.y),
        "longitude": str(site.location.x),
    }
    data.update(changes)
    return data


@pytest.fixture
def owner(in_rialto: Department) -> User:
    return UserFactory(role=Role.BUSINESS)


@pytest.fixture
def owner_client(owner: User) -> TenantClient:
    client = TenantClient("rialto.localhost")
    client.force_login(owner)
    return client


def _staff(make_staff: Any, role: str, **fields: Any) -> tuple[User, TenantClient]:
    user, secret = make_staff(role, **fields)
    client = TenantClient("rialto.localhost")
    assert login_with_mfa(client, user.email, secret).status_code == 302
    return user, client


@pytest.mark.parametrize(
    ("spec", "site_fields", "change", "field", "before", "after"),
    [
        (CONDITIONS, {"constructed_on": dt.date(2024, 3, 1)}, {"constructed_on": "2019-06-01"}, "constructed_on",
         "2024-03-01", "2019-06-01"),
        (CONDITIONS, {"constructed_on": dt.date(2024, 3, 1)}, {"kind": "other"}, "kind", "business", "other"),
        (AFFIDAVIT, {"business_category": "gas_station"}, {"business_category": "retail"}, "business_category",
         "gas_station", "retail"),
        # A blank category takes a business out too (it is not judged until it gives one).
        (AFFIDAVIT, {"business_category": "gas_station"}, {"business_category": ""}, "business_category",
         "gas_station", ""),
    ],
)  # fmt: skip
def test_an_owner_edit_that_takes_a_site_out_of_coverage_is_saved_recorded_and_kept_in_history(
    policy: DepartmentPolicy,
    owner: User,
    owner_client: TenantClient,
    in_rialto: Department,
    spec: dict[str, Any],
    site_fields: dict[str, Any],
    change: dict[str, str],
    field: str,
    before: str,
    after: str,
) -> None:
    version = ordinance_make(policy, spec)
    site = site_make(owner, in_rialto, kind="business", business_name="Palm Fuel", **site_fields)

    response = owner_client.post(f"/my/sites/{site.public_id}/", _form(site, **change))

    assert response.status_code == 302  # the owner may correct their data
    flag = CoverageExit.objects.get(site=site)
    assert flag.ordinance_keys == [str(version.ordinance.public_id)]
    assert (flag.ordinance_names, flag.changed_by) == ([spec["name"]], owner)
    assert flag.changes == {field: [before, after]}
    assert flag.reviewed_at is None
    latest = Site.history.filter(id=site.pk).order_by("-history_date", "-history_id").first()
    assert latest is not None
    assert "left ordinance coverage" in (latest.history_change_reason or "")
    assert flag.history.count() == 1


def test_the_department_s_compliance_staff_are_told_and_no_one_else(
    policy: DepartmentPolicy, owner: User, owner_client: TenantClient, in_rialto: Department, make_staff: Any
) -> None:
    ordinance_make(policy, CONDITIONS)
    admin, _c = make_staff(Role.DEPT_ADMIN)
    duty, _c = make_staff(Role.SUPERVISOR, compliance_duty=True)
    supervisor, _c = make_staff(Role.SUPERVISOR)
    officer, _c = make_staff(Role.OFFICER)
    site = site_make(owner, in_rialto, kind="business", constructed_on=dt.date(2024, 3, 1))

    owner_client.post(f"/my/sites/{site.public_id}/", _form(site, constructed_on="2019-06-01"))

    told = Notification.objects.filter(kind=Kind.COVERAGE_LEFT)
    assert {n.recipient for n in told} >= {admin, duty}
    assert not told.filter(recipient__in=[supervisor, officer, owner]).exists()
    mine = told.get(recipient=admin)
    assert "Coverage-exit conditions" in mine.subject
    assert "date of construction or last remodel" in mine.body
    assert "150 S Palm Ave" not in mine.body  # the dashboard names the property, not the e-mail
    assert mine.link == "/console/compliance/#coverage-exits"


def test_the_dashboard_flags_the_site_with_the_values_before_and_after_until_it_is_reviewed(
    policy: DepartmentPolicy, owner: User, owner_client: TenantClient, in_rialto: Department, make_staff: Any
) -> None:
    ordinance_make(policy, CONDITIONS)
    _admin, admin_client = _staff(make_staff, Role.DEPT_ADMIN)
    site = site_make(owner, in_rialto, kind="business", business_name="Exit Fuel", constructed_on=dt.date(2024, 3, 1))
    owner_client.post(f"/my/sites/{site.public_id}/", _form(site, constructed_on="2019-06-01", kind="other"))
    flag = CoverageExit.objects.get(site=site)

    page = admin_client.get("/console/compliance/").content.decode()
    reviewed = admin_client.post(f"/console/compliance/coverage-exits/{flag.public_id}/review/")
    after = admin_client.get("/console/compliance/").content.decode()

    assert 'id="coverage-exits"' in page
    assert "1 owner edit took a property out of an ordinance's coverage" in page
    assert f'data-exit="{flag.public_id}"' in page
    assert "Exit Fuel" in page
    assert "date of construction or last remodel: 2024-03-01 → 2019-06-01" in page
    assert "kind of property: Business → Other" in page
    assert reviewed.status_code == 302
    assert f'data-exit="{flag.public_id}"' not in after
    flag.refresh_from_db()
    assert flag.reviewed_by == _admin
    assert flag.history.latest().history_user == _admin


def test_an_edit_that_keeps_the_site_covered_flags_nothing(
    policy: DepartmentPolicy, owner: User, owner_client: TenantClient, in_rialto: Department
) -> None:
    ordinance_make(policy, CONDITIONS)
    site = site_make(owner, in_rialto, kind="business", constructed_on=dt.date(2024, 3, 1))

    # A later date, and a blank one: both keep it covered (a blank date is a missing fact).
    owner_client.post(f"/my/sites/{site.public_id}/", _form(site, constructed_on="2025-01-01"))
    owner_client.post(f"/my/sites/{site.public_id}/", _form(site, constructed_on=""))

    assert Site.objects.get(pk=site.pk).constructed_on is None
    assert not CoverageExit.objects.filter(site=site).exists()
    assert not Notification.objects.filter(kind=Kind.COVERAGE_LEFT).exists()


def test_a_refused_edit_records_nothing(
    policy: DepartmentPolicy, owner: User, owner_client: TenantClient, in_rialto: Department
) -> None:
    ordinance_make(policy, CONDITIONS)
    site = site_make(owner, in_rialto, kind="business", constructed_on=dt.date(2024, 3, 1))

    response = owner_client.post(
        f"/my/sites/{site.public_id}/", _form(site, constructed_on="2019-06-01", latitude="40.7", longitude="-74.0")
    )

    assert response.status_code == 400  # outside the department: nothing saved
    assert Site.objects.get(pk=site.pk).constructed_on == dt.date(2024, 3, 1)
    assert not CoverageExit.objects.filter(site=site).exists()


def test_leaving_an_ordinance_by_kind_and_date_at_once_is_saved_with_its_history_note(
    policy: DepartmentPolicy, owner: User, owner_client: TenantClient, in_rialto: Department
) -> None:
    # Both changes noted in one reason, with a long ordinance name, was longer than the history's
    # column (100 characters), which made the owner's save fail.
    spec = {**RIALTO_CONDITIONS, "name": "Conditions of approval for coverage exits, kind and date at once"}
    version = ordinance_make(policy, spec)
    site = site_make(owner, in_rialto, kind="business", constructed_on=dt.date(2025, 3, 1))

    response = owner_client.post(
        f"/my/sites/{site.public_id}/", _form(site, kind="residential", constructed_on="2019-01-01")
    )

    assert response.status_code == 302
    flag = CoverageExit.objects.get(site=site)
    assert (flag.ordinance_keys, flag.ordinance_names) == ([str(version.ordinance.public_id)], [spec["name"]])
    assert flag.changes == {"kind": ["business", "residential"], "constructed_on": ["2025-03-01", "2019-01-01"]}
    reason = Site.history.filter(id=site.pk).latest().history_change_reason or ""
    assert len(reason) <= 100
    assert reason.startswith("Owner edit left ordinance coverage")


def test_another_departments_or_no_flag_is_not_found_and_logged(
    policy: DepartmentPolicy, make_staff: Any, in_rialto: Department
) -> None:
    from audit.models import AccessEvent

    _admin, admin_client = _staff(make_staff, Role.DEPT_ADMIN)
    path = "/console/compliance/coverage-exits/00000000-0000-0000-0000-000000000000/review/"

    response = admin_client.post(path)

    assert response.status_code == 404
    assert AccessEvent.objects.filter(action="console_denied", reason="not_found", details__path=path).exists()
