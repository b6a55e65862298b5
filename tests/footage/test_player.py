"""The console's clip player: one logged viewing, then the video in HTTP byte ranges."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Role
from audit.models import AccessEvent
from cameras import access
from footage.models import Clip, CustodyEvent, StreamLink
from footage.streaming import ByteRange, RangeNotSatisfiable, byte_range
from tests.conftest import TenantClient
from tests.factories import UserFactory
from tests.footage import test_requests as given
from tests.footage.test_requests import _staff_client
from tests.tenancy import connection

# The clip fixtures of the footage tests (a real MP4 uploaded by its owner, media in a temporary directory).
mp4, media, owner_request, clip = given.mp4, given.media, given.owner_request, given.clip


def _console(user: Any, purpose: Any = None, host: str = "rialto.localhost") -> TenantClient:
    client = _staff_client(user)
    if host != "rialto.localhost":
        client = TenantClient(host)
        client.force_login(user)
    session = client.session
    session["account_authentication_methods"] = [{"method": "password", "at": 0}, {"method": "mfa", "at": 0}]
    if purpose is not None:
        session["console_purpose"] = str(purpose.public_id)
    session.save()
    return client


def _events(action: str = "clip_view", **filters: Any) -> int:
    return AccessEvent.objects.filter(action=action, **filters).count()


def _watch(client: TenantClient, clip: Clip) -> tuple[Any, StreamLink | None]:
    """Press "Watch (logged)": POST, then follow the redirect to the viewing's page."""
    response = client.post(f"/console/clips/{clip.public_id}/play/", follow=True)
    return response, StreamLink.objects.filter(clip=clip).order_by("-pk").first()


def _bytes(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def test_watching_a_clip_is_one_access_event_and_one_custody_event_however_many_ranges_follow(
    clip: Clip, actor: access.Actor, purpose: Any
) -> None:
    client = _console(actor.user, purpose)
    before = _events(outcome="allowed")

    page, link = _watch(client, clip)
    assert link is not None
    for header in ("bytes=0-", "bytes=0-99", "bytes=-64", "bytes=500-"):
        client.get(f"/console/clips/stream/{link.public_id}/", HTTP_RANGE=header)

    viewed = CustodyEvent.objects.get(clip=clip, action="viewed")
    assert page.status_code == 200
    assert f"/console/clips/stream/{link.public_id}/" in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    assert _events(outcome="allowed") - before == 1
    assert AccessEvent.objects.get(seq=link.access_event_seq).targets[0] == f"clip:{clip.public_id}"
    assert (viewed.actor_id, viewed.case_number, viewed.sha256) == (actor.user.pk, "RPD-26-0042", clip.sha256)
    assert "property_crime" in viewed.note
    assert f"access event {link.access_event_seq}" in viewed.note


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=100-", 100, None),
        ("bytes=-50", -50, None),
        ("bytes=10-10", 10, 10),
        ("bytes=0-999999999", 0, None),
    ],
)
def test_a_range_request_gets_206_with_exactly_those_bytes(
    clip: Clip, actor: access.Actor, purpose: Any, mp4: bytes, header: str, start: int, end: int | None
) -> None:
    client = _console(actor.user, purpose)
    _page, link = _watch(client, clip)
    assert link is not None
    expected = mp4[start : None if end is None else end + 1]
    first = start if start >= 0 else len(mp4) + start

    response = client.get(f"/console/clips/stream/{link.public_id}/", HTTP_RANGE=header)

    assert response.status_code == 206
    assert _bytes(response) == expected
    assert response["Content-Range"] == f"bytes {first}-{first + len(expected) - 1}/{len(mp4)}"
    assert response["Content-Length"] == str(len(expected))
    assert response["Content-Type"] == "video/mp4"
    assert response["Accept-Ranges"] == "bytes"


def test_without_a_range_the_whole_clip_is_sent(clip: Clip, actor: access.Actor, purpose: Any, mp4: bytes) -> None:
    client = _console(actor.user, purpose)
    _page, link = _watch(client, clip)
    assert link is not None

    response = client.get(f"/console/clips/stream/{link.public_id}/")

    assert (response.status_code, _bytes(response)) == (200, mp4)
    assert response["Accept-Ranges"] == "bytes"


