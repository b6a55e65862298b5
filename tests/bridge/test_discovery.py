"""``porchlight-bridge discover`` against a simulated ONVIF camera (bridge/discovery.py): a UDP
responder answers the WS-Discovery probe, an HTTP endpoint answers the SOAP calls and checks the
WS-Security password digest. The camera is outside the product, so a stand-in is what a test can
use; the unicast probe is what reaches it here (multicast may not leave this sandbox)."""

import base64
import hashlib
import os
import socket
import stat
import subprocess
import sys
import threading
import tomllib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from bridge import discovery

ROOT = Path(__file__).resolve().parents[2]
USER, PASSWORD = "admin", "s3cret!"
CAMERA_ID = "6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b"

PROBE_MATCH = """<?xml version="1.0"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"
xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery">
<s:Header><a:RelatesTo>{relates}</a:RelatesTo></s:Header><s:Body><d:ProbeMatches><d:ProbeMatch>
<a:EndpointReference><a:Address>urn:uuid:1419d68a-1dd2-11b2-a105-000000000001</a:Address></a:EndpointReference>
<d:Types>dn:NetworkVideoTransmitter</d:Types>
<d:Scopes>onvif://www.onvif.org/name/PorchCam onvif://www.onvif.org/hardware/DS-2CD2143</d:Scopes>
<d:XAddrs>http://127.0.0.1:{http_port}/onvif/device_service</d:XAddrs></d:ProbeMatch></d:ProbeMatches></s:Body></s:Envelope>"""
SOAP = """<?xml version="1.0"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"
xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:trt="http://www.onvif.org/ver10/media/wsdl"
xmlns:tt="http://www.onvif.org/ver10/schema"><s:Body>{body}</s:Body></s:Envelope>"""
CAPABILITIES = (
    "<tds:GetCapabilitiesResponse><tds:Capabilities><tt:Media><tt:XAddr>http://127.0.0.1:{http_port}/onvif/media"
    "</tt:XAddr></tt:Media></tds:Capabilities></tds:GetCapabilitiesResponse>"
)
PROFILES = """<trt:GetProfilesResponse>
<trt:Profiles token="main"><tt:Name>mainStream</tt:Name><tt:VideoEncoderConfiguration><tt:Encoding>H264</tt:Encoding>
<tt:Resolution><tt:Width>1920</tt:Width><tt:Height>1080</tt:Height></tt:Resolution></tt:VideoEncoderConfiguration></trt:Profiles>
<trt:Profiles token="sub"><tt:Name>subStream</tt:Name><tt:VideoEncoderConfiguration><tt:Encoding>H264</tt:Encoding>
<tt:Resolution><tt:Width>640</tt:Width><tt:Height>360</tt:Height></tt:Resolution></tt:VideoEncoderConfiguration></trt:Profiles>
</trt:GetProfilesResponse>"""
STREAM_URI = (
    "<trt:GetStreamUriResponse><trt:MediaUri><tt:Uri>rtsp://127.0.0.1:554/Streaming/Channels/{n}</tt:Uri>"
    "</trt:MediaUri></trt:GetStreamUriResponse>"
)
FAULT = (
    '<s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value xmlns:ter="http://www.onvif.org/ver10/error">'
    "ter:NotAuthorized</s:Value></s:Subcode></s:Code>"
    "<s:Reason><s:Text>Sender not authorized</s:Text></s:Reason></s:Fault>"
)
WSSE = "{http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd}"
WSU = "{http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd}"


@dataclass
class FakeCamera:
    udp_port: int
    http_port: int
    mode: str = "ok"  # ok | garbage
    probes: int = 0


def _authorized(envelope: ET.Element) -> bool:
    token = envelope.find(f".//{WSSE}UsernameToken")
    if token is None:
        return False
    nonce = base64.b64decode(token.findtext(f"{WSSE}Nonce", ""))
    created = token.findtext(f"{WSU}Created", "")
    expected = base64.b64encode(hashlib.sha1(nonce + created.encode() + PASSWORD.encode()).digest()).decode()  # noqa: S324
    return token.findtext(f"{WSSE}Username") == USER and token.findtext(f"{WSSE}Password") == expected


