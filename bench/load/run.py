"""Load test: the Locust mix (locustfile.py) against real server processes, bounded in time.

    python bench/load/run.py [--processes 1,2,4] [--users 40] [--seconds 60] [--spawn-rate 10]
                             [--base-url URL] [--soak-seconds 0] [--json PATH]

Needs the demo department (`make seed`) and its load users (`python bench/load/prepare.py`).
For each process count it starts ``uvicorn config.asgi:application --workers N`` (settings
``config.settings.local`` with DEBUG off, as bench/_common does) on a free port, runs Locust
headless with ``--users`` simulated people for ``--seconds``, and prints requests/s, failures and
p50/p95/p99 per page, and each server process's resident memory at the end. ``--base-url``
runs once against a server already running instead (e.g. the nginx setup of scripts/prod.sh:
``--base-url https://127.0.0.1:8443``).

``--soak-seconds S`` is the memory soak instead: one server process under the same mix for S
seconds, its resident memory sampled every 10 s; it prints the samples and the growth in each
third of the run, so a process whose memory keeps growing shows it (levelled off: the last third
grows by less than 2 % of the memory at the start of that third).

Locust runs in its own virtualenv (.local/locust-venv, from bench/load/requirements.txt), made on
first use.
"""

import argparse
import csv
import json
import os
import signal
import socket
import subprocess
import sys
import time
import venv
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
LOCUST_VENV = ROOT / ".local" / "locust-venv"


def locust_bin() -> Path:
    binary = LOCUST_VENV / "bin" / "locust"
    if not binary.exists():
        print(f"making {LOCUST_VENV} for Locust ...", flush=True)
        venv.create(LOCUST_VENV, with_pip=True)
        subprocess.run(  # noqa: S603 (pip of our own venv)
            [str(LOCUST_VENV / "bin" / "pip"), "install", "-q", "-r", str(HERE / "requirements.txt")], check=True
        )
    return binary


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_start(processes: int) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    # Every simulated person comes from 127.0.0.1, so the per-address sign-in limits
    # (docs/rate-limits.md, "Many people behind one address") are switched off here; the
    # per-account and per-token ones stay. Both: an empty LOGIN switches allauth's ``login``
    # off, but ``login_failed``'s 20/m/ip counts every sign-in while its password is checked,
    # and refused right passwords with 429 once 20 were in flight (the first runs' failures).
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DJANGO_DEBUG="False",
        PORCHLIGHT_RATE_LIMIT_LOGIN="",
        PORCHLIGHT_RATE_LIMIT_LOGIN_FAILED="5/15m/key",
    )
    log = open(ROOT / ".local" / f"load-server-{port}.log", "wb")  # noqa: SIM115 (kept for the server's life)
    process = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "uvicorn",
            "config.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(processes),
            "--ws",
            "websockets",
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if process.poll() is not None:
                sys.exit(f"the server exited ({process.returncode}); see {log.name}")
            time.sleep(0.5)
    time.sleep(1 + processes)  # every worker process up
    return process, port


