"""What administrators changed, for the oversight board: who, when, what.

Read from simple-history's tables (staff accounts: invitations, role changes, deactivations;
the department's policy) and from the log's own administrative actions (a break of the chain
acknowledged by an operator). Nothing here is typed in by hand.

Apps above the log (ordinances in compliance, integrations in incidents) plug in their own
changes with ``admin_change_source_register`` in their AppConfig.ready(): the log imports
nothing above accounts, so they come to it (a downward import), not it to them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from django.db import connection
from django.utils.translation import gettext_lazy as _

from accounts.models import STAFF_ROLES, Role, User
from tenants.models import DepartmentPolicy

from .models import AccessEvent, Action

__all__ = [
    "AdminChange",
    "admin_change_kinds",
    "admin_change_source_register",
    "admin_changes",
    "person_label",
    "value_words",
]

# A department's administrative history is hundreds of rows a year; a page shows the newest.
MAX_CHANGES = 500


@dataclass(frozen=True)
class AdminChange:
    at: dt.datetime
    kind: str  # a code of admin_change_kinds()
    who: str  # the administrator, by name and badge; "" when history did not record one
    subject: str  # whom or what it changed
    change: str  # what changed, in words


# (kind code, label), then the function that lists a kind's changes between two times.
Source = Callable[[dt.datetime | None, dt.datetime | None], Iterable[AdminChange]]
_KINDS: dict[str, Any] = {
    "staff_invited": _("Staff invited"),
    "role_changed": _("Role changed"),
    "deactivated": _("Account deactivated"),
    "reactivated": _("Account reactivated"),
    "policy_changed": _("Policy changed"),
    "log_reanchored": _("Log break acknowledged"),
}
_SOURCES: list[Source] = []


def admin_change_source_register(*, kinds: dict[str, Any], source: Source) -> None:
    """Add a source of administrative changes (an app above the log, from its ready())."""
    _KINDS.update(kinds)
    if source not in _SOURCES:
        _SOURCES.append(source)


def admin_change_kinds() -> list[tuple[str, Any]]:
    return list(_KINDS.items())


def person_label(user: User | None) -> str:
    """Who made a change, as the board reads it: name (or e-mail) and badge."""
    if user is None:
        return ""
    return (
        f"{user.full_name or user.email} (#{user.badge_number})" if user.badge_number else user.full_name or user.email
    )


def _in_range(queryset: Any, start: dt.datetime | None, end: dt.datetime | None, field: str = "history_date") -> Any:
    if start is not None:
        queryset = queryset.filter(**{f"{field}__gte": start})
    if end is not None:
        queryset = queryset.filter(**{f"{field}__lt": end})
    return queryset


def _staff_changes(start: dt.datetime | None, end: dt.datetime | None) -> Iterable[AdminChange]:
    """Invitations, role changes and (re)activations of staff accounts, from the users' history.
    Residents' own sign-ups and edits are not administration and are left out. Each row is
    compared with the user's row before it: the whole history of every staff member changed
    in the range is read in one query (staff histories are short)."""
    # Only staff rows: a role never switches between staff and owner (accounts.services), so a
    # staff row's previous row is staff too, and the residents' many rows are never read.
    staff_history = User.history.filter(role__in=STAFF_ROLES)
    ids = _in_range(staff_history, start, end).values_list("id", flat=True).distinct()
    rows = list(
        staff_history.filter(id__in=ids).select_related("history_user").order_by("id", "history_date", "history_id")
    )
    previous: dict[int, Any] = {}
    for row in rows:
        before = previous.get(row.id)
        previous[row.id] = row
        if (start is not None and row.history_date < start) or (end is not None and row.history_date >= end):
            continue
        who, subject = person_label(row.history_user), person_label(row)
        if row.history_type == "+":  # invited by an administrator, or made by the operator (no one)
            yield AdminChange(row.history_date, "staff_invited", who, subject, str(Role(row.role).label))
            continue
        if before is None:
            continue
        if before.role != row.role:
            change = f"{_role(before.role)} → {_role(row.role)}"
            yield AdminChange(row.history_date, "role_changed", who, subject, change)
        if before.is_active and not row.is_active:
            yield AdminChange(row.history_date, "deactivated", who, subject, "")
        if not before.is_active and row.is_active:
            yield AdminChange(row.history_date, "reactivated", who, subject, "")


def _role(code: str) -> str:
    return str(Role(code).label) if code in Role.values else code


def value_words(value: Any) -> str:
    """A policy field's value as the board reads it in a change ("15 → 10")."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "—"
    return str(value)


def _policy_changes(start: dt.datetime | None, end: dt.datetime | None) -> Iterable[AdminChange]:
    """Edits of this department's policy (kept in the public schema, by department)."""
    tenant = getattr(connection, "tenant", None)
    if tenant is None or getattr(tenant, "pk", None) is None:
        return
    rows = list(
        _in_range(
            DepartmentPolicy.history.filter(department_id=tenant.pk),
            None,
            end,
        ).order_by("history_date", "history_id")
    )
    actors = {u.pk: u for u in User.objects.filter(pk__in={r.history_user_id for r in rows if r.history_user_id})}
    for before, row in pairwise(rows):
        if start is not None and row.history_date < start:
            continue
        fields = [
            f"{getattr(DepartmentPolicy._meta.get_field(c.field), 'verbose_name', c.field)}: "
            f"{value_words(c.old)} → {value_words(c.new)}"
            for c in row.diff_against(before).changes
            if c.field != "updated_at"
        ]
        if not fields:
            continue
        who = person_label(actors.get(row.history_user_id)) or row.history_user_email
        yield AdminChange(row.history_date, "policy_changed", who, str(_("Department policy")), "; ".join(fields))


def _log_changes(start: dt.datetime | None, end: dt.datetime | None) -> Iterable[AdminChange]:
    events = _in_range(AccessEvent.objects.filter(action=Action.CHAIN_REANCHORED), start, end, "occurred_at")
    for event in events.order_by("seq"):
        yield AdminChange(
            event.occurred_at,
            "log_reanchored",
            event.actor_label,
            str(_("Access log")),
            str(event.details.get("reason", "")),
        )


_SOURCES.extend([_staff_changes, _policy_changes, _log_changes])


def admin_changes(
    *, start: dt.datetime | None = None, end: dt.datetime | None = None, kind: str = ""
) -> list[AdminChange]:
    """Every source's changes between ``start`` and ``end``, newest first, at most MAX_CHANGES."""
    changes = [change for source in _SOURCES for change in source(start, end) if not kind or change.kind == kind]
    changes.sort(key=lambda change: change.at or dt.datetime.min.replace(tzinfo=dt.UTC), reverse=True)
    return changes[:MAX_CHANGES]
