"""The receiver of an integration's deliveries: ``POST /api/v1/integrations/<id>/events/``.

No login: the sender proves itself with the integration's shared secret (docs/webhooks.md),
so this is a plain view and not an ``accounts.api_base.BaseApi`` (whose authentication is a
user's). It answers fast: checks, one insert, 202; mapping, geocoding and the incident are
incidents.tasks's. Its errors are the API's (``{"detail", "code"}``, plus ``reason`` naming
which check failed). A refusal is logged (logger ``porchlight.incidents``) and counted per
integration (incidents.limits), never written to the access log.

The order of the checks is deliberate: the size first (nothing larger is read), then the
integration (unknown, or another department's: 404, the same answer), then the signature
(so that nobody without the secret learns whether the integration is active or throttled),
then the state, then replays, then the rate limit, which counts only signed deliveries that
were not received before: neither an unsigned flood nor someone replaying a captured delivery
can use up the sender's quota. (Two copies of one delivery racing each other may both pass the
replay check, and Redis may have forgotten a signature: the insert's unique constraint refuses
the copy, which then gives its count back.)
"""

import datetime as dt
import json
import logging
import math
import re
import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_variables

from accounts.api_base import error_body

from .intake import DeliveryReplayed, delivery_accept
from .limits import delivery_seen, delivery_seen_mark, rate_limit_hit, rate_limit_refund, refusal_count
from .models import Integration
from .secrets import signature_matches
from .selectors import integration_get
from .services import integration_secrets_valid

__all__ = ["integration_events_api"]

logger = logging.getLogger("porchlight.incidents")

TIMESTAMP_HEADER = "HTTP_X_PORCHLIGHT_TIMESTAMP"
SIGNATURE_HEADER = "HTTP_X_PORCHLIGHT_SIGNATURE"
_TIMESTAMP = re.compile(r"\d{1,12}")
_SIGNATURE = re.compile(r"sha256=([0-9a-fA-F]{64})")


def _refuse(
    integration: Integration | None, request: HttpRequest, *, status: int, code: str, reason: str, detail: str
) -> JsonResponse:
    logger.warning(
        "integration delivery refused",
        extra={
            "integration": str(integration.public_id) if integration else "",
            "reason": reason,
            "status": status,
            "ip": request.META.get("REMOTE_ADDR", ""),
        },
    )
    if integration is not None:
        refusal_count(integration=integration, reason=reason)
    return JsonResponse(error_body(detail=detail, code=code, reason=reason), status=status)


def _not_found() -> JsonResponse:
    return JsonResponse(error_body(detail=_("Not found."), code="not_found"), status=404)


def _body(request: HttpRequest, limit: int) -> bytes | None:
    """The raw body, or None when it is larger than ``limit`` (read no further than that)."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return None
    body = request.read(limit + 1)
    return None if len(body) > limit else body


@sensitive_variables("secrets", "secret")  # an error report shows them as [filtered]
def _signature_refusal(integration: Integration, request: HttpRequest, body: bytes) -> JsonResponse | None:
    timestamp = request.META.get(TIMESTAMP_HEADER, "").strip()
    if not _TIMESTAMP.fullmatch(timestamp):
        return _refuse(
            integration,
            request,
            status=401,
            code="authentication_failed",
            reason="timestamp_missing",
            detail=_("The X-Porchlight-Timestamp header is missing or not a whole number of seconds since 1970."),
        )
    window = settings.PORCHLIGHT_INTEGRATION_WINDOW_SECONDS
    if abs(time.time() - int(timestamp)) > window:
        return _refuse(
            integration,
            request,
            status=401,
            code="authentication_failed",
            reason="timestamp_stale",
            detail=_(
                "X-Porchlight-Timestamp is more than %(minutes)s minutes from Porchlight's clock: sign each "
                "delivery when it is sent, and check the sender's clock."
            )
            % {"minutes": window // 60},
        )
    match = _SIGNATURE.fullmatch(request.META.get(SIGNATURE_HEADER, "").strip())
    if match is None:
        return _refuse(
            integration,
            request,
            status=401,
            code="authentication_failed",
            reason="signature_missing",
            detail=_("The X-Porchlight-Signature header is missing or not of the form sha256=<64 hex digits>."),
        )
    given = match.group(1)
    secrets = integration_secrets_valid(integration=integration, now=timezone.now())
    # Every valid secret is tried (no early exit): the time taken says nothing of which matched.
    # A loop, not a comprehension: its variable stays in this frame, which hides it.
    matched = False
    for secret in secrets:
        matched = signature_matches(secret, timestamp=timestamp, body=body, signature=given) or matched
    if not matched:
        return _refuse(
            integration,
            request,
            status=401,
            code="authentication_failed",
            reason="signature_invalid",
            detail=_("The signature does not match: sign '<timestamp>.<body>' with the integration's secret."),
        )
    return None


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


def _finite_float(text: str) -> float:
    # 1e400 reads as infinity, which jsonb (like JSON itself) cannot hold.
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _json_object(body: bytes) -> dict[str, Any] | None:
    """The body as a JSON object that PostgreSQL's jsonb can store, or None."""
    try:
        payload = json.loads(body.decode("utf-8"), parse_constant=_reject_constant, parse_float=_finite_float)
        # jsonb refuses NUL characters and lone surrogates, which Python's json accepts.
        text = json.dumps(payload, ensure_ascii=False)
        text.encode("utf-8")
    except (UnicodeError, ValueError, RecursionError):  # (nesting deeper than Python's recursion limit)
        return None
    # (json.dumps writes a NUL as the escape \u0000, even with ensure_ascii off.)
    if not isinstance(payload, dict) or "\\u0000" in text:
        return None
    return payload


