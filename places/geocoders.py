"""Which geocoder answers address searches: the built-in index (default, no network), or a
department's own Nominatim or Pelias server.

``PORCHLIGHT_GEOCODER`` is ``builtin``, ``nominatim:<base URL>`` or ``pelias:<base URL>``;
``PORCHLIGHT_GEOCODER_TIMEOUT`` (seconds, default 3) bounds each outside request. Outside
answers are limited to the department's boundary box, as the built-in index is to its schema.
"""

import json
import logging
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import connection
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from core.errors import Unavailable
from tenants.selectors import departments_listed

from .selectors import AddressMatch, addresses_search

logger = logging.getLogger("porchlight.places")

# The public finder's total time for the built-in indexes of every department (each answers in
# a few milliseconds; the budget bounds a platform of many departments).
FINDER_BUDGET_SECONDS = 1.0

__all__ = [
    "Geocoder",
    "GeocoderUnavailable",
    "address_geocode",
    "address_locate",
    "address_suggest",
    "coordinates_parse",
    "geocoder_from_setting",
    "point_from_param",
]

USER_AGENT = "Porchlight/1.0 (department address search)"


class GeocoderUnavailable(Unavailable):
    """The outside geocoder could not answer; the message says which and why."""

    def __init__(self, message: str, *, code: str = "geocoder_unavailable") -> None:
        super().__init__(message, code=code)


class Geocoder(Protocol):
    def search(
        self, *, query: str, limit: int, near: Point | None, bbox: tuple[float, float, float, float] | None
    ) -> list[AddressMatch]: ...


class BuiltinGeocoder:
    """The department's own address points (places.selectors)."""

    def search(
        self, *, query: str, limit: int, near: Point | None, bbox: tuple[float, float, float, float] | None
    ) -> list[AddressMatch]:
        return addresses_search(query=query, limit=limit, near=near)


@dataclass(frozen=True)
class _HttpGeocoder:
    base_url: str
    timeout: float

    def _get(self, path: str, params: dict[str, Any]) -> Any:
        url = f"{self.base_url.rstrip('/')}{path}?{urllib.parse.urlencode(params)}"
        host = urllib.parse.urlsplit(self.base_url).netloc
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "application/json"})  # noqa: S310 (scheme checked in geocoder_from_setting)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (as above)
                body = response.read(2_000_000)
        except urllib.error.HTTPError as exc:
            raise GeocoderUnavailable(
                _("The address service at %(host)s answered with HTTP %(status)s.") % {"host": host, "status": exc.code}
            ) from exc
        except TimeoutError as exc:
            raise GeocoderUnavailable(
                _("The address service at %(host)s did not answer within %(seconds)s s.")
                % {"host": host, "seconds": f"{self.timeout:g}"}
            ) from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, TimeoutError):
                raise GeocoderUnavailable(
                    _("The address service at %(host)s did not answer within %(seconds)s s.")
                    % {"host": host, "seconds": f"{self.timeout:g}"}
                ) from exc
            raise GeocoderUnavailable(
                _("The address service at %(host)s cannot be reached (%(reason)s).") % {"host": host, "reason": reason}
            ) from exc
        try:
            return json.loads(body)
        except ValueError as exc:
            raise GeocoderUnavailable(
                _("The address service at %(host)s answered with something that is not JSON.") % {"host": host}
            ) from exc

    def _malformed(self) -> GeocoderUnavailable:
        host = urllib.parse.urlsplit(self.base_url).netloc
        return GeocoderUnavailable(
            _("The address service at %(host)s answered in an unexpected format.") % {"host": host}
        )


class NominatimGeocoder(_HttpGeocoder):
    """Nominatim's /search (format=jsonv2): a list of places with "lat", "lon", "display_name"."""

    def search(
        self, *, query: str, limit: int, near: Point | None, bbox: tuple[float, float, float, float] | None
    ) -> list[AddressMatch]:
        params: dict[str, Any] = {"q": query, "format": "jsonv2", "limit": limit}
        if bbox is not None:
            west, south, east, north = bbox
            params.update(viewbox=f"{west},{north},{east},{south}", bounded=1)
        answer = self._get("/search", params)
        if not isinstance(answer, list):
            raise self._malformed()
        try:
            return [
                AddressMatch(
                    label=str(place["display_name"]),
                    lat=float(place["lat"]),
                    lon=float(place["lon"]),
                    kind="intersection" if place.get("type") == "intersection" else "address",
                )
                for place in answer[:limit]
            ]
        except (KeyError, TypeError, ValueError) as exc:
            raise self._malformed() from exc


class PeliasGeocoder(_HttpGeocoder):
    """Pelias's /v1/autocomplete: a GeoJSON FeatureCollection with properties.label."""

    def search(
        self, *, query: str, limit: int, near: Point | None, bbox: tuple[float, float, float, float] | None
    ) -> list[AddressMatch]:
        params: dict[str, Any] = {"text": query, "size": limit}
        if bbox is not None:
            west, south, east, north = bbox
            params.update(
                {
                    "boundary.rect.min_lon": west,
                    "boundary.rect.min_lat": south,
                    "boundary.rect.max_lon": east,
                    "boundary.rect.max_lat": north,
                }
            )
        if near is not None:
            params.update({"focus.point.lat": near.y, "focus.point.lon": near.x})
        answer = self._get("/v1/autocomplete", params)
        features = answer.get("features") if isinstance(answer, dict) else None
        if not isinstance(features, list):
            raise self._malformed()
        try:
            return [
                AddressMatch(
                    label=str(feature["properties"]["label"]),
                    lon=float(feature["geometry"]["coordinates"][0]),
                    lat=float(feature["geometry"]["coordinates"][1]),
                    kind="intersection" if feature["properties"].get("layer") == "intersection" else "address",
                )
                for feature in features[:limit]
            ]
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise self._malformed() from exc


