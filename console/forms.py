import json
from typing import Any

from django import forms
from django.contrib.gis.geos import GEOSException, GEOSGeometry, Point, Polygon
from django.utils.translation import gettext_lazy as _

from cameras.geo import MAX_RADIUS_M, Area


class PurposeForm(forms.Form):
    case_number = forms.CharField(label=_("Case or incident number"), max_length=64, required=False)
    category = forms.ChoiceField(label=_("Category"))
    text = forms.CharField(label=_("Reason"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    authority = forms.ChoiceField(
        label=_("Authority"),
        choices=[("consent", _("Owner's consent")), ("warrant", _("Warrant")), ("exigent", _("Exigent circumstances"))],
    )
    warrant_number = forms.CharField(label=_("Warrant number"), max_length=64, required=False)

    def __init__(self, *args: Any, categories: list[str], prohibited: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Prohibited categories are listed too, so that choosing one is refused and logged,
        # not silently impossible.
        choices = [(c, c.replace("_", " ")) for c in categories]
        choices += [(c, f"{c.replace('_', ' ')} ({_('prohibited')})") for c in prohibited]
        self.fields["category"].choices = choices  # type: ignore[attr-defined]


class AreaForm(forms.Form):
    """A circle (lat, lon, radius_m) or a GeoJSON polygon, and a mode."""

    lat = forms.FloatField(min_value=-90, max_value=90, required=False)
    lon = forms.FloatField(min_value=-180, max_value=180, required=False)
    radius_m = forms.FloatField(min_value=1, max_value=MAX_RADIUS_M, required=False)
    polygon = forms.CharField(required=False)
    mode = forms.ChoiceField(
        choices=[("pin", _("Camera inside the area")), ("fov", _("Camera sees the area"))], required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["mode"] = data.get("mode") or "pin"
        if data.get("polygon"):
            try:
                geometry = GEOSGeometry(json.dumps(_polygon_geometry(json.loads(data["polygon"]))), srid=4326)
            except (ValueError, TypeError, KeyError, GEOSException) as exc:
                raise forms.ValidationError(_("The polygon is not valid GeoJSON.")) from exc
            if not isinstance(geometry, Polygon) or not geometry.valid:
                raise forms.ValidationError(_("Draw a simple polygon (its edges must not cross)."))
            if geometry.area > 0.05:  # about 25 km by 25 km at this latitude
                raise forms.ValidationError(_("The area is too large; draw a smaller one."))
            data["area"] = Area(center=geometry.centroid, polygon=geometry)
            return data
        missing = [name for name in ("lat", "lon", "radius_m") if data.get(name) is None]
        if missing:
            raise forms.ValidationError(
                _("Give a centre (lat, lon) and a radius in metres (1 to %(max)d), or a polygon.")
                % {"max": MAX_RADIUS_M}
            )
        data["area"] = Area(center=Point(data["lon"], data["lat"], srid=4326), radius_m=data["radius_m"])
        return data


def _polygon_geometry(value: Any) -> dict[str, Any]:
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    if not isinstance(value, dict) or value.get("type") != "Polygon":
        raise ValueError("not a polygon")
    return {"type": "Polygon", "coordinates": value["coordinates"]}
