"""The form of the integrations' pages (console.integration_views)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from incidents.models import IntegrationKind, PayloadShape


class IntegrationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=IntegrationKind.choices)
    name = forms.CharField(
        label=_("Name"), max_length=120, help_text=_("How the console names the sender, e.g. County CAD.")
    )
    shape = forms.ChoiceField(
        label=_("Payload format"),
        choices=PayloadShape.choices,
        help_text=_("How the sender's JSON is read; each format is described in the webhook documentation."),
    )

    def clean_name(self) -> str:
        name = str(self.cleaned_data["name"]).strip()
        if not name:
            raise forms.ValidationError(_("Give the integration a name."))
        return name
