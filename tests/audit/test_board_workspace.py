"""The oversight board's workspace: search on every field, keyset pages, signed exports,
administrative changes; refused to everyone else (404, logged); one department only."""

import csv
import datetime as dt
import io
import json
import uuid
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import Role
from accounts.services import user_deactivate, user_invite, user_role_change
from audit.models import AccessEvent
from audit.services import ActorSnapshot, EventFacts, PurposeSnapshot, access_event_record
from tenants.models import DepartmentPolicy
from tenants.services import policy_update
from tests.conftest import TenantClient, login_with_mfa
from tests.factories import UserFactory, totp_enable
from tests.tenancy import connection

SEARCH = "/oversight/search/"


def _event(
    *,
    badge: str = "100",
    action: str = "search",
    outcome: str = "allowed",
    reason: str = "ok",
    case: str = "C-1",
    category: str = "property_crime",
    targets: list[str] | None = None,
    details: dict[str, Any] | None = None,
    text: str = "burglary at the corner shop",
) -> AccessEvent:
    return access_event_record(
        actor=ActorSnapshot(user_id=1, label="Officer", badge=badge, role="officer", mfa=True),
        facts=EventFacts(action, outcome, reason, targets=targets or [], details=details or {}),
        purpose=PurposeSnapshot(case_number=case, category=category, text=text),
    )


def _today() -> Any:
    """Today in the department's time zone (the board's days are the department's)."""
    return timezone.localdate(timezone=ZoneInfo(connection.tenant.time_zone))


def _last() -> AccessEvent:
    return AccessEvent.objects.order_by("-seq").first()  # type: ignore[return-value]


@pytest.fixture
def board(logged_in_staff: Any) -> Any:
    client, _user = logged_in_staff(Role.OVERSIGHT)
    return client


def test_the_board_filters_by_officer_and_day_and_the_reading_is_logged(board: TenantClient) -> None:
    mine = [_event(badge="4242"), _event(badge="4242", action="camera_view")]
    _event(badge="999")
    today = _today().isoformat()

    response = board.get(SEARCH, {"badge": "4242", "date_from": today, "date_to": today})

    assert response.status_code == 200
    assert sorted(e.seq for e in response.context["page"].events) == [e.seq for e in mine]
    read = _last()
    assert (read.action, read.outcome, read.quantity) == ("audit_read", "allowed", 2)
    assert read.details["filter"]["badge"] == "4242"
    assert read.details["view"] == "board_search"


def test_a_day_before_the_events_finds_none(board: TenantClient) -> None:
    _event(badge="4242")
    yesterday = (_today() - dt.timedelta(days=1)).isoformat()

    response = board.get(SEARCH, {"badge": "4242", "date_to": yesterday})

    assert response.context["page"].events == []


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"date_from": "2026-05-02", "date_to": "2026-05-01"}, "date_to", "comes before the first"),
        ({"date_from": "1066-10-14"}, "date_from", "no events before 2000"),
        ({"date_to": "9999-12-31"}, "date_to", "has not come yet"),
        ({"date_from": "yesterday"}, "date_from", "YYYY-MM-DD"),
        ({"action": "delete_everything"}, "action", "is not an action of the log"),
        ({"reason": "no_such_reason"}, "reason", "has the reason"),
        ({"outcome": "maybe"}, "outcome", "not “maybe”"),
        ({"camera": "camera:123"}, "camera", "A camera id looks like"),
        ({"lat": "34.1", "lon": "-117.4"}, "radius_m", "needs a latitude, a longitude and a radius"),
        ({"lat": "nan", "lon": "1", "radius_m": "10"}, "lat", "from -90 to 90"),
        ({"lat": "34.1", "lon": "-117.4", "radius_m": "1e9"}, "radius_m", "from 1 to 50000"),
        ({"polygon": "{not json"}, "polygon", "is not GeoJSON"),
        ({"polygon": '{"type": "Point", "coordinates": [1, 2]}'}, "polygon", "GeoJSON Polygon"),
        ({"after": "abc"}, "after", "number of an event"),
        ({"upto": "-5"}, "upto", ""),
        ({"badge": "x" * 40}, "badge", "at most 32"),
    ],
)
def test_bad_filters_are_named_on_their_field_and_nothing_is_read(
    board: TenantClient, params: dict[str, str], field: str, words: str
) -> None:
    before = _event().seq

    response = board.get(SEARCH, params)

    assert response.status_code == 400
    errors = " ".join(str(e) for e in response.context["form"].errors.get(field, []))
    assert errors
    assert words in errors
    assert _last().seq == before


