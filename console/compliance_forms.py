"""The forms of the department's compliance pages (console.compliance_actions)."""

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from compliance import uploads
from core.forms import MultipleFileField

FINDING_MET, FINDING_NOT_MET = "met", "not_met"
FINDING_PREFIX = "finding_"


class DateInput(forms.DateInput):
    input_type = "date"


class InspectionForm(forms.Form):
    inspected_on = forms.DateField(label=_("Inspected on"), widget=DateInput)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=4000)
    photos = MultipleFileField(label=_("Photos"), required=False)

    def __init__(self, *args: Any, requirements: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Filled in here, in the reader's language (a lazy string formatted at import is not).
        self.fields["photos"].help_text = gettext("Up to %(n)d JPEG or PNG photos, at most %(mb)d MB each.") % {
            "n": uploads.PHOTOS_MAX,
            "mb": uploads.PHOTO_BYTES_MAX // (1024 * 1024),
        }
        self.requirement_names = []
        for code, sentence in requirements:
            name = f"{FINDING_PREFIX}{code}"
            self.fields[name] = forms.ChoiceField(
                label=sentence,
                required=False,
                choices=[("", _("Not checked")), (FINDING_MET, _("Met")), (FINDING_NOT_MET, _("Not met"))],
            )
            self.requirement_names.append(name)

    def findings(self) -> dict[str, bool]:
        return {
            name.removeprefix(FINDING_PREFIX): self.cleaned_data[name] == FINDING_MET
            for name in self.requirement_names
            if self.cleaned_data.get(name)
        }

    def finding_fields(self) -> list[Any]:
        return [self[name] for name in self.requirement_names]


class NoticeForm(forms.Form):
    text = forms.CharField(
        label=_("What must be fixed"), widget=forms.Textarea(attrs={"rows": 5}), max_length=4000, required=False
    )
    cure_by = forms.DateField(label=_("Cure by"), widget=DateInput, required=False)


class NoticeResolveForm(forms.Form):
    resolution = forms.CharField(label=_("How it was resolved"), max_length=4000, required=False)


class AppealDecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("granted", _("Grant")), ("denied", _("Deny"))],
        widget=forms.RadioSelect,
    )
    reasons = forms.CharField(
        label=_("Reasons (the owner reads them)"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        required=False,
    )
    exempt_until = forms.DateField(
        label=_("Exempt until (granted only; empty: no end)"), widget=DateInput, required=False
    )
