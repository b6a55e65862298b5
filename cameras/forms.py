"""The area of a search, as the console, the staff API and footage requests take it: a circle
or a GeoJSON polygon. Shared by those interfaces, so it lives below them, with the search."""

import json
import math
from typing import Any

from django import forms
from django.contrib.gis.geos import GEOSException, LinearRing, Point, Polygon
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .search_sql import MAX_RADIUS_M, Area

# A drawn area rarely needs more; a bigger one is a paste or an attack, and it would be
# stored whole in the access event's details.
MAX_POLYGON_POINTS = 1_000
MAX_POLYGON_AREA_SQ_DEG = 0.05  # about 25 km by 25 km at this latitude


# Formatted when shown, in the language of the request (``gettext_lazy(...) % x`` would
# format once, at import, in the default language).
_RADIUS_RANGE = lazy(lambda: gettext("must be from 1 to %(max)d metres") % {"max": MAX_RADIUS_M}, str)()


class _FloatField(forms.FloatField):
    """A FloatField that also refuses a JSON integer too large for a float (Django's
    catches ValueError and TypeError only: an OverflowError was a 500)."""

    def to_python(self, value: Any) -> float | None:  # type: ignore[override]  # stubs: FloatField inherits int
        try:
            return super().to_python(value)
        except OverflowError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class AreaForm(forms.Form):
    """A circle (lat, lon, radius_m) or a GeoJSON polygon, and a mode.

    Every error is a sentence the console and the API show as they are (``error_sentences``).
    """

    lat = _FloatField(
        min_value=-90,
        max_value=90,
        required=False,
        error_messages={
            "invalid": _("must be a number between -90 and 90"),
            "min_value": _("must be between -90 and 90"),
            "max_value": _("must be between -90 and 90"),
        },
    )
    lon = _FloatField(
        min_value=-180,
        max_value=180,
        required=False,
        error_messages={
            "invalid": _("must be a number between -180 and 180"),
            "min_value": _("must be between -180 and 180"),
            "max_value": _("must be between -180 and 180"),
        },
    )
    radius_m = _FloatField(
        min_value=1,
        max_value=MAX_RADIUS_M,
        required=False,
        error_messages={
            "invalid": _RADIUS_RANGE,
            "min_value": _RADIUS_RANGE,
            "max_value": _RADIUS_RANGE,
        },
    )
    polygon = forms.CharField(required=False)
    mode = forms.ChoiceField(
        choices=[("pin", _("Camera inside the area")), ("fov", _("Camera sees the area"))],
        required=False,
        error_messages={"invalid_choice": _("must be “pin” or “fov”")},
    )

    def clean_polygon(self) -> Polygon | None:
        raw = self.cleaned_data.get("polygon")
        return polygon_from_geojson(raw) if raw else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            # Each field already says what is wrong with it; a general sentence would hide that.
            return data
        data["mode"] = data.get("mode") or "pin"
        polygon = data.get("polygon")
        if polygon is not None:
            data["area"] = Area(center=polygon.centroid, polygon=polygon)
            return data
        missing = [name for name in ("lat", "lon", "radius_m") if data.get(name) is None]
        if missing:
            raise forms.ValidationError(
                _("Give a centre (lat, lon) and a radius in metres (1 to %(max)d), or a polygon.")
                % {"max": MAX_RADIUS_M}
            )
        data["area"] = Area(center=Point(data["lon"], data["lat"], srid=4326), radius_m=data["radius_m"])
        return data

    def area_fields(self) -> list[tuple[str, str]]:
        """The area as it was sent, (name, value) pairs for the hidden fields of a form that
        posts it on (the canvass export, the footage request)."""
        return [(name, str(self.data[name])) for name in self.fields if self.data.get(name)]

    def error_sentences(self) -> list[str]:
        """The errors as "field: message" (or the message alone when it is about the whole area)."""
        return [
            str(message) if name == NON_FIELD_ERRORS else f"{name}: {message}"
            for name, messages in self.errors.items()
            for message in messages
        ]


def _invalid(message: Any) -> forms.ValidationError:
    return forms.ValidationError(message, code="invalid")


def _is_number(value: Any) -> bool:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # a JSON integer of hundreds of digits
        return False


def polygon_from_geojson(raw: str) -> Polygon:
    """A GeoJSON Polygon (or a Feature holding one) as a valid, simple GEOS polygon, or a
    ValidationError that says what is wrong. The structure is checked before anything reaches
    GEOS or GDAL, whose errors are neither clear nor all caught."""
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise _invalid(_("The polygon is not valid GeoJSON.")) from exc
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    if not isinstance(value, dict):
        raise _invalid(_("The polygon must be a GeoJSON object of type “Polygon”."))
    if value.get("type") == "MultiPolygon":
        raise _invalid(_("Only a single polygon is supported; draw one area."))
    if value.get("type") != "Polygon":
        raise _invalid(_("The polygon must be a GeoJSON object of type “Polygon”."))
    rings = value.get("coordinates")
    if not isinstance(rings, list) or not rings:
        raise _invalid(_("The polygon's coordinates must be a list of one or more rings."))
    if not all(isinstance(ring, list) for ring in rings):
        raise _invalid(_("Each ring of the polygon must be a list of [longitude, latitude] points."))
    if sum(len(ring) for ring in rings) > MAX_POLYGON_POINTS:
        raise _invalid(
            _("The polygon may have at most %(max)d points; draw a simpler one.") % {"max": MAX_POLYGON_POINTS}
        )
    coords: list[list[tuple[float, float]]] = []
    for ring in rings:
        if len(ring) < 4:
            raise _invalid(_("Each ring of the polygon needs at least 4 points, the last repeating the first."))
        points = []
        for position in ring:
            # A third number (altitude) is allowed by GeoJSON and ignored.
            if not isinstance(position, list) or len(position) not in (2, 3) or not all(map(_is_number, position)):
                raise _invalid(_("Each point of the polygon must be [longitude, latitude], two numbers in degrees."))
            lon, lat = float(position[0]), float(position[1])
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise _invalid(
                    _("The polygon's longitudes must be between -180 and 180, its latitudes between -90 and 90.")
                )
            points.append((lon, lat))
        if points[0] != points[-1]:
            raise _invalid(_("The ring must be closed: its last point must repeat the first."))
        coords.append(points)
    try:
        polygon = Polygon(*[LinearRing(points) for points in coords], srid=4326)
    except (GEOSException, ValueError, TypeError) as exc:  # a safety net: the checks above should prevent it
        raise _invalid(_("The polygon is not valid GeoJSON.")) from exc
    if polygon.empty or polygon.convex_hull.area == 0:  # every point on one line (or the same point)
        raise _invalid(_("The polygon is empty: its points must enclose an area."))
    if not polygon.valid:
        raise _invalid(_("Draw a simple polygon (its edges must not cross)."))
    if polygon.area > MAX_POLYGON_AREA_SQ_DEG:
        raise _invalid(_("The area is too large; draw a smaller one."))
    return polygon
