"""Oversight pages: the access log, its statistics and the chain's integrity.

No video and no owner PII: events name cameras by pseudonymous id and officers by badge
and role. Reading the log is itself an event (audit_read).
"""

from typing import TYPE_CHECKING

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models, transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View

from accounts.models import AUDIT_READER_ROLES
from accounts.selectors import actor_label, session_passed_mfa
from core.http import text_refusal

from ..models import Action, Outcome
from ..reasons import Refusal
from ..selectors import chain_head, event_number, events_recent, events_summary
from ..services import ActorSnapshot, EventFacts, access_event_record, session_key_hash
from ..verify import chain_status

if TYPE_CHECKING:
    from accounts.authenticated import AuthenticatedHttpRequest


def reader_actor(request: "AuthenticatedHttpRequest") -> ActorSnapshot:
    user = request.user
    return ActorSnapshot(
        user_id=user.pk,
        label=actor_label(user),
        badge=user.badge_number,
        role=user.role,
        mfa=session_passed_mfa(request.session),
        session_hash=session_key_hash(request.session.session_key),
        ip=request.META.get("REMOTE_ADDR"),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )


def _label(choices: type[models.TextChoices], code: str) -> str:
    """A code in words; one the code no longer knows (an older version's, or written by hand)
    as itself, so that the log is still shown, as the rows below it are."""
    return str(choices(code).label) if code in choices.values else code


class OversightLogView(LoginRequiredMixin, View):
    def get(self, request: "AuthenticatedHttpRequest") -> HttpResponse:
        user = request.user
        allowed = user.role in AUDIT_READER_ROLES and session_passed_mfa(request.session)
        action = request.GET.get("action", "") if request.GET.get("action", "") in Action.values else ""
        outcome = request.GET.get("outcome", "") if request.GET.get("outcome", "") in Outcome.values else ""
        # The pages of one reading end at the event that was newest when it began.
        upto_text = request.GET.get("upto", "")
        upto = event_number(upto_text)
        if allowed and upto_text and upto is None:
            return text_refusal(_("upto must be the number of an event."), 400)
        if upto is None:
            upto = chain_head().count
        page = Paginator(events_recent(action=action, outcome=outcome, upto=upto), 50).get_page(request.GET.get("page"))
        with transaction.atomic():
            access_event_record(
                actor=reader_actor(request),
                facts=EventFacts(
                    action=Action.AUDIT_READ,
                    outcome=Outcome.ALLOWED if allowed else Outcome.DENIED,
                    reason="ok" if allowed else Refusal.ROLE_NOT_PERMITTED,
                    quantity=len(page.object_list) if allowed else 0,
                    quantity_unit="rows",
                    details={"action": action, "outcome": outcome, "page": page.number, "upto": upto},
                ),
            )
        if not allowed:
            raise PermissionDenied(_("The access log is for supervisors, administrators and the oversight board."))
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
                "actions": Action.choices,
                "action": action,
                "outcome": outcome,
                "upto": upto,
            },
        )
