"""The department's compliance actions: a covered site's record, inspections, notices and
their resolution, decisions on exemption and appeal requests, and the owners' attachments.
For whom compliance.selectors.compliance_staff_allowed says (department administrators, and
supervisors given the compliance duty) with a session that passed MFA; to anyone else the pages
do not exist (404), and the refusal is logged (console_denied). Interfaces only: each write is
one service of compliance.services."""

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views import View, defaults

from cameras import access
from cameras.models import Site
from compliance import selectors, services
from compliance.models import Appeal, Attestation, Notice, OrdinanceVersion
from core.errors import DomainError, Invalid, NotFound
from core.forms import form_errors_add
from tenants.selectors import policy_current

from .compliance_forms import AppealDecideForm, InspectionForm, NoticeForm, NoticeResolveForm

if TYPE_CHECKING:
    from compliance.selectors import SiteCompliance


class ComplianceStaffMixin(LoginRequiredMixin):
    """compliance.selectors.compliance_staff_allowed, with MFA passed: the one gate of every
    compliance staff page (these actions and the dashboard, console.compliance). Anyone else is
    told the page does not exist (404), as the board's pages do, and the refusal is logged as
    the console's are; so is an id of another department's (or a missing) site, appeal,
    attachment, notice or photo asked by those allowed (services.staff_not_found_record).
    Every response, refusals included: Cache-Control no-store."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.actor = access.Actor.from_request(request)
        try:
            if not selectors.compliance_staff_allowed(request.user) or not self.actor.mfa:
                access.console_denied(actor=self.actor, path=request.path)
                raise Http404
            try:
                response = super().dispatch(request, *args, **kwargs)
            except Http404:
                services.staff_not_found_record(actor=self.actor, path=request.path)
                raise
        except Http404 as exc:
            # Rendered here rather than raised, so that the refusal is not cached either.
            response = defaults.page_not_found(request, exc)
        add_never_cache_headers(response)
        return response


def _site_or_404(site_id: Any) -> Site:
    try:
        return selectors.site_for_staff(public_id=site_id)
    except Site.DoesNotExist as exc:
        raise Http404 from exc


def _compliance(request: HttpRequest, site: Site) -> "SiteCompliance":
    return selectors.site_compliance(
        site=site,
        policy=policy_current(),
        schema=str(request.tenant.schema_name),  # type: ignore[attr-defined]
        now=timezone.now(),
    )


def _version_or_404(site: Site, ordinance_id: Any) -> OrdinanceVersion:
    try:
        return selectors.version_covering(site=site, ordinance_public_id=ordinance_id, on=services.local_today())
    except Invalid as exc:
        raise Http404 from exc


def _site_url(site: Site) -> str:
    return reverse("console-compliance-site", args=[site.public_id])


class ComplianceSiteView(ComplianceStaffMixin, View):
    """A site's compliance: each ordinance covering it, what is unmet, its inspections, notices
    and requests, and the actions."""

    template = "console/compliance/site.html"

    def get(self, request: HttpRequest, site_id: Any) -> HttpResponse:
        return _site_page(request, _site_or_404(site_id))


def _site_page(
    request: HttpRequest, site: Site, *, resolve_form: Any = None, refused_notice: Any = None, status: int = 200
) -> HttpResponse:
    """The site's page; with a refused resolution, its form shown again beside its notice."""
    records = selectors.site_records(site=site)
    # The findings' codes in words, each looked up once (gettext is not free).
    codes = {code for inspection in records["inspections"] for code, met in inspection.findings.items() if not met}
    labels = {code: str(selectors.requirement_label(code)) for code in codes}
    context = {
        "site": site,
        "compliance": _compliance(request, site),
        "records": records,
        "inspections": [
            (inspection, ", ".join(labels[code] for code, met in inspection.findings.items() if not met))
            for inspection in records["inspections"]
        ],
        "attestations": list(selectors.attestations_of_site(site=site)),
        "resolve_form": resolve_form or NoticeResolveForm(),
        "refused_notice": refused_notice,
    }
    return render(request, ComplianceSiteView.template, context, status=status)


