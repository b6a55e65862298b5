import logging
import time
from collections.abc import Callable
from typing import Any

import redis
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation, TooManyFieldsSent
from django.core.handlers.exception import response_for_exception
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.http.response import HttpResponseBase
from django.middleware.gzip import GZipMiddleware
from django.shortcuts import render
from django.template import loader
from django.template.response import TemplateResponse
from django.urls import Resolver404, resolve, set_urlconf
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_tenants.middleware.main import TenantMainMiddleware

from config.handlers import UNREADABLE, sign_in_wait, unreadable_request_response
from core.errors import DomainError, Invalid, NotFound, RateLimited, Refused
from core.http import error_text_refusal, retry_after
from core.unavailable import DATABASE_UNAVAILABLE, RETRY_AFTER_SECONDS, database_unavailable, unavailable_sentence

logger = logging.getLogger("porchlight.request")

_RETRY_AFTER_SECONDS = RETRY_AFTER_SECONDS


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    """The 503 for a database that is not answering: the API's JSON, or a page that reads
    nothing from the database (the user only if already loaded, no messages, no banner)."""
    sentence = unavailable_sentence()
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": sentence, "code": "service_unavailable"}, status=503)
    else:
        user = getattr(request, "_cached_user", None) or AnonymousUser()
        context: dict[str, Any] = {"user": user, "messages": [], "database_free": True, "sentence": sentence}
        try:
            page = loader.render_to_string("503.html", context, request=request)
        except Exception:  # the page itself failed (it may want the database): one that cannot
            logger.exception("the 503 page could not be rendered")
            page = format_html(
                '<!doctype html><html lang="{}"><head><meta charset="utf-8"><title>Porchlight</title></head>'
                "<body><h1>{}</h1><p>{}</p></body></html>",
                get_language() or "en",
                _("Unavailable for a moment"),
                sentence,
            )
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(_RETRY_AFTER_SECONDS)
    return response


class TenantMiddleware(TenantMainMiddleware):
    """django-tenants' middleware (the department from the host name), answering 503 with a
    sentence when the database is not answering.

    Its domain lookup is the first query of every request, so while PostgreSQL restarts most
    requests fail here, before any view. Django would answer them with the 500 handler, which
    under ASGI runs on another thread and cannot tell a database outage from a bug.
    """

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        try:
            return super().process_request(request)
        except DATABASE_UNAVAILABLE as exc:
            logger.error("database unavailable", extra={"path": request.path, "error": str(exc)})
            return database_unavailable_response(request)


