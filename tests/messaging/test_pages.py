"""The message pages: an officer writes from the camera page and reads answers in the console
without ever seeing who the owner is (until the owner shares it); the owner reads and answers
in the portal and finds the message in "Who accessed my cameras"."""

from typing import Any

import pytest
from django.utils import translation

from accounts.models import Role
from audit.models import AccessEvent
from cameras import access, services
from messaging import selectors
from messaging import services as messaging
from messaging.models import Message, Thread
from tests.conftest import TenantClient, login_with_mfa
from tests.factories import UserFactory, totp_enable
from tests.tenancy import connection


@pytest.fixture
def officer_client(logged_in_staff: Any) -> tuple[TenantClient, Any]:
    client, officer = logged_in_staff(Role.OFFICER)
    response = client.post(
        "/console/purpose/",
        {"case_number": "RPD-77", "category": "property_crime", "text": "Burglary on Cedar", "authority": "consent"},
    )
    assert response.status_code == 302
    return client, officer


@pytest.fixture
def owner_camera(make_camera: Any) -> Any:
    camera = make_camera("registered")
    owner = camera.site.owner
    owner.full_name = "Zelda Quimby"
    owner.save()
    return camera


def _owner_client(owner: Any, host: str = "rialto.localhost") -> TenantClient:
    client = TenantClient(host)
    client.force_login(owner)
    return client


def _identity(camera: Any) -> list[str]:
    owner = camera.site.owner
    return [owner.email, owner.full_name, camera.site.address, camera.label]


def test_the_camera_page_offers_a_message_box(officer_client: Any, owner_camera: Any) -> None:
    client, _ = officer_client

    page = client.get(f"/console/cameras/{owner_camera.public_id}/").content.decode()

    assert 'id="message-form"' in page
    assert f'action="/console/cameras/{owner_camera.public_id}/message/"' in page


def test_the_camera_page_says_why_a_revoked_camera_cannot_be_messaged(officer_client: Any, owner_camera: Any) -> None:
    client, _ = officer_client
    services.consent_revoke(owner=owner_camera.site.owner, camera=owner_camera)

    page = client.get(f"/console/cameras/{owner_camera.public_id}/").content.decode()

    assert 'id="message-form"' not in page
    assert "Messages: not allowed, the owner revoked consent." in page


def test_an_officer_sends_a_message_and_no_page_of_theirs_names_the_owner(
    officer_client: Any, owner_camera: Any
) -> None:
    client, officer = officer_client

    response = client.post(
        f"/console/cameras/{owner_camera.public_id}/message/", {"body": "Did you see a <script>van</script>?"}
    )

    thread = Thread.objects.get(officer=officer)
    assert response.status_code == 302
    assert response["Location"] == f"/console/messages/{thread.public_id}/"
    pages = [client.get(path).content.decode() for path in ("/console/messages/", response["Location"])]
    assert "Did you see a &lt;script&gt;van&lt;/script&gt;?" in pages[1]
    assert "<script>van" not in pages[1]
    for page in pages:
        for secret in _identity(owner_camera):
            assert secret not in page


def test_an_empty_message_is_a_clear_error_and_nothing_is_logged(officer_client: Any, owner_camera: Any) -> None:
    client, _ = officer_client
    before = AccessEvent.objects.filter(action="message_send").count()

    response = client.post(f"/console/cameras/{owner_camera.public_id}/message/", {"body": "   "})

    assert response.status_code == 400
    assert "Write a message first: it is empty." in response.content.decode()
    assert AccessEvent.objects.filter(action="message_send").count() == before


def test_without_a_purpose_the_officer_is_told_to_state_one(logged_in_staff: Any, owner_camera: Any) -> None:
    client, _ = logged_in_staff(Role.OFFICER)

    response = client.post(f"/console/cameras/{owner_camera.public_id}/message/", {"body": "Hello"})

    page = response.content.decode()
    assert response.status_code == 403
    assert "State a purpose (case number, category and reason) first." in page
    assert 'href="/console/purpose/"' in page
    assert AccessEvent.objects.order_by("-seq").first().reason == "purpose_required"  # type: ignore[union-attr]


@pytest.mark.parametrize("camera_id", ["6207c4b9-af42-4b05-9843-ce40017f3dd4", "nonsense"])
def test_a_missing_camera_is_a_404(officer_client: Any, camera_id: str) -> None:
    client, _ = officer_client

    response = client.post(f"/console/cameras/{camera_id}/message/", {"body": "Hello"})

    assert response.status_code == 404


def test_a_revoked_camera_is_refused_with_the_reason(officer_client: Any, owner_camera: Any) -> None:
    client, _ = officer_client
    services.consent_revoke(owner=owner_camera.site.owner, camera=owner_camera)

    response = client.post(f"/console/cameras/{owner_camera.public_id}/message/", {"body": "Hello"})

    assert response.status_code == 403
    assert "The owner has withdrawn consent for this camera." in response.content.decode()
    assert not Message.objects.filter(thread__camera=owner_camera).exists()


