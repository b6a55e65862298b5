"""The one base class every API view inherits, and the one shape of every API error.

It fixes authentication, permission and tenant scoping. A subclass may *narrow*
access (``allowed_roles``) but cannot replace the authentication or permission
classes: defining them raises at import time, so widening cannot happen quietly.

Every error under ``/api/v1/`` is ``{"detail": <a sentence>, "code": <one of ERROR_CODES>}``;
a 400 about fields adds ``fields`` (field path -> messages). docs/api-errors.md lists the
codes, and a test keeps it in step with ``ERROR_CODES``.
"""

import logging
from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any, ClassVar

from django.core.exceptions import NON_FIELD_ERRORS, BadRequest, ObjectDoesNotExist, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.signals import got_request_exception
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.urls import Resolver404, resolve
from django.utils.log import log_response
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django_tenants.utils import get_public_schema_name
from rest_framework import permissions, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import APIException, NotFound, ParseError, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView, set_rollback
from rest_framework.views import exception_handler as drf_exception_handler

from core import errors
from core.unavailable import RETRY_AFTER_SECONDS, database_unavailable, unavailable_sentence

from .api_auth import ApiTokenAuthentication
from .models import Role
from .selectors import session_passed_mfa

logger = logging.getLogger("django.request")

#: Every ``code`` an API error can carry, with its HTTP status. docs/api-errors.md explains
#: each; the OpenAPI schema lists them as the enum of ``Error.code``.
ERROR_CODES: dict[str, int] = {
    "parse_error": 400,
    "invalid": 400,
    "not_authenticated": 401,
    "authentication_failed": 401,
    "permission_denied": 403,
    "mfa_required": 403,
    "access_denied": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "not_acceptable": 406,
    "conflict": 409,
    "gone": 410,
    "payload_too_large": 413,
    "unsupported_media_type": 415,
    "throttled": 429,
    "server_error": 500,
    "service_unavailable": 503,
}
_NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY
# The code of an error whose own code is not one of ours (DRF's, a library's): by status.
_CODE_OF_STATUS = {code_status: code for code, code_status in reversed(ERROR_CODES.items())}

_LOCKED_ATTRIBUTES = ("authentication_classes", "permission_classes", "get_authenticators", "get_permissions")


class TenantRolePermission(permissions.BasePermission):
    """Authenticated, on a department host, in one of the view's roles, MFA for staff sessions."""

    message = _("You do not have access to this resource.")
    code = "permission_denied"

    def has_permission(self, request: Request, view: Any) -> bool:
        tenant = getattr(request._request, "tenant", None)
        if tenant is None or tenant.schema_name == get_public_schema_name():
            return False
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if user.role not in view.allowed_roles:
            return False
        # A staff session (not a token) must have passed MFA at login.
        if user.is_staff_role and request.auth is None and not session_passed_mfa(request._request.session):
            self.message = _("Two-factor authentication is required for staff accounts.")
            self.code = "mfa_required"
            return False
        return True


class BaseApi(APIView):
    authentication_classes = (ApiTokenAuthentication, SessionAuthentication)
    permission_classes = (permissions.IsAuthenticated, TenantRolePermission)
    #: Roles that may call this view. Subclasses narrow it; the default is every role.
    allowed_roles: ClassVar[frozenset[str]] = frozenset(Role.values)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in _LOCKED_ATTRIBUTES:
            if name in cls.__dict__:
                raise TypeError(f"{cls.__name__} may not override {name}: BaseApi owns API security.")
        if not cls.allowed_roles <= frozenset(Role.values):
            raise TypeError(f"{cls.__name__}.allowed_roles names unknown roles.")


class _Refusal(APIException):
    """A DomainError as DRF's exception, with its status and code (see exception_handler)."""

    def __init__(self, error: errors.DomainError, *, status_code: int, code: str) -> None:
        super().__init__(error.message, code)
        self.status_code = status_code
        self.default_code = code
        self.error = error


# The API's answer to each kind of DomainError: (status, code). A subclass answers as its
# nearest listed base; the gate's refusals (AccessRefused) also carry their reason.
_DOMAIN_ERRORS: dict[type[errors.DomainError], tuple[int, str]] = {
    errors.AccessRefused: (403, "access_denied"),
    errors.Refused: (403, "permission_denied"),
    errors.NotFound: (404, "not_found"),
    errors.Conflict: (409, "conflict"),
    errors.Gone: (410, "gone"),
    errors.Unavailable: (503, "service_unavailable"),
}


