"""End-to-end search benchmark: ``GET /api/v1/cameras/search/`` over HTTP with an API token,
against the search selector alone, in one run (issue 18, target 1).

    python bench/search_http.py [--cameras 1000000] [--radius 1000] [--mode pin] [--repeat 60]
                                [--seconds 20] [--clients 8] [--reload] [--json PATH]

Uses the bench department's registry as bench/search.py builds it (the same city, the same
search centres; it loads the registry if it does not hold ``--cameras`` cameras), an officer
of that department with a TOTP authenticator and a fresh API token, and one stated purpose.

Phases, on the same centres (1 km, pin by default):

* ``selector``: ``cameras.search_sql.cameras_in_area`` in this process, as the gate calls it:
  the baseline the target is stated against;
* ``gate``: ``cameras.access.camera_search`` in this process (the selector, the gate's judgement
  of every row, the audit event), for the breakdown;
* ``http 1``: one client, one request at a time, ``Accept-Encoding: gzip``: the officer's wait;
* ``http N``: ``--clients`` concurrent clients for ``--seconds``, each on its own keep-alive
  HTTP/1.1 connection: searches per second from one server process.

The server is one uvicorn process (``config.asgi``, ``config.settings.local``, DEBUG off),
started by this script as bench/http_pool.py starts it. A response counts only if it is 200
and holds a FeatureCollection with as many features as it says it returned; its size on the
wire (compressed or not) is reported. Load averages are printed and stored.
"""

import argparse
import asyncio
import datetime as dt
import gzip
import json
import random
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import BENCH_DOMAIN, bench_department, django_setup, environment, summary_ms, table, write_json
from http_pool import Server, free_port, static_files_ensure

django_setup()

import search as search_bench  # noqa: E402  (bench/search.py: the registry, its loader and centres)
from django.contrib.gis.geos import Point  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402

from cameras import access, search_sql  # noqa: E402

OFFICER = "bench-officer@bench.example.org"
SEARCH_PATH = "/api/v1/cameras/search/"


def officer_prepare() -> tuple[str, str]:
    """The bench officer (with TOTP), a fresh API token and a purpose: (raw token, purpose id)."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from accounts.models import Role, User
    from accounts.services import api_token_issue

    user, _ = User.objects.get_or_create(
        email=OFFICER, defaults={"full_name": "Bench Officer", "role": Role.OFFICER, "badge_number": "B-1"}
    )
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())
    raw = api_token_issue(user=user, name="bench").raw
    actor = access.Actor(user=user, mfa=True, session_hash="b" * 64, ip="127.0.0.1", user_agent="bench")
    purpose = access.purpose_declare(
        actor=actor, case_number="BENCH-1", category="property_crime", text="End-to-end search benchmark"
    )
    return raw, str(purpose.public_id)


def in_process(centres: list[Point], *, radius: float, mode: str, purpose_id: str, repeat: int) -> dict[str, Any]:
    """p50 of the selector and of the gate's search, interleaved on the same centres."""
    from accounts.models import User

    user = User.objects.get(email=OFFICER)
    actor = access.Actor(user=user, mfa=True, session_hash="b" * 64, ip="127.0.0.1", user_agent="bench")
    purpose = access.purpose_lookup(actor=actor, public_id=purpose_id)
    samples: dict[str, list[int]] = {"selector": [], "gate": []}
    returned = []
    for i in range(repeat + 1):
        area = search_sql.Area(center=centres[i % len(centres)], radius_m=radius)
        start = time.perf_counter_ns()
        rows, _total = search_bench.cameras_in_area_selector(area=area, mode=mode)
        selector_ns = time.perf_counter_ns() - start
        start = time.perf_counter_ns()
        result = access.camera_search(actor=actor, purpose=purpose, area=area, mode=mode)
        gate_ns = time.perf_counter_ns() - start
        assert result.decision.allowed, result.decision
        if i:  # the first is a warm-up
            samples["selector"].append(selector_ns)
            samples["gate"].append(gate_ns)
            returned.append(len(rows))
    return {name: summary_ms(values) for name, values in samples.items()} | {
        "returned_mean": sum(returned) / max(1, len(returned))
    }


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("the server closed the connection")
    status = int(status_line.split()[1])
    headers: dict[str, str] = {}
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    if "chunked" not in headers.get("transfer-encoding", "").lower():
        return status, headers, await reader.readexactly(int(headers.get("content-length", "0")))
    body = b""
    while True:
        size = int((await reader.readline()).split(b";")[0], 16)
        if size == 0:
            await reader.readline()
            return status, headers, body
        body += await reader.readexactly(size)
        await reader.readline()


