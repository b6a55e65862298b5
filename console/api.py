"""Staff API over the access gate: purposes and area searches, as GeoJSON."""

import copy
import json
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import authentication, exceptions, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from accounts.api_base import ApiInput
from cameras import access

# The schema states the form's own bound: staff routes reach camera data only through the
# gate, so this module imports nothing else of cameras but the shared form and API base
# (tests/console/test_console.py).
from cameras.forms import MAX_RADIUS_M, AreaForm
from cameras.mixins import StaffApi
from cameras.mixins import staff_actor as _actor
from core import ratelimit

# Over the search limit (docs/rate-limits.md): the error shape of docs/api-errors.md, code
# "throttled", with Retry-After in seconds.
_RATE_LIMITED = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description="Too many searches (docs/rate-limits.md); the Retry-After header gives the seconds to wait.",
)


class PurposeInput(ApiInput):
    case_number = serializers.CharField(max_length=64, allow_blank=True)
    category = serializers.CharField(max_length=64)
    text = serializers.CharField(max_length=500, allow_blank=True)
    authority = serializers.ChoiceField(choices=["consent", "warrant", "exigent"], default="consent")
    warrant_number = serializers.CharField(max_length=64, required=False, default="", allow_blank=True)


class PurposeOutput(serializers.Serializer):
    id = serializers.UUIDField()
    case_number = serializers.CharField()
    category = serializers.CharField()
    expires_at = serializers.DateTimeField()


class PurposeCreateApi(StaffApi):
    @extend_schema(request=PurposeInput, responses={201: PurposeOutput}, summary="State a purpose before any search")
    def post(self, request: Request) -> Response:
        data = PurposeInput(data=request.data)
        data.is_valid(raise_exception=True)
        purpose = access.purpose_declare(
            actor=_actor(request), approvals_link=reverse("console-approvals"), **data.validated_data
        )
        out = {
            "id": purpose.public_id,
            "case_number": purpose.case_number,
            "category": purpose.category,
            "expires_at": purpose.expires_at,
        }
        return Response(PurposeOutput(out).data, status=status.HTTP_201_CREATED)


def _feature(hit: access.CameraHit) -> dict[str, Any]:
    camera = hit.camera
    properties: dict[str, Any] = {
        "id": str(camera.public_id),
        "distance_m": round(hit.distance_m),
        # The whole street address if the owner shares contact details, else its block.
        "address": camera.street,
        "type": camera.camera_type,
        "views": camera.views,
        "consent_level": hit.level,
        "can_request_footage": hit.can_request_footage,
        "can_live_view": hit.can_live_view,
        "owner_contact": None,
    }
    if hit.shares_contact:
        properties["owner_contact"] = {
            "name": camera.contact_name,
            "email": camera.contact_email,
            "address": camera.contact_address,
        }
    return {
        "type": "Feature",
        # Approximate position (~100 m), as on the console map.
        "geometry": {"type": "Point", "coordinates": [round(camera.lon, 3), round(camera.lat, 3)]},
        "properties": properties,
    }


SEARCH_PARAMETERS = [
    # The bounds are the form's (cameras.forms.AreaForm), stated so that clients and the
    # schema's fuzz test know them; the form still checks them.
    OpenApiParameter("lat", {"type": "number", "minimum": -90, "maximum": 90}, description="centre latitude"),
    OpenApiParameter("lon", {"type": "number", "minimum": -180, "maximum": 180}, description="centre longitude"),
    OpenApiParameter(
        "radius_m",
        {"type": "number", "minimum": 1, "maximum": MAX_RADIUS_M},
        description=f"radius in metres (1 to {MAX_RADIUS_M:,})",
    ),
    OpenApiParameter(
        "mode", str, enum=["pin", "fov"], description="pin inside the area, or field of view intersecting it"
    ),
    OpenApiParameter("purpose", str, required=True, description="id of a purpose you stated (POST /api/v1/purposes/)"),
]


def _session_get_csrf_check(request: Request) -> None:
    """A search is logged on the officer's name and told to the owners who asked, so a GET
    made with the browser's session (not a token) must carry the CSRF token in the X-CSRFToken
    header, as a POST must: a link, redirect or image of another site sends the session cookie
    (SameSite=Lax) but cannot send that header. Refused before the gate: nothing is logged."""
    probe = copy.copy(request._request)
    probe.method = "POST"  # Django checks CSRF only on unsafe methods
    probe.csrf_processing_done = False  # type: ignore[attr-defined]
    try:
        SessionAuthentication().enforce_csrf(probe)  # type: ignore[arg-type]  # it reads only the Django request
    except exceptions.PermissionDenied as exc:
        raise exceptions.PermissionDenied(
            _(
                "A search with a signed-in session needs the CSRF token in the X-CSRFToken header "
                "(or use an API token: Authorization: Token <token>)."
            )
        ) from exc