@pytest.fixture
def camera() -> Iterator[FakeCamera]:
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    udp.settimeout(0.2)
    fake = FakeCamera(udp_port=udp.getsockname()[1], http_port=0)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            data = self.rfile.read(int(self.headers["Content-Length"]))
            if fake.mode == "garbage":
                self._answer(200, b"<html><body>Welcome to the router</body>")
                return
            envelope = ET.fromstring(data)  # noqa: S314
            if not _authorized(envelope):
                self._answer(400, SOAP.format(body=FAULT).encode())
                return
            text = data.decode()
            if "GetCapabilities" in text:
                body = CAPABILITIES.format(http_port=fake.http_port)
            elif "GetProfiles" in text:
                body = PROFILES
            else:
                body = STREAM_URI.format(n="101" if ">main<" in text else "102")
            self._answer(200, SOAP.format(body=body).encode())

        def _answer(self, status: int, payload: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/soap+xml")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.http_port = http.server_address[1]
    stopping = threading.Event()

    def answer_probes() -> None:
        while not stopping.is_set():
            try:
                data, sender = udp.recvfrom(65535)
            except TimeoutError:
                continue
            fake.probes += 1
            message_id = ET.fromstring(data).findtext(".//{http://schemas.xmlsoap.org/ws/2004/08/addressing}MessageID")  # noqa: S314
            udp.sendto(b"not xml at all", sender)  # noise on the port is ignored
            udp.sendto(PROBE_MATCH.format(relates=message_id, http_port=fake.http_port).encode(), sender)

    threads = [
        threading.Thread(target=answer_probes, daemon=True),
        threading.Thread(target=http.serve_forever, daemon=True),
    ]
    for thread in threads:
        thread.start()
    yield fake
    stopping.set()
    http.shutdown()
    for thread in threads:
        thread.join(timeout=5)
    udp.close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_unicast_probe_finds_the_camera_and_its_name(camera: FakeCamera) -> None:
    found = discovery.probe([f"127.0.0.1:{camera.udp_port}"], timeout=1.0)

    assert [c.label for c in found] == ["PorchCam DS-2CD2143"]
    assert found[0].xaddrs == (f"http://127.0.0.1:{camera.http_port}/onvif/device_service",)


def test_the_streams_are_read_with_the_owners_password(camera: FakeCamera) -> None:
    (found,) = discovery.probe([f"127.0.0.1:{camera.udp_port}"], timeout=1.0)

    streams = discovery.streams_of(found, user=USER, password=PASSWORD)

    assert [(s.profile, s.width, s.encoding, s.uri) for s in streams] == [
        ("main", 1920, "H264", "rtsp://127.0.0.1:554/Streaming/Channels/101"),
        ("sub", 640, "H264", "rtsp://127.0.0.1:554/Streaming/Channels/102"),
    ]


def test_a_wrong_password_says_so(camera: FakeCamera) -> None:
    (found,) = discovery.probe([f"127.0.0.1:{camera.udp_port}"], timeout=1.0)

    with pytest.raises(discovery.DiscoveryError, match="refused the user name or password"):
        discovery.streams_of(found, user=USER, password="wrong")


def test_garbage_instead_of_soap_says_it_is_not_onvif(camera: FakeCamera) -> None:
    (found,) = discovery.probe([f"127.0.0.1:{camera.udp_port}"], timeout=1.0)
    camera.mode = "garbage"

    with pytest.raises(discovery.DiscoveryError, match="not ONVIF"):
        discovery.streams_of(found, user=USER, password=PASSWORD)


def test_a_camera_that_does_not_answer_says_so() -> None:
    silent = discovery.Camera(address="x", xaddrs=(f"http://127.0.0.1:{_closed_port()}/onvif/device_service",))

    with pytest.raises(discovery.DiscoveryError, match="does not answer"):
        discovery.streams_of(silent, user=USER, password=PASSWORD, timeout=2)


def test_a_probe_nobody_answers_finds_nothing() -> None:
    assert discovery.probe([f"127.0.0.1:{_closed_port()}"], timeout=0.5) == []


def test_the_command_adds_the_chosen_stream_to_bridge_toml_0600(camera: FakeCamera, tmp_path: Path) -> None:
    # given a bridge.toml with a camera already in it, and the owner's choice: stream 2 is the porch
    config = tmp_path / "bridge.toml"
    config.write_text('# my cameras\n[cameras]\n"0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d" = "test:"\n')
    config.chmod(0o600)
    argv = [
        sys.executable,
        "-m",
        "bridge",
        "discover",
        "--config",
        str(config),
        "--probe",
        f"127.0.0.1:{camera.udp_port}",
    ]
    argv += ["--user", USER, "--password-env", "CAMERA_PASSWORD", "--assign", f"2={CAMERA_ID}", "--timeout", "1"]

    # when it runs
    done = subprocess.run(
        argv, cwd=ROOT, env={**os.environ, "CAMERA_PASSWORD": PASSWORD}, capture_output=True, text=True, timeout=60
    )

    # then the camera's substream, with the password, is in the file next to the old one
    assert done.returncode == 0, done.stderr
    assert "2) PorchCam DS-2CD2143 — subStream 640x360 H264" in done.stdout
    cameras = tomllib.loads(config.read_text())["cameras"]
    assert cameras == {
        "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d": "test:",
        CAMERA_ID: "rtsp://admin:s3cret%21@127.0.0.1:554/Streaming/Channels/102",
    }
    assert config.read_text().startswith("# my cameras\n")
    assert stat.S_IMODE(config.stat().st_mode) == 0o600


def test_the_command_with_a_wrong_password_fails_in_plain_words(camera: FakeCamera, tmp_path: Path) -> None:
    argv = [sys.executable, "-m", "bridge", "discover", "--config", str(tmp_path / "b.toml")]
    argv += ["--probe", f"127.0.0.1:{camera.udp_port}", "--user", USER, "--password-env", "P", "--timeout", "1"]

    done = subprocess.run(argv, cwd=ROOT, env={**os.environ, "P": "nope"}, capture_output=True, text=True, timeout=60)

    assert done.returncode == 3
    assert "refused the user name or password" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "b.toml").exists()


