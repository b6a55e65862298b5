"""The department administrator's ordinance pages (issue 16: ordinances were set up only in the
Django admin): add an ordinance with its first version, make a new version, edit one not yet in
force, retire (repeal) one from a date. Each change kept in history with who made it and shown on
the board's administrative changes; a form that is wrong says which field and saves nothing;
anyone else is answered 404 and the refusal logged."""

import datetime as dt
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from accounts.models import Role
from audit.admin_changes import admin_changes
from audit.models import AccessEvent, Action
from compliance import records
from compliance.models import Ordinance, OrdinanceVersion
from compliance.selectors import versions_in_force
from compliance.services import local_today
from tenants.models import Department, DepartmentPolicy
from tests.conftest import TenantClient
from tests.factories import DEKALB_AFFIDAVIT, UserFactory, ordinance_make, site_make

pytestmark = pytest.mark.django_db

NAME = "Console ordinance test"


def _version_data(**changes: str) -> dict[str, Any]:
    return {
        "effective_on": "2027-05-01",
        "business_categories": ["gas_station"],
        "retention_days": "60",
        "min_consent": "",
        "attestation_month": "5",
        "attestation_day": "1",
        **changes,
    }


def _changes() -> set[tuple[str, str, str]]:
    return {(c.kind, c.subject, c.change) for c in admin_changes(start=None, end=None)}


def test_an_administrator_adds_an_ordinance_with_its_first_version(
    logged_in_staff: Any, policy: DepartmentPolicy
) -> None:
    client, admin = logged_in_staff(Role.DEPT_ADMIN)

    response = client.post(
        "/console/ordinances/new/",
        {"name": NAME, "citation": "Code §30-87", "text_url": "https://example.org/law", **_version_data()},
    )

    ordinance = Ordinance.objects.get(name=NAME)
    version = ordinance.versions.get()
    assert response.status_code == 302
    assert response["Location"] == f"/console/ordinances/{ordinance.public_id}/"
    assert (version.effective_on, version.business_categories, version.retention_days) == (
        dt.date(2027, 5, 1),
        ["gas_station"],
        60,
    )
    assert ordinance.history.get().history_user_id == admin.pk
    assert version.history.get().history_user_id == admin.pk
    assert ("ordinance_added", NAME, "") in _changes()
    assert ("ordinance_version_added", NAME, "in force from 2027-05-01") in _changes()
    page = client.get(f"/console/ordinances/{ordinance.public_id}/").content.decode()
    assert "Code §30-87" in page
    assert "2027-05-01" in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"attestation_month": "13"}, "attestation_month", "less than or equal to 12"),
        ({"effective_on": "31/31/2027"}, "effective_on", "Enter a valid date"),
        ({"name": " "}, "name", "This field is required"),
        ({"property_kinds": ["residential"], "min_consent": "live"}, "min_consent", "live view of “Home”"),
        ({"attestation_month": "2", "attestation_day": "31"}, "attestation_day", "Month 2 has only 29 days"),
        ({"effective_on": "1899-12-31"}, "effective_on", "from 1900-01-01"),
        ({"effective_on": "0001-01-01"}, "effective_on", "from 1900-01-01"),
        ({"effective_on": "9999-12-31"}, "effective_on", "at most 20 years from today"),
        ({"attestation_month": "4", "attestation_day": "31"}, "attestation_day", "Month 4 has only 30 days"),
        # Fontana: retention only an attestation could confirm, and no attestation ever due.
        (
            {"min_cameras": "1", "retention_days": "30000", "attestation_month": "", "attestation_day": ""},
            "attestation_month",
            "asks for minimum retention, which only the owner's yearly attestation can confirm",
        ),
    ],
)
def test_a_wrong_ordinance_form_names_the_field_and_saves_nothing(
    logged_in_staff: Any, policy: DepartmentPolicy, changes: dict[str, Any], field: str, message: str
) -> None:
    client, _admin = logged_in_staff(Role.DEPT_ADMIN)
    before = (Ordinance.objects.count(), OrdinanceVersion.objects.count())

    response = client.post("/console/ordinances/new/", {"name": NAME, **_version_data(**changes)})

    assert response.status_code == 400
    form = response.context["ordinance_form"] if field == "name" else response.context["form"]
    assert message in " ".join(form.errors[field])
    assert (Ordinance.objects.count(), OrdinanceVersion.objects.count()) == before


