"""Footage requests: canvass, owners' answers, clips with custody, downloads, retention, integrity."""

import datetime as dt
import hashlib
import io
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Role
from audit.models import AccessEvent
from cameras import access
from core.errors import Refused
from footage import services
from footage.models import Clip, CustodyEvent, OwnerRequest
from footage.storage import clip_store
from footage.tasks import clips_rehash
from tenants.selectors import policy_current
from tests.conftest import TenantClient
from tests.factories import UserFactory, totp_enable
from tests.videos import make_video


@pytest.fixture(scope="session")
def mp4(tmp_path_factory: Any) -> bytes:
    """A real one-second MP4 from ffmpeg's test source."""
    return make_video(tmp_path_factory.mktemp("video") / "clip.mp4", seconds=1, size="160x120", rate=5)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def _window(hours: int = 2) -> tuple[dt.datetime, dt.datetime]:
    end = timezone.now() - dt.timedelta(hours=1)
    return end - dt.timedelta(hours=hours), end


def _send(actor: access.Actor, purpose: Any, cameras: list[Any], hours: int = 2) -> services.RequestResult:
    start, end = _window(hours)
    return services.footage_request_send(
        actor=actor,
        purpose=purpose,
        camera_ids=[c.public_id for c in cameras],
        window_start=start,
        window_end=end,
        message="Did you see a blue van?",
    )


def test_one_request_per_owner_lists_their_cameras_and_each_camera_is_a_gate_decision(
    make_camera: Any, actor: access.Actor, purpose: Any, django_capture_on_commit_callbacks: Any
) -> None:
    first = make_camera("on_request")
    owner = first.site.owner
    from cameras import services as camera_services

    second = camera_services.camera_register(owner=owner, site=first.site, label="Side")
    camera_services.consent_set(owner=owner, camera=second, policy=policy_current(), level="live")
    other = make_camera("on_request")
    registered_only = make_camera("registered")

    with django_capture_on_commit_callbacks(execute=True):
        result = _send(actor, purpose, [first, second, other, registered_only])

    assert (result.owners, result.cameras, result.refused) == (2, 3, 1)
    assert sorted(OwnerRequest.objects.get(owner=owner).answers.values_list("camera_id", flat=True)) == sorted(
        [first.pk, second.pk]
    )
    assert AccessEvent.objects.filter(action="footage_request", outcome="allowed").count() >= 3
    assert AccessEvent.objects.filter(action="footage_request", outcome="denied", reason="level_too_low").exists()
    assert {m.to[0] for m in mail.outbox} == {owner.email, other.site.owner.email}
    assert "/my/requests/" in mail.outbox[0].body


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"hours": 13}, "window_end"),
        ({"purpose": None}, "purpose"),
    ],
)
def test_a_request_out_of_policy_or_without_purpose_is_refused_on_its_field(
    make_camera: Any, actor: access.Actor, purpose: Any, change: dict[str, Any], field: str
) -> None:
    from django.core.exceptions import ValidationError

    camera = make_camera("on_request")
    start, end = _window(change.get("hours", 2))

    with pytest.raises(ValidationError) as error:
        services.footage_request_send(
            actor=actor,
            purpose=change.get("purpose", purpose),
            camera_ids=[camera.public_id],
            window_start=start,
            window_end=end,
            message="x",
        )

    assert field in error.value.message_dict
    assert not OwnerRequest.objects.filter(request__officer=actor.user).exists()


def test_a_window_in_the_future_is_refused(make_camera: Any, actor: access.Actor, purpose: Any) -> None:
    from django.core.exceptions import ValidationError

    camera = make_camera("on_request")

    with pytest.raises(ValidationError, match="future"):
        services.footage_request_send(
            actor=actor,
            purpose=purpose,
            camera_ids=[camera.public_id],
            window_start=timezone.now() + dt.timedelta(hours=1),
            window_end=timezone.now() + dt.timedelta(hours=2),
            message="x",
        )


def test_a_window_that_ends_in_the_future_is_refused_on_its_end(
    make_camera: Any, actor: access.Actor, purpose: Any
) -> None:
    from django.core.exceptions import ValidationError

    camera = make_camera("on_request")

    with pytest.raises(ValidationError) as error:
        services.footage_request_send(
            actor=actor,
            purpose=purpose,
            camera_ids=[camera.public_id],
            window_start=timezone.now() - dt.timedelta(hours=1),
            window_end=timezone.now() + dt.timedelta(hours=2),
            message="x",
        )

    assert error.value.message_dict == {"window_end": ["Footage cannot be requested for the future."]}
    assert not OwnerRequest.objects.filter(request__officer=actor.user).exists()


def test_a_window_further_back_than_any_recorder_keeps_footage_is_refused(
    make_camera: Any, actor: access.Actor, purpose: Any
) -> None:
    from django.core.exceptions import ValidationError

    camera = make_camera("on_request")
    start = timezone.now() - dt.timedelta(days=3651)

    with pytest.raises(ValidationError) as error:
        services.footage_request_send(
            actor=actor,
            purpose=purpose,
            camera_ids=[camera.public_id],
            window_start=start,
            window_end=start + dt.timedelta(hours=1),
            message="x",
        )

    assert "window_start" in error.value.message_dict
    assert not OwnerRequest.objects.filter(request__officer=actor.user).exists()


