"""The confirmation page says what stays and why; the password and second factor confirm it."""

from typing import Any

import pytest

from accounts.models import Role, User
from cameras.models import Camera
from tests.factories import PASSWORD, totp_code

from .conftest import OwnerWorld

pytestmark = pytest.mark.django_db


def test_the_confirmation_page_lists_the_evidence_kept_the_requests_closed_and_the_log(world: OwnerWorld) -> None:
    response = world.client.get("/my/account/delete/")

    content = response.content.decode()
    assert response.status_code == 200
    assert "2 clips you sent stay with the department as evidence" in content
    assert "RPD-26-0042" in content
    assert '1 open footage request you have not answered is closed as "no answer"' in content
    assert "1 clip you sent that is not evidence in an open case is deleted" in content
    assert "access log keeps its" in content
    assert 'name="password"' in content
    assert 'name="code"' in content
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("password", "code"),
    [("wrong password", "valid"), (PASSWORD, ""), (PASSWORD, "000000")],
    ids=["a wrong password", "no second factor", "a wrong code"],
)
def test_without_the_password_and_second_factor_nothing_is_deleted(world: OwnerWorld, password: str, code: str) -> None:
    data = {"password": password, "code": totp_code(world.totp_secret) if code == "valid" else code}

    response = world.client.post("/my/account/delete/", data)

    assert response.status_code == 400
    assert User.objects.filter(pk=world.owner.pk).exists()
    assert Camera.objects.filter(site__owner=world.owner).count() == 3


def test_with_password_and_code_the_account_is_deleted_and_the_owner_signed_out(
    world: OwnerWorld, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = world.client.post(
            "/my/account/delete/", {"password": PASSWORD, "code": totp_code(world.totp_secret)}
        )

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert not User.objects.filter(pk=world.owner.pk).exists()
    assert world.client.get("/my/").status_code == 302  # to the sign-in page
    assert "Your account is deleted" in world.client.get("/").content.decode()


def test_an_owner_without_two_factor_confirms_with_the_password_alone(
    in_rialto: Any, rialto_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from tests.factories import UserFactory

    owner = UserFactory(role=Role.RESIDENT)
    rialto_client.force_login(owner)

    page = rialto_client.get("/my/account/delete/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = rialto_client.post("/my/account/delete/", {"password": PASSWORD})

    assert 'name="code"' not in page
    assert response.status_code == 302
    assert not User.objects.filter(pk=owner.pk).exists()


@pytest.mark.parametrize("role", [Role.OFFICER, Role.SUPERVISOR, Role.DEPT_ADMIN, Role.OVERSIGHT])
def test_staff_are_told_a_department_admin_deactivates_them(logged_in_staff: Any, role: str) -> None:
    client, user = logged_in_staff(role)

    page = client.get("/my/account/delete/")
    attempt = client.post("/my/account/delete/", {"password": PASSWORD})

    assert page.status_code == attempt.status_code == 403
    assert "department administrator deactivates them" in page.content.decode()
    assert User.objects.filter(pk=user.pk, is_active=True).exists()


@pytest.mark.parametrize(
    ("path", "spanish"),
    [("/my/data/", "Descargar como JSON"), ("/my/account/delete/", "Lo que se conserva, y por qué")],
)
def test_the_pages_are_in_spanish(world: OwnerWorld, path: str, spanish: str) -> None:
    response = world.client.get(path, HTTP_ACCEPT_LANGUAGE="es")

    assert spanish in response.content.decode()


def test_the_page_says_the_conversations_with_police_go_with_the_account(world: OwnerWorld) -> None:
    from ownerdata.selectors import account_deletion_preview

    content = world.client.get("/my/account/delete/").content.decode()

    assert account_deletion_preview(owner=world.owner).message_threads == 1
    assert "Your 1 message conversation with police, and any contact details you shared in it, go" in content
    assert "Each message an officer sent stays recorded in the access log." in content


def test_an_owner_with_nothing_reads_no_properties_not_zero(in_rialto: Any, rialto_client: Any) -> None:
    from tests.factories import UserFactory

    rialto_client.force_login(UserFactory(role=Role.RESIDENT))

    content = rialto_client.get("/my/account/delete/").content.decode()
    spanish = rialto_client.get("/my/account/delete/", HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert "No properties and no cameras: you have not registered any." in content
    assert "The access log holds no record of police access to your cameras." in content
    assert "0 properties" not in content
    assert "its 0 records" not in content
    assert "message conversation" not in content
    assert "0 propiedades" not in spanish
    assert "sus 0 registros" not in spanish


def test_each_count_of_the_preview_is_the_owners_own(world: OwnerWorld) -> None:
    """The preview's counts come from one statement (core.sql.counts): each must still be the
    count of its own kind and of this owner only (the other owner's rows are in the same tables)."""
    from audit.selectors import events_for_owner
    from cameras.models import Camera, Site
    from live.models import Bridge, LiveSession
    from messaging.selectors import threads_of_owner
    from ownerdata.selectors import account_deletion_preview

    def one_by_one(owner: User) -> tuple[int, ...]:
        return (
            Site.objects.filter(owner=owner).count(),
            Camera.objects.filter(site__owner=owner).count(),
            LiveSession.objects.filter(camera__site__owner=owner, ended_at__isnull=True).count(),
            Bridge.objects.filter(site__owner=owner, revoked_at__isnull=True).count(),
            events_for_owner(owner_id=owner.pk).count(),
            threads_of_owner(owner=owner).count(),
        )

    def previewed(owner: User) -> tuple[int, ...]:
        p = account_deletion_preview(owner=owner)
        return (p.sites, p.cameras, p.live_views, p.bridges, p.access_events, p.message_threads)

    mine, theirs = one_by_one(world.owner), one_by_one(world.other_owner)

    assert previewed(world.owner) == mine
    assert previewed(world.other_owner) == theirs
    assert mine != theirs
    assert mine[0] == 2  # two sites
    assert mine[4] > 0  # and police accessed their cameras
