"""Oversight pages: the access log, its statistics and the chain's integrity.

No video and no owner PII: events name cameras by pseudonymous id and officers by badge
and role. Reading the log is itself an event (audit_read).
"""

import base64
from typing import TYPE_CHECKING, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from accounts.models import BOARD_ROLES, Role
from core.errors import DomainError, NotFound
from core.forms import form_errors_add
from core.http import text_refusal

from ..checkpoints import LogIntegrity, log_integrity, verifier_key
from ..forms import LogFailureResolveForm
from ..integrity import failure_items, log_failure_resolve, log_failures
from ..models import Action, Outcome
from ..reasons import Refusal
from ..selectors import chain_head, event_get, event_number, events_recent, events_summary
from ..verify import chain_status
from .readers import (
    AUDIT_READER_ROLES,
    BoardReaderMixin,
    filter_refusal_record,
    reader_actor,
    reading_record,
    write_refusal_record,
)

if TYPE_CHECKING:
    from accounts.authenticated import AuthenticatedHttpRequest

__all__ = ["AUDIT_READER_ROLES", "LogFailureResolveView", "OversightLogView", "reader_actor"]


# What the page is filtered by; ``page`` is its position.
FILTERS = {"action", "outcome", "upto", "page"}


def _label(choices: type[models.TextChoices], code: str) -> str:
    """A code in words; one the code no longer knows (an older version's, or written by hand)
    as itself, so that the log is still shown, as the rows below it are."""
    return str(choices(code).label) if code in choices.values else code


def _kept(integrity: LogIntegrity) -> dict[str, str]:
    """What a witness keeps of the latest signed checkpoint: its root hash as the signed note
    writes it (base64), and the chain hash of its last event, which ties it to the operator's
    ``audit_verify --expect SEQ:HASH`` (one indexed read)."""
    latest = integrity.latest
    if latest is None:
        return {}
    last = event_get(seq=latest.tree_size) if latest.tree_size else None
    return {
        "root": base64.b64encode(bytes(latest.root_hash)).decode(),
        "head_hash": last.hash if last is not None else "",
    }


