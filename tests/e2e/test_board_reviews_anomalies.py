"""An oversight board member opens the anomaly queue, reads what each rule found and its
threshold, follows a flag to its events in the search, is told an empty note is not saved, then
marks the flag reviewed with a note and sees it listed, in the queue's "reviewed" filter."""

import uuid
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import Role
from audit.anomalies import FlagIn, anomaly_flags_add
from audit.models import AnomalyFlag
from audit.services import ActorSnapshot, EventFacts, PurposeSnapshot, access_event_record
from tenants.models import Department
from tests.e2e.conftest import LiveServer
from tests.e2e.test_officer_searches import _committed
from tests.factories import PASSWORD, UserFactory, totp_code, totp_enable

HOST = "rialto.localhost"
pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


def _world() -> dict[str, Any]:
    """A board member, an officer's events and the flags the rules made of them (committed:
    the events cannot be moved in time without breaking the shared department's chain, so the
    flags are stored as the engine stores them; the rules have their own tests)."""
    tag = uuid.uuid4().hex[:6]
    department = Department.objects.get(schema_name="rialto")
    with tenant_context(department):
        member = UserFactory(role=Role.OVERSIGHT, email=f"board-{tag}@example.org", full_name="Bea Board")
        badge = f"A{tag}"
        actor = ActorSnapshot(user_id=None, label="Officer Ames", badge=badge, role="officer", mfa=True)
        search = access_event_record(
            actor=actor,
            facts=EventFacts("search", "allowed", "ok"),
            purpose=PurposeSnapshot(case_number=f"C-{tag}", category="property_crime", text="follow up"),
        )
        live = access_event_record(
            actor=actor,
            facts=EventFacts("live_start", "allowed", "ok", targets=["camera:11111111-2222-3333-4444-555555555555"]),
            purpose=PurposeSnapshot(case_number=f"C-{tag}", category="property_crime", text="follow up"),
        )
        now = timezone.now()
        anomaly_flags_add(
            flags=[
                FlagIn(
                    "vague_purpose",
                    f"e2e-{tag}-vague",
                    [search.seq],
                    now,
                    None,
                    "Officer Ames",
                    badge,
                    {"text": "follow up", "case": f"C-{tag}", "min_words": 4},
                ),
                FlagIn(
                    "off_hours",
                    f"e2e-{tag}-night",
                    [live.seq],
                    now,
                    None,
                    "Officer Ames",
                    badge,
                    {"time": "2026-12-06 23:40", "start": 7, "end": 19, "camera": ""},
                ),
            ]
        )
        flag = AnomalyFlag.objects.get(key=f"e2e-{tag}-night").pk
        return {"member": member, "secret": totp_enable(member), "badge": badge, "flag": flag}


def test_a_board_member_reviews_a_flag_of_the_anomaly_queue(
    porchlight_server: LiveServer, page: Any, shot: Any
) -> None:
    server, world = porchlight_server, _committed(_world)
    page.goto(server.url(HOST, "/accounts/login/"))
    page.fill("[name=login]", world["member"].email)
    page.fill("[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.fill("[name=code]", totp_code(world["secret"]))
    page.click("main button[type=submit]")
    page.wait_for_load_state()

    page.goto(server.url(HOST, "/oversight/anomalies/?status=unreviewed"))
    page.click("details.anomaly-rules summary")
    shot(page, "queue")
    flag = page.locator(f"#flag-{world['flag']}")
    assert "outside 07:00 to 19:00" in flag.inner_text()
    assert "before 07:00 or from 19:00 on" in page.locator("details.anomaly-rules").inner_text()

    flag.locator("button[type=submit]").click()  # no note: refused, with a message
    page.wait_for_load_state()
    shot(page, "empty-note")
    assert "Write a note" in page.locator(f"#flag-{world['flag']}").inner_text()
    assert page.locator("[name=status]").input_value() == "unreviewed"  # the queue as it was filtered

    page.locator(f"#flag-{world['flag']} textarea[name=note]").fill(
        "Checked the dispatch log: a burglary call at 23:38."
    )
    page.locator(f"#flag-{world['flag']} button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(server.url(HOST, "/oversight/anomalies/?status=reviewed&rule=off_hours"))
    shot(page, "reviewed")
    assert "a burglary call at 23:38" in page.locator(f"#flag-{world['flag']}").inner_text()

    page.locator(f"#flag-{world['flag']} a", has_text="See these events in the search").click()
    page.wait_for_load_state()
    shot(page, "events")
    assert page.locator("#board-results tbody tr").count() == 1  # the live view, not the search
    assert world["badge"] in page.locator("#board-results").inner_text()
