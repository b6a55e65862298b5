"""The owner's own-data API, ``/api/v1/me/...``: sites, cameras and consent.

Interfaces only: input serializers check shapes and types, the services check ranges,
boundaries and consent rules (one source of truth: the model and cameras.services),
and output serializers render. Every lookup is scoped to ``request.user``; another
owner's id is a 404, exactly like a missing one. Ids in URLs are ``public_id`` UUIDs.

Lists are plain JSON arrays: an owner has a handful of sites and cameras.
"""

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api_base import ApiInput, BaseApi
from accounts.api_parsers import StrictTextJSONParser
from accounts.models import OWNER_ROLES, User
from tenants.models import Department, DepartmentPolicy
from tenants.selectors import policy_current

from . import selectors, services
from .consent import EXPIRY_HORIZON_YEARS, MAX_WINDOWS, expiry_horizon
from .models import Camera, CameraStatus, CameraType, ConsentGrant, Placement, RecordingMode, Site, SiteKind, ViewTarget
from .site_status import REQUIREMENT_CODES, STATUSES, SiteStatus, sites_status

# --- Shared pieces -----------------------------------------------------------------------


class _OwnerApi(BaseApi):
    """Residents and businesses only; every object is looked up among the caller's own."""

    allowed_roles = OWNER_ROLES
    # JSON only: consent windows are nested lists, which form encodings cannot carry.
    parser_classes = (StrictTextJSONParser,)

    def owner(self) -> User:
        user = self.request.user
        assert isinstance(user, User)  # BaseApi admits authenticated users only
        return user

    def department(self) -> Department:
        # Set by django-tenants from the host name; never from the client's input.
        department: Department = self.request._request.tenant  # type: ignore[attr-defined]
        return department

    def output_context(self) -> dict[str, Any]:
        """What the serializers need: the department's time zone and policy (for the ordinance)."""
        department = self.department()
        return {
            "time_zone": department.time_zone,
            "policy": policy_current(),
            "schema": department.schema_name,
        }

    def site_or_404(self, public_id: UUID) -> Site:
        try:
            return selectors.site_of_owner(owner=self.owner(), public_id=public_id)
        except Site.DoesNotExist as exc:
            raise NotFound from exc

    def camera_or_404(self, public_id: UUID) -> Camera:
        try:
            return selectors.camera_of_owner(owner=self.owner(), public_id=public_id)
        except Camera.DoesNotExist as exc:
            raise NotFound from exc


_GEOJSON_GEOMETRY_SCHEMA = {
    "type": "object",
    "description": "A GeoJSON geometry (RFC 7946), WGS 84 longitude/latitude.",
    "properties": {
        "type": {"type": "string", "example": "Polygon"},
        "coordinates": {"type": "array", "items": {}},
    },
    "required": ["type", "coordinates"],
}


@extend_schema_field(_GEOJSON_GEOMETRY_SCHEMA)
class GeoJsonGeometryField(serializers.Field):
    def to_representation(self, value: Any) -> Any:
        return json.loads(value.geojson)


class DepartmentDateTimeField(serializers.DateTimeField):
    """A datetime read and written in the department's time zone (``context["time_zone"]``);
    a value without an offset is taken as the department's wall-clock time."""

    def default_timezone(self) -> dt.tzinfo:
        return ZoneInfo(self.context.get("time_zone", "UTC"))

    def enforce_timezone(self, value: dt.datetime) -> dt.datetime:
        # DRF catches the overflow of an aware value only; a naive one at the edge of the
        # calendar ("9999-12-31T23:59:59" west of UTC) overflows while making it aware.
        try:
            return super().enforce_timezone(value)
        except OverflowError:
            self.fail("overflow")


# --- The ordinance ------------------------------------------------------------------------------


class UnmetOutput(serializers.Serializer):
    ordinance = serializers.CharField(help_text="The ordinance that asks for it.")
    code = serializers.ChoiceField(
        choices=[(code, code) for code in REQUIREMENT_CODES],
        help_text="What is unmet (docs/ordinance-requirements.md explains each code).",
    )
    severity = serializers.ChoiceField(
        choices=[("due", "due"), ("fail", "fail")],
        help_text="`fail`: not met now. `due`: to do by a date not yet passed.",
    )
    sentence = serializers.CharField(help_text="What to do, in plain words, in the caller's language.")


class CoveringOrdinanceOutput(serializers.Serializer):
    name = serializers.CharField()
    citation = serializers.CharField()
    status = serializers.ChoiceField(choices=[(status, status) for status in STATUSES])