_SEARCH_NUMBERS = ("lat", "lon", "radius_m")
_SEARCH_TEXTS = ("mode", "purpose")


def _check_search_json_types(data: dict[str, Any]) -> None:
    """In a JSON body a value of the wrong type is a 400 naming the field, as for every API
    input (accounts.api_base.ApiInput): the form below would read "34.1" as a latitude and
    true as a radius of one metre."""
    errors: dict[str, list[str]] = {}
    for name in _SEARCH_NUMBERS:
        value = data.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            errors[name] = [str(_("A number is required."))]
    for name in _SEARCH_TEXTS:
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            errors[name] = [str(_("A text value is required."))]
    if errors:
        raise exceptions.ValidationError(errors)


class CameraSearchApi(StaffApi):
    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # Per token (and address) before the token is looked up: a flood of searches over the
        # limit is refused without a database query (the lookup was half of a refusal's cost,
        # bench/ratelimit.py). The count is keyed by the token as sent, valid or not.
        header = authentication.get_authorization_header(request).split()
        token = header[1].decode("latin-1") if len(header) == 2 and header[0].lower() == b"token" else None
        ratelimit.limit_check_request(request._request, limit=ratelimit.Limit.SEARCH, token=token)
        super().initial(request, *args, **kwargs)

    def _search(self, request: Request, params: dict[str, Any]) -> Response:
        # Per user, one count with the console's searches (docs/rate-limits.md), before
        # anything is read or logged.
        ratelimit.limit_check(
            limit=ratelimit.Limit.SEARCH,
            schema=str(request._request.tenant.schema_name),  # type: ignore[attr-defined]
            user=request.user.pk,
        )
        actor = _actor(request)
        purpose_id = params.get("purpose")
        purpose = access.purpose_lookup(actor=actor, public_id=purpose_id) if purpose_id else None
        form = AreaForm(params)
        if not form.is_valid():
            # Field by field, as every API 400 (accounts.api_base.exception_handler).
            raise DjangoValidationError(form.errors.as_data())
        result = access.camera_search(
            actor=actor, purpose=purpose, area=form.cleaned_data["area"], mode=form.cleaned_data["mode"]
        )
        if not result.decision.allowed:
            if result.decision.reason == access.Refusal.PURPOSE_REQUIRED:
                raise result.decision.refusal(
                    _("A valid purpose is required: state one with POST /api/v1/purposes/ and pass its id as purpose.")
                )
            raise result.decision.refusal()
        return Response(
            {
                "type": "FeatureCollection",
                "total": result.total,
                "total_is_lower_bound": result.total_capped,
                "returned": len(result.hits),
                "features": [_feature(hit) for hit in result.hits],
            }
        )

    @extend_schema(
        parameters=SEARCH_PARAMETERS,
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT, 403: OpenApiTypes.OBJECT, 429: _RATE_LIMITED},
        summary="Cameras around a point, nearest first (GeoJSON FeatureCollection)",
    )
    def get(self, request: Request) -> Response:
        if request.auth is None:
            _session_get_csrf_check(request)
        return self._search(request, request.query_params.dict())

    @extend_schema(
        request={
            "application/json": {
                "type": "object",
                "properties": {
                    "lat": {"type": "number", "minimum": -90, "maximum": 90},
                    "lon": {"type": "number", "minimum": -180, "maximum": 180},
                    "radius_m": {"type": "number", "minimum": 1, "maximum": MAX_RADIUS_M},
                    "polygon": {"type": "object"},
                    "mode": {"type": "string", "enum": ["pin", "fov"]},
                    "purpose": {"type": "string"},
                },
            }
        },
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT, 403: OpenApiTypes.OBJECT, 429: _RATE_LIMITED},
        summary="Cameras in a circle (lat, lon, radius_m) or a GeoJSON polygon, nearest first",
    )
    def post(self, request: Request) -> Response:
        body = request.data
        if isinstance(body, QueryDict):  # a form-encoded body: one value per name, not lists
            data: dict[str, Any] = body.dict()
        elif isinstance(body, dict):
            data = dict(body)
        else:  # a JSON list, string or number
            raise exceptions.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [_("Send a JSON object.")]})
        if not isinstance(body, QueryDict):
            _check_search_json_types(data)
        if data.get("polygon") is not None and not isinstance(data["polygon"], str):
            data["polygon"] = json.dumps(data["polygon"])  # GeoJSON as an object, the usual way
        return self._search(request, data)
