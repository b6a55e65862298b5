from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cameras.words import purpose_label


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
        # not silently impossible. The words are those of the rest of the console.
        choices = [(c, purpose_label(c)) for c in categories]
        choices += [(c, _("%(category)s (prohibited)") % {"category": purpose_label(c)}) for c in prohibited]
        self.fields["category"].choices = choices  # type: ignore[attr-defined]


class DenyForm(forms.Form):
    """A supervisor's denial of an exigent purpose: the reason is required (the officer is told it)."""

    purpose = forms.CharField(max_length=64)
    reason = forms.CharField(
        label=_("Reason for the denial"),
        max_length=500,
        error_messages={
            "required": _("Give the reason for the denial: the officer is told it."),
            "max_length": _("The reason may be at most 500 characters."),
        },
    )
