"""Where one delivery's time goes: the receiver's request and the worker's task, in process.

    python bench/intake_profile.py [--deliveries 200] [--profile 25]

In the department of bench/incidents.py (schema ``benchinc``): ``--deliveries`` signed
deliveries POSTed through Django's test client (the receiver's view and middleware, DEBUG off),
then the same number processed by incidents.tasks.delivery_process_task through ``apply``
with the headers a published message carries (the tenant's schema and the outbox row), from
the public schema as a worker's process is between two tasks (tenant-schemas-celery puts it
back there after each task). No broker round trip and no prefork process: this is the cost of
the code itself (and not what a worker adds around each task: Celery's Django fixup closed the
database connection after every task until 2026-12-08, config/celery.py; bench/intake_drain.py
measures a real worker). Per phase: wall and CPU per delivery, and the SQL statements one delivery
costs (captured once, listed), the wall time by what the call returned (the worker: a batch
returns the status of its delivery, a delivery a batch already took None), and the top
``--profile`` functions of a cProfile by own time.
Prints, and writes JSON (default bench/results/intake_profile.json).
"""

import argparse
import cProfile
import io
import json
import pstats
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import django_setup, environment, write_json


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deliveries", type=int, default=200)
    parser.add_argument("--profile", type=int, default=25, help="functions listed from cProfile (0: none)")
    parser.add_argument("--sort", default="tottime", help="cProfile's order: tottime, cumulative")
    parser.add_argument("--cpu", action="store_true", help="profile CPU time (default: wall time, waits included)")
    parser.add_argument("--json", help="where to write the results (default bench/results/intake_profile.json)")
    args = parser.parse_args()
    django_setup()

    import logging
    import os

    logging.disable(logging.INFO)  # the request log's line per POST

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_tenants.utils import schema_context, tenant_context

    from config.celery import app
    from incidents.models import Delivery
    from incidents.secrets import signature_for
    from tenants.models import OutboxMessage
    from tenants.outbox import OUTBOX_HEADER

    settings.ALLOWED_HOSTS = ["*"]
    bench = _load_incidents_bench()
    dept = bench.department()
    tag = uuid.uuid4().hex[:6]
    bench.webhook_integration(dept, tag)
    secret = os.environ["PORCHLIGHT_BENCH_SECRET"]
    path = f"/api/v1/integrations/{os.environ['PORCHLIGHT_BENCH_INTEGRATION']}/events/"
    client = Client(HTTP_HOST=bench.DOMAIN)

    def post(n: int) -> int:
        body = json.dumps(
            {
                "id": f"P{tag}-{n - n % 5 if n % 5 == 4 else n}",  # every 5th repeats an id, as the benches
                "occurred_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 5)),
                "type": "Bench call",
                "priority": "1",
                "location": {"lat": 34.10 + (n // 100) * 1e-4, "lon": -117.38 + (n % 100) * 1e-4},
            }
        ).encode()
        stamp = str(int(time.time()))
        response = client.post(
            path,
            data=body,
            content_type="application/json",
            HTTP_X_PORCHLIGHT_TIMESTAMP=stamp,
            HTTP_X_PORCHLIGHT_SIGNATURE="sha256=" + signature_for(secret, timestamp=stamp, body=body),
        )
        assert response.status_code == 202, response.content
        return int(response.json()["delivery"])

    app.control.purge()
    post(-1)  # warm-up: imports, the URL conf, the connection
    receiver = _phase("receiver", args, post, CaptureQueriesContext, connection)
    delivery_ids: list[int] = receiver.pop("results")
    app.control.purge()  # the bench runs the tasks itself, below

    with schema_context("public"):
        outbox = dict(
            OutboxMessage.objects.filter(
                task_name="incidents.tasks.delivery_process_task", delivered_at__isnull=True
            ).values_list("kwargs__delivery_id", "pk")
        )
    from incidents.tasks import delivery_process_task

    def process(n: int) -> Any:
        delivery_id = delivery_ids[n]
        connection.set_schema_to_public()  # type: ignore[attr-defined]  # (django-tenants), as a worker between tasks
        return delivery_process_task.apply(
            kwargs={"delivery_id": delivery_id},
            headers={"_schema_name": dept.schema_name, OUTBOX_HEADER: outbox[delivery_id]},
        ).get()

    worker = _phase("worker", args, process, CaptureQueriesContext, connection)
    statuses = worker.pop("results")
    with tenant_context(dept):
        left = Delivery.objects.filter(pk__in=delivery_ids, status="accepted").count()
    print(f"worker results: {sorted(set(map(str, statuses)))}; deliveries still accepted: {left}")
    path_json = write_json(
        args.json, "intake_profile", {"environment": environment(), "args": vars(args), "phases": [receiver, worker]}
    )
    print("wrote", path_json)


def _phase(name: str, args: argparse.Namespace, one: Any, capture: Any, connection: Any) -> dict[str, Any]:
    """Run ``one(n)`` for every n: timed, one of them with its statements captured, all profiled."""
    with capture(connection) as queries:
        results = [one(0)]
    statements = [q["sql"] for q in queries.captured_queries]
    n = args.deliveries
    by_result: dict[str, list[float]] = {}
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for i in range(1, n // 2):
        t0 = time.perf_counter()
        results.append(one(i))
        outcome = "202" if isinstance(results[-1], int) else str(results[-1])  # (the receiver: an id)
        by_result.setdefault(outcome, []).append(time.perf_counter() - t0)
    wall = time.perf_counter() - wall0
    cpu = time.process_time() - cpu0
    timed = n // 2 - 1
    profiler = cProfile.Profile(time.process_time) if args.cpu else cProfile.Profile()
    profiler.enable()
    results += [one(i) for i in range(n // 2, n)]
    profiler.disable()
    out = io.StringIO()
    if args.profile:
        pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.profile)
    print(f"\n== {name}: {timed} timed, {1000 * wall / timed:.1f} ms wall and {1000 * cpu / timed:.1f} ms CPU each")
    for result, walls in sorted(by_result.items()):
        walls.sort()
        print(f"  returned {result}: {len(walls)} calls, wall p50 {1000 * walls[len(walls) // 2]:.1f} ms")
    print(f"{len(statements)} statements for one:")
    for sql in statements:
        print("   ", sql[:160])
    print(out.getvalue())
    return {
        "name": name,
        "timed": timed,
        "wall_ms": 1000 * wall / timed,
        "cpu_ms": 1000 * cpu / timed,
        "statements": statements,
        "wall_ms_by_result": {k: [1000 * w for w in v] for k, v in by_result.items()},
        "results": results,
    }


def _load_incidents_bench() -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_incidents", Path(__file__).resolve().parent / "incidents.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


if __name__ == "__main__":
    main()
