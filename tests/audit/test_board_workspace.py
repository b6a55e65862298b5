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


def _search(client: TenantClient, params: dict[str, str]) -> Any:
    """The form posted, and the page of the selection it was kept as (303 to ?s=…)."""
    response = client.post(SEARCH, params)
    assert response.status_code == 303, response.content[:500]
    assert response["Location"].startswith(f"{SEARCH}?s=")
    return client.get(response["Location"])


@pytest.fixture
def board(logged_in_staff: Any) -> Any:
    client, _user = logged_in_staff(Role.OVERSIGHT)
    return client


def test_the_board_filters_by_officer_and_day_and_the_reading_is_logged(board: TenantClient) -> None:
    mine = [_event(badge="4242"), _event(badge="4242", action="camera_view")]
    _event(badge="999")
    today = _today().isoformat()

    response = _search(board, {"badge": "4242", "date_from": today, "date_to": today})

    assert response.status_code == 200
    assert sorted(e.seq for e in response.context["page"].events) == [e.seq for e in mine]
    read = _last()
    assert (read.action, read.outcome, read.quantity) == ("audit_read", "allowed", 2)
    assert read.details["filter"]["badge"] == "4242"
    assert read.details["view"] == "board_search"


def test_a_day_before_the_events_finds_none(board: TenantClient) -> None:
    _event(badge="4242")
    yesterday = (_today() - dt.timedelta(days=1)).isoformat()

    response = _search(board, {"badge": "4242", "date_to": yesterday})

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
        ({"date_from": "2026-05-02", "date_to": "2025-05-01"}, "date_to", "comes before the first"),
        ({"date_from": "0001-01-01", "date_to": "9999-12-31"}, "date_from", "no events before 2000"),
        ({"purpose_text": "ab"}, "purpose_text", "at least 3 characters"),
        ({"purpose_text": "y" * 80}, "purpose_text", "at most 64"),
        ({"colour": "red"}, "__all__", "Unknown filter: colour"),
        ({"purpose_category": "astrology"}, "purpose_category", "has the purpose category"),
        ({"role": "mayor"}, "role", "is not a staff role"),
        ({"sort": "random"}, "sort", "not “random”"),
    ],
)
def test_bad_filters_are_named_on_their_field_and_only_the_refused_reading_is_written(
    board: TenantClient, params: dict[str, str], field: str, words: str
) -> None:
    # Issue 15 ("nothing is written but the logged attempt"): the refused search is itself an
    # event (audit_read, denied, invalid_filter, the fields in error named), and nothing else is.
    before = _event().seq

    response = board.post(SEARCH, params)

    assert response.status_code == 400
    errors = " ".join(str(e) for e in response.context["form"].errors.get(field, []))
    assert errors
    assert words in errors
    refused = AccessEvent.objects.filter(seq__gt=before).order_by("seq")
    assert [(e.action, e.outcome, e.reason, e.quantity) for e in refused] == [
        ("audit_read", "denied", "invalid_filter", 0)
    ]
    assert field in refused[0].details["errors"]
    assert response.context.get("page") is None


@pytest.mark.parametrize(
    ("method", "params", "words"),
    [
        ("get", {"upto": "abc"}, "upto must be the number of an event."),
        ("get", {"after": "-1"}, "after must be the number of an event."),
        ("post", {"upto": "abc"}, "upto must be the number of an event."),
        ("get", {"upto": str(2**63)}, "upto must be the number of an event."),
    ],
)
def test_a_bad_hidden_field_is_named_at_the_top_of_the_form(
    board: TenantClient, method: str, params: dict[str, str], words: str
) -> None:
    # Issue 15: "see the fields marked below", but upto and after are hidden fields (the page's
    # anchor and its place): nothing below was marked, so the board could not tell what was wrong.
    response = getattr(board, method)(SEARCH, params)

    assert response.status_code == 400
    html = response.content.decode()
    problems = html[html.index('id="filter-problems"') : html.index("<fieldset")]
    assert words in problems
    assert response.context.get("page") is None


_SQUARE = [[-117.4, 34.0], [-117.3, 34.0], [-117.3, 34.1], [-117.4, 34.0]]


