"""Every e-mail a task sends carries a Message-ID made from what it is about (core.mail), so
that a copy sent again after a worker died between the mail server's acceptance and the
task's commit is the same message, which a mailbox keeps once (docs/notices-and-tasks.md,
"What exactly once means for an e-mail"; tests/faults/test_worker_killed.py kills a real
worker there for two of them).

Here each task runs, its transaction is rolled back after the e-mail went out (as when the
worker is lost before its commit: the e-mail stays sent, the task's marks are undone), and it
runs again: the two e-mails must have one Message-ID."""

import re
from collections.abc import Callable
from io import BytesIO
from typing import TYPE_CHECKING, Any

import pytest
from django.core import mail
from django.db import transaction

from accounts.models import Role
from accounts.services import user_invite
from audit.models import Action
from audit.services import ActorSnapshot, EventFacts, access_event_record
from audit.tasks import chain_verify_and_alert
from cameras import access
from cameras.access import Actor
from compliance.licences.notices import DepartmentContact
from compliance.licences.services import invitation_emails_send
from compliance.models import Licence, LicenceSource
from core.mail import mail_message_id
from footage import services as footage_services
from footage.notices import clip_purged_notify, footage_request_remind
from footage.tasks import clips_rehash
from messaging.services import message_send
from notifications.models import Kind
from notifications.services import notification_send
from tenants.models import Department, OutboxMessage
from tenants.outbox import _task_named
from tests.audit.tampering import superuser_sql
from tests.factories import UserFactory
from tests.footage import test_requests as given

if TYPE_CHECKING:
    from footage.models import Clip, OwnerRequest

pytestmark = pytest.mark.django_db

mp4, media, owner_request, clip = given.mp4, given.media, given.owner_request, given.clip


class _WorkerLost(Exception):
    """The worker died after the mail server accepted the e-mail, before the task committed."""


def _lost_before_commit(send: Callable[[], object]) -> None:
    with transaction.atomic():
        send()
        raise _WorkerLost


def _sent_twice(send: Callable[[], object]) -> list[Any]:
    """The e-mails of ``send`` run once and rolled back (the worker lost), then run again."""
    mail.outbox.clear()
    with pytest.raises(_WorkerLost):
        _lost_before_commit(send)
    send()
    return list(mail.outbox)


def _owed(task_name: str, action: Callable[[], object], capture: Any) -> Callable[[], object]:
    """Do ``action`` (its after-commit publishes held back) and return the run of the task it
    owed, as a worker runs it: the task, with its outbox row's arguments."""
    with capture(execute=False):
        action()
    row = OutboxMessage.objects.filter(task_name=task_name).latest("pk")
    task = _task_named(task_name)
    return lambda: task(**row.kwargs)


# --- each e-mail: what it is about, and how its task is owed -----------------------------------


def _notification(request: pytest.FixtureRequest, capture: Any) -> Callable[[], object]:
    request.getfixturevalue("in_rialto")
    officer = UserFactory(role=Role.OFFICER)
    return _owed(
        "notifications.tasks.notification_email_send",
        lambda: notification_send(recipient=officer, kind=Kind.OWNER_REPLIED, subject="A reply", body="Read it"),
        capture,
    )


def _message(request: pytest.FixtureRequest, capture: Any) -> Callable[[], object]:
    camera = request.getfixturevalue("make_camera")("registered")
    actor, purpose = request.getfixturevalue("actor"), request.getfixturevalue("purpose")
    return _owed(
        "messaging.tasks.message_email_owner",
        lambda: message_send(actor=actor, purpose=purpose, camera_public_id=camera.public_id, body="Seen a van?"),
        capture,
    )


def _invitation(request: pytest.FixtureRequest, capture: Any) -> Callable[[], object]:
    request.getfixturevalue("in_rialto")
    return _owed(
        "accounts.tasks.user_invitation_send",
        lambda: user_invite(actor=None, email="invited-mid@example.org", role=Role.OFFICER),
        capture,
    )


def _licence_invitation(request: pytest.FixtureRequest, capture: Any) -> Callable[[], object]:
    request.getfixturevalue("in_rialto")
    admin = UserFactory(role=Role.DEPT_ADMIN)
    # No service makes one licence (they come from an imported file): the row alone.
    licence = Licence.objects.create(
        source=LicenceSource.BUSINESS_LICENCE,
        number="MID-1",
        name="Corner Shop",
        address="1 Main St",
        address_key="1 main st",
        email="shop-mid@example.org",
    )
    return _owed(
        "compliance.tasks.licence_invitation_email_send",
        lambda: invitation_emails_send(
            actor=Actor(user=admin, mfa=True),
            licences=[licence],
            register_url="https://rialto.localhost/",
            contact=DepartmentContact(name="Rialto", phone="(909) 820-2550", email="cameras@rialto.example.gov"),
        ),
        capture,
    )