def test_a_new_version_starts_from_the_latest_and_a_taken_date_is_refused(
    logged_in_staff: Any, policy: DepartmentPolicy
) -> None:
    client, _admin = logged_in_staff(Role.DEPT_ADMIN)
    first = ordinance_make(policy, DEKALB_AFFIDAVIT, name=NAME)
    url = f"/console/ordinances/{first.ordinance.public_id}/versions/new/"

    form = client.get(url).context["form"]
    taken = client.post(url, _version_data(effective_on="2023-06-30"))
    made = client.post(url, _version_data(effective_on="2027-05-01", retention_days="90"))

    assert form.initial["retention_days"] == 60
    assert taken.status_code == 400
    assert "already has a version in force from that date" in " ".join(taken.context["form"].errors["effective_on"])
    assert made.status_code == 302
    assert list(first.ordinance.versions.values_list("effective_on", "retention_days")) == [
        (dt.date(2027, 5, 1), 90),
        (dt.date(2023, 6, 30), 60),
    ]


def test_a_version_not_yet_in_force_is_edited_with_its_change_on_the_board_page(
    logged_in_staff: Any, policy: DepartmentPolicy
) -> None:
    client, admin = logged_in_staff(Role.DEPT_ADMIN)
    later = ordinance_make(policy, DEKALB_AFFIDAVIT, name=NAME, effective_on=dt.date(2030, 5, 1))

    response = client.post(
        f"/console/ordinances/{later.ordinance.public_id}/versions/{later.pk}/",
        _version_data(effective_on="2030-05-01", retention_days="90"),
    )

    later.refresh_from_db()
    assert response.status_code == 302
    assert later.retention_days == 90
    assert later.history.latest().history_user_id == admin.pk
    assert any(
        kind == "ordinance_changed" and subject == NAME and "90" in change for kind, subject, change in _changes()
    )


def test_a_version_in_force_is_not_edited_but_replaced_by_a_new_one(
    logged_in_staff: Any, policy: DepartmentPolicy
) -> None:
    client, _admin = logged_in_staff(Role.DEPT_ADMIN)
    in_force = ordinance_make(policy, DEKALB_AFFIDAVIT, name=NAME)

    response = client.post(
        f"/console/ordinances/{in_force.ordinance.public_id}/versions/{in_force.pk}/",
        _version_data(effective_on="2023-06-30", retention_days="1"),
    )

    in_force.refresh_from_db()
    assert response.status_code == 400
    assert "already in force" in response.content.decode()
    assert in_force.retention_days == 60


def test_a_version_in_force_is_shown_in_the_forms_words_and_iso_dates(
    logged_in_staff: Any, policy: DepartmentPolicy
) -> None:
    client, _admin = logged_in_staff(Role.DEPT_ADMIN)
    in_force = ordinance_make(policy, DEKALB_AFFIDAVIT, name=NAME, min_consent="on_request", placements=["entrance"])

    page = client.get(f"/console/ordinances/{in_force.ordinance.public_id}/versions/{in_force.pk}/").content.decode()

    assert "<dd>Gas station</dd>" in page
    assert "<dd>Entrances and exits</dd>" in page
    assert "<dd>Footage on request</dd>" in page
    assert "<dd>2023-06-30</dd>" in page
    assert "<dd>Yes</dd>" in page
    assert "<dd>No</dd>" in page
    for raw in ("[&#x27;", "True", "False", "on_request", "June 30, 2023"):
        assert raw not in page