def test_a_window_in_year_one_in_a_department_east_of_greenwich_is_refused_and_the_pages_still_load(
    make_camera: Any, actor: access.Actor, purpose: Any, rialto: Any
) -> None:
    # given a department in Tokyo, where 0001-01-01 00:00 local time is before year 1 in UTC
    rialto.time_zone = "Asia/Tokyo"
    rialto.save()
    camera = make_camera("on_request")
    client = _console_with_purpose(actor.user, purpose)

    # when an officer sends a request for that window
    response = client.post(
        "/console/footage/new/",
        {
            "lat": "34.10",
            "lon": "-117.38",
            "radius_m": "500",
            "window_start": "0001-01-01T00:00",
            "window_end": "0001-01-01T05:00",
            "message": "x",
            "cameras": [str(camera.public_id)],
        },
    )

    # then it is refused on the start of the window, nothing is sent, and the lists still load
    assert response.status_code == 400
    assert "window_start" in response.context["form"].errors
    assert not OwnerRequest.objects.filter(request__officer=actor.user).exists()
    assert client.get("/console/footage/").status_code == 200


@pytest.mark.parametrize("choose", [{"choose": "1"}, {}])
def test_a_request_page_for_an_invalid_area_says_what_is_wrong(
    actor: access.Actor, purpose: Any, choose: dict[str, str]
) -> None:
    client = _console_with_purpose(actor.user, purpose)

    response = client.post("/console/footage/new/", {"lat": "95", "lon": "-117.38", "radius_m": "500", **choose})

    assert response.status_code == 400
    assert "between -90 and 90" in response.content.decode()
    assert not OwnerRequest.objects.filter(request__officer=actor.user).exists()


@pytest.fixture
def owner_request(make_camera: Any, actor: access.Actor, purpose: Any) -> OwnerRequest:
    camera = make_camera("on_request")
    _send(actor, purpose, [camera])
    return OwnerRequest.objects.get(owner=camera.site.owner)


def _owner_client(owner_request: OwnerRequest) -> TenantClient:
    client = TenantClient("rialto.localhost")
    assert owner_request.owner is not None
    client.force_login(owner_request.owner)
    return client


def _upload(client: TenantClient, owner_request: OwnerRequest, content: bytes, name: str = "door.mp4") -> Any:
    answer = owner_request.answers.get()
    return client.post(
        f"/my/requests/{owner_request.public_id}/",
        {"answer_id": answer.pk, "file": SimpleUploadedFile(name, content, content_type="video/mp4")},
    )


def test_owner_uploads_a_clip_and_gets_a_receipt_with_its_sha256(
    owner_request: OwnerRequest, mp4: bytes, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    client = _owner_client(owner_request)

    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, owner_request, mp4)

    clip = Clip.objects.get(request=owner_request.request)
    stored = media / clip.storage_key
    assert response.status_code == 200
    assert clip.sha256 == hashlib.sha256(mp4).hexdigest()
    assert clip.sha256.encode() in response.content
    assert stored.read_bytes() == mp4
    assert clip.storage_key.startswith("rialto/clips/")
    assert clip.container == "mp4"
    assert list(clip.custody.values_list("action", flat=True)) == ["uploaded"]
    assert clip.sha256 in mail.outbox[-1].body


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 500, "holiday.mp4", "not a video"),
        (b"", "empty.mp4", "empty"),
    ],
)
def test_a_file_that_is_not_video_is_refused_whatever_its_name_and_nothing_is_stored(
    owner_request: OwnerRequest, media: Path, content: bytes, name: str, message: str
) -> None:
    response = _upload(_owner_client(owner_request), owner_request, content, name)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Clip.objects.filter(request=owner_request.request).exists()
    assert not any(p.is_file() for p in media.rglob("*"))


def test_a_file_above_the_limit_is_refused(owner_request: OwnerRequest, mp4: bytes, settings: Any) -> None:
    settings.PORCHLIGHT_CLIP_MAX_BYTES = 100

    response = _upload(_owner_client(owner_request), owner_request, mp4)

    assert response.status_code == 400
    assert "too large" in response.content.decode()


def test_the_same_file_twice_is_refused_and_stored_once(owner_request: OwnerRequest, mp4: bytes, media: Path) -> None:
    client = _owner_client(owner_request)
    _upload(client, owner_request, mp4)

    again = _upload(client, owner_request, mp4)

    assert again.status_code == 400
    assert "already sent" in again.content.decode()
    assert Clip.objects.filter(request=owner_request.request).count() == 1
    assert len([p for p in media.rglob("*") if p.is_file()]) == 1


def test_an_interrupted_upload_stores_nothing(owner_request: OwnerRequest, mp4: bytes, media: Path) -> None:
    from io import BytesIO

    from django.core.exceptions import ValidationError

    answer = owner_request.answers.get()
    assert owner_request.owner is not None

    with pytest.raises(ValidationError, match="interrupted"):
        services.clip_upload(
            owner=owner_request.owner, answer_id=answer.pk, upload=BytesIO(mp4[:1000]), name="x.mp4", size=len(mp4)
        )

    assert not Clip.objects.filter(request=owner_request.request).exists()
    assert not any(p.is_file() for p in media.rglob("*"))


