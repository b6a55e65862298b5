"""axe-core (from npm, node_modules/axe-core) on every page of the portal, the console and the
department's admin, in English and in Spanish, as the user each page is for: no violation of
impact "serious" or "critical".

Adding a page: one line in PAGES (the URL name, who sees it, its path or how to reach it), or,
for a URL that is not a page (a POST that redirects, JSON, a file), one line in NOT_PAGES with
the reason. test_every_page_is_checked_or_listed fails for a URL name that is in neither.
The people ("who") are made once for the module in _make_world, each with a browser context
of their own that every page of theirs reuses; ids for paths go in World.ids. A page reached
by a POST or a click gets a ``via`` function (see _request_form). Each page's whole report,
minor and moderate findings included, is written to tests/e2e/artifacts/axe/.
"""

import datetime as dt
import re
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import Role, User
from audit.checkpoints import checkpoint_make
from audit.selectors import events_for_owner
from cameras import access
from cameras import services as camera_services
from compliance import services as compliance_services
from compliance.selectors import attestable_rows, rules_of
from console.views import SESSION_PURPOSE
from footage import services as footage_services
from footage.models import OwnerRequest
from incidents import services as incident_services
from messaging import services as messaging_services
from tenants.models import Department, DepartmentPolicy
from tests.e2e.conftest import ARTIFACTS, ROOT, LiveServer
from tests.factories import (
    PASSWORD,
    RIALTO_CONDITIONS,
    UserFactory,
    bridge_heartbeat,
    bridge_online_make,
    console_incident_make,
    mobile_source_make,
    ordinance_make,
    totp_enable,
)
from tests.videos import make_video

# django_db: the test database (the server serves it) is set up only for a test that asks for it.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

HOST = "rialto.localhost"
PLATFORM = "localhost"
LANGUAGES = ["en", "es"]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# What "fails" means here: the bar (axe's own impact levels; minor and moderate are
# listed in the artifacts, not failed).
FAILING_IMPACTS = {"serious", "critical"}
# Inside Rialto, a kilometre from where the other browser tests put their cameras, so their
# searches and these never see each other's.
LON, LAT = -117.39, 34.14


# --- The people and things the pages show ----------------------------------------------------


@dataclass
class World:
    ids: dict[str, str]  # formats the pages' paths: "/my/sites/{site}/"
    sessions: dict[str, str]  # who -> session key, for the signed-in contexts
    emails: dict[str, str]  # who -> e-mail, for those who sign in with their password in the browser


def _session(user: User, *, mfa: bool, **data: Any) -> str:
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = settings.AUTHENTICATION_BACKENDS[0]
    session["_auth_user_hash"] = user.get_session_auth_hash()
    # As allauth records a sign-in (without the user's key it would forget the methods, and a
    # password asked again would then drop the MFA one: accounts.middleware signs staff out).
    session["account_authentication_methods_user"] = str(user.pk)
    methods = [{"method": "password", "at": time.time()}]
    if mfa:
        methods.append({"method": "mfa", "at": time.time()})
    session["account_authentication_methods"] = methods
    for key, value in data.items():
        session[key] = value
    session.create()
    return session.session_key or ""


def _staff(role: str, tag: str, *, mfa: bool = True) -> User:
    user = UserFactory(role=role, email=f"a11y-{role}-{tag}@example.org", full_name=f"Alex {role.title()}")
    if mfa:
        totp_enable(user)
    return user


def _licence_jobs(admin: User, tag: str) -> dict[str, str]:
    """A licence import done (with a bad row) and one waiting for its column mapping."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from compliance.licences import services as licence_services

    text = (
        "License No,Business Name,Address,License Type,Issue Date\n"
        f"A11Y-{tag}-1,Accessible Gas,9 Cedar Ave,Gas station,2026-05-01\n"
        f"A11Y-{tag}-2,Odd Date Mart,10 Cedar Ave,Convenience store,next week\n"
    )

    def upload() -> Any:
        return licence_services.licence_import_create(
            actor=admin, upload=SimpleUploadedFile("city.csv", text.encode()), source="business_licence"
        )

    done = upload()
    licence_services.licence_import_map(
        job=done,
        mapping={"number": 0, "name": 1, "address": 2, "category": 3, "issued_on": 4},
        has_header=True,
        unknown_as_other=False,
    )
    licence_services.licence_import_run(job_id=done.pk)
    return {"licence_job_done": str(done.public_id), "licence_job": str(upload().public_id)}


def _department_cameras(admin: User, tag: str, department: Department) -> dict[str, str]:
    """One of the department's own cameras, an import stored and one refused with its errors."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cameras import department as department_cameras

    camera = department_cameras.department_camera_register(
        actor=admin,
        department=department,
        spec=department_cameras.CameraSpec(
            label=f"A11Y {tag} Civic Center", lat=34.1005, lon=-117.3705, bearing_deg=90, fov_angle_deg=90, range_m=50
        ),
    )
    good = f"label,latitude,longitude,bearing\nA11Y {tag} Library,34.1010,-117.3710,180\n"
    bad = f"label,latitude,longitude,bearing\nA11Y {tag} Park,94.1,-117.3710,400\n"
    done = department_cameras.camera_import_create(actor=admin, upload=SimpleUploadedFile("cams.csv", good.encode()))
    refused = department_cameras.camera_import_create(actor=admin, upload=SimpleUploadedFile("bad.csv", bad.encode()))
    return {
        "department_camera": str(camera.public_id),
        "camera_import_done": str(done.public_id),
        "camera_import_refused": str(refused.public_id),
    }


