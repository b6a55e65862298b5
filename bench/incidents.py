"""Incident latency benchmark (issue 17's target): signed webhook received -> incident on an open
console <= 500 ms p99, at 50 incidents/s sustained with 20 consoles open, and duplicate ids at
that rate stored once.

    python bench/incidents.py [--consoles 20] [--rate 50] [--baseline-rate 5] [--seconds 30]
                              [--duplicates 5] [--workers 4] [--via webhook|service]

Starts the real server (uvicorn, ``config.asgi``, ``--ws websockets``, DEBUG off) and, for the
webhook path (the default), a real Celery worker (prefork, ``--workers``, started as Procfile's
intake worker: ``-Q intake``) that processes the deliveries, and opens ``--consoles`` console
WebSockets (``/ws/console/incidents/``), each with its own officer's session (MFA passed), in
the bench department (schema ``benchinc``, ``benchinc.localhost``). A producer process then
POSTs signed deliveries (docs/webhooks.md) to ``/api/v1/integrations/<id>/events/`` at the
phase's rate for ``--seconds``, on PRODUCER_THREADS keep-alive connections (at least one per
incident a second: a POST takes up to ~1 s here under load). Every ``--duplicates``-th id is
sent twice at once, from two threads
racing (a sender that retries). ``--via service`` calls incidents.services.incident_upsert
instead (what intake's task calls), without the receiver and the worker.

Two phases on the same server, worker and consoles: the baseline, the same path at
``--baseline-rate`` (5/s), then the target rate. Measured, per incident and console, from just
before the producer's POST (``time.time()``, the same clock on this machine) to the console's
receipt of the incident's first message: p50/p99/max over all (id sent, console) pairs, and
what never arrived within DRAIN_S of the last POST (missing). Also: a plain channel-layer
receiver in the incidents group (the path without the WebSocket), and the POSTs' own times.
Duplicates: incidents stored beyond one per external id (must be 0). Load averages of the
machine before and after are printed and stored: other work shares this machine. Prints a table
and writes JSON (default bench/results/incidents.json).
"""

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import shlex
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RESULTS, ROOT, django_setup, environment, percentile, table, write_json

SCHEMA = "benchinc"
DOMAIN = "benchinc.localhost"
ADMIN = "bench-admin@benchinc.example.org"
TARGET_P99_MS = 500.0
DRAIN_S = 5.0  # after the last incident, how long the consoles may still receive
# Enough threads that a slow commit on a loaded machine (~150 ms seen) does not lower the rate;
# for the webhook path at least one per incident a second: at 50/s with 12, POSTs of ~0.5 s
# (load 8) held the producer to 19/s.
PRODUCER_THREADS = 12


# --- Data in the bench department ---------------------------------------------------------


def department() -> Any:
    from accounts.onboarding import department_create
    from tenants.models import Department
    from tenants.services import public_tenant_ensure

    public_tenant_ensure()
    found = Department.objects.filter(schema_name=SCHEMA).first()
    if found is None:
        print(f"creating department {SCHEMA!r} ({DOMAIN}) ...", flush=True)
        found = department_create(name="Bench Incidents PD", schema_name=SCHEMA, domain=DOMAIN, admin_email=ADMIN)
        found = found.department
    return found


def officer_sessions(dept: Any, count: int) -> list[str]:
    """``count`` officers with MFA and a signed-in session each (as tests/console/test_incident_socket.py)."""
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore
    from django_tenants.utils import tenant_context

    from accounts.models import Role
    from tests.factories import UserFactory, totp_enable

    tag = uuid.uuid4().hex[:8]
    keys = []
    with tenant_context(dept):
        for i in range(count):
            officer = UserFactory(role=Role.OFFICER, email=f"inc-officer-{tag}-{i}@example.org")
            totp_enable(officer)
            session = SessionStore()
            session["_auth_user_id"] = str(officer.pk)
            session["_auth_user_backend"] = settings.AUTHENTICATION_BACKENDS[0]
            session["_auth_user_hash"] = officer.get_session_auth_hash()
            now = time.time()
            session["account_authentication_methods"] = [
                {"method": "password", "at": now},
                {"method": "mfa", "at": now},
            ]
            session.create()
            keys.append(session.session_key or "")
    return keys


