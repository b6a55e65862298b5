"""Department admins invite staff, change roles, deactivate accounts and edit policy; history keeps who."""

from typing import Any

import pytest
from django.core import mail

from accounts.models import Role, User
from accounts.services import user_compliance_duty_set
from tenants.models import DepartmentPolicy
from tenants.services import policy_update
from tests.conftest import TenantClient, login_with_mfa
from tests.factories import RIALTO_CONDITIONS, UserFactory, ordinance_make, totp_enable


@pytest.fixture
def admin_client(logged_in_staff: Any) -> tuple[TenantClient, User]:
    return logged_in_staff(Role.DEPT_ADMIN)


def test_invite_creates_staff_without_password_and_emails_a_link_on_the_departments_host(
    admin_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client, admin = admin_client

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/department/staff/invite/",
            {"email": "new.officer@example.org", "full_name": "New Officer", "badge_number": "88", "role": "officer"},
        )

    invited = User.objects.get(email="new.officer@example.org")
    assert response.status_code == 302
    assert invited.role == Role.OFFICER
    assert not invited.has_usable_password()
    assert invited.history.latest().history_user == admin
    message = mail.outbox[-1]
    assert message.to == ["new.officer@example.org"]
    assert "http://rialto.localhost:8000/accounts/password/reset/key/" in message.body


