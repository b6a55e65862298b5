"""The department's import of the city's licence or permit files, and the covered businesses
that are not registered (dept_admin only). Views validate and call compliance.licences."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from accounts.models import Role
from cameras import access
from cameras.models import BusinessCategory
from compliance.licences import selectors, services
from compliance.licences.letters import invitation_letters_pdf, letters_problems
from compliance.licences.notices import DepartmentContact, contact_problems
from compliance.licences.reader import column_letter
from compliance.models import ImportStatus, InvitationChannel, LicenceImportJob
from compliance.services import staff_not_found_record
from core.body_limit import body_exceeded
from core.errors import DomainError
from core.forms import form_errors_add
from tenants.selectors import policy_current

from .licence_forms import LicenceMappingForm, LicenceUploadForm, too_large_message

# The not-registered list, and how many letters or e-mails one click may send: a page of
# letters is built in the request (about 2 ms a page), so a few hundred stay well under a second.
PAGE_SIZE = 50
INVITE_MAX = 500


class DeptAdminConsoleMixin(LoginRequiredMixin):
    """Department administrators whose session passed MFA. Anyone else is answered 404 (the
    pages are not theirs to know of) and the refusal is logged as console_denied; so is an
    administrator's request for an import job of another department (or none), with reason
    not_found (compliance.services.staff_not_found_record)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        actor = access.Actor.from_request(request)
        if request.user.role != Role.DEPT_ADMIN or not actor.mfa:
            access.console_denied(actor=actor, path=request.path)
            raise Http404
        try:
            return super().dispatch(request, *args, **kwargs)
        except Http404:
            staff_not_found_record(actor=actor, path=request.path)
            raise


