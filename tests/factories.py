"""Factories for test data. Users go through the manager; staff get real TOTP devices."""

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

import factory
import pyotp
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.gis.geos import Point
from django.utils import timezone

from accounts.models import STAFF_ROLES, Role, User
from cameras.models import Camera, Site
from cameras.services import camera_register, site_create
from incidents.models import Integration, IntegrationKind
from incidents.services import IncidentFacts, incident_upsert
from tenants.models import Department

PASSWORD = "correct horse battery"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    if TYPE_CHECKING:
        # What calling the factory returns (factory_boy's metaclass makes UserFactory(...) a
        # created User, which its untyped __call__ does not tell the type checker).
        def __new__(cls, *args: Any, **kwargs: Any) -> User: ...  # type: ignore[misc]  # not a UserFactory: the model

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name")
    role = Role.RESIDENT
    badge_number = factory.LazyAttribute(lambda o: "4711" if o.role in STAFF_ROLES else "")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):  # type: ignore[no-untyped-def]
        password = kwargs.pop("password", PASSWORD)
        user = model_class._default_manager.create_user(*args, password=password, **kwargs)
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        return user


def totp_enable(user: User) -> str:
    """Give a user a TOTP authenticator; returns its secret."""
    secret = pyotp.random_base32()
    TOTP.activate(user, secret)
    return secret


def totp_code(secret: str) -> str:
    return pyotp.TOTP(secret).now()


def has_totp(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


# --- Registry data, made through the cameras services (never Model.objects.create) ---

# Inside Rialto's demo boundary (tenants/demo.py).
RIALTO_LON, RIALTO_LAT = -117.38, 34.10


def site_make(owner: User, department: Department, **fields: Any) -> Site:
    """A site of ``owner`` in ``department``, by default at a point inside Rialto."""
    fields = {"lon": RIALTO_LON, "lat": RIALTO_LAT, "address": "150 S Palm Ave", **fields}
    return site_create(owner=owner, department=department, **fields)


def camera_make(owner: User, department: Department, site: Site | None = None, **fields: Any) -> Camera:
    """A camera of ``owner`` (on a new site unless one is given), consent ``registered``."""
    site = site or site_make(owner, department)
    return camera_register(owner=owner, site=site, **{"label": "Front door", **fields})


def bridge_heartbeat(*, schema: str, bridge_public_id: Any, seconds: float = 3600) -> None:
    """Make a bridge count as connected for ``seconds``: the heartbeat a real connection
    leaves in live.presence (Redis), so another process (a test server) sees it too."""
    from asgiref.sync import async_to_sync
    from django.test import override_settings

    from live import presence

    with override_settings(PORCHLIGHT_LIVE_BRIDGE_ALIVE_SECONDS=seconds):
        async_to_sync(presence.bridge_connection_renew)(schema=schema, bridge=str(bridge_public_id), connection="tests")


def bridge_online_make(owner: User, site: Site, cameras: list[Camera], *, schema: str = "rialto") -> Any:
    """A bridge serving ``cameras`` that counts as connected for the next hour (see
    bridge_heartbeat). Returns live.services.IssuedBridge."""
    from live.services import bridge_create

    issued = bridge_create(owner=owner, site=site, name="NVR", cameras=cameras)
    bridge_heartbeat(schema=schema, bridge_public_id=issued.bridge.public_id)
    return issued


# --- Ordinances (compliance/), made through its services ---

RIALTO_CONDITIONS: dict[str, Any] = {
    "name": "Rialto conditions of approval",
    "citation": "Res. 2020-1",
    "text_url": "https://example.org/rialto-conditions",
    "effective_on": dt.date(2020, 1, 1),
    "property_kinds": ["business"],
    "built_after": dt.date(2020, 1, 1),
    "min_consent": "live",
    "live_connection_required": True,
}
DEKALB_AFFIDAVIT: dict[str, Any] = {
    "name": "DeKalb video surveillance",
    "effective_on": dt.date(2023, 6, 30),
    "business_categories": ["gas_station"],
    "retention_days": 60,
    "signage": True,
    "night_vision": True,
    "attestation_month": 5,
    "attestation_day": 1,
}


def ordinance_make(policy: Any, spec: dict[str, Any], **changes: Any) -> Any:
    """An ordinance with one version from ``spec`` (RIALTO_CONDITIONS, DEKALB_AFFIDAVIT) with
    ``changes``. Returns compliance.models.OrdinanceVersion."""
    from compliance.services import ordinance_version_add

    return ordinance_version_add(actor=None, policy=policy, **{**spec, **changes})


# --- Mobile sources (issue 17): the department's own cameras that move ---


def mobile_source_make(department: Department, *, level: str = "live", **site_fields: Any) -> Any:
    """A mobile camera (body-worn, drone, vehicle) of the department's own, with a bridge that
    relays it, made with the registry's services. Its site is marked the department's own
    here, and the camera mobile, by a targeted update: how the department's owner account and
    its cameras are made is the department-camera work's (fix/deptcams), and nothing here
    depends on it. Consent is set through the service at ``level``; ``site_fields`` go to
    site_make (lon, lat for another department). Returns
    (camera, live.services.IssuedBridge)."""
    from cameras.services import consent_set
    from live.services import bridge_create
    from tenants.models import DepartmentPolicy

    owner = UserFactory(role=Role.BUSINESS)
    site = site_make(owner, department, **{"kind": "business", **site_fields})
    Site.objects.filter(pk=site.pk).update(department_owned=True)
    camera = camera_register(owner=owner, site=site, label="Body camera 12", fov_angle_deg=90, range_m=30)
    Camera.objects.filter(pk=camera.pk).update(mobile=True)
    policy = DepartmentPolicy.objects.get(department=department)
    consent_set(owner=owner, camera=camera, policy=policy, level=level)
    issued = bridge_create(owner=owner, site=site, name="Patrol unit 12", cameras=[camera])
    return Camera.objects.select_related("site").get(pk=camera.pk), issued


# --- Incidents (the console's tests make them through the service, as intake does) ---------


def console_integration_make(**fields: Any) -> Any:
    """An integration of the current department, made directly (no secret: these tests post
    no webhooks)."""
    values: dict[str, Any] = {"kind": IntegrationKind.CAD, "name": "County CAD"}
    values.update(fields)
    return Integration.objects.create(**values)


def console_incident_make(
    integration: Any = None, *, external_id: str = "", lon: float = -117.38, lat: float = 34.10, **facts: Any
) -> Any:
    """An incident of the current department through incident_upsert (which tells the consoles
    after the commit)."""
    facts.setdefault("occurred_at", timezone.now() - dt.timedelta(minutes=3))
    incident, _created = incident_upsert(
        integration=integration or console_integration_make(),
        facts=IncidentFacts(
            external_id=external_id or f"CAD-{uuid.uuid4().hex[:10]}", location=Point(lon, lat, srid=4326), **facts
        ),
    )
    return incident