def _mobile_track(actor: access.Actor, purpose: Any, department: Department) -> dict[str, str]:
    """A body-worn camera the officer watched live while it moved (its track pages)."""
    from live import services as live_services
    from live.models import LiveSession
    from live.positions import position_parse, position_record

    camera, issued = mobile_source_make(department, lon=-117.36, lat=34.14)
    start = live_services.live_session_start(actor=actor, purpose=purpose, camera_public_id=camera.public_id)
    assert start.session is not None, start.decision
    now = timezone.now()
    # Dated back, so that its positions can be in the past and inside it.
    LiveSession.objects.filter(pk=start.session.pk).update(started_at=now - dt.timedelta(minutes=1))
    for i in range(3):
        at = (now + dt.timedelta(seconds=i - 3)).isoformat()
        message = {"camera": str(camera.public_id), "lat": 34.14 + i / 1e4, "lon": -117.36, "time": at}
        position_record(bridge_id=issued.bridge.pk, position=position_parse(message, now=now))
    live_services.live_session_end(actor=actor, session_id=start.session.pk, reason="viewer_left")
    return {"mobile_camera": str(camera.public_id), "live_session": str(start.session.public_id)}


def _make_world(video: Path) -> World:
    tag = uuid.uuid4().hex[:6]
    department = Department.objects.get(schema_name="rialto")
    policy = DepartmentPolicy.objects.get(department=department)
    owner = UserFactory(role=Role.BUSINESS, email=f"a11y-owner-{tag}@example.org", full_name="Rosa Owner")
    site = camera_services.site_create(
        owner=owner,
        department=department,
        lon=LON,
        lat=LAT,
        kind="business",
        address="250 W Foothill Blvd",
        share_contact=True,
        police_notes="Ask at the front desk.",
    )
    cameras = []
    for label in ("Front door", "Parking lot"):
        camera = camera_services.camera_register(owner=owner, site=site, label=label, bearing_deg=90, range_m=30)
        camera_services.consent_set(owner=owner, camera=camera, policy=policy, level="live")
        cameras.append(camera)
    # Live view is offered only while the bridge is connected: _live_wall renews its heartbeat
    # (in Redis, which every test's cache.clear() empties).
    bridge = bridge_online_make(owner, site, cameras).bridge
    # An ordinance covering the site, with requirements to attest (the obligations pages).
    version = ordinance_make(
        policy,
        RIALTO_CONDITIONS,
        name=f"Accessibility ordinance {tag}",
        built_after=None,
        retention_days=30,
        signage=True,
        attestation_month=5,
        attestation_day=1,
    )

    officer = _staff(Role.OFFICER, tag)
    actor = access.Actor(user=officer, mfa=True)
    purpose = access.purpose_declare(
        actor=actor, case_number="RPD-26-0777", category="property_crime", text="Break-in at the office"
    )
    # A message to the owner, answered: both sides' thread pages have one.
    thread = messaging_services.message_send(
        actor=actor, purpose=purpose, camera_public_id=cameras[0].public_id, body="Did you see a blue van?"
    ).thread
    messaging_services.message_reply(owner=owner, thread_public_id=thread.public_id, body="Yes, at 9:05.")
    end = timezone.now() - dt.timedelta(hours=2)
    answered = footage_services.footage_request_send(
        actor=actor,
        purpose=purpose,
        camera_ids=[cameras[0].public_id],
        window_start=end - dt.timedelta(hours=1),
        window_end=end,
        message="Did your camera see someone at the door?",
    )
    owner_request = OwnerRequest.objects.get(request=answered.request)
    with video.open("rb") as upload:
        receipt = footage_services.clip_upload(
            owner=owner,
            answer_id=owner_request.answers.get().pk,
            upload=upload,
            name="door.mp4",
            size=video.stat().st_size,
        )
    # A notice, so the integrity pages and banner show one (as after a failed daily check).
    footage_services.integrity_notice_raise(clip=receipt.clip, actual_sha256="0" * 64)
    pending = footage_services.footage_request_send(
        actor=actor,
        purpose=purpose,
        camera_ids=[cameras[1].public_id],
        window_start=end - dt.timedelta(hours=1),
        window_end=end,
        message="And the parking lot?",
    )
    # Another officer's exigent purpose, waiting for a supervisor's approval.
    access.purpose_declare(
        actor=access.Actor(user=_staff(Role.OFFICER, tag + "x"), mfa=True),
        case_number="RPD-26-0778",
        category="missing_person",
        text="Missing child near the park",
        authority="exigent",
    )
    supervisor = _staff(Role.SUPERVISOR, tag)
    admin = _staff(Role.DEPT_ADMIN, tag)
    board = _staff(Role.OVERSIGHT, tag)
    signing_in = _staff(Role.SUPERVISOR, tag + "m")  # has MFA: signs in with the password, then the code page
    new_staff = _staff(Role.OFFICER, tag + "n", mfa=False)  # no MFA yet: sent to set it up
    # A published checkpoint: the owner's access lines link to their inclusion proofs.
    checkpoint_make()
    owner_event = events_for_owner(owner_id=owner.pk).values_list("seq", flat=True).first()
    licence_jobs = _licence_jobs(admin, tag)
    integration, _secret = incident_services.integration_create(
        actor=access.Actor(user=admin, mfa=True), kind="cad", name=f"County CAD {tag}", shape="eido"
    )
    own_cameras = _department_cameras(admin, tag, department)
    track = _mobile_track(actor, purpose, department)
    # An exemption request waiting for the department (the compliance console pages).
    appeal = compliance_services.appeal_request(
        owner=owner,
        site_public_id=site.public_id,
        ordinance_public_id=version.ordinance.public_id,
        kind="exemption",
        reason="The bridge is on order.",
    )
    attestation = compliance_services.attestation_file(
        owner=owner,
        site_public_id=site.public_id,
        ordinance_public_id=version.ordinance.public_id,
        signed_name="Rosa Owner",
        confirmed=[code for code, _sentence in attestable_rows(rules_of(version))],
        ip_address="198.51.100.7",
    )
    return World(
        ids={
            "site": str(site.public_id),
            "camera": str(cameras[0].public_id),
            "answered_request": str(answered.request.public_id),  # type: ignore[union-attr]
            "owner_request": str(OwnerRequest.objects.get(request=pending.request).public_id),
            "answered_owner_request": str(owner_request.public_id),
            "clip": str(receipt.clip.public_id),
            "officer_pk": str(officer.pk),
            "cameras": ",".join(str(c.public_id) for c in cameras),
            "thread": str(thread.public_id),
            "bridge": str(bridge.public_id),
            "ordinance": str(version.ordinance.public_id),
            "ordinance_version": str(version.pk),
            "owner_event": str(owner_event),
            **licence_jobs,
            **own_cameras,
            **track,
            "appeal": str(appeal.public_id),
            "attestation": str(attestation.public_id),
            "incident": str(
                console_incident_make(
                    incident_type="Shots fired", case_number="RPD-26-0900", lon=LON, lat=LAT
                ).public_id
            ),
            "integration": str(integration.public_id),
        },
        sessions={
            "owner": _session(owner, mfa=False),
            "officer": _session(officer, mfa=True, **{SESSION_PURPOSE: str(purpose.public_id)}),
            "supervisor": _session(supervisor, mfa=True),
            "admin": _session(admin, mfa=True),
            "board": _session(board, mfa=True),
        },
        emails={"signing-in": signing_in.email, "new-staff": new_staff.email, "admin": admin.email},
    )


