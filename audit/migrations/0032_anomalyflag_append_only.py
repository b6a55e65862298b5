"""Anomaly flags are only inserted, and a flag's events only grow until the board reviews it.

The engine (cameras.anomalies) inserts flags with ON CONFLICT DO NOTHING, and the vague-purpose
rule adds a later run's events to its subject's flag while no review note names it
(audit.anomalies.anomaly_flags_accumulate). That is the one change the trigger lets through: an
UPDATE that keeps every column but ``seqs``, keeps every event ``seqs`` held, and touches a flag
with no review. Every other UPDATE, every DELETE and TRUNCATE is refused, in every session
(enabled ALWAYS, as the log's triggers: migration 0010). The function names its schema's review
table explicitly, as the chain's does (migration 0005), so the search_path of the session that
updates cannot point it at another department's reviews.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION {schema}.audit_anomalyflag_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND (NEW.id, NEW.rule, NEW.key, NEW.occurred_at, NEW.officer_id, NEW.officer_label,
            NEW.officer_badge, NEW.details, NEW.found_at)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.rule, OLD.key, OLD.occurred_at, OLD.officer_id, OLD.officer_label,
            OLD.officer_badge, OLD.details, OLD.found_at)
       AND NEW.seqs @> OLD.seqs
       AND NOT EXISTS (SELECT 1 FROM {schema}.audit_anomalyreview AS r WHERE r.flag_id = OLD.id) THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'audit_anomalyflag is append-only: only the events of a flag not yet reviewed may grow'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RAISE EXCEPTION 'audit_anomalyflag is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_anomalyflag_no_update_delete
    BEFORE UPDATE OR DELETE ON {schema}.audit_anomalyflag
    FOR EACH ROW EXECUTE FUNCTION {schema}.audit_anomalyflag_append_only();
CREATE TRIGGER audit_anomalyflag_no_truncate
    BEFORE TRUNCATE ON {schema}.audit_anomalyflag
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.audit_anomalyflag_append_only();
ALTER TABLE {schema}.audit_anomalyflag ENABLE ALWAYS TRIGGER audit_anomalyflag_no_update_delete;
ALTER TABLE {schema}.audit_anomalyflag ENABLE ALWAYS TRIGGER audit_anomalyflag_no_truncate;
"""

BACKWARD = """
DROP TRIGGER IF EXISTS audit_anomalyflag_no_truncate ON audit_anomalyflag;
DROP TRIGGER IF EXISTS audit_anomalyflag_no_update_delete ON audit_anomalyflag;
DROP FUNCTION IF EXISTS audit_anomalyflag_append_only();
"""


def install(apps, schema_editor):
    connection = schema_editor.connection
    # No parameters: the function body's RAISE uses % for its own placeholders.
    schema_editor.execute(FUNCTION.format(schema=connection.ops.quote_name(connection.schema_name)), params=None)


def uninstall(apps, schema_editor):
    schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("audit", "0031_case_number_upper_index")]

    operations = [migrations.RunPython(install, uninstall)]
