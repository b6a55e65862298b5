"""Pairing a bridge with a one-time code on /ws/bridge/pair/ (live.pairing, issue 19): the code
gives the bridge a new token once, within its lifetime, in its own department only; only the
bridge's owner makes codes; guessing is limited; the code is stored only as a keyed digest."""

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Role
from bridge import protocol
from config.asgi import application
from live import pairing
from live.models import Bridge, BridgePairing
from live.services import bridge_authenticate
from tests.conftest import TenantClient
from tests.factories import UserFactory
from tests.live.test_consumers import Communicator, Scene, _scene, bridge, committed, json_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene() -> Scene:
    return committed(_scene)


def _owner(scene: Scene) -> Any:
    from accounts.models import User

    return User.objects.get(pk=scene.owner_id)


def _issue(scene: Scene) -> pairing.IssuedPairing:
    issued: pairing.IssuedPairing = committed(
        lambda: pairing.bridge_pairing_issue(owner=_owner(scene), bridge_public_id=scene.bridge_id)
    )
    return issued


def _pair(host: str = "rialto.localhost", ip: str = "198.51.100.7") -> Communicator:
    comm = Communicator(application, "/ws/bridge/pair/", headers=[(b"host", f"{host}:8000".encode())])
    comm.scope["client"] = (ip, 50000)
    return comm


async def _try(code: str, **where: str) -> tuple[dict[str, Any] | None, int, str]:
    """(the paired message or None, close code, close reason) for one attempt."""
    comm = _pair(**where)
    await comm.connect()
    await comm.send_json_to({"type": "pair", "code": code, "name": "porch-pi"})
    paired = None
    while True:
        message = await comm.receive_output(timeout=10)
        if message["type"] == "websocket.send":
            paired = json.loads(message["text"])
        elif message["type"] == "websocket.close":
            return paired, int(message.get("code", 1000)), str(message.get("reason", ""))


async def test_a_code_gives_the_bridge_a_new_token_and_the_old_one_stops_working(scene: Scene) -> None:
    issued = _issue(scene)

    paired, code, _ = await _try(pairing.code_display(issued.code))

    assert code == 1000
    assert paired is not None
    assert paired["type"] == protocol.PAIRED
    assert paired["bridge"] == scene.bridge_id
    assert [c["id"] for c in paired["cameras"]] == [scene.camera_id]
    new = bridge(paired["token"])
    await new.connect()
    assert (await json_of(new))["type"] == protocol.HELLO
    await new.disconnect()
    assert committed(lambda: bridge_authenticate(raw_token=scene.bridge_token)) is None


async def test_a_code_typed_in_lower_case_without_its_dash_works(scene: Scene) -> None:
    issued = _issue(scene)

    _, code, _ = await _try(issued.code.lower())

    assert code == 1000


async def test_a_code_works_once(scene: Scene) -> None:
    issued = _issue(scene)
    await _try(issued.code)

    paired, code, reason = await _try(issued.code)

    assert paired is None
    assert code == protocol.CLOSE_PAIR_USED
    assert "used already" in reason


async def test_an_expired_code_is_refused_and_says_so(scene: Scene, settings: Any) -> None:
    issued = _issue(scene)
    committed(
        lambda: BridgePairing.objects.filter(bridge__public_id=scene.bridge_id).update(
            expires_at=timezone.now() - dt.timedelta(seconds=1)
        )
    )

    paired, code, reason = await _try(issued.code)

    assert paired is None
    assert code == protocol.CLOSE_PAIR_EXPIRED
    assert "expired" in reason
    assert committed(lambda: bridge_authenticate(raw_token=scene.bridge_token)) is not None


async def test_a_new_code_ends_the_previous_one(scene: Scene) -> None:
    first = _issue(scene)
    _issue(scene)

    _, code, _ = await _try(first.code)

    assert code == protocol.CLOSE_PAIR_EXPIRED


async def test_a_disconnected_bridges_code_no_longer_pairs(scene: Scene) -> None:
    from live.services import bridge_revoke

    issued = _issue(scene)
    committed(lambda: bridge_revoke(owner=_owner(scene), bridge=Bridge.objects.get(public_id=scene.bridge_id)))

    paired, code, _ = await _try(issued.code)

    assert paired is None
    assert code == protocol.CLOSE_PAIR_USED


