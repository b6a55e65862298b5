"""Demo data for `make run`: idempotent, so running it again creates nothing twice."""

import base64
import contextlib
import datetime as dt
import hashlib
import json
import random
import zlib
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.gis.geos import Point, Polygon
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import STAFF_ROLES, Role, User
from accounts.onboarding import department_create
from audit.checkpoints import checkpoint_make
from audit.demo_history import DemoClock, demo_clock
from audit.models import AccessEvent, Action
from cameras import access, search_sql
from cameras.access.live import live_end_record
from cameras.access.purposes import PurposeRefused, purpose_declare
from cameras.access.search import camera_search
from cameras.anomalies import anomalies_catch_up
from cameras.area_rollups import area_rollups_catch_up
from cameras.demo import demo_categories_backfill, demo_registry_seed
from cameras.models import Camera, Site
from compliance.selectors import ordinance_exists
from compliance.services import ordinance_version_add
from footage.models import Answer, CameraAnswer
from footage.services.answers import answer_set
from footage.services.requests import footage_request_send
from incidents.models import Integration, IntegrationKind, PayloadShape
from incidents.services import IncidentFacts, incident_upsert, integration_create
from places.areas import areas_import
from places.demo import addresses_write_csv, demo_beats_geojson, demo_grid
from places.selectors import streets_known
from places.services import address_file_import
from tenants.demo import DEMO_DEPARTMENTS, DEMO_PASSWORD, DEMO_ROLES, OPERATOR_EMAIL, demo_boundary, demo_email
from tenants.models import Department
from tenants.selectors import department_base_url, policy_of
from tenants.services import public_tenant_ensure

#: The demo departments' CAD integration (its incidents show on the console's map).
DEMO_INTEGRATION_NAME = "County CAD (demo)"

#: The user agent of the demo's police accesses (seed_demo writes them once per department).
DEMO_USER_AGENT = "seed_demo"

#: Rialto's demo ordinance; the demo once had it as the policy's flag, under the same name.
DEMO_ORDINANCE_NAME = "Commercial Camera Registration Ordinance (demo)"

#: How many finished months of police accesses the demo's log starts with (the public page
#: publishes finished months only; the board's dashboard and annual report read them too).
DEMO_HISTORY_MONTHS = 6

#: The purposes officers state in the demo's history (category, words), drawn at random.
DEMO_PURPOSES = [
    ("property_crime", "Burglary of a home while the family was away: cameras on the street"),
    ("property_crime", "Package thefts from porches along the block over several afternoons"),
    ("property_crime", "Car break-ins in an apartment complex's parking lot overnight"),
    ("violent_crime", "Street robbery near the bus stop, the suspect fled on a bicycle"),
    ("violent_crime", "Assault in a parking lot after a dispute, a dark hatchback seen leaving"),
    ("traffic_collision", "Hit-and-run with a pedestrian injured at a crosswalk"),
    ("traffic_collision", "Collision at a four-way stop, drivers disagree who had the right of way"),
    ("missing_person", "Elderly resident with dementia walked away from home this morning"),
    ("other_investigation", "Graffiti on a community center's wall, repeated over weekends"),
]


def demo_totp_secret(email: str) -> str:
    """A stable TOTP secret per demo user, so the printed secrets survive re-seeding."""
    return base64.b32encode(hashlib.sha256(f"porchlight-demo:{email}".encode()).digest()[:20]).decode()


