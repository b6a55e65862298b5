"""The gate's incident dock search (access.incident_cameras): gated, logged, bounded by the policy."""

from typing import Any

import pytest
from django.contrib.gis.geos import Point

from audit.models import AccessEvent
from cameras import access

pytestmark = pytest.mark.django_db
# A corner of Rialto of these tests' own: other tests commit cameras near the usual centre.
POINT = Point(-117.3699, 34.14, srid=4326)


def test_without_a_purpose_the_dock_search_is_refused_and_logged(actor: Any, make_camera: Any) -> None:
    make_camera("on_request", lon=-117.37, lat=34.14)

    result = access.incident_cameras(actor=actor, purpose=None, point=POINT)

    event = AccessEvent.objects.get(seq=result.decision.event_seq)
    assert not result.decision.allowed
    assert result.hits == []
    assert (event.action, event.outcome, event.reason) == ("search", "denied", "purpose_required")


def test_cameras_beyond_the_policy_radius_are_not_docked(
    actor: Any, purpose: Any, make_camera: Any, policy: Any
) -> None:
    near = make_camera("on_request", lon=-117.37, lat=34.14)
    make_camera("on_request", lon=-117.3699, lat=34.1435)  # ~390 m north, beyond the default 300 m

    result = access.incident_cameras(actor=actor, purpose=purpose, point=POINT)

    assert [hit.camera.public_id for hit in result.hits] == [near.public_id]
    assert result.hits[0].covers_point
    event = AccessEvent.objects.get(seq=result.decision.event_seq)
    assert event.details["area"]["radius_m"] == policy.incident_radius_m
    assert event.quantity == 1
