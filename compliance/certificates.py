"""Compliance certificates: issued to a compliant site, checked by anyone with the code,
revoked when the site stops complying or by staff.

The code. 80 random bits (``secrets``) written as 16 characters of Crockford's base32 in four
groups of four (ABCD-EFGH-JKMN-PQRS): short enough to type from a paper certificate, and with
at most a few thousand certificates per department a guess succeeds about once in 10^20 tries,
so guessing is hopeless even before the public page's rate limit (portal.views.certificates).
Crockford's alphabet leaves out I, L, O and U; a typed code is read leniently (case, spaces,
dashes, O for 0, I and L for 1) and anything else is refused as malformed.

What the check shows. The public page names the state (valid, expired, revoked, not found),
the ordinances and the dates, and the street block ("100 block of S Palm Ave"), never the
house number, the owner or the business's name: the block lets whoever reads a certificate on a
wall see that it belongs to this street and not to a shop across town, without the page
becoming a directory of who was made to install cameras where (the issue asks for "no personal
data"; a house number with an ordinance is an address). Codes are looked up in the
department's own schema, so another department's code is simply not found here.

Revocation. A certificate is as good as the site's compliance: every check of a certificate not
yet revoked or expired judges the site again, and if it no longer complies (or was deleted) the
certificate is revoked then and there, with the unmet requirements as the reason. Staff revoke
one with a reason (``certificate_revoke``; the admin is the interface for now). The public page
says only whether it was the site that stopped complying or the department that revoked it; the
department's reasons stay with it.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cameras.models import Site
from core.errors import Refused
from notifications.models import Kind
from notifications.services import notification_send
from notifications.services import text as notice_text

from .days import local_date
from .models import Certificate, ordinance_lines
from .rules import Status
from .selectors import site_compliance
from .services import owner_denial_log

if TYPE_CHECKING:
    from accounts.models import User
    from tenants.models import DepartmentPolicy

__all__ = [
    "ALPHABET",
    "CertificateRefused",
    "Check",
    "CheckState",
    "certificate_check",
    "certificate_issue",
    "certificate_revoke",
    "certificates_current",
    "code_display",
    "code_new",
    "code_normalize",
    "ordinance_lines",
    "street_block",
    "street_block_label",
]

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32
CODE_LENGTH = 16  # 16 x 5 bits = 80 random bits
#: A certificate is good for a year at most, or until the next attestation is due if sooner.
VALID_DAYS = 365
#: The statuses a certificate survives: compliant, or compliant with something due by a date
#: not yet passed (an attestation to renew, a notice's cure period).
_GOOD = frozenset({Status.COMPLIANT, Status.DUE_SOON, Status.EXEMPT})
_LENIENT = str.maketrans({"O": "0", "I": "1", "L": "1"})
REVOKED_REASON_MAX = 2000


class CertificateRefused(Refused):
    """No certificate for this site now; the message says why and what to do."""


def code_new() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def code_display(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def code_normalize(typed: str) -> str | None:
    """The code in its stored form, or None when what was typed cannot be one."""
    if len(typed) > 64:
        return None
    text = re.sub(r"[\s\-]", "", typed).upper().translate(_LENIENT)
    if len(text) != CODE_LENGTH or any(ch not in ALPHABET for ch in text):
        return None
    return text


def street_block(address: str) -> str:
    """The block of an address as stored on a certificate ("150 S Palm Ave" -> "100 S Palm
    Ave"), in no language; empty when the address does not start with a house number (nothing
    finer than that is ever shown). ``street_block_label`` words it for the reader."""
    match = re.match(r"^\s*(\d{1,7})[A-Za-z]?\s+([^,]{1,150})", address)
    if match is None:
        return ""
    return f"{int(match.group(1)) // 100 * 100} {match.group(2).strip()}"


def street_block_label(stored: str) -> str:
    block, _sep, street = stored.partition(" ")
    if not street:
        return ""
    return _("%(block)s block of %(street)s") % {"block": block, "street": street}


def _english_sentences(compliance: Any) -> str:
    with translation.override("en"):
        return " ".join(compliance.sentences()) or str(_("The property no longer meets the ordinance."))


def certificate_issue(
    *, owner: User, site_public_id: Any, policy: DepartmentPolicy | None, schema: str, now: dt.datetime
) -> Certificate:
    """The owner's certificate for one of their sites: the one already issued if it is still
    good, else a new one. Raises Site.DoesNotExist for a site that is not the owner's (logged as
    services.owner_denial_log does for attestations), and CertificateRefused when no ordinance
    covers the site, it is exempt from every ordinance covering it, or it does not comply now (the
    message lists what is missing); nothing is written then."""
    if not Site.objects.filter(owner=owner, public_id=site_public_id).exists():
        # Logged before the transaction below, whose rollback would take the denial with it.
        owner_denial_log(owner=owner, what="certificate", site_public_id=site_public_id)
        raise Site.DoesNotExist
    with transaction.atomic():
        # Locked so that two clicks issue one certificate.
        site = Site.objects.select_for_update().get(owner=owner, public_id=site_public_id)
        compliance = site_compliance(site=site, policy=policy, schema=schema, now=now)
        if not compliance.covered:
            raise CertificateRefused(
                _("No ordinance covers this property, so there is nothing to certify."), code="not_covered"
            )
        if compliance.status == Status.EXEMPT:
            # Exempt from every ordinance covering it (an exemption ranks below compliant, so a
            # site compliant under another ordinance gets its certificate): nothing to certify.
            raise CertificateRefused(
                _("This property is exempt from the ordinance, so no certificate is needed."), code="exempt"
            )
        if compliance.status not in (Status.COMPLIANT,):
            raise CertificateRefused(
                _("This property does not meet the ordinance now, so no certificate can be issued: %(missing)s")
                % {"missing": " ".join(compliance.sentences()) or compliance.status_label},
                code="not_compliant",
            )
        if compliance.attestation_awaited:
            raise CertificateRefused(
                _(
                    "File the yearly attestation first: a certificate certifies what it confirms, and none is "
                    "filed yet for this property."
                ),
                code="attestation_awaited",
            )
        today = local_date(now)
        versions = [r.version for r in compliance.covering if r.version is not None]
        # An ordinance the site is only exempt from is listed as such (never as met), and the
        # certificate ends no later than the exemption does.
        exempt = [r for r in compliance.covering if r.status == Status.EXEMPT]
        dues = [r.judgement.next_attestation_due for r in compliance.covering if r.judgement.next_attestation_due]
        ends = [r.exempt_until for r in exempt if r.exempt_until is not None]
        valid_until = min([today + dt.timedelta(days=VALID_DAYS), *dues, *ends])
        listed = [
            {
                "name": r.name,
                "citation": r.citation,
                "in_force_from": r.version.effective_on.isoformat() if r.version else "",
                **(
                    {"exempt": True, "exempt_until": r.exempt_until.isoformat() if r.exempt_until else ""}
                    if r.status == Status.EXEMPT
                    else {}
                ),
            }
            for r in compliance.covering
        ]
        current = (
            Certificate.objects.filter(site=site, revoked_at__isnull=True, valid_until__gte=today)
            .prefetch_related("versions")
            .first()
        )
        if (
            current is not None
            and {v.pk for v in current.versions.all()} == {v.pk for v in versions}
            and _exemptions(current.ordinances) == _exemptions(listed)
        ):
            return current
        if current is not None:  # the ordinances changed: the old one gives way to the new
            _revoke(current, actor=None, reason="Replaced by a certificate for the ordinances now in force.", now=now)
        certificate = Certificate(
            code=_unused_code(),
            site=site,
            ordinances=listed,
            street_block=street_block(site.address),
            issued_at=now,
            issued_to=owner,
            valid_until=valid_until,
        )
        certificate._history_user = owner  # type: ignore[attr-defined]  # simple-history's hook
        certificate.save()
        certificate.versions.set(versions)
    return certificate


def _exemptions(ordinances: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The (name, end) of each ordinance a certificate lists as exempt from, to tell whether a
    certificate still says what the site's exemptions are."""
    return sorted((o["name"], o.get("exempt_until", "")) for o in ordinances if o.get("exempt"))


