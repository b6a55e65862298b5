"""From a sender's JSON to the facts of an incident, per payload format (Integration.shape).

Each format is documented with an example in docs/webhooks.md (a test keeps the two in step).
A mapping validates everything it reads and refuses with a message that names the field and
what is wrong: a missing field, a string too long, a time more than a few minutes ahead or
long past, coordinates that are no place on Earth (or the null island 0, 0 that broken GPS
sends), a point outside the department's boundary, an address its address index does not
know. Nothing else of the body is kept: a plate-reader hit keeps its id, time, place, hotlist
category and plate, never the vehicle's photo, make or the reader's other readings.

No clock and no geocoder of its own: ``now`` and ``locate`` are given, so the module reads as
its specification and its tests run without a network.
"""

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.gis.geos import MultiPolygon, Point
from django.contrib.gis.geos.prepared import PreparedGeometry
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from core.errors import Invalid

from .models import PayloadShape
from .services import IncidentFacts

__all__ = ["FUTURE_TOLERANCE", "PAST_LIMIT", "Mapped", "PayloadInvalid", "hotlist_category_normal", "payload_map"]

# Clocks drift and CAD servers are not all on NTP: a time up to 5 minutes ahead is skew, more
# is a wrong clock or a typed date. An update of an incident a month old is history, not a
# real-time event; such a time is refused rather than put on today's map.
FUTURE_TOLERANCE = dt.timedelta(minutes=5)
PAST_LIMIT = dt.timedelta(days=30)
# The generic form's free details: a few short facts for the console, not a document store.
DETAILS_MAX_KEYS = 20
DETAIL_TEXT_MAX = 200
PLATE_MAX = 16
_NOT_WORD = re.compile(r"[^0-9a-z]+")

Locate = Callable[[str], Point | None]


