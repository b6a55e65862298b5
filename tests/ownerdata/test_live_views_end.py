"""Deleting the owner's account ends the live views of their cameras at once, through the
owner's own "End live view", and disconnects their bridge."""

import pytest

from accounts.models import User
from audit.models import AccessEvent
from live.models import LiveSession
from ownerdata.services import owner_account_delete
from tests.live.test_consumers import Scene, bridge, closed_with, committed, json_of, scene, viewer

__all__ = ["scene"]  # the fixture, shared with the live tests

pytestmark = pytest.mark.django_db


async def test_deleting_the_owners_account_closes_the_viewer_and_the_bridge_within_one_second(scene: Scene) -> None:
    cam = bridge(scene.bridge_token)
    await cam.connect()
    await json_of(cam)  # hello
    view = viewer(scene)
    await view.connect()
    await json_of(view)  # the session

    committed(lambda: owner_account_delete(user=User.objects.get(pk=scene.owner_id)))

    assert await closed_with(view, within=1.0) == 4412
    assert await closed_with(cam, within=1.0) >= 4000
    ended = committed(lambda: LiveSession.objects.get(officer_id=scene.officer_id))
    end = committed(lambda: AccessEvent.objects.filter(action="live_end").order_by("-seq").first())
    assert ended.end_reason == "owner_ended"
    assert (end.reason, end.owner_refs) == ("owner_ended", [scene.owner_id])
