"""The department's own cameras (issue 17): owned by the department's account, which never
signs in; their consent is the department's policy and follows it, with history; the gate
searches and logs them like any camera; a footage request on one is refused."""

from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from accounts.models import Role, User
from accounts.services import AccountError, api_token_issue, department_account_ensure, user_reactivate
from audit.models import AccessEvent
from cameras import access
from cameras.department import (
    POLICY_CHANGE_REASON,
    CameraSpec,
    department_camera_register,
    department_camera_retire,
    department_camera_update,
    department_cameras,
)
from cameras.exceptions import OutsideJurisdiction
from cameras.geometry import point
from cameras.models import AccessNotice, Camera, ConsentGrant, DepartmentCamera
from cameras.search_sql import Area
from footage.services.requests import footage_request_send
from tenants.models import Department, DepartmentPolicy
from tenants.services import policy_update
from tests.conftest import TenantClient
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def spec(label: str = "Main & 5th", *, lon: float = -117.3801, lat: float = 34.1001, **fields: Any) -> CameraSpec:
    values: dict[str, Any] = {"bearing_deg": 45, "fov_angle_deg": 90, "range_m": 60, **fields}
    return CameraSpec(label=label, lat=lat, lon=lon, **values)


@pytest.fixture
def dept_admin(in_rialto: Department) -> User:
    return UserFactory(role=Role.DEPT_ADMIN)


@pytest.fixture
def register(in_rialto: Department, dept_admin: User) -> Any:
    def _register(label: str = "Main & 5th", **fields: Any) -> Camera:
        camera = department_camera_register(actor=dept_admin, department=in_rialto, spec=spec(label, **fields))
        return Camera.objects.select_related("site", "consent").get(pk=camera.pk)

    return _register


# --- The department's account --------------------------------------------------------------


def test_the_department_account_is_made_once_and_cannot_sign_in_by_password(
    in_rialto: Department, rialto_client: TenantClient
) -> None:
    first = department_account_ensure(department=in_rialto)
    again = department_account_ensure(department=in_rialto)
    first.set_password("correct horse battery")  # even should someone give it a password
    first.save()

    response = rialto_client.post("/accounts/login/", {"login": first.email, "password": "correct horse battery"})

    assert first.pk == again.pk
    assert User.objects.filter(role=Role.DEPARTMENT).count() == 1
    assert (first.is_active, first.email.endswith(".invalid")) == (False, True)
    assert "_auth_user_id" not in rialto_client.session
    assert response.status_code in (200, 302)
    assert not response.get("Location", "").startswith("/my")


def test_the_department_account_has_no_usable_password(in_rialto: Department) -> None:
    account = department_account_ensure(department=in_rialto)

    assert not account.has_usable_password()


def test_the_department_account_gets_no_api_token_and_a_token_made_for_it_is_refused(
    in_rialto: Department, rialto_client: TenantClient
) -> None:
    account = department_account_ensure(department=in_rialto)
    with pytest.raises(AccountError):
        api_token_issue(user=account, name="x")
    token = _token_behind_the_services(account)

    response = rialto_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}")

    assert response.status_code == 401


def _token_behind_the_services(account: User) -> str:
    # What a bug elsewhere could leave: a token row for the account, made without the service.
    from accounts.models import ApiToken
    from accounts.services import token_digest

    raw = "pl_department-account-token"
    ApiToken.objects.create(user=account, name="x", prefix=raw[:10], digest=token_digest(raw))
    return raw


@pytest.mark.parametrize("path", ["/my/", "/api/v1/me/cameras/"])
def test_a_session_of_the_department_account_reaches_no_owner_page_or_api(
    in_rialto: Department, rialto_client: TenantClient, path: str
) -> None:
    account = department_account_ensure(department=in_rialto)
    rialto_client.force_login(account)

    response = rialto_client.get(path)

    assert response.status_code in (302, 401, 403, 404)
    assert "_auth_user_id" not in rialto_client.session or response.status_code != 200


def test_the_department_account_cannot_be_reactivated(in_rialto: Department, dept_admin: User) -> None:
    account = department_account_ensure(department=in_rialto)

    with pytest.raises(AccountError):
        user_reactivate(actor=dept_admin, user=account)

    account.refresh_from_db()
    assert account.is_active is False


def test_no_password_reset_mail_goes_to_the_department_account(
    in_rialto: Department, rialto_client: TenantClient
) -> None:
    account = department_account_ensure(department=in_rialto)

    rialto_client.post("/accounts/password/reset/", {"email": account.email})

    assert [m for m in mail.outbox if account.email in m.to] == []


# --- Registering ------------------------------------------------------------------------------


def test_a_department_camera_is_owned_by_the_department_at_the_policy_level(
    register: Any, policy: DepartmentPolicy
) -> None:
    camera = register()

    assert camera.site.department_owned is True
    assert camera.site.owner.role == Role.DEPARTMENT
    assert camera.site.kind == "other"
    assert camera.consent.level == policy.department_camera_level == "live"
    assert camera.consent.notify_on_access is False
    assert DepartmentCamera.objects.get(camera=camera).stream_url == ""


