"""Forms of the owner portal. They validate shapes and ranges; the services decide."""

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cameras.consent import ConsentLevel
from cameras.models import Camera, ConsentGrant, Site, ViewTarget

DAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class SiteForm(forms.ModelForm):
    latitude = forms.FloatField(
        label=_("Latitude"),
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "any"}),
        error_messages={"required": _("Drag the pin to your property on the map, or type its coordinates.")},
    )
    longitude = forms.FloatField(
        label=_("Longitude"),
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "any"}),
        error_messages={"required": _("Drag the pin to your property on the map, or type its coordinates.")},
    )

    class Meta:
        model = Site
        fields = [
            "kind",
            "name",
            "address",
            "business_name",
            "parcel_number",
            "permit_number",
            "property_type",
            "constructed_on",
            "share_contact",
            "police_notes",
        ]
        widgets = {
            "constructed_on": forms.DateInput(attrs={"type": "date"}),
            "police_notes": forms.Textarea(attrs={"rows": 3}),
        }

    BUSINESS_FIELDS = ("business_name",)
    ORDINANCE_FIELDS = ("permit_number", "property_type", "constructed_on")

    def __init__(self, *args: Any, owner_role: str = "resident", ordinance: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Residents see a short form; businesses see the ordinance section when one applies.
        hidden = [] if owner_role == "business" else list(self.BUSINESS_FIELDS)
        if not (owner_role == "business" and ordinance):
            hidden += self.ORDINANCE_FIELDS
        for name in hidden:
            del self.fields[name]
        if self.instance.pk and self.instance.location is not None:
            self.fields["latitude"].initial = self.instance.location.y
            self.fields["longitude"].initial = self.instance.location.x

    def site_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.fields}


class CameraForm(forms.ModelForm):
    views = forms.MultipleChoiceField(
        label=_("What it sees"), choices=ViewTarget.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Camera
        fields = [
            "label",
            "camera_type",
            "placement",
            "bearing_deg",
            "fov_angle_deg",
            "range_m",
            "mount_height_m",
            "views",
            "resolution",
            "frame_rate",
            "recording_mode",
            "retention_days",
            "audio",
            "recorder_make",
            "recorder_model",
            "export_format",
            "snapshot",
        ]
        widgets = {"snapshot": forms.ClearableFileInput(attrs={"accept": "image/*"})}

    def clean_retention_days(self) -> int | None:
        value = self.cleaned_data.get("retention_days")
        if value is not None and value < 0:
            raise ValidationError(_("Retention cannot be negative."))
        return value

    def clean_snapshot(self) -> Any:
        snapshot = self.cleaned_data.get("snapshot")
        if snapshot and getattr(snapshot, "size", 0) > settings.PORCHLIGHT_SNAPSHOT_MAX_BYTES:
            raise ValidationError(
                _("The snapshot is too large: at most %(mb)d MB.")
                % {"mb": settings.PORCHLIGHT_SNAPSHOT_MAX_BYTES // 2**20}
            )
        return snapshot

    def camera_fields(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name != "snapshot"}
        snapshot = self.cleaned_data.get("snapshot")
        if snapshot is False:  # "clear" ticked
            data["snapshot"] = None
        elif snapshot:
            data["snapshot"] = snapshot
        return data


class ConsentForm(forms.Form):
    level = forms.ChoiceField(
        label=_("What may police do with this camera?"),
        choices=ConsentGrant._meta.get_field("level").choices,  # type: ignore[arg-type]
        widget=forms.RadioSelect,
    )
    expires_on = forms.DateField(
        label=_("Consent ends on (optional)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    max_live_minutes = forms.IntegerField(label=_("Longest live view, in minutes (optional)"), required=False)
    notify_on_access = forms.BooleanField(label=_("E-mail me whenever police access this camera"), required=False)

    def __init__(self, *args: Any, time_zone: str = "UTC", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.time_zone = time_zone

    def expires_at(self) -> dt.datetime | None:
        """End of the chosen day, in the department's time zone."""
        from zoneinfo import ZoneInfo

        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=ZoneInfo(self.time_zone))


class WindowForm(forms.Form):
    # A blank first choice keeps the empty extra row unchanged, so it is skipped.
    day = forms.TypedChoiceField(label=_("Day"), choices=[("", "—"), *DAYS], coerce=int)
    start = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label=_("To"), widget=forms.TimeInput(attrs={"type": "time"}))
    next_day = forms.BooleanField(label=_("ends the next day"), required=False)


WindowFormSet = forms.formset_factory(WindowForm, extra=1, max_num=14, can_delete=True)


def windows_payload(formset: Any) -> list[dict[str, Any]]:
    return [
        {
            "day": form.cleaned_data["day"],
            "start": form.cleaned_data["start"].strftime("%H:%M"),
            "end": form.cleaned_data["end"].strftime("%H:%M"),
            "next_day": form.cleaned_data.get("next_day", False),
        }
        for form in formset.forms
        if form.has_changed() and form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


LEVEL_VALUES = [level.value for level in ConsentLevel]
