"""Deleting an owner's account: personal data and cameras go at once, evidence stays without
their identity, open requests are closed as "no answer", the access log stays whole."""

import io
from pathlib import Path
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django_tenants.utils import tenant_context

from accounts.models import ApiToken, Role, User
from accounts.selectors import user_pseudonym
from accounts.services import AccountError
from audit.models import AccessEvent
from audit.verify import chain_verify
from cameras.models import Camera, ConsentGrant, Site
from footage.models import Answer, CameraAnswer, Clip, CustodyEvent, OwnerRequest
from footage.storage import clip_store
from live.models import Bridge, LiveSession
from messaging.models import Message, Thread
from ownerdata.services import owner_account_delete
from tests.conftest import SHARED_PK
from tests.factories import UserFactory
from tests.tenancy import connection

from .conftest import OLIVE_ADDRESS, OLIVE_EMAIL, OLIVE_NAME, OLIVE_REPLY, OwnerWorld

pytestmark = pytest.mark.django_db


def _delete(world: OwnerWorld, capture: Any) -> Any:
    with capture(execute=True):
        return owner_account_delete(user=world.owner, now=world.later)


def _tables_containing(text: str) -> list[str]:
    """Every column of every table, in the department's schema and the public one, whose
    text holds ``text`` (case-insensitive)."""
    found = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema, table_name, column_name FROM information_schema.columns "
            "WHERE table_schema IN (%s, 'public') AND data_type IN "
            "('character varying', 'text', 'jsonb', 'json', 'ARRAY') "
            "AND table_name IN (SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = %s AND table_type = 'BASE TABLE' UNION "
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public')",
            [connection.schema_name, connection.schema_name],
        )
        columns = cursor.fetchall()
        for schema, table, column in columns:
            cursor.execute(
                f'SELECT 1 FROM "{schema}"."{table}" WHERE "{column}"::text ILIKE %s LIMIT 1',  # noqa: S608
                [f"%{text}%"],
            )
            if cursor.fetchone():
                found.append(f"{schema}.{table}.{column}")
    return found


def test_every_personal_row_of_the_owner_goes(world: OwnerWorld, django_capture_on_commit_callbacks: Any) -> None:
    owner_id = world.owner.pk
    assert Session.objects.count() > 0

    _delete(world, django_capture_on_commit_callbacks)

    assert not User.objects.filter(pk=owner_id).exists()
    assert not Site.objects.filter(owner_id=owner_id).exists()
    assert not Camera.objects.filter(site__owner_id=owner_id).exists()
    assert not ConsentGrant.objects.filter(camera__site__owner_id=owner_id).exists()
    assert not Bridge.objects.filter(site__owner_id=owner_id).exists()
    assert not ApiToken.objects.filter(user_id=owner_id).exists()
    assert not EmailAddress.objects.filter(user_id=owner_id).exists()
    assert not Authenticator.objects.filter(user_id=owner_id).exists()
    assert not UserSession.objects.filter(user_id=owner_id).exists()
    assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(owner_id)]
    assert not OwnerRequest.objects.filter(owner_id=owner_id).exists()
    for model in (User, Site, Camera, ConsentGrant, Bridge):
        assert not model.history.filter(history_user_id=owner_id).exists(), model


@pytest.mark.parametrize(
    "text", [OLIVE_EMAIL, OLIVE_NAME, OLIVE_ADDRESS, OLIVE_REPLY, "Olive's private reason", "Olive's NVR", "side.mp4"]
)
def test_the_owners_personal_data_survives_in_no_table(
    world: OwnerWorld, django_capture_on_commit_callbacks: Any, text: str
) -> None:
    assert _tables_containing(text)

    _delete(world, django_capture_on_commit_callbacks)

    assert _tables_containing(text) == []


