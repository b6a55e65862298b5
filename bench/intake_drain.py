"""How fast the intake worker works through a backlog of deliveries (issue 17: 50 incidents/s).

    python bench/intake_drain.py [--deliveries 600] [--workers 4] [--duplicates 5]

In the department of bench/incidents.py (schema ``benchinc``), ``--deliveries`` deliveries of
one integration are accepted (incidents.intake.delivery_accept, as the receiver stores them:
each its own commit, its task published after it; every ``--duplicates``-th one repeats the
previous external id, as a sender that retries). Then a real Celery worker (prefork,
``--workers`` processes, started as bench/incidents.py starts it) processes them. The rate is
the deliveries processed over the time from the first to the last one's ``processed_at``
(the worker's start-up is not in it). A worker that processes one integration's deliveries one
at a time (a lock on the integration's row) shows here as a rate that does not grow with
``--workers``. Prints the table and writes JSON (default bench/results/intake_drain.json).
"""

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RESULTS, ROOT, django_setup, environment, table, write_json


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deliveries", type=int, default=600)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--duplicates", type=int, default=5, help="every Nth delivery repeats an id (0: none)")
    parser.add_argument("--timeout", type=float, default=300.0, help="give up after this many seconds")
    parser.add_argument("--json", help="where to write the results (default bench/results/intake_drain.json)")
    args = parser.parse_args()
    django_setup()

    from django.db.models import Max, Min
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from incidents import intake
    from incidents.models import Delivery, Incident

    bench = _load_incidents_bench()
    dept = bench.department()
    tag = uuid.uuid4().hex[:6]
    bench.webhook_integration(dept, tag)
    load_before = os.getloadavg()
    env = dict(os.environ, DJANGO_DEBUG="False")
    subprocess.run(
        [sys.executable, "-m", "celery", "-A", "config", "purge", "-f"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    with tenant_context(dept):
        from incidents.models import Integration

        integration = Integration.objects.get(public_id=os.environ["PORCHLIGHT_BENCH_INTEGRATION"])
        ids: list[int] = []
        external = ""
        for n in range(args.deliveries):
            if not (args.duplicates and n % args.duplicates == args.duplicates - 1):
                external = f"D{tag}-{n}"
            body = {
                "id": external,
                "occurred_at": (timezone.now() - dt.timedelta(seconds=5)).isoformat(),
                "location": {"lat": 34.10 + (n // 100) * 1e-4, "lon": -117.38 + (n % 100) * 1e-4},
            }
            delivery = intake.delivery_accept(
                integration=integration, signature=uuid.uuid4().hex * 2, signed_at=timezone.now(), body=body
            )
            ids.append(delivery.pk)

    log = RESULTS / "intake-drain-worker.log"
    RESULTS.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency", str(args.workers)]
    command += ["-l", "WARNING", "--without-gossip", "--without-mingle", "--hostname", f"bench-drain-{os.getpid()}@%h"]
    with log.open("wb") as out:
        worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
    started = time.monotonic()
    try:
        with tenant_context(dept):
            waiting = len(ids)
            while waiting and time.monotonic() - started < args.timeout:
                time.sleep(1)
                waiting = Delivery.objects.filter(pk__in=ids, status="accepted").count()
            spread = Delivery.objects.filter(pk__in=ids).exclude(status="accepted")
            bounds = spread.aggregate(first=Min("processed_at"), last=Max("processed_at"))
            done = spread.count()
            statuses = sorted(set(spread.values_list("status", flat=True)))
            stored = Incident.objects.filter(integration=integration).count()
            distinct = len(set(Delivery.objects.filter(pk__in=ids).values_list("body__id", flat=True)))
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
    load_after = os.getloadavg()
    if bounds["first"] is None:
        bounds = {"first": None, "last": None}
    seconds = (bounds["last"] - bounds["first"]).total_seconds() if done > 1 else float("nan")
    rate = (done - 1) / seconds if done > 1 and seconds > 0 else float("nan")
    rows = [
        {
            "workers": args.workers,
            "deliveries": len(ids),
            "processed": done,
            "seconds": round(seconds, 2),
            "per second": round(rate, 1),
            "incidents": stored,
            "duplicates": stored - distinct,
            "statuses": ",".join(statuses),
        }
    ]
    print(table(list(rows[0]), [list(row.values()) for row in rows]))
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f}")
    payload = {"args": vars(args), "rows": rows, "load_before": load_before, "load_after": load_after}
    print("wrote", write_json(args.json, "intake_drain", {"environment": environment(), **payload}))


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
