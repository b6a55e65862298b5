"""The department administrator's changes to its ordinances (console.ordinance_views): add one
with its first version (compliance.services.ordinance_version_add), rename it or correct its
citation and link, edit a version that is not yet in force, retire the ordinance from a date.

Every change keeps its history with the acting user (simple-history), which is what the oversight
board's administrative changes read (compliance.admin_changes), and every site is judged again
after it commits (the outbox). A version already in force is never edited: it is the law sites
were judged by; a change of the law is a new version from its date. Refusals are ValidationError
naming the field, or NotFound for an ordinance that is not this department's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import NotFound

from .models import Ordinance, OrdinanceVersion
from .records import records_refresh_all_on_commit
from .selectors import version_problems
from .services import local_today

if TYPE_CHECKING:
    import datetime as dt

    from accounts.models import User
    from tenants.models import DepartmentPolicy

__all__ = [
    "ordinance_get",
    "ordinance_retire",
    "ordinance_retire_problems",
    "ordinance_update",
    "ordinance_version_get",
    "ordinance_version_update",
    "version_editable",
]


def ordinance_get(*, public_id: Any) -> Ordinance:
    """This department's ordinance by its public id; NotFound for none (another department's
    ordinances live in another schema, so they are none here)."""
    try:
        return Ordinance.objects.get(public_id=public_id)
    except (Ordinance.DoesNotExist, ValueError, ValidationError) as exc:
        raise NotFound(_("No such ordinance."), code="ordinance_not_found") from exc


def ordinance_version_get(*, ordinance: Ordinance, version_id: Any) -> OrdinanceVersion:
    try:
        return OrdinanceVersion.objects.select_related("ordinance").get(ordinance=ordinance, pk=int(version_id))
    except (OrdinanceVersion.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("No such version of this ordinance."), code="ordinance_version_not_found") from exc


def version_editable(version: OrdinanceVersion, *, today: dt.date | None = None) -> bool:
    """A version may be edited until the day it comes into force (the department's date)."""
    return version.effective_on > (today or local_today())


def ordinance_update(*, actor: User, ordinance_public_id: Any, name: str, citation: str, text_url: str) -> Ordinance:
    """Rename an ordinance or correct its citation or link."""
    with transaction.atomic():
        ordinance = Ordinance.objects.select_for_update().get(pk=ordinance_get(public_id=ordinance_public_id).pk)
        ordinance.name, ordinance.citation, ordinance.text_url = name.strip(), citation.strip(), text_url.strip()
        ordinance.full_clean()
        ordinance._history_user = actor  # type: ignore[attr-defined]  # simple-history's hook
        ordinance.save()
        records_refresh_all_on_commit()  # the stored rows carry the ordinance's name
    return ordinance


def ordinance_version_update(
    *,
    actor: User,
    policy: DepartmentPolicy | None,
    ordinance_public_id: Any,
    version_id: Any,
    effective_on: dt.date,
    **requirements: Any,
) -> OrdinanceVersion:
    """Edit a version not yet in force (its date may move, but not to today or before: that
    would change how sites were already judged). Refused with the field named otherwise, when a
    value is invalid, the date is another version's, or it contradicts the policy."""
    today = local_today()
    with transaction.atomic():
        ordinance = ordinance_get(public_id=ordinance_public_id)
        version = OrdinanceVersion.objects.select_for_update().get(
            pk=ordinance_version_get(ordinance=ordinance, version_id=version_id).pk
        )
        if not version_editable(version, today=today):
            raise ValidationError(
                _(
                    "This version is already in force: sites have been judged by it. To change what the "
                    "ordinance requires, make a new version from the date the change applies."
                )
            )
        if effective_on <= today:
            raise ValidationError({"effective_on": _("A version edited here must still come into force after today.")})
        if ordinance.versions.filter(effective_on=effective_on).exclude(pk=version.pk).exists():
            raise ValidationError({"effective_on": _("This ordinance already has a version in force from that date.")})
        version.effective_on = effective_on
        for name, value in requirements.items():
            setattr(version, name, value)
        version.full_clean()
        problems = version_problems(version, policy=policy)
        if problems:
            raise ValidationError(problems)
        version._history_user = actor  # type: ignore[attr-defined]
        version.save()
        records_refresh_all_on_commit()
    return version


def ordinance_retire_problems(*, ordinance: Ordinance, repealed_on: dt.date) -> None:
    """Raise the ValidationError (naming ``repealed_on``) that retiring ``ordinance`` from
    ``repealed_on`` would meet, so that the confirmation page refuses before it asks: already
    retired, or a date on or before its first version came into force."""
    if ordinance.repealed_on is not None:
        raise ValidationError(
            {
                "repealed_on": _("This ordinance is already retired, from %(date)s.")
                % {"date": ordinance.repealed_on.isoformat()}
            }
        )
    first = ordinance.versions.order_by("effective_on").values_list("effective_on", flat=True).first()
    if first is not None and repealed_on <= first:
        raise ValidationError(
            {
                "repealed_on": _("An ordinance cannot be retired on or before its first version (%(date)s).")
                % {"date": first.isoformat()}
            }
        )


def ordinance_retire(*, actor: User, ordinance_public_id: Any, repealed_on: dt.date) -> Ordinance:
    """Retire an ordinance from ``repealed_on`` (repealed, or a program that ended): from that
    day no site is judged by it. Its versions, attestations and inspections stay. Once only; not
    before its first version came into force."""
    with transaction.atomic():
        ordinance = Ordinance.objects.select_for_update().get(pk=ordinance_get(public_id=ordinance_public_id).pk)
        ordinance_retire_problems(ordinance=ordinance, repealed_on=repealed_on)
        ordinance.repealed_on = repealed_on
        ordinance._history_user = actor  # type: ignore[attr-defined]
        ordinance.save()
        records_refresh_all_on_commit()
    return ordinance