def _footage_request(request: pytest.FixtureRequest, capture: Any) -> Callable[[], object]:
    camera = request.getfixturevalue("make_camera")("on_request")
    actor, purpose = request.getfixturevalue("actor"), request.getfixturevalue("purpose")
    return _owed("footage.tasks.footage_request_notify", lambda: given._send(actor, purpose, [camera]), capture)


def _footage_reminder(request: pytest.FixtureRequest, capture: Any) -> Callable[[], object]:
    owner_request: OwnerRequest = request.getfixturevalue("owner_request")
    return lambda: footage_request_remind(owner_request_id=owner_request.pk)


def _clip_receipt(request: pytest.FixtureRequest, capture: Any) -> Callable[[], object]:
    owner_request: OwnerRequest = request.getfixturevalue("owner_request")
    video: bytes = request.getfixturevalue("mp4")
    assert owner_request.owner is not None
    owner, answer = owner_request.owner, owner_request.answers.get()
    return _owed(
        "footage.tasks.clip_receipt_send",
        lambda: footage_services.clip_upload(
            owner=owner, answer_id=answer.pk, upload=BytesIO(video), name="door.mp4", size=len(video)
        ),
        capture,
    )


def _clip_purged(request: pytest.FixtureRequest, capture: Any) -> Callable[[], object]:
    clip: Clip = request.getfixturevalue("clip")
    return lambda: clip_purged_notify(clip_id=clip.pk)


def _access_digest(request: pytest.FixtureRequest, capture: Any) -> Callable[[], object]:
    camera = request.getfixturevalue("make_camera")("on_request", notify_on_access=True)
    actor, purpose = request.getfixturevalue("actor"), request.getfixturevalue("purpose")
    return _owed(
        "cameras.digest.access_digest_send",
        lambda: access.camera_lookup(
            actor=actor, purpose=purpose, public_id=camera.public_id, action=Action.CAMERA_VIEW
        ),
        capture,
    )


def _clips_integrity(request: pytest.FixtureRequest, capture: Any) -> Callable[[], object]:
    clip: Clip = request.getfixturevalue("clip")
    stored = request.getfixturevalue("media") / clip.storage_key
    data = bytearray(stored.read_bytes())
    data[100] ^= 0xFF  # the stored file no longer hashes to what was uploaded
    stored.write_bytes(bytes(data))
    return clips_rehash


def _log_broken(request: pytest.FixtureRequest, capture: Any) -> Callable[[], object]:
    request.getfixturevalue("in_rialto")
    event = access_event_record(actor=ActorSnapshot(user_id=1), facts=EventFacts("search", "allowed", "ok"))
    superuser_sql("UPDATE audit_accessevent SET case_number = 'edited' WHERE seq = %s", [event.seq])
    return chain_verify_and_alert


EMAILS = {
    "notification": _notification,
    "message": _message,
    "invitation": _invitation,
    "licence-invitation": _licence_invitation,
    "footage-request": _footage_request,
    "footage-reminder": _footage_reminder,
    "clip-receipt": _clip_receipt,
    "clip-purged": _clip_purged,
    "access-digest": _access_digest,
    "clips-integrity": _clips_integrity,
    "log-broken": _log_broken,
}


@pytest.mark.parametrize("kind", EMAILS)
def test_an_email_sent_again_after_its_worker_was_lost_is_the_same_message(
    kind: str, request: pytest.FixtureRequest, django_capture_on_commit_callbacks: Any
) -> None:
    send = EMAILS[kind](request, django_capture_on_commit_callbacks)

    first, second = _sent_twice(send)

    assert first.extra_headers["Message-ID"] == second.extra_headers["Message-ID"]
    assert first.message()["Message-ID"].startswith(f"<{kind}.")
    assert first.message()["Message-ID"].endswith(".rialto@porchlight.localhost>")


def test_two_emails_of_one_kind_have_two_message_ids(in_rialto: Department) -> None:
    officers = [UserFactory(role=Role.OFFICER), UserFactory(role=Role.OFFICER)]
    mail.outbox.clear()

    for officer in officers:
        notification = notification_send(recipient=officer, kind=Kind.OWNER_REPLIED, subject="A reply", body="x")
        assert notification is not None
        _task_named("notifications.tasks.notification_email_send")(notification_id=notification.pk)

    assert len({m.extra_headers["Message-ID"] for m in mail.outbox}) == 2


def test_a_message_id_names_the_department_and_holds_only_what_rfc_5322_allows(in_rialto: Department) -> None:
    plain = mail_message_id(kind="clip-purged", about=[42])
    sentence = mail_message_id(kind="log-rewritten", about=['leaf 3 differs: <b> & @ "quoted"'])

    assert plain == "<clip-purged.42.rialto@porchlight.localhost>"
    assert re.fullmatch(r"<[A-Za-z0-9_.-]+@porchlight\.localhost>", sentence)
    assert sentence == mail_message_id(kind="log-rewritten", about=['leaf 3 differs: <b> & @ "quoted"'])
