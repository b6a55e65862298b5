"""Reads for the city's licence files: the jobs, one job for the page that names it, the
covered businesses that are not registered, and each bad row's reason in words."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils.translation import gettext as _

from cameras.models import BusinessCategory, SiteKind

from ..models import Licence, LicenceImportJob
from ..selectors import versions_in_force
from .reader import LicenceField, RowProblem, column_letter

if TYPE_CHECKING:
    import datetime as dt
    from uuid import UUID

__all__ = [
    "category_ordinances",
    "covered_categories",
    "field_label",
    "import_job_get",
    "import_jobs_recent",
    "licences_by_ids",
    "licences_not_registered",
    "licences_not_registered_count",
    "licences_unknown",
    "row_error_sentence",
    "row_problems_by_line",
]


def import_jobs_recent(*, limit: int = 20) -> list[LicenceImportJob]:
    return list(LicenceImportJob.objects.select_related("created_by").defer("preview", "errors")[:limit])


def import_job_get(*, public_id: UUID | str) -> LicenceImportJob:
    """The department's job (the tenant's schema scopes it); raises DoesNotExist otherwise."""
    return LicenceImportJob.objects.select_related("created_by").get(public_id=public_id)


def covered_categories(*, on: dt.date) -> set[str] | None:
    """The business categories an ordinance in force covers; None when one covers every
    business (no categories named, businesses among its kinds or no kinds named)."""
    categories: set[str] = set()
    for version in versions_in_force(on=on):
        covers_businesses = not version.property_kinds or SiteKind.BUSINESS in version.property_kinds
        if not covers_businesses:
            continue
        if not version.business_categories:
            return None
        categories |= set(version.business_categories)
    return categories


def category_ordinances(*, category: str, on: dt.date) -> list[tuple[str, list[str]]]:
    """The ordinances in force on ``on`` that may cover a business of ``category``: each as
    "Name (citation)" with the conditions a licence does not tell (built or remodelled after a
    date, a number of units, parking spaces or floor area), worded for the invitation."""
    out = []
    for version in versions_in_force(on=on):
        if version.property_kinds and SiteKind.BUSINESS not in version.property_kinds:
            continue
        if version.business_categories and category not in version.business_categories:
            continue
        ordinance = version.ordinance
        conditions = []
        if version.built_after:
            conditions.append(
                _("it was built or remodelled on or after %(date)s") % {"date": version.built_after.isoformat()}
            )
        if version.min_units:
            conditions.append(_("it has at least %(n)s units") % {"n": version.min_units})
        if version.min_parking_spaces:
            conditions.append(_("it has at least %(n)s parking spaces") % {"n": version.min_parking_spaces})
        if version.min_floor_area_sqft:
            conditions.append(_("it has at least %(n)s square feet") % {"n": version.min_floor_area_sqft})
        out.append((ordinance.name + (f" ({ordinance.citation})" if ordinance.citation else ""), conditions))
    return out


def _not_registered(*, on: dt.date) -> QuerySet[Licence]:
    covered = covered_categories(on=on)
    rows = Licence.objects.filter(site__isnull=True).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=on))
    if covered is not None:
        rows = rows.filter(category__in=covered)
    return rows


def licences_not_registered(
    *, on: dt.date, category: str = "", query: str = "", not_invited: bool = False
) -> QuerySet[Licence]:
    """Licences of covered businesses matched to no registered site, not expired on ``on``,
    with how many invitations each was sent and when the last was."""
    rows = _not_registered(on=on)
    if category:
        rows = rows.filter(category=category)
    query = query.replace("\x00", "")  # PostgreSQL text cannot hold NUL: it would be a 500
    if query:
        rows = rows.filter(Q(name__icontains=query) | Q(address__icontains=query) | Q(number__iexact=query))
    rows = rows.annotate(invitations_count=Count("invitations"), last_invited_at=Max("invitations__sent_at"))
    if not_invited:
        rows = rows.filter(invitations_count=0)
    return rows.order_by("name", "number")


def licences_not_registered_count(*, on: dt.date) -> int:
    """How many covered businesses are not registered (licences_not_registered), in one count."""
    return _not_registered(on=on).count()


def licences_by_ids(*, public_ids: list[Any], on: dt.date) -> list[Licence]:
    """The not-registered licences among ``public_ids`` (others are ignored: a licence matched
    since, or an id from elsewhere)."""
    return list(licences_not_registered(on=on).filter(public_id__in=public_ids))


def licences_unknown(*, public_ids: list[str]) -> set[str]:
    """The ids among ``public_ids`` (well-formed UUIDs) that name no licence of this
    department: another department's (its licences live in its own schema) or none. A
    licence matched to a site since, or expired, is this department's: not unknown."""
    known = {
        str(value) for value in Licence.objects.filter(public_id__in=public_ids).values_list("public_id", flat=True)
    }
    return set(public_ids) - known


