"""An owner asking for another owner's property, camera or compliance notice, or a department
administrator inviting another department's licences, is answered 404 as for a missing one,
and the refusal is in the department's access log with its reason (trust checklist A3, E5)."""

import uuid
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from accounts.models import Role
from audit.models import AccessEvent, Action
from cameras.access import Actor
from cameras.models import Site
from compliance import services as compliance_services
from compliance.licences import services as licence_services
from compliance.models import Licence, LicenceInvitation
from notifications.models import Notification
from tenants.models import Department
from tenants.selectors import policy_current
from tests.conftest import TenantClient
from tests.factories import DEKALB_AFFIDAVIT, UserFactory, camera_make, ordinance_make, site_make

pytestmark = pytest.mark.django_db

FONTANA_POINT = {"lon": -117.47, "lat": 34.10}


def _denials(user: Any, action: str) -> list[tuple[str, str, dict[str, Any]]]:
    events = AccessEvent.objects.filter(action=action, actor_id=user.pk).order_by("seq")
    return [(e.outcome, e.reason, e.details) for e in events]


@pytest.fixture
def intruder(in_rialto: Department, rialto_client: TenantClient) -> Any:
    user = UserFactory(role=Role.BUSINESS)
    rialto_client.force_login(user)
    return user


@pytest.fixture
def neighbours_site(in_rialto: Department) -> Site:
    return site_make(UserFactory(role=Role.BUSINESS), in_rialto, kind="business", business_name="Next door")


@pytest.mark.parametrize(
    "path",
    [
        "/my/sites/{site}/",
        "/my/sites/{site}/delete/",
        "/my/sites/{site}/cameras/new/",
    ],
)
def test_another_owners_property_page_is_404_and_logged(
    intruder: Any, neighbours_site: Site, rialto_client: TenantClient, path: str
) -> None:
    response = rialto_client.get(path.format(site=neighbours_site.public_id))

    assert response.status_code == 404
    assert _denials(intruder, Action.OWNER_DENIED) == [
        ("denied", "not_found", {"what": "site", "id": str(neighbours_site.public_id)})
    ]


def test_a_post_to_another_owners_property_changes_nothing_and_is_logged(
    intruder: Any, neighbours_site: Site, rialto_client: TenantClient
) -> None:
    response = rialto_client.post(
        f"/my/sites/{neighbours_site.public_id}/",
        {"kind": "business", "name": "Mine now", "address": "1 Main St", "latitude": "34.1", "longitude": "-117.38"},
    )

    assert response.status_code == 404
    assert Site.objects.get(pk=neighbours_site.pk).name != "Mine now"
    assert [d[2]["what"] for d in _denials(intruder, Action.OWNER_DENIED)] == ["site"]


def test_another_owners_camera_page_is_404_and_logged(
    intruder: Any, neighbours_site: Site, in_rialto: Department, rialto_client: TenantClient
) -> None:
    camera = camera_make(neighbours_site.owner, in_rialto, site=neighbours_site)

    response = rialto_client.get(f"/my/cameras/{camera.public_id}/consent/")

    assert response.status_code == 404
    assert _denials(intruder, Action.OWNER_DENIED) == [
        ("denied", "not_found", {"what": "camera", "id": str(camera.public_id)})
    ]


def test_another_departments_property_is_404_and_logged_in_this_departments_log(
    intruder: Any, fontana: Department, rialto_client: TenantClient
) -> None:
    with tenant_context(fontana):
        theirs = site_make(UserFactory(role=Role.BUSINESS), fontana, address="8353 Sierra Ave", **FONTANA_POINT)

    response = rialto_client.get(f"/my/sites/{theirs.public_id}/")

    assert response.status_code == 404
    assert _denials(intruder, Action.OWNER_DENIED) == [
        ("denied", "not_found", {"what": "site", "id": str(theirs.public_id)})
    ]
    with tenant_context(fontana):
        assert not AccessEvent.objects.filter(action=Action.OWNER_DENIED).exists()


def test_a_missing_property_is_404_and_logged_the_same(intruder: Any, rialto_client: TenantClient) -> None:
    missing = uuid.uuid4()

    response = rialto_client.get(f"/my/sites/{missing}/")

    assert response.status_code == 404
    assert _denials(intruder, Action.OWNER_DENIED) == [("denied", "not_found", {"what": "site", "id": str(missing)})]


def test_the_owners_own_property_page_logs_nothing(in_rialto: Department, rialto_client: TenantClient) -> None:
    owner = UserFactory(role=Role.BUSINESS)
    rialto_client.force_login(owner)
    mine = site_make(owner, in_rialto)

    response = rialto_client.get(f"/my/sites/{mine.public_id}/")

    assert response.status_code == 200
    # this owner's (other tests' refusals may be committed into Rialto's log for the session)
    assert _denials(owner, Action.OWNER_DENIED) == []


def test_marking_another_owners_compliance_notice_read_is_404_logged_and_leaves_it_unread(
    intruder: Any, in_rialto: Department, rialto_client: TenantClient
) -> None:
    # given a gas station under an ordinance, sent a notice by the department
    gas = site_make(
        UserFactory(role=Role.BUSINESS),
        in_rialto,
        kind="business",
        business_name="Gas",
        business_category="gas_station",
    )
    ordinance = ordinance_make(policy_current(), DEKALB_AFFIDAVIT, name="Denial test ordinance", cure_days=60).ordinance
    compliance_services.notice_issue(
        actor=Actor(user=UserFactory(role=Role.SUPERVISOR), mfa=True),
        site_public_id=gas.public_id,
        ordinance_public_id=ordinance.public_id,
        text="Fix the sign.",
    )
    notice = Notification.objects.get(recipient=gas.owner)

    # when another owner marks it read
    response = rialto_client.post(f"/my/obligations/notices/{notice.pk}/read/")

    # then 404, the notice is still unread, and the attempt is logged
    assert response.status_code == 404
    assert Notification.objects.get(pk=notice.pk).read_at is None
    assert _denials(intruder, Action.COMPLIANCE_OWNER_DENIED) == [
        ("denied", "not_found", {"what": "notice", "site": "", "notice": str(notice.pk)})
    ]


