"""The board's search of the access log (audit.log_search) on a large log: each filter's first
page, a page deep into the selection (keyset ``after``), and an export chunk, timed against
the same query with the planner kept off every index (a scan) in the same run.

    python bench/board_search.py                 # 300,000 events (default)
    python bench/board_search.py --events 1000000

The events are written straight into the bench department's table with its triggers switched
off (a superuser's bulk load, for this measurement only: the chain of these rows does not
verify), spread over a year, 200 officers, 5,000 cameras and 20,000 cases.
"""

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RESULTS, bench_department, board_client, django_setup, summary_ms, table

django_setup()

from django.db import connection  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402

from audit.log_search import Area, LogFilter, Sort, events_count_capped, events_page  # noqa: E402

FILL = """
INSERT INTO audit_accessevent (seq, occurred_at, actor_id, actor_label, actor_badge, actor_role, actor_mfa,
    session_hash, client_ip, user_agent, action, targets, owner_refs, case_number, purpose_category,
    purpose_text, authority, warrant_number, outcome, reason, consent_level, consent_history_id, quantity,
    quantity_unit, details, content_hash, prev_hash, hash)
SELECT i, %(end)s::timestamptz - (%(n)s - i) * (interval '365 days' / %(n)s),
    1 + i %% 200, 'Officer', 'B' || (1 + i %% 200), 'officer', true, '', NULL, '',
    (ARRAY['search','camera_view','footage_request','live_start','live_end','map_view','clip_view',
        'export'])[1 + (i * 7) %% 8],
    ARRAY['camera:' || md5('cam' || (i %% 5000))::uuid],
    '{}', 'C-' || (i %% 20000),
    (ARRAY['violent_crime','property_crime','missing_person','traffic_collision',
        'other_investigation'])[1 + (i / 3) %% 5],
    'bench', 'consent', '',
    CASE WHEN i %% 33 = 0 THEN 'denied' ELSE 'allowed' END,
    CASE WHEN i %% 33 = 0 THEN (ARRAY['revoked','level_too_low','purpose_expired'])[1 + (i / 33) %% 3] ELSE 'ok' END,
    'on_request', NULL, i %% 40, 'rows',
    CASE WHEN (i * 7) %% 8 = 0 THEN jsonb_build_object('area', jsonb_build_object('shape', 'circle',
        'center', jsonb_build_array(-117.45 + (i %% 997) * 0.00015, 34.05 + (i %% 983) * 0.0001), 'radius_m', 250))
        ELSE '{}'::jsonb END,
    md5(i::text) || md5(i::text), md5((i - 1)::text) || md5((i - 1)::text), md5(i::text) || md5(i::text)
FROM generate_series(%(first)s, %(n)s) AS i
"""


def fill(n: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(seq), 0) FROM audit_accessevent")
        have = cursor.fetchone()[0]
        if have >= n:
            return
        print(f"writing events {have + 1} to {n} ...", flush=True)
        cursor.execute("ALTER TABLE audit_accessevent DISABLE TRIGGER ALL")
        try:
            cursor.execute(FILL, {"n": n, "first": have + 1, "end": dt.datetime.now(dt.UTC)})
        finally:
            cursor.execute("ALTER TABLE audit_accessevent ENABLE TRIGGER ALL")
            for name in (
                "audit_accessevent_no_update_delete",
                "audit_accessevent_no_truncate",
                "audit_accessevent_chain",
                "audit_accessevent_rollups",
            ):
                cursor.execute(f"ALTER TABLE audit_accessevent ENABLE ALWAYS TRIGGER {name}")
        cursor.execute("ANALYZE audit_accessevent")


