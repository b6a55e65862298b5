"""`seed_demo` (run by `make run`) is idempotent: running it twice creates nothing twice."""

import datetime as dt
import itertools
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

from allauth.mfa.models import Authenticator
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import User
from audit.checkpoints import consistency_proof
from audit.models import AccessEvent, AnomalyFlag, SignedCheckpoint
from audit.rollups import rollup_scan_day, rollup_scan_month, rollup_stored_day, rollup_stored_month
from audit.selectors import guard_triggers_weakened
from audit.verify import chain_verify
from compliance.models import OrdinanceVersion
from incidents.models import Incident, Integration
from places.models import AddressPoint, PoliceArea
from places.readers import AddressIn
from places.selectors import addresses_search
from places.services import address_points_upsert
from portal.management.commands.seed_demo import (
    DEMO_HISTORY_MONTHS,
    DEMO_INTEGRATION_NAME,
    DEMO_ORDINANCE_NAME,
    DEMO_USER_AGENT,
)
from tenants.models import Department, Domain
from tools.porchlight_witness import consistency_valid


def proof(first: SignedCheckpoint, second: SignedCheckpoint) -> list[bytes]:
    return consistency_proof(first.tree_size, second.tree_size)


def _counts(departments: list[Department]) -> dict[str, int]:
    counts = {"departments": Department.objects.count(), "domains": Domain.objects.count()}
    for department in departments:
        with tenant_context(department):
            counts[f"{department.schema_name}.users"] = User.objects.count()
            counts[f"{department.schema_name}.authenticators"] = Authenticator.objects.count()
            counts[f"{department.schema_name}.addresses"] = AddressPoint.objects.count()
            counts[f"{department.schema_name}.beats"] = PoliceArea.objects.count()
            # The demo's own (browser tests commit ordinances of their own into Rialto for the session).
            counts[f"{department.schema_name}.ordinance_versions"] = OrdinanceVersion.objects.filter(
                ordinance__name=DEMO_ORDINANCE_NAME
            ).count()
            # The demo's CAD integration and its open incidents (the console's map shows them).
            counts[f"{department.schema_name}.integrations"] = Integration.objects.filter(
                name=DEMO_INTEGRATION_NAME
            ).count()
            counts[f"{department.schema_name}.incidents"] = Incident.objects.filter(
                integration__name=DEMO_INTEGRATION_NAME, status="open"
            ).count()
            # The demo's police accesses (the board's pages and the public page show them).
            counts[f"{department.schema_name}.events"] = AccessEvent.objects.filter(user_agent=DEMO_USER_AGENT).count()
    return counts


