from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy

from .models import MESSAGE_MAX_CHARS

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

_EMPTY = gettext_lazy("Write a message first: it is empty.")


def _body_field(label: "StrOrPromise") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=MESSAGE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MESSAGE_MAX_CHARS}),
        error_messages={"required": _EMPTY},
    )


class MessageForm(forms.Form):
    body = _body_field(gettext_lazy("Message to the owner"))


class ReplyForm(forms.Form):
    body = _body_field(gettext_lazy("Your answer"))
    share_contact = forms.BooleanField(
        label=gettext_lazy("Share my contact details (name, e-mail and the camera's address) with this officer"),
        required=False,
        help_text=gettext_lazy("Leave this unticked and the officer sees only your words, not who you are."),
    )


class PreferenceForm(forms.Form):
    email_on_message = forms.BooleanField(label=gettext_lazy("E-mail me when police send me a message"), required=False)