@pytest.fixture(scope="module")
def world(porchlight_server: LiveServer, django_db_blocker: Any, tmp_path_factory: Any) -> World:
    video = tmp_path_factory.mktemp("a11y") / "door.mp4"
    make_video(video, seconds=2, size="160x90", rate=10, extra=("-c:v", "libx264"))

    def run() -> World:
        # Committed on a connection of its own: the server process must see these rows.
        try:
            with django_db_blocker.unblock(), tenant_context(Department.objects.get(schema_name="rialto")):
                return _make_world(video)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


# --- How a page is reached -------------------------------------------------------------------

Via = Callable[[Any, LiveServer, World], None]


def _search(page: Any, server: LiveServer, world: World, radius_m: str = "100", shown: str = "table.results") -> None:
    """The console map after a search around the test's cameras (the results' table shown)."""
    page.goto(server.url(HOST, "/console/"))
    page.wait_for_selector("#console-map[data-ready='1']")
    page.evaluate(
        "([lat, lon]) => { const f = document.getElementById('area-form');"
        " f.lat.value = lat; f.lon.value = lon; f.polygon.value = ''; }",
        [str(LAT), str(LON)],
    )
    page.fill("[name=radius_m]", radius_m)
    page.click("#search-button")
    page.wait_for_selector(f"#results {shown}")


def _search_refused(page: Any, server: LiveServer, world: World) -> None:
    _search(page, server, world, radius_m="20000", shown=".errorlist")


def _request_form(page: Any, server: LiveServer, world: World) -> None:
    _search(page, server, world)
    page.click("#request-footage")
    _wait_for_path(page, "/console/footage/new/")


def _live_wall(page: Any, server: LiveServer, world: World) -> None:
    # On another thread: Playwright's event loop runs on this one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(bridge_heartbeat, schema="rialto", bridge_public_id=world.ids["bridge"]).result()
    _search(page, server, world)
    for camera in world.ids["cameras"].split(","):
        page.check(f"input.live-pick[value='{camera}']")
    page.click("#open-live-wall")
    _wait_for_path(page, "/console/live/[^/]+/")
    page.wait_for_selector(".live-tile")


def _live_wall_ended(page: Any, server: LiveServer, world: World) -> None:
    """The live page loaded again: the views are not opened twice; it says how to open new ones."""
    _live_wall(page, server, world)
    assert page.reload().status == 410


def _clip_player(page: Any, server: LiveServer, world: World) -> None:
    page.goto(server.url(HOST, f"/console/footage/{world.ids['answered_request']}/"))
    page.click(f"tr[data-clip='{world.ids['clip']}'] button.watch")
    _wait_for_path(page, "/console/clips/viewing/[^/]+/")


def _owner_contact(page: Any, server: LiveServer, world: World) -> None:
    page.goto(server.url(HOST, f"/console/cameras/{world.ids['camera']}/"))
    page.click("form[hx-post*='/contact/'] button")
    page.wait_for_selector("#contact *")