class OrdinanceOutput(serializers.Serializer):
    subject = serializers.BooleanField(help_text="Whether an ordinance in force covers the site.")
    compliant = serializers.BooleanField(
        help_text="Whether the site meets every ordinance that covers it now (`status` is not `not_compliant` "
        "or `under_appeal`). Lowering consent is always allowed; the site is then reported non-compliant."
    )
    status = serializers.ChoiceField(
        choices=[(status, status) for status in STATUSES],
        help_text="The worst status of the ordinances covering the site; `not_covered` when none does.",
    )
    message = serializers.CharField(help_text="The status in plain words.")
    unmet = UnmetOutput(many=True, help_text="Each unmet requirement, with the sentence that says what to do.")
    ordinances = CoveringOrdinanceOutput(many=True, help_text="The ordinances covering the site.")


_ORDINANCE_FIELD = OrdinanceOutput(
    allow_null=True,
    help_text="The site's compliance with the ordinances in force; null when no ordinance is in force.",
)


def _ordinance_of(site: Site, context: Mapping[str, Any]) -> dict[str, Any] | None:
    """The compliance of ``site``: from ``context["site_status"]`` when the view judged all its
    sites at once (a list), else judged now."""
    statuses: dict[int, SiteStatus] | None
    if "site_status" in context:
        statuses = context["site_status"]
    else:
        statuses = sites_status(
            sites=[site], policy=context.get("policy"), schema=context.get("schema", ""), now=timezone.now()
        )
    if statuses is None or site.pk not in statuses:
        return None
    status = statuses[site.pk]
    return {
        "subject": status.covered,
        "compliant": status.compliant,
        "status": status.status,
        "message": status.message,
        "unmet": [
            {"ordinance": u.ordinance, "code": u.code, "severity": u.severity, "sentence": u.sentence}
            for u in status.unmet
        ],
        "ordinances": [{"name": o.name, "citation": o.citation, "status": o.status} for o in status.ordinances],
    }


# --- Sites ---------------------------------------------------------------------------------