# --- The producer (its own process: its Python work does not delay the consoles' receipt) ---


def produce(args: argparse.Namespace) -> None:
    """Make incidents at ``args.rate``/s; print one JSON line per call (external id, t0, t1, outcome)."""
    one = _webhook_sender(args) if args.via == "webhook" else _service_caller(args.produce)
    total = int(args.rate * args.seconds)
    start = time.monotonic() + 0.5
    threads = max(PRODUCER_THREADS, int(args.rate) + 10) if args.via == "webhook" else PRODUCER_THREADS
    with ThreadPoolExecutor(max_workers=threads) as pool:
        futures = []
        for i in range(total):
            delay = start + i / args.rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            futures.append(pool.submit(one, i, False))
            if args.duplicates and i % args.duplicates == 0:
                futures.append(pool.submit(one, i, True))  # the same id again, racing the first
        for future in futures:
            print(json.dumps(future.result()), flush=True)
    print(json.dumps({"elapsed": time.monotonic() - start, "calls": len(futures)}), flush=True)


def _payload(tag: str, i: int, again: bool) -> dict[str, Any]:
    return {
        "id": f"B{tag}-{i}",
        "type": "Bench call",
        # The second delivery of an id is a sender's update (another body, so another signature):
        # the same id must still land on one incident.
        "priority": str(1 + i % 3) if not again else "9",
        "lon": -117.38 + (i % 100) * 1e-4,
        "lat": 34.10 + (i // 100) * 1e-4,
        "address": f"{i} Bench St",
    }


def _service_caller(tag: str) -> Any:
    django_setup()
    from django.contrib.gis.geos import Point
    from django.db import connection
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from incidents.models import Integration, IntegrationKind
    from incidents.services import IncidentFacts, incident_upsert

    dept = department()
    with tenant_context(dept):
        integration = Integration.objects.create(kind=IntegrationKind.CAD, name=f"Bench CAD {tag}")

    def one(i: int, again: bool) -> dict[str, Any]:
        p = _payload(tag, i, again)
        facts = IncidentFacts(
            external_id=p["id"],
            occurred_at=timezone.now(),
            location=Point(p["lon"], p["lat"], srid=4326),
            incident_type=p["type"],
            priority=p["priority"],
            address=p["address"],
        )
        try:
            with tenant_context(dept):
                t0 = time.time()
                _incident, created = incident_upsert(integration=integration, facts=facts)
                t1 = time.time()
            return {"external_id": p["id"], "t0": t0, "t1": t1, "outcome": "created" if created else "updated"}
        finally:
            connection.close()

    return one


def _webhook_sender(args: argparse.Namespace) -> Any:
    """Signed deliveries (docs/webhooks.md) over keep-alive HTTP connections, one per thread."""
    import hashlib
    import hmac
    import http.client
    import threading

    secret = os.environ["PORCHLIGHT_BENCH_SECRET"]
    path = f"/api/v1/integrations/{os.environ['PORCHLIGHT_BENCH_INTEGRATION']}/events/"
    local = threading.local()

    def one(i: int, again: bool) -> dict[str, Any]:
        p = _payload(args.produce, i, again)
        body = json.dumps(
            {
                "id": p["id"],
                "occurred_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
                "type": p["type"],
                "priority": p["priority"],
                "location": {"lat": p["lat"], "lon": p["lon"]},
            }
        ).encode()
        timestamp = str(int(time.time()))
        signature = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        headers = {
            "Host": DOMAIN,
            "Content-Type": "application/json",
            "X-Porchlight-Timestamp": timestamp,
            "X-Porchlight-Signature": f"sha256={signature}",
        }
        t0 = time.time()
        for attempt in (1, 2):  # a keep-alive connection the server closed: once more on a new one
            if getattr(local, "conn", None) is None:
                local.conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
            try:
                local.conn.request("POST", path, body, headers)
                response = local.conn.getresponse()
                response.read()
                break
            except (OSError, http.client.HTTPException):
                local.conn.close()
                local.conn = None
                if attempt == 2:
                    raise
        return {"external_id": p["id"], "t0": t0, "t1": time.time(), "outcome": str(response.status)}

    return one


# --- The server -------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads) and of its children alive now (uvicorn's
    worker processes), from /proc."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if stat.parent.name == str(pid) or fields[1] == str(pid):
                total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def server(processes: int = 1) -> Any:
    port = free_port()
    RESULTS.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    log = RESULTS / "incidents-server.log"
    env = dict(os.environ, DJANGO_DEBUG="False")
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "config.asgi:application",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--ws",
        "websockets",
        "--no-access-log",
        "--log-level",
        "warning",
        *(["--workers", str(processes)] if processes > 1 else []),
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit(f"server exited:\n{log.read_text()[-3000:]}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
            if time.monotonic() > deadline:
                raise SystemExit("server did not listen within 60 s")
            time.sleep(0.2)
        yield port, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        errors = [line for line in log.read_text(errors="replace").splitlines() if "Traceback" in line]
        if errors:
            print(f"  (the server logged {len(errors)} tracebacks, see {log})", flush=True)


# --- The consoles and the baseline receiver -------------------------------------------------------


async def console(
    url: str, key: str, arrivals: dict[str, float], ready: asyncio.Event, stop: asyncio.Event
) -> dict[str, Any]:
    from bridge.net import ws_connect

    state: dict[str, Any] = {"close_code": None, "messages": 0}
    async with ws_connect(url, additional_headers={"Cookie": f"sessionid={key}"}, compression=None) as ws:

        async def read() -> None:
            async for raw in ws:
                now = time.time()
                message = json.loads(raw)
                if message.get("type") == "ready":
                    ready.set()
                elif message.get("type") == "incident":
                    state["messages"] += 1
                    arrivals.setdefault(message["incident"]["id"], now)

        reader = asyncio.create_task(read())
        await stop.wait()
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await reader
        state["close_code"] = ws.close_code
    return state


async def layer_receiver(arrivals: dict[str, float], ready: asyncio.Event, stop: asyncio.Event) -> None:
    """The baseline: the incidents group read straight off the channel layer."""
    from channels.layers import get_channel_layer

    from incidents.events import incidents_group

    layer = get_channel_layer()
    assert layer is not None
    channel = await layer.new_channel()
    await layer.group_add(incidents_group(SCHEMA), channel)
    ready.set()
    try:
        while not stop.is_set():
            try:
                message = await asyncio.wait_for(layer.receive(channel), timeout=0.5)
            except TimeoutError:
                continue
            now = time.time()
            for public_id in _incident_ids_of(message):  # one message names a batch's incidents
                arrivals.setdefault(public_id, now)
    finally:
        with contextlib.suppress(Exception):
            await layer.group_discard(incidents_group(SCHEMA), channel)


def _incident_ids_of(message: dict[str, Any]) -> list[str]:
    """The incidents a message names: ``incidents`` (batches, since 2026-12-08) or one ``incident``
    (so that the bench also measures code before then)."""
    ids = message.get("incidents")
    return [str(i) for i in ids] if isinstance(ids, list) else [str(message["incident"])]


async def measure(port: int, keys: list[str], args: argparse.Namespace, tag: str) -> dict[str, Any]:
    url = f"ws://{DOMAIN}:{port}/ws/console/incidents/"
    stop = asyncio.Event()
    console_arrivals: list[dict[str, float]] = [{} for _ in keys]
    readies = [asyncio.Event() for _ in keys]
    consoles = [
        asyncio.create_task(console(url, key, arrivals, ready, stop))
        for key, arrivals, ready in zip(keys, console_arrivals, readies, strict=True)
    ]
    layer_arrivals: dict[str, float] = {}
    layer_ready = asyncio.Event()
    layer_task = asyncio.create_task(layer_receiver(layer_arrivals, layer_ready, stop))
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies), layer_ready.wait()), timeout=60)
    # Warm-up, not measured: the server's first incident pays its one-time costs (importing the
    # URL conf for the incident's link, opening the connection pool; ~8 s on a loaded machine).
    warm = await asyncio.to_thread(warm_up_incident, tag)
    deadline = time.monotonic() + 60
    while not all(warm in arrivals for arrivals in console_arrivals) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    for arrivals in console_arrivals:
        arrivals.pop(warm, None)
    layer_arrivals.pop(warm, None)
    print(f"{len(keys)} consoles open; producing {args.rate}/s for {args.seconds} s ...", flush=True)

    producer = await asyncio.create_subprocess_exec(
        sys.executable,
        str(Path(__file__).resolve()),
        "--produce",
        tag,
        "--rate",
        str(args.rate),
        "--seconds",
        str(args.seconds),
        "--duplicates",
        str(args.duplicates),
        "--via",
        args.via,
        "--port",
        str(port),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await producer.communicate()
    await asyncio.sleep(DRAIN_S)
    stop.set()
    states = await asyncio.gather(*consoles)
    await layer_task
    lines = [json.loads(line) for line in out.decode().splitlines() if line.strip()]
    return {
        "calls": lines[:-1],
        "producer": lines[-1],
        "consoles": console_arrivals,
        "layer": layer_arrivals,
        "states": states,
    }


def warm_up_incident(tag: str) -> str:
    from django.contrib.gis.geos import Point
    from django.db import connection
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from incidents.models import Integration, IntegrationKind
    from incidents.services import IncidentFacts, incident_upsert

    try:
        with tenant_context(department()):
            integration = Integration.objects.create(kind=IntegrationKind.OTHER, name=f"Bench warm-up {tag}")
            facts = IncidentFacts(
                external_id=f"W{tag}", occurred_at=timezone.now(), location=Point(-117.38, 34.10, srid=4326)
            )
            incident, _created = incident_upsert(integration=integration, facts=facts)
            return str(incident.public_id)
    finally:
        connection.close()


def public_ids(tag: str) -> dict[str, str]:
    from django_tenants.utils import tenant_context

    from incidents.models import Incident

    with tenant_context(department()):
        rows = Incident.objects.filter(external_id__startswith=f"B{tag}-").values_list("external_id", "public_id")
        return {external_id: str(public_id) for external_id, public_id in rows}


def webhook_integration(dept: Any, tag: str) -> None:
    """An integration made as the administrator makes one (intake's integration_create), its
    secret and id handed to the producer; its rate limit raised above the bench's rate."""
    from django_tenants.utils import tenant_context

    from accounts.models import User
    from cameras.access import Actor
    from incidents import services
    from incidents.models import Integration, IntegrationKind

    with tenant_context(dept):
        admin = User.objects.get(email=ADMIN)
        integration, secret = services.integration_create(
            actor=Actor(user=admin, mfa=True), kind=IntegrationKind.CAD, name=f"Bench CAD {tag}", shape="generic"
        )
        Integration.objects.filter(pk=integration.pk).update(rate_per_minute=1_000_000)
    os.environ["PORCHLIGHT_BENCH_SECRET"] = secret
    os.environ["PORCHLIGHT_BENCH_INTEGRATION"] = str(integration.public_id)


def intake_worker_command(concurrency: int, hostname: str) -> list[str]:
    """The intake worker as make run starts it (Procfile's ``intake`` line: ``-Q intake``, so it
    consumes the deliveries' queue only, as in production), with ``concurrency`` prefork
    processes and ``hostname``. Without -Q a worker consumes every queue of CELERY_TASK_QUEUES
    (``celery`` and ``intake``), which this bench's worker did until 2026-12-08."""
    line = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("intake:"))
    words = shlex.split(line.partition(":")[2])
    if words[0] != "celery":
        raise SystemExit(f"Procfile's intake line does not start celery: {line}")
    command = [sys.executable, "-m", *words]
    for option, value in (("--concurrency", str(concurrency)), ("--hostname", hostname)):
        if option in command:
            command[command.index(option) + 1] = value
        else:
            command += [option, value]
    return command


