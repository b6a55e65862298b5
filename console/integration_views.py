"""The department's integrations: the senders of incidents (CAD, gunshot detection, plate
readers, alarms), configured by its administrators (dept_admin with MFA, as the licence pages;
anyone else is answered 404 and the refusal logged). Views validate and call incidents.services.

A shared secret is shown once, in the answer to the POST that made or rotated it, never
stored readable and never shown again (the pages show its fingerprint)."""

import secrets
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.debug import sensitive_variables

from cameras import access
from incidents import selectors, services
from incidents.limits import refusals_by_integration, refusals_of
from incidents.models import Integration

from .integration_forms import IntegrationForm
from .licence_views import DeptAdminConsoleMixin


def _integration_or_404(integration_id: Any) -> Integration:
    integration = selectors.integration_get(public_id=integration_id)
    if integration is None:
        raise Http404
    return integration


# The receiver's refusal reasons (incidents.limits, docs/webhooks.md) in words for the page;
# the code is shown too, as the sender's logs and the documentation name it.
REFUSAL_LABELS = {
    "timestamp_missing": gettext_lazy("No timestamp, or not whole seconds since 1970"),
    "timestamp_stale": gettext_lazy("Timestamp more than 5 minutes off (the sender's clock?)"),
    "signature_missing": gettext_lazy("No signature, or not sha256=<64 hex digits>"),
    "signature_invalid": gettext_lazy("Wrong signature (not made with this integration's secret)"),
    "replayed": gettext_lazy("The same signed delivery sent again"),
    "inactive": gettext_lazy("Sent while the integration was deactivated"),
    "rate_limited": gettext_lazy("Over the limit per minute"),
    "too_large": gettext_lazy("Body too large"),
    "invalid_json": gettext_lazy("Not a JSON object"),
}


# A reload of the page that showed a secret sends its POST again: each form that makes a secret
# carries a one-time token, and a token seen before changes nothing a second time (a second
# rotation would end the grace of the secret the sender still uses). A POST without the token
# (not from our pages) is not deduplicated. Tokens are remembered a day in the cache.
ONCE_SECONDS = 24 * 3600


def _once_new() -> str:
    return secrets.token_urlsafe(16)


def _once_first(request: HttpRequest) -> bool:
    token = request.POST.get("once", "")[:64]
    return not token or bool(cache.add(f"console:integration-once:{token}", 1, timeout=ONCE_SECONDS))


def _already_sent(request: HttpRequest) -> None:
    messages.warning(
        request,
        _(
            "This form had already been sent (the page was reloaded?): nothing was changed again. "
            "The secret was shown once then; if it was not copied, rotate it."
        ),
    )


def _receiver_url(request: HttpRequest, integration: Integration) -> str:
    return request.build_absolute_uri(
        reverse("api-integration-events", kwargs={"integration_id": integration.public_id})
    )


def _see_other(url: str) -> HttpResponse:
    response = HttpResponse(status=303)
    response["Location"] = url
    return response


# The plaintext secret is in these frames' locals: Django's error reports (a debug page, the
# admins' error e-mail) show them as [filtered], never the secret.
@sensitive_variables("secret")
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
        everyone = list(selectors.integrations_all())
        refused = refusals_by_integration(integrations=everyone)
        integrations = [(integration, sum(refused[integration.pk].values())) for integration in everyone]
        return render(request, "console/integrations/list.html", {"integrations": integrations})


class IntegrationCreateView(DeptAdminConsoleMixin, View):
    template = "console/integrations/new.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template, {"form": IntegrationForm(), "once": _once_new()})

    @method_decorator(sensitive_variables("secret", "integration"))
    def post(self, request: HttpRequest) -> HttpResponse:
        form = IntegrationForm(request.POST)
        if not form.is_valid():
            return render(request, self.template, {"form": form, "once": _once_new()}, status=400)
        if not _once_first(request):
            _already_sent(request)
            return _see_other(reverse("console-integrations"))
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
            "refusals": [
                (reason, REFUSAL_LABELS.get(reason, reason), count)
                for reason, count in refusals_of(integration=integration).items()
            ],
            "previous_valid_until": grace if grace is not None and grace > now else None,
            "history": integration.history.select_related("history_user").order_by("-history_date")[:20],
        }
        return render(request, "console/integrations/detail.html", context)


def _confirmed(request: HttpRequest) -> bool:
    """The POST comes from the confirmation page's button (a stray or forged POST without it
    only gets the confirmation page back, nothing changed)."""
    return request.POST.get("confirm") == "yes"


class IntegrationRotateView(DeptAdminConsoleMixin, View):
    """GET: what a rotation does, and the button that does it; POST with ``confirm``: rotate."""

    template = "console/integrations/rotate_confirm.html"

    def _confirmation(self, request: HttpRequest, integration: Integration) -> HttpResponse:
        grace = settings.PORCHLIGHT_INTEGRATION_ROTATION_GRACE_SECONDS
        earlier = integration.previous_secret_valid_until
        context = {
            "integration": integration,
            "grace_minutes": grace // 60,
            # A second rotation inside the grace ends the grace of the secret replaced first.
            "earlier_in_grace": earlier is not None and earlier > timezone.now(),
            "once": _once_new(),
        }
        return render(request, self.template, context)

    def get(self, request: HttpRequest, integration_id: Any) -> HttpResponse:
        return self._confirmation(request, _integration_or_404(integration_id))

    @method_decorator(sensitive_variables("secret", "integration"))
    def post(self, request: HttpRequest, integration_id: Any) -> HttpResponse:
        integration = _integration_or_404(integration_id)
        if not _confirmed(request):
            return self._confirmation(request, integration)
        if not _once_first(request):
            _already_sent(request)
            return _see_other(reverse("console-integration", kwargs={"integration_id": integration.public_id}))
        integration, secret = services.integration_rotate(
            actor=access.Actor.from_request(request), integration=integration
        )
        return _secret_page(request, integration, secret, rotated=True)


class IntegrationActiveView(DeptAdminConsoleMixin, View):
    """GET: what deactivating (or reactivating) does, and the button; POST with ``confirm``:
    set the state the button names (the state it has already changes nothing)."""

    template = "console/integrations/active_confirm.html"

    def _confirmation(self, request: HttpRequest, integration: Integration) -> HttpResponse:
        return render(request, self.template, {"integration": integration})

    def get(self, request: HttpRequest, integration_id: Any) -> HttpResponse:
        return self._confirmation(request, _integration_or_404(integration_id))

    def post(self, request: HttpRequest, integration_id: Any) -> HttpResponse:
        integration = _integration_or_404(integration_id)
        if not _confirmed(request):
            return self._confirmation(request, integration)
        integration = services.integration_set_active(
            actor=access.Actor.from_request(request),
            integration=integration,
            active=request.POST.get("active") == "1",
        )
        return redirect("console-integration", integration_id=integration.public_id)