class SiteOutput(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    kind = serializers.ChoiceField(choices=SiteKind.choices)
    name = serializers.CharField()
    address = serializers.CharField()
    latitude = serializers.FloatField(source="location.y")
    longitude = serializers.FloatField(source="location.x")
    parcel_number = serializers.CharField()
    permit_number = serializers.CharField()
    business_name = serializers.CharField()
    property_type = serializers.CharField()
    constructed_on = serializers.DateField(allow_null=True)
    share_contact = serializers.BooleanField()
    police_notes = serializers.CharField()
    cameras = serializers.SerializerMethodField(help_text="Ids of the site's cameras.")
    ordinance = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(serializers.ListField(child=serializers.UUIDField()))
    def get_cameras(self, site: Site) -> list[str]:
        # .all() so that the selector's prefetch is used.
        return [str(camera.public_id) for camera in site.cameras.all()]

    @extend_schema_field(_ORDINANCE_FIELD)
    def get_ordinance(self, site: Site) -> dict[str, Any] | None:
        return _ordinance_of(site, self.context)


class SiteCreateInput(ApiInput):
    kind = serializers.ChoiceField(choices=SiteKind.choices, default=SiteKind.RESIDENTIAL)
    name = serializers.CharField(required=False, allow_blank=True)
    address = serializers.CharField()
    latitude = serializers.FloatField(min_value=-90, max_value=90)
    longitude = serializers.FloatField(min_value=-180, max_value=180)
    parcel_number = serializers.CharField(required=False, allow_blank=True)
    permit_number = serializers.CharField(required=False, allow_blank=True)
    business_name = serializers.CharField(required=False, allow_blank=True)
    property_type = serializers.CharField(required=False, allow_blank=True)
    constructed_on = serializers.DateField(required=False, allow_null=True)
    share_contact = serializers.BooleanField(required=False)
    # A TextField's max_length is not checked by full_clean(), so the service would accept more.
    police_notes = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class SiteUpdateInput(SiteCreateInput):
    """Every field optional; latitude and longitude move the pin and come together."""

    kind = serializers.ChoiceField(choices=SiteKind.choices, required=False)
    address = serializers.CharField(required=False)
    latitude = serializers.FloatField(min_value=-90, max_value=90, required=False)
    longitude = serializers.FloatField(min_value=-180, max_value=180, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # site_update ignores a lone coordinate; say so instead of dropping it silently.
        for given, missing in (("latitude", "longitude"), ("longitude", "latitude")):
            if given in attrs and missing not in attrs:
                message = _("Send latitude and longitude together to move the pin.")
                raise serializers.ValidationError({missing: [message]})
        return attrs


def _site_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in data.items() if name not in ("latitude", "longitude")}


class SiteListCreateApi(_OwnerApi):
    @extend_schema(responses=SiteOutput(many=True), summary="Your sites (properties)", operation_id="me_sites_list")
    def get(self, request: Request) -> Response:
        sites = list(selectors.sites_of_owner(owner=self.owner()))
        context = self.output_context()
        # Judged all at once: as many queries for a page of sites as for one.
        context["site_status"] = sites_status(
            sites=sites, policy=context["policy"], schema=context["schema"], now=timezone.now()
        )
        return Response(SiteOutput(sites, many=True, context=context).data)

    @extend_schema(
        request=SiteCreateInput,
        responses={
            201: SiteOutput,
            400: OpenApiResponse(
                description="Field errors; a point outside the department's boundary is a `location` "
                "error, with `other_department: {name, url}` when another Porchlight department covers it."
            ),
        },
        summary="Register a site",
        operation_id="me_sites_create",
    )
    def post(self, request: Request) -> Response:
        data = SiteCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        site = services.site_create(
            owner=self.owner(),
            department=self.department(),
            lon=values["longitude"],
            lat=values["latitude"],
            **_site_fields(values),
        )
        return Response(SiteOutput(site, context=self.output_context()).data, status=status.HTTP_201_CREATED)


class SiteDetailApi(_OwnerApi):
    @extend_schema(responses=SiteOutput, summary="One of your sites", operation_id="me_sites_retrieve")
    def get(self, request: Request, public_id: UUID) -> Response:
        return Response(SiteOutput(self.site_or_404(public_id), context=self.output_context()).data)

    @extend_schema(
        request=SiteUpdateInput,
        responses={200: SiteOutput, 400: OpenApiResponse(description="Field errors, as for creating a site.")},
        summary="Change a site or move its pin (its cameras move with it)",
        operation_id="me_sites_update",
    )
    def patch(self, request: Request, public_id: UUID) -> Response:
        site = self.site_or_404(public_id)
        data = SiteUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        site = services.site_update(
            owner=self.owner(),
            site=site,
            department=self.department(),
            lon=values.get("longitude"),
            lat=values.get("latitude"),
            **_site_fields(values),
        )
        site = selectors.site_of_owner(owner=self.owner(), public_id=site.public_id)
        return Response(SiteOutput(site, context=self.output_context()).data)

    @extend_schema(
        responses={204: None}, summary="Delete a site with its cameras and consent", operation_id="me_sites_destroy"
    )
    def delete(self, request: Request, public_id: UUID) -> Response:
        site = self.site_or_404(public_id)
        services.site_delete(owner=self.owner(), site=site)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Cameras -------------------------------------------------------------------------------


class CameraOutput(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    site = serializers.UUIDField(source="site.public_id")
    label = serializers.CharField()  # type: ignore[assignment]  # stubs: Field.label
    camera_type = serializers.ChoiceField(choices=CameraType.choices)
    placement = serializers.ChoiceField(choices=Placement.choices)
    mount_height_m = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True, coerce_to_string=False)
    bearing_deg = serializers.IntegerField()
    fov_angle_deg = serializers.IntegerField()
    range_m = serializers.IntegerField()
    views = serializers.ListField(child=serializers.ChoiceField(choices=ViewTarget.choices))
    resolution = serializers.CharField()
    frame_rate = serializers.IntegerField(allow_null=True)
    recording_mode = serializers.ChoiceField(choices=RecordingMode.choices)
    retention_days = serializers.IntegerField(allow_null=True)
    audio = serializers.BooleanField()
    recorder_make = serializers.CharField()
    recorder_model = serializers.CharField()
    export_format = serializers.CharField()
    status = serializers.ChoiceField(choices=CameraStatus.choices)
    fov = GeoJsonGeometryField(help_text="The field of view: a GeoJSON Polygon.")
    # A plain string in the schema: as an enum it would be a second name for the consent levels.
    consent_level = serializers.CharField(
        source="consent.level", help_text="The consent level: registered, on_request, live_exigent or live."
    )
    consent_revoked = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_consent_revoked(self, camera: Camera) -> bool:
        return camera.consent.revoked_at is not None


class CameraCreateInput(ApiInput):
    """Ranges (bearing 0..359, field of view 1..360°, range 1..500 m, ...) are the model's.
    The service checks them too; they are bounded here as well so that the schema states them
    and an absurd number is refused before anything is computed from it."""

    label = serializers.CharField()  # type: ignore[assignment]  # stubs: Field.label
    camera_type = serializers.ChoiceField(choices=CameraType.choices, required=False)
    placement = serializers.ChoiceField(choices=Placement.choices, required=False)
    mount_height_m = serializers.DecimalField(max_digits=None, decimal_places=None, required=False, allow_null=True)
    bearing_deg = serializers.IntegerField(
        required=False, min_value=0, max_value=359, help_text="Degrees clockwise from north, 0..359."
    )
    fov_angle_deg = serializers.IntegerField(
        required=False, min_value=1, max_value=360, help_text="Width of the view in degrees, 1..360."
    )
    range_m = serializers.IntegerField(
        required=False, min_value=1, max_value=500, help_text="How far it sees, 1..500 metres."
    )
    views = serializers.ListField(child=serializers.ChoiceField(choices=ViewTarget.choices), required=False)
    resolution = serializers.CharField(required=False, allow_blank=True)
    frame_rate = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=120)
    recording_mode = serializers.ChoiceField(choices=RecordingMode.choices, required=False)
    retention_days = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=3650)
    audio = serializers.BooleanField(required=False)
    recorder_make = serializers.CharField(required=False, allow_blank=True)
    recorder_model = serializers.CharField(required=False, allow_blank=True)
    export_format = serializers.CharField(required=False, allow_blank=True)


