"""The stored compliance of a site under an ordinance that requires a live connection follows
its bridge: recomputed (through the outbox, after the commit) when a real bridge connects, when
it disconnects and when its heartbeat expires without a disconnect (a killed server process,
found by the beat sweep), never on a frame."""

import asyncio
import datetime as dt
import signal
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db.models import Q

from accounts.models import Role
from bridge.net import ws_connect
from cameras import services as camera_services
from compliance.models import ComplianceRecord, Ordinance, OrdinanceVersion
from compliance.rules import Requirement, Status
from live import presence
from live import services as live_services
from live.liveness import bridges_expired_sweep
from tenants.models import Department, DepartmentPolicy, OutboxMessage
from tests.factories import RIALTO_CONDITIONS, UserFactory, camera_make, ordinance_make, site_make
from tests.live.test_bridge_liveness import server
from tests.live.test_consumers import bridge, committed, frame, json_of

pytestmark = pytest.mark.django_db

__all__ = ["server"]  # the uvicorn fixture, for the killed-process test

REFRESH = "compliance.tasks.site_compliance_refresh"


@dataclass
class Covered:
    ordinance_id: int
    site_id: int
    camera_id: str
    bridge_token: str


def _covered() -> Covered:
    """A business covered by a live-connection ordinance of its own, with live consent and a
    bridge that is not connected yet (committed, so the consumers' threads see it)."""
    department = Department.objects.get(schema_name="rialto")
    policy = DepartmentPolicy.objects.get(department=department)
    version = ordinance_make(policy, RIALTO_CONDITIONS, name=f"Liveness test ordinance {uuid.uuid4().hex[:8]}")
    owner = UserFactory(role=Role.BUSINESS)
    site = site_make(owner, department, kind="business", constructed_on=dt.date(2024, 5, 1))
    camera = camera_make(owner, department, site=site)
    camera_services.consent_set(owner=owner, camera=camera, policy=policy, level="live")
    issued = live_services.bridge_create(owner=owner, site=site, name="NVR", cameras=[camera])
    return Covered(version.ordinance_id, site.pk, str(camera.public_id), issued.token)


@pytest.fixture
def covered() -> Iterator[Covered]:
    made: Covered = committed(_covered)
    yield made
    # Browser and other tests share Rialto: the ordinance must not cover their sites.
    committed(_ordinance_delete, made.ordinance_id)


def _ordinance_delete(ordinance_id: int) -> None:
    OrdinanceVersion.objects.filter(ordinance_id=ordinance_id).delete()  # its stored rows go with it
    Ordinance.objects.filter(pk=ordinance_id).delete()


def _stored(covered: Covered) -> ComplianceRecord:
    return committed(lambda: ComplianceRecord.objects.get(site_id=covered.site_id, ordinance_id=covered.ordinance_id))


def _refreshes_owed(covered: Covered) -> int:
    return committed(
        lambda: OutboxMessage.objects.filter(
            Q(task_name=REFRESH), Q(kwargs__site_ids__contains=[covered.site_id])
        ).count()
    )


async def _stored_becomes(covered: Covered, status: str, timeout: float = 10) -> ComplianceRecord:
    deadline = time.monotonic() + timeout
    record = await asyncio.to_thread(_stored, covered)
    while record.status != status and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
        record = await asyncio.to_thread(_stored, covered)
    return record


async def test_a_live_required_site_is_stored_compliant_while_its_bridge_is_connected_and_not_after_it_goes(
    covered: Covered,
) -> None:
    # given a site stored as not compliant: no bridge connected
    before = await asyncio.to_thread(_stored, covered)

    # when its bridge connects, goes away, and returns
    cam = bridge(covered.bridge_token)
    await cam.connect()
    await json_of(cam)  # hello
    while_connected = await _stored_becomes(covered, Status.COMPLIANT)
    await cam.disconnect()
    after_it_went = await _stored_becomes(covered, Status.NOT_COMPLIANT)
    again = bridge(covered.bridge_token)
    await again.connect()
    await json_of(again)
    when_it_returned = await _stored_becomes(covered, Status.COMPLIANT)
    await again.disconnect()

    # then the stored judgement followed each change
    assert (before.status, Requirement.LIVE_CONNECTION in before.unmet) == (Status.NOT_COMPLIANT, True)
    assert (while_connected.status, while_connected.unmet) == (Status.COMPLIANT, [])
    assert after_it_went.status == Status.NOT_COMPLIANT
    assert Requirement.LIVE_CONNECTION in after_it_went.unmet
    assert when_it_returned.status == Status.COMPLIANT


async def test_frames_and_a_second_connection_owe_no_recomputation(covered: Covered) -> None:
    cam = bridge(covered.bridge_token)
    await cam.connect()
    await json_of(cam)
    await _stored_becomes(covered, Status.COMPLIANT)
    owed = await asyncio.to_thread(_refreshes_owed, covered)

    second = bridge(covered.bridge_token)  # a restarted bridge overlapping its old process
    await second.connect()
    await json_of(second)
    for _ in range(5):
        await cam.send_to(bytes_data=frame(covered.camera_id))
    await second.disconnect()  # the first connection is still alive: nothing changed
    await asyncio.sleep(0.5)

    assert await asyncio.to_thread(_refreshes_owed, covered) == owed
    await cam.disconnect()
    await _stored_becomes(covered, Status.NOT_COMPLIANT)
    assert await asyncio.to_thread(_refreshes_owed, covered) == owed + 1


@pytest.mark.server
async def test_a_bridge_whose_server_process_was_killed_is_stored_not_compliant_after_the_sweep(
    covered: Covered, server: Any
) -> None:
    # given a bridge connected to a real server process, and the site stored compliant
    url = f"ws://rialto.localhost:{server.port}/ws/bridge/"
    ws = await ws_connect(url, additional_headers={"Authorization": f"Bearer {covered.bridge_token}"})
    await ws.recv()  # hello
    connected = await _stored_becomes(covered, Status.COMPLIANT)

    # when the process dies outright (no disconnect runs) and its heartbeat expires
    server.send_signal(signal.SIGKILL)
    server.wait(timeout=10)
    await asyncio.sleep(presence.bridge_alive_seconds() + 0.5)
    still = await asyncio.to_thread(_stored, covered)
    swept = committed(bridges_expired_sweep)
    after = await _stored_becomes(covered, Status.NOT_COMPLIANT)

    # then nothing changed until the sweep found it, and the sweep stored it not compliant
    assert connected.status == Status.COMPLIANT
    assert still.status == Status.COMPLIANT
    assert swept >= 1
    assert after.status == Status.NOT_COMPLIANT
    assert Requirement.LIVE_CONNECTION in after.unmet
    assert committed(bridges_expired_sweep) == 0  # told once
    ws.transport.abort()