def _unused_code() -> str:
    while True:  # a repeat is a one-in-10^20 event: the loop is for correctness, not speed
        code = code_new()
        if not Certificate.objects.filter(code=code).exists():
            return code


def _revoke(certificate: Certificate, *, actor: User | None, reason: str, now: dt.datetime) -> None:
    certificate.revoked_at = now
    certificate.revoked_by = actor
    certificate.revocation_reason = reason[:REVOKED_REASON_MAX]
    certificate._history_user = actor  # type: ignore[attr-defined]
    certificate.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])


def _owner_tell_revoked(certificate: Certificate, *, site: Site, reason: str = "") -> None:
    """Tell the site's owner, in Porchlight and by e-mail (notifications), that their
    certificate was revoked: once per certificate (``once_key``), whoever revoked it. ``reason``
    is the department's (a staff revocation); without it the site stopped complying, and the
    obligations page the link opens says what is missing, in the owner's language."""
    if site.owner_id is None:
        return
    label = site.business_name or site.name or site.address
    code = code_display(certificate.code)
    body = (
        notice_text(
            gettext_lazy(
                "The department revoked your compliance certificate %(code)s for %(site)s.\n\nReason: %(reason)s"
            ),
            code=code,
            site=label,
            reason=reason,
        )
        if reason
        else notice_text(
            gettext_lazy(
                "Your compliance certificate %(code)s for %(site)s was revoked: the property no longer meets "
                "the ordinance. Your obligations page says what is missing; once it is fixed you can download "
                "a new certificate."
            ),
            code=code,
            site=label,
        )
    )
    notification_send(
        recipient=site.owner,
        kind=Kind.CERTIFICATE_REVOKED,
        subject=notice_text(gettext_lazy("Your compliance certificate was revoked: %(site)s"), site=label),
        body=body,
        link=f"{reverse('portal-obligations')}#site-{site.public_id}",
        once_key=f"certificate-revoked:{certificate.pk}",
    )


