"""HTTP benchmark: one ASGI server process and its database connection pool under 8 and 64 clients.

    python bench/http_pool.py [--clients 8,64] [--seconds 15] [--departments 100] [--pool-size 8]
                         [--max-lifetime 60] [--memory-seconds 90] [--no-pool] [--json PATH]

Starts the real server (uvicorn, ``config.asgi``, ``config.settings.local`` with DEBUG off) as
one process, with the pool given by ``--pool-size`` / ``--max-lifetime`` (the
``DJANGO_DB_POOL_*`` variables; ``--no-pool`` sets ``DJANGO_DB_POOL_MAX_SIZE=0``, the persistent
per-thread connections Porchlight had before). Its connections carry an application name of
their own (libpq's ``PGAPPNAME``), so ``pg_stat_activity`` tells exactly which are the server's.

Data: ``--departments`` departments (schemas ``benchhttp001`` …, hosts
``benchhttp001.localhost`` …), created through ``accounts.onboarding.department_create`` when
missing (~1.5-4 s each, once), each with one resident and a fresh session per run.

For each client count, two phases of ``--seconds`` each, every client on its own keep-alive
HTTP/1.1 connection, each request to the next department in turn (so requests rotate over all
of them):

* ``static``: ``GET /static/css/porchlight.css`` (WhiteNoise; the tenant middleware still
  looks the host up in the database first): the baseline of the same server;
* ``api``: ``GET /api/v1/me/`` with the department's session: session, user and tenant from
  the database. A response counts as an error unless it is 200 *and* names that department's
  own resident (a search_path carried over from another department would not).

Reported per phase: requests/s, p50/p99 latency, errors, and the most connections the server
held (sampled every 100 ms). Then a memory phase: 8 clients on ``api`` for
``--memory-seconds``, sampling every 5 s the server's backends (count, oldest age, and their
private memory, Private_Dirty from /proc/<pid>/smaps_rollup: relation and catalog caches live
there; shared buffers do not), to show whether memory stays flat while requests rotate over
all departments. Load averages are printed and stored. Needs PostgreSQL on this machine (for
/proc) and privileges to read its processes' smaps (root, or the postgres user).
"""

import argparse
import asyncio
import contextlib
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _common import ROOT, django_setup, environment, percentile, table, write_json

SCHEMA_PREFIX = "benchhttp"
STATIC_PATH = "/static/css/porchlight.css"
API_PATH = "/api/v1/me/"
PASSWORD = "bench-http-password"  # noqa: S105 (a throwaway login of the bench departments)


@dataclass
class Department:
    schema: str
    host: str
    email: str
    session_key: str


@dataclass
class PhaseResult:
    name: str
    clients: int
    seconds: float
    latencies_ns: list[int] = field(default_factory=list)
    errors: int = 0
    first_errors: list[str] = field(default_factory=list)
    max_connections: int = 0

    def error(self, what: str) -> None:
        self.errors += 1
        if len(self.first_errors) < 5:
            self.first_errors.append(what)

    def row(self) -> dict[str, Any]:
        ms = [n / 1e6 for n in self.latencies_ns]
        return {
            "phase": self.name,
            "clients": self.clients,
            "requests": len(ms),
            "req_per_s": round(len(ms) / self.seconds, 1),
            "p50_ms": round(percentile(ms, 50), 2),
            "p99_ms": round(percentile(ms, 99), 2),
            "errors": self.errors,
            "max_connections": self.max_connections,
            "first_errors": self.first_errors,
        }


