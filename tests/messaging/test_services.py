"""Messages from officers to camera owners: a gate action at every consent level from
`registered`, refused (and logged) otherwise; owners' replies stay in their own threads."""

import datetime as dt
import uuid
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from accounts.models import Role
from accounts.services import user_language_set
from audit.models import AccessEvent
from cameras import access, services
from cameras.models import AccessNotice, ConsentGrant
from messaging import selectors
from messaging import services as messaging
from messaging.models import MESSAGE_MAX_CHARS, Message, MessagingPreference, Sender, Thread
from notifications.models import Notification
from tenants.services import policy_update
from tests.factories import UserFactory
from tests.tenancy import connection


def _last() -> AccessEvent:
    return AccessEvent.objects.order_by("-seq").first()  # type: ignore[return-value]


def _send(actor: access.Actor, purpose: Any, camera: Any, body: str = "Did you see a white van at 9 pm?") -> Message:
    return messaging.message_send(actor=actor, purpose=purpose, camera_public_id=camera.public_id, body=body)


@pytest.mark.parametrize("level", ["registered", "on_request", "live_exigent", "live"])
def test_an_officer_may_message_the_owner_at_every_consent_level_and_it_is_one_allowed_event(
    make_camera: Any, actor: access.Actor, purpose: Any, level: str
) -> None:
    camera = make_camera(level)
    before = AccessEvent.objects.count()

    message = _send(actor, purpose, camera)

    event = _last()
    assert AccessEvent.objects.count() == before + 1
    assert (event.action, event.outcome, event.reason, event.consent_level) == ("message_send", "allowed", "ok", level)
    assert event.targets == [f"camera:{camera.public_id}"]
    assert event.owner_refs == [camera.site.owner_id]
    assert event.case_number == "RPD-26-0042"
    assert message.access_event_seq == event.seq
    assert (message.thread.owner_id, message.thread.officer_id, message.sender) == (
        camera.site.owner_id,
        actor.user.pk,
        Sender.OFFICER,
    )


@pytest.mark.parametrize("consent", ["revoked", "expired", "paused"])
def test_a_message_is_refused_and_logged_when_consent_is_revoked_expired_or_paused(
    make_camera: Any, actor: access.Actor, purpose: Any, consent: str
) -> None:
    camera = make_camera("live")
    owner = camera.site.owner
    if consent == "revoked":
        services.consent_revoke(owner=owner, camera=camera)
    elif consent == "paused":
        services.camera_status_set(owner=owner, camera=camera, status="paused")
    else:
        ConsentGrant.objects.filter(pk=camera.consent.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))

    with pytest.raises(messaging.MessageRefused) as refused:
        _send(actor, purpose, camera)

    assert (refused.value.decision.reason, refused.value.hidden) == (consent, False)
    assert (_last().action, _last().outcome, _last().reason) == ("message_send", "denied", consent)
    assert _last().owner_refs == [owner.pk]
    assert not Message.objects.filter(thread__camera=camera).exists()


def test_a_camera_without_any_consent_is_refused_as_if_it_did_not_exist(
    make_camera: Any, actor: access.Actor, purpose: Any
) -> None:
    camera = make_camera("registered")
    ConsentGrant.objects.filter(pk=camera.consent.pk).delete()  # a camera registered before consent existed

    with pytest.raises(messaging.MessageRefused) as refused:
        _send(actor, purpose, camera)

    assert (refused.value.decision.reason, refused.value.hidden) == ("no_grant", True)
    assert (_last().action, _last().outcome) == ("message_send", "denied")


@pytest.mark.parametrize("camera_id", [uuid.uuid4(), "not-a-uuid"])
def test_a_missing_camera_is_a_logged_not_found(actor: access.Actor, purpose: Any, camera_id: Any) -> None:
    with pytest.raises(messaging.MessageRefused) as refused:
        messaging.message_send(actor=actor, purpose=purpose, camera_public_id=camera_id, body="Hello")

    assert (refused.value.decision.reason, refused.value.hidden) == ("not_found", True)
    assert (_last().action, _last().reason) == ("message_send", "not_found")