def test_a_range_beyond_the_end_is_416_with_the_size(clip: Clip, actor: access.Actor, purpose: Any, mp4: bytes) -> None:
    client = _console(actor.user, purpose)
    _page, link = _watch(client, clip)
    assert link is not None

    response = client.get(f"/console/clips/stream/{link.public_id}/", HTTP_RANGE=f"bytes={len(mp4)}-")

    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(mp4)}"


def test_a_clip_whose_stored_original_is_missing_is_gone_for_the_player_and_the_admins_are_told(
    clip: Clip, actor: access.Actor, purpose: Any, media: Any
) -> None:
    from footage.models import IntegrityNotice

    client = _console(actor.user, purpose)
    _page, link = _watch(client, clip)
    assert link is not None
    (media / clip.storage_key).unlink()

    response = client.get(f"/console/clips/stream/{link.public_id}/", HTTP_RANGE="bytes=0-99")

    assert response.status_code == 410
    assert "missing" in response.content.decode()
    assert IntegrityNotice.objects.get(clip=clip).actual_sha256 == "missing"


def test_an_if_range_for_other_bytes_gets_the_whole_clip(
    clip: Clip, actor: access.Actor, purpose: Any, mp4: bytes
) -> None:
    client = _console(actor.user, purpose)
    _page, link = _watch(client, clip)
    assert link is not None

    response = client.get(f"/console/clips/stream/{link.public_id}/", HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"0000"')

    assert (response.status_code, _bytes(response)) == (200, mp4)


def test_another_officer_cannot_use_the_stream_link_and_the_attempt_is_logged(
    clip: Clip, actor: access.Actor, purpose: Any
) -> None:
    _page, link = _watch(_console(actor.user, purpose), clip)
    assert link is not None
    other = UserFactory(role=Role.OFFICER)
    other_purpose = access.purpose_declare(
        actor=access.Actor(user=other, mfa=True), case_number="RPD-9", category="property_crime", text="curious"
    )

    response = _console(other, other_purpose).get(f"/console/clips/stream/{link.public_id}/")

    denied = AccessEvent.objects.filter(action="clip_view", outcome="denied", actor_id=other.pk).get()
    assert response.status_code == 403
    assert "not valid for you" in response.content.decode()
    assert (denied.reason, denied.details["problem"]) == ("stream_link_not_yours", "stream_link_not_yours")
    assert denied.targets[0] == f"clip:{clip.public_id}"
    assert not CustodyEvent.objects.filter(clip=clip, action="viewed", actor_id=other.pk).exists()


def test_an_expired_stream_link_is_gone_and_the_attempt_is_logged(
    clip: Clip, actor: access.Actor, purpose: Any, settings: Any
) -> None:
    client = _console(actor.user, purpose)
    _page, link = _watch(client, clip)
    assert link is not None
    StreamLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    response = client.get(f"/console/clips/stream/{link.public_id}/", HTTP_RANGE="bytes=0-99")

    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert _events(outcome="denied", reason="stream_link_expired") == 1


def test_an_unknown_stream_link_is_refused_and_logged(actor: access.Actor, purpose: Any) -> None:
    response = _console(actor.user, purpose).get("/console/clips/stream/00000000-0000-4000-8000-000000000000/")

    assert response.status_code == 403
    assert _events(outcome="denied", reason="stream_link_unknown") == 1


def test_watching_without_a_stated_purpose_is_refused_with_a_message_and_logged(
    clip: Clip, actor: access.Actor
) -> None:
    page, link = _watch(_console(actor.user), clip)

    assert page.status_code == 403
    assert "State a purpose" in page.content.decode()
    assert link is None
    assert _events(outcome="denied", reason="purpose_required") == 1
    assert not CustodyEvent.objects.filter(clip=clip, action="viewed").exists()


def test_a_clip_id_of_another_department_is_not_found_in_the_player_and_logged(clip: Clip, fontana: Any) -> None:
    connection.set_tenant(fontana)
    officer = UserFactory(role=Role.OFFICER)
    purpose = access.purpose_declare(
        actor=access.Actor(user=officer, mfa=True), case_number="F-1", category="property_crime", text="x"
    )
    client = _console(officer, purpose, host="fontana.localhost")

    response = client.post(f"/console/clips/{clip.public_id}/play/")

    assert response.status_code == 404
    assert AccessEvent.objects.filter(action="clip_view", outcome="denied", reason="not_found").count() == 1
    assert not StreamLink.objects.exists()


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.OVERSIGHT, Role.DEPT_ADMIN])
def test_only_officers_and_supervisors_reach_the_player_or_its_stream(
    clip: Clip, actor: access.Actor, purpose: Any, role: str
) -> None:
    _page, link = _watch(_console(actor.user, purpose), clip)
    assert link is not None
    user = UserFactory(role=role)
    client = _console(user)

    page = client.post(f"/console/clips/{clip.public_id}/play/")
    viewing = client.get(f"/console/clips/viewing/{link.public_id}/")
    stream = client.get(f"/console/clips/stream/{link.public_id}/")

    assert (page.status_code, viewing.status_code, stream.status_code) == (403, 403, 403)
    assert _events("console_denied", actor_id=user.pk) == 3
    assert CustodyEvent.objects.filter(clip=clip, action="viewed").count() == 1


