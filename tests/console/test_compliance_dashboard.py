"""The department's compliance dashboard: who may read it (administrators, supervisors given
the duty; everyone else 404), what it shows (counts, list with filters and pages, map data,
CSV), in a fixed number of queries, never cached, and nothing across departments."""

import csv
import io
from typing import Any

import pytest
from django.test.utils import CaptureQueriesContext

from accounts.models import Role, User
from compliance import records
from compliance.models import ComplianceRecord
from tenants.models import Department, DepartmentPolicy
from tests.conftest import TenantClient, login_with_mfa
from tests.factories import DEKALB_AFFIDAVIT, UserFactory, camera_make, ordinance_make, site_make
from tests.tenancy import connection

pytestmark = pytest.mark.django_db

DEKALB = {**DEKALB_AFFIDAVIT, "name": "Dashboard test ordinance"}
# Away from the console map's centre (browser tests click there): inside Rialto's boundary.
WHERE = {"lon": -117.40, "lat": 34.12}


def _stations(department: Department, n: int, *, prefix: str = "Dash", cameras: int = 0) -> list[Any]:
    sites = []
    for i in range(n):
        owner = UserFactory(role=Role.BUSINESS)
        site = site_make(
            owner,
            department,
            kind="business",
            business_category="gas_station",
            business_name=f"{prefix} Fuel {i}",
            address=f"{100 + i} {prefix} Test Rd",
            **WHERE,
        )
        for _ in range(cameras):
            camera_make(owner, department, site=site)
        sites.append(site)
    records.records_refresh(site_ids=[s.pk for s in sites])
    return sites


@pytest.fixture
def ordinance(policy: DepartmentPolicy) -> Any:
    return ordinance_make(policy, DEKALB)


def _client_for(make_staff: Any, role: str, **fields: Any) -> tuple[TenantClient, User]:
    user, secret = make_staff(role, **fields)
    client = TenantClient("rialto.localhost")
    assert login_with_mfa(client, user.email, secret).status_code == 302
    return client, user


@pytest.fixture
def admin_client(make_staff: Any) -> TenantClient:
    return _client_for(make_staff, Role.DEPT_ADMIN)[0]


# --- Who may read it ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "duty", "status"),
    [
        (Role.DEPT_ADMIN, False, 200),
        (Role.SUPERVISOR, True, 200),
        (Role.SUPERVISOR, False, 404),
        (Role.OFFICER, False, 404),
        (Role.OVERSIGHT, False, 404),
    ],
)
@pytest.mark.parametrize(
    "path", ["/console/compliance/", "/console/compliance/map-data/", "/console/compliance/export.csv"]
)
def test_only_administrators_and_supervisors_with_the_duty_read_the_dashboard(
    make_staff: Any, ordinance: Any, role: str, duty: bool, status: int, path: str
) -> None:
    client, _user = _client_for(make_staff, role, compliance_duty=duty)

    response = client.get(path)

    assert response.status_code == status
    assert "no-store" in response["Cache-Control"]