def test_a_message_without_a_purpose_is_refused_and_logged(make_camera: Any, actor: access.Actor) -> None:
    camera = make_camera("registered")

    with pytest.raises(messaging.MessageRefused) as refused:
        _send(actor, None, camera)

    assert refused.value.decision.reason == "purpose_required"
    assert (_last().action, _last().outcome, _last().reason) == ("message_send", "denied", "purpose_required")


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.DEPT_ADMIN, Role.OVERSIGHT])
def test_only_police_roles_may_message_owners(make_camera: Any, purpose: Any, in_rialto: Any, role: str) -> None:
    other = access.Actor(user=UserFactory(role=role), mfa=True)

    with pytest.raises(messaging.MessageRefused):
        _send(other, purpose, make_camera("live"))

    assert (_last().outcome, _last().reason, _last().actor_role) == ("denied", "role_not_permitted", role)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("", "empty"),
        ("   \n ", "empty"),
        ("x" * (MESSAGE_MAX_CHARS + 1), f"at most {MESSAGE_MAX_CHARS} characters"),
        ("null\x00byte", "NUL"),
    ],
)
def test_a_bad_message_says_what_is_wrong_and_nothing_is_logged(
    make_camera: Any, actor: access.Actor, purpose: Any, body: str, words: str
) -> None:
    camera = make_camera("registered")
    before = AccessEvent.objects.count()

    with translation.override("en"), pytest.raises(ValidationError) as invalid:
        _send(actor, purpose, camera, body)

    assert words in invalid.value.message_dict["body"][0]
    assert AccessEvent.objects.count() == before


def test_an_officer_over_the_hourly_cap_is_refused_and_the_refusal_is_logged(
    make_camera: Any, actor: access.Actor, purpose: Any, settings: Any
) -> None:
    settings.PORCHLIGHT_MESSAGES_PER_HOUR = 2
    camera = make_camera("registered")
    _send(actor, purpose, camera)
    _send(actor, purpose, camera)

    with pytest.raises(messaging.MessageRefused) as refused:
        _send(actor, purpose, camera)

    assert refused.value.decision.reason == "too_many_messages"
    assert (_last().action, _last().outcome, _last().reason) == ("message_send", "denied", "too_many_messages")
    assert Message.objects.filter(thread__officer=actor.user).count() == 2


def test_messages_to_one_camera_make_one_thread_per_officer(
    make_camera: Any, actor: access.Actor, purpose: Any, in_rialto: Any
) -> None:
    camera = make_camera("registered")
    other = access.Actor(user=UserFactory(role=Role.OFFICER), mfa=True)
    other_purpose = access.purpose_declare(actor=other, case_number="C-2", category="property_crime", text="Theft")

    first, second = _send(actor, purpose, camera), _send(actor, purpose, camera)
    third = _send(other, other_purpose, camera)

    assert first.thread_id == second.thread_id != third.thread_id
    assert Thread.objects.filter(camera=camera).count() == 2


def test_an_officer_of_another_department_cannot_message_a_camera_of_this_one(
    make_camera: Any, rialto: Any, fontana: Any
) -> None:
    camera = make_camera("live")
    connection.set_tenant(fontana)
    fontana_officer = access.Actor(user=UserFactory(role=Role.OFFICER), mfa=True)
    fontana_purpose = access.purpose_declare(
        actor=fontana_officer, case_number="FPD-1", category="property_crime", text="Theft"
    )

    with pytest.raises(messaging.MessageRefused) as refused:
        _send(fontana_officer, fontana_purpose, camera)

    assert (refused.value.decision.reason, refused.value.hidden) == ("not_found", True)
    assert (_last().action, _last().reason) == ("message_send", "not_found")
    connection.set_tenant(rialto)
    assert not Message.objects.filter(thread__camera=camera).exists()