class Phase:
    def __init__(self, name: str, clients: int) -> None:
        self.name, self.clients = name, clients
        self.latencies_ns: list[int] = []
        self.wire_bytes: list[int] = []
        self.json_bytes: list[int] = []
        self.encodings: set[str] = set()
        self.errors: list[str] = []
        self.seconds = 0.0


async def _client(
    phase: Phase, *, port: int, token: str, queries: list[str], start: int, deadline: float, count: int | None
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    turn = start
    done = 0
    while time.monotonic() < deadline and (count is None or done < count):
        query = queries[turn % len(queries)]
        turn += 1
        done += 1
        request = (
            f"GET {SEARCH_PATH}?{query} HTTP/1.1\r\nHost: {BENCH_DOMAIN}:{port}\r\n"
            f"Authorization: Token {token}\r\nAccept: application/json\r\nAccept-Encoding: gzip\r\n\r\n"
        ).encode()
        started = time.perf_counter_ns()
        writer.write(request)
        status, headers, body = await asyncio.wait_for(_read_response(reader), timeout=60)
        elapsed = time.perf_counter_ns() - started
        encoding = headers.get("content-encoding", "identity")
        text = gzip.decompress(body) if encoding == "gzip" else body
        if status != 200:
            phase.errors.append(f"HTTP {status} {text[:160]!r}")
            continue
        data = json.loads(text)
        if data.get("type") != "FeatureCollection" or len(data["features"]) != data["returned"]:
            phase.errors.append(f"not a whole FeatureCollection: {text[:160]!r}")
            continue
        phase.latencies_ns.append(elapsed)
        phase.wire_bytes.append(len(body))
        phase.json_bytes.append(len(text))
        phase.encodings.add(encoding)
    writer.close()


def http_phase(
    name: str, *, port: int, token: str, queries: list[str], clients: int, seconds: float, count: int | None = None
) -> Phase:
    phase = Phase(name, clients)

    async def main() -> None:
        deadline = time.monotonic() + seconds
        await asyncio.gather(
            *(
                _client(
                    phase,
                    port=port,
                    token=token,
                    queries=queries,
                    start=n * 7,
                    deadline=deadline,
                    count=count,
                )
                for n in range(clients)
            )
        )

    started = time.perf_counter()
    asyncio.run(main())
    phase.seconds = time.perf_counter() - started
    return phase


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cameras", type=int, default=1_000_000, help="cameras in the bench department")
    parser.add_argument("--radius", type=float, default=1_000, help="search radius in metres")
    parser.add_argument("--mode", default="pin", choices=["pin", "fov"])
    parser.add_argument("--repeat", type=int, default=60, help="searches for the in-process and 1-client phases")
    parser.add_argument("--seconds", type=float, default=20, help="length of the concurrent phase")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--reload", action="store_true", help="reload the registry even if it has N cameras")
    parser.add_argument("--label", default="", help="a name for this run (stored in the JSON)")
    parser.add_argument("--json", help="where to write the results (default bench/results/search-http-<N>.json)")
    args = parser.parse_args()

    department = bench_department()
    static_files_ensure()
    with tenant_context(department):
        loaded = search_bench._loaded_cameras()
        if args.reload or loaded != args.cameras:
            search_bench.load(args.cameras)
        else:
            print(f"bench department already holds {loaded:,} cameras (--reload to rebuild)")
        token, purpose_id = officer_prepare()
        clusters = search_bench._neighbourhoods(random.Random(search_bench.SEED))  # noqa: S311
        centres = search_bench._centres(random.Random(search_bench.SEED + 1), clusters, args.repeat)  # noqa: S311
    queries = [
        urllib.parse.urlencode(
            {
                "lat": f"{c.y:.6f}",
                "lon": f"{c.x:.6f}",
                "radius_m": args.radius,
                "mode": args.mode,
                "purpose": purpose_id,
            }
        )
        for c in centres
    ]
    load_before = search_bench._load_average()
    print(f"measuring (load average {load_before}) ...", flush=True)
    with tenant_context(department):
        local_before = in_process(
            centres, radius=args.radius, mode=args.mode, purpose_id=purpose_id, repeat=args.repeat
        )
    print(f"  selector p50 {local_before['selector']['p50_ms']:.1f} ms, gate p50 {local_before['gate']['p50_ms']:.1f}")
    port = free_port()
    log = Path(search_bench.__file__).resolve().parent / "results" / "search-http-server.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    server = Server(port=port, app_name="bench-search-http", pool_size=8, max_lifetime=60, log=log)
    try:
        http_phase("warm-up", port=port, token=token, queries=queries, clients=args.clients, seconds=3)
        one = http_phase("http 1", port=port, token=token, queries=queries, clients=1, seconds=600, count=args.repeat)
        print(f"  http 1 client p50 {summary_ms(one.latencies_ns)['p50_ms']:.1f} ms", flush=True)
        many = http_phase(
            f"http {args.clients}",
            port=port,
            token=token,
            queries=queries,
            clients=args.clients,
            seconds=args.seconds,
        )
        print(f"  http {args.clients} clients {len(many.latencies_ns) / many.seconds:.1f}/s", flush=True)
    finally:
        server.stop()
    with tenant_context(department):
        local_after = in_process(centres, radius=args.radius, mode=args.mode, purpose_id=purpose_id, repeat=args.repeat)
        env = environment()
    load_after = search_bench._load_average()
    # The baseline: the selector's p50 over both in-process phases (before and after HTTP).
    selector_p50 = round((local_before["selector"]["p50_ms"] + local_after["selector"]["p50_ms"]) / 2, 2)
    rows: list[list[Any]] = []
    results: list[dict[str, Any]] = []
    for label, local in (("before http", local_before), ("after http", local_after)):
        for name in ("selector", "gate"):
            s = local[name]
            rows.append([f"{name} ({label})", 1, s["n"], "", s["p50_ms"], s["p99_ms"], "", "", ""])
            results.append({"phase": f"{name} ({label})", **s})
    for phase in (one, many):
        s = summary_ms(phase.latencies_ns)
        rate = len(phase.latencies_ns) / phase.seconds if phase.seconds else 0.0
        wire = sum(phase.wire_bytes) / max(1, len(phase.wire_bytes)) / 1024
        raw = sum(phase.json_bytes) / max(1, len(phase.json_bytes)) / 1024
        rows.append(
            [
                phase.name,
                phase.clients,
                s["n"],
                round(rate, 1),
                s["p50_ms"],
                s["p99_ms"],
                round(wire, 1),
                round(raw, 1),
                len(phase.errors),
            ]
        )
        results.append(
            {
                "phase": phase.name,
                "clients": phase.clients,
                "per_s": round(rate, 1),
                "wire_kb": round(wire, 1),
                "json_kb": round(raw, 1),
                "encodings": sorted(phase.encodings),
                "errors": len(phase.errors),
                "first_errors": phase.errors[:5],
                **s,
            }
        )
    one_p50 = summary_ms(one.latencies_ns)["p50_ms"]
    many_rate = len(many.latencies_ns) / many.seconds
    print()
    print(
        f"End-to-end search, {args.cameras:,} cameras, {args.radius:,.0f} m {args.mode}, "
        f"page {search_sql.DEFAULT_LIMIT}; "
        f"load average {load_before} -> {load_after}"
    )
    print(table(["phase", "clients", "n", "per s", "p50 ms", "p99 ms", "wire KB", "JSON KB", "errors"], rows))
    ratio = one_p50 / selector_p50
    print(
        f"\nTargets: p50 end to end (1 client) {one_p50:.1f} ms = {ratio:.2f}x the selector's {selector_p50:.1f} ms "
        f"(<= 2x: {'met' if ratio <= 2 else 'NOT met'}); {many_rate:.1f} searches/s with {args.clients} clients "
        f"(>= 50: {'met' if many_rate >= 50 else 'NOT met'})"
    )
    for phase in (one, many):
        for error in phase.errors[:3]:
            print(f"  error ({phase.name}): {error}")
    payload = {
        "benchmark": "search_http",
        "label": args.label,
        "cameras": args.cameras,
        "radius_m": args.radius,
        "mode": args.mode,
        "page": search_sql.DEFAULT_LIMIT,
        "repeat": args.repeat,
        "seconds": args.seconds,
        "clients": args.clients,
        "load_average_before": load_before,
        "load_average_after": load_after,
        "when_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "environment": env,
        "results": results,
        "selector_p50_ms": selector_p50,
        "http_1_p50_ms": one_p50,
        "http_1_over_selector": round(ratio, 2),
        "http_many_per_s": round(many_rate, 1),
        "targets": {"p50_within_2x_selector": ratio <= 2, "at_least_50_per_s": many_rate >= 50},
    }
    path = write_json(args.json, f"search-http-{args.cameras}{('-' + args.label) if args.label else ''}", payload)
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