def test_an_officer_of_another_department_gets_a_404_for_this_departments_camera(
    owner_camera: Any, fontana: Any, fontana_client: TenantClient
) -> None:
    connection.set_tenant(fontana)
    officer = UserFactory(role=Role.OFFICER)
    login_with_mfa(fontana_client, officer.email, totp_enable(officer))
    fontana_client.post(
        "/console/purpose/",
        {"case_number": "F-1", "category": "property_crime", "text": "Theft", "authority": "consent"},
    )

    response = fontana_client.post(f"/console/cameras/{owner_camera.public_id}/message/", {"body": "Hello"})

    assert response.status_code == 404


def test_another_officer_cannot_open_the_thread(officer_client: Any, owner_camera: Any, make_staff: Any) -> None:
    client, officer = officer_client
    client.post(f"/console/cameras/{owner_camera.public_id}/message/", {"body": "Hello"})
    thread = Thread.objects.get(officer=officer)
    other, secret = make_staff(Role.OFFICER)
    other_client = TenantClient("rialto.localhost")
    login_with_mfa(other_client, other.email, secret)

    assert other_client.get(f"/console/messages/{thread.public_id}/").status_code == 404


def test_the_owner_reads_and_answers_and_the_officer_sees_the_answer_without_the_owners_identity(
    officer_client: Any, owner_camera: Any
) -> None:
    client, officer = officer_client
    client.post(f"/console/cameras/{owner_camera.public_id}/message/", {"body": "Did you see a van?"})
    thread = Thread.objects.get(officer=officer)
    owner = _owner_client(owner_camera.site.owner)
    assert "(1 unread)" in owner.get("/my/messages/").content.decode()

    page = owner.get(f"/my/messages/{thread.public_id}/").content.decode()
    response = owner.post(f"/my/messages/{thread.public_id}/", {"body": "Yes, a white van at 9."})

    assert "Did you see a van?" in page
    assert "Badge 4711" in page
    assert response.status_code == 302
    listing = client.get("/console/messages/").content.decode()
    assert "(1 unread)" in listing
    officer_page = client.get(f"/console/messages/{thread.public_id}/").content.decode()
    assert "Yes, a white van at 9." in officer_page
    for secret in _identity(owner_camera):
        assert secret not in officer_page
    assert "(1 unread)" not in client.get("/console/messages/").content.decode()


def test_the_officer_sees_the_owners_contact_only_in_the_answer_that_shares_it(
    officer_client: Any, owner_camera: Any
) -> None:
    client, officer = officer_client
    client.post(f"/console/cameras/{owner_camera.public_id}/message/", {"body": "Could we talk?"})
    thread = Thread.objects.get(officer=officer)
    owner = _owner_client(owner_camera.site.owner)

    owner.post(f"/my/messages/{thread.public_id}/", {"body": "Sure, call me.", "share_contact": "on"})
    page = client.get(f"/console/messages/{thread.public_id}/").content.decode()

    assert owner_camera.site.owner.email in page
    assert "Zelda Quimby" in page
    assert "1 Main St" in page


def test_an_owner_cannot_open_another_owners_thread(officer_client: Any, owner_camera: Any, make_camera: Any) -> None:
    client, officer = officer_client
    client.post(f"/console/cameras/{owner_camera.public_id}/message/", {"body": "Hello"})
    thread = Thread.objects.get(officer=officer)
    stranger = _owner_client(make_camera("registered").site.owner)

    assert stranger.get(f"/my/messages/{thread.public_id}/").status_code == 404
    assert stranger.post(f"/my/messages/{thread.public_id}/", {"body": "Hi"}).status_code == 404


def test_an_owner_of_another_department_cannot_open_this_departments_thread(
    officer_client: Any, owner_camera: Any, fontana: Any
) -> None:
    client, officer = officer_client
    client.post(f"/console/cameras/{owner_camera.public_id}/message/", {"body": "Hello"})
    thread = Thread.objects.get(officer=officer)
    connection.set_tenant(fontana)
    fontana_owner = UserFactory(role=Role.RESIDENT)

    response = _owner_client(fontana_owner, "fontana.localhost").get(f"/my/messages/{thread.public_id}/")

    assert response.status_code == 404


def test_the_message_appears_in_who_accessed_my_cameras(make_camera: Any, actor: access.Actor, purpose: Any) -> None:
    camera = make_camera("registered")
    messaging.message_send(actor=actor, purpose=purpose, camera_public_id=camera.public_id, body="Hello")
    owner = _owner_client(camera.site.owner)

    page = owner.get("/my/access/").content.decode()
    api = owner.get("/api/v1/me/access-events/").json()["results"][0]

    assert "Message sent to the owner" in page
    assert "RPD-26-0042" in page
    assert (api["action"], api["allowed"]) == ("message_send", True)