def test_clips_under_hold_or_in_an_open_request_stay_as_evidence_named_by_pseudonym(
    world: OwnerWorld, django_capture_on_commit_callbacks: Any
) -> None:
    pseudonym = user_pseudonym(user_id=world.owner.pk)

    deleted = _delete(world, django_capture_on_commit_callbacks)

    kept = {clip.public_id: clip.because for clip in deleted.footage.kept}
    assert kept == {world.held_clip.public_id: "legal_hold", world.open_clip.public_id: "open_request"}
    for clip in (world.held_clip, world.open_clip):
        clip.refresh_from_db()
        assert clip.purged_at is None
        assert clip_store().exists(clip.storage_key)
        assert clip.answer.owner_request.owner_id is None
        custody = list(CustodyEvent.objects.filter(clip=clip))
        assert custody[0].action == "uploaded"
        assert custody[0].actor_label == pseudonym
        assert custody[-1].action == "owner_deleted"
        assert pseudonym in custody[-1].note
        assert all(event.actor_id != world.owner.pk for event in custody)


def test_a_clip_neither_held_nor_in_an_open_request_is_purged_with_its_file(
    world: OwnerWorld, django_capture_on_commit_callbacks: Any
) -> None:
    deleted = _delete(world, django_capture_on_commit_callbacks)

    clip = Clip.objects.get(pk=world.unheld_clip.pk)
    assert deleted.footage.deleted_clips == 1
    assert clip.purged_at == world.later
    assert clip.original_name == ""
    assert not clip_store().exists(clip.storage_key)
    assert CustodyEvent.objects.filter(clip=clip).last().action == "purged"  # type: ignore[union-attr]


def test_open_requests_are_closed_as_no_answer_and_decline_reasons_erased(
    world: OwnerWorld, django_capture_on_commit_callbacks: Any
) -> None:
    deleted = _delete(world, django_capture_on_commit_callbacks)

    answers = dict(CameraAnswer.objects.filter(owner_request=world.open_request).values_list("answer", "answered_at"))
    assert deleted.footage.open_requests == 1
    assert set(answers) == {Answer.UPLOADED, Answer.NO_ANSWER}
    assert answers[Answer.NO_ANSWER] == world.later
    declined = CameraAnswer.objects.get(owner_request=world.declined_request, answer=Answer.DECLINED)
    assert declined.decline_reason == ""
    # Police still count the owner as asked.
    assert world.open_request.request.owner_requests.count() == 1


def test_an_open_live_view_of_their_cameras_ends_at_once(
    world: OwnerWorld, django_capture_on_commit_callbacks: Any
) -> None:
    _delete(world, django_capture_on_commit_callbacks)

    session = LiveSession.objects.get(pk=world.live_session.pk)
    assert session.ended_at is not None
    assert session.end_reason == "owner_ended"
    assert session.camera is None


def test_the_access_log_keeps_its_events_and_still_verifies(
    world: OwnerWorld, django_capture_on_commit_callbacks: Any
) -> None:
    before = list(AccessEvent.objects.filter(owner_refs__contains=[world.owner.pk]).values_list("seq", "hash"))
    assert before

    _delete(world, django_capture_on_commit_callbacks)

    after = list(AccessEvent.objects.filter(owner_refs__contains=[world.owner.pk]).values_list("seq", "hash"))
    assert after[: len(before)] == before
    assert chain_verify().ok


def test_an_owner_on_a_console_page_is_logged_by_pseudonym_not_by_e_mail(world: OwnerWorld) -> None:
    event = AccessEvent.objects.filter(actor_id=world.owner.pk, action="console_denied").latest("seq")

    assert event.actor_label == user_pseudonym(user_id=world.owner.pk)


def test_another_owners_data_is_untouched(world: OwnerWorld, django_capture_on_commit_callbacks: Any) -> None:
    other = world.other_owner
    requests_before = list(OwnerRequest.objects.filter(owner=other).values_list("pk", flat=True))

    _delete(world, django_capture_on_commit_callbacks)

    assert User.objects.filter(pk=other.pk, email=other.email).exists()
    assert Camera.objects.filter(pk=world.other_camera.pk, consent__isnull=False).exists()
    assert list(OwnerRequest.objects.filter(owner=other).values_list("pk", flat=True)) == requests_before
    assert Site.history.filter(owner_id=other.pk).exclude(address="").exists()


