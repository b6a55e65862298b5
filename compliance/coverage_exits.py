"""Sites that leave an ordinance's coverage through their owner's own edit (issue 16).

An owner may correct what decides coverage (the kind of property, the business category, the
date of construction or last remodel, units, parking spaces, floor area): the data is theirs,
and a wrong date must be fixable. But an edit that takes a site out of an ordinance it was
covered by is also the easiest way out of that ordinance, so it is never silent:

1. the site's history row of the edit says so (cameras.services.site_update saves it with the
   note this module gives; the history keeps every value before and after);
2. a ``CoverageExit`` records the ordinances left and the edit's values before and after, who
   and when, in the same transaction as the edit; the department's compliance dashboard lists
   those not yet reviewed ("left coverage after an owner edit");
3. the department's compliance staff (administrators, supervisors with the compliance duty)
   get a notice in Porchlight and by e-mail, in the same transaction (notifications.services).

Coverage is compliance.rules' own (``ordinance_covers``), before and after the edit, under the
versions in force on the department's date and the policy's ordinance: a fact blanked keeps a
site covered (nothing to flag), a business category blanked takes it out (it is flagged).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Field, Window
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cameras.models import BusinessCategory, Site, SiteKind
from core.errors import Conflict, NotFound
from notifications.models import Kind
from notifications.services import notification_send
from notifications.services import text as notice_text

from .days import local_today
from .models import CoverageExit
from .rules import OrdinanceRules, ordinance_covers
from .selectors import compliance_staff, rules_of, site_facts, versions_in_force

if TYPE_CHECKING:
    from accounts.models import User
    from cameras.access import Actor

__all__ = [
    "COVERAGE_FIELDS",
    "ExitRow",
    "coverage_exit_review",
    "coverage_exits_open",
    "site_edit_listener",
]

#: The site's fields that decide whether an ordinance covers it (compliance.rules.SiteFacts).
COVERAGE_FIELDS = ("kind", "business_category", "constructed_on", "units", "parking_spaces", "floor_area_sqft")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _ordinances_in_force() -> list[OrdinanceRules]:
    """The versions in force on the department's date (the policy's old single ordinance became
    one of them: compliance migration 0012)."""
    return [rules_of(version) for version in versions_in_force(on=local_today())]


def site_edit_listener(*, site: Site, before: dict[str, Any], actor: User) -> list[str]:
    """cameras.events.site_edited: when the owner's edit of ``site`` (new values set, not saved)
    takes it out of ordinances that covered it with the values in ``before``, record a
    CoverageExit naming them and tell the department's compliance staff, in the edit's
    transaction; returns the note for the site's history (English: a record, not a message)."""
    changes = {
        name: (before[name], getattr(site, name))
        for name in COVERAGE_FIELDS
        if name in before and before[name] != getattr(site, name)
    }
    if not changes:
        return []
    after = site_facts(site)
    previous = dataclasses.replace(after, **{name: old for name, (old, _new) in changes.items()})
    left = [rules for rules in _ordinances_in_force() if ordinance_covers(rules, previous)]
    left = [rules for rules in left if not ordinance_covers(rules, after)]
    if not left:
        return []
    names = [rules.name for rules in left]
    exit_ = CoverageExit(
        site=site,
        ordinance_keys=[rules.key for rules in left],
        ordinance_names=names,
        changes={name: [_text(old), _text(new)] for name, (old, new) in changes.items()},
        changed_by=actor,
        changed_at=timezone.now(),
    )
    exit_._history_user = actor  # type: ignore[attr-defined]  # simple-history's hook
    exit_.save()
    _staff_notify(names=names, fields=sorted(changes))
    return [f"Owner edit left ordinance coverage ({', '.join(sorted(changes))}): {'; '.join(names)}"]


def field_label(name: str) -> Any:
    """The field's name as the owner's form gives it (lazy: rendered in the reader's language)."""
    field = Site._meta.get_field(name)
    assert isinstance(field, Field)  # COVERAGE_FIELDS are the site's own columns
    return field.verbose_name