def test_the_ordinance_is_renamed_and_the_board_sees_old_and_new(
    logged_in_staff: Any, policy: DepartmentPolicy
) -> None:
    client, _admin = logged_in_staff(Role.DEPT_ADMIN)
    version = ordinance_make(policy, DEKALB_AFFIDAVIT, name=NAME)

    response = client.post(
        f"/console/ordinances/{version.ordinance.public_id}/",
        {"name": NAME + " (amended)", "citation": "Ch. 15 Art. XV", "text_url": ""},
    )

    assert response.status_code == 302
    assert Ordinance.objects.get(pk=version.ordinance.pk).citation == "Ch. 15 Art. XV"
    assert any(kind == "ordinance_changed" and "Ch. 15 Art. XV" in change for kind, _subject, change in _changes())


def _gas_station(department: Department, n: int) -> None:
    sites = [
        site_make(
            UserFactory(role=Role.BUSINESS),
            department,
            kind="business",
            business_category="gas_station",
            business_name=f"Retire Fuel {i}",
            address=f"{200 + i} Retire Test Rd",
            lon=-117.40,
            lat=34.12,
        )
        for i in range(n)
    ]
    records.records_refresh(site_ids=[s.pk for s in sites])


def test_retire_asks_first_saying_from_when_and_how_many_sites_and_changes_nothing(
    logged_in_staff: Any, policy: DepartmentPolicy, rialto: Department
) -> None:
    client, _admin = logged_in_staff(Role.DEPT_ADMIN)
    version = ordinance_make(policy, DEKALB_AFFIDAVIT, name=NAME)
    _gas_station(rialto, 2)
    ordinance = version.ordinance
    url = f"/console/ordinances/{ordinance.public_id}/retire/"
    history_before = ordinance.history.count()

    detail = client.get(f"/console/ordinances/{ordinance.public_id}/").content.decode()
    asked = client.get(url, {"repealed_on": "2027-01-01"})
    unconfirmed = client.post(url, {"repealed_on": "2027-01-01"})

    page = asked.content.decode()
    assert f'action="{url}"' in detail
    assert 'method="get"' in detail.split(f'action="{url}"')[0].rsplit("<form", 1)[1]
    assert asked.status_code == 200
    assert "2027-01-01" in page
    assert "2 sites" in page
    assert 'name="confirm" value="yes"' in page
    assert 'name="repealed_on" value="2027-01-01"' in page
    assert unconfirmed.status_code == 200
    assert 'name="confirm" value="yes"' in unconfirmed.content.decode()
    assert Ordinance.objects.get(pk=ordinance.pk).repealed_on is None
    assert ordinance.history.count() == history_before
    assert ("ordinance_retired", NAME, "no longer in force from 2027-01-01") not in _changes()


@pytest.mark.parametrize(
    ("date", "message"),
    [("2020-01-01", "before its first version"), ("31/31/2027", "Enter a valid date"), ("", "This field is required")],
)
def test_the_retire_page_refuses_a_wrong_date_before_asking(
    logged_in_staff: Any, policy: DepartmentPolicy, date: str, message: str
) -> None:
    client, _admin = logged_in_staff(Role.DEPT_ADMIN)
    version = ordinance_make(policy, DEKALB_AFFIDAVIT, name=NAME)

    response = client.get(f"/console/ordinances/{version.ordinance.public_id}/retire/", {"repealed_on": date})

    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    assert 'name="confirm"' not in page
    assert Ordinance.objects.get(pk=version.ordinance.pk).repealed_on is None


