"""Owner's bridge page (token shown once, stored hashed, revocable) and the console live page."""

import re
from typing import Any

import pytest

from accounts.models import Role
from audit.models import AccessEvent
from cameras import services
from live.models import Bridge, LiveSession
from live.services import bridge_authenticate, bridge_create
from tests.conftest import TenantClient
from tests.factories import UserFactory


@pytest.fixture
def owner_site(in_rialto: Any, rialto_client: TenantClient) -> Any:
    owner = UserFactory(role=Role.BUSINESS)
    site = services.site_create(
        owner=owner, department=in_rialto, lon=-117.38, lat=34.1, kind="business", address="1 A St"
    )
    camera = services.camera_register(owner=owner, site=site, label="Door")
    rialto_client.force_login(owner)
    return owner, site, camera


def test_owner_creates_a_bridge_and_sees_its_token_and_command_once(
    owner_site: Any, rialto_client: TenantClient
) -> None:
    _, site, camera = owner_site

    response = rialto_client.post(
        "/my/bridges/", {"site": site.public_id, "name": "Garage NVR", "cameras": [camera.public_id]}
    )

    token = re.search(r'<code id="bridge-token">(plb_[^<]+)</code>', response.content.decode())
    assert token is not None
    assert b"bridge-env/bin/porchlight-bridge --url ws://rialto.localhost:8000" in response.content
    assert bridge_authenticate(raw_token=token.group(1)) is not None
    assert token.group(1) not in {b.token_digest for b in Bridge.objects.all()}
    assert token.group(1).encode() not in rialto_client.get("/my/bridges/").content


def test_a_bridge_without_cameras_or_name_is_refused(owner_site: Any, rialto_client: TenantClient) -> None:
    _, site, _ = owner_site

    response = rialto_client.post("/my/bridges/", {"site": site.public_id, "name": ""})

    assert response.status_code == 400
    assert not Bridge.objects.filter(site=site).exists()


def test_revoking_a_bridge_invalidates_its_token(owner_site: Any, rialto_client: TenantClient) -> None:
    owner, site, camera = owner_site
    issued = bridge_create(owner=owner, site=site, name="NVR", cameras=[camera])

    rialto_client.post("/my/bridges/", {"revoke": issued.bridge.public_id})

    assert bridge_authenticate(raw_token=issued.token) is None


def test_another_owners_bridge_cannot_be_revoked(owner_site: Any, in_rialto: Any) -> None:
    owner, site, camera = owner_site
    issued = bridge_create(owner=owner, site=site, name="NVR", cameras=[camera])
    intruder = TenantClient("rialto.localhost")
    intruder.force_login(UserFactory(role=Role.RESIDENT))

    response = intruder.post("/my/bridges/", {"revoke": issued.bridge.public_id})

    assert response.status_code == 404
    assert bridge_authenticate(raw_token=issued.token) is not None


def test_a_bridge_cannot_serve_another_sites_camera(owner_site: Any, in_rialto: Any) -> None:
    from django.core.exceptions import ValidationError

    owner, site, _ = owner_site
    other_site = services.site_create(
        owner=owner, department=in_rialto, lon=-117.37, lat=34.1, kind="business", address="2 B"
    )
    other_camera = services.camera_register(owner=owner, site=other_site, label="Back")

    with pytest.raises(ValidationError):
        bridge_create(owner=owner, site=site, name="NVR", cameras=[other_camera])


def test_owner_sees_a_live_view_in_progress_and_ends_it(
    owner_site: Any, rialto_client: TenantClient, actor: Any, exigent_purpose: Any, policy: Any
) -> None:
    from cameras.access import Actor
    from live.services import live_session_start

    owner, _, camera = owner_site
    services.consent_set(owner=owner, camera=camera, policy=policy, level="live")
    start = live_session_start(
        actor=Actor(user=actor.user, mfa=True), purpose=exigent_purpose, camera_public_id=camera.public_id
    )
    assert start.session is not None

    page = rialto_client.get("/my/bridges/")
    rialto_client.post("/my/bridges/", {"end_session": start.session.public_id})

    assert b"Live view in progress" in page.content
    assert LiveSession.objects.get(pk=start.session.pk).end_reason == "owner_ended"


