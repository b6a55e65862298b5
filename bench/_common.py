"""What the benchmarks share: Django set-up, the bench department, percentiles and tables.

Each benchmark is a script (``python bench/<name>.py``); this module puts the project on
``sys.path`` and configures Django before anything from the project is imported.
"""

import json
import os
import platform
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"

BENCH_SCHEMA = "bench"
BENCH_DOMAIN = "bench.localhost"
BENCH_ADMIN = "bench-admin@bench.example.org"


def django_setup() -> None:
    """Configure Django as the local settings do, but with DEBUG off (as in production):
    DEBUG keeps every query in memory and formats it, which would be timed too."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("DJANGO_DEBUG", "False")
    import django

    django.setup()


def bench_department() -> Any:
    """The bench department (schema ``bench``), created through the onboarding service if missing."""
    from accounts.onboarding import department_create
    from tenants.models import Department
    from tenants.services import public_tenant_ensure

    public_tenant_ensure()
    department = Department.objects.filter(schema_name=BENCH_SCHEMA).first()
    if department is None:
        print(f"creating department {BENCH_SCHEMA!r} ({BENCH_DOMAIN}) ...", flush=True)
        department = department_create(
            name="Bench", schema_name=BENCH_SCHEMA, domain=BENCH_DOMAIN, admin_email=BENCH_ADMIN
        ).department
    return department


def mfa_client(department: Any, *, email: str, role: str, full_name: str) -> Any:
    """A Django test client signed in as ``email`` (created with ``role`` in the bench department
    if missing), who has passed MFA (the session allauth would leave), for timing pages whole."""
    from allauth.mfa.totp.internal.auth import TOTP
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import Client

    from accounts.models import User

    user = User.objects.filter(email=email).first() or User.objects.create_user(
        email=email,
        password="bench-password-1",  # noqa: S106 (a bench account in the bench department)
        role=role,
        full_name=full_name,
    )
    if not user.authenticator_set.exists():  # type: ignore[attr-defined]
        TOTP.activate(user, "JBSWY3DPEHPK3PXP")
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = settings.AUTHENTICATION_BACKENDS[0]
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session["account_authentication_methods_user"] = str(user.pk)
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time()},
        {"method": "mfa", "at": time.time()},
    ]
    session.create()
    client = Client(HTTP_HOST=department.domains.first().domain)
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key or ""
    return client


def board_client(department: Any) -> Any:
    """A client signed in as the bench department's oversight board member, past MFA."""
    from accounts.models import Role

    return mfa_client(
        department, email="bench-oversight@bench.example.org", role=Role.OVERSIGHT, full_name="Bench Board"
    )


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation between closest ranks."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summary_ms(samples_ns: Sequence[int]) -> dict[str, float]:
    ms = [s / 1e6 for s in samples_ns]
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 3),
        "p99_ms": round(percentile(ms, 99), 3),
        "mean_ms": round(sum(ms) / len(ms), 3) if ms else float("nan"),
        "max_ms": round(max(ms), 3) if ms else float("nan"),
    }


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain-text table, numbers right-aligned."""
    cells = [[str(h) for h in headers], *[[_cell(v) for v in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    numeric = [all(_is_number(row[i]) for row in rows) if rows else False for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(w) if numeric[i] else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )

    out = [line(cells[0]), "  ".join("-" * w for w in widths)]
    out.extend(line(row) for row in cells[1:])
    return "\n".join(out)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        if value != value:  # NaN
            return "-"
        return f"{value:,.1f}" if abs(value) >= 100 else f"{value:.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def environment() -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version(), postgis_lib_version(), current_setting('shared_buffers')")
        pg, postgis, shared_buffers = cursor.fetchone()
    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "postgres": pg.split(" on ")[0],
        "postgis": postgis,
        "shared_buffers": shared_buffers,
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def write_json(path: str | None, name: str, payload: dict[str, Any]) -> Path:
    target = Path(path) if path else RESULTS / f"{name}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    return target