def _domain_error_as_api(error: errors.DomainError) -> APIException:
    if isinstance(error, errors.RateLimited):
        # ``wait`` is what DRF's handler turns into Retry-After (as for its own Throttled).
        throttled = _Refusal(error, status_code=429, code="throttled")
        throttled.wait = error.retry_after  # type: ignore[attr-defined]
        return throttled
    if isinstance(error, errors.Invalid):
        return ValidationError({error.field or _NON_FIELD: [error.message]})
    for kind in type(error).__mro__:
        if kind in _DOMAIN_ERRORS:
            status_code, code = _DOMAIN_ERRORS[kind]
            return _Refusal(error, status_code=status_code, code=code)
    return ValidationError({_NON_FIELD: [error.message]})


class ApiInput(serializers.Serializer):
    """An input serializer that takes JSON's types at their word.

    DRF coerces on input: ``{"name": 0}`` becomes the name "0", ``"34.1"`` a latitude and
    ``"yes"`` a boolean. A client that sends the wrong type has a bug, and the schema says
    the type, so in a JSON body a value of the wrong type is a 400 naming the field. Form
    bodies carry only text, so they are left to DRF's parsing.
    """

    def to_internal_value(self, data: Any) -> Any:
        root_data = getattr(self.root, "initial_data", None)
        if isinstance(data, Mapping) and not isinstance(root_data, QueryDict):
            errors: dict[str, Any] = {}
            for field in self._writable_fields:
                name = field.field_name
                if name is not None and name in data:
                    try:
                        _check_json_type(field, data[name])
                    except ValidationError as exc:
                        errors[name] = exc.detail
            if errors:
                raise ValidationError(errors)
        return super().to_internal_value(data)


def _check_json_type(field: serializers.Field, value: Any) -> None:
    if value is None:
        return  # allow_null is the field's to check
    key = "invalid"
    if isinstance(field, serializers.ChoiceField) and not isinstance(field, serializers.MultipleChoiceField):
        key = "invalid_choice"
        fits = isinstance(value, str) or not all(isinstance(choice, str) for choice in field.choices)
    elif isinstance(field, serializers.CharField):
        fits = isinstance(value, str)
    elif isinstance(field, serializers.BooleanField):
        fits = isinstance(value, bool)
    elif isinstance(field, serializers.IntegerField):
        # JSON has one number type: 5.0 is the integer 5 (as JSON Schema says), 5.5 is not.
        fits = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
        fits = fits and not isinstance(value, bool)
    elif isinstance(field, serializers.FloatField):
        fits = isinstance(value, int | float) and not isinstance(value, bool)
    else:
        return  # dates, UUIDs, decimals, lists and nested objects: DRF checks their type itself
    if not fits:
        field.fail(key, input=value)


