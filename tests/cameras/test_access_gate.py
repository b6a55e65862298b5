"""The access gate: role by MFA by purpose by policy by consent, one logged event per decision."""

import datetime as dt
from typing import Any

import pytest
from django.db import DatabaseError
from django.utils import timezone

import audit.services
from accounts.models import Role
from audit.models import AccessEvent
from cameras import access, services
from cameras.geometry import point
from cameras.models import Camera, ConsentGrant, Purpose
from cameras.search_sql import Area
from tenants.services import policy_update
from tests.factories import UserFactory
from tests.tenancy import connection


def _events() -> int:
    return AccessEvent.objects.count()


def _last() -> AccessEvent:
    return AccessEvent.objects.order_by("-seq").first()  # type: ignore[return-value]


ACTIONS = ["camera_view", "footage_request", "live_start"]
# What each consent level permits (no schedule, active, not expired).
EXPECTED = {
    "registered": {"camera_view": True, "footage_request": False, "live_start": False},
    "on_request": {"camera_view": True, "footage_request": True, "live_start": False},
    "live_exigent": {"camera_view": True, "footage_request": True, "live_start": False},
    "live": {"camera_view": True, "footage_request": True, "live_start": True},
}


@pytest.mark.parametrize("level", list(EXPECTED))
@pytest.mark.parametrize("action", ACTIONS)
def test_consent_level_decides_each_action_and_each_decision_is_one_event(
    make_camera: Any, actor: access.Actor, purpose: Any, level: str, action: str
) -> None:
    camera = make_camera(level)
    before = _events()

    decision = access.authorize(actor=actor, action=action, purpose=purpose, camera=camera)

    event = _last()
    assert decision.allowed is EXPECTED[level][action]
    assert _events() == before + 1
    assert (event.action, event.outcome, event.consent_level) == (
        action,
        "allowed" if decision.allowed else "denied",
        level,
    )
    assert event.targets == [f"camera:{camera.public_id}"]
    assert event.owner_refs == [camera.site.owner_id]
    assert event.consent_history_id == ConsentGrant.history.filter(id=camera.consent.pk).latest().history_id
    assert (event.case_number, event.purpose_category, event.actor_badge, event.actor_mfa) == (
        "RPD-26-0042",
        "property_crime",
        "0815",
        True,
    )


@pytest.mark.parametrize("role", [Role.OFFICER, Role.SUPERVISOR])
def test_police_roles_may_view_cameras(make_camera: Any, in_rialto: Any, role: str) -> None:
    user = UserFactory(role=role)
    actor = access.Actor(user=user, mfa=True)
    purpose = access.purpose_declare(actor=actor, case_number="C-1", category="violent_crime", text="Assault")

    decision = access.authorize(actor=actor, action="camera_view", purpose=purpose, camera=make_camera("live"))

    assert decision.allowed


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.BUSINESS, Role.DEPT_ADMIN, Role.OVERSIGHT])
def test_other_roles_are_refused_and_the_refusal_is_logged(
    make_camera: Any, purpose: Any, in_rialto: Any, role: str
) -> None:
    actor = access.Actor(user=UserFactory(role=role), mfa=True)

    decision = access.authorize(actor=actor, action="camera_view", purpose=purpose, camera=make_camera("live"))

    assert (decision.allowed, decision.reason) == (False, "role_not_permitted")
    assert (_last().outcome, _last().actor_role) == ("denied", role)


def test_without_mfa_nothing_is_allowed(make_camera: Any, officer: Any, purpose: Any) -> None:
    decision = access.authorize(
        actor=access.Actor(user=officer, mfa=False), action="camera_view", purpose=purpose, camera=make_camera("live")
    )

    assert decision.reason == "mfa_required"


def test_without_a_purpose_nothing_is_allowed(make_camera: Any, actor: access.Actor) -> None:
    decision = access.authorize(actor=actor, action="camera_view", purpose=None, camera=make_camera("live"))

    assert decision.reason == "purpose_required"


