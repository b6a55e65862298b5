"""The search judges a page's rows once per distinct combination of what the gate reads
(cameras.access.search._hits); its answer must be the per-row judgement (_hit) for every
camera, whatever the consent level, schedule, expiry, revocation, pause, kind of property,
purpose (exigent, approved) and policy."""

import dataclasses
import datetime as dt
import itertools
import zoneinfo
from typing import Any

import pytest
from django.utils import timezone

from accounts.services import api_token_issue
from cameras import search_sql
from cameras.access.search import _hit, _hits
from cameras.models import Camera, CameraStatus, ConsentGrant
from console.api import _feature
from tenants.selectors import department_current, policy_rules_current
from tests.conftest import TenantClient

LEVELS = ["registered", "on_request", "live_exigent", "live"]
KINDS = ["residential", "business"]
VARIANTS = ["plain", "paused", "revoked", "expired", "expires_later", "window_now", "window_later"]
CENTRE = (-117.38, 34.10)


def _windows(variant: str) -> list[dict[str, Any]] | None:
    local = timezone.now().astimezone(zoneinfo.ZoneInfo("America/Los_Angeles"))
    if variant == "window_now":  # every day, all day but the last minute
        return [{"day": day, "start": "00:00", "end": "23:59"} for day in range(7)]
    if variant == "window_later":
        later = local + dt.timedelta(hours=3)
        start = later.time().replace(second=0, microsecond=0)
        end = (later + dt.timedelta(hours=1)).time().replace(second=0, microsecond=0)
        return [
            {
                "day": later.weekday(),
                "start": start.strftime("%H:%M"),
                "end": end.strftime("%H:%M"),
                "next_day": end < start,
            }
        ]
    return None


@pytest.fixture
def varied_cameras(make_camera: Any) -> list[Camera]:
    cameras = []
    now = timezone.now()
    for i, (level, kind, variant) in enumerate(itertools.product(LEVELS, KINDS, VARIANTS)):
        consent: dict[str, Any] = {}
        if (windows := _windows(variant)) is not None and level == "live":
            consent["windows"] = windows
        if variant == "expires_later":
            consent["expires_at"] = now + dt.timedelta(days=30)
        camera = make_camera(
            level,
            kind=kind,
            lon=CENTRE[0] + 0.00005 * i,
            lat=CENTRE[1],
            address=f"{100 + i} Main St",
            share_contact=i % 3 == 0,
            **consent,
        )
        if variant == "paused":
            Camera.objects.filter(pk=camera.pk).update(status=CameraStatus.PAUSED)
        elif variant == "revoked":
            ConsentGrant.objects.filter(camera=camera).update(revoked_at=now - dt.timedelta(minutes=1))
        elif variant == "expired":
            ConsentGrant.objects.filter(camera=camera).update(expires_at=now - dt.timedelta(minutes=1))
        cameras.append(camera)
    make_camera(kind="business", lon=CENTRE[0] - 0.0002, lat=CENTRE[1])  # ...and one without consent:
    ConsentGrant.objects.filter(camera__site__address="1 Main St").delete()
    return cameras


def _page() -> list[search_sql.SearchRow]:
    area = search_sql.Area(
        center=__import__("django.contrib.gis.geos", fromlist=["Point"]).Point(*CENTRE, srid=4326), radius_m=1_000
    )
    rows, _ = search_sql.cameras_in_area(area=area, mode="pin", mobile_since=timezone.now() - dt.timedelta(minutes=5))
    return rows


def test_the_page_is_judged_as_row_by_row_for_every_purpose_and_policy(varied_cameras: list[Camera]) -> None:
    rows = _page()
    assert len(rows) == len(varied_cameras) + 1
    time_zone = department_current().time_zone
    base = policy_rules_current()
    seen = set()
    for residential, needs_approval, exigent, approved in itertools.product([False, True], repeat=4):
        policy = dataclasses.replace(
            base, residential_live_view_allowed=residential, exigent_requires_approval=needs_approval
        )
        fast = _hits(rows, time_zone, exigent, approved, policy)
        slow = [_hit(row, time_zone, exigent, approved, policy) for row in rows]
        assert fast == slow
        seen |= {(h.level, h.can_request_footage, h.can_live_view) for h in fast}
    # The cameras do exercise the judgement: every level, footage and live both ways.
    assert {level for level, _, _ in seen} == set(LEVELS)
    assert {footage for _, footage, _ in seen} == {True, False}
    assert {live for _, _, live in seen} == {True, False}


def test_the_api_answers_each_camera_as_the_row_by_row_judgement(
    varied_cameras: list[Camera], rialto_client: TenantClient, make_staff: Any
) -> None:
    from accounts.models import Role

    officer, _ = make_staff(Role.OFFICER)
    auth: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Token {api_token_issue(user=officer, name='cli').raw}"}
    purpose = rialto_client.post(
        "/api/v1/purposes/",
        {"case_number": "RPD-7", "category": "missing_person", "text": "Missing child", "authority": "exigent"},
        content_type="application/json",
        **auth,
    ).json()["id"]

    response = rialto_client.get(
        "/api/v1/cameras/search/", {"lat": CENTRE[1], "lon": CENTRE[0], "radius_m": 1_000, "purpose": purpose}, **auth
    )

    assert response.status_code == 200
    policy = policy_rules_current()
    exigent = "missing_person" in policy.exigent_categories
    expected = [_feature(_hit(row, department_current().time_zone, exigent, False, policy)) for row in _page()]
    body = response.json()
    assert body["returned"] == len(expected) == len(varied_cameras) + 1
    assert body["features"] == expected