@pytest.mark.parametrize("answer_id", ["abc", "1.5", "", "9" * 400, "-1"])
def test_an_answer_id_that_is_not_one_of_the_requests_answers_is_not_found_and_changes_nothing(
    owner_request: OwnerRequest, answer_id: str
) -> None:
    answer = owner_request.answers.get()
    before = (answer.answer, answer.decline_reason)

    response = _owner_client(owner_request).post(
        f"/my/requests/{owner_request.public_id}/", {"answer_id": answer_id, "answer": "declined"}
    )

    answer.refresh_from_db()
    assert response.status_code == 404
    assert (answer.answer, answer.decline_reason) == before


def test_a_decline_reason_with_a_nul_character_is_refused_naming_it_and_the_answer_stays(
    owner_request: OwnerRequest,
) -> None:
    answer = owner_request.answers.get()

    response = _owner_client(owner_request).post(
        f"/my/requests/{owner_request.public_id}/",
        {"answer_id": answer.pk, "answer": "declined", "decline_reason": "not\x00now"},
    )

    assert response.status_code == 400
    assert "The reason for declining may not contain the NUL character." in response.content.decode()
    answer.refresh_from_db()
    assert (answer.answer, answer.decline_reason) == ("pending", "")


def test_police_never_learn_who_declined(
    make_camera: Any, actor: access.Actor, purpose: Any, mp4: bytes, logged_in_staff: Any
) -> None:
    decliner, sender, silent = (make_camera("on_request"), make_camera("on_request"), make_camera("on_request"))
    result = _send(actor, purpose, [decliner, sender, silent])
    declined = OwnerRequest.objects.get(owner=decliner.site.owner)
    services.answer_set(
        owner=decliner.site.owner,
        answer_id=declined.answers.get().pk,
        answer="declined",
        decline_reason="I distrust the police chief",
    )
    sent = OwnerRequest.objects.get(owner=sender.site.owner)
    _upload(_owner_client(sent), sent, mp4)
    client = _staff_client(actor.user)
    session = client.session
    session["console_purpose"] = str(purpose.public_id)
    session.save()

    page = client.get(f"/console/footage/{result.request.public_id}/").content.decode()  # type: ignore[union-attr]

    assert "Cameras asked: 3. Footage sent for 1, no relevant footage for 0, neither yet for 2" in page
    assert "sent footage: 1." in page
    assert "distrust" not in page
    assert decliner.site.owner.email not in page
    assert silent.site.owner.email not in page
    assert "declined" not in page.lower()


@pytest.fixture
def clip(owner_request: OwnerRequest, mp4: bytes) -> Clip:
    _upload(_owner_client(owner_request), owner_request, mp4)
    return Clip.objects.get(request=owner_request.request)


def _staff_client(user: Any) -> TenantClient:
    """A staff session that passed MFA (as after the TOTP step)."""
    totp_enable(user)
    client = TenantClient("rialto.localhost")
    client.force_login(user)
    session = client.session
    session["account_authentication_methods"] = [{"method": "password", "at": 0}, {"method": "mfa", "at": 0}]
    session.save()
    return client


def test_a_download_link_works_once_for_its_user_and_is_logged(
    clip: Clip, actor: access.Actor, purpose: Any, mp4: bytes
) -> None:
    decision, token = services.download_link_issue(actor=actor, purpose=purpose, clip_public_id=clip.public_id)
    client = _staff_client(actor.user)
    thief = _staff_client(UserFactory(role=Role.OFFICER))

    stolen = thief.get(f"/footage/download/{token}/")
    first = client.get(f"/footage/download/{token}/")
    again = client.get(f"/footage/download/{token}/")

    assert decision.allowed
    assert stolen.status_code == 403
    assert b"".join(first.streaming_content) == mp4  # type: ignore[attr-defined]
    assert first["X-Content-SHA256"] == clip.sha256
    assert again.status_code == 410
    assert AccessEvent.objects.filter(action="clip_download", outcome="allowed", quantity=clip.size).exists()
    assert "downloaded" in list(clip.custody.values_list("action", flat=True))


def test_a_download_link_issued_but_never_used_leaves_no_downloaded_custody(
    clip: Clip, actor: access.Actor, purpose: Any
) -> None:
    decision, token = services.download_link_issue(actor=actor, purpose=purpose, clip_public_id=clip.public_id)

    assert decision.allowed
    assert token is not None
    assert AccessEvent.objects.filter(action="clip_download", outcome="allowed", seq=decision.event_seq).exists()
    assert not clip.custody.filter(action="downloaded").exists()


def test_the_downloaded_custody_event_is_recorded_when_the_link_serves_the_clip(
    clip: Clip, actor: access.Actor, purpose: Any
) -> None:
    decision, token = services.download_link_issue(actor=actor, purpose=purpose, clip_public_id=clip.public_id)

    response = _staff_client(actor.user).get(f"/footage/download/{token}/")

    assert response.status_code == 200
    custody = clip.custody.get(action="downloaded")
    assert (custody.actor_id, custody.case_number, custody.sha256) == (actor.user.pk, purpose.case_number, clip.sha256)
    assert custody.note.endswith(f"access event {decision.event_seq}")


def test_a_download_link_whose_clip_is_missing_leaves_no_downloaded_custody(
    clip: Clip, actor: access.Actor, purpose: Any, media: Path
) -> None:
    _, token = services.download_link_issue(actor=actor, purpose=purpose, clip_public_id=clip.public_id)
    (media / clip.storage_key).unlink()

    response = _staff_client(actor.user).get(f"/footage/download/{token}/")

    assert response.status_code == 410
    assert not clip.custody.filter(action="downloaded").exists()


