"""The public page's department finder form."""

from typing import Any

from django import forms
from django.contrib.gis.geos import Point
from django.utils.translation import gettext_lazy as _

from .finder import address_search_available


class DepartmentFinderForm(forms.Form):
    q = forms.CharField(label=_("Department or town"), max_length=200, required=False)
    lat = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90, required=False)
    lon = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if address_search_available():
            self.fields["q"].label = _("Department, town or address")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lat, lon = data.get("lat"), data.get("lon")
        if (lat is None) != (lon is None) and not ({"lat", "lon"} & set(self.errors)):
            self.add_error("lat" if lat is None else "lon", _("Give both latitude and longitude, or neither."))
        return data

    def point(self) -> Point | None:
        lat, lon = self.cleaned_data.get("lat"), self.cleaned_data.get("lon")
        return Point(lon, lat, srid=4326) if lat is not None and lon is not None else None

    def asked(self) -> bool:
        return bool(self.cleaned_data.get("q", "").strip()) or self.point() is not None