def test_another_officers_purpose_cannot_be_borrowed(make_camera: Any, purpose: Any, in_rialto: Any) -> None:
    other = access.Actor(user=UserFactory(role=Role.OFFICER), mfa=True)

    decision = access.authorize(actor=other, action="camera_view", purpose=purpose, camera=make_camera("live"))

    assert decision.reason == "purpose_not_yours"


def test_an_expired_purpose_must_be_stated_again(make_camera: Any, actor: access.Actor, purpose: Any) -> None:
    purpose.expires_at = timezone.now() - dt.timedelta(seconds=1)
    purpose.save()

    decision = access.authorize(actor=actor, action="camera_view", purpose=purpose, camera=make_camera("live"))

    assert decision.reason == "purpose_expired"


def test_a_deactivated_officer_is_refused(make_camera: Any, actor: access.Actor, purpose: Any) -> None:
    actor.user.is_active = False

    decision = access.authorize(actor=actor, action="camera_view", purpose=purpose, camera=make_camera("live"))

    assert decision.reason == "account_inactive"


@pytest.mark.parametrize("category", ["first_amendment_activity", "immigration_status", "reproductive_care"])
def test_prohibited_purposes_are_refused_by_design_and_logged(actor: access.Actor, category: str) -> None:
    before = _events()

    with pytest.raises(access.PurposeRefused, match="refuses this purpose") as refused:
        access.purpose_declare(actor=actor, case_number="X-1", category=category, text="Watching a protest")

    assert category not in str(refused.value)  # the category in words, not its code

    assert _events() == before + 1
    assert (_last().action, _last().outcome, _last().reason, _last().purpose_category) == (
        "purpose_declare",
        "denied",
        "prohibited_purpose",
        category,
    )


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"case_number": "", "category": "violent_crime", "text": "x"}, "case_number_missing"),
        ({"case_number": "C", "category": "astrology", "text": "x"}, "unknown_purpose_category"),
        ({"case_number": "C", "category": "violent_crime", "text": " "}, "reason_missing"),
        (
            {"case_number": "C", "category": "violent_crime", "text": "x", "authority": "warrant"},
            "warrant_number_missing",
        ),
        ({"case_number": "C", "category": "property_crime", "text": "x", "authority": "exigent"}, "not_exigent"),
    ],
)
def test_incomplete_purposes_are_refused_with_a_reason(
    actor: access.Actor, fields: dict[str, str], reason: str
) -> None:
    with pytest.raises(access.PurposeRefused):
        access.purpose_declare(actor=actor, **fields)

    assert (_last().outcome, _last().reason) == ("denied", reason)


def test_a_refused_purpose_is_logged_with_the_warrant_it_cited(actor: access.Actor) -> None:
    with pytest.raises(access.PurposeRefused):
        access.purpose_declare(
            actor=actor,
            case_number="C-9",
            category="immigration_status",
            text="Warrant served",
            authority="warrant",
            warrant_number="W-2026-17",
        )

    assert (_last().reason, _last().authority, _last().warrant_number) == (
        "prohibited_purpose",
        "warrant",
        "W-2026-17",
    )


def test_a_category_prohibited_after_the_purpose_was_stated_is_refused(
    make_camera: Any, actor: access.Actor, purpose: Any, in_rialto: Any, policy: Any
) -> None:
    policy_update(department=in_rialto, actor=None, prohibited_purposes=[*policy.prohibited_purposes, "property_crime"])

    decision = access.authorize(actor=actor, action="camera_view", purpose=purpose, camera=make_camera("live"))

    assert decision.reason == "prohibited_purpose"