def test_the_owner_answers_in_the_thread_and_the_officer_sees_the_answer_unread(
    make_camera: Any, actor: access.Actor, purpose: Any
) -> None:
    camera = make_camera("registered")
    thread = _send(actor, purpose, camera).thread
    events = AccessEvent.objects.count()

    reply = messaging.message_reply(owner=camera.site.owner, thread_public_id=thread.public_id, body="Yes, at 9:05.")

    assert (reply.sender, reply.shares_contact, reply.shared_contact) == (Sender.OWNER, False, {})
    assert AccessEvent.objects.count() == events  # a reply is not police access
    assert selectors.unread_for_officer(officer=actor.user) == 1
    assert [t.unread for t in selectors.threads_of_officer(officer=actor.user)] == [1]  # type: ignore[attr-defined]  # annotated by the selector


def test_reading_a_thread_marks_the_other_sides_messages_read(
    make_camera: Any, actor: access.Actor, purpose: Any
) -> None:
    camera = make_camera("registered")
    owner = camera.site.owner
    thread = _send(actor, purpose, camera).thread
    assert selectors.unread_for_owner(owner=owner) == 1

    messaging.thread_read(thread=thread, reader=Sender.OWNER)

    assert selectors.unread_for_owner(owner=owner) == 0


def test_a_reply_shares_the_owners_contact_only_when_they_choose_to(
    make_camera: Any, actor: access.Actor, purpose: Any
) -> None:
    camera = make_camera("registered")
    owner = camera.site.owner
    thread = _send(actor, purpose, camera).thread

    shared = messaging.message_reply(owner=owner, thread_public_id=thread.public_id, body="Call me", share_contact=True)

    assert shared.shared_contact == {"name": owner.full_name, "email": owner.email, "address": "1 Main St"}


def test_another_owner_cannot_answer_a_thread_that_is_not_theirs(
    make_camera: Any, actor: access.Actor, purpose: Any
) -> None:
    thread = _send(actor, purpose, make_camera("registered")).thread
    stranger = make_camera("registered").site.owner

    with pytest.raises(Thread.DoesNotExist):
        messaging.message_reply(owner=stranger, thread_public_id=thread.public_id, body="Hi")
    with pytest.raises(Thread.DoesNotExist):
        selectors.thread_of_owner(owner=stranger, public_id=thread.public_id)


def test_an_owner_of_another_department_cannot_read_a_thread_of_this_one(
    make_camera: Any, actor: access.Actor, purpose: Any, fontana: Any
) -> None:
    thread = _send(actor, purpose, make_camera("registered")).thread
    connection.set_tenant(fontana)
    fontana_owner = UserFactory(role=Role.RESIDENT)

    with pytest.raises(Thread.DoesNotExist):
        selectors.thread_of_owner(owner=fontana_owner, public_id=thread.public_id)
    with pytest.raises(Thread.DoesNotExist):
        messaging.message_reply(owner=fontana_owner, thread_public_id=thread.public_id, body="Hi")


def test_an_owner_over_the_hourly_cap_is_told_to_wait(
    make_camera: Any, actor: access.Actor, purpose: Any, settings: Any
) -> None:
    settings.PORCHLIGHT_REPLIES_PER_HOUR = 1
    camera = make_camera("registered")
    thread = _send(actor, purpose, camera).thread
    messaging.message_reply(owner=camera.site.owner, thread_public_id=thread.public_id, body="One")

    with translation.override("en"), pytest.raises(ValidationError, match="try again later"):
        messaging.message_reply(owner=camera.site.owner, thread_public_id=thread.public_id, body="Two")


def test_the_message_is_emailed_to_the_owner_and_no_access_notice_repeats_it(
    make_camera: Any, actor: access.Actor, purpose: Any, django_capture_on_commit_callbacks: Any
) -> None:
    camera = make_camera("registered", notify_on_access=True)

    with django_capture_on_commit_callbacks(execute=True):
        message = _send(actor, purpose, camera, "Did you see a <b>white van</b>?")

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [camera.site.owner.email]
    assert email.subject == "[Porchlight] Rialto Police Department sent you a message"
    assert "Did you see a <b>white van</b>?" in email.body  # plain text: as written
    assert "Badge 0815" in email.body
    assert f"/my/messages/{message.thread.public_id}/" in email.body
    message.refresh_from_db()
    assert message.emailed_at is not None


