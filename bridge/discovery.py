"""``porchlight-bridge discover``: find ONVIF cameras on this network and add them to bridge.toml.

1. WS-Discovery: a ``Probe`` for ``NetworkVideoTransmitter`` sent by UDP to the multicast group
   239.255.255.250:3702 (every ONVIF camera answers it), or to given addresses (``--probe``)
   where multicast does not reach (another subnet, a VPN, a container); answers are the
   ``ProbeMatch`` messages with the camera's service addresses (XAddrs).
2. ONVIF over SOAP with the owner's camera user and password (WS-Security UsernameToken with a
   password digest): ``GetCapabilities`` for the media service, ``GetProfiles`` for its streams,
   ``GetStreamUri`` (RTP-Unicast over RTSP) for each profile's address.
3. The owner picks which stream is which Porchlight camera; the choices are written into
   bridge.toml's ``[cameras]`` (the RTSP address with the camera's user and password in it, so
   the file is kept 0600).

Written with the standard library on purpose, not with a package: the WS-Discovery package
(``WSDiscovery``) is a whole discovery daemon (threads, one multicast socket per interface,
a click command line) for what is here one datagram and its answers, and the ONVIF clients
(``onvif-zeep``, ``onvif-zeep-async``) bring zeep and lxml, compiled, which the single-file
``.pyz`` cannot carry. Three fixed SOAP requests and an XML parse are smaller than either.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import datetime as dt
import hashlib
import os
import re
import secrets
import socket
import stat
import sys
import time
import tomllib
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote, urlsplit, urlunsplit
from xml.etree import ElementTree as ET

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["Camera", "DiscoveryError", "Stream", "main", "probe", "streams_of", "toml_add_cameras"]

MULTICAST = ("239.255.255.250", 3702)
WSD_PORT = 3702
NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "a": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
    "d": "http://schemas.xmlsoap.org/ws/2005/04/discovery",
    "tds": "http://www.onvif.org/ver10/device/wsdl",
    "trt": "http://www.onvif.org/ver10/media/wsdl",
    "tt": "http://www.onvif.org/ver10/schema",
}
PROBE = """<?xml version="1.0" encoding="UTF-8"?>
<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl">
<s:Header><a:MessageID>uuid:{message_id}</a:MessageID><a:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To>
<a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action></s:Header>
<s:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></s:Body></s:Envelope>"""  # noqa: E501
SECURITY = """<s:Header><wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">
<wsse:UsernameToken><wsse:Username>{user}</wsse:Username>
<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">{digest}</wsse:Password>
<wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">{nonce}</wsse:Nonce>
<wsu:Created>{created}</wsu:Created></wsse:UsernameToken></wsse:Security></s:Header>"""  # noqa: E501
ENVELOPE = """<?xml version="1.0" encoding="UTF-8"?>
<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:trt="http://www.onvif.org/ver10/media/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema">{header}<s:Body>{body}</s:Body></s:Envelope>"""  # noqa: E501
GET_CAPABILITIES = "<tds:GetCapabilities><tds:Category>Media</tds:Category></tds:GetCapabilities>"
GET_PROFILES = "<trt:GetProfiles/>"
GET_STREAM_URI = (
    "<trt:GetStreamUri><trt:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream><tt:Transport><tt:Protocol>RTSP"
    "</tt:Protocol></tt:Transport></trt:StreamSetup><trt:ProfileToken>{token}</trt:ProfileToken></trt:GetStreamUri>"
)
EXIT_USAGE = 2
EXIT_FAILED = 3


class DiscoveryError(Exception):
    """A camera that could not be read; one line for the owner."""


@dataclass(frozen=True)
class Camera:
    address: str  # the endpoint's id (urn:uuid:…), stable across address changes
    xaddrs: tuple[str, ...]  # its device service URLs
    scopes: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """Name and hardware from the ONVIF scopes, else the host."""
        found = {}
        for scope in self.scopes:
            match = re.match(r"onvif://www\.onvif\.org/(name|hardware)/(.+)", scope)
            if match:
                found[match.group(1)] = unquote(match.group(2))
        words = " ".join(v for v in (found.get("name"), found.get("hardware")) if v)
        return words or (urlsplit(self.xaddrs[0]).hostname or "?" if self.xaddrs else self.address)


@dataclass(frozen=True)
class Stream:
    camera: Camera
    profile: str
    name: str
    uri: str  # as the camera gave it (without credentials)
    encoding: str = ""
    width: int = 0
    height: int = 0
    extra: dict[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        size = f" {self.width}x{self.height}" if self.width else ""
        return f"{self.camera.label} — {self.name}{size} {self.encoding}".rstrip()


# --- WS-Discovery ---------------------------------------------------------------------------------


def _target(text: str) -> tuple[str, int]:
    host, _sep, port = text.rpartition(":") if text.count(":") == 1 else (text, "", "")
    return (host or text), int(port) if port else WSD_PORT


def probe(targets: Sequence[str] = (), *, timeout: float = 3.0) -> list[Camera]:
    """Cameras that answer a Probe within ``timeout`` seconds: sent to each of ``targets``
    (``host`` or ``host:port``), or to the multicast group when there are none."""
    message_id = str(uuid.uuid4())
    datagram = PROBE.format(message_id=message_id).encode()
    found: dict[str, Camera] = {}
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP) as sock:
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 2)
        sock.bind(("", 0))
        addresses = [_target(t) for t in targets] or [MULTICAST]
        for address in addresses:
            try:
                sock.sendto(datagram, address)
            except OSError as exc:
                raise DiscoveryError(f"cannot send a probe to {address[0]}:{address[1]}: {exc.strerror}") from None
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            sock.settimeout(left)
            try:
                data, _sender = sock.recvfrom(65535)
            except TimeoutError:
                break
            except ConnectionRefusedError:  # an ICMP "port unreachable" for a unicast probe
                continue
            for camera in _probe_matches(data, message_id):
                found.setdefault(camera.address, camera)
    return list(found.values())


def _probe_matches(data: bytes, message_id: str) -> list[Camera]:
    try:
        root = ET.fromstring(data)  # noqa: S314 (see the import)
    except ET.ParseError:
        return []  # not for us (another protocol on the port): ignored, as WS-Discovery says
    relates = root.findtext("s:Header/a:RelatesTo", default="", namespaces=NS).strip()
    if relates and relates != f"uuid:{message_id}":
        return []
    cameras = []
    for match in root.iterfind("s:Body/d:ProbeMatches/d:ProbeMatch", NS):
        xaddrs = tuple(match.findtext("d:XAddrs", default="", namespaces=NS).split())
        if not xaddrs:
            continue
        address = match.findtext("a:EndpointReference/a:Address", default="", namespaces=NS).strip() or xaddrs[0]
        scopes = tuple(match.findtext("d:Scopes", default="", namespaces=NS).split())
        cameras.append(Camera(address=address, xaddrs=xaddrs, scopes=scopes))
    return cameras


# --- ONVIF SOAP -----------------------------------------------------------------------------------


def _security(user: str, password: str) -> str:
    nonce = secrets.token_bytes(16)
    created = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    digest = base64.b64encode(hashlib.sha1(nonce + created.encode() + password.encode()).digest()).decode()  # noqa: S324 (WS-Security's digest is SHA-1 by its standard)
    return SECURITY.format(user=_xml_text(user), digest=digest, nonce=base64.b64encode(nonce).decode(), created=created)


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _call(url: str, body: str, *, user: str, password: str, timeout: float) -> ET.Element:
    """POST one SOAP request; the response's Body, or DiscoveryError in the owner's words."""
    host = urlsplit(url).netloc or url
    envelope = ENVELOPE.format(header=_security(user, password) if user else "", body=body).encode()
    request = urllib.request.Request(  # noqa: S310 (http(s) from the camera's own answer; checked below)
        url, data=envelope, headers={"Content-Type": "application/soap+xml; charset=utf-8"}, method="POST"
    )
    if urlsplit(url).scheme not in ("http", "https"):
        raise DiscoveryError(f"camera at {host}: its service address {url!r} is not http(s)")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (checked above)
            data = response.read(4 * 1024 * 1024)
    except urllib.error.HTTPError as exc:
        data = exc.read(1024 * 1024)
        if exc.code in (401, 403) or b"NotAuthorized" in data:
            raise DiscoveryError(f"camera at {host} refused the user name or password") from None
        if not data:
            raise DiscoveryError(f"camera at {host} answered HTTP {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DiscoveryError(f"camera at {host} does not answer ({reason})") from None
    try:
        root = ET.fromstring(data)  # noqa: S314 (see the import)
    except ET.ParseError:
        raise DiscoveryError(f"camera at {host} sent something that is not ONVIF (not XML)") from None
    soap_body = root.find("s:Body", NS)
    if soap_body is None:
        raise DiscoveryError(f"camera at {host} sent something that is not ONVIF (no SOAP body)")
    fault = soap_body.find("s:Fault", NS)
    if fault is not None:
        text = " ".join(t.strip() for t in fault.itertext() if t.strip())
        if "NotAuthorized" in text or ("Sender" in text and "authori" in text.lower()):
            raise DiscoveryError(f"camera at {host} refused the user name or password")
        raise DiscoveryError(f"camera at {host} answered with an error: {text[:200]}")
    return soap_body


def streams_of(camera: Camera, *, user: str, password: str, timeout: float = 5.0) -> list[Stream]:
    """The camera's stream profiles and their RTSP addresses (DiscoveryError when it cannot)."""
    device = camera.xaddrs[0]
    body = _call(device, GET_CAPABILITIES, user=user, password=password, timeout=timeout)
    media = body.findtext(".//tt:Media/tt:XAddr", default="", namespaces=NS).strip() or device
    profiles = _call(media, GET_PROFILES, user=user, password=password, timeout=timeout)
    streams = []
    for profile in profiles.iterfind(".//trt:Profiles", NS):
        token = profile.get("token", "")
        if not token:
            continue
        answer = _call(
            media, GET_STREAM_URI.format(token=_xml_text(token)), user=user, password=password, timeout=timeout
        )
        uri = answer.findtext(".//tt:Uri", default="", namespaces=NS).strip()
        if not uri.startswith(("rtsp://", "rtsps://")):
            raise DiscoveryError(f"camera at {urlsplit(media).netloc}: profile {token} has no RTSP address ({uri!r})")
        encoder = profile.find("tt:VideoEncoderConfiguration", NS)
        width = height = 0
        encoding = ""
        if encoder is not None:
            encoding = encoder.findtext("tt:Encoding", default="", namespaces=NS)
            width = int(encoder.findtext("tt:Resolution/tt:Width", default="0", namespaces=NS) or 0)
            height = int(encoder.findtext("tt:Resolution/tt:Height", default="0", namespaces=NS) or 0)
        name = profile.findtext("tt:Name", default=token, namespaces=NS)
        streams.append(Stream(camera, token, name, uri, encoding, width, height))
    if not streams:
        raise DiscoveryError(f"camera at {urlsplit(media).netloc} has no stream profiles")
    return streams


