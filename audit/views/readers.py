"""Who reads the board's pages, and how a reading is logged.

Every page of the board's workspace (the dashboard, the search and its exports, the
administrative changes, the anomaly queue, complaints and records requests, the annual report)
is the board's (accounts.models.BOARD_ROLES, issue 15: role oversight) in a session that passed
MFA; the log's own page is also read by the department's supervisors and administrators
(AUDIT_READER_ROLES), who review their own log there. Anyone else is told the page does not
exist (404), whatever the method, and the attempt is logged as a refused audit_read. (Staff
without MFA never reach a view: accounts' middleware sends them to set it up, or to sign in
again with their code, first; audit.middleware logs that attempt, reason ``mfa_required``,
just before.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils.cache import add_never_cache_headers

from accounts.models import AUDIT_READER_ROLES, BOARD_ROLES
from accounts.selectors import actor_label, session_passed_mfa

from ..models import Action, Outcome
from ..reasons import Refusal
from ..services import ActorSnapshot, EventFacts, access_event_record, session_key_hash

if TYPE_CHECKING:
    from collections.abc import Mapping

    from accounts.authenticated import AuthenticatedHttpRequest

__all__ = [
    "AUDIT_READER_ROLES",
    "BoardReaderMixin",
    "filter_refusal_record",
    "reader_actor",
    "reading_record",
    "write_refusal_record",
]


def reader_actor(request: AuthenticatedHttpRequest) -> ActorSnapshot:
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


def reading_record(
    request: HttpRequest,
    *,
    action: str,
    allowed: bool,
    quantity: int | None,
    details: dict[str, Any],
    reason: str = "",
) -> None:
    """One reading of the log (or a refused one: ``reason`` says why, by default the role)."""
    with transaction.atomic():
        access_event_record(
            actor=reader_actor(cast("AuthenticatedHttpRequest", request)),
            facts=EventFacts(
                action=action,
                outcome=Outcome.ALLOWED if allowed else Outcome.DENIED,
                reason="ok" if allowed else (reason or Refusal.ROLE_NOT_PERMITTED),
                quantity=quantity,
                quantity_unit="rows" if quantity is not None else "",
                details=details,
            ),
        )


def filter_refusal_record(request: HttpRequest, *, view: str, errors: Mapping[str, Any]) -> None:
    """A reading refused for its filter (a bad or unknown one): nothing is read, and the attempt
    is logged with the names of the fields in error, not their values."""
    reading_record(
        request,
        action=Action.AUDIT_READ,
        allowed=False,
        quantity=0,
        reason=Refusal.INVALID_FILTER,
        details={"view": view, "errors": sorted(errors)},
    )


def write_refusal_record(
    request: HttpRequest, *, action: str, details: dict[str, Any], reason: str = Refusal.ROLE_NOT_PERMITTED
) -> None:
    """A write the reader may not make (a role that only reads), or of something that is not
    there: refused (the view answers 404) and logged as the action refused."""
    reading_record(request, action=action, allowed=False, quantity=None, reason=reason, details=details)


class BoardReaderMixin(LoginRequiredMixin):
    """The board's pages, for the board (BOARD_ROLES), MFA'd; to anyone else the page does not
    exist, and they are logged. The log's own page widens ``reader_roles`` to the department's
    readers of its log (AUDIT_READER_ROLES)."""

    reader_roles: frozenset[str] = BOARD_ROLES

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            # The usual redirect to sign in, the same whatever the address names (a record that
            # exists or not: nothing is looked up before this), with only the address they typed
            # in ``next``; kept by no cache, since a signed-in member gets the page at that address.
            to_sign_in = self.handle_no_permission()
            add_never_cache_headers(to_sign_in)
            return to_sign_in
        if request.user.role not in self.reader_roles or not session_passed_mfa(request.session):
            reading_record(
                request, action=Action.AUDIT_READ, allowed=False, quantity=0, details={"path": request.path[:200]}
            )
            raise Http404
        response = super().dispatch(request, *args, **kwargs)
        # What the log says (case numbers, officers) is kept by no cache, the browser's included.
        add_never_cache_headers(response)
        return response