def _invite_refused(page: Any, server: LiveServer, world: World) -> None:
    """The staff page as an invitation with mistakes comes back: the form's errors shown."""
    page.goto(server.url(HOST, "/department/staff/"))
    page.fill("form[action$='/invite/'] [name=email]", world.emails["admin"])  # taken: refused
    page.fill("form[action$='/invite/'] [name=full_name]", "Alex Admin")
    page.click("form[action$='/invite/'] button[type=submit]")
    page.wait_for_selector("form[action$='/invite/'] .errorlist")


def _integration_rotated(page: Any, server: LiveServer, world: World) -> None:
    """The page that shows a rotated secret once (the answer to the rotation's POST)."""
    page.goto(server.url(HOST, f"/console/integrations/{world.ids['integration']}/rotate/"))
    with page.expect_navigation():
        page.click("form[action$='/rotate/'] button[type=submit]")
    page.wait_for_selector("#integration-secret")


def _refused(path: str, form: str = "main form.stacked", **fields: str) -> Via:
    """The page as the server sends a form back with its errors: ``fields`` typed (the rest left
    empty), the browser's own checks off so that the server's messages are what is checked."""

    def via(page: Any, server: LiveServer, world: World) -> None:
        path_here = path.format(**world.ids)
        page.goto(server.url(HOST, path_here))
        page.eval_on_selector(form, "f => { f.noValidate = true; }")
        for name, value in fields.items():
            page.fill(f"{form} [name={name}]", value)
        with page.expect_navigation():
            page.locator(f"{form} button[type=submit]").first.click()
        _wait_for_path(page, urlsplit(path_here).path)
        assert page.locator("main .errorlist, main .error").count() > 0, f"no error shown on {page.url}"

    return via


def _board_record_entered(page: Any, server: LiveServer, world: World) -> None:
    """A complaint the board enters (committed in Rialto, like the world): its own page."""
    page.goto(server.url(HOST, "/oversight/records/"))
    form = "main form.stacked"
    page.select_option(f"{form} [name=kind]", "complaint")
    page.fill(f"{form} [name=received_on]", "2026-01-05")
    page.select_option(f"{form} [name=category]", "privacy")
    page.fill(f"{form} [name=summary]", "Accessibility check: a concern about a camera near a park.")
    with page.expect_navigation():
        page.locator(f"{form} button[type=submit]").first.click()
    _wait_for_path(page, r"/oversight/records/\d+/")


def _signed_in_with_password(who: str, path: str) -> Via:
    """The page a person sees after typing their password: the code page, or for staff without
    two-factor the set-up page (after allauth asks for the password again)."""

    def via(page: Any, server: LiveServer, world: World) -> None:
        page.goto(server.url(HOST, "/accounts/login/"))
        page.fill("[name=login]", world.emails[who])
        page.fill("[name=password]", PASSWORD)
        page.click("main button[type=submit]")
        _reauthenticate(page, path)

    return via


def _wait_for_path(page: Any, path: str) -> None:
    """Until the page is at ``path`` (a regular expression; a glob would also match a sign-in
    page's ?next=)."""
    page.wait_for_url(lambda url: re.fullmatch(path, urlsplit(url).path) is not None)


def _reauthenticate(page: Any, path: str) -> None:
    """At ``path``, after typing the password again if allauth asks for it first."""
    _wait_for_path(page, f"/accounts/reauthenticate/|{path}")
    if urlsplit(page.url).path == "/accounts/reauthenticate/":
        page.fill("[name=password]", PASSWORD)
        page.click("main button[type=submit]")
    _wait_for_path(page, path)


def _reauthenticated(path: str) -> Via:
    """A page allauth shows only after the password is asked again (changing two-factor)."""

    def via(page: Any, server: LiveServer, world: World) -> None:
        page.goto(server.url(HOST, path))
        _reauthenticate(page, path)

    return via


def _recovery_codes(page: Any, server: LiveServer, world: World) -> None:
    _reauthenticated("/accounts/2fa/recovery-codes/generate/")(page, server, world)
    page.click("main button[type=submit]")
    _wait_for_path(page, "/accounts/2fa/recovery-codes/")


# --- The pages -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    name: str  # the URL name
    who: str  # "visitor" (signed out), "platform" (signed out, platform host), or a role of World.sessions
    path: str = ""  # formatted with World.ids; or
    via: Via | None = None  # for a page reached by a POST or a click
    status: int = 200
    host: str = HOST
    label: str = ""  # tells two checks of one URL name apart
    fresh: bool = False  # a context of its own (a half-finished sign-in), not the shared one of ``who``
    xfail: str = ""

    @property
    def id(self) -> str:
        return f"{self.name}-{self.label}" if self.label else self.name