def server_stop(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def server_pids(process: subprocess.Popen[bytes]) -> list[int]:
    """The processes that serve requests: uvicorn's workers, or the process itself alone."""
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    pids = [int(p) for p in children.read_text().split()] if children.exists() else []
    # uvicorn --workers N: the supervisor's children that run the app (not its resource tracker)
    workers = [p for p in pids if b"resource_tracker" not in Path(f"/proc/{p}/cmdline").read_bytes()]
    return workers or [process.pid]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def locust_run(base_url: str, *, users: int, spawn_rate: int, seconds: int, tag: str) -> dict[str, Any]:
    prefix = ROOT / ".local" / f"locust-{tag}"
    env = dict(os.environ, LOAD_USERS=os.environ.get("LOAD_USERS", str(ROOT / ".local" / "load-users.json")))
    subprocess.run(  # noqa: S603
        [
            str(locust_bin()),
            "-f",
            str(HERE / "locustfile.py"),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(spawn_rate),
            "--run-time",
            f"{seconds}s",
            "--host",
            base_url,
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
            "--stop-timeout",
            "5",
        ],
        cwd=ROOT,
        env=env,
        check=False,
        stdout=subprocess.DEVNULL,
    )
    rows = list(csv.DictReader(open(f"{prefix}_stats.csv")))  # noqa: SIM115
    failures = list(csv.DictReader(open(f"{prefix}_failures.csv")))  # noqa: SIM115
    pages = {
        row["Name"]: {
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "rps": float(row["Requests/s"]),
            "p50": float(row["50%"]),
            "p95": float(row["95%"]),
            "p99": float(row["99%"]),
        }
        for row in rows
    }
    return {"pages": pages, "failures": [(f["Name"], f["Error"], f["Occurrences"]) for f in failures]}


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def table(title: str, result: dict[str, Any]) -> None:
    print(f"\n{title}")
    print(f"{'page':28} {'requests':>9} {'fail':>5} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    for name, page in sorted(result["pages"].items(), key=lambda item: item[0] == "Aggregated"):
        print(
            f"{name:28} {page['requests']:9d} {page['failures']:5d} {page['rps']:7.1f} {page['p50']:7.0f} "
            f"{page['p95']:7.0f} {page['p99']:7.0f}"
        )
    for name, error, count in result["failures"][:8]:
        print(f"  failure x{count} {name}: {error[:100]}")


def soak(seconds: int, users: int, spawn_rate: int) -> dict[str, Any]:
    process, port = server_start(1)
    samples: list[tuple[float, float]] = []
    try:
        pid = server_pids(process)[0]
        locust = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                __file__,
                "--base-url",
                f"http://127.0.0.1:{port}",
                "--users",
                str(users),
                "--spawn-rate",
                str(spawn_rate),
                "--seconds",
                str(seconds),
                "--json",
                str(ROOT / ".local" / "soak.json"),
            ],
            cwd=ROOT,
        )
        start = time.monotonic()
        while locust.poll() is None:
            samples.append((time.monotonic() - start, rss_mb(pid)))
            time.sleep(10)
        samples.append((time.monotonic() - start, rss_mb(pid)))
    finally:
        server_stop(process)
    print(f"\nmemory soak: one server process (pid {pid}), {users} users, {seconds} s")
    print(f"{'t s':>6} {'RSS MB':>8}")
    for t, mb in samples:
        print(f"{t:6.0f} {mb:8.1f}")
    third = max(1, len(samples) // 3)
    parts = [samples[:third], samples[third : 2 * third], samples[2 * third :]]
    growth = [part[-1][1] - part[0][1] for part in parts if part]
    print("growth by third (MB): " + ", ".join(f"{g:+.1f}" for g in growth))
    levelled = growth[-1] < 0.02 * parts[-1][0][1]
    print("levelled off" if levelled else "still growing in the last third")
    return {"samples": samples, "growth": growth, "levelled": levelled}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--processes", default="1,2,4")
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--spawn-rate", type=int, default=10)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--base-url", default="")
    parser.add_argument("--soak-seconds", type=int, default=0)
    parser.add_argument("--json", default="")
    args = parser.parse_args()
    results: dict[str, Any] = {"load_before": load_average()}
    if args.soak_seconds:
        results["soak"] = soak(args.soak_seconds, args.users, args.spawn_rate)
    elif args.base_url:
        results["given"] = locust_run(
            args.base_url, users=args.users, spawn_rate=args.spawn_rate, seconds=args.seconds, tag="given"
        )
        table(f"{args.base_url}: {args.users} users, {args.seconds} s", results["given"])
    else:
        for count in [int(n) for n in args.processes.split(",")]:
            process, port = server_start(count)
            try:
                result = locust_run(
                    f"http://127.0.0.1:{port}",
                    users=args.users,
                    spawn_rate=args.spawn_rate,
                    seconds=args.seconds,
                    tag=f"p{count}",
                )
                result["rss_mb"] = [round(rss_mb(pid), 1) for pid in server_pids(process)]
            finally:
                server_stop(process)
            results[f"processes={count}"] = result
            title = f"{count} server process(es): {args.users} users, {args.seconds} s, RSS MB {result['rss_mb']}"
            table(title, result)
    results["load_after"] = load_average()
    print(f"\nload average before {results['load_before']}, after {results['load_after']}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
