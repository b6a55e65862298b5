"""Every page (portal, console, oversight, public) within a fixed number of database queries at
demo size, and the list pages' count not growing with their rows (issue 18, target 7).

The pages are those of tests/e2e/test_accessibility.py's PAGES (every URL name, with who sees it
and how to reach it), so a new page is caught here too: test_every_page_is_counted fails for a
page that is neither counted nor listed in NOT_COUNTED with the reason. The people and things
are those the accessibility test makes (its _make_world), on top of the demo's registry
(seed_demo: 300 cameras in Rialto, 60 in Fontana, their owners, addresses, beats, incidents),
made once for the module inside a transaction rolled back at its end.

What is counted is a page's second load (the first fills per-process caches: content types,
the URL resolver's, translations); a page reached by a POST or a click is counted on the request
that answers with it.
"""

import datetime as dt
import os
from collections.abc import Callable, Iterator
from io import StringIO
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from tenants.models import Department
from tests.conftest import TenantClient
from tests.e2e.test_accessibility import PAGES, Page, World, _make_world
from tests.tenancy import connection
from tests.videos import make_video

pytestmark = pytest.mark.django_db

#: The issue's bar: every page under 12 queries.
MAX_QUERIES = 11


# --- The world, once for the module ----------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[World]:
    """The demo and the accessibility test's people and things, in a transaction of the module's
    own (each test's own transaction is then a savepoint inside it), rolled back at the end:
    nothing is left for other tests."""
    video = tmp_path_factory.mktemp("queries") / "door.mp4"
    make_video(video, seconds=2, size="160x90", rate=10, extra=("-c:v", "libx264"))
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("seed_demo", stdout=StringIO())
            with tenant_context(Department.objects.get(schema_name="rialto")):
                _demo_registry_filled()
                made = _make_world(video)
            connection.set_schema_to_public()
            yield made
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            connection.set_schema_to_public()


def _demo_registry_filled() -> None:
    """seed_demo leaves a department that has cameras alone: in a whole run, the browser tests
    have committed a few into Rialto before this module, so fill it up to the demo's count."""
    from accounts.models import User
    from cameras.demo import demo_registry_seed
    from cameras.models import Camera
    from tenants.demo import DEMO_DEPARTMENTS, demo_email

    wanted = next(spec["cameras"] for spec in DEMO_DEPARTMENTS if spec["schema"] == "rialto")
    missing = wanted - Camera.objects.count()
    if missing > 0:
        owners = [User.objects.get(email=demo_email(role, "rialto")) for role in ("resident", "business")]
        demo_registry_seed(
            department=Department.objects.get(schema_name="rialto"), owners=owners, cameras_wanted=missing, seed=7
        )


def _client(world: World, who: str, host: str) -> TenantClient:
    client = TenantClient(host)
    if who in world.sessions:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[who]
    return client


# --- Pages reached by a POST or a click: the request that answers with the page ---------------

Reach = Callable[[TenantClient, World], Any]


def _post(path: str, **data: str) -> Reach:
    def reach(client: TenantClient, world: World) -> Any:
        return client.post(path.format(**world.ids), data)

    return reach


def _search(**data: str) -> Reach:
    from tests.e2e.test_accessibility import LAT, LON

    def reach(client: TenantClient, world: World) -> Any:
        return client.post("/console/search/", {"lat": str(LAT), "lon": str(LON), "polygon": "", **data})

    return reach


REACH: dict[str, Reach] = {
    "account_login-refused": _post("/accounts/login/", login="nobody@example.org", password=""),
    "account_signup-refused": _post("/accounts/signup/", email="x"),
    "portal-site-create-refused": _post("/my/sites/new/"),
    "portal-camera-create-refused": _post("/my/sites/{site}/cameras/new/"),
    "portal-attestation-file-refused": _post("/my/sites/{site}/ordinances/{ordinance}/attest/"),
    "console-purpose-refused": _post("/console/purpose/"),
    "console-search": _search(radius_m="100"),
    "console-search-refused": _search(radius_m="20000"),
    "audit-board-records-refused": _post("/oversight/records/", summary="x@example.org"),
    "policy-edit-refused": _post("/department/policy/", purpose_categories_text=""),
    "console-integration-new-refused": _post("/console/integrations/new/"),
    "console-ordinance-new-refused": _post("/console/ordinances/new/"),
    "staff-invite": _post("/department/staff/invite/", email="x", full_name="Alex Admin"),
}

#: Pages this test does not count, each with the reason.
NOT_COUNTED: dict[str, str] = {
    "mfa_authenticate": "the code page of a half-finished sign-in: reached only by typing a password (tests/accounts)",
    "mfa_activate_totp": "the set-up page of staff without two-factor, after a password sign-in (tests/accounts)",
    "console-owner-contact": "htmx fragment answered to a POST inside the camera's page (counted with console-camera)",
    "footage-request-create": "the request form posted from the map's selection (its fields come from a search)",
    "footage-clip-viewing": "opened by a POST that starts a viewing (an audited access each time)",
    "console-live-page": "opened by the live wall's POST, which starts live views through the bridge",
    "console-live-page-ended": "the live page loaded a second time (410), after the live wall",
    "console-integration-rotate": "the answer to a POST that rotates the secret (shown once)",
    "audit-board-record": "the page of a record the board has just entered (a POST that writes)",
    "mfa_deactivate_totp": "asks for the password again first (allauth's reauthentication)",
    "mfa_generate_recovery_codes": "asks for the password again first (allauth's reauthentication)",
    "mfa_view_recovery_codes": "shown after codes are generated by a POST",
}

