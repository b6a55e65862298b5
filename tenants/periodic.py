"""Periodic work proportional to work: a beat tick enters only the departments that have some.

The tenant-aware scheduler (tenant-schemas-celery) sends an entry without ``tenant_schemas`` to
every department: at 1,000 departments a one-minute entry is 1,000 tasks a minute, each paying
for a message, a tenant fetch, a ``search_path`` and its own queries (~27 ms of worker time)
before it finds it has nothing to do. An entry that registers a *work probe* here runs instead
as one task in the public schema, ``tenants.tasks.periodic_dispatch(task)``, which asks the
probe which departments have work and sends the department's task to those only.

A probe reads the truth, never a marker that a writer might have failed to set:

- ``sql_probe(condition)``: a boolean SQL condition over one department's tables (``{schema}``
  where the schema name goes), evaluated for every department in one statement per
  ``CHUNK`` departments (``SELECT 'a' WHERE <a's condition> UNION ALL SELECT 'b' WHERE ...``):
  a few indexed look-ups per department, one round trip per chunk;
- any other callable ``(schemas) -> schemas with work`` (e.g. one Redis pipeline).

A department is never skipped for a fault of the probe: a chunk whose statement fails (a
department whose schema is still being migrated) is asked department by department, and a
department whose own probe fails is sent its task, as before. A task without a probe is
sent to every department (and the fault logged).

The layers above register their probes when their tasks module is imported (the worker imports
every app's); this module knows none of them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from celery import current_app
from django.db import DatabaseError, connection, transaction
from django_tenants.utils import get_public_schema_name

__all__ = [
    "CHUNK",
    "departments_all",
    "departments_with_work",
    "sql_probe",
    "work_probe_register",
]

logger = logging.getLogger("porchlight.tenants")

Probe = Callable[[Sequence[str]], set[str]]

# Departments asked per statement: one statement for 1,000 departments plans ~1,000 sub-queries
# at once (slower to plan than 5 of 200, and one failing schema would send it department by
# department); 200 keeps a chunk's plan small and a tick at 1,000 departments to 5 round trips.
CHUNK = 200

_PROBES: dict[str, Probe] = {}


def work_probe_register(task_name: str, probe: Probe) -> None:
    """Run the periodic task ``task_name`` only in the departments for which ``probe`` says
    there is work (through ``tenants.tasks.periodic_dispatch``)."""
    _PROBES[task_name] = probe


def departments_all() -> list[str]:
    """Every department's schema (what the tenant-aware scheduler sends an entry to)."""
    from tenants.models import Department

    return list(
        Department.objects.exclude(schema_name=get_public_schema_name())
        .order_by("schema_name")
        .values_list("schema_name", flat=True)
    )


def departments_with_work(*, task_name: str, schemas: Sequence[str] | None = None) -> list[str]:
    """The departments (schemas, sorted) in which the periodic task ``task_name`` has work now."""
    schemas = departments_all() if schemas is None else list(schemas)
    probe = _PROBES.get(task_name)
    if probe is None:
        # The apps register their probes when their tasks modules are imported: a worker has
        # imported them all at start, another process (a shell) may not have yet. Not on every
        # call: it costs ~50 ms even when everything is imported.
        current_app.loader.import_default_modules()
        probe = _PROBES.get(task_name)
    if probe is None:
        logger.error("periodic task without a work probe: sent to every department", extra={"task": task_name})
        return sorted(schemas)
    return sorted(probe(schemas))


def sql_probe(condition: str) -> Probe:
    """A probe from a boolean SQL condition over one department's tables, written with
    ``{schema}.`` before each table (e.g. ``EXISTS (SELECT 1 FROM {schema}.live_livesession
    WHERE ended_at IS NULL)``), and ``{department}`` where the schema's name is wanted as a
    value (a parameter). Use conditions an index answers: it runs for every department."""

    def probe(schemas: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(schemas), CHUNK):
            found |= _ask(condition, list(schemas[start : start + CHUNK]))
        return found

    return probe


def _ask(condition: str, schemas: list[str]) -> set[str]:
    parts = [
        f"SELECT %s WHERE {condition.format(schema=connection.ops.quote_name(s), department='%s')}" for s in schemas
    ]
    params = [p for s in schemas for p in [s] * (1 + condition.count("{department}"))]
    try:
        # A savepoint, so that a failure inside a caller's transaction leaves it usable.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            return {row[0] for row in cursor.fetchall()}
    except DatabaseError:
        if len(schemas) > 1:
            found: set[str] = set()
            for schema in schemas:
                found |= _ask(condition, [schema])
            return found
        logger.exception("work probe failed: the department's task is sent", extra={"schema": schemas[0]})
        return set(schemas)
