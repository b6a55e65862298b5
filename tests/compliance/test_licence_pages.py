"""The department administrator's licence import pages: upload, mapping, progress, bad rows,
refusals, the not-registered list and its invitations; other roles and other departments 404."""

import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Role, User
from audit.admin_changes import admin_changes
from audit.models import AccessEvent, Action
from compliance.licences import services
from compliance.models import ImportStatus, InvitationChannel, Licence, LicenceImportJob, LicenceInvitation
from tenants.models import Department
from tenants.selectors import policy_current
from tests.conftest import TenantClient
from tests.factories import DEKALB_AFFIDAVIT, UserFactory, ordinance_make

pytestmark = pytest.mark.django_db

HEADER = "License No,Business Name,Address,License Type,Issue Date,Email,City,State,ZIP\n"
TEXT = (
    HEADER
    + "PG-1,Joe's Gas,1200 W Baseline Rd,Gas station,2026-05-01,joe@example.org,Rialto,CA,92376\n"
    + "PG-2,Ann's Mart,250 N Riverside Ave,Convenience store,next week,,Rialto,CA,92376\n"
    + "PG-3,No mail gas,9 Foothill Blvd,Gas station,,,Rialto,CA,92376\n"
)
MAPPING = {
    "number": "0",
    "name": "1",
    "address": "2",
    "category": "3",
    "issued_on": "4",
    "email": "5",
    "city": "6",
    "state": "7",
    "postal_code": "8",
    "has_header": "on",
}


@pytest.fixture(autouse=True)
def _department_contact(in_rialto: Department) -> None:
    """The address, telephone and e-mail an invitation gives to reply to (without them none is sent)."""
    from tenants.services import policy_update

    policy_update(
        department=in_rialto,
        actor=None,
        compliance_mailing_address="128 N Willow Ave\nRialto, CA 92376",
        compliance_phone="(909) 820-2550",
        compliance_reply_email="cameras@rialto.example.gov",
    )


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def admin_client(logged_in_staff: Any) -> tuple[TenantClient, User]:
    return logged_in_staff(Role.DEPT_ADMIN)