def test_keyset_pages_list_every_event_once_in_order(board: TenantClient) -> None:
    made = [_event(case="PAGES-1").seq for _ in range(120)]

    seen: list[int] = []
    response = board.get(SEARCH, {"case_number": "PAGES-1"})
    while True:
        seen += [e.seq for e in response.context["page"].events]
        if not response.context["next_page"]:
            break
        response = board.get(SEARCH + response.context["next_page"])

    assert seen == sorted(made, reverse=True)


def test_later_pages_stay_on_the_events_of_the_first(board: TenantClient) -> None:
    first = [_event(case="ANCHOR").seq for _ in range(60)]
    response = board.get(SEARCH, {"case_number": "ANCHOR", "sort": "oldest"})
    _event(case="ANCHOR")  # written after the reading began

    response = board.get(SEARCH + response.context["next_page"])

    assert [e.seq for e in response.context["page"].events] == first[50:]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"action": "camera_view"}, {"view"}),
        ({"outcome": "denied"}, {"denied"}),
        ({"reason": "revoked"}, {"denied"}),
        ({"purpose_category": "violent_crime"}, {"violent"}),
        ({"case_number": "CASE-77"}, {"case"}),
        ({"role": "officer"}, {"search", "view", "denied", "violent", "case", "camera", "near", "far"}),
        ({"lat": "34.1", "lon": "-117.38", "radius_m": "300"}, {"near"}),
        (
            {
                "polygon": json.dumps(
                    {
                        "type": "Polygon",
                        "coordinates": [
                            [[-117.385, 34.095], [-117.375, 34.095], [-117.375, 34.105], [-117.385, 34.095]]
                        ],
                    }
                )
            },
            {"near"},
        ),
    ],
)
def test_every_field_filters(board: TenantClient, params: dict[str, str], expected: set[str]) -> None:
    camera = uuid.uuid4()
    made = {
        "search": _event(case="F"),
        "view": _event(action="camera_view", case="F"),
        "denied": _event(outcome="denied", reason="revoked", case="F"),
        "violent": _event(category="violent_crime", case="F"),
        "case": _event(case="CASE-77"),
        "camera": _event(targets=[f"camera:{camera}"], case="F"),
        "near": _event(details={"area": {"shape": "circle", "center": [-117.38, 34.1], "radius_m": 100}}, case="F"),
        "far": _event(details={"area": {"shape": "circle", "center": [-117.2, 34.0], "radius_m": 100}}, case="F"),
    }
    names = {event.seq: name for name, event in made.items()}

    response = board.get(SEARCH, {**params, "date_from": _today().isoformat()})

    found = {names[e.seq] for e in response.context["page"].events if e.seq in names}
    assert found == expected


def test_the_camera_filter_takes_the_pseudonymous_id(board: TenantClient) -> None:
    camera = uuid.uuid4()
    event = _event(targets=[f"camera:{camera}", f"camera:{uuid.uuid4()}"])

    response = board.get(SEARCH, {"camera": str(camera)})

    assert [e.seq for e in response.context["page"].events] == [event.seq]


@pytest.mark.parametrize("role", [Role.OFFICER, Role.RESIDENT, Role.BUSINESS])
@pytest.mark.parametrize(
    "path", [SEARCH, "/oversight/export/csv/", "/oversight/export/json/manifest/", "/oversight/changes/"]
)
def test_anyone_but_the_log_readers_is_told_the_page_does_not_exist_and_logged(
    make_staff: Any, rialto_client: TenantClient, role: str, path: str
) -> None:
    user = UserFactory(role=role)
    if role == Role.OFFICER:
        login_with_mfa(rialto_client, user.email, totp_enable(user))
    else:
        rialto_client.force_login(user)

    response = rialto_client.get(path)

    assert response.status_code == 404
    refused = _last()
    assert (refused.action, refused.outcome, refused.reason, refused.actor_id) == (
        "audit_read",
        "denied",
        "role_not_permitted",
        user.pk,
    )
    assert refused.details == {"path": path}


def test_a_board_member_without_mfa_is_sent_to_set_it_up(in_rialto: Any, rialto_client: TenantClient) -> None:
    rialto_client.force_login(UserFactory(role=Role.OVERSIGHT))

    response = rialto_client.get(SEARCH)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/totp/activate/")


def _download(client: TenantClient, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response.content[:300] if not response.streaming else response
    return b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]  # streamed: the test client's response type does not say so


