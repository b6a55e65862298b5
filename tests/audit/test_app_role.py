"""The serving processes' database role (trust checklist B1, B2; docs/database-roles.md).

The server, workers and beat connect as the app role (settings.PORCHLIGHT_DB_APP_ROLE): no
superuser, no BYPASSRLS, owning nothing, so it can neither switch the access log's triggers off
nor rewrite it. These tests log in as that role for real (psycopg, and a uvicorn process), and
run the serving code as it (SET ROLE inside the test's transaction, so a department provisioned
by the owner in the same test is rolled back with it)."""

import datetime as dt
import os
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import psycopg
import pytest
from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import Role, User
from accounts.onboarding import department_create
from audit.anomalies import FlagIn, anomaly_flags_accumulate, anomaly_flags_add, anomaly_review_add
from audit.models import (
    AccessEvent,
    AnomalyFlag,
    ChainVerification,
    DayRollup,
    HourRollup,
    MonthRollup,
    SignedCheckpoint,
)
from audit.rollups import (
    department_time_zone,
    rollup_scan_day,
    rollup_scan_hour,
    rollup_scan_month,
    rollup_stored_day,
    rollup_stored_hour,
    rollup_stored_month,
)
from audit.services import ActorSnapshot, EventFacts, PurposeSnapshot, access_event_record
from audit.tasks import chain_verify_and_alert, log_checkpoint
from cameras.models import Camera
from cameras.tasks import area_rollups_catch_up_task
from tenants.db_grants import AUDIT
from tenants.demo import DEMO_DEPARTMENTS
from tenants.models import Department
from tests.conftest import (
    INVITED_PK,
    SHARED_PK,
    UVICORN,
    CommittedUser,
    TenantClient,
    free_port,
    login_with_mfa,
    subprocess_database_url,
)
from tests.tenancy import connection

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
ROLE = settings.PORCHLIGHT_DB_APP_ROLE
SCHEMAS = [spec["schema"] for spec in DEMO_DEPARTMENTS]
ACTOR = ActorSnapshot(user_id=7, label="Officer Test", badge="4711", role="officer", mfa=True, ip="10.0.0.1")
AREA = {"lat": "34.10", "lon": "-117.38", "radius_m": "300", "mode": "pin"}


def app_url() -> str:
    """The test database's URL as the app role (its password from DATABASE_APP_URL, if any)."""
    password = urlsplit(os.environ.get("DATABASE_APP_URL", "")).password
    owner = urlsplit(subprocess_database_url())
    auth = ROLE + (f":{password}" if password else "")
    return f"postgres://{auth}@{owner.hostname}:{owner.port}{owner.path}"