def test_a_download_link_that_cannot_be_made_leaves_no_allowed_download_in_the_log(
    clip: Clip, actor: access.Actor, purpose: Any, monkeypatch: Any
) -> None:
    from footage.models import DownloadLink

    def fail(**kwargs: Any) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(DownloadLink.objects, "create", fail)
    before = AccessEvent.objects.filter(action="clip_download").count()

    with pytest.raises(RuntimeError):
        services.download_link_issue(actor=actor, purpose=purpose, clip_public_id=clip.public_id)

    assert AccessEvent.objects.filter(action="clip_download").count() == before
    assert not clip.custody.filter(action="downloaded").exists()


@pytest.mark.parametrize("action", ["clip_view", "clip_download", "export"])
def test_a_refused_access_to_footage_logs_no_bytes_delivered(
    clip: Clip, actor: access.Actor, action: str, tmp_path: Path
) -> None:
    # given an officer who has stated no purpose
    if action == "clip_view":
        services.clip_view_open(actor=actor, purpose=None, clip_public_id=clip.public_id)
    elif action == "clip_download":
        services.download_link_issue(actor=actor, purpose=None, clip_public_id=clip.public_id)
    else:
        services.request_export(
            actor=actor, purpose=None, request_public_id=clip.request.public_id, directory=str(tmp_path)
        )

    # then the refusal is logged, and says no bytes of the clip were delivered
    event = AccessEvent.objects.filter(action=action).latest("seq")
    assert (event.outcome, event.reason) == ("denied", "purpose_required")
    assert (event.quantity, event.quantity_unit) == (None, "")


def test_refused_download_links_are_logged_with_what_was_wrong(clip: Clip, actor: access.Actor, purpose: Any) -> None:
    # given a link issued to one officer
    _, token = services.download_link_issue(actor=actor, purpose=purpose, clip_public_id=clip.public_id)
    since = AccessEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    thief = UserFactory(role=Role.OFFICER)
    client, thief_client = _staff_client(actor.user), _staff_client(thief)

    # when another officer tries it, the owner uses it twice, and someone guesses a token
    stolen = thief_client.get(f"/footage/download/{token}/")
    client.get(f"/footage/download/{token}/")
    reused = client.get(f"/footage/download/{token}/")
    guessed = client.get("/footage/download/not-a-real-token/")

    # then each refusal is a denied clip_download event naming the problem, on that clip
    denied = AccessEvent.objects.filter(action="clip_download", outcome="denied", seq__gt=since).order_by("seq")
    assert [stolen.status_code, reused.status_code, guessed.status_code] == [403, 410, 403]
    assert [(e.actor_id, e.details["problem"]) for e in denied] == [
        (thief.pk, "download_link_not_yours"),
        (actor.user.pk, "download_link_used"),
        (actor.user.pk, "download_link_unknown"),
    ]
    assert f"clip:{clip.public_id}" in denied[0].targets


def test_an_expired_download_link_is_refused(clip: Clip, actor: access.Actor, purpose: Any, settings: Any) -> None:
    settings.PORCHLIGHT_DOWNLOAD_LINK_SECONDS = -1
    _, token = services.download_link_issue(actor=actor, purpose=purpose, clip_public_id=clip.public_id)
    client = _staff_client(actor.user)

    response = client.get(f"/footage/download/{token}/")

    assert response.status_code == 410
    assert AccessEvent.objects.filter(action="clip_download", outcome="denied").last().details == {  # type: ignore[union-attr]
        "problem": "download_link_expired"
    }


def test_a_clip_id_of_another_department_is_not_found_and_logged(clip: Clip, fontana: Any) -> None:
    from tests.tenancy import connection

    connection.set_tenant(fontana)
    officer = UserFactory(role=Role.OFFICER)
    fontana_actor = access.Actor(user=officer, mfa=True)
    purpose = access.purpose_declare(actor=fontana_actor, case_number="F-1", category="violent_crime", text="x")

    decision, found = services.clip_for_police(
        actor=fontana_actor, purpose=purpose, clip_public_id=clip.public_id, action="clip_view"
    )

    assert (decision.reason, found) == ("not_found", None)
    assert AccessEvent.objects.filter(action="clip_view", outcome="denied").exists()


def test_retention_purges_old_clips_but_not_held_ones(
    clip: Clip, media: Path, in_rialto: Any, django_capture_on_commit_callbacks: Any
) -> None:
    supervisor = access.Actor(user=UserFactory(role=Role.SUPERVISOR), mfa=True)
    purpose = access.purpose_declare(
        actor=supervisor, case_number="RPD-HOLD", category="violent_crime", text="evidence"
    )
    Clip.objects.filter(pk=clip.pk).update(uploaded_at=timezone.now() - dt.timedelta(days=91))

    services.clip_hold_set(
        actor=supervisor, purpose=purpose, clip_public_id=clip.public_id, held=True, reason="Trial pending"
    )
    kept = services.clips_purge_expired()
    services.clip_hold_set(
        actor=supervisor, purpose=purpose, clip_public_id=clip.public_id, held=False, reason="Case closed"
    )
    with django_capture_on_commit_callbacks(execute=True):
        purged = services.clips_purge_expired()

    clip.refresh_from_db()
    assert (kept, purged) == (0, 1)
    assert clip.purged_at is not None
    assert not (media / clip.storage_key).exists()
    assert list(clip.custody.values_list("action", flat=True)) == ["uploaded", "held", "released", "purged"]
    assert "deleted" in mail.outbox[-1].subject


