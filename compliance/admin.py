"""The department's setup of ordinances, for now through Django admin (tenant admin), with
history. A version that contradicts the department's policy is refused with the reason."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from tenants.selectors import policy_current

from .certificates import certificate_revoke
from .models import Appeal, Attestation, Certificate, Inspection, Notice, Ordinance, OrdinanceVersion
from .records import records_refresh_all_on_commit
from .selectors import version_problems

if TYPE_CHECKING:
    from django.http import HttpRequest


class OrdinanceVersionForm(forms.ModelForm):
    class Meta:
        model = OrdinanceVersion
        exclude: list[str] = []  # every field: the admin sets up the whole version

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        candidate = OrdinanceVersion(
            **{k: v for k, v in cleaned.items() if k in {f.name for f in OrdinanceVersion._meta.fields}}
        )
        policy = policy_current()
        for name, messages in version_problems(candidate, policy=policy).items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
        return cleaned


class OrdinanceVersionInline(admin.StackedInline):
    model = OrdinanceVersion
    form = OrdinanceVersionForm
    extra = 0


@admin.register(Ordinance)
class OrdinanceAdmin(SimpleHistoryAdmin):
    list_display = ("name", "citation", "created_at")
    inlines = [OrdinanceVersionInline]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        records_refresh_all_on_commit()  # every site is judged again under the changed versions

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        records_refresh_all_on_commit()


@admin.register(OrdinanceVersion)
class OrdinanceVersionAdmin(SimpleHistoryAdmin):
    form = OrdinanceVersionForm
    list_display = ("ordinance", "effective_on", "min_consent", "live_connection_required")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        records_refresh_all_on_commit()  # every site is judged again under the changed version

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        records_refresh_all_on_commit()


@admin.register(Attestation)
class AttestationAdmin(SimpleHistoryAdmin):
    """Read-only: an attestation is a signed record, never edited."""

    list_display = ("site", "version", "signed_name", "signed_at", "text_sha256")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Inspection)
class InspectionAdmin(SimpleHistoryAdmin):
    list_display = ("site", "ordinance", "inspected_on", "inspector")


@admin.register(Notice)
class NoticeAdmin(SimpleHistoryAdmin):
    list_display = ("site", "ordinance", "issued_on", "cure_by", "resolved_on")


@admin.register(Appeal)
class AppealAdmin(SimpleHistoryAdmin):
    list_display = ("site", "ordinance", "kind", "decision", "requested_at")


class CertificateRevokeForm(forms.ModelForm):
    """A certificate is never edited: the one thing staff do is revoke it, with a reason."""

    revoke_reason = forms.CharField(
        label=_("Revoke, with this reason"),
        help_text=_("Kept with the department; the public check only says the department revoked it."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )

    class Meta:
        model = Certificate
        fields: list[str] = []

    def clean_revoke_reason(self) -> str:
        reason = " ".join(str(self.cleaned_data.get("revoke_reason") or "").split())
        if reason and self.instance.revoked_at is not None:
            raise forms.ValidationError(_("This certificate is already revoked."))
        return reason


@admin.register(Certificate)
class CertificateAdmin(SimpleHistoryAdmin):
    form = CertificateRevokeForm
    list_display = ("__str__", "site", "issued_at", "valid_until", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("code",)
    readonly_fields = (
        "code",
        "site",
        "ordinances",
        "street_block",
        "issued_at",
        "issued_to",
        "valid_until",
        "revoked_at",
        "revoked_by",
        "revocation_reason",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Certificate, form: Any, change: bool) -> None:
        # Through the service, which locks the row and records who revoked it in the history.
        reason = form.cleaned_data.get("revoke_reason")
        if reason:
            certificate_revoke(actor=request.user, certificate_id=obj.pk, reason=reason)  # type: ignore[arg-type]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        return  # nothing related is edited here