def geocoder_from_setting(value: str, *, timeout: float) -> Geocoder:
    """The geocoder a PORCHLIGHT_GEOCODER value names; a wrong value is an error naming it."""
    if value == "builtin":
        return BuiltinGeocoder()
    kind, _sep, url = value.partition(":")
    scheme = urllib.parse.urlsplit(url).scheme
    if kind in ("nominatim", "pelias") and scheme in ("http", "https"):
        return (NominatimGeocoder if kind == "nominatim" else PeliasGeocoder)(base_url=url, timeout=timeout)
    raise ValueError(
        f"PORCHLIGHT_GEOCODER={value!r}: expected 'builtin', 'nominatim:<http(s) URL>' or 'pelias:<http(s) URL>'"
    )


def _department_bbox() -> tuple[float, float, float, float] | None:
    boundary = getattr(getattr(connection, "tenant", None), "boundary", None)
    if boundary is None:
        return None
    west, south, east, north = boundary.extent
    return (west, south, east, north)


def address_geocode(*, query: str, limit: int = 8, near: Point | None = None) -> list[AddressMatch]:
    """Addresses matching ``query`` in the current department, from the configured geocoder.

    Raises GeocoderUnavailable when an outside geocoder cannot answer (never for the built-in one).
    """
    geocoder = geocoder_from_setting(settings.PORCHLIGHT_GEOCODER, timeout=settings.PORCHLIGHT_GEOCODER_TIMEOUT)
    return geocoder.search(query=query, limit=limit, near=near, bbox=_department_bbox())


def address_locate(*, query: str) -> AddressMatch | None:
    """The best match for a free-text address in the current department, or None.

    For the public department finder: run it inside each department's tenant_context; a
    department whose outside geocoder is down counts as "not found" there.
    """
    try:
        matches = address_geocode(query=query, limit=1)
    except GeocoderUnavailable:
        return None
    return matches[0] if matches else None


_COORDINATES = re.compile(r"^\s*([-+]?\d{1,2}(?:\.\d+)?)\s*[,;\s]\s*([-+]?\d{1,3}(?:\.\d+)?)\s*$")


def coordinates_parse(text: str) -> AddressMatch | None:
    """ "34.1, -117.4" (latitude, longitude in degrees, as maps write them) as a place, or None."""
    match = _COORDINATES.match(text)
    if match is None:
        return None
    lat, lon = float(match.group(1)), float(match.group(2))
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return AddressMatch(label=f"{lat:.6f}, {lon:.6f}", lat=lat, lon=lon, kind="coordinates")


def address_suggest(*, query: str, limit: int = 8, near: Point | None = None) -> list[AddressMatch]:
    """What an address box suggests for ``query``: the coordinates typed, or addresses and
    intersections of the current department. Raises GeocoderUnavailable (outside geocoders)."""
    place = coordinates_parse(query)
    if place is not None:
        return [place]
    return address_geocode(query=query, limit=limit, near=near)


def point_from_param(value: str) -> Point | None:
    """A "lat,lon" query parameter (the map's centre, used only to order suggestions), or None."""
    place = coordinates_parse(value) if value else None
    return Point(place.lon, place.lat, srid=4326) if place else None


def address_points_everywhere(text: str) -> list[Point]:
    """Where ``text`` may be, for the public department finder (tenants.finder).

    An outside geocoder serves the whole platform: it is asked once, with no department's box,
    and the finder keeps the departments whose jurisdiction contains a point found. The
    built-in indexes belong to each department: each is asked inside its schema (one indexed
    query), nearest departments first, until FINDER_BUDGET_SECONDS have gone: an anonymous
    request must not cost the platform a query per department without end.
    """
    text = text[:200]
    geocoder = geocoder_from_setting(settings.PORCHLIGHT_GEOCODER, timeout=settings.PORCHLIGHT_GEOCODER_TIMEOUT)
    if not isinstance(geocoder, BuiltinGeocoder):
        try:
            matches = geocoder.search(query=text, limit=5, near=None, bbox=None)
        except GeocoderUnavailable:
            return []
        return [Point(m.lon, m.lat, srid=4326) for m in matches if m.kind != "coordinates"]
    points: list[Point] = []
    deadline = time.monotonic() + FINDER_BUDGET_SECONDS
    for department in departments_listed():
        if time.monotonic() > deadline:
            logger.warning("department finder: address search cut short", extra={"query_chars": len(text)})
            break
        with tenant_context(department):
            match = address_locate(query=text)
        if match is not None and match.kind != "coordinates":
            points.append(Point(match.lon, match.lat, srid=4326))
    return points
