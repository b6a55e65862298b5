"""``GET /api/v1/me/access-events/``: the owner's "who accessed my cameras", as JSON.

The same entries as the page (cameras.access_log): only the caller's own cameras, by
public id, the caller's label and the property each is on; officers in the page's words
(badge, or role when they have none); times in the department's time zone. It lives in
portal because it needs camera labels and audit cannot import cameras.
"""

import datetime as dt
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from accounts.api_base import BaseApi
from accounts.api_pagination import PagePagination
from accounts.models import OWNER_ROLES, User
from audit.checkpoints import published_size
from audit.models import Action
from audit.selectors import events_for_owner
from cameras.access_log import access_entries_for_owner

from ..views.access_log import owner_log_anchor


class AccessEventPagination(PagePagination):
    """Pages of one reading: the next and previous links carry ``upto``, the newest event
    the first page showed, so police reaching the owner's cameras between two pages do
    not shift them."""

    page_size = 25
    upto: int | None = None

    def get_next_link(self) -> str | None:
        return self._anchored(super().get_next_link())

    def get_previous_link(self) -> str | None:
        return self._anchored(super().get_previous_link())

    def _anchored(self, url: str | None) -> str | None:
        return url if url is None or self.upto is None else replace_query_param(url, "upto", self.upto)


class _DepartmentDateTimeField(serializers.DateTimeField):
    """Rendered in the department's time zone (``context["time_zone"]``), with its offset."""

    def default_timezone(self) -> dt.tzinfo:
        return ZoneInfo(self.context.get("time_zone", "UTC"))


class AccessCameraOutput(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    label = serializers.CharField()  # type: ignore[assignment]  # stubs: Field.label
    site = serializers.CharField(help_text="The property the camera is on: your name for it, or its address.")


class AccessEventOutput(serializers.Serializer):
    seq = serializers.IntegerField(help_text="The event's number in the department's access log.")
    occurred_at = _DepartmentDateTimeField(
        allow_null=True, help_text="null when the record's time was changed after it was written (tampering)."
    )
    action = serializers.ChoiceField(choices=Action.choices)
    action_label = serializers.CharField(help_text="The action in words.")
    cameras = AccessCameraOutput(many=True, help_text="Your cameras the event touched.")
    deleted_camera = serializers.BooleanField(help_text="The event touched a camera of yours you have since deleted.")
    officer_badge = serializers.CharField(help_text="The officer's badge number (empty when they have none).")
    # No role code: beside a badge it would say more than the page and the e-mail do.
    officer = serializers.CharField(help_text="“Badge 4711”, or the role in words when there is no badge.")
    purpose_category = serializers.CharField()
    purpose_category_label = serializers.CharField(help_text="The purpose category in words.")
    case_number = serializers.CharField()
    allowed = serializers.BooleanField()
    reason = serializers.CharField(help_text="Reason code (docs/audit-events.md); `ok` when allowed.")
    outcome_text = serializers.CharField(help_text="“Allowed”, or “Denied: …” with the reason in words.")
    duration_seconds = serializers.IntegerField(allow_null=True, help_text="Seconds watched (live views only).")
    inclusion_proof = serializers.SerializerMethodField(
        help_text="The address of this access's inclusion proof against the latest published checkpoint of the "
        "department's public log (docs/transparency-log.md); null until the next checkpoint holds it."
    )

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_inclusion_proof(self, entry: Any) -> str | None:
        if entry.seq > self.context.get("published_size", 0):
            return None
        return self.context["request"].build_absolute_uri(f"{reverse('api-log-inclusion')}?seq={entry.seq}")


class AccessEventListApi(BaseApi):
    """Residents and businesses only; the list is scoped to the caller's own id."""

    allowed_roles = OWNER_ROLES
    pagination_class = AccessEventPagination

    @extend_schema(
        responses=AccessEventOutput(many=True),
        parameters=[
            OpenApiParameter(
                "upto",
                int,
                description="List only events up to this sequence number (the next and previous links carry it).",
            )
        ],
        summary="Who accessed your cameras: police accesses, allowed or denied, newest first",
        operation_id="me_access_events_list",
    )
    def get(self, request: Request) -> Response:
        time_zone: str = request._request.tenant.time_zone  # type: ignore[attr-defined]
        paginator = self.pagination_class()
        owner = cast("User", request.user)  # an owner: the API base let only owners in
        paginator.upto, problem = owner_log_anchor(owner_id=owner.pk, text=request.query_params.get("upto", ""))
        if problem:
            raise ValidationError({"upto": [problem]})
        anchored = events_for_owner(owner_id=owner.pk, upto=paginator.upto)
        events = paginator.paginate_queryset(anchored, request, view=self) or []
        entries = access_entries_for_owner(owner=owner, events=events, time_zone=time_zone)
        context = {"time_zone": time_zone, "published_size": published_size(), "request": request}
        data = AccessEventOutput(entries, many=True, context=context).data
        return paginator.get_paginated_response(data)