# What every signed-in page pays before its own work (the floor under each budget below):
# 3 for tenancy (django-tenants resets search_path to public, looks up the host's Domain and
# Department, sets the department's search_path), the session and the user (2), and the menu's
# unread counts (messages for owners and officers, notifications for staff: 1-2).
# An audited read (the board's pages, the console's camera and search) also writes its event
# in the same request, fail-closed: SAVEPOINT, INSERT (the log's trigger counts it into the rollups), RELEASE (3).
#: Pages over MAX_QUERIES today, with the count they must not exceed and why (issue 18, target 7:
#: not met for these; each figure is what the page takes at demo size, so a new query fails).
#: Five ceilings (board log, admin changes, anomalies, annual report, compliance dashboard) are what
#: the page took in the whole suite, 1-4 more than on the demo alone: work left due by earlier tests
#: (compliance rows whose recheck day came, log events since the last chain check) adds queries.
OVER_BUDGET: dict[str, tuple[int, str]] = {
    "audit-board-report": (37, "the annual report: each figure of the year its own aggregate, + audited read"),
    "oversight-log": (
        29,
        "the log page verifies the chain since the last check and the signed checkpoints, reads the"
        " latest checkpoint's last event (the head a witness keeps) and the log's recorded failures",
    ),
    "portal-obligations": (23, "each ordinance's status per site, and the site's signed attestations listed"),
    "console-compliance": (
        29,
        "the department's compliance summary: one aggregate per figure, the licences not registered and"
        " the properties that left coverage after an owner edit (one query, its count a window over the"
        " list) (29 in the whole suite, where earlier tests left licences and due rechecks)",
    ),
    "footage-request-detail": (
        12,
        "the request's answers counted, and each delivery deadline with its ordinance counted (issue 16)",
    ),
    "console-compliance-site": (21, "one site's compliance: the same per-ordinance records, read twice"),
    "portal-my-cameras": (19, "sites, cameras, consent, suspensions, bridges and the ordinances' status"),
    "audit-board-search": (19, "the search runs its selection twice (count, page) + audited read"),
    "portal-attestation-file-refused": (17, "the attestation form's site and ordinance read again on POST"),
    "oversight-dashboard": (16, "the dashboard's charts: one rollup aggregate each"),
    "console-camera": (16, "the camera, consent, bridge, owner's contact rules + audited read"),
    "audit-board-admin-changes": (18, "one history table per audited model (users, policy, ordinances)"),
    "transparency": (
        14,
        "the public figures: one rollup aggregate each, the signed checkpoint, and the log's failures (stated first)",
    ),
    "portal-access-log": (12, "the owner's accesses, their cameras, and the log's failures (stated first)"),
    "portal-consent-edit": (15, "the camera, its consent, the policy and the ordinances that bind it"),
    "portal-attestation-file": (15, "the site, the ordinance version and its requirements"),
    "portal-appeal-request": (15, "the site, the ordinance version and its requirements"),
    "console-search": (15, "the search, consent and bridges of the results + audited read"),
    "portal-bridges": (15, "the owner's bridges, their cameras and each camera's live status"),
    "mfa_reauthenticate": (13, "allauth checks each authenticator type twice (its own code)"),
    "console-incident": (12, "the incident and the cameras around it"),
    "console-live-track": (15, "the live view, its track, the stated purpose and the policy + audited read"),
    "console-live-tracks": (15, "the camera, its live views, the stated purpose and the policy + audited read"),
    "audit-board-search-refused": (12, "the refusal is itself an audited read"),
    "audit-board-anomalies": (14, "the queue and its rules + audited read"),
    "account_reauthenticate": (12, "allauth checks each authenticator type twice (its own code)"),
}


def _counted() -> list[Page]:
    return [p for p in PAGES if p.id not in NOT_COUNTED and (p.path or p.id in REACH)]


def _measure(page: Page, world: World) -> tuple[Any, CaptureQueriesContext]:
    client = _client(world, page.who, page.host)

    def load() -> Any:
        if page.path:
            return client.get(page.path.format(**world.ids))
        return REACH[page.id](client, world)

    load()
    with CaptureQueriesContext(connection) as queries:
        response = load()
    if os.environ.get("PAGE_QUERIES_DUMP"):  # every page's queries, to find what to fix
        with open(os.environ["PAGE_QUERIES_DUMP"], "a") as out:
            out.write(f"=== {page.id} {response.status_code} {len(queries)}\n")
            out.write("".join(f"    {q['sql'][:400]}\n" for q in queries.captured_queries))
    return response, queries