PAGES = [
    # Signed out, on the platform's host and on a department's.
    Page("public-home", "platform", "/", host=PLATFORM),
    Page("account_login", "platform", "/accounts/login/", host=PLATFORM, label="platform"),
    Page("portal-home", "visitor", "/"),
    Page("account_login", "visitor", "/accounts/login/"),
    Page("account_signup", "visitor", "/accounts/signup/"),
    Page("account_reset_password", "visitor", "/accounts/password/reset/"),
    Page("account_reset_password_done", "visitor", "/accounts/password/reset/done/"),
    Page("account_reset_password_from_key", "visitor", "/accounts/password/reset/key/1-bad-key/"),
    Page("account_reset_password_from_key_done", "visitor", "/accounts/password/reset/key/done/"),
    Page("account_email_verification_sent", "visitor", "/accounts/confirm-email/"),
    Page("account_confirm_email", "visitor", "/accounts/confirm-email/bad-key/"),
    Page("account_inactive", "visitor", "/accounts/inactive/"),
    Page("not-found", "visitor", "/no-such-page/", status=404),
    Page(
        "account_login",
        "visitor",
        via=_refused("/accounts/login/", "main form", login="nobody@example.org"),
        label="refused",
    ),
    Page("account_signup", "visitor", via=_refused("/accounts/signup/", "main form", email="x"), label="refused"),
    # Signing in: the code page, and staff sent to set up two-factor.
    Page(
        "mfa_authenticate",
        "visitor",
        via=_signed_in_with_password("signing-in", "/accounts/2fa/authenticate/"),
        fresh=True,
    ),
    Page(
        "mfa_activate_totp",
        "visitor",
        via=_signed_in_with_password("new-staff", "/accounts/2fa/totp/activate/"),
        fresh=True,
    ),
    # A business owner's portal.
    Page("portal-my-cameras", "owner", "/my/"),
    Page("portal-site-create", "owner", "/my/sites/new/"),
    Page("portal-site-create", "owner", via=_refused("/my/sites/new/"), label="refused"),
    Page("portal-site-update", "owner", "/my/sites/{site}/"),
    Page("portal-site-delete", "owner", "/my/sites/{site}/delete/"),
    Page("portal-camera-create", "owner", "/my/sites/{site}/cameras/new/"),
    Page("portal-camera-update", "owner", "/my/cameras/{camera}/"),
    Page("portal-camera-live", "owner", "/my/cameras/{camera}/live/"),
    Page("portal-camera-create", "owner", via=_refused("/my/sites/{site}/cameras/new/"), label="refused"),
    Page("portal-camera-delete", "owner", "/my/cameras/{camera}/delete/"),
    Page("portal-consent-edit", "owner", "/my/cameras/{camera}/consent/"),
    Page("portal-access-log", "owner", "/my/access/"),
    Page("portal-access-proof", "owner", "/my/access/{owner_event}/proof/"),
    Page("portal-pause-all", "owner", "/my/pause-all/"),
    Page("portal-revoke-all", "owner", "/my/revoke-all/"),
    Page("portal-resume-all", "owner", "/my/resume-all/"),
    Page("messaging-owner-inbox", "owner", "/my/messages/"),
    Page("messaging-owner-thread", "owner", "/my/messages/{thread}/"),
    Page("ownerdata-my-data", "owner", "/my/data/"),
    Page("ownerdata-account-delete", "owner", "/my/account/delete/"),
    Page("profile-settings", "owner", "/me/settings/"),
    Page("portal-bridges", "owner", "/my/bridges/"),
    Page("portal-obligations", "owner", "/my/obligations/"),
    Page("portal-attestation", "owner", "/my/attestations/{attestation}/"),
    Page("portal-attestation-file", "owner", "/my/sites/{site}/ordinances/{ordinance}/attest/"),
    Page(
        "portal-attestation-file",
        "owner",
        via=_refused("/my/sites/{site}/ordinances/{ordinance}/attest/"),
        label="refused",
    ),
    Page("portal-appeal-request", "owner", "/my/sites/{site}/ordinances/{ordinance}/appeal/"),
    Page("footage-inbox", "owner", "/my/requests/"),
    Page("footage-answer", "owner", "/my/requests/{owner_request}/"),
    Page("footage-answer", "owner", "/my/requests/{answered_owner_request}/", label="answered"),
    Page("forbidden", "owner", "/console/", status=403),
    Page("portal-home", "owner", "/", label="owner"),
    Page("api-tokens", "owner", "/me/api-tokens/"),
    Page("mfa_index", "owner", "/accounts/2fa/"),
    Page("account_email", "owner", "/accounts/email/"),
    Page("account_change_password", "owner", "/accounts/password/change/"),
    Page("account_reauthenticate", "owner", "/accounts/reauthenticate/"),
    Page("usersessions_list", "owner", "/accounts/sessions/"),
    Page("account_logout", "owner", "/accounts/logout/"),
    # An officer's console.
    Page("console-purpose", "officer", "/console/purpose/"),
    Page("console-purpose", "officer", via=_refused("/console/purpose/"), label="refused"),
    Page("console-map", "officer", "/console/"),
    Page("console-search", "officer", via=_search),
    Page("console-search", "officer", via=_search_refused, label="refused"),
    Page("console-camera", "officer", "/console/cameras/{camera}/"),
    Page("console-live-tracks", "officer", "/console/live/cameras/{mobile_camera}/tracks/"),
    Page("console-live-track", "officer", "/console/live/sessions/{live_session}/track/"),
    Page("console-owner-contact", "officer", via=_owner_contact),
    Page("footage-request-list", "officer", "/console/footage/"),
    Page("console-incidents", "officer", "/console/incidents/"),
    Page("console-incident", "officer", "/console/incidents/{incident}/"),
    Page("messaging-console-list", "officer", "/console/messages/"),
    Page("messaging-console-thread", "officer", "/console/messages/{thread}/"),
    Page("messaging-console-send", "officer", "/console/cameras/{camera}/message/"),
    Page("notification-list", "officer", "/notifications/"),
    Page("footage-request-create", "officer", via=_request_form),
    Page("footage-request-detail", "officer", "/console/footage/{answered_request}/"),
    Page("footage-clip-viewing", "officer", via=_clip_player),
    Page("console-live-page", "officer", via=_live_wall),
    Page("console-live-page", "officer", via=_live_wall_ended, label="ended"),
    Page("mfa_index", "officer", "/accounts/2fa/", label="staff"),
    Page("mfa_reauthenticate", "officer", "/accounts/2fa/reauthenticate/"),
    Page("mfa_deactivate_totp", "officer", via=_reauthenticated("/accounts/2fa/totp/deactivate/")),
    Page("mfa_generate_recovery_codes", "officer", via=_reauthenticated("/accounts/2fa/recovery-codes/generate/")),
    Page("mfa_view_recovery_codes", "officer", via=_recovery_codes),
    # A supervisor, the oversight board and the department's administrator.
    Page("console-approvals", "supervisor", "/console/approvals/"),
    Page("notification-list", "supervisor", "/notifications/", label="supervisor"),
    Page("oversight-log", "board", "/oversight/"),
    Page("audit-board-search", "board", "/oversight/search/"),
    Page(
        "audit-board-search",
        "board",
        "/oversight/search/?date_from=2026-05-02&date_to=2026-05-01&camera=x&polygon=%7B",
        status=400,
        label="refused",
    ),
    Page("audit-board-admin-changes", "board", "/oversight/changes/"),
    Page("audit-board-anomalies", "board", "/oversight/anomalies/"),
    Page(
        "audit-board-anomalies", "board", "/oversight/anomalies/?rule=nope&status=maybe", status=400, label="bad filter"
    ),
    Page("oversight-dashboard", "board", "/oversight/dashboard/"),
    Page("audit-board-records", "board", "/oversight/records/"),
    Page("audit-board-records", "board", via=_refused("/oversight/records/", summary="x@example.org"), label="refused"),
    Page("audit-board-record", "board", via=_board_record_entered),
    Page("audit-board-report", "board", "/oversight/report/"),
    Page("audit-board-report", "board", "/oversight/report/?year=1999", status=400, label="bad year"),
    Page("oversight-dashboard", "board", "/oversight/dashboard/?month=13", status=400, label="bad filter"),
    Page("transparency", "visitor", "/transparency/"),
    Page("compliance-certificate-check", "visitor", "/certificates/check/"),
    Page("compliance-certificate-check", "visitor", "/certificates/check/?code=ABCD", label="not found"),
    Page("staff-list", "admin", "/department/staff/"),
    Page("staff-invite", "admin", via=_invite_refused),
    Page("staff-deactivate", "admin", "/department/staff/{officer_pk}/active/"),
    Page("staff-history", "admin", "/department/staff/{officer_pk}/history/"),
    Page("policy-edit", "admin", "/department/policy/"),
    Page("policy-edit", "admin", via=_refused("/department/policy/", purpose_categories_text=""), label="refused"),
    Page("footage-integrity-notices", "admin", "/department/integrity/"),
    Page("console-compliance", "admin", "/console/compliance/"),
    Page("compliance-public", "visitor", "/compliance/"),
    Page("console-licences", "admin", "/console/licences/"),
    Page("console-licence-import", "admin", "/console/licences/imports/{licence_job}/"),
    Page("console-licence-import", "admin", "/console/licences/imports/{licence_job_done}/", label="done"),
    Page("console-licence-import-discard", "admin", "/console/licences/imports/{licence_job}/discard/"),
    Page("console-licences-not-registered", "admin", "/console/licences/not-registered/"),
    # The department's integrations (console.integration_views).
    Page("console-integrations", "admin", "/console/integrations/"),
    Page("console-integration-new", "admin", "/console/integrations/new/"),
    Page("console-integration-new", "admin", via=_refused("/console/integrations/new/"), label="refused"),
    Page("console-integration", "admin", "/console/integrations/{integration}/"),
    Page("console-integration-rotate", "admin", "/console/integrations/{integration}/rotate/", label="confirm"),
    Page("console-integration-rotate", "admin", via=_integration_rotated),
    Page("console-integration-active", "admin", "/console/integrations/{integration}/active/"),
    # The department's ordinances (console.ordinance_views).
    Page("console-ordinances", "admin", "/console/ordinances/"),
    Page("console-ordinance-new", "admin", "/console/ordinances/new/"),
    Page("console-ordinance-new", "admin", via=_refused("/console/ordinances/new/"), label="refused"),
    Page("console-ordinance", "admin", "/console/ordinances/{ordinance}/"),
    Page("console-ordinance-version-new", "admin", "/console/ordinances/{ordinance}/versions/new/"),
    Page("console-ordinance-version", "admin", "/console/ordinances/{ordinance}/versions/{ordinance_version}/"),
    Page("console-ordinance-retire", "admin", "/console/ordinances/{ordinance}/retire/?repealed_on=2030-01-01"),
    # The department's own cameras (console.department_camera_views).
    Page("console-department-cameras", "admin", "/console/department-cameras/"),
    Page("console-department-camera-new", "admin", "/console/department-cameras/new/"),
    Page("console-department-camera", "admin", "/console/department-cameras/{department_camera}/"),
    Page("console-department-camera-imports", "admin", "/console/department-cameras/imports/"),
    Page("console-department-camera-import", "admin", "/console/department-cameras/imports/{camera_import_done}/"),
    Page(
        "console-department-camera-import",
        "admin",
        "/console/department-cameras/imports/{camera_import_refused}/",
        label="refused",
    ),
    # The department's compliance actions (console.compliance_actions).
    Page("console-compliance-site", "admin", "/console/compliance/sites/{site}/"),
    Page("console-compliance-attestation", "admin", "/console/compliance/attestations/{attestation}/"),
    Page("console-compliance-inspect", "admin", "/console/compliance/sites/{site}/ordinances/{ordinance}/inspect/"),
    Page("console-compliance-notice", "admin", "/console/compliance/sites/{site}/ordinances/{ordinance}/notice/"),
    Page("console-compliance-appeals", "admin", "/console/compliance/appeals/"),
    Page("console-compliance-appeal", "admin", "/console/compliance/appeals/{appeal}/"),
]