def _field_errors(exc: DjangoValidationError) -> dict[str, Any]:
    if not hasattr(exc, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
    return {
        (api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): messages
        for field, messages in exc.message_dict.items()
    }


def _flatten(detail: Any, path: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as ``{"windows[0].end": ["..."]}``: one flat map, whatever the nesting."""
    if isinstance(detail, Mapping):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            if isinstance(key, int):  # a list serializer's errors, by the item's index
                name = f"{path}[{key}]"
            elif key == _NON_FIELD and path:
                # A list's or nested object's own error (e.g. too many windows) is about the field itself.
                name = path
            else:
                name = f"{path}.{key}" if path else str(key)
            for where, messages in _flatten(value, name).items():
                out.setdefault(where, []).extend(messages)
        return out
    if isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            return {path or api_settings.NON_FIELD_ERRORS_KEY: [str(item) for item in detail]} if detail else {}
        out = {}
        for index, item in enumerate(detail):
            for where, messages in _flatten(item, f"{path}[{index}]").items():
                out.setdefault(where, []).extend(messages)
        return out
    return {path or api_settings.NON_FIELD_ERRORS_KEY: [str(detail)]}


def _sentence(text: Any) -> str:
    # Not capitalised: a detail may start with a field's name ("kind: ..."), which is case-sensitive.
    text = str(text).strip() or str(_("The request failed."))
    return text if text[-1] in ".!?" else text + "."


def _fields_sentence(fields: dict[str, list[str]]) -> str:
    parts = [
        message if name == api_settings.NON_FIELD_ERRORS_KEY else f"{name}: {message}"
        for name, messages in fields.items()
        for message in messages
    ]
    if list(fields) == [api_settings.NON_FIELD_ERRORS_KEY]:
        return _sentence(" ".join(parts))
    return _sentence(str(_("The input is not valid:")) + " " + "; ".join(parts))


def _code_of(exc: APIException, status_code: int) -> str:
    codes = exc.get_codes()
    if isinstance(codes, str) and codes in ERROR_CODES and ERROR_CODES[codes] == status_code:
        return codes
    if exc.default_code in ERROR_CODES and ERROR_CODES[exc.default_code] == status_code:
        return str(exc.default_code)
    return _CODE_OF_STATUS.get(status_code, "invalid" if status_code < 500 else "server_error")


def error_body(*, detail: Any, code: str, **extra: Any) -> dict[str, Any]:
    """The body of every API error: a sentence and a code from ERROR_CODES (plus what the error adds)."""
    assert code in ERROR_CODES, f"{code} is not in ERROR_CODES"
    return {"detail": _sentence(detail), "code": code, **extra}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every API error as ``{"detail", "code"}`` JSON; 'missing' and 'not yours' are the same 404.

    An unexpected exception is logged as Django logs a 500 (with ``got_request_exception``
    sent, so error reporters and the test client see it) and answered with a JSON 500 that
    says nothing of its cause.
    """
    extra: dict[str, Any] = {}
    if isinstance(exc, errors.DomainError):
        exc = _domain_error_as_api(exc)
    if isinstance(exc, Http404 | ObjectDoesNotExist):
        # Missing, not yours, or deleted between the lookup and the service's locked re-read.
        # Nothing of the cause is told (DRF would name the model).
        exc = NotFound(_("Not found."))
    elif isinstance(exc, DjangoValidationError):
        # Domain services raise Django's ValidationError keyed by field: a 400 with those keys,
        # plus whatever the error adds for the caller (e.g. the department that covers a point).
        extra = dict(getattr(exc, "extra_detail", {}))
        exc = ValidationError(_field_errors(exc))
    elif isinstance(exc, SuspiciousOperation | BadRequest):
        # What Django itself answers with a 400 (a body over DATA_UPLOAD_MAX_MEMORY_SIZE, too
        # many fields, a malformed multipart body): logged as Django does, answered as ours.
        if isinstance(exc, SuspiciousOperation):
            logging.getLogger(f"django.security.{exc.__class__.__name__}").error(str(exc))
        exc = ParseError(_("The request body could not be read: it is malformed or too large."))
    if database_unavailable(exc):
        # PostgreSQL restarting or out of connections: the caller may try again (Retry-After).
        logging.getLogger("porchlight.request").error("database unavailable", extra={"error": str(exc)})
        set_rollback()
        return Response(
            error_body(detail=unavailable_sentence(), code="service_unavailable"),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        request = context["request"]
        django_request: HttpRequest = getattr(request, "_request", request)
        set_rollback()
        got_request_exception.send(sender=None, request=django_request)
        response = Response(
            error_body(detail=_("Something went wrong on our side; the error was logged."), code="server_error"),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
        log_response(
            "%s: %s",
            "Internal Server Error",
            django_request.path,
            response=response,
            request=django_request,
            exception=exc,
        )
        return response
    assert isinstance(exc, APIException)  # drf_exception_handler answers nothing else
    if isinstance(exc, ValidationError):
        fields = _flatten(exc.detail)
        body = error_body(detail=_fields_sentence(fields), code="invalid", fields=fields, **extra)
    elif isinstance(exc, NotFound) or response.status_code == status.HTTP_404_NOT_FOUND:
        # Missing or not yours alike: nothing of the cause is told.
        body = error_body(detail=_("Not found."), code="not_found")
    else:
        detail = (
            exc.detail if isinstance(exc.detail, str) else " ".join(_flatten(exc.detail).get("non_field_errors", []))
        )
        body = error_body(detail=detail, code=_code_of(exc, response.status_code))
        if isinstance(exc, _Refusal) and isinstance(exc.error, errors.AccessRefused):
            body["reason"] = exc.error.code
    response.data = body
    return response


API_NOT_FOUND = "api-not-found"


@csrf_exempt  # it changes nothing; without this a POST to an unknown path would get the CSRF page
def api_not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """Any path under /api/ that no endpoint matches (an unknown route, an id the URL pattern
    refuses, a missing trailing slash): the API's 404, not the site's HTML page."""
    detail = _("No API endpoint matches this path.")
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/", urlconf=getattr(request, "urlconf", None))
        except Resolver404:
            match = None
        if match is not None and match.url_name != API_NOT_FOUND:
            detail = _("No API endpoint matches this path: API paths end with a slash.")
    return JsonResponse(error_body(detail=detail, code="not_found"), status=status.HTTP_404_NOT_FOUND)


def api_server_error_or(page: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A handler500 that answers the API's JSON 500 under /api/ and ``page`` elsewhere.

    An exception in an API view is the exception handler's above; this one is for what fails
    before a view runs (a middleware: the database refusing connections, say), which Django
    answers with the url conf's handler500.
    """

    @wraps(page)
    def handler(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.path.startswith("/api/"):
            body = error_body(detail=_("Something went wrong on our side; the error was logged."), code="server_error")
            return JsonResponse(body, status=status.HTTP_500_INTERNAL_SERVER_ERROR)
        return page(request, *args, **kwargs)

    return handler
