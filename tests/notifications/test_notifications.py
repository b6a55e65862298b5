"""Staff notifications: who is told what, in the app and by e-mail, and never across departments."""

import datetime as dt
from typing import Any

import pytest
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import STAFF_ROLES, Role, User
from accounts.services import user_language_set
from audit.models import AccessEvent
from audit.services import ActorSnapshot, EventFacts, access_event_record
from cameras import access
from cameras.models import Purpose
from footage.tasks import access_log_verify_hourly
from notifications import services
from notifications.models import Kind, Notification
from tenants.models import Department
from tenants.services import policy_update
from tests.audit.tampering import superuser_sql
from tests.conftest import TenantClient
from tests.factories import UserFactory
from tests.tenancy import connection


def _kinds(user: Any) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def _last() -> AccessEvent:
    return AccessEvent.objects.order_by("-seq").first()  # type: ignore[return-value]


def _declare_exigent(actor: access.Actor, case: str = "RPD-26-0099") -> Any:
    return access.purpose_declare(
        actor=actor,
        case_number=case,
        category="missing_person",
        text="Missing child",
        authority="exigent",
        approvals_link="/console/approvals/",
    )


@pytest.fixture(autouse=True)
def _no_other_staff_or_purposes(in_rialto: Department) -> None:
    """Only this test's people: browser tests commit supervisors, admins and exigent purposes
    into Rialto that stay for the session. Undone with the test's transaction."""
    User.objects.filter(role__in=STAFF_ROLES).update(is_active=False)
    Purpose.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))


@pytest.fixture
def approval_required(in_rialto: Department) -> None:
    policy_update(department=in_rialto, actor=None, exigent_requires_approval=True)


@pytest.fixture
def supervisor(in_rialto: Department) -> access.Actor:
    return access.Actor(user=UserFactory(role=Role.SUPERVISOR), mfa=True)


# --- An exigent purpose waits: the department's supervisors are told ---------------------