# URL names that are not pages of their own, each with the reason.
NOT_PAGES = {
    "console-incident-close": "POST that closes an incident and redirects to its page",
    "console-incident-dock": "htmx fragment: the incident's cameras (or the purpose form) inside its page or the map",
    "console-incident-purpose": "htmx POST fragment: states the purpose for the incident, answers the dock",
    "portal-certificate-download": "POST that answers the compliance certificate as a PDF file",
    "healthz": "JSON for load balancers",
    "console-compliance-notice-resolve": "POST that resolves a notice and redirects to the site's compliance page",
    "console-compliance-coverage-exit-review": "POST that marks a coverage change reviewed, back to the dashboard",
    "audit-board-log-failure-resolve": "POST that records a log failure resolved (its GET redirects to the log page)",
    "console-compliance-appeal-file": "a file an owner sent with a request (download)",
    "console-compliance-inspection-photo": "a photo taken at an inspection (an image, not a page)",
    "portal-appeal-file": "the owner's own file sent with a request (download)",
    "portal-obligation-notice-read": "POST that marks a compliance notice read and redirects to the obligations page",
    "transparency-json": "the transparency page's figures as JSON (open data)",
    "api-not-found": "the API's JSON 404",
    "audit-log-checkpoint": "the log's signed checkpoint as plain text (C2SP note)",
    "transparency-checkpoints-feed": "an Atom feed of the log's signed checkpoints (XML)",
    "set_language": "POST that redirects back",
    "portal-camera-status": "POST (pause/resume) that redirects to My cameras",
    "portal-camera-snapshot": "POST answered with JSON: one snapshot for the owner's camera page",
    "portal-consent-preview": "htmx fragment: one sentence inside the consent form",
    "portal-address-suggest": "JSON suggestions for the property form's address box",
    "console-address-suggest": "JSON suggestions for the console's address box",
    "notification-read": "POST that marks one notification read and redirects",
    "notification-read-all": "POST that marks every notification read and redirects",
    "ownerdata-download": "the owner's data as a JSON or ZIP file",
    "portal-bridge-pyz": "the single-file bridge program owners download (a .pyz file)",
    "console-map-data": "JSON for the map",
    "console-export": "the canvass CSV",
    "console-live": "POST that redirects to the live page (console-live-page)",
    "footage-export": "the evidence ZIP",
    "audit-board-export": "the board's selection of the access log as a CSV or JSON file",
    "audit-board-export-manifest": "the signed manifest of that file (JSON)",
    "audit-board-report-file": "the annual surveillance report as a PDF or CSV file",
    "audit-board-anomaly-review": "POST that adds a review note and redirects to the queue (audit-board-anomalies)",
    "footage-clip-link": "POST that makes a download link and redirects to the file (footage-download)",
    "footage-clip-hold": "POST that redirects to the request",
    "footage-clip-play": "POST that opens a viewing and redirects to its page (footage-clip-viewing)",
    "footage-clip-stream": "the video's bytes",
    "footage-download": "the clip file",
    "footage-integrity-notice-acknowledge": "POST that redirects to the notices",
    "footage-upload-start": "JSON of the resumable upload",
    "footage-upload": "JSON of the resumable upload",
    "footage-upload-finish": "JSON of the resumable upload",
    "staff-role-change": "POST that redirects to the staff list",
    "mfa-totp-renew": "POST that redirects to the two-factor set-up page",
    "mfa_download_recovery_codes": "a text file",
    "account_set_password": "redirects to the password change: every account here has a password",
    "account_confirm_login_code": "sign-in by e-mailed code is off: redirects to the sign-in page",
    "staff-compliance-duty": "POST that redirects to the staff list",
    "console-compliance-map-data": "JSON for the compliance map",
    "console-compliance-export": "the compliance list as CSV",
    "compliance-public-json": "the public compliance page's figures as JSON (open data)",
    "console-licence-import-status": "htmx fragment: the import's progress inside its page",
    "console-department-camera-import-status": "htmx fragment: the camera import's progress inside its page",
    "console-department-camera-retire": "POST that retires a department camera and redirects to the list",
    "console-licence-import-retry": "POST that queues a stopped import again and redirects to it",
    "console-licences-match": "POST that matches the licences again and redirects to the list",
    "console-licences-invite": "POST: the letters as a PDF file, or e-mails then a redirect to the list",
}


