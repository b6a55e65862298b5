"""In a real browser on a 375 px phone: the owner's proof page (/my/access/<seq>/proof/), with its
signed note and the witness command, fits the screen; they wrap in their own box."""

import uuid
from typing import Any

import pytest

from accounts.models import Role
from cameras import access
from cameras.models import Camera
from tests.e2e.conftest import LiveServer
from tests.e2e.test_resident_registers_cameras import _owner_with_a_camera
from tests.factories import UserFactory
from tests.live.test_consumers import committed

pytestmark = [pytest.mark.django_db, pytest.mark.e2e]

HOST = "rialto.localhost"


def _an_access_in_a_checkpoint(camera_id: str) -> int:
    from audit.checkpoints import checkpoint_make

    officer = UserFactory(role=Role.OFFICER, badge_number=uuid.uuid4().hex[:6])
    actor = access.Actor(user=officer, mfa=True)
    purpose = access.purpose_declare(
        actor=actor, case_number="C-26-1", category="violent_crime", text="Armed robbery at the corner store"
    )
    camera = Camera.objects.get(public_id=camera_id)
    decision, _ = access.camera_lookup(actor=actor, purpose=purpose, public_id=camera.public_id)
    checkpoint_make()
    return int(decision.event_seq)


@pytest.mark.parametrize("locale", ["en-US", "es-ES"])
def test_the_proof_page_fits_a_phone(porchlight_server: LiveServer, browser: Any, shot: Any, locale: str) -> None:
    # given an owner whose camera an officer looked at, in a signed checkpoint
    session_key, camera_id = committed(_owner_with_a_camera)
    seq = committed(_an_access_in_a_checkpoint, camera_id)
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale=locale)
    context.add_cookies([{"name": "sessionid", "value": session_key, "domain": HOST, "path": "/"}])
    page = context.new_page()

    # when they open the access's proof on their phone
    page.goto(porchlight_server.url(HOST, f"/my/access/{seq}/proof/"))
    shot(page, f"access-proof-375-{locale}")

    # then the page is no wider than the phone, the command and the note wrapping in their boxes
    assert page.locator("pre.command").count() == 1
    assert page.locator("pre.note").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()
