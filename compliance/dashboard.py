"""Reads for the department's compliance dashboard and the public compliance page, over the
stored judgements (compliance.models.ComplianceRecord): every figure is a few SQL queries,
whatever the number of sites (the dashboard's query count is asserted in tests/console).

A site's status is the worst of its rows (compliance.rules.site_status); filtered by ordinance,
it is its status under that ordinance."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, F, FloatField, Func, Q, QuerySet

from cameras.models import Site
from footage.selectors import footage_deliveries_late_by_site

from .models import ComplianceRecord, Notice, Ordinance
from .records import status_rank
from .rules import Requirement, Status
from .selectors import versions_in_force

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterator

__all__ = [
    "COVERED_STATUSES",
    "DashboardFilters",
    "SiteRow",
    "attestations_overdue",
    "category_missing_count",
    "compliance_counts",
    "compliance_map_points",
    "compliance_page",
    "compliance_rows",
    "deliveries_late",
    "notices_open",
    "public_rates",
]

#: The statuses a covered site can have, best first.
COVERED_STATUSES = (Status.COMPLIANT, Status.EXEMPT, Status.DUE_SOON, Status.UNDER_APPEAL, Status.NOT_COMPLIANT)
_BY_RANK = {status_rank(status): status for status in Status}
QUERY_MAX = 200


@dataclass(frozen=True)
class DashboardFilters:
    status: str = ""
    ordinance: str = ""  # an ordinance's public id
    category: str = ""
    area: int | None = None
    q: str = ""


def _records(filters: DashboardFilters) -> QuerySet[ComplianceRecord]:
    records = ComplianceRecord.objects.all()
    if filters.ordinance:
        records = records.filter(ordinance_key=filters.ordinance)
    if filters.category:
        records = records.filter(category=filters.category)
    if filters.area is not None:
        records = records.filter(police_area_id=filters.area)
    if filters.q:
        words = filters.q[:QUERY_MAX]
        records = records.filter(Q(site__address__icontains=words) | Q(site__business_name__icontains=words))
    return records


def _per_site(filters: DashboardFilters, *, with_status: bool = True) -> tuple[QuerySet[ComplianceRecord], str]:
    """One row per site and the name of its status's rank: the site's ``primary`` row and its
    worst rank over every ordinance, or, filtered by ordinance, that ordinance's row and rank."""
    records = _records(filters)
    if filters.ordinance:
        per_site, rank = records, "rank"
    else:
        per_site, rank = records.filter(primary=True), "site_rank"
    if with_status and filters.status in Status.__members__.values():
        per_site = per_site.filter(**{rank: status_rank(filters.status)})
    return per_site.order_by(), rank


def compliance_counts(filters: DashboardFilters) -> dict[Status, int]:
    """Covered sites by status under the filters other than the status (one query)."""
    per_site, rank = _per_site(filters, with_status=False)
    found = {_BY_RANK[row[rank]]: row["n"] for row in per_site.values(rank).annotate(n=Count("id"))}
    return {status: found.get(status, 0) for status in COVERED_STATUSES}


@dataclass(frozen=True)
class SiteRow:
    public_id: Any
    address: str
    business_name: str
    category: str
    area: str
    status: Status
    ordinances: list[str]
    unmet: list[str]
    next_attestation_due: dt.date | None
    computed_at: dt.datetime
    # Footage requests whose footage was delivered after the ordinance's deadline
    # (deliveries_late; declines and silence are never attributed to a site).
    late_deliveries: int = 0


def _rows_for(site_ids: list[int], worst: dict[int, int]) -> list[SiteRow]:
    """The rows of these sites, in this order (two queries)."""
    sites = {
        site.pk: site
        for site in Site.objects.filter(pk__in=site_ids).only(
            "public_id", "address", "business_name", "business_category"
        )
    }
    records: dict[int, list[ComplianceRecord]] = {site_id: [] for site_id in site_ids}
    for record in (
        ComplianceRecord.objects.filter(site_id__in=site_ids)
        .select_related("ordinance", "police_area")
        .defer("police_area__area")  # the area's polygon is large and not shown
        .order_by("site_id", "-rank")
    ):
        records[record.site_id].append(record)
    late = deliveries_late(site_ids=site_ids)
    rows = []
    for site_id in site_ids:
        site, mine = sites[site_id], records[site_id]
        rows.append(
            SiteRow(
                public_id=site.public_id,
                address=site.address,
                business_name=site.business_name,
                category=site.get_business_category_display() if site.business_category else "",
                area=next((r.police_area.name for r in mine if r.police_area), ""),
                status=_BY_RANK[worst[site_id]],
                ordinances=[r.ordinance.name if r.ordinance else str(r.ordinance_key) for r in mine],
                unmet=sorted({code for r in mine for code in r.unmet}),
                next_attestation_due=min(
                    (r.next_attestation_due for r in mine if r.next_attestation_due), default=None
                ),
                computed_at=min(r.computed_at for r in mine),
                late_deliveries=late.get(site_id, 0),
            )
        )
    return rows


