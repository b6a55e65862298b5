"""The weekly re-hash raises a notice that department admins and supervisors see until one
of them acknowledges it; the notice and its acknowledgement stay."""

import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.db import DatabaseError, transaction

from accounts.models import Role
from footage.models import Clip, CustodyEvent, IntegrityNotice
from footage.tasks import clips_rehash
from tests.audit.tampering import replica_mode
from tests.conftest import TenantClient
from tests.factories import PASSWORD, UserFactory
from tests.footage import test_requests as given
from tests.footage.test_requests import _staff_client
from tests.tenancy import connection

# The clip fixtures of the footage tests (a real MP4 uploaded by its owner, media in a temporary directory).
mp4, media, owner_request, clip = given.mp4, given.media, given.owner_request, given.clip


def _flip_a_byte(clip: Clip, media: Path) -> str:
    stored = media / clip.storage_key
    data = bytearray(stored.read_bytes())
    data[100] ^= 0xFF
    stored.write_bytes(bytes(data))
    return hashlib.sha256(bytes(data)).hexdigest()


def _staff(role: str) -> tuple[TenantClient, Any]:
    user = UserFactory(role=role, full_name="Dana Reyes")  # a name that HTML leaves as it is
    return _staff_client(user), user


def _banner(client: TenantClient, path: str, clip: Clip) -> str:
    """The banner's entry for ``clip`` on the page at ``path`` ("" if it has none)."""
    page = client.get(path)
    assert page.status_code == 200, page.status_code
    content = page.content.decode()
    if 'id="integrity-banner"' not in content:
        return ""
    banner = content[content.find('id="integrity-banner"') : content.find("</section>")]
    start = banner.find(f'data-clip="{clip.public_id}"')
    return "" if start < 0 else banner[start : banner.find("</li>", start)]


def test_an_admin_sees_the_notice_with_both_hashes_acknowledges_it_and_the_history_stays(
    clip: Clip, media: Path
) -> None:
    actual = _flip_a_byte(clip, media)
    client, admin = _staff(Role.DEPT_ADMIN)

    clips_rehash()
    banner = _banner(client, "/department/staff/", clip)
    notice = IntegrityNotice.objects.get(clip=clip)
    acknowledged = client.post(
        f"/department/integrity/{notice.pk}/acknowledge/", {"note": "Sent to forensics", "next": "/department/staff/"}
    )
    after = _banner(client, "/department/staff/", clip)
    history = client.get("/department/integrity/").content.decode()

    notice.refresh_from_db()
    assert clip.original_name in banner
    assert clip.sha256 in banner
    assert actual in banner
    assert (acknowledged.status_code, acknowledged["Location"]) == (302, "/department/staff/")
    assert after == ""
    assert (notice.acknowledged_by_id, notice.acknowledgement_note) == (admin.pk, "Sent to forensics")
    assert notice.acknowledged_at is not None
    assert admin.display_label in history
    assert actual in history
    assert [h.history_type for h in notice.history.order_by("history_date")] == ["+", "~"]
    assert notice.history.latest().history_user_id == admin.pk
    assert CustodyEvent.objects.filter(clip=clip, action="integrity_failed").exists()


def test_rerunning_the_check_raises_no_second_notice_before_or_after_acknowledgement(clip: Clip, media: Path) -> None:
    _flip_a_byte(clip, media)
    client, _admin = _staff(Role.DEPT_ADMIN)

    clips_rehash()
    clips_rehash()
    after_two_runs = IntegrityNotice.objects.filter(clip=clip).count()
    notice = IntegrityNotice.objects.get(clip=clip)
    client.post(f"/department/integrity/{notice.pk}/acknowledge/")
    clips_rehash()

    assert after_two_runs == 1
    assert IntegrityNotice.objects.filter(clip=clip).count() == 1
    assert _banner(client, "/department/staff/", clip) == ""


def test_a_further_change_to_an_acknowledged_clip_raises_a_new_notice(clip: Clip, media: Path) -> None:
    _flip_a_byte(clip, media)
    client, _admin = _staff(Role.DEPT_ADMIN)
    clips_rehash()
    client.post(f"/department/integrity/{IntegrityNotice.objects.get(clip=clip).pk}/acknowledge/")
    stored = media / clip.storage_key
    stored.write_bytes(stored.read_bytes() + b"\x00")

    clips_rehash()

    assert IntegrityNotice.objects.filter(clip=clip).count() == 2
    assert clip.original_name in _banner(client, "/department/staff/", clip)


def test_a_supervisor_sees_the_banner_on_console_pages(clip: Clip, media: Path) -> None:
    _flip_a_byte(clip, media)
    client, _supervisor = _staff(Role.SUPERVISOR)

    clips_rehash()

    assert clip.sha256 in _banner(client, "/console/footage/", clip)


