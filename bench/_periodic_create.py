"""Create bench departments ``benchper001`` ... in parallel processes (used by bench/periodic.py).

``create_department`` costs ~3.5 s each here; a few processes side by side fill the 2 cores.
Each process runs the documented onboarding service, ``accounts.onboarding.department_create``.
"""

import multiprocessing
import sys

from _common import django_setup

PREFIX = "benchper"


def schema(i: int) -> str:
    return f"{PREFIX}{i:04d}"


def _create(i: int) -> str:
    import django.apps

    if not django.apps.apps.ready:
        django_setup()
    from django.db import connection

    from accounts.onboarding import department_create
    from tenants.models import Department

    if Department.objects.filter(schema_name=schema(i)).exists():
        return "kept"
    department_create(
        name=f"Bench periodic {i:04d}",
        schema_name=schema(i),
        domain=f"{schema(i)}.localhost",
        admin_email=f"admin@{schema(i)}.example.org",
    )
    connection.close()
    return "made"


def ensure(count: int, processes: int) -> None:
    django_setup()
    from tenants.services import public_tenant_ensure

    public_tenant_ensure()
    # spawn, not fork: a forked child would inherit the parent's set-up Django and its connection.
    with multiprocessing.get_context("spawn").Pool(processes, maxtasksperchild=50) as pool:
        for n, outcome in enumerate(pool.imap_unordered(_create, range(1, count + 1)), 1):
            if n % 25 == 0 or n == count:
                print(f"  departments {n}/{count} ({outcome})", flush=True)


if __name__ == "__main__":
    ensure(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 2)
