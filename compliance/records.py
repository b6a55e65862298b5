"""Stored compliance (compliance.models.ComplianceRecord): computing it for some sites or all,
and keeping it right at read time.

How the rows stay current (docs/compliance-dashboard.md):

1. A change to one site (its details, cameras, consent, bridge, attestations, inspections,
   notices, appeals) owes ``compliance.tasks.site_compliance_refresh`` for that site, through
   the outbox after the commit (records_refresh_on_commit), in the department's schema.
2. A change to an ordinance or one of its versions owes ``compliance.tasks.compliance_refresh_all``
   (records_refresh_all_on_commit); beat runs the same task nightly in every department.
3. Time alone changes a judgement on known days: an attestation falls due (30 days before) or
   expires, a notice's cure deadline passes, an exemption or a consent ends, a new version comes
   into force. Each row stores the first such day (``recheck_on``); the dashboard's read first
   recomputes the rows whose day has come (records_refresh_stale), in a fixed number of
   queries, so a page never shows yesterday's "due soon" for today's "expired". When more rows
   are stale than a page view should recompute (a version coming into force re-judges every
   site), the read asks the worker for a full run instead and the page says the figures are
   being recomputed.

4. A bridge that connects, disconnects or whose heartbeat expires (a killed process, found by
   the beat task ``live.tasks.bridge_liveness_sweep`` within a minute) owes the same task for
   the sites whose rows judge a live connection (bridge_liveness_listener, through
   live.liveness): never on a frame or a heartbeat's renewal, only when liveness changes.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections import defaultdict
from itertools import islice
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Max, Min, Q
from django.utils import timezone
from kombu.exceptions import OperationalError

from cameras.models import Camera, Site
from places.areas import police_areas_at
from tenants.outbox import enqueue_on_commit
from tenants.selectors import department_current, policy_current

from .days import department_zone, local_date
from .models import Appeal, AppealDecision, ComplianceRecord, Notice, Ordinance, OrdinanceVersion
from .rules import DUE_SOON_DAYS, Severity, Status
from .selectors import POLICY_KEY, sites_compliance, versions_in_force

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

logger = logging.getLogger("porchlight.compliance")

__all__ = [
    "BATCH",
    "INLINE_STALE_MAX",
    "bridge_liveness_listener",
    "records_refresh",
    "records_refresh_all_on_commit",
    "records_refresh_on_commit",
    "records_refresh_stale",
    "status_rank",
]

#: Sites judged per round: the facts of 1,000 sites are a few MB in memory and each round is a
#: fixed number of queries (compliance.selectors.sites_compliance), so 10,000 sites take 10.
BATCH = 1000
#: A read recomputes at most this many stale sites itself (a few hundred milliseconds); more
#: (a new version in force re-judges every site) is the worker's job.
INLINE_STALE_MAX = 300
#: A full run asked for by a read is asked at most once in this many seconds per department.
_FULL_RUN_ASKED_SECONDS = 600


def status_rank(status: Status | str) -> int:
    """compliance.rules' order of statuses, worst highest (site_status takes the maximum)."""
    return list(Status).index(Status(status))


def _chunks(ids: list[int], size: int) -> Iterator[list[int]]:
    it = iter(ids)
    while chunk := list(islice(it, size)):
        yield chunk


def _day_after(value: dt.date) -> dt.date:
    # date.max has no day after: such a date never changes a judgement, so it never asks for a
    # recheck earlier than itself (a notice stored before notice_issue bounded its date must not
    # make the whole refresh fail on OverflowError).
    return value if value == dt.date.max else value + dt.timedelta(days=1)


def _recheck_days(chunk: list[int], now: dt.datetime) -> dict[int, dt.date]:
    """For each site of ``chunk``, the first day after today on which time alone could change
    its judgement, from its open notices, granted exemptions and consents with an end (three
    queries). Attestation days come from each judgement (``next_attestation_due``). Days are the
    department's (compliance.days): a consent ending at 23:00 in California ends on that day."""
    zone = department_zone()
    today = now.astimezone(zone).date()
    days: dict[int, list[dt.date]] = defaultdict(list)
    for site_id, cure_by in Notice.objects.filter(site_id__in=chunk, resolved_on__isnull=True).values_list(
        "site_id", "cure_by"
    ):
        days[site_id].append(_day_after(cure_by))
    for site_id, until in Appeal.objects.filter(
        site_id__in=chunk, decision=AppealDecision.GRANTED, exempt_until__isnull=False
    ).values_list("site_id", "exempt_until"):
        if until is not None:
            days[site_id].append(_day_after(until))
    for site_id, ends in (
        Camera.objects.filter(site_id__in=chunk, consent__expires_at__gt=now)
        .values("site_id")
        .annotate(ends=Min("consent__expires_at"))
        .values_list("site_id", "ends")
    ):
        days[site_id].append(ends.astimezone(zone).date())
    return {
        site_id: min(d for d in values if d > today)
        for site_id, values in days.items()
        if any(d > today for d in values)
    }


