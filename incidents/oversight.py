"""The integrations' administrative changes, for the oversight board's page of them
(audit.admin_changes): read from the access log's ``integration_change`` events."""

import datetime as dt
from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from audit.admin_changes import AdminChange
from audit.models import AccessEvent, Action

__all__ = ["KINDS", "integration_changes"]

KINDS = {"integration_changed": _("Integration changed")}

_CHANGES = {
    "created": _("added (%(kind)s, %(shape)s; secret fingerprint %(fingerprint)s)"),
    "rotated": _("secret rotated (new fingerprint %(fingerprint)s)"),
    "deactivated": _("deactivated"),
    "reactivated": _("reactivated"),
}


def integration_changes(start: dt.datetime | None, end: dt.datetime | None) -> Iterable[AdminChange]:
    events = AccessEvent.objects.filter(action=Action.INTEGRATION_CHANGE)
    if start is not None:
        events = events.filter(occurred_at__gte=start)
    if end is not None:
        events = events.filter(occurred_at__lt=end)
    for event in events.order_by("seq"):
        details = event.details
        words = _CHANGES.get(str(details.get("change", "")))
        change = str(words) % {k: details.get(k, "") for k in ("kind", "shape", "fingerprint")} if words else ""
        who = f"{event.actor_label} (#{event.actor_badge})" if event.actor_badge else event.actor_label
        yield AdminChange(event.occurred_at, "integration_changed", who, str(details.get("name", "")), change)
