"""The bridge program's positions of mobile cameras: the route and gpsd providers, the
[positions] table of bridge.toml, and the client sending them (once a second while the camera
streams, its last-known position at once and then every 30 s otherwise), against the fake
Porchlight of test_client.py (no database)."""

import asyncio
import datetime as dt
import itertools
import json
from pathlib import Path

import pytest
from websockets.asyncio.server import ServerConnection

from bridge.client import BridgeClient, ConfigError, load_config
from bridge.positions import (
    Fix,
    GpsdProvider,
    ProviderError,
    RouteProvider,
    load_route,
    make_provider,
    position_message,
)
from tests.bridge.test_client import CAMERA, OTHER_CAMERA, TOKEN, FakePorchlight, fake_porchlight, hello, running, start

# Two legs of ~111 m: north, then east (at this latitude 0.001° of longitude is ~92 m).
ROUTE = [(34.100, -117.380), (34.101, -117.380), (34.101, -117.379)]
GEOJSON = {"type": "LineString", "coordinates": [[lon, lat] for lat, lon in ROUTE]}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    "document",
    [
        GEOJSON,
        {"type": "Feature", "properties": {}, "geometry": GEOJSON},
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "geometry": {"type": "Point", "coordinates": [0, 0]}},
                {"type": "Feature", "geometry": GEOJSON},
            ],
        },
    ],
)
def test_a_geojson_route_is_read_as_lat_lon_points(tmp_path: Path, document: object) -> None:
    path = write(tmp_path, "route.geojson", json.dumps(document))

    assert load_route(path) == ROUTE


def test_a_csv_route_is_read_with_or_without_a_header(tmp_path: Path) -> None:
    rows = "\n".join(f"{lat},{lon}" for lat, lon in ROUTE)

    assert load_route(write(tmp_path, "a.csv", "lat,lon\n" + rows + "\n")) == ROUTE
    assert load_route(write(tmp_path, "b.csv", rows)) == ROUTE


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("r.geojson", "{", "is not GeoJSON"),
        ("r.geojson", json.dumps({"type": "Point", "coordinates": [0, 0]}), "has no LineString"),
        ("r.geojson", json.dumps({"type": "LineString", "coordinates": [[0, 0]]}), "at least two points"),
        ("r.geojson", json.dumps({"type": "LineString", "coordinates": [[0, 95], [0, 0]]}), "not a latitude"),
        ("r.csv", "lat,lon\n34.1,-117.38\nnorth,west\n", "line 3: expected lat,lon"),
    ],
)
def test_a_bad_route_file_is_one_clear_error(tmp_path: Path, name: str, text: str, message: str) -> None:
    with pytest.raises(ProviderError, match=message):
        load_route(write(tmp_path, name, text))


def test_the_route_is_walked_at_its_speed_there_and_back_with_the_heading_of_each_leg() -> None:
    route = RouteProvider(ROUTE, speed_mps=10)

    start_, halfway_north, east, end, back = (route.at(s) for s in (0, 5.56, 15, route.length / 10, 25))

    assert (round(start_.lat, 4), round(start_.lon, 4), start_.heading) == (34.1, -117.38, 0)
    assert (round(halfway_north.lat, 4), halfway_north.heading) == (34.1005, 0)
    assert (round(east.lat, 4), east.heading) == (34.101, 90)
    assert (round(end.lat, 4), round(end.lon, 4)) == (34.101, -117.379)
    assert back.heading == 270  # on the way back, west along the second leg


def test_a_route_gives_no_position_before_it_starts() -> None:
    assert RouteProvider(ROUTE).latest() is None


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("satellite:", "unknown position provider"),
        ("route:/nowhere.geojson", "not found"),
        ("gpsd://", "needs a host"),
    ],
)
def test_a_bad_provider_string_is_one_clear_error(spec: str, message: str) -> None:
    with pytest.raises(ProviderError, match=message):
        make_provider(spec)


def test_the_position_message_carries_what_the_protocol_names() -> None:
    fix = Fix(34.1, -117.38, 45, 3.25, dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC))

    assert position_message(CAMERA, fix) == {
        "type": "position",
        "camera": CAMERA,
        "lat": 34.1,
        "lon": -117.38,
        "heading": 45,
        "accuracy": 3.2,
        "time": "2026-12-07T12:00:00.000+00:00",
    }


# --- gpsd ----------------------------------------------------------------------------------------

TPV = {
    "class": "TPV",
    "mode": 3,
    "time": "2026-12-07T12:00:01.000Z",
    "lat": 34.1003,
    "lon": -117.3801,
    "track": 181.6,
    "eph": 4.2,
}


def test_gpsd_reports_without_a_fix_are_skipped_and_a_tpv_with_one_is_the_latest() -> None:
    gpsd = GpsdProvider("127.0.0.1")

    gpsd.feed(b'{"class":"VERSION","release":"3.25"}\n')
    gpsd.feed(json.dumps({**TPV, "mode": 1}).encode())
    before = gpsd.latest()
    gpsd.feed(json.dumps(TPV).encode())
    gpsd.feed(b"not json\n")

    assert before is None
    assert gpsd.latest() == Fix(34.1003, -117.3801, 182, 4.2, dt.datetime(2026, 12, 7, 12, 0, 1, tzinfo=dt.UTC))


