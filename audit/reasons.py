"""The reason codes of refused accesses, as the access log stores them (docs/audit-events.md)."""

from enum import StrEnum


class Refusal(StrEnum):
    """Every reason the gate (cameras.access), a service of it, or a reading of the log refuses
    a staff action for, besides the owner's consent (cameras.consent.Reason). Stored as the
    audit event's reason; the log owns the vocabulary, so its own pages use it too."""

    ROLE_NOT_PERMITTED = "role_not_permitted"
    ACCOUNT_INACTIVE = "account_inactive"
    MFA_REQUIRED = "mfa_required"
    PURPOSE_REQUIRED = "purpose_required"
    PURPOSE_NOT_YOURS = "purpose_not_yours"
    PURPOSE_EXPIRED = "purpose_expired"
    PROHIBITED_PURPOSE = "prohibited_purpose"
    UNKNOWN_PURPOSE_CATEGORY = "unknown_purpose_category"
    CASE_NUMBER_MISSING = "case_number_missing"
    REASON_MISSING = "reason_missing"
    UNKNOWN_AUTHORITY = "unknown_authority"
    WARRANT_NUMBER_MISSING = "warrant_number_missing"
    NOT_FOUND = "not_found"
    OWNER_NOT_SHARING = "owner_not_sharing"
    RESIDENTIAL_LIVE_VIEW_DISALLOWED = "residential_live_view_disallowed"
    APPROVAL_REQUIRED = "approval_required"
    TOO_MANY_LIVE_VIEWS = "too_many_live_views"
    TOO_MANY_MESSAGES = "too_many_messages"
    LIVE_VIEW_ENDED = "live_view_ended"
    SELF_APPROVAL = "self_approval"
    NOT_EXIGENT = "not_exigent"
    ALREADY_APPROVED = "already_approved"
    ALREADY_DENIED = "already_denied"
    APPROVAL_DENIED = "approval_denied"
    DENIAL_REASON_MISSING = "denial_reason_missing"
    NOT_ON_CASE = "not_on_case"
    INVALID_FILTER = "invalid_filter"