def test_the_csv_export_is_streamed_formula_safe_and_its_signed_manifest_verifies(
    board: TenantClient, tmp_path: Path
) -> None:
    events = [_event(case='=HYPERLINK("http://x")', text="+1 call me"), _event(case="EXP-2")]
    page = board.get(SEARCH, {"date_from": _today().isoformat(), "badge": "100"})
    export_url = dict(page.context["exports"])["csv"]
    manifest_url = dict(page.context["manifests"])["csv"]

    response = board.get(export_url)
    assert response.streaming
    assert _last().action == "log_export"
    data = b"".join(response.streaming_content)  # type: ignore[attr-defined]  # streamed
    manifest = _download(board, manifest_url)

    rows = list(csv.DictReader(io.StringIO(data.decode())))
    assert [int(r["seq"]) for r in rows] == [e.seq for e in reversed(events)]
    assert rows[-1]["case_number"].startswith("'=")
    assert rows[-1]["purpose_text"].startswith("'+")
    document = json.loads(manifest)
    assert document["manifest"]["count"] == 2
    assert document["manifest"]["filter"]["badge"] == "100"
    assert document["manifest"]["chain_head"]["seq"] == page.context["upto"]
    (tmp_path / "log.csv").write_bytes(data)
    (tmp_path / "log.json").write_bytes(manifest)
    out = io.StringIO()
    call_command("audit_export_verify", str(tmp_path / "log.csv"), str(tmp_path / "log.json"), stdout=out)
    assert out.getvalue().startswith("ok: 2 events")


def test_a_changed_export_fails_verification(board: TenantClient, tmp_path: Path) -> None:
    _event(case="EXP-3")
    page = board.get(SEARCH, {"case_number": "EXP-3"})
    data = _download(board, dict(page.context["exports"])["json"])
    manifest = _download(board, dict(page.context["manifests"])["json"])
    (tmp_path / "log.json").write_bytes(data.replace(b"EXP-3", b"EXP-4"))
    (tmp_path / "manifest.json").write_bytes(manifest)

    with pytest.raises(CommandError, match="NOT VERIFIED: the file's SHA-256"):
        call_command("audit_export_verify", str(tmp_path / "log.json"), str(tmp_path / "manifest.json"))


def test_a_manifest_signed_by_another_key_fails_against_the_published_fingerprint(
    board: TenantClient, tmp_path: Path
) -> None:
    _event(case="EXP-5")
    page = board.get(SEARCH, {"case_number": "EXP-5"})
    data = _download(board, dict(page.context["exports"])["json"])
    manifest = _download(board, dict(page.context["manifests"])["json"])
    (tmp_path / "log.json").write_bytes(data)
    (tmp_path / "manifest.json").write_bytes(manifest)

    with pytest.raises(CommandError, match="not by the department's key"):
        call_command(
            "audit_export_verify", str(tmp_path / "log.json"), str(tmp_path / "manifest.json"), fingerprint="ab" * 32
        )


def test_the_json_export_holds_the_selection(board: TenantClient) -> None:
    made = [_event(case="EXP-J").seq for _ in range(3)]
    page = board.get(SEARCH, {"case_number": "EXP-J", "sort": "oldest"})

    data = json.loads(_download(board, dict(page.context["exports"])["json"]))

    assert [row["seq"] for row in data] == made
    assert "session_hash" not in data[0]


def test_an_export_without_upto_is_anchored_to_the_head_first(board: TenantClient) -> None:
    _event()

    response = board.get("/oversight/export/csv/", {"case_number": "X"})

    assert response.status_code == 302
    assert f"upto={AccessEvent.objects.order_by('-seq').first().seq}" in response["Location"]  # type: ignore[union-attr]


def test_a_board_member_of_another_department_sees_none_of_these_events(
    in_rialto: Any, fontana: Any, fontana_client: TenantClient
) -> None:
    camera = uuid.uuid4()
    rialto_event = _event(badge="7777", case="RIALTO-ONLY", targets=[f"camera:{camera}"])
    with tenant_context(fontana):
        member = UserFactory(role=Role.OVERSIGHT)
        login_with_mfa(fontana_client, member.email, totp_enable(member))
    connection.set_tenant(in_rialto)

    found = []
    for params in (
        {"badge": "7777"},
        {"case_number": "RIALTO-ONLY"},
        {"camera": str(camera)},
        {"upto": str(rialto_event.seq), "after": str(rialto_event.seq + 1)},
        {"upto": str(rialto_event.seq)},
    ):
        response = fontana_client.get(SEARCH, params)
        found += [e for e in response.context["page"].events if e.hash == rialto_event.hash]
        data = _download(fontana_client, dict(response.context["exports"])["json"])
        assert b"RIALTO-ONLY" not in data

    assert found == []


def test_administrative_changes_show_who_did_what_and_when(board: TenantClient, in_rialto: Any) -> None:
    admin = UserFactory(role=Role.DEPT_ADMIN, full_name="Ada Admin", badge_number="1")
    invited = user_invite(actor=admin, email="new.officer@example.org", role=Role.OFFICER, full_name="Nia New")
    user_role_change(actor=admin, user=invited, role=Role.SUPERVISOR)
    user_deactivate(actor=admin, user=invited)
    policy_update(department=in_rialto, actor=admin, live_view_limit_minutes=7)

    response = board.get("/oversight/changes/")

    changes = {(c.kind, c.who, c.subject) for c, _label in response.context["changes"]}
    assert ("staff_invited", "Ada Admin (#1)", "Nia New") in changes
    assert ("role_changed", "Ada Admin (#1)", "Nia New") in changes
    assert ("deactivated", "Ada Admin (#1)", "Nia New") in changes
    assert any(kind == "policy_changed" and who == "Ada Admin (#1)" for kind, who, _s in changes)
    assert _last().details["view"] == "admin_changes"
    assert DepartmentPolicy.objects.get(department=in_rialto).live_view_limit_minutes == 7