def test_the_request_page_opens_each_clip_in_the_player_with_a_form(
    clip: Clip, actor: access.Actor, purpose: Any
) -> None:
    page = _console(actor.user, purpose).get(f"/console/footage/{clip.request.public_id}/")

    assert f'action="/console/clips/{clip.public_id}/play/"' in page.content.decode()


def test_a_plain_link_to_the_player_logs_nothing(clip: Clip, actor: access.Actor, purpose: Any) -> None:
    # given another site that links or redirects a signed-in officer to the player
    client = _console(actor.user, purpose)
    before = _events()

    # when the browser follows it (a GET, which SameSite=Lax cookies allow)
    response = client.get(f"/console/clips/{clip.public_id}/play/")

    # then no viewing is opened or logged on the officer's name
    assert response.status_code == 405
    assert _events() == before
    assert not CustodyEvent.objects.filter(clip=clip, action="viewed").exists()


def test_a_post_without_the_csrf_token_opens_no_viewing(clip: Clip, actor: access.Actor, purpose: Any) -> None:
    client = _console(actor.user, purpose)
    client.handler.enforce_csrf_checks = True

    response = client.post(f"/console/clips/{clip.public_id}/play/")

    assert response.status_code == 403
    assert not StreamLink.objects.filter(clip=clip).exists()


def test_reloading_the_viewing_page_is_not_a_second_viewing(clip: Clip, actor: access.Actor, purpose: Any) -> None:
    client = _console(actor.user, purpose)
    before = _events(outcome="allowed")  # (tests that commit, e.g. the browser's, leave events behind)
    page, link = _watch(client, clip)
    assert link is not None

    again = client.get(f"/console/clips/viewing/{link.public_id}/")

    assert (page.status_code, again.status_code) == (200, 200)
    assert CustodyEvent.objects.filter(clip=clip, action="viewed").count() == 1
    assert _events(outcome="allowed") - before == 1


def test_another_officer_cannot_open_someone_elses_viewing_page(clip: Clip, actor: access.Actor, purpose: Any) -> None:
    _page, link = _watch(_console(actor.user, purpose), clip)
    assert link is not None
    other = UserFactory(role=Role.OFFICER)

    response = _console(other).get(f"/console/clips/viewing/{link.public_id}/")

    assert response.status_code == 403
    assert f"/console/clips/stream/{link.public_id}/" not in response.content.decode()
    assert _events(outcome="denied", actor_id=other.pk) == 1


@pytest.mark.parametrize(
    ("header", "size", "expected"),
    [
        ("bytes=0-0", 10, ByteRange(0, 0)),
        ("bytes=5-", 10, ByteRange(5, 9)),
        ("bytes=-3", 10, ByteRange(7, 9)),
        ("bytes=-30", 10, ByteRange(0, 9)),
        ("bytes=2-100", 10, ByteRange(2, 9)),
        ("bytes=0-1,4-5", 10, None),  # several ranges: answered with everything
        ("items=0-1", 10, None),
        ("bytes=5-2", 10, None),
        ("bytes=x-", 10, None),
        ("bytes=-", 10, None),
    ],
)
def test_byte_range_parsing(header: str, size: int, expected: ByteRange | None) -> None:
    assert byte_range(header, size) == expected


@pytest.mark.parametrize("header", ["bytes=10-", "bytes=-0"])
def test_unsatisfiable_byte_ranges(header: str) -> None:
    with pytest.raises(RangeNotSatisfiable):
        byte_range(header, 10)