class OversightLogView(BoardReaderMixin, View):
    """The log's first page for its readers; to anyone else (an officer, a resident) it does not
    exist, as every board page (BoardReaderMixin: 404, the attempt logged). The department's
    supervisors and administrators read it too: the department reviews its own log here."""

    reader_roles = AUDIT_READER_ROLES

    def get(self, request: HttpRequest) -> HttpResponse:
        # As on every board page, a filter that does not hold is named and refused (logged),
        # never quietly dropped: a reader would take the whole log for the selection asked.
        errors: dict[str, str] = {}
        unknown = sorted(set(request.GET) - FILTERS)
        if unknown:
            errors["__all__"] = _("Unknown filter: %(names)s. This page is filtered by action, outcome and upto.") % {
                "names": ", ".join(name[:40] for name in unknown[:5])
            }
        action = request.GET.get("action", "")
        if action and action not in Action.values:
            errors["action"] = _("“%(value)s” is not an action of the log; choose one from the list.") % {
                "value": action[:40]
            }
        outcome = request.GET.get("outcome", "")
        if outcome and outcome not in Outcome.values:
            errors["outcome"] = _("“%(value)s” is not an outcome; choose one from the list.") % {"value": outcome[:40]}
        # The pages of one reading end at the event that was newest when it began.
        upto_text = request.GET.get("upto", "")
        upto = event_number(upto_text)
        if upto_text and upto is None:
            errors["upto"] = _("upto must be the number of an event.")
        if errors:
            filter_refusal_record(request, view="oversight", errors=errors)
            return text_refusal("\n".join(errors.values()), 400)
        return self.page(request, action=action, outcome=outcome, upto=upto)

    def page(
        self,
        request: HttpRequest,
        *,
        action: str = "",
        outcome: str = "",
        upto: int | None = None,
        resolve_form: LogFailureResolveForm | None = None,
        resolve_failure: int | None = None,
        status: int = 200,
    ) -> HttpResponse:
        """The page, its reading logged; with a resolve form that did not hold, its errors beside
        that failure (status 400)."""
        if upto is None:
            upto = chain_head().count
        page = Paginator(events_recent(action=action, outcome=outcome, upto=upto), 50).get_page(request.GET.get("page"))
        reading_record(
            request,
            action=Action.AUDIT_READ,
            allowed=True,
            quantity=len(page.object_list),
            details={"action": action, "outcome": outcome, "page": page.number, "upto": upto},
        )
        integrity = log_integrity()
        failures = log_failures()
        return render(
            request,
            "audit/oversight.html",
            {
                "page": page,
                "summary": [
                    {
                        **row,
                        "action_label": _("Footage exported as evidence")
                        if row["evidence"]
                        else _label(Action, row["action"]),
                        "outcome_label": _label(Outcome, row["outcome"]),
                    }
                    for row in events_summary(upto=upto)
                ],
                "status": chain_status(),
                # Against the signed checkpoints: a few indexed reads (audit.checkpoints.log_integrity).
                "integrity": integrity,
                "kept": _kept(integrity),
                # Every failure kept (audit.integrity), as the public reads it; the board resolves them here.
                "log_failures": failure_items(failures),
                "can_resolve": request.user.role == Role.OVERSIGHT,  # type: ignore[union-attr]
                "resolve_form": resolve_form,
                "new_resolve_form": LogFailureResolveForm(),
                "resolve_failure": resolve_failure,
                # The standalone witness's command, for the address this page was served on.
                "log_url": f"{request.scheme}://{request.get_host()}",
                "verifier_key": verifier_key(),
                "actions": Action.choices,
                "action": action,
                "outcome": outcome,
                "upto": upto,
            },
            status=status,
        )


class LogFailureResolveView(OversightLogView):
    """The board records a failure of the log resolved, with a note that is published beside it
    (audit.integrity.log_failure_resolve, logged as ``log_failure_resolve``). Only the board
    (role ``oversight``): the department's own readers of its log, who may be the ones who
    rewrote it, are refused (404, logged), as is a failure of another department or none
    (``log_failure_resolve`` refused ``not_found``). A note
    that does not hold is refused (400, logged, nothing saved) with the page and the reason."""

    # The board's alone, like every workspace page: anyone else is told it does not exist in
    # dispatch (BoardReaderMixin: 404, logged as a refused audit_read with the path).
    reader_roles = BOARD_ROLES

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        return redirect(f"{reverse('oversight-log')}#log-failure-{pk}")

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        refused = {"view": "log_failures", "failure": pk}
        if request.user.role != Role.OVERSIGHT:  # type: ignore[union-attr]
            write_refusal_record(request, action=Action.LOG_FAILURE_RESOLVE, details=refused)
            raise Http404
        form = LogFailureResolveForm(request.POST)
        if form.is_valid():
            try:
                log_failure_resolve(
                    failure_id=pk,
                    note=form.cleaned_data["note"],
                    actor=reader_actor(cast("AuthenticatedHttpRequest", request)),
                )
            except NotFound:
                # Missing and another department's look the same.
                write_refusal_record(
                    request, action=Action.LOG_FAILURE_RESOLVE, details=refused, reason=Refusal.NOT_FOUND
                )
                raise Http404 from None
            except DomainError as error:
                form_errors_add(form, error)
            else:
                messages.success(
                    request, _("The failure is recorded as resolved; it stays on the public page, marked so.")
                )
                return redirect(f"{reverse('oversight-log')}#log-failure-{pk}")
        write_refusal_record(
            request,
            action=Action.LOG_FAILURE_RESOLVE,
            details={**refused, "errors": sorted(form.errors)},
            reason=Refusal.INVALID_INPUT,
        )
        return self.page(request, resolve_form=form, resolve_failure=pk, status=400)
