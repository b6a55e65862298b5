"""Oversight benchmark: the board's dashboard and the public transparency page at a million
events, against a full scan of the log computing the same numbers, in the same run.

    python bench/oversight.py [--events 1000000] [--repeat 30] [--scan-repeat 5] [--reload]

Fills the bench department (schema ``bench``) with a realistic year (2025) of events in bulk
SQL: the chain trigger is switched off for the load (it would stamp every row with the load's
own clock), times follow a working day (more by day than by night), actions, outcomes,
reasons and purpose categories are drawn with the weights below, searches have a centre in
the bench city and four police beats cover it. The loaded rows are not a valid chain (their
hashes are placeholders): this measures reading, not verification. Then:

* ``rebuild``: ``audit_rollups_rebuild`` (the full scan that writes the day and hour rollups)
  and the area rollup's catch-up from the first event (cameras.area_rollups), once each;
* ``dashboard``: GET /oversight/dashboard/?year=2025 through Django's test client as an
  oversight member signed in with MFA (the whole request: session, the reading's own
  audit event, the rollup queries, the SVG charts, the template);
* ``public page`` / ``public JSON``: GET /transparency/?year=2025 and /transparency.json;
* ``full scan``: the figures of those pages computed from the log instead (the day and hour
  groupings over every event: audit.rollups.rollup_scan_day/rollup_scan_hour).

Target (issue 15): p50 < 150 ms for every page at 1,000,000 events.
Prints a table and writes JSON (default bench/results/oversight-<N>.json).
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import bench_department, board_client, django_setup, environment, summary_ms, table, write_json

django_setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402

from audit.rollups import rollup_scan_day, rollup_scan_hour, rollups_rebuild  # noqa: E402
from cameras.area_rollups import area_rollups_catch_up  # noqa: E402
from places.areas import areas_import  # noqa: E402
from places.demo import demo_beats_geojson  # noqa: E402

YEAR = 2025
CITY = [(-117.48, 33.95), (-117.12, 33.95), (-117.12, 34.22), (-117.48, 34.22)]
# Action weights (per 1000 events): a console used all day mostly searches and opens cameras.
ACTIONS = [
    ("search", 300),
    ("camera_view", 250),
    ("map_view", 150),
    ("footage_request", 80),
    ("purpose_declare", 50),
    ("live_start", 40),
    ("live_end", 40),
    ("clip_view", 40),
    ("audit_read", 20),
    ("export", 10),
    ("live_extend", 10),
    ("exigent_approve", 5),
    ("exigent_deny", 5),
]
CATEGORIES = ["violent_crime", "property_crime", "missing_person", "traffic_collision", "other_investigation", ""]
DENIAL_REASONS = ["no_grant", "level_too_low", "outside_window", "mfa_required", "prohibited_purpose", "revoked"]
DENIED_SHARE = 0.08
CHUNK = 100_000


def _action_case() -> str:
    """SQL choosing an action from ``r`` in [0, 1) by the weights above."""
    total = sum(weight for _, weight in ACTIONS)
    parts, edge = [], 0.0
    for action, weight in ACTIONS[:-1]:
        edge += weight / total
        parts.append(f"WHEN r < {edge:.6f} THEN '{action}'")
    return f"CASE {' '.join(parts)} ELSE '{ACTIONS[-1][0]}' END"


_FILL = """
INSERT INTO audit_accessevent (seq, occurred_at, actor_id, actor_label, actor_badge, actor_role, actor_mfa,
    session_hash, client_ip, user_agent, action, targets, owner_refs, case_number, purpose_category, purpose_text,
    authority, warrant_number, outcome, reason, consent_level, consent_history_id, quantity, quantity_unit, details,
    content_hash, prev_hash, hash)
SELECT g, occurred_at, 1 + (g %% 40), 'Officer ' || (g %% 40), (1000 + g %% 40)::text, 'officer', true,
    '', '10.0.0.1', 'bench', action, targets, '{{}}', 'C-' || (g %% 5000), category, 'bench', 'consent', '',
    outcome, reason, '', NULL, quantity, '', details,
    encode(sha256(('c' || g)::bytea), 'hex'), encode(sha256(('p' || g)::bytea), 'hex'),
    encode(sha256(('h' || g)::bytea), 'hex')