def departments_prepare(count: int, prefix: str = SCHEMA_PREFIX) -> list[Department]:
    """The bench departments with one resident each, and a new session per resident."""
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection
    from django_tenants.utils import tenant_context

    from accounts.models import Role, User
    from accounts.onboarding import department_create
    from tenants.models import Department as DepartmentModel
    from tenants.services import public_tenant_ensure

    public_tenant_ensure()
    out = []
    for number in range(1, count + 1):
        schema = f"{prefix}{number:03d}"
        host = f"{schema}.localhost"
        department = DepartmentModel.objects.filter(schema_name=schema).first()
        if department is None:
            started = time.monotonic()
            department = department_create(
                name=f"Bench HTTP {number:03d}",
                schema_name=schema,
                domain=host,
                admin_email=f"bench-admin@{schema}.example.org",
            ).department
            print(f"created department {schema} in {time.monotonic() - started:.1f} s", flush=True)
        with tenant_context(department):
            email = f"resident@{schema}.example.org"
            user = User.objects.filter(email=email).first() or User.objects.create_user(
                email, PASSWORD, role=Role.RESIDENT, full_name=f"Bench resident {number:03d}"
            )
            session = SessionStore()
            session["_auth_user_id"] = str(user.pk)
            session["_auth_user_backend"] = settings.AUTHENTICATION_BACKENDS[0]
            session["_auth_user_hash"] = user.get_session_auth_hash()
            session.create()
            out.append(Department(schema, host, email, session.session_key or ""))
    connection.close()
    return out


def static_files_ensure() -> None:
    """WhiteNoise serves STATIC_ROOT with DEBUG off: collect it first, as `make static` does."""
    from django.conf import settings
    from django.core.management import call_command

    if not (Path(settings.STATIC_ROOT) / STATIC_PATH.removeprefix("/static/")).exists():
        print("collecting static files (make static) ...", flush=True)
        call_command("collectstatic", "--noinput", verbosity=0)


