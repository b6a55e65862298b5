-- A new department's schema, recorded by `manage.py department_schema_snapshot` from a schema
-- migrated step by step (tenants/schema_snapshot.py). Do not edit: record it again.
CREATE EXTENSION IF NOT EXISTS "pg_trgm" WITH SCHEMA "public";
CREATE EXTENSION IF NOT EXISTS "postgis" WITH SCHEMA "public";
CREATE EXTENSION IF NOT EXISTS "unaccent" WITH SCHEMA "public";

CREATE FUNCTION "porchlight_department_snapshot".accounts_historicaluser_erasure_guard() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'porchlight_department_snapshot', 'pg_catalog', 'pg_temp'
    AS $_$
BEGIN
    IF (NEW."email"::text, NEW."full_name"::text, NEW."badge_number"::text, NEW."invitation_sent_at"::text) IS NOT DISTINCT FROM (OLD."email"::text, OLD."full_name"::text, OLD."badge_number"::text, OLD."invitation_sent_at"::text) OR pg_has_role(current_user, (SELECT c.relowner FROM pg_class AS c WHERE c.oid = TG_RELID), 'MEMBER') THEN
        RETURN NULL;
    END IF;
    IF NOT coalesce(NEW.email ~ '^owner-[0-9a-f]{12}@deleted[.]invalid$' AND NEW.full_name = '' AND NEW.badge_number = '' AND NEW.invitation_sent_at IS NULL, false) THEN
        RAISE EXCEPTION '%: the personal data in (email, full_name, badge_number, invitation_sent_at) may only be erased, as an owner''s deletion erases '
            'them, not changed (history_id %)', TG_TABLE_NAME, OLD.history_id USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM "porchlight_department_snapshot".accounts_erasure AS e WHERE e.subject = 'user:' || OLD.id) THEN
        RAISE EXCEPTION '%: no erasure of % is recorded (accounts_erasure), so its personal data stay (history_id %)',
            TG_TABLE_NAME, 'user:' || OLD.id, OLD.history_id USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT (NOT EXISTS (SELECT 1 FROM "porchlight_department_snapshot"."accounts_user" AS x WHERE x.id = OLD.id)) THEN
        RAISE EXCEPTION '%: % still exists: its personal data are erased only when it is deleted, in the same '
            'transaction (history_id %)', TG_TABLE_NAME, 'user:' || OLD.id, OLD.history_id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END
$_$;

CREATE FUNCTION "porchlight_department_snapshot".audit_accessevent_append_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    RAISE EXCEPTION 'audit_accessevent is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE FUNCTION "porchlight_department_snapshot".audit_accessevent_chain() RETURNS trigger
    LANGUAGE plpgsql
    AS $_$
DECLARE
    last_seq bigint;
    last_hash varchar(64);
BEGIN
    IF NEW.content_hash IS NULL OR NEW.content_hash !~ '^[0-9a-f]{64}$' THEN
        RAISE EXCEPTION 'audit_accessevent: content_hash must be the SHA-256 (hex) of the event'
            USING ERRCODE = 'check_violation';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('porchlight.audit.porchlight_department_snapshot'));
    SELECT e.seq, e.hash INTO last_seq, last_hash
        FROM "porchlight_department_snapshot".audit_accessevent AS e ORDER BY e.seq DESC LIMIT 1;
    NEW.seq := coalesce(last_seq, 0) + 1;
    NEW.occurred_at := clock_timestamp();
    NEW.prev_hash := coalesce(last_hash, repeat('0', 64));
    NEW.hash := encode(sha256(convert_to(concat_ws('|', 'v2', NEW.seq,
        (extract(epoch FROM NEW.occurred_at) * 1000000)::bigint, NEW.prev_hash, NEW.content_hash),
        'UTF8')), 'hex');
    RETURN NEW;
END
$_$;

CREATE FUNCTION "porchlight_department_snapshot".audit_accessevent_rollups_add() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'porchlight_department_snapshot', 'pg_catalog', 'pg_temp'
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
    INSERT INTO "porchlight_department_snapshot".audit_dayrollup AS r (day, action, outcome, reason, category, evidence, events, quantity)
    VALUES (v_at::date, NEW.action, NEW.outcome, NEW.reason, NEW.purpose_category, v_evidence, 1, v_quantity)
    ON CONFLICT (day, action, outcome, reason, category, evidence)
    DO UPDATE SET events = r.events + 1, quantity = r.quantity + EXCLUDED.quantity;
    INSERT INTO "porchlight_department_snapshot".audit_monthrollup AS r (month, action, outcome, reason, category, evidence, events, quantity)
    VALUES (date_trunc('month', v_at)::date, NEW.action, NEW.outcome, NEW.reason, NEW.purpose_category, v_evidence, 1,
            v_quantity)
    ON CONFLICT (month, action, outcome, reason, category, evidence)
    DO UPDATE SET events = r.events + 1, quantity = r.quantity + EXCLUDED.quantity;
    INSERT INTO "porchlight_department_snapshot".audit_hourrollup AS r (month, weekday, hour, action, outcome, events)
    VALUES (date_trunc('month', v_at)::date, extract(isodow FROM v_at)::int, extract(hour FROM v_at)::int,
            NEW.action, NEW.outcome, 1)
    ON CONFLICT (month, weekday, hour, action, outcome) DO UPDATE SET events = r.events + 1;
    RETURN NULL;
END
$$;

CREATE FUNCTION "porchlight_department_snapshot".audit_anomalyflag_append_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND (NEW.id, NEW.rule, NEW.key, NEW.occurred_at, NEW.officer_id, NEW.officer_label,
            NEW.officer_badge, NEW.details, NEW.found_at)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.rule, OLD.key, OLD.occurred_at, OLD.officer_id, OLD.officer_label,
            OLD.officer_badge, OLD.details, OLD.found_at)
       AND NEW.seqs @> OLD.seqs
       AND NOT EXISTS (SELECT 1 FROM "porchlight_department_snapshot".audit_anomalyreview AS r WHERE r.flag_id = OLD.id) THEN
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

CREATE FUNCTION "porchlight_department_snapshot".audit_anomalyreview_append_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    RAISE EXCEPTION 'audit_anomalyreview is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE FUNCTION "porchlight_department_snapshot".audit_boardrecord_kept() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    RAISE EXCEPTION '% is kept: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE FUNCTION "porchlight_department_snapshot".audit_chainverification_append_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    RAISE EXCEPTION 'audit_chainverification is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE FUNCTION "porchlight_department_snapshot".audit_event_area(details jsonb) RETURNS public.geography
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    area jsonb := details -> 'area';
    lat float8;
BEGIN
    IF area ->> 'shape' = 'circle' THEN
        -- A 32-gon drawn in degrees, its longitudes stretched by 1 / cos(latitude): the local
        -- projection of cameras/geometry.py, within a metre or two at search radii, and some
        -- ten times cheaper than ST_Buffer on geography (the area filter rechecks each row).
        lat := (area -> 'center' ->> 1)::float8;
        RETURN ST_SetSRID(ST_Translate(
            ST_Scale(ST_Buffer(ST_MakePoint(0, 0), (area ->> 'radius_m')::float8 / 111320.0, 8), 1 / cos(radians(lat)), 1),
            (area -> 'center' ->> 0)::float8,
            lat
        ), 4326)::geography;
    ELSIF area ->> 'shape' = 'polygon' THEN
        RETURN ST_SetSRID(
            ST_GeomFromGeoJSON(jsonb_build_object('type', 'Polygon', 'coordinates', jsonb_build_array(area -> 'coordinates'))),
            4326
        )::geography;
    END IF;
    RETURN NULL;
EXCEPTION WHEN others THEN
    RETURN NULL;
END
$$;

CREATE FUNCTION "porchlight_department_snapshot".audit_logfailure_append_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE FUNCTION "porchlight_department_snapshot".audit_signedcheckpoint_append_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    RAISE EXCEPTION 'audit_signedcheckpoint is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE FUNCTION "porchlight_department_snapshot".cameras_area_counts(p_after bigint, p_upto bigint, p_zone text) RETURNS TABLE(day date, area_ref text, area_name text, action text, outcome text, events bigint)
    LANGUAGE sql STABLE
    SET search_path TO 'porchlight_department_snapshot', 'pg_catalog', 'pg_temp'
    AS $_$
    SELECT (e.occurred_at AT TIME ZONE p_zone)::date, coalesce('police_area:' || a.id, ''), coalesce(a.name, '')::text,
           e.action::text, e.outcome::text, count(*)::bigint
    FROM "porchlight_department_snapshot".audit_accessevent AS e
    CROSS JOIN LATERAL (
        SELECT CASE WHEN jsonb_typeof(e.details -> 'area' -> 'center' -> 0) = 'number'
                     AND jsonb_typeof(e.details -> 'area' -> 'center' -> 1) = 'number'
                    THEN "public".ST_SetSRID("public".ST_MakePoint((e.details -> 'area' -> 'center' ->> 0)::float8,
                                                                   (e.details -> 'area' -> 'center' ->> 1)::float8), 4326)
               END AS center,
               (SELECT substr(t.target, 8) FROM unnest(e.targets) WITH ORDINALITY AS t(target, n)
                WHERE left(t.target, 7) = 'camera:' ORDER BY t.n LIMIT 1) AS camera
    ) AS p
    LEFT JOIN "porchlight_department_snapshot".cameras_camera AS c
        ON p.center IS NULL
       AND c.public_id = CASE WHEN p.camera ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                              THEN p.camera::uuid END
    LEFT JOIN LATERAL (
        SELECT pa.id, pa.name FROM "porchlight_department_snapshot".places_policearea AS pa
        WHERE "public".ST_Intersects(pa.area, coalesce(p.center, c.location::"public".geometry))
        ORDER BY pa.kind, pa.id LIMIT 1
    ) AS a ON true
    WHERE e.seq > p_after AND e.seq <= p_upto
      AND (jsonb_typeof(e.details -> 'area' -> 'center') = 'array' OR p.camera IS NOT NULL)
    GROUP BY 1, 2, 3, 4, 5
$_$;

CREATE FUNCTION "porchlight_department_snapshot".cameras_area_rollups_catch_up(p_batch bigint) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'porchlight_department_snapshot', 'pg_catalog', 'pg_temp'
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
    INSERT INTO "porchlight_department_snapshot".audit_arearollupmark (id, seq, time_zone) VALUES (1, 0, v_zone) ON CONFLICT (id) DO NOTHING;
    -- Held until the caller's transaction ends: a second catch-up waits, then finds the events counted.
    SELECT m.seq INTO v_mark FROM "porchlight_department_snapshot".audit_arearollupmark AS m WHERE m.id = 1 FOR UPDATE;
    SELECT greatest(v_mark, least(coalesce(max(e.seq), 0), v_mark + p_batch)) INTO v_upto
    FROM "porchlight_department_snapshot".audit_accessevent AS e;
    IF v_upto = v_mark THEN
        RETURN 0;
    END IF;
    INSERT INTO "porchlight_department_snapshot".audit_arearollup AS r (day, area_ref, area_name, action, outcome, events)
    SELECT n.day, n.area_ref, n.area_name, n.action, n.outcome, n.events
    FROM "porchlight_department_snapshot".cameras_area_counts(v_mark, v_upto, v_zone) AS n
    ON CONFLICT (day, area_ref, action, outcome)
    DO UPDATE SET events = r.events + EXCLUDED.events, area_name = EXCLUDED.area_name;
    UPDATE "porchlight_department_snapshot".audit_arearollupmark SET seq = v_upto WHERE id = 1;
    RETURN v_upto - v_mark;
END
$$;

CREATE FUNCTION "porchlight_department_snapshot".cameras_historicalcamera_erasure_guard() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'porchlight_department_snapshot', 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
    IF (NEW."label"::text, NEW."location"::text, NEW."fov"::text, NEW."recorder_make"::text, NEW."recorder_model"::text) IS NOT DISTINCT FROM (OLD."label"::text, OLD."location"::text, OLD."fov"::text, OLD."recorder_make"::text, OLD."recorder_model"::text) OR pg_has_role(current_user, (SELECT c.relowner FROM pg_class AS c WHERE c.oid = TG_RELID), 'MEMBER') THEN
        RETURN NULL;
    END IF;
    IF NOT coalesce(NEW.label = '' AND NEW.recorder_make = '' AND NEW.recorder_model = '' AND "public".ST_Covers("public".ST_MakeEnvelope(-0.001, -0.001, 0.001, 0.001, 4326), NEW.location::"public".geometry) AND "public".ST_Covers("public".ST_MakeEnvelope(-0.001, -0.001, 0.001, 0.001, 4326), NEW.fov::"public".geometry), false) THEN
        RAISE EXCEPTION '%: the personal data in (label, location, fov, recorder_make, recorder_model) may only be erased, as an owner''s deletion erases '
            'them, not changed (history_id %)', TG_TABLE_NAME, OLD.history_id USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM "porchlight_department_snapshot".accounts_erasure AS e WHERE e.subject = 'camera:' || OLD.id) THEN
        RAISE EXCEPTION '%: no erasure of % is recorded (accounts_erasure), so its personal data stay (history_id %)',
            TG_TABLE_NAME, 'camera:' || OLD.id, OLD.history_id USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT (NOT EXISTS (SELECT 1 FROM "porchlight_department_snapshot".cameras_camera AS x WHERE x.id = OLD.id)) THEN
        RAISE EXCEPTION '%: % still exists: its personal data are erased only when it is deleted, in the same '
            'transaction (history_id %)', TG_TABLE_NAME, 'camera:' || OLD.id, OLD.history_id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION "porchlight_department_snapshot".cameras_historicalsite_erasure_guard() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'porchlight_department_snapshot', 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
    IF (NEW."name"::text, NEW."address"::text, NEW."location"::text, NEW."parcel_number"::text, NEW."permit_number"::text, NEW."business_name"::text, NEW."property_type"::text, NEW."police_notes"::text) IS NOT DISTINCT FROM (OLD."name"::text, OLD."address"::text, OLD."location"::text, OLD."parcel_number"::text, OLD."permit_number"::text, OLD."business_name"::text, OLD."property_type"::text, OLD."police_notes"::text) OR pg_has_role(current_user, (SELECT c.relowner FROM pg_class AS c WHERE c.oid = TG_RELID), 'MEMBER') THEN
        RETURN NULL;
    END IF;
    IF NOT coalesce(NEW.name = '' AND NEW.address = '' AND NEW.parcel_number = '' AND NEW.permit_number = '' AND NEW.business_name = '' AND NEW.property_type = '' AND NEW.police_notes = '' AND "public".ST_Covers("public".ST_MakeEnvelope(-0.001, -0.001, 0.001, 0.001, 4326), NEW.location::"public".geometry), false) THEN
        RAISE EXCEPTION '%: the personal data in (name, address, location, parcel_number, permit_number, business_name, property_type, police_notes) may only be erased, as an owner''s deletion erases '
            'them, not changed (history_id %)', TG_TABLE_NAME, OLD.history_id USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM "porchlight_department_snapshot".accounts_erasure AS e WHERE e.subject = 'site:' || OLD.id) THEN
        RAISE EXCEPTION '%: no erasure of % is recorded (accounts_erasure), so its personal data stay (history_id %)',
            TG_TABLE_NAME, 'site:' || OLD.id, OLD.history_id USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT (NOT EXISTS (SELECT 1 FROM "porchlight_department_snapshot".cameras_site AS x WHERE x.id = OLD.id)) THEN
        RAISE EXCEPTION '%: % still exists: its personal data are erased only when it is deleted, in the same '
            'transaction (history_id %)', TG_TABLE_NAME, 'site:' || OLD.id, OLD.history_id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION "porchlight_department_snapshot".footage_integritynotice_guard() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'footage_integritynotice rows are never deleted'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.acknowledged_at IS NOT NULL
        OR NEW.clip_id IS DISTINCT FROM OLD.clip_id
        OR NEW.expected_sha256 IS DISTINCT FROM OLD.expected_sha256
        OR NEW.actual_sha256 IS DISTINCT FROM OLD.actual_sha256
        OR NEW.detected_at IS DISTINCT FROM OLD.detected_at THEN
        RAISE EXCEPTION 'an integrity notice can only be acknowledged, once'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;

CREATE FUNCTION "porchlight_department_snapshot".history_user_guard() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'porchlight_department_snapshot', 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
    IF NEW.history_user_id IS NOT DISTINCT FROM OLD.history_user_id OR pg_has_role(current_user, (SELECT c.relowner FROM pg_class AS c WHERE c.oid = TG_RELID), 'MEMBER') THEN
        RETURN NULL;
    END IF;
    IF NEW.history_user_id IS NOT NULL THEN
        RAISE EXCEPTION '%: who made a change (history_user_id) may not be changed to another user (history_id %)',
            TG_TABLE_NAME, OLD.history_id USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF EXISTS (SELECT 1 FROM "porchlight_department_snapshot"."accounts_user" AS u WHERE u.id = OLD.history_user_id) THEN
        RAISE EXCEPTION '%: who made a change (history_user_id) may be set to NULL only when that user is deleted '
            'in the same transaction, and user % still exists (history_id %)',
            TG_TABLE_NAME, OLD.history_user_id, OLD.history_id USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION "porchlight_department_snapshot".live_historicalbridge_erasure_guard() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'porchlight_department_snapshot', 'pg_catalog', 'pg_temp'
    AS $$
BEGIN
    IF (NEW."name"::text) IS NOT DISTINCT FROM (OLD."name"::text) OR pg_has_role(current_user, (SELECT c.relowner FROM pg_class AS c WHERE c.oid = TG_RELID), 'MEMBER') THEN
        RETURN NULL;
    END IF;
    IF NOT coalesce(NEW.name = '', false) THEN
        RAISE EXCEPTION '%: the personal data in (name) may only be erased, as an owner''s deletion erases '
            'them, not changed (history_id %)', TG_TABLE_NAME, OLD.history_id USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM "porchlight_department_snapshot".accounts_erasure AS e WHERE e.subject = 'site:' || OLD.site_id) THEN
        RAISE EXCEPTION '%: no erasure of % is recorded (accounts_erasure), so its personal data stay (history_id %)',
            TG_TABLE_NAME, 'site:' || OLD.site_id, OLD.history_id USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT (NOT EXISTS (SELECT 1 FROM "porchlight_department_snapshot".cameras_site AS x WHERE x.id = OLD.site_id)) THEN
        RAISE EXCEPTION '%: % still exists: its personal data are erased only when it is deleted, in the same '
            'transaction (history_id %)', TG_TABLE_NAME, 'site:' || OLD.site_id, OLD.history_id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END
$$;

CREATE TABLE "porchlight_department_snapshot".account_emailaddress (
    id integer NOT NULL,
    email character varying(254) NOT NULL,
    verified boolean NOT NULL,
    "primary" boolean NOT NULL,
    user_id bigint NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".account_emailaddress ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".account_emailaddress_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".account_emailconfirmation (
    id integer NOT NULL,
    created timestamp with time zone NOT NULL,
    sent timestamp with time zone,
    key character varying(64) NOT NULL,
    email_address_id integer NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".account_emailconfirmation ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".account_emailconfirmation_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".accounts_apitoken (
    id bigint NOT NULL,
    name character varying(100) NOT NULL,
    prefix character varying(12) NOT NULL,
    digest character varying(64) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    last_used_at timestamp with time zone,
    revoked_at timestamp with time zone,
    user_id bigint NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".accounts_apitoken ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".accounts_apitoken_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".accounts_erasure (
    id bigint NOT NULL,
    subject character varying(40) NOT NULL,
    erased_at timestamp with time zone DEFAULT statement_timestamp() NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".accounts_erasure ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".accounts_erasure_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".accounts_historicaluser (
    id bigint NOT NULL,
    is_superuser boolean NOT NULL,
    email character varying(254) NOT NULL,
    full_name character varying(150) NOT NULL,
    role character varying(20) NOT NULL,
    badge_number character varying(32) NOT NULL,
    is_active boolean NOT NULL,
    is_staff boolean NOT NULL,
    date_joined timestamp with time zone NOT NULL,
    invited_by_id bigint,
    invitation_sent_at timestamp with time zone,
    history_id integer NOT NULL,
    history_date timestamp with time zone NOT NULL,
    history_change_reason character varying(100),
    history_type character varying(1) NOT NULL,
    history_user_id bigint,
    language character varying(10) NOT NULL,
    compliance_duty boolean NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".accounts_historicaluser ALTER COLUMN history_id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".accounts_historicaluser_history_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".accounts_user (
    id bigint NOT NULL,
    password character varying(128) NOT NULL,
    last_login timestamp with time zone,
    is_superuser boolean NOT NULL,
    email character varying(254) NOT NULL,
    full_name character varying(150) NOT NULL,
    role character varying(20) NOT NULL,
    badge_number character varying(32) NOT NULL,
    is_active boolean NOT NULL,
    is_staff boolean NOT NULL,
    date_joined timestamp with time zone NOT NULL,
    invited_by_id bigint,
    invitation_sent_at timestamp with time zone,
    language character varying(10) NOT NULL,
    compliance_duty boolean NOT NULL
);

