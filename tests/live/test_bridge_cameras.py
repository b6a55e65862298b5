"""An owner changes which cameras a bridge serves without a new token: the bridge keeps its
token, cameras taken off it are no longer relayed, and no other owner's camera can be added."""

import uuid
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Role
from cameras import services
from cameras.models import Camera
from live.models import Bridge
from live.services import bridge_authenticate, bridge_cameras_set, bridge_create
from tests.conftest import TenantClient
from tests.factories import UserFactory
from tests.live.test_consumers import (
    Scene,
    _scene,
    bridge,
    committed,
    frame,
    json_of,
    viewer,
)
from tests.tenancy import connection


@pytest.fixture
def owner_bridge(in_rialto: Any, rialto_client: TenantClient) -> Any:
    owner = UserFactory(role=Role.BUSINESS)
    site = services.site_create(
        owner=owner, department=in_rialto, lon=-117.38, lat=34.1, kind="business", address="1 A St"
    )
    door = services.camera_register(owner=owner, site=site, label="Door")
    yard = services.camera_register(owner=owner, site=site, label="Yard")
    issued = bridge_create(owner=owner, site=site, name="NVR", cameras=[door])
    rialto_client.force_login(owner)
    return owner, issued, door, yard


@pytest.fixture
def scene() -> Scene:
    return committed(_scene)


def _served(bridge_id: int) -> set[str]:
    return {c.label for c in Bridge.objects.get(pk=bridge_id).cameras.all()}


def test_the_owner_changes_a_bridges_cameras_and_it_keeps_its_token(
    owner_bridge: Any, rialto_client: TenantClient
) -> None:
    _, issued, _, yard = owner_bridge

    response = rialto_client.post(
        "/my/bridges/", {"change_cameras": issued.bridge.public_id, "cameras": [yard.public_id]}
    )

    assert response.status_code == 302
    assert _served(issued.bridge.pk) == {"Yard"}
    assert bridge_authenticate(raw_token=issued.token) == issued.bridge
    assert "keeps its token" in rialto_client.get("/my/bridges/").content.decode()


def test_the_bridge_page_offers_each_bridge_its_propertys_cameras(
    owner_bridge: Any, rialto_client: TenantClient
) -> None:
    _, issued, door, yard = owner_bridge

    page = rialto_client.get("/my/bridges/").content.decode()

    assert f'value="{door.public_id}" checked' in page
    assert f'value="{yard.public_id}">' in page
    assert f'name="change_cameras" value="{issued.bridge.public_id}"' in page


def test_another_owners_camera_can_never_be_added_to_a_bridge(owner_bridge: Any, make_camera: Any) -> None:
    owner, issued, door, _ = owner_bridge
    foreign = make_camera("live")

    with pytest.raises(ValidationError):
        bridge_cameras_set(
            owner=owner,
            bridge_public_id=issued.bridge.public_id,
            camera_public_ids=[str(door.public_id), str(foreign.public_id)],
        )

    assert _served(issued.bridge.pk) == {"Door"}


def test_a_camera_of_the_owners_other_property_cannot_be_added(owner_bridge: Any, in_rialto: Any) -> None:
    owner, issued, _, _ = owner_bridge
    other_site = services.site_create(
        owner=owner, department=in_rialto, lon=-117.37, lat=34.1, kind="business", address="2 B St"
    )
    other = services.camera_register(owner=owner, site=other_site, label="Back")

    with pytest.raises(ValidationError):
        bridge_cameras_set(
            owner=owner, bridge_public_id=issued.bridge.public_id, camera_public_ids=[str(other.public_id)]
        )

    assert _served(issued.bridge.pk) == {"Door"}


@pytest.mark.parametrize("cameras", [[], ["not-a-uuid"], [str(uuid.uuid4())]])
def test_a_bad_choice_of_cameras_is_refused_on_the_page_and_changes_nothing(
    owner_bridge: Any, rialto_client: TenantClient, cameras: list[str]
) -> None:
    _, issued, _, _ = owner_bridge

    response = rialto_client.post("/my/bridges/", {"change_cameras": issued.bridge.public_id, "cameras": cameras})

    assert response.status_code == 400
    assert "Choose one or more cameras of this property." in response.content.decode()
    assert _served(issued.bridge.pk) == {"Door"}


def test_another_owner_cannot_change_a_bridge(owner_bridge: Any, in_rialto: Any) -> None:
    _, issued, _, yard = owner_bridge
    intruder = TenantClient("rialto.localhost")
    intruder.force_login(UserFactory(role=Role.BUSINESS))

    response = intruder.post("/my/bridges/", {"change_cameras": issued.bridge.public_id, "cameras": [yard.public_id]})

    assert response.status_code == 404
    assert _served(issued.bridge.pk) == {"Door"}


