"""A city's licence file of 50,000 rows imported (target: under 2 minutes), against a naive
row-by-row ORM import in the same run.

    .venv/bin/python bench/licence_import.py                     # 50,000 rows; naive on 5,000
    .venv/bin/python bench/licence_import.py --rows 5000 --naive-rows 1000   # a quick look

What is timed, in the bench department (schema ``bench``), with 10,000 registered business
sites for the matching (bulk-inserted once, a quarter of them at a licence's address):

- ``import``: what the Celery task does, called in-process (compliance.licences.services):
  reading the upload (encoding check, preview) then ``licence_import_run``: a counting pass,
  the rows in batches of 1,000 (each batch one transaction with the job's progress, history
  rows included), then matching every licence to the sites. The worker's own start-up and the
  broker are not included (milliseconds).
- ``re-import``: the same file again: every row read and compared, nothing written.
- ``naive``: the same rows through ``Licence.objects.update_or_create`` one at a time (a save
  and a history row each, autocommit), on the first ``--naive-rows`` rows; its rate is
  extrapolated to the whole file, and the table says so.

The file has ~1% bad rows (a missing name, an odd date, a duplicate number) and mixed date
formats, as a real export does.
"""

import argparse
import csv
import io
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common

CATEGORIES = ["Gas station", "Convenience store", "Bar", "Restaurant", "Retail", "Office", "Hotel"]
STREETS = ["W Baseline Rd", "N Riverside Ave", "E Foothill Blvd", "S Cedar Ave", "W Valley Blvd", "N Willow Ave"]
SITES = 10_000


def licence_csv(rows: int, seed: int = 7) -> bytes:
    rng = random.Random(seed)  # noqa: S311 (made-up rows, not a secret)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["License No", "Business Name", "Address", "License Type", "Issue Date", "Expiration Date", "Email", "APN"]
    )
    for n in range(rows):
        number = f"BL-{n:07d}"
        name = f"Business {n}"
        issued = ["2026-05-01", "05/01/2026", "1 May 2026", "May 1, 2026"][n % 4]
        if n % 100 == 17:
            name = ""  # missing name
        if n % 100 == 53:
            issued = "sometime"  # odd date
        if n % 100 == 89:
            number = f"BL-{n - 1:07d}"  # duplicate of the row above
        address = f"{100 + n % 9000} {STREETS[n % len(STREETS)]}" + (f" Ste {n % 7}" if n % 11 == 0 else "")
        email = f"owner{n}@example.org" if n % 3 == 0 else ""
        writer.writerow([number, name, address, rng.choice(CATEGORIES), issued, "2027-04-30", email, f"0128-{n:06d}"])
    return out.getvalue().encode()