@pytest.mark.parametrize(
    ("consent", "reason"),
    [
        ({"expires_at": None}, "ok"),
        ("revoked", "revoked"),
        ("paused", "paused"),
        ("expired", "expired"),
    ],
)
def test_revoked_paused_or_expired_consent_stops_footage_requests(
    make_camera: Any, actor: access.Actor, purpose: Any, consent: Any, reason: str
) -> None:
    camera = make_camera("live")
    owner = camera.site.owner
    if consent == "revoked":
        services.consent_revoke(owner=owner, camera=camera)
    elif consent == "paused":
        services.camera_status_set(owner=owner, camera=camera, status="paused")
    elif consent == "expired":
        ConsentGrant.objects.filter(pk=camera.consent.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    camera = Camera.objects.select_related("site", "consent").get(pk=camera.pk)

    decision = access.authorize(actor=actor, action="footage_request", purpose=purpose, camera=camera)

    assert decision.reason == reason


def test_live_view_outside_the_owners_schedule_is_refused(make_camera: Any, actor: access.Actor, purpose: Any) -> None:
    now = timezone.localtime(timezone.now(), timezone=dt.UTC).astimezone(
        __import__("zoneinfo").ZoneInfo("America/Los_Angeles")
    )
    later = (now + dt.timedelta(hours=3)).time().replace(second=0, microsecond=0)
    end = (now + dt.timedelta(hours=4)).time().replace(second=0, microsecond=0)
    window = {
        "day": (now + dt.timedelta(hours=3)).weekday(),
        "start": later.strftime("%H:%M"),
        "end": end.strftime("%H:%M"),
        "next_day": end < later,
    }
    camera = make_camera("live", windows=[window])

    decision = access.authorize(actor=actor, action="live_start", purpose=purpose, camera=camera)

    assert decision.reason == "outside_window"


def test_live_exigent_consent_opens_only_for_an_exigent_purpose(
    make_camera: Any, actor: access.Actor, purpose: Any, exigent_purpose: Any
) -> None:
    camera = make_camera("live_exigent")

    ordinary = access.authorize(actor=actor, action="live_start", purpose=purpose, camera=camera)
    exigent = access.authorize(actor=actor, action="live_start", purpose=exigent_purpose, camera=camera)

    assert (ordinary.reason, exigent.allowed) == ("exigent_only", True)


def test_residential_live_view_follows_department_policy(
    make_camera: Any, actor: access.Actor, purpose: Any, in_rialto: Any
) -> None:
    camera = make_camera("live", kind="residential")

    refused = access.authorize(actor=actor, action="live_start", purpose=purpose, camera=camera)
    policy_update(department=in_rialto, actor=None, residential_live_view_allowed=True)
    allowed = access.authorize(actor=actor, action="live_start", purpose=purpose, camera=camera)

    assert (refused.reason, allowed.allowed) == ("residential_live_view_disallowed", True)


@pytest.mark.parametrize(
    ("level", "kind", "reason"),
    [
        ("on_request", "business", "level_too_low"),
        ("live", "residential", "residential_live_view_disallowed"),
        ("live", "business", "ok"),
    ],
)
def test_the_gate_judges_an_extension_as_it_judges_a_new_live_view(
    make_camera: Any, actor: access.Actor, purpose: Any, level: str, kind: str, reason: str
) -> None:
    camera = make_camera(level, kind=kind)

    extension = access.authorize(actor=actor, action="live_extend", purpose=purpose, camera=camera)
    start = access.authorize(actor=actor, action="live_start", purpose=purpose, camera=camera)

    assert extension.reason == start.reason
    assert extension.reason == reason


@pytest.mark.parametrize(("share", "allowed"), [(True, True), (False, False)])
def test_owner_contact_only_where_the_owner_shares_it(
    make_camera: Any, actor: access.Actor, purpose: Any, share: bool, allowed: bool
) -> None:
    camera = make_camera("registered", share_contact=share)

    decision = access.authorize(actor=actor, action="owner_contact_view", purpose=purpose, camera=camera)

    assert decision.allowed is allowed


def test_if_the_audit_write_fails_the_action_fails(
    make_camera: Any, actor: access.Actor, purpose: Any, monkeypatch: Any
) -> None:
    camera = make_camera("live")
    before = _events()

    def broken(**kwargs: Any) -> None:
        raise DatabaseError("audit table unavailable")

    monkeypatch.setattr(audit.services, "access_event_record", broken)
    monkeypatch.setattr(access.gate, "access_event_record", broken)

    with pytest.raises(DatabaseError):
        access.camera_lookup(actor=actor, purpose=purpose, public_id=camera.public_id)

    assert _events() == before


def test_if_the_database_rejects_the_audit_insert_the_search_fails_and_returns_nothing(
    make_camera: Any, actor: access.Actor, purpose: Any
) -> None:
    make_camera("live")
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION reject_audit() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'audit down'; END $$;"
            "CREATE TRIGGER reject_audit BEFORE INSERT ON audit_accessevent "
            "FOR EACH ROW EXECUTE FUNCTION reject_audit();"
        )

    with pytest.raises(DatabaseError, match="audit down"):
        access.camera_search(
            actor=actor, purpose=purpose, area=Area(center=point(-117.38, 34.10), radius_m=500), mode="pin"
        )