@pytest.mark.parametrize("page", _counted(), ids=lambda p: p.id)
def test_page_within_the_query_budget(world: World, page: Page) -> None:
    response, queries = _measure(page, world)

    budget = OVER_BUDGET.get(page.id, (MAX_QUERIES, ""))[0]

    # A form sent back with its errors answers 400 here (the browser test only looks at it).
    assert response.status_code in (page.status, 400 if page.via else page.status), response.status_code
    assert len(queries) <= budget, "\n".join(
        [f"{page.id}: {len(queries)} queries"] + [q["sql"][:300] for q in queries.captured_queries]
    )


def test_every_page_is_counted() -> None:
    uncounted = {p.id for p in PAGES} - {p.id for p in _counted()} - set(NOT_COUNTED)

    assert not uncounted, (
        f"Pages without a query count: {sorted(uncounted)}. Give each a path in PAGES, a way to reach it "
        f"in REACH of {__file__}, or a reason in NOT_COUNTED."
    )


def test_over_budget_names_only_counted_pages() -> None:
    assert set(OVER_BUDGET) - {p.id for p in _counted()} == set()


# --- List pages: their count does not grow with their rows ----------------------------------


def _user(world: World, who: str) -> Any:
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import User

    return User.objects.get(pk=SessionStore(world.sessions[who])["_auth_user_id"])


def _more_cameras(world: World) -> None:
    from cameras import services as camera_services
    from cameras.models import Site
    from tenants.selectors import policy_of

    site = Site.objects.get(public_id=world.ids["site"])
    policy = policy_of(department=Department.objects.get(schema_name="rialto"))
    for n in range(5):
        camera = camera_services.camera_register(owner=site.owner, site=site, label=f"More {n}", bearing_deg=n * 60)
        camera_services.consent_set(owner=site.owner, camera=camera, policy=policy, level="live")


def _more_incidents(world: World) -> None:
    from tests.e2e.test_accessibility import LAT, LON
    from tests.factories import console_incident_make

    for n in range(5):
        console_incident_make(incident_type=f"Alarm {n}", case_number=f"RPD-26-10{n}", lon=LON, lat=LAT)


def _more_staff(world: World) -> None:
    from accounts.models import Role
    from tests.factories import UserFactory

    for n in range(5):
        UserFactory(role=[Role.OFFICER, Role.SUPERVISOR, Role.OVERSIGHT][n % 3], email=f"more-staff-{n}@example.org")


def _more_integrations(world: World) -> None:
    from cameras import access
    from incidents import services as incident_services

    actor = access.Actor(user=_user(world, "admin"), mfa=True)
    for n in range(5):
        incident_services.integration_create(actor=actor, kind="cad", name=f"More CAD {n}", shape="eido")


def _more_department_cameras(world: World) -> None:
    from cameras import department as department_cameras

    admin = _user(world, "admin")
    department = Department.objects.get(schema_name="rialto")
    for n in range(5):
        department_cameras.department_camera_register(
            actor=admin,
            department=department,
            spec=department_cameras.CameraSpec(
                label=f"More civic {n}",
                lat=34.1005 + n / 1000,
                lon=-117.3705,
                bearing_deg=90,
                fov_angle_deg=90,
                range_m=50,
            ),
        )


def _more_ordinances(world: World) -> None:
    from compliance.services import ordinance_version_add
    from tenants.selectors import policy_current

    for n in range(5):
        ordinance_version_add(
            actor=None, policy=policy_current(), name=f"More ordinance {n}", effective_on=dt.date(2024, 1, 1)
        )


def _more_notifications(world: World) -> None:
    from notifications.services import notification_send

    for who in ("officer", "supervisor"):
        user = _user(world, who)
        for n in range(5):
            notification_send(recipient=user, kind="clip_arrived", subject=f"Footage {n}", body="More.")


#: (page id in PAGES, what adds five more of its rows)
LISTS: list[tuple[str, Callable[[World], None]]] = [
    ("portal-my-cameras", _more_cameras),
    ("portal-home-owner", _more_cameras),
    ("portal-obligations", _more_cameras),
    ("portal-bridges", _more_cameras),
    ("console-incidents", _more_incidents),
    ("console-map", _more_incidents),
    ("staff-list", _more_staff),
    ("console-integrations", _more_integrations),
    ("console-ordinances", _more_ordinances),
    ("console-department-cameras", _more_department_cameras),
    ("notification-list", _more_notifications),
    ("notification-list-supervisor", _more_notifications),
]


@pytest.mark.parametrize(("page_id", "more"), LISTS, ids=[page_id for page_id, _ in LISTS])
def test_list_page_queries_do_not_grow_with_rows(world: World, page_id: str, more: Callable[[World], None]) -> None:
    page = next(p for p in PAGES if p.id == page_id)
    _response, before = _measure(page, world)

    with tenant_context(Department.objects.get(schema_name="rialto")):
        more(world)
    connection.set_schema_to_public()
    response, after = _measure(page, world)

    assert response.status_code == page.status
    assert len(after) == len(before), "\n".join(
        [f"{page_id}: {len(before)} queries, then {len(after)} with five more rows"]
        + [q["sql"][:300] for q in after.captured_queries]
    )
