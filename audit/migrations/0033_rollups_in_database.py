"""The day, month and hour rollups are counted by the database, not by the serving code.

They were upserted by Python after each event (audit.rollups.rollups_add), so the app role
needed UPDATE on them, and with it could rewrite the figures the board's dashboard, the public
transparency page and the annual report read while the log still checked out. Now an AFTER
INSERT trigger on the log counts each event, in the inserting transaction, with a SECURITY
DEFINER function owned by the owner (who runs this migration); the app role only reads the
rollups (tenants.db_grants). The function computes what rollups_add computed: the event's time
in the department's time zone (public.tenants_department, found by the trigger's schema; UTC
when it has none or PostgreSQL does not know it, as audit.rollups.department_time_zone falls
back), and the evidence flag (an export naming a clip, audit.rollups.is_evidence).

As PostgreSQL advises for SECURITY DEFINER, its search_path is fixed (the schema, pg_catalog,
pg_temp last) and every table is named with its schema. The trigger is enabled ALWAYS, as the
log's are (migration 0010). Events of a department are written one at a time (the chain's
advisory lock, migration 0005), so the upserts never race.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION {schema}.audit_accessevent_rollups_add() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = {schema}, pg_catalog, pg_temp
AS $$
DECLARE
    v_zone text;
    v_at timestamp;
    v_evidence boolean;
    v_quantity bigint := coalesce(NEW.quantity, 0);
BEGIN
    SELECT d.time_zone INTO v_zone FROM public.tenants_department AS d WHERE d.schema_name = TG_TABLE_SCHEMA;
    BEGIN
        v_at := NEW.occurred_at AT TIME ZONE coalesce(nullif(v_zone, ''), 'UTC');
    EXCEPTION WHEN invalid_parameter_value THEN
        v_at := NEW.occurred_at AT TIME ZONE 'UTC';
    END;
    v_evidence := NEW.action = 'export'
        AND EXISTS (SELECT 1 FROM unnest(NEW.targets) AS target WHERE left(target, 5) = 'clip:');
    INSERT INTO {schema}.audit_dayrollup AS r (day, action, outcome, reason, category, evidence, events, quantity)
    VALUES (v_at::date, NEW.action, NEW.outcome, NEW.reason, NEW.purpose_category, v_evidence, 1, v_quantity)
    ON CONFLICT (day, action, outcome, reason, category, evidence)
    DO UPDATE SET events = r.events + 1, quantity = r.quantity + EXCLUDED.quantity;
    INSERT INTO {schema}.audit_monthrollup AS r (month, action, outcome, reason, category, evidence, events, quantity)
    VALUES (date_trunc('month', v_at)::date, NEW.action, NEW.outcome, NEW.reason, NEW.purpose_category, v_evidence, 1,
            v_quantity)
    ON CONFLICT (month, action, outcome, reason, category, evidence)
    DO UPDATE SET events = r.events + 1, quantity = r.quantity + EXCLUDED.quantity;
    INSERT INTO {schema}.audit_hourrollup AS r (month, weekday, hour, action, outcome, events)
    VALUES (date_trunc('month', v_at)::date, extract(isodow FROM v_at)::int, extract(hour FROM v_at)::int,
            NEW.action, NEW.outcome, 1)
    ON CONFLICT (month, weekday, hour, action, outcome) DO UPDATE SET events = r.events + 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER audit_accessevent_rollups
    AFTER INSERT ON {schema}.audit_accessevent
    FOR EACH ROW EXECUTE FUNCTION {schema}.audit_accessevent_rollups_add();
ALTER TABLE {schema}.audit_accessevent ENABLE ALWAYS TRIGGER audit_accessevent_rollups;
"""

BACKWARD = """
DROP TRIGGER IF EXISTS audit_accessevent_rollups ON audit_accessevent;
DROP FUNCTION IF EXISTS audit_accessevent_rollups_add();
"""


def install(apps, schema_editor):
    connection = schema_editor.connection
    schema_editor.execute(FUNCTION.format(schema=connection.ops.quote_name(connection.schema_name)), params=None)


def uninstall(apps, schema_editor):
    schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("audit", "0032_anomalyflag_append_only")]

    operations = [migrations.RunPython(install, uninstall)]