def test_search_records_area_purpose_count_and_ids(make_camera: Any, actor: access.Actor, purpose: Any) -> None:
    near = make_camera("on_request", lon=-117.3801, lat=34.1001)
    far = make_camera("live", lon=-117.3700, lat=34.1100)

    result = access.camera_search(
        actor=actor, purpose=purpose, area=Area(center=point(-117.38, 34.10), radius_m=300), mode="pin"
    )

    event = _last()
    ids = [h.camera.public_id for h in result.hits]
    assert near.public_id in ids
    assert far.public_id not in ids
    assert (event.action, event.quantity, event.details["area"]["radius_m"], event.details["mode"]) == (
        "search",
        len(ids),
        300,
        "pin",
    )
    assert f"camera:{near.public_id}" in event.targets
    assert near.site.owner_id in event.owner_refs


def test_search_results_are_nearest_first(make_camera: Any, actor: access.Actor, purpose: Any) -> None:
    for offset in (0.003, 0.001, 0.002):
        make_camera("on_request", lon=-117.38 + offset, lat=34.10)

    result = access.camera_search(
        actor=actor, purpose=purpose, area=Area(center=point(-117.38, 34.10), radius_m=400), mode="pin"
    )

    distances = [h.distance_m for h in result.hits]
    assert distances == sorted(distances)
    assert len(distances) >= 3


def test_fov_mode_finds_a_camera_that_sees_the_area_from_outside_it(
    make_camera: Any, actor: access.Actor, purpose: Any
) -> None:
    # The camera stands ~18 m west of the area and looks east (bearing 90, 20 m range).
    camera = make_camera("on_request", lon=-117.3802, lat=34.10)
    area = Area(center=point(-117.38, 34.10), radius_m=5)

    pin = access.camera_search(actor=actor, purpose=purpose, area=area, mode="pin")
    fov = access.camera_search(actor=actor, purpose=purpose, area=area, mode="fov")

    assert camera.public_id not in [h.camera.public_id for h in pin.hits]
    assert camera.public_id in [h.camera.public_id for h in fov.hits]


def test_a_denied_search_returns_no_cameras_and_is_logged(make_camera: Any, officer: Any, purpose: Any) -> None:
    make_camera("live")

    result = access.camera_search(
        actor=access.Actor(user=officer, mfa=False),
        purpose=purpose,
        area=Area(center=point(-117.38, 34.10), radius_m=500),
        mode="pin",
    )

    assert (result.decision.allowed, result.hits, _last().outcome) == (False, [], "denied")