def timed(fn: Any, repeat: int = 7) -> float:
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def no_index(fn: Any) -> Any:
    def run() -> Any:
        with connection.cursor() as cursor:
            cursor.execute("SET enable_indexscan = off; SET enable_bitmapscan = off; SET enable_indexonlyscan = off")
        try:
            return fn()
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET enable_indexscan; RESET enable_bitmapscan; RESET enable_indexonlyscan")

    return run


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=300_000)
    parser.add_argument("--page-repeat", type=int, default=20, help="GETs of the whole page per filter (0: none)")
    args = parser.parse_args()
    department = bench_department()
    now = dt.datetime.now(dt.UTC)
    rows = []
    with tenant_context(department):
        fill(args.events)
        upto = args.events
        month = (now - dt.timedelta(days=200), now - dt.timedelta(days=170))
        cases = {
            "no filter": LogFilter(upto=upto),
            "one month, 200 days ago": LogFilter(start=month[0], end=month[1], upto=upto),
            "officer (badge)": LogFilter(badge="B17", upto=upto),
            "officer + month": LogFilter(badge="B17", start=month[0], end=month[1], upto=upto),
            "action live_start": LogFilter(actions=("live_start",), upto=upto),
            "denied": LogFilter(outcome="denied", upto=upto),
            "reason revoked + month": LogFilter(reason="revoked", start=month[0], end=month[1], upto=upto),
            "purpose category": LogFilter(purpose_category="missing_person", upto=upto),
            "case number": LogFilter(case_number="C-1234", upto=upto),
            "camera": LogFilter(camera=_camera(4321), upto=upto),
            "area 300 m": LogFilter(area=Area(lon=-117.40, lat=34.08, radius_m=300), upto=upto),
        }
        for name, log_filter in cases.items():
            first = events_page(log_filter=log_filter)
            deep_after = _deep(log_filter)
            rows.append(
                {
                    "filter": name,
                    "first page ms": timed(lambda f=log_filter: events_page(log_filter=f)),
                    "page after 5,000 ms": timed(lambda f=log_filter, a=deep_after: events_page(log_filter=f, after=a))
                    if deep_after
                    else None,
                    "capped count ms": timed(lambda f=log_filter: events_count_capped(log_filter=f)),
                    "scan first page ms": timed(no_index(lambda f=log_filter: events_page(log_filter=f)), repeat=1),
                    "rows": len(first.events),
                }
            )
        plan = _explain(cases["officer + month"])
        pages = _pages(department, now, args.page_repeat) if args.page_repeat else []
    _print(rows, args.events)
    if pages:
        print(f"\nthe whole search page (GET by a board member with MFA, {args.page_repeat} each; target p50 < 150 ms)")
        print(table(["filter", "n", "p50 ms", "p99 ms", "max ms", "Python CPU p50 ms", "met"], pages))
    print("\nEXPLAIN ANALYZE, officer + month, first page:\n" + plan)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "board_search.json").write_text(
        json.dumps({"events": args.events, "rows": rows, "pages": pages, "loadavg": os.getloadavg()}, indent=2)
    )


def _pages(department: Any, now: dt.datetime, repeat: int) -> list[list[Any]]:
    """The search page whole (form, first page of 50, the capped count, the reading's own audit
    event, the template), through Django's test client, for filters a board member types."""
    client = board_client(department)
    month = ((now - dt.timedelta(days=200)).date(), (now - dt.timedelta(days=170)).date())
    span = f"date_from={month[0]}&date_to={month[1]}"
    cases = {
        "no filter": "",
        "one month, 200 days ago": span,
        "officer (badge)": "badge=B17",
        "officer + month": f"badge=B17&{span}",
        "action live_start": "action=live_start",
        "denied": "outcome=denied",
        "purpose category": "purpose_category=missing_person",
        "camera": f"camera={_camera(4321)}",
    }
    out = []
    for name, query in cases.items():
        path = f"/oversight/search/?{query}"
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code, response.content[:400])
        samples, cpu = [], []
        for _ in range(repeat):
            started, started_cpu = time.perf_counter_ns(), time.process_time_ns()
            response = client.get(path)
            samples.append(time.perf_counter_ns() - started)
            cpu.append(time.process_time_ns() - started_cpu)
            assert response.status_code == 200
        r = summary_ms(samples)
        # Python CPU: this process's own time (Django, the form, the template), without the
        # database's and without waiting for a core (as bench/oversight.py reports it).
        cpu_p50 = summary_ms(cpu)["p50_ms"]
        out.append([name, r["n"], r["p50_ms"], r["p99_ms"], r["max_ms"], cpu_p50, r["p50_ms"] < 150])
    return out


def _camera(n: int) -> Any:
    import hashlib
    import uuid

    return uuid.UUID(hashlib.md5(f"cam{n}".encode(), usedforsecurity=False).hexdigest())


def _deep(log_filter: LogFilter) -> int | None:
    after = None
    for _ in range(100):  # 100 pages of 50
        page = events_page(log_filter=log_filter, sort=Sort.NEWEST, after=after)
        if page.next_after is None:
            return None
        after = page.next_after
    return after


def _explain(log_filter: LogFilter) -> str:
    from audit.log_search import _ordered, events_search

    query = _ordered(events_search(log_filter=log_filter), Sort.NEWEST, None)[:51]
    return query.explain(analyze=True)


def _print(rows: list[dict[str, Any]], events: int) -> None:
    print(f"\nboard search over {events:,} events (median of 7, ms)")
    header = ["filter", "first page ms", "page after 5,000 ms", "capped count ms", "scan first page ms", "rows"]
    print(" | ".join(f"{h:>22}" for h in header))
    for row in rows:
        print(" | ".join(f"{_fmt(row[h]):>22}" for h in header))


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.1f}"
    return "—" if value is None else str(value)


if __name__ == "__main__":
    main()
