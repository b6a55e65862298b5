"""A clip's chain of custody, and the gate's targets a clip names (clip, camera, owner)."""

from accounts.models import STAFF_ROLES, User
from accounts.selectors import user_pseudonym
from cameras.models import Purpose

from ..models import Clip, CustodyEvent


def _custody_label(actor: User | None) -> str:
    """Staff as they are named (badge included); an owner by pseudonym: police are never told
    who sent footage, and the label outlives the owner's account (docs/owner-data.md)."""
    if actor is None:
        return "Porchlight"
    if getattr(actor, "role", None) in STAFF_ROLES:
        return str(getattr(actor, "display_label", "") or "")
    return user_pseudonym(user_id=actor.pk)


def custody_record(
    *, clip: Clip, action: str, actor: User | None = None, case_number: str = "", note: str = ""
) -> CustodyEvent:
    return CustodyEvent.objects.create(
        clip=clip,
        action=action,
        actor_id=getattr(actor, "pk", None),
        actor_label=_custody_label(actor),
        case_number=case_number,
        sha256=clip.sha256,
        note=note[:500],
    )


def clip_targets(clip: Clip) -> tuple[list[str], list[int]]:
    owner_id = clip.answer.owner_request.owner_id  # None: kept as evidence after the owner left
    return [f"clip:{clip.public_id}", clip.answer.camera_ref], [] if owner_id is None else [owner_id]


def clips_targets(clips: list[Clip]) -> tuple[list[str], list[int]]:
    """The clips, their cameras and their owners, each named once (several clips may come
    from one camera, several cameras from one owner)."""
    targets: dict[str, None] = {}
    owners: dict[int, None] = {}
    for clip in clips:
        one_targets, one_owners = clip_targets(clip)
        targets.update(dict.fromkeys(one_targets))
        owners.update(dict.fromkeys(one_owners))
    return list(targets), list(owners)


def custody_purpose_note(purpose: Purpose | None, event_seq: int | None) -> str:
    """The purpose behind a custody event, and the access-log event that allowed it."""
    if purpose is None:
        return f"access event {event_seq}"
    return f"{purpose.category} ({purpose.authority}): {purpose.text}; access event {event_seq}"
