"""Ordinance changes for the oversight board's administrative changes (audit.admin_changes).

Issue 15 lists ordinance changes among what the board sees, with who and when. They are read
from the ordinances' and versions' history (simple-history; the service and the Django admin
set the acting user), never typed in: an ordinance added, a version added (with the date it
comes into force), an edit of either (the fields, old → new), a retirement (the date from
which it no longer applies) and a deletion. Registered with
the log in ComplianceConfig.ready(): the log imports nothing above it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.admin_changes import AdminChange, person_label, value_words
from audit.models import AccessEvent, Action

from .models import Ordinance, OrdinanceVersion

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable

__all__ = ["INVITATION_KINDS", "ORDINANCE_CHANGE_KINDS", "licence_invitations", "ordinance_changes"]

ORDINANCE_CHANGE_KINDS: dict[str, Any] = {
    "ordinance_added": _("Ordinance added"),
    "ordinance_version_added": _("Ordinance version added"),
    "ordinance_changed": _("Ordinance changed"),
    "ordinance_deleted": _("Ordinance deleted"),
    "ordinance_retired": _("Ordinance retired"),
}

# Fields whose change is bookkeeping, not the law.
_IGNORED = {"id", "created_at", "public_id", "ordinance"}


def _in_force(effective_on: dt.date) -> str:
    return gettext("in force from %(date)s") % {"date": effective_on.isoformat()}


def _diff(model: Any, before: Any, row: Any) -> str:
    def label(field: str) -> str:
        return str(getattr(model._meta.get_field(field), "verbose_name", field))

    return "; ".join(
        f"{label(c.field)}: {value_words(c.old)} → {value_words(c.new)}"
        for c in row.diff_against(before).changes
        if c.field not in _IGNORED
    )


def _rows(history: Any, end: dt.datetime | None) -> list[Any]:
    """Each object's whole history up to ``end`` (ordinances are few, their histories short), in
    order, so each row can be compared with the one before it."""
    rows = history.all() if end is None else history.filter(history_date__lt=end)
    return list(rows.order_by("id", "history_date", "history_id"))


def ordinance_changes(start: dt.datetime | None, end: dt.datetime | None) -> Iterable[AdminChange]:
    """The ordinance changes made between ``start`` and ``end`` (audit.admin_changes.Source)."""
    ordinances = _rows(Ordinance.history, end)
    versions = _rows(OrdinanceVersion.history, end)
    actors = {
        u.pk: u
        for u in User.objects.filter(pk__in={r.history_user_id for r in ordinances + versions if r.history_user_id})
    }
    names = {r.id: r.name for r in ordinances}  # each ordinance's latest name, for its versions

    def changes(rows: list[Any], model: Any) -> Iterable[AdminChange]:
        previous: dict[int, Any] = {}
        for row in rows:
            before = previous.get(row.id)
            previous[row.id] = row
            if start is not None and row.history_date < start:
                continue
            who = person_label(actors.get(row.history_user_id))
            ordinance = names.get(row.ordinance_id, "") if model is OrdinanceVersion else row.name
            where = _in_force(row.effective_on) if model is OrdinanceVersion else ""
            if row.history_type == "+":
                kind = "ordinance_version_added" if model is OrdinanceVersion else "ordinance_added"
                yield AdminChange(row.history_date, kind, who, ordinance, where)
            elif row.history_type == "-":
                yield AdminChange(row.history_date, "ordinance_deleted", who, ordinance, where)
            elif model is Ordinance and before is not None and before.repealed_on is None and row.repealed_on:
                retired = gettext("no longer in force from %(date)s") % {"date": row.repealed_on.isoformat()}
                yield AdminChange(row.history_date, "ordinance_retired", who, ordinance, retired)
            elif before is not None:
                diff = _diff(model, before, row)
                if diff:
                    change = f"{where}: {diff}" if where else diff
                    yield AdminChange(row.history_date, "ordinance_changed", who, ordinance, change)

    yield from changes(ordinances, Ordinance)
    yield from changes(versions, OrdinanceVersion)


# Invitations to register sent to businesses a licence import found unregistered: not a change
# of the department's set-up, but an administrator acting toward the public on the city's file,
# which the board asked to see with who and when. Read from the log's ``licence_invite`` events
# (counts and the import's file name, no business named).
INVITATION_KINDS: dict[str, Any] = {"licence_invitations_sent": _("Invitations to register sent")}


def licence_invitations(start: dt.datetime | None, end: dt.datetime | None) -> Iterable[AdminChange]:
    """The invitations sent between ``start`` and ``end`` (audit.admin_changes.Source)."""
    events = AccessEvent.objects.filter(action=Action.LICENCE_INVITE)
    if start is not None:
        events = events.filter(occurred_at__gte=start)
    if end is not None:
        events = events.filter(occurred_at__lt=end)
    for event in events.order_by("seq"):
        details = event.details
        sent, selected = int(details.get("sent", 0)), int(details.get("selected", 0))
        if details.get("channel") == "email":
            what = ngettext("%(n)s e-mail", "%(n)s e-mails", sent) % {"n": sent}
        else:
            what = ngettext("%(n)s letter", "%(n)s letters", sent) % {"n": sent}
        of = ngettext("%(n)s business selected", "%(n)s businesses selected", selected) % {"n": selected}
        files = ", ".join(str(item.get("file", "")) for item in details.get("imports", []))
        who = f"{event.actor_label} (#{event.actor_badge})" if event.actor_badge else event.actor_label
        yield AdminChange(event.occurred_at, "licence_invitations_sent", who, files, f"{what} ({of})")