def test_registering_names_the_administrator_in_history_and_keeps_the_stream_url_out_of_it(
    register: Any, dept_admin: User
) -> None:
    camera = register(stream_url="rtsp://user:secret@10.0.0.5/stream1")

    record = DepartmentCamera.objects.get(camera=camera)
    assert record.stream_url == "rtsp://user:secret@10.0.0.5/stream1"
    assert Camera.history.filter(id=camera.pk).latest().history_user_id == dept_admin.pk
    assert not hasattr(DepartmentCamera.history.model, "stream_url")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"stream_url": "ftp://x/y"}, "stream_url"),
        ({"bearing_deg": 360}, "bearing_deg"),
        ({"range_m": 0}, "range_m"),
    ],
)
def test_a_bad_value_is_refused_by_field_and_nothing_is_stored(
    register: Any, fields: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        register(**fields)

    assert field in refused.value.message_dict
    assert not DepartmentCamera.objects.exists()


def test_a_point_outside_the_department_is_refused(register: Any) -> None:
    with pytest.raises(OutsideJurisdiction):
        register(lon=-117.50, lat=34.10)  # Fontana

    assert not DepartmentCamera.objects.exists()


def test_two_active_cameras_cannot_share_a_label_but_a_retired_ones_label_is_free(
    register: Any, dept_admin: User
) -> None:
    first = register("Civic Center")
    with pytest.raises(ValidationError):
        register("civic center")
    department_camera_retire(actor=dept_admin, record=DepartmentCamera.objects.get(camera=first))

    again = register("Civic Center")

    assert again.pk != first.pk


def test_editing_moves_the_camera_and_its_wedge(register: Any, dept_admin: User, in_rialto: Department) -> None:
    camera = register()
    record = DepartmentCamera.objects.get(camera=camera)

    department_camera_update(
        actor=dept_admin, department=in_rialto, record=record, spec=spec("Moved", lon=-117.37, lat=34.11)
    )

    camera.refresh_from_db()
    assert (camera.label, round(camera.location.x, 4), round(camera.location.y, 4)) == ("Moved", -117.37, 34.11)
    assert camera.fov.intersects(point(-117.37, 34.11).buffer(0.0001))


def test_retiring_pauses_revokes_and_keeps_the_camera(register: Any, dept_admin: User) -> None:
    camera = register()

    department_camera_retire(actor=dept_admin, record=DepartmentCamera.objects.get(camera=camera))

    camera = Camera.objects.select_related("consent").get(pk=camera.pk)
    assert camera.status == "paused"
    assert camera.consent.revoked_at is not None
    assert list(department_cameras(state="retired")) == [camera.department]


# --- Consent is the policy -----------------------------------------------------------------


def test_a_policy_change_moves_every_department_camera_with_history(
    register: Any, in_rialto: Department, dept_admin: User, make_camera: Any
) -> None:
    cameras = [register(f"Camera {n}") for n in range(3)]
    resident = make_camera("live")

    policy_update(department=in_rialto, actor=dept_admin, department_camera_level="on_request")

    levels = set(ConsentGrant.objects.filter(camera__in=cameras).values_list("level", flat=True))
    assert levels == {"on_request"}
    assert ConsentGrant.objects.get(camera=resident).level == "live"
    for camera in cameras:
        latest = ConsentGrant.history.filter(camera_id=camera.pk).latest()
        assert (latest.level, latest.history_user_id, latest.history_change_reason) == (
            "on_request",
            dept_admin.pk,
            POLICY_CHANGE_REASON,
        )


def test_a_retired_camera_does_not_follow_the_policy(register: Any, in_rialto: Department, dept_admin: User) -> None:
    camera = register()
    department_camera_retire(actor=dept_admin, record=DepartmentCamera.objects.get(camera=camera))

    policy_update(department=in_rialto, actor=dept_admin, department_camera_level="registered")

    assert ConsentGrant.objects.get(camera=camera).level == "live"


def test_the_policy_page_sets_the_level_and_the_legal_basis(
    register: Any, logged_in_staff: Any, in_rialto: Department
) -> None:
    camera = register()
    client, _ = logged_in_staff(Role.DEPT_ADMIN)
    policy = DepartmentPolicy.objects.get(department=in_rialto)
    from accounts.forms import PolicyForm

    data = {
        name: value
        for name, value in PolicyForm(instance=policy).initial.items()
        if value is not None and not isinstance(value, list)
    }
    data.update(
        {
            "purpose_categories_text": ", ".join(policy.purpose_categories),
            "exigent_categories_text": ", ".join(policy.exigent_categories),
            "prohibited_purposes_text": ", ".join(policy.prohibited_purposes),
            "department_camera_level": "live_exigent",
            "department_camera_legal_basis": "City Council Resolution 2026-14",
        }
    )

    response = client.post(_policy_url(), data)

    policy.refresh_from_db()
    assert response.status_code == 302, response.content[:3000]
    assert (policy.department_camera_level, policy.department_camera_legal_basis) == (
        "live_exigent",
        "City Council Resolution 2026-14",
    )
    assert ConsentGrant.objects.get(camera=camera).level == "live_exigent"


def _policy_url() -> str:
    from django.urls import reverse

    return reverse("policy-edit")


def test_the_public_policy_page_states_the_level_and_the_legal_basis(
    in_rialto: Department, rialto_client: TenantClient
) -> None:
    policy_update(
        department=in_rialto,
        actor=None,
        department_camera_level="live_exigent",
        department_camera_legal_basis="City Council Resolution 2026-14",
    )

    page = rialto_client.get("/transparency/").content.decode()

    assert "The department's own cameras (city cameras it owns)" in page
    assert "Live in emergencies" in page
    assert "City Council Resolution 2026-14" in page


# --- The gate -----------------------------------------------------------------------------


def test_an_officer_search_includes_department_cameras_and_logs_them_like_others(
    register: Any, make_camera: Any, actor: access.Actor, purpose: Any
) -> None:
    own = register()
    resident = make_camera("on_request", lon=-117.3802, lat=34.1002)

    result = access.camera_search(
        actor=actor, purpose=purpose, area=Area(center=point(-117.38, 34.10), radius_m=300), mode="pin"
    )

    event = AccessEvent.objects.order_by("-seq").first()
    hits = {h.camera.public_id: h for h in result.hits}
    assert {own.public_id, resident.public_id} <= set(hits)
    assert hits[own.public_id].level == "live"
    assert hits[own.public_id].can_live_view is True
    assert event is not None
    assert f"camera:{own.public_id}" in event.targets


def test_a_search_does_not_offer_a_footage_request_to_a_department_camera(
    register: Any, make_camera: Any, actor: access.Actor, purpose: Any
) -> None:
    # Both judged in one search: the page's judgement is shared between rows that read alike.
    own = register()
    resident = make_camera("live", lon=-117.3802, lat=34.1002)

    result = access.camera_search(
        actor=actor, purpose=purpose, area=Area(center=point(-117.38, 34.10), radius_m=300), mode="pin"
    )

    hits = {h.camera.public_id: h for h in result.hits}
    assert hits[own.public_id].can_request_footage is False
    assert hits[resident.public_id].can_request_footage is True


def test_a_live_view_of_a_department_camera_is_allowed_by_the_policy_without_any_resident(
    register: Any, actor: access.Actor, purpose: Any, in_rialto: Department
) -> None:
    policy_update(department=in_rialto, actor=None, residential_live_view_allowed=False)
    camera = register()

    decision = access.authorize(actor=actor, action="live_start", purpose=purpose, camera=camera)

    event = AccessEvent.objects.order_by("-seq").first()
    assert decision.allowed, decision.message
    assert event is not None
    assert (event.action, event.outcome, event.consent_level) == ("live_start", "allowed", "live")
    assert not AccessNotice.objects.filter(owner=camera.site.owner).exists()


def test_a_live_view_is_refused_once_the_policy_lowers_the_level(
    register: Any, actor: access.Actor, purpose: Any, in_rialto: Department
) -> None:
    camera = register()
    policy_update(department=in_rialto, actor=None, department_camera_level="on_request")
    camera = Camera.objects.select_related("site", "consent").get(pk=camera.pk)

    decision = access.authorize(actor=actor, action="live_start", purpose=purpose, camera=camera)

    assert not decision.allowed


@pytest.mark.parametrize("action", ["footage_request", "message_send"])
def test_a_request_or_message_to_a_department_camera_s_owner_is_refused_with_a_clear_reason_and_logged(
    register: Any, actor: access.Actor, purpose: Any, action: str
) -> None:
    camera = register()

    decision = access.authorize(actor=actor, action=action, purpose=purpose, camera=camera)

    event = AccessEvent.objects.order_by("-seq").first()
    assert not decision.allowed
    assert decision.reason == "department_camera"
    assert "evidence process" in decision.message
    assert event is not None
    assert (event.action, event.outcome, event.reason) == (action, "denied", "department_camera")


def test_no_ordinance_covers_a_department_camera_s_site(register: Any, in_rialto: Department) -> None:
    from compliance.rules import OrdinanceRules, ordinance_covers
    from compliance.selectors import site_facts

    site = register().site
    rules = OrdinanceRules(key="all-other", name="Every other property", property_kinds=("other",))

    assert ordinance_covers(rules, site_facts(site)) is False


def test_a_canvass_leaves_department_cameras_out_and_sends_them_nothing(
    register: Any, make_camera: Any, actor: access.Actor, purpose: Any
) -> None:
    import datetime as dt

    from django.utils import timezone

    own = register()
    resident = make_camera("on_request")
    end = timezone.now() - dt.timedelta(minutes=5)

    result = footage_request_send(
        actor=actor,
        purpose=purpose,
        camera_ids=[own.public_id, resident.public_id],
        window_start=end - dt.timedelta(hours=1),
        window_end=end,
        message="Anything on the corner?",
    )

    assert (result.owners, result.cameras, result.refused) == (1, 1, 1)
    assert own.site.owner_id not in set(result.request.owner_requests.values_list("owner_id", flat=True))  # type: ignore[union-attr]
