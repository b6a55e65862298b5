"""Writes for compliance: an owner's attestation and exemption/appeal requests.

Every lookup is scoped to the owner: another owner's site raises Site.DoesNotExist, the same as
a missing one, before anything is written."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cameras.models import Site

from .models import Appeal, AppealDecision, AppealKind, Attestation, Ordinance, OrdinanceVersion
from .records import records_refresh_all_on_commit, records_refresh_on_commit
from .selectors import attestable_rows, rules_of, version_problems, versions_in_force

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Collection

    from accounts.models import User
    from tenants.models import DepartmentPolicy

SIGNED_NAME_MAX = 200


def ordinance_version_add(
    *,
    actor: User | None,
    policy: DepartmentPolicy | None,
    effective_on: dt.date,
    ordinance: Ordinance | None = None,
    name: str = "",
    citation: str = "",
    text_url: str = "",
    **requirements: Any,
) -> OrdinanceVersion:
    """A new version of ``ordinance`` (or a new ordinance named ``name``) in force from
    ``effective_on``. Refused with a ValidationError naming the field when a value is invalid or
    the version contradicts the department's policy (compliance.rules.rules_problems); nothing
    is written then. The Django admin applies the same checks (compliance.admin)."""
    with transaction.atomic():
        if ordinance is None:
            ordinance = Ordinance(name=name, citation=citation, text_url=text_url)
            ordinance.full_clean()
            ordinance._history_user = actor  # type: ignore[attr-defined]  # simple-history's hook
            ordinance.save()
        version = OrdinanceVersion(ordinance=ordinance, effective_on=effective_on, **requirements)
        version.full_clean()
        problems = version_problems(version, policy=policy)
        if problems:
            raise ValidationError(problems)
        version._history_user = actor  # type: ignore[attr-defined]
        version.save()
        records_refresh_all_on_commit()  # every site is judged again under the new version
    return version


def attestation_text(*, version: OrdinanceVersion, site: Site, rows: list[tuple[str, str]]) -> str:
    """The exact text the owner attests; its SHA-256 is stored with the signature. English and
    fixed wording, so that the hash does not depend on the language of the page."""
    lines = [
        f"Attestation under {version.ordinance.name}"
        + (f" ({version.ordinance.citation})" if version.ordinance.citation else ""),
        f"Version in force from {version.effective_on.isoformat()}",
        f"Property: {site.business_name or site.name or site.address}, {site.address}",
        "I confirm that, at this property:",
    ]
    lines += [f"- [{code}] {sentence}" for code, sentence in rows]
    return "\n".join(lines) + "\n"


def attestation_file(
    *,
    owner: User,
    site_public_id: Any,
    ordinance_public_id: Any,
    signed_name: str,
    confirmed: Collection[str],
    ip_address: str | None,
    now: dt.datetime | None = None,
) -> Attestation:
    """Record the owner's signed attestation for one ordinance's version in force at one of the
    owner's sites. Every requirement the version asks to attest must be confirmed, and the typed
    name must not be blank; otherwise ValidationError names the field and nothing is written.
    Raises Site.DoesNotExist for a site that is not the owner's and OrdinanceVersion.DoesNotExist
    for an ordinance not in force."""
    now = now or timezone.now()
    site = Site.objects.get(owner=owner, public_id=site_public_id)
    version = next(
        (v for v in versions_in_force(on=now.date()) if str(v.ordinance.public_id) == str(ordinance_public_id)),
        None,
    )
    if version is None:
        raise OrdinanceVersion.DoesNotExist
    rules = rules_of(version)
    # The text is hashed in English whatever the page's language, so that one text has one hash.
    with translation.override("en"):
        rows = [(code, str(sentence)) for code, sentence in attestable_rows(rules)]
    errors: dict[str, list[str]] = {}
    name = " ".join(signed_name.split())
    if not name:
        errors["signed_name"] = [_("Type your full name to sign.")]
    elif len(name) > SIGNED_NAME_MAX:
        errors["signed_name"] = [_("The name is too long (at most %(n)d characters).") % {"n": SIGNED_NAME_MAX}]
    unconfirmed = [code for code, _sentence in rows if code not in set(confirmed)]
    if unconfirmed:
        errors["confirmed"] = [_("Confirm every statement, or ask for an exemption instead of attesting.")]
    if errors:
        raise ValidationError(errors)
    text = attestation_text(version=version, site=site, rows=rows)
    attestation = Attestation(
        site=site,
        version=version,
        signed_by=owner,
        signed_name=name,
        signed_at=now,
        ip_address=ip_address or None,
        text=text,
        text_sha256=hashlib.sha256(text.encode()).hexdigest(),
        confirmed=[code for code, _sentence in rows],
    )
    attestation._history_user = owner  # type: ignore[attr-defined]  # simple-history's hook
    with transaction.atomic():
        attestation.save()
        records_refresh_on_commit(site_id=site.pk)
    return attestation


APPEAL_REASON_MAX = 4000


def appeal_request(*, owner: User, site_public_id: Any, ordinance_public_id: Any, kind: str, reason: str) -> Appeal:
    """An owner asks for an exemption from, or appeals, an ordinance at one of their sites. One
    pending request per site and ordinance; ValidationError names the field otherwise."""
    site = Site.objects.get(owner=owner, public_id=site_public_id)
    ordinance = Ordinance.objects.get(public_id=ordinance_public_id)
    errors: dict[str, list[str]] = {}
    if kind not in AppealKind.values:
        errors["kind"] = [_("Choose an exemption or an appeal.")]
    text = reason.strip()
    if not text:
        errors["reason"] = [_("Say why: the department decides on your reason.")]
    elif len(text) > APPEAL_REASON_MAX:
        errors["reason"] = [_("The reason is too long (at most %(n)d characters).") % {"n": APPEAL_REASON_MAX}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # Lock the site so that two clicks cannot file two pending requests.
        Site.objects.select_for_update().get(pk=site.pk)
        if Appeal.objects.filter(site=site, ordinance=ordinance, decision=AppealDecision.PENDING).exists():
            raise ValidationError({"reason": [_("You already have a request waiting for the department's decision.")]})
        appeal = Appeal(
            site=site,
            ordinance=ordinance,
            kind=kind,
            reason=text,
            requested_by=owner,
            requested_at=timezone.now(),
        )
        appeal._history_user = owner  # type: ignore[attr-defined]  # simple-history's hook
        appeal.save()
        records_refresh_on_commit(site_id=site.pk)
    return appeal