class ContentSecurityPolicyMiddleware:
    """Sets the Content-Security-Policy header (Django 5.2 has no built-in CSP)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CSP_POLICY)
        return response


class ApiGZipMiddleware(GZipMiddleware):
    """Compress the API's JSON answers (a 500-camera search is ~170 KB, ~10x less gzipped)
    when the client accepts gzip, and nothing else.

    BREACH needs a secret that stays the same across responses sitting next to text the
    attacker chooses, compressed together. HTML pages carry the CSRF token (forms, the
    htmx header) beside reflected input (search boxes, error messages), so pages are left
    uncompressed. The API's JSON carries neither the CSRF token nor the session: what it
    returns is the caller's own data, and the one secret it ever shows (a new API token, once)
    is fresh in every response.
    """

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if not request.path.startswith("/api/") or not response.get("Content-Type", "").startswith("application/json"):
            return response
        return super().process_response(request, response)


class StreamingConnectionMiddleware:
    """Gives the database connection back before a streamed body is sent.

    A clip streamed to a video player or downloaded is read from storage for minutes at the
    reader's pace and needs no database; Django gives the connection back only when the
    response ends, so a few slow readers held every pooled connection of the process and every
    other request waited (found by attack: two stalled streams, a pool of two, the home page a
    500 after the pool's timeout). Runs on the request's own thread, whose connection it is.
    Inside a transaction (tests run in one) it leaves the connection alone.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.streaming and not connection.in_atomic_block:
            connection.close()
        return response


class RequestLogMiddleware:
    """One structured line per request: method, path, status, duration, tenant."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        user = getattr(request, "user", None)
        logger.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": user.pk if user is not None and user.is_authenticated else None,
            },
        )
        return response


class DepartmentTimeZoneMiddleware:
    """Show times in the department's own time zone (stored and logged in UTC)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from zoneinfo import ZoneInfo

        from django.utils import timezone

        name = getattr(getattr(request, "tenant", None), "time_zone", None)
        if name:
            timezone.activate(ZoneInfo(name))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class ServiceUnavailableMiddleware:
    """A view that needs Redis or the database while it cannot be reached answers 503 with a
    sentence, not 500 (the API's views answer the same through accounts.api_base).

    Signing in fails closed, on purpose: allauth counts failed logins (the lockout, five in 15
    minutes per account, ACCOUNT_RATE_LIMITS) and every other attempt in the cache, and a sign-in
    it cannot count is refused rather than let through. Otherwise stopping Redis would switch the
    lockout off and open every account (residents have no second factor) to password guessing.
    What it costs: nobody can sign in while Redis is down. Sessions already open keep working
    (they are stored in PostgreSQL), and /healthz reports Redis down.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if database_unavailable(exception):
            logger.error("database unavailable", extra={"path": request.path, "error": str(exception)})
            return database_unavailable_response(request)
        # Only "cannot reach it": any other Redis error is a bug and stays a 500.
        if not isinstance(exception, redis.exceptions.ConnectionError | redis.exceptions.TimeoutError):
            return None
        logger.error("redis unavailable", extra={"path": request.path, "error": str(exception)})
        if request.path.startswith("/accounts/"):
            sentence = _(
                "Signing in is paused for a moment: Porchlight cannot reach the service that counts failed "
                "sign-in attempts, and it lets nobody in without that protection. Try again in a few minutes."
            )
        else:
            sentence = unavailable_sentence()
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse({"detail": sentence, "code": "service_unavailable"}, status=503)
        else:
            response = render(request, "503.html", {"sentence": sentence}, status=503)
        response["Retry-After"] = str(_RETRY_AFTER_SECONDS)
        return response


class UnreadableRequestMiddleware:
    """More parameters in the address than Django reads (DATA_UPLOAD_MAX_NUMBER_FIELDS), or a
    form or body Django refuses to read: a 400 that says so, on every path, DEBUG on or off.

    The address is checked before anything reads it: a page that never looks at its parameters
    (the home page) answers the same as one that does. A body is read only by the view (or the
    CSRF check) that needs it; Django answers its refusal with the 400 page of
    config.handlers.bad_request, except under DEBUG, whose technical page read the body again,
    failed again and became a 500: that failure comes up to here and is answered the same way.
    Placed after authentication, so the page has the visitor's header and language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            request.GET  # noqa: B018 (read here, so that its refusal is answered here)
        except TooManyFieldsSent as exc:
            exc.porchlight_in_query = True  # type: ignore[attr-defined]  # the sentence names the address
            return unreadable_request_response(request, exc)
        try:
            return self.get_response(request)
        except UNREADABLE as exc:
            return unreadable_request_response(request, exc)


class SignInLockoutMiddleware:
    """The failed-login lockout (allauth's ``login_failed``: five for one e-mail in 15 minutes)
    answers 429 with ``Retry-After``, as every other limit does: allauth shows it as an error on
    the login form with a 200, which a script cannot tell from a wrong password. The page and
    its sentence stay allauth's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_template_response(self, request: HttpRequest, response: TemplateResponse) -> TemplateResponse:
        form = (response.context_data or {}).get("form") if response.status_code == 200 else None
        if request.method != "POST" or form is None or not form.is_bound:
            return response
        codes = {error.code for errors in form.errors.as_data().values() for error in errors}
        if "too_many_login_attempts" in codes:
            response.status_code = 429
            response["Retry-After"] = str(sign_in_wait("login_failed"))
        return response


# The exceptions whose pages say what was wrong with the request: everything else is a 500
# (or ServiceUnavailableMiddleware's 503), left to the middleware above this one.
_REQUEST_ERRORS = (Http404, PermissionDenied, BadRequest, SuspiciousOperation, MultiPartParserError)


class ErrorPageMiddleware:
    """Renders the 404, 403 and 400 pages on the request's own thread.

    Under ASGI, Django turns an exception into a response on another thread, with another
    database connection (``sync_to_async(..., thread_sensitive=False)``). The department's
    pages read its tables (the signed-in menu, the integrity banner), so each refused or
    missing page took a second pooled connection while the request held its own: a burst of
    them waited for each other until the pool's timeout. Here, last in MIDDLEWARE, an unknown
    path and a view's refusal are answered where the request's connection already is.
    CommonMiddleware above still redirects a path missing its slash (it looks at the 404).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        urlconf = getattr(request, "urlconf", None)  # the public site's, on its host (django-tenants)
        try:
            resolve(request.path_info, urlconf=urlconf)
        except Resolver404 as exc:
            if urlconf is not None:
                set_urlconf(urlconf)  # the handler404 of that url conf, as Django would
            return response_for_exception(request, exc)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DomainError):
            return _domain_error_page(request, exception)
        if isinstance(exception, UNREADABLE):  # the sentence, also under DEBUG (its page is technical)
            return unreadable_request_response(request, exception)
        if isinstance(exception, _REQUEST_ERRORS):
            return response_for_exception(request, exception)
        return None


def _domain_error_page(request: HttpRequest, error: DomainError) -> HttpResponse:
    """The one translation of a service's refusal that a page did not handle itself into the
    page that says it: NotFound is the 404 page (missing and not yours alike), a refusal the
    403 page with its sentence, bad input the 400 page, a rate limit the 429 page; the rest a
    plain sentence with the status of core.http.status_of."""
    if isinstance(error, RateLimited):
        return rate_limited_page(request, error)
    if isinstance(error, NotFound):
        return response_for_exception(request, Http404())
    if isinstance(error, Refused):
        return response_for_exception(request, PermissionDenied(error.message))
    if isinstance(error, Invalid):
        return response_for_exception(request, BadRequest(error.message))
    return error_text_refusal(error)


def rate_limited_page(request: HttpRequest, error: RateLimited) -> HttpResponse:
    """The 429 page: what was limited and when to try again (also in ``Retry-After``); for an
    htmx request, only the sentence, which the page shows where the answer goes."""
    if request.headers.get("HX-Request"):
        response = render(request, "partials/rate_limited.html", {"sentence": error.message}, status=429)
    else:
        response = render(request, "429.html", {"sentence": error.message}, status=429)
    return retry_after(response, error)