class InspectionPhotoView(ComplianceStaffMixin, View):
    """A photo of one of the site's inspections, shown in the browser (its bytes were checked
    as a JPEG or PNG when recorded), the viewing recorded first (inspection_photo_view);
    another site's, another department's or no such photo: 404. No-store, as every page of
    the mixin."""

    def get(self, request: HttpRequest, site_id: Any, photo_id: int) -> FileResponse:
        site = _site_or_404(site_id)
        try:
            photo = services.inspection_photo_open(actor=self.actor, site=site, photo_id=photo_id)
        except NotFound as exc:
            raise Http404 from exc
        return FileResponse(photo.image.open("rb"), content_type=photo.content_type)


class AttestationView(ComplianceStaffMixin, View):
    """One signed attestation of this department, read-only: the statements and the text
    attested, the typed name, when (the department's time zone), the IP it was signed from and
    the text's SHA-256 with how to check it. Another department's, or none: 404, logged."""

    def get(self, request: HttpRequest, attestation_id: Any) -> HttpResponse:
        try:
            attestation = selectors.attestation_for_staff(public_id=attestation_id)
        except Attestation.DoesNotExist as exc:
            raise Http404 from exc
        context = {
            "attestation": attestation,
            "signed_at": selectors.attestation_signed_local(attestation),
            "statements": selectors.attestation_statements(attestation),
        }
        return render(request, "console/compliance/attestation.html", context)


class InspectionRecordView(ComplianceStaffMixin, View):
    template = "console/compliance/inspection_form.html"

    def _form(self, version: OrdinanceVersion, *args: Any, **kwargs: Any) -> InspectionForm:
        return InspectionForm(
            *args, requirements=selectors.inspectable_requirements(selectors.rules_of(version)), **kwargs
        )

    def _render(
        self, request: HttpRequest, site: Site, version: OrdinanceVersion, form: Any, status: int = 200
    ) -> HttpResponse:
        return render(request, self.template, {"site": site, "version": version, "form": form}, status=status)

    def get(self, request: HttpRequest, site_id: Any, ordinance_id: Any) -> HttpResponse:
        site = _site_or_404(site_id)
        version = _version_or_404(site, ordinance_id)
        form = self._form(version, initial={"inspected_on": services.local_today()})
        return self._render(request, site, version, form)

    def post(self, request: HttpRequest, site_id: Any, ordinance_id: Any) -> HttpResponse:
        site = _site_or_404(site_id)
        version = _version_or_404(site, ordinance_id)
        form = self._form(version, request.POST, request.FILES)
        if form.is_valid():
            try:
                services.inspection_record(
                    actor=self.actor,
                    site_public_id=site.public_id,
                    ordinance_public_id=version.ordinance.public_id,
                    inspected_on=form.cleaned_data["inspected_on"],
                    findings=form.findings(),
                    notes=form.cleaned_data["notes"],
                    photos=form.cleaned_data["photos"],
                )
            except NotFound as exc:
                raise Http404 from exc
            except DomainError as exc:
                form_errors_add(form, exc)
            else:
                messages.success(request, _("Inspection recorded."))
                return redirect(_site_url(site))
        return self._render(request, site, version, form, status=400)


