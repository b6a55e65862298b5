"""The department policy's old single-ordinance fields, moved into an ordinance of their own.

Before ordinances were versioned records (compliance.models), a department's policy carried one
ordinance as five fields: on or off, a name, the minimum consent, the kinds of property and a
"built or remodelled on or after" date. The policy page no longer shows them and nothing reads
them; a department that had them on gets, once (data migration 0010, in each department's
schema), the same ordinance as an Ordinance with one OrdinanceVersion, judged as before:

- name: the policy's, else "Registration ordinance";
- covers the policy's kinds, built or remodelled on or after its date (none: any);
- asks the policy's minimum consent, and a connected bridge when that is a live level (what the
  policy's ordinance asked: compliance.selectors judged it so);
- in force from its date, or from the day it was moved when that date is later or not given
  (it was in force before the move: a later date only said which properties it covers).

The stored judgements of that ordinance (ComplianceRecord, key "policy") are re-keyed to the new
one, so the dashboard and the public page do not wait for the nightly recomputation; the
ordinance, its version and the policy each get a history row saying where they came from. The policy's fields keep
their values (nothing saved is lost) with the switch turned off, so the old code, were it run
again, would not judge the same ordinance twice. Written for the migration's historical models
and for the app's alike; a department with the switch off changes nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import datetime as dt

__all__ = ["DEFAULT_NAME", "POLICY_RECORD_KEY", "policy_ordinance_move"]

DEFAULT_NAME = "Registration ordinance"
# The key the stored judgements of the policy's ordinance had (compliance.selectors.POLICY_KEY then).
POLICY_RECORD_KEY = "policy"
REASON = "Moved from the department policy's ordinance fields"
LIVE_LEVELS = ("live", "live_exigent")


def _history(historical: Any, row: Any, *, now: dt.datetime, kind: str = "+") -> Any:
    values = {field.attname: getattr(row, field.attname) for field in type(row)._meta.concrete_fields}
    return historical(**values, history_date=now, history_type=kind, history_change_reason=REASON, history_user_id=None)


def policy_ordinance_move(
    *,
    policy: Any,
    ordinance_model: Any,
    version_model: Any,
    historical_ordinance_model: Any,
    historical_version_model: Any,
    historical_policy_model: Any,
    record_model: Any,
    now: dt.datetime,
    today: dt.date,
) -> Any | None:
    """Move ``policy``'s ordinance fields into an ordinance (see the module); returns it, or
    None when the policy's ordinance was off."""
    if policy is None or not policy.ordinance_enabled:
        return None
    level = policy.ordinance_minimum_level or ""
    built_after = policy.ordinance_effective_date
    ordinance = ordinance_model(name=(policy.ordinance_name or "").strip()[:200] or DEFAULT_NAME)
    # The history rows are written below, the same with the migration's models (which have none
    # of simple-history's signals) as with the app's (told to skip theirs).
    ordinance.skip_history_when_saving = True
    ordinance.save()
    version = version_model(
        ordinance=ordinance,
        effective_on=min(built_after, today) if built_after else today,
        property_kinds=list(policy.ordinance_site_kinds or []),
        built_after=built_after,
        min_consent=level,
        live_connection_required=level in LIVE_LEVELS,
    )
    version.skip_history_when_saving = True
    version.save()
    historical_ordinance_model.objects.bulk_create([_history(historical_ordinance_model, ordinance, now=now)])
    historical_version_model.objects.bulk_create([_history(historical_version_model, version, now=now)])
    record_model.objects.filter(ordinance_key=POLICY_RECORD_KEY).update(
        ordinance_key=str(ordinance.public_id), ordinance_id=ordinance.pk, version_id=version.pk
    )
    policy.ordinance_enabled = False
    policy.skip_history_when_saving = True
    policy.save(update_fields=["ordinance_enabled"])
    historical_policy_model.objects.bulk_create([_history(historical_policy_model, policy, kind="~", now=now)])
    return ordinance