def csv_file(text: str | bytes = TEXT, name: str = "city.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode() if isinstance(text, str) else text, content_type="text/csv")


def upload(client: TenantClient, text: str | bytes = TEXT, **extra: Any) -> Any:
    return client.post("/console/licences/", {"source": "business_licence", "file": csv_file(text)}, **extra)


def imported(
    client: TenantClient, capture: Any, text: str = TEXT, mapping: dict[str, str] | None = None
) -> LicenceImportJob:
    response = upload(client, text)
    assert response.status_code == 302, response.content[:2000]
    with capture(execute=True):
        client.post(response["Location"], mapping or MAPPING)
    return LicenceImportJob.objects.latest("created_at")


def test_an_upload_shows_the_encoding_a_preview_and_the_guessed_columns(admin_client: Any) -> None:
    client, _ = admin_client

    response = upload(client, follow=True)

    page = response.content.decode()
    assert "The file was read as UTF-8." in page
    assert "Joe&#x27;s Gas" in page
    assert '<option value="0" selected>A: License No</option>' in page
    assert '<option value="2" selected>C: Address</option>' in page


def test_a_cp1252_file_is_read_and_says_so(admin_client: Any) -> None:
    client, _ = admin_client

    response = upload(client, (HEADER + "PG-9,Café “Olé”,1 Main St,Restaurant,,\n").encode("cp1252"), follow=True)

    assert "The file was read as Windows-1252 (Western European)." in response.content.decode()
    assert "Café “Olé”" in response.content.decode()


def test_the_import_runs_and_its_page_shows_the_progress_the_counts_and_each_bad_row(
    admin_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client, admin = admin_client

    job = imported(client, django_capture_on_commit_callbacks)
    page = client.get(f"/console/licences/imports/{job.public_id}/").content.decode()
    status = client.get(f"/console/licences/imports/{job.public_id}/status/", HTTP_HX_REQUEST="true")

    assert (job.status, job.rows_done, job.rows_bad, job.created_by) == (ImportStatus.DONE, 3, 1, admin)
    assert "3 of 3 rows" in page
    assert '<progress max="100" value="100"' in page
    assert (
        '<td rowspan="1">3</td><td>E: Issue Date</td><td>The date issued &#x27;next week&#x27; is not a date read here'
        in page
    )
    assert status["HX-Refresh"] == "true"
    assert set(Licence.objects.filter(number__startswith="PG-").values_list("number", flat=True)) == {"PG-1", "PG-3"}


def test_a_running_job_s_fragment_polls_every_second(admin_client: Any) -> None:
    client, _ = admin_client
    response = upload(client)
    job = LicenceImportJob.objects.latest("created_at")
    LicenceImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, rows_total=100, rows_done=40)

    fragment = client.get(f"/console/licences/imports/{job.public_id}/status/", HTTP_HX_REQUEST="true")

    assert response.status_code == 302
    assert 'hx-trigger="every 1s"' in fragment.content.decode()
    assert '<progress max="100" value="40"' in fragment.content.decode()
    assert "HX-Refresh" not in fragment


def test_a_file_over_the_limit_is_refused_by_its_length_with_a_clear_message(admin_client: Any, settings: Any) -> None:
    client, _ = admin_client
    settings.PORCHLIGHT_LICENCE_IMPORT_MAX_BYTES = 100 * 1024

    response = upload(client, HEADER + "PG-1,Big,1 Main St,Bar,,\n" * 5000)

    assert response.status_code == 413
    assert "; at most 100.0\xa0KB can be imported. Split it into smaller files." in response.content.decode()
    assert '<ul class="errorlist" role="alert"><li>The file is ' in response.content.decode()
    assert not LicenceImportJob.objects.exists()


def test_a_workbook_is_refused_on_the_form(admin_client: Any) -> None:
    client, _ = admin_client

    response = upload(client, b"PK\x03\x04 a workbook")

    assert response.status_code == 400
    assert "This is an Excel workbook, not a CSV file." in response.content.decode()
    assert not LicenceImportJob.objects.exists()


def test_a_mapping_without_the_address_column_is_refused_naming_it(admin_client: Any) -> None:
    client, _ = admin_client
    job_page = upload(client)["Location"]

    response = client.post(job_page, {**MAPPING, "address": ""})

    assert response.status_code == 400
    assert "Choose the column that holds this: it is required." in response.content.decode()
    assert LicenceImportJob.objects.get().status == ImportStatus.MAPPING


def test_the_not_registered_list_sends_letters_as_one_pdf_and_e_mails_and_records_each(
    admin_client: Any, django_capture_on_commit_callbacks: Any, in_rialto: Department
) -> None:
    # given a gas-station ordinance and an imported file (nothing registered at those addresses)
    client, admin = admin_client
    ordinance_make(policy_current(), DEKALB_AFFIDAVIT, name="Gas stations (licence test)")
    imported(client, django_capture_on_commit_callbacks)
    joe, no_mail = Licence.objects.get(number="PG-1"), Licence.objects.get(number="PG-3")

    # when the administrator lists them, then sends letters and e-mails to both
    listing = client.get("/console/licences/not-registered/?q=PG-1").content.decode()
    letters = client.post(
        "/console/licences/invite/", {"licence": [str(joe.public_id), str(no_mail.public_id)], "channel": "letter"}
    )
    with django_capture_on_commit_callbacks(execute=True):
        emailed = client.post(
            "/console/licences/invite/",
            {"licence": [str(joe.public_id), str(no_mail.public_id)], "channel": "email"},
            follow=True,
        )

    # then the list shows them, the letters are one PDF of two pages, one e-mail goes out
    assert "Joe&#x27;s Gas" in listing
    assert letters["Content-Type"] == "application/pdf"
    assert letters.content.startswith(b"%PDF")
    assert letters.content.count(b"/Type /Page\n") == 2
    assert "Invitations e-mailed: 1. Selected businesses without an e-mail address: 1." in emailed.content.decode()
    assert [m.to for m in mail.outbox] == [["joe@example.org"]]
    assert "http://rialto.localhost/accounts/signup/" in mail.outbox[0].body
    assert sorted(LicenceInvitation.objects.values_list("licence__number", "channel", "sent_by")) == [
        ("PG-1", InvitationChannel.EMAIL, admin.pk),
        ("PG-1", InvitationChannel.LETTER, admin.pk),
        ("PG-3", InvitationChannel.LETTER, admin.pk),
    ]


@pytest.mark.parametrize(
    "path",
    [
        "/console/licences/",
        "/console/licences/imports/{job}/",
        "/console/licences/imports/{job}/status/",
        "/console/licences/not-registered/",
    ],
)
def test_an_officer_gets_404_and_the_refusal_is_logged(logged_in_staff: Any, path: str, in_rialto: Department) -> None:
    job = services.licence_import_create(
        actor=UserFactory(role=Role.DEPT_ADMIN), upload=csv_file(), source="business_licence"
    )
    client, officer = logged_in_staff(Role.OFFICER)

    response = client.get(path.format(job=job.public_id))

    assert response.status_code == 404
    assert AccessEvent.objects.filter(actor_id=officer.pk, action="console_denied").count() == 1


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.OVERSIGHT])
def test_other_staff_roles_cannot_upload(logged_in_staff: Any, role: str) -> None:
    client, _ = logged_in_staff(role)

    response = upload(client)

    assert response.status_code == 404
    assert not LicenceImportJob.objects.exists()


