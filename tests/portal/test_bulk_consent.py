"""Pause all, revoke all and resume all in the portal: each asks first, and resume restores."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Role
from cameras import services as camera_services
from cameras.models import Camera, ConsentGrant
from tests.conftest import TenantClient
from tests.factories import UserFactory, camera_make

NIGHTS = [{"day": 4, "start": "22:00", "end": "06:00", "next_day": True}]


@pytest.fixture
def owner(in_rialto: Any, rialto_client: TenantClient) -> Any:
    user = UserFactory(role=Role.RESIDENT)
    rialto_client.force_login(user)
    return user


@pytest.fixture
def camera(owner: Any, in_rialto: Any, policy: Any) -> Camera:
    camera = camera_make(owner, in_rialto)
    camera_services.consent_set(
        owner=owner,
        camera=camera,
        policy=policy,
        level="on_request",
        windows=NIGHTS,
        expires_at=timezone.now() + dt.timedelta(days=60),
        max_live_minutes=3,
        notify_on_access=True,
    )
    return camera


@pytest.mark.parametrize("path", ["/my/pause-all/", "/my/revoke-all/"])
def test_my_cameras_only_links_to_the_confirmation_pages(
    camera: Camera, rialto_client: TenantClient, path: str
) -> None:
    page = rialto_client.get("/my/").content.decode()

    assert f'href="{path}"' in page
    assert f'action="{path}"' not in page


@pytest.mark.parametrize("path", ["/my/pause-all/", "/my/revoke-all/"])
def test_a_post_without_the_confirmation_changes_nothing(
    camera: Camera, rialto_client: TenantClient, path: str
) -> None:
    response = rialto_client.post(path, {"duration": "24h"})

    camera.refresh_from_db()
    assert response.status_code == 200
    assert 'name="confirm" value="yes"' in response.content.decode()
    assert (camera.status, camera.consent.revoked_at) == ("active", None)


def test_revoke_all_then_resume_all_brings_the_consent_back_exactly(
    camera: Camera, rialto_client: TenantClient
) -> None:
    before = ConsentGrant.objects.values("level", "windows", "expires_at", "max_live_minutes", "notify_on_access")
    expected = list(before.filter(camera=camera))

    rialto_client.post("/my/revoke-all/", {"confirm": "yes"})
    revoked = ConsentGrant.objects.get(camera=camera).revoked_at
    listing = rialto_client.get("/my/").content.decode()
    rialto_client.post("/my/resume-all/", {"confirm": "yes"})

    assert revoked is not None
    assert 'href="/my/resume-all/"' in listing
    assert list(before.filter(camera=camera)) == expected
    assert ConsentGrant.objects.get(camera=camera).revoked_at is None
    assert 'href="/my/resume-all/"' not in rialto_client.get("/my/").content.decode()


def test_a_resume_post_without_the_confirmation_resumes_nothing(camera: Camera, rialto_client: TenantClient) -> None:
    rialto_client.post("/my/revoke-all/", {"confirm": "yes"})

    rialto_client.post("/my/resume-all/", {})

    assert ConsentGrant.objects.get(camera=camera).revoked_at is not None


def test_a_pause_for_seven_days_says_until_when(camera: Camera, rialto_client: TenantClient) -> None:
    response = rialto_client.post("/my/pause-all/", {"confirm": "yes", "duration": "7d"}, follow=True)

    camera.refresh_from_db()
    assert camera.status == "paused"
    assert "resume by themselves" in response.content.decode()


def test_an_unknown_pause_duration_is_refused_on_its_field(camera: Camera, rialto_client: TenantClient) -> None:
    response = rialto_client.post("/my/pause-all/", {"confirm": "yes", "duration": "forever"})

    camera.refresh_from_db()
    assert response.status_code == 400
    assert 'id="duration-error"' in response.content.decode()
    assert camera.status == "active"


@pytest.mark.parametrize("path", ["/my/pause-all/", "/my/revoke-all/", "/my/resume-all/"])
def test_the_confirmation_pages_are_in_spanish(camera: Camera, rialto_client: TenantClient, path: str) -> None:
    page = rialto_client.get(path, HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert "Cancelar" in page
    assert "¿" in page


def test_the_bulk_messages_say_one_camera_not_camera_s(camera: Camera, rialto_client: TenantClient) -> None:
    revoked = rialto_client.post("/my/revoke-all/", {"confirm": "yes"}, follow=True).content.decode()
    resumed = rialto_client.post("/my/resume-all/", {"confirm": "yes"}, follow=True).content.decode()
    paused = rialto_client.post("/my/pause-all/", {"confirm": "yes", "duration": "24h"}, follow=True).content.decode()

    assert "Consent withdrawn for 1 camera." in revoked
    assert "1 camera is back as it was." in resumed
    assert "Paused 1 camera until" in paused
    assert "camera(s)" not in revoked + resumed + paused


def test_the_bulk_messages_are_plural_in_spanish(camera: Camera, rialto_client: TenantClient) -> None:
    response = rialto_client.post("/my/revoke-all/", {"confirm": "yes"}, follow=True, HTTP_ACCEPT_LANGUAGE="es")

    assert "Consentimiento retirado para 1 cámara." in response.content.decode()