def test_console_live_page_needs_a_purpose(logged_in_staff: Any) -> None:
    client, _ = logged_in_staff(Role.OFFICER)

    response = client.post("/console/live/", {"camera": "00000000-0000-0000-0000-000000000001"})

    assert response.status_code == 302
    assert response["Location"] == "/console/purpose/"


def _with_purpose(client: TenantClient) -> TenantClient:
    response = client.post(
        "/console/purpose/",
        {"case_number": "RPD-5", "category": "property_crime", "text": "Burglary on Cedar", "authority": "consent"},
    )
    assert response.status_code == 302
    return client


def test_a_plain_link_to_the_live_page_does_not_serve_the_page_that_starts_live_views(
    logged_in_staff: Any,
) -> None:
    # given another page that links or redirects a signed-in officer with a purpose there
    client, _ = logged_in_staff(Role.OFFICER)
    _with_purpose(client)

    # when the browser follows it (a GET, which SameSite=Lax cookies allow)
    response = client.get("/console/live/", {"camera": "00000000-0000-0000-0000-000000000001"})

    # then no page opens a live view (each one logged, streamed and told to the owner)
    assert response.status_code == 405
    assert b"live-tile" not in response.content


def test_a_live_page_without_the_csrf_token_is_refused(logged_in_staff: Any) -> None:
    client, _ = logged_in_staff(Role.OFFICER)
    _with_purpose(client)
    client.handler.enforce_csrf_checks = True

    response = client.post("/console/live/", {"camera": "00000000-0000-0000-0000-000000000001"})

    assert response.status_code == 403
    assert b"live-tile" not in response.content


@pytest.fixture
def online_camera(make_camera: Any) -> str:
    """A camera the officer may watch, whose owner's bridge is connected."""
    return str(make_camera("live", bridge_online=True).public_id)


def test_opening_a_live_view_redirects_to_a_page_that_shows_it_once(logged_in_staff: Any, online_camera: str) -> None:
    # given an officer who opened a live view from the camera page (a POST)
    client, _ = logged_in_staff(Role.OFFICER)
    _with_purpose(client)
    opened = client.post("/console/live/", {"camera": online_camera})
    first = client.get(opened["Location"])

    # when the officer reloads the live page
    again = client.get(opened["Location"])

    # then the first showing opened the view, and the reload opens none and says what to do
    assert opened.status_code == 302
    assert re.fullmatch(r"/console/live/[\w-]+/", opened["Location"])
    assert f'data-camera="{online_camera}"'.encode() in first.content
    assert again.status_code == 410
    assert b"live-tile" not in again.content
    assert b"This live view has ended; open a new one from the camera page." in again.content
    assert f'href="/console/cameras/{online_camera}/" id="open-camera-page"'.encode() in again.content


def test_a_live_page_handle_does_not_open_views_for_another_officer(logged_in_staff: Any, online_camera: str) -> None:
    client, _ = logged_in_staff(Role.OFFICER)
    _with_purpose(client)
    location = client.post("/console/live/", {"camera": online_camera})["Location"]
    other, _ = logged_in_staff(Role.OFFICER, client=TenantClient("rialto.localhost"))
    _with_purpose(other)

    response = other.get(location)

    assert response.status_code == 410
    assert b"live-tile" not in response.content


def test_an_expired_live_page_handle_opens_nothing(logged_in_staff: Any, online_camera: str, monkeypatch: Any) -> None:
    client, _ = logged_in_staff(Role.OFFICER)
    _with_purpose(client)
    monkeypatch.setattr("live.views.LIVE_HANDLE_SECONDS", -1)  # the officer came back too late
    location = client.post("/console/live/", {"camera": online_camera})["Location"]

    response = client.get(location)

    assert response.status_code == 410
    assert b"live-tile" not in response.content
    assert b"This live view has ended" in response.content


def test_a_camera_whose_bridge_is_offline_is_not_opened_for_live_view(logged_in_staff: Any, make_camera: Any) -> None:
    client, _ = logged_in_staff(Role.OFFICER)
    _with_purpose(client)
    camera = make_camera("live")
    starts = AccessEvent.objects.filter(action="live_start").count()

    response = client.post("/console/live/", {"camera": [str(camera.public_id)]})

    assert response.status_code == 409
    assert b"bridge (the owner&#x27;s computer that relays it) is offline" in response.content
    assert b"live-tile" not in response.content
    assert AccessEvent.objects.filter(action="live_start").count() == starts


