"""Fire the access log's triggers in every session, replica mode included.

A trigger created with CREATE TRIGGER fires only while ``session_replication_role`` is
``origin`` (the default) or ``local``. A session that sets it to ``replica`` (a superuser, or a
role granted SET on it; pg_restore and logical replication use it) skipped them: it could
UPDATE, DELETE and TRUNCATE the log, and insert rows with a sequence number and hash of its
own choosing. ``ENABLE ALWAYS`` makes them fire in every mode; only ``ALTER TABLE … DISABLE
TRIGGER`` (table owner or superuser) still switches them off, and that is what the chain and
the checkpoints catch.

Trade-off: a logical-replication subscriber of this table would link the rows it receives
again (its own sequence, time and hash), so its copy would not be the publisher's chain. The
log is not logically replicated; a physical standby does not run triggers at all.

``ALTER TABLE … ENABLE TRIGGER`` (without ALWAYS) puts a trigger back to firing in origin mode
only: re-enable these with ``ENABLE ALWAYS TRIGGER`` (docs/audit-events.md).
"""

from django.db import migrations

TRIGGERS = ("audit_accessevent_no_update_delete", "audit_accessevent_no_truncate", "audit_accessevent_chain")

FORWARD = "\n".join(f"ALTER TABLE audit_accessevent ENABLE ALWAYS TRIGGER {name};" for name in TRIGGERS)
BACKWARD = "\n".join(f"ALTER TABLE audit_accessevent ENABLE TRIGGER {name};" for name in TRIGGERS)


class Migration(migrations.Migration):
    dependencies = [("audit", "0009_occurred_at_read_as_none_out_of_range")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
