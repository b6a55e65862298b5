"""Who accessed my cameras: the owner's view of the access log."""

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View

from audit.selectors import events_for_owner

from .selectors import access_entries_for_owner
from .views import OwnerRequiredMixin

PAGE_SIZE = 25


class AccessEventListView(OwnerRequiredMixin, View):
    """Every police access (allowed or denied) that touched the owner's cameras, newest first."""

    def get(self, request: HttpRequest) -> HttpResponse:
        owner: Any = request.user  # an owner: OwnerRequiredMixin let them in
        time_zone = request.tenant.time_zone  # type: ignore[attr-defined]
        page = Paginator(events_for_owner(owner_id=owner.pk), PAGE_SIZE).get_page(request.GET.get("page"))
        entries = access_entries_for_owner(owner=owner, events=page.object_list, time_zone=time_zone)
        return render(request, "portal/access_log.html", {"page": page, "entries": entries, "time_zone": time_zone})
