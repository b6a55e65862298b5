"""Owners see who looked: /my/access/, /api/v1/me/access-events/ and the e-mail notices.

Every event here is written by the real gate (cameras.access): an officer with MFA states
a purpose and looks a camera up, searches, or opens the map.
"""

import re
from collections.abc import Callable, Iterator
from smtplib import SMTPServerDisconnected
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from accounts.models import Role, User
from audit.models import AccessEvent, Action
from audit.services import ActorSnapshot, EventFacts, access_event_record
from cameras import access
from cameras import services as camera_services
from cameras.digest import access_digest_send as access_digest_send_task
from cameras.geometry import point
from cameras.models import Camera, Purpose
from cameras.search_sql import Area
from config.celery import app
from core.mail import mail_send
from tenants.models import Department, DepartmentPolicy
from tenants.selectors import department_base_url
from tenants.services import policy_update
from tests.conftest import SHARED_PK, TenantClient
from tests.factories import UserFactory

STAFF_ROLES = [Role.OFFICER, Role.SUPERVISOR, Role.DEPT_ADMIN, Role.OVERSIGHT]
CASE = "RPD-26-0777"


@pytest.fixture
def officer(make_staff: Any) -> access.Actor:
    user, _ = make_staff(Role.OFFICER, badge_number="0815")
    return access.Actor(user=user, mfa=True)


@pytest.fixture
def purpose(officer: access.Actor) -> Purpose:
    return access.purpose_declare(
        actor=officer, case_number=CASE, category="violent_crime", text="Armed robbery at the corner store"
    )


@pytest.fixture
def register(in_rialto: Department, policy: DepartmentPolicy) -> Callable[..., Camera]:
    """A camera of ``owner`` on a new site inside Rialto, with the given consent."""

    def _register(
        owner: User,
        *,
        label: str = "Driveway",
        level: str = "on_request",
        notify: bool = False,
        address: str = "1 Main St",
    ) -> Camera:
        site = camera_services.site_create(
            owner=owner, department=in_rialto, lon=-117.38, lat=34.10, kind="residential", address=address
        )
        camera = camera_services.camera_register(
            owner=owner, site=site, label=label, bearing_deg=90, fov_angle_deg=90, range_m=20
        )
        camera_services.consent_set(owner=owner, camera=camera, policy=policy, level=level, notify_on_access=notify)
        return camera

    return _register


@pytest.fixture(autouse=True)
def notices_at_once(in_rialto: Department) -> None:
    """These tests read one notice per access: Rialto e-mails each at once (window 0).
    tests/portal/test_access_digest.py is about the digest of the default window."""
    policy_update(department=in_rialto, actor=None, notice_digest_minutes=0)


@pytest.fixture
def owner(in_rialto: Department) -> User:
    return UserFactory(role=Role.RESIDENT)


def _look(officer: access.Actor, purpose: Purpose | None, camera: Camera, action: str = Action.CAMERA_VIEW) -> Any:
    decision, _ = access.camera_lookup(actor=officer, purpose=purpose, public_id=camera.public_id, action=action)
    return decision


def _page_of(client: TenantClient, user: User) -> str:
    client.force_login(user)
    response = client.get("/my/access/")
    assert response.status_code == 200
    return str(response.content.decode())


def test_an_owner_sees_an_officer_looking_at_their_camera_with_badge_and_case_number(
    owner: User, register: Any, officer: access.Actor, purpose: Purpose, rialto_client: TenantClient
) -> None:
    camera = register(owner, label="Driveway")
    _look(officer, purpose, camera)

    page = _page_of(rialto_client, owner)

    assert "Driveway" in page
    assert "Badge 0815" in page
    assert CASE in page
    assert "Violent crime" in page
    assert "Camera details viewed" in page
    assert "Allowed" in page


def test_the_officers_name_never_appears(
    owner: User, register: Any, officer: access.Actor, purpose: Purpose, rialto_client: TenantClient
) -> None:
    _look(officer, purpose, register(owner))

    page = _page_of(rialto_client, owner)

    assert officer.user.full_name not in page
    assert officer.user.email not in page


def test_times_are_shown_in_the_departments_time_zone(
    owner: User,
    register: Any,
    officer: access.Actor,
    purpose: Purpose,
    rialto: Department,
    rialto_client: TenantClient,
) -> None:
    decision = _look(officer, purpose, register(owner))
    local = AccessEvent.objects.get(seq=decision.event_seq).occurred_at.astimezone(ZoneInfo(rialto.time_zone))

    page = _page_of(rialto_client, owner)

    assert f"{local:%H:%M} {local.tzname()}" in page


def test_another_owner_does_not_see_an_access_to_someone_elses_camera(
    owner: User, register: Any, officer: access.Actor, purpose: Purpose, rialto_client: TenantClient
) -> None:
    _look(officer, purpose, register(owner, label="Driveway"))
    neighbour = UserFactory(role=Role.RESIDENT)

    page = _page_of(rialto_client, neighbour)

    assert "Driveway" not in page
    assert CASE not in page
    assert "No police access to your cameras has been recorded." in page


def test_a_fontana_owner_with_the_same_user_id_does_not_see_a_rialto_access(
    register: Any, officer: access.Actor, purpose: Purpose, fontana: Department, fontana_client: TenantClient
) -> None:
    rialto_owner = User.objects.get(pk=SHARED_PK)
    _look(officer, purpose, register(rialto_owner, label="Driveway"))
    with tenant_context(fontana):
        fontana_owner = User.objects.get(pk=SHARED_PK)
        fontana_client.force_login(fontana_owner)

    response = fontana_client.get("/my/access/")

    assert response.status_code == 200
    assert CASE not in response.content.decode()
    assert "Driveway" not in response.content.decode()


def test_a_denied_access_appears_as_denied_with_the_reason(
    owner: User, register: Any, officer: access.Actor, purpose: Purpose, rialto_client: TenantClient
) -> None:
    camera = register(owner, level="registered")
    decision = _look(officer, purpose, camera, Action.FOOTAGE_REQUEST)

    page = _page_of(rialto_client, owner)

    assert decision.allowed is False
    assert "Footage requested" in page
    assert "Denied: your consent does not allow this" in page


def test_an_access_to_a_camera_the_owner_deleted_shows_as_a_deleted_camera(
    owner: User, register: Any, officer: access.Actor, purpose: Purpose, rialto_client: TenantClient
) -> None:
    camera = register(owner, label="Driveway")
    _look(officer, purpose, camera)
    camera_services.camera_delete(owner=owner, camera=camera)

    page = _page_of(rialto_client, owner)

    assert "a deleted camera" in page
    assert CASE in page


def test_a_live_view_shows_how_long_it_lasted(
    owner: User, register: Any, officer: access.Actor, purpose: Purpose, rialto_client: TenantClient
) -> None:
    camera = register(owner, level="live")
    access.authorize(
        actor=officer, action=Action.LIVE_END, purpose=purpose, camera=camera, quantity=95, quantity_unit="seconds"
    )

    page = _page_of(rialto_client, owner)

    assert "Live view ended" in page
    assert "95 seconds" in page


def test_my_cameras_links_to_the_access_log(owner: User, rialto_client: TenantClient) -> None:
    rialto_client.force_login(owner)

    response = rialto_client.get("/my/")

    assert b'href="/my/access/"' in response.content


def test_the_log_is_paginated_25_to_a_page_newest_first(
    owner: User, register: Any, officer: access.Actor, purpose: Purpose, rialto_client: TenantClient
) -> None:
    camera = register(owner)
    decisions = [_look(officer, purpose, camera) for _ in range(26)]
    rialto_client.force_login(owner)

    first = rialto_client.get("/my/access/")
    second = rialto_client.get("/my/access/?page=2")

    assert first.content.decode().count('class="access-event') == 25
    assert f'data-seq="{decisions[-1].event_seq}"' in first.content.decode()
    assert f'data-seq="{decisions[0].event_seq}"' in second.content.decode()


def test_an_access_between_two_pages_does_not_repeat_an_event_on_the_next(
    owner: User, register: Any, officer: access.Actor, purpose: Purpose, rialto_client: TenantClient
) -> None:
    camera = register(owner)
    decisions = [_look(officer, purpose, camera) for _ in range(26)]
    rialto_client.force_login(owner)

    first = rialto_client.get("/my/access/")
    later = _look(officer, purpose, camera)  # police look again while the owner reads
    older = re.search(r'href="(\?page=2[^"]*)"', first.content.decode())
    assert older is not None
    second = rialto_client.get("/my/access/" + older.group(1).replace("&amp;", "&")).content.decode()

    assert re.findall(r'data-seq="(\d+)"', second) == [str(decisions[0].event_seq)]
    assert f'data-seq="{later.event_seq}"' not in second


@pytest.mark.parametrize("upto", ["abc", "1" * 400, "-1"])
def test_a_malformed_anchor_is_refused_by_name(owner: User, rialto_client: TenantClient, upto: str) -> None:
    rialto_client.force_login(owner)

    page = rialto_client.get("/my/access/", {"upto": upto})
    api = rialto_client.get("/api/v1/me/access-events/", {"upto": upto})

    assert (page.status_code, api.status_code) == (400, 400)
    assert "upto" in page.content.decode()
    assert api.json()["fields"] == {"upto": ["upto must be the number of an event."]}


# --- The API -------------------------------------------------------------------------------


def test_the_api_pages_stay_put_while_police_access_the_cameras(
    owner: User, register: Any, officer: access.Actor, purpose: Purpose, rialto_client: TenantClient
) -> None:
    camera = register(owner)
    decisions = [_look(officer, purpose, camera) for _ in range(26)]
    rialto_client.force_login(owner)

    first = rialto_client.get("/api/v1/me/access-events/").json()
    _look(officer, purpose, camera)
    second = rialto_client.get(first["next"]).json()
    back = rialto_client.get(second["previous"]).json()

    assert [e["seq"] for e in second["results"]] == [decisions[0].event_seq]
    assert [e["seq"] for e in back["results"]] == [e["seq"] for e in first["results"]]
    assert second["count"] == first["count"] == 26


def test_the_api_lists_the_access_with_the_cameras_public_id(
    owner: User, register: Any, officer: access.Actor, purpose: Purpose, rialto_client: TenantClient
) -> None:
    camera = register(owner, label="Driveway")
    decision = _look(officer, purpose, camera)
    rialto_client.force_login(owner)

    response = rialto_client.get("/api/v1/me/access-events/")

    body = response.json()
    event = body["results"][0]
    assert response.status_code == 200
    assert body["count"] == 1
    assert event["seq"] == decision.event_seq
    assert event["cameras"] == [{"id": str(camera.public_id), "label": "Driveway", "site": "1 Main St"}]
    assert (event["officer_badge"], event["officer"], event["case_number"]) == ("0815", "Badge 0815", CASE)
    assert (event["action"], event["purpose_category"], event["allowed"]) == ("camera_view", "violent_crime", True)
    assert event["occurred_at"].endswith(("-07:00", "-08:00"))


def test_the_api_shows_a_denied_access_as_denied(
    owner: User, register: Any, officer: access.Actor, purpose: Purpose, rialto_client: TenantClient
) -> None:
    _look(officer, purpose, register(owner, level="registered"), Action.FOOTAGE_REQUEST)
    rialto_client.force_login(owner)

    event = rialto_client.get("/api/v1/me/access-events/").json()["results"][0]

    assert (event["allowed"], event["reason"]) == (False, "level_too_low")
    assert event["outcome_text"] == "Denied: your consent does not allow this"


def test_a_search_over_two_owners_cameras_shows_each_owner_only_their_own(
    owner: User, register: Any, officer: access.Actor, purpose: Purpose, rialto_client: TenantClient
) -> None:
    mine = register(owner, label="Driveway")
    theirs = register(UserFactory(role=Role.RESIDENT), label="Their porch")
    access.camera_search(
        actor=officer, purpose=purpose, area=Area(center=point(-117.38, 34.10), radius_m=200), mode="pin"
    )
    rialto_client.force_login(owner)

    response = rialto_client.get("/api/v1/me/access-events/")

    event = response.json()["results"][0]
    assert event["action"] == "search"
    assert event["cameras"] == [{"id": str(mine.public_id), "label": "Driveway", "site": "1 Main St"}]
    assert str(theirs.public_id) not in response.content.decode()
    assert "Their porch" not in response.content.decode()


def test_the_api_does_not_grow_queries_with_the_number_of_events(
    owner: User, register: Any, officer: access.Actor, purpose: Purpose, rialto_client: TenantClient
) -> None:
    camera = register(owner)
    rialto_client.force_login(owner)
    _look(officer, purpose, camera)
    with CaptureQueriesContext(connection) as one:
        rialto_client.get("/api/v1/me/access-events/")
    for _ in range(5):
        _look(officer, purpose, camera)

    with CaptureQueriesContext(connection) as six:
        rialto_client.get("/api/v1/me/access-events/")

    assert len(six.captured_queries) == len(one.captured_queries)


# --- Staff are not owners ------------------------------------------------------------------


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_staff_are_refused_the_owners_access_page(logged_in_staff: Any, role: str) -> None:
    client, _ = logged_in_staff(role)

    response = client.get("/my/access/")

    assert response.status_code == 403


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_staff_are_refused_the_owners_access_api(logged_in_staff: Any, role: str) -> None:
    client, _ = logged_in_staff(role)

    response = client.get("/api/v1/me/access-events/")

    assert response.status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(in_rialto: Department, rialto_client: TenantClient) -> None:
    response = rialto_client.get("/my/access/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- Notices -------------------------------------------------------------------------------


def test_an_owner_who_asked_is_emailed_when_police_access_their_camera(
    owner: User,
    register: Any,
    officer: access.Actor,
    purpose: Purpose,
    rialto: Department,
    django_capture_on_commit_callbacks: Any,
) -> None:
    camera = register(owner, label="Driveway", notify=True)

    with django_capture_on_commit_callbacks(execute=True):
        _look(officer, purpose, camera)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [owner.email]
    assert "Camera details viewed" in message.subject
    for expected in ("Driveway", "Badge 0815", CASE, "Violent crime", "Allowed"):
        assert expected in message.body
    assert f"{department_base_url(rialto)}/my/access/" in message.body
    assert officer.user.full_name not in message.body


def test_a_denied_access_is_emailed_too(
    owner: User, register: Any, officer: access.Actor, purpose: Purpose, django_capture_on_commit_callbacks: Any
) -> None:
    camera = register(owner, level="registered", notify=True)

    with django_capture_on_commit_callbacks(execute=True):
        _look(officer, purpose, camera, Action.FOOTAGE_REQUEST)

    assert len(mail.outbox) == 1
    assert "Denied: your consent does not allow this" in mail.outbox[0].body


def test_an_owner_who_did_not_ask_gets_no_email(
    owner: User, register: Any, officer: access.Actor, purpose: Purpose, django_capture_on_commit_callbacks: Any
) -> None:
    camera = register(owner, notify=False)

    with django_capture_on_commit_callbacks(execute=True):
        _look(officer, purpose, camera)

    assert mail.outbox == []


def test_a_search_emails_only_the_owners_who_asked_each_about_their_own_camera(
    owner: User, register: Any, officer: access.Actor, purpose: Purpose, django_capture_on_commit_callbacks: Any
) -> None:
    register(owner, label="Driveway", notify=True)
    register(UserFactory(role=Role.RESIDENT), label="Their porch", notify=False)

    with django_capture_on_commit_callbacks(execute=True):
        access.camera_search(
            actor=officer, purpose=purpose, area=Area(center=point(-117.38, 34.10), radius_m=200), mode="pin"
        )

    assert [m.to for m in mail.outbox] == [[owner.email]]
    assert "Driveway" in mail.outbox[0].body
    assert "Their porch" not in mail.outbox[0].body


def test_a_map_view_emails_nobody(
    owner: User, register: Any, officer: access.Actor, purpose: Purpose, django_capture_on_commit_callbacks: Any
) -> None:
    register(owner, notify=True)

    with django_capture_on_commit_callbacks(execute=True):
        access.camera_map(actor=officer, purpose=purpose, bbox=(-117.40, 34.09, -117.36, 34.11))

    assert mail.outbox == []


def test_a_notice_is_sent_at_most_once_per_event_and_owner(
    owner: User, register: Any, officer: access.Actor, purpose: Purpose
) -> None:
    _look(officer, purpose, register(owner, notify=True))

    first = access_digest_send_task(owner_id=owner.pk, case_number=CASE)
    again = access_digest_send_task(owner_id=owner.pk, case_number=CASE)

    assert (first, again) == (1, 0)
    assert len(mail.outbox) == 1


# --- Notices that could not be sent (SMTP down, worker lost) --------------------------------


class _FlakyMail:
    """Stands in for the outside mail server: refuses the first ``failures`` messages to
    ``failing`` (everyone, when empty), then delivers through Django's test outbox."""

    def __init__(self, *, failures: int, failing: str = "") -> None:
        self.failures = failures
        self.failing = failing
        self.attempts = 0

    def __call__(self, **kwargs: Any) -> int:
        self.attempts += 1
        if self.failures and (not self.failing or list(kwargs["to"]) == [self.failing]):
            self.failures -= 1
            raise SMTPServerDisconnected("Connection unexpectedly closed")
        return mail_send(**kwargs)


@pytest.fixture
def eager_retries() -> Iterator[None]:
    """Eager tasks retry in place, as a worker would after the backoff (with eager errors
    propagating, Celery raises its Retry instead of running the retry)."""
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = True


def test_a_notice_that_could_not_be_sent_is_sent_when_the_task_runs_again(
    owner: User, register: Any, officer: access.Actor, purpose: Purpose
) -> None:
    _look(officer, purpose, register(owner, notify=True))
    with mock.patch("cameras.digest.mail_send", side_effect=OSError("SMTP down")), pytest.raises(OSError, match="down"):
        access_digest_send_task(owner_id=owner.pk, case_number=CASE)

    again = access_digest_send_task(owner_id=owner.pk, case_number=CASE)

    assert again == 1
    assert [m.to for m in mail.outbox] == [[owner.email]]


def test_the_notice_task_retries_a_failed_send_by_itself(
    owner: User, register: Any, officer: access.Actor, purpose: Purpose, eager_retries: None
) -> None:
    _look(officer, purpose, register(owner, notify=True))
    flaky = _FlakyMail(failures=2)

    with mock.patch("cameras.digest.mail_send", flaky):
        result = access_digest_send_task.apply(kwargs={"owner_id": owner.pk, "case_number": CASE})

    assert result.get() == 1
    assert flaky.attempts == 3
    assert [m.to for m in mail.outbox] == [[owner.email]]


def test_the_notice_task_gives_up_after_its_last_retry(
    owner: User, register: Any, officer: access.Actor, purpose: Purpose, eager_retries: None
) -> None:
    _look(officer, purpose, register(owner, notify=True))
    flaky = _FlakyMail(failures=1000)

    with mock.patch("cameras.digest.mail_send", flaky):
        result = access_digest_send_task.apply(kwargs={"owner_id": owner.pk, "case_number": CASE})

    assert result.failed()
    assert isinstance(result.result, SMTPServerDisconnected)
    assert flaky.attempts == access_digest_send_task.max_retries + 1
    assert mail.outbox == []


def test_one_owners_failed_notice_holds_up_no_other_owner(
    owner: User, register: Any, officer: access.Actor, purpose: Purpose
) -> None:
    neighbour = UserFactory(role=Role.RESIDENT)
    register(owner, label="Driveway", notify=True)
    register(neighbour, label="Their porch", notify=True)
    search = access.camera_search(
        actor=officer, purpose=purpose, area=Area(center=point(-117.38, 34.10), radius_m=200), mode="pin"
    )
    refusing = _FlakyMail(failures=1, failing=neighbour.email)
    with mock.patch("cameras.digest.mail_send", refusing):
        told = access_digest_send_task(owner_id=owner.pk, case_number=CASE)
        with pytest.raises(SMTPServerDisconnected):
            access_digest_send_task(owner_id=neighbour.pk, case_number=CASE)

    again = access_digest_send_task(owner_id=neighbour.pk, case_number=CASE)

    assert search.decision.allowed
    assert (told, again) == (1, 1)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([owner.email, neighbour.email])


# --- What the owner reads -------------------------------------------------------------------


def test_the_api_names_the_officer_as_the_page_does_without_their_role_beside_the_badge(
    owner: User, register: Any, officer: access.Actor, purpose: Purpose, rialto_client: TenantClient
) -> None:
    _look(officer, purpose, register(owner))
    rialto_client.force_login(owner)

    event = rialto_client.get("/api/v1/me/access-events/").json()["results"][0]

    assert event["officer"] == "Badge 0815"
    assert "officer_role" not in event


def test_the_api_names_an_officer_without_a_badge_by_role_in_words(
    owner: User, register: Any, make_staff: Any, rialto_client: TenantClient
) -> None:
    user, _ = make_staff(Role.SUPERVISOR, badge_number="")
    supervisor = access.Actor(user=user, mfa=True)
    stated = access.purpose_declare(actor=supervisor, case_number=CASE, category="violent_crime", text="Robbery")
    _look(supervisor, stated, register(owner))
    rialto_client.force_login(owner)

    event = rialto_client.get("/api/v1/me/access-events/").json()["results"][0]

    assert event["officer"] == "Supervisor"
    assert "officer_role" not in event


def test_an_owner_with_two_properties_sees_which_one_was_accessed(
    owner: User, register: Any, officer: access.Actor, purpose: Purpose, rialto_client: TenantClient
) -> None:
    register(owner, label="Front door", address="1525 Sierra Ave")
    camera = register(owner, label="Front door", address="300 Riverside Ave")
    _look(officer, purpose, camera)

    page = _page_of(rialto_client, owner)
    event = rialto_client.get("/api/v1/me/access-events/").json()["results"][0]

    assert "Front door (300 Riverside Ave)" in page
    assert "1525 Sierra Ave" not in page
    assert event["cameras"] == [{"id": str(camera.public_id), "label": "Front door", "site": "300 Riverside Ave"}]


def test_the_notice_says_which_property_was_accessed(
    owner: User, register: Any, officer: access.Actor, purpose: Purpose, django_capture_on_commit_callbacks: Any
) -> None:
    register(owner, label="Front door", address="1525 Sierra Ave", notify=True)
    camera = register(owner, label="Front door", address="300 Riverside Ave", notify=True)

    with django_capture_on_commit_callbacks(execute=True):
        _look(officer, purpose, camera)

    assert len(mail.outbox) == 1
    assert "Front door (300 Riverside Ave)" in mail.outbox[0].body
    assert "1525 Sierra Ave" not in mail.outbox[0].body


def test_a_search_over_cameras_of_one_property_names_the_property_once(
    owner: User, register: Any, officer: access.Actor, purpose: Purpose, rialto_client: TenantClient
) -> None:
    first = register(owner, label="Driveway", address="1525 Sierra Ave")
    second = camera_services.camera_register(owner=owner, site=first.site, label="Back yard")
    access.camera_search(
        actor=officer, purpose=purpose, area=Area(center=point(-117.38, 34.10), radius_m=200), mode="pin"
    )

    page = _page_of(rialto_client, owner)

    assert f"Driveway, {second.label} (1525 Sierra Ave)" in page


def test_a_refused_live_view_does_not_say_it_started(
    make_camera: Any, officer: access.Actor, purpose: Purpose, rialto_client: TenantClient
) -> None:
    camera = make_camera("on_request")
    decision = _look(officer, purpose, camera, Action.LIVE_START)

    page = _page_of(rialto_client, camera.site.owner)

    assert decision.allowed is False
    assert "Attempt to start a live view" in page
    assert "Live view started" not in page
    assert "Denied: your consent does not allow this" in page


def test_a_refused_look_at_a_camera_does_not_say_it_was_viewed(
    owner: User, register: Any, officer: access.Actor, rialto_client: TenantClient
) -> None:
    decision = _look(officer, None, register(owner))  # no purpose stated

    page = _page_of(rialto_client, owner)

    assert decision.allowed is False
    assert "Attempt to view camera details" in page
    assert "Camera details viewed" not in page


def test_an_allowed_live_view_still_says_it_started(
    make_camera: Any, officer: access.Actor, purpose: Purpose, rialto_client: TenantClient
) -> None:
    camera = make_camera("live")
    decision = _look(officer, purpose, camera, Action.LIVE_START)

    page = _page_of(rialto_client, camera.site.owner)

    assert decision.allowed is True
    assert "Live view started" in page


def test_the_access_log_table_scrolls_sideways_on_a_narrow_screen(
    owner: User, register: Any, officer: access.Actor, purpose: Purpose, rialto_client: TenantClient
) -> None:
    _look(officer, purpose, register(owner))

    page = _page_of(rialto_client, owner)

    assert re.search(
        r'<div class="table-scroll">\s*<table class="list" id="access-log">.*?</table>\s*</div>', page, re.S
    )


# --- A row whose time was edited to one Python cannot hold -----------------------------------


def _edit_time(seq: int, when: str) -> None:
    """As a superuser would, with the append-only trigger switched off."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_accessevent DISABLE TRIGGER USER")
        cursor.execute("UPDATE audit_accessevent SET occurred_at = %s WHERE seq = %s", [when, seq])
        cursor.execute("ALTER TABLE audit_accessevent ENABLE TRIGGER USER")


@pytest.mark.parametrize("when", ["infinity", "-infinity", "20000-01-01 00:00:00+00", "4713-01-01 00:00:00+00 BC"])
def test_an_access_whose_time_was_edited_out_of_range_is_shown_as_altered_not_a_server_error(
    owner: User, register: Any, officer: access.Actor, purpose: Purpose, rialto_client: TenantClient, when: str
) -> None:
    decision = _look(officer, purpose, register(owner))
    _edit_time(decision.event_seq, when)

    page = _page_of(rialto_client, owner)

    row = re.search(rf'data-seq="{decision.event_seq}">.*?</tr>', page, re.DOTALL)
    assert row is not None
    assert "time was changed" in row[0]


def test_the_api_gives_an_access_whose_time_was_edited_out_of_range_without_a_time(
    owner: User, register: Any, officer: access.Actor, purpose: Purpose, rialto_client: TenantClient
) -> None:
    decision = _look(officer, purpose, register(owner))
    _edit_time(decision.event_seq, "infinity")
    rialto_client.force_login(owner)

    response = rialto_client.get("/api/v1/me/access-events/")

    assert response.status_code == 200
    assert [(e["seq"], e["occurred_at"]) for e in response.json()["results"]] == [(decision.event_seq, None)]


def test_my_cameras_is_shown_when_an_emergency_view_had_its_time_edited_out_of_range(
    owner: User, register: Any, rialto_client: TenantClient
) -> None:
    camera = register(owner, level="live_exigent")
    # as the live relay writes it when an emergency view of the owner's camera ends
    facts = EventFacts(
        "live_end",
        "allowed",
        "viewer_left",
        targets=[f"camera:{camera.public_id}"],
        owner_refs=[owner.pk],
        consent_level="live_exigent",
        quantity=60,
        quantity_unit="seconds",
    )
    event = access_event_record(actor=ActorSnapshot(user_id=1), facts=facts)
    _edit_time(event.seq, "infinity")
    rialto_client.force_login(owner)

    response = rialto_client.get("/my/")

    assert response.status_code == 200


# --- "This access is in the public log" -------------------------------------------------------


def test_each_line_links_to_its_inclusion_proof_once_a_checkpoint_holds_it(
    owner: User, register: Any, officer: access.Actor, purpose: Purpose, rialto_client: TenantClient
) -> None:
    import base64

    from audit.checkpoints import checkpoint_make, verifier_key
    from tools.porchlight_witness import Verifier, checkpoint_open, inclusion_valid, leaf_hash

    camera = register(owner, label="Driveway")
    first = _look(officer, purpose, camera)
    checkpoint = checkpoint_make()
    later = _look(officer, purpose, camera)

    page = _page_of(rialto_client, owner)
    api = {event["seq"]: event for event in rialto_client.get("/api/v1/me/access-events/").json()["results"]}

    link = f"/api/v1/log/inclusion/?seq={first.event_seq}"
    assert f'href="/my/access/{first.event_seq}/proof/"' in page  # the page in words
    assert f'href="{link}"' in page  # and the JSON
    assert f"Proof for access #{first.event_seq}" in page
    assert "Not yet: in the next checkpoint" in page  # the access after the checkpoint
    assert "in the department's public log" in page
    assert api[first.event_seq]["inclusion_proof"] == f"http://rialto.localhost{link}"
    assert api[later.event_seq]["inclusion_proof"] is None
    # The proof the link gives verifies offline against the published, signed checkpoint.
    rialto_client.logout()
    proof = rialto_client.get(link).json()
    root = checkpoint_open(checkpoint.note, Verifier.parse(verifier_key())).root
    leaf = leaf_hash(AccessEvent.objects.get(seq=first.event_seq).hash.encode())
    assert proof["leaf_index"] == first.event_seq - 1
    proof_hashes = [base64.b64decode(value) for value in proof["proof"]]
    assert inclusion_valid(proof["leaf_index"], checkpoint.tree_size, leaf, proof_hashes, root)


def test_the_proof_link_opens_a_page_in_words_with_the_check_and_the_json_stays(
    owner: User, register: Any, officer: access.Actor, purpose: Purpose, rialto_client: TenantClient
) -> None:
    from audit.checkpoints import checkpoint_make, verifier_key

    camera = register(owner, label="Driveway")
    first = _look(officer, purpose, camera)
    checkpoint = checkpoint_make()
    later = _look(officer, purpose, camera)
    someone_else = UserFactory(role=Role.RESIDENT)
    rialto_client.force_login(owner)

    page = rialto_client.get(f"/my/access/{first.event_seq}/proof/")
    not_yet = rialto_client.get(f"/my/access/{later.event_seq}/proof/")
    rialto_client.force_login(someone_else)
    theirs = rialto_client.get(f"/my/access/{first.event_seq}/proof/")

    body = page.content.decode()
    assert page.status_code == 200
    assert f"Access #{first.event_seq} is in the department's public log" in body
    assert f"signed checkpoint of {checkpoint.tree_size} events" in body
    assert AccessEvent.objects.get(seq=first.event_seq).hash in body
    assert "Porchlight checked this proof against the signed checkpoint: it holds." in body
    assert f"--prove {first.event_seq}" in body
    assert verifier_key() in body
    assert f'href="/api/v1/log/inclusion/?seq={first.event_seq}"' in body
    assert not_yet.status_code == 200
    assert "not in a published checkpoint yet" in not_yet.content.decode()
    assert theirs.status_code == 404


def _proof_page(rialto_client: TenantClient, owner: User, seq: int, **extra: Any) -> str:
    rialto_client.force_login(owner)
    response = rialto_client.get(f"/my/access/{seq}/proof/", **extra)
    assert response.status_code == 200
    return response.content.decode()


def test_the_proof_page_reads_in_spanish(
    owner: User, register: Any, officer: access.Actor, purpose: Purpose, rialto_client: TenantClient
) -> None:
    from audit.checkpoints import checkpoint_make

    first = _look(officer, purpose, register(owner, label="Driveway"))
    checkpoint_make()

    spanish = _proof_page(rialto_client, owner, first.event_seq, HTTP_ACCEPT_LANGUAGE="es")

    assert 'lang="es"' in spanish
    for english in (
        "is in the department's public log",
        "Porchlight checked this proof",
        "Check it yourself",
        "The signed checkpoint",
        "The log's public key",
        "The proof as JSON",
        "Who accessed my cameras",
    ):
        assert english not in spanish, english
    assert f"El acceso n.º {first.event_seq} está en el registro público del departamento" in spanish
    assert "Compruébelo usted" in spanish


def test_the_proof_page_gives_the_checkpoint_time_in_the_departments_named_time_zone(
    owner: User, register: Any, officer: access.Actor, purpose: Purpose, rialto_client: TenantClient
) -> None:
    from audit.checkpoints import checkpoint_make

    first = _look(officer, purpose, register(owner, label="Driveway"))
    checkpoint = checkpoint_make()
    zone = Department.objects.get(schema_name="rialto").time_zone

    body = _proof_page(rialto_client, owner, first.event_seq)

    local = checkpoint.made_at.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")
    assert f"{local} " in body
    assert f"({zone})" in body
    assert " UTC" not in body


def test_the_witness_command_uses_the_scheme_and_host_the_page_was_served_on(
    owner: User, register: Any, officer: access.Actor, purpose: Purpose, rialto_client: TenantClient
) -> None:
    from audit.checkpoints import checkpoint_make

    first = _look(officer, purpose, register(owner, label="Driveway"))
    checkpoint_make()

    plain = _proof_page(rialto_client, owner, first.event_seq)
    secure = _proof_page(rialto_client, owner, first.event_seq, secure=True)

    assert "--log http://rialto.localhost " in plain
    assert "https://" not in plain
    assert "--log https://rialto.localhost " in secure
