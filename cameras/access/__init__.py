"""The access gate: the one way staff reach camera data.

Every police action on camera data calls a function of this package, which

1. checks the actor's role and MFA, the purpose they stated, the department policy and
   the owner's consent as it stands at that instant (cameras.consent.consent_permits);
2. writes exactly one audit.AccessEvent — allowed or denied, with the reason — in the same
   transaction as the action (if that write fails, the action fails: fail closed);
3. returns the decision and, when allowed, the data.

Views, API endpoints, consumers and tasks act only on an allowed decision, and call it as
``from cameras import access; access.authorize(...)``: this module re-exports the whole
gate, one concern per module below it:

- gate: the actor, the decision, the policy read, the shared checks, the audit record,
  authorize() and camera_lookup();
- purposes: stating a purpose, and a supervisor's approval or denial of an exigent one;
- search: the area search and the map viewport;
- live: the re-checks of an open live view and the record of its end;
- evidence: access to footage an owner sent;
- track: reading back the track of a past live view of a mobile camera;
- denials: every refusal's code (Refusal) and the words an officer reads for it.
"""

from .denials import _MESSAGES, RESTATE_PURPOSE, Refusal, denial_message
from .evidence import evidence_authorize
from .gate import (
    AUDIT_READER_ROLES,
    CAMERA_ROLES,
    HISTORY_ANNOTATION,
    Actor,
    Decision,
    _cameras_for_gate,
    authorize,
    camera_lookup,
    console_denied,
    incident_target,
    owner_denied,
)
from .live import live_allowed_now, live_allowed_until, live_end_record, live_view_denial
from .purposes import (
    DENIAL_REASON_MAX,
    PURPOSE_LIFETIME,
    PurposeRefused,
    purpose_approve,
    purpose_awaits_approval,
    purpose_declare,
    purpose_deny,
    purpose_lookup,
    purposes_awaiting_approval,
)
from .search import (
    CameraHit,
    IncidentDock,
    SearchResult,
    camera_map,
    camera_search,
    incident_cameras,
    policy_current_incident_dock,
)
from .track import TRACK_READER_ROLES, TrackSubject, track_authorize

__all__ = [
    "AUDIT_READER_ROLES",
    "CAMERA_ROLES",
    "DENIAL_REASON_MAX",
    "HISTORY_ANNOTATION",
    "PURPOSE_LIFETIME",
    "RESTATE_PURPOSE",
    "TRACK_READER_ROLES",
    "_MESSAGES",  # the reason codes docs/audit-events.md explains (tests/audit/test_documentation.py)
    "Actor",
    "CameraHit",
    "Decision",
    "IncidentDock",
    "PurposeRefused",
    "Refusal",
    "SearchResult",
    "TrackSubject",
    "_cameras_for_gate",  # bench/gate.py loads a camera as camera_lookup does
    "authorize",
    "camera_lookup",
    "camera_map",
    "camera_search",
    "console_denied",
    "denial_message",
    "evidence_authorize",
    "incident_cameras",
    "incident_target",
    "live_allowed_now",
    "live_allowed_until",
    "live_end_record",
    "live_view_denial",
    "owner_denied",
    "policy_current_incident_dock",
    "purpose_approve",
    "purpose_awaits_approval",
    "purpose_declare",
    "purpose_deny",
    "purpose_lookup",
    "purposes_awaiting_approval",
    "track_authorize",
]
