"""Compliance certificates: the owner's download (from "Your obligations") and the public check
of a code on the department's host, without sign-in. Interfaces only (compliance.certificates).

Guessing codes is hopeless (80 random bits), and the check is still rate-limited per address
(``PORCHLIGHT_CERTIFICATE_CHECKS_PER_HOUR``, counted in the cache, which is per department):
someone checking the certificates on a street's shop windows needs a few a day; more than that
an hour from one address is a script. Each refusal is logged with the address, as sign-in
failures are (accounts.receivers); a code that is not found is logged at info level.

The address is REMOTE_ADDR, as everywhere else (the gate, the log's readers, allauth's sign-in
limits), never a header read here: the ASGI server sets it from X-Forwarded-For only for a
connection from a trusted proxy (uvicorn's --proxy-headers in the Procfile, FORWARDED_ALLOW_IPS,
which production refuses as "*"), taking the right-most address the proxies did not add, so a
client cannot reset its count by sending a header of its own.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from cameras.mixins import OwnerRequiredMixin
from cameras.models import Site
from compliance import certificates
from compliance.certificate_pdf import certificate_pdf
from tenants.selectors import policy_current

if TYPE_CHECKING:
    from accounts.authenticated import AuthenticatedHttpRequest

logger = logging.getLogger("porchlight.compliance")

#: The rate limit's window (seconds): a fixed hour per address.
CHECK_WINDOW_SECONDS = 3600


def check_url(request: HttpRequest, code: str) -> str:
    """The public check's address for ``code``, on the department's own host (the QR code)."""
    query = urlencode({"code": certificates.code_display(code)})
    return f"{request.build_absolute_uri(reverse('compliance-certificate-check'))}?{query}"


class CertificateDownloadView(OwnerRequiredMixin, View):
    """POST: the certificate of one of the owner's sites, as a PDF (issued if there is no good
    one yet). A site that does not comply gets the reason instead; another owner's site, 404."""

    def post(self, request: AuthenticatedHttpRequest, site_id: Any) -> HttpResponse:
        try:
            certificate = certificates.certificate_issue(
                owner=request.user,
                site_public_id=site_id,
                policy=policy_current(),
                schema=str(request.tenant.schema_name),
                now=timezone.now(),
            )
        except Site.DoesNotExist as exc:
            raise Http404 from exc
        except certificates.CertificateRefused as exc:
            return render(request, "portal/certificate_refused.html", {"message": exc.message}, status=409)
        assert certificate.site is not None
        pdf = certificate_pdf(
            certificate=certificate,
            site=certificate.site,
            check_url=check_url(request, certificate.code),
            department=str(request.tenant.name),
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.code}.pdf"'
        return response


def _over_limit(ip: str) -> bool:
    key = f"certificate-check:{ip}"
    cache.add(key, 0, CHECK_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # the window ended between add and incr
        cache.set(key, 1, CHECK_WINDOW_SECONDS)
        count = 1
    return count > settings.PORCHLIGHT_CERTIFICATE_CHECKS_PER_HOUR


class CertificateCheckView(View):
    """Anyone checks a certificate's code: valid, expired, revoked or not found."""

    template = "portal/certificate_check.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        typed = request.GET.get("code", "")
        if not typed.strip():
            return render(request, self.template, {"typed": ""})
        ip = request.META.get("REMOTE_ADDR") or "unknown"
        if _over_limit(ip):
            logger.warning("certificate check refused", extra={"ip": ip, "reason": "rate_limited"})
            response = render(request, self.template, {"typed": typed[:64], "limited": True}, status=429)
            response["Retry-After"] = str(CHECK_WINDOW_SECONDS)
            return response
        check = certificates.certificate_check(
            code=typed,
            policy=policy_current(),
            schema=str(request.tenant.schema_name),  # type: ignore[attr-defined]
            now=timezone.now(),
        )
        state = check.state
        if state in (certificates.CheckState.NOT_FOUND, certificates.CheckState.MALFORMED):
            logger.info("certificate not found", extra={"ip": ip, "reason": str(state)})
            state = certificates.CheckState.NOT_FOUND
        certificate = check.certificate
        context = {
            "typed": typed[:64],
            "state": str(state),
            "malformed": check.state is certificates.CheckState.MALFORMED,
            "check": check,
            "certificate": certificate,
            "code": certificates.code_display(certificate.code) if certificate else "",
            "street": certificates.street_block_label(certificate.street_block) if certificate else "",
        }
        return render(request, self.template, context)
