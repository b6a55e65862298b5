"""Writes for the city's licence files: a job from an uploaded CSV, its column mapping, the
import itself (run by the Celery task compliance.tasks.licence_import_run_task), the matching
of licences to registered sites, and the invitations to register.

The import is idempotent: a licence is one row per (source, number), updated in place when
the file says something new (its history keeps the old values) and left alone when it does
not. Rows are written in batches, each in one transaction with the job's progress, so a job
that stops (a worker killed, the database gone) leaves whole batches and its count of them;
running it again reads the file from the start and converges on the same rows.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Func, Q, Value
from django.db.models.functions import Upper
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from audit.models import Action, Outcome
from audit.services import EventFacts, access_event_record
from cameras.models import BusinessCategory, Site, SiteKind
from core.errors import Conflict, Invalid
from tenants.outbox import enqueue_on_commit

from ..models import (
    ImportStatus,
    InvitationChannel,
    Licence,
    LicenceImportJob,
    LicenceInvitation,
    LicenceSource,
    MatchedBy,
)
from .addresses import address_match_key, reference_key
from .notices import DepartmentContact, contact_problems, licence_invitation_email_send
from .reader import (
    CHUNK,
    BadRow,
    EncodingRefused,
    LicenceIn,
    data_rows_present,
    detect_encoding,
    header_guess,
    mapping_guess,
    mapping_problems,
    read_licences,
    records_count,
    rows_head,
)
from .selectors import field_label

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from django.core.files.uploadedfile import UploadedFile

    from accounts.models import User
    from cameras.access import Actor

logger = logging.getLogger("porchlight.compliance")

# Rows per transaction: large enough that a 50,000-row file is 50 round trips of a few
# queries each, small enough that a progress step is about a second and a failed batch
# costs little to redo (bench/licence_import.py).
BATCH = 1000
# A file with many bad rows keeps the problems of its first rows, up to this many, on the job
# (the count has every row): enough to see what is wrong with a column, small enough for one page.
ERRORS_KEPT = 2000
PREVIEW_ROWS = 6
# A job still running this long after it started has lost its worker: 50,000 rows take about
# a minute (bench/licence_import.py), so half an hour is far beyond a slow run.
RUNNING_STALE = dt.timedelta(minutes=30)
# The fields a re-import compares and writes.
LICENCE_FIELDS = (
    "number",  # as the latest file writes it (the licence is known by its reference_key)
    "parcel_number",
    "name",
    "address",
    "city",
    "state",
    "postal_code",
    "address_key",
    "category",
    "category_raw",
    "issued_on",
    "expires_on",
    "renews_on",
    "email",
)


class ImportRefused(Invalid):
    """The file cannot be imported as it is (size, encoding, mapping): nothing was written."""


def _chunks(upload: Any) -> Iterable[bytes]:
    upload.seek(0)
    while chunk := upload.read(CHUNK):
        yield chunk


def licence_import_create(*, actor: User, upload: UploadedFile, source: str) -> LicenceImportJob:
    """A job for ``upload``, waiting for its column mapping: the encoding found, the first
    rows kept for the preview, the header and mapping guessed from the titles.

    Refused with ImportRefused (nothing stored) when the file is larger than
    PORCHLIGHT_LICENCE_IMPORT_MAX_BYTES, is a workbook or UTF-16 or binary, is empty, or has
    column titles and no row below them."""
    limit = settings.PORCHLIGHT_LICENCE_IMPORT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ImportRefused(file_too_large_message(size=upload.size), code="too_large", field="file")
    if source not in LicenceSource.values:
        raise ImportRefused(_("Choose what the file lists."), code="source", field="source")
    try:
        encoding = detect_encoding(_chunks(upload))
    except EncodingRefused as exc:
        raise ImportRefused(encoding_refused_message(exc.code), code="encoding", field="file") from exc
    upload.seek(0)
    text = io.TextIOWrapper(upload, encoding=encoding, newline="")
    try:
        head = rows_head(text, count=PREVIEW_ROWS)
    finally:
        text.detach()  # leave the upload open for saving below
    if not head or not any(cell.strip() for cell in head[0]):
        raise ImportRefused(_("The file has no rows."), code="empty", field="file")
    has_header = header_guess(head[0], head[1] if len(head) > 1 else None)
    if has_header and not _rows_below_header(upload, encoding):
        raise ImportRefused(header_only_message(), code="header_only", field="file")
    job = LicenceImportJob(
        source=source,
        file_name=(upload.name or "licences.csv")[-255:],
        file_size=upload.size or 0,
        encoding=encoding,
        has_header=has_header,
        columns=head[0],
        preview=head,
        mapping=mapping_guess(head[0]) if has_header else {},
        created_by=actor,
    )
    upload.seek(0)
    job.file.save(f"{job.public_id}.csv", upload, save=False)
    job.save()
    return job


def _rows_below_header(upload: Any, encoding: str) -> bool:
    upload.seek(0)
    text = io.TextIOWrapper(upload, encoding=encoding, newline="")
    try:
        return data_rows_present(text, has_header=True)
    finally:
        text.detach()  # leave the upload open


def header_only_message() -> str:
    return _(
        "The file has only its column titles and no row of licences below them: there is nothing to import. "
        "Export the list again with its rows."
    )


def file_too_large_message(*, size: int) -> str:
    limit = settings.PORCHLIGHT_LICENCE_IMPORT_MAX_BYTES
    return _("The file is %(size)s; at most %(limit)s can be imported. Split it into smaller files.") % {
        "size": filesizeformat(size),
        "limit": filesizeformat(limit),
    }


def encoding_refused_message(code: str) -> str:
    if code == "xlsx":
        return _("This is an Excel workbook, not a CSV file. In Excel, choose Save As, then 'CSV UTF-8'.")
    if code == "utf16":
        return _("The file is in UTF-16, which is not read here. Save it as 'CSV UTF-8' and upload it again.")
    return _("The file is not text (it holds binary data). Upload the CSV file the city exported.")


def licence_import_map(
    *, job: LicenceImportJob, mapping: dict[str, int | None], has_header: bool, unknown_as_other: bool
) -> LicenceImportJob:
    """Record the mapping the administrator chose and queue the job; the task is sent after
    the commit. Refused (nothing changed) when a required field has no column, a column is
    not in the file or is given twice, the first row is said to hold the titles and no row
    follows it, or another import is still running."""
    chosen = {name: index for name, index in mapping.items() if index is not None}
    problems = mapping_problems(chosen, columns=len(job.columns))
    if problems:
        raise ImportRefused(mapping_problem_message(problems[0]), code="mapping", field=problems[0][0])
    with transaction.atomic():
        job = LicenceImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status not in (ImportStatus.MAPPING, ImportStatus.FAILED):
            raise Conflict(_("This import has already started."), code="started")
        _file_present_or_refuse(job)
        if has_header:
            # Its one row taken for the titles, a file of one row would "import" nothing and
            # say it succeeded. Reads only as far as the second record.
            with _open(job) as stream:
                if not data_rows_present(stream, has_header=True):
                    raise ImportRefused(header_only_message(), code="header_only", field="has_header")
        busy = (
            LicenceImportJob.objects.filter(status__in=(ImportStatus.QUEUED, ImportStatus.RUNNING))
            .exclude(pk=job.pk)
            .exists()
        )
        if busy:
            raise Conflict(_("Another import is running. Start this one when it has finished."), code="busy")
        job.mapping = chosen
        job.has_header = has_header
        job.unknown_as_other = unknown_as_other
        job.status = ImportStatus.QUEUED
        job.failure = ""
        job.save(update_fields=["mapping", "has_header", "unknown_as_other", "status", "failure"])
        _enqueue(job)
    return job


def licence_import_retry(*, job: LicenceImportJob) -> LicenceImportJob:
    """Run a job again with its mapping: a failed one, one left queued (its message lost), or
    one still marked running long after it started (its worker died: a redelivered message
    finds it running and does nothing)."""
    with transaction.atomic():
        job = LicenceImportJob.objects.select_for_update().get(pk=job.pk)
        stale = (
            job.status == ImportStatus.RUNNING
            and job.started_at is not None
            and job.started_at < timezone.now() - RUNNING_STALE
        )
        if job.status not in (ImportStatus.FAILED, ImportStatus.QUEUED) and not stale:
            raise Conflict(_("Only a stopped import can be run again."), code="not_failed")
        _file_present_or_refuse(job)
        job.status = ImportStatus.QUEUED
        job.save(update_fields=["status"])
        _enqueue(job)
    return job


def licence_import_discard(*, actor: User, job: LicenceImportJob) -> str:
    """Discard an upload still waiting for its column mapping: its stored file (the city's
    list: names, addresses, e-mails) is deleted and the job with it, so that it leaves the
    Imports list at once rather than after PORCHLIGHT_LICENCE_IMPORT_FILE_DAYS. Nothing was
    imported from it, so no licence loses anything. Imports keep no history and no access
    event (an upload is not an access to camera data); the discard is a line of the
    application log, as a file the purge deletes is. Refused with Conflict (nothing changed)
    once the import has started. Returns the file's original name."""
    with transaction.atomic():
        job = LicenceImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status != ImportStatus.MAPPING:
            raise Conflict(_("Only an upload still waiting for its column mapping can be discarded."), code="started")
        public_id, file_name = str(job.public_id), job.file_name
        # The file first: should the row's deletion then fail, the row stays without its file
        # and its page says to upload again; a row gone with its file left would be an orphan.
        _file_remove(job)
        job.delete()
    logger.info(
        "licence import discarded",
        extra={"event": "licence_import_discard", "job": public_id, "file_name": file_name, "user_id": actor.pk},
    )
    return file_name


