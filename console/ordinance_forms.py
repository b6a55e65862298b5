"""The forms of the ordinance pages (console.ordinance_views). They validate; the writes are
compliance.services.ordinance_version_add and compliance.ordinances (never form.save())."""

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cameras.models import BusinessCategory, SiteKind
from compliance.models import PLACEMENT_LABELS, Ordinance, OrdinanceVersion
from compliance.selectors import version_problems
from tenants.selectors import policy_current

from .compliance_forms import DateInput

# The version's fields the page sets: all but the ordinance it belongs to and bookkeeping.
VERSION_FIELDS = [f.name for f in OrdinanceVersion._meta.get_fields() if getattr(f, "editable", False) and f.concrete]
VERSION_FIELDS = [name for name in VERSION_FIELDS if name not in {"id", "ordinance", "created_at"}]


class OrdinanceForm(forms.ModelForm):
    text_url = forms.URLField(label=_("Link to the legal text"), required=False, assume_scheme="https")

    class Meta:
        model = Ordinance
        fields = ["name", "citation", "text_url"]


class OrdinanceVersionForm(forms.ModelForm):
    """Who an ordinance's version covers and what it requires. A version that contradicts the
    department's policy (live view of homes it does not allow) is refused with the reason, as
    the Django admin does (compliance.admin)."""

    property_kinds = forms.MultipleChoiceField(
        label=_("Property kinds covered (none ticked: all)"),
        choices=SiteKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    business_categories = forms.MultipleChoiceField(
        label=_("Business categories covered (none ticked: all)"),
        choices=BusinessCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    placements = forms.MultipleChoiceField(
        label=_("Required placements"),
        choices=[(code.value, label) for code, label in PLACEMENT_LABELS.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = OrdinanceVersion
        fields = VERSION_FIELDS
        widgets = {"effective_on": DateInput, "built_after": DateInput}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        candidate = OrdinanceVersion(**{k: v for k, v in cleaned.items() if k in VERSION_FIELDS})
        for name, messages in version_problems(candidate, policy=policy_current()).items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
        return cleaned

    def shown(self) -> list[tuple[str, str]]:
        """(label, value) of each field in the form's words, for a version shown read-only:
        choices by their names, Yes/No, dates as ISO (2026-12-01), "—" for nothing set."""
        rows = []
        for bound in self:
            value, field = bound.value(), bound.field
            if isinstance(field, forms.BooleanField):
                text = str(_("Yes") if value else _("No"))
            elif value in (None, "", [], ()):
                text = "—"
            elif isinstance(field, forms.ChoiceField):
                names = {str(code): str(name) for code, name in field.widget.choices}
                codes = value if isinstance(value, list | tuple) else [value]
                text = ", ".join(names.get(str(code), str(code)) for code in codes)
            elif isinstance(value, dt.date):
                text = value.isoformat()
            else:
                text = str(value)
            rows.append((str(bound.label), text))
        return rows

    def requirements(self) -> dict[str, Any]:
        """The cleaned values but the date, as the services take them."""
        return {k: v for k, v in self.cleaned_data.items() if k in VERSION_FIELDS and k != "effective_on"}


class OrdinanceRetireForm(forms.Form):
    repealed_on = forms.DateField(
        label=_("No longer in force from"),
        widget=DateInput,
        help_text=_("From this day no site is judged by the ordinance. Its versions and records are kept."),
    )