def test_an_owner_who_turned_message_emails_off_still_gets_the_access_notice_they_asked_for(
    make_camera: Any, actor: access.Actor, purpose: Any
) -> None:
    camera = make_camera("registered", notify_on_access=True)
    messaging.messaging_preference_set(owner=camera.site.owner, email_on_message=False)

    _send(actor, purpose, camera)

    assert AccessNotice.objects.filter(owner_id=camera.site.owner_id).count() == 1


def test_an_owner_who_gets_the_message_by_email_gets_no_access_notice_besides(
    make_camera: Any, actor: access.Actor, purpose: Any
) -> None:
    camera = make_camera("registered", notify_on_access=True)

    _send(actor, purpose, camera)

    assert not AccessNotice.objects.filter(owner_id=camera.site.owner_id).exists()


def test_an_owner_who_turned_emails_off_gets_none_but_the_message_waits_in_the_portal(
    make_camera: Any, actor: access.Actor, purpose: Any, django_capture_on_commit_callbacks: Any
) -> None:
    camera = make_camera("registered")
    owner = camera.site.owner
    messaging.messaging_preference_set(owner=owner, email_on_message=False)

    with django_capture_on_commit_callbacks(execute=True):
        _send(actor, purpose, camera)

    assert mail.outbox == []
    assert selectors.unread_for_owner(owner=owner) == 1
    assert MessagingPreference.history.filter(owner=owner).latest().history_user_id == owner.pk


def test_the_email_is_in_the_departments_language_when_the_owner_has_none_stored(
    make_camera: Any, actor: access.Actor, purpose: Any, django_capture_on_commit_callbacks: Any, in_rialto: Any
) -> None:
    policy_update(department=in_rialto, actor=None, language="es")
    camera = make_camera("registered")

    with django_capture_on_commit_callbacks(execute=True):
        _send(actor, purpose, camera)

    assert mail.outbox[0].subject == "[Porchlight] Rialto Police Department le envió un mensaje"
    assert "Placa 0815" in mail.outbox[0].body


def test_the_email_is_in_the_owners_own_language(
    make_camera: Any, actor: access.Actor, purpose: Any, django_capture_on_commit_callbacks: Any
) -> None:
    camera = make_camera("registered")
    user_language_set(user=camera.site.owner, language="es")

    with django_capture_on_commit_callbacks(execute=True):
        _send(actor, purpose, camera)

    assert mail.outbox[0].subject == "[Porchlight] Rialto Police Department le envió un mensaje"


def test_the_owners_export_selector_lists_every_thread_with_its_messages(
    make_camera: Any, actor: access.Actor, purpose: Any
) -> None:
    camera = make_camera("registered")
    owner = camera.site.owner
    thread = _send(actor, purpose, camera).thread
    messaging.message_reply(owner=owner, thread_public_id=thread.public_id, body="Yes")

    threads = list(selectors.owner_threads_with_messages(owner=owner))

    assert [[m.body for m in t.messages.all()] for t in threads] == [["Did you see a white van at 9 pm?", "Yes"]]


def test_the_officer_is_notified_of_a_reply_by_case_only(make_camera: Any, actor: access.Actor, purpose: Any) -> None:
    camera = make_camera("registered")
    thread = _send(actor, purpose, camera).thread
    owner = camera.site.owner

    messaging.message_reply(owner=owner, thread_public_id=thread.public_id, body="Yes, at 9:05.")

    notification = Notification.objects.get(recipient=actor.user)
    words = f"{notification.subject} {notification.body}"
    assert purpose.case_number in notification.subject
    assert notification.link == f"/console/messages/{thread.public_id}/"
    for private in (owner.email, owner.display_label, camera.label, camera.site.address, "9:05"):
        assert private not in words