@contextlib.contextmanager
def celery_worker(concurrency: int) -> Any:
    """The worker that processes deliveries (incidents.tasks), as production runs it (prefork)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    log = RESULTS / "incidents-worker.log"
    env = dict(os.environ, DJANGO_DEBUG="False")
    hostname = f"bench-incidents-{os.getpid()}@{socket.gethostname()}"
    command = intake_worker_command(concurrency, hostname)
    # A run stopped before its worker caught up leaves its tasks in the queue, and the next run's
    # worker would work through them first (a run once stored none of its own incidents so):
    # the queue of the broker this bench is given (REDIS_URL) starts empty.
    subprocess.run(
        [sys.executable, "-m", "celery", "-A", "config", "purge", "-f"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        # Ready when it answers (its children have imported Django): before, a fixed 8 s, which a
        # loaded machine outlasted, and the baseline's first deliveries waited for the worker.
        from config.celery import app

        deadline = time.monotonic() + 120
        while not app.control.ping(destination=[hostname], timeout=1.0):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the worker did not start: {log}")
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def duplicates_stored(tag: str) -> tuple[int, int]:
    """(incidents stored for the run, rows beyond one per external id)."""
    from django.db.models import Count
    from django_tenants.utils import tenant_context

    from incidents.models import Incident

    with tenant_context(department()):
        rows = Incident.objects.filter(external_id__startswith=f"B{tag}-")
        extra = sum(r["n"] - 1 for r in rows.values("external_id").annotate(n=Count("id")).filter(n__gt=1))
        return rows.count(), extra


def analyse(raw: dict[str, Any], tag: str, consoles: int) -> dict[str, Any]:
    """The latencies of one phase: per (incident, console), the baseline receiver's, the calls'."""
    ids = public_ids(tag)  # external id -> the incident's id (the consoles and the layer name it so)
    first_t0: dict[str, float] = {}
    for call in raw["calls"]:
        if call["external_id"] in ids:
            i = ids[call["external_id"]]
            first_t0[i] = min(call["t0"], first_t0.get(i, call["t0"]))
    sent = {c["external_id"] for c in raw["calls"]}
    console_ms = [
        (arrivals[i] - t0) * 1000 for arrivals in raw["consoles"] for i, t0 in first_t0.items() if i in arrivals
    ]
    stored, extra = duplicates_stored(tag)
    achieved = len(sent) / raw["producer"]["elapsed"] if raw["producer"]["elapsed"] else float("nan")
    return {
        "sent": len(sent),  # distinct external ids sent: each must become one incident on every console
        "first_t0": first_t0,
        "console_ms": console_ms,
        # An id sent whose incident never arrived (not stored by the end of the drain) is missing too.
        "expected": len(sent) * consoles,
        "layer_ms": [(raw["layer"][i] - t0) * 1000 for i, t0 in first_t0.items() if i in raw["layer"]],
        "call_ms": [(c["t1"] - c["t0"]) * 1000 for c in raw["calls"]],
        "calls": len(raw["calls"]),
        "outcomes": sorted({c["outcome"] for c in raw["calls"]}),
        "achieved": achieved,
        "stored": stored,
        "duplicates": extra,
        "close_codes": sorted({str(st["close_code"]) for st in raw["states"]}),
    }


def over_time(raw: dict[str, Any], first_t0: dict[str, float]) -> list[list[Any]]:
    """Per 2 s of the run: a path that keeps up stays flat; one that falls behind climbs."""
    if not first_t0:
        return []
    start_t0 = min(first_t0.values())
    buckets: dict[int, tuple[list[float], list[float]]] = {}
    for i, t0 in first_t0.items():
        bucket = buckets.setdefault(int((t0 - start_t0) // 2), ([], []))
        bucket[0].extend((arrivals[i] - t0) * 1000 for arrivals in raw["consoles"] if i in arrivals)
        if i in raw["layer"]:
            bucket[1].append((raw["layer"][i] - t0) * 1000)
    return [
        [f"{2 * b}-{2 * b + 2} s", percentile(c, 50), percentile(c, 99), percentile(layer, 50), percentile(layer, 99)]
        for b, (c, layer) in sorted(buckets.items())
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--consoles", type=int, default=20)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--baseline-rate", type=float, default=5.0, help="the same path at this rate first (0: none)")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--duplicates", type=int, default=5, help="every Nth incident is made twice at once (0: none)")
    parser.add_argument("--workers", type=int, default=4, help="the Celery worker's prefork processes (webhook)")
    parser.add_argument(
        "--server-processes",
        type=int,
        default=1,
        help="uvicorn processes",
    )
    parser.add_argument(
        "--via",
        choices=["service", "webhook"],
        default="webhook",
        help="post signed webhooks (a Celery worker processes them), or call incident_upsert directly",
    )
    parser.add_argument("--produce", metavar="TAG", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--json", help="where to write the results (default bench/results/incidents.json)")
    args = parser.parse_args()
    if args.produce:
        produce(args)
        return

    django_setup()
    load_before = os.getloadavg()
    dept = department()
    keys = officer_sessions(dept, args.consoles)
    run = uuid.uuid4().hex[:6]
    rates = ([args.baseline_rate] if args.baseline_rate else []) + [args.rate]
    phases: list[tuple[float, str, dict[str, Any]]] = []
    with contextlib.ExitStack() as stack:
        if args.via == "webhook":
            webhook_integration(dept, run)
            stack.enter_context(celery_worker(args.workers))
        port, process = stack.enter_context(server(args.server_processes))
        server_cpu = cpu_seconds(process.pid)
        own_cpu = sum(os.times()[:2])
        started = time.monotonic()
        for n, rate in enumerate(rates):
            tag = f"{run}{n}"
            phase_args = argparse.Namespace(**{**vars(args), "rate": rate})
            phases.append((rate, tag, asyncio.run(measure(port, keys, phase_args, tag))))
        wall = time.monotonic() - started
        server_cpu = cpu_seconds(process.pid) - server_cpu
        own_cpu = sum(os.times()[:2]) - own_cpu
    load_after = os.getloadavg()

    def row(name: str, ms: list[float], expected_n: int) -> list[Any]:
        return [
            name,
            len(ms),
            expected_n - len(ms),
            percentile(ms, 50),
            percentile(ms, 99),
            max(ms, default=float("nan")),
        ]

    rows: list[list[Any]] = []
    results: list[dict[str, Any]] = []
    call = "POST (202)" if args.via == "webhook" else "incident_upsert call"
    for rate, tag, raw in phases:
        a = analyse(raw, tag, args.consoles)
        label = f"{rate:g}/s" + (" (baseline)" if rate != args.rate else "")
        rows += [
            row(f"{label}: {args.consoles} consoles (WebSocket)", a["console_ms"], a["expected"]),
            row(f"{label}: channel layer only", a["layer_ms"], a["sent"]),
            row(f"{label}: producer {call}", a["call_ms"], a["calls"]),
        ]
        results.append({"rate": rate, "tag": tag, "over_time": over_time(raw, a["first_t0"]), **a})
    print()
    print(table(["path", "n", "missing", "p50 ms", "p99 ms", "max ms"], rows))
    print()
    for r in results:
        print(
            f"{r['rate']:g}/s: {r['sent']} distinct ids ({r['calls']} calls, {r['achieved']:.1f}/s achieved); "
            f"stored {r['stored']}, duplicates {r['duplicates']}; call outcomes {r['outcomes']}; "
            f"consoles' close codes {r['close_codes']}"
        )
    print()
    print(table(["made at", "consoles p50", "consoles p99", "layer p50", "layer p99"], results[-1]["over_time"]))
    target = results[-1]
    p99 = percentile(target["console_ms"], 99)
    complete = len(target["console_ms"]) == target["expected"] and target["duplicates"] == 0
    met = p99 <= TARGET_P99_MS and complete and target["achieved"] >= 0.95 * args.rate
    print(
        f"target (p99 <= {TARGET_P99_MS:.0f} ms at {args.rate:g}/s, nothing missing, no duplicates): "
        f"{'met' if met else 'NOT met'} (p99 {p99:.1f} ms, {target['expected'] - len(target['console_ms'])} missing, "
        f"{target['duplicates']} duplicates, {target['achieved']:.1f}/s achieved)"
    )
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f}")
    print(
        f"CPU over {wall:.0f} s: server {server_cpu:.1f} s ({100 * server_cpu / wall:.0f}% of a core), "
        f"this client {own_cpu:.1f} s ({100 * own_cpu / wall:.0f}%)"
    )
    path = write_json(
        args.json,
        "incidents",
        {
            "environment": environment(),
            "args": {k: v for k, v in vars(args).items() if k != "produce"},
            "via": args.via,
            "load_before": load_before,
            "load_after": load_after,
            "cpu_seconds": {"wall": wall, "server": server_cpu, "client": own_cpu},
            "rows": [dict(zip(["path", "n", "missing", "p50_ms", "p99_ms", "max_ms"], r, strict=True)) for r in rows],
            "phases": [
                {k: v for k, v in r.items() if k not in ("first_t0", "console_ms", "layer_ms", "call_ms")}
                for r in results
            ],
            "target_p99_ms": TARGET_P99_MS,
            "target_met": met,
        },
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
