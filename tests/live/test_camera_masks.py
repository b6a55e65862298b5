"""issue 19: the owner saves a camera's privacy masks on its live page: validated with clear
errors (nothing saved, the drawing kept), history kept, sent to a connected bridge at once,
and no other owner can change them."""

import json
from typing import Any

import pytest
from django.conf import settings

from accounts.models import Role
from cameras import services
from cameras.models import Camera
from live import camera_privacy
from tests.conftest import TenantClient
from tests.factories import UserFactory
from tests.live.test_consumers import Scene, _scene, bridge, committed, json_of
from tests.portal.test_i18n import _compiled_catalogue  # noqa: F401 (compiles the Spanish catalogue)

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned(in_rialto: Any, rialto_client: TenantClient) -> Any:
    owner = UserFactory(role=Role.BUSINESS)
    site = services.site_create(
        owner=owner, department=in_rialto, lon=-117.38, lat=34.1, kind="business", address="1 A St"
    )
    camera = services.camera_register(owner=owner, site=site, label="Door")
    rialto_client.force_login(owner)
    return owner, camera


def test_the_owner_saves_masks_and_the_history_records_who(owned: Any, rialto_client: TenantClient) -> None:
    owner, camera = owned

    response = rialto_client.post(
        f"/my/cameras/{camera.public_id}/live/", {"masks": json.dumps([[0.1, 0.2, 0.3, 0.4]])}
    )

    camera.refresh_from_db()
    assert response.status_code == 302
    assert camera.privacy_masks == [[0.1, 0.2, 0.3, 0.4]]
    latest = camera.history.latest()
    assert (latest.privacy_masks, latest.history_user_id) == ([[0.1, 0.2, 0.3, 0.4]], owner.pk)


@pytest.mark.parametrize(
    ("masks", "sentence"),
    [
        ("[[0.6, 0.1, 0.5, 0.2]]", "Mask 1 reaches outside the picture"),
        ("[[0.1, 0.1, 0.2, 0.2], [0.1, 0.1, 0, 0.2]]", "Mask 2 is too small to hide anything"),
        (json.dumps([[0, 0, 0.1, 0.1]] * 17), "at most 16 privacy masks; you drew 17"),
        ('[[0.1, "x", 0.2, 0.2]]', "Mask 1 is not a rectangle"),
        ("{not json", "The masks were not understood"),
    ],
)
def test_masks_that_are_not_valid_are_refused_in_words_and_nothing_is_saved(
    owned: Any, rialto_client: TenantClient, masks: str, sentence: str
) -> None:
    _, camera = owned
    rialto_client.post(f"/my/cameras/{camera.public_id}/live/", {"masks": "[[0.5, 0.5, 0.1, 0.1]]"})

    response = rialto_client.post(f"/my/cameras/{camera.public_id}/live/", {"masks": masks})

    camera.refresh_from_db()
    assert response.status_code == 400
    assert sentence in response.content.decode()
    assert camera.privacy_masks == [[0.5, 0.5, 0.1, 0.1]]


def test_another_owner_cannot_change_the_masks(owned: Any) -> None:
    _, camera = owned
    intruder = TenantClient("rialto.localhost")
    intruder.force_login(UserFactory(role=Role.BUSINESS))

    response = intruder.post(f"/my/cameras/{camera.public_id}/live/", {"masks": "[[0, 0, 1, 1]]"})

    camera.refresh_from_db()
    assert response.status_code == 404
    assert camera.privacy_masks == []


def _save_masks(scene: Scene, masks: list[list[float]]) -> None:
    from live import camera_privacy

    camera = Camera.objects.get(pk=scene.camera_pk)
    camera_privacy.camera_masks_save(owner=camera.site.owner, camera=camera, masks=masks)


async def test_a_connected_bridge_gets_new_masks_at_once() -> None:
    # given a connected bridge
    scene: Scene = committed(_scene)
    cam = bridge(scene.bridge_token)
    await cam.connect()
    await json_of(cam)  # hello

    # when the owner saves masks
    committed(_save_masks, scene, [[0.1, 0.1, 0.2, 0.2]])
    changed = await json_of(cam)

    # then the bridge was told the masks of that camera
    assert changed == {"type": "masks", "camera": scene.camera_id, "masks": [[0.1, 0.1, 0.2, 0.2]]}
    await cam.disconnect()


def test_the_page_says_how_briefly_a_snapshot_is_kept_and_what_masks_cost_for_h264(
    owned: Any, rialto_client: TenantClient
) -> None:
    _, camera = owned

    page = rialto_client.get(f"/my/cameras/{camera.public_id}/live/").content.decode()

    assert "police never see it. Porchlight does not keep it" in page
    assert "decodes and re-encodes that video at a capped resolution" in page
    assert 'data-status="no_bridge"' in page


def test_the_page_is_in_spanish_for_an_owner_who_reads_spanish(owned: Any, rialto_client: TenantClient) -> None:
    _, camera = owned
    rialto_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"

    page = rialto_client.get(f"/my/cameras/{camera.public_id}/live/").content.decode()

    assert "Máscaras de privacidad" in page
    assert "Tomar una instantánea" in page
    assert "Ningún puente transmite esta cámara" in page


def test_a_masked_cameras_h264_is_relayed_only_from_a_bridge_that_re_encodes_it() -> None:
    masks = {"cam-1": [[0.1, 0.1, 0.2, 0.2]]}
    older = ["masks", "snapshot"]  # applies masks to JPEG, passes H.264 through

    assert not camera_privacy.unit_allowed(camera="cam-1", masks=masks, features=older)
    assert camera_privacy.unit_allowed(camera="cam-1", masks=masks, features=[*older, "masked-h264"])
    assert camera_privacy.unit_allowed(camera="cam-2", masks=masks, features=[])
    assert camera_privacy.HELLO_MASKED == {"masked_codecs": ["h264"]}