FROM (
    SELECT g, r, d, action, k, m, w,
        -- a year, day by day; within a day, one in ten at any hour, the rest between 06:00 and
        -- 21:00 peaking early in the afternoon (the mean of two uniform draws)
        ((timestamp '{year}-01-01' + ((g - 1) * 365.0 / %(n)s) * interval '1 day')::date
            + interval '1 hour' * CASE WHEN k < 0.1 THEN 24 * m ELSE 6 + 15 * (m + w) / 2 END)
            AT TIME ZONE 'America/Los_Angeles' AS occurred_at,
        CASE WHEN d < {denied} THEN 'denied' ELSE 'allowed' END AS outcome,
        CASE WHEN d < {denied} THEN (ARRAY{reasons})[1 + floor(d / {denied} * {n_reasons})::int] ELSE 'ok' END
            AS reason,
        (ARRAY{categories})[1 + floor(c * {n_categories})::int] AS category,
        CASE WHEN action = 'live_end' THEN 60 + floor(h * 840)::bigint
             WHEN action = 'search' THEN floor(h * 500)::bigint END AS quantity,
        CASE WHEN action = 'search' THEN jsonb_build_object('area', jsonb_build_object('shape', 'circle',
                 'center', jsonb_build_array(-117.48 + 0.36 * x, 33.95 + 0.27 * y), 'radius_m', 500))
             ELSE '{{}}'::jsonb END AS details,
        CASE WHEN action = 'export' AND h < 0.5 THEN ARRAY['clip:' || md5(g::text)::uuid::text]
             WHEN action IN ('camera_view', 'live_start', 'clip_view') THEN ARRAY['camera:' || md5(g::text)::uuid::text]
             ELSE '{{}}'::text[] END AS targets
    FROM (
        SELECT g, r, random() AS d, random() AS c, random() AS h, random() AS x, random() AS y,
               random() AS k, random() AS m, random() AS w, {action_case} AS action
        FROM (SELECT g, random() AS r FROM generate_series(%(first)s, %(last)s) AS g) AS s
    ) AS t
) AS e
"""


def _fill_sql() -> str:
    def array(values: list[str]) -> str:
        return "[" + ", ".join(f"'{v}'" for v in values) + "]"

    return _FILL.format(
        year=YEAR,
        denied=DENIED_SHARE,
        reasons=array(DENIAL_REASONS),
        n_reasons=len(DENIAL_REASONS),
        categories=array(CATEGORIES),
        n_categories=len(CATEGORIES),
        action_case=_action_case().replace("%", "%%"),
    )


def _load(events: int) -> float:
    """Replace the bench department's log by ``events`` events of YEAR; seconds taken."""
    started = time.monotonic()
    sql = _fill_sql()
    with transaction.atomic(), connection.cursor() as cursor:
        # As the database's owner: the log's guards are switched off for the load only, and
        # on again (ALWAYS, as migration audit.0010 leaves them) in the same transaction.
        cursor.execute("ALTER TABLE audit_accessevent DISABLE TRIGGER USER")
        cursor.execute("TRUNCATE audit_accessevent, audit_dayrollup, audit_hourrollup, audit_arearollup")
        cursor.execute("DELETE FROM audit_rollupmark")
        cursor.execute("DELETE FROM audit_arearollupmark")
        for first in range(1, events + 1, CHUNK):
            last = min(events, first + CHUNK - 1)
            cursor.execute(sql, {"n": events, "first": first, "last": last})
            print(f"  {last:,} events ({time.monotonic() - started:.0f} s)", flush=True)
        for name in (
            "audit_accessevent_no_update_delete",
            "audit_accessevent_no_truncate",
            "audit_accessevent_chain",
            "audit_accessevent_rollups",  # counts from here on; the load is counted by the rebuild
        ):
            cursor.execute(f"ALTER TABLE audit_accessevent ENABLE ALWAYS TRIGGER {name}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE audit_accessevent")
    return time.monotonic() - started


def _beats() -> None:
    path = Path(settings.BASE_DIR) / ".local" / "bench-beats.geojson"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(demo_beats_geojson(CITY)))
    areas_import(path=path, which="police", default_kind="beat")


