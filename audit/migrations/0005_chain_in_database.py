"""Link each new event into the chain in the database, in a BEFORE INSERT trigger.

The writer sends the event's contents and their SHA-256 (``content_hash``, audit/chain.py v2).
The trigger takes the department's advisory lock, reads the head in a statement of its own
(a VOLATILE function takes a fresh snapshot per statement in READ COMMITTED, so it sees the
previous holder's commit), and sets ``seq``, ``occurred_at``, ``prev_hash`` and ``hash``
whatever the writer sent. The lock is then held from this insert to the commit, with no
round trip to the application in between, and no insert, however made, can join the chain
any other way.

The function names its schema's table explicitly (it is created once per schema, by the
migration run for that schema), so it never reads another department's head whatever the
search_path of the session that inserts. Needs PostgreSQL 14+ (exact numeric EXTRACT).
"""

from django.db import migrations, models

FUNCTION = """
CREATE OR REPLACE FUNCTION {schema}.audit_accessevent_chain() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    last_seq bigint;
    last_hash varchar(64);
BEGIN
    IF NEW.content_hash IS NULL OR NEW.content_hash !~ '^[0-9a-f]{{64}}$' THEN
        RAISE EXCEPTION 'audit_accessevent: content_hash must be the SHA-256 (hex) of the event'
            USING ERRCODE = 'check_violation';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext({lock_key}));
    SELECT e.seq, e.hash INTO last_seq, last_hash
        FROM {schema}.audit_accessevent AS e ORDER BY e.seq DESC LIMIT 1;
    NEW.seq := coalesce(last_seq, 0) + 1;
    NEW.occurred_at := clock_timestamp();
    NEW.prev_hash := coalesce(last_hash, repeat('0', 64));
    NEW.hash := encode(sha256(convert_to(concat_ws('|', 'v2', NEW.seq,
        (extract(epoch FROM NEW.occurred_at) * 1000000)::bigint, NEW.prev_hash, NEW.content_hash),
        'UTF8')), 'hex');
    RETURN NEW;
END
$$;
CREATE TRIGGER audit_accessevent_chain
    BEFORE INSERT ON {schema}.audit_accessevent
    FOR EACH ROW EXECUTE FUNCTION {schema}.audit_accessevent_chain();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS audit_accessevent_chain ON audit_accessevent;
DROP FUNCTION IF EXISTS audit_accessevent_chain();
"""


def _quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def install(apps, schema_editor):
    connection = schema_editor.connection
    schema = connection.ops.quote_name(connection.schema_name)
    # The lock key the writers used before this migration, so old and new writers agree.
    lock_key = _quote_literal(f"porchlight.audit.{connection.schema_name}")
    schema_editor.execute(FUNCTION.format(schema=schema, lock_key=lock_key))


def uninstall(apps, schema_editor):
    schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_alter_accessevent_action")]

    operations = [
        migrations.AddField(
            model_name="accessevent",
            name="content_hash",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.RunPython(install, uninstall),
    ]