def with_credentials(uri: str, user: str, password: str) -> str:
    """The RTSP address with the camera's user and password in it (what the bridge opens)."""
    if not user:
        return uri
    parts = urlsplit(uri)
    host = parts.hostname or ""
    netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


# --- bridge.toml ------------------------------------------------------------------------------------


def toml_add_cameras(path: Path, chosen: dict[str, str]) -> None:
    """Add (or replace) ``"<camera uuid>" = "<source>"`` lines in bridge.toml's [cameras]; the
    file keeps everything else, is checked as TOML before it replaces the old one, and is
    written 0600 (the sources hold camera passwords); an existing file keeps its mode (with no
    bit for others) and its group, so the service that reads it (install.sh: 0640, group
    porchlight-bridge) still can after root ran discover."""
    text = path.read_text() if path.exists() else ""
    before = path.stat() if path.exists() else None
    lines = text.splitlines()
    keys = {camera: f'"{camera}" = "{_toml_escape(source)}"' for camera, source in chosen.items()}
    kept = [line for line in lines if not any(line.strip().startswith(f'"{camera}"') for camera in keys)]
    header = next((i for i, line in enumerate(kept) if line.strip() == "[cameras]"), None)
    if header is None:
        kept = [*kept, *([""] if kept else []), "[cameras]"]
        header = len(kept) - 1
    kept[header + 1 : header + 1] = list(keys.values())
    new = "\n".join(kept) + "\n"
    tomllib.loads(new)  # never write a file the bridge cannot read
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(new)
        if before is not None:
            os.fchmod(out.fileno(), stat.S_IMODE(before.st_mode) & 0o770)
            if hasattr(os, "fchown") and before.st_gid != os.getegid():
                with contextlib.suppress(PermissionError):  # only root may give a file another group
                    os.fchown(out.fileno(), -1, before.st_gid)
    os.replace(temporary, path)


