"""The department's integrations: the senders of incidents (CAD, gunshot detection, plate
readers, alarms), configured by its administrators (dept_admin with MFA, as the licence pages;
anyone else is answered 404 and the refusal logged). Views validate and call incidents.services.

A shared secret is shown once, in the answer to the POST that made or rotated it, never
stored readable and never shown again (the pages show its fingerprint)."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from cameras import access
from incidents import selectors, services
from incidents.limits import refusals_of
from incidents.models import Integration

from .integration_forms import IntegrationForm
from .licence_views import DeptAdminConsoleMixin


def _integration_or_404(integration_id: Any) -> Integration:
    integration = selectors.integration_get(public_id=integration_id)
    if integration is None:
        raise Http404
    return integration


def _receiver_url(request: HttpRequest, integration: Integration) -> str:
    return request.build_absolute_uri(
        reverse("api-integration-events", kwargs={"integration_id": integration.public_id})
    )


def _secret_page(request: HttpRequest, integration: Integration, secret: str, *, rotated: bool) -> HttpResponse:
    response = render(
        request,
        "console/integrations/secret.html",
        {
            "integration": integration,
            "secret": secret,
            "rotated": rotated,
            "receiver_url": _receiver_url(request, integration),
        },
        status=201 if not rotated else 200,
    )
    # The only time the secret is shown: no cache, no browser history copy to reopen later.
    response["Cache-Control"] = "no-store"
    return response


class IntegrationListView(DeptAdminConsoleMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        integrations = [
            (integration, sum(refusals_of(integration=integration).values()))
            for integration in selectors.integrations_all()
        ]
        return render(request, "console/integrations/list.html", {"integrations": integrations})


class IntegrationCreateView(DeptAdminConsoleMixin, View):
    template = "console/integrations/new.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template, {"form": IntegrationForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = IntegrationForm(request.POST)
        if not form.is_valid():
            return render(request, self.template, {"form": form}, status=400)
        integration, secret = services.integration_create(
            actor=access.Actor.from_request(request),
            kind=form.cleaned_data["kind"],
            name=form.cleaned_data["name"],
            shape=form.cleaned_data["shape"],
        )
        return _secret_page(request, integration, secret, rotated=False)


class IntegrationDetailView(DeptAdminConsoleMixin, View):
    def get(self, request: HttpRequest, integration_id: Any) -> HttpResponse:
        integration = _integration_or_404(integration_id)
        now = timezone.now()
        grace = integration.previous_secret_valid_until
        context = {
            "integration": integration,
            "receiver_url": _receiver_url(request, integration),
            "deliveries": selectors.deliveries_recent(integration=integration),
            "refusals": list(refusals_of(integration=integration).items()),
            "previous_valid_until": grace if grace is not None and grace > now else None,
            "history": integration.history.select_related("history_user").order_by("-history_date")[:20],
        }
        return render(request, "console/integrations/detail.html", context)


class IntegrationRotateView(DeptAdminConsoleMixin, View):
    def post(self, request: HttpRequest, integration_id: Any) -> HttpResponse:
        integration, secret = services.integration_rotate(
            actor=access.Actor.from_request(request), integration=_integration_or_404(integration_id)
        )
        return _secret_page(request, integration, secret, rotated=True)


class IntegrationActiveView(DeptAdminConsoleMixin, View):
    def post(self, request: HttpRequest, integration_id: Any) -> HttpResponse:
        integration = services.integration_set_active(
            actor=access.Actor.from_request(request),
            integration=_integration_or_404(integration_id),
            active=request.POST.get("active") == "1",
        )
        return redirect("console-integration", integration_id=integration.public_id)
