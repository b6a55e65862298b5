"""The department's public compliance page (issue 16) and its figures as JSON: how many sites an
ordinance covers and how many comply, by police area and by business category.

No sign-in. Counts from 1 to N-1 (N the policy's threshold) are published as "<N", and a
rate only when both of its counts are published (the transparency page's rules,
portal.transparency). No business is named unless the department's policy makes the list of
covered businesses public (DepartmentPolicy.compliance_list_public); no owner, address or camera
is ever shown. Reading it is not a police access and logs nothing."""

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View

from audit.figures import suppress_linked
from cameras.models import BusinessCategory
from compliance import dashboard
from compliance.records import records_refresh_stale
from compliance.selectors import status_label
from tenants.selectors import policy_current

from .transparency import cell_threshold, published_rate

__all__ = ["CompliancePublicJsonView", "CompliancePublicView", "compliance_public_data"]


def _published(threshold: int) -> tuple[dict[Any, int], dict[Any, int | str], dict[str, list[str]]]:
    """Every count the page publishes (raw, and as published), suppressed together with the sums
    a reader can form (audit.figures.suppress_linked, as on the transparency page): the police
    areas' and the categories' covered and compliant sites each add up to the page's totals (a
    site is in one area and one category), so no hidden count is a total less the published
    others, in one table or across the two. Also the areas' and categories' labels, in order."""
    values: dict[Any, int] = {}
    labels: dict[str, list[str]] = {}
    for by in ("area", "category"):
        rows = dashboard.public_rates(by=by)
        labels[by] = [label for label, _covered, _compliant in rows]
        for label, covered, compliant in rows:
            values[(by, label, "covered")] = covered
            values[(by, label, "compliant")] = compliant
    for kind in ("covered", "compliant"):
        values[(kind,)] = sum(values[("category", label, kind)] for label in labels["category"])
    sums = [
        ([(kind,)], [(by, label, kind) for label in labels[by]])
        for by in ("area", "category")
        for kind in ("covered", "compliant")
    ]
    return values, suppress_linked(values, sums, threshold), labels


def compliance_public_data() -> dict[str, Any]:
    """The page's figures, suppressed, as plain data (the JSON, and what the HTML shows)."""
    policy = policy_current()
    threshold = cell_threshold(policy)
    categories = dict(BusinessCategory.choices)
    raw, published, labels = _published(threshold)

    def rate(*key: str) -> float | None:
        """Only where both counts are published: a rate of a hidden count would tell it."""
        covered, compliant = (*key, "covered"), (*key, "compliant")
        if isinstance(published[covered], str) or isinstance(published[compliant], str):
            return None
        return published_rate(raw[compliant], raw[covered], threshold)

    def rows(by: str) -> list[dict[str, Any]]:
        out = []
        for label in labels[by]:
            name = (str(categories.get(label, label)) if by == "category" else label) or (
                _("Outside every police area") if by == "area" else _("No category given")
            )
            out.append(
                {
                    "name": name,
                    "covered_sites": published[(by, label, "covered")],
                    "compliant_sites": published[(by, label, "compliant")],
                    "compliance_rate_percent": rate(by, label),
                }
            )
        return out

    data: dict[str, Any] = {
        "suppression": {
            "threshold": threshold,
            "largest_hidden": threshold - 1,
            "rule": f"counts from 1 to {threshold - 1} are published as <{threshold}; where a hidden count "
            f"could be worked out from a total, the next smallest is hidden too (as ≥{threshold})",
        },
        # A site the department exempted counts as compliant (dashboard.public_rates).
        "compliant_includes_exempt": True,
        "covered_sites": published[("covered",)],
        "compliant_sites": published[("compliant",)],
        "compliance_rate_percent": rate(),
        "by_police_area": rows("area"),
        "by_business_category": rows("category"),
        "list_public": bool(policy and policy.compliance_list_public),
    }
    if data["list_public"]:
        data["businesses"] = [
            {"name": name, "category": str(categories.get(code, code)), "status": status.value}
            for name, code, status in dashboard.public_list()
        ]
    return data


class CompliancePublicView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        records_refresh_stale()
        data = compliance_public_data()
        labels = {status.value: status_label(status) for status in dashboard.COVERED_STATUSES}
        return render(request, "portal/compliance_public.html", {"data": data, "status_labels": labels})


class CompliancePublicJsonView(View):
    def get(self, request: HttpRequest) -> JsonResponse:
        records_refresh_stale()
        return JsonResponse(compliance_public_data())
