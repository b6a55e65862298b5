"""Importing a city's licence file: the rows, the bad rows by line, idempotence with history,
a stopped job run again, refusals up front, and the matching to registered sites."""

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from accounts.models import Role, User
from cameras.models import SiteKind
from cameras.services import site_update
from compliance.licences import services
from compliance.licences.selectors import covered_categories, licences_not_registered, row_error_sentence
from compliance.models import ImportStatus, Licence, LicenceImportJob, MatchedBy
from core.errors import Conflict
from tenants.models import Department
from tenants.selectors import policy_current
from tests.factories import DEKALB_AFFIDAVIT, UserFactory, ordinance_make, site_make

pytestmark = pytest.mark.django_db

HEADER = "License No,Business Name,Address,License Type,Issue Date,Expiration Date,Email,APN\n"
FONTANA = {"lon": -117.48, "lat": 34.10}
TODAY = dt.date(2026, 12, 7)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def admin(in_rialto: Department) -> User:
    return UserFactory(role=Role.DEPT_ADMIN)


def upload(text: str | bytes, name: str = "licences.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode() if isinstance(text, str) else text, content_type="text/csv")


def run_import(
    admin: User, text: str | bytes, capture: Any, *, source: str = "business_licence", **options: Any
) -> LicenceImportJob:
    job = services.licence_import_create(actor=admin, upload=upload(text), source=source)
    with capture(execute=True):  # the task is sent after the commit; eager in tests
        services.licence_import_map(
            job=job,
            mapping={
                "number": 0,
                "name": 1,
                "address": 2,
                "category": 3,
                "issued_on": 4,
                "expires_on": 5,
                "email": 6,
                "parcel_number": 7,
            },
            has_header=job.has_header,
            unknown_as_other=options.get("unknown_as_other", False),
        )
    return LicenceImportJob.objects.get(pk=job.pk)


GOOD = (
    HEADER
    + "BL-1,Joe's Gas,1200 W Baseline Rd,Gas station,2026-05-01,2027-04-30,joe@example.org,0128-331-07\n"
    + "BL-2,Ann's Mart,250 N Riverside Ave Ste 4,Convenience store,05/01/2026,,,\n"
    + "BL-3,Bob's Bar,77 Main St,Bar,1 May 2026,,,\n"
)


def test_a_file_is_imported_with_its_counts_and_each_row_as_a_licence(
    admin: User, django_capture_on_commit_callbacks: Any
) -> None:
    job = run_import(admin, GOOD, django_capture_on_commit_callbacks)

    assert (job.status, job.rows_total, job.rows_done, job.rows_bad, job.rows_created) == (
        ImportStatus.DONE,
        3,
        3,
        0,
        3,
    )
    assert job.encoding == "utf-8"
    joe = Licence.objects.get(number="BL-1")
    assert (joe.name, joe.category, joe.issued_on, joe.email, joe.parcel_number) == (
        "Joe's Gas",
        "gas_station",
        dt.date(2026, 5, 1),
        "joe@example.org",
        "0128-331-07",
    )
    assert joe.address_key == "1200 west baseline road"
    assert joe.history.latest().history_user == admin


def test_bad_rows_are_kept_by_line_with_a_reason_and_the_good_rows_are_imported(
    admin: User, django_capture_on_commit_callbacks: Any
) -> None:
    text = (
        GOOD
        + "BL-4,Odd,4 Main St,Bar,31/31/2026,,,\n"
        + "BL-1,Twice,5 Main St,Bar,,,,\n"
        + ",No number,6 Main St,Bar,,,,\n"
    )

    job = run_import(admin, text, django_capture_on_commit_callbacks)

    assert (job.status, job.rows_done, job.rows_bad) == (ImportStatus.DONE, 6, 3)
    assert [error["line"] for error in job.errors] == [5, 6, 7]
    with translation.override("en"):
        sentences = [row_error_sentence(error) for error in job.errors]
    assert sentences == [
        "The date issued '31/31/2026' is not a date read here (e.g. 2026-05-01, 05/01/2026 or 1 May 2026).",
        "The number BL-1 is already on line 2 of the file.",
        "The licence or permit number is empty.",
    ]
    assert Licence.objects.filter(number__startswith="BL-").count() == 3


def test_importing_the_same_file_again_changes_nothing_and_a_changed_row_is_updated_with_its_history(
    admin: User, django_capture_on_commit_callbacks: Any
) -> None:
    run_import(admin, GOOD, django_capture_on_commit_callbacks)
    versions_before = Licence.history.count()

    again = run_import(admin, GOOD, django_capture_on_commit_callbacks)
    changed = run_import(admin, GOOD.replace("Bob's Bar", "Bob's Tavern"), django_capture_on_commit_callbacks)

    assert (again.rows_created, again.rows_updated) == (0, 0)
    assert Licence.history.count() == versions_before + 1
    assert (changed.rows_created, changed.rows_updated) == (0, 1)
    bob = Licence.objects.get(number="BL-3")
    assert [h.name for h in bob.history.order_by("history_date")] == ["Bob's Bar", "Bob's Tavern"]
    assert Licence.objects.count() == 3


def test_a_building_permit_and_a_licence_may_share_a_number(
    admin: User, django_capture_on_commit_callbacks: Any
) -> None:
    run_import(admin, GOOD, django_capture_on_commit_callbacks)

    run_import(admin, GOOD, django_capture_on_commit_callbacks, source="building_permit")

    assert Licence.objects.filter(number="BL-1").count() == 2


def test_a_job_stopped_half_way_leaves_whole_batches_and_run_again_converges(
    admin: User, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a file of five batches of two rows, and a database that fails on the third batch
    monkeypatch.setattr(services, "BATCH", 2)
    rows = "".join(f"BL-{n},Shop {n},{n} Main St,Retail,,,,\n" for n in range(10))
    real_upsert = services.licences_upsert
    calls = {"n": 0}

    def failing_upsert(**kwargs: Any) -> tuple[int, int]:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("database went away")
        return real_upsert(**kwargs)

    monkeypatch.setattr(services, "licences_upsert", failing_upsert)

    # when it runs (the failure is logged: the task is sent robustly after the commit), stops,
    # and is run again
    run_import(admin, HEADER + rows, django_capture_on_commit_callbacks)
    job = LicenceImportJob.objects.get()
    stopped = (job.status, job.rows_done, Licence.objects.count(), job.failure)
    with django_capture_on_commit_callbacks(execute=True):
        services.licence_import_retry(job=job)
    job.refresh_from_db()

    # then the stop left two whole batches, and the second run imported every row once
    assert stopped == (ImportStatus.FAILED, 4, 4, "RuntimeError: database went away")
    assert (job.status, job.rows_done, job.rows_created, job.rows_updated) == (ImportStatus.DONE, 10, 6, 0)
    assert Licence.objects.count() == 10


def test_a_second_import_waits_while_one_is_running(admin: User) -> None:
    first = services.licence_import_create(actor=admin, upload=upload(GOOD), source="business_licence")
    second = services.licence_import_create(actor=admin, upload=upload(GOOD), source="business_licence")
    LicenceImportJob.objects.filter(pk=first.pk).update(status=ImportStatus.RUNNING)

    with pytest.raises(Conflict):
        services.licence_import_map(
            job=second, mapping={"number": 0, "name": 1, "address": 2}, has_header=True, unknown_as_other=False
        )


@pytest.mark.parametrize(
    ("raw", "encoding", "name"),
    [
        ("\ufeff" + HEADER + "BL-1,Café Olé,1 Main St,Restaurant,,,,\n", "utf-8-sig", "Café Olé"),
        ((HEADER + "BL-1,Café “Olé”,1 Main St,Restaurant,,,,\n").encode("cp1252"), "cp1252", "Café “Olé”"),
    ],
)
def test_the_encoding_used_is_recorded_and_the_text_read_right(
    admin: User, django_capture_on_commit_callbacks: Any, raw: Any, encoding: str, name: str
) -> None:
    job = run_import(admin, raw, django_capture_on_commit_callbacks)

    assert job.encoding == encoding
    assert Licence.objects.get(number="BL-1").name == name


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(admin: User, settings: Any) -> None:
    settings.PORCHLIGHT_LICENCE_IMPORT_MAX_BYTES = 1024 * 1024

    with translation.override("en"), pytest.raises(services.ImportRefused) as refusal:
        services.licence_import_create(actor=admin, upload=upload("x" * (2 * 1024 * 1024)), source="business_licence")

    assert refusal.value.message == (
        "The file is 2.0\xa0MB; at most 1.0\xa0MB can be imported. Split it into smaller files."
    )
    assert not LicenceImportJob.objects.exists()


def test_a_workbook_is_refused_with_what_to_do(admin: User) -> None:
    with translation.override("en"), pytest.raises(services.ImportRefused) as refusal:
        services.licence_import_create(actor=admin, upload=upload(b"PK\x03\x04rest"), source="business_licence")

    assert "Excel workbook" in refusal.value.message
    assert not LicenceImportJob.objects.exists()


def test_a_mapping_without_the_address_is_refused_naming_it(admin: User) -> None:
    job = services.licence_import_create(actor=admin, upload=upload(GOOD), source="business_licence")

    with translation.override("en"), pytest.raises(services.ImportRefused) as refusal:
        services.licence_import_map(job=job, mapping={"number": 0, "name": 1}, has_header=True, unknown_as_other=False)

    assert refusal.value.field == "address"
    assert refusal.value.message == "Choose the column that holds the address: it is required."
    job.refresh_from_db()
    assert job.status == ImportStatus.MAPPING


# --- Matching and "not registered" (in Fontana: browser tests commit ordinances to Rialto) ---


def test_licences_match_sites_by_permit_parcel_or_address_and_the_rest_covered_are_not_registered(
    in_fontana: Department, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    # given a gas-station ordinance, three registered businesses and a home
    admin = UserFactory(role=Role.DEPT_ADMIN)
    owner = UserFactory(role=Role.BUSINESS)
    ordinance_make(policy_current(), DEKALB_AFFIDAVIT, business_categories=["gas_station", "convenience_store"])
    by_permit = site_make(
        owner, in_fontana, kind=SiteKind.BUSINESS, address="9 Elsewhere", permit_number="bl 1", **FONTANA
    )
    by_parcel = site_make(
        owner, in_fontana, kind=SiteKind.BUSINESS, address="8 Elsewhere", parcel_number="012833108", **FONTANA
    )
    by_address = site_make(
        owner, in_fontana, kind=SiteKind.BUSINESS, address="250 North Riverside Avenue, Suite 4, Fontana CA", **FONTANA
    )
    site_make(owner, in_fontana, kind=SiteKind.RESIDENTIAL, address="500 Sierra Ave", **FONTANA)
    text = (
        HEADER
        + "BL-1,By permit,1 A St,Gas station,,,,\n"
        + "BL-2,By parcel,2 A St,Gas station,,,,0128-331-08\n"
        + "BL-3,By address,250 N. Riverside Ave. Ste 4,Convenience store,,,,\n"
        + "BL-4,Home business,500 Sierra Ave,Gas station,,,,\n"
        + "BL-5,Not covered,5 A St,Bar,,,,\n"
        + "BL-6,Expired,6 A St,Gas station,,2020-01-01,,\n"
    )

    # when the file is imported
    job = run_import(admin, text, django_capture_on_commit_callbacks)

    # then three are matched, each by its way; a home is never matched; the covered,
    # unexpired, unmatched one is "not registered"
    links = {lic.number: (lic.site_id, lic.matched_by) for lic in Licence.objects.all()}
    assert links["BL-1"] == (by_permit.pk, MatchedBy.PERMIT)
    assert links["BL-2"] == (by_parcel.pk, MatchedBy.PARCEL)
    assert links["BL-3"] == (by_address.pk, MatchedBy.ADDRESS)
    assert links["BL-4"] == (None, "")
    assert job.matched == 3
    assert covered_categories(on=TODAY) == {"gas_station", "convenience_store"}
    assert [lic.number for lic in licences_not_registered(on=TODAY).filter(number__startswith="BL-")] == ["BL-4"]


def test_a_site_registered_after_the_import_is_matched_by_matching_again(
    in_fontana: Department, django_capture_on_commit_callbacks: Any
) -> None:
    admin = UserFactory(role=Role.DEPT_ADMIN)
    ordinance_make(policy_current(), DEKALB_AFFIDAVIT)
    run_import(admin, HEADER + "BL-1,Joe's,1200 W Baseline Rd,Gas station,,,,\n", django_capture_on_commit_callbacks)
    site = site_make(
        UserFactory(role=Role.BUSINESS),
        in_fontana,
        kind=SiteKind.BUSINESS,
        address="1200 West Baseline Road",
        **FONTANA,
    )

    matched = services.licences_match(actor=admin)

    assert matched == 1
    assert Licence.objects.get(number="BL-1").site_id == site.pk
    assert not licences_not_registered(on=TODAY).filter(number="BL-1").exists()


def test_a_site_registered_after_the_import_is_matched_without_anyone_matching_again(
    in_fontana: Department, django_capture_on_commit_callbacks: Any
) -> None:
    admin = UserFactory(role=Role.DEPT_ADMIN)
    ordinance_make(policy_current(), DEKALB_AFFIDAVIT)
    run_import(admin, HEADER + "BL-1,Joe's,1200 W Baseline Rd,Gas station,,,,\n", django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        site = site_make(
            UserFactory(role=Role.BUSINESS),
            in_fontana,
            kind=SiteKind.BUSINESS,
            address="1200 West Baseline Road",
            **FONTANA,
        )

    licence = Licence.objects.get(number="BL-1")
    assert (licence.site_id, licence.matched_by) == (site.pk, MatchedBy.ADDRESS)
    assert not licences_not_registered(on=TODAY).filter(number="BL-1").exists()
    assert licence.history.latest().history_change_reason == "match"


def test_a_site_whose_permit_changes_is_matched_and_loses_the_old_licence(
    in_fontana: Department, django_capture_on_commit_callbacks: Any
) -> None:
    admin = UserFactory(role=Role.DEPT_ADMIN)
    owner = UserFactory(role=Role.BUSINESS)
    ordinance_make(policy_current(), DEKALB_AFFIDAVIT)
    run_import(
        admin,
        HEADER + "BL-1,Joe's,1 A St,Gas station,,,,\n" + "BL-2,Ann's,2 A St,Gas station,,,,\n",
        django_capture_on_commit_callbacks,
    )
    with django_capture_on_commit_callbacks(execute=True):
        site = site_make(
            owner, in_fontana, kind=SiteKind.BUSINESS, address="9 Elsewhere", permit_number="BL 1", **FONTANA
        )
    first = Licence.objects.get(number="BL-1").site_id

    with django_capture_on_commit_callbacks(execute=True):
        site_update(owner=owner, site=site, department=in_fontana, permit_number="bl-2")

    links = {lic.number: (lic.site_id, lic.matched_by) for lic in Licence.objects.filter(number__startswith="BL-")}
    assert first == site.pk
    assert links == {"BL-1": (None, ""), "BL-2": (site.pk, MatchedBy.PERMIT)}


def test_a_newer_site_at_a_matched_address_leaves_the_licence_with_the_older_one(
    in_fontana: Department, django_capture_on_commit_callbacks: Any
) -> None:
    admin = UserFactory(role=Role.DEPT_ADMIN)
    owner = UserFactory(role=Role.BUSINESS)
    ordinance_make(policy_current(), DEKALB_AFFIDAVIT)
    run_import(admin, HEADER + "BL-1,Joe's,1 A St,Gas station,,,,\n", django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        older = site_make(owner, in_fontana, kind=SiteKind.BUSINESS, address="1 A Street", **FONTANA)

    with django_capture_on_commit_callbacks(execute=True):
        site_make(owner, in_fontana, kind=SiteKind.BUSINESS, address="1 A St.", **FONTANA)

    assert Licence.objects.get(number="BL-1").site_id == older.pk
    assert services.licences_match(actor=admin) == 1
    assert Licence.objects.get(number="BL-1").site_id == older.pk


def _stored(job: LicenceImportJob, settings: Any) -> Path:
    return Path(settings.MEDIA_ROOT) / f"licence-imports/rialto/{job.public_id}.csv"


def test_the_uploaded_file_is_deleted_when_the_import_is_done(
    admin: User, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    job = services.licence_import_create(actor=admin, upload=upload(GOOD), source="business_licence")
    uploaded = _stored(job, settings).is_file()

    done = run_import(admin, GOOD, django_capture_on_commit_callbacks)

    assert uploaded
    assert done.status == ImportStatus.DONE
    assert not done.file
    assert not _stored(done, settings).exists()
    assert (done.file_name, done.rows_created) == ("licences.csv", 3)  # what the page shows stays


def _failing_upsert(**kwargs: Any) -> tuple[int, int]:
    raise RuntimeError("database went away")


def test_a_stopped_import_keeps_its_file_to_run_again(
    admin: User, django_capture_on_commit_callbacks: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "licences_upsert", _failing_upsert)

    job = run_import(admin, GOOD, django_capture_on_commit_callbacks)

    assert job.status == ImportStatus.FAILED
    assert job.file
    assert _stored(job, settings).is_file()


def _start_again(job: LicenceImportJob) -> None:
    """What the job's page offers: the mapping for an upload that waits for one, "Run the
    import again" for a stopped one."""
    if job.status == ImportStatus.FAILED:
        services.licence_import_retry(job=job)
        return
    services.licence_import_map(
        job=job, mapping={"number": 0, "name": 1, "address": 2}, has_header=True, unknown_as_other=False
    )


@pytest.mark.parametrize("stopped", [False, True])
def test_files_of_imports_left_unfinished_are_purged_after_the_days_kept_and_then_cannot_run(
    admin: User, django_capture_on_commit_callbacks: Any, settings: Any, monkeypatch: pytest.MonkeyPatch, stopped: bool
) -> None:
    # given an upload left waiting for its mapping, or an import that stopped
    if stopped:
        monkeypatch.setattr(services, "licences_upsert", _failing_upsert)
        job = run_import(admin, GOOD, django_capture_on_commit_callbacks)
    else:
        job = services.licence_import_create(actor=admin, upload=upload(GOOD), source="business_licence")
    days = settings.PORCHLIGHT_LICENCE_IMPORT_FILE_DAYS
    now = dt.datetime.now(dt.UTC)

    # when the purge runs within the days kept, and after them
    kept = services.licence_import_files_purge(now=now + dt.timedelta(days=days - 1))
    purged = services.licence_import_files_purge(now=now + dt.timedelta(days=days, hours=1))
    job.refresh_from_db()

    # then the file is gone only after them, and the job says to upload it again
    assert (kept, purged) == (0, 1)
    assert not job.file
    assert not _stored(job, settings).exists()
    with pytest.raises(Conflict) as refused:
        _start_again(job)
    assert refused.value.code == "file_removed"
    assert "Upload it again" in refused.value.message


def test_the_purge_leaves_a_running_import_alone(admin: User, settings: Any) -> None:
    job = services.licence_import_create(actor=admin, upload=upload(GOOD), source="business_licence")
    services.licence_import_map(
        job=job, mapping={"number": 0, "name": 1, "address": 2}, has_header=True, unknown_as_other=False
    )  # queued: its task is sent after a commit that never comes in this test

    purged = services.licence_import_files_purge(now=dt.datetime.now(dt.UTC) + dt.timedelta(days=365))

    assert purged == 0
    assert _stored(job, settings).is_file()


def test_a_reimport_of_a_reformatted_file_updates_the_licences_instead_of_duplicating_them(
    admin: User, django_capture_on_commit_callbacks: Any
) -> None:
    run_import(admin, GOOD, django_capture_on_commit_callbacks)
    reformatted = GOOD.replace("BL-1,", "bl 1,").replace("BL-2,", "BL2,").replace("Bob's Bar", "Bob's Tavern")

    again = run_import(admin, reformatted, django_capture_on_commit_callbacks)

    assert (again.rows_created, again.rows_bad) == (0, 0)
    assert Licence.objects.count() == 3
    assert sorted(Licence.objects.values_list("number", flat=True)) == ["BL-3", "BL2", "bl 1"]
