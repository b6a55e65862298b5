"""Rate limits under a flood: does one client hammering the search API slow another officer?

    python bench/ratelimit.py [--seconds 15] [--flooders 4] [--pace 0.1] [--json PATH]

One uvicorn process (``config.asgi``, ``config.settings.local``, DEBUG off), started by this
script as bench/http_pool.py starts it, in the bench department. Two officers, each with TOTP,
an API token and a stated purpose: the *victim* searches one request at a time every ``--pace``
seconds (its latency is the figure; one connection), the *flooder* sends searches as fast as ``--flooders``
keep-alive connections allow. A search is ``GET /api/v1/cameras/search/`` around an empty
corner (100 m, no cameras), so each allowed one costs the token check, the gate and its audit
insert, and nothing of the selector's rows.

The victim's searches rotate over ``--victims`` officers, so that none of them reaches the limit
(the same limit applies to every officer); fresh ones in each phase.

Phases:

* ``alone``: the victim alone (limits on): the baseline;
* ``flood, limited``: victim and flooder, with ``PORCHLIGHT_RATE_LIMIT_SEARCH`` at
  ``--limit`` (the flooder gets 429 after its allowance);
* ``flood, unlimited``: the same with the limit switched off (server restarted with an empty
  ``PORCHLIGHT_RATE_LIMIT_SEARCH``): every flooding search is served, gate and audit included.

Printed per phase: the victim's p50/p99 and errors, and the flooder's answers per second by
status; then what one allowed and one refused search cost in this process (Django's test
client through the whole middleware stack). Load averages are printed and stored with the JSON.
"""

import argparse
import asyncio
import os
import sys
import time
import urllib.parse
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import BENCH_DOMAIN, bench_department, django_setup, environment, summary_ms, table, write_json
from http_pool import Server, _read_response, free_port, static_files_ensure

django_setup()

from django_tenants.utils import tenant_context  # noqa: E402

from cameras import access  # noqa: E402

# An empty corner of nowhere: the search finds no camera, so its cost is the request's own.
AREA = {"lat": "10.0", "lon": "10.0", "radius_m": "100", "mode": "pin"}
SEARCH_PATH = "/api/v1/cameras/search/"


