"""Owners' access notices as a digest and in the owner's language, with a real Celery worker
and its beat (the outbox sweep every second) on a Redis of the test's own: what `make run`
starts. Everything the worker reads is committed (it cannot see a test's transaction)."""

import re
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from audit.models import Action
from cameras import access
from tests.test_notice_outbox import (  # noqa: F401 (fixtures: the private broker and the workers)
    PrivateRedis,
    Worker,
    broker,
    committed,
    notice_window,
    private_redis,
    worker_with_beat,
    workers,
)

pytestmark = [pytest.mark.django_db, pytest.mark.worker]

# Away from the other tests' searches around (-117.38, 34.10): committed cameras outlive a test.
LON, LAT = -117.36, 34.14
FONTANA_LON_LAT = (-117.50, 34.15)


@dataclass
class Owner:
    id: int
    email: str
    cameras: list[str]


@dataclass
class Cast:
    officer_id: int
    owners: dict[str, Owner]


def _cast(*, languages: dict[str, str] | None = None, schema: str = "rialto") -> Cast:
    """Owners (business cameras, live consent, told of every access) and an officer with MFA,
    in ``schema``'s department."""
    from accounts.models import Role
    from cameras.services import consent_set
    from tenants.models import Department, DepartmentPolicy
    from tests.factories import UserFactory, camera_make, site_make, totp_enable

    tag = uuid.uuid4().hex[:8]
    department = Department.objects.get(schema_name=schema)
    policy = DepartmentPolicy.objects.get(department=department)
    lon, lat = (LON, LAT) if schema == "rialto" else FONTANA_LON_LAT
    owners = {}
    for name, language in (languages or {"a": "", "b": "", "c": ""}).items():
        user = UserFactory(role=Role.BUSINESS, email=f"{name}-{tag}@example.org", language=language)
        site = site_make(user, department, kind="business", lon=lon, lat=lat)
        cameras = []
        for n in range(2):
            camera = camera_make(user, department, site=site, label=f"Camera {name}{n}")
            consent_set(owner=user, camera=camera, policy=policy, level="live", notify_on_access=True)
            cameras.append(str(camera.public_id))
        owners[name] = Owner(user.pk, user.email, cameras)
    officer = UserFactory(role=Role.OFFICER, email=f"officer-{tag}@example.org", badge_number="7070")
    totp_enable(officer)
    return Cast(officer.pk, owners)


def _quiet(cast: Cast, schema: str = "rialto") -> None:
    """Committed rows outlive the test: later accesses must not e-mail these owners."""
    from cameras.models import Camera
    from cameras.services import consent_set
    from tenants.models import DepartmentPolicy

    policy = DepartmentPolicy.objects.get(department__schema_name=schema)
    for owner in cast.owners.values():
        for camera in Camera.objects.select_related("site__owner").filter(public_id__in=owner.cameras):
            consent_set(owner=camera.site.owner, camera=camera, policy=policy, level="live")


def _actor(cast: Cast) -> access.Actor:
    from accounts.models import User

    return access.Actor(user=User.objects.get(pk=cast.officer_id), mfa=True)


def _accesses(
    cast: Cast, case: str, owner: str, *, action: str = Action.CAMERA_VIEW, times: int = 1, **how: str
) -> None:
    """``times`` accesses (each its own transaction, committed) to ``owner``'s cameras for ``case``."""
    actor = _actor(cast)
    purpose = access.purpose_declare(
        actor=actor,
        case_number=case,
        category="missing_person" if how.get("authority") == "exigent" else "property_crime",
        text="Looking for a witness",
        **how,
    )
    cameras = cast.owners[owner].cameras
    for n in range(times):
        decision, _camera = access.camera_lookup(
            actor=actor, purpose=purpose, public_id=cameras[n % len(cameras)], action=action
        )
        assert decision.allowed, decision.reason


def _listed(mail: str) -> int:
    """How many accesses an e-mail lists (one numbered item each)."""
    return len(re.findall(r"^\d+\. Camera details viewed$", mail, flags=re.M))


def _wait(predicate: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.2)