# --- Another department's licences on the invitation form (console) ---

HEADER = "License No,Business Name,Address,License Type\n"
ROWS = "PG-1,Joe's Gas,1200 W Baseline Rd,Gas station\nPG-2,Ann's Mart,250 N Riverside Ave,Gas station\n"


def _licences_imported(department: Department, capture: Any) -> list[Licence]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    with tenant_context(department):
        ordinance_make(policy_current(), DEKALB_AFFIDAVIT, name=f"Gas stations ({department.schema_name})")
        job = licence_services.licence_import_create(
            actor=UserFactory(role=Role.DEPT_ADMIN),
            upload=SimpleUploadedFile("city.csv", (HEADER + ROWS).encode(), content_type="text/csv"),
            source="business_licence",
        )
        with capture(execute=True):
            licence_services.licence_import_map(
                job=job,
                mapping={"number": 0, "name": 1, "address": 2, "category": 3},
                has_header=True,
                unknown_as_other=False,
            )
        return list(Licence.objects.order_by("number"))


@pytest.mark.parametrize("channel", ["letter", "email"])
def test_inviting_another_departments_licence_is_404_logged_and_sends_nothing(
    logged_in_staff: Any, fontana: Department, rialto: Department, django_capture_on_commit_callbacks: Any, channel: str
) -> None:
    # given licences imported in both departments
    ours = _licences_imported(rialto, django_capture_on_commit_callbacks)
    theirs = _licences_imported(fontana, django_capture_on_commit_callbacks)
    client, admin = logged_in_staff(Role.DEPT_ADMIN)

    # when Rialto's administrator selects one of theirs among their own
    response = client.post(
        "/console/licences/invite/", {"licence": [str(ours[0].public_id), str(theirs[1].public_id)], "channel": channel}
    )

    # then 404, logged as a console denial (not found) in Rialto's log, and nothing sent anywhere
    assert response.status_code == 404
    assert _denials(admin, Action.CONSOLE_DENIED) == [("denied", "not_found", {"path": "/console/licences/invite/"})]
    assert not LicenceInvitation.objects.exists()
    with tenant_context(fontana):
        assert not LicenceInvitation.objects.exists()


def test_an_id_that_is_no_licence_id_is_404_and_logged(logged_in_staff: Any, rialto: Department) -> None:
    client, admin = logged_in_staff(Role.DEPT_ADMIN)

    response = client.post("/console/licences/invite/", {"licence": ["not-a-uuid"], "channel": "letter"})

    assert response.status_code == 404
    assert [d[1] for d in _denials(admin, Action.CONSOLE_DENIED)] == ["not_found"]


def test_a_licence_of_this_department_registered_since_is_no_denial(
    logged_in_staff: Any, rialto: Department, django_capture_on_commit_callbacks: Any
) -> None:
    ours = _licences_imported(rialto, django_capture_on_commit_callbacks)
    with tenant_context(rialto):
        site_make(UserFactory(role=Role.BUSINESS), rialto, address="1200 W Baseline Rd")
        licence_services.licences_match(actor=None)
    client, admin = logged_in_staff(Role.DEPT_ADMIN)

    response = client.post("/console/licences/invite/", {"licence": [str(ours[0].public_id)], "channel": "letter"})

    assert response.status_code == 302
    assert not AccessEvent.objects.filter(action=Action.CONSOLE_DENIED, actor_id=admin.pk).exists()


def test_marking_another_departments_notice_read_is_404_logged_here_and_leaves_it_unread(
    intruder: Any, fontana: Department, rialto_client: TenantClient
) -> None:
    # given a notice sent to a Fontana business (its own schema, its own numbering)
    with tenant_context(fontana):
        theirs = site_make(
            UserFactory(role=Role.BUSINESS),
            fontana,
            kind="business",
            business_name="Fontana Gas",
            business_category="gas_station",
            address="8353 Sierra Ave",
            **FONTANA_POINT,
        )
        ordinance = ordinance_make(policy_current(), DEKALB_AFFIDAVIT, name="Fontana denial test", cure_days=60)
        compliance_services.notice_issue(
            actor=Actor(user=UserFactory(role=Role.SUPERVISOR), mfa=True),
            site_public_id=theirs.public_id,
            ordinance_public_id=ordinance.ordinance.public_id,
            text="Fix the sign.",
        )
        notice = Notification.objects.get(recipient=theirs.owner)

    # when a Rialto owner marks that number read in Rialto
    response = rialto_client.post(f"/my/obligations/notices/{notice.pk}/read/")

    # then 404, logged in Rialto's log, and Fontana's notice is still unread
    assert response.status_code == 404
    assert [d[2]["notice"] for d in _denials(intruder, Action.COMPLIANCE_OWNER_DENIED)] == [str(notice.pk)]
    with tenant_context(fontana):
        assert Notification.objects.get(pk=notice.pk).read_at is None
