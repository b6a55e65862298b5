"""Putting a service's refusal on the form that asked for it: one way, for every page."""

from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from .errors import DomainError


def refusal_messages(error: ValidationError | DomainError) -> list[tuple[str | None, str]]:
    """``(field or None, message)`` for each message of a refusal, in order."""
    if isinstance(error, DomainError):
        return [(error.field, error.message)]
    if hasattr(error, "error_dict"):
        return [
            (None if field == NON_FIELD_ERRORS else field, message)
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    return [(None, message) for message in error.messages]


def form_errors_add(
    form: Any, error: ValidationError | DomainError, *, renames: Mapping[str, str] | None = None
) -> None:
    """Each message of ``error`` on the form's field it names (``renames`` maps a service's
    field name to the form's), or on the whole form when the form has no such field."""
    for field, message in refusal_messages(error):
        target = (renames or {}).get(field or "", field)
        form.add_error(target if target in form.fields else None, message)


class MultipleFileInput(forms.ClearableFileInput):
    """A file input that takes several files (Django's own needs this flag set)."""

    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field, cleaned to a list (empty when none was chosen and the field
    is optional). What each file is and how large it may be is the service's to check."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        items = list(data) if isinstance(data, list | tuple) else [data]
        files = [super(MultipleFileField, self).clean(item, initial) for item in items if item]
        if self.required and not files:
            raise ValidationError(self.error_messages["required"], code="required")
        return files
