"""The staff API's view of messages: an officer's own threads; the owner is not named unless
they shared their contact details in an answer."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from accounts.services import api_token_issue
from cameras import access
from messaging import services as messaging
from tests.conftest import TenantClient
from tests.factories import UserFactory, totp_enable


@pytest.fixture
def officer_token(actor: access.Actor) -> str:
    totp_enable(actor.user)
    return api_token_issue(user=actor.user, name="cli").raw


def _get(token: str) -> Any:
    return TenantClient("rialto.localhost").get("/api/v1/messages/", HTTP_AUTHORIZATION=f"Token {token}")


def test_the_api_lists_the_officers_threads_without_the_owner_until_they_share_it(
    make_camera: Any, actor: access.Actor, purpose: Any, officer_token: str
) -> None:
    camera = make_camera("registered")
    owner = camera.site.owner
    thread = messaging.message_send(actor=actor, purpose=purpose, camera_public_id=camera.public_id, body="Hi").thread
    messaging.message_reply(owner=owner, thread_public_id=thread.public_id, body="Hello")
    before = _get(officer_token)

    messaging.message_reply(owner=owner, thread_public_id=thread.public_id, body="Call me", share_contact=True)
    after = _get(officer_token).json()

    assert before.status_code == 200
    listed = before.json()
    assert [(t["camera_id"], t["unread_answers"]) for t in listed] == [(str(camera.public_id), 1)]
    assert [m["owner_contact"] for m in listed[0]["messages"]] == [None, None]
    for secret in (owner.email, owner.full_name, "1 Main St", camera.label):
        assert secret not in before.content.decode()
    assert after[0]["messages"][-1]["owner_contact"] == {
        "name": owner.full_name,
        "email": owner.email,
        "address": "1 Main St",
    }


def test_the_api_lists_only_the_officers_own_threads_in_a_constant_number_of_queries(
    make_camera: Any, actor: access.Actor, purpose: Any, officer_token: str, in_rialto: Any
) -> None:
    for _ in range(3):
        messaging.message_send(actor=actor, purpose=purpose, camera_public_id=make_camera().public_id, body="Hi")
    other = access.Actor(user=UserFactory(role=Role.OFFICER), mfa=True)
    other_purpose = access.purpose_declare(actor=other, case_number="C-9", category="property_crime", text="Theft")
    messaging.message_send(actor=other, purpose=other_purpose, camera_public_id=make_camera().public_id, body="Hi")

    with CaptureQueriesContext(connection) as queries:
        listed = _get(officer_token).json()

    assert len(listed) == 3
    assert len(queries) <= 8


def test_an_owner_cannot_use_the_staff_messages_api(make_camera: Any) -> None:
    owner = make_camera().site.owner
    token = api_token_issue(user=owner, name="cli").raw

    assert _get(token).status_code == 403