@contextmanager
def as_app_role() -> Iterator[None]:
    """The test's connection as the app role (SET ROLE: privileges, ownership and superuser
    checks are the role's) until the block ends."""
    with connection.cursor() as cursor:
        cursor.execute(f'SET ROLE "{ROLE}"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


def refused(sql: str, params: list[Any] | None = None) -> str:
    """The error ``sql`` raises on the test's connection (inside a savepoint), or fail."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError as exc:
        return str(exc)
    pytest.fail(f"not refused: {sql}")


# --- B2: what the role is ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_app_role_is_no_superuser_bypasses_no_row_security_and_owns_nothing() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT oid, rolsuper, rolbypassrls, rolcreatedb, rolcreaterole, rolreplication, rolcanlogin "
            "FROM pg_roles WHERE rolname = %s",
            [ROLE],
        )
        row = cursor.fetchone()
        assert row is not None, f"no role {ROLE}"
        oid, *attributes = row
        assert attributes == [False, False, False, False, False, True]
        owned = {}
        for catalog, column in (
            ("pg_class", "relowner"),
            ("pg_namespace", "nspowner"),
            ("pg_proc", "proowner"),
            ("pg_type", "typowner"),
        ):
            cursor.execute(f"SELECT count(*) FROM {catalog} WHERE {column} = %s", [oid])  # noqa: S608 (constants)
            owned[catalog] = cursor.fetchone()[0]
        # Nor may it become a role that owns them (SET ROLE, or inherit its privileges).
        cursor.execute("SELECT count(*) FROM pg_auth_members WHERE member = %s", [oid])
        owned["memberships"] = cursor.fetchone()[0]
    assert owned == {"pg_class": 0, "pg_namespace": 0, "pg_proc": 0, "pg_type": 0, "memberships": 0}


@pytest.mark.parametrize("schema", SCHEMAS)
def test_the_app_role_may_only_read_and_append_to_the_log(schema: str) -> None:
    privileges = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
    with connection.cursor() as cursor:
        held = {}
        for table in sorted(AUDIT):
            cursor.execute(
                "SELECT " + ", ".join(["has_table_privilege(%s, %s, %s)"] * len(privileges)),
                [value for privilege in privileges for value in (ROLE, f"{schema}.{table}", privilege)],
            )
            held[table] = {p for p, has in zip(privileges, cursor.fetchone(), strict=True) if has}
        cursor.execute("SELECT has_column_privilege(%s, %s, 'seqs', 'UPDATE')", [ROLE, f"{schema}.audit_anomalyflag"])
        flag_seqs = cursor.fetchone()[0]

    assert held == {
        "audit_accessevent": {"SELECT", "INSERT"},
        "audit_anomalyflag": {"SELECT", "INSERT"},  # and UPDATE of seqs alone:
        "audit_anomalyreview": {"SELECT", "INSERT"},
        "audit_chainverification": {"SELECT", "INSERT"},
        "audit_logfailure": {"SELECT", "INSERT"},
        "audit_logfailureresolution": {"SELECT", "INSERT"},
        "audit_merklenode": {"SELECT", "INSERT", "DELETE"},
        "audit_signedcheckpoint": {"SELECT", "INSERT"},
    }
    assert flag_seqs


# --- B1: what it cannot do to the log, logged in as itself ------------------------------------


@pytest.fixture
def app_connection(django_db_setup: None) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(app_url()) as conn:
        assert conn.execute("SELECT current_user, session_user").fetchone() == (ROLE, ROLE)
        yield conn
        conn.rollback()


def _refused_to_app(conn: psycopg.Connection[Any], schema: str, sql: str) -> str:
    try:
        conn.execute(f'SET search_path TO "{schema}", public')
        conn.execute(sql)
    except psycopg.Error as exc:
        return str(exc)
    finally:
        conn.rollback()
    pytest.fail(f"the app role was not refused: {sql} in {schema}")


@pytest.mark.parametrize("schema", SCHEMAS)
@pytest.mark.parametrize("table", sorted(AUDIT))
def test_the_app_role_can_neither_update_truncate_nor_switch_off_the_triggers_of_a_log_table(
    app_connection: psycopg.Connection[Any], schema: str, table: str
) -> None:
    # audit_anomalyflag's one grant beyond INSERT is UPDATE of seqs (the engine's), which its
    # trigger holds to growing the events of a flag not yet reviewed (tests below).
    column = {"audit_anomalyflag": "key", "audit_merklenode": "position"}.get(table, "id")
    errors = {
        "update": _refused_to_app(app_connection, schema, f"UPDATE {table} SET {column} = {column}"),  # noqa: S608
        "truncate": _refused_to_app(app_connection, schema, f"TRUNCATE {table}"),
        "disable trigger": _refused_to_app(app_connection, schema, f"ALTER TABLE {table} DISABLE TRIGGER USER"),
        "drop": _refused_to_app(app_connection, schema, f"DROP TABLE {table}"),
    }

    assert all("permission denied" in e or "must be owner" in e for e in errors.values()), errors


@pytest.mark.parametrize("schema", SCHEMAS)
@pytest.mark.parametrize("table", sorted(set(AUDIT) - {"audit_merklenode"}))
def test_the_app_role_cannot_delete_from_a_log_table(
    app_connection: psycopg.Connection[Any], schema: str, table: str
) -> None:
    error = _refused_to_app(app_connection, schema, f"DELETE FROM {table}")  # noqa: S608

    assert "permission denied" in error


def test_the_app_role_may_delete_only_the_merkle_tree_the_events_rebuild(
    app_connection: psycopg.Connection[Any],
) -> None:
    # audit.checkpoints.tree_grow deletes the tree when the events no longer match it and
    # rebuilds it from them; the signed checkpoints (append-only) keep what it was.
    app_connection.execute('SET search_path TO "rialto", public')
    app_connection.execute("DELETE FROM audit_merklenode")
    app_connection.rollback()
    assert "permission denied" in _refused_to_app(app_connection, "rialto", "UPDATE audit_merklenode SET hash = hash")


def test_the_app_role_cannot_create_in_any_schema_it_uses(app_connection: psycopg.Connection[Any]) -> None:
    for schema in ["public", *SCHEMAS]:
        error = _refused_to_app(app_connection, schema, f'CREATE TABLE "{schema}".mine (id int)')
        assert "permission denied" in error, schema


# --- The anomaly queue's flags: append-only, but for the engine's one change ------------------


@pytest.fixture
def flags(in_rialto: Department) -> list[AnomalyFlag]:
    from tests.audit.tampering import anomaly_queue_emptied

    anomaly_queue_emptied()
    now = timezone.now()
    anomaly_flags_add(
        flags=[
            FlagIn("off_hours", "1", [1], now, 7, "Officer Seven", "7", {"time": "03:00"}),
            FlagIn("vague_purpose", "7:C-1:follow up", [2], now - dt.timedelta(hours=1), 7, "Officer Seven", "7", {}),
        ]
    )
    return list(AnomalyFlag.objects.order_by("pk"))


def test_a_flag_is_neither_deleted_nor_changed_nor_truncated_even_by_its_owner(flags: list[AnomalyFlag]) -> None:
    flag = flags[0]
    errors = [
        refused("DELETE FROM audit_anomalyflag WHERE id = %s", [flag.pk]),
        refused("UPDATE audit_anomalyflag SET officer_label = 'someone else' WHERE id = %s", [flag.pk]),
        refused("UPDATE audit_anomalyflag SET occurred_at = occurred_at - interval '1 day' WHERE id = %s", [flag.pk]),
        refused("UPDATE audit_anomalyflag SET seqs = '{}' WHERE id = %s", [flag.pk]),  # an event dropped
    ]
    # CASCADE: the reviews' foreign key is checked first; their own trigger may answer first.
    truncated = refused("TRUNCATE audit_anomalyflag CASCADE")

    assert all("audit_anomalyflag is append-only" in error for error in errors), errors
    assert "is append-only: TRUNCATE is not allowed" in truncated
    with pytest.raises(ValueError, match="never deleted"):
        flag.delete()
    flag.officer_label = "someone else"
    with pytest.raises(ValueError, match="never changed"):
        flag.save()
    assert AnomalyFlag.objects.get(pk=flag.pk).officer_label == "Officer Seven"


def test_a_flags_events_grow_until_the_board_reviews_it_and_not_after(flags: list[AnomalyFlag]) -> None:
    vague = flags[1]
    now = timezone.now()
    later = FlagIn("vague_purpose", "7:C-1:follow up", [5], now, 7, "Officer Seven", "7", {})

    assert anomaly_flags_accumulate(flags=[later]) == 0  # joined the open flag
    assert AnomalyFlag.objects.get(pk=vague.pk).seqs == [2, 5]

    anomaly_review_add(flag_id=vague.pk, note="Looked at it.", actor=ACTOR)
    error = refused("UPDATE audit_anomalyflag SET seqs = seqs || 9::bigint WHERE id = %s", [vague.pk])

    assert "only the events of a flag not yet reviewed may grow" in error
    # The engine makes a new flag for the subject instead (audit.anomalies).
    again = FlagIn("vague_purpose", "7:C-1:follow up", [9], now, 7, "Officer Seven", "7", {})
    assert anomaly_flags_accumulate(flags=[again]) == 1
    assert AnomalyFlag.objects.get(pk=vague.pk).seqs == [2, 5]


# --- The serving code, run as the app role ----------------------------------------------------


def _log_tables_refused() -> list[str]:
    return [
        refused("UPDATE audit_accessevent SET reason = reason"),
        refused("DELETE FROM audit_accessevent"),
        refused("TRUNCATE audit_accessevent"),
        refused("ALTER TABLE audit_accessevent DISABLE TRIGGER USER"),
        refused("DELETE FROM audit_anomalyflag"),
        refused("UPDATE audit_signedcheckpoint SET note = note"),
        refused("UPDATE audit_arearollup SET events = events + 1000"),
        refused("UPDATE audit_arearollupmark SET seq = seq + 1000"),
    ]


def test_the_serving_code_works_as_the_app_role_and_so_does_a_department_provisioned_after(
    in_rialto: Department, make_staff: Any, make_camera: Any, rialto_client: TenantClient
) -> None:
    from tests.audit.tampering import anomaly_queue_emptied

    anomaly_queue_emptied()
    camera = make_camera("on_request")
    officer, secret = make_staff(Role.OFFICER)
    head = AccessEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0

    with as_app_role():
        # A gated search through the console: purpose stated, then the search, each logged
        # through the chain trigger.
        assert login_with_mfa(rialto_client, officer.email, secret).status_code == 302
        declared = rialto_client.post(
            "/console/purpose/",
            {"case_number": "RPD-1", "category": "property_crime", "text": "Burglary on Cedar", "authority": "consent"},
        )
        page = rialto_client.post("/console/search/", AREA)
        connection.set_tenant(in_rialto)
        # The beat's tasks: the chain verified (and kept), a signed checkpoint.
        report = chain_verify_and_alert()
        made = log_checkpoint()
        # The anomaly engine's writes: a new flag, and a later event joining it.
        now = timezone.now()
        new = anomaly_flags_add(flags=[FlagIn("vague_purpose", "7:C-2:check", [head + 1], now, 7, "O", "7", {})])
        later = FlagIn("vague_purpose", "7:C-2:check", [head + 2], now, 7, "O", "7", {})
        joined = anomaly_flags_accumulate(flags=[later])
        # An ordinary table.
        User.objects.filter(pk=officer.pk).update(full_name="Renamed by the app role")
        refusals = _log_tables_refused()

    assert (declared.status_code, page.status_code) == (302, 200)
    assert str(camera.public_id) in page.content.decode()
    actions = list(AccessEvent.objects.filter(seq__gt=head).order_by("seq").values_list("action", flat=True))
    assert "purpose_declare" in actions
    assert "search" in actions
    assert report.ok, report.sentence()
    assert ChainVerification.objects.filter(ok=True, hash=report.head_hash).exists()
    assert made.startswith("checkpoint of ")
    assert SignedCheckpoint.objects.exists()
    assert (new, joined) == (1, 0)
    assert AnomalyFlag.objects.get(key="7:C-2:check").seqs == [head + 1, head + 2]
    assert User.objects.get(pk=officer.pk).full_name == "Renamed by the app role"
    assert all("permission denied" in e or "must be owner" in e for e in refusals), refusals

    # A department provisioned later, by the owner, is the app role's at once: same grants,
    # same refusals.
    connection.set_schema_to_public()
    pomona = department_create(
        name="Pomona", schema_name="pomona_role", domain="pomona-role.localhost", admin_email="admin@pomona.example.org"
    ).department
    with tenant_context(pomona), as_app_role():
        access_event_record(actor=ACTOR, facts=EventFacts(action="search", outcome="allowed", reason="ok"))
        access_event_record(actor=ACTOR, facts=EventFacts(action="search", outcome="allowed", reason="ok"))
        pomona_report = chain_verify_and_alert()
        pomona_made = log_checkpoint()
        anomaly_flags_add(flags=[FlagIn("off_hours", "1", [1], timezone.now(), 7, "O", "7", {})])
        admin = User.objects.get(email="admin@pomona.example.org")
        User.objects.filter(pk=admin.pk).update(full_name="Pomona's first administrator")
        pomona_refusals = _log_tables_refused()
        # The figures by police area, counted by the database at the beat's request.
        pomona_areas = area_rollups_catch_up_task()
    with tenant_context(pomona):
        # The change history's guards, checked at commit: the administrator's history is not
        # erased while they exist, nor signed by someone else.
        pomona_rewrites = [
            _at_commit_as_app_role(
                lambda: _sql(f"UPDATE accounts_historicaluser SET {ERASED_ELSEWHERE} WHERE id = %s", [admin.pk])  # noqa: S608
            ),
            _at_commit_as_app_role(
                lambda: _sql("UPDATE accounts_historicaluser SET history_user_id = %s WHERE id = %s", [admin.pk] * 2)
            ),
        ]
        assert list(AccessEvent.objects.values_list("seq", flat=True)) == [1, 2]
        assert pomona_report.ok
        assert pomona_made == "checkpoint of 2 events"
        assert AnomalyFlag.objects.count() == 1
        assert pomona_areas == 2
        assert _area_mark() == 2
    assert all("permission denied" in e or "must be owner" in e for e in pomona_refusals), pomona_refusals
    assert f"no erasure of user:{admin.pk} is recorded" in pomona_rewrites[0], pomona_rewrites
    assert "may not be changed to another user" in pomona_rewrites[1], pomona_rewrites
    assert _guards("pomona_role") == _guards("rialto")


# --- A real server, logged in as the app role -------------------------------------------------


@pytest.fixture
def app_server(committed: dict[str, CommittedUser], tmp_path: Path) -> Iterator[int]:
    """uvicorn as the Procfile runs it, its DATABASE_URL the app role's (scripts/run.sh)."""
    port = free_port()
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.test", DATABASE_URL=app_url())
    log = (tmp_path / "server.log").open("wb")
    process = subprocess.Popen([*UVICORN, "--port", str(port)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            break
        except urllib.error.HTTPError:
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"uvicorn did not start:\n{(tmp_path / 'server.log').read_text()[-3000:]}")
            time.sleep(0.2)
    yield port
    process.terminate()
    process.wait(timeout=20)
    log.close()


def _head(schema: str) -> int:
    with psycopg.connect(subprocess_database_url()) as conn:
        row = conn.execute(f'SELECT coalesce(max(seq), 0) FROM "{schema}".audit_accessevent').fetchone()  # noqa: S608
    return int(row[0]) if row else 0


@pytest.mark.server
def test_a_server_connected_as_the_app_role_writes_the_access_log(
    app_server: int, committed: dict[str, CommittedUser]
) -> None:
    resident = committed["fontana"]
    before = _head("fontana")
    request = urllib.request.Request(
        f"http://127.0.0.1:{app_server}/oversight/anomalies/",
        headers={"Host": resident.host, "Cookie": f"{settings.SESSION_COOKIE_NAME}={resident.session_key}"},
    )
    # The event is committed and stays (its figures were counted in the same transaction, as
    # every event's): Fontana's chain simply grows by one, as with the other servers' tests.
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(request, timeout=20)  # noqa: S310 (http, built above)
    with psycopg.connect(subprocess_database_url()) as conn:
        users = conn.execute(
            "SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = current_database()"
            " AND application_name = '' AND usename <> current_user"
        ).fetchall()
        events = conn.execute(
            'SELECT action, outcome FROM "fontana".audit_accessevent WHERE seq > %s ORDER BY seq', [before]
        ).fetchall()

    assert answer.value.code == 404  # a resident may not read the queue: refused and logged
    assert events == [("audit_read", "denied")]
    assert users == [(ROLE,)], "the server's connections are not all the app role's"


# --- The signing key and the change history: read and added to, never rewritten --------------

TABLE_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
# What history the code overwrites: personal data erased when an owner deletes their account
# (accounts.services.owner_account_erase, cameras.services._erase_*_history,
# live.services.bridges_history_erase), and who acted (history_user_id) set to NULL by Django when
# the user it names is deleted (simple-history's ForeignKey, on_delete=SET_NULL).
HISTORY_UPDATABLE = {
    "accounts_historicaluser": {"history_user_id", "email", "full_name", "badge_number", "invitation_sent_at"},
    "cameras_historicalsite": {
        "history_user_id",
        *("name", "address", "location", "parcel_number", "permit_number"),
        *("business_name", "property_type", "police_notes"),
    },
    "cameras_historicalcamera": {"history_user_id", "label", "location", "fov", "recorder_make", "recorder_model"},
    "live_historicalbridge": {"history_user_id", "name"},
    # Who acted is a plain number here (and an e-mail address beside it): nothing to set NULL.
    "tenants_historicaldepartmentpolicy": set(),
}


def _held(schema: str, table: str) -> tuple[set[str], set[str]]:
    """The app role's privileges on ``schema.table``, and the columns it may UPDATE."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join(f"has_table_privilege(%s, %s, '{p}')" for p in TABLE_PRIVILEGES),
            [arg for _ in TABLE_PRIVILEGES for arg in (ROLE, f'"{schema}"."{table}"')],
        )
        held = {p for p, has in zip(TABLE_PRIVILEGES, cursor.fetchone(), strict=True) if has}
        cursor.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped"
            " AND has_column_privilege(%s, attrelid, attnum, 'UPDATE')",
            [f'"{schema}"."{table}"', ROLE],
        )
        columns = {row[0] for row in cursor.fetchall()}
    return held, columns


def _history_tables(schema: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s AND tablename LIKE '%%\\_historical%%'"
            " ORDER BY tablename",
            [schema],
        )
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.parametrize("schema", SCHEMAS)
def test_the_app_role_may_read_and_add_the_signing_key_but_only_name_it_once(schema: str) -> None:
    # audit.signing creates the first key; audit.checkpoints.log_origin names it (log_origin).
    assert _held(schema, "footage_signingkey") == ({"SELECT", "INSERT"}, {"log_origin"})


@pytest.mark.parametrize("schema", ["public", *SCHEMAS])
def test_the_app_role_may_read_and_add_to_the_change_history_and_erase_only_personal_data(schema: str) -> None:
    tables = _history_tables(schema)
    held = {table: _held(schema, table) for table in tables}

    assert tables, schema
    for table, (privileges, columns) in held.items():
        assert privileges == {"SELECT", "INSERT"}, table
        assert columns == HISTORY_UPDATABLE.get(table, {"history_user_id"}), table
        assert not columns & {"history_id", "history_date", "history_type", "history_change_reason"}, table


def test_the_app_role_can_neither_rewrite_the_history_nor_the_key_nor_make_temporary_things(
    app_connection: psycopg.Connection[Any],
) -> None:
    errors = {
        "delete history": _refused_to_app(app_connection, "rialto", "DELETE FROM accounts_historicaluser"),
        "reword history": _refused_to_app(
            app_connection, "rialto", "UPDATE accounts_historicaluser SET history_change_reason = ''"
        ),
        "redate history": _refused_to_app(
            app_connection, "rialto", "UPDATE accounts_historicaluser SET history_date = now()"
        ),
        "unsign a policy edit": _refused_to_app(
            app_connection, "public", "UPDATE tenants_historicaldepartmentpolicy SET history_user_id = NULL"
        ),
        "delete a policy edit": _refused_to_app(
            app_connection, "public", "DELETE FROM tenants_historicaldepartmentpolicy"
        ),
        "replace the key": _refused_to_app(
            app_connection, "rialto", "UPDATE footage_signingkey SET private_key = private_key"
        ),
        "delete the key": _refused_to_app(app_connection, "rialto", "DELETE FROM footage_signingkey"),
        "temporary table": _refused_to_app(app_connection, "rialto", "CREATE TEMPORARY TABLE mine (id int)"),
        "temporary function": _refused_to_app(
            app_connection, "rialto", "CREATE FUNCTION pg_temp.mine() RETURNS int LANGUAGE sql AS 'SELECT 1'"
        ),
    }

    assert all("permission denied" in e for e in errors.values()), errors


# --- The figures read from the log (day, month, hour rollups) ---------------------------------
# The board's dashboard, the public transparency page and the annual report read them; the
# database counts each event into them (the log's trigger, audit migration 0033), so the app
# role only reads them and cannot falsify a figure the log still vouches for.
ROLLUPS = ("audit_dayrollup", "audit_hourrollup", "audit_monthrollup")


@pytest.mark.parametrize("schema", SCHEMAS)
def test_the_app_role_may_only_read_the_figures(schema: str) -> None:
    privileges = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
    held = {}
    with connection.cursor() as cursor:
        for table in ROLLUPS:
            cursor.execute(
                "SELECT " + ", ".join(["has_table_privilege(%s, %s, %s)"] * len(privileges)),
                [value for privilege in privileges for value in (ROLE, f"{schema}.{table}", privilege)],
            )
            held[table] = {p for p, has in zip(privileges, cursor.fetchone(), strict=True) if has}

    assert held == {table: {"SELECT"} for table in ROLLUPS}


@pytest.mark.parametrize("schema", SCHEMAS)
@pytest.mark.parametrize("table", ROLLUPS)
def test_the_app_role_can_neither_change_nor_add_nor_delete_a_figure(
    app_connection: psycopg.Connection[Any], schema: str, table: str
) -> None:
    key = "day" if table == "audit_dayrollup" else "month"
    errors = {
        "update": _refused_to_app(app_connection, schema, f"UPDATE {table} SET events = 1"),  # noqa: S608
        "delete": _refused_to_app(app_connection, schema, f"DELETE FROM {table}"),  # noqa: S608
        "insert": _refused_to_app(
            app_connection,
            schema,
            f"INSERT INTO {table} SELECT * FROM {table} WHERE false",  # noqa: S608
        ),
        "insert row": _refused_to_app(
            app_connection,
            schema,
            f"INSERT INTO {table} ({key}, action, outcome, events) VALUES ('2026-01-01', 'search', 'allowed', 9)",  # noqa: S608
        ),
        "truncate": _refused_to_app(app_connection, schema, f"TRUNCATE {table}"),
    }

    assert all("permission denied" in e for e in errors.values()), errors


def _events_recorded_as_app_role() -> list[AccessEvent]:
    clip = "clip:00000000-0000-0000-0000-000000000001"
    events = [
        EventFacts("search", "allowed", "ok", quantity=12),
        EventFacts("search", "allowed", "ok", quantity=3),
        EventFacts("search", "denied", "no_grant"),
        EventFacts("export", "allowed", "ok", targets=[clip], quantity=2),
        EventFacts("export", "allowed", "ok", targets=["camera:x"], quantity=40),
        EventFacts("camera_view", "allowed", "ok", targets=["camera:x"]),
    ]
    with as_app_role():
        return [
            access_event_record(actor=ACTOR, facts=facts, purpose=PurposeSnapshot(category="property_crime"))
            for facts in events
        ]


def _figures_equal_a_full_scan() -> None:
    assert rollup_stored_day() == rollup_scan_day()
    assert rollup_stored_month() == rollup_scan_month()
    assert rollup_stored_hour() == rollup_scan_hour()


def test_an_event_written_as_the_app_role_is_counted_as_before(in_rialto: Department) -> None:
    before = {row[:6]: row[6:] for row in rollup_stored_day()}

    _events_recorded_as_app_role()

    _figures_equal_a_full_scan()
    after = {row[:6]: row[6:] for row in rollup_stored_day()}
    evidence = [key for key in after if key[1] == "export" and key[5]]
    assert len(evidence) == 1
    assert after[evidence[0]][0] - before.get(evidence[0], (0, 0))[0] == 1
    searches = [key for key in after if key[1] == "search" and key[2] == "allowed" and key[4] == "property_crime"]
    assert [after[k][1] - before.get(k, (0, 0))[1] for k in searches] == [15]


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_the_figures_are_counted_in_the_departments_time_zone(in_rialto: Department, zone: str) -> None:
    # UTC+14 and UTC-11: the local day differs from UTC's for most of the day, one way or the other.
    Department.objects.filter(pk=in_rialto.pk).update(time_zone=zone)
    in_rialto.time_zone = zone
    with connection.cursor() as cursor:
        for table in ROLLUPS:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (constants; the owner, as a rebuild does)

    events = _events_recorded_as_app_role()

    local = events[0].occurred_at.astimezone(ZoneInfo(zone))
    assert DayRollup.objects.filter(day=local.date(), action="search").exists()
    assert MonthRollup.objects.filter(month=local.date().replace(day=1), action="search").exists()
    assert HourRollup.objects.filter(weekday=local.isoweekday(), hour=local.hour, action="search").exists()
    _figures_equal_a_full_scan()


def test_a_time_zone_the_database_does_not_know_counts_in_utc(in_rialto: Department) -> None:
    Department.objects.filter(pk=in_rialto.pk).update(time_zone="Nowhere/Atlantis")
    in_rialto.time_zone = "Nowhere/Atlantis"
    assert department_time_zone() == "UTC"
    with connection.cursor() as cursor:
        for table in ROLLUPS:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (constants; the owner, as a rebuild does)

    events = _events_recorded_as_app_role()

    assert DayRollup.objects.filter(day=events[0].occurred_at.astimezone(dt.UTC).date(), action="search").exists()
    _figures_equal_a_full_scan()


# --- The figures by police area ---------------------------------------------------------------
# The board's dashboard and the annual report read them. The database counts them: the owner's
# function cameras_area_rollups_catch_up (SECURITY DEFINER, cameras migration 0014) reads the
# events after its mark, places each (a search's centre, else its first camera's position) in
# its police area and adds them up, in the department's time zone; the app role may run it
# (the beat's task) and read the figures, nothing else.
AREA_FIGURES = ("audit_arearollup", "audit_arearollupmark")
AREA_TAMPERING = {
    "falsify a figure": "UPDATE audit_arearollup SET events = events + 1000",
    "remove figures": "DELETE FROM audit_arearollup",
    "invent a figure": "INSERT INTO audit_arearollup (day, area_ref, area_name, action, outcome, events)"
    " VALUES ('2026-01-01', '', '', 'search', 'allowed', 9)",
    "empty the figures": "TRUNCATE audit_arearollup",
    "skip events": "UPDATE audit_arearollupmark SET seq = seq + 1000",
    "count events again": "DELETE FROM audit_arearollupmark",
    "start past the events": "INSERT INTO audit_arearollupmark (id, seq, time_zone) VALUES (1, 1000000, 'UTC')",
}


@pytest.mark.parametrize("schema", SCHEMAS)
def test_the_app_role_may_only_read_the_area_figures_and_ask_the_database_to_count_them(schema: str) -> None:
    held = {table: _held(schema, table) for table in AREA_FIGURES}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT has_function_privilege(%s, %s, 'EXECUTE'), has_function_privilege('public', %s, 'EXECUTE')",
            [ROLE, *[f'"{schema}".cameras_area_rollups_catch_up(bigint)'] * 2],
        )
        runs, everyone_runs = cursor.fetchone()

    assert held == {table: ({"SELECT"}, set()) for table in AREA_FIGURES}
    assert (runs, everyone_runs) == (True, False)


@pytest.mark.parametrize("schema", SCHEMAS)
@pytest.mark.parametrize("attempt", sorted(AREA_TAMPERING))
def test_the_app_role_can_neither_change_nor_add_nor_delete_an_area_figure_nor_move_its_mark(
    app_connection: psycopg.Connection[Any], schema: str, attempt: str
) -> None:
    error = _refused_to_app(app_connection, schema, AREA_TAMPERING[attempt])

    assert "permission denied" in error


def test_the_area_count_refuses_a_batch_that_would_move_its_mark_back(app_connection: psycopg.Connection[Any]) -> None:
    # A negative batch would set the mark behind events already counted: counted twice next time.
    error = _refused_to_app(app_connection, "rialto", "SELECT cameras_area_rollups_catch_up(-5)")

    assert "a batch of at least 1 log number" in error


def _police_areas(tmp_path: Path) -> None:
    """Two beats side by side east of Rialto: West (-117.42..-117.38) and East (-117.38..-117.34)."""
    import json

    from places.areas import areas_import

    features = [
        {
            "type": "Feature",
            "properties": {"name": name},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[x0, 34.0], [x0 + 0.04, 34.0], [x0 + 0.04, 34.2], [x0, 34.2], [x0, 34.0]]],
            },
        }
        for name, x0 in [("West", -117.42), ("East", -117.38)]
    ]
    path = tmp_path / "beats.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    areas_import(path=path, which="police", default_kind="beat")


def _area_recount(zone: str) -> set[tuple[Any, ...]]:
    """(day, area_ref, area_name, action, outcome, events) counted again from every event of the
    log, one at a time and in Python: its place (a search's centre, else its first camera's
    position as registered now), the police area there (places.areas.police_area_at), its day in
    ``zone``. Events with neither are not placed; a place in no area counts as area ''."""
    import uuid
    from collections import Counter

    from places.areas import police_area_at

    counts: Counter[tuple[Any, ...]] = Counter()
    for event in AccessEvent.objects.order_by("seq"):
        area = event.details.get("area") if isinstance(event.details, dict) else None
        center = area.get("center") if isinstance(area, dict) else None
        cameras = [target.removeprefix("camera:") for target in event.targets if target.startswith("camera:")]
        if not isinstance(center, list) and not cameras:
            continue
        point = None
        if isinstance(center, list) and len(center) == 2 and all(isinstance(v, int | float) for v in center):
            point = (float(center[0]), float(center[1]))
        elif cameras:
            try:
                camera = Camera.objects.filter(public_id=uuid.UUID(cameras[0])).first()
            except ValueError:
                camera = None
            point = (camera.location.x, camera.location.y) if camera else None
        found = police_area_at(lon=point[0], lat=point[1]) if point else None
        ref, name = (f"police_area:{found.pk}", found.name) if found else ("", "")
        counts[(event.occurred_at.astimezone(ZoneInfo(zone)).date(), ref, name, event.action, event.outcome)] += 1
    return {(*key, n) for key, n in counts.items()}


def _area_mark() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT seq FROM audit_arearollupmark")
        return int(cursor.fetchone()[0])


def _area_stored() -> set[tuple[Any, ...]]:
    from audit.models import AreaRollup

    return set(AreaRollup.objects.values_list("day", "area_ref", "area_name", "action", "outcome", "events"))


def _search_at(lon: float, lat: float) -> EventFacts:
    return EventFacts("search", "allowed", "ok", details={"area": {"shape": "circle", "center": [lon, lat]}})


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_the_area_figures_counted_as_the_app_role_equal_a_full_recount_in_the_departments_time_zone(
    in_rialto: Department, make_camera: Any, tmp_path: Path, zone: str
) -> None:
    from audit.rollups import rollups_rebuild
    from cameras.area_rollups import area_rollups_catch_up

    # UTC+14 and UTC-11: the local day differs from UTC's for most of the day, one way or the other.
    Department.objects.filter(pk=in_rialto.pk).update(time_zone=zone)
    in_rialto.time_zone = zone
    rollups_rebuild()  # as the owner: the area figures start again from the log's first event
    _police_areas(tmp_path)
    west = make_camera(lon=-117.40, lat=34.1)
    outside = make_camera(lon=-117.338, lat=34.095)  # in Rialto, east of both beats
    facts = [
        _search_at(-117.40, 34.1),
        _search_at(-117.36, 34.1),
        _search_at(-117.36, 34.1),
        _search_at(-110.0, 30.0),  # in no police area
        EventFacts("camera_view", "allowed", "ok", targets=[f"camera:{west.public_id}"]),
        EventFacts("camera_view", "denied", "no_grant", targets=[f"camera:{outside.public_id}"]),
        EventFacts("camera_view", "allowed", "ok", targets=["camera:not-a-camera-id"]),
        EventFacts("audit_read", "allowed", "ok"),  # no place: not counted
    ]

    with as_app_role():
        events = [access_event_record(actor=ACTOR, facts=f) for f in facts]
        read = area_rollups_catch_up(limit=3)  # in several batches
        left = area_rollups_catch_up_task()  # the beat's task: nothing left to read

    assert read >= len(facts)
    assert left == 0
    assert _area_stored() == _area_recount(zone)
    local = events[0].occurred_at.astimezone(ZoneInfo(zone)).date()
    by_area = {(day, name): n for day, _, name, action, _, n in _area_stored() if action == "search"}
    assert (by_area[(local, "West")], by_area[(local, "East")], by_area[(local, "")]) == (1, 2, 1)


# --- The change history: who acted, and what an owner's deletion erases ------------------------
# The app role may UPDATE history_user_id (Django sets it NULL when that user is deleted) and the
# personal data an owner's deletion erases (HISTORY_ERASED). A column grant cannot limit values,
# so constraint triggers checked at commit (tenants.history_guards) let only those two through:
# history_user_id to NULL once that user is gone, and the erasable columns to their blanks for a
# user, site or camera that is gone and whose erasure is recorded (accounts.Erasure).
GUARDS = {"history_user_guard", "history_erasure_guard"}
ERASED_ELSEWHERE = (
    "email = 'owner-0123456789ab@deleted.invalid', full_name = '', badge_number = '', invitation_sent_at = NULL"
)
HISTORY_REWRITES = {
    "unsign a change of a user who exists": (
        f"UPDATE accounts_historicaluser SET history_user_id = NULL WHERE id = {INVITED_PK}",  # noqa: S608 (constants)
        "may be set to NULL only when that user is deleted",
    ),
    "sign a change as someone else": (
        f"UPDATE accounts_historicaluser SET history_user_id = {INVITED_PK} WHERE id = {INVITED_PK}",  # noqa: S608 (constants)
        "may not be changed to another user",
    ),
    "blank a name": (  # a part of an erasure is no erasure
        f"UPDATE accounts_historicaluser SET full_name = '' WHERE id = {SHARED_PK}",  # noqa: S608 (constants)
        "may only be erased",
    ),
    "change a name": (
        f"UPDATE accounts_historicaluser SET full_name = 'Somebody else' WHERE id = {SHARED_PK}",  # noqa: S608 (constants)
        "may only be erased",
    ),
    "erase an owner without an erasure": (
        f"UPDATE accounts_historicaluser SET {ERASED_ELSEWHERE} WHERE id = {SHARED_PK}",  # noqa: S608 (constants)
        f"no erasure of user:{SHARED_PK} is recorded",
    ),
    "erase an owner who exists, with an erasure recorded": (
        f"INSERT INTO accounts_erasure (subject, erased_at) VALUES ('user:{SHARED_PK}', now());"  # noqa: S608 (constants)
        f" UPDATE accounts_historicaluser SET {ERASED_ELSEWHERE} WHERE id = {SHARED_PK}",
        f"user:{SHARED_PK} still exists",
    ),
}


@pytest.fixture
def committed_user_history() -> Iterator[None]:
    """Rialto's committed history of its two committed users, the invited officer's signed by the
    shared resident (as the owner: the owner is not held); each row put back as it was after."""
    columns = "history_user_id, email, full_name, badge_number, invitation_sent_at"
    with psycopg.connect(subprocess_database_url()) as owner:
        rows = owner.execute(
            f"SELECT history_id, {columns} FROM rialto.accounts_historicaluser WHERE id IN (%s, %s)",  # noqa: S608
            [SHARED_PK, INVITED_PK],
        ).fetchall()
        assert {row[0] for row in rows}, "no committed history of the committed users"
        owner.execute(
            "UPDATE rialto.accounts_historicaluser SET history_user_id = %s WHERE id = %s", [SHARED_PK, INVITED_PK]
        )
        owner.commit()
        try:
            yield
        finally:
            for history_id, *values in rows:
                owner.execute(
                    "UPDATE rialto.accounts_historicaluser SET (history_user_id, email, full_name, badge_number,"
                    " invitation_sent_at) = (%s, %s, %s, %s, %s) WHERE history_id = %s",
                    [*values, history_id],
                )
            owner.commit()


def _refused_at_commit(conn: psycopg.Connection[Any], schema: str, sql: str) -> str:
    """The error committing ``sql`` raises (the guards are checked at commit), or fail."""
    try:
        conn.execute(f'SET search_path TO "{schema}", public')
        conn.execute(sql)
        conn.commit()
    except psycopg.Error as exc:
        conn.rollback()
        return str(exc)
    pytest.fail(f"the app role committed: {sql} in {schema}")


@pytest.mark.parametrize("rewrite", sorted(HISTORY_REWRITES))
def test_a_quiet_rewrite_of_the_change_history_fails_at_commit_for_the_app_role(
    app_connection: psycopg.Connection[Any], committed_user_history: None, rewrite: str
) -> None:
    sql, message = HISTORY_REWRITES[rewrite]

    error = _refused_at_commit(app_connection, "rialto", sql)

    assert message in error, error
    assert "accounts_historicaluser" in error, error


def _sql(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _at_commit_as_app_role(work: Callable[[], None]) -> str:
    """The error ``work`` done as the app role meets when its transaction would commit (the
    deferred checks run, as COMMIT runs them first), inside a savepoint; '' if none."""
    with as_app_role():
        try:
            with transaction.atomic():
                work()
                connection.check_constraints()
        except DatabaseError as exc:
            return str(exc)
    return ""


def _owner_with_a_bridge(make_camera: Any) -> tuple[Camera, Any]:
    from tests.factories import bridge_online_make

    camera = make_camera("on_request", kind="residential", address="12 Elm St")
    issued = bridge_online_make(camera.site.owner, camera.site, [camera])
    return camera, issued.bridge


# What an erasure writes (cameras.services._erase_site_history, _erase_camera_history): blanks, and
# places at Null Island.
NOWHERE = "location = 'SRID=4326;POINT(0 0)'"
CAMERA_ERASED = (
    f"label = '', recorder_make = '', recorder_model = '', {NOWHERE},"
    " fov = 'SRID=4326;POLYGON((0 0, 0.00001 0, 0 0.00001, 0 0))'"
)
SITE_ERASED = (
    f"name = '', address = '', {NOWHERE}, parcel_number = '', permit_number = '', business_name = '',"
    " property_type = '', police_notes = ''"
)


@pytest.mark.parametrize(
    ("table", "assignment", "message"),
    [
        ("cameras_historicalcamera", CAMERA_ERASED, "no erasure of camera:{camera} is recorded"),
        ("cameras_historicalcamera", "label = ''", "may only be erased"),  # a part of it: not an erasure
        ("cameras_historicalcamera", "label = 'Back yard'", "may only be erased"),
        ("cameras_historicalsite", SITE_ERASED, "no erasure of site:{site} is recorded"),
        ("cameras_historicalsite", "address = '99 Other St'", "may only be erased"),
        ("live_historicalbridge", "name = ''", "no erasure of site:{site} is recorded"),
    ],
)
def test_the_app_role_cannot_erase_the_history_of_a_camera_site_or_bridge_that_still_exists(
    in_rialto: Department, make_camera: Any, table: str, assignment: str, message: str
) -> None:
    camera, bridge = _owner_with_a_bridge(make_camera)
    key = {"cameras_historicalcamera": camera.pk, "cameras_historicalsite": camera.site_id}.get(table, bridge.pk)

    error = _at_commit_as_app_role(lambda: _sql(f"UPDATE {table} SET {assignment} WHERE id = %s", [key]))  # noqa: S608

    assert message.format(camera=camera.pk, site=camera.site_id) in error, error


def test_the_app_role_cannot_erase_the_history_of_a_camera_that_still_exists_by_recording_an_erasure(
    in_rialto: Department, make_camera: Any
) -> None:
    camera = make_camera("on_request")

    def forge_then_erase() -> None:
        _sql("INSERT INTO accounts_erasure (subject) VALUES (%s)", [f"camera:{camera.pk}"])
        _sql(f"UPDATE cameras_historicalcamera SET {CAMERA_ERASED} WHERE id = %s", [camera.pk])  # noqa: S608

    error = _at_commit_as_app_role(forge_then_erase)

    assert f"camera:{camera.pk} still exists" in error, error


def test_the_app_role_cannot_erase_a_deleted_cameras_history_without_recording_the_erasure(
    in_rialto: Department, make_camera: Any
) -> None:
    camera = make_camera("on_request")

    def delete_then_erase() -> None:
        Camera.objects.filter(pk=camera.pk).delete()  # as Django deletes, with what hangs on it
        _sql(f"UPDATE cameras_historicalcamera SET {CAMERA_ERASED} WHERE id = %s", [camera.pk])  # noqa: S608

    error = _at_commit_as_app_role(delete_then_erase)

    assert f"no erasure of camera:{camera.pk} is recorded" in error, error


def test_the_owner_may_still_rewrite_the_change_history(in_rialto: Department, make_camera: Any) -> None:
    # Migrations and repairs run as the owner, which owns the tables (and could drop the triggers).
    camera = make_camera("on_request")

    with connection.cursor() as cursor:
        cursor.execute("UPDATE cameras_historicalcamera SET label = 'Renamed by the owner' WHERE id = %s", [camera.pk])
        cursor.execute("UPDATE cameras_historicalcamera SET history_user_id = NULL WHERE id = %s", [camera.pk])
        connection.check_constraints()

    assert set(Camera.history.filter(id=camera.pk).values_list("label", "history_user_id")) == {
        ("Renamed by the owner", None)
    }


def test_an_owner_deleting_their_account_as_the_app_role_erases_their_history_with_a_record(
    in_rialto: Department, make_camera: Any
) -> None:
    from accounts.models import Erasure
    from live.models import Bridge
    from ownerdata.services import owner_account_delete

    camera, bridge = _owner_with_a_bridge(make_camera)
    owner = camera.site.owner
    assert Camera.history.filter(history_user_id=owner.pk).exists()  # their own changes, signed

    with as_app_role():
        deleted = owner_account_delete(user=owner)
        connection.check_constraints()  # what COMMIT checks first: the guards let it through

    assert deleted.cameras == 1
    assert set(User.history.filter(id=owner.pk).values_list("full_name", "badge_number")) == {("", "")}
    assert not Camera.history.filter(id=camera.pk).exclude(label="").exists()
    assert not Camera.history.filter(history_user_id=owner.pk).exists()
    assert set(Bridge.history.filter(id=bridge.pk).values_list("name", flat=True)) == {""}
    assert {f"user:{owner.pk}", f"site:{camera.site_id}", f"camera:{camera.pk}"} <= set(
        Erasure.objects.values_list("subject", flat=True)
    )


def test_an_owner_deleting_one_camera_as_the_app_role_erases_its_history(
    in_rialto: Department, make_camera: Any
) -> None:
    from cameras.services import camera_delete

    camera = make_camera("on_request")

    with as_app_role():
        camera_delete(owner=camera.site.owner, camera=camera)
        connection.check_constraints()

    assert set(Camera.history.filter(id=camera.pk).values_list("label", flat=True)) == {""}


def test_a_user_deleted_as_the_app_role_leaves_their_changes_unsigned(in_rialto: Department, make_camera: Any) -> None:
    # What Django does when the platform's admin deletes a user: their changes stay, unsigned.
    camera = make_camera("on_request")
    owner = camera.site.owner
    signed = Camera.history.filter(history_user_id=owner.pk).count()

    with as_app_role():
        User.objects.get(pk=owner.pk).delete()
        connection.check_constraints()

    assert signed > 0
    assert Camera.history.filter(id=camera.pk, history_user_id=None).count() >= signed


def _guards(schema: str) -> dict[str, set[str]]:
    """Table -> the names of its deferred, enabled constraint triggers that are history guards."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, t.tgname FROM pg_trigger AS t JOIN pg_class AS c ON c.oid = t.tgrelid"
            " WHERE c.relnamespace = %s::regnamespace AND t.tgname = ANY(%s)"
            " AND t.tgconstraint <> 0 AND t.tgdeferrable AND t.tginitdeferred AND t.tgenabled <> 'D'",
            [f'"{schema}"', sorted(GUARDS)],
        )
        found: dict[str, set[str]] = {}
        for table, name in cursor.fetchall():
            found.setdefault(table, set()).add(name)
    return found


@pytest.mark.parametrize("schema", ["public", *SCHEMAS])
def test_every_history_column_the_app_role_may_update_is_guarded_at_commit(schema: str) -> None:
    expected = {}
    for table in _history_tables(schema):
        _, columns = _held(schema, table)
        names = {"history_user_guard"} if "history_user_id" in columns else set()
        if columns - {"history_user_id"}:
            names.add("history_erasure_guard")
        if names:
            expected[table] = names

    assert expected, schema
    assert _guards(schema) == expected


def test_setting_the_grants_again_changes_no_guard() -> None:
    from tenants.db_grants import schema_grants_apply

    def definitions() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_get_triggerdef(t.oid) FROM pg_trigger AS t JOIN pg_class AS c ON c.oid = t.tgrelid"
                " WHERE c.relnamespace = 'rialto'::regnamespace AND NOT t.tgisinternal"
                " UNION ALL SELECT pg_get_functiondef(p.oid) FROM pg_proc AS p"
                " WHERE p.pronamespace = 'rialto'::regnamespace"
            )
            return sorted(row[0] for row in cursor.fetchall())

    before = definitions()
    schema_grants_apply("rialto")
    schema_grants_apply("rialto")

    assert definitions() == before


def test_every_erasable_history_column_has_a_rule_checking_what_is_written_to_it() -> None:
    from tenants.db_grants import HISTORY_ERASED
    from tenants.history_guards import ERASURE_RULES

    assert {table: set(columns) for table, columns in HISTORY_ERASED.items()} == {
        table: set(rule.columns) for table, rule in ERASURE_RULES.items()
    }


def test_the_grants_are_refused_for_an_erasable_column_without_its_rule() -> None:
    from tenants.history_guards import history_guards_sql

    # A new erasable column, granted but checked by no rule, would let any value through.
    with pytest.raises(ValueError, match="accounts_historicaluser differ from their rule"):
        history_guards_sql(
            None, "rialto", user_tables=[], erased={"accounts_historicaluser": ("email", "full_name", "language")}
        )
