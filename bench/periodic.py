"""Worker time of one beat tick per schedule entry: today's fan-out against the dispatcher.

    python bench/periodic.py [--departments 300] [--processes 2] [--repeat 3] [--synthetic 1000]

Makes sure ``--departments`` bench departments exist (``benchper0001`` …, through the onboarding
service, ``--processes`` at a time: ~3.5 s each on a quiet machine), then, for every entry of
``CELERY_BEAT_SCHEDULE``, runs one tick's worth of its tasks as the worker runs them
(``Task.apply`` with the department's schema in the headers: tenant-schemas-celery's
``task_prerun`` fetches the tenant and sets the ``search_path``, as in the worker), timed:

- baseline: the fan-out of the tenant-aware scheduler, the department's task in every department;
- now: what beat sends today: a ``tenants.tasks.periodic_dispatch`` entry runs once in public and
  sends the task only to departments with work (none here: the bench departments are idle, so
  this is the cost of a department with nothing to do); other entries as the baseline.

The worker time of an idle tick is then extrapolated to 1,000 departments (per department times
1,000). ``--synthetic N`` also times the probes alone over N schemas holding only the tables
the probes read (copies of a bench department's, empty), for the dispatcher's own growth at a
scale this machine cannot onboard quickly; they are dropped afterwards.

Median of ``--repeat`` ticks per entry. Writes bench/results/periodic.json.
"""

import argparse
import statistics
import time
from typing import Any, cast

from _common import django_setup, environment, table, write_json

DISPATCH = "tenants.tasks.periodic_dispatch"


def _tick_ms(run: Any, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def _fan_out(task: Any, schemas: list[str]) -> None:
    for schema in schemas:
        task.apply(headers={"_schema_name": schema})


def _synthetic(count: int, repeat: int) -> list[list[Any]]:
    """The SQL probes alone over ``count`` schemas holding copies of the tables they read."""
    from django.db import connection

    from tenants.periodic import _PROBES

    template = "benchper0001"
    tables = ["live_livesession", "cameras_suspension", "audit_accessevent", "audit_rollupmark", "audit_arearollupmark"]
    schemas = [f"benchprobe{i:04d}" for i in range(1, count + 1)]
    with connection.cursor() as cursor:
        for schema in schemas:
            cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
            for name in tables:
                cursor.execute(f"CREATE TABLE IF NOT EXISTS {schema}.{name} (LIKE {template}.{name} INCLUDING ALL)")
    rows = []
    try:
        for task_name, probe in sorted(_PROBES.items()):
            connection.close()
            cold = _tick_ms(lambda p=probe: p(schemas), 1)
            ms = _tick_ms(lambda p=probe: p(schemas), repeat)
            rows.append([task_name, count, round(cold, 1), round(ms, 1), round(ms / count * 1000, 1)])
    finally:
        with connection.cursor() as cursor:
            for schema in schemas:
                cursor.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--departments", type=int, default=300)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--synthetic", type=int, default=0)
    parser.add_argument("--no-create", action="store_true", help="use the bench departments that exist")
    parser.add_argument("--only-synthetic", action="store_true", help="time the probes over --synthetic schemas only")
    parser.add_argument("--json", default=None)
    args = parser.parse_args()

    if not args.no_create:
        import _periodic_create

        _periodic_create.ensure(args.departments, args.processes)
    django_setup()
    from celery import current_app
    from django.conf import settings
    from django.db import connection

    import config.celery  # noqa: F401 (the tenant-aware app, with every app's tasks)
    from tenants.periodic import departments_all

    current_app.loader.import_default_modules()
    schemas = departments_all()
    n = len(schemas)
    print(f"{n} departments; {args.repeat} ticks per entry (median)", flush=True)

    rows = []
    per_minute = {"baseline": 0.0, "now": 0.0}
    for name, entry in [] if args.only_synthetic else settings.CELERY_BEAT_SCHEDULE.items():
        if entry.get("tenant_schemas") == ["public"] and entry["task"] != DISPATCH:
            continue  # runs once in public today and before (the outbox sweep)
        dispatched = entry["task"] == DISPATCH
        task_name = str(cast("list[str]", entry["args"])[0] if dispatched else entry["task"])
        task = current_app.tasks[task_name]
        every = float(cast("float", entry["schedule"]))
        baseline = _tick_ms(lambda t=task: _fan_out(t, schemas), args.repeat)
        cold = float("nan")
        if dispatched:
            dispatch = current_app.tasks[DISPATCH]
            # A worker's connection lives DJANGO_CONN_MAX_AGE (60 s): the probe may find its
            # relation caches empty, on a new connection (timed once here), or warm (the median).
            connection.close()
            cold = _tick_ms(lambda d=dispatch, t=task_name: d.apply(args=[t]), 1)
            now = _tick_ms(lambda d=dispatch, t=task_name: d.apply(args=[t]), args.repeat)
        else:
            now = baseline
        per_minute["baseline"] += baseline * 60 / every
        per_minute["now"] += now * 60 / every
        rows.append(
            [
                name,
                int(every),
                "dispatch" if dispatched else "per department",
                round(baseline, 1),
                round(now, 1),
                round(cold, 1),
                round(baseline / n, 2),
                round(now / n, 3),
                round(baseline / n * 1000 / every / 10, 1),
                round(now / n * 1000 / every / 10, 2),
            ]
        )
        print(f"  {name}: baseline {baseline:.1f} ms, now {now:.1f} ms", flush=True)

    headers = [
        "entry",
        "every s",
        "now",
        "base ms/tick",
        "now ms/tick",
        "now cold",
        "base ms/dept",
        "now ms/dept",
        "base %worker@1000",
        "now %worker@1000",
    ]
    print()
    print(table(headers, rows))
    share = {k: v / 60_000 * 100 for k, v in per_minute.items()}
    print(
        f"\nall entries, worker time per minute at {n} departments: baseline {per_minute['baseline']:.0f} ms "
        f"({share['baseline']:.1f} % of a worker), now {per_minute['now']:.0f} ms ({share['now']:.1f} %)"
    )
    print(
        f"extrapolated to 1,000 departments: baseline {share['baseline'] / n * 1000:.0f} % of a worker, "
        f"now {share['now'] / n * 1000:.0f} %"
    )
    synthetic = []
    if args.synthetic:
        synthetic = _synthetic(args.synthetic, args.repeat)
        print(f"\nprobes alone over {args.synthetic} schemas holding only the probed tables (empty):")
        print(table(["task", "schemas", "cold ms", "warm ms", "warm ms per 1,000"], synthetic))

    path = write_json(
        args.json,
        "periodic",
        {
            "benchmark": "periodic",
            "departments": n,
            "repeat": args.repeat,
            "headers": headers,
            "rows": rows,
            "per_minute_ms": per_minute,
            "synthetic": synthetic,
            "environment": environment(),
        },
    )
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