def test_administrative_changes_filter_by_kind(board: TenantClient, in_rialto: Any) -> None:
    admin = UserFactory(role=Role.DEPT_ADMIN)
    user_invite(actor=admin, email="another@example.org", role=Role.OFFICER)
    policy_update(department=in_rialto, actor=admin, live_view_limit_minutes=9)

    response = board.get("/oversight/changes/", {"kind": "policy_changed"})

    assert {c.kind for c, _label in response.context["changes"]} == {"policy_changed"}


def test_an_unknown_kind_of_change_is_named(board: TenantClient) -> None:
    response = board.get("/oversight/changes/", {"kind": "coup"})

    assert response.status_code == 400
    assert "is not a kind of change" in str(response.context["form"].errors["kind"])


def test_an_owner_changing_between_resident_and_business_is_not_administration(
    board: TenantClient, in_rialto: Any
) -> None:
    admin = UserFactory(role=Role.DEPT_ADMIN)
    owner = UserFactory(role=Role.RESIDENT, full_name="Otto Owner")
    user_role_change(actor=admin, user=owner, role=Role.BUSINESS)

    response = board.get("/oversight/changes/")

    assert "Otto Owner" not in {c.subject for c, _label in response.context["changes"]}


@pytest.mark.parametrize(
    "area",
    [
        {"shape": "polygon", "coordinates": "garbage"},
        {"shape": "circle", "center": ["a", "b"], "radius_m": 10},
        {"shape": "circle", "center": [1, 2], "radius_m": "far"},
    ],
)
def test_an_event_whose_area_is_malformed_is_still_written_and_searched_around(
    board: TenantClient, area: dict[str, Any]
) -> None:
    event = _event(details={"area": area})

    response = board.get(SEARCH, {"lat": "2", "lon": "1", "radius_m": "1000"})

    assert AccessEvent.objects.filter(seq=event.seq).exists()
    assert response.status_code == 200
    assert event.seq not in [e.seq for e in response.context["page"].events]


@pytest.mark.parametrize(("metres_north", "found"), [(90, True), (115, False)])
def test_the_area_filter_meets_a_searched_circle_to_within_a_few_metres(
    board: TenantClient, metres_north: float, found: bool
) -> None:
    event = _event(details={"area": {"shape": "circle", "center": [-117.38, 34.1], "radius_m": 100}})

    response = board.get(SEARCH, {"lat": str(34.1 + metres_north / 111_320), "lon": "-117.38", "radius_m": "1"})

    assert (event.seq in [e.seq for e in response.context["page"].events]) is found


def test_the_search_page_costs_the_same_queries_for_a_full_page_as_for_a_short_one(board: TenantClient) -> None:
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    _event(case="Q-SHORT")
    with CaptureQueriesContext(db) as short:
        board.get(SEARCH, {"case_number": "Q-SHORT"})
    for _ in range(60):
        _event(case="Q-FULL")

    with CaptureQueriesContext(db) as full:
        board.get(SEARCH, {"case_number": "Q-FULL"})

    # (the session's activity stamp is written every 30 s: compare the log's queries only)
    assert _log_queries(full) == _log_queries(short)


def _log_queries(context: Any) -> list[str]:
    return [q["sql"][:60] for q in context.captured_queries if "audit_" in q["sql"] and "SAVEPOINT" not in q["sql"]]


def test_a_reading_never_reaches_past_the_head(board: TenantClient) -> None:
    head = _event().seq

    response = board.get(SEARCH, {"upto": str(10**15)})

    assert response.context["upto"] == head


@pytest.mark.parametrize("path", [SEARCH, "/oversight/changes/"])
def test_the_board_pages_are_kept_by_no_cache(board: TenantClient, path: str) -> None:
    response = board.get(path)

    assert "no-store" in response["Cache-Control"]


def test_the_manifest_is_signed_with_the_key_of_evidence_exports(board: TenantClient) -> None:
    from audit.signing import department_signing_key
    from core.signing import public_key_fingerprint

    _event(case="KEY")
    page = board.get(SEARCH, {"case_number": "KEY"})

    document = json.loads(_download(board, dict(page.context["manifests"])["csv"]))

    assert document["signature"]["fingerprint"] == public_key_fingerprint(bytes(department_signing_key().public_key))
