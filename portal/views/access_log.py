"""Who accessed my cameras: the owner's view of the access log."""

from typing import TYPE_CHECKING

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from audit.checkpoints import owner_proof, published_size, verifier_key
from audit.integrity import FailureNotice, failure_items, log_failures
from audit.selectors import event_number, events_for_owner
from cameras.access_log import access_entries_for_owner
from cameras.mixins import OwnerRequiredMixin
from core.errors import NotFound
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
        context["log_failures"] = failure_items(log_failures(), extra=lambda notice: _owner_range(owner.pk, notice))
        return render(request, "portal/access_log.html", context)


class AccessProofView(OwnerRequiredMixin, View):
    """The "Proof" link of a line, in words: the access is in the department's public log, the
    signed checkpoint that holds it, Porchlight's own check of the proof, and how anyone can
    check it without trusting Porchlight (the witness script's --prove). The JSON stays at
    /api/v1/log/inclusion/. Another owner's access, or none: 404."""

    def get(self, request: "AuthenticatedHttpRequest", seq: int) -> HttpResponse:
        try:
            proof = owner_proof(owner_id=request.user.pk, seq=seq)
        except NotFound as exc:
            raise Http404 from exc
        key = verifier_key() if proof.checkpoint else ""
        log_url = f"{request.scheme}://{request.get_host()}"  # as served: http on the demo
        context = {"proof": proof, "verifier_key": key, "log_url": log_url, "time_zone": request.tenant.time_zone}
        # What the proof proves is only as good as the log: a failure of its verification is stated here.
        context["log_failures"] = failure_items(log_failures(), extra=lambda notice: _this_access(seq, notice))
        return render(request, "portal/access_proof.html", context)


def owner_log_anchor(*, owner_id: int, text: str) -> tuple[int | None, str]:
    """Where a reading of the owner's log stops: the ``upto`` a page link carries, else the
    owner's newest event now (so that the pages after it do not shift when police reach the
    owner's cameras meanwhile); with the problem, when ``upto`` is not an event number."""
    if text:
        upto = event_number(text)
        return upto, "" if upto is not None else _("upto must be the number of an event.")
    return events_for_owner(owner_id=owner_id).values_list("seq", flat=True).first(), ""


# How many of the owner's accesses in a failure's range the statement names (the rest are counted).
NAMED = 10


def _owner_range(owner_id: int, notice: FailureNotice) -> list[str]:
    """What a failure means for this owner's own accesses: which of them are in its range (an
    indexed read per failure; a log has few)."""
    failure = notice.failure
    if failure.first_seq is None:
        return [_("It could not be determined which accesses were changed: any of those to your cameras may be.")]
    last = failure.last_seq or failure.first_seq
    affected = events_for_owner(owner_id=owner_id).filter(seq__gte=failure.first_seq, seq__lte=last)
    seqs = list(affected.order_by("seq").values_list("seq", flat=True)[: NAMED + 1])
    if not seqs:
        return [_("None of the accesses to your cameras is in the affected range.")]
    count = affected.count() if len(seqs) > NAMED else len(seqs)
    numbers = ", ".join(f"#{seq}" for seq in seqs[:NAMED]) + (" …" if len(seqs) > NAMED else "")
    return [
        ngettext(
            "%(count)s of the accesses to your cameras is in the affected range (%(numbers)s): what this page "
            "shows for it may not be what was recorded.",
            "%(count)s of the accesses to your cameras are in the affected range (%(numbers)s): what this page "
            "shows for them may not be what was recorded.",
            count,
        )
        % {"count": count, "numbers": numbers}
    ]


def _this_access(seq: int, notice: FailureNotice) -> list[str]:
    if notice.covers(seq):
        return [_("This access is in the affected range: what it says may not be what was recorded.")]
    return []
