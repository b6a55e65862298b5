"""Annual report benchmark: the annual surveillance report for a year of a million events, held
to a signed checkpoint, against a naive computation of the same figures by a full scan of the
log, in the same run.

    python bench/report.py [--events 1000000] [--repeat 3] [--after 200] [--reload]

Fills the bench department (schema ``bench``) with bench/oversight.py's year (2025) of events
(the same filler, loaded only if the log has fewer events; rollups rebuilt and the area rollup
caught up as there), enters a few complaints and records requests through the service, makes a
signed checkpoint (its tree grown from the events: timed), then writes ``--after`` events after
the checkpoint through the log's own writer, so that the report must leave them out. Then:

* ``report, computed``: audit.annual_report.annual_report for 2025 at that checkpoint (the
  rollups less the later events, the area rollup corrected to the checkpoint, the history of
  cameras, the board's records, the anomaly queue, administrative changes);
* ``PDF`` / ``CSV`` / ``HTML``: the whole request through Django's test client as an oversight
  member signed in with MFA (``/oversight/report/pdf/?year=2025&checkpoint=N`` and so on);
* ``naive full scan``: the report's log figures computed from the events themselves: the year's
  events #1..N grouped by month, action, outcome, reason, category (audit.annual_report.
  year_counts_scan) and every event's police area found again from the first event
  (cameras.report_sources.area_counts_between(0, N)).

The script asserts that the two give the same counts, and that two PDFs are the same bytes.
Target (issue 15): the report generated in under 60 s for a year of 1,000,000 events.
"""

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import oversight  # the filler (bench/oversight.py; sets Django up)
from _common import bench_department, environment, summary_ms, table, write_json
from django.db import connection
from django_tenants.utils import tenant_context

from audit.annual_report import annual_report, year_counts, year_counts_scan
from audit.board_records import BoardRecordIn, board_record_create
from audit.checkpoints import checkpoint_make
from audit.rollups import department_time_zone, rollups_rebuild
from audit.services import ActorSnapshot, EventFacts, access_event_record
from cameras.area_rollups import area_rollups_catch_up
from cameras.report_sources import area_counts_between

YEAR = oversight.YEAR
BOARD = ActorSnapshot(user_id=None, label="Bench Board", role="oversight", mfa=True)
OFFICER = ActorSnapshot(user_id=1, label="Officer 1", badge="1001", role="officer", mfa=True)


def _timed(function: Any, repeat: int) -> tuple[dict[str, float], Any]:
    samples, cpu, result = [], [], None
    for _ in range(repeat):
        started, started_cpu = time.perf_counter_ns(), time.process_time_ns()
        result = function()
        samples.append(time.perf_counter_ns() - started)
        cpu.append(time.process_time_ns() - started_cpu)
    return {**summary_ms(samples), "python_cpu_p50_ms": summary_ms(cpu)["p50_ms"]}, result


def _records() -> None:
    day = dt.date(YEAR, 3, 1)
    for n in range(12):
        board_record_create(
            record=BoardRecordIn(
                kind="complaint" if n % 3 else "records_request",
                received_on=day + dt.timedelta(days=20 * n),
                category="privacy" if n % 3 else "access_logs",
                summary="Bench entry.",
            ),
            actor=BOARD,
            today=dt.datetime.now(tz=dt.UTC).date() - dt.timedelta(days=1),
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--after", type=int, default=200, help="events written after the checkpoint")
    parser.add_argument("--reload", action="store_true")
    parser.add_argument("--json")
    args = parser.parse_args()

    department = bench_department()
    with tenant_context(department):
        oversight._beats()
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM audit_accessevent")
            present = cursor.fetchone()[0]
        if args.reload or present < args.events:
            print(f"loading {args.events:,} events of {YEAR} ...", flush=True)
            oversight._load(args.events)
            rollups_rebuild()
            area_rollups_catch_up()
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE audit_dayrollup, audit_monthrollup, audit_hourrollup, audit_arearollup")
            _records()
        started = time.monotonic()
        checkpoint = checkpoint_make()
        checkpoint_s = time.monotonic() - started
        for _ in range(args.after):
            access_event_record(actor=OFFICER, facts=EventFacts(action="search", outcome="allowed", reason="ok"))
        upto, zone = checkpoint.tree_size, department_time_zone()
        print(f"checkpoint #{checkpoint.pk} of {upto:,} events in {checkpoint_s:.1f} s; {args.after} events after it")

        client = oversight._oversight_client(department)
        query = f"?year={YEAR}&checkpoint={checkpoint.pk}"
        load = os.getloadavg()

        def computed() -> Any:
            return annual_report(year=YEAR, checkpoint=checkpoint, department="Bench", zone=zone, threshold=5)

        def get(path: str) -> Any:
            def fetch() -> bytes:
                response = client.get(path)
                assert response.status_code == 200, (path, response.status_code, response.content[:300])
                return bytes(response.content)

            return fetch

        results: dict[str, dict[str, float]] = {}
        results["report, computed"], _report = _timed(computed, args.repeat)
        results["PDF (whole request)"], pdf = _timed(get(f"/oversight/report/pdf/{query}"), args.repeat)
        results["CSV (whole request)"], _csv = _timed(get(f"/oversight/report/csv/{query}"), args.repeat)
        results["HTML (whole request)"], _html = _timed(get(f"/oversight/report/{query}"), args.repeat)
        results["log counts from rollups"], rolled = _timed(
            lambda: year_counts(year=YEAR, upto=upto, zone=zone), args.repeat
        )
        results["naive: log counts by full scan"], scanned = _timed(
            lambda: year_counts_scan(year=YEAR, upto=upto, zone=zone), 1
        )
        results["naive: areas from the first event"], _areas = _timed(
            lambda: area_counts_between(after=0, upto=upto, zone=zone), 1
        )
        assert rolled == scanned, "the report's counts differ from a full scan"
        assert get(f"/oversight/report/pdf/{query}")() == pdf, "two PDFs of one checkpoint differ"
        load_after = os.getloadavg()
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM audit_accessevent")
            count = cursor.fetchone()[0]

    naive = ("naive: log counts by full scan", "naive: areas from the first event")
    naive_ms = sum(results[name]["p50_ms"] for name in naive)
    rows = [[name, r["n"], r["p50_ms"], r["max_ms"], r["python_cpu_p50_ms"]] for name, r in results.items()]
    print(f"\n{count:,} events in the log; report held to #{upto:,}")
    print(f"load average {load[0]:.2f} before, {load_after[0]:.2f} after")
    print(table(["what", "n", "p50 ms", "max ms", "Python CPU p50 ms"], rows))
    slowest = max(results[name]["max_ms"] for name in ("PDF (whole request)", "CSV (whole request)"))
    print(f"naive full scan of the same figures: {naive_ms / 1000:.1f} s")
    verdict = "met" if slowest < 60_000 else "NOT met"
    print(f"target: the report in under 60 s: {verdict} (slowest file {slowest:.0f} ms)")
    payload = {
        "events": count,
        "upto": upto,
        "checkpoint_s": checkpoint_s,
        "results": results,
        "naive_ms": naive_ms,
        "loadavg_before": load,
        "loadavg_after": load_after,
        "environment": environment(),
    }
    print(f"written to {write_json(args.json, f'report-{args.events}', payload)}")


if __name__ == "__main__":
    main()
