"""Forms of the department's own cameras' pages (console.department_camera_views)."""

from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from cameras.department import CameraSpec


class DepartmentCameraForm(forms.Form):
    label = forms.CharField(
        label=_("Label"), max_length=120, help_text=_("How officers see it, e.g. 'Main St & 5th, NE corner'.")
    )
    latitude = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90)
    longitude = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180)
    bearing_deg = forms.IntegerField(label=_("Direction (degrees from north)"), min_value=0, max_value=359)
    fov_angle_deg = forms.IntegerField(label=_("Field of view (degrees)"), min_value=1, max_value=360, initial=90)
    range_m = forms.IntegerField(label=_("Range (metres)"), min_value=1, max_value=500, initial=50)
    address = forms.CharField(label=_("Address or place (optional)"), max_length=255, required=False)
    mobile = forms.BooleanField(
        label=_("It moves (body-worn camera, drone, patrol car)"),
        required=False,
        help_text=_(
            "Its bridge reports where it is. Searches find it only where it was last reported within the "
            "policy's time; the place above is where it is kept."
        ),
    )
    stream_url = forms.CharField(
        label=_("Stream URL"),
        max_length=500,
        required=False,
        help_text=_(
            "rtsp://, rtsps://, http:// or https://. Shown to administrators only; never to officers or in the log."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def spec(self) -> CameraSpec:
        d = self.cleaned_data
        return CameraSpec(
            label=d["label"],
            lat=d["latitude"],
            lon=d["longitude"],
            bearing_deg=d["bearing_deg"],
            fov_angle_deg=d["fov_angle_deg"],
            range_m=d["range_m"],
            stream_url=d.get("stream_url") or "",
            address=d.get("address") or "",
            mobile=bool(d.get("mobile")),
        )


class DepartmentCameraImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or GeoJSON file"), help_text=_("At most %(size)s."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit = settings.PORCHLIGHT_CAMERA_IMPORT_MAX_BYTES
        self.fields["file"].help_text = str(self.fields["file"].help_text) % {"size": filesizeformat(limit)}
        self.fields["file"].widget.attrs.update({"accept": ".csv,.geojson,.json,text/csv,application/geo+json"})
