"""The outside geocoders are real HTTP clients: each is tested against a local stand-in
server that answers in Nominatim's or Pelias's format (or fails as a real one can)."""

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from unittest.mock import patch
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.gis.geos import Point
from django.test import override_settings

from places.geocoders import (
    BuiltinGeocoder,
    GeocoderUnavailable,
    address_geocode,
    address_locate,
    address_points_everywhere,
    geocoder_from_setting,
)
from places.readers import AddressIn
from places.services import address_points_upsert

NOMINATIM_ANSWER: list[dict[str, Any]] = [
    {
        "place_id": 1,
        "lat": "34.1069",
        "lon": "-117.3701",
        "display_name": "1200, West Baseline Road, Rialto, San Bernardino County, California, 92376, United States",
        "category": "place",
        "type": "house",
    }
]
PELIAS_ANSWER = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [-117.3701, 34.1069]},
            "properties": {"layer": "address", "label": "1200 W Baseline Rd, Rialto, CA, USA"},
        }
    ],
}


class StandIn:
    """A local HTTP server: ``answers[path] = (status, body, delay_s)``; records each request."""

    def __init__(self) -> None:
        self.answers: dict[str, tuple[int, bytes, float]] = {}
        self.requests: list[tuple[str, dict[str, list[str]], str]] = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlsplit(self.path)
                stand_in.requests.append((url.path, parse_qs(url.query), self.headers.get("User-Agent", "")))
                status, body, delay = stand_in.answers.get(url.path, (404, b"{}", 0.0))
                time.sleep(delay)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    server = StandIn()
    yield server
    server.close()


def test_nominatim_answers_are_read_and_limited_to_the_departments_box(in_rialto: Any, stand_in: StandIn) -> None:
    stand_in.answers["/search"] = (200, json.dumps(NOMINATIM_ANSWER).encode(), 0)

    with override_settings(PORCHLIGHT_GEOCODER=f"nominatim:{stand_in.url}"):
        [match] = address_geocode(query="1200 W Baseline Rd", limit=5)

    _path, params, agent = stand_in.requests[0]
    assert (match.lat, match.lon, match.kind) == (34.1069, -117.3701, "address")
    assert match.label.startswith("1200, West Baseline Road, Rialto")
    assert params["q"] == ["1200 W Baseline Rd"]
    assert (params["format"], params["limit"], params["bounded"]) == (["jsonv2"], ["5"], ["1"])
    west, north, east, south = (float(v) for v in params["viewbox"][0].split(","))
    assert (west, south, east, north) == in_rialto.boundary.extent
    assert agent.startswith("Porchlight/")


def test_pelias_answers_are_read_and_focused_near_the_map(in_rialto: Any, stand_in: StandIn) -> None:
    stand_in.answers["/v1/autocomplete"] = (200, json.dumps(PELIAS_ANSWER).encode(), 0)

    with override_settings(PORCHLIGHT_GEOCODER=f"pelias:{stand_in.url}/"):
        [match] = address_geocode(query="1200 W Baseline", near=Point(-117.37, 34.1, srid=4326))

    _, params, _ = stand_in.requests[0]
    assert (match.label, match.lat, match.lon) == ("1200 W Baseline Rd, Rialto, CA, USA", 34.1069, -117.3701)
    assert (params["text"], params["focus.point.lat"], params["focus.point.lon"]) == (
        ["1200 W Baseline"],
        ["34.1"],
        ["-117.37"],
    )
    assert float(params["boundary.rect.min_lon"][0]) == in_rialto.boundary.extent[0]