def _replayed(integration: Integration, request: HttpRequest) -> JsonResponse:
    return _refuse(
        integration,
        request,
        status=401,
        code="authentication_failed",
        reason="replayed",
        detail=_("This signed delivery was already received: a replay is refused. Sign each delivery anew."),
    )


@csrf_exempt  # signed by the sender's secret, not by a browser's session
def integration_events_api(request: HttpRequest, integration_id: Any) -> JsonResponse:
    if request.method != "POST":
        response = JsonResponse(
            error_body(detail=_("Send deliveries with POST."), code="method_not_allowed"), status=405
        )
        response["Allow"] = "POST"
        return response
    integration = integration_get(public_id=integration_id)
    if integration is None:
        logger.warning(
            "integration delivery refused",
            extra={"integration": str(integration_id), "reason": "not_found", "status": 404},
        )
        return _not_found()
    limit = settings.PORCHLIGHT_INTEGRATION_MAX_BODY_BYTES
    body = _body(request, limit)
    if body is None:
        return _refuse(
            integration,
            request,
            status=413,
            code="payload_too_large",
            reason="too_large",
            detail=_("The body is larger than %(kb)s KB.") % {"kb": limit // 1024},
        )
    refusal = _signature_refusal(integration, request, body)
    if refusal is not None:
        return refusal
    if not integration.active:
        return _refuse(
            integration,
            request,
            status=403,
            code="permission_denied",
            reason="inactive",
            detail=_("This integration is deactivated: the department's administrator can reactivate it."),
        )
    match = _SIGNATURE.fullmatch(request.META[SIGNATURE_HEADER].strip())
    assert match is not None  # checked above
    signature = match.group(1).lower()
    if delivery_seen(integration=integration, signature=signature):
        return _replayed(integration, request)
    retry_after = rate_limit_hit(integration=integration)
    if retry_after:
        response = _refuse(
            integration,
            request,
            status=429,
            code="throttled",
            reason="rate_limited",
            detail=_("More than %(n)s deliveries this minute: try again in %(s)s seconds.")
            % {"n": integration.rate_per_minute, "s": retry_after},
        )
        response["Retry-After"] = str(retry_after)
        return response
    payload = _json_object(body)
    if payload is None:
        return _refuse(
            integration,
            request,
            status=400,
            code="parse_error",
            reason="invalid_json",
            detail=_("The body is not a valid JSON object (UTF-8, no NaN or Infinity, no NUL character)."),
        )
    signed_at = dt.datetime.fromtimestamp(int(request.META[TIMESTAMP_HEADER].strip()), tz=dt.UTC)
    try:
        delivery = delivery_accept(integration=integration, signature=signature, signed_at=signed_at, body=payload)
    except DeliveryReplayed:
        rate_limit_refund(integration=integration)
        delivery_seen_mark(integration=integration, signature=signature)
        return _replayed(integration, request)
    delivery_seen_mark(integration=integration, signature=signature)
    return JsonResponse({"delivery": delivery.pk, "status": "accepted"}, status=202)
