"""How fast the intake worker works through a backlog of deliveries (issue 17: 50 incidents/s).

    python bench/intake_drain.py [--deliveries 600] [--workers 4] [--duplicates 5]

In the department of bench/incidents.py (schema ``benchinc``), ``--deliveries`` deliveries of
one integration are accepted (incidents.intake.delivery_accept, as the receiver stores them:
each its own commit, its task published after it; every ``--duplicates``-th one repeats the
previous external id, as a sender that retries) while a real Celery worker (prefork,
``--workers`` processes, started as bench/incidents.py starts it: Procfile's intake worker)
has stopped consuming its queue; then it consumes again. The rate is the deliveries processed
over the time from then to the last one's ``processed_at`` (neither the worker's start-up nor
the acceptance is in it); also the worker's CPU from then (its processes, user + system) per
delivery once its queue is empty (every delivery's message, those skipped too), and when that
was. A worker that processes one integration's deliveries one at a time (a lock on the
integration's row) shows here as a rate that does not grow with ``--workers``. Prints the
table and writes JSON (default bench/results/intake_drain.json).
"""

import argparse
import datetime as dt
import os
import socket
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

    from django.db.models import Max
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from config.celery import app
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
    # The worker starts first and stops consuming its queue while the backlog is accepted, so
    # that neither its start-up nor the acceptance is in what is measured.
    log = RESULTS / "intake-drain-worker.log"
    RESULTS.mkdir(parents=True, exist_ok=True)
    hostname = f"bench-drain-{os.getpid()}@{socket.gethostname()}"
    command = bench.intake_worker_command(args.workers, hostname)
    with log.open("wb") as out:
        worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        deadline = time.monotonic() + 120
        while not app.control.ping(destination=[hostname], timeout=1.0):
            if worker.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the worker did not start: {log}")
        _consuming(app, hostname, False)
        ids, integration = _accept(args, dept, tag)
        time.sleep(2)  # (the worker settles after its start)
        cpu_before = bench.cpu_seconds(worker.pid)
        started, started_at = time.monotonic(), timezone.now()
        _consuming(app, hostname, True)
        with tenant_context(dept):
            waiting = len(ids)
            while waiting and time.monotonic() - started < args.timeout:
                time.sleep(0.5)
                waiting = Delivery.objects.filter(pk__in=ids, status="accepted").count()
            spread = Delivery.objects.filter(pk__in=ids).exclude(status="accepted")
            last = spread.aggregate(last=Max("processed_at"))["last"]
            done = spread.count()
            statuses = sorted(set(spread.values_list("status", flat=True)))
            stored = Incident.objects.filter(integration=integration).count()
            distinct = len(set(Delivery.objects.filter(pk__in=ids).values_list("body__id", flat=True)))
        # Every delivery's message still goes through the worker (those a batch took are skipped
        # there): its CPU is counted once the queue is empty and the last messages are done.
        while _queued() and time.monotonic() - started < args.timeout:
            time.sleep(0.5)
        time.sleep(2)
        emptied = time.monotonic() - started - 2
        worker_cpu = bench.cpu_seconds(worker.pid) - cpu_before
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
    load_after = os.getloadavg()
    seconds = (last - started_at).total_seconds() if last is not None else float("nan")
    rate = done / seconds if done and seconds > 0 else float("nan")
    rows = [
        {
            "workers": args.workers,
            "deliveries": len(ids),
            "processed": done,
            "seconds": round(seconds, 2),
            "per second": round(rate, 1),
            "worker CPU ms each": round(1000 * worker_cpu / len(ids), 1),
            "queue empty after s": round(emptied, 1),
            "incidents": stored,
            "duplicates": stored - distinct,
            "statuses": ",".join(statuses),
        }
    ]
    print(table(list(rows[0]), [list(row.values()) for row in rows]))
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f}")
    payload = {"args": vars(args), "rows": rows, "load_before": load_before, "load_after": load_after}
    print("wrote", write_json(args.json, "intake_drain", {"environment": environment(), **payload}))


def _consuming(app: Any, hostname: str, on: bool) -> None:
    """Have the worker consume its queue (or stop), and wait until it says it does: on a loaded
    machine a control message's reply can come after its timeout, or not at all."""
    from django.conf import settings

    queue = settings.CELERY_INTAKE_QUEUE
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if on:
            app.control.add_consumer(queue, destination=[hostname], reply=True, timeout=2.0)
        else:
            app.control.cancel_consumer(queue, destination=[hostname], reply=True, timeout=2.0)
        active = (app.control.inspect([hostname], timeout=2.0).active_queues() or {}).get(hostname)
        if active is not None and any(q["name"] == queue for q in active) == on:
            return
    raise SystemExit(f"the worker did not {'start' if on else 'stop'} consuming {queue} within 60 s")


def _accept(args: argparse.Namespace, dept: Any, tag: str) -> tuple[list[int], Any]:
    """The backlog: ``args.deliveries`` deliveries accepted as the receiver accepts them."""
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from incidents import intake
    from incidents.models import Integration

    with tenant_context(dept):
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
    return ids, integration


def _queued() -> int:
    """Messages waiting in the intake queue."""
    from amqp.exceptions import ChannelError
    from django.conf import settings

    from config.celery import app

    with app.connection_for_read() as connection:
        try:
            declared = connection.default_channel.queue_declare(queue=settings.CELERY_INTAKE_QUEUE, passive=True)
        except ChannelError:  # Redis keeps no empty list: no queue is an empty one
            return 0
        return int(declared[1])


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