def _attestation_recheck(next_due: dt.date | None, today: dt.date) -> dt.date | None:
    if next_due is None:
        return None
    soon = next_due - dt.timedelta(days=DUE_SOON_DAYS)
    return soon if soon > today else (next_due if next_due > today else _day_after(today))


# Every value is a parameter (the round's rows as one JSON array).
_INSERT = """
INSERT INTO compliance_compliancerecord (site_id, ordinance_key, ordinance_id, version_id, status, rank,
    unmet, failed, next_attestation_due, recheck_on, police_area_id, category, site_rank, "primary", computed_at)
SELECT site_id, ordinance_key, ordinance_id, version_id, status, rank, unmet, failed, next_attestation_due,
    recheck_on, police_area_id, category, site_rank, "primary", %s
FROM jsonb_to_recordset(%s::jsonb) AS r(site_id bigint, ordinance_key text, ordinance_id bigint, version_id bigint,
    status text, rank smallint, unmet text[], failed text[], next_attestation_due date, recheck_on date,
    police_area_id bigint, category text, site_rank smallint, "primary" boolean)
"""


def _rows_insert(rows: list[dict[str, Any]], *, computed_at: dt.datetime) -> None:
    """Insert a round's rows in one statement: the ORM's bulk_create compiled every field of
    every row in Python, which was most of a full run's time at 10,000 sites (bench/compliance.py)."""
    if not rows:
        return
    with connection.cursor() as cursor:
        cursor.execute(_INSERT, [computed_at, json.dumps(rows)])


def records_refresh(*, site_ids: Iterable[int] | None = None, now: dt.datetime | None = None) -> int:
    """Judge the given sites (all of the department's when None) under every ordinance in force
    and store each covered site's rows, replacing what was stored; a site no longer covered
    loses its rows. Rounds of ``BATCH`` sites, each a fixed number of queries and its own
    short transaction (readers see a round's rows change at once). Returns the sites judged.
    Idempotent: running it twice stores the same rows."""
    now = now or timezone.now()
    today = local_date(now)
    policy = policy_current()
    schema = department_current().schema_name
    everyone = site_ids is None
    if everyone and not versions_in_force(on=today):
        # No ordinance judges anyone: a department without one costs one query a night.
        ComplianceRecord.objects.all().delete()
        return 0
    ids = list(Site.objects.order_by("pk").values_list("pk", flat=True)) if everyone else sorted(set(site_ids or ()))
    judged = 0
    for chunk in _chunks(ids, BATCH):
        sites = list(Site.objects.filter(pk__in=chunk).order_by("pk"))
        results = sites_compliance(sites=sites, policy=policy, schema=schema, now=now)
        areas = police_areas_at([(site.location.x, site.location.y) for site in sites])
        recheck = _recheck_days(chunk, now)
        rows: list[dict[str, Any]] = []
        for site, area in zip(sites, areas, strict=True):
            covering = results[site.pk].covering
            site_rank = max((status_rank(r.status) for r in covering), default=0)
            primary_key = next((r.rules.key for r in covering if status_rank(r.status) == site_rank), None)
            for result in covering:
                judgement = result.judgement
                candidates = [
                    d
                    for d in (recheck.get(site.pk), _attestation_recheck(judgement.next_attestation_due, today))
                    if d is not None
                ]
                due = judgement.next_attestation_due
                recheck_on = min(candidates) if candidates else None
                rows.append(
                    {
                        "site_id": site.pk,
                        "ordinance_key": result.rules.key or POLICY_KEY,
                        "ordinance_id": result.version.ordinance_id if result.version else None,
                        "version_id": result.version.pk if result.version else None,
                        "status": str(judgement.status),
                        "rank": status_rank(judgement.status),
                        "unmet": sorted({str(u.requirement) for u in judgement.unmet}),
                        "failed": sorted({str(u.requirement) for u in judgement.unmet if u.severity is Severity.FAIL}),
                        "next_attestation_due": due.isoformat() if due else None,
                        "recheck_on": recheck_on.isoformat() if recheck_on else None,
                        "police_area_id": area.pk if area else None,
                        "category": site.business_category,
                        "site_rank": site_rank,
                        "primary": result.rules.key == primary_key,
                    }
                )
        with transaction.atomic():
            # The sites are locked in id order (no deadlock between two runs) so that a run
            # for one site and a full run never interleave their writes to the same rows.
            list(Site.objects.select_for_update().filter(pk__in=chunk).order_by("pk").values_list("pk"))
            ComplianceRecord.objects.filter(site_id__in=chunk).delete()
            _rows_insert(rows, computed_at=now)
        judged += len(sites)
    return judged


