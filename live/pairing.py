"""Pairing a bridge program without typing its token (issue 19).

The owner asks their bridge page for a code (:func:`bridge_pairing_issue`): eight characters of
an alphabet without look-alikes (``bridge.protocol.PAIR_ALPHABET``), shown as ``K7QM-4XZB`` with a
QR code. The bridge program sends it to ``/ws/bridge/pair/`` (live.pairing_consumer), which
calls :func:`bridge_pairing_redeem`: a code of this department (the host picks it), not used,
not expired, for a bridge not disconnected, gives the bridge a new token (the old one stops
working: a token is stored hashed and cannot be shown again) and is used up, all in one
transaction. Every attempt is logged with its outcome, never with the code.

What a code cannot do: pair another department's bridge (it is looked up in this department's
schema only), another owner's bridge (only a bridge's owner can make a code for it), or work
twice or after its lifetime (``PORCHLIGHT_BRIDGE_PAIRING_SECONDS``, 15 minutes by default).
Guessing is limited per address and per department before any lookup (core.ratelimit,
``bridge_pair``).
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from bridge import protocol
from cameras import events
from core.groups import group_send_on_commit
from tenants.selectors import department_current

from . import services
from .models import Bridge, BridgePairing

if TYPE_CHECKING:
    from accounts.models import User
    from cameras.models import Camera

__all__ = [
    "IssuedPairing",
    "PairingRefused",
    "Redeemed",
    "Refusal",
    "bridge_pairing_issue",
    "bridge_pairing_redeem",
    "code_display",
    "code_normalize",
]

logger = logging.getLogger("porchlight.live")


class Refusal(enum.StrEnum):
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"


#: The close code and the sentence the bridge's owner reads for each refusal.
REFUSALS: dict[Refusal, tuple[int, str]] = {
    Refusal.UNKNOWN: (
        protocol.CLOSE_PAIR_UNKNOWN,
        "no such pairing code here; check it and the address (a code works only at the department that made it)",
    ),
    Refusal.EXPIRED: (protocol.CLOSE_PAIR_EXPIRED, "this pairing code has expired; make a new one on your bridge page"),
    Refusal.USED: (protocol.CLOSE_PAIR_USED, "this pairing code was used already; make a new one on your bridge page"),
}


class PairingRefused(Exception):
    def __init__(self, refusal: Refusal) -> None:
        self.refusal = refusal
        self.close_code, self.reason = REFUSALS[refusal]
        super().__init__(self.reason)


@dataclass(frozen=True)
class IssuedPairing:
    bridge: Bridge
    code: str  # shown once to the owner, as code_display(code)
    expires_at: dt.datetime


@dataclass(frozen=True)
class Redeemed:
    bridge: Bridge
    token: str
    cameras: list[Camera]


def code_normalize(text: str) -> str:
    return "".join(c for c in text.upper() if c not in " -\t")


def code_display(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def _code_digest(code: str) -> str:
    # The schema in the message too: a digest of one department's code means nothing in another.
    message = f"{department_current().schema_name}:{code_normalize(code)}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _new_code() -> str:
    return "".join(secrets.choice(protocol.PAIR_ALPHABET) for _ in range(protocol.PAIR_CODE_LENGTH))


def pairing_lifetime() -> dt.timedelta:
    return dt.timedelta(seconds=int(settings.PORCHLIGHT_BRIDGE_PAIRING_SECONDS))


def bridge_pairing_issue(*, owner: User, bridge_public_id: Any) -> IssuedPairing:
    """A new one-time code for one of the owner's bridges; any earlier unused code of that
    bridge stops working. Bridge.DoesNotExist: not this owner's, disconnected or malformed."""
    bridge_uuid = services._uuid_or_none(bridge_public_id)
    if bridge_uuid is None:
        raise Bridge.DoesNotExist
    now = timezone.now()
    for _attempt in range(3):  # a clash with a stored digest is ~1e-11; try again if it happens
        code = _new_code()
        try:
            with transaction.atomic():
                bridge = Bridge.objects.select_for_update().get(
                    public_id=bridge_uuid, site__owner=owner, revoked_at__isnull=True
                )
                BridgePairing.objects.filter(bridge=bridge, used_at__isnull=True, expires_at__gt=now).update(
                    expires_at=now
                )
                pairing = BridgePairing.objects.create(
                    bridge=bridge, code_digest=_code_digest(code), expires_at=now + pairing_lifetime()
                )
        except IntegrityError:
            continue
        logger.info("bridge pairing code issued", extra={"bridge": str(bridge.public_id)})
        return IssuedPairing(bridge=bridge, code=code, expires_at=pairing.expires_at)
    raise RuntimeError("could not make a unique pairing code")


def bridge_pairing_redeem(*, code: str, ip: str | None, name: str) -> Redeemed:
    """The bridge's new token for a valid code, which is then used up (one transaction).

    Raises :class:`PairingRefused` (unknown in this department, expired, used, or its bridge
    disconnected since). The bridge's earlier token stops working, and a program still
    connected with it is closed (4401) once this commits.
    """
    now = timezone.now()
    with transaction.atomic():
        pairing = (
            BridgePairing.objects.select_for_update(of=("self",))
            .select_related("bridge__site")
            .filter(code_digest=_code_digest(code))
            .first()
        )
        if pairing is None:
            raise PairingRefused(Refusal.UNKNOWN)
        if pairing.used_at is not None or pairing.bridge.revoked_at is not None:
            raise PairingRefused(Refusal.USED)
        if pairing.expires_at <= now:
            raise PairingRefused(Refusal.EXPIRED)
        bridge = Bridge.objects.select_for_update().get(pk=pairing.bridge_id)
        token = services.bridge_token_new()
        bridge.token_prefix, bridge.token_digest = token[:10], services._digest(token)
        bridge._history_user = bridge.site.owner  # type: ignore[attr-defined]  # the owner made the code
        bridge.save()
        pairing.used_at, pairing.used_from, pairing.used_name = now, ip, name[:100]
        pairing.save(update_fields=["used_at", "used_from", "used_name"])
        group = services.bridge_group(department_current().schema_name, bridge.public_id)
        group_send_on_commit(group, {"type": "bridge.revoked"})  # the old token's connection, if any
        events.site_changed(site_id=bridge.site_id)
        cameras = list(bridge.cameras.order_by("label"))
    return Redeemed(bridge=bridge, token=token, cameras=cameras)