def test_seed_demo_twice_creates_nothing_twice_prints_its_port_and_loads_the_addresses(
    rialto: Any, fontana: Any, rialto_client: Any
) -> None:
    """One test for what a run of seed_demo does (each run takes seconds; CI runs it twice)."""
    with tenant_context(rialto):  # an address typed in before does not stop the demo's from loading
        address_points_upsert(
            points=[AddressIn(number="1", street="Cedar Ave", unit="", city="", postcode="", lon=-117.4, lat=34.1)]
        )
    out = StringIO()
    with override_settings(PORCHLIGHT_PORT=8123):
        call_command("seed_demo", stdout=out)
    first = _counts([rialto, fontana])

    call_command("seed_demo", stdout=StringIO())

    assert _counts([rialto, fontana]) == first
    assert first["rialto.authenticators"] >= 8  # TOTP + recovery codes for four staff roles
    assert first["rialto.beats"] >= 4  # the dashboard's figures by police area have areas to show
    assert (first["rialto.integrations"], first["rialto.incidents"]) == (1, 3)
    assert (first["fontana.integrations"], first["fontana.incidents"]) == (1, 3)
    assert "officer@rialto.example.org" in out.getvalue()
    assert "TOTP" in out.getvalue()
    # the URLs printed are those of the configured port (make run's PORCHLIGHT_PORT)
    printed = out.getvalue()
    assert "http://localhost:8123/" in printed
    assert "http://rialto.localhost:8123/" in printed
    assert "http://fontana.localhost:8123/" in printed
    assert ":8000" not in printed
    # Rialto's demo ordinance: new or remodelled businesses allow live view through a bridge
    assert (first["rialto.ordinance_versions"], first["fontana.ordinance_versions"]) == (1, 0)
    with tenant_context(rialto):
        version = OrdinanceVersion.objects.get(ordinance__name=DEMO_ORDINANCE_NAME)
    assert (version.property_kinds, version.min_consent, version.live_connection_required) == (
        ["business"],
        "live",
        True,
    )
    # a few hundred police accesses through the gate: the board's pages are not empty, the chain holds
    assert first["rialto.events"] >= 100
    assert first["fontana.events"] >= 20
    with tenant_context(rialto):
        demo = AccessEvent.objects.filter(user_agent=DEMO_USER_AGENT)
        actions = set(demo.values_list("action", flat=True))
        denied = demo.filter(outcome="denied").count()
        rules = set(AnomalyFlag.objects.values_list("rule", flat=True))
        report = chain_verify()
        checkpointed = SignedCheckpoint.objects.exists()
    assert {"purpose_declare", "search", "camera_view", "live_start", "live_end", "footage_request"} <= actions
    assert 3 <= denied <= first["rialto.events"] // 5
    assert {"vague_purpose", "denials_then_success"} <= rules
    assert report.ok, report.sentence()
    assert checkpointed
    # months of history before this one, written through the gate at their own times: the chain
    # holds (above), the rollups counted by the log's trigger equal a scan, the weekly checkpoints
    # each extend the last, the chain trigger is the migrations' again, and the public page, which
    # publishes finished months only, shows the last month's figures
    with tenant_context(rialto):
        this_month = timezone.localdate(timezone=ZoneInfo(rialto.time_zone)).replace(day=1)
        start = dt.datetime.combine(this_month, dt.time(), ZoneInfo(rialto.time_zone))
        past = AccessEvent.objects.filter(user_agent=DEMO_USER_AGENT, occurred_at__lt=start)
        past_count = past.count()
        zone = ZoneInfo(rialto.time_zone)  # the department's months, as the public page counts them
        months = {
            (e.astimezone(zone).year, e.astimezone(zone).month) for e in past.values_list("occurred_at", flat=True)
        }
        in_order = list(demo.order_by("seq").values_list("occurred_at", flat=True))
        rollups_equal = (rollup_scan_day(), rollup_scan_month()) == (rollup_stored_day(), rollup_stored_month())
        checkpoints = list(SignedCheckpoint.objects.order_by("pk"))
        consistent = all(
            consistency_valid(a.tree_size, b.tree_size, bytes(a.root_hash), bytes(b.root_hash), proof(a, b))
            for a, b in itertools.pairwise(checkpoints)
            if 0 < a.tree_size < b.tree_size
        )
        weakened = guard_triggers_weakened()
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname = 'audit_accessevent_chain_demo'")
            demo_triggers = cursor.fetchone()[0]
    assert past_count >= 300
    assert len(months) == DEMO_HISTORY_MONTHS
    assert in_order == sorted(in_order)
    assert rollups_equal
    assert len(checkpoints) >= 4 * DEMO_HISTORY_MONTHS
    assert consistent
    assert (weakened, demo_triggers) == ([], 0)
    public = rialto_client.get("/transparency.json").json()
    last_month = (this_month - dt.timedelta(days=1)).month
    assert isinstance(public["accesses_by_month"][last_month - 1], int)
    assert public["accesses_by_month"][last_month - 1] >= 50
    assert isinstance(public["footage_requests"]["cameras_asked"], int)
    # each department's addresses are loaded, so the demo works offline
    with tenant_context(rialto):
        corner = addresses_search(query="Riverside Ave & Baseline Rd")
        spanish = addresses_search(query="calle penasco", limit=1)
    with tenant_context(fontana):
        fontana_corner = addresses_search(query="Sierra Ave & Foothill Blvd")
    assert [match.kind for match in corner] == ["intersection"]
    assert "Calle Peñasco" in spanish[0].label
    assert [match.kind for match in fontana_corner] == ["intersection"]