def test_a_hold_placed_while_the_retention_purge_runs_keeps_the_clip(
    clip: Clip, owner_request: OwnerRequest, mp4: bytes, media: Path, monkeypatch: Any
) -> None:
    # given two clips past retention, the older one purged first
    _upload(_owner_client(owner_request), owner_request, mp4 + b"a second clip")
    second = Clip.objects.exclude(pk=clip.pk).get(request=owner_request.request)
    Clip.objects.filter(pk=clip.pk).update(uploaded_at=timezone.now() - dt.timedelta(days=92))
    Clip.objects.filter(pk=second.pk).update(uploaded_at=timezone.now() - dt.timedelta(days=91))
    supervisor = access.Actor(user=UserFactory(role=Role.SUPERVISOR), mfa=True)
    purpose = access.purpose_declare(actor=supervisor, case_number="RPD-HOLD", category="violent_crime", text="x")
    store = type(clip_store())
    delete = store.delete

    def delete_while_a_supervisor_holds_the_second(self: Any, name: str) -> None:
        delete(self, name)
        if name == clip.storage_key:
            services.clip_hold_set(
                actor=supervisor, purpose=purpose, clip_public_id=second.public_id, held=True, reason="Subpoena"
            )

    monkeypatch.setattr(store, "delete", delete_while_a_supervisor_holds_the_second)

    # when the purge runs and the hold is placed on the second clip while it does
    purged = services.clips_purge_expired()

    # then the held clip is kept, stored and unpurged
    second.refresh_from_db()
    assert purged == 1
    assert (second.held, second.purged_at) == (True, None)
    assert (media / second.storage_key).exists()
    assert "purged" not in list(second.custody.values_list("action", flat=True))


def test_only_a_supervisor_places_a_hold_and_every_attempt_is_an_evidence_hold_event(
    clip: Clip, actor: access.Actor, purpose: Any
) -> None:
    supervisor = access.Actor(user=UserFactory(role=Role.SUPERVISOR), mfa=True)
    own_purpose = access.purpose_declare(actor=supervisor, case_number="RPD-9", category="violent_crime", text="x")

    with pytest.raises(Refused):
        services.clip_hold_set(actor=actor, purpose=purpose, clip_public_id=clip.public_id, held=True, reason="x")
    services.clip_hold_set(actor=supervisor, purpose=own_purpose, clip_public_id=clip.public_id, held=True, reason="y")

    events = AccessEvent.objects.filter(action="evidence_hold", targets__contains=[f"clip:{clip.public_id}"])
    events = events.order_by("seq")
    assert [(e.outcome, e.reason, e.actor_id) for e in events] == [
        ("denied", "role_not_permitted", actor.user.pk),
        ("allowed", "ok", supervisor.user.pk),
    ]
    assert events[1].details == {"hold": True, "reason": "y"}
    assert not AccessEvent.objects.filter(action="clip_view", details__has_key="hold").exists()


@pytest.mark.parametrize("held", ["", "yes", None])
def test_a_garbled_hold_value_does_not_release_a_hold(clip: Clip, held: str | None) -> None:
    # given a clip on legal hold
    supervisor = UserFactory(role=Role.SUPERVISOR)
    own_purpose = access.purpose_declare(
        actor=access.Actor(user=supervisor, mfa=True), case_number="RPD-9", category="violent_crime", text="x"
    )
    services.clip_hold_set(
        actor=access.Actor(user=supervisor, mfa=True),
        purpose=own_purpose,
        clip_public_id=clip.public_id,
        held=True,
        reason="Trial pending",
    )
    client = _console_with_purpose(supervisor, own_purpose)

    # when the hold form arrives without "1" (hold) or "0" (release)
    data = {"reason": "whatever"} if held is None else {"held": held, "reason": "whatever"}
    response = client.post(f"/console/clips/{clip.public_id}/hold/", data)

    # then it is refused and the hold stays
    assert response.status_code == 400
    clip.refresh_from_db()
    assert (clip.held, clip.hold_reason) == (True, "Trial pending")
    assert not clip.custody.filter(action="released").exists()


def test_a_hold_reason_with_a_nul_character_is_refused_naming_it_and_nothing_changes(
    clip: Clip, rialto_client: TenantClient
) -> None:
    supervisor = UserFactory(role=Role.SUPERVISOR)
    own_purpose = access.purpose_declare(
        actor=access.Actor(user=supervisor, mfa=True), case_number="RPD-9", category="violent_crime", text="x"
    )
    client = _console_with_purpose(supervisor, own_purpose)

    response = client.post(
        f"/console/clips/{clip.public_id}/hold/", {"held": "1", "reason": "court\x00order"}, follow=True
    )

    assert response.status_code == 200
    assert "reason for the hold" in next(str(m) for m in response.context["messages"])
    clip.refresh_from_db()
    assert (clip.held, clip.hold_reason) == (False, "")
    assert not clip.custody.filter(action="held").exists()