def test_an_owner_gets_404(in_rialto: Department, ordinance: Any) -> None:
    owner = UserFactory(role=Role.BUSINESS)
    client = TenantClient("rialto.localhost")
    client.force_login(owner)

    assert client.get("/console/compliance/").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(rialto_client: TenantClient) -> None:
    response = rialto_client.get("/console/compliance/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_administrator_gives_a_supervisor_the_duty_on_the_staff_page(make_staff: Any, ordinance: Any) -> None:
    admin, _admin_user = _client_for(make_staff, Role.DEPT_ADMIN)
    supervisor, supervisor_user = _client_for(make_staff, Role.SUPERVISOR)
    assert supervisor.get("/console/compliance/").status_code == 404

    response = admin.post(f"/department/staff/{supervisor_user.pk}/compliance-duty/", {"on": "1"})

    assert response.status_code == 302
    assert supervisor.get("/console/compliance/").status_code == 200
    assert supervisor_user.history.filter(compliance_duty=True).exists()


def test_an_officer_cannot_be_given_the_duty(make_staff: Any, ordinance: Any) -> None:
    admin, _admin_user = _client_for(make_staff, Role.DEPT_ADMIN)
    officer, officer_user = _client_for(make_staff, Role.OFFICER)

    admin.post(f"/department/staff/{officer_user.pk}/compliance-duty/", {"on": "1"})

    officer_user.refresh_from_db()
    assert officer_user.compliance_duty is False
    assert officer.get("/console/compliance/").status_code == 404


def test_a_supervisor_cannot_give_the_duty(make_staff: Any, ordinance: Any) -> None:
    supervisor, supervisor_user = _client_for(make_staff, Role.SUPERVISOR)

    response = supervisor.post(f"/department/staff/{supervisor_user.pk}/compliance-duty/", {"on": "1"})

    supervisor_user.refresh_from_db()
    assert response.status_code == 403
    assert supervisor_user.compliance_duty is False


# --- Across departments -------------------------------------------------------------------


def test_a_rialto_administrator_reads_nothing_on_fontanas_host(
    admin_client: TenantClient, fontana: Department, ordinance: Any
) -> None:
    on_fontana = TenantClient("fontana.localhost")
    on_fontana.cookies = admin_client.cookies

    response = on_fontana.get("/console/compliance/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_fontana_site_id_is_not_found_on_rialtos_host(
    admin_client: TenantClient, fontana: Department, rialto: Department, ordinance: Any
) -> None:
    connection.set_tenant(fontana)
    fontana_site = site_make(UserFactory(role=Role.BUSINESS), fontana, kind="business", lon=-117.47, lat=34.10)
    connection.set_tenant(rialto)

    response = admin_client.get(f"/console/compliance/sites/{fontana_site.public_id}/")

    assert response.status_code == 404


# --- What it shows --------------------------------------------------------------------------


def test_the_dashboard_counts_lists_and_pages_the_covered_sites(
    admin_client: TenantClient, in_rialto: Department, ordinance: Any
) -> None:
    _stations(in_rialto, 3, prefix="Counted")
    key = str(ordinance.ordinance.public_id)

    page = admin_client.get("/console/compliance/", {"ordinance": key, "q": "Counted Test"})
    text = page.content.decode()

    assert page.status_code == 200
    assert 'data-status="not_compliant"' in text
    assert page.context["total"] == 3
    assert {s: n for s, _label, n, _c in page.context["counts"]}["not_compliant"] == 3
    assert "Counted Fuel 0" in text


def test_the_list_is_paged(admin_client: TenantClient, in_rialto: Department, ordinance: Any, monkeypatch: Any) -> None:
    from console import compliance as views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    _stations(in_rialto, 3, prefix="Paged")

    first = admin_client.get("/console/compliance/", {"q": "Paged Test"})
    second = admin_client.get("/console/compliance/", {"q": "Paged Test", "page": "2"})

    assert (first.context["pages"], len(first.context["rows"])) == (2, 2)
    assert len(second.context["rows"]) == 1


def test_the_status_filter_keeps_only_that_status(
    admin_client: TenantClient, in_rialto: Department, ordinance: Any
) -> None:
    _stations(in_rialto, 2, prefix="Filtered")

    compliant = admin_client.get("/console/compliance/", {"q": "Filtered Test", "status": "compliant"})
    failing = admin_client.get("/console/compliance/", {"q": "Filtered Test", "status": "not_compliant"})

    assert compliant.context["total"] == 0
    assert failing.context["total"] == 2


def test_the_dashboard_costs_the_same_queries_for_3_sites_or_30(
    admin_client: TenantClient, in_rialto: Department, ordinance: Any
) -> None:
    _stations(in_rialto, 3, prefix="Few")
    admin_client.get("/console/compliance/")  # warm: session, policy
    with CaptureQueriesContext(connection) as few:
        admin_client.get("/console/compliance/")
    _stations(in_rialto, 27, prefix="Many", cameras=1)

    with CaptureQueriesContext(connection) as many:
        admin_client.get("/console/compliance/")

    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]


def test_the_csv_streams_the_filtered_list_with_cells_defused(
    admin_client: TenantClient, in_rialto: Department, ordinance: Any
) -> None:
    _stations(in_rialto, 2, prefix="=Csv")

    response = admin_client.get("/console/compliance/export.csv", {"q": "=Csv Test"})
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]  # streamed
    rows = list(csv.reader(io.StringIO(body.decode())))

    assert response["Content-Type"].startswith("text/csv")
    assert rows[0][:3] == ["site_id", "address", "business_name"]
    assert len(rows) == 3
    assert all(row[2].startswith("'=") for row in rows[1:])


def test_the_map_data_gives_each_filtered_site_with_its_status(
    admin_client: TenantClient, in_rialto: Department, ordinance: Any
) -> None:
    _stations(in_rialto, 2, prefix="Mapped")

    data = admin_client.get("/console/compliance/map-data/", {"q": "Mapped Test"}).json()

    assert data["sites"] == [[-117.4, 34.12, "not_compliant"]] * 2