def test_a_refused_message_appears_in_the_owners_log_as_an_attempt(
    make_camera: Any, actor: access.Actor, purpose: Any
) -> None:
    camera = make_camera("registered")
    services.consent_revoke(owner=camera.site.owner, camera=camera)
    with pytest.raises(messaging.MessageRefused):
        messaging.message_send(actor=actor, purpose=purpose, camera_public_id=camera.public_id, body="Hello")

    page = _owner_client(camera.site.owner).get("/my/access/").content.decode()

    assert "Attempt to send you a message" in page
    assert "Denied: you had withdrawn consent" in page


def test_the_owner_turns_message_emails_off(owner_camera: Any) -> None:
    owner = _owner_client(owner_camera.site.owner)

    response = owner.post("/my/messages/", {})  # the box unticked

    assert response.status_code == 302
    assert selectors.email_on_message(owner=owner_camera.site.owner) is False
    assert "checked" not in owner.get("/my/messages/").content.decode().split('id="message-preference"')[1]


@pytest.mark.parametrize("path", ["/my/messages/", "/console/messages/"])
def test_the_message_pages_are_in_spanish(officer_client: Any, owner_camera: Any, path: str) -> None:
    client, _ = officer_client
    if path.startswith("/my/"):
        client = _owner_client(owner_camera.site.owner)

    page = client.get(path, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    translation.activate("en")  # the request left Spanish active on this thread

    assert "Mensajes" in page
    assert "Conversación" in page


def test_after_the_owner_deletes_the_camera_both_still_read_the_thread_and_no_more_can_be_sent(
    officer_client: Any, owner_camera: Any
) -> None:
    client, officer = officer_client
    client.post(f"/console/cameras/{owner_camera.public_id}/message/", {"body": "Hello"})
    thread = Thread.objects.get(officer=officer)
    owner = owner_camera.site.owner
    services.camera_delete(owner=owner, camera=owner_camera)

    officer_page = client.get(f"/console/messages/{thread.public_id}/").content.decode()
    refused = client.post(f"/console/messages/{thread.public_id}/", {"body": "Still there?"})
    owner_page = _owner_client(owner).get(f"/my/messages/{thread.public_id}/").content.decode()

    assert "a deleted camera" in officer_page
    assert 'id="message-form"' not in officer_page
    assert refused.status_code == 410
    assert "no more messages can be sent" in refused.content.decode()
    assert "Messages about a deleted camera" in owner_page
    assert "Hello" in owner_page


def test_a_follow_up_from_the_thread_is_another_gate_decision(officer_client: Any, owner_camera: Any) -> None:
    client, officer = officer_client
    client.post(f"/console/cameras/{owner_camera.public_id}/message/", {"body": "Hello"})
    thread = Thread.objects.get(officer=officer)
    before = AccessEvent.objects.filter(action="message_send", actor_id=officer.pk).count()

    response = client.post(f"/console/messages/{thread.public_id}/", {"body": "One more question"})

    assert response.status_code == 302
    assert AccessEvent.objects.filter(action="message_send", actor_id=officer.pk).count() == before + 1
    assert [m.body for m in thread.messages.order_by("created_at")] == ["Hello", "One more question"]


def test_console_threads_are_titled_by_camera_type_placement_and_address_block(
    officer_client: Any, make_camera: Any
) -> None:
    client, officer = officer_client
    camera = make_camera("registered", address="1234 W Baseline Rd")
    client.post(f"/console/cameras/{camera.public_id}/message/", {"body": "Hello"})
    thread = Thread.objects.get(officer=officer)

    paths = ("/console/messages/", f"/console/messages/{thread.public_id}/")
    pages = [client.get(path).content.decode() for path in paths]
    spanish = client.get(paths[0], HTTP_ACCEPT_LANGUAGE="es").content.decode()
    translation.activate("en")

    for page in pages:
        assert "Fixed camera · Outside, 1200 block of W Baseline Rd" in page
        assert "1234 W Baseline Rd" not in page
        assert f"Camera {str(camera.public_id)[:8]}" not in page
    assert "Cámara fija · Exterior, cuadra 1200 de W Baseline Rd" in spanish


def test_a_thread_names_the_whole_address_when_the_owner_shares_contact(officer_client: Any, make_camera: Any) -> None:
    client, _ = officer_client
    camera = make_camera("registered", address="1234 W Baseline Rd", share_contact=True)
    client.post(f"/console/cameras/{camera.public_id}/message/", {"body": "Hello"})

    page = client.get("/console/messages/").content.decode()

    assert "Fixed camera · Outside, 1234 W Baseline Rd" in page
