"""The department's actions on compliance: inspections with photos, notices with a cure
deadline and their resolution, decisions on exemption and appeal requests. Each is one
transaction with history, an audit event and (for a notice or a decision) the owner told in
Porchlight and by e-mail; bad input is refused on its field with nothing stored."""

import datetime as dt
import io
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import tenant_context
from PIL import Image

from accounts.models import Role, User
from audit.models import AccessEvent, Action
from cameras.access import Actor
from cameras.models import Site
from compliance import selectors, services, uploads
from compliance.models import Appeal, AppealDecision, Inspection, InspectionPhoto, Notice
from compliance.rules import Requirement, Status
from compliance.services import local_today
from core.errors import Conflict, Invalid, NotFound
from notifications.models import Kind, Notification
from tenants.models import DepartmentPolicy
from tests.factories import DEKALB_AFFIDAVIT, UserFactory, ordinance_make, site_make

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 7)


def png(name: str = "pump.png", size: tuple[int, int] = (8, 8)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def staff(in_rialto: Any) -> Actor:
    return Actor(user=UserFactory(role=Role.SUPERVISOR), mfa=True)


@pytest.fixture
def gas_station(in_rialto: Any) -> Site:
    owner = UserFactory(role=Role.BUSINESS)
    return site_make(owner, in_rialto, kind="business", business_name="Palm Gas", business_category="gas_station")


@pytest.fixture
def dekalb(policy: DepartmentPolicy) -> Any:
    return ordinance_make(policy, DEKALB_AFFIDAVIT, cure_days=60).ordinance


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_an_inspection_keeps_findings_photos_history_and_an_audit_event(
    staff: Actor, gas_station: Site, dekalb: Any, media: Path
) -> None:
    inspection = services.inspection_record(
        actor=staff,
        site_public_id=gas_station.public_id,
        ordinance_public_id=dekalb.public_id,
        inspected_on=TODAY,
        findings={"signage": False, "retention": True},
        notes="No sign at the door.",
        photos=[png("door.png"), png("pump.png")],
        today=TODAY,
    )

    event = AccessEvent.objects.get(action=Action.INSPECTION_RECORD, targets__contains=[f"inspection:{inspection.pk}"])
    assert inspection.findings == {"retention": True, "signage": False}
    assert inspection.version is not None
    assert InspectionPhoto.objects.filter(inspection=inspection).count() == 2
    assert len(_files(media)) == 2
    assert all("/rialto/inspections/" in p.as_posix() for p in _files(media))
    assert inspection.history.count() == 1
    assert event.details["not_met"] == ["signage"]
    assert event.owner_refs == [gas_station.owner_id]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"inspected_on": TODAY + dt.timedelta(days=1)}, "inspected_on"),
        ({"findings": {"fuel_level": True}}, "findings"),
        ({"findings": {}}, "findings"),
        ({"photos": [SimpleUploadedFile("pump.png", b"MZ\x90\x00 not an image", content_type="image/png")]}, "photos"),
        ({"photos": [SimpleUploadedFile("pump.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)]}, "photos"),
        ({"photos": [png(f"p{n}.png") for n in range(6)]}, "photos"),
    ],
)
def test_a_bad_inspection_is_refused_on_its_field_and_nothing_is_stored(
    staff: Actor, gas_station: Site, dekalb: Any, media: Path, changes: dict[str, Any], field: str
) -> None:
    arguments: dict[str, Any] = {
        "actor": staff,
        "site_public_id": gas_station.public_id,
        "ordinance_public_id": dekalb.public_id,
        "inspected_on": TODAY,
        "findings": {"signage": True},
        "photos": [png()],
        "today": TODAY,
        **changes,
    }

    with pytest.raises(Invalid) as refused:
        services.inspection_record(**arguments)

    assert refused.value.field == field
    assert not Inspection.objects.filter(site=gas_station).exists()
    assert _files(media) == []
    assert not AccessEvent.objects.filter(action=Action.INSPECTION_RECORD).exists()


def test_a_too_large_photo_is_refused_naming_the_file(staff: Actor, gas_station: Site, dekalb: Any) -> None:
    big = png("huge.png")
    big.size = 11 * 1024 * 1024

    with pytest.raises(Invalid) as refused:
        services.inspection_record(
            actor=staff,
            site_public_id=gas_station.public_id,
            ordinance_public_id=dekalb.public_id,
            inspected_on=TODAY,
            findings={"signage": True},
            photos=[big],
            today=TODAY,
        )

    assert "huge.png" in refused.value.message
    assert refused.value.code == "file_too_large"


def _png_of(width: int, height: int) -> bytes:
    """A PNG that only announces its size (a decompression bomb reads as one when opened)."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


@pytest.mark.parametrize("check", [uploads.photos_check, uploads.attachments_check])
def test_an_image_of_too_many_pixels_is_refused_as_too_large_not_as_another_type(check: Any) -> None:
    bomb = SimpleUploadedFile("bomb.png", _png_of(30000, 30000), content_type="image/png")

    with pytest.raises(Invalid) as refused:
        check([bomb])

    assert refused.value.code == "image_too_large"
    assert "bomb.png" in refused.value.message
    assert "pixels" in refused.value.message


def test_an_inspection_or_notice_for_another_departments_site_is_not_found(
    staff: Actor, dekalb: Any, fontana: Any
) -> None:
    with tenant_context(fontana):
        theirs = site_make(
            UserFactory(role=Role.BUSINESS), fontana, kind="business", business_category="gas_station", lon=-117.47
        )

    with pytest.raises(NotFound):
        services.inspection_record(
            actor=staff,
            site_public_id=theirs.public_id,
            ordinance_public_id=dekalb.public_id,
            inspected_on=TODAY,
            findings={"signage": True},
            today=TODAY,
        )
    with pytest.raises(NotFound):
        services.notice_issue(
            actor=staff, site_public_id=theirs.public_id, ordinance_public_id=dekalb.public_id, text="x", today=TODAY
        )
    assert not Notice.objects.exists()


def test_a_notice_for_a_site_the_ordinance_does_not_cover_is_refused_on_the_ordinance(
    staff: Actor, dekalb: Any, in_rialto: Any
) -> None:
    bar = site_make(UserFactory(role=Role.BUSINESS), in_rialto, kind="business", business_category="bar")

    with pytest.raises(Invalid) as refused:
        services.notice_issue(
            actor=staff, site_public_id=bar.public_id, ordinance_public_id=dekalb.public_id, text="x", today=TODAY
        )

    assert (refused.value.field, refused.value.code) == ("ordinance", "site_not_covered")
    assert not Notice.objects.filter(site=bar).exists()


def test_a_notice_defaults_to_the_ordinances_cure_period_and_tells_the_owner(
    staff: Actor, gas_station: Site, dekalb: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notice = services.notice_issue(
            actor=staff,
            site_public_id=gas_station.public_id,
            ordinance_public_id=dekalb.public_id,
            text="Put up the camera sign at each entrance.",
            today=TODAY,
        )

    told = Notification.objects.get(recipient=gas_station.owner, kind=Kind.COMPLIANCE_NOTICE)
    assert notice.cure_by == TODAY + dt.timedelta(days=60)
    assert notice.history.count() == 1
    assert AccessEvent.objects.filter(action=Action.NOTICE_ISSUE, targets__contains=[f"notice:{notice.pk}"]).exists()
    assert "2027-02-05" in told.body
    assert told.link == f"/my/obligations/#site-{gas_station.public_id}"
    assert [m.to for m in mail.outbox] == [[gas_station.owner.email]]
    assert "camera sign" in mail.outbox[0].body


@pytest.mark.parametrize(
    ("cure_by", "code"),
    [
        (TODAY - dt.timedelta(days=1), "cure_by_past"),
        (dt.date.max, "cure_by_too_far"),
        (TODAY + dt.timedelta(days=services.CURE_BY_MAX_DAYS + 1), "cure_by_too_far"),
    ],
)
def test_a_cure_date_in_the_past_is_refused(
    staff: Actor, gas_station: Site, dekalb: Any, cure_by: dt.date, code: str
) -> None:
    with pytest.raises(Invalid) as refused:
        services.notice_issue(
            actor=staff,
            site_public_id=gas_station.public_id,
            ordinance_public_id=dekalb.public_id,
            text="Fix it.",
            cure_by=cure_by,
            today=TODAY,
        )

    assert (refused.value.field, refused.value.code) == ("cure_by", code)
    assert not Notice.objects.exists()
    assert not Notification.objects.filter(kind=Kind.COMPLIANCE_NOTICE).exists()


def test_without_a_cure_period_the_notice_asks_for_a_date(
    staff: Actor, gas_station: Site, policy: DepartmentPolicy
) -> None:
    ordinance = ordinance_make(policy, DEKALB_AFFIDAVIT, name="No cure period").ordinance

    with pytest.raises(Invalid) as refused:
        services.notice_issue(
            actor=staff, site_public_id=gas_station.public_id, ordinance_public_id=ordinance.public_id, text="x"
        )

    assert (refused.value.field, refused.value.code) == ("cure_by", "cure_by_required")


def test_a_notice_is_resolved_once(staff: Actor, gas_station: Site, dekalb: Any) -> None:
    notice = services.notice_issue(
        actor=staff, site_public_id=gas_station.public_id, ordinance_public_id=dekalb.public_id, text="x", today=TODAY
    )

    services.notice_resolve(actor=staff, notice_id=notice.pk, resolution="Sign seen on 12 Dec.", today=TODAY)
    with pytest.raises(Conflict):
        services.notice_resolve(actor=staff, notice_id=notice.pk, resolution="again", today=TODAY)

    notice.refresh_from_db()
    assert (notice.resolved_on, notice.resolution) == (TODAY, "Sign seen on 12 Dec.")
    assert notice.history.count() == 2
    assert AccessEvent.objects.filter(action=Action.NOTICE_RESOLVE).count() == 1


@pytest.fixture
def pending_appeal(gas_station: Site, dekalb: Any) -> Appeal:
    return services.appeal_request(
        owner=gas_station.owner,
        site_public_id=gas_station.public_id,
        ordinance_public_id=dekalb.public_id,
        kind="exemption",
        reason="We close at 6 pm and sell no fuel at night.",
    )


def test_granting_an_exemption_tells_the_owner_and_is_audited(
    staff: Actor, pending_appeal: Appeal, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        appeal = services.appeal_decide(
            actor=staff,
            appeal_public_id=pending_appeal.public_id,
            decision="granted",
            reasons="Closed at night; no pumps open.",
            exempt_until=dt.date(2027, 6, 30),
            today=TODAY,
        )

    told = Notification.objects.get(kind=Kind.APPEAL_DECIDED)
    assert (appeal.decision, appeal.exempt_until) == (AppealDecision.GRANTED, dt.date(2027, 6, 30))
    assert appeal.history.count() == 2
    assert AccessEvent.objects.get(action=Action.APPEAL_DECIDE).details["decision"] == "granted"
    assert told.recipient_id == pending_appeal.requested_by_id
    assert "Closed at night" in told.body
    assert len(mail.outbox) == 1


def test_an_appeal_already_decided_cannot_be_decided_again(staff: Actor, pending_appeal: Appeal) -> None:
    services.appeal_decide(
        actor=staff, appeal_public_id=pending_appeal.public_id, decision="denied", reasons="No.", today=TODAY
    )

    with pytest.raises(Conflict) as refused:
        services.appeal_decide(
            actor=staff, appeal_public_id=pending_appeal.public_id, decision="granted", reasons="Yes.", today=TODAY
        )

    pending_appeal.refresh_from_db()
    assert refused.value.code == "already_decided"
    assert pending_appeal.decision == AppealDecision.DENIED
    assert AccessEvent.objects.filter(action=Action.APPEAL_DECIDE).count() == 1
    assert Notification.objects.filter(kind=Kind.APPEAL_DECIDED).count() == 1


@pytest.mark.parametrize(
    ("decision", "reasons", "exempt_until", "field"),
    [
        ("maybe", "r", None, "decision"),
        ("granted", "  ", None, "reasons"),
        ("denied", "r", dt.date(2027, 1, 1), "exempt_until"),
        ("granted", "r", TODAY - dt.timedelta(days=1), "exempt_until"),
        ("granted", "r", dt.date.max, "exempt_until"),
    ],
)
def test_a_bad_decision_is_refused_on_its_field(
    staff: Actor, pending_appeal: Appeal, decision: str, reasons: str, exempt_until: dt.date | None, field: str
) -> None:
    with pytest.raises(Invalid) as refused:
        services.appeal_decide(
            actor=staff,
            appeal_public_id=pending_appeal.public_id,
            decision=decision,
            reasons=reasons,
            exempt_until=exempt_until,
            today=TODAY,
        )

    pending_appeal.refresh_from_db()
    assert refused.value.field == field
    assert pending_appeal.decision == AppealDecision.PENDING


def test_the_oversight_figures_count_the_departments_compliance_actions(
    staff: Actor, gas_station: Site, dekalb: Any, pending_appeal: Appeal
) -> None:
    from audit.figures import Period, figures_of

    services.notice_issue(
        actor=staff, site_public_id=gas_station.public_id, ordinance_public_id=dekalb.public_id, text="x"
    )
    services.appeal_decide(actor=staff, appeal_public_id=pending_appeal.public_id, decision="denied", reasons="r")
    today = services.local_today()

    figures = figures_of(Period(year=today.year, month=today.month))

    assert sum(figures.by_bucket_action[Action.NOTICE_ISSUE]) >= 1
    assert sum(figures.by_bucket_action[Action.APPEAL_DECIDE]) >= 1


def test_an_owners_request_tells_the_administrators_and_the_supervisors_with_the_compliance_duty(
    gas_station: Site, dekalb: Any, django_capture_on_commit_callbacks: Any
) -> None:
    admin = UserFactory(role=Role.DEPT_ADMIN)
    dutiful = UserFactory(role=Role.SUPERVISOR, compliance_duty=True)
    not_told = [
        UserFactory(role=Role.SUPERVISOR),  # no compliance duty
        UserFactory(role=Role.OFFICER, compliance_duty=True),  # the duty is a supervisor's
        UserFactory(role=Role.DEPT_ADMIN, is_active=False),
    ]
    deciders = {u.pk for u in User.objects.filter(is_active=True) if u.may_read_compliance}

    with django_capture_on_commit_callbacks(execute=True):
        appeal = services.appeal_request(
            owner=gas_station.owner,
            site_public_id=gas_station.public_id,
            ordinance_public_id=dekalb.public_id,
            kind="appeal",
            reason="The sign is up since Monday.",
        )

    told = Notification.objects.filter(kind=Kind.APPEAL_REQUESTED)
    assert {n.recipient_id for n in told} == deciders
    assert {admin.pk, dutiful.pk} <= deciders
    assert not deciders & {u.pk for u in not_told}
    assert {n.link for n in told} == {f"/console/compliance/appeals/{appeal.public_id}/"}
    # Staff notifications name no owner: the request is read on its page, through the gate.
    assert all("Palm Gas" not in n.subject + n.body for n in told)
    assert {m.to[0] for m in mail.outbox} == {n.recipient.email for n in told}


def test_a_granted_appeal_sets_aside_the_disputed_finding_and_exempts_from_nothing(
    staff: Actor, gas_station: Site, dekalb: Any, policy: DepartmentPolicy, in_rialto: Any
) -> None:
    services.inspection_record(
        actor=staff,
        site_public_id=gas_station.public_id,
        ordinance_public_id=dekalb.public_id,
        inspected_on=local_today() - dt.timedelta(days=1),
        findings={"signage": False},
    )
    appeal = services.appeal_request(
        owner=gas_station.owner,
        site_public_id=gas_station.public_id,
        ordinance_public_id=dekalb.public_id,
        kind="appeal",
        reason="The sign is there.",
    )

    services.appeal_decide(actor=staff, appeal_public_id=appeal.public_id, decision="granted", reasons="Seen.")

    result = selectors.site_compliance(
        site=gas_station, policy=policy, schema=in_rialto.schema_name, now=timezone.now()
    ).results
    judged = next(r.judgement for r in result if r.rules.key == str(dekalb.public_id))
    assert judged.status is Status.NOT_COMPLIANT
    assert not judged.missing(Requirement.INSPECTION)
    assert judged.missing(Requirement.MIN_CAMERAS)


def test_an_appeal_is_granted_without_an_end_date(staff: Actor, gas_station: Site, dekalb: Any) -> None:
    appeal = services.appeal_request(
        owner=gas_station.owner,
        site_public_id=gas_station.public_id,
        ordinance_public_id=dekalb.public_id,
        kind="appeal",
        reason="The sign is there.",
    )

    with pytest.raises(Invalid) as refused:
        services.appeal_decide(
            actor=staff,
            appeal_public_id=appeal.public_id,
            decision="granted",
            reasons="Seen.",
            exempt_until=local_today() + dt.timedelta(days=30),
        )

    appeal.refresh_from_db()
    assert refused.value.field == "exempt_until"
    assert appeal.decision == AppealDecision.PENDING


@pytest.mark.parametrize(
    ("inspected_on", "code"),
    [
        (dt.date(1899, 12, 31), "date_out_of_range"),
        (dt.date(1, 1, 1), "date_out_of_range"),
        (TODAY + dt.timedelta(days=1), "date_in_future"),
    ],
)
def test_an_inspection_dated_before_1900_or_in_the_future_is_refused_on_its_date(
    staff: Actor, gas_station: Site, dekalb: Any, inspected_on: dt.date, code: str
) -> None:
    with pytest.raises(Invalid) as refused:
        services.inspection_record(
            actor=staff,
            site_public_id=gas_station.public_id,
            ordinance_public_id=dekalb.public_id,
            inspected_on=inspected_on,
            findings={"signage": True},
            today=TODAY,
        )

    assert (refused.value.code, refused.value.field) == (code, "inspected_on")
    assert not Inspection.objects.filter(site=gas_station).exists()