def test_a_retired_ordinance_judges_no_site_from_its_date(logged_in_staff: Any, policy: DepartmentPolicy) -> None:
    client, admin = logged_in_staff(Role.DEPT_ADMIN)
    version = ordinance_make(policy, DEKALB_AFFIDAVIT, name=NAME)
    url = f"/console/ordinances/{version.ordinance.public_id}/retire/"

    too_early = client.post(url, {"repealed_on": "2020-01-01", "confirm": "yes"})
    retired = client.post(url, {"repealed_on": "2027-01-01", "confirm": "yes"})
    again = client.post(url, {"repealed_on": "2028-01-01", "confirm": "yes"})
    asked_again = client.get(url, {"repealed_on": "2028-01-01"})

    ordinance = Ordinance.objects.get(pk=version.ordinance.pk)
    assert too_early.status_code == 400
    assert "before its first version" in too_early.content.decode()
    assert retired.status_code == 302
    assert again.status_code == 400
    assert "already retired" in asked_again.content.decode()
    assert 'name="confirm"' not in asked_again.content.decode()
    assert ordinance.repealed_on == dt.date(2027, 1, 1)
    assert ordinance.history.latest().history_user_id == admin.pk
    assert version in versions_in_force(on=dt.date(2026, 12, 31))
    assert version not in versions_in_force(on=dt.date(2027, 1, 1))
    assert ("ordinance_retired", NAME, "no longer in force from 2027-01-01") in _changes()


@pytest.mark.parametrize("role", [Role.OFFICER, Role.SUPERVISOR, Role.OVERSIGHT, Role.BUSINESS])
def test_anyone_but_an_administrator_is_answered_404_and_logged(
    rialto_client: TenantClient, logged_in_staff: Any, policy: DepartmentPolicy, role: str
) -> None:
    version = ordinance_make(policy, DEKALB_AFFIDAVIT, name=NAME)
    if role == Role.BUSINESS:
        rialto_client.force_login(UserFactory(role=Role.BUSINESS))
        client = rialto_client
    else:
        client, _user = logged_in_staff(role)
    base = f"/console/ordinances/{version.ordinance.public_id}/"

    answers = [
        client.get(path).status_code
        for path in ("/console/ordinances/", base, base + "versions/new/", base + "retire/?repealed_on=2027-01-01")
    ]
    posted = client.post(base + "retire/", {"repealed_on": "2027-01-01", "confirm": "yes"})

    assert answers == [404, 404, 404, 404]
    assert posted.status_code == 404
    assert Ordinance.objects.get(pk=version.ordinance.pk).repealed_on is None
    denied = AccessEvent.objects.filter(action=Action.CONSOLE_DENIED).latest("seq")
    assert denied.details["path"] == base + "retire/"


def test_another_departments_ordinance_does_not_exist_here(
    logged_in_staff: Any, policy: DepartmentPolicy, fontana: Department
) -> None:
    client, _admin = logged_in_staff(Role.DEPT_ADMIN)
    with tenant_context(fontana):
        theirs = ordinance_make(DepartmentPolicy.objects.get(department=fontana), DEKALB_AFFIDAVIT, name=NAME)
    base = f"/console/ordinances/{theirs.ordinance.public_id}/"

    answers = [
        client.get(base).status_code,
        client.get(base + "retire/", {"repealed_on": "2027-01-01"}).status_code,
        client.post(base + "retire/", {"repealed_on": "2027-01-01", "confirm": "yes"}).status_code,
    ]

    assert answers == [404, 404, 404]


def test_a_new_version_dated_before_today_of_an_ordinance_in_force_is_refused(
    logged_in_staff: Any, policy: DepartmentPolicy
) -> None:
    client, _admin = logged_in_staff(Role.DEPT_ADMIN)
    first = ordinance_make(policy, DEKALB_AFFIDAVIT, name=NAME)
    yesterday = local_today() - dt.timedelta(days=1)  # the department's day
    url = f"/console/ordinances/{first.ordinance.public_id}/versions/new/"

    response = client.post(url, _version_data(effective_on=yesterday.isoformat(), retention_days="1"))

    assert response.status_code == 400
    assert "cannot start before today" in " ".join(response.context["form"].errors["effective_on"])
    assert list(first.ordinance.versions.values_list("effective_on", flat=True)) == [dt.date(2023, 6, 30)]