def records_refresh_on_commit(*, site_id: int) -> None:
    """Owe a recomputation of one site's rows after the current transaction commits (outbox)."""
    from .tasks import site_compliance_refresh  # here: the tasks module imports this one

    enqueue_on_commit(site_compliance_refresh, site_ids=[site_id])


def site_changed_listener(*, site_id: int) -> None:
    """cameras.events.site_changed: owe the site's recomputation when anything may judge it
    (an ordinance exists, or the site has stored rows to update)."""
    if OrdinanceVersion.objects.exists() or ComplianceRecord.objects.filter(site_id=site_id).exists():
        records_refresh_on_commit(site_id=site_id)


def bridge_liveness_listener(*, site_ids: list[int]) -> None:
    """live.liveness: bridges of these sites connected or went (a connect, a disconnect, or a
    heartbeat that expired). Owe one recomputation of those of them whose stored rows judge a
    live connection (an ordinance version requiring one); the others' judgement does not
    depend on it."""
    needs = Q(version__live_connection_required=True)
    judged = sorted(set(ComplianceRecord.objects.filter(needs, site_id__in=site_ids).values_list("site_id", flat=True)))
    if judged:
        from .tasks import site_compliance_refresh  # here: the tasks module imports this one

        enqueue_on_commit(site_compliance_refresh, site_ids=judged)


def records_refresh_all_on_commit() -> None:
    """Owe a recomputation of every site after the current transaction commits (outbox)."""
    from .tasks import compliance_refresh_all  # here: the tasks module imports this one

    enqueue_on_commit(compliance_refresh_all)


def _full_run_ask() -> None:
    from .tasks import compliance_refresh_all  # here: the tasks module imports this one

    key = f"compliance-full-run:{department_current().schema_name}"
    if not cache.add(key, 1, _FULL_RUN_ASKED_SECONDS):
        return
    try:
        compliance_refresh_all.delay()
    except OperationalError as exc:  # broker down: the nightly run (or the next read) catches up
        cache.delete(key)
        logger.warning("compliance full run not queued", extra={"error": str(exc)})


def records_refresh_stale(*, now: dt.datetime | None = None) -> bool:
    """Before a read: recompute the rows whose ``recheck_on`` has come (few: the nightly run
    takes the rest), or ask the worker for a full run when a version came into force since
    some row was judged or too many rows are stale. Returns True when the stored rows are
    current, False when a full run is under way (the page says so)."""
    now = now or timezone.now()
    today = local_date(now)
    oldest = ComplianceRecord.objects.aggregate(oldest=Min("computed_at"))["oldest"]
    if oldest is not None:
        # A version in force, or an ordinance retired (it judges no site any more), since then:
        # a full run. One query (a maximum is the same over the join's repeated rows).
        dates = Ordinance.objects.aggregate(
            version=Max("versions__effective_on", filter=Q(versions__effective_on__lte=today)),
            repeal=Max("repealed_on", filter=Q(repealed_on__lte=today)),
        )
        newest = max((d for d in dates.values() if d is not None), default=None)
        if newest is not None and newest > local_date(oldest):
            _full_run_ask()
            return False
    stale = list(
        ComplianceRecord.objects.filter(recheck_on__lte=today)
        .values_list("site_id", flat=True)
        .distinct()[: INLINE_STALE_MAX + 1]
    )
    if len(stale) > INLINE_STALE_MAX:
        _full_run_ask()
        return False
    if stale:
        records_refresh(site_ids=stale, now=now)
    return True