def test_invitation_link_lets_the_new_officer_choose_a_password(
    admin_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client, _ = admin_client
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/department/staff/invite/", {"email": "o2@example.org", "full_name": "O Two", "role": "officer"})
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/password/reset/key/" in line)
    path = link.split(":8000", 1)[1]
    newcomer = TenantClient("rialto.localhost")

    form_page = newcomer.get(path, follow=True)
    response = newcomer.post(
        form_page.redirect_chain[-1][0], {"password1": "a-long-new-passphrase", "password2": "a-long-new-passphrase"}
    )

    assert response.status_code == 302
    assert User.objects.get(email="o2@example.org").check_password("a-long-new-passphrase")


@pytest.mark.parametrize(
    ("data", "field_error"),
    [
        ({"email": "not-an-email", "full_name": "X", "role": "officer"}, "email"),
        ({"email": "r@example.org", "full_name": "X", "role": "resident"}, "role"),
        ({"email": "x@example.org", "full_name": "", "role": "officer"}, "full_name"),
    ],
)
def test_invite_with_bad_input_shows_the_error_and_creates_nobody(
    admin_client: Any, data: dict[str, str], field_error: str
) -> None:
    client, _ = admin_client
    before = User.objects.count()

    response = client.post("/department/staff/invite/", data)

    assert response.status_code == 400
    assert field_error in response.context["invite_form"].errors
    assert User.objects.count() == before


def test_invite_of_an_existing_email_is_refused(admin_client: Any) -> None:
    client, _ = admin_client
    UserFactory(email="taken@example.org")

    response = client.post(
        "/department/staff/invite/", {"email": "taken@example.org", "full_name": "T", "role": "officer"}
    )

    assert response.status_code == 400
    assert "already exists" in str(response.context["invite_form"].errors["email"])


def test_role_change_is_recorded_with_the_admin_who_made_it(admin_client: Any) -> None:
    client, admin = admin_client
    officer = UserFactory(role=Role.OFFICER)

    client.post(f"/department/staff/{officer.pk}/role/", {"role": "supervisor"})

    officer.refresh_from_db()
    latest = officer.history.latest()
    assert officer.role == Role.SUPERVISOR
    assert (latest.role, latest.history_user) == (Role.SUPERVISOR, admin)


def test_admin_cannot_change_their_own_role(admin_client: Any) -> None:
    client, admin = admin_client

    client.post(f"/department/staff/{admin.pk}/role/", {"role": "officer"})

    admin.refresh_from_db()
    assert admin.role == Role.DEPT_ADMIN


def test_deactivation_ends_the_officers_sessions_at_once(admin_client: Any, make_staff: Any) -> None:
    client, admin = admin_client
    officer, secret = make_staff(Role.OFFICER)
    officer_client = TenantClient("rialto.localhost")
    login_with_mfa(officer_client, officer.email, secret)
    assert officer_client.get("/api/v1/me/").status_code == 200

    client.post(f"/department/staff/{officer.pk}/active/", {"confirm": "yes"})

    officer.refresh_from_db()
    assert not officer.is_active
    assert officer.history.latest().history_user == admin
    assert officer_client.get("/api/v1/me/").status_code in (401, 403)
    assert "_auth_user_id" not in officer_client.session


def test_deactivating_asks_first_and_a_post_without_the_confirmation_deactivates_nobody(
    admin_client: Any, make_staff: Any
) -> None:
    client, _ = admin_client
    officer, _ = make_staff(Role.OFFICER)

    page = client.get(f"/department/staff/{officer.pk}/active/")
    bare = client.post(f"/department/staff/{officer.pk}/active/", {})

    officer.refresh_from_db()
    assert officer.is_active
    assert page.status_code == bare.status_code == 200
    assert 'name="confirm" value="yes"' in page.content.decode()
    assert officer.email in bare.content.decode()


def test_the_staff_list_links_to_the_confirmation_instead_of_deactivating(admin_client: Any, make_staff: Any) -> None:
    client, _ = admin_client
    officer, _ = make_staff(Role.OFFICER)

    page = client.get("/department/staff/").content.decode()

    assert f'<a class="button danger" href="/department/staff/{officer.pk}/active/">' in page


def test_reactivating_needs_no_confirmation(admin_client: Any, make_staff: Any) -> None:
    client, _ = admin_client
    officer, _ = make_staff(Role.OFFICER)
    client.post(f"/department/staff/{officer.pk}/active/", {"confirm": "yes"})

    client.post(f"/department/staff/{officer.pk}/active/", {"active": "1"})

    officer.refresh_from_db()
    assert officer.is_active


def test_deactivated_officer_cannot_log_in_again(admin_client: Any, make_staff: Any) -> None:
    client, _ = admin_client
    officer, _ = make_staff(Role.OFFICER)
    client.post(f"/department/staff/{officer.pk}/active/", {"confirm": "yes"})
    officer_client = TenantClient("rialto.localhost")

    response = officer_client.post("/accounts/login/", {"login": officer.email, "password": "correct horse battery"})

    assert "_auth_user_id" not in officer_client.session
    assert response.status_code in (200, 302)
    assert officer_client.get("/api/v1/me/").status_code in (401, 403)


@pytest.mark.parametrize("role", [Role.OFFICER, Role.SUPERVISOR, Role.OVERSIGHT])
@pytest.mark.parametrize("path", ["/department/staff/", "/department/policy/"])
def test_other_staff_cannot_open_department_administration(logged_in_staff: Any, role: str, path: str) -> None:
    client, _ = logged_in_staff(role)

    response = client.get(path)

    assert response.status_code == 403


def test_residents_cannot_open_department_administration(in_rialto: Any, rialto_client: Any) -> None:
    rialto_client.force_login(UserFactory(role=Role.RESIDENT))

    response = rialto_client.get("/department/staff/")

    assert response.status_code == 403


def _policy_form(**overrides: Any) -> dict[str, Any]:
    data = {
        "live_view_limit_minutes": 20,
        "footage_retention_days": 60,
        "residential_live_view_allowed": "",
        "purpose_categories_text": "violent_crime, property_crime, missing_person",
        "exigent_categories_text": "missing_person",
        "prohibited_purposes_text": "first_amendment_activity, immigration_status",
        "notice_digest_minutes": 15,
        "public_cell_threshold": 5,
        "language": "en",
    }
    data.update(overrides)
    return data


def test_the_owner_notice_window_and_language_are_set_on_the_policy_page_with_history(
    admin_client: Any, rialto: Any
) -> None:
    client, admin = admin_client
    page = client.get("/department/policy/").content.decode()

    response = client.post("/department/policy/", _policy_form(notice_digest_minutes=30, language="es"))

    policy = DepartmentPolicy.objects.get(department=rialto)
    latest = policy.history.latest()
    assert 'for="id_notice_digest_minutes"' in page
    assert response.status_code == 302
    assert (policy.notice_digest_minutes, policy.language) == (30, "es")
    assert (latest.notice_digest_minutes, latest.history_user_id) == (30, admin.pk)
    assert "<td>30</td>" in client.get("/department/policy/").content.decode()


def test_the_incident_dock_mobile_age_and_plate_hotlists_are_set_on_the_policy_page(
    admin_client: Any, rialto: Any
) -> None:
    client, admin = admin_client
    page = client.get("/department/policy/").content.decode()

    response = client.post(
        "/department/policy/",
        _policy_form(
            incident_camera_count=6,
            incident_radius_m=500,
            incident_canvass_minutes=45,
            mobile_position_max_age_seconds=120,
            plate_hotlist_allowed_text="Stolen Vehicle, amber-alert",
            plate_hotlist_blocked_text="immigration_status, Gang Database",
        ),
    )

    policy = DepartmentPolicy.objects.get(department=rialto)
    assert 'for="id_incident_camera_count"' in page
    assert 'for="id_plate_hotlist_blocked_text"' in page
    assert response.status_code == 302
    assert (policy.incident_camera_count, policy.incident_radius_m, policy.incident_canvass_minutes) == (6, 500, 45)
    assert policy.mobile_position_max_age_seconds == 120
    assert policy.plate_hotlist_allowed == ["stolen_vehicle", "amber_alert"]
    assert policy.plate_hotlist_blocked == ["immigration_status", "gang_database"]
    assert policy.history.latest().history_user_id == admin.pk


def test_the_public_list_of_businesses_under_the_ordinance_is_switched_on_and_off_on_the_policy_page(
    admin_client: Any, rialto: Any
) -> None:
    """The box was on the form, but saving the form never changed the policy (issue 16's review)."""
    client, admin = admin_client
    assert 'name="compliance_list_public"' in client.get("/department/policy/").content.decode()

    client.post("/department/policy/", _policy_form(compliance_list_public="on"))
    on = DepartmentPolicy.objects.get(department=rialto).compliance_list_public
    client.post("/department/policy/", _policy_form())
    off = DepartmentPolicy.objects.get(department=rialto)

    assert (on, off.compliance_list_public) == (True, False)
    assert off.history.latest().history_user_id == admin.pk


def test_a_policy_form_without_the_incident_settings_keeps_them(admin_client: Any, rialto: Any) -> None:
    client, _ = admin_client
    before = DepartmentPolicy.objects.get(department=rialto)

    client.post("/department/policy/", _policy_form())

    policy = DepartmentPolicy.objects.get(department=rialto)
    assert policy.incident_radius_m == before.incident_radius_m
    assert policy.plate_hotlist_blocked == before.plate_hotlist_blocked


def test_the_public_pages_small_cell_threshold_is_saved_from_the_policy_page(admin_client: Any, rialto: Any) -> None:
    client, admin = admin_client

    response = client.post("/department/policy/", _policy_form(public_cell_threshold=10))

    policy = DepartmentPolicy.objects.get(department=rialto)
    assert response.status_code == 302
    assert policy.public_cell_threshold == 10
    assert policy.history.latest().history_user_id == admin.pk


def test_the_live_video_bitrate_cap_is_set_on_the_policy_page_with_history(admin_client: Any, rialto: Any) -> None:
    client, admin = admin_client
    page = client.get("/department/policy/").content.decode()

    response = client.post("/department/policy/", _policy_form(live_max_bitrate_kbps=4000))

    policy = DepartmentPolicy.objects.get(department=rialto)
    latest = policy.history.latest()
    assert 'for="id_live_max_bitrate_kbps"' in page
    assert response.status_code == 302
    assert policy.live_max_bitrate_kbps == 4000
    assert (latest.live_max_bitrate_kbps, latest.history_user_id) == (4000, admin.pk)
    assert "<td>4000</td>" in client.get("/department/policy/").content.decode()


@pytest.mark.parametrize("kbps", ["0", "-8000", "249", "50001", "10000000", "fast"])
def test_a_live_video_bitrate_cap_out_of_range_is_refused_by_name(admin_client: Any, rialto: Any, kbps: str) -> None:
    client, _ = admin_client
    before = DepartmentPolicy.objects.get(department=rialto).live_max_bitrate_kbps

    response = client.post("/department/policy/", _policy_form(live_max_bitrate_kbps=kbps))

    errors = response.context["form"].errors
    assert response.status_code == 400
    assert "250 and 50,000" in " ".join(errors["live_max_bitrate_kbps"])
    assert DepartmentPolicy.objects.get(department=rialto).live_max_bitrate_kbps == before


def test_a_policy_form_without_the_bitrate_cap_keeps_it(admin_client: Any, rialto: Any) -> None:
    client, _ = admin_client
    before = DepartmentPolicy.objects.get(department=rialto).live_max_bitrate_kbps

    response = client.post("/department/policy/", _policy_form())

    assert response.status_code == 302
    assert DepartmentPolicy.objects.get(department=rialto).live_max_bitrate_kbps == before


@pytest.mark.parametrize("minutes", ["-1", "1441", "soon"])
def test_a_notice_window_out_of_range_is_refused_by_name(admin_client: Any, rialto: Any, minutes: str) -> None:
    client, _ = admin_client

    response = client.post("/department/policy/", _policy_form(notice_digest_minutes=minutes))

    assert response.status_code == 400
    assert "owner notices" in response.content.decode().lower()
    assert DepartmentPolicy.objects.get(department=rialto).notice_digest_minutes == 15


def test_policy_edit_saves_and_keeps_history_with_the_admin(admin_client: Any, rialto: Any) -> None:
    client, admin = admin_client

    response = client.post("/department/policy/", _policy_form())

    policy = DepartmentPolicy.objects.get(department=rialto)
    latest = policy.history.latest()
    assert response.status_code == 302
    assert policy.live_view_limit_minutes == 20
    assert policy.prohibited_purposes == ["first_amendment_activity", "immigration_status"]
    assert (latest.history_user_id, latest.history_user_email) == (admin.pk, admin.email)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"live_view_limit_minutes": 0}, "live_view_limit_minutes"),
        ({"footage_retention_days": -5}, "footage_retention_days"),
        ({"purpose_categories_text": ""}, "purpose_categories_text"),
        ({"prohibited_purposes_text": "violent_crime"}, "prohibited_purposes_text"),
        ({"exigent_categories_text": "burglary"}, "exigent_categories_text"),
        ({"purpose_categories_text": "violent_crime, missing_person, " + "y" * 65}, "purpose_categories_text"),
        ({"prohibited_purposes_text": "z" * 100}, "prohibited_purposes_text"),
        ({"purpose_categories_text": ", ".join(f"c{i}" for i in range(5000))}, "purpose_categories_text"),
    ],
)
def test_policy_edit_with_bad_input_changes_nothing(
    admin_client: Any, rialto: Any, overrides: dict[str, Any], field: str
) -> None:
    client, _ = admin_client
    before = DepartmentPolicy.objects.get(department=rialto)

    response = client.post("/department/policy/", _policy_form(**overrides))

    after = DepartmentPolicy.objects.get(department=rialto)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert (after.live_view_limit_minutes, after.purpose_categories) == (
        before.live_view_limit_minutes,
        before.purpose_categories,
    )