@pytest.mark.parametrize("method", ["post", "get"])
@pytest.mark.parametrize(
    ("polygon", "words"),
    [
        ('{"type": "Polygon", "coordinates": []}', "The polygon is empty"),
        ('{"type": "Polygon", "coordinates": [[]]}', "The polygon is empty"),
        ('{"type": "Polygon", "coordinates": "x"}', "is not GeoJSON"),
        ('{"type": "Polygon", "coordinates": [[[0, "a"], [1, 0], [1, 1], [0, 0]]]}', "is not GeoJSON"),
        ('{"type": "Polygon", "coordinates": [[[0], [1], [1], [0]]]}', "is not GeoJSON"),
        ('{"type": "Polygon", "coordinates": ' + "[" * 5000 + "]" * 5000 + "}", "is not GeoJSON"),
        ("[" * 5000, "is not GeoJSON"),
        ('{"type": "Polygon", "coordinates": [[[1e400, 0], [1, 0], [1, 1], [1e400, 0]]]}', "outside the Earth"),
        ('{"type": "Polygon", "coordinates": [[[NaN, 0], [1, 0], [1, 1], [NaN, 0]]]}', "is not GeoJSON"),
        # an edge of 180 degrees of longitude: PostGIS refused it and the page answered 500
        ('{"type": "Polygon", "coordinates": [[[-90, 0], [90, 0], [90, 10], [-90, 10], [-90, 0]]]}', "half the Earth"),
        (
            '{"type": "Polygon", "coordinates": [[[-180, -90], [180, -90], [180, 90], [-180, 90], [-180, -90]]]}',
            "half the Earth",
        ),
    ],
)
def test_a_malformed_polygon_is_named_and_logged_not_a_server_error(
    board: TenantClient, method: str, polygon: str, words: str
) -> None:
    # Issue 15's attack review: these answered 500 with a traceback, and nothing was logged.
    before = _event().seq

    response = getattr(board, method)(SEARCH, {"polygon": polygon})

    assert response.status_code == 400
    assert words in " ".join(str(e) for e in response.context["form"].errors["polygon"])
    refused = list(AccessEvent.objects.filter(seq__gt=before))
    assert [(e.action, e.outcome, e.reason, e.details["errors"]) for e in refused] == [
        ("audit_read", "denied", "invalid_filter", ["polygon"])
    ]


def test_a_polygon_with_heights_is_searched_by_its_longitudes_and_latitudes(board: TenantClient) -> None:
    inside = _event(details={"area": {"shape": "circle", "center": [-117.32, 34.03], "radius_m": 10}})
    with_heights = {"type": "Polygon", "coordinates": [[[*corner, 300] for corner in _SQUARE]]}

    response = _search(board, {"polygon": json.dumps(with_heights)})

    assert inside.seq in [e.seq for e in response.context["page"].events]


def test_keyset_pages_list_every_event_once_in_order(board: TenantClient) -> None:
    made = [_event(case="PAGES-1").seq for _ in range(120)]

    seen: list[int] = []
    response = _search(board, {"case_number": "PAGES-1"})
    while True:
        seen += [e.seq for e in response.context["page"].events]
        if not response.context["next_page"]:
            break
        response = board.get(SEARCH + response.context["next_page"])

    assert seen == sorted(made, reverse=True)


def test_later_pages_stay_on_the_events_of_the_first(board: TenantClient) -> None:
    first = [_event(case="ANCHOR").seq for _ in range(60)]
    response = _search(board, {"case_number": "ANCHOR", "sort": "oldest"})
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

    response = _search(board, {**params, "date_from": _today().isoformat()})

    found = {names[e.seq] for e in response.context["page"].events if e.seq in names}
    assert found == expected


def test_the_camera_filter_takes_the_pseudonymous_id(board: TenantClient) -> None:
    camera = uuid.uuid4()
    event = _event(targets=[f"camera:{camera}", f"camera:{uuid.uuid4()}"])

    response = _search(board, {"camera": str(camera)})

    assert [e.seq for e in response.context["page"].events] == [event.seq]


def test_the_incident_filter_finds_the_events_done_for_that_incident(board: TenantClient) -> None:
    incident = uuid.uuid4()
    done_for_it = _event(targets=[f"camera:{uuid.uuid4()}", f"incident:{incident}"])
    _event(targets=[f"camera:{uuid.uuid4()}", f"incident:{uuid.uuid4()}"])
    _event(targets=[f"camera:{uuid.uuid4()}"])

    response = _search(board, {"incident": str(incident)})

    assert [e.seq for e in response.context["page"].events] == [done_for_it.seq]


def test_an_incident_filter_that_is_not_an_id_is_named_on_its_field(board: TenantClient) -> None:
    response = board.post(SEARCH, {"incident": "CAD-1"})

    assert response.status_code == 400
    assert "An incident id looks like" in str(response.context["form"].errors["incident"])


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
    page = _search(board, {"date_from": _today().isoformat(), "badge": "100"})
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
    page = _search(board, {"case_number": "EXP-3"})
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
    page = _search(board, {"case_number": "EXP-5"})
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
    page = _search(board, {"case_number": "EXP-J", "sort": "oldest"})

    data = json.loads(_download(board, dict(page.context["exports"])["json"]))

    assert [row["seq"] for row in data] == made
    assert "session_hash" not in data[0]