async def test_gpsd_is_read_over_tcp_after_asking_it_to_watch() -> None:
    asked: list[bytes] = []

    async def gpsd_standin(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b'{"class":"VERSION","release":"3.25"}\n')
        asked.append(await reader.readline())
        writer.write(json.dumps(TPV).encode() + b"\n")
        await writer.drain()
        await asyncio.sleep(5)

    server = await asyncio.start_server(gpsd_standin, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    provider = make_provider(f"gpsd://127.0.0.1:{port}")
    try:
        await provider.start()
        async with asyncio.timeout(5):
            while provider.latest() is None:
                await asyncio.sleep(0.02)
    finally:
        await provider.close()
        server.close()

    assert asked[0].startswith(b"?WATCH=")
    fix = provider.latest()
    assert fix is not None
    assert (fix.lat, fix.lon) == (34.1003, -117.3801)


# --- bridge.toml ---------------------------------------------------------------------------------


def test_config_reads_positions_of_configured_cameras_with_routes_beside_it(tmp_path: Path) -> None:
    write(tmp_path, "patrol.geojson", json.dumps(GEOJSON))
    config = write(
        tmp_path,
        "bridge.toml",
        f'[cameras]\n"{CAMERA}" = "test:"\n"{OTHER_CAMERA}" = "test:"\n\n'
        f'[positions]\n"{CAMERA}" = "route:patrol.geojson?speed=12"\n"{OTHER_CAMERA}" = "gpsd://127.0.0.1"\n',
    )

    loaded = load_config(config)

    assert loaded.positions == {
        CAMERA: f"route:{tmp_path / 'patrol.geojson'}?speed=12",
        OTHER_CAMERA: "gpsd://127.0.0.1",
    }


@pytest.mark.parametrize(
    ("positions", "message"),
    [
        (f'"{OTHER_CAMERA}" = "gpsd://127.0.0.1"', "which \\[cameras\\] does not"),
        ('"cam-1" = "gpsd://127.0.0.1"', "is not a camera UUID"),
        (f'"{CAMERA}" = "route:missing.geojson"', "not found"),
        (f'"{CAMERA}" = "route:patrol.geojson?speed=fast"', "speed must be a number"),
        (f'"{CAMERA}" = 7', "must be a string"),
    ],
)
def test_config_errors_in_positions_are_one_clear_line(tmp_path: Path, positions: str, message: str) -> None:
    write(tmp_path, "patrol.geojson", json.dumps(GEOJSON))
    config = write(tmp_path, "bridge.toml", f'[cameras]\n"{CAMERA}" = "test:"\n\n[positions]\n{positions}\n')

    with pytest.raises(ConfigError, match=message):
        load_config(config)


# --- the client --------------------------------------------------------------------------------


def positions_sent(fake: FakePorchlight) -> list[dict[str, object]]:
    return [t for t in fake.texts if t["type"] == "position"]


async def test_an_idle_mobile_camera_reports_its_last_known_position_once_and_then_every_30_s() -> None:
    async def script(fake: FakePorchlight, ws: ServerConnection) -> None:
        await ws.send(hello([CAMERA]))
        await ws.wait_closed()

    async with fake_porchlight(script) as fake:
        client = BridgeClient(fake.url, TOKEN, {CAMERA: "test:"}, positions={CAMERA: RouteProvider(ROUTE)})
        async with running(client):
            await fake.wait_for(lambda: len(positions_sent(fake)) >= 1)
            await asyncio.sleep(2.0)

    sent = positions_sent(fake)
    assert len(sent) == 1
    assert (sent[0]["camera"], sent[0]["heading"], sent[0]["accuracy"]) == (CAMERA, 0, 5.0)
    assert fake.frames == []


async def test_a_streaming_mobile_camera_reports_its_position_about_once_a_second() -> None:
    async def script(fake: FakePorchlight, ws: ServerConnection) -> None:
        await ws.send(hello([CAMERA]))
        await asyncio.sleep(0.5)
        await ws.send(start(CAMERA, fps=2, max_width=320))
        await ws.wait_closed()

    async with fake_porchlight(script) as fake:
        route = RouteProvider(ROUTE, speed_mps=10)
        client = BridgeClient(fake.url, TOKEN, {CAMERA: "test:"}, positions={CAMERA: route})
        async with running(client):
            await fake.wait_for(lambda: len(positions_sent(fake)) >= 5, timeout=15)

    times = [dt.datetime.fromisoformat(str(p["time"])) for p in positions_sent(fake)[:5]]
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
    assert all(0.95 <= gap <= 1.6 for gap in gaps[1:]), gaps  # the first gap is idle-to-streaming
    lats = [float(str(p["lat"])) for p in positions_sent(fake)[:5]]
    assert lats == sorted(lats)  # walking north along the first leg
    assert fake.frames  # and the video flows beside them


async def test_a_camera_the_server_did_not_assign_sends_no_positions() -> None:
    async def script(fake: FakePorchlight, ws: ServerConnection) -> None:
        await ws.send(hello([OTHER_CAMERA]))
        await ws.wait_closed()

    async with fake_porchlight(script) as fake:
        client = BridgeClient(fake.url, TOKEN, {CAMERA: "test:"}, positions={CAMERA: RouteProvider(ROUTE)})
        async with running(client):
            await fake.wait_for(lambda: len(fake.requests) >= 1)
            await asyncio.sleep(1.0)

    assert positions_sent(fake) == []
