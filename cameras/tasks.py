"""Periodic work on the registry, per department (the tenant-aware beat runs it in each)."""

from celery import shared_task

from audit.rollups import AREA_ROLLUPS_BEHIND
from tenants.models import Department, DepartmentPolicy
from tenants.periodic import sql_probe, work_probe_register

from . import suspensions
from .anomalies import EXIGENT_MARK, MARK, WEEK_MARK, anomalies_catch_up
from .area_rollups import area_rollups_catch_up
from .department import camera_import_run

# The owner's access digest tasks live beside the notices they send (cameras/digest.py);
# importing them here registers them with the worker, which loads every app's tasks module.
from .digest import access_digest_send, access_notice_send
from .models import Suspension

__all__ = [
    "access_digest_send",
    "access_notice_send",
    "anomalies_catch_up_task",
    "area_rollups_catch_up_task",
    "camera_import_run_task",
    "suspensions_expire",
]


@shared_task(name="cameras.tasks.suspensions_expire")
def suspensions_expire() -> int:
    """Resume the timed pauses whose end has come (suspensions.suspensions_expire)."""
    return suspensions.suspensions_expire()


@shared_task(name="cameras.tasks.area_rollups_catch_up")
def area_rollups_catch_up_task() -> int:
    """The oversight figures by police area, caught up with the log (cameras.area_rollups)."""
    return area_rollups_catch_up()


@shared_task(name="cameras.tasks.anomalies_catch_up")
def anomalies_catch_up_task() -> int:
    """The oversight board's anomaly queue, caught up with the log (cameras.anomalies)."""
    return anomalies_catch_up()


# acks_late (the project's default) with a job that is running: a redelivered message finds it
# not queued and does nothing.
@shared_task(name="cameras.tasks.camera_import_run")
def camera_import_run_task(*, job_id: int) -> int | None:
    """Check and store one file of the department's own cameras (cameras.department)."""
    job = camera_import_run(job_id=job_id)
    return None if job is None else job.rows_created


# Beat asks these first, once for every department (tenants.periodic): a department with no
# timed pause due, or whose area figures are level with its log, is not entered.
work_probe_register(
    "cameras.tasks.suspensions_expire",
    # The index suspension_open_ends_idx (resumed_at, ends_at) answers it.
    sql_probe(
        f"EXISTS (SELECT 1 FROM {{schema}}.{Suspension._meta.db_table} "  # noqa: S608 (a model's table, no input)
        "WHERE resumed_at IS NULL AND ends_at <= statement_timestamp())"
    ),
)
work_probe_register("cameras.tasks.area_rollups_catch_up", sql_probe(AREA_ROLLUPS_BEHIND))

# The anomaly queue has work when the log has events after its mark (the rules over new
# events), when the first event after its exigent mark is older than the policy's days for a
# case report (the log's numbers follow its clock; 1 day, the least allowed, without a policy),
# or when a week ended, in the department's time zone, after the last week judged (a Monday, as
# a date ordinal; before any, after the week of the log's first event): as anomalies_catch_up
# decides. Over-inclusive, never under.
_EVENTS = "{schema}.audit_accessevent"
_DEPARTMENT = f"(SELECT id FROM public.{Department._meta.db_table} WHERE schema_name = {{department}})"  # noqa: S608 (a model's table)
_ZONE = f"(SELECT time_zone FROM public.{Department._meta.db_table} WHERE schema_name = {{department}})"  # noqa: S608 (a model's table)
_LAST_WEEK = f"(date_trunc('week', statement_timestamp() AT TIME ZONE {_ZONE})::date - 7)"
_FIRST_WEEK = f"date_trunc('week', (SELECT min(occurred_at) FROM {_EVENTS}) AT TIME ZONE {_ZONE})::date"  # noqa: S608 (a model's table)
_REPORT_DAYS = (
    f"coalesce((SELECT anomaly_exigent_report_days FROM public.{DepartmentPolicy._meta.db_table} "  # noqa: S608 (a model's table)
    f"WHERE department_id = {_DEPARTMENT}), 1)"
)


def _anomaly_mark(name: str) -> str:
    return f"coalesce((SELECT seq FROM {{schema}}.audit_rollupmark WHERE name = '{name}'), 0)"  # noqa: S608 (constants)


work_probe_register(
    "cameras.tasks.anomalies_catch_up",
    sql_probe(
        f"EXISTS (SELECT 1 FROM {_EVENTS} WHERE seq > {_anomaly_mark(MARK)}) "  # noqa: S608 (model tables and constants)
        f"OR (SELECT occurred_at FROM {_EVENTS} WHERE seq > {_anomaly_mark(EXIGENT_MARK)} ORDER BY seq LIMIT 1) "
        f"<= statement_timestamp() - make_interval(days => {_REPORT_DAYS}) "
        # The week's ordinal as Python's date.toordinal: days since 0001-01-01, plus one.
        f"OR CASE WHEN {_anomaly_mark(WEEK_MARK)} = 0 THEN {_FIRST_WEEK} <= {_LAST_WEEK} "
        f"ELSE {_anomaly_mark(WEEK_MARK)} + 7 <= {_LAST_WEEK} - date '0001-01-01' + 1 END"
    ),
)