def _file_present_or_refuse(job: LicenceImportJob) -> None:
    if not job.file:
        raise Conflict(
            _("The file of this import was deleted after %(days)d days unused. Upload it again.")
            % {"days": settings.PORCHLIGHT_LICENCE_IMPORT_FILE_DAYS},
            code="file_removed",
        )


def _file_remove(job: LicenceImportJob) -> None:
    """Delete the job's uploaded file (the city's list: names, addresses, e-mails) and forget
    its name; the job keeps its counts, its bad rows and the file's original name."""
    name = str(job.file.name or "")
    if not name:
        return
    job.file.storage.delete(name)
    job.file.name = ""
    job.save(update_fields=["file"])


def licence_import_files_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the files of imports that will not read them again, after
    PORCHLIGHT_LICENCE_IMPORT_FILE_DAYS: uploads left waiting for their mapping and stopped
    imports not run again (a finished import deletes its own file; one whose deletion failed
    is caught here). Queued and running imports are left alone. Returns how many were deleted
    (beat: compliance.tasks.licence_import_files_purge)."""
    now = now or timezone.now()
    before = now - dt.timedelta(days=settings.PORCHLIGHT_LICENCE_IMPORT_FILE_DAYS)
    removed = 0
    candidates = (
        LicenceImportJob.objects.exclude(file="")
        .filter(status__in=(ImportStatus.MAPPING, ImportStatus.FAILED, ImportStatus.DONE))
        .filter(created_at__lt=before)
        .values_list("pk", flat=True)
    )
    for job_id in list(candidates):
        with transaction.atomic():
            job = LicenceImportJob.objects.select_for_update().get(pk=job_id)
            if not job.file or job.status not in (ImportStatus.MAPPING, ImportStatus.FAILED, ImportStatus.DONE):
                continue  # run again meanwhile
            if (job.finished_at or job.created_at) >= before:
                continue  # stopped recently: the days count from its stop
            _file_remove(job)
            removed += 1
    return removed


def _enqueue(job: LicenceImportJob) -> None:
    # Not the outbox (tenants.outbox): an OutboxTask runs in one transaction, and the import
    # commits batch by batch so that its progress shows. A message lost with the broker
    # leaves the job queued; the page then offers to run it again.
    from ..tasks import licence_import_run_task  # the task module imports this one

    job_id = job.pk
    transaction.on_commit(lambda: licence_import_run_task.delay(job_id=job_id), robust=True)


def mapping_problem_message(problem: tuple[str, str]) -> str:
    name, code = problem
    label = field_label(name)
    if code == "missing":
        return _("Choose the column that holds the %(field)s: it is required.") % {"field": label}
    if code == "twice":
        return _("The column chosen for the %(field)s is already chosen for another field.") % {"field": label}
    return _("The column chosen for the %(field)s is not in the file.") % {"field": label}


# --- The import ------------------------------------------------------------------------------


def licence_import_run(*, job_id: int) -> LicenceImportJob | None:
    """Import the job's file (see the module). Returns None when the job is not queued (a
    message delivered twice, a job already done). A failure marks the job failed with the
    reason, then re-raises."""
    with transaction.atomic():
        job = LicenceImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != ImportStatus.QUEUED:
            return None
        job.status = ImportStatus.RUNNING
        job.started_at = timezone.now()
        job.finished_at = None
        job.rows_done = job.rows_bad = job.rows_created = job.rows_updated = 0
        job.rows_total = None
        job.matched = None
        job.errors = []
        job.save()
    try:
        _import(job)
        job.matched = licences_match(actor=job.created_by)
        job.status = ImportStatus.DONE
        job.finished_at = timezone.now()
        job.save(update_fields=["matched", "status", "finished_at"])
    except Exception as exc:
        LicenceImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.FAILED, failure=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now()
        )
        raise
    # Done: the rows are the licences now, and the file is never read again. A stopped job
    # keeps its file to be run again, until licence_import_files_purge.
    try:
        _file_remove(job)
    except OSError:  # the storage refused: the purge deletes it later
        logger.warning("licence import file not deleted", exc_info=True, extra={"job": str(job.public_id)})
    return job


def _open(job: LicenceImportJob) -> io.TextIOWrapper:
    # A fresh file object each time: FieldFile.open() hands back the same one, closed after a pass.
    return io.TextIOWrapper(job.file.storage.open(str(job.file.name), "rb"), encoding=job.encoding, newline="")


def _import(job: LicenceImportJob) -> None:
    categories = BusinessCategory.values
    with _open(job) as stream:
        total = records_count(stream, has_header=job.has_header)
    job.rows_total = total
    job.save(update_fields=["rows_total"])
    with _open(job) as stream:
        batch: list[LicenceIn | BadRow] = []
        rows = read_licences(
            stream,
            mapping=job.mapping,
            has_header=job.has_header,
            categories=categories,
            unknown_as_other=job.unknown_as_other,
        )
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                _batch_write(job, batch)
                batch = []
        if batch:
            _batch_write(job, batch)
    if job.rows_total != job.rows_done:  # a record the count read differently (never seen; kept exact)
        job.rows_total = job.rows_done
        job.save(update_fields=["rows_total"])


def _batch_write(job: LicenceImportJob, batch: Sequence[LicenceIn | BadRow]) -> None:
    """One transaction: the batch's licences and the job's counts move together. Each bad
    row's problems are kept together: a row is listed with all of them or not at all."""
    good = [row for row in batch if isinstance(row, LicenceIn)]
    bad = [row for row in batch if isinstance(row, BadRow)]
    with transaction.atomic():
        created, updated = licences_upsert(rows=good, source=job.source, job=job, actor=job.created_by)
        job.rows_done += len(batch)
        job.rows_bad += len(bad)
        job.rows_created += created
        job.rows_updated += updated
        for row in bad:
            if len(job.errors) + len(row.problems) > ERRORS_KEPT:
                break
            job.errors += [
                {"line": e.line, "problem": e.problem.value, "params": e.params, "column": e.column}
                for e in row.problems
            ]
        job.save(update_fields=["rows_done", "rows_bad", "rows_created", "rows_updated", "errors"])


