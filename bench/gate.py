"""Gate benchmark: the cost of ``authorize`` with its audit insert, alone and with 8 writers.

    python bench/gate.py [--ops 1000] [--writers 8] [--seconds 5] [--kinds threads,processes]

In the bench department (schema ``bench``; created if missing) an officer with a TOTP
authenticator states a purpose (``purpose_declare``) and looks at one camera. Timed, each in
its own transaction as in a request:

* ``authorize``: ``cameras.access.authorize(action="camera_view")`` on a camera loaded before
  the timer, by the gate's own loader (``camera_lookup``'s query, which brings the consent
  history id in force with the consent): policy (one query), role, MFA, purpose and consent
  checks, ``access_event_record`` (contents hashed, one INSERT that the database links into
  the chain under the per-schema advisory lock), and the commit;
* ``lookup + authorize``: what a camera-detail request does: ``camera_lookup`` loads the camera
  with its consent and the consent history id in force (one query), then ``authorize``;
* ``audit record``: ``access_event_record`` alone in a transaction (no gate checks);
* ``plain insert``: the baseline: an INSERT of a row of the same size (the same column values)
  into a scratch table shaped like the audit table (same columns and indexes, no trigger), no
  lock, no hash, one statement through a raw cursor, committed.

Each runs ``--ops`` times on one connection (latency, and CPU per call of this process and of
its PostgreSQL backend), then with ``--writers`` writers for ``--seconds`` (throughput): as
threads (as asked: one process, so one GIL), each with its own connection inside the bench
tenant, and as processes (as web workers run). Prints a table and writes JSON (default
bench/results/gate.json). The audit table is append-only: the bench department's log grows.
"""

import argparse
import multiprocessing
import os
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import bench_department, django_setup, environment, summary_ms, table, write_json

django_setup()

from allauth.account.models import EmailAddress  # noqa: E402
from allauth.mfa.models import Authenticator  # noqa: E402
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402
from psycopg.types.json import Jsonb  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from audit.models import AccessEvent, Action, Outcome  # noqa: E402
from audit.services import (  # noqa: E402
    EventFacts,
    PurposeSnapshot,
    access_event_record,
)
from cameras import access  # noqa: E402
from cameras.access import Actor, authorize, camera_lookup, purpose_declare  # noqa: E402
from cameras.models import Camera, Purpose  # noqa: E402
from cameras.services import camera_register, site_create  # noqa: E402
from config.celery import app as celery_app  # noqa: E402

# The owner-notice task that authorize enqueues after each commit is published as in
# production (its cost is part of authorize), but to a queue of the bench's own that no
# worker reads and that is deleted at the end, not to the queue the workers serve.
NOTICE_QUEUE = "bench-gate-discard"
celery_app.conf.task_default_queue = NOTICE_QUEUE

OFFICER_EMAIL = "bench-officer@bench.example.org"
OWNER_EMAIL = "bench-gate-owner@bench.example.org"
CAMERA_LABEL = "Gate bench camera"
SCRATCH = "bench_plain_insert"
TARGET_P50_MS = 2.0
TARGET_RATE = 1_000