def _toml_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


# --- command line -----------------------------------------------------------------------------------


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="porchlight-bridge discover",
        description="Find ONVIF cameras on this network, read their RTSP addresses and add them to bridge.toml.",
    )
    parser.add_argument("--config", required=True, help="bridge.toml to add the cameras to (created if missing)")
    parser.add_argument(
        "--probe",
        action="append",
        default=[],
        metavar="ADDRESS",
        help="ask this address (host or host:port) instead of the whole network; repeatable",
    )
    parser.add_argument("--user", default="", help="the cameras' user name (ONVIF), e.g. admin")
    parser.add_argument(
        "--password-env",
        metavar="VARIABLE",
        help="read the cameras' password from this environment variable (else it is asked for)",
    )
    parser.add_argument(
        "--assign",
        action="append",
        default=[],
        metavar="N=CAMERA-ID",
        help="without asking: stream number N of the list is this Porchlight camera; repeatable",
    )
    parser.add_argument("--timeout", type=float, default=3.0, help="seconds to wait for answers (default 3)")
    return parser.parse_args(argv)


def _fail(message: str, code: int) -> int:
    print(f"porchlight-bridge: error: {message}", file=sys.stderr)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        assigned = {int(n): str(uuid.UUID(c)) for n, _sep, c in (a.partition("=") for a in args.assign)}
    except ValueError:
        return _fail("--assign takes N=<camera id from your bridge page>, e.g. 1=6f1c2a9e-…", EXIT_USAGE)
    password = os.environ.get(args.password_env, "") if args.password_env else ""
    if args.user and not args.password_env:
        if not sys.stdin.isatty():
            return _fail("no password: pass --password-env VARIABLE (no terminal to ask at)", EXIT_USAGE)
        import getpass

        password = getpass.getpass(f"Password of the cameras' user {args.user}: ")
    where = ", ".join(args.probe) if args.probe else "this network (multicast)"
    print(f"Looking for ONVIF cameras on {where} for {args.timeout:g} s…")
    try:
        cameras = probe(args.probe, timeout=args.timeout)
    except DiscoveryError as exc:
        return _fail(str(exc), EXIT_FAILED)
    if not cameras:
        return _fail(
            "no camera answered. Is ONVIF turned on in the camera's settings? On another subnet, "
            "name it: --probe 192.168.1.20",
            EXIT_FAILED,
        )
    streams: list[Stream] = []
    for camera in cameras:
        try:
            streams.extend(streams_of(camera, user=args.user, password=password, timeout=max(args.timeout, 5.0)))
        except DiscoveryError as exc:
            print(f"  {camera.label}: {exc}", file=sys.stderr)
    if not streams:
        return _fail("no camera gave its stream addresses (see above)", EXIT_FAILED)
    for number, stream in enumerate(streams, start=1):
        print(f"  {number}) {stream.describe()}  {stream.uri}")
    if not assigned:
        if not sys.stdin.isatty():
            return _fail("choose streams with --assign N=<camera id> (no terminal to ask at)", EXIT_USAGE)
        for number, stream in enumerate(streams, start=1):
            answer = input(f"Porchlight camera id for {number}) {stream.describe()} (Enter to skip): ").strip()
            if answer:
                try:
                    assigned[number] = str(uuid.UUID(answer))
                except ValueError:
                    print("  not a camera id (copy it from your bridge page); skipped", file=sys.stderr)
    wrong = sorted(n for n in assigned if not 1 <= n <= len(streams))
    if wrong:
        return _fail(f"there is no stream {wrong[0]} in the list (1 to {len(streams)})", EXIT_USAGE)
    if not assigned:
        print("Nothing chosen; bridge.toml unchanged.")
        return 0
    chosen = {camera: with_credentials(streams[n - 1].uri, args.user, password) for n, camera in assigned.items()}
    toml_add_cameras(Path(args.config), chosen)
    print(f"Added {len(chosen)} camera(s) to {args.config} (readable by this user only: it holds the password).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
