"""What the annual surveillance report (audit.annual_report) needs of cameras and places:
registered cameras at a time (R4: counts by consent level and kind of property, never a
location) and the police areas of a range of events (R5). Registered in CamerasConfig.ready():
the log imports nothing above it."""

import datetime as dt
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from .area_rollups import area_counts_between
from .models import Camera, ConsentGrant, Site, SiteKind

__all__ = ["area_counts_between", "cameras_registered"]

# Each camera, site and grant as its history last recorded it at the time: the same answer
# however the cameras changed since (simple-history keeps every version, deletions as "-").
_AT = """
WITH c AS (
    SELECT DISTINCT ON (id) id, site_id, status, history_type FROM {camera}
    WHERE history_date <= %(at)s ORDER BY id, history_date DESC, history_id DESC
), s AS (
    SELECT DISTINCT ON (id) id, kind FROM {site}
    WHERE history_date <= %(at)s ORDER BY id, history_date DESC, history_id DESC
), g AS (
    SELECT DISTINCT ON (camera_id) camera_id, level, revoked_at, expires_at, history_type FROM {grant}
    WHERE history_date <= %(at)s ORDER BY camera_id, history_date DESC, history_id DESC
)
SELECT coalesce(s.kind, ''),
       CASE WHEN g.camera_id IS NULL OR g.history_type = '-' OR g.revoked_at <= %(at)s OR g.expires_at <= %(at)s
                 OR c.status = 'paused' THEN 'off' ELSE g.level END,
       count(*)
FROM c LEFT JOIN s ON s.id = c.site_id LEFT JOIN g ON g.camera_id = c.id
WHERE c.history_type <> '-'
GROUP BY 1, 2
"""


def cameras_registered(*, at: dt.datetime) -> dict[tuple[str, str], int]:
    """(kind of property, consent level) in words -> cameras registered at ``at``; "off" for a
    consent revoked, expired or paused then, or none."""
    sql = _AT.format(
        camera=Camera.history.model._meta.db_table,
        site=Site.history.model._meta.db_table,
        grant=ConsentGrant.history.model._meta.db_table,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {"at": at})
        rows = cursor.fetchall()
    levels: dict[str, Any] = dict(ConsentGrant._meta.get_field("level").flatchoices)
    kinds = dict(SiteKind.choices)
    out: dict[tuple[str, str], int] = {}
    for kind, level, n in rows:
        level_words = _("Consent off (revoked, expired or paused)") if level == "off" else str(levels.get(level, level))
        key = (str(kinds.get(kind, kind)), level_words)
        out[key] = out.get(key, 0) + int(n)
    return out
