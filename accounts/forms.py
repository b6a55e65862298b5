import re
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tenants.models import (
    ANOMALY_POLICY_FIELDS,
    INCIDENT_POLICY_FIELDS,
    DepartmentPolicy,
    language_choices,
)

from .models import OWNER_ROLES, STAFF_ROLES, ApiToken, Role, User

if TYPE_CHECKING:
    from django.http import HttpRequest


class SignupForm(forms.Form):
    """Extra sign-up fields (allauth's ACCOUNT_SIGNUP_FORM_CLASS)."""

    full_name = forms.CharField(label=_("Your name"), max_length=150, required=False)
    role = forms.ChoiceField(
        label=_("I am registering as"),
        choices=[(r.value, r.label) for r in Role if r in OWNER_ROLES],
        initial=Role.RESIDENT,
        widget=forms.RadioSelect,
    )

    def signup(self, request: "HttpRequest", user: User) -> None:  # allauth's hook
        """Role and name are set by AccountAdapter.save_user."""


class StaffInviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=User._meta.get_field("email").max_length)
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    badge_number = forms.CharField(label=_("Badge number"), max_length=32, required=False)
    # Not the oversight board: the platform's operator adds its members (accounts.services).
    role = forms.ChoiceField(
        label=_("Role"), choices=[(r.value, r.label) for r in Role if r in STAFF_ROLES and r != Role.OVERSIGHT]
    )
    language = forms.ChoiceField(
        label=_("Language of the invitation"),
        choices=language_choices,
        required=False,  # not given: the department's language
        help_text=_("Their e-mails are written in it until they choose another language."),
    )


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Your language"),  # not "Language": the menu's language switch is named that
        choices=language_choices,
        help_text=_("The language of the e-mails Porchlight sends you, and of these pages after you sign in."),
    )


#: The roles a department administrator gives: not the oversight board's (accounts.services).
ROLE_CHOICES = [(r.value, r.label) for r in Role if r in STAFF_ROLES and r != Role.OVERSIGHT]


class ApiTokenIssueForm(forms.Form):
    # CharField also refuses NUL characters, which PostgreSQL cannot store.
    name = forms.CharField(label=_("Name"), max_length=ApiToken._meta.get_field("name").max_length, required=False)


class ApiTokenRevokeForm(forms.Form):
    # Bounded so that no number reaches the database as an out-of-range id.
    revoke = forms.IntegerField(
        label=_("Token to revoke"),
        min_value=1,
        max_value=2**63 - 1,
        error_messages={
            "required": _("Choose the token to revoke."),
            "invalid": _("Choose the token to revoke from the list."),
        },
    )


class RoleChangeForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES)


CATEGORY_MAX_LENGTH = 64  # DepartmentPolicy's category arrays hold CharField(max_length=64)
CATEGORIES_MAX = 50


def _slug_list(value: str) -> list[str]:
    """The categories as codes, each once, in the order given."""
    from django.utils.text import slugify

    items = [slugify(part.strip()).replace("-", "_") for part in value.replace("\n", ",").split(",")]
    return list(dict.fromkeys(i for i in items if i))


# The compliance programme's contact, printed on the invitation letters (compliance.licences).
COMPLIANCE_CONTACT_FIELDS = ("compliance_mailing_address", "compliance_phone", "compliance_reply_email")
PHONE = re.compile(r"^[0-9 +().\-]+(?:\s*(?:ext\.?|x)\s*\d+)?$", re.IGNORECASE)
# A North American number without its area code has 7 digits: fewer is not a number to call.
PHONE_MIN_DIGITS = 7