def database_url() -> str:
    from django.db import connection

    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Server:
    """One uvicorn process with the pool settings given; its connections are named ``app_name``."""

    def __init__(self, *, port: int, app_name: str, pool_size: int, max_lifetime: float, log: Path) -> None:
        env = dict(
            os.environ,
            DJANGO_SETTINGS_MODULE="config.settings.local",
            DJANGO_DEBUG="False",
            DJANGO_LOG_LEVEL="WARNING",
            DJANGO_DB_POOL_MAX_SIZE=str(pool_size),
            DJANGO_DB_POOL_MAX_LIFETIME=str(max_lifetime),
            PGAPPNAME=app_name,
        )
        self.port = port
        self.log = log.open("wb")
        command = [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1"]
        self.process = subprocess.Popen(  # noqa: S603 (our own server)
            [*command, "--port", str(port), "--no-access-log", "--log-level", "warning"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/__ping__", timeout=2)
            except urllib.error.HTTPError:
                return  # any HTTP answer means it is serving
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise SystemExit(f"uvicorn did not start; see {log}") from None
                time.sleep(0.3)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


class Sampler:
    """Polls pg_stat_activity for the server's backends every ``interval`` seconds on its own thread."""

    def __init__(self, url: str, app_name: str, interval: float = 0.1) -> None:
        import psycopg

        self.conn = psycopg.connect(url, autocommit=True, application_name="porchlight-bench-sampler")
        self.app_name = app_name
        self.interval = interval
        self.highest = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def backends(self) -> list[tuple[int, float]]:
        """(pid, age in seconds) of each of the server's backends."""
        rows = self.conn.execute(
            "SELECT pid, extract(epoch FROM now() - backend_start) FROM pg_stat_activity WHERE application_name = %s",
            [self.app_name],
        ).fetchall()
        return [(int(pid), float(age)) for pid, age in rows]

    def _run(self) -> None:
        while not self._stop.is_set():
            self.highest = max(self.highest, len(self.backends()))
            time.sleep(self.interval)

    def __enter__(self) -> "Sampler":
        self.highest = 0
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()

    def close(self) -> None:
        self.conn.close()


def private_dirty_kb(pid: int) -> int | None:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return None  # ended meanwhile (recycled), or not on this machine
    for line in text.splitlines():
        if line.startswith("Private_Dirty:"):
            return int(line.split()[1])
    return None


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("the server closed the connection")
    status = int(status_line.split()[1])
    length = 0
    chunked = False
    close = False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        name = name.strip().lower()
        value = value.strip()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
        elif name == "connection" and value.lower() == "close":
            close = True
    if not chunked:
        return status, await reader.readexactly(length), close
    body = b""
    while True:
        size = int((await reader.readline()).split(b";")[0], 16)
        if size == 0:
            await reader.readline()
            return status, body, close
        body += await reader.readexactly(size)
        await reader.readline()


async def _client(
    *, number: int, port: int, departments: list[Department], path: str, deadline: float, result: PhaseResult
) -> None:
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    turn = number
    while time.monotonic() < deadline:
        department = departments[turn % len(departments)]
        turn += 1
        cookie = f"Cookie: sessionid={department.session_key}\r\n" if path == API_PATH else ""
        request = f"GET {path} HTTP/1.1\r\nHost: {department.host}:{port}\r\n{cookie}\r\n".encode()
        started = time.perf_counter_ns()
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            assert reader is not None
            writer.write(request)
            status, body, close = await asyncio.wait_for(_read_response(reader), timeout=60)
        except (TimeoutError, OSError, ConnectionError, asyncio.IncompleteReadError, ValueError) as exc:
            result.error(f"{department.schema}: {exc!r}")
            if writer is not None:
                writer.close()
            reader = writer = None
            continue
        elapsed = time.perf_counter_ns() - started
        if status != 200:
            result.error(f"{department.schema}: HTTP {status} {body[:120]!r}")
        elif path == API_PATH and department.email.encode() not in body:
            result.error(f"{department.schema}: another department's answer {body[:120]!r}")
        else:
            result.latencies_ns.append(elapsed)
        if close:
            assert writer is not None
            writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


def run_phase(
    *, name: str, path: str, clients: int, seconds: float, port: int, departments: list[Department], sampler: Sampler
) -> PhaseResult:
    result = PhaseResult(name, clients, seconds)

    async def main() -> None:
        deadline = time.monotonic() + seconds
        await asyncio.gather(
            *(
                _client(number=n, port=port, departments=departments, path=path, deadline=deadline, result=result)
                for n in range(clients)
            )
        )

    with sampler:
        asyncio.run(main())
    result.max_connections = sampler.highest
    return result


def memory_phase(
    *, seconds: float, port: int, departments: list[Department], sampler: Sampler, every: float = 5.0
) -> list[dict[str, Any]]:
    """8 clients on the API for ``seconds``, the server's backends sampled every ``every`` seconds."""
    timeline: list[dict[str, Any]] = []
    stop = threading.Event()
    started = time.monotonic()

    def sample() -> None:
        while not stop.wait(every):
            backends = sampler.backends()
            memory = [kb for pid, _ in backends if (kb := private_dirty_kb(pid)) is not None]
            timeline.append(
                {
                    "t_s": round(time.monotonic() - started),
                    "backends": len(backends),
                    "oldest_s": round(max((age for _, age in backends), default=0.0)),
                    "private_mb_max": round(max(memory, default=0) / 1024, 1),
                    "private_mb_sum": round(sum(memory) / 1024, 1),
                }
            )

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    result = run_phase(
        name="api (memory)",
        path=API_PATH,
        clients=8,
        seconds=seconds,
        port=port,
        departments=departments,
        sampler=sampler,
    )
    stop.set()
    thread.join()
    return [{"phase_result": result.row()}, *timeline]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", default="8,64")
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--departments", type=int, default=100)
    parser.add_argument("--pool-size", type=int, default=8)
    parser.add_argument("--max-lifetime", type=float, default=60.0)
    parser.add_argument("--memory-seconds", type=float, default=90.0, help="0 skips the memory phase")
    parser.add_argument("--no-pool", action="store_true", help="persistent per-thread connections instead")
    parser.add_argument("--json", default=None)
    parser.add_argument(
        "--prefix", default=SCHEMA_PREFIX, help="schema prefix of the departments (benchonb: bench/onboarding.py's)"
    )
    args = parser.parse_args()

    django_setup()
    load_before = os.getloadavg()
    departments = departments_prepare(args.departments, args.prefix)
    static_files_ensure()
    url = database_url()
    env_info = environment()
    pool_size = 0 if args.no_pool else args.pool_size
    port = free_port()
    app_name = f"porchlight-bench-http-{port}"
    log = ROOT / "bench" / "results" / "http-server.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    print(
        f"server: 1 uvicorn process, pool {pool_size or 'off'} (max_lifetime {args.max_lifetime:g} s), "
        f"{len(departments)} departments; load average {load_before[0]:.2f}",
        flush=True,
    )

    server = Server(port=port, app_name=app_name, pool_size=pool_size, max_lifetime=args.max_lifetime, log=log)
    sampler = Sampler(url, app_name)
    rows: list[dict[str, Any]] = []
    timeline: list[dict[str, Any]] = []
    try:
        # Warm-up: imports, templates, the pool's first connections.
        run_phase(
            name="warm-up", path=API_PATH, clients=4, seconds=3, port=port, departments=departments, sampler=sampler
        )
        for clients in [int(c) for c in args.clients.split(",")]:
            for name, path in (("static", STATIC_PATH), ("api", API_PATH)):
                row = run_phase(
                    name=name,
                    path=path,
                    clients=clients,
                    seconds=args.seconds,
                    port=port,
                    departments=departments,
                    sampler=sampler,
                ).row()
                rows.append(row)
                print(
                    f"{name:6} {clients:3} clients: {row['req_per_s']:7.1f} req/s, p50 {row['p50_ms']} ms, "
                    f"p99 {row['p99_ms']} ms, {row['errors']} errors, {row['max_connections']} connections",
                    flush=True,
                )
        if args.memory_seconds > 0:
            memory = memory_phase(seconds=args.memory_seconds, port=port, departments=departments, sampler=sampler)
            rows.append(memory[0]["phase_result"])
            timeline = memory[1:]
        idle_connections = len(sampler.backends())
    finally:
        sampler.close()
        server.stop()
    load_after = os.getloadavg()

    print()
    print(
        table(
            ["phase", "clients", "requests", "req/s", "p50 ms", "p99 ms", "errors", "max conns"],
            [
                [
                    r["phase"],
                    r["clients"],
                    r["requests"],
                    r["req_per_s"],
                    r["p50_ms"],
                    r["p99_ms"],
                    r["errors"],
                    r["max_connections"],
                ]
                for r in rows
            ],
        )
    )
    if timeline:
        print()
        print("server backends while 8 clients rotate over the departments (private memory, MB):")
        print(
            table(
                ["t s", "backends", "oldest s", "max MB", "sum MB"],
                [[t["t_s"], t["backends"], t["oldest_s"], t["private_mb_max"], t["private_mb_sum"]] for t in timeline],
            )
        )
    for r in rows:
        for err in r["first_errors"]:
            print(f"  error ({r['phase']}, {r['clients']}): {err}")
    errors = sum(r["errors"] for r in rows)
    most = max(r["max_connections"] for r in rows)
    print()
    print(
        f"errors: {errors}; most server connections: {most} (pool size {pool_size or 'off'}); "
        f"connections after the run: {idle_connections}"
    )
    print(f"load average: before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min); {os.cpu_count()} CPUs")
    target = write_json(
        args.json,
        "http" + ("-no-pool" if args.no_pool else ""),
        {
            "args": vars(args),
            "environment": env_info,
            "load_average_before": load_before,
            "load_average_after": load_after,
            "phases": rows,
            "memory_timeline": timeline,
        },
    )
    print(f"wrote {target}")
    with contextlib.suppress(Exception):
        from django.db import connection

        connection.close()


if __name__ == "__main__":
    main()