def test_the_site_page_judges_the_site_now(admin_client: TenantClient, in_rialto: Department, ordinance: Any) -> None:
    (site,) = _stations(in_rialto, 1, prefix="Detail")

    response = admin_client.get(f"/console/compliance/sites/{site.public_id}/")

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert DEKALB["name"] in response.content.decode()


def test_rows_of_a_deleted_site_go_with_it(in_rialto: Department, ordinance: Any) -> None:
    from cameras import services as camera_services

    (site,) = _stations(in_rialto, 1, prefix="Gone")

    camera_services.site_delete(owner=site.owner, site=site)

    assert not ComplianceRecord.objects.filter(site_id=site.pk).exists()


def test_taking_the_duty_away_closes_the_dashboard_again(make_staff: Any, ordinance: Any) -> None:
    admin, _admin_user = _client_for(make_staff, Role.DEPT_ADMIN)
    supervisor, supervisor_user = _client_for(make_staff, Role.SUPERVISOR, compliance_duty=True)
    assert supervisor.get("/console/compliance/").status_code == 200

    admin.post(f"/department/staff/{supervisor_user.pk}/compliance-duty/", {"on": "0"})

    assert supervisor.get("/console/compliance/").status_code == 404


def test_filtered_by_ordinance_a_site_has_its_status_under_that_ordinance(
    admin_client: TenantClient, in_rialto: Department, policy: DepartmentPolicy, ordinance: Any
) -> None:
    other = ordinance_make(
        policy, {"name": "Dashboard bars only", "effective_on": ordinance.effective_on, "business_categories": ["bar"]}
    )
    _stations(in_rialto, 2, prefix="ByOrdinance")

    mine = admin_client.get(
        "/console/compliance/", {"q": "ByOrdinance", "ordinance": str(ordinance.ordinance.public_id)}
    )
    theirs = admin_client.get("/console/compliance/", {"q": "ByOrdinance", "ordinance": str(other.ordinance.public_id)})

    assert mine.context["total"] == 2
    assert theirs.context["total"] == 0


def test_a_site_without_late_deliveries_shows_none_on_its_row_and_in_their_section(
    admin_client: TenantClient, in_rialto: Department, ordinance: Any
) -> None:
    site = _stations(in_rialto, 1, prefix="Late")[0]
    records.records_refresh(site_ids=[site.pk])

    response = admin_client.get("/console/compliance/", {"q": "Late Test"})

    row = next(r for r, _status, _missing in response.context["rows"] if r.public_id == site.public_id)
    assert row.late_deliveries == 0
    assert site.pk not in response.context["late"]
    assert "0 sites delivered footage after the ordinance's deadline." in response.content.decode()


def test_the_csv_gives_the_missing_requirements_in_words_and_their_codes_apart(
    admin_client: TenantClient, in_rialto: Department, ordinance: Any
) -> None:
    _stations(in_rialto, 1, prefix="Words")

    response = admin_client.get("/console/compliance/export.csv", {"q": "Words Test"})
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]  # streamed
    header, row = list(csv.reader(io.StringIO(body.decode())))
    cells = dict(zip(header, row, strict=True))

    assert "min_cameras" in cells["unmet_codes"].split()
    assert "Number of cameras" in cells["unmet"]
    assert "min_cameras" not in cells["unmet"]


def test_the_dashboard_counts_businesses_an_ordinance_of_categories_cannot_judge_without_their_category(
    in_rialto: Department, ordinance: Any, admin_client: TenantClient
) -> None:
    before = admin_client.get("/console/compliance/").context["category_missing"]
    owner = UserFactory(role=Role.BUSINESS)
    site = site_make(owner, in_rialto, kind="business", business_name="Dash Unknown", business_category="", **WHERE)
    records.records_refresh(site_ids=[site.pk])

    response = admin_client.get("/console/compliance/")

    assert response.context["category_missing"] == before + 1
    assert 'id="category-missing"' in response.content.decode()
    assert not ComplianceRecord.objects.filter(site=site).exists()


def test_the_dashboard_writes_the_attestation_due_date_as_iso(
    admin_client: TenantClient, in_rialto: Department, ordinance: Any
) -> None:
    site = _stations(in_rialto, 1, prefix="Iso")[0]
    due = ComplianceRecord.objects.filter(site=site).exclude(next_attestation_due=None).get().next_attestation_due
    assert due is not None

    text = admin_client.get("/console/compliance/", {"q": "Iso Test"}).content.decode()

    assert f"<td>{due.isoformat()}</td>" in text