def value_label(name: str, value: str) -> str:
    """A recorded value in words: a kind or category by its label, a blank as a dash."""
    if value == "":
        return "\u2014"
    choices = {"kind": SiteKind.choices, "business_category": BusinessCategory.choices}.get(name)
    return str(dict(choices).get(value, value)) if choices else value


def _staff_notify(*, names: list[str], fields: list[str]) -> None:
    """Tell the department's compliance staff, in Porchlight and by e-mail, each in their own
    language. Like compliance's other staff notices it names no owner and no address: the
    dashboard, behind the compliance gate, shows them."""
    link = reverse("console-compliance") + "#coverage-exits"
    changed = format_lazy(", ".join("{}" for _name in fields), *(field_label(name) for name in fields))
    for user in compliance_staff():
        notification_send(
            recipient=user,
            kind=Kind.COVERAGE_LEFT,
            subject=notice_text(
                gettext_lazy("A property left %(ordinance)s after its owner's edit"), ordinance="; ".join(names)
            ),
            body=notice_text(
                gettext_lazy(
                    "A property owner changed %(fields)s of a property covered by %(ordinance)s: it is no "
                    "longer covered. The values before and after are on the compliance dashboard: check them "
                    "there and mark the change reviewed."
                ),
                fields=changed,
                ordinance="; ".join(names),
            ),
            link=link,
        )


@dataclasses.dataclass(frozen=True)
class ExitRow:
    """One flag of the dashboard: a site that left an ordinance after its owner's edit."""

    public_id: Any
    site_public_id: Any
    address: str
    business_name: str
    ordinances: list[str]
    #: (field label, value before, value after), in words.
    changes: list[tuple[str, str, str]]
    changed_at: dt.datetime


def coverage_exits_open(*, limit: int = 20) -> tuple[int, list[ExitRow]]:
    """The flags not yet reviewed, newest first: how many, and the first ``limit`` (one query:
    the count rides on each row as a window)."""
    rows = list(
        CoverageExit.objects.filter(reviewed_at__isnull=True)
        .select_related("site")
        .only(
            "public_id",
            "ordinance_names",
            "changes",
            "changed_at",
            "site__public_id",
            "site__address",
            "site__business_name",
        )
        .annotate(total=Window(Count("id")))
        .order_by("-changed_at", "-pk")[:limit]
    )
    total = int(getattr(rows[0], "total", 0)) if rows else 0  # the window's annotation
    return total, [
        ExitRow(
            public_id=row.public_id,
            site_public_id=row.site.public_id,
            address=row.site.address,
            business_name=row.site.business_name,
            ordinances=list(row.ordinance_names),
            changes=[
                (str(field_label(name)), value_label(name, before), value_label(name, after))
                for name, (before, after) in sorted(row.changes.items())
                if name in COVERAGE_FIELDS
            ],
            changed_at=row.changed_at,
        )
        for row in rows
    ]


def coverage_exit_review(*, actor: Actor, exit_public_id: Any) -> CoverageExit:
    """Mark a flag reviewed: the department saw the owner's change. Kept in the flag's history
    (who, when). NotFound for none in this department (another's lives in its own schema);
    Conflict, nothing written, when someone reviewed it already."""
    with transaction.atomic():
        try:
            exit_ = CoverageExit.objects.select_for_update().get(public_id=exit_public_id)
        except (CoverageExit.DoesNotExist, ValidationError, ValueError) as exc:
            raise NotFound(_("No such change in this department."), code="not_found", field="coverage_exit") from exc
        if exit_.reviewed_at is not None:
            raise Conflict(
                _("This change was already marked reviewed."), code="already_reviewed", field="coverage_exit"
            )
        exit_.reviewed_at = timezone.now()
        exit_.reviewed_by = actor.user
        exit_._history_user = actor.user  # type: ignore[attr-defined]  # simple-history's hook
        exit_.save(update_fields=["reviewed_at", "reviewed_by"])
    return exit_
