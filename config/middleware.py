import logging
import time
from collections.abc import Callable

import redis
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from config.handlers import REQUEST_CONNECTION

logger = logging.getLogger("porchlight.request")

# What a 503 asks clients to wait before trying again (seconds): a restarted Redis is back in
# a few seconds, a failed-over one in about a minute.
_RETRY_AFTER_SECONDS = 60


class ContentSecurityPolicyMiddleware:
    """Sets the Content-Security-Policy header (Django 5.2 has no built-in CSP)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CSP_POLICY)
        return response


class RequestConnectionMiddleware:
    """Remembers the database connection of the thread that serves the request, for the error
    pages (config.handlers): under ASGI, Django renders them on another thread."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        setattr(request, REQUEST_CONNECTION, connections[DEFAULT_DB_ALIAS])
        return self.get_response(request)


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
    """A view that needs Redis while it cannot be reached answers 503 with a sentence, not 500.

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
            sentence = _(
                "This page is unavailable for a moment: a service Porchlight needs is not answering. "
                "Try again in a few minutes."
            )
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse({"detail": sentence, "code": "service_unavailable"}, status=503)
        else:
            response = render(request, "503.html", {"sentence": sentence}, status=503)
        response["Retry-After"] = str(_RETRY_AFTER_SECONDS)
        return response
