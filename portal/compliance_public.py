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

from audit.figures import suppress
from cameras.models import BusinessCategory
from compliance import dashboard
from compliance.records import records_refresh_stale
from compliance.selectors import status_label
from tenants.selectors import policy_current

from .transparency import cell_threshold, published_rate

__all__ = ["CompliancePublicJsonView", "CompliancePublicView", "compliance_public_data"]


def compliance_public_data() -> dict[str, Any]:
    """The page's figures, suppressed, as plain data (the JSON, and what the HTML shows)."""
    policy = policy_current()
    threshold = cell_threshold(policy)
    categories = dict(BusinessCategory.choices)

    def rows(by: str) -> list[dict[str, Any]]:
        out = []
        for label, covered, compliant in dashboard.public_rates(by=by):
            name = (str(categories.get(label, label)) if by == "category" else label) or (
                _("Outside every police area") if by == "area" else _("No category given")
            )
            out.append(
                {
                    "name": name,
                    "covered_sites": suppress(covered, threshold),
                    "compliant_sites": suppress(compliant, threshold),
                    "compliance_rate_percent": published_rate(compliant, covered, threshold),
                }
            )
        return out

    by_area, by_category = rows("area"), rows("category")
    covered = sum(c for _label, c, _ok in dashboard.public_rates(by="category"))
    compliant = sum(ok for _label, _c, ok in dashboard.public_rates(by="category"))
    data: dict[str, Any] = {
        "suppression": {
            "threshold": threshold,
            "largest_hidden": threshold - 1,
            "rule": f"counts from 1 to {threshold - 1} are published as <{threshold}",
        },
        # A site the department exempted counts as compliant (dashboard.public_rates).
        "compliant_includes_exempt": True,
        "covered_sites": suppress(covered, threshold),
        "compliant_sites": suppress(compliant, threshold),
        "compliance_rate_percent": published_rate(compliant, covered, threshold),
        "by_police_area": by_area,
        "by_business_category": by_category,
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