def officer_prepare(tag: str) -> tuple[str, str]:
    """A new officer (TOTP), an API token and a purpose: (raw token, purpose id)."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from accounts.models import Role, User
    from accounts.services import api_token_issue

    user = User.objects.create_user(
        email=f"bench-rl-{tag}-{uuid.uuid4().hex[:8]}@bench.example.org",
        password=None,
        full_name=f"Bench {tag}",
        role=Role.OFFICER,
        badge_number="B-2",
    )
    TOTP.activate(user, generate_totp_secret())
    raw = api_token_issue(user=user, name="bench").raw
    actor = access.Actor(user=user, mfa=True, session_hash="b" * 64, ip="127.0.0.1", user_agent="bench")
    purpose = access.purpose_declare(actor=actor, case_number="BENCH-RL", category="property_crime", text="Flood")
    return raw, str(purpose.public_id)


def _request(port: int, token: str, purpose: str) -> bytes:
    query = urllib.parse.urlencode({**AREA, "purpose": purpose})
    return (
        f"GET {SEARCH_PATH}?{query} HTTP/1.1\r\nHost: {BENCH_DOMAIN}:{port}\r\nAuthorization: Token {token}\r\n\r\n"
    ).encode()


async def _victim(
    port: int, officers: list[tuple[str, str]], pace: float, deadline: float, out: dict[str, Any]
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    requests = [_request(port, token, purpose) for token, purpose in officers]
    turn = 0
    while time.monotonic() < deadline:
        request = requests[turn % len(requests)]
        turn += 1
        started = time.perf_counter_ns()
        writer.write(request)
        status, body, _ = await asyncio.wait_for(_read_response(reader), timeout=60)
        elapsed = time.perf_counter_ns() - started
        if status == 200:
            out["latencies"].append(elapsed)
        else:
            out["errors"].append(f"{status} {body[:100]!r}")
        await asyncio.sleep(max(0.0, pace - elapsed / 1e9))
    writer.close()


async def _flooder(
    port: int, token: str, purpose: str, deadline: float, statuses: dict[int, int], odd: list[str]
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = _request(port, token, purpose)
    while time.monotonic() < deadline:
        writer.write(request)
        status, body, close = await asyncio.wait_for(_read_response(reader), timeout=60)
        statuses[status] = statuses.get(status, 0) + 1
        if status not in (200, 429) and len(odd) < 3:
            odd.append(f"{status} {body[:200]!r}")
        if close:
            writer.close()
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.close()


def run_phase(
    *, name: str, port: int, seconds: float, pace: float, victims: int, flooders: int, flooder: tuple[str, str] | None
) -> dict[str, Any]:
    with tenant_context(bench_department()):
        officers = [officer_prepare("victim") for _ in range(victims)]
    out: dict[str, Any] = {"latencies": [], "errors": []}
    statuses: dict[int, int] = {}
    odd: list[str] = []

    async def main() -> None:
        deadline = time.monotonic() + seconds
        tasks = [_victim(port, officers, pace, deadline, out)]
        if flooder is not None:
            tasks += [_flooder(port, *flooder, deadline, statuses, odd) for _ in range(flooders)]
        await asyncio.gather(*tasks)

    asyncio.run(main())
    stats = summary_ms(out["latencies"])
    return {
        "phase": name,
        "victim": stats,
        "victim_errors": len(out["errors"]),
        "victim_error_sample": out["errors"][:3],
        "flood_per_s": {str(k): round(v / seconds, 1) for k, v in sorted(statuses.items())},
        "flood_other_answers": odd,
    }


def in_process_costs(repeat: int) -> dict[str, dict[str, float]]:
    """What one allowed and one refused search cost a server, measured in this process through
    the whole middleware stack (Django's test client): why a refused flood still takes CPU."""
    from django.conf import settings
    from django.test import Client, override_settings

    with tenant_context(bench_department()):
        token, purpose = officer_prepare("cost")
    query = {**AREA, "purpose": purpose}
    client = Client(HTTP_HOST=BENCH_DOMAIN, HTTP_AUTHORIZATION=f"Token {token}")
    out = {}
    for name, rates, status in [("allowed", "", 200), ("refused", "1/h/token", 429)]:
        with override_settings(PORCHLIGHT_RATE_LIMITS={**settings.PORCHLIGHT_RATE_LIMITS, "search": rates}):
            client.get(SEARCH_PATH, query)  # warm up (and, refused, use the one allowed)
            samples = []
            for _ in range(repeat):
                started = time.perf_counter_ns()
                response = client.get(SEARCH_PATH, query)
                samples.append(time.perf_counter_ns() - started)
                assert response.status_code == status, response.content[:200]
        out[name] = summary_ms(samples)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--flooders", type=int, default=4, help="the flooder's concurrent connections")
    parser.add_argument("--pace", type=float, default=0.1, help="seconds between the victim's searches")
    parser.add_argument("--victims", type=int, default=10, help="officers the victim's searches rotate over")
    parser.add_argument("--limit", default="30/m/token,60/m/user", help="PORCHLIGHT_RATE_LIMIT_SEARCH when limited")
    parser.add_argument("--repeat", type=int, default=200, help="in-process searches per kind (allowed, refused)")
    parser.add_argument("--json")
    args = parser.parse_args()

    static_files_ensure()
    with tenant_context(bench_department()):
        flooder = officer_prepare("flooder")
    results = Path(__file__).resolve().parent / "results"
    results.mkdir(parents=True, exist_ok=True)
    print(f"load before: {os.getloadavg()}", flush=True)
    phases = []
    for number, (name, limit, flooding) in enumerate(
        [
            ("alone", args.limit, False),
            ("flood, limited", args.limit, True),
            ("flood, unlimited", "", True),
        ]
    ):
        os.environ["PORCHLIGHT_RATE_LIMIT_SEARCH"] = limit
        port = free_port()
        log = results / f"ratelimit-server-{number}.log"
        server = Server(port=port, app_name="bench-ratelimit", pool_size=8, max_lifetime=60, log=log)
        try:
            print(f"{name} ...", flush=True)
            phases.append(
                run_phase(
                    name=name,
                    port=port,
                    seconds=args.seconds,
                    pace=args.pace,
                    victims=args.victims,
                    flooders=args.flooders,
                    flooder=flooder if flooding else None,
                )
            )
        finally:
            server.stop()
    costs = in_process_costs(args.repeat)
    load_after = os.getloadavg()
    base = phases[0]["victim"]["p50_ms"]
    rows = [
        [
            p["phase"],
            p["victim"]["n"],
            p["victim"]["p50_ms"],
            p["victim"]["p99_ms"],
            p["victim"]["p50_ms"] / base if base else float("nan"),
            p["victim_errors"],
            ", ".join(f"{k}: {v}/s" for k, v in p["flood_per_s"].items()) or "-",
        ]
        for p in phases
    ]
    print()
    print(
        f"victim: one search every {args.pace:g} s over {args.victims} officers; "
        f"flooder: {args.flooders} connections; limit {args.limit!r}"
    )
    print(table(["phase", "victim n", "p50 ms", "p99 ms", "p50 / alone", "victim errors", "flooder answers"], rows))
    print()
    print("one search in this process, whole middleware stack (Django's test client):")
    print(table(["search", "n", "p50 ms", "p99 ms"], [[k, v["n"], v["p50_ms"], v["p99_ms"]] for k, v in costs.items()]))
    for p in phases:
        if p["flood_other_answers"]:
            print(f"{p['phase']}: other answers {p['flood_other_answers']} (server log: bench/results/)")
    print(f"load after: {load_after}")
    write_json(
        args.json,
        "ratelimit",
        {
            "args": vars(args),
            "environment": environment(),
            "load_after": load_after,
            "phases": phases,
            "in_process": costs,
        },
    )


if __name__ == "__main__":
    main()
