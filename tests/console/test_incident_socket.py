"""The console's incident feed (/ws/console/incidents/): staff of the department only, as the
console pages; an incident reaches its own department's consoles and never another's."""

import asyncio
import json
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django_tenants.utils import tenant_context

from accounts.models import Role, User
from accounts.services import user_deactivate
from audit.models import AccessEvent
from config.asgi import application
from console.consumers import CLOSE_ACCOUNT, CLOSE_DENIED, CLOSE_MFA_REQUIRED, CLOSE_UNAUTHENTICATED
from incidents.events import incidents_group
from incidents.models import Incident, Integration
from tenants.models import Department
from tests.factories import UserFactory, console_incident_make, console_integration_make, totp_enable

pytestmark = pytest.mark.django_db
DOC = Path(__file__).resolve().parents[2] / "docs" / "console-incidents.md"
PATH = "/ws/console/incidents/"
CONSOLE_INTEGRATION = "County CAD"  # tests.factories.console_integration_make's name


def committed(schema: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Run in the department's schema on another connection and commit, so consumers see it."""

    def run() -> Any:
        try:
            with tenant_context(Department.objects.get(schema_name=schema)):
                return fn(*args, **kwargs)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def _remove_committed_incidents() -> None:
    # These tests commit (the consumers read on other connections); other tests count incidents.
    Incident.objects.filter(integration__name=CONSOLE_INTEGRATION).delete()
    Integration.objects.filter(name=CONSOLE_INTEGRATION).delete()


@pytest.fixture(autouse=True)
def _committed_incidents_removed() -> Iterator[None]:
    yield
    for schema in ("rialto", "fontana"):
        committed(schema, _remove_committed_incidents)


def _session(role: str = Role.OFFICER, *, mfa: bool = True) -> tuple[int, str]:
    """A committed user of the current department and a signed-in session of theirs."""
    user = UserFactory(role=role, email=f"{role}-{uuid.uuid4().hex[:8]}@example.org")
    if role in (Role.OFFICER, Role.SUPERVISOR):
        totp_enable(user)
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = settings.AUTHENTICATION_BACKENDS[0]
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session["account_authentication_methods"] = [{"method": "password", "at": time.time()}] + (
        [{"method": "mfa", "at": time.time()}] if mfa else []
    )
    session.create()
    return user.pk, session.session_key or ""


def feed(host: str, session_key: str = "") -> WebsocketCommunicator:
    headers = [(b"host", f"{host}:8000".encode())]
    if session_key:
        headers.append((b"cookie", f"sessionid={session_key}".encode()))
    return WebsocketCommunicator(application, PATH, headers=headers)


async def opened(comm: WebsocketCommunicator) -> WebsocketCommunicator:
    connected, _ = await comm.connect(timeout=15)
    assert connected
    assert json.loads(await comm.receive_from(timeout=10)) == {"type": "ready"}
    return comm


async def close_code(comm: WebsocketCommunicator, within: float = 10) -> int:
    while True:
        message = await comm.receive_output(timeout=within)
        if message["type"] == "websocket.close":
            return int(message.get("code", 1000))


async def incident_of(comm: WebsocketCommunicator, public_id: str, within: float = 10) -> dict[str, Any]:
    while True:
        message = json.loads(await comm.receive_from(timeout=within))
        if message["type"] == "incident" and message["incident"]["id"] == public_id:
            return dict(message["incident"])


def _denials(schema: str) -> int:
    return int(committed(schema, lambda: AccessEvent.objects.filter(action="console_denied").count()))


async def test_an_incident_made_in_rialto_reaches_a_rialto_console_with_its_facts() -> None:
    _, key = committed("rialto", _session)
    console = await opened(feed("rialto.localhost", key))

    incident = committed(
        "rialto",
        console_incident_make,
        incident_type="Shots fired",
        priority="1",
        address="100 N Riverside Ave",
        case_number="RPD-26-1234",
        lon=-117.37,
        lat=34.105,
    )
    got = await incident_of(console, str(incident.public_id))

    assert got["type"] == "Shots fired"
    assert (got["priority"], got["address"], got["case_number"]) == ("1", "100 N Riverside Ave", "RPD-26-1234")
    assert got["point"] == [-117.37, 34.105]
    assert (got["status"], got["source_kind"]) == ("open", "cad")
    assert got["time"] == incident.occurred_at.isoformat()
    assert got["url"] == f"/console/incidents/{incident.public_id}/"
    await console.disconnect()


async def test_an_incident_made_in_rialto_never_reaches_a_fontana_console() -> None:
    _, rialto_key = committed("rialto", _session)
    _, fontana_key = committed("fontana", _session)
    rialto_console = await opened(feed("rialto.localhost", rialto_key))
    fontana_console = await opened(feed("fontana.localhost", fontana_key))

    rialto_incident = committed("rialto", console_incident_make, incident_type="Burglary")
    fontana_incident = committed("fontana", console_incident_make, incident_type="Alarm")
    # Fontana's console hears its own incident, made after Rialto's: had Rialto's reached it,
    # it would have come first.
    first_in_fontana = json.loads(await fontana_console.receive_from(timeout=10))

    assert (await incident_of(rialto_console, str(rialto_incident.public_id)))["type"] == "Burglary"
    assert first_in_fontana["incident"]["id"] == str(fontana_incident.public_id)
    assert await fontana_console.receive_nothing(timeout=0.5)
    await rialto_console.disconnect()
    await fontana_console.disconnect()


async def test_a_rialto_session_on_fontanas_host_is_not_signed_in_there() -> None:
    _, rialto_key = committed("rialto", _session)

    refused = feed("fontana.localhost", rialto_key)
    connected, _ = await refused.connect(timeout=15)

    assert connected
    assert await close_code(refused) == CLOSE_UNAUTHENTICATED


async def test_an_anonymous_socket_is_closed_as_not_signed_in() -> None:
    anonymous = feed("rialto.localhost")
    await anonymous.connect(timeout=15)

    assert await close_code(anonymous) == CLOSE_UNAUTHENTICATED


@pytest.mark.parametrize(
    ("role", "mfa", "code"),
    [
        (Role.RESIDENT, True, CLOSE_DENIED),
        (Role.OVERSIGHT, True, CLOSE_DENIED),
        (Role.OFFICER, False, CLOSE_MFA_REQUIRED),
    ],
)
async def test_a_socket_refused_to_anyone_but_an_officer_past_mfa_is_logged_as_a_refused_console_page(
    role: str, mfa: bool, code: int
) -> None:
    _, key = committed("rialto", _session, role, mfa=mfa)
    before = _denials("rialto")

    refused = feed("rialto.localhost", key)
    await refused.connect(timeout=15)

    assert await close_code(refused) == code
    assert _denials("rialto") == before + 1
    event = committed("rialto", lambda: AccessEvent.objects.filter(action="console_denied").order_by("-seq").first())
    assert event.details["path"] == PATH


async def test_a_refused_socket_hears_no_incident() -> None:
    _, key = committed("rialto", _session, Role.RESIDENT)
    refused = feed("rialto.localhost", key)
    await refused.connect(timeout=15)
    await close_code(refused)

    committed("rialto", console_incident_make)

    assert await refused.receive_nothing(timeout=0.5)


async def test_deactivating_the_officer_closes_the_socket_at_once() -> None:
    officer_id, key = committed("rialto", _session)
    console = await opened(feed("rialto.localhost", key))
    admin_id, _ = committed("rialto", _session, Role.DEPT_ADMIN)

    committed(
        "rialto",
        lambda: user_deactivate(actor=User.objects.get(pk=admin_id), user=User.objects.get(pk=officer_id)),
    )

    assert await close_code(console, within=5) == CLOSE_ACCOUNT


async def test_every_console_of_a_process_ends_on_the_latest_change_of_an_incident() -> None:
    keys = [committed("rialto", _session)[1] for _ in range(3)]
    consoles = [await opened(feed("rialto.localhost", key)) for key in keys]
    incident = committed("rialto", console_incident_make, priority="3")

    from incidents.models import Incident
    from incidents.services import IncidentFacts, incident_upsert

    def _update() -> None:
        row = Incident.objects.select_related("integration").get(pk=incident.pk)
        incident_upsert(
            integration=row.integration,  # type: ignore[arg-type]
            facts=IncidentFacts(
                external_id=row.external_id, occurred_at=row.occurred_at, location=row.location, priority="1"
            ),
        )

    committed("rialto", _update)
    seen = []
    for console in consoles:
        priorities = [(await incident_of(console, str(incident.public_id)))["priority"]]
        while not await console.receive_nothing(timeout=1):
            priorities.append((await incident_of(console, str(incident.public_id)))["priority"])
        seen.append(priorities)

    # The create and the update arrive as two messages or, read together, as one (the latest);
    # never the older state after the newer.
    for priorities in seen:
        assert priorities[-1] == "1"
        assert "3" not in priorities[priorities.index("1") :]
    for console in consoles:
        await console.disconnect()
    await asyncio.sleep(0)


def _deliveries_accepted(count: int) -> list[int]:
    """``count`` deliveries of one integration, accepted in one commit (their tasks not run)."""
    from django.db import transaction
    from django.utils import timezone

    from incidents.intake import delivery_accept

    integration = console_integration_make()
    with transaction.atomic():
        return [
            delivery_accept(
                integration=integration,
                signature=uuid.uuid4().hex * 2,
                signed_at=timezone.now(),
                body={
                    "id": f"BATCH-{n}-{uuid.uuid4().hex[:6]}",
                    "occurred_at": timezone.now().isoformat(),
                    "location": {"lat": 34.1, "lon": -117.38},
                },
            ).pk
            for n in range(count)
        ]


async def test_deliveries_processed_in_one_batch_each_reach_the_console(not_eager: None) -> None:
    from config.celery import app
    from incidents.tasks import delivery_process

    _, key = committed("rialto", _session)
    console = await opened(feed("rialto.localhost", key))
    delivery_ids = committed("rialto", _deliveries_accepted, 3)
    app.control.purge()

    committed("rialto", delivery_process, delivery_id=delivery_ids[0])
    made = committed(
        "rialto", lambda: list(Incident.objects.filter(deliveries__in=delivery_ids).values_list("public_id", flat=True))
    )

    heard: set[str] = set()
    while len(heard) < 3:
        message = json.loads(await console.receive_from(timeout=10))
        heard.add(message["incident"]["id"])

    assert heard == {str(public_id) for public_id in made}
    await console.disconnect()


async def _members(group: str) -> int:
    """How many channels of this process the channel layer holds in ``group``: the pub/sub
    layer keeps a process's memberships in the process, one Redis subscription for them all."""
    layer = get_channel_layer()._get_layer()  # this event loop's RedisPubSubLoopLayer
    return len(layer.groups.get(layer._get_group_channel_name(group), ()))


async def test_the_consoles_of_one_process_share_one_membership_of_the_incidents_group() -> None:
    keys = [committed("rialto", _session)[1] for _ in range(3)]
    before = await _members(incidents_group("rialto"))

    consoles = [await opened(feed("rialto.localhost", key)) for key in keys]
    during = await _members(incidents_group("rialto"))
    for console in consoles:
        await console.disconnect()
    after = await _members(incidents_group("rialto"))

    assert (during - before, after - before) == (1, 0)


def test_every_close_code_of_the_feed_is_documented() -> None:
    documented = DOC.read_text()

    for code in (CLOSE_UNAUTHENTICATED, CLOSE_DENIED, CLOSE_MFA_REQUIRED, CLOSE_ACCOUNT):
        assert f"| {code} |" in documented