CREATE TABLE "porchlight_department_snapshot".accounts_user_groups (
    id bigint NOT NULL,
    user_id bigint NOT NULL,
    group_id integer NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".accounts_user_groups ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".accounts_user_groups_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

ALTER TABLE "porchlight_department_snapshot".accounts_user ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".accounts_user_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".accounts_user_user_permissions (
    id bigint NOT NULL,
    user_id bigint NOT NULL,
    permission_id integer NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".accounts_user_user_permissions ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".accounts_user_user_permissions_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".audit_accessevent (
    id bigint NOT NULL,
    seq bigint NOT NULL,
    occurred_at timestamp with time zone NOT NULL,
    actor_id bigint,
    actor_label character varying(200) NOT NULL,
    actor_badge character varying(32) NOT NULL,
    actor_role character varying(20) NOT NULL,
    actor_mfa boolean NOT NULL,
    session_hash character varying(64) NOT NULL,
    client_ip character varying(45),
    user_agent character varying(300) NOT NULL,
    action character varying(32) NOT NULL,
    targets character varying(80)[] NOT NULL,
    owner_refs bigint[] NOT NULL,
    case_number character varying(64) NOT NULL,
    purpose_category character varying(64) NOT NULL,
    purpose_text character varying(500) NOT NULL,
    authority character varying(16) NOT NULL,
    warrant_number character varying(64) NOT NULL,
    outcome character varying(8) NOT NULL,
    reason character varying(64) NOT NULL,
    consent_level character varying(20) NOT NULL,
    consent_history_id bigint,
    quantity bigint,
    quantity_unit character varying(16) NOT NULL,
    details jsonb NOT NULL,
    prev_hash character varying(64) NOT NULL,
    hash character varying(64) NOT NULL,
    content_hash character varying(64) NOT NULL,
    CONSTRAINT audit_event_outcome_valid CHECK (((outcome)::text = ANY ((ARRAY['allowed'::character varying, 'denied'::character varying])::text[]))),
    CONSTRAINT audit_event_reason_required CHECK ((NOT ((reason)::text = ''::text)))
);

ALTER TABLE "porchlight_department_snapshot".audit_accessevent ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".audit_accessevent_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".audit_anomalyflag (
    id bigint NOT NULL,
    rule character varying(32) NOT NULL,
    key character varying(200) NOT NULL,
    seqs bigint[] NOT NULL,
    occurred_at timestamp with time zone NOT NULL,
    officer_id bigint,
    officer_label character varying(200) NOT NULL,
    officer_badge character varying(32) NOT NULL,
    details jsonb NOT NULL,
    found_at timestamp with time zone NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".audit_anomalyflag ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".audit_anomalyflag_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".audit_anomalyreview (
    id bigint NOT NULL,
    note text NOT NULL,
    reviewer_id bigint,
    reviewer_label character varying(200) NOT NULL,
    reviewed_at timestamp with time zone NOT NULL,
    event_seq bigint NOT NULL,
    flag_id bigint NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".audit_anomalyreview ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".audit_anomalyreview_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".audit_arearollup (
    id bigint NOT NULL,
    day date NOT NULL,
    area_ref character varying(40) NOT NULL,
    area_name character varying(200) NOT NULL,
    action character varying(32) NOT NULL,
    outcome character varying(8) NOT NULL,
    events bigint NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".audit_arearollup ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".audit_arearollup_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".audit_arearollupmark (
    id smallint NOT NULL,
    seq bigint NOT NULL,
    time_zone character varying(64) NOT NULL,
    CONSTRAINT audit_arearollupmark_one_row CHECK ((id = 1))
);

CREATE TABLE "porchlight_department_snapshot".audit_boardrecord (
    id bigint NOT NULL,
    kind character varying(20) NOT NULL,
    received_on date NOT NULL,
    category character varying(32) NOT NULL,
    summary text NOT NULL,
    status character varying(20) NOT NULL,
    outcome character varying(32) NOT NULL,
    disposed_on date,
    entered_at timestamp with time zone NOT NULL,
    event_seq bigint NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".audit_boardrecord ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".audit_boardrecord_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".audit_chainverification (
    id bigint NOT NULL,
    verified_at timestamp with time zone NOT NULL,
    how character varying(12) NOT NULL,
    by character varying(60) NOT NULL,
    ok boolean NOT NULL,
    seq bigint NOT NULL,
    hash character varying(64) NOT NULL,
    broken_seq bigint,
    problem character varying(1000) NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".audit_chainverification ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".audit_chainverification_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".audit_dayrollup (
    id bigint NOT NULL,
    day date NOT NULL,
    action character varying(32) NOT NULL,
    outcome character varying(8) NOT NULL,
    reason character varying(64) NOT NULL,
    category character varying(64) NOT NULL,
    evidence boolean NOT NULL,
    events bigint NOT NULL,
    quantity bigint NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".audit_dayrollup ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".audit_dayrollup_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".audit_historicalboardrecord (
    id bigint NOT NULL,
    kind character varying(20) NOT NULL,
    received_on date NOT NULL,
    category character varying(32) NOT NULL,
    summary text NOT NULL,
    status character varying(20) NOT NULL,
    outcome character varying(32) NOT NULL,
    disposed_on date,
    entered_at timestamp with time zone NOT NULL,
    event_seq bigint NOT NULL,
    history_id integer NOT NULL,
    history_date timestamp with time zone NOT NULL,
    history_change_reason character varying(100),
    history_type character varying(1) NOT NULL,
    history_user_id bigint
);

ALTER TABLE "porchlight_department_snapshot".audit_historicalboardrecord ALTER COLUMN history_id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".audit_historicalboardrecord_history_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".audit_hourrollup (
    id bigint NOT NULL,
    month date NOT NULL,
    weekday smallint NOT NULL,
    hour smallint NOT NULL,
    action character varying(32) NOT NULL,
    outcome character varying(8) NOT NULL,
    events bigint NOT NULL,
    CONSTRAINT audit_hourrollup_hour_check CHECK ((hour >= 0)),
    CONSTRAINT audit_hourrollup_weekday_check CHECK ((weekday >= 0))
);

ALTER TABLE "porchlight_department_snapshot".audit_hourrollup ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".audit_hourrollup_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".audit_logfailure (
    id bigint NOT NULL,
    found_at timestamp with time zone NOT NULL,
    found_by character varying(60) NOT NULL,
    first_seq bigint,
    last_seq bigint,
    events bigint NOT NULL,
    since timestamp with time zone,
    problem character varying(1000) NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".audit_logfailure ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".audit_logfailure_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".audit_logfailureresolution (
    id bigint NOT NULL,
    note text NOT NULL,
    resolved_at timestamp with time zone NOT NULL,
    reviewer_id bigint,
    reviewer_label character varying(200) NOT NULL,
    event_seq bigint NOT NULL,
    failure_id bigint NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".audit_logfailureresolution ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".audit_logfailureresolution_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".audit_merklenode (
    "position" bigint NOT NULL,
    hash bytea NOT NULL
);

CREATE TABLE "porchlight_department_snapshot".audit_monthrollup (
    id bigint NOT NULL,
    month date NOT NULL,
    action character varying(32) NOT NULL,
    outcome character varying(8) NOT NULL,
    reason character varying(64) NOT NULL,
    category character varying(64) NOT NULL,
    evidence boolean NOT NULL,
    events bigint NOT NULL,
    quantity bigint NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".audit_monthrollup ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".audit_monthrollup_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".audit_rollupmark (
    id bigint NOT NULL,
    name character varying(32) NOT NULL,
    seq bigint NOT NULL,
    time_zone character varying(64) NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".audit_rollupmark ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".audit_rollupmark_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".audit_signedcheckpoint (
    id bigint NOT NULL,
    tree_size bigint NOT NULL,
    root_hash bytea NOT NULL,
    made_at timestamp with time zone NOT NULL,
    note text NOT NULL,
    rewrite_found text DEFAULT ''::text NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".audit_signedcheckpoint ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".audit_signedcheckpoint_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".auth_group (
    id integer NOT NULL,
    name character varying(150) NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".auth_group ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".auth_group_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".auth_group_permissions (
    id bigint NOT NULL,
    group_id integer NOT NULL,
    permission_id integer NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".auth_group_permissions ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".auth_group_permissions_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".auth_permission (
    id integer NOT NULL,
    name character varying(255) NOT NULL,
    content_type_id integer NOT NULL,
    codename character varying(100) NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".auth_permission ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".auth_permission_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".cameras_accessnotice (
    id bigint NOT NULL,
    event_seq bigint NOT NULL,
    case_number character varying(64) NOT NULL,
    immediate boolean NOT NULL,
    due_at timestamp with time zone NOT NULL,
    created_at timestamp with time zone NOT NULL,
    sent_at timestamp with time zone,
    owner_id bigint NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".cameras_accessnotice ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".cameras_accessnotice_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".cameras_camera (
    id bigint NOT NULL,
    public_id uuid NOT NULL,
    label character varying(120) NOT NULL,
    camera_type character varying(20) NOT NULL,
    placement character varying(10) NOT NULL,
    mount_height_m numeric(4,1),
    bearing_deg smallint NOT NULL,
    fov_angle_deg smallint NOT NULL,
    range_m smallint NOT NULL,
    location public.geography(Point,4326) NOT NULL,
    fov public.geography(Polygon,4326) NOT NULL,
    views character varying(20)[] NOT NULL,
    resolution character varying(20) NOT NULL,
    frame_rate smallint,
    recording_mode character varying(12) NOT NULL,
    retention_days smallint,
    audio boolean NOT NULL,
    recorder_make character varying(80) NOT NULL,
    recorder_model character varying(80) NOT NULL,
    export_format character varying(40) NOT NULL,
    snapshot character varying(100),
    status character varying(10) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    site_id bigint NOT NULL,
    mobile boolean NOT NULL,
    position_at timestamp with time zone,
    privacy_masks jsonb NOT NULL,
    CONSTRAINT cameras_camera_bearing_deg_check CHECK ((bearing_deg >= 0)),
    CONSTRAINT cameras_camera_fov_angle_deg_check CHECK ((fov_angle_deg >= 0)),
    CONSTRAINT cameras_camera_frame_rate_check CHECK ((frame_rate >= 0)),
    CONSTRAINT cameras_camera_range_m_check CHECK ((range_m >= 0)),
    CONSTRAINT cameras_camera_retention_days_check CHECK ((retention_days >= 0))
);

ALTER TABLE "porchlight_department_snapshot".cameras_camera ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".cameras_camera_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".cameras_consentgrant (
    id bigint NOT NULL,
    level character varying(20) NOT NULL,
    windows jsonb NOT NULL,
    expires_at timestamp with time zone,
    max_live_minutes smallint,
    notify_on_access boolean NOT NULL,
    granted_at timestamp with time zone NOT NULL,
    revoked_at timestamp with time zone,
    camera_id bigint NOT NULL,
    CONSTRAINT cameras_consentgrant_max_live_minutes_check CHECK ((max_live_minutes >= 0))
);

ALTER TABLE "porchlight_department_snapshot".cameras_consentgrant ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".cameras_consentgrant_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".cameras_departmentcamera (
    id bigint NOT NULL,
    stream_url character varying(500) NOT NULL,
    retired_at timestamp with time zone,
    created_at timestamp with time zone NOT NULL,
    camera_id bigint NOT NULL,
    registered_by_id bigint NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".cameras_departmentcamera ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".cameras_departmentcamera_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".cameras_departmentcameraimport (
    id bigint NOT NULL,
    public_id uuid NOT NULL,
    file character varying(255) NOT NULL,
    file_name character varying(255) NOT NULL,
    file_format character varying(10) NOT NULL,
    file_size bigint NOT NULL,
    status character varying(10) NOT NULL,
    rows_total integer,
    rows_checked integer NOT NULL,
    rows_created integer NOT NULL,
    errors jsonb NOT NULL,
    failure text NOT NULL,
    created_at timestamp with time zone NOT NULL,
    started_at timestamp with time zone,
    finished_at timestamp with time zone,
    created_by_id bigint NOT NULL,
    CONSTRAINT cameras_departmentcameraimport_rows_checked_check CHECK ((rows_checked >= 0)),
    CONSTRAINT cameras_departmentcameraimport_rows_created_check CHECK ((rows_created >= 0)),
    CONSTRAINT cameras_departmentcameraimport_rows_total_check CHECK ((rows_total >= 0))
);

ALTER TABLE "porchlight_department_snapshot".cameras_departmentcameraimport ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".cameras_departmentcameraimport_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".cameras_historicalcamera (
    id bigint NOT NULL,
    public_id uuid NOT NULL,
    label character varying(120) NOT NULL,
    camera_type character varying(20) NOT NULL,
    placement character varying(10) NOT NULL,
    mount_height_m numeric(4,1),
    bearing_deg smallint NOT NULL,
    fov_angle_deg smallint NOT NULL,
    range_m smallint NOT NULL,
    location public.geography(Point,4326) NOT NULL,
    fov public.geography(Polygon,4326) NOT NULL,
    views character varying(20)[] NOT NULL,
    resolution character varying(20) NOT NULL,
    frame_rate smallint,
    recording_mode character varying(12) NOT NULL,
    retention_days smallint,
    audio boolean NOT NULL,
    recorder_make character varying(80) NOT NULL,
    recorder_model character varying(80) NOT NULL,
    export_format character varying(40) NOT NULL,
    status character varying(10) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    history_id integer NOT NULL,
    history_date timestamp with time zone NOT NULL,
    history_change_reason character varying(100),
    history_type character varying(1) NOT NULL,
    history_user_id bigint,
    site_id bigint,
    mobile boolean NOT NULL,
    privacy_masks jsonb NOT NULL,
    CONSTRAINT cameras_historicalcamera_bearing_deg_check CHECK ((bearing_deg >= 0)),
    CONSTRAINT cameras_historicalcamera_fov_angle_deg_check CHECK ((fov_angle_deg >= 0)),
    CONSTRAINT cameras_historicalcamera_frame_rate_check CHECK ((frame_rate >= 0)),
    CONSTRAINT cameras_historicalcamera_range_m_check CHECK ((range_m >= 0)),
    CONSTRAINT cameras_historicalcamera_retention_days_check CHECK ((retention_days >= 0))
);

ALTER TABLE "porchlight_department_snapshot".cameras_historicalcamera ALTER COLUMN history_id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".cameras_historicalcamera_history_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".cameras_historicalconsentgrant (
    id bigint NOT NULL,
    level character varying(20) NOT NULL,
    windows jsonb NOT NULL,
    expires_at timestamp with time zone,
    max_live_minutes smallint,
    notify_on_access boolean NOT NULL,
    granted_at timestamp with time zone NOT NULL,
    revoked_at timestamp with time zone,
    history_id integer NOT NULL,
    history_date timestamp with time zone NOT NULL,
    history_change_reason character varying(100),
    history_type character varying(1) NOT NULL,
    camera_id bigint,
    history_user_id bigint,
    CONSTRAINT cameras_historicalconsentgrant_max_live_minutes_check CHECK ((max_live_minutes >= 0))
);

ALTER TABLE "porchlight_department_snapshot".cameras_historicalconsentgrant ALTER COLUMN history_id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".cameras_historicalconsentgrant_history_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".cameras_historicaldepartmentcamera (
    id bigint NOT NULL,
    retired_at timestamp with time zone,
    created_at timestamp with time zone NOT NULL,
    history_id integer NOT NULL,
    history_date timestamp with time zone NOT NULL,
    history_change_reason character varying(100),
    history_type character varying(1) NOT NULL,
    camera_id bigint,
    history_user_id bigint,
    registered_by_id bigint
);

ALTER TABLE "porchlight_department_snapshot".cameras_historicaldepartmentcamera ALTER COLUMN history_id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".cameras_historicaldepartmentcamera_history_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".cameras_historicalsite (
    id bigint NOT NULL,
    public_id uuid NOT NULL,
    kind character varying(20) NOT NULL,
    name character varying(120) NOT NULL,
    address character varying(255) NOT NULL,
    location public.geography(Point,4326) NOT NULL,
    parcel_number character varying(64) NOT NULL,
    permit_number character varying(64) NOT NULL,
    business_name character varying(200) NOT NULL,
    property_type character varying(64) NOT NULL,
    constructed_on date,
    share_contact boolean NOT NULL,
    police_notes text NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    history_id integer NOT NULL,
    history_date timestamp with time zone NOT NULL,
    history_change_reason character varying(100),
    history_type character varying(1) NOT NULL,
    history_user_id bigint,
    owner_id bigint,
    business_category character varying(24) NOT NULL,
    floor_area_sqft integer,
    licence_renews_on date,
    parking_spaces integer,
    units integer,
    department_owned boolean NOT NULL,
    CONSTRAINT cameras_historicalsite_floor_area_sqft_check CHECK ((floor_area_sqft >= 0)),
    CONSTRAINT cameras_historicalsite_parking_spaces_check CHECK ((parking_spaces >= 0)),
    CONSTRAINT cameras_historicalsite_units_check CHECK ((units >= 0))
);

ALTER TABLE "porchlight_department_snapshot".cameras_historicalsite ALTER COLUMN history_id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".cameras_historicalsite_history_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".cameras_purpose (
    id bigint NOT NULL,
    public_id uuid NOT NULL,
    case_number character varying(64) NOT NULL,
    category character varying(64) NOT NULL,
    text character varying(500) NOT NULL,
    authority character varying(16) NOT NULL,
    warrant_number character varying(64) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    officer_id bigint NOT NULL,
    approved_at timestamp with time zone,
    approved_by_id bigint,
    denial_reason character varying(500) NOT NULL,
    denied_at timestamp with time zone,
    denied_by_id bigint,
    incident_ref uuid
);

ALTER TABLE "porchlight_department_snapshot".cameras_purpose ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".cameras_purpose_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".cameras_site (
    id bigint NOT NULL,
    public_id uuid NOT NULL,
    kind character varying(20) NOT NULL,
    name character varying(120) NOT NULL,
    address character varying(255) NOT NULL,
    location public.geography(Point,4326) NOT NULL,
    parcel_number character varying(64) NOT NULL,
    permit_number character varying(64) NOT NULL,
    business_name character varying(200) NOT NULL,
    property_type character varying(64) NOT NULL,
    constructed_on date,
    share_contact boolean NOT NULL,
    police_notes text NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    owner_id bigint NOT NULL,
    business_category character varying(24) NOT NULL,
    floor_area_sqft integer,
    licence_renews_on date,
    parking_spaces integer,
    units integer,
    department_owned boolean NOT NULL,
    CONSTRAINT cameras_site_floor_area_sqft_check CHECK ((floor_area_sqft >= 0)),
    CONSTRAINT cameras_site_parking_spaces_check CHECK ((parking_spaces >= 0)),
    CONSTRAINT cameras_site_units_check CHECK ((units >= 0))
);

ALTER TABLE "porchlight_department_snapshot".cameras_site ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".cameras_site_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".cameras_suspension (
    id bigint NOT NULL,
    public_id uuid NOT NULL,
    kind character varying(10) NOT NULL,
    started_at timestamp with time zone NOT NULL,
    ends_at timestamp with time zone,
    resumed_at timestamp with time zone,
    resumed_by_timer boolean NOT NULL,
    owner_id bigint NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".cameras_suspension ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".cameras_suspension_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".cameras_suspensionitem (
    id bigint NOT NULL,
    before jsonb NOT NULL,
    marker timestamp with time zone,
    outcome character varying(10) NOT NULL,
    camera_id bigint NOT NULL,
    suspension_id bigint NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".cameras_suspensionitem ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".cameras_suspensionitem_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".compliance_appeal (
    id bigint NOT NULL,
    public_id uuid NOT NULL,
    kind character varying(10) NOT NULL,
    reason text NOT NULL,
    requested_at timestamp with time zone NOT NULL,
    decision character varying(10) NOT NULL,
    decision_reasons text NOT NULL,
    decided_at timestamp with time zone,
    exempt_until date,
    decided_by_id bigint,
    requested_by_id bigint NOT NULL,
    site_id bigint NOT NULL,
    ordinance_id bigint NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".compliance_appeal ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".compliance_appeal_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".compliance_appealattachment (
    id bigint NOT NULL,
    public_id uuid NOT NULL,
    file character varying(100) NOT NULL,
    original_name character varying(200) NOT NULL,
    content_type character varying(40) NOT NULL,
    size integer NOT NULL,
    sha256 character varying(64) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    appeal_id bigint NOT NULL,
    CONSTRAINT compliance_appealattachment_size_check CHECK ((size >= 0))
);

ALTER TABLE "porchlight_department_snapshot".compliance_appealattachment ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".compliance_appealattachment_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".compliance_attestation (
    id bigint NOT NULL,
    public_id uuid NOT NULL,
    signed_name character varying(200) NOT NULL,
    signed_at timestamp with time zone NOT NULL,
    ip_address inet,
    text text NOT NULL,
    text_sha256 character varying(64) NOT NULL,
    confirmed character varying(20)[] NOT NULL,
    signed_by_id bigint NOT NULL,
    site_id bigint NOT NULL,
    version_id bigint NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".compliance_attestation ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".compliance_attestation_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".compliance_certificate (
    id bigint NOT NULL,
    public_id uuid NOT NULL,
    code character varying(16) NOT NULL,
    ordinances jsonb NOT NULL,
    street_block character varying(200) NOT NULL,
    issued_at timestamp with time zone NOT NULL,
    valid_until date NOT NULL,
    revoked_at timestamp with time zone,
    revocation_reason text NOT NULL,
    issued_to_id bigint,
    revoked_by_id bigint,
    site_id bigint,
    CONSTRAINT compliance_certificate_revoked_with_reason CHECK (((revoked_at IS NULL) OR (NOT (revocation_reason = ''::text))))
);

ALTER TABLE "porchlight_department_snapshot".compliance_certificate ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".compliance_certificate_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".compliance_certificate_versions (
    id bigint NOT NULL,
    certificate_id bigint NOT NULL,
    ordinanceversion_id bigint NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".compliance_certificate_versions ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".compliance_certificate_versions_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".compliance_compliancerecord (
    id bigint NOT NULL,
    ordinance_key character varying(40) NOT NULL,
    status character varying(20) NOT NULL,
    rank smallint NOT NULL,
    unmet character varying(20)[] NOT NULL,
    failed character varying(20)[] NOT NULL,
    next_attestation_due date,
    recheck_on date,
    category character varying(24) NOT NULL,
    computed_at timestamp with time zone NOT NULL,
    site_rank smallint NOT NULL,
    "primary" boolean NOT NULL,
    ordinance_id bigint,
    police_area_id bigint,
    site_id bigint NOT NULL,
    version_id bigint,
    CONSTRAINT compliance_compliancerecord_rank_check CHECK ((rank >= 0)),
    CONSTRAINT compliance_compliancerecord_site_rank_check CHECK ((site_rank >= 0))
);

ALTER TABLE "porchlight_department_snapshot".compliance_compliancerecord ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".compliance_compliancerecord_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".compliance_coverageexit (
    id bigint NOT NULL,
    public_id uuid NOT NULL,
    ordinance_keys character varying(40)[] NOT NULL,
    ordinance_names character varying(200)[] NOT NULL,
    changes jsonb NOT NULL,
    changed_at timestamp with time zone NOT NULL,
    reviewed_at timestamp with time zone,
    changed_by_id bigint,
    reviewed_by_id bigint,
    site_id bigint NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".compliance_coverageexit ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".compliance_coverageexit_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".compliance_historicalappeal (
    id bigint NOT NULL,
    public_id uuid NOT NULL,
    kind character varying(10) NOT NULL,
    reason text NOT NULL,
    requested_at timestamp with time zone NOT NULL,
    decision character varying(10) NOT NULL,
    decision_reasons text NOT NULL,
    decided_at timestamp with time zone,
    exempt_until date,
    history_id integer NOT NULL,
    history_date timestamp with time zone NOT NULL,
    history_change_reason character varying(100),
    history_type character varying(1) NOT NULL,
    decided_by_id bigint,
    history_user_id bigint,
    requested_by_id bigint,
    site_id bigint,
    ordinance_id bigint
);

ALTER TABLE "porchlight_department_snapshot".compliance_historicalappeal ALTER COLUMN history_id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".compliance_historicalappeal_history_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".compliance_historicalappealattachment (
    id bigint NOT NULL,
    public_id uuid NOT NULL,
    original_name character varying(200) NOT NULL,
    content_type character varying(40) NOT NULL,
    size integer NOT NULL,
    sha256 character varying(64) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    history_id integer NOT NULL,
    history_date timestamp with time zone NOT NULL,
    history_change_reason character varying(100),
    history_type character varying(1) NOT NULL,
    appeal_id bigint,
    history_user_id bigint,
    CONSTRAINT compliance_historicalappealattachment_size_check CHECK ((size >= 0))
);

ALTER TABLE "porchlight_department_snapshot".compliance_historicalappealattachment ALTER COLUMN history_id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".compliance_historicalappealattachment_history_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".compliance_historicalattestation (
    id bigint NOT NULL,
    public_id uuid NOT NULL,
    signed_name character varying(200) NOT NULL,
    signed_at timestamp with time zone NOT NULL,
    ip_address inet,
    text text NOT NULL,
    text_sha256 character varying(64) NOT NULL,
    confirmed character varying(20)[] NOT NULL,
    history_id integer NOT NULL,
    history_date timestamp with time zone NOT NULL,
    history_change_reason character varying(100),
    history_type character varying(1) NOT NULL,
    history_user_id bigint,
    signed_by_id bigint,
    site_id bigint,
    version_id bigint
);

ALTER TABLE "porchlight_department_snapshot".compliance_historicalattestation ALTER COLUMN history_id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".compliance_historicalattestation_history_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".compliance_historicalcertificate (
    id bigint NOT NULL,
    public_id uuid NOT NULL,
    code character varying(16) NOT NULL,
    ordinances jsonb NOT NULL,
    street_block character varying(200) NOT NULL,
    issued_at timestamp with time zone NOT NULL,
    valid_until date NOT NULL,
    revoked_at timestamp with time zone,
    revocation_reason text NOT NULL,
    history_id integer NOT NULL,
    history_date timestamp with time zone NOT NULL,
    history_change_reason character varying(100),
    history_type character varying(1) NOT NULL,
    history_user_id bigint,
    issued_to_id bigint,
    revoked_by_id bigint,
    site_id bigint
);

ALTER TABLE "porchlight_department_snapshot".compliance_historicalcertificate ALTER COLUMN history_id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".compliance_historicalcertificate_history_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".compliance_historicalcoverageexit (
    id bigint NOT NULL,
    public_id uuid NOT NULL,
    ordinance_keys character varying(40)[] NOT NULL,
    ordinance_names character varying(200)[] NOT NULL,
    changes jsonb NOT NULL,
    changed_at timestamp with time zone NOT NULL,
    reviewed_at timestamp with time zone,
    history_id integer NOT NULL,
    history_date timestamp with time zone NOT NULL,
    history_change_reason character varying(100),
    history_type character varying(1) NOT NULL,
    changed_by_id bigint,
    history_user_id bigint,
    reviewed_by_id bigint,
    site_id bigint
);

ALTER TABLE "porchlight_department_snapshot".compliance_historicalcoverageexit ALTER COLUMN history_id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".compliance_historicalcoverageexit_history_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".compliance_historicalinspection (
    id bigint NOT NULL,
    inspected_on date NOT NULL,
    findings jsonb NOT NULL,
    notes text NOT NULL,
    created_at timestamp with time zone NOT NULL,
    history_id integer NOT NULL,
    history_date timestamp with time zone NOT NULL,
    history_change_reason character varying(100),
    history_type character varying(1) NOT NULL,
    history_user_id bigint,
    inspector_id bigint,
    site_id bigint,
    ordinance_id bigint,
    version_id bigint
);

ALTER TABLE "porchlight_department_snapshot".compliance_historicalinspection ALTER COLUMN history_id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".compliance_historicalinspection_history_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".compliance_historicalinspectionphoto (
    id bigint NOT NULL,
    content_type character varying(40) NOT NULL,
    size integer NOT NULL,
    sha256 character varying(64) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    history_id integer NOT NULL,
    history_date timestamp with time zone NOT NULL,
    history_change_reason character varying(100),
    history_type character varying(1) NOT NULL,
    history_user_id bigint,
    inspection_id bigint,
    CONSTRAINT compliance_historicalinspectionphoto_size_check CHECK ((size >= 0))
);

ALTER TABLE "porchlight_department_snapshot".compliance_historicalinspectionphoto ALTER COLUMN history_id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".compliance_historicalinspectionphoto_history_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".compliance_historicallicence (
    id bigint NOT NULL,
    public_id uuid NOT NULL,
    source character varying(20) NOT NULL,
    number character varying(64) NOT NULL,
    parcel_number character varying(64) NOT NULL,
    name character varying(200) NOT NULL,
    address character varying(255) NOT NULL,
    address_key character varying(255) NOT NULL,
    category character varying(24) NOT NULL,
    category_raw character varying(100) NOT NULL,
    issued_on date,
    expires_on date,
    renews_on date,
    email character varying(254) NOT NULL,
    matched_by character varying(10) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    history_id integer NOT NULL,
    history_date timestamp with time zone NOT NULL,
    history_change_reason character varying(100),
    history_type character varying(1) NOT NULL,
    history_user_id bigint,
    site_id bigint,
    import_job_id bigint,
    city character varying(100) NOT NULL,
    postal_code character varying(10) NOT NULL,
    state character varying(2) NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".compliance_historicallicence ALTER COLUMN history_id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".compliance_historicallicence_history_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".compliance_historicalnotice (
    id bigint NOT NULL,
    issued_on date NOT NULL,
    cure_by date NOT NULL,
    text text NOT NULL,
    resolved_on date,
    history_id integer NOT NULL,
    history_date timestamp with time zone NOT NULL,
    history_change_reason character varying(100),
    history_type character varying(1) NOT NULL,
    history_user_id bigint,
    issued_by_id bigint,
    site_id bigint,
    ordinance_id bigint,
    resolution text NOT NULL,
    resolved_by_id bigint
);

ALTER TABLE "porchlight_department_snapshot".compliance_historicalnotice ALTER COLUMN history_id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".compliance_historicalnotice_history_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".compliance_historicalordinance (
    id bigint NOT NULL,
    public_id uuid NOT NULL,
    name character varying(200) NOT NULL,
    citation character varying(200) NOT NULL,
    text_url character varying(200) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    history_id integer NOT NULL,
    history_date timestamp with time zone NOT NULL,
    history_change_reason character varying(100),
    history_type character varying(1) NOT NULL,
    history_user_id bigint,
    repealed_on date
);

ALTER TABLE "porchlight_department_snapshot".compliance_historicalordinance ALTER COLUMN history_id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".compliance_historicalordinance_history_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".compliance_historicalordinanceversion (
    id bigint NOT NULL,
    effective_on date NOT NULL,
    property_kinds character varying(20)[] NOT NULL,
    business_categories character varying(24)[] NOT NULL,
    built_after date,
    min_units integer,
    min_parking_spaces integer,
    min_floor_area_sqft integer,
    min_cameras smallint,
    placements character varying(20)[] NOT NULL,
    min_megapixels numeric(4,1),
    min_fps smallint,
    night_vision boolean NOT NULL,
    retention_days smallint,
    min_consent character varying(20) NOT NULL,
    live_connection_required boolean NOT NULL,
    delivery_hours smallint,
    signage boolean NOT NULL,
    lighting boolean NOT NULL,
    attestation_at_renewal boolean NOT NULL,
    attestation_month smallint,
    attestation_day smallint,
    cure_days smallint,
    created_at timestamp with time zone NOT NULL,
    history_id integer NOT NULL,
    history_date timestamp with time zone NOT NULL,
    history_change_reason character varying(100),
    history_type character varying(1) NOT NULL,
    history_user_id bigint,
    ordinance_id bigint,
    CONSTRAINT compliance_historicalordinanceversion_attestation_day_check CHECK ((attestation_day >= 0)),
    CONSTRAINT compliance_historicalordinanceversion_attestation_month_check CHECK ((attestation_month >= 0)),
    CONSTRAINT compliance_historicalordinanceversion_cure_days_check CHECK ((cure_days >= 0)),
    CONSTRAINT compliance_historicalordinanceversion_delivery_hours_check CHECK ((delivery_hours >= 0)),
    CONSTRAINT compliance_historicalordinanceversion_min_cameras_check CHECK ((min_cameras >= 0)),
    CONSTRAINT compliance_historicalordinanceversion_min_floor_area_sqft_check CHECK ((min_floor_area_sqft >= 0)),
    CONSTRAINT compliance_historicalordinanceversion_min_fps_check CHECK ((min_fps >= 0)),
    CONSTRAINT compliance_historicalordinanceversion_min_parking_spaces_check CHECK ((min_parking_spaces >= 0)),
    CONSTRAINT compliance_historicalordinanceversion_min_units_check CHECK ((min_units >= 0)),
    CONSTRAINT compliance_historicalordinanceversion_retention_days_check CHECK ((retention_days >= 0))
);

ALTER TABLE "porchlight_department_snapshot".compliance_historicalordinanceversion ALTER COLUMN history_id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".compliance_historicalordinanceversion_history_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".compliance_inspection (
    id bigint NOT NULL,
    inspected_on date NOT NULL,
    findings jsonb NOT NULL,
    notes text NOT NULL,
    photo character varying(100),
    created_at timestamp with time zone NOT NULL,
    inspector_id bigint NOT NULL,
    site_id bigint NOT NULL,
    ordinance_id bigint NOT NULL,
    version_id bigint
);

ALTER TABLE "porchlight_department_snapshot".compliance_inspection ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".compliance_inspection_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".compliance_inspectionphoto (
    id bigint NOT NULL,
    image character varying(100) NOT NULL,
    content_type character varying(40) NOT NULL,
    size integer NOT NULL,
    sha256 character varying(64) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    inspection_id bigint NOT NULL,
    CONSTRAINT compliance_inspectionphoto_size_check CHECK ((size >= 0))
);

ALTER TABLE "porchlight_department_snapshot".compliance_inspectionphoto ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".compliance_inspectionphoto_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".compliance_licence (
    id bigint NOT NULL,
    public_id uuid NOT NULL,
    source character varying(20) NOT NULL,
    number character varying(64) NOT NULL,
    parcel_number character varying(64) NOT NULL,
    name character varying(200) NOT NULL,
    address character varying(255) NOT NULL,
    address_key character varying(255) NOT NULL,
    category character varying(24) NOT NULL,
    category_raw character varying(100) NOT NULL,
    issued_on date,
    expires_on date,
    renews_on date,
    email character varying(254) NOT NULL,
    matched_by character varying(10) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    site_id bigint,
    import_job_id bigint,
    city character varying(100) NOT NULL,
    postal_code character varying(10) NOT NULL,
    state character varying(2) NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".compliance_licence ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".compliance_licence_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".compliance_licenceimportjob (
    id bigint NOT NULL,
    public_id uuid NOT NULL,
    source character varying(20) NOT NULL,
    file character varying(255) NOT NULL,
    file_name character varying(255) NOT NULL,
    file_size bigint NOT NULL,
    encoding character varying(20) NOT NULL,
    has_header boolean NOT NULL,
    columns jsonb NOT NULL,
    preview jsonb NOT NULL,
    mapping jsonb NOT NULL,
    unknown_as_other boolean NOT NULL,
    status character varying(10) NOT NULL,
    rows_total integer,
    rows_done integer NOT NULL,
    rows_bad integer NOT NULL,
    rows_created integer NOT NULL,
    rows_updated integer NOT NULL,
    matched integer,
    errors jsonb NOT NULL,
    failure text NOT NULL,
    created_at timestamp with time zone NOT NULL,
    started_at timestamp with time zone,
    finished_at timestamp with time zone,
    created_by_id bigint NOT NULL,
    CONSTRAINT compliance_licenceimportjob_matched_check CHECK ((matched >= 0)),
    CONSTRAINT compliance_licenceimportjob_rows_bad_check CHECK ((rows_bad >= 0)),
    CONSTRAINT compliance_licenceimportjob_rows_created_check CHECK ((rows_created >= 0)),
    CONSTRAINT compliance_licenceimportjob_rows_done_check CHECK ((rows_done >= 0)),
    CONSTRAINT compliance_licenceimportjob_rows_total_check CHECK ((rows_total >= 0)),
    CONSTRAINT compliance_licenceimportjob_rows_updated_check CHECK ((rows_updated >= 0))
);

ALTER TABLE "porchlight_department_snapshot".compliance_licenceimportjob ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".compliance_licenceimportjob_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".compliance_licenceinvitation (
    id bigint NOT NULL,
    channel character varying(10) NOT NULL,
    email character varying(254) NOT NULL,
    sent_at timestamp with time zone NOT NULL,
    licence_id bigint NOT NULL,
    sent_by_id bigint NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".compliance_licenceinvitation ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".compliance_licenceinvitation_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".compliance_notice (
    id bigint NOT NULL,
    issued_on date NOT NULL,
    cure_by date NOT NULL,
    text text NOT NULL,
    resolved_on date,
    issued_by_id bigint NOT NULL,
    site_id bigint NOT NULL,
    ordinance_id bigint NOT NULL,
    resolution text NOT NULL,
    resolved_by_id bigint
);

ALTER TABLE "porchlight_department_snapshot".compliance_notice ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".compliance_notice_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".compliance_ordinance (
    id bigint NOT NULL,
    public_id uuid NOT NULL,
    name character varying(200) NOT NULL,
    citation character varying(200) NOT NULL,
    text_url character varying(200) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    repealed_on date
);

ALTER TABLE "porchlight_department_snapshot".compliance_ordinance ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".compliance_ordinance_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".compliance_ordinanceversion (
    id bigint NOT NULL,
    effective_on date NOT NULL,
    property_kinds character varying(20)[] NOT NULL,
    business_categories character varying(24)[] NOT NULL,
    built_after date,
    min_units integer,
    min_parking_spaces integer,
    min_floor_area_sqft integer,
    min_cameras smallint,
    placements character varying(20)[] NOT NULL,
    min_megapixels numeric(4,1),
    min_fps smallint,
    night_vision boolean NOT NULL,
    retention_days smallint,
    min_consent character varying(20) NOT NULL,
    live_connection_required boolean NOT NULL,
    delivery_hours smallint,
    signage boolean NOT NULL,
    lighting boolean NOT NULL,
    attestation_at_renewal boolean NOT NULL,
    attestation_month smallint,
    attestation_day smallint,
    cure_days smallint,
    created_at timestamp with time zone NOT NULL,
    ordinance_id bigint NOT NULL,
    CONSTRAINT compliance_ordinanceversion_attestation_day_check CHECK ((attestation_day >= 0)),
    CONSTRAINT compliance_ordinanceversion_attestation_month_check CHECK ((attestation_month >= 0)),
    CONSTRAINT compliance_ordinanceversion_cure_days_check CHECK ((cure_days >= 0)),
    CONSTRAINT compliance_ordinanceversion_delivery_hours_check CHECK ((delivery_hours >= 0)),
    CONSTRAINT compliance_ordinanceversion_min_cameras_check CHECK ((min_cameras >= 0)),
    CONSTRAINT compliance_ordinanceversion_min_floor_area_sqft_check CHECK ((min_floor_area_sqft >= 0)),
    CONSTRAINT compliance_ordinanceversion_min_fps_check CHECK ((min_fps >= 0)),
    CONSTRAINT compliance_ordinanceversion_min_parking_spaces_check CHECK ((min_parking_spaces >= 0)),
    CONSTRAINT compliance_ordinanceversion_min_units_check CHECK ((min_units >= 0)),
    CONSTRAINT compliance_ordinanceversion_retention_days_check CHECK ((retention_days >= 0))
);

ALTER TABLE "porchlight_department_snapshot".compliance_ordinanceversion ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".compliance_ordinanceversion_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".compliance_reminder (
    id bigint NOT NULL,
    kind character varying(20) NOT NULL,
    due_on date NOT NULL,
    sent_at timestamp with time zone NOT NULL,
    ordinance_id bigint NOT NULL,
    site_id bigint NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".compliance_reminder ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".compliance_reminder_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".django_admin_log (
    id integer NOT NULL,
    action_time timestamp with time zone NOT NULL,
    object_id text,
    object_repr character varying(200) NOT NULL,
    action_flag smallint NOT NULL,
    change_message text NOT NULL,
    content_type_id integer,
    user_id bigint NOT NULL,
    CONSTRAINT django_admin_log_action_flag_check CHECK ((action_flag >= 0))
);

ALTER TABLE "porchlight_department_snapshot".django_admin_log ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".django_admin_log_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".django_content_type (
    id integer NOT NULL,
    app_label character varying(100) NOT NULL,
    model character varying(100) NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".django_content_type ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".django_content_type_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".django_migrations (
    id bigint NOT NULL,
    app character varying(255) NOT NULL,
    name character varying(255) NOT NULL,
    applied timestamp with time zone NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".django_migrations ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".django_migrations_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".django_session (
    session_key character varying(40) NOT NULL,
    session_data text NOT NULL,
    expire_date timestamp with time zone NOT NULL
);

CREATE TABLE "porchlight_department_snapshot".footage_cameraanswer (
    id bigint NOT NULL,
    camera_ref character varying(80) NOT NULL,
    answer character varying(12) NOT NULL,
    decline_reason text NOT NULL,
    answered_at timestamp with time zone,
    camera_id bigint,
    owner_request_id bigint NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".footage_cameraanswer ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".footage_cameraanswer_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".footage_clip (
    id bigint NOT NULL,
    public_id uuid NOT NULL,
    original_name character varying(255) NOT NULL,
    size bigint NOT NULL,
    sha256 character varying(64) NOT NULL,
    container character varying(32) NOT NULL,
    storage_key character varying(300) NOT NULL,
    uploaded_at timestamp with time zone NOT NULL,
    held boolean NOT NULL,
    hold_reason character varying(500) NOT NULL,
    purged_at timestamp with time zone,
    answer_id bigint NOT NULL,
    request_id bigint NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".footage_clip ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".footage_clip_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".footage_clipupload (
    id bigint NOT NULL,
    public_id uuid NOT NULL,
    name character varying(255) NOT NULL,
    size bigint NOT NULL,
    chunk_size integer NOT NULL,
    received bigint NOT NULL,
    container character varying(32) NOT NULL,
    staging_prefix character varying(200) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    touched_at timestamp with time zone NOT NULL,
    completed_at timestamp with time zone,
    answer_id bigint NOT NULL,
    clip_id bigint,
    owner_id bigint NOT NULL,
    CONSTRAINT footage_upload_in_size CHECK (((received >= 0) AND (received <= size)))
);

ALTER TABLE "porchlight_department_snapshot".footage_clipupload ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".footage_clipupload_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".footage_custodyevent (
    id bigint NOT NULL,
    action character varying(20) NOT NULL,
    at timestamp with time zone NOT NULL,
    actor_id bigint,
    actor_label character varying(200) NOT NULL,
    case_number character varying(64) NOT NULL,
    sha256 character varying(64) NOT NULL,
    note character varying(500) NOT NULL,
    clip_id bigint NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".footage_custodyevent ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".footage_custodyevent_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".footage_downloadlink (
    id bigint NOT NULL,
    token_digest character varying(64) NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    used_at timestamp with time zone,
    clip_id bigint NOT NULL,
    purpose_id bigint NOT NULL,
    user_id bigint NOT NULL,
    access_event_seq bigint
);

ALTER TABLE "porchlight_department_snapshot".footage_downloadlink ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".footage_downloadlink_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".footage_footagerequest (
    id bigint NOT NULL,
    public_id uuid NOT NULL,
    window_start timestamp with time zone NOT NULL,
    window_end timestamp with time zone NOT NULL,
    message text NOT NULL,
    area jsonb NOT NULL,
    created_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    officer_id bigint NOT NULL,
    purpose_id bigint NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".footage_footagerequest ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".footage_footagerequest_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".footage_historicalintegritynotice (
    id bigint NOT NULL,
    expected_sha256 character varying(64) NOT NULL,
    actual_sha256 character varying(64) NOT NULL,
    detected_at timestamp with time zone NOT NULL,
    acknowledged_at timestamp with time zone,
    acknowledged_by_label character varying(200) NOT NULL,
    acknowledgement_note character varying(500) NOT NULL,
    history_id integer NOT NULL,
    history_date timestamp with time zone NOT NULL,
    history_change_reason character varying(100),
    history_type character varying(1) NOT NULL,
    acknowledged_by_id bigint,
    clip_id bigint,
    history_user_id bigint
);

ALTER TABLE "porchlight_department_snapshot".footage_historicalintegritynotice ALTER COLUMN history_id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".footage_historicalintegritynotice_history_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".footage_integritynotice (
    id bigint NOT NULL,
    expected_sha256 character varying(64) NOT NULL,
    actual_sha256 character varying(64) NOT NULL,
    detected_at timestamp with time zone NOT NULL,
    acknowledged_at timestamp with time zone,
    acknowledged_by_label character varying(200) NOT NULL,
    acknowledgement_note character varying(500) NOT NULL,
    acknowledged_by_id bigint,
    clip_id bigint NOT NULL,
    CONSTRAINT footage_integrity_notice_acknowledged_by_someone CHECK (((acknowledged_at IS NULL) OR (acknowledged_by_id IS NOT NULL)))
);

ALTER TABLE "porchlight_department_snapshot".footage_integritynotice ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".footage_integritynotice_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".footage_ownerrequest (
    id bigint NOT NULL,
    public_id uuid NOT NULL,
    created_at timestamp with time zone NOT NULL,
    notified_at timestamp with time zone,
    reminded_at timestamp with time zone,
    owner_id bigint,
    request_id bigint NOT NULL,
    deliver_by timestamp with time zone,
    deliver_by_ordinance character varying(500) NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".footage_ownerrequest ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".footage_ownerrequest_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".footage_signingkey (
    id bigint NOT NULL,
    private_key bytea NOT NULL,
    public_key bytea NOT NULL,
    created_at timestamp with time zone NOT NULL,
    log_origin character varying(300) NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".footage_signingkey ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".footage_signingkey_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".footage_streamlink (
    id bigint NOT NULL,
    public_id uuid NOT NULL,
    access_event_seq bigint NOT NULL,
    created_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    clip_id bigint NOT NULL,
    purpose_id bigint NOT NULL,
    user_id bigint NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".footage_streamlink ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".footage_streamlink_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".incidents_delivery (
    id bigint NOT NULL,
    signature character varying(64) NOT NULL,
    signed_at timestamp with time zone NOT NULL,
    received_at timestamp with time zone NOT NULL,
    body jsonb NOT NULL,
    status character varying(10) NOT NULL,
    error character varying(500) NOT NULL,
    processed_at timestamp with time zone,
    incident_id bigint,
    integration_id bigint NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".incidents_delivery ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".incidents_delivery_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".incidents_historicalincident (
    id bigint NOT NULL,
    public_id uuid NOT NULL,
    source_kind character varying(20) NOT NULL,
    external_id character varying(128) NOT NULL,
    incident_type character varying(120) NOT NULL,
    priority character varying(32) NOT NULL,
    occurred_at timestamp with time zone NOT NULL,
    location public.geography(Point,4326) NOT NULL,
    address character varying(255) NOT NULL,
    status character varying(10) NOT NULL,
    case_number character varying(64) NOT NULL,
    details jsonb NOT NULL,
    closed_at timestamp with time zone,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    history_id integer NOT NULL,
    history_date timestamp with time zone NOT NULL,
    history_change_reason character varying(100),
    history_type character varying(1) NOT NULL,
    closed_by_id bigint,
    history_user_id bigint,
    integration_id bigint
);

ALTER TABLE "porchlight_department_snapshot".incidents_historicalincident ALTER COLUMN history_id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".incidents_historicalincident_history_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".incidents_historicalintegration (
    id bigint NOT NULL,
    public_id uuid NOT NULL,
    kind character varying(20) NOT NULL,
    name character varying(120) NOT NULL,
    shape character varying(20) NOT NULL,
    secret_fingerprint character varying(16) NOT NULL,
    secret_rotated_at timestamp with time zone,
    active boolean NOT NULL,
    rate_per_minute integer NOT NULL,
    created_at timestamp with time zone NOT NULL,
    history_id integer NOT NULL,
    history_date timestamp with time zone NOT NULL,
    history_change_reason character varying(100),
    history_type character varying(1) NOT NULL,
    created_by_id bigint,
    history_user_id bigint,
    CONSTRAINT incidents_historicalintegration_rate_per_minute_check CHECK ((rate_per_minute >= 0))
);

ALTER TABLE "porchlight_department_snapshot".incidents_historicalintegration ALTER COLUMN history_id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".incidents_historicalintegration_history_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".incidents_incident (
    id bigint NOT NULL,
    public_id uuid NOT NULL,
    source_kind character varying(20) NOT NULL,
    external_id character varying(128) NOT NULL,
    incident_type character varying(120) NOT NULL,
    priority character varying(32) NOT NULL,
    occurred_at timestamp with time zone NOT NULL,
    location public.geography(Point,4326) NOT NULL,
    address character varying(255) NOT NULL,
    status character varying(10) NOT NULL,
    case_number character varying(64) NOT NULL,
    details jsonb NOT NULL,
    closed_at timestamp with time zone,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    closed_by_id bigint,
    integration_id bigint
);

ALTER TABLE "porchlight_department_snapshot".incidents_incident ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".incidents_incident_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".incidents_integration (
    id bigint NOT NULL,
    public_id uuid NOT NULL,
    kind character varying(20) NOT NULL,
    name character varying(120) NOT NULL,
    shape character varying(20) NOT NULL,
    secret_encrypted text NOT NULL,
    secret_fingerprint character varying(16) NOT NULL,
    previous_secret_encrypted text NOT NULL,
    previous_secret_valid_until timestamp with time zone,
    secret_rotated_at timestamp with time zone,
    active boolean NOT NULL,
    rate_per_minute integer NOT NULL,
    created_at timestamp with time zone NOT NULL,
    created_by_id bigint,
    CONSTRAINT incidents_integration_rate_per_minute_check CHECK ((rate_per_minute >= 0))
);

ALTER TABLE "porchlight_department_snapshot".incidents_integration ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".incidents_integration_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".incidents_integrationrefusal (
    id bigint NOT NULL,
    reason character varying(32) NOT NULL,
    count bigint NOT NULL,
    last_carried_at timestamp with time zone NOT NULL,
    integration_id bigint NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".incidents_integrationrefusal ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".incidents_integrationrefusal_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".live_bridge (
    id bigint NOT NULL,
    public_id uuid NOT NULL,
    name character varying(100) NOT NULL,
    token_prefix character varying(12) NOT NULL,
    token_digest character varying(64) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    revoked_at timestamp with time zone,
    last_seen_at timestamp with time zone,
    site_id bigint NOT NULL
);

CREATE TABLE "porchlight_department_snapshot".live_bridge_cameras (
    id bigint NOT NULL,
    bridge_id bigint NOT NULL,
    camera_id bigint NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".live_bridge_cameras ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".live_bridge_cameras_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

ALTER TABLE "porchlight_department_snapshot".live_bridge ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".live_bridge_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".live_bridgepairing (
    id bigint NOT NULL,
    code_digest character varying(64) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    used_at timestamp with time zone,
    used_from inet,
    used_name character varying(100) NOT NULL,
    bridge_id bigint NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".live_bridgepairing ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".live_bridgepairing_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".live_historicalbridge (
    id bigint NOT NULL,
    public_id uuid NOT NULL,
    name character varying(100) NOT NULL,
    token_prefix character varying(12) NOT NULL,
    token_digest character varying(64) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    revoked_at timestamp with time zone,
    history_id integer NOT NULL,
    history_date timestamp with time zone NOT NULL,
    history_change_reason character varying(100),
    history_type character varying(1) NOT NULL,
    history_user_id bigint,
    site_id bigint
);

ALTER TABLE "porchlight_department_snapshot".live_historicalbridge ALTER COLUMN history_id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".live_historicalbridge_history_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".live_livesession (
    id bigint NOT NULL,
    public_id uuid NOT NULL,
    camera_ref character varying(80) NOT NULL,
    started_at timestamp with time zone NOT NULL,
    limit_seconds integer NOT NULL,
    ends_at timestamp with time zone NOT NULL,
    ended_at timestamp with time zone,
    end_reason character varying(20) NOT NULL,
    frames bigint NOT NULL,
    bytes_sent bigint NOT NULL,
    start_event_seq bigint NOT NULL,
    extensions smallint NOT NULL,
    camera_id bigint,
    officer_id bigint NOT NULL,
    purpose_id bigint NOT NULL,
    end_pending boolean NOT NULL,
    heartbeat_at timestamp with time zone,
    CONSTRAINT live_livesession_extensions_check CHECK ((extensions >= 0)),
    CONSTRAINT live_livesession_limit_seconds_check CHECK ((limit_seconds >= 0))
);

ALTER TABLE "porchlight_department_snapshot".live_livesession ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".live_livesession_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".live_positionsample (
    id bigint NOT NULL,
    at timestamp with time zone NOT NULL,
    point public.geography(Point,4326) NOT NULL,
    heading smallint,
    accuracy_m double precision,
    camera_id bigint NOT NULL,
    CONSTRAINT live_positionsample_heading_check CHECK ((heading >= 0))
);

ALTER TABLE "porchlight_department_snapshot".live_positionsample ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".live_positionsample_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".messaging_historicalmessagingpreference (
    id bigint NOT NULL,
    email_on_message boolean NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    history_id integer NOT NULL,
    history_date timestamp with time zone NOT NULL,
    history_change_reason character varying(100),
    history_type character varying(1) NOT NULL,
    history_user_id bigint,
    owner_id bigint
);

ALTER TABLE "porchlight_department_snapshot".messaging_historicalmessagingpreference ALTER COLUMN history_id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".messaging_historicalmessagingpreference_history_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".messaging_message (
    id bigint NOT NULL,
    public_id uuid NOT NULL,
    sender character varying(8) NOT NULL,
    body text NOT NULL,
    case_number character varying(64) NOT NULL,
    access_event_seq bigint,
    shares_contact boolean NOT NULL,
    shared_contact jsonb NOT NULL,
    created_at timestamp with time zone NOT NULL,
    read_at timestamp with time zone,
    emailed_at timestamp with time zone,
    purpose_id bigint,
    thread_id bigint NOT NULL,
    CONSTRAINT messaging_officer_message_is_gated CHECK ((((sender)::text = 'owner'::text) OR ((access_event_seq IS NOT NULL) AND (purpose_id IS NOT NULL)))),
    CONSTRAINT messaging_only_owners_share_contact CHECK ((((sender)::text = 'owner'::text) OR (NOT shares_contact)))
);

ALTER TABLE "porchlight_department_snapshot".messaging_message ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".messaging_message_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".messaging_messagingpreference (
    id bigint NOT NULL,
    email_on_message boolean NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    owner_id bigint NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".messaging_messagingpreference ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".messaging_messagingpreference_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".messaging_thread (
    id bigint NOT NULL,
    public_id uuid NOT NULL,
    camera_ref character varying(80) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    last_message_at timestamp with time zone NOT NULL,
    camera_id bigint,
    officer_id bigint NOT NULL,
    owner_id bigint NOT NULL,
    camera_address character varying(300) NOT NULL,
    camera_placement character varying(10) NOT NULL,
    camera_type character varying(20) NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".messaging_thread ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".messaging_thread_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".mfa_authenticator (
    id bigint NOT NULL,
    type character varying(20) NOT NULL,
    data jsonb NOT NULL,
    user_id bigint NOT NULL,
    created_at timestamp with time zone NOT NULL,
    last_used_at timestamp with time zone
);

ALTER TABLE "porchlight_department_snapshot".mfa_authenticator ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".mfa_authenticator_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".notifications_notification (
    id bigint NOT NULL,
    kind character varying(32) NOT NULL,
    subject character varying(200) NOT NULL,
    body text NOT NULL,
    link character varying(500) NOT NULL,
    once_key character varying(100) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    read_at timestamp with time zone,
    recipient_id bigint NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".notifications_notification ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".notifications_notification_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".places_addresspoint (
    id bigint NOT NULL,
    number character varying(20) NOT NULL,
    street character varying(200) NOT NULL,
    unit character varying(50) NOT NULL,
    city character varying(100) NOT NULL,
    postcode character varying(20) NOT NULL,
    location public.geography(Point,4326) NOT NULL,
    street_key character varying(200) NOT NULL,
    search text NOT NULL,
    cell bigint NOT NULL,
    key character varying(400) NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".places_addresspoint ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".places_addresspoint_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".places_policearea (
    id bigint NOT NULL,
    name character varying(200) NOT NULL,
    kind character varying(10) NOT NULL,
    area public.geometry(MultiPolygon,4326) NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".places_policearea ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".places_policearea_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".places_sensitiveplace (
    id bigint NOT NULL,
    name character varying(200) NOT NULL,
    kind character varying(10) NOT NULL,
    area public.geometry(MultiPolygon,4326) NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".places_sensitiveplace ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".places_sensitiveplace_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".places_street (
    id bigint NOT NULL,
    key character varying(200) NOT NULL,
    name character varying(200) NOT NULL,
    cells bigint[] NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".places_street ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".places_street_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE "porchlight_department_snapshot".usersessions_usersession (
    id bigint NOT NULL,
    created_at timestamp with time zone NOT NULL,
    ip inet NOT NULL,
    last_seen_at timestamp with time zone NOT NULL,
    session_key character varying(40) NOT NULL,
    user_agent character varying(200) NOT NULL,
    data jsonb NOT NULL,
    user_id bigint NOT NULL
);

ALTER TABLE "porchlight_department_snapshot".usersessions_usersession ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME "porchlight_department_snapshot".usersessions_usersession_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

INSERT INTO "porchlight_department_snapshot".auth_permission VALUES
	(1, 'Can add department', 1, 'add_department'),
	(2, 'Can change department', 1, 'change_department'),
	(3, 'Can delete department', 1, 'delete_department'),
	(4, 'Can view department', 1, 'view_department'),
	(5, 'Can add department policy', 2, 'add_departmentpolicy'),
	(6, 'Can change department policy', 2, 'change_departmentpolicy'),
	(7, 'Can delete department policy', 2, 'delete_departmentpolicy'),
	(8, 'Can view department policy', 2, 'view_departmentpolicy'),
	(9, 'Can add domain', 3, 'add_domain'),
	(10, 'Can change domain', 3, 'change_domain'),
	(11, 'Can delete domain', 3, 'delete_domain'),
	(12, 'Can view domain', 3, 'view_domain'),
	(13, 'Can add historical department policy', 4, 'add_historicaldepartmentpolicy'),
	(14, 'Can change historical department policy', 4, 'change_historicaldepartmentpolicy'),
	(15, 'Can delete historical department policy', 4, 'delete_historicaldepartmentpolicy'),
	(16, 'Can view historical department policy', 4, 'view_historicaldepartmentpolicy'),
	(17, 'Can add outbox message', 5, 'add_outboxmessage'),
	(18, 'Can change outbox message', 5, 'change_outboxmessage'),
	(19, 'Can delete outbox message', 5, 'delete_outboxmessage'),
	(20, 'Can view outbox message', 5, 'view_outboxmessage'),
	(21, 'Can add content type', 6, 'add_contenttype'),
	(22, 'Can change content type', 6, 'change_contenttype'),
	(23, 'Can delete content type', 6, 'delete_contenttype'),
	(24, 'Can view content type', 6, 'view_contenttype'),
	(25, 'Can add permission', 7, 'add_permission'),
	(26, 'Can change permission', 7, 'change_permission'),
	(27, 'Can delete permission', 7, 'delete_permission'),
	(28, 'Can view permission', 7, 'view_permission'),
	(29, 'Can add group', 8, 'add_group'),
	(30, 'Can change group', 8, 'change_group'),
	(31, 'Can delete group', 8, 'delete_group'),
	(32, 'Can view group', 8, 'view_group'),
	(33, 'Can add user', 9, 'add_user'),
	(34, 'Can change user', 9, 'change_user'),
	(35, 'Can delete user', 9, 'delete_user'),
	(36, 'Can view user', 9, 'view_user'),
	(37, 'Can add api token', 10, 'add_apitoken'),
	(38, 'Can change api token', 10, 'change_apitoken'),
	(39, 'Can delete api token', 10, 'delete_apitoken'),
	(40, 'Can view api token', 10, 'view_apitoken'),
	(41, 'Can add historical user', 11, 'add_historicaluser'),
	(42, 'Can change historical user', 11, 'change_historicaluser'),
	(43, 'Can delete historical user', 11, 'delete_historicaluser'),
	(44, 'Can view historical user', 11, 'view_historicaluser'),
	(45, 'Can add erasure', 12, 'add_erasure'),
	(46, 'Can change erasure', 12, 'change_erasure'),
	(47, 'Can delete erasure', 12, 'delete_erasure'),
	(48, 'Can view erasure', 12, 'view_erasure'),
	(49, 'Can add session', 13, 'add_session'),
	(50, 'Can change session', 13, 'change_session'),
	(51, 'Can delete session', 13, 'delete_session'),
	(52, 'Can view session', 13, 'view_session'),
	(53, 'Can add log entry', 14, 'add_logentry'),
	(54, 'Can change log entry', 14, 'change_logentry'),
	(55, 'Can delete log entry', 14, 'delete_logentry'),
	(56, 'Can view log entry', 14, 'view_logentry'),
	(57, 'Can add email address', 15, 'add_emailaddress'),
	(58, 'Can change email address', 15, 'change_emailaddress'),
	(59, 'Can delete email address', 15, 'delete_emailaddress'),
	(60, 'Can view email address', 15, 'view_emailaddress'),
	(61, 'Can add email confirmation', 16, 'add_emailconfirmation'),
	(62, 'Can change email confirmation', 16, 'change_emailconfirmation'),
	(63, 'Can delete email confirmation', 16, 'delete_emailconfirmation'),
	(64, 'Can view email confirmation', 16, 'view_emailconfirmation'),
	(65, 'Can add authenticator', 17, 'add_authenticator'),
	(66, 'Can change authenticator', 17, 'change_authenticator'),
	(67, 'Can delete authenticator', 17, 'delete_authenticator'),
	(68, 'Can view authenticator', 17, 'view_authenticator'),
	(69, 'Can add user session', 18, 'add_usersession'),
	(70, 'Can change user session', 18, 'change_usersession'),
	(71, 'Can delete user session', 18, 'delete_usersession'),
	(72, 'Can view user session', 18, 'view_usersession'),
	(73, 'Can add notification', 19, 'add_notification'),
	(74, 'Can change notification', 19, 'change_notification'),
	(75, 'Can delete notification', 19, 'delete_notification'),
	(76, 'Can view notification', 19, 'view_notification'),
	(77, 'Can add access event', 20, 'add_accessevent'),
	(78, 'Can change access event', 20, 'change_accessevent'),
	(79, 'Can delete access event', 20, 'delete_accessevent'),
	(80, 'Can view access event', 20, 'view_accessevent'),
	(81, 'Can add chain verification', 21, 'add_chainverification'),
	(82, 'Can change chain verification', 21, 'change_chainverification'),
	(83, 'Can delete chain verification', 21, 'delete_chainverification'),
	(84, 'Can view chain verification', 21, 'view_chainverification'),
	(85, 'Can add signing key', 22, 'add_signingkey'),
	(86, 'Can change signing key', 22, 'change_signingkey'),
	(87, 'Can delete signing key', 22, 'delete_signingkey'),
	(88, 'Can view signing key', 22, 'view_signingkey'),
	(89, 'Can add rollup mark', 23, 'add_rollupmark'),
	(90, 'Can change rollup mark', 23, 'change_rollupmark'),
	(91, 'Can delete rollup mark', 23, 'delete_rollupmark'),
	(92, 'Can view rollup mark', 23, 'view_rollupmark'),
	(93, 'Can add area rollup', 24, 'add_arearollup'),
	(94, 'Can change area rollup', 24, 'change_arearollup'),
	(95, 'Can delete area rollup', 24, 'delete_arearollup'),
	(96, 'Can view area rollup', 24, 'view_arearollup'),
	(97, 'Can add day rollup', 25, 'add_dayrollup'),
	(98, 'Can change day rollup', 25, 'change_dayrollup'),
	(99, 'Can delete day rollup', 25, 'delete_dayrollup'),
	(100, 'Can view day rollup', 25, 'view_dayrollup'),
	(101, 'Can add hour rollup', 26, 'add_hourrollup'),
	(102, 'Can change hour rollup', 26, 'change_hourrollup'),
	(103, 'Can delete hour rollup', 26, 'delete_hourrollup'),
	(104, 'Can view hour rollup', 26, 'view_hourrollup'),
	(105, 'Can add month rollup', 27, 'add_monthrollup'),
	(106, 'Can change month rollup', 27, 'change_monthrollup'),
	(107, 'Can delete month rollup', 27, 'delete_monthrollup'),
	(108, 'Can view month rollup', 27, 'view_monthrollup'),
	(109, 'Can add merkle node', 28, 'add_merklenode'),
	(110, 'Can change merkle node', 28, 'change_merklenode'),
	(111, 'Can delete merkle node', 28, 'delete_merklenode'),
	(112, 'Can view merkle node', 28, 'view_merklenode'),
	(113, 'Can add signed checkpoint', 29, 'add_signedcheckpoint'),
	(114, 'Can change signed checkpoint', 29, 'change_signedcheckpoint'),
	(115, 'Can delete signed checkpoint', 29, 'delete_signedcheckpoint'),
	(116, 'Can view signed checkpoint', 29, 'view_signedcheckpoint'),
	(117, 'Can add anomaly flag', 30, 'add_anomalyflag'),
	(118, 'Can change anomaly flag', 30, 'change_anomalyflag'),
	(119, 'Can delete anomaly flag', 30, 'delete_anomalyflag'),
	(120, 'Can view anomaly flag', 30, 'view_anomalyflag'),
	(121, 'Can add anomaly review', 31, 'add_anomalyreview'),
	(122, 'Can change anomaly review', 31, 'change_anomalyreview'),
	(123, 'Can delete anomaly review', 31, 'delete_anomalyreview'),
	(124, 'Can view anomaly review', 31, 'view_anomalyreview'),
	(125, 'Can add board record', 32, 'add_boardrecord'),
	(126, 'Can change board record', 32, 'change_boardrecord'),
	(127, 'Can delete board record', 32, 'delete_boardrecord'),
	(128, 'Can view board record', 32, 'view_boardrecord'),
	(129, 'Can add historical board record', 33, 'add_historicalboardrecord'),
	(130, 'Can change historical board record', 33, 'change_historicalboardrecord'),
	(131, 'Can delete historical board record', 33, 'delete_historicalboardrecord'),
	(132, 'Can view historical board record', 33, 'view_historicalboardrecord'),
	(133, 'Can add area rollup mark', 34, 'add_arearollupmark'),
	(134, 'Can change area rollup mark', 34, 'change_arearollupmark'),
	(135, 'Can delete area rollup mark', 34, 'delete_arearollupmark'),
	(136, 'Can view area rollup mark', 34, 'view_arearollupmark'),
	(137, 'Can add log failure', 35, 'add_logfailure'),
	(138, 'Can change log failure', 35, 'change_logfailure'),
	(139, 'Can delete log failure', 35, 'delete_logfailure'),
	(140, 'Can view log failure', 35, 'view_logfailure'),
	(141, 'Can add log failure resolution', 36, 'add_logfailureresolution'),
	(142, 'Can change log failure resolution', 36, 'change_logfailureresolution'),
	(143, 'Can delete log failure resolution', 36, 'delete_logfailureresolution'),
	(144, 'Can view log failure resolution', 36, 'view_logfailureresolution'),
	(145, 'Can add address point', 37, 'add_addresspoint'),
	(146, 'Can change address point', 37, 'change_addresspoint'),
	(147, 'Can delete address point', 37, 'delete_addresspoint'),
	(148, 'Can view address point', 37, 'view_addresspoint'),
	(149, 'Can add street', 38, 'add_street'),
	(150, 'Can change street', 38, 'change_street'),
	(151, 'Can delete street', 38, 'delete_street'),
	(152, 'Can view street', 38, 'view_street'),
	(153, 'Can add police area', 39, 'add_policearea'),
	(154, 'Can change police area', 39, 'change_policearea'),
	(155, 'Can delete police area', 39, 'delete_policearea'),
	(156, 'Can view police area', 39, 'view_policearea'),
	(157, 'Can add sensitive place', 40, 'add_sensitiveplace'),
	(158, 'Can change sensitive place', 40, 'change_sensitiveplace'),
	(159, 'Can delete sensitive place', 40, 'delete_sensitiveplace'),
	(160, 'Can view sensitive place', 40, 'view_sensitiveplace'),
	(161, 'Can add camera', 41, 'add_camera'),
	(162, 'Can change camera', 41, 'change_camera'),
	(163, 'Can delete camera', 41, 'delete_camera'),
	(164, 'Can view camera', 41, 'view_camera'),
	(165, 'Can add consent grant', 42, 'add_consentgrant'),
	(166, 'Can change consent grant', 42, 'change_consentgrant'),
	(167, 'Can delete consent grant', 42, 'delete_consentgrant'),
	(168, 'Can view consent grant', 42, 'view_consentgrant'),
	(169, 'Can add historical consent grant', 43, 'add_historicalconsentgrant'),
	(170, 'Can change historical consent grant', 43, 'change_historicalconsentgrant'),
	(171, 'Can delete historical consent grant', 43, 'delete_historicalconsentgrant'),
	(172, 'Can view historical consent grant', 43, 'view_historicalconsentgrant'),
	(173, 'Can add historical site', 44, 'add_historicalsite'),
	(174, 'Can change historical site', 44, 'change_historicalsite'),
	(175, 'Can delete historical site', 44, 'delete_historicalsite'),
	(176, 'Can view historical site', 44, 'view_historicalsite'),
	(177, 'Can add site', 45, 'add_site'),
	(178, 'Can change site', 45, 'change_site'),
	(179, 'Can delete site', 45, 'delete_site'),
	(180, 'Can view site', 45, 'view_site'),
	(181, 'Can add historical camera', 46, 'add_historicalcamera'),
	(182, 'Can change historical camera', 46, 'change_historicalcamera'),
	(183, 'Can delete historical camera', 46, 'delete_historicalcamera'),
	(184, 'Can view historical camera', 46, 'view_historicalcamera'),
	(185, 'Can add purpose', 47, 'add_purpose'),
	(186, 'Can change purpose', 47, 'change_purpose'),
	(187, 'Can delete purpose', 47, 'delete_purpose'),
	(188, 'Can view purpose', 47, 'view_purpose'),
	(189, 'Can add suspension', 48, 'add_suspension'),
	(190, 'Can change suspension', 48, 'change_suspension'),
	(191, 'Can delete suspension', 48, 'delete_suspension'),
	(192, 'Can view suspension', 48, 'view_suspension'),
	(193, 'Can add suspension item', 49, 'add_suspensionitem'),
	(194, 'Can change suspension item', 49, 'change_suspensionitem'),
	(195, 'Can delete suspension item', 49, 'delete_suspensionitem'),
	(196, 'Can view suspension item', 49, 'view_suspensionitem'),
	(197, 'Can add access notice', 50, 'add_accessnotice'),
	(198, 'Can change access notice', 50, 'change_accessnotice'),
	(199, 'Can delete access notice', 50, 'delete_accessnotice'),
	(200, 'Can view access notice', 50, 'view_accessnotice'),
	(201, 'Can add department camera', 51, 'add_departmentcamera'),
	(202, 'Can change department camera', 51, 'change_departmentcamera'),
	(203, 'Can delete department camera', 51, 'delete_departmentcamera'),
	(204, 'Can view department camera', 51, 'view_departmentcamera'),
	(205, 'Can add department camera import', 52, 'add_departmentcameraimport'),
	(206, 'Can change department camera import', 52, 'change_departmentcameraimport'),
	(207, 'Can delete department camera import', 52, 'delete_departmentcameraimport'),
	(208, 'Can view department camera import', 52, 'view_departmentcameraimport'),
	(209, 'Can add historical department camera', 53, 'add_historicaldepartmentcamera'),
	(210, 'Can change historical department camera', 53, 'change_historicaldepartmentcamera'),
	(211, 'Can delete historical department camera', 53, 'delete_historicaldepartmentcamera'),
	(212, 'Can view historical department camera', 53, 'view_historicaldepartmentcamera'),
	(213, 'Can add bridge', 54, 'add_bridge'),
	(214, 'Can change bridge', 54, 'change_bridge'),
	(215, 'Can delete bridge', 54, 'delete_bridge'),
	(216, 'Can view bridge', 54, 'view_bridge'),
	(217, 'Can add historical bridge', 55, 'add_historicalbridge'),
	(218, 'Can change historical bridge', 55, 'change_historicalbridge'),
	(219, 'Can delete historical bridge', 55, 'delete_historicalbridge'),
	(220, 'Can view historical bridge', 55, 'view_historicalbridge'),
	(221, 'Can add live session', 56, 'add_livesession'),
	(222, 'Can change live session', 56, 'change_livesession'),
	(223, 'Can delete live session', 56, 'delete_livesession'),
	(224, 'Can view live session', 56, 'view_livesession'),
	(225, 'Can add position sample', 57, 'add_positionsample'),
	(226, 'Can change position sample', 57, 'change_positionsample'),
	(227, 'Can delete position sample', 57, 'delete_positionsample'),
	(228, 'Can view position sample', 57, 'view_positionsample'),
	(229, 'Can add bridge pairing', 58, 'add_bridgepairing'),
	(230, 'Can change bridge pairing', 58, 'change_bridgepairing'),
	(231, 'Can delete bridge pairing', 58, 'delete_bridgepairing'),
	(232, 'Can view bridge pairing', 58, 'view_bridgepairing'),
	(233, 'Can add camera answer', 59, 'add_cameraanswer'),
	(234, 'Can change camera answer', 59, 'change_cameraanswer'),
	(235, 'Can delete camera answer', 59, 'delete_cameraanswer'),
	(236, 'Can view camera answer', 59, 'view_cameraanswer'),
	(237, 'Can add clip', 60, 'add_clip'),
	(238, 'Can change clip', 60, 'change_clip'),
	(239, 'Can delete clip', 60, 'delete_clip'),
	(240, 'Can view clip', 60, 'view_clip'),
	(241, 'Can add custody event', 61, 'add_custodyevent'),
	(242, 'Can change custody event', 61, 'change_custodyevent'),
	(243, 'Can delete custody event', 61, 'delete_custodyevent'),
	(244, 'Can view custody event', 61, 'view_custodyevent'),
	(245, 'Can add download link', 62, 'add_downloadlink'),
	(246, 'Can change download link', 62, 'change_downloadlink'),
	(247, 'Can delete download link', 62, 'delete_downloadlink'),
	(248, 'Can view download link', 62, 'view_downloadlink'),
	(249, 'Can add footage request', 63, 'add_footagerequest'),
	(250, 'Can change footage request', 63, 'change_footagerequest'),
	(251, 'Can delete footage request', 63, 'delete_footagerequest'),
	(252, 'Can view footage request', 63, 'view_footagerequest'),
	(253, 'Can add owner request', 64, 'add_ownerrequest'),
	(254, 'Can change owner request', 64, 'change_ownerrequest'),
	(255, 'Can delete owner request', 64, 'delete_ownerrequest'),
	(256, 'Can view owner request', 64, 'view_ownerrequest'),
	(257, 'Can add historical integrity notice', 65, 'add_historicalintegritynotice'),
	(258, 'Can change historical integrity notice', 65, 'change_historicalintegritynotice'),
	(259, 'Can delete historical integrity notice', 65, 'delete_historicalintegritynotice'),
	(260, 'Can view historical integrity notice', 65, 'view_historicalintegritynotice'),
	(261, 'Can add stream link', 66, 'add_streamlink'),
	(262, 'Can change stream link', 66, 'change_streamlink'),
	(263, 'Can delete stream link', 66, 'delete_streamlink'),
	(264, 'Can view stream link', 66, 'view_streamlink'),
	(265, 'Can add integrity notice', 67, 'add_integritynotice'),
	(266, 'Can change integrity notice', 67, 'change_integritynotice'),
	(267, 'Can delete integrity notice', 67, 'delete_integritynotice'),
	(268, 'Can view integrity notice', 67, 'view_integritynotice'),
	(269, 'Can add clip upload', 68, 'add_clipupload'),
	(270, 'Can change clip upload', 68, 'change_clipupload'),
	(271, 'Can delete clip upload', 68, 'delete_clipupload'),
	(272, 'Can view clip upload', 68, 'view_clipupload'),
	(273, 'Can add historical messaging preference', 69, 'add_historicalmessagingpreference'),
	(274, 'Can change historical messaging preference', 69, 'change_historicalmessagingpreference'),
	(275, 'Can delete historical messaging preference', 69, 'delete_historicalmessagingpreference'),
	(276, 'Can view historical messaging preference', 69, 'view_historicalmessagingpreference'),
	(277, 'Can add messaging preference', 70, 'add_messagingpreference'),
	(278, 'Can change messaging preference', 70, 'change_messagingpreference'),
	(279, 'Can delete messaging preference', 70, 'delete_messagingpreference'),
	(280, 'Can view messaging preference', 70, 'view_messagingpreference'),
	(281, 'Can add thread', 71, 'add_thread'),
	(282, 'Can change thread', 71, 'change_thread'),
	(283, 'Can delete thread', 71, 'delete_thread'),
	(284, 'Can view thread', 71, 'view_thread'),
	(285, 'Can add message', 72, 'add_message'),
	(286, 'Can change message', 72, 'change_message'),
	(287, 'Can delete message', 72, 'delete_message'),
	(288, 'Can view message', 72, 'view_message'),
	(289, 'Can add ordinance', 73, 'add_ordinance'),
	(290, 'Can change ordinance', 73, 'change_ordinance'),
	(291, 'Can delete ordinance', 73, 'delete_ordinance'),
	(292, 'Can view ordinance', 73, 'view_ordinance'),
	(293, 'Can add historical ordinance', 74, 'add_historicalordinance'),
	(294, 'Can change historical ordinance', 74, 'change_historicalordinance'),
	(295, 'Can delete historical ordinance', 74, 'delete_historicalordinance'),
	(296, 'Can view historical ordinance', 74, 'view_historicalordinance'),
	(297, 'Can add notice', 75, 'add_notice'),
	(298, 'Can change notice', 75, 'change_notice'),
	(299, 'Can delete notice', 75, 'delete_notice'),
	(300, 'Can view notice', 75, 'view_notice'),
	(301, 'Can add inspection', 76, 'add_inspection'),
	(302, 'Can change inspection', 76, 'change_inspection'),
	(303, 'Can delete inspection', 76, 'delete_inspection'),
	(304, 'Can view inspection', 76, 'view_inspection'),
	(305, 'Can add historical ordinance version', 77, 'add_historicalordinanceversion'),
	(306, 'Can change historical ordinance version', 77, 'change_historicalordinanceversion'),
	(307, 'Can delete historical ordinance version', 77, 'delete_historicalordinanceversion'),
	(308, 'Can view historical ordinance version', 77, 'view_historicalordinanceversion'),
	(309, 'Can add historical notice', 78, 'add_historicalnotice'),
	(310, 'Can change historical notice', 78, 'change_historicalnotice'),
	(311, 'Can delete historical notice', 78, 'delete_historicalnotice'),
	(312, 'Can view historical notice', 78, 'view_historicalnotice'),
	(313, 'Can add historical inspection', 79, 'add_historicalinspection'),
	(314, 'Can change historical inspection', 79, 'change_historicalinspection'),
	(315, 'Can delete historical inspection', 79, 'delete_historicalinspection'),
	(316, 'Can view historical inspection', 79, 'view_historicalinspection'),
	(317, 'Can add historical appeal', 80, 'add_historicalappeal'),
	(318, 'Can change historical appeal', 80, 'change_historicalappeal'),
	(319, 'Can delete historical appeal', 80, 'delete_historicalappeal'),
	(320, 'Can view historical appeal', 80, 'view_historicalappeal'),
	(321, 'Can add appeal', 81, 'add_appeal'),
	(322, 'Can change appeal', 81, 'change_appeal'),
	(323, 'Can delete appeal', 81, 'delete_appeal'),
	(324, 'Can view appeal', 81, 'view_appeal'),
	(325, 'Can add ordinance version', 82, 'add_ordinanceversion'),
	(326, 'Can change ordinance version', 82, 'change_ordinanceversion'),
	(327, 'Can delete ordinance version', 82, 'delete_ordinanceversion'),
	(328, 'Can view ordinance version', 82, 'view_ordinanceversion'),
	(329, 'Can add historical attestation', 83, 'add_historicalattestation'),
	(330, 'Can change historical attestation', 83, 'change_historicalattestation'),
	(331, 'Can delete historical attestation', 83, 'delete_historicalattestation'),
	(332, 'Can view historical attestation', 83, 'view_historicalattestation'),
	(333, 'Can add attestation', 84, 'add_attestation'),
	(334, 'Can change attestation', 84, 'change_attestation'),
	(335, 'Can delete attestation', 84, 'delete_attestation'),
	(336, 'Can view attestation', 84, 'view_attestation'),
	(337, 'Can add licence import job', 85, 'add_licenceimportjob'),
	(338, 'Can change licence import job', 85, 'change_licenceimportjob'),
	(339, 'Can delete licence import job', 85, 'delete_licenceimportjob'),
	(340, 'Can view licence import job', 85, 'view_licenceimportjob'),
	(341, 'Can add licence', 86, 'add_licence'),
	(342, 'Can change licence', 86, 'change_licence'),
	(343, 'Can delete licence', 86, 'delete_licence'),
	(344, 'Can view licence', 86, 'view_licence'),
	(345, 'Can add historical licence', 87, 'add_historicallicence'),
	(346, 'Can change historical licence', 87, 'change_historicallicence'),
	(347, 'Can delete historical licence', 87, 'delete_historicallicence'),
	(348, 'Can view historical licence', 87, 'view_historicallicence'),
	(349, 'Can add licence invitation', 88, 'add_licenceinvitation'),
	(350, 'Can change licence invitation', 88, 'change_licenceinvitation'),
	(351, 'Can delete licence invitation', 88, 'delete_licenceinvitation'),
	(352, 'Can view licence invitation', 88, 'view_licenceinvitation'),
	(353, 'Can add compliance record', 89, 'add_compliancerecord'),
	(354, 'Can change compliance record', 89, 'change_compliancerecord'),
	(355, 'Can delete compliance record', 89, 'delete_compliancerecord'),
	(356, 'Can view compliance record', 89, 'view_compliancerecord'),
	(357, 'Can add historical certificate', 90, 'add_historicalcertificate'),
	(358, 'Can change historical certificate', 90, 'change_historicalcertificate'),
	(359, 'Can delete historical certificate', 90, 'delete_historicalcertificate'),
	(360, 'Can view historical certificate', 90, 'view_historicalcertificate'),
	(361, 'Can add certificate', 91, 'add_certificate'),
	(362, 'Can change certificate', 91, 'change_certificate'),
	(363, 'Can delete certificate', 91, 'delete_certificate'),
	(364, 'Can view certificate', 91, 'view_certificate'),
	(365, 'Can add appeal attachment', 92, 'add_appealattachment'),
	(366, 'Can change appeal attachment', 92, 'change_appealattachment'),
	(367, 'Can delete appeal attachment', 92, 'delete_appealattachment'),
	(368, 'Can view appeal attachment', 92, 'view_appealattachment'),
	(369, 'Can add historical appeal attachment', 93, 'add_historicalappealattachment'),
	(370, 'Can change historical appeal attachment', 93, 'change_historicalappealattachment'),
	(371, 'Can delete historical appeal attachment', 93, 'delete_historicalappealattachment'),
	(372, 'Can view historical appeal attachment', 93, 'view_historicalappealattachment'),
	(373, 'Can add historical inspection photo', 94, 'add_historicalinspectionphoto'),
	(374, 'Can change historical inspection photo', 94, 'change_historicalinspectionphoto'),
	(375, 'Can delete historical inspection photo', 94, 'delete_historicalinspectionphoto'),
	(376, 'Can view historical inspection photo', 94, 'view_historicalinspectionphoto'),
	(377, 'Can add inspection photo', 95, 'add_inspectionphoto'),
	(378, 'Can change inspection photo', 95, 'change_inspectionphoto'),
	(379, 'Can delete inspection photo', 95, 'delete_inspectionphoto'),
	(380, 'Can view inspection photo', 95, 'view_inspectionphoto'),
	(381, 'Can add reminder', 96, 'add_reminder'),
	(382, 'Can change reminder', 96, 'change_reminder'),
	(383, 'Can delete reminder', 96, 'delete_reminder'),
	(384, 'Can view reminder', 96, 'view_reminder'),
	(385, 'Can add historical coverage exit', 97, 'add_historicalcoverageexit'),
	(386, 'Can change historical coverage exit', 97, 'change_historicalcoverageexit'),
	(387, 'Can delete historical coverage exit', 97, 'delete_historicalcoverageexit'),
	(388, 'Can view historical coverage exit', 97, 'view_historicalcoverageexit'),
	(389, 'Can add coverage exit', 98, 'add_coverageexit'),
	(390, 'Can change coverage exit', 98, 'change_coverageexit'),
	(391, 'Can delete coverage exit', 98, 'delete_coverageexit'),
	(392, 'Can view coverage exit', 98, 'view_coverageexit'),
	(393, 'Can add historical integration', 99, 'add_historicalintegration'),
	(394, 'Can change historical integration', 99, 'change_historicalintegration'),
	(395, 'Can delete historical integration', 99, 'delete_historicalintegration'),
	(396, 'Can view historical integration', 99, 'view_historicalintegration'),
	(397, 'Can add integration', 100, 'add_integration'),
	(398, 'Can change integration', 100, 'change_integration'),
	(399, 'Can delete integration', 100, 'delete_integration'),
	(400, 'Can view integration', 100, 'view_integration'),
	(401, 'Can add incident', 101, 'add_incident'),
	(402, 'Can change incident', 101, 'change_incident'),
	(403, 'Can delete incident', 101, 'delete_incident'),
	(404, 'Can view incident', 101, 'view_incident'),
	(405, 'Can add historical incident', 102, 'add_historicalincident'),
	(406, 'Can change historical incident', 102, 'change_historicalincident'),
	(407, 'Can delete historical incident', 102, 'delete_historicalincident'),
	(408, 'Can view historical incident', 102, 'view_historicalincident'),
	(409, 'Can add delivery', 103, 'add_delivery'),
	(410, 'Can change delivery', 103, 'change_delivery'),
	(411, 'Can delete delivery', 103, 'delete_delivery'),
	(412, 'Can view delivery', 103, 'view_delivery'),
	(413, 'Can add integration refusal', 104, 'add_integrationrefusal'),
	(414, 'Can change integration refusal', 104, 'change_integrationrefusal'),
	(415, 'Can delete integration refusal', 104, 'delete_integrationrefusal'),
	(416, 'Can view integration refusal', 104, 'view_integrationrefusal');

INSERT INTO "porchlight_department_snapshot".django_content_type VALUES
	(1, 'tenants', 'department'),
	(2, 'tenants', 'departmentpolicy'),
	(3, 'tenants', 'domain'),
	(4, 'tenants', 'historicaldepartmentpolicy'),
	(5, 'tenants', 'outboxmessage'),
	(6, 'contenttypes', 'contenttype'),
	(7, 'auth', 'permission'),
	(8, 'auth', 'group'),
	(9, 'accounts', 'user'),
	(10, 'accounts', 'apitoken'),
	(11, 'accounts', 'historicaluser'),
	(12, 'accounts', 'erasure'),
	(13, 'sessions', 'session'),
	(14, 'admin', 'logentry'),
	(15, 'account', 'emailaddress'),
	(16, 'account', 'emailconfirmation'),
	(17, 'mfa', 'authenticator'),
	(18, 'usersessions', 'usersession'),
	(19, 'notifications', 'notification'),
	(20, 'audit', 'accessevent'),
	(21, 'audit', 'chainverification'),
	(22, 'audit', 'signingkey'),
	(23, 'audit', 'rollupmark'),
	(24, 'audit', 'arearollup'),
	(25, 'audit', 'dayrollup'),
	(26, 'audit', 'hourrollup'),
	(27, 'audit', 'monthrollup'),
	(28, 'audit', 'merklenode'),
	(29, 'audit', 'signedcheckpoint'),
	(30, 'audit', 'anomalyflag'),
	(31, 'audit', 'anomalyreview'),
	(32, 'audit', 'boardrecord'),
	(33, 'audit', 'historicalboardrecord'),
	(34, 'audit', 'arearollupmark'),
	(35, 'audit', 'logfailure'),
	(36, 'audit', 'logfailureresolution'),
	(37, 'places', 'addresspoint'),
	(38, 'places', 'street'),
	(39, 'places', 'policearea'),
	(40, 'places', 'sensitiveplace'),
	(41, 'cameras', 'camera'),
	(42, 'cameras', 'consentgrant'),
	(43, 'cameras', 'historicalconsentgrant'),
	(44, 'cameras', 'historicalsite'),
	(45, 'cameras', 'site'),
	(46, 'cameras', 'historicalcamera'),
	(47, 'cameras', 'purpose'),
	(48, 'cameras', 'suspension'),
	(49, 'cameras', 'suspensionitem'),
	(50, 'cameras', 'accessnotice'),
	(51, 'cameras', 'departmentcamera'),
	(52, 'cameras', 'departmentcameraimport'),
	(53, 'cameras', 'historicaldepartmentcamera'),
	(54, 'live', 'bridge'),
	(55, 'live', 'historicalbridge'),
	(56, 'live', 'livesession'),
	(57, 'live', 'positionsample'),
	(58, 'live', 'bridgepairing'),
	(59, 'footage', 'cameraanswer'),
	(60, 'footage', 'clip'),
	(61, 'footage', 'custodyevent'),
	(62, 'footage', 'downloadlink'),
	(63, 'footage', 'footagerequest'),
	(64, 'footage', 'ownerrequest'),
	(65, 'footage', 'historicalintegritynotice'),
	(66, 'footage', 'streamlink'),
	(67, 'footage', 'integritynotice'),
	(68, 'footage', 'clipupload'),
	(69, 'messaging', 'historicalmessagingpreference'),
	(70, 'messaging', 'messagingpreference'),
	(71, 'messaging', 'thread'),
	(72, 'messaging', 'message'),
	(73, 'compliance', 'ordinance'),
	(74, 'compliance', 'historicalordinance'),
	(75, 'compliance', 'notice'),
	(76, 'compliance', 'inspection'),
	(77, 'compliance', 'historicalordinanceversion'),
	(78, 'compliance', 'historicalnotice'),
	(79, 'compliance', 'historicalinspection'),
	(80, 'compliance', 'historicalappeal'),
	(81, 'compliance', 'appeal'),
	(82, 'compliance', 'ordinanceversion'),
	(83, 'compliance', 'historicalattestation'),
	(84, 'compliance', 'attestation'),
	(85, 'compliance', 'licenceimportjob'),
	(86, 'compliance', 'licence'),
	(87, 'compliance', 'historicallicence'),
	(88, 'compliance', 'licenceinvitation'),
	(89, 'compliance', 'compliancerecord'),
	(90, 'compliance', 'historicalcertificate'),
	(91, 'compliance', 'certificate'),
	(92, 'compliance', 'appealattachment'),
	(93, 'compliance', 'historicalappealattachment'),
	(94, 'compliance', 'historicalinspectionphoto'),
	(95, 'compliance', 'inspectionphoto'),
	(96, 'compliance', 'reminder'),
	(97, 'compliance', 'historicalcoverageexit'),
	(98, 'compliance', 'coverageexit'),
	(99, 'incidents', 'historicalintegration'),
	(100, 'incidents', 'integration'),
	(101, 'incidents', 'incident'),
	(102, 'incidents', 'historicalincident'),
	(103, 'incidents', 'delivery'),
	(104, 'incidents', 'integrationrefusal');

SELECT pg_catalog.setval('"porchlight_department_snapshot".account_emailaddress_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".account_emailconfirmation_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".accounts_apitoken_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".accounts_erasure_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".accounts_historicaluser_history_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".accounts_user_groups_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".accounts_user_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".accounts_user_user_permissions_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".audit_accessevent_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".audit_anomalyflag_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".audit_anomalyreview_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".audit_arearollup_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".audit_boardrecord_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".audit_chainverification_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".audit_dayrollup_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".audit_historicalboardrecord_history_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".audit_hourrollup_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".audit_logfailure_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".audit_logfailureresolution_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".audit_monthrollup_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".audit_rollupmark_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".audit_signedcheckpoint_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".auth_group_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".auth_group_permissions_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".auth_permission_id_seq', 416, true);

SELECT pg_catalog.setval('"porchlight_department_snapshot".cameras_accessnotice_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".cameras_camera_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".cameras_consentgrant_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".cameras_departmentcamera_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".cameras_departmentcameraimport_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".cameras_historicalcamera_history_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".cameras_historicalconsentgrant_history_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".cameras_historicaldepartmentcamera_history_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".cameras_historicalsite_history_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".cameras_purpose_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".cameras_site_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".cameras_suspension_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".cameras_suspensionitem_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".compliance_appeal_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".compliance_appealattachment_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".compliance_attestation_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".compliance_certificate_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".compliance_certificate_versions_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".compliance_compliancerecord_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".compliance_coverageexit_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".compliance_historicalappeal_history_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".compliance_historicalappealattachment_history_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".compliance_historicalattestation_history_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".compliance_historicalcertificate_history_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".compliance_historicalcoverageexit_history_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".compliance_historicalinspection_history_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".compliance_historicalinspectionphoto_history_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".compliance_historicallicence_history_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".compliance_historicalnotice_history_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".compliance_historicalordinance_history_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".compliance_historicalordinanceversion_history_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".compliance_inspection_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".compliance_inspectionphoto_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".compliance_licence_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".compliance_licenceimportjob_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".compliance_licenceinvitation_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".compliance_notice_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".compliance_ordinance_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".compliance_ordinanceversion_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".compliance_reminder_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".django_admin_log_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".django_content_type_id_seq', 104, true);

SELECT pg_catalog.setval('"porchlight_department_snapshot".footage_cameraanswer_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".footage_clip_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".footage_clipupload_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".footage_custodyevent_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".footage_downloadlink_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".footage_footagerequest_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".footage_historicalintegritynotice_history_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".footage_integritynotice_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".footage_ownerrequest_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".footage_signingkey_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".footage_streamlink_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".incidents_delivery_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".incidents_historicalincident_history_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".incidents_historicalintegration_history_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".incidents_incident_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".incidents_integration_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".incidents_integrationrefusal_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".live_bridge_cameras_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".live_bridge_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".live_bridgepairing_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".live_historicalbridge_history_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".live_livesession_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".live_positionsample_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".messaging_historicalmessagingpreference_history_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".messaging_message_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".messaging_messagingpreference_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".messaging_thread_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".mfa_authenticator_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".notifications_notification_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".places_addresspoint_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".places_policearea_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".places_sensitiveplace_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".places_street_id_seq', 1, false);

SELECT pg_catalog.setval('"porchlight_department_snapshot".usersessions_usersession_id_seq', 1, false);

ALTER TABLE ONLY "porchlight_department_snapshot".cameras_accessnotice
    ADD CONSTRAINT access_notice_once_per_event_and_owner UNIQUE (event_seq, owner_id);

ALTER TABLE ONLY "porchlight_department_snapshot".account_emailaddress
    ADD CONSTRAINT account_emailaddress_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".account_emailaddress
    ADD CONSTRAINT account_emailaddress_user_id_email_987c8728_uniq UNIQUE (user_id, email);

ALTER TABLE ONLY "porchlight_department_snapshot".account_emailconfirmation
    ADD CONSTRAINT account_emailconfirmation_key_key UNIQUE (key);

ALTER TABLE ONLY "porchlight_department_snapshot".account_emailconfirmation
    ADD CONSTRAINT account_emailconfirmation_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".accounts_apitoken
    ADD CONSTRAINT accounts_apitoken_digest_key UNIQUE (digest);

ALTER TABLE ONLY "porchlight_department_snapshot".accounts_apitoken
    ADD CONSTRAINT accounts_apitoken_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".accounts_erasure
    ADD CONSTRAINT accounts_erasure_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".accounts_historicaluser
    ADD CONSTRAINT accounts_historicaluser_pkey PRIMARY KEY (history_id);

ALTER TABLE ONLY "porchlight_department_snapshot".accounts_user
    ADD CONSTRAINT accounts_user_email_key UNIQUE (email);

ALTER TABLE ONLY "porchlight_department_snapshot".accounts_user_groups
    ADD CONSTRAINT accounts_user_groups_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".accounts_user_groups
    ADD CONSTRAINT accounts_user_groups_user_id_group_id_59c0b32f_uniq UNIQUE (user_id, group_id);

ALTER TABLE ONLY "porchlight_department_snapshot".accounts_user
    ADD CONSTRAINT accounts_user_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".accounts_user_user_permissions
    ADD CONSTRAINT accounts_user_user_permi_user_id_permission_id_2ab516c2_uniq UNIQUE (user_id, permission_id);

ALTER TABLE ONLY "porchlight_department_snapshot".accounts_user_user_permissions
    ADD CONSTRAINT accounts_user_user_permissions_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".audit_accessevent
    ADD CONSTRAINT audit_accessevent_hash_key UNIQUE (hash);

ALTER TABLE ONLY "porchlight_department_snapshot".audit_accessevent
    ADD CONSTRAINT audit_accessevent_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".audit_accessevent
    ADD CONSTRAINT audit_accessevent_seq_key UNIQUE (seq);

ALTER TABLE ONLY "porchlight_department_snapshot".audit_anomalyflag
    ADD CONSTRAINT audit_anomalyflag_key UNIQUE (rule, key);

ALTER TABLE ONLY "porchlight_department_snapshot".audit_anomalyflag
    ADD CONSTRAINT audit_anomalyflag_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".audit_anomalyreview
    ADD CONSTRAINT audit_anomalyreview_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".audit_arearollup
    ADD CONSTRAINT audit_arearollup_key UNIQUE (day, area_ref, action, outcome);

ALTER TABLE ONLY "porchlight_department_snapshot".audit_arearollup
    ADD CONSTRAINT audit_arearollup_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".audit_arearollupmark
    ADD CONSTRAINT audit_arearollupmark_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".audit_boardrecord
    ADD CONSTRAINT audit_boardrecord_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".audit_chainverification
    ADD CONSTRAINT audit_chainverification_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".audit_dayrollup
    ADD CONSTRAINT audit_dayrollup_key UNIQUE (day, action, outcome, reason, category, evidence);

ALTER TABLE ONLY "porchlight_department_snapshot".audit_dayrollup
    ADD CONSTRAINT audit_dayrollup_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".audit_historicalboardrecord
    ADD CONSTRAINT audit_historicalboardrecord_pkey PRIMARY KEY (history_id);

ALTER TABLE ONLY "porchlight_department_snapshot".audit_hourrollup
    ADD CONSTRAINT audit_hourrollup_key UNIQUE (month, weekday, hour, action, outcome);

ALTER TABLE ONLY "porchlight_department_snapshot".audit_hourrollup
    ADD CONSTRAINT audit_hourrollup_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".audit_logfailure
    ADD CONSTRAINT audit_logfailure_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".audit_logfailureresolution
    ADD CONSTRAINT audit_logfailureresolution_failure_id_key UNIQUE (failure_id);

ALTER TABLE ONLY "porchlight_department_snapshot".audit_logfailureresolution
    ADD CONSTRAINT audit_logfailureresolution_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".audit_merklenode
    ADD CONSTRAINT audit_merklenode_pkey PRIMARY KEY ("position");

ALTER TABLE ONLY "porchlight_department_snapshot".audit_monthrollup
    ADD CONSTRAINT audit_monthrollup_key UNIQUE (month, action, outcome, reason, category, evidence);

ALTER TABLE ONLY "porchlight_department_snapshot".audit_monthrollup
    ADD CONSTRAINT audit_monthrollup_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".audit_rollupmark
    ADD CONSTRAINT audit_rollupmark_name_key UNIQUE (name);

ALTER TABLE ONLY "porchlight_department_snapshot".audit_rollupmark
    ADD CONSTRAINT audit_rollupmark_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".audit_signedcheckpoint
    ADD CONSTRAINT audit_signedcheckpoint_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".auth_group
    ADD CONSTRAINT auth_group_name_key UNIQUE (name);

ALTER TABLE ONLY "porchlight_department_snapshot".auth_group_permissions
    ADD CONSTRAINT auth_group_permissions_group_id_permission_id_0cd325b0_uniq UNIQUE (group_id, permission_id);

ALTER TABLE ONLY "porchlight_department_snapshot".auth_group_permissions
    ADD CONSTRAINT auth_group_permissions_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".auth_group
    ADD CONSTRAINT auth_group_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".auth_permission
    ADD CONSTRAINT auth_permission_content_type_id_codename_01ab375a_uniq UNIQUE (content_type_id, codename);

ALTER TABLE ONLY "porchlight_department_snapshot".auth_permission
    ADD CONSTRAINT auth_permission_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".cameras_accessnotice
    ADD CONSTRAINT cameras_accessnotice_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".cameras_camera
    ADD CONSTRAINT cameras_camera_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".cameras_camera
    ADD CONSTRAINT cameras_camera_public_id_key UNIQUE (public_id);

ALTER TABLE ONLY "porchlight_department_snapshot".cameras_consentgrant
    ADD CONSTRAINT cameras_consentgrant_camera_id_key UNIQUE (camera_id);

ALTER TABLE ONLY "porchlight_department_snapshot".cameras_consentgrant
    ADD CONSTRAINT cameras_consentgrant_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".cameras_departmentcamera
    ADD CONSTRAINT cameras_departmentcamera_camera_id_key UNIQUE (camera_id);

ALTER TABLE ONLY "porchlight_department_snapshot".cameras_departmentcamera
    ADD CONSTRAINT cameras_departmentcamera_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".cameras_departmentcameraimport
    ADD CONSTRAINT cameras_departmentcameraimport_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".cameras_departmentcameraimport
    ADD CONSTRAINT cameras_departmentcameraimport_public_id_key UNIQUE (public_id);

ALTER TABLE ONLY "porchlight_department_snapshot".cameras_historicalcamera
    ADD CONSTRAINT cameras_historicalcamera_pkey PRIMARY KEY (history_id);

ALTER TABLE ONLY "porchlight_department_snapshot".cameras_historicalconsentgrant
    ADD CONSTRAINT cameras_historicalconsentgrant_pkey PRIMARY KEY (history_id);

ALTER TABLE ONLY "porchlight_department_snapshot".cameras_historicaldepartmentcamera
    ADD CONSTRAINT cameras_historicaldepartmentcamera_pkey PRIMARY KEY (history_id);

ALTER TABLE ONLY "porchlight_department_snapshot".cameras_historicalsite
    ADD CONSTRAINT cameras_historicalsite_pkey PRIMARY KEY (history_id);

ALTER TABLE ONLY "porchlight_department_snapshot".cameras_purpose
    ADD CONSTRAINT cameras_purpose_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".cameras_purpose
    ADD CONSTRAINT cameras_purpose_public_id_key UNIQUE (public_id);

ALTER TABLE ONLY "porchlight_department_snapshot".cameras_site
    ADD CONSTRAINT cameras_site_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".cameras_site
    ADD CONSTRAINT cameras_site_public_id_key UNIQUE (public_id);

ALTER TABLE ONLY "porchlight_department_snapshot".cameras_suspension
    ADD CONSTRAINT cameras_suspension_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".cameras_suspension
    ADD CONSTRAINT cameras_suspension_public_id_key UNIQUE (public_id);

ALTER TABLE ONLY "porchlight_department_snapshot".cameras_suspensionitem
    ADD CONSTRAINT cameras_suspensionitem_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_appeal
    ADD CONSTRAINT compliance_appeal_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_appeal
    ADD CONSTRAINT compliance_appeal_public_id_key UNIQUE (public_id);

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_appealattachment
    ADD CONSTRAINT compliance_appealattachment_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_appealattachment
    ADD CONSTRAINT compliance_appealattachment_public_id_key UNIQUE (public_id);

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_attestation
    ADD CONSTRAINT compliance_attestation_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_attestation
    ADD CONSTRAINT compliance_attestation_public_id_key UNIQUE (public_id);

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_certificate
    ADD CONSTRAINT compliance_certificate_code_key UNIQUE (code);

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_certificate
    ADD CONSTRAINT compliance_certificate_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_certificate
    ADD CONSTRAINT compliance_certificate_public_id_key UNIQUE (public_id);

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_certificate_versions
    ADD CONSTRAINT compliance_certificate_v_certificate_id_ordinance_ac54b849_uniq UNIQUE (certificate_id, ordinanceversion_id);

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_certificate_versions
    ADD CONSTRAINT compliance_certificate_versions_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_compliancerecord
    ADD CONSTRAINT compliance_compliancerecord_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_coverageexit
    ADD CONSTRAINT compliance_coverageexit_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_coverageexit
    ADD CONSTRAINT compliance_coverageexit_public_id_key UNIQUE (public_id);

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_historicalappeal
    ADD CONSTRAINT compliance_historicalappeal_pkey PRIMARY KEY (history_id);

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_historicalappealattachment
    ADD CONSTRAINT compliance_historicalappealattachment_pkey PRIMARY KEY (history_id);

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_historicalattestation
    ADD CONSTRAINT compliance_historicalattestation_pkey PRIMARY KEY (history_id);

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_historicalcertificate
    ADD CONSTRAINT compliance_historicalcertificate_pkey PRIMARY KEY (history_id);

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_historicalcoverageexit
    ADD CONSTRAINT compliance_historicalcoverageexit_pkey PRIMARY KEY (history_id);

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_historicalinspection
    ADD CONSTRAINT compliance_historicalinspection_pkey PRIMARY KEY (history_id);

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_historicalinspectionphoto
    ADD CONSTRAINT compliance_historicalinspectionphoto_pkey PRIMARY KEY (history_id);

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_historicallicence
    ADD CONSTRAINT compliance_historicallicence_pkey PRIMARY KEY (history_id);

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_historicalnotice
    ADD CONSTRAINT compliance_historicalnotice_pkey PRIMARY KEY (history_id);

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_historicalordinance
    ADD CONSTRAINT compliance_historicalordinance_pkey PRIMARY KEY (history_id);

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_historicalordinanceversion
    ADD CONSTRAINT compliance_historicalordinanceversion_pkey PRIMARY KEY (history_id);

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_inspection
    ADD CONSTRAINT compliance_inspection_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_inspectionphoto
    ADD CONSTRAINT compliance_inspectionphoto_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_licence
    ADD CONSTRAINT compliance_licence_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_licence
    ADD CONSTRAINT compliance_licence_public_id_key UNIQUE (public_id);

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_licenceimportjob
    ADD CONSTRAINT compliance_licenceimportjob_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_licenceimportjob
    ADD CONSTRAINT compliance_licenceimportjob_public_id_key UNIQUE (public_id);

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_licenceinvitation
    ADD CONSTRAINT compliance_licenceinvitation_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_notice
    ADD CONSTRAINT compliance_notice_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_ordinance
    ADD CONSTRAINT compliance_ordinance_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_ordinance
    ADD CONSTRAINT compliance_ordinance_public_id_key UNIQUE (public_id);

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_ordinanceversion
    ADD CONSTRAINT compliance_ordinanceversion_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_compliancerecord
    ADD CONSTRAINT compliance_record_site_ordinance UNIQUE (site_id, ordinance_key);

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_reminder
    ADD CONSTRAINT compliance_reminder_once UNIQUE (site_id, ordinance_id, due_on, kind);

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_reminder
    ADD CONSTRAINT compliance_reminder_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".incidents_delivery
    ADD CONSTRAINT delivery_signature_once UNIQUE (integration_id, signature);

ALTER TABLE ONLY "porchlight_department_snapshot".django_admin_log
    ADD CONSTRAINT django_admin_log_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".django_content_type
    ADD CONSTRAINT django_content_type_app_label_model_76bd3d3b_uniq UNIQUE (app_label, model);

ALTER TABLE ONLY "porchlight_department_snapshot".django_content_type
    ADD CONSTRAINT django_content_type_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".django_migrations
    ADD CONSTRAINT django_migrations_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".django_session
    ADD CONSTRAINT django_session_pkey PRIMARY KEY (session_key);

ALTER TABLE ONLY "porchlight_department_snapshot".footage_cameraanswer
    ADD CONSTRAINT footage_cameraanswer_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".footage_clip
    ADD CONSTRAINT footage_clip_not_twice UNIQUE (answer_id, sha256);

ALTER TABLE ONLY "porchlight_department_snapshot".footage_clip
    ADD CONSTRAINT footage_clip_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".footage_clip
    ADD CONSTRAINT footage_clip_public_id_key UNIQUE (public_id);

ALTER TABLE ONLY "porchlight_department_snapshot".footage_clip
    ADD CONSTRAINT footage_clip_storage_key_key UNIQUE (storage_key);

ALTER TABLE ONLY "porchlight_department_snapshot".footage_clipupload
    ADD CONSTRAINT footage_clipupload_clip_id_key UNIQUE (clip_id);

ALTER TABLE ONLY "porchlight_department_snapshot".footage_clipupload
    ADD CONSTRAINT footage_clipupload_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".footage_clipupload
    ADD CONSTRAINT footage_clipupload_public_id_key UNIQUE (public_id);

ALTER TABLE ONLY "porchlight_department_snapshot".footage_custodyevent
    ADD CONSTRAINT footage_custodyevent_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".footage_downloadlink
    ADD CONSTRAINT footage_downloadlink_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".footage_downloadlink
    ADD CONSTRAINT footage_downloadlink_token_digest_key UNIQUE (token_digest);

ALTER TABLE ONLY "porchlight_department_snapshot".footage_footagerequest
    ADD CONSTRAINT footage_footagerequest_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".footage_footagerequest
    ADD CONSTRAINT footage_footagerequest_public_id_key UNIQUE (public_id);

ALTER TABLE ONLY "porchlight_department_snapshot".footage_historicalintegritynotice
    ADD CONSTRAINT footage_historicalintegritynotice_pkey PRIMARY KEY (history_id);

ALTER TABLE ONLY "porchlight_department_snapshot".footage_integritynotice
    ADD CONSTRAINT footage_integrity_notice_once_per_state UNIQUE (clip_id, actual_sha256);

ALTER TABLE ONLY "porchlight_department_snapshot".footage_integritynotice
    ADD CONSTRAINT footage_integritynotice_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".footage_ownerrequest
    ADD CONSTRAINT footage_one_request_per_owner UNIQUE (request_id, owner_id);

ALTER TABLE ONLY "porchlight_department_snapshot".footage_ownerrequest
    ADD CONSTRAINT footage_ownerrequest_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".footage_ownerrequest
    ADD CONSTRAINT footage_ownerrequest_public_id_key UNIQUE (public_id);

ALTER TABLE ONLY "porchlight_department_snapshot".footage_signingkey
    ADD CONSTRAINT footage_signingkey_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".footage_streamlink
    ADD CONSTRAINT footage_streamlink_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".footage_streamlink
    ADD CONSTRAINT footage_streamlink_public_id_key UNIQUE (public_id);

ALTER TABLE ONLY "porchlight_department_snapshot".incidents_incident
    ADD CONSTRAINT incident_once_per_sender_id UNIQUE (integration_id, external_id);

ALTER TABLE ONLY "porchlight_department_snapshot".incidents_delivery
    ADD CONSTRAINT incidents_delivery_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".incidents_historicalincident
    ADD CONSTRAINT incidents_historicalincident_pkey PRIMARY KEY (history_id);

ALTER TABLE ONLY "porchlight_department_snapshot".incidents_historicalintegration
    ADD CONSTRAINT incidents_historicalintegration_pkey PRIMARY KEY (history_id);

ALTER TABLE ONLY "porchlight_department_snapshot".incidents_incident
    ADD CONSTRAINT incidents_incident_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".incidents_incident
    ADD CONSTRAINT incidents_incident_public_id_key UNIQUE (public_id);

ALTER TABLE ONLY "porchlight_department_snapshot".incidents_integration
    ADD CONSTRAINT incidents_integration_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".incidents_integration
    ADD CONSTRAINT incidents_integration_public_id_key UNIQUE (public_id);

ALTER TABLE ONLY "porchlight_department_snapshot".incidents_integrationrefusal
    ADD CONSTRAINT incidents_integrationrefusal_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".incidents_integrationrefusal
    ADD CONSTRAINT integration_refusal_once_per_reason UNIQUE (integration_id, reason);

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_licence
    ADD CONSTRAINT licence_unique_source_number UNIQUE (source, number);

ALTER TABLE ONLY "porchlight_department_snapshot".live_bridge_cameras
    ADD CONSTRAINT live_bridge_cameras_bridge_id_camera_id_ae0fbeef_uniq UNIQUE (bridge_id, camera_id);

ALTER TABLE ONLY "porchlight_department_snapshot".live_bridge_cameras
    ADD CONSTRAINT live_bridge_cameras_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".live_bridge
    ADD CONSTRAINT live_bridge_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".live_bridge
    ADD CONSTRAINT live_bridge_public_id_key UNIQUE (public_id);

ALTER TABLE ONLY "porchlight_department_snapshot".live_bridge
    ADD CONSTRAINT live_bridge_token_digest_key UNIQUE (token_digest);

ALTER TABLE ONLY "porchlight_department_snapshot".live_bridgepairing
    ADD CONSTRAINT live_bridgepairing_code_digest_key UNIQUE (code_digest);

ALTER TABLE ONLY "porchlight_department_snapshot".live_bridgepairing
    ADD CONSTRAINT live_bridgepairing_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".live_historicalbridge
    ADD CONSTRAINT live_historicalbridge_pkey PRIMARY KEY (history_id);

ALTER TABLE ONLY "porchlight_department_snapshot".live_livesession
    ADD CONSTRAINT live_livesession_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".live_livesession
    ADD CONSTRAINT live_livesession_public_id_key UNIQUE (public_id);

ALTER TABLE ONLY "porchlight_department_snapshot".live_positionsample
    ADD CONSTRAINT live_positionsample_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".messaging_historicalmessagingpreference
    ADD CONSTRAINT messaging_historicalmessagingpreference_pkey PRIMARY KEY (history_id);

ALTER TABLE ONLY "porchlight_department_snapshot".messaging_message
    ADD CONSTRAINT messaging_message_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".messaging_message
    ADD CONSTRAINT messaging_message_public_id_key UNIQUE (public_id);

ALTER TABLE ONLY "porchlight_department_snapshot".messaging_messagingpreference
    ADD CONSTRAINT messaging_messagingpreference_owner_id_key UNIQUE (owner_id);

ALTER TABLE ONLY "porchlight_department_snapshot".messaging_messagingpreference
    ADD CONSTRAINT messaging_messagingpreference_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".messaging_thread
    ADD CONSTRAINT messaging_one_thread_per_officer_camera UNIQUE (officer_id, camera_id);

ALTER TABLE ONLY "porchlight_department_snapshot".messaging_thread
    ADD CONSTRAINT messaging_thread_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".messaging_thread
    ADD CONSTRAINT messaging_thread_public_id_key UNIQUE (public_id);

ALTER TABLE ONLY "porchlight_department_snapshot".mfa_authenticator
    ADD CONSTRAINT mfa_authenticator_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".notifications_notification
    ADD CONSTRAINT notifications_notification_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_ordinanceversion
    ADD CONSTRAINT ordinance_version_unique_date UNIQUE (ordinance_id, effective_on);

ALTER TABLE ONLY "porchlight_department_snapshot".places_addresspoint
    ADD CONSTRAINT places_addresspoint_key_key UNIQUE (key);

ALTER TABLE ONLY "porchlight_department_snapshot".places_addresspoint
    ADD CONSTRAINT places_addresspoint_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".places_policearea
    ADD CONSTRAINT places_policearea_name_key UNIQUE (name);

ALTER TABLE ONLY "porchlight_department_snapshot".places_policearea
    ADD CONSTRAINT places_policearea_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".places_sensitiveplace
    ADD CONSTRAINT places_sensitiveplace_name_key UNIQUE (name);

ALTER TABLE ONLY "porchlight_department_snapshot".places_sensitiveplace
    ADD CONSTRAINT places_sensitiveplace_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".places_street
    ADD CONSTRAINT places_street_key_key UNIQUE (key);

ALTER TABLE ONLY "porchlight_department_snapshot".places_street
    ADD CONSTRAINT places_street_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".usersessions_usersession
    ADD CONSTRAINT usersessions_usersession_pkey PRIMARY KEY (id);

ALTER TABLE ONLY "porchlight_department_snapshot".usersessions_usersession
    ADD CONSTRAINT usersessions_usersession_session_key_key UNIQUE (session_key);

CREATE INDEX access_notice_unsent ON "porchlight_department_snapshot".cameras_accessnotice USING btree (owner_id, case_number) WHERE (sent_at IS NULL);

CREATE INDEX account_emailaddress_email_03be32b2 ON "porchlight_department_snapshot".account_emailaddress USING btree (email);

CREATE INDEX account_emailaddress_email_03be32b2_like ON "porchlight_department_snapshot".account_emailaddress USING btree (email varchar_pattern_ops);

CREATE INDEX account_emailaddress_user_id_2c513194 ON "porchlight_department_snapshot".account_emailaddress USING btree (user_id);

CREATE INDEX account_emailconfirmation_email_address_id_5b7f8c58 ON "porchlight_department_snapshot".account_emailconfirmation USING btree (email_address_id);

CREATE INDEX account_emailconfirmation_key_f43612bd_like ON "porchlight_department_snapshot".account_emailconfirmation USING btree (key varchar_pattern_ops);

CREATE INDEX accounts_apitoken_digest_63ccb187_like ON "porchlight_department_snapshot".accounts_apitoken USING btree (digest varchar_pattern_ops);

CREATE INDEX accounts_apitoken_prefix_8b81ac32 ON "porchlight_department_snapshot".accounts_apitoken USING btree (prefix);

CREATE INDEX accounts_apitoken_prefix_8b81ac32_like ON "porchlight_department_snapshot".accounts_apitoken USING btree (prefix varchar_pattern_ops);

CREATE INDEX accounts_apitoken_user_id_bbee13e0 ON "porchlight_department_snapshot".accounts_apitoken USING btree (user_id);

CREATE INDEX accounts_erasure_subject ON "porchlight_department_snapshot".accounts_erasure USING btree (subject);

CREATE INDEX accounts_historicaluser_email_ae72eda2 ON "porchlight_department_snapshot".accounts_historicaluser USING btree (email);

CREATE INDEX accounts_historicaluser_email_ae72eda2_like ON "porchlight_department_snapshot".accounts_historicaluser USING btree (email varchar_pattern_ops);

CREATE INDEX accounts_historicaluser_history_date_94c91976 ON "porchlight_department_snapshot".accounts_historicaluser USING btree (history_date);

CREATE INDEX accounts_historicaluser_history_user_id_db1b2c5f ON "porchlight_department_snapshot".accounts_historicaluser USING btree (history_user_id);

CREATE INDEX accounts_historicaluser_id_d7601895 ON "porchlight_department_snapshot".accounts_historicaluser USING btree (id);

CREATE INDEX accounts_user_email_b2644a56_like ON "porchlight_department_snapshot".accounts_user USING btree (email varchar_pattern_ops);

CREATE INDEX accounts_user_groups_group_id_bd11a704 ON "porchlight_department_snapshot".accounts_user_groups USING btree (group_id);

CREATE INDEX accounts_user_groups_user_id_52b62117 ON "porchlight_department_snapshot".accounts_user_groups USING btree (user_id);

CREATE INDEX accounts_user_user_permissions_permission_id_113bb443 ON "porchlight_department_snapshot".accounts_user_user_permissions USING btree (permission_id);

CREATE INDEX accounts_user_user_permissions_user_id_e4f0a161 ON "porchlight_department_snapshot".accounts_user_user_permissions USING btree (user_id);

CREATE INDEX audit_accessevent_hash_41b82ecb_like ON "porchlight_department_snapshot".audit_accessevent USING btree (hash varchar_pattern_ops);

CREATE INDEX audit_anomalyflag_rule_time ON "porchlight_department_snapshot".audit_anomalyflag USING btree (rule, occurred_at);

CREATE INDEX audit_anomalyreview_flag_id_cbe56530 ON "porchlight_department_snapshot".audit_anomalyreview USING btree (flag_id);

CREATE INDEX audit_checkpoint_size ON "porchlight_department_snapshot".audit_signedcheckpoint USING btree (tree_size);

CREATE INDEX audit_event_action_time ON "porchlight_department_snapshot".audit_accessevent USING btree (action, occurred_at);

CREATE INDEX audit_event_actor_time ON "porchlight_department_snapshot".audit_accessevent USING btree (actor_id, occurred_at);

CREATE INDEX audit_event_area_gist ON "porchlight_department_snapshot".audit_accessevent USING gist ("porchlight_department_snapshot".audit_event_area(details)) WHERE (details ? 'area'::text);

CREATE INDEX audit_event_badge_time ON "porchlight_department_snapshot".audit_accessevent USING btree (actor_badge, occurred_at);

CREATE INDEX audit_event_case_time ON "porchlight_department_snapshot".audit_accessevent USING btree (case_number, occurred_at);

CREATE INDEX audit_event_case_upper_time ON "porchlight_department_snapshot".audit_accessevent USING btree (upper((case_number)::text), occurred_at);

CREATE INDEX audit_event_category_time ON "porchlight_department_snapshot".audit_accessevent USING btree (purpose_category, occurred_at);

CREATE INDEX audit_event_denied_time ON "porchlight_department_snapshot".audit_accessevent USING btree (occurred_at, seq) WHERE ((outcome)::text = 'denied'::text);

CREATE INDEX audit_event_owner_refs ON "porchlight_department_snapshot".audit_accessevent USING gin (owner_refs);

CREATE INDEX audit_event_purpose_trgm ON "porchlight_department_snapshot".audit_accessevent USING gin (upper((purpose_text)::text) public.gin_trgm_ops);

CREATE INDEX audit_event_reason_time ON "porchlight_department_snapshot".audit_accessevent USING btree (reason, occurred_at);

CREATE INDEX audit_event_targets ON "porchlight_department_snapshot".audit_accessevent USING gin (targets);

CREATE INDEX audit_event_time_seq ON "porchlight_department_snapshot".audit_accessevent USING btree (occurred_at, seq);

CREATE INDEX audit_historicalboardrecord_history_date_91d97ced ON "porchlight_department_snapshot".audit_historicalboardrecord USING btree (history_date);

CREATE INDEX audit_historicalboardrecord_history_user_id_a2714ee9 ON "porchlight_department_snapshot".audit_historicalboardrecord USING btree (history_user_id);

CREATE INDEX audit_historicalboardrecord_id_8c860188 ON "porchlight_department_snapshot".audit_historicalboardrecord USING btree (id);

CREATE INDEX audit_rollupmark_name_236f0bb9_like ON "porchlight_department_snapshot".audit_rollupmark USING btree (name varchar_pattern_ops);

CREATE INDEX auth_group_name_a6ea08ec_like ON "porchlight_department_snapshot".auth_group USING btree (name varchar_pattern_ops);

CREATE INDEX auth_group_permissions_group_id_b120cbf9 ON "porchlight_department_snapshot".auth_group_permissions USING btree (group_id);

CREATE INDEX auth_group_permissions_permission_id_84c5c92e ON "porchlight_department_snapshot".auth_group_permissions USING btree (permission_id);

CREATE INDEX auth_permission_content_type_id_2f476e4b ON "porchlight_department_snapshot".auth_permission USING btree (content_type_id);

CREATE INDEX cameras_accessnotice_owner_id_681d4fa2 ON "porchlight_department_snapshot".cameras_accessnotice USING btree (owner_id);

CREATE INDEX cameras_camera_fov_7ff16333_id ON "porchlight_department_snapshot".cameras_camera USING gist (fov);

CREATE INDEX cameras_camera_location_540471bd_id ON "porchlight_department_snapshot".cameras_camera USING gist (location);

CREATE INDEX cameras_camera_site_id_8a7235fa ON "porchlight_department_snapshot".cameras_camera USING btree (site_id);

CREATE INDEX cameras_departmentcamera_registered_by_id_ec1a3091 ON "porchlight_department_snapshot".cameras_departmentcamera USING btree (registered_by_id);

CREATE INDEX cameras_departmentcameraimport_created_by_id_0467c238 ON "porchlight_department_snapshot".cameras_departmentcameraimport USING btree (created_by_id);

CREATE INDEX cameras_historicalcamera_fov_85e03a13_id ON "porchlight_department_snapshot".cameras_historicalcamera USING gist (fov);

CREATE INDEX cameras_historicalcamera_history_date_ed1b0b4f ON "porchlight_department_snapshot".cameras_historicalcamera USING btree (history_date);

CREATE INDEX cameras_historicalcamera_history_user_id_036230ef ON "porchlight_department_snapshot".cameras_historicalcamera USING btree (history_user_id);

CREATE INDEX cameras_historicalcamera_id_fd225171 ON "porchlight_department_snapshot".cameras_historicalcamera USING btree (id);

CREATE INDEX cameras_historicalcamera_location_dc17b856_id ON "porchlight_department_snapshot".cameras_historicalcamera USING gist (location);

CREATE INDEX cameras_historicalcamera_public_id_611b55b6 ON "porchlight_department_snapshot".cameras_historicalcamera USING btree (public_id);

CREATE INDEX cameras_historicalcamera_site_id_66e7e7a9 ON "porchlight_department_snapshot".cameras_historicalcamera USING btree (site_id);

CREATE INDEX cameras_historicalconsentgrant_camera_id_8ceb0b3a ON "porchlight_department_snapshot".cameras_historicalconsentgrant USING btree (camera_id);

CREATE INDEX cameras_historicalconsentgrant_history_date_d9174570 ON "porchlight_department_snapshot".cameras_historicalconsentgrant USING btree (history_date);

CREATE INDEX cameras_historicalconsentgrant_history_user_id_3bf45340 ON "porchlight_department_snapshot".cameras_historicalconsentgrant USING btree (history_user_id);

CREATE INDEX cameras_historicalconsentgrant_id_f224f251 ON "porchlight_department_snapshot".cameras_historicalconsentgrant USING btree (id);

CREATE INDEX cameras_historicaldepartmentcamera_camera_id_3bf6eb63 ON "porchlight_department_snapshot".cameras_historicaldepartmentcamera USING btree (camera_id);

CREATE INDEX cameras_historicaldepartmentcamera_history_date_f33ef8b4 ON "porchlight_department_snapshot".cameras_historicaldepartmentcamera USING btree (history_date);

CREATE INDEX cameras_historicaldepartmentcamera_history_user_id_c9022671 ON "porchlight_department_snapshot".cameras_historicaldepartmentcamera USING btree (history_user_id);

CREATE INDEX cameras_historicaldepartmentcamera_id_a3ba17ee ON "porchlight_department_snapshot".cameras_historicaldepartmentcamera USING btree (id);

CREATE INDEX cameras_historicaldepartmentcamera_registered_by_id_2225ddd0 ON "porchlight_department_snapshot".cameras_historicaldepartmentcamera USING btree (registered_by_id);

CREATE INDEX cameras_historicalsite_history_date_bbde9770 ON "porchlight_department_snapshot".cameras_historicalsite USING btree (history_date);

CREATE INDEX cameras_historicalsite_history_user_id_0282803c ON "porchlight_department_snapshot".cameras_historicalsite USING btree (history_user_id);

CREATE INDEX cameras_historicalsite_id_1253b313 ON "porchlight_department_snapshot".cameras_historicalsite USING btree (id);

CREATE INDEX cameras_historicalsite_location_021b9e37_id ON "porchlight_department_snapshot".cameras_historicalsite USING gist (location);

CREATE INDEX cameras_historicalsite_owner_id_61e56614 ON "porchlight_department_snapshot".cameras_historicalsite USING btree (owner_id);

CREATE INDEX cameras_historicalsite_public_id_907fcd63 ON "porchlight_department_snapshot".cameras_historicalsite USING btree (public_id);

CREATE INDEX cameras_purpose_approved_by_id_8c01b383 ON "porchlight_department_snapshot".cameras_purpose USING btree (approved_by_id);

CREATE INDEX cameras_purpose_denied_by_id_a773a48e ON "porchlight_department_snapshot".cameras_purpose USING btree (denied_by_id);

CREATE INDEX cameras_purpose_incident_ref_ad646c89 ON "porchlight_department_snapshot".cameras_purpose USING btree (incident_ref);

CREATE INDEX cameras_purpose_officer_id_9d72dfcb ON "porchlight_department_snapshot".cameras_purpose USING btree (officer_id);

CREATE INDEX cameras_site_location_fbff52b2_id ON "porchlight_department_snapshot".cameras_site USING gist (location);

CREATE INDEX cameras_site_owner_id_c6399714 ON "porchlight_department_snapshot".cameras_site USING btree (owner_id);

CREATE INDEX cameras_suspension_owner_id_30e9acc3 ON "porchlight_department_snapshot".cameras_suspension USING btree (owner_id);

CREATE INDEX cameras_suspensionitem_camera_id_9044977c ON "porchlight_department_snapshot".cameras_suspensionitem USING btree (camera_id);

CREATE INDEX cameras_suspensionitem_suspension_id_6ba3edf3 ON "porchlight_department_snapshot".cameras_suspensionitem USING btree (suspension_id);

CREATE INDEX compliance_appeal_decided_by_id_88a1b1f6 ON "porchlight_department_snapshot".compliance_appeal USING btree (decided_by_id);

CREATE INDEX compliance_appeal_ordinance_id_62e6ed88 ON "porchlight_department_snapshot".compliance_appeal USING btree (ordinance_id);

CREATE INDEX compliance_appeal_requested_by_id_efd212a5 ON "porchlight_department_snapshot".compliance_appeal USING btree (requested_by_id);

CREATE INDEX compliance_appeal_site_id_a0f689e7 ON "porchlight_department_snapshot".compliance_appeal USING btree (site_id);

CREATE INDEX compliance_appealattachment_appeal_id_8041fa14 ON "porchlight_department_snapshot".compliance_appealattachment USING btree (appeal_id);

CREATE INDEX compliance_attestation_signed_by_id_f9eade99 ON "porchlight_department_snapshot".compliance_attestation USING btree (signed_by_id);

CREATE INDEX compliance_attestation_site_id_697b6ce1 ON "porchlight_department_snapshot".compliance_attestation USING btree (site_id);

CREATE INDEX compliance_attestation_version_id_8444554a ON "porchlight_department_snapshot".compliance_attestation USING btree (version_id);

CREATE INDEX compliance_certificate_code_467e0bb0_like ON "porchlight_department_snapshot".compliance_certificate USING btree (code varchar_pattern_ops);

CREATE INDEX compliance_certificate_issued_to_id_c9c68685 ON "porchlight_department_snapshot".compliance_certificate USING btree (issued_to_id);

CREATE INDEX compliance_certificate_revoked_by_id_33221725 ON "porchlight_department_snapshot".compliance_certificate USING btree (revoked_by_id);

CREATE INDEX compliance_certificate_site_id_d3e38f92 ON "porchlight_department_snapshot".compliance_certificate USING btree (site_id);

CREATE INDEX compliance_certificate_versions_certificate_id_e0ab75e3 ON "porchlight_department_snapshot".compliance_certificate_versions USING btree (certificate_id);

CREATE INDEX compliance_certificate_versions_ordinanceversion_id_78be790e ON "porchlight_department_snapshot".compliance_certificate_versions USING btree (ordinanceversion_id);

CREATE INDEX compliance_compliancerecord_ordinance_id_b417063f ON "porchlight_department_snapshot".compliance_compliancerecord USING btree (ordinance_id);

CREATE INDEX compliance_compliancerecord_police_area_id_b5ea24b9 ON "porchlight_department_snapshot".compliance_compliancerecord USING btree (police_area_id);

CREATE INDEX compliance_compliancerecord_site_id_562813d8 ON "porchlight_department_snapshot".compliance_compliancerecord USING btree (site_id);

CREATE INDEX compliance_compliancerecord_version_id_be13af63 ON "porchlight_department_snapshot".compliance_compliancerecord USING btree (version_id);

CREATE INDEX compliance_coverageexit_changed_by_id_013641c0 ON "porchlight_department_snapshot".compliance_coverageexit USING btree (changed_by_id);

CREATE INDEX compliance_coverageexit_reviewed_by_id_8f5f3b76 ON "porchlight_department_snapshot".compliance_coverageexit USING btree (reviewed_by_id);

CREATE INDEX compliance_coverageexit_site_id_d448fc4a ON "porchlight_department_snapshot".compliance_coverageexit USING btree (site_id);

CREATE INDEX compliance_historicalappeal_decided_by_id_c8b918db ON "porchlight_department_snapshot".compliance_historicalappeal USING btree (decided_by_id);

CREATE INDEX compliance_historicalappeal_history_date_1805de59 ON "porchlight_department_snapshot".compliance_historicalappeal USING btree (history_date);

CREATE INDEX compliance_historicalappeal_history_user_id_280408b5 ON "porchlight_department_snapshot".compliance_historicalappeal USING btree (history_user_id);

CREATE INDEX compliance_historicalappeal_id_6b7b33f9 ON "porchlight_department_snapshot".compliance_historicalappeal USING btree (id);

CREATE INDEX compliance_historicalappeal_ordinance_id_9b9c49d2 ON "porchlight_department_snapshot".compliance_historicalappeal USING btree (ordinance_id);

CREATE INDEX compliance_historicalappeal_public_id_1d7a97cc ON "porchlight_department_snapshot".compliance_historicalappeal USING btree (public_id);

CREATE INDEX compliance_historicalappeal_requested_by_id_9b75584f ON "porchlight_department_snapshot".compliance_historicalappeal USING btree (requested_by_id);

CREATE INDEX compliance_historicalappeal_site_id_3f59a5e5 ON "porchlight_department_snapshot".compliance_historicalappeal USING btree (site_id);

CREATE INDEX compliance_historicalappealattachment_appeal_id_5fc45923 ON "porchlight_department_snapshot".compliance_historicalappealattachment USING btree (appeal_id);

CREATE INDEX compliance_historicalappealattachment_history_date_c28e2366 ON "porchlight_department_snapshot".compliance_historicalappealattachment USING btree (history_date);

CREATE INDEX compliance_historicalappealattachment_history_user_id_f08cfad8 ON "porchlight_department_snapshot".compliance_historicalappealattachment USING btree (history_user_id);

CREATE INDEX compliance_historicalappealattachment_id_c65afffd ON "porchlight_department_snapshot".compliance_historicalappealattachment USING btree (id);

CREATE INDEX compliance_historicalappealattachment_public_id_2809dea5 ON "porchlight_department_snapshot".compliance_historicalappealattachment USING btree (public_id);

CREATE INDEX compliance_historicalattestation_history_date_24d2642c ON "porchlight_department_snapshot".compliance_historicalattestation USING btree (history_date);

CREATE INDEX compliance_historicalattestation_history_user_id_1138bfbf ON "porchlight_department_snapshot".compliance_historicalattestation USING btree (history_user_id);

CREATE INDEX compliance_historicalattestation_id_34962be3 ON "porchlight_department_snapshot".compliance_historicalattestation USING btree (id);

CREATE INDEX compliance_historicalattestation_public_id_1ca75bba ON "porchlight_department_snapshot".compliance_historicalattestation USING btree (public_id);

CREATE INDEX compliance_historicalattestation_signed_by_id_54d727d8 ON "porchlight_department_snapshot".compliance_historicalattestation USING btree (signed_by_id);

CREATE INDEX compliance_historicalattestation_site_id_c9d01264 ON "porchlight_department_snapshot".compliance_historicalattestation USING btree (site_id);

CREATE INDEX compliance_historicalattestation_version_id_6d91b657 ON "porchlight_department_snapshot".compliance_historicalattestation USING btree (version_id);

CREATE INDEX compliance_historicalcertificate_code_1096faa8 ON "porchlight_department_snapshot".compliance_historicalcertificate USING btree (code);

CREATE INDEX compliance_historicalcertificate_code_1096faa8_like ON "porchlight_department_snapshot".compliance_historicalcertificate USING btree (code varchar_pattern_ops);

CREATE INDEX compliance_historicalcertificate_history_date_8d795274 ON "porchlight_department_snapshot".compliance_historicalcertificate USING btree (history_date);

CREATE INDEX compliance_historicalcertificate_history_user_id_2459b5ed ON "porchlight_department_snapshot".compliance_historicalcertificate USING btree (history_user_id);

CREATE INDEX compliance_historicalcertificate_id_02330142 ON "porchlight_department_snapshot".compliance_historicalcertificate USING btree (id);

CREATE INDEX compliance_historicalcertificate_issued_to_id_3bf26e4a ON "porchlight_department_snapshot".compliance_historicalcertificate USING btree (issued_to_id);

CREATE INDEX compliance_historicalcertificate_public_id_afa086cd ON "porchlight_department_snapshot".compliance_historicalcertificate USING btree (public_id);

CREATE INDEX compliance_historicalcertificate_revoked_by_id_105fd5cf ON "porchlight_department_snapshot".compliance_historicalcertificate USING btree (revoked_by_id);

CREATE INDEX compliance_historicalcertificate_site_id_51adaf31 ON "porchlight_department_snapshot".compliance_historicalcertificate USING btree (site_id);

CREATE INDEX compliance_historicalcoverageexit_changed_by_id_0266f517 ON "porchlight_department_snapshot".compliance_historicalcoverageexit USING btree (changed_by_id);

CREATE INDEX compliance_historicalcoverageexit_history_date_92664dc3 ON "porchlight_department_snapshot".compliance_historicalcoverageexit USING btree (history_date);

CREATE INDEX compliance_historicalcoverageexit_history_user_id_89ac474d ON "porchlight_department_snapshot".compliance_historicalcoverageexit USING btree (history_user_id);

CREATE INDEX compliance_historicalcoverageexit_id_a16e3270 ON "porchlight_department_snapshot".compliance_historicalcoverageexit USING btree (id);

CREATE INDEX compliance_historicalcoverageexit_public_id_077a1ee9 ON "porchlight_department_snapshot".compliance_historicalcoverageexit USING btree (public_id);

CREATE INDEX compliance_historicalcoverageexit_reviewed_by_id_3e99ee13 ON "porchlight_department_snapshot".compliance_historicalcoverageexit USING btree (reviewed_by_id);

CREATE INDEX compliance_historicalcoverageexit_site_id_48d0dd77 ON "porchlight_department_snapshot".compliance_historicalcoverageexit USING btree (site_id);

CREATE INDEX compliance_historicalinspection_history_date_cdb6a07d ON "porchlight_department_snapshot".compliance_historicalinspection USING btree (history_date);

CREATE INDEX compliance_historicalinspection_history_user_id_b095ed3d ON "porchlight_department_snapshot".compliance_historicalinspection USING btree (history_user_id);

CREATE INDEX compliance_historicalinspection_id_7e157d91 ON "porchlight_department_snapshot".compliance_historicalinspection USING btree (id);

CREATE INDEX compliance_historicalinspection_inspector_id_1f1ab859 ON "porchlight_department_snapshot".compliance_historicalinspection USING btree (inspector_id);

CREATE INDEX compliance_historicalinspection_ordinance_id_f5ed7445 ON "porchlight_department_snapshot".compliance_historicalinspection USING btree (ordinance_id);

CREATE INDEX compliance_historicalinspection_site_id_a3e815cc ON "porchlight_department_snapshot".compliance_historicalinspection USING btree (site_id);

CREATE INDEX compliance_historicalinspection_version_id_c3e17c59 ON "porchlight_department_snapshot".compliance_historicalinspection USING btree (version_id);

CREATE INDEX compliance_historicalinspectionphoto_history_date_51aab951 ON "porchlight_department_snapshot".compliance_historicalinspectionphoto USING btree (history_date);

CREATE INDEX compliance_historicalinspectionphoto_history_user_id_1c98436a ON "porchlight_department_snapshot".compliance_historicalinspectionphoto USING btree (history_user_id);

CREATE INDEX compliance_historicalinspectionphoto_id_c69515f7 ON "porchlight_department_snapshot".compliance_historicalinspectionphoto USING btree (id);

CREATE INDEX compliance_historicalinspectionphoto_inspection_id_acd29b45 ON "porchlight_department_snapshot".compliance_historicalinspectionphoto USING btree (inspection_id);

CREATE INDEX compliance_historicallicence_address_key_0ca9bd53 ON "porchlight_department_snapshot".compliance_historicallicence USING btree (address_key);

CREATE INDEX compliance_historicallicence_address_key_0ca9bd53_like ON "porchlight_department_snapshot".compliance_historicallicence USING btree (address_key varchar_pattern_ops);

CREATE INDEX compliance_historicallicence_history_date_51d92523 ON "porchlight_department_snapshot".compliance_historicallicence USING btree (history_date);

CREATE INDEX compliance_historicallicence_history_user_id_a8530a30 ON "porchlight_department_snapshot".compliance_historicallicence USING btree (history_user_id);

CREATE INDEX compliance_historicallicence_id_9ac83152 ON "porchlight_department_snapshot".compliance_historicallicence USING btree (id);

CREATE INDEX compliance_historicallicence_import_job_id_c1205c5e ON "porchlight_department_snapshot".compliance_historicallicence USING btree (import_job_id);

CREATE INDEX compliance_historicallicence_public_id_7e07b5fe ON "porchlight_department_snapshot".compliance_historicallicence USING btree (public_id);

CREATE INDEX compliance_historicallicence_site_id_9c98fc8f ON "porchlight_department_snapshot".compliance_historicallicence USING btree (site_id);

CREATE INDEX compliance_historicalnotice_history_date_6a53b3d0 ON "porchlight_department_snapshot".compliance_historicalnotice USING btree (history_date);

CREATE INDEX compliance_historicalnotice_history_user_id_9bc68453 ON "porchlight_department_snapshot".compliance_historicalnotice USING btree (history_user_id);

CREATE INDEX compliance_historicalnotice_id_ab6ef62d ON "porchlight_department_snapshot".compliance_historicalnotice USING btree (id);

CREATE INDEX compliance_historicalnotice_issued_by_id_b65bada8 ON "porchlight_department_snapshot".compliance_historicalnotice USING btree (issued_by_id);

CREATE INDEX compliance_historicalnotice_ordinance_id_2e2c05ea ON "porchlight_department_snapshot".compliance_historicalnotice USING btree (ordinance_id);

CREATE INDEX compliance_historicalnotice_resolved_by_id_b77731e6 ON "porchlight_department_snapshot".compliance_historicalnotice USING btree (resolved_by_id);

CREATE INDEX compliance_historicalnotice_site_id_6b374e1c ON "porchlight_department_snapshot".compliance_historicalnotice USING btree (site_id);

CREATE INDEX compliance_historicalordinance_history_date_2bad4ad0 ON "porchlight_department_snapshot".compliance_historicalordinance USING btree (history_date);

CREATE INDEX compliance_historicalordinance_history_user_id_dea5608d ON "porchlight_department_snapshot".compliance_historicalordinance USING btree (history_user_id);

CREATE INDEX compliance_historicalordinance_id_1b4ca297 ON "porchlight_department_snapshot".compliance_historicalordinance USING btree (id);

CREATE INDEX compliance_historicalordinance_public_id_8896fc19 ON "porchlight_department_snapshot".compliance_historicalordinance USING btree (public_id);

CREATE INDEX compliance_historicalordinanceversion_history_date_0a51577c ON "porchlight_department_snapshot".compliance_historicalordinanceversion USING btree (history_date);

CREATE INDEX compliance_historicalordinanceversion_history_user_id_8d8361f8 ON "porchlight_department_snapshot".compliance_historicalordinanceversion USING btree (history_user_id);

CREATE INDEX compliance_historicalordinanceversion_id_4768d213 ON "porchlight_department_snapshot".compliance_historicalordinanceversion USING btree (id);

CREATE INDEX compliance_historicalordinanceversion_ordinance_id_60523f45 ON "porchlight_department_snapshot".compliance_historicalordinanceversion USING btree (ordinance_id);

CREATE INDEX compliance_inspection_inspector_id_daeb596e ON "porchlight_department_snapshot".compliance_inspection USING btree (inspector_id);

CREATE INDEX compliance_inspection_ordinance_id_59f1d8d8 ON "porchlight_department_snapshot".compliance_inspection USING btree (ordinance_id);

CREATE INDEX compliance_inspection_site_id_996f3a7e ON "porchlight_department_snapshot".compliance_inspection USING btree (site_id);

CREATE INDEX compliance_inspection_version_id_291146f0 ON "porchlight_department_snapshot".compliance_inspection USING btree (version_id);

CREATE INDEX compliance_inspectionphoto_inspection_id_f94d6a6f ON "porchlight_department_snapshot".compliance_inspectionphoto USING btree (inspection_id);

CREATE INDEX compliance_licence_address_key_6df06c3d ON "porchlight_department_snapshot".compliance_licence USING btree (address_key);

CREATE INDEX compliance_licence_address_key_6df06c3d_like ON "porchlight_department_snapshot".compliance_licence USING btree (address_key varchar_pattern_ops);

CREATE INDEX compliance_licence_import_job_id_2d924431 ON "porchlight_department_snapshot".compliance_licence USING btree (import_job_id);

CREATE INDEX compliance_licence_site_id_0b79f49b ON "porchlight_department_snapshot".compliance_licence USING btree (site_id);

CREATE INDEX compliance_licenceimportjob_created_by_id_cc07e031 ON "porchlight_department_snapshot".compliance_licenceimportjob USING btree (created_by_id);

CREATE INDEX compliance_licenceinvitation_licence_id_36de65d3 ON "porchlight_department_snapshot".compliance_licenceinvitation USING btree (licence_id);

CREATE INDEX compliance_licenceinvitation_sent_by_id_31824225 ON "porchlight_department_snapshot".compliance_licenceinvitation USING btree (sent_by_id);

CREATE INDEX compliance_notice_issued_by_id_ba2e7688 ON "porchlight_department_snapshot".compliance_notice USING btree (issued_by_id);

CREATE INDEX compliance_notice_ordinance_id_fd8976e9 ON "porchlight_department_snapshot".compliance_notice USING btree (ordinance_id);

CREATE INDEX compliance_notice_resolved_by_id_3966e62f ON "porchlight_department_snapshot".compliance_notice USING btree (resolved_by_id);

CREATE INDEX compliance_notice_site_id_c9d5e5b2 ON "porchlight_department_snapshot".compliance_notice USING btree (site_id);

CREATE INDEX compliance_ordinanceversion_ordinance_id_f91b0649 ON "porchlight_department_snapshot".compliance_ordinanceversion USING btree (ordinance_id);

CREATE INDEX compliance_record_category ON "porchlight_department_snapshot".compliance_compliancerecord USING btree (category, site_rank, site_id) WHERE "primary";

CREATE INDEX compliance_record_computed ON "porchlight_department_snapshot".compliance_compliancerecord USING btree (computed_at);

CREATE INDEX compliance_record_ord_rank ON "porchlight_department_snapshot".compliance_compliancerecord USING btree (ordinance_key, rank, site_id);

CREATE INDEX compliance_record_overdue ON "porchlight_department_snapshot".compliance_compliancerecord USING btree (next_attestation_due, site_id) WHERE (failed @> ARRAY['attestation'::character varying(20)]);

CREATE INDEX compliance_record_primary ON "porchlight_department_snapshot".compliance_compliancerecord USING btree (site_rank, site_id) WHERE "primary";

CREATE INDEX compliance_record_recheck ON "porchlight_department_snapshot".compliance_compliancerecord USING btree (recheck_on);

CREATE INDEX compliance_reminder_ordinance_id_4d7babee ON "porchlight_department_snapshot".compliance_reminder USING btree (ordinance_id);

CREATE INDEX compliance_reminder_site_id_2e7ffcac ON "porchlight_department_snapshot".compliance_reminder USING btree (site_id);

CREATE INDEX coverage_exit_open ON "porchlight_department_snapshot".compliance_coverageexit USING btree (changed_at) WHERE (reviewed_at IS NULL);

CREATE INDEX delivery_accepted ON "porchlight_department_snapshot".incidents_delivery USING btree (id) WHERE ((status)::text = 'accepted'::text);

CREATE INDEX django_admin_log_content_type_id_c4bce8eb ON "porchlight_department_snapshot".django_admin_log USING btree (content_type_id);

CREATE INDEX django_admin_log_user_id_c564eba6 ON "porchlight_department_snapshot".django_admin_log USING btree (user_id);

CREATE INDEX django_session_expire_date_a5c62663 ON "porchlight_department_snapshot".django_session USING btree (expire_date);

CREATE INDEX django_session_session_key_c0390e0f_like ON "porchlight_department_snapshot".django_session USING btree (session_key varchar_pattern_ops);

CREATE INDEX footage_cameraanswer_camera_id_23ddc33e ON "porchlight_department_snapshot".footage_cameraanswer USING btree (camera_id);

CREATE INDEX footage_cameraanswer_owner_request_id_8081401a ON "porchlight_department_snapshot".footage_cameraanswer USING btree (owner_request_id);

CREATE INDEX footage_clip_answer_id_373c5843 ON "porchlight_department_snapshot".footage_clip USING btree (answer_id);

CREATE INDEX footage_clip_request_id_726a867d ON "porchlight_department_snapshot".footage_clip USING btree (request_id);

CREATE INDEX footage_clip_storage_key_ad6b4f42_like ON "porchlight_department_snapshot".footage_clip USING btree (storage_key varchar_pattern_ops);

CREATE INDEX footage_clipupload_answer_id_5512a524 ON "porchlight_department_snapshot".footage_clipupload USING btree (answer_id);

CREATE INDEX footage_clipupload_owner_id_a448b39f ON "porchlight_department_snapshot".footage_clipupload USING btree (owner_id);

CREATE INDEX footage_custodyevent_clip_id_76f062fe ON "porchlight_department_snapshot".footage_custodyevent USING btree (clip_id);

CREATE INDEX footage_downloadlink_clip_id_98c17b69 ON "porchlight_department_snapshot".footage_downloadlink USING btree (clip_id);

CREATE INDEX footage_downloadlink_purpose_id_4fb1d805 ON "porchlight_department_snapshot".footage_downloadlink USING btree (purpose_id);

CREATE INDEX footage_downloadlink_token_digest_4316de33_like ON "porchlight_department_snapshot".footage_downloadlink USING btree (token_digest varchar_pattern_ops);

CREATE INDEX footage_downloadlink_user_id_6e13e59a ON "porchlight_department_snapshot".footage_downloadlink USING btree (user_id);

CREATE INDEX footage_footagerequest_officer_id_c27a8722 ON "porchlight_department_snapshot".footage_footagerequest USING btree (officer_id);

CREATE INDEX footage_footagerequest_purpose_id_d928d2fc ON "porchlight_department_snapshot".footage_footagerequest USING btree (purpose_id);

CREATE INDEX footage_historicalintegritynotice_acknowledged_by_id_f330065a ON "porchlight_department_snapshot".footage_historicalintegritynotice USING btree (acknowledged_by_id);

CREATE INDEX footage_historicalintegritynotice_clip_id_bc8f1869 ON "porchlight_department_snapshot".footage_historicalintegritynotice USING btree (clip_id);

CREATE INDEX footage_historicalintegritynotice_history_date_b5ab596d ON "porchlight_department_snapshot".footage_historicalintegritynotice USING btree (history_date);

CREATE INDEX footage_historicalintegritynotice_history_user_id_aa16697c ON "porchlight_department_snapshot".footage_historicalintegritynotice USING btree (history_user_id);

CREATE INDEX footage_historicalintegritynotice_id_74f3de48 ON "porchlight_department_snapshot".footage_historicalintegritynotice USING btree (id);

CREATE INDEX footage_integritynotice_acknowledged_by_id_1f0b9637 ON "porchlight_department_snapshot".footage_integritynotice USING btree (acknowledged_by_id);

CREATE INDEX footage_integritynotice_clip_id_80834849 ON "porchlight_department_snapshot".footage_integritynotice USING btree (clip_id);

CREATE UNIQUE INDEX footage_one_open_integrity_notice_per_clip ON "porchlight_department_snapshot".footage_integritynotice USING btree (clip_id) WHERE (acknowledged_at IS NULL);

CREATE INDEX footage_ownerrequest_owner_id_079d6d92 ON "porchlight_department_snapshot".footage_ownerrequest USING btree (owner_id);

CREATE INDEX footage_ownerrequest_request_id_dfa63854 ON "porchlight_department_snapshot".footage_ownerrequest USING btree (request_id);

CREATE INDEX footage_streamlink_clip_id_d35e60e2 ON "porchlight_department_snapshot".footage_streamlink USING btree (clip_id);

CREATE INDEX footage_streamlink_purpose_id_e00bec5e ON "porchlight_department_snapshot".footage_streamlink USING btree (purpose_id);

CREATE INDEX footage_streamlink_user_id_acdd3473 ON "porchlight_department_snapshot".footage_streamlink USING btree (user_id);

CREATE INDEX footage_upload_abandoned ON "porchlight_department_snapshot".footage_clipupload USING btree (completed_at, touched_at);

CREATE INDEX incident_status_time ON "porchlight_department_snapshot".incidents_incident USING btree (status, occurred_at DESC);

CREATE INDEX incidents_delivery_incident_id_2884e684 ON "porchlight_department_snapshot".incidents_delivery USING btree (incident_id);

CREATE INDEX incidents_delivery_integration_id_f67179f0 ON "porchlight_department_snapshot".incidents_delivery USING btree (integration_id);

CREATE INDEX incidents_historicalincident_closed_by_id_ba309f99 ON "porchlight_department_snapshot".incidents_historicalincident USING btree (closed_by_id);

CREATE INDEX incidents_historicalincident_history_date_fbf5eee7 ON "porchlight_department_snapshot".incidents_historicalincident USING btree (history_date);

CREATE INDEX incidents_historicalincident_history_user_id_716b9f52 ON "porchlight_department_snapshot".incidents_historicalincident USING btree (history_user_id);

CREATE INDEX incidents_historicalincident_id_e97ac952 ON "porchlight_department_snapshot".incidents_historicalincident USING btree (id);

CREATE INDEX incidents_historicalincident_integration_id_bdbef4f9 ON "porchlight_department_snapshot".incidents_historicalincident USING btree (integration_id);

CREATE INDEX incidents_historicalincident_location_be13fa65_id ON "porchlight_department_snapshot".incidents_historicalincident USING gist (location);

CREATE INDEX incidents_historicalincident_public_id_470122fe ON "porchlight_department_snapshot".incidents_historicalincident USING btree (public_id);

CREATE INDEX incidents_historicalintegration_created_by_id_dea9362b ON "porchlight_department_snapshot".incidents_historicalintegration USING btree (created_by_id);

CREATE INDEX incidents_historicalintegration_history_date_2816e818 ON "porchlight_department_snapshot".incidents_historicalintegration USING btree (history_date);

CREATE INDEX incidents_historicalintegration_history_user_id_ca8aadea ON "porchlight_department_snapshot".incidents_historicalintegration USING btree (history_user_id);

CREATE INDEX incidents_historicalintegration_id_dfcc986d ON "porchlight_department_snapshot".incidents_historicalintegration USING btree (id);

CREATE INDEX incidents_historicalintegration_public_id_f186377e ON "porchlight_department_snapshot".incidents_historicalintegration USING btree (public_id);

CREATE INDEX incidents_incident_closed_by_id_f52b1596 ON "porchlight_department_snapshot".incidents_incident USING btree (closed_by_id);

CREATE INDEX incidents_incident_integration_id_43b2f67a ON "porchlight_department_snapshot".incidents_incident USING btree (integration_id);

CREATE INDEX incidents_incident_location_45554ecf_id ON "porchlight_department_snapshot".incidents_incident USING gist (location);

CREATE INDEX incidents_integration_created_by_id_86a463ab ON "porchlight_department_snapshot".incidents_integration USING btree (created_by_id);

CREATE INDEX incidents_integrationrefusal_integration_id_7dcfddb3 ON "porchlight_department_snapshot".incidents_integrationrefusal USING btree (integration_id);

CREATE INDEX licence_site_category ON "porchlight_department_snapshot".compliance_licence USING btree (site_id, category);

CREATE INDEX licence_source_number_key ON "porchlight_department_snapshot".compliance_licence USING btree (source, upper(regexp_replace((number)::text, '[^0-9A-Za-z]+'::text, ''::text, 'g'::text)));

CREATE INDEX live_bridge_cameras_bridge_id_81587bb8 ON "porchlight_department_snapshot".live_bridge_cameras USING btree (bridge_id);

CREATE INDEX live_bridge_cameras_camera_id_d756a1c6 ON "porchlight_department_snapshot".live_bridge_cameras USING btree (camera_id);

CREATE INDEX live_bridge_site_id_5969a0f2 ON "porchlight_department_snapshot".live_bridge USING btree (site_id);

CREATE INDEX live_bridge_token_digest_5d57eebd_like ON "porchlight_department_snapshot".live_bridge USING btree (token_digest varchar_pattern_ops);

CREATE INDEX live_bridgepairing_bridge_id_39e3a460 ON "porchlight_department_snapshot".live_bridgepairing USING btree (bridge_id);

CREATE INDEX live_bridgepairing_code_digest_1f95b713_like ON "porchlight_department_snapshot".live_bridgepairing USING btree (code_digest varchar_pattern_ops);

CREATE INDEX live_historicalbridge_history_date_71d7cfbf ON "porchlight_department_snapshot".live_historicalbridge USING btree (history_date);

CREATE INDEX live_historicalbridge_history_user_id_19fd228a ON "porchlight_department_snapshot".live_historicalbridge USING btree (history_user_id);

CREATE INDEX live_historicalbridge_id_8cd7a971 ON "porchlight_department_snapshot".live_historicalbridge USING btree (id);

CREATE INDEX live_historicalbridge_public_id_c391d764 ON "porchlight_department_snapshot".live_historicalbridge USING btree (public_id);

CREATE INDEX live_historicalbridge_site_id_fa9a7843 ON "porchlight_department_snapshot".live_historicalbridge USING btree (site_id);

CREATE INDEX live_historicalbridge_token_digest_f20bea2d ON "porchlight_department_snapshot".live_historicalbridge USING btree (token_digest);

CREATE INDEX live_historicalbridge_token_digest_f20bea2d_like ON "porchlight_department_snapshot".live_historicalbridge USING btree (token_digest varchar_pattern_ops);

CREATE INDEX live_livesession_camera_id_e496cc2e ON "porchlight_department_snapshot".live_livesession USING btree (camera_id);

CREATE INDEX live_livesession_officer_id_acf33d22 ON "porchlight_department_snapshot".live_livesession USING btree (officer_id);

CREATE INDEX live_livesession_purpose_id_f81f2a25 ON "porchlight_department_snapshot".live_livesession USING btree (purpose_id);

CREATE INDEX live_positionsample_camera_id_49325419 ON "porchlight_department_snapshot".live_positionsample USING btree (camera_id);

CREATE INDEX live_positionsample_point_1807121b_id ON "porchlight_department_snapshot".live_positionsample USING gist (point);

CREATE INDEX live_session_active ON "porchlight_department_snapshot".live_livesession USING btree (camera_id, ended_at);

CREATE INDEX live_session_end_pending ON "porchlight_department_snapshot".live_livesession USING btree (ended_at) WHERE end_pending;

CREATE INDEX live_session_open ON "porchlight_department_snapshot".live_livesession USING btree (ends_at) WHERE (ended_at IS NULL);

CREATE INDEX messaging_historicalmessag_history_user_id_d4c25324 ON "porchlight_department_snapshot".messaging_historicalmessagingpreference USING btree (history_user_id);

CREATE INDEX messaging_historicalmessagingpreference_history_date_1c251acf ON "porchlight_department_snapshot".messaging_historicalmessagingpreference USING btree (history_date);

CREATE INDEX messaging_historicalmessagingpreference_id_5ddebe84 ON "porchlight_department_snapshot".messaging_historicalmessagingpreference USING btree (id);

CREATE INDEX messaging_historicalmessagingpreference_owner_id_9030b522 ON "porchlight_department_snapshot".messaging_historicalmessagingpreference USING btree (owner_id);

CREATE INDEX messaging_message_purpose_id_a5f68535 ON "porchlight_department_snapshot".messaging_message USING btree (purpose_id);

CREATE INDEX messaging_message_sent ON "porchlight_department_snapshot".messaging_message USING btree (sender, created_at);

CREATE INDEX messaging_message_thread_id_f689027f ON "porchlight_department_snapshot".messaging_message USING btree (thread_id);

CREATE INDEX messaging_message_unread ON "porchlight_department_snapshot".messaging_message USING btree (thread_id, sender, read_at);

CREATE INDEX messaging_thread_camera_id_8e2d869c ON "porchlight_department_snapshot".messaging_thread USING btree (camera_id);

CREATE INDEX messaging_thread_officer ON "porchlight_department_snapshot".messaging_thread USING btree (officer_id, last_message_at DESC);

CREATE INDEX messaging_thread_officer_id_72c962ba ON "porchlight_department_snapshot".messaging_thread USING btree (officer_id);

CREATE INDEX messaging_thread_owner ON "porchlight_department_snapshot".messaging_thread USING btree (owner_id, last_message_at DESC);

CREATE INDEX messaging_thread_owner_id_87cd749b ON "porchlight_department_snapshot".messaging_thread USING btree (owner_id);

CREATE INDEX mfa_authenticator_user_id_0c3a50c0 ON "porchlight_department_snapshot".mfa_authenticator USING btree (user_id);

CREATE UNIQUE INDEX notification_once_per_key ON "porchlight_department_snapshot".notifications_notification USING btree (recipient_id, once_key) WHERE (NOT ((once_key)::text = ''::text));

CREATE INDEX notification_unread ON "porchlight_department_snapshot".notifications_notification USING btree (recipient_id, read_at);

CREATE INDEX notifications_notification_recipient_id_d055f3f0 ON "porchlight_department_snapshot".notifications_notification USING btree (recipient_id);

CREATE INDEX places_addr_street_cell ON "porchlight_department_snapshot".places_addresspoint USING btree (street_key, cell);

CREATE INDEX places_addr_street_number ON "porchlight_department_snapshot".places_addresspoint USING btree (street_key, number);

CREATE INDEX places_addresspoint_key_96aef560_like ON "porchlight_department_snapshot".places_addresspoint USING btree (key varchar_pattern_ops);

CREATE INDEX places_addresspoint_location_b8080837_id ON "porchlight_department_snapshot".places_addresspoint USING gist (location);

CREATE INDEX places_policearea_area_0c329db0_id ON "porchlight_department_snapshot".places_policearea USING gist (area);

CREATE INDEX places_policearea_name_53008080_like ON "porchlight_department_snapshot".places_policearea USING btree (name varchar_pattern_ops);

CREATE INDEX places_sensitiveplace_area_f2473754_id ON "porchlight_department_snapshot".places_sensitiveplace USING gist (area);

CREATE INDEX places_sensitiveplace_name_a9395166_like ON "porchlight_department_snapshot".places_sensitiveplace USING btree (name varchar_pattern_ops);

CREATE INDEX places_street_key_71611961_like ON "porchlight_department_snapshot".places_street USING btree (key varchar_pattern_ops);

CREATE INDEX places_street_key_trgm ON "porchlight_department_snapshot".places_street USING gin (key public.gin_trgm_ops);

CREATE INDEX position_sample_age ON "porchlight_department_snapshot".live_positionsample USING btree (at);

CREATE INDEX position_sample_track ON "porchlight_department_snapshot".live_positionsample USING btree (camera_id, at);

CREATE INDEX suspension_open_ends_idx ON "porchlight_department_snapshot".cameras_suspension USING btree (resumed_at, ends_at);

CREATE UNIQUE INDEX unique_authenticator_type ON "porchlight_department_snapshot".mfa_authenticator USING btree (user_id, type) WHERE ((type)::text = ANY ((ARRAY['totp'::character varying, 'recovery_codes'::character varying])::text[]));

CREATE UNIQUE INDEX unique_primary_email ON "porchlight_department_snapshot".account_emailaddress USING btree (user_id, "primary") WHERE "primary";

CREATE UNIQUE INDEX unique_verified_email ON "porchlight_department_snapshot".account_emailaddress USING btree (email) WHERE verified;

CREATE UNIQUE INDEX user_one_department_account ON "porchlight_department_snapshot".accounts_user USING btree (role) WHERE ((role)::text = 'department'::text);

CREATE INDEX usersessions_usersession_session_key_fd35de43_like ON "porchlight_department_snapshot".usersessions_usersession USING btree (session_key varchar_pattern_ops);

CREATE INDEX usersessions_usersession_user_id_af5e0a6d ON "porchlight_department_snapshot".usersessions_usersession USING btree (user_id);

CREATE TRIGGER audit_accessevent_chain BEFORE INSERT ON "porchlight_department_snapshot".audit_accessevent FOR EACH ROW EXECUTE FUNCTION "porchlight_department_snapshot".audit_accessevent_chain();

ALTER TABLE "porchlight_department_snapshot".audit_accessevent ENABLE ALWAYS TRIGGER audit_accessevent_chain;

CREATE TRIGGER audit_accessevent_no_truncate BEFORE TRUNCATE ON "porchlight_department_snapshot".audit_accessevent FOR EACH STATEMENT EXECUTE FUNCTION "porchlight_department_snapshot".audit_accessevent_append_only();

ALTER TABLE "porchlight_department_snapshot".audit_accessevent ENABLE ALWAYS TRIGGER audit_accessevent_no_truncate;

CREATE TRIGGER audit_accessevent_no_update_delete BEFORE DELETE OR UPDATE ON "porchlight_department_snapshot".audit_accessevent FOR EACH ROW EXECUTE FUNCTION "porchlight_department_snapshot".audit_accessevent_append_only();

ALTER TABLE "porchlight_department_snapshot".audit_accessevent ENABLE ALWAYS TRIGGER audit_accessevent_no_update_delete;

CREATE TRIGGER audit_accessevent_rollups AFTER INSERT ON "porchlight_department_snapshot".audit_accessevent FOR EACH ROW EXECUTE FUNCTION "porchlight_department_snapshot".audit_accessevent_rollups_add();

ALTER TABLE "porchlight_department_snapshot".audit_accessevent ENABLE ALWAYS TRIGGER audit_accessevent_rollups;

CREATE TRIGGER audit_anomalyflag_no_truncate BEFORE TRUNCATE ON "porchlight_department_snapshot".audit_anomalyflag FOR EACH STATEMENT EXECUTE FUNCTION "porchlight_department_snapshot".audit_anomalyflag_append_only();

ALTER TABLE "porchlight_department_snapshot".audit_anomalyflag ENABLE ALWAYS TRIGGER audit_anomalyflag_no_truncate;

CREATE TRIGGER audit_anomalyflag_no_update_delete BEFORE DELETE OR UPDATE ON "porchlight_department_snapshot".audit_anomalyflag FOR EACH ROW EXECUTE FUNCTION "porchlight_department_snapshot".audit_anomalyflag_append_only();

ALTER TABLE "porchlight_department_snapshot".audit_anomalyflag ENABLE ALWAYS TRIGGER audit_anomalyflag_no_update_delete;

CREATE TRIGGER audit_anomalyreview_no_truncate BEFORE TRUNCATE ON "porchlight_department_snapshot".audit_anomalyreview FOR EACH STATEMENT EXECUTE FUNCTION "porchlight_department_snapshot".audit_anomalyreview_append_only();

ALTER TABLE "porchlight_department_snapshot".audit_anomalyreview ENABLE ALWAYS TRIGGER audit_anomalyreview_no_truncate;

CREATE TRIGGER audit_anomalyreview_no_update_delete BEFORE DELETE OR UPDATE ON "porchlight_department_snapshot".audit_anomalyreview FOR EACH ROW EXECUTE FUNCTION "porchlight_department_snapshot".audit_anomalyreview_append_only();

ALTER TABLE "porchlight_department_snapshot".audit_anomalyreview ENABLE ALWAYS TRIGGER audit_anomalyreview_no_update_delete;

CREATE TRIGGER audit_boardrecord_no_delete BEFORE DELETE ON "porchlight_department_snapshot".audit_boardrecord FOR EACH ROW EXECUTE FUNCTION "porchlight_department_snapshot".audit_boardrecord_kept();

ALTER TABLE "porchlight_department_snapshot".audit_boardrecord ENABLE ALWAYS TRIGGER audit_boardrecord_no_delete;

CREATE TRIGGER audit_boardrecord_no_truncate BEFORE TRUNCATE ON "porchlight_department_snapshot".audit_boardrecord FOR EACH STATEMENT EXECUTE FUNCTION "porchlight_department_snapshot".audit_boardrecord_kept();

ALTER TABLE "porchlight_department_snapshot".audit_boardrecord ENABLE ALWAYS TRIGGER audit_boardrecord_no_truncate;

CREATE TRIGGER audit_chainverification_no_truncate BEFORE TRUNCATE ON "porchlight_department_snapshot".audit_chainverification FOR EACH STATEMENT EXECUTE FUNCTION "porchlight_department_snapshot".audit_chainverification_append_only();

ALTER TABLE "porchlight_department_snapshot".audit_chainverification ENABLE ALWAYS TRIGGER audit_chainverification_no_truncate;

CREATE TRIGGER audit_chainverification_no_update_delete BEFORE DELETE OR UPDATE ON "porchlight_department_snapshot".audit_chainverification FOR EACH ROW EXECUTE FUNCTION "porchlight_department_snapshot".audit_chainverification_append_only();

ALTER TABLE "porchlight_department_snapshot".audit_chainverification ENABLE ALWAYS TRIGGER audit_chainverification_no_update_delete;

CREATE TRIGGER audit_historicalboardrecord_no_truncate BEFORE TRUNCATE ON "porchlight_department_snapshot".audit_historicalboardrecord FOR EACH STATEMENT EXECUTE FUNCTION "porchlight_department_snapshot".audit_boardrecord_kept();

ALTER TABLE "porchlight_department_snapshot".audit_historicalboardrecord ENABLE ALWAYS TRIGGER audit_historicalboardrecord_no_truncate;

CREATE TRIGGER audit_historicalboardrecord_no_update_delete BEFORE DELETE OR UPDATE ON "porchlight_department_snapshot".audit_historicalboardrecord FOR EACH ROW EXECUTE FUNCTION "porchlight_department_snapshot".audit_boardrecord_kept();

ALTER TABLE "porchlight_department_snapshot".audit_historicalboardrecord ENABLE ALWAYS TRIGGER audit_historicalboardrecord_no_update_delete;

CREATE TRIGGER audit_logfailure_no_truncate BEFORE TRUNCATE ON "porchlight_department_snapshot".audit_logfailure FOR EACH STATEMENT EXECUTE FUNCTION "porchlight_department_snapshot".audit_logfailure_append_only();

ALTER TABLE "porchlight_department_snapshot".audit_logfailure ENABLE ALWAYS TRIGGER audit_logfailure_no_truncate;

CREATE TRIGGER audit_logfailure_no_update_delete BEFORE DELETE OR UPDATE ON "porchlight_department_snapshot".audit_logfailure FOR EACH ROW EXECUTE FUNCTION "porchlight_department_snapshot".audit_logfailure_append_only();

ALTER TABLE "porchlight_department_snapshot".audit_logfailure ENABLE ALWAYS TRIGGER audit_logfailure_no_update_delete;

CREATE TRIGGER audit_logfailureresolution_no_truncate BEFORE TRUNCATE ON "porchlight_department_snapshot".audit_logfailureresolution FOR EACH STATEMENT EXECUTE FUNCTION "porchlight_department_snapshot".audit_logfailure_append_only();

ALTER TABLE "porchlight_department_snapshot".audit_logfailureresolution ENABLE ALWAYS TRIGGER audit_logfailureresolution_no_truncate;

CREATE TRIGGER audit_logfailureresolution_no_update_delete BEFORE DELETE OR UPDATE ON "porchlight_department_snapshot".audit_logfailureresolution FOR EACH ROW EXECUTE FUNCTION "porchlight_department_snapshot".audit_logfailure_append_only();

ALTER TABLE "porchlight_department_snapshot".audit_logfailureresolution ENABLE ALWAYS TRIGGER audit_logfailureresolution_no_update_delete;

CREATE TRIGGER audit_signedcheckpoint_no_truncate BEFORE TRUNCATE ON "porchlight_department_snapshot".audit_signedcheckpoint FOR EACH STATEMENT EXECUTE FUNCTION "porchlight_department_snapshot".audit_signedcheckpoint_append_only();

ALTER TABLE "porchlight_department_snapshot".audit_signedcheckpoint ENABLE ALWAYS TRIGGER audit_signedcheckpoint_no_truncate;

CREATE TRIGGER audit_signedcheckpoint_no_update_delete BEFORE DELETE OR UPDATE ON "porchlight_department_snapshot".audit_signedcheckpoint FOR EACH ROW EXECUTE FUNCTION "porchlight_department_snapshot".audit_signedcheckpoint_append_only();

ALTER TABLE "porchlight_department_snapshot".audit_signedcheckpoint ENABLE ALWAYS TRIGGER audit_signedcheckpoint_no_update_delete;

CREATE TRIGGER footage_integritynotice_guard BEFORE DELETE OR UPDATE ON "porchlight_department_snapshot".footage_integritynotice FOR EACH ROW EXECUTE FUNCTION "porchlight_department_snapshot".footage_integritynotice_guard();

ALTER TABLE "porchlight_department_snapshot".footage_integritynotice ENABLE ALWAYS TRIGGER footage_integritynotice_guard;

CREATE CONSTRAINT TRIGGER history_erasure_guard AFTER UPDATE ON "porchlight_department_snapshot".accounts_historicaluser DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "porchlight_department_snapshot".accounts_historicaluser_erasure_guard();

CREATE CONSTRAINT TRIGGER history_erasure_guard AFTER UPDATE ON "porchlight_department_snapshot".cameras_historicalcamera DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "porchlight_department_snapshot".cameras_historicalcamera_erasure_guard();

CREATE CONSTRAINT TRIGGER history_erasure_guard AFTER UPDATE ON "porchlight_department_snapshot".cameras_historicalsite DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "porchlight_department_snapshot".cameras_historicalsite_erasure_guard();

CREATE CONSTRAINT TRIGGER history_erasure_guard AFTER UPDATE ON "porchlight_department_snapshot".live_historicalbridge DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "porchlight_department_snapshot".live_historicalbridge_erasure_guard();

CREATE CONSTRAINT TRIGGER history_user_guard AFTER UPDATE ON "porchlight_department_snapshot".accounts_historicaluser DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "porchlight_department_snapshot".history_user_guard();

CREATE CONSTRAINT TRIGGER history_user_guard AFTER UPDATE ON "porchlight_department_snapshot".audit_historicalboardrecord DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "porchlight_department_snapshot".history_user_guard();

CREATE CONSTRAINT TRIGGER history_user_guard AFTER UPDATE ON "porchlight_department_snapshot".cameras_historicalcamera DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "porchlight_department_snapshot".history_user_guard();

CREATE CONSTRAINT TRIGGER history_user_guard AFTER UPDATE ON "porchlight_department_snapshot".cameras_historicalconsentgrant DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "porchlight_department_snapshot".history_user_guard();

CREATE CONSTRAINT TRIGGER history_user_guard AFTER UPDATE ON "porchlight_department_snapshot".cameras_historicaldepartmentcamera DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "porchlight_department_snapshot".history_user_guard();

CREATE CONSTRAINT TRIGGER history_user_guard AFTER UPDATE ON "porchlight_department_snapshot".cameras_historicalsite DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "porchlight_department_snapshot".history_user_guard();

CREATE CONSTRAINT TRIGGER history_user_guard AFTER UPDATE ON "porchlight_department_snapshot".compliance_historicalappeal DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "porchlight_department_snapshot".history_user_guard();

CREATE CONSTRAINT TRIGGER history_user_guard AFTER UPDATE ON "porchlight_department_snapshot".compliance_historicalappealattachment DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "porchlight_department_snapshot".history_user_guard();

CREATE CONSTRAINT TRIGGER history_user_guard AFTER UPDATE ON "porchlight_department_snapshot".compliance_historicalattestation DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "porchlight_department_snapshot".history_user_guard();

CREATE CONSTRAINT TRIGGER history_user_guard AFTER UPDATE ON "porchlight_department_snapshot".compliance_historicalcertificate DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "porchlight_department_snapshot".history_user_guard();

CREATE CONSTRAINT TRIGGER history_user_guard AFTER UPDATE ON "porchlight_department_snapshot".compliance_historicalcoverageexit DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "porchlight_department_snapshot".history_user_guard();

CREATE CONSTRAINT TRIGGER history_user_guard AFTER UPDATE ON "porchlight_department_snapshot".compliance_historicalinspection DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "porchlight_department_snapshot".history_user_guard();

CREATE CONSTRAINT TRIGGER history_user_guard AFTER UPDATE ON "porchlight_department_snapshot".compliance_historicalinspectionphoto DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "porchlight_department_snapshot".history_user_guard();

CREATE CONSTRAINT TRIGGER history_user_guard AFTER UPDATE ON "porchlight_department_snapshot".compliance_historicallicence DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "porchlight_department_snapshot".history_user_guard();

CREATE CONSTRAINT TRIGGER history_user_guard AFTER UPDATE ON "porchlight_department_snapshot".compliance_historicalnotice DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "porchlight_department_snapshot".history_user_guard();

CREATE CONSTRAINT TRIGGER history_user_guard AFTER UPDATE ON "porchlight_department_snapshot".compliance_historicalordinance DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "porchlight_department_snapshot".history_user_guard();

CREATE CONSTRAINT TRIGGER history_user_guard AFTER UPDATE ON "porchlight_department_snapshot".compliance_historicalordinanceversion DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "porchlight_department_snapshot".history_user_guard();

CREATE CONSTRAINT TRIGGER history_user_guard AFTER UPDATE ON "porchlight_department_snapshot".footage_historicalintegritynotice DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "porchlight_department_snapshot".history_user_guard();

CREATE CONSTRAINT TRIGGER history_user_guard AFTER UPDATE ON "porchlight_department_snapshot".incidents_historicalincident DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "porchlight_department_snapshot".history_user_guard();

CREATE CONSTRAINT TRIGGER history_user_guard AFTER UPDATE ON "porchlight_department_snapshot".incidents_historicalintegration DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "porchlight_department_snapshot".history_user_guard();

CREATE CONSTRAINT TRIGGER history_user_guard AFTER UPDATE ON "porchlight_department_snapshot".live_historicalbridge DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "porchlight_department_snapshot".history_user_guard();

CREATE CONSTRAINT TRIGGER history_user_guard AFTER UPDATE ON "porchlight_department_snapshot".messaging_historicalmessagingpreference DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "porchlight_department_snapshot".history_user_guard();

ALTER TABLE ONLY "porchlight_department_snapshot".account_emailaddress
    ADD CONSTRAINT account_emailaddress_user_id_2c513194_fk_accounts_user_id FOREIGN KEY (user_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".account_emailconfirmation
    ADD CONSTRAINT account_emailconfirm_email_address_id_5b7f8c58_fk_account_e FOREIGN KEY (email_address_id) REFERENCES "porchlight_department_snapshot".account_emailaddress(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".accounts_apitoken
    ADD CONSTRAINT accounts_apitoken_user_id_bbee13e0_fk_accounts_user_id FOREIGN KEY (user_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".accounts_historicaluser
    ADD CONSTRAINT accounts_historicalu_history_user_id_db1b2c5f_fk_accounts_ FOREIGN KEY (history_user_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".accounts_user_groups
    ADD CONSTRAINT accounts_user_groups_group_id_bd11a704_fk_auth_group_id FOREIGN KEY (group_id) REFERENCES "porchlight_department_snapshot".auth_group(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".accounts_user_groups
    ADD CONSTRAINT accounts_user_groups_user_id_52b62117_fk_accounts_user_id FOREIGN KEY (user_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".accounts_user_user_permissions
    ADD CONSTRAINT accounts_user_user_p_permission_id_113bb443_fk_auth_perm FOREIGN KEY (permission_id) REFERENCES "porchlight_department_snapshot".auth_permission(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".accounts_user_user_permissions
    ADD CONSTRAINT accounts_user_user_p_user_id_e4f0a161_fk_accounts_ FOREIGN KEY (user_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".audit_anomalyreview
    ADD CONSTRAINT audit_anomalyreview_flag_id_cbe56530_fk_audit_anomalyflag_id FOREIGN KEY (flag_id) REFERENCES "porchlight_department_snapshot".audit_anomalyflag(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".audit_historicalboardrecord
    ADD CONSTRAINT audit_historicalboar_history_user_id_a2714ee9_fk_accounts_ FOREIGN KEY (history_user_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".audit_logfailureresolution
    ADD CONSTRAINT audit_logfailurereso_failure_id_9aeaaaf0_fk_audit_log FOREIGN KEY (failure_id) REFERENCES "porchlight_department_snapshot".audit_logfailure(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".auth_group_permissions
    ADD CONSTRAINT auth_group_permissio_permission_id_84c5c92e_fk_auth_perm FOREIGN KEY (permission_id) REFERENCES "porchlight_department_snapshot".auth_permission(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".auth_group_permissions
    ADD CONSTRAINT auth_group_permissions_group_id_b120cbf9_fk_auth_group_id FOREIGN KEY (group_id) REFERENCES "porchlight_department_snapshot".auth_group(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".auth_permission
    ADD CONSTRAINT auth_permission_content_type_id_2f476e4b_fk_django_co FOREIGN KEY (content_type_id) REFERENCES "porchlight_department_snapshot".django_content_type(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".cameras_accessnotice
    ADD CONSTRAINT cameras_accessnotice_owner_id_681d4fa2_fk_accounts_user_id FOREIGN KEY (owner_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".cameras_camera
    ADD CONSTRAINT cameras_camera_site_id_8a7235fa_fk_cameras_site_id FOREIGN KEY (site_id) REFERENCES "porchlight_department_snapshot".cameras_site(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".cameras_consentgrant
    ADD CONSTRAINT cameras_consentgrant_camera_id_35f98cf2_fk_cameras_camera_id FOREIGN KEY (camera_id) REFERENCES "porchlight_department_snapshot".cameras_camera(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".cameras_departmentcamera
    ADD CONSTRAINT cameras_departmentca_camera_id_a4e50aec_fk_cameras_c FOREIGN KEY (camera_id) REFERENCES "porchlight_department_snapshot".cameras_camera(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".cameras_departmentcameraimport
    ADD CONSTRAINT cameras_departmentca_created_by_id_0467c238_fk_accounts_ FOREIGN KEY (created_by_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".cameras_departmentcamera
    ADD CONSTRAINT cameras_departmentca_registered_by_id_ec1a3091_fk_accounts_ FOREIGN KEY (registered_by_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".cameras_historicalcamera
    ADD CONSTRAINT cameras_historicalca_history_user_id_036230ef_fk_accounts_ FOREIGN KEY (history_user_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".cameras_historicalconsentgrant
    ADD CONSTRAINT cameras_historicalco_history_user_id_3bf45340_fk_accounts_ FOREIGN KEY (history_user_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".cameras_historicaldepartmentcamera
    ADD CONSTRAINT cameras_historicalde_history_user_id_c9022671_fk_accounts_ FOREIGN KEY (history_user_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".cameras_historicalsite
    ADD CONSTRAINT cameras_historicalsi_history_user_id_0282803c_fk_accounts_ FOREIGN KEY (history_user_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".cameras_purpose
    ADD CONSTRAINT cameras_purpose_approved_by_id_8c01b383_fk_accounts_user_id FOREIGN KEY (approved_by_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".cameras_purpose
    ADD CONSTRAINT cameras_purpose_denied_by_id_a773a48e_fk_accounts_user_id FOREIGN KEY (denied_by_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".cameras_purpose
    ADD CONSTRAINT cameras_purpose_officer_id_9d72dfcb_fk_accounts_user_id FOREIGN KEY (officer_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".cameras_site
    ADD CONSTRAINT cameras_site_owner_id_c6399714_fk_accounts_user_id FOREIGN KEY (owner_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".cameras_suspension
    ADD CONSTRAINT cameras_suspension_owner_id_30e9acc3_fk_accounts_user_id FOREIGN KEY (owner_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".cameras_suspensionitem
    ADD CONSTRAINT cameras_suspensionit_suspension_id_6ba3edf3_fk_cameras_s FOREIGN KEY (suspension_id) REFERENCES "porchlight_department_snapshot".cameras_suspension(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".cameras_suspensionitem
    ADD CONSTRAINT cameras_suspensionitem_camera_id_9044977c_fk_cameras_camera_id FOREIGN KEY (camera_id) REFERENCES "porchlight_department_snapshot".cameras_camera(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_appeal
    ADD CONSTRAINT compliance_appeal_decided_by_id_88a1b1f6_fk_accounts_user_id FOREIGN KEY (decided_by_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_appeal
    ADD CONSTRAINT compliance_appeal_ordinance_id_62e6ed88_fk_complianc FOREIGN KEY (ordinance_id) REFERENCES "porchlight_department_snapshot".compliance_ordinance(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_appeal
    ADD CONSTRAINT compliance_appeal_requested_by_id_efd212a5_fk_accounts_user_id FOREIGN KEY (requested_by_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_appeal
    ADD CONSTRAINT compliance_appeal_site_id_a0f689e7_fk_cameras_site_id FOREIGN KEY (site_id) REFERENCES "porchlight_department_snapshot".cameras_site(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_appealattachment
    ADD CONSTRAINT compliance_appealatt_appeal_id_8041fa14_fk_complianc FOREIGN KEY (appeal_id) REFERENCES "porchlight_department_snapshot".compliance_appeal(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_attestation
    ADD CONSTRAINT compliance_attestati_signed_by_id_f9eade99_fk_accounts_ FOREIGN KEY (signed_by_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_attestation
    ADD CONSTRAINT compliance_attestati_version_id_8444554a_fk_complianc FOREIGN KEY (version_id) REFERENCES "porchlight_department_snapshot".compliance_ordinanceversion(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_attestation
    ADD CONSTRAINT compliance_attestation_site_id_697b6ce1_fk_cameras_site_id FOREIGN KEY (site_id) REFERENCES "porchlight_department_snapshot".cameras_site(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_certificate_versions
    ADD CONSTRAINT compliance_certifica_certificate_id_e0ab75e3_fk_complianc FOREIGN KEY (certificate_id) REFERENCES "porchlight_department_snapshot".compliance_certificate(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_certificate
    ADD CONSTRAINT compliance_certifica_issued_to_id_c9c68685_fk_accounts_ FOREIGN KEY (issued_to_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_certificate_versions
    ADD CONSTRAINT compliance_certifica_ordinanceversion_id_78be790e_fk_complianc FOREIGN KEY (ordinanceversion_id) REFERENCES "porchlight_department_snapshot".compliance_ordinanceversion(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_certificate
    ADD CONSTRAINT compliance_certifica_revoked_by_id_33221725_fk_accounts_ FOREIGN KEY (revoked_by_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_certificate
    ADD CONSTRAINT compliance_certificate_site_id_d3e38f92_fk_cameras_site_id FOREIGN KEY (site_id) REFERENCES "porchlight_department_snapshot".cameras_site(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_compliancerecord
    ADD CONSTRAINT compliance_complianc_ordinance_id_b417063f_fk_complianc FOREIGN KEY (ordinance_id) REFERENCES "porchlight_department_snapshot".compliance_ordinance(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_compliancerecord
    ADD CONSTRAINT compliance_complianc_police_area_id_b5ea24b9_fk_places_po FOREIGN KEY (police_area_id) REFERENCES "porchlight_department_snapshot".places_policearea(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_compliancerecord
    ADD CONSTRAINT compliance_complianc_version_id_be13af63_fk_complianc FOREIGN KEY (version_id) REFERENCES "porchlight_department_snapshot".compliance_ordinanceversion(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_compliancerecord
    ADD CONSTRAINT compliance_compliancerecord_site_id_562813d8_fk_cameras_site_id FOREIGN KEY (site_id) REFERENCES "porchlight_department_snapshot".cameras_site(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_coverageexit
    ADD CONSTRAINT compliance_coveragee_changed_by_id_013641c0_fk_accounts_ FOREIGN KEY (changed_by_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_coverageexit
    ADD CONSTRAINT compliance_coveragee_reviewed_by_id_8f5f3b76_fk_accounts_ FOREIGN KEY (reviewed_by_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_coverageexit
    ADD CONSTRAINT compliance_coverageexit_site_id_d448fc4a_fk_cameras_site_id FOREIGN KEY (site_id) REFERENCES "porchlight_department_snapshot".cameras_site(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_historicalattestation
    ADD CONSTRAINT compliance_historica_history_user_id_1138bfbf_fk_accounts_ FOREIGN KEY (history_user_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_historicalinspectionphoto
    ADD CONSTRAINT compliance_historica_history_user_id_1c98436a_fk_accounts_ FOREIGN KEY (history_user_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_historicalcertificate
    ADD CONSTRAINT compliance_historica_history_user_id_2459b5ed_fk_accounts_ FOREIGN KEY (history_user_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_historicalappeal
    ADD CONSTRAINT compliance_historica_history_user_id_280408b5_fk_accounts_ FOREIGN KEY (history_user_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_historicalcoverageexit
    ADD CONSTRAINT compliance_historica_history_user_id_89ac474d_fk_accounts_ FOREIGN KEY (history_user_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_historicalordinanceversion
    ADD CONSTRAINT compliance_historica_history_user_id_8d8361f8_fk_accounts_ FOREIGN KEY (history_user_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_historicalnotice
    ADD CONSTRAINT compliance_historica_history_user_id_9bc68453_fk_accounts_ FOREIGN KEY (history_user_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_historicallicence
    ADD CONSTRAINT compliance_historica_history_user_id_a8530a30_fk_accounts_ FOREIGN KEY (history_user_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_historicalinspection
    ADD CONSTRAINT compliance_historica_history_user_id_b095ed3d_fk_accounts_ FOREIGN KEY (history_user_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_historicalordinance
    ADD CONSTRAINT compliance_historica_history_user_id_dea5608d_fk_accounts_ FOREIGN KEY (history_user_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_historicalappealattachment
    ADD CONSTRAINT compliance_historica_history_user_id_f08cfad8_fk_accounts_ FOREIGN KEY (history_user_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_inspectionphoto
    ADD CONSTRAINT compliance_inspectio_inspection_id_f94d6a6f_fk_complianc FOREIGN KEY (inspection_id) REFERENCES "porchlight_department_snapshot".compliance_inspection(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_inspection
    ADD CONSTRAINT compliance_inspectio_ordinance_id_59f1d8d8_fk_complianc FOREIGN KEY (ordinance_id) REFERENCES "porchlight_department_snapshot".compliance_ordinance(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_inspection
    ADD CONSTRAINT compliance_inspectio_version_id_291146f0_fk_complianc FOREIGN KEY (version_id) REFERENCES "porchlight_department_snapshot".compliance_ordinanceversion(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_inspection
    ADD CONSTRAINT compliance_inspection_inspector_id_daeb596e_fk_accounts_user_id FOREIGN KEY (inspector_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_inspection
    ADD CONSTRAINT compliance_inspection_site_id_996f3a7e_fk_cameras_site_id FOREIGN KEY (site_id) REFERENCES "porchlight_department_snapshot".cameras_site(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_licence
    ADD CONSTRAINT compliance_licence_import_job_id_2d924431_fk_complianc FOREIGN KEY (import_job_id) REFERENCES "porchlight_department_snapshot".compliance_licenceimportjob(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_licence
    ADD CONSTRAINT compliance_licence_site_id_0b79f49b_fk_cameras_site_id FOREIGN KEY (site_id) REFERENCES "porchlight_department_snapshot".cameras_site(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_licenceimportjob
    ADD CONSTRAINT compliance_licenceim_created_by_id_cc07e031_fk_accounts_ FOREIGN KEY (created_by_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_licenceinvitation
    ADD CONSTRAINT compliance_licencein_licence_id_36de65d3_fk_complianc FOREIGN KEY (licence_id) REFERENCES "porchlight_department_snapshot".compliance_licence(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_licenceinvitation
    ADD CONSTRAINT compliance_licencein_sent_by_id_31824225_fk_accounts_ FOREIGN KEY (sent_by_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_notice
    ADD CONSTRAINT compliance_notice_issued_by_id_ba2e7688_fk_accounts_user_id FOREIGN KEY (issued_by_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_notice
    ADD CONSTRAINT compliance_notice_ordinance_id_fd8976e9_fk_complianc FOREIGN KEY (ordinance_id) REFERENCES "porchlight_department_snapshot".compliance_ordinance(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_notice
    ADD CONSTRAINT compliance_notice_resolved_by_id_3966e62f_fk_accounts_user_id FOREIGN KEY (resolved_by_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_notice
    ADD CONSTRAINT compliance_notice_site_id_c9d5e5b2_fk_cameras_site_id FOREIGN KEY (site_id) REFERENCES "porchlight_department_snapshot".cameras_site(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_ordinanceversion
    ADD CONSTRAINT compliance_ordinance_ordinance_id_f91b0649_fk_complianc FOREIGN KEY (ordinance_id) REFERENCES "porchlight_department_snapshot".compliance_ordinance(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_reminder
    ADD CONSTRAINT compliance_reminder_ordinance_id_4d7babee_fk_complianc FOREIGN KEY (ordinance_id) REFERENCES "porchlight_department_snapshot".compliance_ordinance(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".compliance_reminder
    ADD CONSTRAINT compliance_reminder_site_id_2e7ffcac_fk_cameras_site_id FOREIGN KEY (site_id) REFERENCES "porchlight_department_snapshot".cameras_site(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".django_admin_log
    ADD CONSTRAINT django_admin_log_content_type_id_c4bce8eb_fk_django_co FOREIGN KEY (content_type_id) REFERENCES "porchlight_department_snapshot".django_content_type(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".django_admin_log
    ADD CONSTRAINT django_admin_log_user_id_c564eba6_fk_accounts_user_id FOREIGN KEY (user_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".footage_cameraanswer
    ADD CONSTRAINT footage_cameraanswer_camera_id_23ddc33e_fk_cameras_camera_id FOREIGN KEY (camera_id) REFERENCES "porchlight_department_snapshot".cameras_camera(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".footage_cameraanswer
    ADD CONSTRAINT footage_cameraanswer_owner_request_id_8081401a_fk_footage_o FOREIGN KEY (owner_request_id) REFERENCES "porchlight_department_snapshot".footage_ownerrequest(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".footage_clip
    ADD CONSTRAINT footage_clip_answer_id_373c5843_fk_footage_cameraanswer_id FOREIGN KEY (answer_id) REFERENCES "porchlight_department_snapshot".footage_cameraanswer(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".footage_clip
    ADD CONSTRAINT footage_clip_request_id_726a867d_fk_footage_footagerequest_id FOREIGN KEY (request_id) REFERENCES "porchlight_department_snapshot".footage_footagerequest(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".footage_clipupload
    ADD CONSTRAINT footage_clipupload_answer_id_5512a524_fk_footage_c FOREIGN KEY (answer_id) REFERENCES "porchlight_department_snapshot".footage_cameraanswer(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".footage_clipupload
    ADD CONSTRAINT footage_clipupload_clip_id_2ce40a04_fk_footage_clip_id FOREIGN KEY (clip_id) REFERENCES "porchlight_department_snapshot".footage_clip(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".footage_clipupload
    ADD CONSTRAINT footage_clipupload_owner_id_a448b39f_fk_accounts_user_id FOREIGN KEY (owner_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".footage_custodyevent
    ADD CONSTRAINT footage_custodyevent_clip_id_76f062fe_fk_footage_clip_id FOREIGN KEY (clip_id) REFERENCES "porchlight_department_snapshot".footage_clip(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".footage_downloadlink
    ADD CONSTRAINT footage_downloadlink_clip_id_98c17b69_fk_footage_clip_id FOREIGN KEY (clip_id) REFERENCES "porchlight_department_snapshot".footage_clip(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".footage_downloadlink
    ADD CONSTRAINT footage_downloadlink_purpose_id_4fb1d805_fk_cameras_purpose_id FOREIGN KEY (purpose_id) REFERENCES "porchlight_department_snapshot".cameras_purpose(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".footage_downloadlink
    ADD CONSTRAINT footage_downloadlink_user_id_6e13e59a_fk_accounts_user_id FOREIGN KEY (user_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".footage_footagerequest
    ADD CONSTRAINT footage_footagereque_purpose_id_d928d2fc_fk_cameras_p FOREIGN KEY (purpose_id) REFERENCES "porchlight_department_snapshot".cameras_purpose(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".footage_footagerequest
    ADD CONSTRAINT footage_footagerequest_officer_id_c27a8722_fk_accounts_user_id FOREIGN KEY (officer_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".footage_historicalintegritynotice
    ADD CONSTRAINT footage_historicalin_history_user_id_aa16697c_fk_accounts_ FOREIGN KEY (history_user_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".footage_integritynotice
    ADD CONSTRAINT footage_integritynot_acknowledged_by_id_1f0b9637_fk_accounts_ FOREIGN KEY (acknowledged_by_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".footage_integritynotice
    ADD CONSTRAINT footage_integritynotice_clip_id_80834849_fk_footage_clip_id FOREIGN KEY (clip_id) REFERENCES "porchlight_department_snapshot".footage_clip(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".footage_ownerrequest
    ADD CONSTRAINT footage_ownerrequest_owner_id_079d6d92_fk_accounts_user_id FOREIGN KEY (owner_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".footage_ownerrequest
    ADD CONSTRAINT footage_ownerrequest_request_id_dfa63854_fk_footage_f FOREIGN KEY (request_id) REFERENCES "porchlight_department_snapshot".footage_footagerequest(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".footage_streamlink
    ADD CONSTRAINT footage_streamlink_clip_id_d35e60e2_fk_footage_clip_id FOREIGN KEY (clip_id) REFERENCES "porchlight_department_snapshot".footage_clip(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".footage_streamlink
    ADD CONSTRAINT footage_streamlink_purpose_id_e00bec5e_fk_cameras_purpose_id FOREIGN KEY (purpose_id) REFERENCES "porchlight_department_snapshot".cameras_purpose(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".footage_streamlink
    ADD CONSTRAINT footage_streamlink_user_id_acdd3473_fk_accounts_user_id FOREIGN KEY (user_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".incidents_delivery
    ADD CONSTRAINT incidents_delivery_incident_id_2884e684_fk_incidents FOREIGN KEY (incident_id) REFERENCES "porchlight_department_snapshot".incidents_incident(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".incidents_delivery
    ADD CONSTRAINT incidents_delivery_integration_id_f67179f0_fk_incidents FOREIGN KEY (integration_id) REFERENCES "porchlight_department_snapshot".incidents_integration(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".incidents_historicalincident
    ADD CONSTRAINT incidents_historical_history_user_id_716b9f52_fk_accounts_ FOREIGN KEY (history_user_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".incidents_historicalintegration
    ADD CONSTRAINT incidents_historical_history_user_id_ca8aadea_fk_accounts_ FOREIGN KEY (history_user_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".incidents_incident
    ADD CONSTRAINT incidents_incident_closed_by_id_f52b1596_fk_accounts_user_id FOREIGN KEY (closed_by_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".incidents_incident
    ADD CONSTRAINT incidents_incident_integration_id_43b2f67a_fk_incidents FOREIGN KEY (integration_id) REFERENCES "porchlight_department_snapshot".incidents_integration(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".incidents_integration
    ADD CONSTRAINT incidents_integratio_created_by_id_86a463ab_fk_accounts_ FOREIGN KEY (created_by_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".incidents_integrationrefusal
    ADD CONSTRAINT incidents_integratio_integration_id_7dcfddb3_fk_incidents FOREIGN KEY (integration_id) REFERENCES "porchlight_department_snapshot".incidents_integration(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".live_bridge_cameras
    ADD CONSTRAINT live_bridge_cameras_bridge_id_81587bb8_fk_live_bridge_id FOREIGN KEY (bridge_id) REFERENCES "porchlight_department_snapshot".live_bridge(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".live_bridge_cameras
    ADD CONSTRAINT live_bridge_cameras_camera_id_d756a1c6_fk_cameras_camera_id FOREIGN KEY (camera_id) REFERENCES "porchlight_department_snapshot".cameras_camera(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".live_bridge
    ADD CONSTRAINT live_bridge_site_id_5969a0f2_fk_cameras_site_id FOREIGN KEY (site_id) REFERENCES "porchlight_department_snapshot".cameras_site(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".live_bridgepairing
    ADD CONSTRAINT live_bridgepairing_bridge_id_39e3a460_fk_live_bridge_id FOREIGN KEY (bridge_id) REFERENCES "porchlight_department_snapshot".live_bridge(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".live_historicalbridge
    ADD CONSTRAINT live_historicalbridg_history_user_id_19fd228a_fk_accounts_ FOREIGN KEY (history_user_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".live_livesession
    ADD CONSTRAINT live_livesession_camera_id_e496cc2e_fk_cameras_camera_id FOREIGN KEY (camera_id) REFERENCES "porchlight_department_snapshot".cameras_camera(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".live_livesession
    ADD CONSTRAINT live_livesession_officer_id_acf33d22_fk_accounts_user_id FOREIGN KEY (officer_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".live_livesession
    ADD CONSTRAINT live_livesession_purpose_id_f81f2a25_fk_cameras_purpose_id FOREIGN KEY (purpose_id) REFERENCES "porchlight_department_snapshot".cameras_purpose(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".live_positionsample
    ADD CONSTRAINT live_positionsample_camera_id_49325419_fk_cameras_camera_id FOREIGN KEY (camera_id) REFERENCES "porchlight_department_snapshot".cameras_camera(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".messaging_historicalmessagingpreference
    ADD CONSTRAINT messaging_historical_history_user_id_d4c25324_fk_accounts_ FOREIGN KEY (history_user_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".messaging_message
    ADD CONSTRAINT messaging_message_purpose_id_a5f68535_fk_cameras_purpose_id FOREIGN KEY (purpose_id) REFERENCES "porchlight_department_snapshot".cameras_purpose(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".messaging_message
    ADD CONSTRAINT messaging_message_thread_id_f689027f_fk_messaging_thread_id FOREIGN KEY (thread_id) REFERENCES "porchlight_department_snapshot".messaging_thread(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".messaging_messagingpreference
    ADD CONSTRAINT messaging_messagingp_owner_id_b9108489_fk_accounts_ FOREIGN KEY (owner_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".messaging_thread
    ADD CONSTRAINT messaging_thread_camera_id_8e2d869c_fk_cameras_camera_id FOREIGN KEY (camera_id) REFERENCES "porchlight_department_snapshot".cameras_camera(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".messaging_thread
    ADD CONSTRAINT messaging_thread_officer_id_72c962ba_fk_accounts_user_id FOREIGN KEY (officer_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".messaging_thread
    ADD CONSTRAINT messaging_thread_owner_id_87cd749b_fk_accounts_user_id FOREIGN KEY (owner_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".mfa_authenticator
    ADD CONSTRAINT mfa_authenticator_user_id_0c3a50c0_fk_accounts_user_id FOREIGN KEY (user_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".notifications_notification
    ADD CONSTRAINT notifications_notifi_recipient_id_d055f3f0_fk_accounts_ FOREIGN KEY (recipient_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ONLY "porchlight_department_snapshot".usersessions_usersession
    ADD CONSTRAINT usersessions_usersession_user_id_af5e0a6d_fk_accounts_user_id FOREIGN KEY (user_id) REFERENCES "porchlight_department_snapshot".accounts_user(id) DEFERRABLE INITIALLY DEFERRED;