def test_an_export_is_anchored_to_the_head_when_the_search_was_posted(board: TenantClient) -> None:
    # (was: an export without upto redirected to one with upto=HEAD in its address; the
    # selection now keeps its head, and the address names the selection only)
    made = _event(case="ANCHORED-EXP").seq
    page = _search(board, {"case_number": "ANCHORED-EXP"})
    _event(case="ANCHORED-EXP")  # written after the search

    data = json.loads(_download(board, dict(page.context["exports"])["json"]))

    assert [row["seq"] for row in data] == [made]


@pytest.mark.parametrize(
    "query",
    [
        {"case_number": "X"},
        {"s": "not-a-kept-selection"},
        {},
    ],
)
def test_an_export_of_no_kept_selection_is_refused_and_logged(board: TenantClient, query: dict[str, str]) -> None:
    before = _event().seq

    response = board.get("/oversight/export/csv/", query)

    assert response.status_code == 400
    assert not response.streaming
    refused = list(AccessEvent.objects.filter(seq__gt=before))
    assert [(e.action, e.outcome, e.reason) for e in refused] == [("audit_read", "denied", "invalid_filter")]


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
        response = _search(fontana_client, params)
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


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"kind": "coup"}, "kind", "is not a kind of change"),
        ({"date_from": "2026-05-02", "date_to": "2026-05-01"}, "date_to", "comes before the first"),
        ({"bogus": "1"}, "__all__", "Unknown filter: bogus"),
    ],
)
def test_a_filter_of_the_changes_that_is_not_one_is_named_and_the_refusal_logged(
    board: TenantClient, params: dict[str, str], field: str, words: str
) -> None:
    before = _event().seq

    response = board.get("/oversight/changes/", params)

    assert response.status_code == 400
    assert words in str(response.context["form"].errors[field])
    assert words in response.content.decode()
    refused = [(e.action, e.outcome, e.reason, e.details) for e in AccessEvent.objects.filter(seq__gt=before)]
    assert refused == [("audit_read", "denied", "invalid_filter", {"view": "admin_changes", "errors": [field]})]


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

    response = _search(board, {"lat": "2", "lon": "1", "radius_m": "1000"})

    assert AccessEvent.objects.filter(seq=event.seq).exists()
    assert response.status_code == 200
    assert event.seq not in [e.seq for e in response.context["page"].events]


@pytest.mark.parametrize(("metres_north", "found"), [(90, True), (115, False)])
def test_the_area_filter_meets_a_searched_circle_to_within_a_few_metres(
    board: TenantClient, metres_north: float, found: bool
) -> None:
    event = _event(details={"area": {"shape": "circle", "center": [-117.38, 34.1], "radius_m": 100}})

    response = _search(board, {"lat": str(34.1 + metres_north / 111_320), "lon": "-117.38", "radius_m": "1"})

    assert (event.seq in [e.seq for e in response.context["page"].events]) is found


def test_the_search_page_costs_the_same_queries_for_a_full_page_as_for_a_short_one(board: TenantClient) -> None:
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    _event(case="Q-SHORT")
    with CaptureQueriesContext(db) as short:
        _search(board, {"case_number": "Q-SHORT"})
    for _ in range(60):
        _event(case="Q-FULL")

    with CaptureQueriesContext(db) as full:
        _search(board, {"case_number": "Q-FULL"})

    # (the session's activity stamp is written every 30 s: compare the log's queries only)
    assert _log_queries(full) == _log_queries(short)


def _log_queries(context: Any) -> list[str]:
    return [q["sql"][:60] for q in context.captured_queries if "audit_" in q["sql"] and "SAVEPOINT" not in q["sql"]]


def test_a_reading_never_reaches_past_the_head(board: TenantClient) -> None:
    head = _event().seq

    response = _search(board, {"upto": str(10**15)})

    assert response.context["upto"] == head


@pytest.mark.parametrize("path", [SEARCH, "/oversight/changes/"])
def test_the_board_pages_are_kept_by_no_cache(board: TenantClient, path: str) -> None:
    response = board.get(path)

    assert "no-store" in response["Cache-Control"]


def test_the_manifest_is_signed_with_the_key_of_evidence_exports(board: TenantClient) -> None:
    from audit.signing import department_signing_key
    from core.signing import public_key_fingerprint

    _event(case="KEY")
    page = _search(board, {"case_number": "KEY"})

    document = json.loads(_download(board, dict(page.context["manifests"])["csv"]))

    assert document["signature"]["fingerprint"] == public_key_fingerprint(bytes(department_signing_key().public_key))