class CameraUpdateInput(CameraCreateInput):
    label = serializers.CharField(required=False)


class CameraListApi(_OwnerApi):
    @extend_schema(responses=CameraOutput(many=True), summary="Your cameras", operation_id="me_cameras_list")
    def get(self, request: Request) -> Response:
        cameras = selectors.cameras_of_owner(owner=self.owner())
        return Response(CameraOutput(cameras, many=True).data)


class SiteCameraCreateApi(_OwnerApi):
    @extend_schema(
        request=CameraCreateInput,
        responses={201: CameraOutput, 400: OpenApiResponse(description="Field errors.")},
        summary="Add a camera to one of your sites (its consent starts at `registered`)",
        operation_id="me_sites_cameras_create",
    )
    def post(self, request: Request, public_id: UUID) -> Response:
        site = self.site_or_404(public_id)
        data = CameraCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        camera = services.camera_register(owner=self.owner(), site=site, **data.validated_data)
        return Response(
            CameraOutput(selectors.camera_of_owner(owner=self.owner(), public_id=camera.public_id)).data,
            status=status.HTTP_201_CREATED,
        )


class CameraDetailApi(_OwnerApi):
    @extend_schema(responses=CameraOutput, summary="One of your cameras", operation_id="me_cameras_retrieve")
    def get(self, request: Request, public_id: UUID) -> Response:
        return Response(CameraOutput(self.camera_or_404(public_id)).data)

    @extend_schema(
        request=CameraUpdateInput,
        responses={200: CameraOutput, 400: OpenApiResponse(description="Field errors.")},
        summary="Change a camera (its field of view is recomputed)",
        operation_id="me_cameras_update",
    )
    def patch(self, request: Request, public_id: UUID) -> Response:
        camera = self.camera_or_404(public_id)
        data = CameraUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.camera_update(owner=self.owner(), camera=camera, **data.validated_data)
        return Response(CameraOutput(self.camera_or_404(public_id)).data)

    @extend_schema(responses={204: None}, summary="Delete a camera", operation_id="me_cameras_destroy")
    def delete(self, request: Request, public_id: UUID) -> Response:
        camera = self.camera_or_404(public_id)
        services.camera_delete(owner=self.owner(), camera=camera)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Consent -------------------------------------------------------------------------------

_LEVEL_CHOICES = list(ConsentGrant._meta.get_field("level").choices or [])


class WindowSerializer(ApiInput):
    day = serializers.IntegerField(help_text="The day the window starts: 0 = Monday .. 6 = Sunday.")
    start = serializers.TimeField(format="%H:%M", input_formats=["%H:%M"], help_text="HH:MM, department time.")
    end = serializers.TimeField(format="%H:%M", input_formats=["%H:%M"], help_text="HH:MM, department time.")
    next_day = serializers.BooleanField(default=False, help_text="The window ends at `end` on the following day.")