async def test_a_rialto_code_means_nothing_at_fontana(scene: Scene) -> None:
    issued = _issue(scene)

    paired, code, reason = await _try(issued.code, host="fontana.localhost")

    assert paired is None
    assert code == protocol.CLOSE_PAIR_UNKNOWN
    assert "department that made it" in reason
    _, at_home, _ = await _try(issued.code)  # and it still works where it was made
    assert at_home == 1000


async def test_guessing_is_closed_with_4431_before_any_lookup(scene: Scene, settings: Any) -> None:
    settings.PORCHLIGHT_RATE_LIMITS = {**settings.PORCHLIGHT_RATE_LIMITS, "bridge_pair": "3/15m/ip,100/h/key"}
    issued = _issue(scene)

    answers = [(await _try(f"BBBB-BBB{c}", ip="198.51.100.99"))[1] for c in "BCD"]
    _, code, reason = await _try(issued.code, ip="198.51.100.99")
    _, elsewhere, _ = await _try(issued.code, ip="198.51.100.100")

    assert answers == [protocol.CLOSE_PAIR_UNKNOWN] * 3
    assert code == protocol.CLOSE_TOO_MANY_ATTEMPTS
    assert reason.startswith("too many pairing attempts; retry after ")
    assert elsewhere == 1000  # another address is not limited by this one's guesses


@pytest.mark.parametrize("text", ["not json", '{"type": "pair"}', '{"type": "hello", "code": "X"}', "[1]"])
async def test_a_malformed_message_is_closed_with_4408(scene: Scene, text: str) -> None:
    comm = _pair()
    await comm.connect()

    await comm.send_to(text_data=text)
    message = await comm.receive_output(timeout=10)

    assert message == {"type": "websocket.close", "code": protocol.CLOSE_MALFORMED, "reason": message["reason"]}


def test_the_code_is_stored_only_as_a_keyed_digest(scene: Scene) -> None:
    issued = _issue(scene)

    row = committed(lambda: BridgePairing.objects.values().get(bridge__public_id=scene.bridge_id))

    assert issued.code not in str(row)
    assert re.fullmatch(r"[0-9a-f]{64}", row["code_digest"])
    assert abs((row["expires_at"] - row["created_at"]).total_seconds() - 900) < 1
    assert set(issued.code) <= set(protocol.PAIR_ALPHABET)
    assert len(issued.code) == 8


def test_the_owner_sees_a_code_and_its_qr_code_on_the_bridge_page(scene: Scene, in_rialto: Any) -> None:
    client = TenantClient("rialto.localhost")
    client.force_login(committed(lambda: _owner(scene)))

    page = client.post("/my/bridges/", {"pair": scene.bridge_id}).content.decode()

    shown = re.search(r'<code id="pairing-code">([2-9A-Z]{4}-[2-9A-Z]{4})</code>', page)
    assert shown is not None
    assert re.search(r'<div class="pairing-qr"><svg [^>]*role="img"', page)
    assert f"--code {shown.group(1)}" in page


def test_another_owner_cannot_make_a_code_for_a_bridge(scene: Scene, in_rialto: Any) -> None:
    client = TenantClient("rialto.localhost")
    client.force_login(committed(lambda: UserFactory(role=Role.RESIDENT)))

    response = client.post("/my/bridges/", {"pair": scene.bridge_id})

    assert response.status_code == 404
    assert committed(lambda: BridgePairing.objects.filter(bridge__public_id=scene.bridge_id).count()) == 0


async def test_every_attempt_is_logged_with_its_outcome_and_never_the_code(
    scene: Scene, caplog: pytest.LogCaptureFixture
) -> None:
    issued = _issue(scene)
    caplog.set_level("INFO", logger="porchlight.live")

    await _try("BBBB-BBBB", ip="198.51.100.44")
    await _try(issued.code, ip="198.51.100.44")

    records = [r for r in caplog.records if r.getMessage() in ("bridge paired", "bridge pairing refused")]
    assert [(r.getMessage(), getattr(r, "refusal", None)) for r in records] == [
        ("bridge pairing refused", "unknown"),
        ("bridge paired", None),
    ]
    assert all(getattr(r, "ip", None) == "198.51.100.44" for r in records)
    assert issued.code not in caplog.text
    assert "BBBBBBBB" not in caplog.text
