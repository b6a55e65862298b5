"""Sending footage requests is rate-limited per officer (docs/rate-limits.md): over the limit,
the 429 page says so and when to try again, and nothing is sent."""

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from cameras import access
from footage.models import FootageRequest
from tests.footage.test_requests import _console_with_purpose
from tests.tenancy import connection


@pytest.fixture(autouse=True)
def one_a_minute(settings: Any) -> None:
    settings.PORCHLIGHT_RATE_LIMITS = {**settings.PORCHLIGHT_RATE_LIMITS, "footage_request": "1/m/user"}


def test_a_second_request_within_the_minute_is_refused_429_and_not_sent(
    make_camera: Any, actor: access.Actor, purpose: Any
) -> None:
    camera = make_camera("on_request")
    client = _console_with_purpose(actor.user, purpose)
    # The form's times are the department's local times.
    end = timezone.now().astimezone(ZoneInfo(connection.tenant.time_zone)) - dt.timedelta(hours=1)
    form = {
        "lat": "34.10",
        "lon": "-117.38",
        "radius_m": "500",
        "window_start": (end - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "window_end": end.strftime("%Y-%m-%dT%H:%M"),
        "message": "Did you see a blue van?",
        "cameras": [str(camera.public_id)],
    }

    first = client.post("/console/footage/new/", form)
    second = client.post("/console/footage/new/", form)

    assert first.status_code == 302
    assert second.status_code == 429
    assert "Too many footage requests: at most 1 every 60 seconds. Try again in" in second.content.decode()
    assert 1 <= int(second["Retry-After"]) <= 60
    assert FootageRequest.objects.filter(officer=actor.user).count() == 1