class NoticeIssueView(ComplianceStaffMixin, View):
    template = "console/compliance/notice_form.html"

    def _render(
        self, request: HttpRequest, site: Site, version: OrdinanceVersion, form: Any, status: int = 200
    ) -> HttpResponse:
        return render(request, self.template, {"site": site, "version": version, "form": form}, status=status)

    def get(self, request: HttpRequest, site_id: Any, ordinance_id: Any) -> HttpResponse:
        site = _site_or_404(site_id)
        return self._render(request, site, _version_or_404(site, ordinance_id), NoticeForm())

    def post(self, request: HttpRequest, site_id: Any, ordinance_id: Any) -> HttpResponse:
        site = _site_or_404(site_id)
        version = _version_or_404(site, ordinance_id)
        form = NoticeForm(request.POST)
        if form.is_valid():
            try:
                services.notice_issue(
                    actor=self.actor,
                    site_public_id=site.public_id,
                    ordinance_public_id=version.ordinance.public_id,
                    text=form.cleaned_data["text"],
                    cure_by=form.cleaned_data["cure_by"],
                )
            except NotFound as exc:
                raise Http404 from exc
            except DomainError as exc:
                form_errors_add(form, exc)
            else:
                messages.success(request, _("Notice issued. The owner was told in Porchlight and by e-mail."))
                return redirect(_site_url(site))
        return self._render(request, site, version, form, status=400)


class NoticeResolveView(ComplianceStaffMixin, View):
    def post(self, request: HttpRequest, notice_id: int) -> HttpResponse:
        form = NoticeResolveForm(request.POST)
        if not form.is_valid():
            # Shown again with the typed text and its error: never resolved with the text lost.
            try:
                site = selectors.notice_site(notice_id=notice_id)
            except (Notice.DoesNotExist, ValueError) as exc:
                raise Http404 from exc
            return _site_page(request, site, resolve_form=form, refused_notice=int(notice_id), status=400)
        try:
            notice = services.notice_resolve(
                actor=self.actor, notice_id=notice_id, resolution=form.cleaned_data["resolution"]
            )
        except NotFound as exc:
            raise Http404 from exc
        except DomainError as exc:
            site = selectors.notice_site(notice_id=notice_id)
            messages.error(request, exc.message)
            return redirect(_site_url(site))
        messages.success(request, _("Notice marked resolved."))
        return redirect(_site_url(notice.site))


class AppealListView(ComplianceStaffMixin, View):
    """Requests waiting for the department's decision, oldest first."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "console/compliance/appeals.html", {"appeals": selectors.appeals_pending()})


class AppealDecideView(ComplianceStaffMixin, View):
    """One request, its reason and attachments; grant or deny it with reasons."""

    template = "console/compliance/appeal.html"

    def _appeal(self, appeal_id: Any) -> Appeal:
        try:
            return selectors.appeal_for_staff(public_id=appeal_id)
        except Appeal.DoesNotExist as exc:
            raise Http404 from exc

    def get(self, request: HttpRequest, appeal_id: Any) -> HttpResponse:
        return render(request, self.template, {"appeal": self._appeal(appeal_id), "form": AppealDecideForm()})

    def post(self, request: HttpRequest, appeal_id: Any) -> HttpResponse:
        appeal = self._appeal(appeal_id)
        form = AppealDecideForm(request.POST)
        if form.is_valid():
            try:
                services.appeal_decide(
                    actor=self.actor,
                    appeal_public_id=appeal.public_id,
                    decision=form.cleaned_data["decision"],
                    reasons=form.cleaned_data["reasons"],
                    exempt_until=form.cleaned_data["exempt_until"],
                )
            except NotFound as exc:
                raise Http404 from exc
            except DomainError as exc:
                form_errors_add(form, exc)
            else:
                messages.success(request, _("Decision recorded. The owner was told in Porchlight and by e-mail."))
                return redirect("console-compliance-appeals")
        appeal = self._appeal(appeal_id)  # as it stands now (another may have decided it meanwhile)
        return render(request, self.template, {"appeal": appeal, "form": form}, status=400)


class AppealAttachmentDownloadView(ComplianceStaffMixin, View):
    """A file an owner sent with a request, as an attachment (never shown inline), the reading
    recorded first (appeal_attachment_view)."""

    def get(self, request: HttpRequest, appeal_id: Any, attachment_id: Any) -> FileResponse:
        try:
            attachment = services.appeal_attachment_open(
                actor=self.actor, appeal_public_id=appeal_id, attachment_public_id=attachment_id
            )
        except NotFound as exc:
            raise Http404 from exc
        return FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )
