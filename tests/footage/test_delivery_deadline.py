"""The footage delivery deadline of an ordinance: a request to a covered site carries it, the
owner sees the clock, the department sees on-time and late answers (counts, never who)."""

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from cameras import access
from cameras import services as camera_services
from compliance import dashboard as compliance_dashboard
from footage import selectors, services
from footage.deadlines import DeliveryState, delivery_clock
from footage.models import Answer, CameraAnswer, OwnerRequest
from tenants.models import DepartmentPolicy
from tenants.selectors import policy_current
from tests.conftest import TenantClient
from tests.factories import ordinance_make, totp_enable

pytestmark = pytest.mark.django_db

DELIVERY: dict[str, Any] = {
    "name": "Footage delivery ordinance",
    "effective_on": dt.date(2020, 1, 1),
    "property_kinds": ["business"],
    "delivery_hours": 72,
}


def _send(actor: access.Actor, purpose: Any, cameras: list[Any]) -> services.RequestResult:
    end = timezone.now() - dt.timedelta(hours=1)
    return services.footage_request_send(
        actor=actor,
        purpose=purpose,
        camera_ids=[c.public_id for c in cameras],
        window_start=end - dt.timedelta(hours=2),
        window_end=end,
        message="Did you see a blue van?",
    )


def _owner_client(owner_request: OwnerRequest) -> TenantClient:
    client = TenantClient("rialto.localhost")
    assert owner_request.owner is not None
    client.force_login(owner_request.owner)
    return client


def _staff_client(actor: access.Actor, purpose: Any) -> TenantClient:
    totp_enable(actor.user)
    client = TenantClient("rialto.localhost")
    client.force_login(actor.user)
    session = client.session
    session["account_authentication_methods"] = [{"method": "password", "at": 0}, {"method": "mfa", "at": 0}]
    session["console_purpose"] = str(purpose.public_id)
    session.save()
    return client


def _answer(owner_request: OwnerRequest, answer: str, at: dt.datetime) -> None:
    CameraAnswer.objects.filter(owner_request=owner_request).update(answer=answer, answered_at=at)


def test_a_request_to_a_covered_site_carries_the_ordinances_deadline(
    make_camera: Any, actor: access.Actor, purpose: Any, policy: DepartmentPolicy
) -> None:
    ordinance_make(policy, DELIVERY)
    camera = make_camera("on_request")

    before = timezone.now()
    _send(actor, purpose, [camera])

    deliver_by = OwnerRequest.objects.get(owner=camera.site.owner).deliver_by
    assert deliver_by is not None
    assert before + dt.timedelta(hours=71) < deliver_by <= timezone.now() + dt.timedelta(hours=72)


def test_a_request_to_a_site_no_ordinance_covers_carries_no_deadline(
    make_camera: Any, actor: access.Actor, purpose: Any, policy: DepartmentPolicy
) -> None:
    ordinance_make(policy, DELIVERY)
    home = make_camera("on_request", kind="residential")

    _send(actor, purpose, [home])

    assert OwnerRequest.objects.get(owner=home.site.owner).deliver_by is None


def test_the_owner_sees_the_clock_on_their_request(
    make_camera: Any, actor: access.Actor, purpose: Any, policy: DepartmentPolicy
) -> None:
    ordinance_make(policy, DELIVERY)
    camera = make_camera("on_request")
    _send(actor, purpose, [camera])
    owner_request = OwnerRequest.objects.get(owner=camera.site.owner)

    page = _owner_client(owner_request).get(f"/my/requests/{owner_request.public_id}/").content.decode()

    inbox = _owner_client(owner_request).get("/my/requests/").content.decode()
    assert 'id="delivery-clock"' in page
    assert "Deliver by" in page
    assert "in 72 hours" in page or "in 71 hours" in page
    assert "Deliver by" in inbox
    assert "The department sees whether footage arrived by the deadline" in page
    assert "police are not told who declined" in page


def test_the_owner_sees_an_overdue_request_as_overdue(
    make_camera: Any, actor: access.Actor, purpose: Any, policy: DepartmentPolicy
) -> None:
    ordinance_make(policy, DELIVERY)
    camera = make_camera("on_request")
    _send(actor, purpose, [camera])
    owner_request = OwnerRequest.objects.get(owner=camera.site.owner)
    OwnerRequest.objects.filter(pk=owner_request.pk).update(deliver_by=timezone.now() - dt.timedelta(hours=3))

    page = _owner_client(owner_request).get(f"/my/requests/{owner_request.public_id}/").content.decode()

    assert "Overdue since" in page
    assert "the department sees it as late" not in page
    assert "police are not told who declined" in page


@pytest.mark.parametrize(
    ("answers", "answered_after", "now_after", "state"),
    [
        ([], None, 1, DeliveryState.OPEN),
        ([], None, 80, DeliveryState.OVERDUE),
        ([Answer.UPLOADED], 10, 80, DeliveryState.ON_TIME),
        ([Answer.NO_FOOTAGE], 10, 80, DeliveryState.ON_TIME),
        ([Answer.UPLOADED], 73, 80, DeliveryState.LATE),
        ([Answer.DECLINED], 10, 20, DeliveryState.OPEN),
        ([Answer.DECLINED], 10, 80, DeliveryState.OVERDUE),
        ([Answer.UPLOADED, Answer.PENDING], 10, 80, DeliveryState.OVERDUE),
    ],
)
def test_the_delivery_clock(answers: list[str], answered_after: int | None, now_after: int, state: str) -> None:
    sent = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    at = sent + dt.timedelta(hours=answered_after) if answered_after is not None else None
    rows = [(answer, at if answer != Answer.PENDING else None) for answer in answers] or [(Answer.PENDING, None)]

    clock = delivery_clock(
        deliver_by=sent + dt.timedelta(hours=72), answers=rows, now=sent + dt.timedelta(hours=now_after)
    )

    assert clock is not None
    assert clock.state == state


def test_no_deadline_no_clock() -> None:
    assert delivery_clock(deliver_by=None, answers=[], now=timezone.now()) is None


def test_the_department_sees_on_time_late_and_overdue_counts_on_the_request_page(
    make_camera: Any, actor: access.Actor, purpose: Any, policy: DepartmentPolicy
) -> None:
    ordinance_make(policy, DELIVERY)
    on_time, late, silent = make_camera("on_request"), make_camera("on_request"), make_camera("on_request")
    result = _send(actor, purpose, [on_time, late, silent])
    assert result.request is not None
    OwnerRequest.objects.filter(request=result.request).update(deliver_by=timezone.now() - dt.timedelta(hours=1))
    _answer(OwnerRequest.objects.get(owner=on_time.site.owner), Answer.UPLOADED, timezone.now() - dt.timedelta(hours=2))
    _answer(OwnerRequest.objects.get(owner=late.site.owner), Answer.UPLOADED, timezone.now())

    page = _staff_client(actor, purpose).get(f"/console/footage/{result.request.public_id}/").content.decode()

    assert 'id="delivery-counts"' in page
    assert "1 on time, 1 late, 1 not delivered by the deadline" in page
    assert silent.site.owner.email not in page


def test_the_deliveries_of_a_period_are_counted_for_the_compliance_dashboard(
    make_camera: Any, actor: access.Actor, purpose: Any, policy: DepartmentPolicy
) -> None:
    ordinance_make(policy, DELIVERY)
    cameras = [make_camera("on_request") for _ in range(4)]
    result = _send(actor, purpose, cameras)
    requests = {c: OwnerRequest.objects.get(owner=c.site.owner) for c in cameras}
    now = timezone.now()
    OwnerRequest.objects.filter(pk__in=[requests[c].pk for c in cameras[:3]]).update(
        deliver_by=now - dt.timedelta(hours=1)
    )
    _answer(requests[cameras[0]], Answer.UPLOADED, now - dt.timedelta(hours=2))
    _answer(requests[cameras[1]], Answer.NO_FOOTAGE, now)
    today = timezone.localdate()

    counts = selectors.footage_deliveries_count(
        today - dt.timedelta(days=1), today + dt.timedelta(days=1), site_ids=[c.site_id for c in cameras]
    )

    assert result.request is not None
    assert counts == {"on_time": 1, "late": 1, "overdue": 1, "open": 1}


def test_lowering_consent_is_never_blocked_by_an_open_deadline(
    make_camera: Any, actor: access.Actor, purpose: Any, policy: DepartmentPolicy
) -> None:
    ordinance_make(policy, DELIVERY)
    camera = make_camera("on_request")
    _send(actor, purpose, [camera])

    camera_services.consent_set(owner=camera.site.owner, camera=camera, policy=policy_current(), level="registered")
    camera.consent.refresh_from_db()

    assert camera.consent.level == "registered"


def test_the_owners_email_states_the_deadline(
    make_camera: Any,
    actor: access.Actor,
    purpose: Any,
    policy: DepartmentPolicy,
    django_capture_on_commit_callbacks: Any,
) -> None:
    ordinance_make(policy, DELIVERY)
    camera = make_camera("on_request")

    with django_capture_on_commit_callbacks(execute=True):
        _send(actor, purpose, [camera])

    body = mail.outbox[-1].body
    assert "asks you to answer by" in body
    assert "The department sees whether footage arrived by the deadline" in body
    assert "police are not told who declined" in body


def test_only_footage_delivered_late_is_attributed_to_a_site_never_a_decline_or_silence(
    make_camera: Any, actor: access.Actor, purpose: Any, policy: DepartmentPolicy
) -> None:
    """The owner's page promises that police are not told who declined or did not answer: the
    dashboard names a site only for footage it delivered after the deadline (police hold it);
    declined and unanswered requests past the deadline stay anonymous counts."""
    ordinance_make(policy, DELIVERY)
    on_time, late, overdue, declined, no_footage_late, open_ = (make_camera("on_request") for _ in range(6))
    cameras = [on_time, late, overdue, declined, no_footage_late, open_]
    _send(actor, purpose, cameras)
    requests = {c: OwnerRequest.objects.get(owner=c.site.owner) for c in cameras}
    now = timezone.now()
    OwnerRequest.objects.filter(
        pk__in=[requests[c].pk for c in (on_time, late, overdue, declined, no_footage_late)]
    ).update(deliver_by=now - dt.timedelta(hours=1))
    _answer(requests[on_time], Answer.UPLOADED, now - dt.timedelta(hours=2))
    _answer(requests[late], Answer.UPLOADED, now)
    _answer(requests[declined], Answer.DECLINED, now)
    _answer(requests[no_footage_late], Answer.NO_FOOTAGE, now)

    site_ids = [c.site_id for c in cameras]

    by_site = selectors.footage_deliveries_late_by_site(site_ids=site_ids)

    assert by_site == {late.site_id: 1}
    assert compliance_dashboard.deliveries_late(site_ids=site_ids) == by_site


def test_the_officer_sees_each_deadline_with_its_date_time_and_ordinance(
    make_camera: Any, actor: access.Actor, purpose: Any, policy: DepartmentPolicy
) -> None:
    """Review of issue 16: the request page named no deadline; it now says by when (in the
    department's zone) and under which ordinance, counted per deadline (never which owner)."""
    from zoneinfo import ZoneInfo

    from django.db import connection

    from tenants.models import Department

    version = ordinance_make(policy, {**DELIVERY, "citation": "Ord. 2024-3"})
    camera = make_camera("on_request")
    result = _send(actor, purpose, [camera])
    assert result.request is not None
    owner_request = OwnerRequest.objects.get(request=result.request)
    assert owner_request.deliver_by is not None
    zone = ZoneInfo(Department.objects.get(schema_name=connection.schema_name).time_zone)  # type: ignore[attr-defined]
    local = timezone.localtime(owner_request.deliver_by, zone)

    page = _staff_client(actor, purpose).get(f"/console/footage/{result.request.public_id}/").content.decode()

    assert 'id="delivery-deadlines"' in page
    deadlines = page.split('id="delivery-deadlines"')[1].split("</ul>")[0]
    assert local.strftime("%Y-%m-%d %H:%M") in deadlines
    assert f"{version.ordinance.name} (Ord. 2024-3)" in deadlines
    assert "1 owner" in deadlines
    assert camera.site.owner.email not in page