def test_deleting_an_owner_in_one_department_leaves_the_same_user_id_in_another(
    in_rialto: Any, fontana: Any, django_capture_on_commit_callbacks: Any
) -> None:
    shared = User.objects.get(pk=SHARED_PK)

    with django_capture_on_commit_callbacks(execute=True):
        owner_account_delete(user=shared)

    assert not User.objects.filter(pk=SHARED_PK).exists()
    with tenant_context(fontana):
        assert User.objects.filter(pk=SHARED_PK, email="shared@fontana.example.org").exists()
        assert User.history.filter(id=SHARED_PK, email="shared@fontana.example.org").exists()
    connection.set_tenant(in_rialto)


@pytest.mark.parametrize("role", [Role.OFFICER, Role.SUPERVISOR, Role.DEPT_ADMIN, Role.OVERSIGHT])
def test_a_staff_account_cannot_delete_itself(in_rialto: Any, role: str) -> None:
    staff = UserFactory(role=role)

    with pytest.raises(AccountError, match="department administrator"):
        owner_account_delete(user=staff)

    assert User.objects.filter(pk=staff.pk, is_active=True).exists()


def test_an_unfinished_upload_goes_with_its_staged_pieces(
    world: OwnerWorld, django_capture_on_commit_callbacks: Any, mp4: bytes, settings: Any, tmp_path: Path
) -> None:
    from footage import uploads
    from footage.models import ClipUpload

    settings.PORCHLIGHT_UPLOAD_CHUNK_BYTES = 4096
    settings.STORAGES = {
        **settings.STORAGES,
        "clip_staging": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "staging")},
        },
    }
    answer = CameraAnswer.objects.get(owner_request=world.open_request, answer=Answer.PENDING)
    upload = uploads.clip_upload_start(owner=world.owner, answer_id=answer.pk, name="big.mp4", size=len(mp4) * 2)
    uploads.clip_upload_piece(
        owner=world.owner, upload_id=upload.public_id, offset=0, total=len(mp4) * 2, data=mp4[: upload.chunk_size]
    )
    staged = uploads._piece_key(upload, 0)
    assert uploads.staging_store().exists(staged)

    _delete(world, django_capture_on_commit_callbacks)

    assert not ClipUpload.objects.filter(pk=upload.pk).exists()
    assert not uploads.staging_store().exists(staged)


def test_the_cameras_snapshot_images_are_deleted(
    in_rialto: Any, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from tests.factories import camera_make

    owner = UserFactory(role=Role.RESIDENT)
    png = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(png, format="PNG")
    camera = camera_make(owner, in_rialto, snapshot=SimpleUploadedFile("porch.png", png.getvalue()))
    assert camera.snapshot.name is not None
    stored = media / camera.snapshot.name
    assert stored.exists()

    with django_capture_on_commit_callbacks(execute=True):
        owner_account_delete(user=owner)

    assert not stored.exists()


def test_police_on_the_case_can_still_view_a_kept_clip_which_names_no_owner(
    world: OwnerWorld, purpose: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from footage import services as footage_services

    _delete(world, django_capture_on_commit_callbacks)

    viewing = footage_services.clip_view_open(
        actor=world.officer_actor, purpose=purpose, clip_public_id=world.held_clip.public_id
    )

    event = AccessEvent.objects.get(seq=viewing.decision.event_seq)
    assert viewing.link is not None
    assert (event.action, event.outcome, event.owner_refs) == ("clip_view", "allowed", [])


def test_the_owners_messages_go_and_the_officers_messages_stay_as_log_events(
    world: OwnerWorld, django_capture_on_commit_callbacks: Any
) -> None:
    owner_id = world.owner.pk
    [event_seq] = Message.objects.filter(thread__owner_id=owner_id, sender="officer").values_list(
        "access_event_seq", flat=True
    )
    assert event_seq is not None

    _delete(world, django_capture_on_commit_callbacks)

    assert not Thread.objects.filter(owner_id=owner_id).exists()
    assert not Message.objects.filter(access_event_seq=event_seq).exists()
    assert AccessEvent.objects.filter(seq=event_seq, action="message_send").exists()
