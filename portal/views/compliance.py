"""The owner's obligations under the department's ordinances: what applies and why, a live
checklist, the yearly attestation and exemption/appeal requests. Interfaces only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from cameras import selectors as camera_selectors
from cameras.access import Actor
from cameras.mixins import OwnerRequiredMixin
from cameras.models import Site
from compliance import certificates, selectors, services, uploads
from compliance.models import AppealAttachment, AppealKind, Attestation, Ordinance, OrdinanceVersion
from core.errors import DomainError
from core.forms import MultipleFileField, form_errors_add
from notifications import selectors as notification_selectors
from notifications import services as notification_services
from notifications.models import Kind, Notification
from tenants.selectors import policy_current

if TYPE_CHECKING:
    from accounts.authenticated import AuthenticatedHttpRequest
    from compliance.selectors import OrdinanceResult, SiteCompliance


def _schema(request: AuthenticatedHttpRequest) -> str:
    return str(request.tenant.schema_name)


class ObligationsView(OwnerRequiredMixin, View):
    """Each of the owner's properties with the ordinances that cover it, why, and a checklist."""

    template = "portal/obligations.html"

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        sites = list(camera_selectors.sites_of_owner(owner=request.user))
        compliance = selectors.sites_compliance(
            sites=sites, policy=policy_current(), schema=_schema(request), now=timezone.now()
        )
        appeals = selectors.appeals_of_sites(sites=sites)
        current = certificates.certificates_current(sites=sites, on=timezone.localdate())
        notices = selectors.notices_open_of_sites(sites=sites)
        attestations = selectors.attestations_of_sites(sites=sites)
        rows = [
            (
                compliance[site.pk],
                [(result, selectors.requirement_rows(result), result.why()) for result in compliance[site.pk].covering],
                appeals.get(site.pk, []),
                current.get(site.pk),
                notices.get(site.pk, []),
                attestations.get(site.pk, []),
            )
            for site in sites
        ]
        told = [
            n
            for n in notification_selectors.notifications_of(user=request.user)[:OWNER_NOTICES_SHOWN]
            if n.kind in OWNER_NOTICE_KINDS and n.read_at is None
        ]
        return render(request, self.template, {"rows": rows, "told": told})


# What the department told the owner about compliance (compliance.services, compliance.reminders).
OWNER_NOTICE_KINDS = frozenset({Kind.COMPLIANCE_NOTICE, Kind.APPEAL_DECIDED, Kind.COMPLIANCE_REMINDER})
OWNER_NOTICES_SHOWN = 50


class ObligationNoticeReadView(OwnerRequiredMixin, View):
    """Mark one of the owner's compliance notices read (another's, or none: 404, logged as
    the other owner refusals are)."""

    def post(self, request: AuthenticatedHttpRequest, notification_id: int) -> HttpResponse:
        try:
            notification_services.notification_mark_read(user=request.user, notification_id=notification_id)
        except Notification.DoesNotExist as exc:
            services.owner_denial_log(
                owner=request.user,
                what="notice",
                site_public_id=None,
                actor=Actor.from_request(request),
                notice=notification_id,
            )
            raise Http404 from exc
        return redirect(_obligations_url())


class AppealAttachmentView(OwnerRequiredMixin, View):
    """One of the owner's own attachments, as a download (another owner's, or none: 404)."""

    def get(self, request: AuthenticatedHttpRequest, appeal_id: Any, attachment_id: Any) -> FileResponse:
        try:
            attachment = selectors.attachment_of_owner(
                owner=request.user, appeal_public_id=appeal_id, public_id=attachment_id
            )
        except AppealAttachment.DoesNotExist as exc:
            services.owner_denial_log(
                owner=request.user,
                what="appeal_attachment",
                site_public_id=None,
                actor=Actor.from_request(request),
                appeal=appeal_id,
                attachment=attachment_id,
            )
            raise Http404 from exc
        response = FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )
        # The owner's evidence (licences, photos): no shared or browser cache keeps it, as for staff.
        add_never_cache_headers(response)
        return response


class AttestationDetailView(OwnerRequiredMixin, View):
    """One of the owner's signed attestations, read-only: the text attested (as signed and
    hashed), the typed name, when (the department's time zone), the owner's own IP as recorded
    (theirs to know: it is what the department holds about them) and the text's SHA-256 with
    how to check it. Another owner's, another department's or none: 404, logged."""

    template = "portal/attestation_detail.html"

    def get(self, request: AuthenticatedHttpRequest, attestation_id: Any) -> HttpResponse:
        try:
            attestation = selectors.attestation_of_owner(owner=request.user, public_id=attestation_id)
        except Attestation.DoesNotExist as exc:
            services.owner_denial_log(
                owner=request.user,
                what="attestation",
                site_public_id=None,
                actor=Actor.from_request(request),
                attestation=attestation_id,
            )
            raise Http404 from exc
        context = {
            "attestation": attestation,
            "signed_at": selectors.attestation_signed_local(attestation),
            "statements": selectors.attestation_statements(attestation),
        }
        response = render(request, self.template, context)
        add_never_cache_headers(response)  # the owner's signature and address: no shared cache
        return response


