"""The pages Django answers with when a view fails (400, 403, 404, 500), rendered in the
request's department.

Under ASGI, Django turns an exception raised by a view into a response with
``sync_to_async(response_for_exception, thread_sensitive=False)``: on another thread, whose
database connection is not in the request's schema (search_path ``public``, or whatever that
thread last served). These pages extend the base template, which reads the department's own
tables (the integrity banner of supervisors and admins): rendered there, they failed with a
500 for those roles. The tenant therefore travels with the request: each handler sets the
connection of the thread it runs on to ``request.tenant`` while it renders, and puts it back.

The JSON answers under /api/ are the API's own (accounts.api_base); these are the HTML pages.
"""

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import (
    BadRequest,
    ImproperlyConfigured,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse, QueryDict
from django.template import loader
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token
from django_tenants.utils import tenant_context

from core import ratelimit

logger = logging.getLogger("porchlight.request")


def _in_request_tenant(handler: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Run ``handler`` with this thread's connection in the request's schema; a connection the
    page opened is closed again.

    The 400/403/404 pages of views and of unknown paths are rendered on the request's own
    thread (config.middleware.ErrorPageMiddleware). What still comes here on Django's error
    thread under ASGI is a failure no view caught (the 500 page, which reads nothing from the
    database) or an exception raised in a middleware. A connection opened on that thread would
    otherwise stay open for good, holding one of the process's few pooled connections.
    """

    @wraps(handler)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        opened_here = connection.connection is None
        try:
            tenant = getattr(request, "tenant", None)
            if tenant is None:  # the host was refused before a department was chosen
                return handler(request, *args, **kwargs)
            with tenant_context(tenant):
                return handler(request, *args, **kwargs)
        finally:
            if opened_here and connection.connection is not None:
                connection.close()

    return wrapper


def unreadable_request_sentence(exception: Exception | None) -> str:
    """What was wrong with a request Django would not read, in a sentence for the visitor.

    Django's own messages name settings ("DATA_UPLOAD_MAX_NUMBER_FIELDS"), which a visitor
    cannot act on; a BadRequest raised by a view (audit.views' filters, a domain error's
    ``Invalid``) carries a sentence of ours, shown as it is."""
    if isinstance(exception, TooManyFieldsSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        if getattr(exception, "porchlight_in_query", False):
            return _(
                "The address has more than %(limit)s parameters, more than any page takes. Remove the extra "
                "parameters after the “?” and try again."
            ) % {"limit": limit}
        return _("The form sent more than %(limit)s fields, more than any form takes. Nothing was saved.") % {
            "limit": limit
        }
    if isinstance(exception, TooManyFilesSent):
        return _("The form sent more than %(limit)s files at once. Nothing was saved.") % {
            "limit": settings.DATA_UPLOAD_MAX_NUMBER_FILES
        }
    if isinstance(exception, RequestDataTooBig):
        return _("What was sent is larger than %(size)s MB, more than any form takes. Nothing was saved.") % {
            "size": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        }
    if isinstance(exception, BadRequest) and str(exception):
        return str(exception)
    return _("The request could not be read: it is malformed. Nothing was saved.")


# The exceptions Django raises when it refuses to read what was sent (a SuspiciousOperation:
# logged by Django under django.security.*). Under DEBUG, its technical error page reads
# request.GET and request.POST again to show them and fails the same way: a 500.
UNREADABLE = (TooManyFieldsSent, TooManyFilesSent, RequestDataTooBig)


def unreadable_request_response(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 400 for a request Django would not read: the API's JSON, or the 400 page with the
    sentence. What was not read is set aside, so that nothing rendering the page (a template, a
    debug page, a log line) tries to read it again."""
    request.GET = QueryDict()
    request._post = QueryDict()  # type: ignore[attr-defined]  # Django's own cache of request.POST
    request._files = QueryDict()  # type: ignore[attr-defined]
    sentence = unreadable_request_sentence(exception)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": sentence, "code": "parse_error"}, status=400)
    return HttpResponse(loader.render_to_string("400.html", {"sentence": sentence}, request=request), status=400)


@_in_request_tenant
@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The 400 page with what was wrong (Django's own is a bare "Bad Request (400)")."""
    if isinstance(exception, UNREADABLE):
        return unreadable_request_response(request, exception)
    sentence = unreadable_request_sentence(exception)
    return HttpResponse(loader.render_to_string("400.html", {"sentence": sentence}, request=request), status=400)


permission_denied = _in_request_tenant(defaults.permission_denied)
page_not_found = _in_request_tenant(defaults.page_not_found)


@_in_request_tenant
@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """The department's own 500 page (its header, the signed-in user's menu). Django's default
    renders it without the request so that it cannot fail again; here the request's page is
    tried first and, should that fail too (the database may be what failed), a page that
    needs nothing is sent instead."""
    # The page reads nothing from the database, which may be what failed (each query would
    # wait for a pooled connection first): the user only if already loaded, no messages
    # (kept in the session), no integrity banner.
    user = getattr(request, "_cached_user", None) or AnonymousUser()
    context: dict[str, Any] = {"user": user, "messages": [], "database_free": True}
    try:
        return HttpResponseServerError(loader.render_to_string("500.html", context, request=request))
    except Exception:  # the page itself failed: log why, and answer with one that cannot
        logger.exception("the 500 page could not be rendered")
    return HttpResponseServerError(
        format_html(
            '<!doctype html><html lang="{}"><head><meta charset="utf-8"><title>Porchlight</title></head>'
            "<body><h1>{}</h1><p>{}</p></body></html>",
            get_language() or "en",
            _("Something went wrong"),
            _("Something went wrong on our side. Try again in a moment."),
        )
    )


# The sentence for each of allauth's limited actions (ACCOUNT_RATE_LIMITS), by URL name.
_SIGN_IN_ACTIONS = {
    "account_login": ("login", _("Too many sign-in attempts from your address.")),
    "account_signup": ("signup", _("Too many sign-ups from your address.")),
    "account_reset_password": (
        "reset_password",
        _("Too many password reset requests from your address or for this e-mail address."),
    ),
    "account_reset_password_from_key": ("reset_password_from_key", _("Too many new passwords set from your address.")),
}


def sign_in_wait(action: str) -> int:
    """The seconds to wait after allauth refused ``action``: the longest of its windows (allauth
    counts in a sliding window, so after that long the oldest attempt has surely left it)."""
    from allauth.account import app_settings as allauth_account

    try:
        rates = ratelimit.rates_parse(allauth_account.RATE_LIMITS.get(action) or "")
    except ImproperlyConfigured:
        rates = ()
    return max((rate.seconds for rate in rates), default=60)


@_in_request_tenant
def too_many_requests(request: HttpRequest) -> HttpResponse:
    """allauth's answer when sign-in, sign-up or a password reset is over its limit
    (allauth.core.ratelimit.respond_429 calls ROOT_URLCONF.handler429): the 429 page saying
    what was limited and when to try again, also in ``Retry-After``."""
    match = getattr(request, "resolver_match", None)
    action, what = _SIGN_IN_ACTIONS.get(match.url_name if match else "", ("", _("Too many attempts.")))
    wait = sign_in_wait(action) if action else 60
    sentence = _("%(what)s Try again in %(wait)s.") % {"what": what, "wait": ratelimit.duration_words(wait)}
    response = HttpResponse(loader.render_to_string("429.html", {"sentence": sentence}, request=request), status=429)
    response["Retry-After"] = str(wait)
    return response