def test_accesses_are_emailed_one_digest_per_owner_and_case_after_the_window_and_a_live_view_at_once(
    broker: PrivateRedis,  # noqa: F811 (the fixtures imported above)
    workers: list[Worker],  # noqa: F811
    tmp_path: Path,
) -> None:
    # given three owners who asked to be told of every access, in a department that collects
    # notices for one minute; an owner in Fontana, which tells each access at once; a worker
    # with its beat
    cast = committed(_cast)
    fontana_cast = committed(lambda: _cast(languages={"f": ""}, schema="fontana"), "fontana")
    a, b, c, f = (*(cast.owners[k] for k in "abc"), fontana_cast.owners["f"])
    with notice_window(1), notice_window(0, "fontana"):
        try:
            workers.append(worker_with_beat(broker.url, tmp_path))
            started = time.monotonic()

            # when an officer looks six times at A's cameras for one case and once for another,
            # once at B's for the first case, and watches C's camera live; and a Fontana
            # officer looks at F's camera for the same case number
            committed(lambda: _accesses(cast, "RPD-26-1001", "a", times=6))
            committed(lambda: _accesses(cast, "RPD-26-1002", "a"))
            committed(lambda: _accesses(cast, "RPD-26-1001", "b"))
            committed(lambda: _accesses(cast, "RPD-26-1003", "c", action=Action.LIVE_START))
            committed(lambda: _accesses(fontana_cast, "RPD-26-1001", "f"), "fontana")

            # then C is told of the live view and F of Fontana's access at once, while A and B
            # wait for Rialto's window
            [live] = workers[0].wait_for_mail_to(c.email, timeout=30)
            [to_f] = workers[0].wait_for_mail_to(f.email, timeout=30)
            told_at_once_after = time.monotonic() - started
            waiting = len(workers[0].mails_to(a.email)) + len(workers[0].mails_to(b.email))
            _wait(lambda: len(workers[0].mails_to(a.email)) == 2 and workers[0].mails_to(b.email), timeout=120)
            digests_after = time.monotonic() - started
            time.sleep(3)  # three more sweeps, each of which could send a digest again

            assert "Live view started" in live
            assert (told_at_once_after < 50, waiting) == (True, 0)
            assert digests_after >= 55
            to_a = sorted(workers[0].mails_to(a.email), key=len)
            assert len(to_a) == 2
            assert "RPD-26-1002" in to_a[0]
            assert _listed(to_a[0]) == 1
            assert "RPD-26-1001" in to_a[1]
            assert _listed(to_a[1]) == 6
            assert "Camera f0" not in to_a[1]
            [to_b] = workers[0].mails_to(b.email)
            assert _listed(to_b) == 1
            assert "Camera a0" not in to_b
            assert len(workers[0].mails_to(c.email)) == 1
            assert (_listed(to_f), "Fontana Police Department" in to_f, "fontana.localhost" in to_f) == (1, True, True)
            assert "Rialto" not in to_f
        finally:
            committed(lambda: _quiet(cast))
            committed(lambda: _quiet(fontana_cast, "fontana"), "fontana")


@pytest.mark.parametrize(
    ("owner_language", "officer_language", "expected", "not_expected"),
    [
        ("es", "en", "Detalles de la cámara consultados", "Camera details viewed"),
        ("en", "es", "Camera details viewed", "Detalles de la cámara consultados"),
    ],
)
def test_an_owner_is_emailed_in_their_own_language_whatever_the_officers(
    owner_language: str,
    officer_language: str,
    expected: str,
    not_expected: str,
    celery_worker: Path,
    not_eager: None,
) -> None:
    # given an owner who chose their language (exigent access: told at once)
    cast = committed(lambda: _cast(languages={"o": owner_language}))
    owner = cast.owners["o"]

    # when an officer working in another language accesses their camera
    def exigent_look() -> None:
        with translation.override(officer_language):
            _accesses(cast, "RPD-26-2001", "o", authority="exigent")

    try:
        committed(exigent_look)

        # then the worker's e-mail is in the owner's language
        mail = _mail_to(celery_worker, owner.email)
        assert expected in mail
        assert not_expected not in mail
    finally:
        committed(lambda: _quiet(cast))


def _mail_to(folder: Path, email: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in folder.iterdir():
            text = path.read_text()
            if f"To: {email}" in text:
                return text.split(f"To: {email}", 1)[1]
        time.sleep(0.2)
    raise AssertionError(f"no e-mail to {email} arrived")
