"""Forms of the owner portal. They validate shapes and ranges; the services decide."""

import datetime as dt
from collections.abc import Collection
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cameras.consent import EXPIRY_HORIZON_YEARS, MAX_WINDOWS, ConsentLevel, expiry_horizon
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
            "business_category",
            "units",
            "parking_spaces",
            "floor_area_sqft",
            "licence_renews_on",
            "share_contact",
            "police_notes",
        ]
        widgets = {
            "constructed_on": forms.DateInput(attrs={"type": "date"}),
            "licence_renews_on": forms.DateInput(attrs={"type": "date"}),
            "police_notes": forms.Textarea(attrs={"rows": 3}),
        }

    BUSINESS_FIELDS = ("business_name",)
    ORDINANCE_FIELDS = (
        "permit_number",
        "property_type",
        "constructed_on",
        "business_category",
        "units",
        "parking_spaces",
        "floor_area_sqft",
        "licence_renews_on",
    )

    def __init__(
        self,
        *args: Any,
        owner_role: str = "resident",
        ordinance: bool = False,
        ordinance_kinds: Collection[str] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # Residents see a short form; businesses see the ordinance section when one applies,
        # and so does a resident whose site is of a kind the ordinance covers (its status asks
        # for the construction date: the form must let them give it).
        hidden = [] if owner_role == "business" else list(self.BUSINESS_FIELDS)
        kind = self.data.get("kind") if self.is_bound else self.instance.kind
        if not (ordinance and (owner_role == "business" or kind in ordinance_kinds)):
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

    def clean_expires_on(self) -> dt.date | None:
        day: dt.date | None = self.cleaned_data.get("expires_on")
        # The service refuses it too; checked here by the day, so the message can name the last one.
        latest = expiry_horizon(timezone.now()).astimezone(ZoneInfo(self.time_zone)).date() - dt.timedelta(days=1)
        if day is not None and day > latest:
            raise ValidationError(
                _("The end date can be at most %(years)d years ahead: %(latest)s at the latest.")
                % {"years": EXPIRY_HORIZON_YEARS, "latest": latest.isoformat()}
            )
        return day

    def expires_at(self) -> dt.datetime | None:
        """End of the chosen day, in the department's time zone."""
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

    def _clean_minutes(self, name: str) -> dt.time | None:
        # Windows are stored as HH:MM: dropping the seconds would turn 10:00:30-10:00:50 into 10:00-10:00.
        value: dt.time | None = self.cleaned_data.get(name)
        if value is not None and (value.second or value.microsecond):
            raise ValidationError(_("Times are in whole minutes (HH:MM), without seconds."))
        return value

    def clean_start(self) -> dt.time | None:
        return self._clean_minutes("start")

    def clean_end(self) -> dt.time | None:
        return self._clean_minutes("end")


class BaseWindowFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_many_forms": _("Give at most %(num)d schedule windows."),
    }


WindowFormSet = forms.formset_factory(
    WindowForm, formset=BaseWindowFormSet, extra=1, max_num=MAX_WINDOWS, validate_max=True, can_delete=True
)


# Ready-made schedules: the days they cover and, for the night preset, its fixed times
# (the others take the times the owner gives). Mirrored in static/js/schedule.js via json_script.
SCHEDULE_PRESETS: dict[str, dict[str, Any]] = {
    "every_day": {"days": list(range(7))},
    "weekdays": {"days": list(range(5))},
    "weekends": {"days": [5, 6]},
    "nights": {"days": list(range(7)), "start": "22:00", "end": "06:00", "next_day": True},
}


class SchedulePresetForm(forms.Form):
    """Fills the schedule rows with a ready-made schedule, replacing them; nothing is saved
    until the owner presses "Save consent"."""

    preset = forms.ChoiceField(
        label=_("Ready-made schedule"),
        choices=[
            ("every_day", _("Every day")),
            ("weekdays", _("Weekdays (Monday to Friday)")),
            ("weekends", _("Weekends (Saturday and Sunday)")),
            ("nights", _("Every night, 22:00 to 06:00")),
        ],
        widget=forms.RadioSelect,
    )
    start = forms.TimeField(
        label=_("From"), initial=dt.time(8, 0), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    end = forms.TimeField(
        label=_("To"), initial=dt.time(18, 0), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        preset = SCHEDULE_PRESETS.get(data.get("preset", ""), {})
        if preset and "start" not in preset:
            for name in ("start", "end"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, _("Give the time, e.g. 08:00."))
        return data

    def windows(self) -> list[dict[str, Any]]:
        """The preset's windows, in the shape of ConsentGrant.windows (and of the formset's initial)."""
        preset = SCHEDULE_PRESETS[self.cleaned_data["preset"]]
        start = preset.get("start") or self.cleaned_data["start"].strftime("%H:%M")
        end = preset.get("end") or self.cleaned_data["end"].strftime("%H:%M")
        next_day = preset.get("next_day", end < start)
        return [{"day": day, "start": start, "end": end, "next_day": next_day} for day in preset["days"]]


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