class Command(BaseCommand):
    help = "Create the demo departments and one user per role in each (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        public = public_tenant_ensure()
        self._operator()
        logins: list[tuple[str, str, str, str]] = []
        for spec in DEMO_DEPARTMENTS:
            department = Department.objects.filter(schema_name=spec["schema"]).first()
            if department is None:
                self.stdout.write(f"Creating {spec['name']} …")
                department = department_create(
                    name=spec["name"],
                    schema_name=spec["schema"],
                    domain=spec["domain"],
                    admin_email=demo_email("dept_admin", spec["schema"]),
                    boundary=demo_boundary(spec["boundary"]),
                ).department
            with tenant_context(department):
                for role in DEMO_ROLES:
                    email = demo_email(role, spec["schema"])
                    secret = self._user(email=email, role=role, department=department)
                    logins.append((department_base_url(department) + "/", email, role, secret))
                self._ordinance(department, enabled=spec["schema"] == "rialto")
                # Addresses first: each demo site takes the address point nearest it.
                self._addresses(department, spec["boundary"])
                self._beats(department, spec["boundary"])
                self._registry(department, cameras=spec["cameras"])
                # The log's history first, so that its events' times follow their numbers in a new
                # department (the CAD integration's creation is an event of today).
                self._access_log(department, spec["boundary"], searches=spec["cameras"] // 3)
                self._incidents(department, spec["boundary"])
        self._print(department_base_url(public) + "/", logins)

    def _access_log(self, department: Department, boundary: list[tuple[float, float]], *, searches: int) -> None:
        """A few hundred police accesses through the real gate (cameras.access) and footage
        service, so the board's dashboard, anomaly queue, annual report and the public page have
        something to show and the hash chain holds: purposes, searches with them, camera
        details, live views and their ends, footage requests, refusals (a prohibited purpose,
        cameras whose consent allows no live view, accesses before a purpose was stated), and
        two anomaly triggers (a vague purpose; refusals then a success on one camera). Then
        the anomaly rules, the area rollup and a signed checkpoint run once, as beat would.
        Once: a department whose log has the demo's accesses (their user agent is the
        command's name) is left alone. Before today's, the months before this one
        (``_history``), so that the public page, which publishes finished months, the board's
        dashboard and the annual report have figures."""
        if AccessEvent.objects.filter(user_agent=DEMO_USER_AGENT).exists():
            return
        staff = [User.objects.get(email=demo_email(role, department.schema_name)) for role in ("officer", "supervisor")]
        actors = [access.Actor(user=user, mfa=True, ip="127.0.0.1", user_agent=DEMO_USER_AGENT) for user in staff]
        rng = random.Random(zlib.crc32(department.schema_name.encode()))  # noqa: S311 (demo data, no secret)
        area = Polygon(boundary, srid=4326)
        lons, lats = [p[0] for p in boundary], [p[1] for p in boundary]
        prefix = department.schema_name[:3].upper()
        # Officers search where things happen: near registered cameras, mostly.
        places = [site.location for site in Site.objects.order_by("pk")[:400]]
        history = self._history(
            actors=actors,
            rng=rng,
            zone=ZoneInfo(department.time_zone or "UTC"),
            searches_a_month=searches,
            prefix=prefix,
            spot=(area, lons, lats, places),
        )
        stated = [
            ("property_crime", "Burglary at a pharmacy overnight: cameras facing its parking lot"),
            ("property_crime", "Catalytic converters stolen from three cars parked along the avenue"),
            ("violent_crime", "Armed robbery of a convenience store, the suspect left on foot northbound"),
            ("traffic_collision", "Hit-and-run at the intersection, a white pickup truck seen leaving"),
            ("other_investigation", "Vandalism of a school's fence and windows over the weekend"),
            ("violent_crime", "Assault outside a bar at closing time, two suspects in a grey sedan"),
            ("other_investigation", "follow up"),  # vague: the anomaly queue flags it
        ]
        with transaction.atomic():
            purposes = [
                purpose_declare(
                    actor=actors[n % 2], case_number=f"{prefix}-26-{1040 + n:04d}", category=category, text=text
                )
                for n, (category, text) in enumerate(stated)
            ]
            with contextlib.suppress(PurposeRefused):  # refused by the department's list, and logged
                purpose_declare(
                    actor=actors[0], case_number=f"{prefix}-26-0999", category="immigration_status", text="Status check"
                )
            made = 0
            for n in range(searches):
                which = rng.randrange(len(purposes))
                actor, purpose = actors[which % 2], purposes[which]  # each officer uses their own purposes
                point = self._search_centre(rng, area, lons, lats, places)
                result = camera_search(
                    actor=actor,
                    purpose=purpose,
                    area=search_sql.Area(center=point, radius_m=rng.choice([150, 250, 400, 800])),
                    mode="pin",
                    limit=50,
                )
                made += 1
                hits = result.hits
                if hits and rng.random() < 0.5:
                    access.camera_lookup(actor=actor, purpose=purpose, public_id=hits[0].camera.public_id)
                    made += 1
                if hits and n % 9 == 0:
                    # Mostly cameras whose owners allow it; now and then one that does not (refused).
                    live = [h for h in hits if h.can_live_view] if n % 27 else [h for h in hits if not h.can_live_view]
                    if live:
                        made += self._live_view(actor, purpose, live[0].camera.public_id, rng)
                if n % 15 == 7:
                    asked = [h.camera.public_id for h in hits if h.can_request_footage][:5]
                    if asked:
                        now = timezone.now()
                        footage_request_send(
                            actor=actor,
                            purpose=purpose,
                            camera_ids=asked,
                            window_start=now - dt.timedelta(hours=rng.choice([3, 6, 10])),
                            window_end=now - dt.timedelta(hours=1),
                            message="Please send any footage of this time window: it may show what happened.",
                        )
                        made += len(asked)
            # Refused three times (no purpose stated yet), then allowed: the queue flags it.
            camera = Camera.objects.order_by("pk").first()
            if camera is not None:
                for _n in range(3):
                    access.camera_lookup(actor=actors[0], purpose=None, public_id=camera.public_id)
                access.camera_lookup(actor=actors[0], purpose=purposes[0], public_id=camera.public_id)
                made += 4
        anomalies_catch_up()
        area_rollups_catch_up()
        checkpoint_make()
        self.stdout.write(
            f"  {department.name}: about {made + len(stated) + 1} demo police accesses logged today, "
            f"{history} over the {DEMO_HISTORY_MONTHS} months before this one."
        )

    def _history(
        self,
        *,
        actors: list[access.Actor],
        rng: random.Random,
        zone: ZoneInfo,
        searches_a_month: int,
        prefix: str,
        spot: tuple[Polygon, list[float], list[float], list[Point]],
    ) -> int:
        """The DEMO_HISTORY_MONTHS finished months before this one, day by day, as they would
        have been logged then (audit.demo_history.demo_clock: the gate writes every event, the
        chain, the rollups and the weekly checkpoints are made as always, at the demo's time).
        Each working day some cases: a purpose stated, searches with it, now and then a camera
        opened, a live view, a footage request its owners answer that evening; once a week a
        prohibited purpose refused, and a look-up without a purpose refused. Mostly in working
        hours, a few at night (the anomaly queue's off-hours rule). Returns the events written."""
        first_day = timezone.localdate(timezone=zone).replace(day=1)
        for _n in range(DEMO_HISTORY_MONTHS):
            first_day = (first_day - dt.timedelta(days=1)).replace(day=1)
        until = timezone.localdate(timezone=zone).replace(day=1)
        before = AccessEvent.objects.count()
        cases_a_day = max(1.0, searches_a_month / 2 / 21)  # about two searches a case, 21 working days
        number = 0
        with transaction.atomic(), demo_clock(dt.datetime.combine(first_day, dt.time(0, 0), zone)) as clock:
            day = first_day
            week = day.isocalendar()[1]
            while day < until:
                if day.isocalendar()[1] != week:  # a checkpoint a week, as the beat signs them
                    week = day.isocalendar()[1]
                    checkpoint_make()
                busy = day.weekday() < 5 or rng.random() < 0.3
                cases = round(rng.uniform(0.5, 1.5) * cases_a_day) if busy else 0
                asked: list[Any] = []
                for hour in sorted(self._case_hour(rng) for _c in range(cases)):
                    at = dt.datetime.combine(day, dt.time(0, 0), zone) + dt.timedelta(hours=hour)
                    clock.set(max(at, clock.now() + dt.timedelta(seconds=1)))
                    number += 1
                    asked += self._case(
                        actors[number % 2], rng, clock, case_number=f"{prefix}-{day:%y}-{number:04d}", spot=spot
                    )
                if day.day % 7 == 5:  # once a week: refusals the board and the public count
                    clock.set(max(dt.datetime.combine(day, dt.time(16, 10), zone), clock.now()))
                    with contextlib.suppress(PurposeRefused):
                        purpose_declare(
                            actor=actors[0],
                            case_number=f"{prefix}-{day:%y}-9{day:%m%d}",
                            category="immigration_status",
                            text="Status check",
                        )
                    camera = Camera.objects.order_by("pk").first()
                    if camera is not None:
                        access.camera_lookup(actor=actors[1], purpose=None, public_id=camera.public_id)
                if asked:  # the owners answer in the evening
                    clock.set(max(dt.datetime.combine(day, dt.time(20, 30), zone), clock.now()))
                    self._answers(rng, asked)
                day += dt.timedelta(days=1)
            clock.set(max(dt.datetime.combine(until, dt.time(0, 0), zone) - dt.timedelta(minutes=1), clock.now()))
            checkpoint_make()
        return AccessEvent.objects.count() - before

    @staticmethod
    def _case_hour(rng: random.Random) -> float:
        """When a case is worked, in hours after midnight: the working day mostly, one in twelve
        at night."""
        if rng.random() < 1 / 12:
            return rng.choice([rng.uniform(0, 6), rng.uniform(20, 24)])
        return rng.triangular(7, 19, 13)

    def _case(
        self,
        actor: access.Actor,
        rng: random.Random,
        clock: DemoClock,
        *,
        case_number: str,
        spot: tuple[Polygon, list[float], list[float], list[Point]],
    ) -> list[Any]:
        """One case of the history: the purpose stated, one to three searches minutes apart, and
        what follows them; returns the footage requests sent (their owners answer later)."""
        category, text = DEMO_PURPOSES[rng.randrange(len(DEMO_PURPOSES))]
        purpose = purpose_declare(actor=actor, case_number=case_number, category=category, text=text)
        sent = []
        for _s in range(rng.choice([1, 1, 2, 2, 3])):
            clock.advance(dt.timedelta(minutes=rng.randrange(2, 25)))
            result = camera_search(
                actor=actor,
                purpose=purpose,
                area=search_sql.Area(center=self._search_centre(rng, *spot), radius_m=rng.choice([150, 250, 400, 800])),
                mode="pin",
                limit=50,
            )
            hits = result.hits
            if hits and rng.random() < 0.5:
                clock.advance(dt.timedelta(minutes=rng.randrange(1, 6)))
                access.camera_lookup(actor=actor, purpose=purpose, public_id=hits[0].camera.public_id)
            # Mostly cameras whose owners allow it; now and then one that does not (refused).
            allowed = rng.random() < 0.85
            live = [h for h in hits if h.can_live_view == allowed]
            if live and rng.random() < 0.25:
                clock.advance(dt.timedelta(minutes=rng.randrange(1, 4)))
                self._live_view(actor, purpose, live[0].camera.public_id, rng)
            askable = [h.camera.public_id for h in hits if h.can_request_footage][:5]
            if askable and rng.random() < 0.2:
                clock.advance(dt.timedelta(minutes=rng.randrange(3, 15)))
                now = clock.now()
                request = footage_request_send(
                    actor=actor,
                    purpose=purpose,
                    camera_ids=askable,
                    window_start=now - dt.timedelta(hours=rng.choice([3, 6, 10])),
                    window_end=now - dt.timedelta(hours=1),
                    message="Please send any footage of this time window: it may show what happened.",
                ).request
                if request is not None:
                    sent.append(request)
        return sent

    @staticmethod
    def _answers(rng: random.Random, requests: list[Any]) -> None:
        """The owners asked that day answer some cameras: nothing relevant, or declined; the rest
        stay unanswered (the demo uploads no footage)."""
        pending = CameraAnswer.objects.filter(owner_request__request__in=requests, answer=Answer.PENDING)
        for row in pending.select_related("owner_request__owner"):
            owner = row.owner_request.owner
            draw = rng.random()
            if owner is None or draw >= 0.65:
                continue
            answer_set(owner=owner, answer_id=row.pk, answer=Answer.NO_FOOTAGE if draw < 0.45 else Answer.DECLINED)

    @staticmethod
    def _search_centre(
        rng: random.Random, area: Polygon, lons: list[float], lats: list[float], places: list[Point]
    ) -> Point:
        """A point some 100 m from a registered site (four searches in five), else anywhere in
        the department."""
        if places and rng.random() < 0.8:
            place = places[rng.randrange(len(places))]
            return Point(place.x + rng.uniform(-0.001, 0.001), place.y + rng.uniform(-0.001, 0.001), srid=4326)
        while True:
            point = Point(rng.uniform(min(lons), max(lons)), rng.uniform(min(lats), max(lats)), srid=4326)
            if area.contains(point):
                return point

    @staticmethod
    def _live_view(actor: access.Actor, purpose: Any, public_id: Any, rng: random.Random) -> int:
        """A live view as the console opens it (the gate's live_start) and ends it: 2 events,
        or 1 when the gate refuses it."""
        decision, camera = access.camera_lookup(
            actor=actor, purpose=purpose, public_id=public_id, action=Action.LIVE_START
        )
        if camera is None:
            return 1
        live_end_record(
            actor=actor,
            purpose=purpose,
            camera=camera,
            camera_ref=f"camera:{camera.public_id}",
            reason="viewer_left",
            seconds=rng.randrange(40, 900),
            bytes_sent=rng.randrange(2_000_000, 60_000_000),
            start_event_seq=decision.event_seq,
        )
        return 2

    def _incidents(self, department: Department, boundary: list[tuple[float, float]]) -> None:
        """A demo CAD integration and three open incidents near the middle of the department, so
        the console's map and incident list show something; again: the same incidents, updated
        to the current time (the sender's ids decide), and no second integration."""
        admin = User.objects.filter(role=Role.DEPT_ADMIN, is_active=True).order_by("pk").first()
        if admin is None:
            return
        integration = Integration.objects.filter(name=DEMO_INTEGRATION_NAME).first()
        if integration is None:
            actor = access.Actor(user=admin, mfa=True)
            integration, secret = integration_create(
                actor=actor, kind=IntegrationKind.CAD, name=DEMO_INTEGRATION_NAME, shape=PayloadShape.EIDO
            )
            url = f"{department_base_url(department)}/api/v1/integrations/{integration.public_id}/events/"
            self.stdout.write(f"  {department.name}: demo CAD integration {url}")
            self.stdout.write(f"    its secret (shown once; docs/webhooks.md signs with it): {secret}")
        lons = [p[0] for p in boundary]
        lats = [p[1] for p in boundary]
        centre_lon, centre_lat = (min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2
        now = timezone.now()
        demo = [
            ("DEMO-1", "Burglary alarm", "2", 0.0, 0.0),
            ("DEMO-2", "Shots fired", "1", 0.004, -0.003),
            ("DEMO-3", "Vehicle collision", "3", -0.005, 0.002),
        ]
        for external_id, kind, priority, d_lon, d_lat in demo:
            incident_upsert(
                integration=integration,
                facts=IncidentFacts(
                    external_id=external_id,
                    occurred_at=now - dt.timedelta(minutes=5),
                    location=Point(centre_lon + d_lon, centre_lat + d_lat, srid=4326),
                    incident_type=kind,
                    priority=priority,
                    case_number=f"{department.schema_name.upper()}-{external_id}",
                ),
            )

    def _beats(self, department: Department, boundary: list[tuple[float, float]]) -> None:
        """A few police beats (the boundary cut in four), loaded as a department's own GeoJSON
        would be (police_areas_import); importing again changes nothing."""
        path = Path(settings.BASE_DIR) / ".local" / "demo-areas" / f"{department.schema_name}.geojson"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(demo_beats_geojson(boundary)))
        report = areas_import(path=path, which="police", default_kind="beat")
        if report.created:
            self.stdout.write(f"  {department.name}: {len(report.created)} demo police beats loaded.")

    def _registry(self, department: Department, *, cameras: int) -> None:
        """Sites and cameras of demo owners, once (a department with cameras is left alone)."""
        if Camera.objects.exists():
            # A demo seeded before its businesses had categories gets them (idempotent).
            if backfilled := demo_categories_backfill(department=department):
                self.stdout.write(f"  {department.name}: {backfilled} demo businesses given their category.")
            return
        owners = [User.objects.get(email=demo_email("resident", department.schema_name))]
        owners.append(User.objects.get(email=demo_email("business", department.schema_name)))
        for number in range(1, 41):
            role = Role.BUSINESS if number % 5 == 0 else Role.RESIDENT
            email = f"owner{number:02d}@{department.schema_name}.example.org"
            self._user(email=email, role=role, department=department)
            owners.append(User.objects.get(email=email))
        made = demo_registry_seed(
            department=department,
            owners=owners,
            cameras_wanted=cameras,
            seed=zlib.crc32(department.schema_name.encode()),
        )
        self.stdout.write(f"  {department.name}: {made} demo cameras registered.")

    def _addresses(self, department: Department, boundary: list[tuple[float, float]]) -> None:
        """The demo's address points, once: generated (deterministically) into .local/ and
        loaded with the same importer a department uses for its OpenAddresses file. Loaded
        when any of the demo's avenues is missing (not merely when the index is empty: a few
        addresses typed in by hand or by a test do not make the demo's)."""
        grid = demo_grid(department.schema_name, boundary)
        if streets_known(names=list(grid.north_south)) == len(grid.north_south):
            return
        path = Path(settings.BASE_DIR) / ".local" / "demo-addresses" / f"{department.schema_name}.csv.gz"
        addresses_write_csv(grid, path)
        report = address_file_import(path=path)
        self.stdout.write(f"  {department.name}: {report.created} demo address points loaded ({path.name}).")

    def _ordinance(self, department: Department, *, enabled: bool) -> None:
        """Rialto's demo ordinance (compliance/): new or remodelled commercial properties register
        cameras and allow live view, which needs a connected bridge. Once (a demo seeded when it
        was the policy's flag has it as an ordinance already: compliance.policy_ordinance)."""
        if not enabled:
            return
        policy = policy_of(department=department)
        if ordinance_exists(name=DEMO_ORDINANCE_NAME):
            return
        ordinance_version_add(
            actor=None,
            policy=policy,
            name=DEMO_ORDINANCE_NAME,
            citation="Conditions of approval, new and remodelled commercial development (demo)",
            effective_on=dt.date(2024, 1, 1),
            property_kinds=["business"],
            built_after=dt.date(2024, 1, 1),
            min_consent="live",
            live_connection_required=True,
        )

    def _operator(self) -> None:
        if not User.objects.filter(email=OPERATOR_EMAIL).exists():
            User.objects.create_superuser(OPERATOR_EMAIL, DEMO_PASSWORD, full_name="Platform Operator")

    @transaction.atomic
    def _user(self, *, email: str, role: str, department: Department) -> str:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User(email=email, role=role, full_name=f"Demo {role.replace('_', ' ').title()}")
            if role in STAFF_ROLES:
                user.badge_number = str(1000 + DEMO_ROLES.index(role))
        if user.pk is None or not user.has_usable_password():
            user.set_password(DEMO_PASSWORD)
            user.save()
        EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        if role not in STAFF_ROLES:
            return ""
        secret = demo_totp_secret(email)
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, secret)
            RecoveryCodes.activate(user)
        return secret

    def _print(self, public_url: str, logins: list[tuple[str, str, str, str]]) -> None:
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Porchlight demo is ready."))
        # The port is PORCHLIGHT_PORT, which `make run` sets to the PORT it serves on.
        self.stdout.write(f"  Public site:      {public_url}  (admin: /admin/, {OPERATOR_EMAIL})")
        self.stdout.write(f"  Password for every demo login: {DEMO_PASSWORD}")
        self.stdout.write("  Staff sign in with a TOTP code from the secret below (any authenticator app, or")
        self.stdout.write("  `python -c \"import pyotp;print(pyotp.TOTP('SECRET').now())\"`).")
        current = None
        for url, email, role, secret in logins:
            if url != current:
                self.stdout.write(f"\n  {url}")
                current = url
            self.stdout.write(f"    {role:<11} {email:<36} {('TOTP ' + secret) if secret else ''}")
        self.stdout.write("")
