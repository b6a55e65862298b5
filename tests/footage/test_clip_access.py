"""Who may see the footage an owner sent: the officer who asked, a supervisor, or an officer
whose stated purpose names the request's case. Any other officer is refused, and the refusal
is logged (it is an attempt on the owner's footage)."""

from typing import Any

import pytest
from django.utils import translation

from accounts.models import Role
from audit.models import AccessEvent
from cameras import access
from footage import services
from footage.models import Clip, CustodyEvent
from tests.factories import UserFactory
from tests.footage import test_requests as given

mp4, media, owner_request, clip = given.mp4, given.media, given.owner_request, given.clip


def _colleague(*, role: str = Role.OFFICER, case_number: str = "OTHER-9") -> tuple[access.Actor, Any]:
    actor = access.Actor(user=UserFactory(role=role), mfa=True, session_hash="t" * 64, ip="10.1.2.4")
    purpose = access.purpose_declare(actor=actor, case_number=case_number, category="property_crime", text="A matter")
    return actor, purpose


def _open(action: str, actor: access.Actor, purpose: Any, clip: Clip) -> bool:
    if action == "view":
        return services.clip_view_open(actor=actor, purpose=purpose, clip_public_id=clip.public_id).link is not None
    _decision, token = services.download_link_issue(actor=actor, purpose=purpose, clip_public_id=clip.public_id)
    if token is not None:  # the download view: redeemed, and the clip's custody records it as sent
        services.clip_download_record(link=services.download_link_redeem(actor=actor, purpose=purpose, raw_token=token))
    return token is not None


@pytest.mark.parametrize("action", ["view", "download"])
def test_an_officer_on_another_case_cannot_see_the_clip_and_the_attempt_is_logged(clip: Clip, action: str) -> None:
    other, purpose = _colleague()

    opened = _open(action, other, purpose, clip)

    event = AccessEvent.objects.filter(actor_id=other.user.pk).latest("seq")
    assert not opened
    assert (event.action, event.outcome, event.reason) == (f"clip_{action}", "denied", "not_on_case")
    assert f"clip:{clip.public_id}" in event.targets
    assert not CustodyEvent.objects.filter(clip=clip, actor_id=other.user.pk).exists()


@pytest.mark.parametrize("action", ["view", "download"])
@pytest.mark.parametrize(
    ("role", "case_number"),
    [(Role.OFFICER, " rpd-26-0042 "), (Role.SUPERVISOR, "SUP-1")],
    ids=["a colleague on the same case", "a supervisor"],
)
def test_a_colleague_on_the_case_or_a_supervisor_sees_the_clip_under_their_own_purpose(
    clip: Clip, action: str, role: str, case_number: str
) -> None:
    other, purpose = _colleague(role=role, case_number=case_number)

    opened = _open(action, other, purpose, clip)

    custody = CustodyEvent.objects.get(clip=clip, actor_id=other.user.pk)
    assert opened
    assert AccessEvent.objects.filter(actor_id=other.user.pk).latest("seq").outcome == "allowed"
    assert custody.case_number == purpose.case_number


def test_the_refusal_says_why_in_words() -> None:
    with translation.override("en"):
        assert "another case" in str(access._MESSAGES["not_on_case"])
