"""Every page's time in-process at demo size (issue 18, target 7: p50 < 40 ms, < 12 queries).

    python bench/pages.py [--samples 25] [--only SUBSTRING] [--json PATH]

The pages are tests/e2e/test_accessibility.py's PAGES, reached as tests/test_page_queries.py
reaches them (its REACH; the pages it does not count are left out here too), each as the person
it is for, through Django's test client in this process (middleware, view, template: no
server, no network). The data: the demo (``seed_demo``, run first: idempotent; 300 cameras in
Rialto, 60 in Fontana) and, on top, the accessibility test's people and things (``_make_world``:
an owner with a site, two cameras, a message thread, footage requests and a clip, an ordinance,
staff of every role with MFA sessions...), made inside one transaction that is rolled back at the
end, so the demo is left as it was.

Each page is loaded once (per-process caches), then ``--samples`` times; its queries are
counted on the last load (``connection.execute_wrapper``: DEBUG stays off). The baseline, in
the same run: the platform's sign-in page, signed out (``/accounts/login/`` on ``localhost``: the
tenant lookup, the base template and a form; not /healthz, which waits up to 1 s for a Celery
worker's answer). Prints a table (p50, p99, queries, over 40 ms / over 11 queries) and writes
JSON (default bench/results/pages.json).
"""

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from io import StringIO
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, django_setup, environment, summary_ms, table, write_json

sys.path.insert(0, str(ROOT))
django_setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402

from tenants.models import Department  # noqa: E402
from tests.e2e.test_accessibility import Page, _make_world  # noqa: E402
from tests.tenancy import connection  # noqa: E402
from tests.test_page_queries import MAX_QUERIES, REACH, World, _counted  # noqa: E402
from tests.videos import make_video  # noqa: E402

TARGET_MS = 40.0


@contextmanager
def counting() -> Iterator[list[str]]:
    seen: list[str] = []

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield seen


def client_for(world: World, who: str, host: str) -> Client:
    client = Client(HTTP_HOST=host)
    if who in world.sessions:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[who]
    return client


def page_loader(page: Page, world: World) -> Callable[[], Any]:
    client = client_for(world, page.who, page.host)
    if page.path:
        path = page.path.format(**world.ids)
        return lambda: client.get(path)
    reach = REACH[page.id]
    return lambda: reach(client, world)  # type: ignore[arg-type]  # a Client: TenantClient adds only the schema's restore


def time_load(load: Callable[[], Any], samples: int) -> tuple[list[int], int, int]:
    """Samples (ns), the queries of the last load, its status."""
    load()
    times = []
    for _ in range(samples - 1):
        start = time.perf_counter_ns()
        load()
        times.append(time.perf_counter_ns() - start)
    with counting() as seen:
        start = time.perf_counter_ns()
        response = load()
        times.append(time.perf_counter_ns() - start)
    return times, len(seen), response.status_code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=25)
    parser.add_argument("--only", default="", help="only pages whose id contains this")
    parser.add_argument("--json", default=None)
    args = parser.parse_args()

    load_before = Path("/proc/loadavg").read_text().split()[:3]
    print(f"load average before: {' '.join(load_before)}", flush=True)
    print("seed_demo (idempotent) ...", flush=True)
    call_command("seed_demo", stdout=StringIO())
    video = Path(tempfile.mkdtemp(prefix="bench-pages-")) / "door.mp4"
    make_video(video, seconds=2, size="160x90", rate=10, extra=("-c:v", "libx264"))

    rows: list[list[Any]] = []
    results: list[dict[str, Any]] = []
    atomic = transaction.atomic()
    atomic.__enter__()
    try:
        print("the accessibility test's world (rolled back at the end) ...", flush=True)
        with tenant_context(Department.objects.get(schema_name="rialto")):
            world = _make_world(video)
        connection.set_schema_to_public()

        baseline_client = Client(HTTP_HOST="localhost")
        base_times, base_queries, base_status = time_load(lambda: baseline_client.get("/accounts/login/"), args.samples)
        base = summary_ms(base_times)
        rows.append(
            ["baseline: platform sign-in", "-", base_status, base["p50_ms"], base["p99_ms"], 1.0, base_queries, ""]
        )

        for page in _counted():
            if args.only and args.only not in page.id:
                continue
            times, queries, status = time_load(page_loader(page, world), args.samples)
            connection.set_schema_to_public()
            stats = summary_ms(times)
            over = []
            if stats["p50_ms"] >= TARGET_MS:
                over.append("time")
            if queries > MAX_QUERIES:
                over.append("queries")
            rows.append(
                [
                    page.id,
                    page.who,
                    status,
                    stats["p50_ms"],
                    stats["p99_ms"],
                    round(stats["p50_ms"] / base["p50_ms"], 1),
                    queries,
                    ",".join(over),
                ]
            )
            results.append({"page": page.id, "who": page.who, "status": status, "queries": queries, **stats})
            print(f"  {page.id:<48} {stats['p50_ms']:8.2f} ms  {queries:3d} queries", flush=True)
    finally:
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)
        connection.set_schema_to_public()

    load_after = Path("/proc/loadavg").read_text().split()[:3]
    print()
    print(table(["page", "who", "status", "p50 ms", "p99 ms", "x base", "queries", "over"], rows))
    slow = [r["page"] for r in results if r["p50_ms"] >= TARGET_MS]
    many = [r["page"] for r in results if r["queries"] > MAX_QUERIES]
    print()
    print(f"pages: {len(results)}; p50 >= {TARGET_MS:.0f} ms: {len(slow)}; > {MAX_QUERIES} queries: {len(many)}")
    print(f"over {TARGET_MS:.0f} ms: {', '.join(slow) or 'none'}")
    print(f"load average before: {' '.join(load_before)}, after: {' '.join(load_after)}")
    target = write_json(
        args.json,
        "pages",
        {
            "environment": environment(),
            "load_before": load_before,
            "load_after": load_after,
            "samples": args.samples,
            "baseline": {"page": "localhost /accounts/login/", "queries": base_queries, **base},
            "pages": results,
            "over_time": slow,
            "over_queries": many,
        },
    )
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