def _officer() -> User:
    officer = User.objects.filter(email=OFFICER_EMAIL).first()
    if officer is None:
        officer = User.objects.create_user(
            OFFICER_EMAIL, role=Role.OFFICER, full_name="Bench Officer", badge_number="0001"
        )
        EmailAddress.objects.create(user=officer, email=officer.email, verified=True, primary=True)
    if not Authenticator.objects.filter(user=officer, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(officer, generate_totp_secret())
    return officer


def _camera(department: Any) -> Camera:
    """The camera looked at; (re)made through the services (search.py --reload truncates sites)."""
    camera = Camera.objects.filter(label=CAMERA_LABEL).first()
    if camera is None:
        owner = User.objects.filter(email=OWNER_EMAIL).first() or User.objects.create_user(
            OWNER_EMAIL, role=Role.RESIDENT, full_name="Gate Bench Owner"
        )
        site = site_create(owner=owner, department=department, lon=-117.30, lat=34.08, address="1 Bench Way")
        camera = camera_register(owner=owner, site=site, label=CAMERA_LABEL)
    return Camera.objects.select_related("site", "site__owner", "consent").get(pk=camera.pk)


def _scratch_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {SCRATCH}")  # its shape follows the audit table's
        cursor.execute(
            f"CREATE TABLE {SCRATCH} (LIKE audit_accessevent INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING INDEXES)"
        )
        cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {SCRATCH}_seq")


def _template_row() -> dict[str, Any]:
    """The columns of the last authorize event: the plain insert writes the same values."""
    event = AccessEvent.objects.filter(action=Action.CAMERA_VIEW).order_by("-seq").first()
    assert event is not None
    row = {f.attname: getattr(event, f.attname) for f in AccessEvent._meta.concrete_fields if f.attname != "id"}
    return row


class Ops:
    """The three timed operations, for the connection of the calling thread."""

    def __init__(self, department: Any, actor: Actor, purpose_pk: int, camera_pk: int, row: dict[str, Any]):
        self.department = department
        self.camera_id = Camera.objects.values_list("public_id", flat=True).get(pk=camera_pk)
        self.actor = actor
        self.purpose = Purpose.objects.get(pk=purpose_pk)
        # Loaded as camera_lookup loads it (with the consent history id in force), untimed.
        self.camera = access._cameras_for_gate().get(pk=camera_pk)
        self.snapshot = actor.snapshot()
        self.facts = EventFacts(Action.CAMERA_VIEW, Outcome.ALLOWED, "ok", targets=[f"camera:{self.camera.public_id}"])
        self.purpose_snapshot = PurposeSnapshot(
            case_number=self.purpose.case_number, category=self.purpose.category, text=self.purpose.text
        )
        self.columns = list(row)
        self.values = [Jsonb(row[c]) if isinstance(row[c], dict) else row[c] for c in self.columns]
        seq_index, hash_index = self.columns.index("seq"), self.columns.index("hash")
        placeholders = ["%s"] * len(self.columns)
        placeholders[seq_index] = f"nextval('{SCRATCH}_seq')"
        columns, values = ", ".join(self.columns), ", ".join(placeholders)
        self.insert_sql = f"INSERT INTO {SCRATCH} ({columns}) VALUES ({values})"  # noqa: S608 (constant names)
        self.values_without_seq = [v for i, v in enumerate(self.values) if i != seq_index]
        self.hash_position = hash_index - (1 if hash_index > seq_index else 0)

    def authorize(self) -> None:
        decision = authorize(actor=self.actor, action=Action.CAMERA_VIEW, purpose=self.purpose, camera=self.camera)
        assert decision.allowed, decision.reason

    def lookup_authorize(self) -> None:
        decision, _camera = camera_lookup(actor=self.actor, purpose=self.purpose, public_id=self.camera_id)
        assert decision.allowed, decision.reason

    def audit_record(self) -> None:
        with transaction.atomic():
            access_event_record(actor=self.snapshot, facts=self.facts, purpose=self.purpose_snapshot)

    def plain_insert(self) -> None:
        values = list(self.values_without_seq)
        values[self.hash_position] = uuid.uuid4().hex * 2  # unique, as a hash would be; not a hash
        with connection.cursor() as cursor:  # autocommit: one statement, one transaction
            cursor.execute(self.insert_sql, values)


OPERATIONS = ("plain insert", "audit record", "authorize", "lookup + authorize")
GATE_OPERATIONS = ("authorize", "lookup + authorize")


def _method(ops: Ops, name: str) -> Callable[[], None]:
    return {
        "plain insert": ops.plain_insert,
        "audit record": ops.audit_record,
        "authorize": ops.authorize,
        "lookup + authorize": ops.lookup_authorize,
    }[name]


def _cpu_ticks_of_backend() -> int:
    """utime + stime (clock ticks) of this connection's PostgreSQL backend (same machine)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def cpu_per_op(ops: Ops, name: str, count: int) -> tuple[float, float]:
    """CPU milliseconds per call: this Python process, and the PostgreSQL backend serving it."""
    call = _method(ops, name)
    call()
    try:
        db_before = _cpu_ticks_of_backend()
    except (OSError, IndexError, ValueError):
        db_before = -1
    py_before = time.process_time()
    for _ in range(count):
        call()
    py = (time.process_time() - py_before) * 1000 / count
    db = float("nan")
    if db_before >= 0:
        db = (_cpu_ticks_of_backend() - db_before) * 1000 / os.sysconf("SC_CLK_TCK") / count
    return round(py, 3), round(db, 3)


def single(ops: Ops, name: str, count: int) -> list[int]:
    call = _method(ops, name)
    for _ in range(min(50, count)):  # warm-up
        call()
    samples = []
    for _ in range(count):
        start = time.perf_counter_ns()
        call()
        samples.append(time.perf_counter_ns() - start)
    return samples


def _writer_loop(ops: Ops, name: str, ready: Any, stop: Any) -> list[int]:
    call = _method(ops, name)
    for _ in range(20):  # warm-up on this connection
        call()
    ready.wait()
    own = []
    while not stop.is_set():
        start = time.perf_counter_ns()
        call()
        own.append(time.perf_counter_ns() - start)
    return own


def _process_writer(name: str, ready: Any, stop: Any, out: Any, args: tuple[Any, ...]) -> None:
    try:
        connections.close_all()  # never share the parent's socket
        connection.set_tenant(args[0])
        out.put(("ok", _writer_loop(Ops(*args), name, ready, stop)))
    except BaseException as exc:
        out.put(("error", repr(exc)))
        ready.abort()
    finally:
        connections.close_all()


def concurrent(
    ops_args: tuple[Any, ...], name: str, writers: int, seconds: float, kind: str
) -> tuple[list[int], int, float]:
    """``writers`` threads or processes, each on its own connection, calling for ``seconds``;
    returns the latencies, the number of calls and the wall time of the run."""
    if kind == "processes":
        context = multiprocessing.get_context("fork")
        ready, stop, out = context.Barrier(writers + 1), context.Event(), context.Queue()
        connections.close_all()  # the children must not inherit an open connection
        workers: list[Any] = [
            context.Process(target=_process_writer, args=(name, ready, stop, out, ops_args)) for _ in range(writers)
        ]
    else:
        ready, stop = threading.Barrier(writers + 1), threading.Event()
        queue: list[tuple[str, Any]] = []

        def thread_writer() -> None:
            try:
                connection.set_tenant(ops_args[0])  # this thread's own connection
                queue.append(("ok", _writer_loop(Ops(*ops_args), name, ready, stop)))
            except BaseException as exc:
                queue.append(("error", repr(exc)))
                ready.abort()
            finally:
                connections.close_all()

        workers = [threading.Thread(target=thread_writer, daemon=True) for _ in range(writers)]
    for worker in workers:
        worker.start()
    ready.wait(timeout=120)
    start = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    results = [out.get(timeout=120) for _ in workers] if kind == "processes" else None
    for worker in workers:
        worker.join()
    wall = time.perf_counter() - start
    results = results if results is not None else queue
    errors = [detail for status, detail in results if status != "ok"]
    if errors:
        raise RuntimeError(f"{name}: a writer failed: {errors[0]}")
    samples = [s for _, own in results for s in own]
    return samples, len(samples), wall


def _drop_notice_queue() -> None:
    """Delete the bench's notice queue (a Redis list and kombu's binding keys)."""
    broker = str(celery_app.conf.broker_url or "")
    if broker.startswith("redis"):
        import redis

        client = redis.Redis.from_url(broker)
        client.delete(NOTICE_QUEUE, f"_kombu.binding.{NOTICE_QUEUE}", f"_kombu.binding_permanent.{NOTICE_QUEUE}")


def _chain_check(from_seq: int) -> dict[str, int]:
    """The events written during the run form one gap-free sequence."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), coalesce(max(seq) - min(seq) + 1, 0) FROM audit_accessevent WHERE seq > %s", [from_seq]
        )
        count, span = cursor.fetchone()
    return {"events_written": count, "seq_span": span}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ops", type=int, default=1_000, help="calls per operation on one connection")
    parser.add_argument("--writers", type=int, default=8, help="concurrent threads, one connection each")
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of each concurrent run")
    parser.add_argument(
        "--kinds",
        default="threads,processes",
        help="writers as threads (one process, one GIL, as the brief asks) and/or processes (as web workers run)",
    )
    parser.add_argument("--json", help="where to write the results (default bench/results/gate.json)")
    args = parser.parse_args()

    department = bench_department()
    with tenant_context(department):
        officer = _officer()
        camera = _camera(department)
        actor = Actor(user=officer, mfa=True, session_hash="b" * 64, ip="192.0.2.10", user_agent="bench/gate")
        purpose = purpose_declare(
            actor=actor,
            case_number="BENCH-0001",
            category="property_crime",
            text="Benchmark of the access gate: a camera near a reported burglary.",
        )
        first = authorize(actor=actor, action=Action.CAMERA_VIEW, purpose=purpose, camera=camera)
        assert first.allowed, first.reason
        _scratch_table()
        row = _template_row()
        start_seq = AccessEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0

        ops_args = (department, actor, purpose.pk, camera.pk, row)
        ops = Ops(*ops_args)
        load_before = list(os.getloadavg())
        cells = []
        cpu = {}
        for name in OPERATIONS:
            samples = single(ops, name, args.ops)
            stats = summary_ms(samples)
            rate = len(samples) / (sum(samples) / 1e9)
            py_cpu, db_cpu = cpu_per_op(ops, name, args.ops)
            cpu[name] = {"python_cpu_ms": py_cpu, "postgres_cpu_ms": db_cpu}
            cells.append({"operation": name, "writers": "1", **stats, "per_second": round(rate, 1), **cpu[name]})
            line = f"p50 {stats['p50_ms']:.2f} ms, {rate:,.0f}/s, CPU/op python {py_cpu} ms, postgres {db_cpu} ms"
            print(f"  {name:<23} 1 writer: {line}", flush=True)
        for kind in args.kinds.split(","):
            for name in OPERATIONS:
                samples, count, wall = concurrent(ops_args, name, args.writers, args.seconds, kind)
                stats = summary_ms(samples)
                rate = count / wall
                writers = f"{args.writers} {kind}"
                cells.append({"operation": name, "writers": writers, **stats, "per_second": round(rate, 1)})
                print(f"  {name:<23} {writers}: p50 {stats['p50_ms']:.2f} ms, {rate:,.0f}/s", flush=True)
        chain = _chain_check(start_seq)
        _drop_notice_queue()
        env = environment()
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('synchronous_commit'), current_setting('wal_sync_method')")
            env["synchronous_commit"], env["wal_sync_method"] = cursor.fetchone()
            cursor.execute("SELECT count(*) FROM audit_accessevent")
            env["audit_rows_after"] = cursor.fetchone()[0]

    plain = {c["writers"]: c for c in cells if c["operation"] == "plain insert"}
    for cell in cells:
        base = plain[cell["writers"]]
        cell["p50_over_plain"] = round(cell["p50_ms"] / base["p50_ms"], 2)
        cell["rate_over_plain"] = round(cell["per_second"] / base["per_second"], 2)
    headers = ["operation", "writers", "n", "p50 ms", "p99 ms", "per second", "p50/plain", "rate/plain"]
    headers += ["py CPU/op", "pg CPU/op"]
    rows = [
        [
            c["operation"],
            c["writers"],
            c["n"],
            c["p50_ms"],
            c["p99_ms"],
            c["per_second"],
            c["p50_over_plain"],
            c["rate_over_plain"],
            c.get("python_cpu_ms", float("nan")),
            c.get("postgres_cpu_ms", float("nan")),
        ]
        for c in cells
    ]
    print()
    print(f"Gate, bench department ({env['audit_rows_after']:,} audit rows after the run); load average {load_before}")
    print(table(headers, rows))
    print(
        f"chain: {chain['events_written']:,} events written, seq span {chain['seq_span']:,} "
        f"({'no gaps' if chain['events_written'] == chain['seq_span'] else 'GAPS'})"
    )
    targets = []
    print(f"\nTargets: authorize p50 < {TARGET_P50_MS} ms alone; >= {TARGET_RATE:,}/s with {args.writers} writers")
    for name in GATE_OPERATIONS:
        alone = next(c for c in cells if (c["operation"], c["writers"]) == (name, "1"))
        line = f"  {name:<21} p50 {alone['p50_ms']:.2f} ms ({'met' if alone['p50_ms'] < TARGET_P50_MS else 'NOT met'})"
        target = {"operation": name, "p50_ms": alone["p50_ms"], "p50_under_2ms": alone["p50_ms"] < TARGET_P50_MS}
        for kind in args.kinds.split(","):
            many = next(c for c in cells if (c["operation"], c["writers"]) == (name, f"{args.writers} {kind}"))
            met = many["per_second"] >= TARGET_RATE
            target[f"per_second_{kind}"] = many["per_second"]
            target[f"at_least_1000_per_second_{kind}"] = met
            line += f"; {kind}: {many['per_second']:,.0f}/s ({'met' if met else 'NOT met'})"
        targets.append(target)
        print(line)
    payload = {
        "benchmark": "gate",
        "ops": args.ops,
        "writers": args.writers,
        "kinds": args.kinds.split(","),
        "seconds": args.seconds,
        "baseline": "INSERT of the same column values into a table LIKE audit_accessevent (same columns "
        "and indexes, no trigger), raw cursor, autocommit; no lock, no chain read, no hash",
        "load_average_before": load_before,
        "load_average_after": list(os.getloadavg()),
        "environment": env,
        "chain": chain,
        "cells": cells,
        "targets": targets,
    }
    path = write_json(args.json, "gate", payload)
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
