"""Who accessed my cameras: the owner's view of the access log."""

from typing import TYPE_CHECKING

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View

from audit.checkpoints import published_size
from audit.selectors import event_number, events_for_owner
from cameras.access_log import access_entries_for_owner
from cameras.mixins import OwnerRequiredMixin
from core.http import text_refusal

if TYPE_CHECKING:
    from accounts.authenticated import AuthenticatedHttpRequest

PAGE_SIZE = 25


class AccessEventListView(OwnerRequiredMixin, View):
    """Every police access (allowed or denied) that touched the owner's cameras, newest first."""

    def get(self, request: "AuthenticatedHttpRequest") -> HttpResponse:
        owner = request.user  # an owner: OwnerRequiredMixin let them in
        time_zone = request.tenant.time_zone
        upto, problem = owner_log_anchor(owner_id=owner.pk, text=request.GET.get("upto", ""))
        if problem:
            return text_refusal(problem, 400)
        events = events_for_owner(owner_id=owner.pk, upto=upto)
        page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
        entries = access_entries_for_owner(owner=owner, events=page.object_list, time_zone=time_zone)
        context = {"page": page, "entries": entries, "time_zone": time_zone, "upto": upto}
        context["published_size"] = published_size()  # events up to it have an inclusion proof
        return render(request, "portal/access_log.html", context)


def owner_log_anchor(*, owner_id: int, text: str) -> tuple[int | None, str]:
    """Where a reading of the owner's log stops: the ``upto`` a page link carries, else the
    owner's newest event now (so that the pages after it do not shift when police reach the
    owner's cameras meanwhile); with the problem, when ``upto`` is not an event number."""
    if text:
        upto = event_number(text)
        return upto, "" if upto is not None else _("upto must be the number of an event.")
    return events_for_owner(owner_id=owner_id).values_list("seq", flat=True).first(), ""