def licences_upsert(
    *, rows: Sequence[LicenceIn], source: str, job: LicenceImportJob | None, actor: User | None
) -> tuple[int, int]:
    """Create the licences not yet known, update those whose values changed (with history),
    leave the rest untouched. Returns (created, updated). Call inside a transaction. A licence
    is known by its number as matching compares it (reference_key), as the reader deduplicates
    a file: "BL-1" re-imported as "bl 1" updates the licence (its number written the new way)."""
    existing: dict[str, Licence] = {}
    # The oldest keeps a key that several licences stored before numbers were compared so share.
    known = (
        Licence.objects.annotate(number_key=_sql_reference_key("number"))
        .filter(source=source, number_key__in={reference_key(row.number) for row in rows})
        .order_by("created_at", "pk")
    )
    for stored in known:
        existing.setdefault(reference_key(stored.number), stored)
    new: list[Licence] = []
    changed: list[Licence] = []
    for row in rows:
        values = {
            "number": row.number,
            "parcel_number": row.parcel_number,
            "name": row.name,
            "address": row.address,
            "city": row.city,
            "state": row.state,
            "postal_code": row.postal_code,
            "address_key": address_match_key(row.address)[:255],
            "category": row.category,
            "category_raw": row.category_raw,
            "issued_on": row.issued_on,
            "expires_on": row.expires_on,
            "renews_on": row.renews_on,
            "email": row.email,
        }
        licence = existing.get(reference_key(row.number))
        if licence is None:
            new.append(Licence(source=source, import_job=job, **values))
        elif any(getattr(licence, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(licence, name, value)
            licence.import_job = job
            licence.updated_at = timezone.now()
            changed.append(licence)
    reason = f"import {job.public_id}" if job else "import"
    if new:
        bulk_create_with_history(new, Licence, batch_size=BATCH, default_user=actor, default_change_reason=reason)
    if changed:
        bulk_update_with_history(
            changed,
            Licence,
            fields=[*LICENCE_FIELDS, "import_job", "updated_at"],
            batch_size=BATCH,
            default_user=actor,
            default_change_reason=reason,
        )
    return len(new), len(changed)


# --- Matching --------------------------------------------------------------------------------


def licences_match(*, actor: User | None) -> int:
    """Match every licence to a registered site: by permit or licence number (the site's
    permit number), then parcel number, then the address's matching key
    (compliance.licences.addresses). Only changed links are written, with history. Homes
    are left out: a licence is a business or a building, and a large department has hundreds
    of thousands of homes. Returns how many licences are matched."""
    keys = _sites_by_key()
    matched = 0
    links: dict[int, tuple[int | None, str]] = {}
    licences = Licence.objects.values_list("pk", "number", "parcel_number", "address_key", "site_id", "matched_by")
    for pk, number, parcel, address_key, site_id, matched_by in licences.iterator(chunk_size=5000):
        link = _match(number, parcel, address_key, **keys)
        matched += link[0] is not None
        if (site_id, matched_by) != link:
            links[pk] = link
    _links_write(links, actor=actor)
    return matched


def licences_rematch_site(*, site_id: int) -> int:
    """Match again the licences one site's change may concern, so that nobody has to press
    "Match again" after a business registers or corrects its permit, parcel or address: those
    matched to the site (it may have lost them) and those whose number, parcel or address key
    is the site's (it may gain them). Each is judged against every registered business by the
    same rule as licences_match (the oldest site keeps a key two share), so the result is the
    one a full match would give for them. Run by the worker after the site's change commits
    (compliance.tasks.licences_rematch_site_task); writes only changed links, with history.
    Returns how many links changed."""
    concerned = Q(site_id=site_id)
    site = Site.objects.filter(pk=site_id).exclude(kind=SiteKind.RESIDENTIAL).first()
    if site is not None:
        if key := reference_key(site.permit_number):
            concerned |= Q(number_key=key)
        if key := reference_key(site.parcel_number):
            concerned |= Q(parcel_key=key)
        if key := address_match_key(site.address):
            concerned |= Q(address_key=key)
    candidates = list(
        Licence.objects.annotate(
            number_key=_sql_reference_key("number"), parcel_key=_sql_reference_key("parcel_number")
        )
        .filter(concerned)
        .values_list("pk", "number", "parcel_number", "address_key", "site_id", "matched_by")
    )
    if not candidates:
        return 0
    keys = _sites_by_key()
    links: dict[int, tuple[int | None, str]] = {}
    for pk, number, parcel, address_key, linked_to, matched_by in candidates:
        link = _match(number, parcel, address_key, **keys)
        if (linked_to, matched_by) != link:
            links[pk] = link
    _links_write(links, actor=None)
    return len(links)


def _sql_reference_key(field: str) -> Func:
    """reference_key in SQL: letters and digits only, upper case."""
    return Upper(Func(F(field), Value("[^0-9A-Za-z]+"), Value(""), Value("g"), function="regexp_replace"))


def licences_site_changed_listener(*, site_id: int) -> None:
    """cameras.events.site_changed: owe the site's re-match after the commit (outbox) when it
    may concern a licence: a non-home site while licences exist, or a site some licence is
    matched to. A home with no licence costs one query and no task."""
    if Licence.objects.filter(site_id=site_id).exists() or (
        Site.objects.filter(pk=site_id).exclude(kind=SiteKind.RESIDENTIAL).exists() and Licence.objects.exists()
    ):
        from ..tasks import licences_rematch_site_task  # here: the tasks module imports this one

        enqueue_on_commit(licences_rematch_site_task, site_id=site_id)


def _sites_by_key() -> dict[str, dict[str, int]]:
    """Every registered non-home site by its permit, parcel and address keys; the oldest site
    keeps a key two sites share."""
    by_permit: dict[str, int] = {}
    by_parcel: dict[str, int] = {}
    by_address: dict[str, int] = {}
    sites = (
        Site.objects.exclude(kind=SiteKind.RESIDENTIAL)
        .order_by("created_at")
        .values_list("pk", "permit_number", "parcel_number", "address")
    )
    for pk, permit, parcel, address in sites.iterator(chunk_size=5000):
        if key := reference_key(permit):
            by_permit.setdefault(key, pk)
        if key := reference_key(parcel):
            by_parcel.setdefault(key, pk)
        if key := address_match_key(address):
            by_address.setdefault(key, pk)
    return {"by_permit": by_permit, "by_parcel": by_parcel, "by_address": by_address}


def _links_write(links: dict[int, tuple[int | None, str]], *, actor: User | None) -> None:
    changed_pks = sorted(links)
    for start in range(0, len(changed_pks), BATCH):
        with transaction.atomic():
            # Whole rows: the history row copies every field, and a deferred one would cost a
            # query per field per row.
            changed = list(Licence.objects.filter(pk__in=changed_pks[start : start + BATCH]))
            for licence in changed:
                licence.site_id, licence.matched_by = links[licence.pk]
            bulk_update_with_history(
                changed,
                Licence,
                fields=["site", "matched_by"],
                default_user=actor,
                default_change_reason="match",
            )


def _match(
    number: str,
    parcel: str,
    address_key: str,
    *,
    by_permit: dict[str, int],
    by_parcel: dict[str, int],
    by_address: dict[str, int],
) -> tuple[int | None, str]:
    if (key := reference_key(number)) and key in by_permit:
        return by_permit[key], str(MatchedBy.PERMIT)
    if (key := reference_key(parcel)) and key in by_parcel:
        return by_parcel[key], str(MatchedBy.PARCEL)
    if address_key and address_key in by_address:
        return by_address[address_key], str(MatchedBy.ADDRESS)
    return None, ""


# --- Invitations -----------------------------------------------------------------------------


def invitations_record(
    *, actor: Actor, licences: Sequence[Licence], channel: str, selected: int | None = None, now: Any = None
) -> list[LicenceInvitation]:
    """Record that ``licences`` were sent an invitation by ``channel`` (one row each) and, in the
    same transaction, one ``licence_invite`` event in the access log: who sent them, by which
    channel, how many of how many selected, and from which imports (their ids and file names,
    never a business's name or address: the board reads the log)."""
    sent_at = now or timezone.now()
    jobs = LicenceImportJob.objects.filter(pk__in={licence.import_job_id for licence in licences}).order_by("pk")
    imports = [{"id": str(job.public_id), "file": job.file_name} for job in jobs]
    with transaction.atomic():
        invitations = LicenceInvitation.objects.bulk_create(
            [
                LicenceInvitation(
                    licence=licence,
                    channel=channel,
                    email=licence.email if channel == InvitationChannel.EMAIL else "",
                    sent_by=actor.user,
                    sent_at=sent_at,
                )
                for licence in licences
            ]
        )
        access_event_record(
            actor=actor.snapshot(),
            facts=EventFacts(
                Action.LICENCE_INVITE,
                Outcome.ALLOWED,
                "ok",
                targets=[f"licence_import:{item['id']}" for item in imports],
                quantity=len(invitations),
                quantity_unit="invitations",
                details={
                    "channel": str(channel),
                    "selected": len(licences) if selected is None else selected,
                    "sent": len(invitations),
                    "imports": imports,
                },
            ),
        )
    return invitations


def invitation_emails_send(
    *, actor: Actor, licences: Sequence[Licence], register_url: str, contact: DepartmentContact
) -> int:
    """Record an e-mail invitation for each licence with an e-mail address (and the log's
    event, counting those selected without one), and owe each its e-mail through the outbox
    (sent by the worker after the commit, in the sender's language, replies going to the
    department's compliance address). Returns how many are sent. Refused with Invalid, nothing
    recorded, when the department's contact lacks its telephone or reply e-mail."""
    problems = contact_problems(contact, letter=False)
    if problems:
        raise Invalid(" ".join(problems), code="contact_missing", field="policy")
    with_email = [licence for licence in licences if licence.email]
    if not with_email:
        return 0
    language = translation.get_language() or settings.LANGUAGE_CODE
    with transaction.atomic():
        recorded = invitations_record(
            actor=actor, licences=with_email, channel=InvitationChannel.EMAIL, selected=len(licences)
        )
        for invitation in recorded:
            enqueue_on_commit(
                licence_invitation_email_send,
                invitation_id=invitation.pk,
                register_url=register_url,
                department_name=contact.name,
                language=language,
                reply_email=contact.email,
                phone=contact.phone,
                mailing_address=contact.mailing_address,
            )
    return len(with_email)
