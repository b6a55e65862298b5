"""Forms of the licence import pages (console.licence_views)."""

from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from compliance.licences.reader import REQUIRED_FIELDS, LicenceField, column_letter
from compliance.licences.selectors import field_label
from compliance.models import LicenceSource


class LicenceUploadForm(forms.Form):
    source = forms.ChoiceField(label=_("The file lists"), choices=LicenceSource.choices)
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Exported from the city's licence or permit system, at most %(size)s."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit = settings.PORCHLIGHT_LICENCE_IMPORT_MAX_BYTES
        self.fields["file"].help_text = str(self.fields["file"].help_text) % {"size": filesizeformat(limit)}
        # static/js/licences.js refuses a larger file in the browser, before it is sent.
        self.fields["file"].widget.attrs.update(
            {
                "accept": ".csv,text/csv",
                "data-max-bytes": str(limit),
                "data-too-large": str(too_large_message()),
            }
        )


def too_large_message() -> str:
    limit = settings.PORCHLIGHT_LICENCE_IMPORT_MAX_BYTES
    return _("This file is larger than %(size)s: split it into smaller files.") % {"size": filesizeformat(limit)}


class LicenceMappingForm(forms.Form):
    """One choice of column per field; the required ones must be chosen (the service checks
    the same, with the same messages)."""

    has_header = forms.BooleanField(label=_("The first row holds the column titles"), required=False)
    unknown_as_other = forms.BooleanField(
        label=_("Read a category Porchlight does not know as 'Other business' instead of reporting the row"),
        required=False,
    )

    def __init__(self, *args: Any, columns: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("(not in the file)"))] + [
            (str(i), f"{column_letter(i)}: {title[:40]}" if title else column_letter(i))
            for i, title in enumerate(columns)
        ]
        for name in LicenceField:
            required = name in REQUIRED_FIELDS
            self.fields[name.value] = forms.TypedChoiceField(
                label=field_label(name.value).capitalize(),
                choices=choices,
                coerce=int,
                empty_value=None,
                required=required,
                error_messages={"required": _("Choose the column that holds this: it is required.")},
            )

    def mapping(self) -> dict[str, int | None]:
        return {name.value: self.cleaned_data.get(name.value) for name in LicenceField}