def certificate_revoke(*, actor: User, certificate_id: int, reason: str) -> Certificate:
    """Staff revoke a certificate, with a reason (kept with the department, not shown on the
    public page). ValidationError names the field when the reason is blank or the certificate
    is already revoked; nothing is written then."""
    text = " ".join(reason.split())
    if not text:
        raise ValidationError({"reason": [_("Say why the certificate is revoked.")]})
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate_id)
        if certificate.revoked_at is not None:
            raise ValidationError({"reason": [_("This certificate is already revoked.")]})
        _revoke(certificate, actor=actor, reason=text, now=timezone.now())
        site = (
            Site.objects.select_related("owner").filter(pk=certificate.site_id).first()
            if certificate.site_id is not None
            else None
        )
        if site is not None:
            _owner_tell_revoked(certificate, site=site, reason=text)
    return certificate


class CheckState(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    NOT_FOUND = "not_found"
    MALFORMED = "malformed"


@dataclass(frozen=True)
class Check:
    state: CheckState
    certificate: Certificate | None = None

    @property
    def revoked_by_department(self) -> bool:
        return self.certificate is not None and self.certificate.revoked_by_id is not None


def certificate_check(*, code: str, policy: DepartmentPolicy | None, schema: str, now: dt.datetime) -> Check:
    """What the public check says of a typed code (see the module docstring): a certificate not
    yet revoked or expired is judged against the site's compliance now, and revoked if the site
    no longer complies."""
    normal = code_normalize(code)
    if normal is None:
        return Check(CheckState.MALFORMED)
    certificate = Certificate.objects.filter(code=normal).first()
    if certificate is None:
        return Check(CheckState.NOT_FOUND)
    if certificate.revoked_at is not None:
        return Check(CheckState.REVOKED, certificate)
    if certificate.valid_until < local_date(now):
        return Check(CheckState.EXPIRED, certificate)
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if certificate.revoked_at is not None:  # revoked by a check running at the same time
            return Check(CheckState.REVOKED, certificate)
        site = Site.objects.filter(pk=certificate.site_id).first() if certificate.site_id else None
        if site is None:
            _revoke(certificate, actor=None, reason="The property is no longer registered.", now=now)
            return Check(CheckState.REVOKED, certificate)
        compliance = site_compliance(site=site, policy=policy, schema=schema, now=now)
        if compliance.status not in _GOOD:
            _revoke(certificate, actor=None, reason=_english_sentences(compliance), now=now)
            _owner_tell_revoked(certificate, site=site)
            return Check(CheckState.REVOKED, certificate)
    return Check(CheckState.VALID, certificate)


def certificates_current(*, sites: list[Site], on: dt.date) -> dict[int, Certificate]:
    """Each site's certificate neither revoked nor expired on ``on``, if any (one query)."""
    out: dict[int, Certificate] = {}
    for certificate in Certificate.objects.filter(
        site__in=sites, revoked_at__isnull=True, valid_until__gte=on
    ).order_by("issued_at"):
        assert certificate.site_id is not None
        out[certificate.site_id] = certificate
    return out
