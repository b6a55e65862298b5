"""The board's filter of the access log, as a form: every field says what is wrong with it.

Dates are the department's calendar days (its time zone); the form turns them into the
times the log is searched by. Reasons and purpose categories are offered from the values the
log holds (audit.log_search.log_values), so an unknown one is named, not silently matched to
nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib.gis.gdal.error import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import STAFF_ROLES, Role
from tenants.models import PURPOSE_LABELS

from .admin_changes import admin_change_kinds
from .anomalies import anomaly_flag_seqs
from .log_search import Area, LogFilter, Sort
from .models import (
    BOARD_RECORD_CATEGORIES,
    BOARD_RECORD_OUTCOMES,
    Action,
    AnomalyRule,
    BoardRecordKind,
    BoardRecordStatus,
    Outcome,
)
from .reasons import reason_label

# The log begins with Porchlight; a date before this is a typing mistake, not a question.
EARLIEST_YEAR = 2000
MAX_RADIUS_M = 50_000  # a board looks at a city, not a state
MAX_POLYGON_POINTS = 1_000
MAX_TEXT = 64
# A purpose text filter shorter than a trigram cannot use the trigram index (migration 0019):
# it would scan the whole log, and say little.
MIN_PURPOSE_TEXT = 3
# Names a form may carry besides its fields (Django's CSRF token).
NOT_FILTERS = {"csrfmiddlewaretoken"}


def _choices(pairs: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", _("all")), *pairs]


class _DateRangeMixin(forms.Form):
    date_from = forms.DateField(
        label=_("From (day)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
    )
    date_to = forms.DateField(
        label=_("To (day, included)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
    )

    def __init__(self, *args: Any, time_zone: str, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.time_zone = ZoneInfo(time_zone)
        self.today = today

    def _check_day(self, name: str) -> dt.date | None:
        day: dt.date | None = self.cleaned_data.get(name)
        if day is not None and day.year < EARLIEST_YEAR:
            raise forms.ValidationError(
                _("The log has no events before %(year)d: check the year."), params={"year": EARLIEST_YEAR}
            )
        if day is not None and day > self.today + dt.timedelta(days=1):
            raise forms.ValidationError(_("This day has not come yet: the log has no events after today."))
        return day

    def clean_date_from(self) -> dt.date | None:
        return self._check_day("date_from")

    def clean_date_to(self) -> dt.date | None:
        return self._check_day("date_to")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The last day comes before the first: swap them, or change one."))
        return data

    def time_range(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """The days as times in the department's zone: from the first day's midnight to the
        midnight after the last day (whatever a daylight-saving change does to that day)."""
        start, end = self.cleaned_data.get("date_from"), self.cleaned_data.get("date_to")
        return (
            dt.datetime.combine(start, dt.time(), tzinfo=self.time_zone) if start else None,
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=self.time_zone) if end else None,
        )


class _FiniteFloatField(forms.FloatField):
    def to_python(self, value: Any) -> float | None:  # type: ignore[override]  # stubs: FloatField inherits int
        try:
            number = super().to_python(value)
        except OverflowError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if number is not None and not math.isfinite(number):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return number


def _in_range(low: int, high: int) -> dict[str, Any]:
    message = _("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high}
    return {"invalid": message, "min_value": message, "max_value": message}


class LogSearchForm(_DateRangeMixin):
    """Every field of an access event the board may filter by. Bound to the query string."""

    action = forms.ChoiceField(label=_("Action"), required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), required=False)
    reason = forms.ChoiceField(label=_("Reason"), required=False)
    badge = forms.CharField(
        label=_("Officer's badge"),
        required=False,
        max_length=32,
        error_messages={"max_length": _("A badge number has at most %(limit_value)d characters.")},
    )
    role = forms.ChoiceField(label=_("Role"), required=False)
    purpose_category = forms.ChoiceField(label=_("Purpose category"), required=False)
    case_number = forms.CharField(
        label=_("Case number"),
        required=False,
        max_length=MAX_TEXT,
        error_messages={"max_length": _("A case number has at most %(limit_value)d characters.")},
    )
    purpose_text = forms.CharField(
        label=_("Purpose text contains"),
        required=False,
        min_length=MIN_PURPOSE_TEXT,
        max_length=MAX_TEXT,
        error_messages={
            "min_length": _("Give at least %(limit_value)d characters of the purpose text."),
            "max_length": _("Give at most %(limit_value)d characters of the purpose text."),
        },
    )
    camera = forms.UUIDField(
        label=_("Camera (pseudonymous id)"),
        required=False,
        error_messages={
            "invalid": _(
                "A camera id looks like 3f2c9a1e-7b4d-4c1a-9e2f-0a1b2c3d4e5f (as the log and exports show it)."
            )
        },
    )
    incident = forms.UUIDField(
        label=_("Incident (its id)"),
        required=False,
        error_messages={
            "invalid": _(
                "An incident id looks like 3f2c9a1e-7b4d-4c1a-9e2f-0a1b2c3d4e5f "
                "(as the log and the incident page show it)."
            )
        },
    )
    lat = _FiniteFloatField(
        label=_("Latitude"), required=False, min_value=-90, max_value=90, error_messages=_in_range(-90, 90)
    )
    lon = _FiniteFloatField(
        label=_("Longitude"), required=False, min_value=-180, max_value=180, error_messages=_in_range(-180, 180)
    )
    radius_m = _FiniteFloatField(
        label=_("Radius (m)"),
        required=False,
        min_value=1,
        max_value=MAX_RADIUS_M,
        error_messages=_in_range(1, MAX_RADIUS_M),
    )
    polygon = forms.CharField(
        label=_("Polygon (GeoJSON)"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=100_000
    )
    sort = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[(Sort.NEWEST.value, _("newest first")), (Sort.OLDEST.value, _("oldest first"))],
    )
    upto = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=2**62,
        widget=forms.HiddenInput,
        error_messages={
            "invalid": _("upto must be the number of an event."),
            "min_value": _("upto must be the number of an event."),
            "max_value": _("upto must be the number of an event."),
        },
    )
    after = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=2**62,
        widget=forms.HiddenInput,
        error_messages={
            "invalid": _("after must be the number of an event."),
            "min_value": _("after must be the number of an event."),
            "max_value": _("after must be the number of an event."),
        },
    )
    # The anomaly queue's "see these events": exactly the events that raised the flag.
    flag = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=2**62,
        widget=forms.HiddenInput,
        error_messages={
            "invalid": _("flag must be the number of an anomaly flag."),
            "min_value": _("flag must be the number of an anomaly flag."),
            "max_value": _("flag must be the number of an anomaly flag."),
        },
    )

    def __init__(self, *args: Any, reasons: list[str], categories: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.flag_seqs: tuple[int, ...] | None = None
        roles = [(r.value, r.label) for r in Role if r in STAFF_ROLES] + [("operator", _("Platform operator"))]
        choices: dict[str, list[tuple[str, Any]]] = {
            "action": sorted(Action.choices, key=lambda pair: str(pair[1])),
            "outcome": list(Outcome.choices),
            "reason": [(r, reason_label(r)) for r in reasons],
            "role": roles,
            "purpose_category": [(c, PURPOSE_LABELS.get(c, c)) for c in categories],
        }
        for name, pairs in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = _choices(pairs)
        for name in ("action", "outcome", "reason", "role", "purpose_category", "sort"):
            self.fields[name].error_messages["invalid_choice"] = _unknown_value(name)

    def clean_badge(self) -> str:
        """The badge as the log shows it ("#1002") or bare ("1002"): the same officer."""
        badge: str = (self.cleaned_data.get("badge") or "").strip()
        return badge.removeprefix("#").strip()

    def clean_flag(self) -> int | None:
        flag: int | None = self.cleaned_data.get("flag")
        if flag is None:
            return None
        seqs = anomaly_flag_seqs(flag_id=flag)
        if seqs is None:
            raise forms.ValidationError(
                _("No anomaly flag %(flag)s in this department: open its events from the anomaly queue."),
                params={"flag": flag},
            )
        self.flag_seqs = tuple(seqs)
        return flag

    def clean_polygon(self) -> str:
        raw = (self.cleaned_data.get("polygon") or "").strip()
        if not raw:
            return ""
        not_geojson = _("The polygon is not GeoJSON: draw it on the map, or paste a GeoJSON Polygon.")
        try:
            value = json.loads(raw)
        except (ValueError, RecursionError):  # RecursionError: brackets nested thousands deep
            raise forms.ValidationError(not_geojson) from None
        if not isinstance(value, dict) or value.get("type") != "Polygon":
            raise forms.ValidationError(_("The polygon must be a GeoJSON Polygon (its “type” is “Polygon”)."))
        if value.get("coordinates") in ([], [[]]):
            raise forms.ValidationError(_("The polygon is empty: draw it on the map, or paste one with its corners."))
        try:
            geometry = GEOSGeometry(json.dumps(value), srid=4326)
        except (GEOSException, GDALException, ValueError, TypeError):  # GDAL: coordinates it cannot read
            raise forms.ValidationError(not_geojson) from None
        if geometry.empty or not geometry.coords[0]:  # type: ignore[attr-defined]  # a Polygon (checked above)
            raise forms.ValidationError(_("The polygon is empty: draw it on the map, or paste one with its corners."))
        if geometry.num_points > MAX_POLYGON_POINTS:
            raise forms.ValidationError(
                _("The polygon has more than %(n)d points: draw a simpler one."), params={"n": MAX_POLYGON_POINTS}
            )
        # Longitude and latitude only: a height (a third number, as some tools write) is ignored.
        corners = geometry.coords[0]  # type: ignore[attr-defined]  # a Polygon (checked above)
        if not all(-180 <= corner[0] <= 180 and -90 <= corner[1] <= 90 for corner in corners):
            # NaN and infinities fail these comparisons too.
            raise forms.ValidationError(_("The polygon lies outside the Earth's latitudes and longitudes."))
        if not geometry.valid:
            raise forms.ValidationError(_("The polygon crosses itself: draw it again."))
        # The search reads the corners on the globe (geography): an edge spanning half the world's
        # longitudes or more has no one way round it (PostGIS refuses it), and a shorter one the
        # long way round is not what the map drew.
        rings = geometry.coords  # type: ignore[attr-defined]  # a Polygon (checked above)
        if any(abs(b[0] - a[0]) >= 180 for ring in rings for a, b in pairwise(ring)):
            raise forms.ValidationError(
                _("An edge of the polygon spans half the Earth's longitudes or more: draw a smaller area.")
            )
        return geometry.json

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        unknown = sorted(set(self.data) - set(self.fields) - NOT_FILTERS)
        if unknown:
            self.add_error(
                None,
                _("Unknown filter: %(names)s. Choose the filters from the form.")
                % {"names": ", ".join(name[:40] for name in unknown[:5])},
            )
        circle = [data.get(name) for name in ("lat", "lon", "radius_m")]
        if data.get("polygon"):
            if any(value is not None for value in circle):
                self.add_error("polygon", _("Give a circle or a polygon, not both."))
        elif any(value is not None for value in circle) and any(value is None for value in circle):
            for name, value in zip(("lat", "lon", "radius_m"), circle, strict=True):
                if value is None and name not in self.errors:
                    self.add_error(name, _("A circle needs a latitude, a longitude and a radius."))
        return data

    def log_filter(self) -> LogFilter:
        data = self.cleaned_data
        start, end = self.time_range()
        area = None
        if data.get("polygon"):
            area = Area(polygon_geojson=data["polygon"])
        elif data.get("radius_m") is not None:
            area = Area(lon=data["lon"], lat=data["lat"], radius_m=data["radius_m"])
        return LogFilter(
            start=start,
            end=end,
            actions=(data["action"],) if data.get("action") else (),
            outcome=data.get("outcome") or "",
            reason=data.get("reason") or "",
            badge=(data.get("badge") or "").strip(),
            role=data.get("role") or "",
            purpose_category=data.get("purpose_category") or "",
            case_number=(data.get("case_number") or "").strip(),
            purpose_text=data.get("purpose_text") or "",
            camera=data.get("camera"),
            incident=data.get("incident"),
            area=area,
            upto=data.get("upto"),
            flag=data.get("flag"),
            seqs=self.flag_seqs if data.get("flag") is not None else None,
        )

    def sort_order(self) -> Sort:
        return Sort(self.cleaned_data.get("sort") or Sort.NEWEST)


def _unknown_value(name: str) -> Any:
    messages = {
        "action": _("“%(value)s” is not an action of the log; choose one from the list."),
        "outcome": _("The outcome is “allowed” or “denied”, not “%(value)s”."),
        "reason": _("No event of this department has the reason “%(value)s”; choose one from the list."),
        "role": _("“%(value)s” is not a staff role; choose one from the list."),
        "purpose_category": _("No event of this department has the purpose category “%(value)s”."),
        "sort": _("The order is “newest” or “oldest”, not “%(value)s”."),
    }
    return messages[name]


class _KnownFiltersMixin(forms.Form):
    """A filter bound to the query string: a name that is none of its fields (nor ``also``)
    is an error, as on the search (a mistyped or outdated filter silently ignored would show
    the board more than it asked for)."""

    also: frozenset[str] = frozenset()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        unknown = sorted(set(self.data) - set(self.fields) - NOT_FILTERS - self.also)
        if unknown:
            self.add_error(
                None,
                _("Unknown filter: %(names)s. Choose the filters from the form.")
                % {"names": ", ".join(name[:40] for name in unknown[:5])},
            )
        return data


class AdminChangesForm(_KnownFiltersMixin, _DateRangeMixin):
    kind = forms.ChoiceField(label=pgettext_lazy("a kind of change (noun)", "Change"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _choices(admin_change_kinds())  # type: ignore[attr-defined]  # a ChoiceField
        self.fields["kind"].error_messages["invalid_choice"] = _(
            "“%(value)s” is not a kind of change; choose one from the list."
        )


class AnomalyFilterForm(_KnownFiltersMixin):
    """The anomaly queue's filter: a rule, reviewed or not. Bound to the query string."""

    also = frozenset({"page"})

    rule = forms.ChoiceField(label=_("Rule"), required=False)
    status = forms.ChoiceField(
        label=_("Review"),
        required=False,
        choices=[("", _("all")), ("unreviewed", _("not reviewed yet")), ("reviewed", _("reviewed"))],
        error_messages={"invalid_choice": _("“%(value)s” is not a review status; choose one from the list.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rule = self.fields["rule"]
        assert isinstance(rule, forms.ChoiceField)
        rule.choices = _choices(list(AnomalyRule.choices))
        rule.error_messages["invalid_choice"] = _(
            "“%(value)s” is not a rule of the anomaly queue; choose one from the list."
        )

    def reviewed(self) -> bool | None:
        status = self.cleaned_data.get("status") or ""
        return {"reviewed": True, "unreviewed": False}.get(status)


class AnomalyReviewForm(forms.Form):
    note = forms.CharField(
        label=_("Review note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={
            "required": _("Write a note: what you looked at and what you concluded."),
            "max_length": _("A note has at most %(limit_value)d characters."),
        },
    )


class LogFailureResolveForm(forms.Form):
    """The board's record that a failure of the log was reviewed and is resolved (audit.integrity);
    the note is published beside the failure on the public page."""

    note = forms.CharField(
        label=_("What the board found (published on the public transparency page)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={
            "required": _("Write a note: what the board found and why it considers the failure resolved."),
            "max_length": _("A note has at most %(limit_value)d characters."),
        },
    )


# --- Complaints and public-records requests (audit.board_records) -----------------------------


def _record_choices(kind_map: dict[Any, dict[str, Any]]) -> list[tuple[str, list[tuple[str, Any]]]]:
    return [(str(BoardRecordKind(kind).label), list(values.items())) for kind, values in kind_map.items()]


class BoardRecordFilterForm(_KnownFiltersMixin):
    """The list of records' filter: a kind of record. Bound to the query string."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=_choices(list(BoardRecordKind.choices)),
        error_messages={"invalid_choice": _("“%(value)s” is not a kind of record; choose one from the list.")},
    )


class BoardRecordForm(forms.Form):
    """A complaint or records request as the board enters or changes it; the service
    (audit.board_records) checks what belongs together (a category of the kind, an outcome
    only once closed) and names the field."""

    kind = forms.ChoiceField(label=_("Kind"), choices=BoardRecordKind.choices)
    received_on = forms.DateField(
        label=_("Received on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("Give the date it was received."), "invalid": _("Enter a date as YYYY-MM-DD.")},
    )
    category = forms.ChoiceField(label=_("Category"), choices=[("", "—"), *_record_choices(BOARD_RECORD_CATEGORIES)])
    summary = forms.CharField(
        label=_("Summary"),
        help_text=_("What it is about, in a sentence or two. No names, addresses, e-mail addresses or numbers."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={
            "required": _("Write a short summary of what it is about (no names or contact details)."),
            "max_length": _("A summary has at most %(limit_value)d characters."),
        },
    )
    status = forms.ChoiceField(label=_("Status"), choices=BoardRecordStatus.choices)
    outcome = forms.ChoiceField(
        label=_("Outcome"), required=False, choices=[("", "—"), *_record_choices(BOARD_RECORD_OUTCOMES)]
    )
    disposed_on = forms.DateField(
        label=_("Closed on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
    )

    def __init__(self, *args: Any, change: bool = False, kind: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kind in BoardRecordKind.values:
            # A record's own kind (a change: the kind never changes): only its categories and
            # outcomes are offered, not the other kind's.
            self.fields["category"].choices = [("", "—"), *BOARD_RECORD_CATEGORIES[BoardRecordKind(kind)].items()]  # type: ignore[attr-defined]  # a ChoiceField
            self.fields["outcome"].choices = [("", "—"), *BOARD_RECORD_OUTCOMES[BoardRecordKind(kind)].items()]  # type: ignore[attr-defined]  # a ChoiceField
        self.record_kind = kind
        for name in ("kind", "category", "status", "outcome"):
            self.fields[name].error_messages["invalid_choice"] = _("Choose one of the values listed.")
        self.fields["kind"].error_messages["required"] = _("Choose a complaint or a public-records request.")
        self.fields["category"].error_messages["required"] = _(
            "Choose one of the categories listed for this kind of record."
        )
        if change:
            del self.fields["kind"]
            self.fields["note"] = forms.CharField(
                label=_("What changed and why"),
                max_length=100,
                error_messages={
                    "required": _("Say what changed and why (for the record's history)."),
                    "max_length": _("The note has at most %(limit_value)d characters."),
                },
            )

    def clean(self) -> dict[str, Any]:
        """A category or outcome of the other kind of record is named as such (the list offers
        both kinds' under their headings; without JavaScript nothing stops choosing across)."""
        data = super().clean() or {}
        kind = self.record_kind or data.get("kind") or ""
        if kind not in BoardRecordKind.values:
            return data
        kind_words = BoardRecordKind(kind).label
        for name, by_kind, words in (
            (
                "category",
                BOARD_RECORD_CATEGORIES,
                _(
                    "“%(value)s” is a category of “%(other)s”, not of “%(kind)s”: choose one of the categories "
                    "listed under “%(kind)s”."
                ),
            ),
            (
                "outcome",
                BOARD_RECORD_OUTCOMES,
                _(
                    "“%(value)s” is an outcome of “%(other)s”, not of “%(kind)s”: choose one of the outcomes "
                    "listed under “%(kind)s”."
                ),
            ),
        ):
            value = data.get(name) or ""
            if not value or value in by_kind[BoardRecordKind(kind)]:
                continue
            other = next(k for k in BoardRecordKind if k != kind)
            self.add_error(
                name,
                words % {"value": by_kind[other].get(value, value), "other": other.label, "kind": kind_words},
            )
        return data