def test_a_camera_id_of_another_department_is_not_found_and_logged(
    make_camera: Any, actor: access.Actor, purpose: Any, fontana: Any, rialto: Any
) -> None:
    from django_tenants.utils import tenant_context

    with tenant_context(fontana):
        fontana_owner = UserFactory(role=Role.RESIDENT)
        site = services.site_create(
            owner=fontana_owner, department=fontana, lon=-117.47, lat=34.10, kind="business", address="2 Elm"
        )
        foreign = services.camera_register(owner=fontana_owner, site=site, label="F")

    decision, camera = access.camera_lookup(actor=actor, purpose=purpose, public_id=foreign.public_id)

    assert (decision.reason, camera) == ("not_found", None)
    assert _last().reason == "not_found"


def test_exigent_live_view_waits_for_a_supervisors_approval_when_policy_requires_it(
    make_camera: Any, actor: access.Actor, exigent_purpose: Any, in_rialto: Any
) -> None:
    policy_update(department=in_rialto, actor=None, exigent_requires_approval=True)
    camera = make_camera("live_exigent")
    supervisor = access.Actor(user=UserFactory(role=Role.SUPERVISOR), mfa=True)

    before = access.authorize(actor=actor, action="live_start", purpose=exigent_purpose, camera=camera)
    access.purpose_approve(actor=supervisor, purpose_public_id=exigent_purpose.public_id)
    exigent_purpose.refresh_from_db()
    after = access.authorize(actor=actor, action="live_start", purpose=exigent_purpose, camera=camera)

    assert (before.reason, after.allowed) == ("approval_required", True)
    assert AccessEvent.objects.filter(action="exigent_approve", outcome="allowed").exists()


def test_search_results_offer_live_view_of_an_emergency_only_camera_only_once_approval_is_given(
    make_camera: Any, actor: access.Actor, exigent_purpose: Any, in_rialto: Any
) -> None:
    # given a department whose exigent live views need a supervisor's approval
    policy_update(department=in_rialto, actor=None, exigent_requires_approval=True)
    camera = make_camera("live_exigent")
    supervisor = access.Actor(user=UserFactory(role=Role.SUPERVISOR), mfa=True)
    area = Area(center=point(-117.38, 34.10), radius_m=100)

    # when the officer searches before and after the approval
    before = access.camera_search(actor=actor, purpose=exigent_purpose, area=area, mode="pin")
    access.purpose_approve(actor=supervisor, purpose_public_id=exigent_purpose.public_id)
    exigent_purpose.refresh_from_db()
    after = access.camera_search(actor=actor, purpose=exigent_purpose, area=area, mode="pin")

    # then the results say "live view" only when the gate would open one, as the camera page does
    live = {h.camera.public_id: h.can_live_view for h in before.hits}
    assert live[camera.public_id] is False
    assert access.authorize(actor=actor, action="live_start", purpose=exigent_purpose, camera=camera).allowed
    assert {h.camera.public_id: h.can_live_view for h in after.hits}[camera.public_id] is True


def test_a_supervisor_cannot_approve_their_own_exigent_purpose(in_rialto: Any) -> None:
    supervisor = access.Actor(user=UserFactory(role=Role.SUPERVISOR), mfa=True)
    own = access.purpose_declare(
        actor=supervisor, case_number="S-1", category="missing_person", text="Missing child", authority="exigent"
    )

    with pytest.raises(access.PurposeRefused, match="second person"):
        access.purpose_approve(actor=supervisor, purpose_public_id=own.public_id)

    assert (_last().action, _last().reason) == ("exigent_approve", "self_approval")


def test_an_officer_cannot_approve(actor: access.Actor, exigent_purpose: Any, in_rialto: Any) -> None:
    other = access.Actor(user=UserFactory(role=Role.OFFICER), mfa=True)

    with pytest.raises(access.PurposeRefused):
        access.purpose_approve(actor=other, purpose_public_id=exigent_purpose.public_id)

    assert _last().reason == "role_not_permitted"


def test_approving_a_purpose_that_is_not_exigent_is_refused_in_words(
    actor: access.Actor, purpose: Any, in_rialto: Any
) -> None:
    supervisor = access.Actor(user=UserFactory(role=Role.SUPERVISOR), mfa=True)

    with pytest.raises(access.PurposeRefused) as refused:
        access.purpose_approve(actor=supervisor, purpose_public_id=purpose.public_id)

    assert str(refused.value) == "This category is not exigent under department policy."
    assert (_last().action, _last().reason) == ("exigent_approve", "not_exigent")


