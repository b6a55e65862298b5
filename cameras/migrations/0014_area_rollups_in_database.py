"""The figures by police area are counted by the database, in a function the owner owns.

They were counted in Python by a Celery task connected as the app role, which therefore held
full DML on audit_arearollup and the mark: it could write any area figure it liked
(``UPDATE audit_arearollup SET events = …``) while the log and its checks still said "ok".
An event's area cannot be counted at insert time as the day/month/hour figures are (audit
migration 0033) without slowing every access down and without the log knowing cameras and
places; so the catch-up itself moves into the database:

- ``cameras_area_counts(after, upto, zone)``: the events numbered after ``after`` up to ``upto``
  that have a place (a search's centre, else the position of the event's first camera as
  registered, approximate as police see it), each in the police area containing that place (a
  beat before a district, as places.areas.police_area_at; "" when in none or when the camera is
  gone), per day in ``zone``, action and outcome. Reads only; it runs with its caller's rights
  (the annual report corrects the figures to its checkpoint with it, as the app role).
- ``cameras_area_rollups_catch_up(batch)``: SECURITY DEFINER, owned by the owner (who runs this
  migration). Under a lock on the mark (audit_arearollupmark, audit migration 0034), it counts
  the events after the mark, at most ``batch`` log numbers, adds them to audit_arearollup and
  moves the mark, in the caller's transaction; returns how many log numbers it read. The time
  zone is the department's (public.tenants_department, UTC when PostgreSQL does not know it),
  never the caller's. The app role may only run it (tenants.db_grants: EXECUTE) and read the
  tables.

As PostgreSQL advises for SECURITY DEFINER, both fix their search_path (the schema, pg_catalog,
pg_temp last) and name every table with its schema and every PostGIS function with PostGIS's.
"""

from django.db import migrations

FUNCTIONS = """
CREATE OR REPLACE FUNCTION {schema}.cameras_area_counts(p_after bigint, p_upto bigint, p_zone text)
RETURNS TABLE (day date, area_ref text, area_name text, action text, outcome text, events bigint)
LANGUAGE sql STABLE
SET search_path = {schema}, pg_catalog, pg_temp
AS $$
    SELECT (e.occurred_at AT TIME ZONE p_zone)::date, coalesce('police_area:' || a.id, ''), coalesce(a.name, '')::text,
           e.action::text, e.outcome::text, count(*)::bigint
    FROM {schema}.audit_accessevent AS e
    CROSS JOIN LATERAL (
        SELECT CASE WHEN jsonb_typeof(e.details -> 'area' -> 'center' -> 0) = 'number'
                     AND jsonb_typeof(e.details -> 'area' -> 'center' -> 1) = 'number'
                    THEN {postgis}.ST_SetSRID({postgis}.ST_MakePoint((e.details -> 'area' -> 'center' ->> 0)::float8,
                                                                   (e.details -> 'area' -> 'center' ->> 1)::float8), 4326)
               END AS center,
               (SELECT substr(t.target, 8) FROM unnest(e.targets) WITH ORDINALITY AS t(target, n)
                WHERE left(t.target, 7) = 'camera:' ORDER BY t.n LIMIT 1) AS camera
    ) AS p
    LEFT JOIN {schema}.cameras_camera AS c
        ON p.center IS NULL
       AND c.public_id = CASE WHEN p.camera ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                              THEN p.camera::uuid END
    LEFT JOIN LATERAL (
        SELECT pa.id, pa.name FROM {schema}.places_policearea AS pa
        WHERE {postgis}.ST_Intersects(pa.area, coalesce(p.center, c.location::{postgis}.geometry))
        ORDER BY pa.kind, pa.id LIMIT 1
    ) AS a ON true
    WHERE e.seq > p_after AND e.seq <= p_upto
      AND (jsonb_typeof(e.details -> 'area' -> 'center') = 'array' OR p.camera IS NOT NULL)
    GROUP BY 1, 2, 3, 4, 5
$$;

CREATE OR REPLACE FUNCTION {schema}.cameras_area_rollups_catch_up(p_batch bigint) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = {schema}, pg_catalog, pg_temp
AS $$
DECLARE
    v_zone text;
    v_mark bigint;
    v_upto bigint;
BEGIN
    -- A batch below 1 would move the mark back over events already counted.
    IF p_batch IS NULL OR p_batch < 1 THEN
        RAISE EXCEPTION 'cameras_area_rollups_catch_up counts a batch of at least 1 log number, not %', p_batch
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT d.time_zone INTO v_zone FROM public.tenants_department AS d WHERE d.schema_name = current_schema();
    v_zone := coalesce(nullif(v_zone, ''), 'UTC');
    BEGIN
        PERFORM now() AT TIME ZONE v_zone;
    EXCEPTION WHEN invalid_parameter_value THEN
        v_zone := 'UTC';
    END;
    INSERT INTO {schema}.audit_arearollupmark (id, seq, time_zone) VALUES (1, 0, v_zone) ON CONFLICT (id) DO NOTHING;
    -- Held until the caller's transaction ends: a second catch-up waits, then finds the events counted.
    SELECT m.seq INTO v_mark FROM {schema}.audit_arearollupmark AS m WHERE m.id = 1 FOR UPDATE;
    SELECT greatest(v_mark, least(coalesce(max(e.seq), 0), v_mark + p_batch)) INTO v_upto
    FROM {schema}.audit_accessevent AS e;
    IF v_upto = v_mark THEN
        RETURN 0;
    END IF;
    INSERT INTO {schema}.audit_arearollup AS r (day, area_ref, area_name, action, outcome, events)
    SELECT n.day, n.area_ref, n.area_name, n.action, n.outcome, n.events
    FROM {schema}.cameras_area_counts(v_mark, v_upto, v_zone) AS n
    ON CONFLICT (day, area_ref, action, outcome)
    DO UPDATE SET events = r.events + EXCLUDED.events, area_name = EXCLUDED.area_name;
    UPDATE {schema}.audit_arearollupmark SET seq = v_upto WHERE id = 1;
    RETURN v_upto - v_mark;
END
$$;
"""

BACKWARD = """
DROP FUNCTION IF EXISTS cameras_area_rollups_catch_up(bigint);
DROP FUNCTION IF EXISTS cameras_area_counts(bigint, bigint, text);
"""


def install(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_extension AS e JOIN pg_namespace AS n ON n.oid = e.extnamespace"
            " WHERE e.extname = 'postgis'"
        )
        (postgis,) = cursor.fetchone()
    quote = connection.ops.quote_name
    # Placeholders replaced by hand: the SQL's own braces (a regular expression) stay as they are.
    sql = FUNCTIONS.replace("{schema}", quote(connection.schema_name)).replace("{postgis}", quote(postgis))
    schema_editor.execute(sql, params=None)


def uninstall(apps, schema_editor):
    schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("cameras", "0013_camera_privacy_masks"),
        ("audit", "0034_area_rollup_mark"),
        ("places", "0002_police_areas_sensitive_places"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
