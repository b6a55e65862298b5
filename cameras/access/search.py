"""Staff searches of camera data: the area search (canvass list, export) and the map viewport.
Each is one gate decision and one event; the SQL is in cameras/search_sql.py.
"""

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils import timezone

from audit.models import Action, Outcome
from audit.services import EventFacts
from tenants.selectors import PolicyRules, department_current, policy_current, policy_rules_current

from .. import search_sql
from ..consent import ConsentAction, ConsentLevel, Reason, consent_permits
from ..mobile import mobile_fresh_since
from ..models import CameraStatus, Purpose
from ..selectors import RESIDENTIAL_KINDS, grant_state_of
from .denials import _MESSAGES
from .gate import CAMERA_ROLES, Actor, Decision, _record, _staff_denial


@dataclass(frozen=True)
class CameraHit:
    camera: search_sql.SearchRow
    distance_m: float
    level: str
    can_request_footage: bool
    can_live_view: bool
    shares_contact: bool
    covers_point: bool = False  # an incident's dock: its field of view covers the incident's point


@dataclass(frozen=True)
class SearchResult:
    decision: Decision
    hits: list[CameraHit] = field(default_factory=list)
    total: int = 0
    total_capped: bool = False  # True: there are at least `total` cameras in the area


def _hit(
    row: search_sql.SearchRow,
    time_zone: str,
    exigent: bool,
    approved: bool,
    policy: PolicyRules,
    now: dt.datetime | None = None,
) -> CameraHit:
    """The gate's judgement of one row: the consent level police see and what they may ask."""
    state = None
    if row.consent_level is not None:
        state = grant_state_of(
            level=row.consent_level,
            windows=row.consent_windows,
            expires_at=row.consent_expires_at,
            revoked_at=row.consent_revoked_at,
            paused=row.status == CameraStatus.PAUSED,
            time_zone=time_zone,
        )
    now = now or timezone.now()
    # As _consent_denial judges a live_start: an emergency-only camera also waits for a
    # supervisor's approval of the purpose where policy requires one.
    live = (
        consent_permits(state, ConsentAction.LIVE_VIEW, now, exigent=exigent).allowed
        and not (row.site_kind in RESIDENTIAL_KINDS and not policy.residential_live_view_allowed)
        and not (
            state is not None
            and state.level == ConsentLevel.LIVE_EXIGENT
            and policy.exigent_requires_approval
            and not approved
        )
    )
    footage = consent_permits(state, ConsentAction.REQUEST_FOOTAGE, now)
    # The department's own camera has no owner to ask: the gate refuses a request (department_camera).
    can_request = footage.allowed and not row.department_owned
    # Revoked, expired or paused consent leaves police exactly what `registered` gives.
    inactive = state is None or footage.reason in (Reason.REVOKED, Reason.EXPIRED, Reason.PAUSED)
    return CameraHit(
        camera=row,
        distance_m=row.distance_m,
        level=ConsentLevel.REGISTERED if inactive or state is None else state.level,
        can_request_footage=can_request,
        can_live_view=live,
        shares_contact=row.share_contact,
    )


def _judgement_key(row: search_sql.SearchRow) -> tuple[Any, ...]:
    """Everything of a row that _hit's judgement reads (the rest is the same for the whole
    search: the instant, the time zone, the purpose and the policy)."""
    windows = row.consent_windows
    return (
        row.consent_level,
        json.dumps(windows, sort_keys=True) if windows else "",
        row.consent_expires_at,
        row.consent_revoked_at,
        row.status == CameraStatus.PAUSED,
        row.site_kind in RESIDENTIAL_KINDS,
        row.department_owned,
    )


def _hits(
    rows: list[search_sql.SearchRow], time_zone: str, exigent: bool, approved: bool, policy: PolicyRules
) -> list[CameraHit]:
    """_hit for every row of a page, judged at one instant, each distinct combination of what
    the judgement reads judged once: most of a page shares a handful (a level, no schedule, no
    expiry), and the judgement is the costly part of a row. _hit stays the one rule."""
    now = timezone.now()
    judged: dict[tuple[Any, ...], CameraHit] = {}
    out = []
    for row in rows:
        key = _judgement_key(row)
        first = judged.get(key)
        if first is None:
            first = judged[key] = _hit(row, time_zone, exigent, approved, policy, now)
            out.append(first)
            continue
        out.append(
            CameraHit(
                camera=row,
                distance_m=row.distance_m,
                level=first.level,
                can_request_footage=first.can_request_footage,
                can_live_view=first.can_live_view,
                shares_contact=row.share_contact,
            )
        )
    return out