def test_policy_of_fontana_is_untouched_by_rialtos_admin(admin_client: Any, fontana: Any) -> None:
    client, _ = admin_client
    before = DepartmentPolicy.objects.get(department=fontana).live_view_limit_minutes

    client.post("/department/policy/", _policy_form(live_view_limit_minutes=before + 7))

    assert DepartmentPolicy.objects.get(department=fontana).live_view_limit_minutes == before


def test_totp_enable_helper_is_real(in_rialto: Any) -> None:
    user = UserFactory(role=Role.OFFICER)

    secret = totp_enable(user)

    assert len(secret) >= 16


def test_repeated_categories_are_saved_once_in_their_order(admin_client: Any, rialto: Any) -> None:
    client, _ = admin_client

    client.post(
        "/department/policy/", _policy_form(purpose_categories_text="violent_crime, missing_person, Violent Crime")
    )

    assert DepartmentPolicy.objects.get(department=rialto).purpose_categories == ["violent_crime", "missing_person"]


def test_the_policy_page_no_longer_carries_the_old_single_ordinance_and_points_to_the_ordinances(
    admin_client: Any, rialto: Any
) -> None:
    # given a policy saved with the old fields (kept as they were)
    client, _ = admin_client
    DepartmentPolicy.objects.filter(department=rialto).update(
        ordinance_name="Ord. 1", ordinance_site_kinds=["business"]
    )

    # when the page is shown, and saved with the old fields posted as an old page would
    form = client.get("/department/policy/").content.decode()
    response = client.post(
        "/department/policy/",
        _policy_form(ordinance_enabled="on", ordinance_name="Changed", ordinance_site_kinds=["school"]),
    )

    # then none of them is on the page, the saved values are untouched, and it links to the ordinances
    stored = DepartmentPolicy.objects.get(department=rialto)
    assert [name for name in ("ordinance_enabled", "ordinance_name", "ordinance_site_kinds") if name in form] == []
    assert 'href="/console/ordinances/">Ordinances</a> pages' in form
    assert response.status_code == 302
    assert (stored.ordinance_enabled, stored.ordinance_name, stored.ordinance_site_kinds) == (
        False,
        "Ord. 1",
        ["business"],
    )