class PolicyForm(forms.ModelForm):
    purpose_categories_text = forms.CharField(
        label=_("Purpose categories"),
        help_text=_("Comma-separated. Officers must choose one of these before any search or access."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    exigent_categories_text = forms.CharField(
        label=_("Exigent categories"),
        help_text=_("Categories that may open a live view on cameras with exigent-only consent."),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    prohibited_purposes_text = forms.CharField(
        label=_("Prohibited purposes"),
        help_text=_("Purposes for which any access is refused and logged."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    plate_hotlist_allowed_text = forms.CharField(
        label=_("Plate-reader hotlist categories accepted"),
        help_text=_("Comma-separated. A plate-reader hit of another category is dropped and logged."),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    plate_hotlist_blocked_text = forms.CharField(
        label=_("Plate-reader hotlist categories always dropped"),
        help_text=_("Comma-separated. Dropped even if accepted above, and stated on the public transparency page."),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    class Meta:
        model = DepartmentPolicy
        fields = [
            "live_view_limit_minutes",
            "live_max_bitrate_kbps",
            "footage_retention_days",
            "residential_live_view_allowed",
            "exigent_requires_approval",
            "notice_digest_minutes",
            "public_cell_threshold",
            "language",
            *ANOMALY_POLICY_FIELDS,
            "compliance_list_public",
            "compliance_mailing_address",
            "compliance_phone",
            "compliance_reply_email",
            "department_camera_level",
            "department_camera_legal_basis",
            *INCIDENT_POLICY_FIELDS,
        ]
        widgets = {
            "compliance_mailing_address": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        policy = self.instance
        self.fields["purpose_categories_text"].initial = ", ".join(policy.purpose_categories)
        self.fields["exigent_categories_text"].initial = ", ".join(policy.exigent_categories)
        self.fields["prohibited_purposes_text"].initial = ", ".join(policy.prohibited_purposes)
        # The anomaly thresholds came later than the rest: a form sent without them keeps them.
        for name in ANOMALY_POLICY_FIELDS:
            self.fields[name].required = False
        # And the live video bitrate cap (issue 19): a form without it keeps it.
        self.fields["live_max_bitrate_kbps"].required = False
        out_of_range = _("The live video cap must be between 250 and 50,000 kbit/s.")
        self.fields["live_max_bitrate_kbps"].error_messages.update(
            min_value=out_of_range,
            max_value=out_of_range,
            invalid=_("Enter the live video cap as a whole number of kbit/s, between 250 and 50,000."),
        )
        self.fields["live_max_bitrate_kbps"].help_text = _(
            "What one camera may send to the live view, in kbit/s (250 to 50,000). 8,000 carries a "
            "camera's 1080p main stream; a home upload link is often 10,000 to 20,000 in all."
        )
        # So did the department's own cameras' level (issue 17): a form without it keeps it.
        self.fields["department_camera_level"].required = False
        # And the incident dock's and mobile cameras' settings, and the plate hotlists (issue 17).
        for name in INCIDENT_POLICY_FIELDS:
            self.fields[name].required = False
        self.fields["plate_hotlist_allowed_text"].initial = ", ".join(policy.plate_hotlist_allowed)
        self.fields["plate_hotlist_blocked_text"].initial = ", ".join(policy.plate_hotlist_blocked)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        purposes = _slug_list(data.get("purpose_categories_text", ""))
        exigent = _slug_list(data.get("exigent_categories_text", ""))
        prohibited = _slug_list(data.get("prohibited_purposes_text", ""))
        for field, codes in (
            ("purpose_categories_text", purposes),
            ("exigent_categories_text", exigent),
            ("prohibited_purposes_text", prohibited),
        ):
            too_long = [code for code in codes if len(code) > CATEGORY_MAX_LENGTH]
            if too_long:
                self.add_error(
                    field,
                    _("Each category can be at most %(max)d characters: %(names)s")
                    % {"max": CATEGORY_MAX_LENGTH, "names": ", ".join(c[:20] + "…" for c in too_long[:3])},
                )
            elif len(codes) > CATEGORIES_MAX:
                self.add_error(field, _("List at most %(max)d categories.") % {"max": CATEGORIES_MAX})
        if not purposes:
            self.add_error("purpose_categories_text", _("List at least one purpose category."))
        if set(purposes) & set(prohibited):
            self.add_error(
                "prohibited_purposes_text",
                _("A category cannot be both allowed and prohibited: %(names)s")
                % {"names": ", ".join(sorted(set(purposes) & set(prohibited)))},
            )
        if set(exigent) - set(purposes):
            self.add_error(
                "exigent_categories_text",
                _("Exigent categories must also be purpose categories: %(names)s")
                % {"names": ", ".join(sorted(set(exigent) - set(purposes)))},
            )
        for name in (*ANOMALY_POLICY_FIELDS, *INCIDENT_POLICY_FIELDS):
            if data.get(name) is None and name not in self.errors:
                data[name] = getattr(self.instance, name)
        for name in ("plate_hotlist_allowed", "plate_hotlist_blocked"):
            text = data.get(f"{name}_text")
            # A form sent without the box (an older page) keeps the lists as they are.
            codes = getattr(self.instance, name) if f"{name}_text" not in self.data else _slug_list(text or "")
            if any(len(code) > CATEGORY_MAX_LENGTH for code in codes) or len(codes) > CATEGORIES_MAX:
                self.add_error(
                    f"{name}_text",
                    _("List at most %(max)d categories of at most %(len)d characters each.")
                    % {"max": CATEGORIES_MAX, "len": CATEGORY_MAX_LENGTH},
                )
            data[name] = codes
        if data.get("live_max_bitrate_kbps") is None and "live_max_bitrate_kbps" not in self.errors:
            data["live_max_bitrate_kbps"] = self.instance.live_max_bitrate_kbps
        if not data.get("department_camera_level") and "department_camera_level" not in self.errors:
            data["department_camera_level"] = self.instance.department_camera_level
        for name in COMPLIANCE_CONTACT_FIELDS:
            if name not in self.data:  # an older page without the box keeps the value
                data[name] = getattr(self.instance, name)
        phone = (data.get("compliance_phone") or "").strip()
        if phone and (not PHONE.match(phone) or sum(ch.isdigit() for ch in phone) < PHONE_MIN_DIGITS):
            self.add_error(
                "compliance_phone",
                _("Enter a telephone number of digits, spaces, dashes and brackets, e.g. (909) 820-2550."),
            )
        address = [line for line in (data.get("compliance_mailing_address") or "").splitlines() if line.strip()]
        if address and len(address) < 2:
            self.add_error(
                "compliance_mailing_address",
                _("Give the street on one line and the city, state and ZIP code on the next, as on an envelope."),
            )
        start, end = data.get("anomaly_day_start_hour"), data.get("anomaly_day_end_hour")
        if start is not None and end is not None and end <= start:
            self.add_error("anomaly_day_end_hour", _("The working day must end after it starts."))
        data["purpose_categories"] = purposes
        data["exigent_categories"] = exigent
        data["prohibited_purposes"] = prohibited
        return data

    def changes(self) -> dict[str, object]:
        d = self.cleaned_data
        return {
            "live_view_limit_minutes": d["live_view_limit_minutes"],
            "live_max_bitrate_kbps": d["live_max_bitrate_kbps"],
            "footage_retention_days": d["footage_retention_days"],
            "residential_live_view_allowed": d["residential_live_view_allowed"],
            "exigent_requires_approval": d["exigent_requires_approval"],
            "notice_digest_minutes": d["notice_digest_minutes"],
            "language": d["language"],
            "public_cell_threshold": d["public_cell_threshold"],
            "purpose_categories": d["purpose_categories"],
            "exigent_categories": d["exigent_categories"],
            "prohibited_purposes": d["prohibited_purposes"],
            **{name: d[name] for name in ANOMALY_POLICY_FIELDS},
            **{name: d[name] for name in ("department_camera_level", "department_camera_legal_basis") if name in d},
            **{name: d[name] for name in INCIDENT_POLICY_FIELDS},
            "plate_hotlist_allowed": d["plate_hotlist_allowed"],
            "plate_hotlist_blocked": d["plate_hotlist_blocked"],
            **{name: (d[name] or "").strip() for name in COMPLIANCE_CONTACT_FIELDS},
            "compliance_list_public": d["compliance_list_public"],
        }