def _url_names(patterns: list[Any]) -> Iterator[str]:
    """Every URL's name (an unnamed one by its view) outside the Django admin and the API (their
    own tests cover them): a new app's pages are caught too."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if not str(pattern.pattern).startswith(("admin/", "api/")):
                yield from _url_names(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            yield pattern.name or pattern.lookup_str


def _page_names() -> set[str]:
    urlconfs = (settings.ROOT_URLCONF, settings.PUBLIC_SCHEMA_URLCONF)
    return {name for urlconf in urlconfs for name in _url_names(get_resolver(urlconf).url_patterns)}


def test_every_page_is_checked_or_listed() -> None:
    checked = {page.name for page in PAGES}

    missing = _page_names() - checked - set(NOT_PAGES)

    assert not missing, (
        f"Pages without an accessibility check: {sorted(missing)}. Add each to PAGES in {__file__} "
        "(or, if it is not a page, to NOT_PAGES with the reason)."
    )


def test_the_page_tables_name_only_real_urls() -> None:
    real = _page_names() | {"not-found", "forbidden"}

    assert {page.name for page in PAGES} - real == set()
    assert set(NOT_PAGES) - real == set()


# --- The check -------------------------------------------------------------------------------


@dataclass
class Visitor:
    context: Any
    page: Any
    language: dict[str, str] = field(default_factory=dict)  # host -> the language chosen there


@pytest.fixture(scope="module")
def visitors(browser: Any, world: World, porchlight_server: LiveServer) -> Iterator[dict[str, Visitor]]:
    """One browser context per person, reused by every page of theirs."""
    out: dict[str, Visitor] = {}
    for who in ["visitor", "platform", *world.sessions]:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
        if who in world.sessions:
            context.add_cookies([{"name": "sessionid", "value": world.sessions[who], "domain": HOST, "path": "/"}])
        out[who] = Visitor(context, context.new_page())
    yield out
    for visitor in out.values():
        visitor.context.close()


def _choose_language(page: Any, server: LiveServer, host: str, language: str) -> None:
    """As a person does: the language menu in the page's header."""
    page.goto(server.url(host, "/"))
    page.select_option("form.lang select[name=language]", language)
    page.click("form.lang button[type=submit]")
    page.wait_for_load_state()