class ConsentOutput(serializers.Serializer):
    level = serializers.ChoiceField(choices=_LEVEL_CHOICES)
    windows = WindowSerializer(many=True, help_text="Live view only inside these weekly windows; empty = any time.")
    expires_at = DepartmentDateTimeField(allow_null=True)
    max_live_minutes = serializers.IntegerField(allow_null=True)
    notify_on_access = serializers.BooleanField()
    granted_at = DepartmentDateTimeField()
    revoked_at = DepartmentDateTimeField(allow_null=True)
    sentence = serializers.SerializerMethodField(help_text="What police may do, in plain words.")
    ordinance = serializers.SerializerMethodField()

    def get_sentence(self, grant: ConsentGrant) -> str:
        return selectors.consent_sentence(
            level=grant.level, revoked=grant.revoked_at is not None, paused=grant.camera.status == CameraStatus.PAUSED
        )

    @extend_schema_field(_ORDINANCE_FIELD)
    def get_ordinance(self, grant: ConsentGrant) -> dict[str, Any] | None:
        """The status of the camera's site, with this consent in force."""
        return _ordinance_of(grant.camera.site, self.context)


class ConsentSetInput(ApiInput):
    level = serializers.ChoiceField(choices=_LEVEL_CHOICES)
    # A list serializer checks max_length before validating any window (ListField would after).
    windows = WindowSerializer(  # type: ignore[call-arg]  # stubs: many=True takes max_length
        many=True,
        required=False,
        max_length=MAX_WINDOWS,
        error_messages={"max_length": _("Give at most {max_length} schedule windows.")},
        help_text=f"At most {MAX_WINDOWS} windows.",
    )
    expires_at = DepartmentDateTimeField(
        required=False,
        allow_null=True,
        help_text="ISO 8601; without an offset, the department's time. "
        f"In the future, at most {EXPIRY_HORIZON_YEARS} years ahead.",
    )
    max_live_minutes = serializers.IntegerField(
        required=False, allow_null=True, help_text="At most the department's live-view limit."
    )
    notify_on_access = serializers.BooleanField(required=False, default=False)

    def validate_expires_at(self, value: dt.datetime | None) -> dt.datetime | None:
        # The service refuses it too; saying so here keeps the error beside the field's others.
        if value is not None and value > expiry_horizon(timezone.now()):
            raise serializers.ValidationError(
                _("The end date can be at most %(years)d years ahead.") % {"years": EXPIRY_HORIZON_YEARS}
            )
        return value


class CameraConsentApi(_OwnerApi):
    @extend_schema(responses=ConsentOutput, summary="A camera's consent", operation_id="me_cameras_consent_retrieve")
    def get(self, request: Request, public_id: UUID) -> Response:
        grant = self.camera_or_404(public_id).consent
        return Response(ConsentOutput(grant, context=self.output_context()).data)

    @extend_schema(
        request=ConsentSetInput,
        responses={200: ConsentOutput, 400: OpenApiResponse(description="Field errors.")},
        summary="Replace a camera's consent (takes effect at once, and un-revokes it)",
        operation_id="me_cameras_consent_update",
    )
    def put(self, request: Request, public_id: UUID) -> Response:
        camera = self.camera_or_404(public_id)
        context = self.output_context()
        data = ConsentSetInput(data=request.data, context=context)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        windows = [
            {
                "day": window["day"],
                "start": window["start"].strftime("%H:%M"),
                "end": window["end"].strftime("%H:%M"),
                "next_day": window["next_day"],
            }
            for window in values.get("windows", [])
        ]
        policy = context["policy"]
        if policy is None:
            raise DepartmentPolicy.DoesNotExist
        grant = services.consent_set(
            owner=self.owner(),
            camera=camera,
            policy=policy,
            level=values["level"],
            windows=windows,
            expires_at=values.get("expires_at"),
            max_live_minutes=values.get("max_live_minutes"),
            notify_on_access=values["notify_on_access"],
        )
        return Response(ConsentOutput(grant, context=context).data)


class CameraConsentRevokeApi(_OwnerApi):
    @extend_schema(
        request=None,
        responses=ConsentOutput,
        summary="Withdraw a camera's consent at once (police keep only what `registered` allows)",
        operation_id="me_cameras_consent_revoke",
    )
    def post(self, request: Request, public_id: UUID) -> Response:
        camera = self.camera_or_404(public_id)
        grant = services.consent_revoke(owner=self.owner(), camera=camera)
        return Response(ConsentOutput(grant, context=self.output_context()).data)