def _time_get(client: Client, path: str, repeat: int) -> dict[str, float]:
    response = client.get(path)  # warm: templates, translations, the first connection
    assert response.status_code == 200, (path, response.status_code, response.content[:300])
    samples, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter_ns(), time.process_time_ns()
        response = client.get(path)
        samples.append(time.perf_counter_ns() - started)
        cpu.append(time.process_time_ns() - started_cpu)
        assert response.status_code == 200
    # CPU: this process's own time (Django, the template, psycopg), without the database's
    # and without waiting for a core: what the page costs on a machine not shared.
    return {**summary_ms(samples), "python_cpu_p50_ms": summary_ms(cpu)["p50_ms"]}


def _time_scan(repeat: int) -> dict[str, float]:
    samples, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter_ns(), time.process_time_ns()
        rollup_scan_day()
        rollup_scan_hour()
        samples.append(time.perf_counter_ns() - started)
        cpu.append(time.process_time_ns() - started_cpu)
    return {**summary_ms(samples), "python_cpu_p50_ms": summary_ms(cpu)["p50_ms"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--scan-repeat", type=int, default=5)
    parser.add_argument("--reload", action="store_true", help="load the events even if the log has that many")
    parser.add_argument("--json")
    args = parser.parse_args()

    department = bench_department()
    load_s = rebuild_s = areas_s = None
    with tenant_context(department):
        _beats()
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM audit_accessevent")
            present = cursor.fetchone()[0]
        if args.reload or present < args.events:
            print(f"loading {args.events:,} events of {YEAR} ...", flush=True)
            load_s = _load(args.events)
            started = time.monotonic()
            rollups_rebuild()
            rebuild_s = time.monotonic() - started
            started = time.monotonic()
            area_rollups_catch_up()
            areas_s = time.monotonic() - started
            with connection.cursor() as cursor:  # as autovacuum would soon after
                cursor.execute("ANALYZE audit_dayrollup, audit_monthrollup, audit_hourrollup, audit_arearollup")
        client = board_client(department)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM audit_accessevent")
            count = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM audit_dayrollup")
            day_rows = cursor.fetchone()[0]
        assert rollup_scan_day() == _stored_day(), "the rollups differ from a full scan"
        load = os.getloadavg()
        results = {
            "dashboard": _time_get(client, f"/oversight/dashboard/?year={YEAR}", args.repeat),
            "dashboard, one month": _time_get(client, f"/oversight/dashboard/?year={YEAR}&month=6", args.repeat),
            "public page": _time_get(client, f"/transparency/?year={YEAR}", args.repeat),
            "public JSON": _time_get(client, f"/transparency.json?year={YEAR}", args.repeat),
            "full scan (same figures)": _time_scan(args.scan_repeat),
        }
        load_after = os.getloadavg()
    rows = [
        [name, r["n"], r["p50_ms"], r["p99_ms"], r["max_ms"], r["python_cpu_p50_ms"]] for name, r in results.items()
    ]
    print(f"\n{count:,} events in the log; {day_rows:,} day-rollup rows")
    print(f"load average {load[0]:.2f} before, {load_after[0]:.2f} after")
    if load_s is not None:
        print(f"loaded in {load_s:.1f} s; rollups rebuilt from the log in {rebuild_s:.1f} s;", end=" ")
        print(f"areas caught up in {areas_s:.1f} s")
    print(table(["what", "n", "p50 ms", "p99 ms", "max ms", "Python CPU p50 ms"], rows))
    for name in ("dashboard", "dashboard, one month", "public page", "public JSON"):
        verdict = "met" if results[name]["p50_ms"] < 150 else "NOT met"
        print(f"target p50 < 150 ms, {name}: {verdict}")
    payload = {
        "events": count,
        "day_rollup_rows": day_rows,
        "load_s": load_s,
        "rebuild_s": rebuild_s,
        "areas_catch_up_s": areas_s,
        "results": results,
        "loadavg_before": load,
        "loadavg_after": load_after,
        "environment": environment(),
    }
    print(f"written to {write_json(args.json, f'oversight-{args.events}', payload)}")


def _stored_day() -> set[tuple[Any, ...]]:
    from audit.rollups import rollup_stored_day

    return rollup_stored_day()


if __name__ == "__main__":
    main()
