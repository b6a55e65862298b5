"""The department's ordinances, set up by its administrators (dept_admin with MFA, as the
licence and integration pages; anyone else is answered 404 and the refusal logged): the list,
an ordinance with its versions, a new ordinance with its first version, a new version (starting
from the latest), the edit of a version not yet in force, and retirement from a date (asked
first on a page that says what follows). Views validate and call compliance.services /
compliance.ordinances; each change is kept in history with who made it, which the oversight
board's administrative changes read."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views import View

from compliance import ordinances, selectors, services
from compliance.models import Ordinance, OrdinanceVersion
from compliance.selectors import ordinances_with_versions
from core.errors import NotFound
from core.forms import form_errors_add
from tenants.selectors import policy_current

from .licence_views import DeptAdminConsoleMixin
from .ordinance_forms import VERSION_FIELDS, OrdinanceForm, OrdinanceRetireForm, OrdinanceVersionForm


class _NoStore(DeptAdminConsoleMixin):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        response = super().dispatch(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response


def _ordinance_or_404(ordinance_id: Any) -> Ordinance:
    try:
        return ordinances.ordinance_get(public_id=ordinance_id)
    except NotFound as exc:
        raise Http404 from exc


def _version_or_404(ordinance: Ordinance, version_id: Any) -> OrdinanceVersion:
    try:
        return ordinances.ordinance_version_get(ordinance=ordinance, version_id=version_id)
    except NotFound as exc:
        raise Http404 from exc


def _ordinance_url(ordinance: Ordinance) -> str:
    return reverse("console-ordinance", args=[ordinance.public_id])


class OrdinancesView(_NoStore, View):
    """Every ordinance of the department with the version in force today and the next one."""

    def get(self, request: HttpRequest) -> HttpResponse:
        rows = ordinances_with_versions(today=services.local_today())
        return render(request, "console/ordinances/list.html", {"rows": rows})


class OrdinanceCreateView(_NoStore, View):
    template = "console/ordinances/new.html"

    def _render(self, request: HttpRequest, ordinance_form: Any, form: Any, status: int = 200) -> HttpResponse:
        context = {"ordinance_form": ordinance_form, "form": form}
        return render(request, self.template, context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, OrdinanceForm(), OrdinanceVersionForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        ordinance_form = OrdinanceForm(request.POST)
        form = OrdinanceVersionForm(request.POST)
        if ordinance_form.is_valid() and form.is_valid():
            try:
                version = services.ordinance_version_add(
                    actor=request.user,  # type: ignore[arg-type]  # the mixin let only staff in
                    policy=policy_current(),
                    effective_on=form.cleaned_data["effective_on"],
                    name=ordinance_form.cleaned_data["name"],
                    citation=ordinance_form.cleaned_data["citation"],
                    text_url=ordinance_form.cleaned_data["text_url"],
                    **form.requirements(),
                )
            except ValidationError as exc:
                form_errors_add(form, exc)
            else:
                messages.success(request, _("Ordinance added. Every site is judged again under it."))
                return redirect(_ordinance_url(version.ordinance))
        return self._render(request, ordinance_form, form, status=400)


class OrdinanceDetailView(_NoStore, View):
    """An ordinance, its versions (each editable until it comes into force), its name and
    citation (editable), and its retirement."""

    template = "console/ordinances/detail.html"

    def _render(
        self,
        request: HttpRequest,
        ordinance: Ordinance,
        *,
        form: Any = None,
        retire_form: Any = None,
        status: int = 200,
    ) -> HttpResponse:
        today = services.local_today()
        versions = [(v, ordinances.version_editable(v, today=today)) for v in ordinance.versions.all()]
        context = {
            "ordinance": ordinance,
            "versions": versions,
            "form": form or OrdinanceForm(instance=ordinance),
            "retire_form": retire_form or OrdinanceRetireForm(),
            "history": ordinance.history.select_related("history_user").order_by("-history_date")[:50],
        }
        return render(request, self.template, context, status=status)

    def get(self, request: HttpRequest, ordinance_id: Any) -> HttpResponse:
        return self._render(request, _ordinance_or_404(ordinance_id))

    def post(self, request: HttpRequest, ordinance_id: Any) -> HttpResponse:
        ordinance = _ordinance_or_404(ordinance_id)
        form = OrdinanceForm(request.POST, instance=Ordinance(pk=ordinance.pk))
        if form.is_valid():
            try:
                ordinances.ordinance_update(
                    actor=request.user,  # type: ignore[arg-type]
                    ordinance_public_id=ordinance.public_id,
                    name=form.cleaned_data["name"],
                    citation=form.cleaned_data["citation"],
                    text_url=form.cleaned_data["text_url"],
                )
            except ValidationError as exc:
                form_errors_add(form, exc)
            else:
                messages.success(request, _("Ordinance saved."))
                return redirect(_ordinance_url(ordinance))
        return self._render(request, ordinance, form=form, status=400)


def _confirmed(request: HttpRequest) -> bool:
    """The POST comes from the confirmation page's button (a stray or forged POST without it
    only gets the confirmation page back, nothing changed), as the integration pages do."""
    return request.POST.get("confirm") == "yes"


class OrdinanceRetireView(_NoStore, View):
    """GET (the detail page's form, with the date): what retiring from that date does (from
    which day no site is judged by it, how many sites' records are recomputed), and the button
    that does it; nothing changes. POST with ``confirm=yes``: retire. A wrong date, or an
    ordinance already retired, is refused on the page that asks, before any button."""

    template = "console/ordinances/retire_confirm.html"

    def _confirmation(self, request: HttpRequest, ordinance: Ordinance, form: OrdinanceRetireForm) -> HttpResponse:
        if form.is_bound and form.is_valid():
            try:
                ordinances.ordinance_retire_problems(ordinance=ordinance, repealed_on=form.cleaned_data["repealed_on"])
            except ValidationError as exc:
                form_errors_add(form, exc)
        asking = form.is_bound and form.is_valid()
        context = {
            "ordinance": ordinance,
            "form": form,
            "asking": asking,
            "repealed_on": form.cleaned_data["repealed_on"] if asking else None,
            "sites": selectors.ordinance_sites_judged(ordinance=ordinance) if asking else None,
        }
        # A date that was given and refused is a bad request; no date yet is the empty form.
        status = 400 if form.is_bound and not asking else 200
        return render(request, self.template, context, status=status)

    def get(self, request: HttpRequest, ordinance_id: Any) -> HttpResponse:
        ordinance = _ordinance_or_404(ordinance_id)
        form = OrdinanceRetireForm(request.GET) if "repealed_on" in request.GET else OrdinanceRetireForm()
        return self._confirmation(request, ordinance, form)

    def post(self, request: HttpRequest, ordinance_id: Any) -> HttpResponse:
        ordinance = _ordinance_or_404(ordinance_id)
        form = OrdinanceRetireForm(request.POST)
        if not _confirmed(request):
            return self._confirmation(request, ordinance, form)
        if form.is_valid():
            try:
                ordinances.ordinance_retire(
                    actor=request.user,  # type: ignore[arg-type]
                    ordinance_public_id=ordinance.public_id,
                    repealed_on=form.cleaned_data["repealed_on"],
                )
            except ValidationError as exc:
                form_errors_add(form, exc)
            else:
                messages.success(request, _("Ordinance retired. Every site is judged again without it."))
                return redirect(_ordinance_url(ordinance))
        return render(
            request,
            self.template,
            {"ordinance": ordinance, "form": form, "asking": False, "repealed_on": None, "sites": None},
            status=400,
        )


class OrdinanceVersionCreateView(_NoStore, View):
    """A new version, its form filled with the latest version's values (a change of the law is
    usually a change of one or two requirements)."""

    template = "console/ordinances/version.html"

    def _render(self, request: HttpRequest, ordinance: Ordinance, form: Any, status: int = 200) -> HttpResponse:
        context = {"ordinance": ordinance, "form": form, "version": None, "editable": True}
        return render(request, self.template, context, status=status)

    def get(self, request: HttpRequest, ordinance_id: Any) -> HttpResponse:
        ordinance = _ordinance_or_404(ordinance_id)
        latest = ordinance.versions.order_by("-effective_on").first()
        initial = model_to_dict(latest, fields=[f for f in VERSION_FIELDS if f != "effective_on"]) if latest else {}
        return self._render(request, ordinance, OrdinanceVersionForm(initial=initial))

    def post(self, request: HttpRequest, ordinance_id: Any) -> HttpResponse:
        ordinance = _ordinance_or_404(ordinance_id)
        form = OrdinanceVersionForm(request.POST)
        if form.is_valid():
            try:
                services.ordinance_version_add(
                    actor=request.user,  # type: ignore[arg-type]
                    policy=policy_current(),
                    effective_on=form.cleaned_data["effective_on"],
                    ordinance=ordinance,
                    **form.requirements(),
                )
            except ValidationError as exc:
                form_errors_add(form, exc)
            else:
                messages.success(request, _("Version added. Sites are judged by it from its date."))
                return redirect(_ordinance_url(ordinance))
        return self._render(request, ordinance, form, status=400)


class OrdinanceVersionEditView(_NoStore, View):
    """A version: editable until it comes into force; after that shown read-only, with the way
    to change the law (a new version)."""

    template = "console/ordinances/version.html"

    def _render(self, request: HttpRequest, version: OrdinanceVersion, form: Any, status: int = 200) -> HttpResponse:
        context = {
            "ordinance": version.ordinance,
            "version": version,
            "form": form,
            "editable": ordinances.version_editable(version),
        }
        return render(request, self.template, context, status=status)

    def get(self, request: HttpRequest, ordinance_id: Any, version_id: Any) -> HttpResponse:
        version = _version_or_404(_ordinance_or_404(ordinance_id), version_id)
        return self._render(request, version, OrdinanceVersionForm(instance=version))

    def post(self, request: HttpRequest, ordinance_id: Any, version_id: Any) -> HttpResponse:
        ordinance = _ordinance_or_404(ordinance_id)
        version = _version_or_404(ordinance, version_id)
        # Validated on a copy: the stored version changes only through the service.
        form = OrdinanceVersionForm(request.POST, instance=OrdinanceVersion(ordinance=ordinance, pk=version.pk))
        if form.is_valid():
            try:
                ordinances.ordinance_version_update(
                    actor=request.user,  # type: ignore[arg-type]
                    policy=policy_current(),
                    ordinance_public_id=ordinance.public_id,
                    version_id=version.pk,
                    effective_on=form.cleaned_data["effective_on"],
                    **form.requirements(),
                )
            except ValidationError as exc:
                form_errors_add(form, exc)
            else:
                messages.success(request, _("Version saved. Every site is judged again under it."))
                return redirect(_ordinance_url(ordinance))
        return self._render(request, version, form, status=400)