def sites_ensure(department, owner) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.gis.geos import Point

    from cameras.models import Site

    if Site.objects.filter(owner=owner).count() >= SITES:
        return
    Site.objects.filter(owner=owner).delete()
    Site.objects.bulk_create(
        [
            Site(
                owner=owner,
                kind="business",
                address=f"{100 + (n * 4) % 9000} {STREETS[(n * 4) % len(STREETS)]}"
                if n % 4 == 0
                else f"{n} Elsewhere Way",
                location=Point(-117.37 + (n % 100) * 1e-4, 34.05 + (n // 100) * 1e-4, srid=4326),
                business_category="gas_station",
            )
            for n in range(SITES)
        ],
        batch_size=2000,
    )


def clear() -> None:
    """Empty the bench department's licence tables (a delete() would write a history row each)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE compliance_licenceinvitation, compliance_historicallicence, compliance_licence, "
            "compliance_licenceimportjob"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--naive-rows", type=int, default=5_000)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    _common.django_setup()

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django_tenants.utils import tenant_context

    from accounts.models import Role, User
    from compliance.licences import services
    from compliance.licences.reader import LicenceIn, read_licences
    from compliance.models import ImportStatus, Licence, LicenceImportJob

    department = _common.bench_department()
    load_before = os.getloadavg()
    results: dict[str, object] = {"rows": args.rows, "naive_rows": args.naive_rows, "load_before": load_before}
    with tenant_context(department):
        admin = User.objects.filter(email="bench-licences@bench.example.org").first() or User.objects.create_user(
            email="bench-licences@bench.example.org", role=Role.DEPT_ADMIN
        )
        sites_ensure(department, admin)
        clear()
        data = licence_csv(args.rows)
        mapping = {
            "number": 0,
            "name": 1,
            "address": 2,
            "category": 3,
            "issued_on": 4,
            "expires_on": 5,
            "email": 6,
            "parcel_number": 7,
        }
        print(f"{args.rows:,} rows, {len(data) / 1e6:.1f} MB; {SITES:,} sites; load {load_before}", flush=True)

        def run_once() -> tuple[float, float, LicenceImportJob]:
            start = time.perf_counter()
            job = services.licence_import_create(
                actor=admin, upload=SimpleUploadedFile("bench.csv", data), source="business_licence"
            )
            LicenceImportJob.objects.filter(pk=job.pk).update(mapping=mapping, status=ImportStatus.QUEUED)
            read = time.perf_counter() - start
            services.licence_import_run(job_id=job.pk)
            return read, time.perf_counter() - start, LicenceImportJob.objects.get(pk=job.pk)

        read_s, import_s, job = run_once()
        print(
            f"import: {import_s:.1f} s (upload read {read_s:.1f} s); {job.rows_created:,} created, "
            f"{job.rows_bad:,} bad, {job.matched:,} matched",
            flush=True,
        )
        _read2, reimport_s, again = run_once()
        print(f"re-import: {reimport_s:.1f} s; {again.rows_created} created, {again.rows_updated} updated", flush=True)

        # The naive way: one update_or_create (and its history row) per row, autocommit.
        clear()
        from cameras.models import BusinessCategory
        from compliance.licences.addresses import address_match_key

        stream = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline="")
        rows = read_licences(stream, mapping=mapping, has_header=True, categories=BusinessCategory.values)
        start = time.perf_counter()
        done = 0
        for row in rows:
            if done >= args.naive_rows:
                break
            done += 1
            if not isinstance(row, LicenceIn):
                continue
            Licence.objects.update_or_create(
                source="business_licence",
                number=row.number,
                defaults={
                    "name": row.name,
                    "address": row.address,
                    "address_key": address_match_key(row.address),
                    "parcel_number": row.parcel_number,
                    "category": row.category,
                    "category_raw": row.category_raw,
                    "issued_on": row.issued_on,
                    "expires_on": row.expires_on,
                    "email": row.email,
                },
            )
        naive_s = time.perf_counter() - start
        naive_full = naive_s / max(done, 1) * args.rows
        print(
            f"naive: {naive_s:.1f} s for {done:,} rows -> {naive_full:.0f} s for {args.rows:,} "
            "(extrapolated, no matching)",
            flush=True,
        )
        clear()
        connection.set_schema_to_public()
    load_after = os.getloadavg()
    rows_table = [
        ("import (batched, with matching)", args.rows, import_s, args.rows / import_s),
        ("re-import, nothing changed", args.rows, reimport_s, args.rows / reimport_s),
        (f"naive update_or_create ({done:,} rows, extrapolated)", args.rows, naive_full, args.rows / naive_full),
    ]
    print()
    print(_common.table(["", "rows", "seconds", "rows/s"], rows_table))
    print(
        f"\ntarget: {args.rows:,} rows under 120 s: {'met' if import_s < 120 else 'NOT met'} "
        f"({import_s:.1f} s); load {load_before} -> {load_after}"
    )
    results.update(
        import_s=import_s,
        upload_read_s=read_s,
        reimport_s=reimport_s,
        naive_s=naive_s,
        naive_extrapolated_s=naive_full,
        load_after=load_after,
        environment=_common.environment(),
    )
    print("wrote", _common.write_json(args.json, "licence_import", results))


if __name__ == "__main__":
    main()