def _wait_for_maps(page: Any, timeout: float = 15.0) -> None:
    """Until every map has drawn its controls (map.js and console.js mark it ready): axe must
    see them. (Polled: wait_for_function's eval is refused by the pages' CSP.)"""
    deadline = time.monotonic() + timeout
    script = "[...document.querySelectorAll('.map')].every(m => m.dataset.ready === '1')"
    while not page.evaluate(script):
        assert time.monotonic() < deadline, f"a map of {page.url} never became ready"
        page.wait_for_timeout(100)


def _axe_violations(page: Any) -> list[dict[str, Any]]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    return page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            targets: v.nodes.map(n => n.target.join(' ') + '  ' + n.html.slice(0, 160))
        }))"""
    )


# axe-core lets an aria-describedby pass when the ids it names are missing (nothing is then
# read with the field); Django names "<id>_helptext" and "<id>_error" on every field with help
# or errors, so a template that renders them without those ids loses them for screen readers.
DESCRIBED_BY_MISSING = """[...document.querySelectorAll('[aria-describedby]')].flatMap(
    e => e.getAttribute('aria-describedby').split(/\\s+/).filter(i => i && !document.getElementById(i)))"""


def _report(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n" + "\n".join(f"    {t}" for t in v["targets"][:8])
        for v in violations
    )


@pytest.mark.parametrize(
    "spec",
    [
        pytest.param(p, id=p.id, marks=[pytest.mark.xfail(reason=p.xfail, strict=True)] if p.xfail else [])
        for p in PAGES
    ],
)
@pytest.mark.parametrize("language", LANGUAGES)
def test_page_has_no_serious_accessibility_violations(
    porchlight_server: LiveServer, browser: Any, visitors: dict[str, Visitor], world: World, spec: Page, language: str
) -> None:
    assert AXE.exists(), f"{AXE} is missing: run `npm ci` (make does)."
    if spec.fresh:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
        visitor = Visitor(context, context.new_page())
    else:
        visitor = visitors[spec.who]
    page = visitor.page
    if visitor.language.get(spec.host) != language:
        _choose_language(page, porchlight_server, spec.host, language)
        visitor.language[spec.host] = language

    if spec.via is not None:
        spec.via(page, porchlight_server, world)
    else:
        path = spec.path.format(**world.ids)
        status = page.goto(porchlight_server.url(spec.host, path)).status
        assert (status, page.url.endswith(path)) == (spec.status, True), f"{path}: {status} at {page.url}"
    _wait_for_maps(page)
    assert page.evaluate("document.documentElement.lang") == language
    url, violations = page.url, _axe_violations(page)
    unnamed = page.evaluate(DESCRIBED_BY_MISSING)
    if spec.fresh:
        visitor.context.close()

    report = ARTIFACTS / "axe" / f"{language}-{spec.id}.txt"  # every impact, for whoever improves more
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(f"{url}\n{_report(violations)}\n")
    failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    assert not failing, f"axe-core on {url} ({language}):\n{_report(failing)}"
    assert not unnamed, f"aria-describedby names ids that are not on {url}: {unnamed}"