def test_a_hold_on_an_unknown_clip_is_not_found_and_logged(in_rialto: Any) -> None:
    supervisor = access.Actor(user=UserFactory(role=Role.SUPERVISOR), mfa=True)
    purpose = access.purpose_declare(actor=supervisor, case_number="RPD-9", category="violent_crime", text="x")

    with pytest.raises(Clip.DoesNotExist):
        services.clip_hold_set(
            actor=supervisor,
            purpose=purpose,
            clip_public_id="00000000-0000-4000-8000-000000000000",
            held=True,
            reason="y",
        )

    assert AccessEvent.objects.filter(action="evidence_hold", outcome="denied", reason="not_found").exists()


def test_a_flipped_byte_in_a_stored_clip_raises_the_integrity_alarm(clip: Clip, media: Path) -> None:
    stored = media / clip.storage_key
    data = bytearray(stored.read_bytes())
    data[100] ^= 0xFF
    stored.write_bytes(bytes(data))

    broken = clips_rehash()

    assert broken >= 1
    assert CustodyEvent.objects.filter(clip=clip, action="integrity_failed").exists()
    assert "integrity" in mail.outbox[-1].subject


def test_an_export_is_signed_verifiable_offline_and_logged(
    clip: Clip, actor: access.Actor, purpose: Any, tmp_path: Path
) -> None:
    from django.core.management import call_command

    from footage.export import export_verify

    result = services.request_export(
        actor=actor, purpose=purpose, request_public_id=clip.request.public_id, directory=str(tmp_path)
    )

    assert result.path is not None
    report = export_verify(result.path)
    assert (report.ok, report.files) == (True, 1)
    call_command("verify_export", result.path, fingerprint=result.fingerprint)
    assert AccessEvent.objects.filter(action="export", outcome="allowed").exists()
    assert "exported" in list(clip.custody.values_list("action", flat=True))


def _console_with_purpose(user: Any, purpose: Any) -> TenantClient:
    client = _staff_client(user)
    session = client.session
    session["console_purpose"] = str(purpose.public_id)
    session.save()
    return client


def test_an_export_downloaded_from_the_console_leaves_no_copy_of_the_evidence_on_the_server(
    clip: Clip, actor: access.Actor, purpose: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    import tempfile

    from footage.export import export_verify

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    client = _console_with_purpose(actor.user, purpose)

    response = client.post(f"/console/footage/{clip.request.public_id}/export/")
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]  # streamed: the test client's response type does not say so
    response.close()

    assert response.status_code == 200
    assert export_verify(io.BytesIO(body)).ok
    assert list(scratch.rglob("*")) == []
    assert "no-store" in response["Cache-Control"]


def _asgi_get(client: TenantClient, path: str, method: str = "GET") -> tuple[int, dict[bytes, bytes], list[bytes]]:
    """``path`` served as daphne serves it (Django's ASGI handler), with the session of
    ``client``: the status, headers and body messages. A body Django would first read whole
    into memory (a synchronous iterator served asynchronously) is an error here, not only a
    warning."""
    import asyncio
    import warnings

    from asgiref.sync import async_to_sync
    from django.core.handlers.asgi import ASGIHandler
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections
    from django.middleware.csrf import _get_new_csrf_string

    token = _get_new_csrf_string()
    cookies = {**{name: morsel.value for name, morsel in client.cookies.items()}, "csrftoken": token}
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", client.host.encode()),
            (b"cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()).encode()),
            (b"x-csrftoken", token.encode()),
        ],
        "client": ["127.0.0.1", 50000],
        "server": ["127.0.0.1", 80],
    }
    messages: list[Mapping[str, Any]] = []

    async def serve() -> None:
        requested = False
        never = asyncio.Event()

        async def receive() -> dict[str, Any]:
            nonlocal requested
            if not requested:
                requested = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await never.wait()  # the client stays connected
            return {"type": "http.disconnect"}

        async def send(message: Mapping[str, Any]) -> None:
            messages.append(message)

        await ASGIHandler()(scope, receive, send)

    # As Django's test client does: the test's database connection must stay open.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("error", message="StreamingHttpResponse must consume synchronous iterators")
            async_to_sync(serve)()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    start, *body = messages
    return start["status"], dict(start["headers"]), [m.get("body", b"") for m in body]


def test_a_clip_download_under_asgi_is_sent_a_chunk_at_a_time(
    clip: Clip, actor: access.Actor, purpose: Any, mp4: bytes
) -> None:
    _, token = services.download_link_issue(actor=actor, purpose=purpose, clip_public_id=clip.public_id)

    status, headers, body = _asgi_get(_staff_client(actor.user), f"/footage/download/{token}/")

    assert status == 200
    assert b"".join(body) == mp4
    assert headers[b"Content-Length"] == str(len(mp4)).encode()
    assert headers[b"Content-Disposition"] == b'attachment; filename="door.mp4"'
    assert headers[b"X-Content-SHA256"] == hashlib.sha256(mp4).hexdigest().encode()


def test_an_export_under_asgi_is_sent_a_chunk_at_a_time(clip: Clip, actor: access.Actor, purpose: Any) -> None:
    from footage.export import export_verify

    status, headers, body = _asgi_get(
        _console_with_purpose(actor.user, purpose), f"/console/footage/{clip.request.public_id}/export/", "POST"
    )

    assert status == 200
    assert headers[b"Content-Type"] == b"application/zip"
    assert export_verify(io.BytesIO(b"".join(body))).ok


