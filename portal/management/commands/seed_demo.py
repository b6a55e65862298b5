"""Demo data for `make run`: idempotent, so running it again creates nothing twice."""

import base64
import datetime as dt
import hashlib
import json
import zlib
from pathlib import Path
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import STAFF_ROLES, Role, User
from accounts.onboarding import department_create
from cameras import access
from cameras.demo import demo_registry_seed
from cameras.models import Camera
from compliance.selectors import ordinance_exists
from compliance.services import ordinance_version_add
from incidents.models import Integration, IntegrationKind, PayloadShape
from incidents.services import IncidentFacts, incident_upsert, integration_create
from places.areas import areas_import
from places.demo import addresses_write_csv, demo_beats_geojson, demo_grid
from places.selectors import streets_known
from places.services import address_file_import
from tenants.demo import DEMO_DEPARTMENTS, DEMO_PASSWORD, DEMO_ROLES, OPERATOR_EMAIL, demo_boundary, demo_email
from tenants.models import Department
from tenants.selectors import department_base_url, policy_of
from tenants.services import policy_update, public_tenant_ensure

#: The demo departments' CAD integration (its incidents show on the console's map).
DEMO_INTEGRATION_NAME = "County CAD (demo)"

#: Rialto's demo ordinance; the demo once had it as the policy's flag, under the same name.
DEMO_ORDINANCE_NAME = "Commercial Camera Registration Ordinance (demo)"


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
                self._incidents(department, spec["boundary"])
        self._print(department_base_url(public) + "/", logins)

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
        cameras and allow live view, which needs a connected bridge. Once; a demo seeded before
        it had the policy's flag instead, which is turned off so the two do not both judge."""
        if not enabled:
            return
        policy = policy_of(department=department)
        if policy.ordinance_enabled and policy.ordinance_name == DEMO_ORDINANCE_NAME:
            policy = policy_update(department=department, actor=None, ordinance_enabled=False)
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