def test_an_exigent_purpose_awaiting_approval_tells_each_supervisor_of_the_department_and_only_them(
    approval_required: None,
    actor: access.Actor,
    fontana: Department,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given two supervisors, an administrator and another officer in Rialto, a supervisor in Fontana
    supervisors = [UserFactory(role=Role.SUPERVISOR), UserFactory(role=Role.SUPERVISOR)]
    others = [UserFactory(role=Role.DEPT_ADMIN), UserFactory(role=Role.OFFICER), UserFactory(role=Role.RESIDENT)]
    with tenant_context(fontana):
        fontana_supervisor = UserFactory(role=Role.SUPERVISOR)
    connection.set_tenant(Department.objects.get(schema_name="rialto"))

    # when an officer states an exigent purpose
    with django_capture_on_commit_callbacks(execute=True):
        purpose = _declare_exigent(actor)

    # then each Rialto supervisor has one notification leading to the approvals page, and an e-mail
    for user in supervisors:
        notification = Notification.objects.get(recipient=user)
        assert notification.kind == Kind.EXIGENT_AWAITING
        assert notification.link == f"/console/approvals/#purpose-{purpose.public_id}"
        assert purpose.case_number in notification.subject
    assert all(_kinds(user) == [] for user in others)
    assert sorted(m.to[0] for m in mailoutbox) == sorted(u.email for u in supervisors)
    assert f"/console/approvals/#purpose-{purpose.public_id}" in mailoutbox[0].body
    assert "http://rialto.localhost" in mailoutbox[0].body
    # and Fontana's supervisor, in Fontana, has nothing
    with tenant_context(fontana):
        assert _kinds(fontana_supervisor) == []


def test_a_supervisor_is_not_asked_to_approve_their_own_exigent_purpose(
    approval_required: None, supervisor: access.Actor
) -> None:
    other = UserFactory(role=Role.SUPERVISOR)

    _declare_exigent(supervisor)

    assert _kinds(supervisor.user) == []
    assert _kinds(other) == [Kind.EXIGENT_AWAITING]


def test_nobody_is_asked_when_policy_does_not_make_exigent_purposes_wait(
    in_rialto: Department, actor: access.Actor
) -> None:
    supervisor = UserFactory(role=Role.SUPERVISOR)

    _declare_exigent(actor)

    assert _kinds(supervisor) == []


def test_a_deactivated_supervisor_is_not_told(approval_required: None, actor: access.Actor) -> None:
    gone = UserFactory(role=Role.SUPERVISOR, is_active=False)

    _declare_exigent(actor)

    assert _kinds(gone) == []


# --- Approve and deny ------------------------------------------------------------------------


def test_approving_tells_the_officer(approval_required: None, actor: access.Actor, supervisor: access.Actor) -> None:
    purpose = _declare_exigent(actor)

    access.purpose_approve(actor=supervisor, purpose_public_id=purpose.public_id, officer_link="/console/purpose/")

    told = Notification.objects.get(recipient=actor.user)
    assert (told.kind, told.link) == (Kind.EXIGENT_APPROVED, "/console/purpose/")
    assert supervisor.user.full_name in told.body


def test_denying_is_logged_with_the_reason_and_tells_the_officer_the_reason(
    approval_required: None, actor: access.Actor, supervisor: access.Actor
) -> None:
    purpose = _declare_exigent(actor)

    access.purpose_deny(
        actor=supervisor, purpose_public_id=purpose.public_id, reason="  Not an emergency:\n a lost dog "
    )

    purpose.refresh_from_db()
    assert (purpose.denied_by_id, purpose.denial_reason, purpose.approved_by_id) == (
        supervisor.user.pk,
        "Not an emergency: a lost dog",
        None,
    )
    event = _last()
    assert (event.action, event.outcome, event.actor_id) == ("exigent_deny", "allowed", supervisor.user.pk)
    assert event.details == {"officer_id": actor.user.pk, "reason": "Not an emergency: a lost dog"}
    told = Notification.objects.get(recipient=actor.user)
    assert told.kind == Kind.EXIGENT_DENIED
    assert "Not an emergency: a lost dog" in told.body
    assert access.purposes_awaiting_approval(actor=supervisor) == []


def test_a_denial_without_a_reason_is_refused_in_words_and_logged(
    approval_required: None, actor: access.Actor, supervisor: access.Actor
) -> None:
    purpose = _declare_exigent(actor)

    with pytest.raises(access.PurposeRefused, match="reason") as refused:
        access.purpose_deny(actor=supervisor, purpose_public_id=purpose.public_id, reason="   ")

    purpose.refresh_from_db()
    assert refused.value.field == "reason"
    assert purpose.denied_by_id is None
    assert (_last().action, _last().outcome, _last().reason) == ("exigent_deny", "denied", "denial_reason_missing")
    assert _kinds(actor.user) == []


def test_a_supervisor_cannot_deny_their_own_purpose(approval_required: None, supervisor: access.Actor) -> None:
    own = _declare_exigent(supervisor)

    with pytest.raises(access.PurposeRefused, match="second person"):
        access.purpose_deny(actor=supervisor, purpose_public_id=own.public_id, reason="changed my mind")

    assert (_last().action, _last().reason) == ("exigent_deny", "self_approval")


def test_an_officer_cannot_deny(approval_required: None, actor: access.Actor) -> None:
    purpose = _declare_exigent(actor)
    other = access.Actor(user=UserFactory(role=Role.OFFICER), mfa=True)

    with pytest.raises(access.PurposeRefused):
        access.purpose_deny(actor=other, purpose_public_id=purpose.public_id, reason="no")

    assert (_last().action, _last().reason) == ("exigent_deny", "role_not_permitted")


def test_a_denied_purpose_cannot_be_approved_and_its_exigent_live_views_stay_refused(
    approval_required: None, actor: access.Actor, supervisor: access.Actor, make_camera: Any
) -> None:
    camera = make_camera("live_exigent")
    purpose = _declare_exigent(actor)
    access.purpose_deny(actor=supervisor, purpose_public_id=purpose.public_id, reason="Not an emergency")
    second = access.Actor(user=UserFactory(role=Role.SUPERVISOR), mfa=True)

    with pytest.raises(access.PurposeRefused, match="already been denied"):
        access.purpose_approve(actor=second, purpose_public_id=purpose.public_id)

    purpose.refresh_from_db()
    assert purpose.approved_by_id is None
    decision = access.authorize(actor=actor, action="live_start", purpose=purpose, camera=camera)
    assert (decision.allowed, decision.reason) == (False, "approval_denied")


def test_an_approved_purpose_cannot_be_denied(
    approval_required: None, actor: access.Actor, supervisor: access.Actor
) -> None:
    purpose = _declare_exigent(actor)
    access.purpose_approve(actor=supervisor, purpose_public_id=purpose.public_id)

    with pytest.raises(access.PurposeRefused, match="already been approved"):
        access.purpose_deny(actor=supervisor, purpose_public_id=purpose.public_id, reason="on second thought")

    assert (_last().action, _last().reason) == ("exigent_deny", "already_approved")


# --- The approvals page ----------------------------------------------------------------------


@pytest.fixture
def supervisor_client(approval_required: None, logged_in_staff: Any) -> tuple[TenantClient, Any]:
    client, user = logged_in_staff(Role.SUPERVISOR)
    return client, user


def test_the_approvals_page_offers_approve_and_deny_with_a_labelled_reason(
    supervisor_client: tuple[TenantClient, Any], actor: access.Actor
) -> None:
    client, _ = supervisor_client
    purpose = _declare_exigent(actor)

    page = client.get("/console/approvals/").content.decode()

    assert f'id="purpose-{purpose.public_id}"' in page
    assert f'<label for="deny-reason-{purpose.public_id}">Reason for the denial</label>' in page
    assert ">Approve</button>" in page
    assert ">Deny</button>" in page


def test_denying_on_the_page_without_a_reason_is_a_form_error_and_changes_nothing(
    supervisor_client: tuple[TenantClient, Any], actor: access.Actor
) -> None:
    client, _ = supervisor_client
    purpose = _declare_exigent(actor)

    response = client.post(
        "/console/approvals/", {"decision": "deny", "purpose": str(purpose.public_id), "reason": " "}
    )

    purpose.refresh_from_db()
    assert response.status_code == 400
    assert "Give the reason for the denial: the officer is told it." in response.content.decode()
    assert f'aria-describedby="deny-error-{purpose.public_id}"' in response.content.decode()
    assert purpose.denied_by_id is None
    assert _kinds(actor.user) == []


def test_denying_on_the_page_with_a_reason_denies_and_tells_the_officer(
    supervisor_client: tuple[TenantClient, Any], actor: access.Actor
) -> None:
    client, user = supervisor_client
    purpose = _declare_exigent(actor)

    response = client.post(
        "/console/approvals/",
        {"decision": "deny", "purpose": str(purpose.public_id), "reason": "No sign of danger"},
        follow=True,
    )

    purpose.refresh_from_db()
    assert "Denied. The officer is told your reason." in response.content.decode()
    assert (purpose.denied_by_id, purpose.denial_reason) == (user.pk, "No sign of danger")
    assert Notification.objects.get(recipient=actor.user).link == "/console/purpose/"


def test_following_the_e_mails_link_decides_nothing(
    supervisor_client: tuple[TenantClient, Any], actor: access.Actor
) -> None:
    client, _ = supervisor_client
    purpose = _declare_exigent(actor)
    link = Notification.objects.filter(kind=Kind.EXIGENT_AWAITING).first().link  # type: ignore[union-attr]

    client.get(link)
    client.get(link)

    purpose.refresh_from_db()
    assert (purpose.approved_by_id, purpose.denied_by_id) == (None, None)


# --- A clip arrives: the officer who asked is told --------------------------------------------


def test_a_clip_arriving_tells_the_requesting_officer_without_naming_the_owner(
    make_camera: Any, actor: access.Actor, purpose: Any, settings: Any, tmp_path: Any
) -> None:
    import datetime as dt
    from io import BytesIO

    from django.utils import timezone

    from footage import services as footage_services
    from footage.models import OwnerRequest
    from tests.videos import make_video

    settings.MEDIA_ROOT = str(tmp_path / "media")
    data = make_video(tmp_path / "smith-front-door.mp4", seconds=1, size="160x120", rate=5)
    camera = make_camera("on_request")
    end = timezone.now() - dt.timedelta(hours=1)
    sent = footage_services.footage_request_send(
        actor=actor,
        purpose=purpose,
        camera_ids=[camera.public_id],
        window_start=end - dt.timedelta(hours=1),
        window_end=end,
        message="Did you see a blue van?",
    )
    owner_request = OwnerRequest.objects.get(request=sent.request)
    assert owner_request.owner is not None
    other_officer = UserFactory(role=Role.OFFICER)

    footage_services.clip_upload(
        owner=owner_request.owner,
        answer_id=owner_request.answers.get().pk,
        upload=BytesIO(data),
        name="smith-front-door.mp4",
        size=len(data),
    )

    told = Notification.objects.get(recipient=actor.user)
    assert told.kind == Kind.CLIP_ARRIVED
    assert sent.request is not None
    assert told.link == f"/console/footage/{sent.request.public_id}/"
    assert purpose.case_number in told.subject
    owner = owner_request.owner
    for personal in (owner.email, owner.full_name, "smith"):
        assert personal not in told.subject + told.body
    assert _kinds(other_officer) == []


# --- The log's integrity check fails: the board and the department's administrators are told ------


def test_a_tampered_log_tells_each_board_member_and_administrator_once(
    in_rialto: Department, fontana: Department, django_capture_on_commit_callbacks: Any
) -> None:
    told_ones = [UserFactory(role=Role.DEPT_ADMIN), UserFactory(role=Role.DEPT_ADMIN), UserFactory(role=Role.OVERSIGHT)]
    bystanders = [UserFactory(role=Role.SUPERVISOR), UserFactory(role=Role.OFFICER)]
    with tenant_context(fontana):
        fontana_admin = UserFactory(role=Role.DEPT_ADMIN)
    connection.set_tenant(in_rialto)
    event = access_event_record(actor=ActorSnapshot(user_id=1), facts=EventFacts("search", "allowed", "ok"))
    assert access_log_verify_hourly().startswith("ok")
    assert all(_kinds(u) == [] for u in told_ones)
    superuser_sql("UPDATE audit_accessevent SET case_number = 'edited' WHERE seq = %s", [event.seq])

    # the beat's task, its notices sent after its commit through the outbox (audit.integrity)
    with django_capture_on_commit_callbacks(execute=True):
        first = access_log_verify_hourly()
    with django_capture_on_commit_callbacks(execute=True):
        second = access_log_verify_hourly()

    assert first.startswith(f"BROKEN at event #{event.seq}")
    assert second == first
    for user in told_ones:
        told = Notification.objects.get(recipient=user)  # once, though the check failed twice
        assert told.kind == Kind.LOG_INTEGRITY_FAILED
        assert told.link == "/oversight/"
        assert f"#{event.seq}" in told.body
    assert all(_kinds(u) == [] for u in bystanders)
    with tenant_context(fontana):
        assert _kinds(fontana_admin) == []


# --- The list, the count, reading --------------------------------------------------------------


def test_the_list_shows_only_ones_own_notifications_unread_first_and_the_menu_counts_them(
    logged_in_staff: Any,
) -> None:
    client, user = logged_in_staff(Role.OFFICER)
    someone_else = UserFactory(role=Role.OFFICER)
    older = services.notification_send(recipient=user, kind=Kind.CLIP_ARRIVED, subject="Older one", body="b")
    services.notification_send(recipient=user, kind=Kind.CLIP_ARRIVED, subject="Newer one", body="b")
    services.notification_send(recipient=someone_else, kind=Kind.CLIP_ARRIVED, subject="Not yours", body="b")
    assert older is not None
    services.notification_mark_read(user=user, notification_id=older.pk)
    services.notification_send(recipient=user, kind=Kind.CLIP_ARRIVED, subject="Newest one", body="b")

    page = client.get("/notifications/").content.decode()

    assert page.index("Newest one") < page.index("Newer one") < page.index("Older one")
    assert "Not yours" not in page
    assert ">Notifications (2)</a>" in page


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(logged_in_staff: Any) -> None:
    client, user = logged_in_staff(Role.OFFICER)
    notification = services.notification_send(
        recipient=user, kind=Kind.CLIP_ARRIVED, subject="s", body="b", link="/console/footage/"
    )
    assert notification is not None

    response = client.post(f"/notifications/{notification.pk}/read/", {"open": "1"})

    notification.refresh_from_db()
    assert (response.status_code, response["Location"]) == (302, "/console/footage/")
    assert notification.read_at is not None


def test_reading_the_list_or_following_a_link_marks_nothing_read(logged_in_staff: Any) -> None:
    client, user = logged_in_staff(Role.OFFICER)
    services.notification_send(recipient=user, kind=Kind.CLIP_ARRIVED, subject="s", body="b")

    client.get("/notifications/")

    assert Notification.objects.get(recipient=user).read_at is None


def test_another_staff_members_notification_is_a_404(logged_in_staff: Any) -> None:
    client, _ = logged_in_staff(Role.OFFICER)
    theirs = services.notification_send(
        recipient=UserFactory(role=Role.OFFICER), kind=Kind.CLIP_ARRIVED, subject="s", body="b"
    )
    assert theirs is not None

    response = client.post(f"/notifications/{theirs.pk}/read/")

    theirs.refresh_from_db()
    assert response.status_code == 404
    assert theirs.read_at is None


def test_a_notification_of_another_department_is_a_404_there(
    logged_in_staff: Any, fontana: Department, fontana_client: TenantClient
) -> None:
    _, rialto_user = logged_in_staff(Role.OFFICER)
    rialto_notification = services.notification_send(
        recipient=rialto_user, kind=Kind.CLIP_ARRIVED, subject="Rialto only", body="b"
    )
    assert rialto_notification is not None
    with tenant_context(fontana):
        from tests.factories import totp_enable

        fontana_user = UserFactory(role=Role.OFFICER)
        secret = totp_enable(fontana_user)
    from tests.conftest import login_with_mfa

    login_with_mfa(fontana_client, fontana_user.email, secret)

    page = fontana_client.get("/notifications/").content.decode()
    response = fontana_client.post(f"/notifications/{rialto_notification.pk}/read/")

    assert "Rialto only" not in page
    assert response.status_code == 404


def test_mark_all_as_read(logged_in_staff: Any) -> None:
    client, user = logged_in_staff(Role.SUPERVISOR)
    for n in range(3):
        services.notification_send(recipient=user, kind=Kind.CLIP_ARRIVED, subject=f"s{n}", body="b")

    client.post("/notifications/read-all/")

    assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()
    assert ">Notifications</a>" in client.get("/notifications/").content.decode()


def test_owners_have_no_notifications_page(in_rialto: Department, rialto_client: TenantClient) -> None:
    rialto_client.force_login(UserFactory(role=Role.RESIDENT))

    response = rialto_client.get("/notifications/")

    assert response.status_code == 403


def test_a_link_off_the_site_is_refused(in_rialto: Department) -> None:
    user = UserFactory(role=Role.OFFICER)

    for link in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        with pytest.raises(ValueError, match="own site"):
            services.notification_send(recipient=user, kind=Kind.CLIP_ARRIVED, subject="s", body="b", link=link)


# --- Language ------------------------------------------------------------------------------------


def test_the_entry_and_the_e_mail_are_in_the_recipients_language(
    approval_required: None,
    actor: access.Actor,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    supervisor = UserFactory(role=Role.SUPERVISOR)
    user_language_set(user=supervisor, language="es")

    with django_capture_on_commit_callbacks(execute=True):
        _declare_exigent(actor)

    told = Notification.objects.get(recipient=supervisor)
    assert told.subject.startswith("El propósito de emergencia del caso RPD-26-0099")
    assert mailoutbox[0].subject == f"[Porchlight] {told.subject}"
    assert "Ábralo en Porchlight" in mailoutbox[0].body


def test_the_list_is_in_spanish_for_a_spanish_browser(logged_in_staff: Any) -> None:
    client, user = logged_in_staff(Role.OFFICER)
    services.notification_send(recipient=user, kind=Kind.CLIP_ARRIVED, subject="s", body="b", link="/console/")

    page = client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert "<h1>Notificaciones</h1>" in page
    assert ">Marcar como leída</button>" in page


def test_the_list_costs_the_same_queries_for_one_notification_or_forty(logged_in_staff: Any) -> None:
    client, user = logged_in_staff(Role.SUPERVISOR)
    services.notification_send(recipient=user, kind=Kind.CLIP_ARRIVED, subject="s", body="b", link="/console/")
    client.get("/notifications/")  # the session's first page loads what later pages keep

    with CaptureQueriesContext(connection) as one:
        client.get("/notifications/")
    for n in range(39):
        services.notification_send(recipient=user, kind=Kind.CLIP_ARRIVED, subject=f"s{n}", body="b", link="/x/")

    with CaptureQueriesContext(connection) as forty:
        client.get("/notifications/")

    assert len(forty.captured_queries) == len(one.captured_queries)


# --- An owner replies (messaging calls this when a reply is stored) ------------------------------


def test_an_owners_reply_tells_the_officer_which_case_and_nothing_about_the_owner(in_rialto: Department) -> None:
    officer = UserFactory(role=Role.OFFICER)

    told = services.owner_reply_notify(officer=officer, case_number="RPD-26-0042", link="/console/messages/7/")

    assert told is not None
    assert (told.kind, told.link) == (Kind.OWNER_REPLIED, "/console/messages/7/")
    assert "RPD-26-0042" in told.subject


def test_once_one_supervisor_decides_the_others_requests_are_settled(
    approval_required: None, actor: access.Actor, supervisor: access.Actor
) -> None:
    other = UserFactory(role=Role.SUPERVISOR)
    purpose = _declare_exigent(actor)
    unrelated = _declare_exigent(actor, case="RPD-26-0100")

    access.purpose_approve(actor=supervisor, purpose_public_id=purpose.public_id)

    for user in (supervisor.user, other):
        asked = Notification.objects.filter(recipient=user, kind=Kind.EXIGENT_AWAITING)
        assert asked.get(subject__contains=purpose.case_number).read_at is not None
        assert asked.get(subject__contains=unrelated.case_number).read_at is None


@pytest.mark.parametrize("role", [Role.OFFICER, Role.SUPERVISOR, Role.DEPT_ADMIN, Role.OVERSIGHT])
def test_every_staff_role_has_the_list_in_the_menu(logged_in_staff: Any, role: str) -> None:
    client, _ = logged_in_staff(role)

    response = client.get("/notifications/")

    assert response.status_code == 200
    assert 'id="menu-notifications"' in response.content.decode()


def test_the_officer_reads_the_denial_and_its_reason_on_the_purpose_page(
    approval_required: None, logged_in_staff: Any
) -> None:
    client, officer = logged_in_staff(Role.OFFICER)
    supervisor = access.Actor(user=UserFactory(role=Role.SUPERVISOR, full_name="Sam Boss"), mfa=True)
    client.post(
        "/console/purpose/",
        {"case_number": "RPD-9", "category": "missing_person", "text": "Missing child", "authority": "exigent"},
    )
    purpose = officer.purposes.get()
    asked = Notification.objects.get(recipient=supervisor.user)
    access.purpose_deny(actor=supervisor, purpose_public_id=purpose.public_id, reason="No danger stated")

    page = client.get("/console/purpose/").content.decode()

    assert asked.link == f"/console/approvals/#purpose-{purpose.public_id}"
    assert "A supervisor denied it: Sam Boss (#4711). Reason: No danger stated" in page


def test_nothing_waits_for_approval_where_the_department_does_not_ask_for_it(
    in_rialto: Department, actor: access.Actor, supervisor: access.Actor
) -> None:
    _declare_exigent(actor)

    assert access.purposes_awaiting_approval(actor=supervisor) == []
    assert not Notification.objects.filter(recipient=supervisor.user).exists()


def test_the_officer_is_told_their_emergency_purpose_waits_for_a_supervisor(
    approval_required: None, logged_in_staff: Any
) -> None:
    client, _officer = logged_in_staff(Role.OFFICER)

    response = client.post(
        "/console/purpose/",
        {"case_number": "RPD-26-0100", "category": "missing_person", "text": "Missing child", "authority": "exigent"},
        follow=True,
    )

    assert "waits for a supervisor&#x27;s approval" in response.content.decode()