def test_a_business_owner_gets_404(rialto_client: TenantClient, in_rialto: Department) -> None:
    owner = UserFactory(role=Role.BUSINESS)
    rialto_client.force_login(owner)

    assert rialto_client.get("/console/licences/").status_code == 404


@pytest.mark.parametrize("suffix", ["", "status/"])
def test_another_department_s_job_is_404(admin_client: Any, fontana: Department, suffix: str, settings: Any) -> None:
    from django_tenants.utils import tenant_context

    client, _ = admin_client
    with tenant_context(fontana):
        fontana_job = services.licence_import_create(
            actor=UserFactory(role=Role.DEPT_ADMIN), upload=csv_file(), source="business_licence"
        )

    assert client.get(f"/console/licences/imports/{fontana_job.public_id}/{suffix}").status_code == 404
    assert client.post(f"/console/licences/imports/{fontana_job.public_id}/", MAPPING).status_code == 404
    assert client.get(f"/console/licences/imports/{uuid.uuid4()}/").status_code == 404


def test_another_department_s_licence_cannot_be_invited(
    admin_client: Any, fontana: Department, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tenants.utils import tenant_context

    client, _ = admin_client
    with tenant_context(fontana):
        ordinance_make(policy_current(), DEKALB_AFFIDAVIT)
        fontana_admin = UserFactory(role=Role.DEPT_ADMIN)
        job = services.licence_import_create(actor=fontana_admin, upload=csv_file(), source="business_licence")
        with django_capture_on_commit_callbacks(execute=True):
            services.licence_import_map(
                job=job,
                mapping={"number": 0, "name": 1, "address": 2, "category": 3},
                has_header=True,
                unknown_as_other=False,
            )
        theirs = str(Licence.objects.get(number="PG-1").public_id)

    response = client.post("/console/licences/invite/", {"licence": [theirs], "channel": "letter"}, follow=True)

    assert response.status_code == 404
    with tenant_context(fontana):
        assert not LicenceInvitation.objects.exists()


def test_the_pages_are_in_spanish(admin_client: Any, django_capture_on_commit_callbacks: Any) -> None:
    client, _ = admin_client
    job = imported(client, django_capture_on_commit_callbacks)

    imports = client.get("/console/licences/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    job_page = client.get(f"/console/licences/imports/{job.public_id}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    listing = client.get("/console/licences/not-registered/", HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert "Licencias y permisos de la ciudad" in imports
    assert "Filas no importadas" in job_page
    assert "no es una fecha" in job_page
    assert "Negocios obligados no registrados" in listing


def test_the_mapping_page_in_spanish_says_month_names_are_read_in_english(admin_client: Any) -> None:
    client, _ = admin_client
    mapping = client.get(upload(client)["Location"], HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert "nombre del mes en inglés" in mapping
    assert "1 May 2026 o" not in mapping


def test_an_upload_without_the_csrf_token_is_refused(admin_client: Any) -> None:
    client, _ = admin_client
    strict = TenantClient("rialto.localhost", enforce_csrf_checks=True)
    strict.cookies = client.cookies

    response = upload(strict)

    assert response.status_code == 403
    assert not LicenceImportJob.objects.exists()


def test_the_not_registered_list_costs_the_same_queries_for_3_or_30_businesses(
    admin_client: Any, django_capture_on_commit_callbacks: Any, in_rialto: Department
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client, _ = admin_client
    ordinance_make(policy_current(), DEKALB_AFFIDAVIT, name="Gas stations (query count)")

    def queries(count: int, prefix: str) -> int:
        rows = "".join(f"{prefix}-{n},Gas {n},{n} Main St,Gas station,,\n" for n in range(count))
        imported(client, django_capture_on_commit_callbacks, HEADER + rows)
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/console/licences/not-registered/").status_code == 200
        return len(captured.captured_queries)

    assert queries(3, "QA") == queries(27, "QB")


def test_a_running_import_whose_worker_died_can_be_run_again_after_a_while(admin_client: Any) -> None:
    import datetime as dt

    from django.utils import timezone

    client, _ = admin_client
    upload(client)
    job = LicenceImportJob.objects.get()
    LicenceImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, started_at=timezone.now())
    fresh = client.post(f"/console/licences/imports/{job.public_id}/retry/", follow=True)
    LicenceImportJob.objects.filter(pk=job.pk).update(started_at=timezone.now() - dt.timedelta(hours=1))

    stale = client.post(f"/console/licences/imports/{job.public_id}/retry/")

    assert "Only a stopped import can be run again." in fresh.content.decode()
    assert stale.status_code == 302
    assert LicenceImportJob.objects.get().status == ImportStatus.QUEUED


@pytest.mark.parametrize("where", ["in the preview", "after the preview"])
def test_a_value_over_the_csv_field_limit_is_a_bad_row_named_by_its_line(
    admin_client: Any, django_capture_on_commit_callbacks: Any, where: str
) -> None:
    client, _ = admin_client
    before = "".join(
        f"PG-{n},Shop {n},{n} Main St,Retail,,,,,\n" for n in range(1 if where == "in the preview" else 30)
    )
    text = (
        HEADER + before + "PG-X," + "x" * 200_000 + ",9 Main St,Retail,,,,,\n" + "PG-LAST,Last,1 End St,Retail,,,,,\n"
    )
    line = 2 + len(before.splitlines())

    job = imported(client, django_capture_on_commit_callbacks, text)
    page = client.get(f"/console/licences/imports/{job.public_id}/").content.decode()

    assert (job.status, job.rows_bad) == (ImportStatus.DONE, 1)
    assert job.errors[0]["line"] == line
    assert f'<td rowspan="1">{line}</td><td>the whole row</td><td>This row could not be read: a value is longer' in page
    assert Licence.objects.filter(number="PG-LAST").exists()


def test_a_failed_import_s_page_shows_why_it_stopped(admin_client: Any) -> None:
    client, _ = admin_client
    upload(client)
    job = LicenceImportJob.objects.latest("created_at")
    LicenceImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.FAILED, failure="OSError: disk full")

    page = client.get(f"/console/licences/imports/{job.public_id}/").content.decode()

    assert "Why it stopped: OSError: disk full" in page


def test_a_nul_in_the_not_registered_search_is_ignored(admin_client: Any) -> None:
    client, _ = admin_client
    ordinance_make(policy_current(), DEKALB_AFFIDAVIT, name="Gas stations (NUL search test)")

    response = client.get("/console/licences/not-registered/?q=%00PG%00&category=%00&page=%00")

    assert response.status_code == 200


def test_invitations_are_audit_events_naming_who_how_many_and_which_import(
    admin_client: Any, django_capture_on_commit_callbacks: Any, in_rialto: Department
) -> None:
    client, admin = admin_client
    ordinance_make(policy_current(), DEKALB_AFFIDAVIT, name="Gas stations (invitation log test)")
    job = imported(client, django_capture_on_commit_callbacks)
    chosen = [str(Licence.objects.get(number=n).public_id) for n in ("PG-1", "PG-3")]

    client.post("/console/licences/invite/", {"licence": chosen, "channel": "letter"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/console/licences/invite/", {"licence": chosen, "channel": "email"})

    events = list(AccessEvent.objects.filter(action=Action.LICENCE_INVITE).order_by("seq"))
    assert [(e.actor_id, e.details["channel"], e.details["selected"], e.details["sent"]) for e in events] == [
        (admin.pk, "letter", 2, 2),
        (admin.pk, "email", 2, 1),
    ]
    assert all(e.targets == [f"licence_import:{job.public_id}"] for e in events)
    assert all("Joe" not in str(e.details) and "joe@example.org" not in str(e.details) for e in events)
    changes = {(c.kind, c.subject, c.change) for c in admin_changes(start=None, end=None)}
    assert ("licence_invitations_sent", "city.csv", "2 letters (2 businesses selected)") in changes
    assert ("licence_invitations_sent", "city.csv", "1 e-mail (2 businesses selected)") in changes


def test_the_compliance_dashboard_counts_the_covered_businesses_not_registered(
    admin_client: Any, django_capture_on_commit_callbacks: Any, in_rialto: Department
) -> None:
    client, _admin = admin_client
    ordinance_make(policy_current(), DEKALB_AFFIDAVIT, name="Gas stations (dashboard count)")
    imported(client, django_capture_on_commit_callbacks)

    page = client.get("/console/compliance/")

    assert page.context["not_registered"] == 2
    assert 'href="/console/licences/not-registered/"' in page.content.decode()


def test_the_not_registered_list_has_a_select_all_box_that_only_script_shows(admin_client: Any) -> None:
    client, _ = admin_client

    page = client.get("/console/licences/not-registered/").content.decode()

    assert '<input type="checkbox" data-select-all="licence" hidden' in page
    assert 'src="/static/js/licences.js"' in page


def test_another_department_s_or_a_missing_job_is_logged_as_a_denial(
    admin_client: Any, fontana: Department, in_rialto: Department
) -> None:
    from django_tenants.utils import tenant_context

    client, admin = admin_client
    with tenant_context(fontana):
        fontana_job = services.licence_import_create(
            actor=UserFactory(role=Role.DEPT_ADMIN), upload=csv_file(), source="business_licence"
        )
    paths = [f"/console/licences/imports/{fontana_job.public_id}/", f"/console/licences/imports/{uuid.uuid4()}/retry/"]

    statuses = [client.get(paths[0]).status_code, client.post(paths[1]).status_code]

    denials = AccessEvent.objects.filter(action=Action.CONSOLE_DENIED, actor_id=admin.pk).order_by("seq")
    assert statuses == [404, 404]
    assert [(e.outcome, e.reason, e.details["path"]) for e in denials] == [
        ("denied", "not_found", paths[0]),
        ("denied", "not_found", paths[1]),
    ]


def test_every_problem_of_each_bad_row_is_listed_with_its_line_and_column(
    admin_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given a row with four problems and a row with one, between good rows
    client, _ = admin_client
    text = (
        HEADER
        + "PG-1,Joe's Gas,1200 W Baseline Rd,Gas station,2026-05-01,joe@example.org,Rialto,CA,92376\n"
        + "PG-2,,250 N Riverside Ave,Pet grooming,31/31/2026,not-an-email,Rialto,CA,92376\n"
        + "PG-3,Mart,9 Foothill Blvd,Gas station,,,Rialto,California,92376\n"
    )

    # when it is imported
    job = imported(client, django_capture_on_commit_callbacks, text)
    page = client.get(f"/console/licences/imports/{job.public_id}/").content.decode()

    # then each bad row is counted once and listed with every problem, each with its column
    assert (job.rows_done, job.rows_bad, job.rows_created) == (3, 2, 1)
    assert [(e["line"], e["column"], e["problem"]) for e in job.errors] == [
        (3, 1, "missing"),
        (3, 4, "bad_date"),
        (3, 3, "unknown_category"),
        (3, 5, "bad_email"),
        (4, 7, "bad_state"),
    ]
    assert '<td rowspan="4">3</td><td>B: Business Name</td><td>The business name is empty.</td>' in page
    assert "<td>E: Issue Date</td><td>The date issued &#x27;31/31/2026&#x27; is not a date read here" in page
    assert "<td>D: License Type</td><td>The category &#x27;Pet grooming&#x27; is not one Porchlight knows" in page
    assert "<td>F: Email</td><td>&#x27;not-an-email&#x27; is not an e-mail address.</td>" in page
    assert '<td rowspan="1">4</td><td>H: State</td><td>The state &#x27;California&#x27; is not' in page


def test_a_file_of_column_titles_alone_is_refused_with_a_sentence_and_nothing_stored(
    admin_client: Any, tmp_path: Path
) -> None:
    client, _ = admin_client

    response = upload(client, HEADER + "\n\n")

    assert response.status_code == 400
    assert "The file has only its column titles and no row of licences below them" in response.content.decode()
    assert not LicenceImportJob.objects.exists()
    assert not [p for p in (tmp_path / "media").rglob("*") if p.is_file()]


def test_a_one_row_file_said_to_hold_titles_is_refused_at_the_mapping(admin_client: Any) -> None:
    # given a file of one row whose titles Porchlight does not know (so read as data)
    client, _ = admin_client
    job_page = upload(client, "Col 1,Col 2,Col 3,Col 4\n")["Location"]

    # when the administrator says the first row holds the titles
    response = client.post(job_page, {"number": "0", "name": "1", "address": "2", "has_header": "on"})

    # then the import is refused with a sentence and does not start
    assert response.status_code == 400
    assert "no row of licences below them" in response.content.decode()
    assert LicenceImportJob.objects.get().status == ImportStatus.MAPPING


def test_a_file_of_column_titles_alone_is_refused_in_spanish(admin_client: Any) -> None:
    client, _ = admin_client

    response = upload(client, HEADER, HTTP_ACCEPT_LANGUAGE="es")

    assert "El archivo solo tiene los títulos de las columnas" in response.content.decode()