def field_label(name: str) -> str:
    labels = {
        LicenceField.NUMBER: _("licence or permit number"),
        LicenceField.NAME: _("business name"),
        LicenceField.ADDRESS: _("address"),
        LicenceField.CITY: _("city"),
        LicenceField.STATE: _("state"),
        LicenceField.POSTAL_CODE: _("ZIP code"),
        LicenceField.PARCEL: _("parcel number"),
        LicenceField.CATEGORY: _("business category"),
        LicenceField.ISSUED_ON: _("date issued"),
        LicenceField.EXPIRES_ON: _("expiry date"),
        LicenceField.RENEWS_ON: _("renewal date"),
        LicenceField.EMAIL: _("e-mail address"),
    }
    try:
        return str(labels[LicenceField(name)])
    except ValueError:
        return name


def row_error_sentence(error: dict[str, Any]) -> str:
    """A bad row's reason, in the reader's language (stored as a code and its values)."""
    problem = error.get("problem")
    params = dict(error.get("params") or {})
    if "field" in params:
        params["field"] = field_label(params["field"])
    sentences = {
        RowProblem.MISSING: _("The %(field)s is empty."),
        RowProblem.TOO_LONG: _("The %(field)s is longer than %(limit)s characters."),
        RowProblem.BAD_DATE: _(
            "The %(field)s '%(value)s' is not a date read here (e.g. 2026-05-01, 05/01/2026 or 1 May 2026)."
        ),
        RowProblem.UNKNOWN_CATEGORY: _(
            "The category '%(value)s' is not one Porchlight knows; choose 'read unknown categories as Other' "
            "or correct it."
        ),
        RowProblem.BAD_EMAIL: _("'%(value)s' is not an e-mail address."),
        RowProblem.DUPLICATE: _("The number %(number)s is already on line %(first_line)s of the file."),
        RowProblem.SHORT_ROW: _("The row has %(columns)s columns; the header has %(expected)s."),
        RowProblem.UNREADABLE: _(
            "This row could not be read: a value is longer than %(limit)s characters "
            "(perhaps a quote that is never closed). The rows after it were read."
        ),
        RowProblem.DATE_OUT_OF_RANGE: _(
            "The %(field)s '%(value)s' is not a plausible date (give one from 1900 to 2100): perhaps a "
            "placeholder of the export."
        ),
        RowProblem.BAD_STATE: _("The state '%(value)s' is not a state's two-letter postal code (e.g. CA)."),
        RowProblem.BAD_POSTAL_CODE: _(
            "The ZIP code '%(value)s' is not one (5 digits, or ZIP+4 as 92376-1234); a spreadsheet may have "
            "dropped its leading zero."
        ),
        RowProblem.EXPIRES_BEFORE_ISSUED: _("The licence expires (%(expires)s) before it was issued (%(issued)s)."),
        RowProblem.UNCLOSED_QUOTE: _(
            "A quote opened on this line is never closed: the rest of the file was read as one value. "
            "Close the quote and import the file again."
        ),
    }
    template = sentences.get(RowProblem(problem)) if problem in set(RowProblem) else None
    if template is None:
        return _("This row could not be read.")
    try:
        return template % params
    except (KeyError, TypeError, ValueError):
        return _("This row could not be read.")


def column_label(column: Any, *, columns: list[str], has_header: bool) -> str:
    """A column as the page names it: its letter, and its title when the file has a header
    ("E: Expiration Date"); "" for a problem of the whole row."""
    if not isinstance(column, int) or column < 0:
        return ""
    title = str(columns[column]).strip()[:40] if has_header and column < len(columns) else ""
    return f"{column_letter(column)}: {title}" if title else column_letter(column)


def row_problems_by_line(
    errors: list[dict[str, Any]], *, columns: list[str], has_header: bool
) -> list[tuple[int, list[tuple[str, str]]]]:
    """The job's bad rows, each once with every problem found in it: ``(line, [(column,
    sentence), ...])`` in the file's order, in the reader's language."""
    grouped: dict[int, list[tuple[str, str]]] = {}
    for error in errors:
        column = column_label(error.get("column"), columns=columns, has_header=has_header)
        grouped.setdefault(int(error.get("line") or 0), []).append((column, row_error_sentence(error)))
    return list(grouped.items())


def category_choices() -> list[tuple[str, str]]:
    return [(str(value), str(label)) for value, label in BusinessCategory.choices]