def test_the_policy_page_in_spanish_points_to_the_ordinances(admin_client: Any) -> None:
    client, _ = admin_client

    form = client.get("/department/policy/", HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert 'páginas de <a href="/console/ordinances/">Ordenanzas</a>' in form


@pytest.mark.parametrize("email", ["a" * 250 + "@example.org", "second@example.org"])
def test_inviting_an_address_too_long_or_already_held_is_a_form_error(
    admin_client: Any, rialto: Any, email: str
) -> None:
    from allauth.account.models import EmailAddress

    client, _ = admin_client
    resident = UserFactory(role=Role.RESIDENT)
    EmailAddress.objects.create(user=resident, email="second@example.org", verified=True, primary=False)
    before = User.objects.count()

    response = client.post(
        "/department/staff/invite/", {"email": email, "full_name": "X", "role": "officer", "badge_number": ""}
    )

    assert response.status_code == 400
    assert User.objects.count() == before


def test_a_user_can_see_and_end_their_own_sessions(admin_client: Any) -> None:
    client, _ = admin_client

    response = client.get("/accounts/sessions/")

    assert response.status_code == 200


def test_the_deactivation_page_is_in_spanish(admin_client: Any, make_staff: Any) -> None:
    client, _ = admin_client
    officer, _ = make_staff(Role.OFFICER)

    page = client.get(f"/department/staff/{officer.pk}/active/", HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert f"¿Desactivar a {officer.email}?" in page
    assert "Cancelar" in page


def test_the_policy_page_refuses_to_turn_off_live_view_of_homes_an_ordinance_asks_for(
    admin_client: Any, rialto: Any
) -> None:
    client, _ = admin_client
    policy = policy_update(department=rialto, actor=None, residential_live_view_allowed=True)
    ordinance_make(
        policy, RIALTO_CONDITIONS, name="Apartments on live view", property_kinds=["multifamily"], built_after=None
    )

    response = client.post("/department/policy/", _policy_form(residential_live_view_allowed=""))

    assert response.status_code == 400
    assert "Apartments on live view" in response.content.decode()
    assert DepartmentPolicy.objects.get(department=rialto).residential_live_view_allowed


def test_a_supervisor_moved_to_another_role_loses_the_compliance_duty_with_history(admin_client: Any) -> None:
    client, admin = admin_client
    supervisor = UserFactory(role=Role.SUPERVISOR)
    user_compliance_duty_set(actor=admin, user=supervisor, on=True)

    client.post(f"/department/staff/{supervisor.pk}/role/", {"role": "officer"})
    client.post(f"/department/staff/{supervisor.pk}/role/", {"role": "supervisor"})

    supervisor.refresh_from_db()
    demoted = supervisor.history.filter(role=Role.OFFICER).latest()
    assert (supervisor.role, supervisor.compliance_duty) == (Role.SUPERVISOR, False)
    assert (demoted.compliance_duty, demoted.history_user) == (False, admin)