# --- Issue 15 / trust checklist G5: no case number or purpose text in an address ---

# Parameters that would put what a search is about into an address (browser history, proxy and
# server logs, the Referer header).
FORBIDDEN_IN_URLS = {"case_number", "purpose_text", "case", "purpose"}


def _urls_of(body: str) -> list[str]:
    import html as html_module
    import re

    links = re.findall(r'(?:href|action|src|hx-get|hx-post)="([^"]*)"', body)
    # A form sent by GET puts its fields in the address: name them as if they were parameters.
    for form in re.findall(r"<form\b[^>]*>.*?</form>", body, flags=re.S):
        method = re.search(r'method="([^"]*)"', form.split(">", 1)[0])
        if not method or method[1].lower() == "get":
            names = re.findall(r'name="([^"]+)"', form)
            links.append("?" + "&".join(f"{n}=x" for n in names))
    return [html_module.unescape(link) for link in links]


def _bad_parameters(url: str) -> set[str]:
    from urllib.parse import parse_qsl, urlsplit

    return {name for name, _ in parse_qsl(urlsplit(url).query, keep_blank_values=True)} & FORBIDDEN_IN_URLS


def test_url_lint_no_board_page_links_or_forms_carry_a_case_number_or_purpose_text(
    board: TenantClient, in_rialto: Any
) -> None:
    from urllib.parse import urlsplit

    from audit.anomalies import FlagIn, anomaly_flags_add

    event = _event(case="LINT-CASE-9", text="lint purpose words here")
    anomaly_flags_add(
        flags=[FlagIn("vague_purpose", "lint-1", [event.seq], timezone.now(), 1, "Officer", "100", {"text": "x"})]
    )
    for _ in range(60):
        _event(case="LINT-CASE-9", text="lint purpose words here")
    start = _search(board, {"case_number": "LINT-CASE-9", "purpose_text": "purpose words"})
    assert len(start.context["page"].events) == 50

    seen: set[str] = set()
    pages = [
        ("search result", start),
        *[(path, board.get(path)) for path in ("/oversight/", "/oversight/dashboard/", "/oversight/search/")],
        *[(path, board.get(path)) for path in ("/oversight/changes/", "/oversight/anomalies/")],
    ]
    problems = []
    while pages:
        where, response = pages.pop()
        assert "no-store" in response["Cache-Control"], where
        body = response.content.decode()
        for url in _urls_of(body):
            bad = _bad_parameters(url)
            if bad or "LINT-CASE-9" in url or "purpose words" in url.lower() or "purpose+words" in url:
                problems.append((where, url))
            path = urlsplit(url).path or "/oversight/search/"
            if path.startswith("/oversight/search/") and url not in seen and len(seen) < 20:
                seen.add(url)
                pages.append((url, board.get(url if url.startswith("/") else f"/oversight/search/{url}")))
    assert problems == []
    assert any("after=" in url for url in seen)  # the next page was followed
    assert any("sort=oldest" in url for url in seen)  # so was the other order


def test_the_lint_catches_a_case_number_in_a_link() -> None:
    assert _bad_parameters("/oversight/search/?case_number=C-1&s=abc") == {"case_number"}
    assert _bad_parameters(_urls_of('<form method="get"><input name="purpose_text"></form>')[0]) == {"purpose_text"}
    assert _urls_of('<form method="post"><input name="case_number"></form>') == []


def test_paging_sorting_and_exports_keep_the_selection_without_it_in_the_address(board: TenantClient) -> None:
    made = [_event(case="SECRET-55", text="canvass for the stolen van").seq for _ in range(55)]
    _event(case="OTHER", text="canvass for the stolen van")

    first = _search(board, {"case_number": "SECRET-55"})
    second = board.get(SEARCH + first.context["next_page"])
    oldest = board.get(SEARCH + {v: url for v, _l, url, _c in first.context["sorts"]}["oldest"])
    data = json.loads(_download(board, dict(first.context["exports"])["json"]))

    assert [e.seq for e in first.context["page"].events + second.context["page"].events] == made[::-1]
    assert [e.seq for e in oldest.context["page"].events] == made[:50]
    assert sorted(row["seq"] for row in data) == made
    for response in (first, second, oldest):
        assert "no-store" in response["Cache-Control"]
        assert b"SECRET-55" not in response.request["QUERY_STRING"].encode()
        assert response.context["form"]["case_number"].value() == "SECRET-55"  # the form shows what was asked
    for url in [first.context["next_page"], *[u for _f, u in first.context["exports"]]]:
        assert "SECRET" not in url
        assert "case" not in url