def _job_or_404(job_id: Any) -> LicenceImportJob:
    try:
        return selectors.import_job_get(public_id=job_id)
    except (LicenceImportJob.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def _department_name(request: HttpRequest) -> str:
    return str(request.tenant.name)  # type: ignore[attr-defined]


# csrf_exempt on dispatch, csrf_protect on the upload: a file too large is refused by its
# declared length before anything reads the body (the CSRF check would parse all of it).
@method_decorator(csrf_exempt, name="dispatch")
class LicencesView(DeptAdminConsoleMixin, View):
    template = "console/licences/imports.html"

    def _render(
        self, request: HttpRequest, form: LicenceUploadForm, status: int = 200, refusal: str = ""
    ) -> HttpResponse:
        context = {"form": form, "jobs": selectors.import_jobs_recent(), "refusal": refusal}
        return render(request, self.template, context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, LicenceUploadForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if body_exceeded(request) is not None and not declared:
            # A body sent without its length, cut by core.body_limit past the limit: its size
            # is not known, only that it is too large. Not parsed: it is cut short.
            return self._render(request, LicenceUploadForm(), status=413, refusal=too_large_message())
        if declared > settings.PORCHLIGHT_LICENCE_IMPORT_MAX_BYTES or body_exceeded(request) is not None:
            refusal = services.file_too_large_message(size=declared)
            return self._render(request, LicenceUploadForm(), status=413, refusal=refusal)
        return self._upload(request)

    @method_decorator(csrf_protect)
    def _upload(self, request: HttpRequest) -> HttpResponse:
        form = LicenceUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                job = services.licence_import_create(
                    actor=request.user,  # type: ignore[arg-type]
                    upload=form.cleaned_data["file"],
                    source=form.cleaned_data["source"],
                )
            except DomainError as exc:
                form_errors_add(form, exc)
            else:
                messages.info(
                    request,
                    _("The file was read as %(encoding)s. Choose which column holds what, then start the import.")
                    % {"encoding": _encoding_label(job.encoding)},
                )
                return redirect("console-licence-import", job_id=job.public_id)
        return self._render(request, form, status=400)


def _preview_rows(rows: list[list[str]]) -> list[list[str]]:
    """The file's first rows, each as wide as the widest (a short row's missing cells empty), so
    that every cell sits under its column's letter."""
    width = max((len(row) for row in rows), default=0)
    return [[*row, *[""] * (width - len(row))] for row in rows]


def _encoding_label(encoding: str) -> str:
    return {
        "utf-8": "UTF-8",
        "utf-8-sig": _("UTF-8 (with a byte-order mark)"),
        "cp1252": _("Windows-1252 (Western European)"),
        "latin-1": _("Latin-1 (ISO-8859-1)"),
    }.get(encoding, encoding)


class LicenceImportView(DeptAdminConsoleMixin, View):
    """The job's page: the column mapping while it waits for one, then its progress and the
    rows it could not import."""

    template = "console/licences/import.html"

    def _render(self, request: HttpRequest, job: LicenceImportJob, form: Any = None, status: int = 200) -> HttpResponse:
        if form is None and job.status in (ImportStatus.MAPPING, ImportStatus.FAILED):
            initial = {name: job.mapping.get(name) for name in job.mapping}
            form = LicenceMappingForm(
                columns=job.columns,
                initial={**initial, "has_header": job.has_header, "unknown_as_other": job.unknown_as_other},
            )
        errors = selectors.row_problems_by_line(job.errors, columns=job.columns, has_header=job.has_header)
        context = {
            "job": job,
            "form": form,
            "errors": errors,
            "encoding": _encoding_label(job.encoding),
            "preview": _preview_rows(job.preview),
            "preview_columns": [column_letter(i) for i in range(max((len(row) for row in job.preview), default=0))],
            "too_large": too_large_message(),
        }
        return render(request, self.template, context, status=status)

    def get(self, request: HttpRequest, job_id: Any) -> HttpResponse:
        return self._render(request, _job_or_404(job_id))

    def post(self, request: HttpRequest, job_id: Any) -> HttpResponse:
        job = _job_or_404(job_id)
        form = LicenceMappingForm(request.POST, columns=job.columns)
        if form.is_valid():
            try:
                services.licence_import_map(
                    job=job,
                    mapping=form.mapping(),
                    has_header=form.cleaned_data["has_header"],
                    unknown_as_other=form.cleaned_data["unknown_as_other"],
                )
            except DomainError as exc:
                form_errors_add(form, exc)
            else:
                return redirect("console-licence-import", job_id=job.public_id)
        return self._render(request, job, form, status=400)


class LicenceImportStatusView(DeptAdminConsoleMixin, View):
    """The progress fragment the job's page polls (htmx); once the job ends, the whole page
    is reloaded to show the rows that were not imported."""

    def get(self, request: HttpRequest, job_id: Any) -> HttpResponse:
        job = _job_or_404(job_id)
        response = render(request, "console/licences/_status.html", {"job": job})
        if request.headers.get("HX-Request") and job.status in (ImportStatus.DONE, ImportStatus.FAILED):
            response["HX-Refresh"] = "true"
        return response


class LicenceImportRetryView(DeptAdminConsoleMixin, View):
    def post(self, request: HttpRequest, job_id: Any) -> HttpResponse:
        job = _job_or_404(job_id)
        try:
            services.licence_import_retry(job=job)
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("console-licence-import", job_id=job.public_id)


class LicenceImportDiscardView(DeptAdminConsoleMixin, View):
    """GET (the job page's link), or POST without ``confirm=yes``: what discarding does, and
    the button that does it; nothing changes. POST with ``confirm=yes``: discard the upload
    (compliance.licences.services.licence_import_discard). An import that has started cannot
    be discarded: its page says so."""

    template = "console/licences/discard_confirm.html"

    def _confirmation(self, request: HttpRequest, job: LicenceImportJob) -> HttpResponse:
        if job.status != ImportStatus.MAPPING:
            messages.error(request, _("Only an upload still waiting for its column mapping can be discarded."))
            return redirect("console-licence-import", job_id=job.public_id)
        return render(request, self.template, {"job": job})

    def get(self, request: HttpRequest, job_id: Any) -> HttpResponse:
        return self._confirmation(request, _job_or_404(job_id))

    def post(self, request: HttpRequest, job_id: Any) -> HttpResponse:
        job = _job_or_404(job_id)
        if request.POST.get("confirm") != "yes":
            return self._confirmation(request, job)
        try:
            file_name = services.licence_import_discard(actor=request.user, job=job)  # type: ignore[arg-type]
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("console-licence-import", job_id=job.public_id)
        messages.success(request, _("%(file)s was discarded.") % {"file": file_name})
        return redirect("console-licences")


class LicencesMatchView(DeptAdminConsoleMixin, View):
    """Match every licence to the sites registered since the import."""

    def post(self, request: HttpRequest) -> HttpResponse:
        matched = services.licences_match(actor=request.user)  # type: ignore[arg-type]
        messages.success(request, _("Licences matched to a registered site: %(count)s.") % {"count": matched})
        return redirect("console-licences-not-registered")


class LicencesNotRegisteredView(DeptAdminConsoleMixin, View):
    template = "console/licences/not_registered.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        category = request.GET.get("category", "")
        if category not in BusinessCategory.values:
            category = ""
        query = request.GET.get("q", "").replace("\x00", "").strip()[:100]
        not_invited = request.GET.get("not_invited") == "1"
        rows = selectors.licences_not_registered(
            on=timezone.localdate(), category=category, query=query, not_invited=not_invited
        )
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        context = {
            "page": page,
            "category": category,
            "q": query,
            "not_invited": not_invited,
            "categories": selectors.category_choices(),
            "covered": selectors.covered_categories(on=timezone.localdate()),
            "invite_max": INVITE_MAX,
        }
        return render(request, self.template, context)


class LicencesInviteView(DeptAdminConsoleMixin, View):
    """Letters (one PDF, a page each) or e-mails inviting the selected businesses to register."""

    def post(self, request: HttpRequest) -> HttpResponse:
        ids = _uuids(request.POST.getlist("licence")[:INVITE_MAX])
        if ids is None or selectors.licences_unknown(public_ids=ids):
            # Another department's licence, or none: 404 as for a missing page, logged by
            # DeptAdminConsoleMixin as console_denied (not_found); nothing is sent or recorded.
            raise Http404
        licences = selectors.licences_by_ids(public_ids=ids, on=timezone.localdate())
        if not licences:
            messages.error(request, _("Select at least one business to invite."))
            return redirect("console-licences-not-registered")
        register_url = request.build_absolute_uri(reverse("account_signup"))
        contact = DepartmentContact.of(name=_department_name(request), policy=policy_current())
        actor = access.Actor.from_request(request)
        if request.POST.get("channel") == InvitationChannel.EMAIL:
            try:
                sent = services.invitation_emails_send(
                    actor=actor, licences=licences, register_url=register_url, contact=contact
                )
            except DomainError:
                return _refused(request, contact_problems(contact, letter=False))
            without = len(licences) - sent
            messages.success(
                request,
                _("Invitations e-mailed: %(sent)s. Selected businesses without an e-mail address: %(without)s.")
                % {"sent": sent, "without": without},
            )
            return redirect("console-licences-not-registered")
        problems = letters_problems(licences=licences, contact=contact)
        if problems:
            return _refused(request, problems)
        today = timezone.localdate()
        pdf = invitation_letters_pdf(licences=licences, register_url=register_url, contact=contact, on=today)
        services.invitations_record(actor=actor, licences=licences, channel=InvitationChannel.LETTER)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="invitations-{today.isoformat()}.pdf"'
        return response


# A page of messages, not hundreds: the rest are counted.
PROBLEMS_SHOWN = 20


def _refused(request: HttpRequest, problems: list[str]) -> HttpResponse:
    """Nothing printed, sent or recorded: each reason named, back on the list."""
    messages.error(request, _("Nothing was sent: fix what is listed below, then send again."))
    for problem in problems[:PROBLEMS_SHOWN]:
        messages.error(request, problem)
    if len(problems) > PROBLEMS_SHOWN:
        messages.error(request, _("… and %(n)s more.") % {"n": len(problems) - PROBLEMS_SHOWN})
    return redirect("console-licences-not-registered")


def _uuids(values: list[str]) -> list[str] | None:
    """The ids as canonical UUIDs; None when one is not a UUID (no licence has that id)."""
    try:
        return [str(uuid.UUID(value)) for value in values]
    except ValueError:
        return None
