"""Onboarding and deploys at many departments: create_department and a no-op migrate_schemas.

    python bench/onboarding.py [--departments 300] [--steps 100,200,300] [--create-samples 20]
                               [--baseline-samples 3] [--cli-samples 3] [--no-baseline] [--json PATH]

Against the database of DATABASE_URL (a development database, never a test one):

1. ``create_department`` time, inside one process (accounts.onboarding.department_create,
   what the console's onboarding and the command run): ``--create-samples`` departments from
   the recorded schema snapshot (tenants.schema_snapshot, today's path) and
   ``--baseline-samples`` migrated step by step (the path before: django-tenants' CREATE SCHEMA
   and migrate_schemas for that schema), in the same run; then ``manage.py create_department``
   from the command line (a fresh Python process each: interpreter and Django start-up
   included), ``--cli-samples`` of each. These departments (``benchonbtmp*``) are dropped after.
2. ``--departments`` departments (schemas ``benchonb001`` …) are created when missing, up to
   each of ``--steps``; at each step, a no-op ``manage.py migrate_schemas --executor=standard``
   (every department up to date) is timed with the executor Porchlight uses
   (tenants.migration_executors: one query finds the schemas behind) and with django-tenants'
   own (every schema through Django's migrate command, the baseline), both as a fresh process.
   Per department = (total - the same command with no department) / departments; the totals
   are fitted to a + b·n and extrapolated to 1,000.

Load averages are printed before and after: the machine is shared. Django's own log lines
(onboarding, the baseline's migration progress) are silenced.
"""

import argparse
import multiprocessing
import os
import subprocess
import sys
import time
from typing import Any

from _common import ROOT, django_setup, environment, table, write_json

PREFIX = "benchonb"
TMP_PREFIX = "benchonbtmp"

BASELINE_MIGRATE = """
import django
django.setup()
import django_tenants.management.commands.migrate_schemas as command
from django_tenants.migration_executors import get_executor
command.GET_EXECUTOR_FUNCTION = get_executor  # django-tenants' own: every schema migrated
from django.core.management import call_command
call_command("migrate_schemas", executor="standard", interactive=False, verbosity=0)
"""


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _manage(*args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True, capture_output=True)  # noqa: S603
    return time.perf_counter() - started