def test_a_bridge_of_another_department_cannot_be_changed(
    owner_bridge: Any, fontana: Any, rialto: Any, fontana_client: TenantClient
) -> None:
    # given a Rialto bridge, and a Fontana owner posting its id (and its camera's) to Fontana
    _, issued, _, yard = owner_bridge
    connection.set_tenant(fontana)
    fontana_owner = UserFactory(role=Role.BUSINESS)
    fontana_client.force_login(fontana_owner)

    response = fontana_client.post(
        "/my/bridges/", {"change_cameras": issued.bridge.public_id, "cameras": [yard.public_id]}
    )

    connection.set_tenant(rialto)
    assert response.status_code == 404
    assert _served(issued.bridge.pk) == {"Door"}


def _second_camera(scene: Scene) -> str:
    camera = Camera.objects.get(pk=scene.camera_pk)
    return str(services.camera_register(owner=camera.site.owner, site=camera.site, label="Yard").public_id)


def _serve_only(scene: Scene, camera_id: str) -> None:
    owner = Camera.objects.get(pk=scene.camera_pk).site.owner
    bridge_cameras_set(owner=owner, bridge_public_id=scene.bridge_id, camera_public_ids=[camera_id])


@pytest.mark.django_db
async def test_a_connected_bridge_stops_relaying_a_camera_taken_off_it(scene: Scene) -> None:
    # given a connected bridge streaming its camera to an officer
    yard = committed(_second_camera, scene)
    cam = bridge(scene.bridge_token)
    await cam.connect()
    await json_of(cam)
    view = viewer(scene)
    await view.connect()
    assert (await json_of(view))["type"] == "session"
    assert (await json_of(cam))["type"] == "start"

    # when the owner moves the bridge to the other camera
    committed(_serve_only, scene, yard)
    stop = await json_of(cam)
    hello = await json_of(cam)
    await cam.send_to(bytes_data=frame(scene.camera_id))

    # then the bridge is told to stop, hears its new list, and its late frame goes nowhere
    assert (stop["type"], stop["camera"]) == ("stop", scene.camera_id)
    assert (hello["type"], hello["cameras"]) == ("hello", [yard])
    assert await view.receive_nothing(timeout=0.5)
    assert await cam.receive_nothing(timeout=0.2)  # not closed: the token still works
    await view.disconnect()
    await cam.disconnect()


def _lose_push_serve_only(scene: Scene, camera_id: str) -> None:
    """The owner's change written as the service writes it, but its push to the bridge's
    connection lost on the way (a pub/sub subscriber that was down when it was published)."""
    Bridge.objects.get(public_id=scene.bridge_id).cameras.set([Camera.objects.get(public_id=camera_id)])


def _lose_push_mask(scene: Scene) -> None:
    Camera.objects.filter(pk=scene.camera_pk).update(privacy_masks=[[0.0, 0.0, 0.5, 0.5]])


@pytest.mark.django_db
async def test_a_lost_camera_change_reaches_the_bridge_at_its_heartbeat(scene: Scene, settings: Any) -> None:
    settings.PORCHLIGHT_LIVE_BRIDGE_HEARTBEAT_SECONDS = 0.2
    yard = committed(_second_camera, scene)
    cam = bridge(scene.bridge_token)
    await cam.connect()
    assert (await json_of(cam))["cameras"] == [scene.camera_id]

    committed(_lose_push_serve_only, scene, yard)

    # within the heartbeat (and the keepalive's tick), not at a reconnect
    stop, hello = await json_of(cam), await json_of(cam)
    assert (stop["type"], stop["camera"]) == ("stop", scene.camera_id)
    assert (hello["type"], hello["cameras"]) == ("hello", [yard])
    await cam.disconnect()


@pytest.mark.django_db
async def test_a_lost_mask_change_reaches_the_bridge_at_its_heartbeat(scene: Scene, settings: Any) -> None:
    settings.PORCHLIGHT_LIVE_BRIDGE_HEARTBEAT_SECONDS = 0.2
    cam = bridge(scene.bridge_token)
    await cam.connect()
    await json_of(cam)

    committed(_lose_push_mask, scene)

    told = await json_of(cam)
    assert (told["type"], told["camera"], told["masks"]) == ("masks", scene.camera_id, [[0.0, 0.0, 0.5, 0.5]])
    await cam.disconnect()
