"""Demo registry: realistic sites and cameras for every consent level (used by seed_demo)."""

import datetime as dt
import random
from typing import Any

from django.contrib.gis.geos import MultiPolygon, Point
from django.utils import timezone

from places.selectors import address_nearest
from tenants.models import Department
from tenants.selectors import policy_of

from . import services
from .consent import ConsentLevel
from .models import CameraType, Placement, RecordingMode, Site, SiteKind, ViewTarget

STREETS = [
    "Riverside Ave",
    "Foothill Blvd",
    "Baseline Rd",
    "Merrill Ave",
    "Cedar Ave",
    "Willow Ave",
    "Acacia Ave",
    "Ayala Dr",
    "Etiwanda Ave",
    "Sierra Ave",
    "Valley Blvd",
    "Randall Ave",
]
BUSINESSES = [
    "Corner Market",
    "Auto Repair",
    "Taqueria",
    "Pharmacy",
    "Laundromat",
    "Hardware",
    "Dental Office",
    "Gas Station",
]
# Each demo business's category (cameras.models.BusinessCategory), as a city's licence lists it:
# the compliance dashboard and the public compliance page break the sites down by it, and an
# ordinance covering some categories (gas stations, convenience stores) judges only those.
BUSINESS_CATEGORIES = {
    "Corner Market": "convenience_store",
    "Auto Repair": "other",
    "Taqueria": "restaurant",
    "Pharmacy": "retail",
    "Laundromat": "other",
    "Hardware": "retail",
    "Dental Office": "office",
    "Gas Station": "gas_station",
}
LEVELS = (
    [ConsentLevel.REGISTERED] * 3
    + [ConsentLevel.ON_REQUEST] * 4
    + [ConsentLevel.LIVE_EXIGENT] * 2
    + [ConsentLevel.LIVE] * 2
)
NIGHT = [{"day": d, "start": "22:00", "end": "06:00", "next_day": True} for d in range(7)]


def _random_point(rng: random.Random, boundary: MultiPolygon, centres: list[tuple[float, float]]) -> Point:
    """Clustered around a few neighbourhood centres, always inside the boundary."""
    while True:
        lon0, lat0 = rng.choice(centres)
        point = Point(lon0 + rng.gauss(0, 0.012), lat0 + rng.gauss(0, 0.010), srid=4326)
        if boundary.contains(point):
            return point


def demo_registry_seed(*, department: Department, owners: list[Any], cameras_wanted: int, seed: int) -> int:
    """Create sites (1-3 cameras each) for the given owners until ``cameras_wanted`` exist."""
    rng = random.Random(seed)  # noqa: S311 (demo data, not security)
    assert department.boundary is not None
    policy = policy_of(department=department)
    cx, cy = department.boundary.centroid.coords
    centres = [(cx, cy), (cx - 0.02, cy + 0.02), (cx + 0.015, cy - 0.02), (cx + 0.01, cy + 0.03)]
    made = 0
    number = 100
    while made < cameras_wanted:
        owner = rng.choice(owners)
        business = owner.role == "business"
        point = _random_point(rng, department.boundary, centres)
        number += rng.randint(2, 40)
        address = f"{number} {rng.choice(STREETS)}"
        # The site is the nearest point of the department's address index, where there is one:
        # an officer who types an address from the canvass list then finds it on the map.
        nearest = address_nearest(point=point)
        if nearest is not None:
            address, point = nearest
        fields: dict[str, Any] = {
            "kind": SiteKind.BUSINESS if business else rng.choice([SiteKind.RESIDENTIAL] * 5 + [SiteKind.MULTIFAMILY]),
            "address": address,
        }
        if business:
            fields["business_name"] = rng.choice(BUSINESSES)
            fields["business_category"] = BUSINESS_CATEGORIES[fields["business_name"]]
            fields["constructed_on"] = dt.date(rng.choice([1998, 2012, 2024, 2025]), rng.randint(1, 12), 1)
            fields["permit_number"] = f"BP-{rng.randint(10000, 99999)}"
            fields["property_type"] = "commercial"
            fields["share_contact"] = rng.random() < 0.5
        site = services.site_create(owner=owner, department=department, lon=point.x, lat=point.y, **fields)
        for index in range(rng.randint(1, 3)):
            camera_type = (
                rng.choice(list(CameraType)) if business else rng.choice([CameraType.DOORBELL, CameraType.FIXED])
            )
            camera = services.camera_register(
                owner=owner,
                site=site,
                label=["Front door", "Driveway", "Parking lot", "Side gate", "Back alley"][
                    index + (2 if business else 0)
                ],
                camera_type=camera_type,
                placement=Placement.OUTSIDE,
                bearing_deg=rng.randint(0, 359),
                fov_angle_deg=rng.choice([90, 110, 130, 180]) if camera_type != CameraType.PTZ else 360,
                range_m=rng.choice([10, 15, 20, 30, 50]),
                views=rng.sample([v.value for v in ViewTarget if v != ViewTarget.INTERIOR], 2),
                resolution=rng.choice(["1920x1080", "2560x1440", "1280x720"]),
                frame_rate=rng.choice([15, 20, 30]),
                recording_mode=rng.choice([RecordingMode.MOTION, RecordingMode.CONTINUOUS]),
                retention_days=rng.choice([7, 14, 30, 60]),
                recorder_make=rng.choice(["Ring", "Nest", "Hikvision", "Lorex", "Reolink"]),
            )
            level = rng.choice(LEVELS)
            if business and rng.random() < 0.6:
                level = ConsentLevel.LIVE
            services.consent_set(
                owner=owner,
                camera=camera,
                policy=policy,
                level=level,
                windows=NIGHT if level == ConsentLevel.LIVE and not business and rng.random() < 0.5 else [],
                expires_at=timezone.now() + dt.timedelta(days=365) if rng.random() < 0.2 else None,
                notify_on_access=rng.random() < 0.3,
            )
            made += 1
    return made


def demo_categories_backfill(*, department: Department) -> int:
    """Give the demo's businesses seeded before they had categories theirs (by their demo
    name), through the owner's own service so that history and the stored compliance follow.
    Idempotent: a site with a category is left alone. Returns how many were given one."""
    sites = Site.objects.filter(
        kind=SiteKind.BUSINESS, business_category="", business_name__in=list(BUSINESS_CATEGORIES)
    ).select_related("owner")
    changed = 0
    for site in sites:
        services.site_update(
            owner=site.owner,
            site=site,
            department=department,
            business_category=BUSINESS_CATEGORIES[site.business_name],
        )
        changed += 1
    return changed