def test_a_clip_whose_stored_original_is_missing_is_gone_for_the_download_and_the_admins_are_told(
    clip: Clip, actor: access.Actor, purpose: Any, media: Path
) -> None:
    from footage.models import IntegrityNotice

    (media / clip.storage_key).unlink()
    _, token = services.download_link_issue(actor=actor, purpose=purpose, clip_public_id=clip.public_id)
    client = _staff_client(actor.user)

    response = client.get(f"/footage/download/{token}/")

    assert response.status_code == 410
    assert "missing" in response.content.decode()
    assert clip.custody.filter(action="integrity_failed").exists()
    assert IntegrityNotice.objects.get(clip=clip).actual_sha256 == "missing"


def test_an_export_of_another_officers_request_is_not_found_and_the_refusal_names_the_request(
    clip: Clip, in_rialto: Any
) -> None:
    other = access.Actor(user=UserFactory(role=Role.OFFICER), mfa=True)
    own_purpose = access.purpose_declare(actor=other, case_number="RPD-7", category="violent_crime", text="x")
    client = _console_with_purpose(other.user, own_purpose)

    response = client.post(f"/console/footage/{clip.request.public_id}/export/")

    assert response.status_code == 404
    event = AccessEvent.objects.filter(action="export").latest("seq")
    assert (event.outcome, event.reason, event.actor_id) == ("denied", "not_found", other.user.pk)
    assert event.targets == [f"footage_request:{clip.request.public_id}"]
    assert not CustodyEvent.objects.filter(clip=clip, action="exported").exists()


def test_a_plain_link_to_the_export_logs_nothing(clip: Clip, actor: access.Actor, purpose: Any) -> None:
    # given another site that links or redirects a signed-in officer to a request's export
    client = _console_with_purpose(actor.user, purpose)
    before = AccessEvent.objects.filter(action="export").count()

    # when the browser follows it (a GET, which SameSite=Lax cookies allow)
    response = client.get(f"/console/footage/{clip.request.public_id}/export/")

    # then nothing is exported, nor logged or put in the clips' custody on the officer's name
    assert response.status_code == 405
    assert AccessEvent.objects.filter(action="export").count() == before
    assert not CustodyEvent.objects.filter(clip=clip, action="exported").exists()


def test_an_export_without_the_csrf_token_exports_nothing(clip: Clip, actor: access.Actor, purpose: Any) -> None:
    client = _console_with_purpose(actor.user, purpose)
    client.handler.enforce_csrf_checks = True

    response = client.post(f"/console/footage/{clip.request.public_id}/export/")

    assert response.status_code == 403
    assert not CustodyEvent.objects.filter(clip=clip, action="exported").exists()


def test_a_downloaded_clip_is_not_kept_in_caches(clip: Clip, actor: access.Actor, purpose: Any, mp4: bytes) -> None:
    _, token = services.download_link_issue(actor=actor, purpose=purpose, clip_public_id=clip.public_id)
    client = _staff_client(actor.user)

    response = client.get(f"/footage/download/{token}/")

    assert b"".join(response.streaming_content) == mp4  # type: ignore[attr-defined]  # streamed: the test client's response type does not say so
    assert "no-store" in response["Cache-Control"]


def test_an_export_refuses_a_clip_whose_stored_bytes_changed(
    clip: Clip, actor: access.Actor, purpose: Any, media: Path, tmp_path: Path
) -> None:
    from footage.export import ExportIntegrityError

    stored = media / clip.storage_key
    data = bytearray(stored.read_bytes())
    data[-1] ^= 0xFF
    stored.write_bytes(bytes(data))

    with pytest.raises(ExportIntegrityError):
        services.request_export(
            actor=actor, purpose=purpose, request_public_id=clip.request.public_id, directory=str(tmp_path)
        )

    assert CustodyEvent.objects.filter(clip=clip, action="integrity_failed").exists()
    assert not list(tmp_path.glob("*.zip"))


@pytest.mark.parametrize("damage", ["changed", "missing"])
def test_an_export_stopped_by_a_damaged_clip_tells_the_officer_and_raises_an_integrity_notice(
    clip: Clip, actor: access.Actor, purpose: Any, media: Path, damage: str
) -> None:
    from footage.models import IntegrityNotice

    stored = media / clip.storage_key
    if damage == "missing":
        stored.unlink()
    else:
        stored.write_bytes(stored.read_bytes()[:-1] + b"\x00")
    client = _console_with_purpose(actor.user, purpose)

    response = client.post(f"/console/footage/{clip.request.public_id}/export/", follow=True)

    assert response.status_code == 200
    assert "Export refused" in next(str(m) for m in response.context["messages"])
    assert CustodyEvent.objects.filter(clip=clip, action="integrity_failed").exists()
    notice = IntegrityNotice.objects.get(clip=clip)
    assert (notice.expected_sha256, notice.acknowledged_at) == (clip.sha256, None)


