"""Licences imported twice before numbers were compared by their letters and digits ("L-1" and
"l-1" in one department's file, or in two files): one licence, two rows. This merges each such
group into its oldest row, the one a re-import already updates (services.licences_upsert):

- the survivor takes the values of the row imported last (the city's latest word on the
  licence, as a re-import would have written them), and keeps its own site link unless only
  a duplicate was matched to one;
- every invitation sent to a duplicate is moved to the survivor (the record of the sending
  stays; deleting a duplicate would otherwise delete its invitations with it);
- each duplicate's deletion and the survivor's change are written to the licences' history,
  with the reason naming the numbers merged, so what each row said stays readable.

Run by the data migration compliance 0009 in every department's schema (once, with the
migration's historical models) and idempotent: a department with no duplicates changes
nothing. The model classes are passed in so that the migration and the tests run the same
code; no service above this is called (a migration has none).
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from .addresses import reference_key

if TYPE_CHECKING:
    import datetime as dt

__all__ = ["licences_merge_duplicates"]

# The fields the survivor takes from the row imported last (services.LICENCE_FIELDS, and the
# import that wrote them).
MERGED_FIELDS = (
    "number",
    "parcel_number",
    "name",
    "address",
    "city",
    "state",
    "postal_code",
    "address_key",
    "category",
    "category_raw",
    "issued_on",
    "expires_on",
    "renews_on",
    "email",
    "import_job_id",
)


def _history(historical: Any, licence: Any, *, kind: str, reason: str, now: dt.datetime) -> Any:
    values = {field.attname: getattr(licence, field.attname) for field in type(licence)._meta.concrete_fields}
    return historical(
        **values, history_date=now, history_type=kind, history_change_reason=reason[:100], history_user_id=None
    )


def licences_merge_duplicates(
    *, licence_model: Any, historical_model: Any, invitation_model: Any, now: dt.datetime
) -> int:
    """Merge every group of licences of one source whose numbers have the same reference_key
    into its oldest row (see the module). Returns how many rows were merged away."""
    groups: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for licence in licence_model.objects.order_by("created_at", "pk"):
        groups[(licence.source, reference_key(licence.number))].append(licence)
    merged = 0
    for (_source, _key), rows in groups.items():
        if len(rows) < 2:  # a group of one is no duplicate
            continue
        survivor, duplicates = rows[0], rows[1:]
        latest = max(rows, key=lambda row: (row.updated_at, row.pk))
        reason = "merged duplicate licences " + ", ".join(row.number for row in rows)
        invitation_model.objects.filter(licence__in=[row.pk for row in duplicates]).update(licence=survivor)
        historical_model.objects.bulk_create(
            [_history(historical_model, row, kind="-", reason=reason, now=now) for row in duplicates]
        )
        for row in duplicates:
            # The history rows are written here, the same with the migration's models (which
            # have none of simple-history's signals) as with the app's (told to skip theirs).
            row.skip_history_when_saving = True
            row.delete()
        for name in MERGED_FIELDS:
            setattr(survivor, name, getattr(latest, name))
        if survivor.site_id is None:
            matched = next((row for row in duplicates if row.site_id is not None), None)
            if matched is not None:
                survivor.site_id, survivor.matched_by = matched.site_id, matched.matched_by
        survivor.updated_at = now
        survivor.skip_history_when_saving = True
        survivor.save()
        _history(historical_model, survivor, kind="~", reason=reason, now=now).save()
        merged += len(duplicates)
    return merged