def camera_search(
    *,
    actor: Actor,
    purpose: Purpose | None,
    area: search_sql.Area,
    mode: str,
    limit: int = search_sql.DEFAULT_LIMIT,
    action: str = Action.SEARCH,
) -> SearchResult:
    """Cameras in an area (pin inside, or field of view intersecting), nearest first.

    The search is one event: its area, mode, purpose, result count and the ids returned.
    An export of the canvass list is the same query recorded as action ``export``.
    """
    policy = policy_rules_current()
    details: dict[str, Any] = {"area": area.as_details(), "mode": mode, "limit": limit}
    with transaction.atomic():
        reason = _staff_denial(actor, CAMERA_ROLES, purpose, policy)
        if reason is not None:
            seq = _record(actor, EventFacts(action, Outcome.DENIED, reason, details=details), purpose)
            return SearchResult(Decision(False, reason, str(_MESSAGES[reason]), seq))
        since = mobile_fresh_since(max_age_seconds=policy.mobile_position_max_age_seconds)
        cameras, total = search_sql.cameras_in_area(area=area, mode=mode, mobile_since=since, limit=limit)
        department = department_current()
        exigent = purpose is not None and purpose.category in policy.exigent_categories
        approved = purpose is not None and purpose.approved_by_id is not None
        hits = _hits(cameras, department.time_zone, exigent, approved, policy)
        facts = EventFacts(
            action=action,
            outcome=Outcome.ALLOWED,
            reason=Reason.OK,
            targets=[f"camera:{c.public_id}" for c in cameras],
            owner_refs=[c.owner_id for c in cameras],
            quantity=len(hits),
            quantity_unit="results",
            details={**details, "total": total, "total_capped": total >= search_sql.COUNT_CAP},
        )
        seq = _record(actor, facts, purpose, notify=any(c.consent_notify for c in cameras))
    return SearchResult(Decision(True, Reason.OK, "", seq), hits, total, total >= search_sql.COUNT_CAP)


def camera_map(
    *, actor: Actor, purpose: Purpose | None, bbox: tuple[float, float, float, float]
) -> tuple[Decision, list[tuple[str, float, float, str]]]:
    """Approximate camera positions for a map viewport: one query, one event (no owner refs:
    a viewport is not an access to any one camera)."""
    policy = policy_rules_current()
    with transaction.atomic():
        reason = _staff_denial(actor, CAMERA_ROLES, purpose, policy)
        rows: list[tuple[str, float, float, str]] = []
        if reason is None:
            # Positions are rounded to ~100 m: registration tells police roughly where, not the door.
            rows = [
                (pid, round(x, 3), round(y, 3), level)
                for pid, x, y, level in search_sql.cameras_in_bbox(
                    west=bbox[0],
                    south=bbox[1],
                    east=bbox[2],
                    north=bbox[3],
                    mobile_since=mobile_fresh_since(max_age_seconds=policy.mobile_position_max_age_seconds),
                )
            ]
        facts = EventFacts(
            Action.MAP_VIEW,
            Outcome.ALLOWED if reason is None else Outcome.DENIED,
            reason or Reason.OK,
            quantity=len(rows),
            quantity_unit="results",
            details={"bbox": list(bbox)},
        )
        seq = _record(actor, facts, purpose)
    return Decision(reason is None, reason or Reason.OK, str(_MESSAGES.get(reason or "", "")), seq), rows


def incident_cameras(*, actor: Actor, purpose: Purpose | None, point: Point) -> SearchResult:
    """The cameras docked beside an incident: the policy's ``incident_camera_count`` nearest
    whose field of view covers the incident's point, then the nearest pins, all within the
    policy's ``incident_radius_m`` (search_sql.cameras_for_incident).

    A search like any other: one event with its area, purpose, result count and the ids
    returned. Under a purpose for the incident (Purpose.incident_ref) the event also names the
    incident, and so lands on its timeline.
    """
    policy = policy_rules_current()
    dock = policy_current_incident_dock()
    area = search_sql.Area(center=point, radius_m=dock.radius_m)
    details: dict[str, Any] = {
        "area": area.as_details(),
        "mode": "incident",
        "covering": dock.covering,
        "limit": search_sql.DEFAULT_LIMIT,
    }
    with transaction.atomic():
        reason = _staff_denial(actor, CAMERA_ROLES, purpose, policy)
        if reason is not None:
            seq = _record(actor, EventFacts(Action.SEARCH, Outcome.DENIED, reason, details=details), purpose)
            return SearchResult(Decision(False, reason, str(_MESSAGES[reason]), seq))
        found = search_sql.cameras_for_incident(
            point=point,
            radius_m=dock.radius_m,
            covering=dock.covering,
            limit=search_sql.DEFAULT_LIMIT,
            mobile_since=mobile_fresh_since(max_age_seconds=policy.mobile_position_max_age_seconds),
        )
        cameras = found.covering + found.nearest
        department = department_current()
        exigent = purpose is not None and purpose.category in policy.exigent_categories
        approved = purpose is not None and purpose.approved_by_id is not None
        hits = [_hit(c, department.time_zone, exigent, approved, policy) for c in cameras]
        hits = [dataclasses.replace(hit, covers_point=True) for hit in hits[: len(found.covering)]] + hits[
            len(found.covering) :
        ]
        facts = EventFacts(
            action=Action.SEARCH,
            outcome=Outcome.ALLOWED,
            reason=Reason.OK,
            targets=[f"camera:{c.public_id}" for c in cameras],
            owner_refs=[c.owner_id for c in cameras],
            quantity=len(hits),
            quantity_unit="results",
            details={**details, "total": len(hits), "total_capped": False},
        )
        seq = _record(actor, facts, purpose, notify=any(c.consent_notify for c in cameras))
    return SearchResult(Decision(True, Reason.OK, "", seq), hits, len(hits), False)


@dataclass(frozen=True)
class IncidentDock:
    covering: int
    radius_m: float
    canvass_minutes: int


def policy_current_incident_dock() -> IncidentDock:
    """The policy's incident settings: N, the radius, the canvass window's half-width."""
    policy = policy_current()
    return IncidentDock(
        covering=int(policy.incident_camera_count),
        radius_m=float(policy.incident_radius_m),
        canvass_minutes=int(policy.incident_canvass_minutes),
    )