class AttestationForm(forms.Form):
    confirmed = forms.MultipleChoiceField(
        label=gettext_lazy("I confirm that, at this property:"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    signed_name = forms.CharField(
        label=gettext_lazy("Your full name, typed as your signature"),
        max_length=services.SIGNED_NAME_MAX,
        required=False,
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["confirmed"].choices = choices  # type: ignore[attr-defined]  # a MultipleChoiceField


def _result_or_404(
    request: AuthenticatedHttpRequest, site_id: Any, ordinance_id: Any, *, what: str
) -> tuple[SiteCompliance, OrdinanceResult]:
    """The owner's site and its judgement under the ordinance; 404 for a site that is not the
    owner's, an ordinance not in force or one that does not cover the site."""
    try:
        site = camera_selectors.site_of_owner(owner=request.user, public_id=site_id)
    except Site.DoesNotExist as exc:
        services.owner_denial_log(
            owner=request.user, what=what, site_public_id=site_id, actor=Actor.from_request(request)
        )
        raise Http404 from exc
    compliance = selectors.site_compliance(
        site=site, policy=policy_current(), schema=_schema(request), now=timezone.now()
    )
    for result in compliance.covering:
        if result.version is not None and str(result.version.ordinance.public_id) == str(ordinance_id):
            return compliance, result
    services.owner_denial_log(
        owner=request.user, what=what, site_public_id=site_id, actor=Actor.from_request(request), ordinance=ordinance_id
    )
    raise Http404


class AttestationFileView(OwnerRequiredMixin, View):
    """File the yearly attestation: confirm each requirement Porchlight cannot check, and sign."""

    template = "portal/attestation_form.html"

    def _render(
        self,
        request: AuthenticatedHttpRequest,
        compliance: SiteCompliance,
        result: OrdinanceResult,
        form: Any,
        status: int = 200,
    ) -> HttpResponse:
        return render(
            request,
            self.template,
            {"site": compliance.site, "result": result, "form": form},
            status=status,
        )

    def get(self, request: AuthenticatedHttpRequest, site_id: Any, ordinance_id: Any) -> HttpResponse:
        compliance, result = _result_or_404(request, site_id, ordinance_id, what="attestation")
        form = AttestationForm(choices=selectors.attestable_rows(result.rules))
        return self._render(request, compliance, result, form)

    def post(self, request: AuthenticatedHttpRequest, site_id: Any, ordinance_id: Any) -> HttpResponse:
        compliance, result = _result_or_404(request, site_id, ordinance_id, what="attestation")
        form = AttestationForm(request.POST, choices=selectors.attestable_rows(result.rules))
        if form.is_valid():
            try:
                services.attestation_file(
                    owner=request.user,
                    site_public_id=compliance.site.public_id,
                    ordinance_public_id=ordinance_id,
                    signed_name=form.cleaned_data["signed_name"],
                    confirmed=form.cleaned_data["confirmed"],
                    ip_address=request.META.get("REMOTE_ADDR"),
                )
            except ValidationError as exc:
                form_errors_add(form, exc)
            except OrdinanceVersion.DoesNotExist as exc:
                raise Http404 from exc
            else:
                messages.success(request, _("Attestation filed. Thank you."))
                return redirect(f"{_obligations_url()}#site-{compliance.site.public_id}")
        return self._render(request, compliance, result, form, status=400)


def _obligations_url() -> str:
    return reverse("portal-obligations")


class AppealForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What do you ask for?"),
        choices=[
            (
                AppealKind.EXEMPTION.value,
                gettext_lazy("An exemption: the ordinance should not apply here, or not yet (say until when)."),
            ),
            (
                AppealKind.APPEAL.value,
                gettext_lazy("An appeal: you disagree with what this page or an inspection says is missing."),
            ),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=gettext_lazy("Why"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=services.APPEAL_REASON_MAX,
        required=False,
    )
    attachments = MultipleFileField(label=gettext_lazy("Files (optional)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Filled in here, in the reader's language (a lazy string formatted at import is not).
        self.fields["attachments"].help_text = _(
            "Up to %(n)d PDF, JPEG or PNG files, at most %(mb)d MB each: a permit, a letter, a photo."
        ) % {"n": uploads.ATTACHMENTS_MAX, "mb": uploads.ATTACHMENT_BYTES_MAX // (1024 * 1024)}


class AppealRequestView(OwnerRequiredMixin, View):
    """Ask the department for an exemption from an ordinance, or appeal its finding."""

    template = "portal/appeal_form.html"

    def get(self, request: AuthenticatedHttpRequest, site_id: Any, ordinance_id: Any) -> HttpResponse:
        compliance, result = _result_or_404(request, site_id, ordinance_id, what="appeal")
        return render(request, self.template, {"site": compliance.site, "result": result, "form": AppealForm()})

    def post(self, request: AuthenticatedHttpRequest, site_id: Any, ordinance_id: Any) -> HttpResponse:
        compliance, result = _result_or_404(request, site_id, ordinance_id, what="appeal")
        form = AppealForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.appeal_request(
                    owner=request.user,
                    site_public_id=compliance.site.public_id,
                    ordinance_public_id=ordinance_id,
                    kind=form.cleaned_data["kind"],
                    reason=form.cleaned_data["reason"],
                    attachments=form.cleaned_data["attachments"],
                )
            except (ValidationError, DomainError) as exc:
                form_errors_add(form, exc)
            except Ordinance.DoesNotExist as exc:
                raise Http404 from exc
            else:
                messages.success(request, _("Request sent. The department will decide and give its reasons here."))
                return redirect(f"{_obligations_url()}#site-{compliance.site.public_id}")
        return render(request, self.template, {"site": compliance.site, "result": result, "form": form}, status=400)