def test_an_approved_purpose_keeps_its_first_approver(
    actor: access.Actor, exigent_purpose: Any, in_rialto: Any
) -> None:
    first = access.Actor(user=UserFactory(role=Role.SUPERVISOR), mfa=True)
    second = access.Actor(user=UserFactory(role=Role.SUPERVISOR), mfa=True)
    access.purpose_approve(actor=first, purpose_public_id=exigent_purpose.public_id)

    with pytest.raises(access.PurposeRefused, match="already been approved"):
        access.purpose_approve(actor=second, purpose_public_id=exigent_purpose.public_id)

    exigent_purpose.refresh_from_db()
    assert exigent_purpose.approved_by_id == first.user.pk
    assert (_last().action, _last().outcome, _last().reason) == ("exigent_approve", "denied", "already_approved")


def test_an_expired_purpose_cannot_be_approved(actor: access.Actor, exigent_purpose: Any, in_rialto: Any) -> None:
    supervisor = access.Actor(user=UserFactory(role=Role.SUPERVISOR), mfa=True)
    Purpose.objects.filter(pk=exigent_purpose.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    with pytest.raises(access.PurposeRefused, match="expired"):
        access.purpose_approve(actor=supervisor, purpose_public_id=exigent_purpose.public_id)

    exigent_purpose.refresh_from_db()
    assert exigent_purpose.approved_by_id is None
    assert (_last().action, _last().reason) == ("exigent_approve", "purpose_expired")


@pytest.mark.parametrize("bad_id", ["abc", "", "00000000-0000-0000-0000-000000000000"])
def test_approving_a_malformed_or_unknown_purpose_id_is_a_logged_not_found(in_rialto: Any, bad_id: str) -> None:
    supervisor = access.Actor(user=UserFactory(role=Role.SUPERVISOR), mfa=True)

    with pytest.raises(access.PurposeRefused):
        access.purpose_approve(actor=supervisor, purpose_public_id=bad_id)

    assert (_last().action, _last().outcome, _last().reason) == ("exigent_approve", "denied", "not_found")


def test_a_search_reads_only_its_own_departments_cameras_and_owners(
    make_camera: Any, actor: access.Actor, purpose: Any, fontana: Any, rialto: Any
) -> None:
    # given a Rialto camera whose owner shares contact details, a Fontana camera 8 km away,
    # and a Fontana user who has the Rialto owner's very id (each schema numbers its own)
    from django_tenants.utils import tenant_context

    mine = make_camera("on_request", share_contact=True)
    owner_id = mine.site.owner_id
    with tenant_context(fontana):
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval(pg_get_serial_sequence('accounts_user', 'id'), %s, false)", [owner_id])
        twin = UserFactory(role=Role.RESIDENT, full_name="Fontana Twin", email="twin@fontana.example.org")
        site = services.site_create(
            owner=twin, department=fontana, lon=-117.47, lat=34.10, kind="business", address="2 Elm", share_contact=True
        )
        foreign = services.camera_register(owner=twin, site=site, label="F")
    connection.set_tenant(rialto)

    # when a Rialto officer searches a circle that covers both
    result = access.camera_search(
        actor=actor, purpose=purpose, area=Area(center=point(-117.425, 34.10), radius_m=6_000), mode="pin"
    )

    # then only Rialto's camera comes back, with its Rialto owner's contact
    ids = [h.camera.public_id for h in result.hits]
    hit = next(h for h in result.hits if h.camera.public_id == mine.public_id)
    assert twin.pk == owner_id
    assert foreign.public_id not in ids
    assert hit.camera.contact_email == mine.site.owner.email
    assert hit.camera.contact_name != "Fontana Twin"