@pytest.mark.parametrize(("role", "path"), [(Role.RESIDENT, "/my/requests/"), (Role.OFFICER, "/console/footage/")])
def test_residents_and_officers_never_see_the_notice_nor_acknowledge_it(
    clip: Clip, media: Path, role: str, path: str
) -> None:
    _flip_a_byte(clip, media)
    client, _user = _staff(role)
    clips_rehash()
    notice = IntegrityNotice.objects.get(clip=clip)

    banner = _banner(client, path, clip)
    listing = client.get("/department/integrity/")
    acknowledging = client.post(f"/department/integrity/{notice.pk}/acknowledge/")

    notice.refresh_from_db()
    assert banner == ""
    assert (listing.status_code, acknowledging.status_code) == (403, 403)
    assert notice.acknowledged_at is None


@pytest.mark.parametrize("role", [Role.DEPT_ADMIN, Role.SUPERVISOR])
def test_an_admin_or_supervisor_whose_session_has_not_passed_mfa_sees_no_notice(
    clip: Clip, media: Path, rialto_client: TenantClient, role: str
) -> None:
    # A password is all this session proves: the only pages it reaches are those that set up
    # two-factor authentication, and they must not show the department's evidence problems.
    _flip_a_byte(clip, media)
    clips_rehash()
    user = UserFactory(role=role)
    rialto_client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    rialto_client.post("/accounts/reauthenticate/", {"password": PASSWORD})

    banner = _banner(rialto_client, "/accounts/2fa/totp/activate/", clip)

    assert banner == ""


def test_another_departments_admin_never_sees_the_notice(clip: Clip, media: Path, fontana: Any) -> None:
    _flip_a_byte(clip, media)
    clips_rehash()
    connection.set_tenant(fontana)
    admin = UserFactory(role=Role.DEPT_ADMIN)
    client = TenantClient("fontana.localhost")
    client.force_login(admin)
    session = client.session
    session["account_authentication_methods"] = [{"method": "password", "at": 0}, {"method": "mfa", "at": 0}]
    session.save()

    banner = _banner(client, "/department/staff/", clip)
    history = client.get("/department/integrity/").content.decode()

    assert banner == ""
    assert f'data-clip="{clip.public_id}"' not in history


def test_a_notice_cannot_be_deleted_nor_acknowledged_twice(clip: Clip, media: Path) -> None:
    from django.core.exceptions import ValidationError

    from footage import services

    _flip_a_byte(clip, media)
    clips_rehash()
    notice = IntegrityNotice.objects.get(clip=clip)
    admin = UserFactory(role=Role.DEPT_ADMIN)
    services.integrity_notice_acknowledge(user=admin, notice_id=notice.pk)

    with pytest.raises(ValidationError, match="already acknowledged"):
        services.integrity_notice_acknowledge(user=UserFactory(role=Role.SUPERVISOR), notice_id=notice.pk)
    with pytest.raises(DatabaseError), transaction.atomic():
        IntegrityNotice.objects.filter(pk=notice.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        IntegrityNotice.objects.filter(pk=notice.pk).update(acknowledged_by_label="someone else")

    assert IntegrityNotice.objects.filter(pk=notice.pk, acknowledged_by=admin).exists()


def test_an_acknowledgement_note_with_a_nul_character_is_refused_naming_it_and_the_notice_stays_open(
    clip: Clip, media: Path
) -> None:
    _flip_a_byte(clip, media)
    clips_rehash()
    notice = IntegrityNotice.objects.get(clip=clip)
    client, _admin = _staff(Role.DEPT_ADMIN)

    response = client.post(f"/department/integrity/{notice.pk}/acknowledge/", {"note": "sent\x00on"}, follow=True)

    assert response.status_code == 200
    assert "note may not contain the NUL character" in next(str(m) for m in response.context["messages"])
    notice.refresh_from_db()
    assert (notice.acknowledged_at, notice.acknowledgement_note) == (None, "")


def test_a_session_in_replica_mode_cannot_delete_a_notice_either(clip: Clip, media: Path) -> None:
    # given a notice, and a session that asks for replica mode (which skips ordinary triggers)
    _flip_a_byte(clip, media)
    clips_rehash()
    notice = IntegrityNotice.objects.get(clip=clip)

    # when it deletes the notice
    with (
        replica_mode(),
        pytest.raises(DatabaseError, match="never deleted"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM footage_integritynotice WHERE id = %s", [notice.pk])

    # then the database refused it
    assert IntegrityNotice.objects.filter(pk=notice.pk).exists()
