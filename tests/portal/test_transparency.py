"""The department's public transparency page: figures from the log and the registry, small
counts suppressed the same way in HTML and JSON, nothing that names a person or places a
camera, and one department's figures never on another's page."""

import datetime as dt
import json
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import Role
from audit.services import ActorSnapshot, EventFacts, PurposeSnapshot, access_event_record
from tenants.models import DepartmentPolicy
from tests.conftest import TenantClient
from tests.factories import UserFactory


def _events(n: int, action: str = "search", category: str = "violent_crime", **facts: Any) -> None:
    for _ in range(n):
        access_event_record(
            actor=ActorSnapshot(user_id=1, label="Officer Zebulon Quartermaine", badge="9931"),
            facts=EventFacts(action, facts.pop("outcome", "allowed"), facts.pop("reason", "ok"), **facts),
            purpose=PurposeSnapshot(category=category, case_number="24-000123", text="Burglary on Cedar Ave"),
        )


def _this_month() -> dt.date:
    return timezone.localdate().replace(day=1)


def _last_month() -> dt.date:
    return (_this_month() - dt.timedelta(days=1)).replace(day=1)


def as_last_month() -> None:
    """The figures of the events written so far moved to last month, as they would stand had
    the events been written then (the log's own times are the database's clock and cannot be
    set; the public page reads the month rollups only)."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_monthrollup SET month = %s WHERE month = %s", [_last_month(), _this_month()])


def test_the_page_needs_no_sign_in_and_shows_the_figures(
    in_rialto: Any, rialto_client: TenantClient, make_camera: Any
) -> None:
    make_camera("live")
    _events(7)
    as_last_month()

    response = rialto_client.get("/transparency/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "<svg" in body
    assert "Violent crime" in body
    assert "Ed25519" in body


def test_small_counts_are_suppressed_the_same_in_html_and_json(in_rialto: Any, rialto_client: TenantClient) -> None:
    _events(3, category="missing_person")
    _events(6, category="violent_crime")
    as_last_month()

    page = rialto_client.get("/transparency/").content.decode()
    data = rialto_client.get("/transparency.json").json()

    searches = data["searches_by_month_and_purpose_category"]
    assert "<5" in searches["missing_person"]
    assert 6 in searches["violent_crime"] or "<5" not in [c for c in searches["violent_crime"] if c != 0]
    assert "&lt;5" in page
    assert data["suppression"]["threshold"] == 5


def test_the_threshold_is_the_departments_policy(in_rialto: Any, rialto_client: TenantClient) -> None:
    DepartmentPolicy.objects.filter(department=in_rialto).update(public_cell_threshold=10)
    _events(7)
    as_last_month()

    data = rialto_client.get("/transparency.json").json()

    assert "<10" in data["searches_by_month_and_purpose_category"]["violent_crime"]


def test_no_person_and_no_camera_location_appears(
    in_rialto: Any, rialto_client: TenantClient, make_camera: Any
) -> None:
    camera = make_camera("on_request", lon=-117.391234, lat=34.105678)
    owner = camera.site.owner
    officer = UserFactory(role=Role.OFFICER, full_name="Zebulon Quartermaine")
    _events(
        8,
        action="camera_view",
        targets=[f"camera:{camera.public_id}"],
        owner_refs=[owner.pk],
    )
    as_last_month()

    page = rialto_client.get("/transparency/").content.decode()
    data = rialto_client.get("/transparency.json").content.decode()

    for text in (page, data):
        assert officer.full_name not in text
        assert "Quartermaine" not in text
        assert owner.email not in text
        assert "-117.39" not in text
        assert "34.105" not in text
        assert str(camera.public_id) not in text
        assert "24-000123" not in text
        assert "Cedar Ave" not in text


def test_one_departments_page_never_shows_anothers_figures(
    fontana: Any, rialto: Any, rialto_client: TenantClient
) -> None:
    with tenant_context(fontana):
        _events(9, category="missing_person")
        as_last_month()

    with tenant_context(rialto):
        data = rialto_client.get("/transparency.json").json()

    assert "missing_person" not in data["searches_by_month_and_purpose_category"]


@pytest.mark.parametrize(("query", "message"), [("year=abc", "four digits"), ("month=3", "Unknown filter: month")])
def test_bad_filters_get_a_clear_message(in_rialto: Any, rialto_client: TenantClient, query: str, message: str) -> None:
    html = rialto_client.get(f"/transparency/?{query}")
    data = rialto_client.get(f"/transparency.json?{query}")

    assert html.status_code == data.status_code == 400
    assert message in html.content.decode()
    assert message in json.loads(data.content)["error"]


def test_the_public_page_shows_the_latest_signed_checkpoint_and_its_feed_lists_them(
    in_rialto: Any, rialto_client: TenantClient
) -> None:
    from audit.checkpoints import checkpoint_make, verifier_key

    _events(3)
    first = checkpoint_make()
    _events(2)
    second = checkpoint_make()

    data = json.loads(rialto_client.get("/transparency.json").content)
    page = rialto_client.get("/transparency/").content.decode()
    feed = rialto_client.get("/transparency/checkpoints.atom")

    assert data["checkpoint"]["tree_size"] == second.tree_size
    assert data["checkpoint"]["verifier_key"] == verifier_key()
    assert data["checkpoint"]["verifier_key"] in page
    assert data["checkpoint"]["root_hash"] in page
    assert feed.status_code == 200
    assert feed["Content-Type"].startswith("application/atom+xml")
    body = feed.content.decode()
    assert body.index(f"size={second.tree_size}") < body.index(f"size={first.tree_size}")  # newest first
    assert second.note.splitlines()[0] in body  # the signed note itself


def test_the_page_says_where_the_standalone_witness_is_and_how_to_run_it(
    in_rialto: Any, rialto_client: TenantClient
) -> None:
    import html

    from audit.checkpoints import checkpoint_make, verifier_key

    _events(1)
    checkpoint_make()

    page = html.unescape(rialto_client.get("/transparency/").content.decode())

    assert "tools/porchlight_witness.py" in page
    assert "docs/transparency-log.md" in page
    assert f"python3 porchlight_witness.py --log http://rialto.localhost --key '{verifier_key()}' --state" in page


def test_the_checkpoint_feed_gives_the_signed_note_as_plain_text_with_its_line_breaks(
    in_rialto: Any, rialto_client: TenantClient
) -> None:
    from xml.etree import ElementTree

    from audit.checkpoints import checkpoint_make

    _events(2)
    checkpoint = checkpoint_make()

    feed = ElementTree.fromstring(rialto_client.get("/transparency/checkpoints.atom").content)  # noqa: S314 (our own feed)

    summary = feed.find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}summary")
    assert summary is not None
    assert summary.get("type") == "text"
    assert summary.text == checkpoint.note
    assert "\n" in checkpoint.note
