"""Messages are rate-limited per user, the officer's and the owner's answers alike
(docs/rate-limits.md): over the limit, the 429 page says when to try again and nothing is sent."""

from typing import Any

import pytest

from messaging.models import Message
from tests.messaging.test_pages import _owner_client, officer_client, owner_camera  # noqa: F401 (fixtures)


@pytest.fixture(autouse=True)
def two_a_minute(settings: Any) -> None:
    settings.PORCHLIGHT_RATE_LIMITS = {**settings.PORCHLIGHT_RATE_LIMITS, "message": "2/m/user"}


def test_an_officers_third_message_in_a_minute_is_refused_429_and_the_owner_can_still_answer(
    officer_client: Any,  # noqa: F811
    owner_camera: Any,  # noqa: F811
) -> None:
    client, _ = officer_client
    url = f"/console/cameras/{owner_camera.public_id}/message/"

    answers = [client.post(url, {"body": f"Question {i}"}) for i in range(3)]
    thread = Message.objects.get(body="Question 0").thread
    owner = _owner_client(owner_camera.site.owner)
    reply = owner.post(f"/my/messages/{thread.public_id}/", {"body": "No van here."})

    assert [a.status_code for a in answers] == [302, 302, 429]
    assert "Too many messages: at most 2 every 60 seconds. Try again in" in answers[-1].content.decode()
    assert 1 <= int(answers[-1]["Retry-After"]) <= 60
    assert not Message.objects.filter(body="Question 2").exists()
    assert reply.status_code == 302


def test_an_owners_third_answer_in_a_minute_is_refused_429(
    officer_client: Any,  # noqa: F811
    owner_camera: Any,  # noqa: F811
) -> None:
    client, _ = officer_client
    client.post(f"/console/cameras/{owner_camera.public_id}/message/", {"body": "Question"})
    thread = Message.objects.get(body="Question").thread
    owner = _owner_client(owner_camera.site.owner)

    answers = [owner.post(f"/my/messages/{thread.public_id}/", {"body": f"Answer {i}"}) for i in range(3)]

    assert [a.status_code for a in answers] == [302, 302, 429]
    assert 'id="rate-limited"' in answers[-1].content.decode()
    assert not Message.objects.filter(body="Answer 2").exists()