def test_a_case_number_in_the_address_is_refused_not_searched(board: TenantClient) -> None:
    before = _event(case="IN-URL").seq

    response = board.get(SEARCH, {"case_number": "IN-URL"})

    assert response.status_code == 400
    assert "not sent in an address" in " ".join(response.context["form"].errors["case_number"])
    assert [(e.outcome, e.reason) for e in AccessEvent.objects.filter(seq__gt=before)] == [("denied", "invalid_filter")]


def test_a_selection_is_kept_for_its_session_and_department_only(
    board: TenantClient, in_rialto: Any, logged_in_staff: Any
) -> None:
    from tests.conftest import TenantClient as Client

    _event(case="MINE")
    page = _search(board, {"case_number": "MINE"})
    other, _user = logged_in_staff(Role.OVERSIGHT, Client("rialto.localhost"))

    response = other.get(SEARCH + page.context["first_page"])

    assert response.status_code == 400
    assert "not kept any more" in str(response.context["form"].non_field_errors())
    assert response.context.get("page") is None


def test_a_selection_address_with_a_filter_added_is_refused(board: TenantClient) -> None:
    _event(case="ADDED")
    page = _search(board, {"case_number": "ADDED"})

    response = board.get(SEARCH + page.context["first_page"] + "&badge=100")

    assert response.status_code == 400
    assert "Unknown filter: badge" in str(response.context["form"].non_field_errors())


# --- Issue 15: search by purpose text ---


def test_the_purpose_text_filter_finds_words_inside_whatever_the_case(board: TenantClient) -> None:
    hit = _event(text="Canvass after the ARMED Robbery on 5th")
    also = _event(text="armed robbery, second sighting")
    _event(text="burglary at the corner shop")

    response = _search(board, {"purpose_text": "armed robbery", "date_from": _today().isoformat()})

    assert sorted(e.seq for e in response.context["page"].events) == [hit.seq, also.seq]
    assert _last().details["filter"]["purpose_text"] == "armed robbery"


def test_the_purpose_text_filter_takes_percent_and_underscore_literally(board: TenantClient) -> None:
    literal = _event(text="100% sure_thing")
    _event(text="100 percent sure thing")

    response = _search(board, {"purpose_text": "0% sure_", "date_from": _today().isoformat()})

    assert [e.seq for e in response.context["page"].events] == [literal.seq]


def test_the_purpose_text_filter_is_answered_by_the_trigram_index(board: TenantClient) -> None:
    from audit.log_search import LogFilter, events_search

    sql, params = events_search(log_filter=LogFilter(purpose_text="robbery")).query.sql_with_params()
    with connection.cursor() as cursor:
        # No scan of the whole log, and no walk of another index filtering each row: what is left
        # is a bitmap scan, and only an index that answers the condition can drive one.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "audit_event_purpose_trgm" in plan


def test_a_policy_edit_shows_the_old_and_new_values(board: TenantClient, in_rialto: Any) -> None:
    admin = UserFactory(role=Role.DEPT_ADMIN)
    before = DepartmentPolicy.objects.get(department=in_rialto).live_view_limit_minutes
    policy_update(department=in_rialto, actor=admin, live_view_limit_minutes=before + 3)

    response = board.get("/oversight/changes/", {"kind": "policy_changed"})

    changes = [c.change for c, _label in response.context["changes"]]
    assert any(f"{before} → {before + 3}" in change for change in changes), changes
    assert f"{before} → {before + 3}" in response.content.decode()


def test_the_search_tells_a_board_member_to_check_an_export_on_their_own_computer(board: TenantClient) -> None:
    _event(badge="4242")

    response = _search(board, {"badge": "4242"})

    body = response.content.decode()
    name = f"access-log-rialto-upto-{response.context['upto']}"
    assert f"python3 porchlight_export_verify.py {name}.csv {name}.csv.manifest.json --fingerprint FINGERPRINT" in body
    assert "tools/porchlight_export_verify.py" in body
    assert 'href="/transparency/#checkpoint"' in body  # where the fingerprint is published
    assert "manage.py audit_export_verify" in body  # still there, as the operator's way


def test_a_badge_typed_as_the_log_shows_it_with_a_hash_sign_finds_the_officer(board: TenantClient) -> None:
    mine = _event(badge="1002")
    _event(badge="999")

    response = _search(board, {"badge": "#1002"})

    assert [e.seq for e in response.context["page"].events] == [mine.seq]
    assert _last().details["filter"]["badge"] == "1002"
