"""The department finder of the public platform page: by name, by a point, and by an address
once an address geocoder is plugged in.

A name matches when every word typed appears in the department's name or slug, ignoring
case and accents ("policia jose" finds "Policía de San José"). A point matches the
departments whose jurisdiction boundary contains it. Only what the public page already
shows leaves this module: name, portal URL and the policy's public figures.

Geocoding addresses is not this layer's business (tenants is the lowest app; the address
index lives in places/, above it). An upper layer registers a geocoder at start-up with
``address_geocoder_set`` (for places: in its ``AppConfig.ready``); until one is registered,
text is searched by name only.
"""

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.gis.geos import Point
from django.db.models import QuerySet

from .models import Department
from .selectors import department_base_url, departments_listed

__all__ = [
    "MAX_RESULTS",
    "AddressGeocoder",
    "FinderHit",
    "FinderResult",
    "address_geocoder_set",
    "address_search_available",
    "departments_find",
]

#: At most this many departments are listed for one search.
MAX_RESULTS = 20

#: Text typed by the public -> the WGS 84 points it may mean (best first; [] when unknown).
#: Runs on the public site, outside every department's schema: it must pick its own schemas.
AddressGeocoder = Callable[[str], list[Point]]

_geocoder: AddressGeocoder | None = None


def address_geocoder_set(geocoder: AddressGeocoder | None) -> None:
    """Plug in (or, with None, remove) the geocoder that turns typed text into points."""
    global _geocoder
    _geocoder = geocoder


def address_search_available() -> bool:
    """Whether typed text is also looked up as an address (a geocoder is registered)."""
    return _geocoder is not None


@dataclass(frozen=True)
class FinderHit:
    department: Department
    url: str
    covers_point: bool  # found because its jurisdiction contains the point asked for


@dataclass(frozen=True)
class FinderResult:
    hits: list[FinderHit] = field(default_factory=list)
    searched_address: bool = False  # a geocoder was asked about the text


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _by_name(departments: QuerySet[Department], text: str) -> list[Department]:
    words = _folded(text).split()
    if not words:
        return []
    # Departments are a few hundred at most, and the page lists them all anyway: folding
    # accents here needs no database extension on the public schema.
    return [d for d in departments if all(w in _folded(f"{d.name} {d.slug}") for w in words)]


def _covering(departments: QuerySet[Department], points: list[Point]) -> list[Department]:
    found: list[Department] = []
    for point in points:
        for department in departments.filter(boundary__contains=point):
            if department not in found:
                found.append(department)
    return found


def departments_find(*, text: str = "", point: Point | None = None) -> FinderResult:
    """Departments matching ``text`` (by name; by address too when a geocoder is registered)
    or covering ``point``; those covering a point first, then by name, at most MAX_RESULTS."""
    departments = departments_listed()
    points = [point] if point is not None else []
    searched_address = False
    text = text.strip()
    if text and _geocoder is not None:
        points += _geocoder(text)
        searched_address = True
    covering = _covering(departments, points) if points else []
    named = [d for d in _by_name(departments, text) if d not in covering]
    hits = [FinderHit(d, department_base_url(d), True) for d in covering]
    hits += [FinderHit(d, department_base_url(d), False) for d in named]
    return FinderResult(hits=hits[:MAX_RESULTS], searched_address=searched_address)