def test_adding_a_camera_again_replaces_its_line(tmp_path: Path) -> None:
    config = tmp_path / "bridge.toml"
    discovery.toml_add_cameras(config, {CAMERA_ID: "rtsp://a/1"})

    discovery.toml_add_cameras(config, {CAMERA_ID: 'rtsp://b/"2"'})

    assert tomllib.loads(config.read_text()) == {"cameras": {CAMERA_ID: 'rtsp://b/"2"'}}
    assert str(uuid.UUID(CAMERA_ID)) == CAMERA_ID


def test_a_new_config_is_the_owners_alone_and_an_existing_one_keeps_its_mode(tmp_path: Path) -> None:
    """install.sh makes bridge.toml 0640 for the service's group; discover (run by root or the
    owner) must not take the service's read away, nor give others a camera password."""
    new = tmp_path / "new.toml"
    discovery.toml_add_cameras(new, {CAMERA_ID: "rtsp://a/1"})
    kept = tmp_path / "bridge.toml"
    kept.write_text("[server]\n")
    kept.chmod(0o640)
    loose = tmp_path / "loose.toml"
    loose.write_text("")
    loose.chmod(0o644)

    discovery.toml_add_cameras(kept, {CAMERA_ID: "rtsp://a/1"})
    discovery.toml_add_cameras(loose, {CAMERA_ID: "rtsp://a/1"})

    assert stat.S_IMODE(new.stat().st_mode) == 0o600
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640
    assert stat.S_IMODE(loose.stat().st_mode) == 0o640  # nothing for others: it holds passwords