def _baseline_migrate() -> float:
    started = time.perf_counter()
    env = dict(os.environ, DJANGO_SETTINGS_MODULE=os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.local"))
    subprocess.run([sys.executable, "-c", BASELINE_MIGRATE], cwd=ROOT, check=True, capture_output=True, env=env)  # noqa: S603
    return time.perf_counter() - started


def _create(schema: str, stepwise: bool = False) -> float:
    from accounts.onboarding import department_create
    from tenants import schema_snapshot

    original = schema_snapshot.schema_create_from_snapshot
    if stepwise:
        schema_snapshot.schema_create_from_snapshot = lambda *a, **k: False
    try:
        started = time.perf_counter()
        department_create(
            name=f"Bench onboarding {schema}",
            schema_name=schema,
            domain=f"{schema}.localhost",
            admin_email=f"admin@{schema}.example.org",
        )
        return time.perf_counter() - started
    finally:
        schema_snapshot.schema_create_from_snapshot = original


def _drop_departments(prefix: str) -> None:
    from django.db import connection

    from tenants.models import Department

    for department in Department.objects.filter(schema_name__startswith=prefix):
        schema = department.schema_name
        department.delete()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _stats(values: list[float]) -> tuple[int, float, float, float]:
    ordered = sorted(values)
    return len(values), ordered[len(ordered) // 2], min(values), max(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--departments", type=int, default=300)
    parser.add_argument("--steps", default="100,200,300")
    parser.add_argument("--create-samples", type=int, default=20, help="0 skips part 1")
    parser.add_argument("--baseline-samples", type=int, default=3)
    parser.add_argument("--cli-samples", type=int, default=3)
    parser.add_argument("--create-workers", type=int, default=4, help="processes creating the departments")
    parser.add_argument("--no-baseline", action="store_true", help="skip the baseline migrate_schemas runs")
    parser.add_argument("--no-cli", action="store_true", help="skip the fresh-process migrate_schemas runs (part 2)")
    parser.add_argument("--json")
    args = parser.parse_args()
    steps = sorted({int(s) for s in args.steps.split(",") if s} | {args.departments})

    django_setup()
    import logging

    logging.disable(logging.INFO)
    from django.conf import settings
    from django.db import connection

    from tenants.models import Department
    from tenants.services import public_tenant_ensure

    assert not str(settings.DATABASES["default"]["NAME"]).startswith("test_"), "not on a test database"
    public_tenant_ensure()
    print(f"load before: {load()}", flush=True)
    results: dict[str, Any] = {"environment": environment(), "load_before": load()}

    # 1. create_department, in one process and from the command line.
    if args.create_samples > 0:
        _drop_departments(TMP_PREFIX)
        snapshot = [_create(f"{TMP_PREFIX}s{i:03d}") for i in range(args.create_samples)]
        stepwise = [_create(f"{TMP_PREFIX}m{i:03d}", stepwise=True) for i in range(args.baseline_samples)]
        cli_snapshot = [
            _manage(
                "create_department",
                "--name",
                f"CLI {i}",
                "--schema",
                f"{TMP_PREFIX}c{i:03d}",
                "--domain",
                f"{TMP_PREFIX}c{i:03d}.localhost",
                "--admin-email",
                f"a@{TMP_PREFIX}c{i:03d}.example.org",
            )
            for i in range(args.cli_samples)
        ]
        check = [_manage("check") for _ in range(args.cli_samples)]
        _drop_departments(TMP_PREFIX)
        rows = [
            ["department_create, from the snapshot (in process)", *_stats(snapshot)],
            ["department_create, migrated step by step (baseline, in process)", *_stats(stepwise)],
            ["manage.py create_department (snapshot; fresh process)", *_stats(cli_snapshot)],
            ["manage.py check (the same process start-up alone)", *_stats(check)],
        ]
        print(table(["create_department", "n", "p50 s", "min s", "max s"], rows), flush=True)
        results["create"] = {
            "snapshot": snapshot,
            "stepwise": stepwise,
            "cli_snapshot": cli_snapshot,
            "cli_check": check,
        }

    # 2. A no-op migrate_schemas at each step.
    zero_new = float("nan") if args.no_cli else _manage("migrate_schemas", "--executor=standard", "-v", "0", "--shared")
    migrate_rows = []
    fits: dict[str, list[tuple[int, float]]] = {"skipping": [], "baseline": []}
    creation: list[float] = []
    for step in steps:
        existing_schemas = set(Department.objects.values_list("schema_name", flat=True))
        missing = [f"{PREFIX}{i:03d}" for i in range(1, step + 1) if f"{PREFIX}{i:03d}" not in existing_schemas]
        if missing:
            # In --create-workers forked processes: creating a schema mostly waits for PostgreSQL
            # (each index build fsyncs its file), so a few at once fill 300 sooner.
            connection.close()
            with multiprocessing.get_context("fork").Pool(args.create_workers) as pool:
                creation.extend(pool.map(_create, missing, chunksize=1))
        total_departments = Department.objects.exclude(schema_name="public").count()
        if args.no_cli:
            continue
        new = min(_manage("migrate_schemas", "--executor=standard", "-v", "0") for _ in range(2))
        fits["skipping"].append((total_departments, new))
        base = float("nan")
        if not args.no_baseline and not args.no_cli:
            base = _baseline_migrate()
            fits["baseline"].append((total_departments, base))
        migrate_rows.append(
            [
                total_departments,
                new,
                (new - zero_new) / total_departments,
                base,
                (base - zero_new) / total_departments if base == base else float("nan"),
                load(),
            ]
        )
        print(f"  {total_departments} departments: migrate_schemas {new:.2f} s, baseline {base:.2f} s", flush=True)
    if creation:
        print(
            f"created {len(creation)} departments ({args.create_workers} at once), "
            f"p50 {sorted(creation)[len(creation) // 2]:.2f} s each",
            flush=True,
        )

    def extrapolate(points: list[tuple[int, float]], n: int) -> float:
        if len(points) < 2:
            return float("nan")
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        b = sum((x - mx) * (y - my) for x, y in points) / sum((x - mx) ** 2 for x in xs)
        return my + b * (n - mx)

    for name, points in fits.items():
        if points:
            at = extrapolate(points, 1000)
            migrate_rows.append([f"1000 ({name}, fitted)", float("nan"), float("nan"), float("nan"), float("nan"), ""])
            migrate_rows[-1][1 if name == "skipping" else 3] = at
            migrate_rows[-1][2 if name == "skipping" else 4] = (at - zero_new) / 1000
    # 3. In one process (no interpreter start-up, which the machine's load makes noisy): the
    # tenant phase for the first n bench departments, skipping (all of them up to date) against
    # django-tenants' standard executor on --baseline-samples of them (its cost is per schema).
    from django_tenants.management.commands.migrate_schemas import Command as MigrateSchemas
    from django_tenants.migration_executors.standard import StandardExecutor

    from tenants.migration_executors import SkippingStandardExecutor

    options = vars(MigrateSchemas().create_parser("manage.py", "migrate_schemas").parse_args([]))
    options.update(verbosity=0, interactive=False)
    schemas = sorted(Department.objects.filter(schema_name__startswith=PREFIX).values_list("schema_name", flat=True))
    schemas = [s for s in schemas if not s.startswith(TMP_PREFIX)]
    in_process = []
    for n in steps:
        subset = schemas[:n]
        if len(subset) < n:
            continue
        skip_runs = []
        for _ in range(3):
            started = time.perf_counter()
            SkippingStandardExecutor((), options).run_migrations(tenants=list(subset))
            skip_runs.append(time.perf_counter() - started)
        base = float("nan")
        if args.baseline_samples > 0 and not args.no_baseline:
            sample = subset[-args.baseline_samples :]
            started = time.perf_counter()
            StandardExecutor((), options).run_migrations(tenants=list(sample))
            base = (time.perf_counter() - started) / len(sample)
            connection.set_schema_to_public()  # type: ignore[attr-defined]
        best = min(skip_runs)
        in_process.append([n, best, best / n * 1000, base, base / (best / n) if base == base else float("nan"), load()])
    print(
        table(
            ["departments", "skipping s (all)", "ms/department", "baseline s/department", "ratio", "load"],
            in_process,
        )
    )
    results["in_process"] = in_process
    print(f"migrate_schemas --shared alone (public schema, start-up): {zero_new:.2f} s")
    print(
        table(
            ["departments", "no-op migrate s", "s/department", "baseline s", "baseline s/department", "load"],
            migrate_rows,
        )
    )
    results["migrate"] = {"shared_only_s": zero_new, "rows": migrate_rows, "creation_s": creation}
    results["load_after"] = load()
    print(f"load after: {load()}")
    print(f"results: {write_json(args.json, 'onboarding', results)}")


if __name__ == "__main__":
    main()