@pytest.mark.parametrize(
    ("kind", "path", "answer", "message"),
    [
        ("nominatim", "/search", (503, b"busy", 0), "answered with HTTP 503"),
        ("nominatim", "/search", (200, b"<html>", 0), "answered with something that is not JSON"),
        ("nominatim", "/search", (200, b'{"error": "x"}', 0), "answered in an unexpected format"),
        ("pelias", "/v1/autocomplete", (200, b'{"features": [{"geometry": {}}]}', 0), "unexpected format"),
        ("pelias", "/v1/autocomplete", (200, b"{}", 1.5), "did not answer within 0.5 s"),
    ],
)
def test_an_outside_geocoder_that_fails_says_which_and_why(
    in_rialto: Any, stand_in: StandIn, kind: str, path: str, answer: tuple[int, bytes, float], message: str
) -> None:
    stand_in.answers[path] = answer

    with (
        override_settings(PORCHLIGHT_GEOCODER=f"{kind}:{stand_in.url}", PORCHLIGHT_GEOCODER_TIMEOUT=0.5),
        pytest.raises(GeocoderUnavailable, match=message) as raised,
    ):
        address_geocode(query="1200 W Baseline Rd")

    assert "127.0.0.1" in str(raised.value)


def test_an_unreachable_geocoder_is_an_error_naming_it(in_rialto: Any, stand_in: StandIn) -> None:
    url = stand_in.url
    stand_in.close()

    with (
        override_settings(PORCHLIGHT_GEOCODER=f"nominatim:{url}"),
        pytest.raises(GeocoderUnavailable, match="cannot be reached"),
    ):
        address_geocode(query="1200 W Baseline Rd")


@pytest.mark.parametrize("value", ["google", "nominatim:", "pelias:ftp://x", "nominatim:file:///etc/passwd"])
def test_a_wrong_geocoder_setting_is_refused_by_name(value: str) -> None:
    with pytest.raises(ValueError, match="PORCHLIGHT_GEOCODER"):
        geocoder_from_setting(value, timeout=1)


def test_the_builtin_geocoder_is_the_default_and_needs_no_network(in_rialto: Any) -> None:
    address_points_upsert(
        points=[AddressIn(number="9", street="Cedar Ave", unit="", city="Rialto", postcode="", lon=-117.4, lat=34.1)]
    )

    match = address_locate(query="9 cedar avenue")

    assert isinstance(geocoder_from_setting("builtin", timeout=1), BuiltinGeocoder)
    assert match is not None
    assert match.label == "9 Cedar Ave, Rialto"


def test_the_department_finder_counts_a_failing_outside_geocoder_as_not_found(
    in_rialto: Any, stand_in: StandIn
) -> None:
    stand_in.answers["/search"] = (500, b"", 0)

    with override_settings(PORCHLIGHT_GEOCODER=f"nominatim:{stand_in.url}"):
        assert address_locate(query="1200 W Baseline Rd") is None


def test_the_public_finder_asks_an_outside_geocoder_once_whatever_the_number_of_departments(
    stand_in: StandIn,
) -> None:
    stand_in.answers["/search"] = (200, json.dumps(NOMINATIM_ANSWER).encode(), 0)

    with override_settings(PORCHLIGHT_GEOCODER=f"nominatim:{stand_in.url}"):
        points = address_points_everywhere("1200 W Baseline Rd")

    assert len(stand_in.requests) == 1
    assert "viewbox" not in stand_in.requests[0][1]  # the platform's geocoder: no department's box
    assert [(round(p.x, 4), round(p.y, 4)) for p in points] == [
        (round(float(place["lon"]), 4), round(float(place["lat"]), 4)) for place in NOMINATIM_ANSWER
    ]


def test_the_public_finder_stops_asking_departments_when_its_time_is_up(in_rialto: Any, settings: Any) -> None:
    address_points_upsert(
        points=[AddressIn(number="9", street="Cedar Ave", unit="", city="Rialto", postcode="", lon=-117.4, lat=34.1)]
    )
    settings.PORCHLIGHT_GEOCODER = "builtin"

    with patch("places.geocoders.FINDER_BUDGET_SECONDS", -1):
        assert address_points_everywhere("9 Cedar Ave") == []
    assert len(address_points_everywhere("9 Cedar Ave")) == 1