def test_owners_are_reminded_once_before_their_recorder_overwrites_the_footage(
    make_camera: Any, actor: access.Actor, purpose: Any, django_capture_on_commit_callbacks: Any
) -> None:
    camera = make_camera("on_request")
    from cameras import services as camera_services

    camera_services.camera_update(owner=camera.site.owner, camera=camera, retention_days=7)
    _send(actor, purpose, [camera])
    request = OwnerRequest.objects.get(owner=camera.site.owner).request
    day_before = request.window_start + dt.timedelta(days=6, hours=2)

    with django_capture_on_commit_callbacks(execute=True):
        early = services.requests_remind(now=request.window_start + dt.timedelta(days=2))
        due = services.requests_remind(now=day_before)
        again = services.requests_remind(now=day_before + dt.timedelta(hours=1))

    assert (early, due, again) == (0, 1, 0)
    assert "Reminder" in mail.outbox[-1].subject
    start = timezone.localtime(request.window_start, ZoneInfo("America/Los_Angeles"))  # Rialto's zone
    assert f"footage of {start:%Y-%m-%d %H:%M} {start.tzname()}" in mail.outbox[-1].body


def test_an_expired_request_takes_no_more_uploads(owner_request: OwnerRequest, mp4: bytes) -> None:
    type(owner_request.request).objects.filter(pk=owner_request.request_id).update(expires_at=timezone.now())

    response = _upload(_owner_client(owner_request), owner_request, mp4)

    assert response.status_code == 400
    assert "expired" in response.content.decode()


def test_sending_a_request_from_the_console_logs_the_requests_not_another_search(
    logged_in_staff: Any, make_camera: Any, in_rialto: Any
) -> None:
    client, _ = logged_in_staff(Role.OFFICER)
    client.post(
        "/console/purpose/",
        {"case_number": "RPD-7", "category": "property_crime", "text": "Van theft", "authority": "consent"},
    )
    camera = make_camera("on_request")
    start, end = (t.astimezone(ZoneInfo(in_rialto.time_zone)) for t in _window())
    area = {"lat": "34.10", "lon": "-117.38", "radius_m": "300"}
    assert client.post("/console/footage/new/", {**area, "choose": "1"}).status_code == 200
    before = AccessEvent.objects.order_by("-seq").first().seq  # type: ignore[union-attr]

    response = client.post(
        "/console/footage/new/",
        {
            **area,
            "window_start": start.strftime("%Y-%m-%dT%H:%M"),
            "window_end": end.strftime("%Y-%m-%dT%H:%M"),
            "message": "Did you see a blue van?",
            "cameras": [str(camera.public_id)],
        },
    )

    assert response.status_code == 302
    written = list(AccessEvent.objects.filter(seq__gt=before).values_list("action", "targets"))
    assert written == [("footage_request", [f"camera:{camera.public_id}"])]


def test_a_plain_link_to_the_footage_request_page_searches_nothing(
    actor: access.Actor, purpose: Any, make_camera: Any
) -> None:
    # given another page that links, redirects or prefetches a signed-in officer there
    make_camera("on_request")
    client = _console_with_purpose(actor.user, purpose)
    before = AccessEvent.objects.filter(action="search").count()

    # when the browser follows it (a GET, which SameSite=Lax cookies allow)
    response = client.get("/console/footage/new/?lat=34.10&lon=-117.38&radius_m=300")

    # then no search is logged (nor told to the owners) on the officer's name
    assert response.status_code == 405
    assert AccessEvent.objects.filter(action="search").count() == before


def test_the_results_open_the_request_page_by_a_post_and_its_form_carries_the_area(
    actor: access.Actor, purpose: Any, make_camera: Any, in_rialto: Any
) -> None:
    camera = make_camera("on_request")
    client = _console_with_purpose(actor.user, purpose)
    results = client.post("/console/search/", {"lat": "34.10", "lon": "-117.38", "radius_m": "300", "mode": "fov"})
    form = re.search(
        r'<form method="post" action="/console/search/export.csv"[^>]*>(.*?)</form>', results.content.decode(), re.S
    )
    assert form is not None
    assert re.search(r'formaction="/console/footage/new/" name="choose" value="1"', form.group(1))
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(1)))
    client.handler.enforce_csrf_checks = True

    page = client.post("/console/footage/new/", {**fields, "choose": "1"})

    body = page.content.decode()
    assert page.status_code == 200
    assert f'value="{camera.public_id}" checked' in body
    request_form = re.search(r'<form method="post" action="/console/footage/new/"[^>]*>(.*?)</form>', body, re.S)
    assert request_form is not None
    carried = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', request_form.group(1)))
    assert (carried["lat"], carried["lon"], carried["radius_m"], carried["mode"]) == ("34.10", "-117.38", "300", "fov")
    assert "csrfmiddlewaretoken" in carried


def test_a_sent_request_says_one_owner_and_one_camera_not_owner_s(
    make_camera: Any, actor: access.Actor, purpose: Any, rialto: Any
) -> None:
    camera = make_camera("on_request")
    client = _console_with_purpose(actor.user, purpose)
    end = timezone.localtime(timezone=ZoneInfo(rialto.time_zone)) - dt.timedelta(hours=1)

    response = client.post(
        "/console/footage/new/",
        {
            "lat": "34.10",
            "lon": "-117.38",
            "radius_m": "500",
            "window_start": (end - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "window_end": end.strftime("%Y-%m-%dT%H:%M"),
            "message": "Did you see a blue van?",
            "cameras": [str(camera.public_id)],
        },
        follow=True,
    )

    assert "Request sent to 1 owner for 1 camera." in response.content.decode()