def compliance_page(filters: DashboardFilters, *, page: int, per_page: int) -> tuple[list[SiteRow], int]:
    """One page of the filtered sites, worst first, and how many there are (four queries)."""
    per_site, rank = _per_site(filters)
    total = per_site.count()
    start = max(page - 1, 0) * per_page
    chosen = list(per_site.order_by(f"-{rank}", "site_id").values_list("site_id", rank)[start : start + per_page])
    return _rows_for([site_id for site_id, _ in chosen], dict(chosen)), total


def compliance_rows(filters: DashboardFilters, *, chunk: int = 2000) -> Iterator[SiteRow]:
    """Every filtered site, worst first, a chunk at a time (the streamed CSV)."""
    per_site, rank = _per_site(filters)
    chosen = list(per_site.order_by(f"-{rank}", "site_id").values_list("site_id", rank))
    for start in range(0, len(chosen), chunk):
        part = chosen[start : start + chunk]
        yield from _rows_for([site_id for site_id, _ in part], dict(part))


def _coordinate(axis: str) -> Func:
    return Func(
        F("site__location"),
        function=f"ST_{axis}",
        template="%(function)s(%(expressions)s::geometry)",
        output_field=FloatField(),
    )


def compliance_map_points(filters: DashboardFilters) -> list[list[Any]]:
    """[lon, lat, status] of each filtered site, rounded to 4 decimals (~10 m), in one query."""
    per_site, rank = _per_site(filters)
    rows = per_site.annotate(lon=_coordinate("X"), lat=_coordinate("Y")).values_list("lon", "lat", rank)
    return [[round(lon, 4), round(lat, 4), _BY_RANK[worst].value] for lon, lat, worst in rows]


def attestations_overdue(*, limit: int = 20) -> tuple[int, list[tuple[Any, str, str]]]:
    """Sites whose yearly attestation has expired (a FAIL, not merely due): how many, and the
    first ``limit`` as (site public id, address, ordinance) (two queries)."""
    overdue = ComplianceRecord.objects.filter(failed__contains=[Requirement.ATTESTATION.value])
    rows = [
        (record.site.public_id, record.site.address, record.ordinance.name if record.ordinance else "")
        for record in overdue.select_related("site", "ordinance").order_by("next_attestation_due", "site_id")[:limit]
    ]
    return overdue.count(), rows


def notices_open(*, limit: int = 20) -> tuple[int, list[Notice]]:
    """Unresolved notices, the nearest cure deadline first (two queries)."""
    notices = Notice.objects.filter(resolved_on__isnull=True)
    return notices.count(), list(notices.select_related("site", "ordinance").order_by("cure_by", "pk")[:limit])


def deliveries_late(*, site_ids: list[int] | None = None) -> dict[int, int]:
    """Footage requests to covered sites whose footage was delivered after the ordinance's
    deadline, by site id (footage.selectors; sites with none are left out). A request declined
    or unanswered past its deadline is never attributed to a site: owners are promised police
    are not told who declined."""
    return footage_deliveries_late_by_site(site_ids=site_ids)


def ordinances_for_filter() -> list[tuple[str, str]]:
    """(key, name) of every ordinance (the policy's old one is an ordinance too now:
    compliance.policy_ordinance)."""
    return [(str(o.public_id), o.name) for o in Ordinance.objects.order_by("name").only("public_id", "name")]


def public_rates(*, by: str) -> list[tuple[str, int, int]]:
    """(group label, covered sites, compliant sites) by police area (``by="area"``) or business
    category (``by="category"``), one query; a site counts as compliant when its status over
    every ordinance is compliant or exempt. Unsuppressed: the public page suppresses small cells."""
    field = "police_area__name" if by == "area" else "category"
    good = [status_rank(Status.COMPLIANT), status_rank(Status.EXEMPT)]
    rows = (
        ComplianceRecord.objects.filter(primary=True)
        .values(field)
        .annotate(covered=Count("id"), compliant=Count("id", filter=Q(site_rank__in=good)))
        .order_by(field)
        .values_list(field, "covered", "compliant")
    )
    return [(label or "", covered, compliant) for label, covered, compliant in rows]


def covered_total() -> int:
    return ComplianceRecord.objects.filter(primary=True).count()


def public_list() -> list[tuple[str, str, Status]]:
    """(business name, category code, status) of every covered business with a name, by name:
    what the public page lists when the department's policy makes the list public (two queries
    at most). Homes are never listed."""
    worst = dict(
        ComplianceRecord.objects.filter(primary=True, site__kind="business")
        .exclude(site__business_name="")
        .values_list("site_id", "site_rank")
    )
    sites = Site.objects.filter(pk__in=list(worst)).only("business_name", "business_category").order_by("business_name")
    return [(site.business_name, site.business_category, _BY_RANK[worst[site.pk]]) for site in sites]


def category_missing_count(*, on: dt.date) -> int:
    """How many sites an ordinance in force naming business categories would judge but cannot,
    their category not given (compliance.rules: not covered until then, so they have no
    ComplianceRecord row): sites of the kinds those ordinances cover (businesses when they
    name none) with a blank category. Two queries; the dashboard shows the count."""
    kinds: set[str] = set()
    for version in versions_in_force(on=on):
        if version.business_categories:
            kinds |= set(version.property_kinds) or {"business"}
    if not kinds:
        return 0
    return Site.objects.filter(kind__in=sorted(kinds), business_category="").count()