def test_a_wall_leaves_out_the_cameras_whose_bridge_is_offline_and_says_so(
    logged_in_staff: Any, make_camera: Any, online_camera: str
) -> None:
    client, _ = logged_in_staff(Role.OFFICER)
    _with_purpose(client)
    offline = str(make_camera("live", lon=-117.3805).public_id)

    response = client.post("/console/live/", {"camera": [offline, online_camera]}, follow=True)

    page = response.content.decode()
    assert f'data-camera="{online_camera}"' in page
    assert f'data-camera="{offline}"' not in page
    assert "1 camera was left out: its bridge is offline." in page


def test_a_live_wall_of_too_many_cameras_is_refused_with_the_limit(logged_in_staff: Any) -> None:
    client, _ = logged_in_staff(Role.OFFICER)
    _with_purpose(client)
    cameras = [f"00000000-0000-0000-0000-0000000000{n:02d}" for n in range(10)]

    response = client.post("/console/live/", {"camera": cameras})

    assert response.status_code == 400
    assert b"at most 9 cameras; you chose 10" in response.content
    assert b"live-tile" not in response.content


def _emergency_view(owner_site: Any, actor: Any, exigent_purpose: Any, policy: Any) -> tuple[Any, Any, Any]:
    """An officer watching the owner's camera live under emergency-only consent."""
    from cameras.access import Actor
    from live.services import live_session_start

    owner, _, camera = owner_site
    services.consent_set(owner=owner, camera=camera, policy=policy, level="live_exigent", notify_on_access=False)
    start = live_session_start(
        actor=Actor(user=actor.user, mfa=True), purpose=exigent_purpose, camera_public_id=camera.public_id
    )
    assert start.session is not None
    return owner, camera, start


def test_an_emergency_live_view_is_told_to_the_owner_afterwards(
    owner_site: Any,
    rialto_client: TenantClient,
    actor: Any,
    exigent_purpose: Any,
    policy: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from django.core import mail

    from live.services import live_session_end

    owner, _camera, start = _emergency_view(owner_site, actor, exigent_purpose, policy)

    with django_capture_on_commit_callbacks(execute=True):
        live_session_end(actor=None, session_id=start.session.pk, reason="viewer_left")

    assert [m.to for m in mail.outbox] == [[owner.email]]
    assert b"during an emergency" in rialto_client.get("/my/").content


def test_a_live_view_ended_by_deleting_the_camera_is_still_told_to_its_owner(
    owner_site: Any,
    rialto_client: TenantClient,
    actor: Any,
    exigent_purpose: Any,
    policy: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from django.core import mail

    from audit.models import AccessEvent
    from live.services import live_session_end

    owner, camera, start = _emergency_view(owner_site, actor, exigent_purpose, policy)
    services.camera_delete(owner=owner, camera=camera)

    with django_capture_on_commit_callbacks(execute=True):
        live_session_end(actor=None, session_id=start.session.pk, reason="consent")

    end = AccessEvent.objects.filter(action="live_end").latest("seq")
    assert (end.owner_refs, end.consent_level) == ([owner.pk], "live_exigent")
    assert [m.to for m in mail.outbox] == [[owner.email]]
    rialto_client.force_login(owner)
    assert b"during an emergency" in rialto_client.get("/my/").content


def test_the_live_page_has_a_hidden_track_map_that_only_a_moving_camera_fills(
    logged_in_staff: Any, online_camera: str
) -> None:
    # given an officer opening a live view
    client, _ = logged_in_staff(Role.OFFICER)
    _with_purpose(client)
    opened = client.post("/console/live/", {"camera": online_camera})

    # when the live page is shown
    page = client.get(opened["Location"]).content.decode()

    # then each tile has a hidden map for the track (static/js/live.js fills it from the
    # view's position messages, and removes it when the view ends), with Leaflet loaded
    assert '<div class="tile-track" hidden data-tiles="' in page
    assert "vendor/leaflet/leaflet.js" in page