class PayloadInvalid(Invalid):
    """A delivery whose content cannot make an incident; the message names the field."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message, code="payload_invalid", field=field)


@dataclass(frozen=True)
class Mapped:
    facts: IncidentFacts
    # A plate-reader hit's hotlist category (the policy decides whether it is kept); "" otherwise.
    hotlist_category: str = ""
    # What of the body is kept once processed (plate-reader hits: only the fields read).
    kept_body: dict[str, Any] | None = field(default=None)


@dataclass(frozen=True)
class _Context:
    now: dt.datetime
    boundary: MultiPolygon | PreparedGeometry | None
    locate: Locate


def _get(body: Mapping[str, Any], path: str) -> Any:
    value: Any = body
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _text(body: Mapping[str, Any], path: str, *, max_length: int, required: bool = False) -> str:
    value = _get(body, path)
    if value is None or value == "":
        if required:
            raise PayloadInvalid(_("%(field)s is missing.") % {"field": path}, field=path)
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise PayloadInvalid(_("%(field)s must be text.") % {"field": path}, field=path)
    text = str(value).strip()
    if required and not text:
        raise PayloadInvalid(_("%(field)s is missing.") % {"field": path}, field=path)
    if len(text) > max_length:
        raise PayloadInvalid(
            _("%(field)s is longer than %(max)s characters.") % {"field": path, "max": max_length}, field=path
        )
    return text


def _time(body: Mapping[str, Any], path: str, context: _Context) -> dt.datetime:
    value = _get(body, path)
    if value is None or value == "":
        raise PayloadInvalid(_("%(field)s is missing.") % {"field": path}, field=path)
    try:
        parsed = parse_datetime(value) if isinstance(value, str) else None
    except ValueError:  # well formed but no time: month 13, an offset of 99 hours
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise PayloadInvalid(
            _("%(field)s must be an ISO 8601 time with its time zone, e.g. 2026-12-07T13:05:00Z.") % {"field": path},
            field=path,
        )
    if parsed > context.now + FUTURE_TOLERANCE:
        raise PayloadInvalid(
            _("%(field)s is more than 5 minutes in the future: check the sender's clock.") % {"field": path},
            field=path,
        )
    if parsed < context.now - PAST_LIMIT:
        raise PayloadInvalid(_("%(field)s is more than 30 days in the past.") % {"field": path}, field=path)
    return parsed


def _number(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PayloadInvalid(_("%(field)s must be a number.") % {"field": path}, field=path)
    try:
        number = float(value)
    except OverflowError:  # a whole number beyond a double's range: no coordinate at all
        number = math.inf if value > 0 else -math.inf
    if math.isnan(number):
        raise PayloadInvalid(_("%(field)s must be a number.") % {"field": path}, field=path)
    return number


def _point(lat_value: Any, lon_value: Any, *, lat_path: str, lon_path: str, context: _Context) -> Point:
    if lat_value is None:
        raise PayloadInvalid(_("%(field)s is missing.") % {"field": lat_path}, field=lat_path)
    if lon_value is None:
        raise PayloadInvalid(_("%(field)s is missing.") % {"field": lon_path}, field=lon_path)
    lat, lon = _number(lat_value, lat_path), _number(lon_value, lon_path)
    if not -90 <= lat <= 90:
        raise PayloadInvalid(_("%(field)s must be between -90 and 90.") % {"field": lat_path}, field=lat_path)
    if not -180 <= lon <= 180:
        raise PayloadInvalid(_("%(field)s must be between -180 and 180.") % {"field": lon_path}, field=lon_path)
    if lat == 0 and lon == 0:
        raise PayloadInvalid(
            _("%(field)s: 0, 0 is no place the department serves (a receiver without a GPS fix?).")
            % {"field": lat_path},
            field=lat_path,
        )
    point = Point(lon, lat, srid=4326)
    if context.boundary is not None and not context.boundary.covers(point):
        raise PayloadInvalid(
            _("The point %(lat)s, %(lon)s lies outside the department's boundary.") % {"lat": lat, "lon": lon},
            field=lat_path,
        )
    return point


def _located(address: str, path: str, context: _Context) -> Point:
    point = context.locate(address)
    if point is None:
        raise PayloadInvalid(
            _("%(field)s: the address %(address)s was not found in the department's address index.")
            % {"field": path, "address": address},
            field=path,
        )
    if context.boundary is not None and not context.boundary.covers(point):
        raise PayloadInvalid(
            _("%(field)s: the address %(address)s lies outside the department's boundary.")
            % {"field": path, "address": address},
            field=path,
        )
    return point


def _location(body: Mapping[str, Any], path: str, context: _Context) -> tuple[Point, str]:
    """``{"lat", "lon"}`` or ``{"address"}`` under ``path``: the point and the address text."""
    location = _get(body, path)
    if not isinstance(location, Mapping):
        raise PayloadInvalid(_("%(field)s is missing: give lat and lon, or an address.") % {"field": path}, field=path)
    if location.get("lat") is None and location.get("lon") is None and location.get("address"):
        address = _text(body, f"{path}.address", max_length=255, required=True)
        return _located(address, f"{path}.address", context), address
    point = _point(
        location.get("lat"), location.get("lon"), lat_path=f"{path}.lat", lon_path=f"{path}.lon", context=context
    )
    return point, _text(body, f"{path}.address", max_length=255)


def _details(body: Mapping[str, Any], path: str) -> dict[str, Any]:
    value = _get(body, path)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise PayloadInvalid(_("%(field)s must be an object.") % {"field": path}, field=path)
    if len(value) > DETAILS_MAX_KEYS:
        raise PayloadInvalid(
            _("%(field)s has more than %(max)s entries.") % {"field": path, "max": DETAILS_MAX_KEYS}, field=path
        )
    details: dict[str, Any] = {}
    for key, item in value.items():
        where = f"{path}.{key}"
        if len(str(key)) > 64:
            raise PayloadInvalid(_("%(field)s: a name is longer than 64 characters.") % {"field": path}, field=path)
        if isinstance(item, str) and len(item) > DETAIL_TEXT_MAX:
            raise PayloadInvalid(
                _("%(field)s is longer than %(max)s characters.") % {"field": where, "max": DETAIL_TEXT_MAX},
                field=where,
            )
        if item is not None and not isinstance(item, str | int | float | bool):
            raise PayloadInvalid(_("%(field)s must be text, a number or true/false.") % {"field": where}, field=where)
        details[str(key)] = item
    return details


def _status_closed(body: Mapping[str, Any], path: str) -> bool:
    status = _text(body, path, max_length=32).lower()
    if status in ("", "open", "active", "dispatched", "pending"):
        return False
    if status in ("closed", "cleared", "resolved", "cancelled", "canceled"):
        return True
    raise PayloadInvalid(_("%(field)s must be open or closed (or active, cleared).") % {"field": path}, field=path)


# --- The formats (docs/webhooks.md) ----------------------------------------------------


def _generic(body: Mapping[str, Any], context: _Context) -> Mapped:
    point, address = _location(body, "location", context)
    return Mapped(
        IncidentFacts(
            external_id=_text(body, "id", max_length=128, required=True),
            occurred_at=_time(body, "occurred_at", context),
            location=point,
            incident_type=_text(body, "type", max_length=120),
            priority=_text(body, "priority", max_length=32),
            address=address,
            case_number=_text(body, "case_number", max_length=64),
            closed=_status_closed(body, "status"),
            details=_details(body, "details"),
        )
    )


def _eido(body: Mapping[str, Any], context: _Context) -> Mapped:
    """An incident in the style of NENA's Emergency Incident Data Object: the incident's
    tracking id, type, priority, last update time, status, and a location given either as a
    civic address or as a point."""
    location = _get(body, "location")
    if isinstance(location, Mapping) and location.get("civicAddressText") and location.get("point") is None:
        address = _text(body, "location.civicAddressText", max_length=255, required=True)
        point = _located(address, "location.civicAddressText", context)
    elif isinstance(location, Mapping) and isinstance(location.get("point"), Mapping):
        point = _point(
            _get(body, "location.point.latitude"),
            _get(body, "location.point.longitude"),
            lat_path="location.point.latitude",
            lon_path="location.point.longitude",
            context=context,
        )
        address = _text(body, "location.civicAddressText", max_length=255)
    else:
        raise PayloadInvalid(
            _("location is missing: give location.civicAddressText or location.point (latitude, longitude)."),
            field="location",
        )
    return Mapped(
        IncidentFacts(
            external_id=_text(body, "incidentTrackingIdentifier", max_length=128, required=True),
            occurred_at=_time(body, "lastUpdateTimeStamp", context),
            location=point,
            incident_type=_text(body, "incidentType", max_length=120),
            priority=_text(body, "priority", max_length=32),
            address=address,
            case_number=_text(body, "caseNumber", max_length=64),
            closed=_status_closed(body, "status"),
        )
    )


def _gunshot(body: Mapping[str, Any], context: _Context) -> Mapped:
    point, address = _location(body, "location", context)
    rounds = _get(body, "rounds")
    if rounds is not None and (isinstance(rounds, bool) or not isinstance(rounds, int) or not 0 <= rounds <= 1000):
        raise PayloadInvalid(_("rounds must be a whole number from 0 to 1000."), field="rounds")
    details = {"rounds": rounds} if rounds is not None else {}
    return Mapped(
        IncidentFacts(
            external_id=_text(body, "id", max_length=128, required=True),
            occurred_at=_time(body, "time", context),
            location=point,
            incident_type=_text(body, "type", max_length=120) or str(_("Gunshots detected")),
            address=address,
            details=details,
        )
    )


def hotlist_category_normal(text: str) -> str:
    """A hotlist category as the policy writes it: "Immigration Status", "immigration-status"
    and "IMMIGRATION_STATUS" are one category, immigration_status (readers write it each way,
    and a blocked category must not slip through by its spelling)."""
    return _NOT_WORD.sub("_", text.casefold()).strip("_")


def _plate_reader(body: Mapping[str, Any], context: _Context) -> Mapped:
    external_id = _text(body, "id", max_length=128, required=True)
    occurred_at = _time(body, "time", context)
    point, address = _location(body, "location", context)
    category = hotlist_category_normal(_text(body, "hotlist", max_length=64, required=True))
    if not category:
        raise PayloadInvalid(_("%(field)s is missing.") % {"field": "hotlist"}, field="hotlist")
    plate = _text(body, "plate", max_length=PLATE_MAX, required=True).upper()
    kept = {
        "id": external_id,
        "time": occurred_at.isoformat(),
        "location": {"lat": point.y, "lon": point.x},
        "hotlist": category,
        "plate": plate,
    }
    return Mapped(
        IncidentFacts(
            external_id=external_id,
            occurred_at=occurred_at,
            location=point,
            incident_type=str(_("Plate-reader hit")),
            address=address,
            details={"hotlist": category, "plate": plate},
        ),
        hotlist_category=category,
        kept_body=kept,
    )


_FORMATS: dict[str, Callable[[Mapping[str, Any], _Context], Mapped]] = {
    PayloadShape.GENERIC: _generic,
    PayloadShape.EIDO: _eido,
    PayloadShape.GUNSHOT: _gunshot,
    PayloadShape.PLATE_READER: _plate_reader,
}


def payload_map(
    *, shape: str, body: Any, now: dt.datetime, boundary: MultiPolygon | PreparedGeometry | None, locate: Locate
) -> Mapped:
    """The facts a delivery's body states in format ``shape``; raises PayloadInvalid naming the field.

    ``boundary``: the department's, or it prepared (GEOS: for many points; None accepts any
    point); ``locate``: an address to a point of the department's address index, or None when
    it has none."""
    if not isinstance(body, Mapping):
        raise PayloadInvalid(_("The body must be a JSON object."), field="body")
    return _FORMATS[shape](body, _Context(now=now, boundary=boundary, locate=locate))
