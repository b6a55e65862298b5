"""Writes for compliance: an owner's attestation and exemption/appeal requests; the
department's inspections, notices and decisions on requests.

Every owner lookup is scoped to the owner: another owner's site raises Site.DoesNotExist, the
same as a missing one, before anything is written. Every staff action is one transaction that
keeps history, writes its audit event (audit.models.Action, docs/audit-events.md) and tells the
owner (an in-app notice and an e-mail, notifications.services) together, or not at all."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import Action, Outcome
from audit.reasons import Refusal
from audit.services import EventFacts, access_event_record
from cameras.access import Actor
from cameras.models import Site
from core.errors import Conflict, Invalid, NotFound
from notifications.models import Kind
from notifications.services import notification_send
from notifications.services import text as notice_text

from . import uploads
from .days import local_date, local_today
from .models import (
    Appeal,
    AppealAttachment,
    AppealDecision,
    AppealKind,
    Attestation,
    Inspection,
    InspectionPhoto,
    Notice,
    Ordinance,
    OrdinanceVersion,
)
from .records import records_refresh_all_on_commit, records_refresh_on_commit
from .selectors import (
    EARLIEST_DATE,
    attestable_rows,
    compliance_staff,
    inspectable_requirements,
    inspection_photo_of_site,
    rules_of,
    site_identity,
    version_covering,
    version_problems,
    versions_in_force,
)

if TYPE_CHECKING:
    from collections.abc import Collection, Iterator, Mapping, Sequence

    from django.core.files.uploadedfile import UploadedFile

    from accounts.models import User
    from tenants.models import DepartmentPolicy

logger = logging.getLogger("porchlight.compliance")

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
        elif ordinance.versions.filter(effective_on=effective_on).exists():
            raise ValidationError(
                {
                    "effective_on": _(
                        "This ordinance already has a version in force from that date: edit it or pick another."
                    )
                }
            )
        elif effective_on < local_today() and ordinance.versions.filter(effective_on__lte=local_today()).exists():
            # The version in force is the law sites were judged by: a change applies from today on.
            raise ValidationError(
                {
                    "effective_on": _(
                        "This ordinance has a version in force: a new version cannot start before today (%(today)s)."
                    )
                    % {"today": local_today().isoformat()}
                }
            )
        elif ordinance.repealed_on is not None and effective_on >= ordinance.repealed_on:
            raise ValidationError(
                {
                    "effective_on": _("This ordinance is retired from %(date)s: a version cannot start after that.")
                    % {"date": ordinance.repealed_on.isoformat()}
                }
            )
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
    try:
        site = Site.objects.get(owner=owner, public_id=site_public_id)
    except Site.DoesNotExist:
        owner_denial_log(owner=owner, what="attestation", site_public_id=site_public_id)
        raise
    version = next(
        (v for v in versions_in_force(on=local_date(now)) if str(v.ordinance.public_id) == str(ordinance_public_id)),
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


def appeal_request(
    *,
    owner: User,
    site_public_id: Any,
    ordinance_public_id: Any,
    kind: str,
    reason: str,
    attachments: Sequence[UploadedFile] = (),
) -> Appeal:
    """An owner asks for an exemption from, or appeals, an ordinance at one of their sites, with
    up to uploads.ATTACHMENTS_MAX files (PDF, JPEG, PNG by their bytes). One pending request per
    site and ordinance; ValidationError (or core.errors.Invalid for a file) names the field
    otherwise, and nothing is stored."""
    try:
        site = Site.objects.get(owner=owner, public_id=site_public_id)
    except Site.DoesNotExist:
        owner_denial_log(owner=owner, what="appeal", site_public_id=site_public_id)
        raise
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
    files = uploads.attachments_check(list(attachments))
    stored: list[str] = []
    with _files_removed_on_failure(stored), transaction.atomic():
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
        for checked in files:
            attachment = AppealAttachment(
                appeal=appeal,
                original_name=checked.name,
                content_type=checked.content_type,
                size=checked.size,
                sha256=checked.sha256,
            )
            attachment.file.save(checked.stored_name, checked.upload, save=False)
            stored.append(str(attachment.file.name))
            attachment._history_user = owner  # type: ignore[attr-defined]
            attachment.save()
        records_refresh_on_commit(site_id=site.pk)
        _appeal_requested_notify(appeal)
    return appeal


def _appeal_requested_notify(appeal: Appeal) -> None:
    """Tell the staff who decide (department administrators, supervisors with the compliance
    duty: User.may_read_compliance) that a request waits, in Porchlight and by e-mail. Staff
    notifications name no owner: the request is read on its page, through the gate."""
    link = reverse("console-compliance-appeal", args=[appeal.public_id])
    for user in compliance_staff():
        notification_send(
            recipient=user,
            kind=Kind.APPEAL_REQUESTED,
            subject=notice_text(
                gettext_lazy("An exemption request awaits a decision: %(ordinance)s")
                if appeal.kind == AppealKind.EXEMPTION
                else gettext_lazy("An appeal awaits a decision: %(ordinance)s"),
                ordinance=appeal.ordinance.name,
            ),
            body=notice_text(
                gettext_lazy(
                    "A property owner asked the department to decide on a request under %(ordinance)s. "
                    "Read it and record the decision in the console."
                ),
                ordinance=appeal.ordinance.name,
            ),
            link=link,
        )


# --- Helpers shared by the owner's and the department's writes ----------------------------


def owner_denial_log(*, owner: User, what: str, site_public_id: Any, actor: Actor | None = None, **ids: Any) -> None:
    """Log an owner's attempt on a site, request or file that is not theirs (or none, or an
    ordinance that does not cover their site): the page answers 404, as for a missing one. The
    attempt is a denied ``compliance_owner_denied`` event in the department's access log
    (trust checklist A3, E5: every denied authorization decision), with ``what`` was asked and
    the ids, and a line of the application log for the operators. ``actor``: the request's
    (its address and session); a service called without one records the owner alone.
    ``ids``: further ids asked for (``appeal``, ``attachment``, ``ordinance``)."""
    details = {"what": what, "site": str(site_public_id or "")}
    details.update({name: str(value)[:64] for name, value in ids.items()})
    access_event_record(
        actor=(actor or Actor(user=owner, mfa=False)).snapshot(),
        facts=EventFacts(Action.COMPLIANCE_OWNER_DENIED, Outcome.DENIED, Refusal.NOT_FOUND, details=details),
    )
    logger.warning(
        "owner refused: not their site",
        extra={"event": "compliance_owner_denied", "what": what, "user_id": owner.pk, "site": str(site_public_id)},
    )


def staff_not_found_record(*, actor: Actor, path: str) -> None:
    """Record that staff asked a compliance or licence page for an id this department does not
    have (another department's lives in its own schema, so it is none here): the page answers
    404, as for a missing one, and the attempt is a denied ``console_denied`` with reason
    ``not_found`` and the ``path``, like the console's other refusals (trust checklist A3, E5)."""
    access_event_record(
        actor=actor.snapshot(),
        facts=EventFacts(Action.CONSOLE_DENIED, Outcome.DENIED, Refusal.NOT_FOUND, details={"path": path[:200]}),
    )


@contextlib.contextmanager
def _files_removed_on_failure(stored: list[str]) -> Iterator[None]:
    """Delete the files stored under ``stored`` when the block fails: the rows that named them
    were rolled back, and no file may outlive its row (nothing half-saved)."""
    try:
        yield
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise


def _staff_site(site_public_id: Any) -> Site:
    """A site of this department by its public id, for staff (NotFound for none: another
    department's sites live in another schema, so they are none here)."""
    try:
        return Site.objects.select_related("owner").get(public_id=site_public_id)
    except (Site.DoesNotExist, ValidationError, ValueError) as exc:
        raise NotFound(_("No such property in this department."), code="not_found", field="site") from exc


def _record(actor: Actor, action: str, *, site: Site, targets: list[str], details: dict[str, Any]) -> int:
    event = access_event_record(
        actor=actor.snapshot(),
        facts=EventFacts(
            action,
            Outcome.ALLOWED,
            "ok",
            targets=[f"site:{site.public_id}", *targets],
            owner_refs=[site.owner_id],
            details=details,
        ),
    )
    return int(event.seq)


def _obligations_link(site: Site) -> str:
    return f"{reverse('portal-obligations')}#site-{site.public_id}"


def _site_label(site: Site) -> str:
    return site.business_name or site.name or site.address


# --- The department's actions -------------------------------------------------------------

NOTES_MAX = 4000


def inspection_record(
    *,
    actor: Actor,
    site_public_id: Any,
    ordinance_public_id: Any,
    inspected_on: dt.date,
    findings: Mapping[str, bool],
    notes: str = "",
    photos: Sequence[UploadedFile] = (),
    today: dt.date | None = None,
) -> Inspection:
    """Record staff's inspection of a site under the ordinance version in force that day:
    ``findings`` maps requirement codes of that version (selectors.inspectable_requirements) to
    met (True) or not (False); photos are JPEG or PNG (uploads.photos_check). Refused, with
    nothing stored, for another department's or a missing site (NotFound), an ordinance that
    does not cover it, a day in the future, an unknown requirement or a bad photo (Invalid
    naming the field). History, the audit event (inspection_record) and the photos commit
    together."""
    today = today or local_today()
    site = _staff_site(site_public_id)
    if inspected_on > today:
        raise Invalid(_("The inspection date cannot be in the future."), code="date_in_future", field="inspected_on")
    if inspected_on < EARLIEST_DATE:
        raise Invalid(
            _("Give a date from %(date)s on.") % {"date": EARLIEST_DATE.isoformat()},
            code="date_out_of_range",
            field="inspected_on",
        )
    version = version_covering(site=site, ordinance_public_id=ordinance_public_id, on=inspected_on)
    allowed = {code for code, _label in inspectable_requirements(rules_of(version))}
    unknown = sorted(set(findings) - allowed)
    if unknown:
        raise Invalid(
            _("%(codes)s is not a requirement of this ordinance.") % {"codes": ", ".join(unknown)},
            code="unknown_requirement",
            field="findings",
        )
    if not findings:
        raise Invalid(_("Record at least one finding."), code="findings_required", field="findings")
    notes = notes.strip()
    if len(notes) > NOTES_MAX:
        raise Invalid(
            _("The notes are too long (at most %(n)d characters).") % {"n": NOTES_MAX}, code="too_long", field="notes"
        )
    checked = uploads.photos_check(list(photos))
    stored: list[str] = []
    with _files_removed_on_failure(stored), transaction.atomic():
        inspection = Inspection(
            site=site,
            ordinance=version.ordinance,
            version=version,
            inspected_on=inspected_on,
            inspector=actor.user,
            findings={code: bool(met) for code, met in sorted(findings.items())},
            notes=notes,
        )
        inspection._history_user = actor.user  # type: ignore[attr-defined]  # simple-history's hook
        inspection.save()
        for item in checked:
            photo = InspectionPhoto(
                inspection=inspection, content_type=item.content_type, size=item.size, sha256=item.sha256
            )
            photo.image.save(item.stored_name, item.upload, save=False)
            stored.append(str(photo.image.name))
            photo._history_user = actor.user  # type: ignore[attr-defined]
            photo.save()
        _record(
            actor,
            Action.INSPECTION_RECORD,
            site=site,
            targets=[f"inspection:{inspection.pk}"],
            details={
                "ordinance": str(version.ordinance.public_id),
                "inspected_on": inspected_on.isoformat(),
                "not_met": sorted(code for code, met in findings.items() if not met),
                "photos": len(checked),
            },
        )
        records_refresh_on_commit(site_id=site.pk)
    return inspection


NOTICE_TEXT_MAX = 4000
# A cure deadline is weeks or months away; two years is a generous bound that still refuses a
# typing slip (year 9999) which would keep a notice open for ever.
CURE_BY_MAX_DAYS = 730
# A limited exemption ends within ten years; an exemption without end leaves the date blank.
EXEMPT_UNTIL_MAX_DAYS = 3650


def notice_issue(
    *,
    actor: Actor,
    site_public_id: Any,
    ordinance_public_id: Any,
    text: str,
    cure_by: dt.date | None = None,
    today: dt.date | None = None,
) -> Notice:
    """Issue a notice of non-compliance to a site under an ordinance in force that covers it,
    with a cure deadline: ``cure_by``, else today plus the ordinance's cure period. Refused,
    nothing written, for a missing or another department's site (NotFound), an ordinance that
    does not cover it, no text, or a cure date in the past or missing when the ordinance sets
    no period (Invalid naming the field). The notice, its history, the audit event
    (notice_issue) and the owner's notice and e-mail commit together."""
    today = today or local_today()
    site = _staff_site(site_public_id)
    version = version_covering(site=site, ordinance_public_id=ordinance_public_id, on=today)
    body = text.strip()
    if not body:
        raise Invalid(_("Say what must be fixed."), code="text_required", field="text")
    if len(body) > NOTICE_TEXT_MAX:
        raise Invalid(
            _("The text is too long (at most %(n)d characters).") % {"n": NOTICE_TEXT_MAX},
            code="too_long",
            field="text",
        )
    if cure_by is None:
        if version.cure_days is None:
            raise Invalid(
                _("The ordinance sets no cure period: give the date to cure by."),
                code="cure_by_required",
                field="cure_by",
            )
        cure_by = today + dt.timedelta(days=version.cure_days)
    if cure_by < today:
        raise Invalid(_("The cure date is in the past."), code="cure_by_past", field="cure_by")
    if (cure_by - today).days > CURE_BY_MAX_DAYS:
        raise Invalid(
            _("The cure date is too far ahead (at most %(n)d days from today).") % {"n": CURE_BY_MAX_DAYS},
            code="cure_by_too_far",
            field="cure_by",
        )
    with transaction.atomic():
        notice = Notice(
            site=site,
            ordinance=version.ordinance,
            issued_on=today,
            cure_by=cure_by,
            text=body,
            issued_by=actor.user,
        )
        notice._history_user = actor.user  # type: ignore[attr-defined]
        notice.save()
        _record(
            actor,
            Action.NOTICE_ISSUE,
            site=site,
            targets=[f"notice:{notice.pk}"],
            details={"ordinance": str(version.ordinance.public_id), "cure_by": cure_by.isoformat()},
        )
        records_refresh_on_commit(site_id=site.pk)
        notification_send(
            recipient=site.owner,
            kind=Kind.COMPLIANCE_NOTICE,
            subject=notice_text(
                gettext_lazy("Notice: %(ordinance)s at %(site)s"),
                ordinance=version.ordinance.name,
                site=site_identity(site),  # name, address, licence: which of the owner's sites
            ),
            body=notice_text(
                gettext_lazy(
                    "The department found that %(site)s does not meet %(ordinance)s:\n\n%(text)s\n\n"
                    "Fix it by %(date)s, or ask for an exemption or appeal on your obligations page."
                ),
                site=site_identity(site),
                ordinance=version.ordinance.name,
                text=body,
                date=cure_by.isoformat(),
            ),
            link=_obligations_link(site),
        )
    return notice


def _staff_notice_locked(notice_id: Any) -> Notice:
    try:
        return Notice.objects.select_for_update().select_related("site", "ordinance").get(pk=int(notice_id))
    except (Notice.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("No such notice in this department."), code="not_found", field="notice") from exc


def notice_resolve(*, actor: Actor, notice_id: Any, resolution: str, today: dt.date | None = None) -> Notice:
    """Mark an open notice resolved (the owner fixed it), with how. A notice already resolved
    is a Conflict; nothing is written then. History and the audit event (notice_resolve)
    commit together."""
    today = today or local_today()
    resolution = resolution.strip()
    if len(resolution) > NOTES_MAX:
        raise Invalid(
            _("The text is too long (at most %(n)d characters).") % {"n": NOTES_MAX},
            code="too_long",
            field="resolution",
        )
    with transaction.atomic():
        notice = _staff_notice_locked(notice_id)
        if notice.resolved_on is not None:
            raise Conflict(
                _("This notice was already resolved on %(date)s.") % {"date": notice.resolved_on.isoformat()},
                code="already_resolved",
                field="resolution",
            )
        notice.resolved_on = today
        notice.resolved_by = actor.user
        notice.resolution = resolution
        notice._history_user = actor.user  # type: ignore[attr-defined]
        notice.save(update_fields=["resolved_on", "resolved_by", "resolution"])
        _record(
            actor,
            Action.NOTICE_RESOLVE,
            site=notice.site,
            targets=[f"notice:{notice.pk}"],
            details={"ordinance": str(notice.ordinance.public_id)},
        )
        records_refresh_on_commit(site_id=notice.site_id)
    return notice


DECISION_REASONS_MAX = 4000


def appeal_decide(
    *,
    actor: Actor,
    appeal_public_id: Any,
    decision: str,
    reasons: str,
    exempt_until: dt.date | None = None,
    today: dt.date | None = None,
) -> Appeal:
    """Decide an owner's exemption or appeal request: granted or denied, with reasons; a
    granted one may be limited (exempt until a date, not in the past). A request already
    decided is a Conflict: the decision stands and nothing is written. The decision, its
    history, the audit event (appeal_decide) and the owner's notice and e-mail commit together."""
    today = today or local_today()
    if decision not in (AppealDecision.GRANTED, AppealDecision.DENIED):
        raise Invalid(_("Grant or deny the request."), code="decision_required", field="decision")
    reasons = reasons.strip()
    if not reasons:
        raise Invalid(_("Give the reasons for the decision."), code="reasons_required", field="reasons")
    if len(reasons) > DECISION_REASONS_MAX:
        raise Invalid(
            _("The reasons are too long (at most %(n)d characters).") % {"n": DECISION_REASONS_MAX},
            code="too_long",
            field="reasons",
        )
    if exempt_until is not None and decision != AppealDecision.GRANTED:
        raise Invalid(_("Only a granted request has an end date."), code="exempt_until_denied", field="exempt_until")
    if exempt_until is not None and exempt_until < today:
        raise Invalid(_("The end of the exemption is in the past."), code="exempt_until_past", field="exempt_until")
    if exempt_until is not None and (exempt_until - today).days > EXEMPT_UNTIL_MAX_DAYS:
        raise Invalid(
            _(
                "The end of the exemption is too far ahead (at most %(n)d days from today); "
                "leave it blank for an exemption without end."
            )
            % {"n": EXEMPT_UNTIL_MAX_DAYS},
            code="exempt_until_too_far",
            field="exempt_until",
        )
    with transaction.atomic():
        try:
            appeal = (
                Appeal.objects.select_for_update(of=("self",))
                .select_related("site__owner", "ordinance")
                .get(public_id=appeal_public_id)
            )
        except (Appeal.DoesNotExist, ValidationError, ValueError) as exc:
            raise NotFound(_("No such request in this department."), code="not_found", field="appeal") from exc
        if appeal.decision != AppealDecision.PENDING:
            raise Conflict(
                _("This request was already decided (%(decision)s).") % {"decision": appeal.get_decision_display()},
                code="already_decided",
                field="decision",
            )
        if appeal.kind == AppealKind.APPEAL and exempt_until is not None:
            # A granted appeal sets aside the findings it disputed; it exempts from nothing.
            raise Invalid(
                _("An appeal has no end date: granting it sets aside the findings it disputed."),
                code="exempt_until_appeal",
                field="exempt_until",
            )
        appeal.decision = decision
        appeal.decision_reasons = reasons
        appeal.decided_by = actor.user
        appeal.decided_at = timezone.now()
        appeal.exempt_until = exempt_until
        appeal._history_user = actor.user  # type: ignore[attr-defined]
        appeal.save(update_fields=["decision", "decision_reasons", "decided_by", "decided_at", "exempt_until"])
        site = appeal.site
        _record(
            actor,
            Action.APPEAL_DECIDE,
            site=site,
            targets=[f"appeal:{appeal.public_id}"],
            details={
                "ordinance": str(appeal.ordinance.public_id),
                "kind": appeal.kind,
                "decision": decision,
                "exempt_until": exempt_until.isoformat() if exempt_until else "",
            },
        )
        records_refresh_on_commit(site_id=site.pk)
        granted = decision == AppealDecision.GRANTED
        notification_send(
            recipient=site.owner,
            kind=Kind.APPEAL_DECIDED,
            subject=notice_text(
                gettext_lazy("Your request was granted: %(ordinance)s")
                if granted
                else gettext_lazy("Your request was denied: %(ordinance)s"),
                ordinance=appeal.ordinance.name,
            ),
            body=notice_text(
                gettext_lazy(
                    "The department granted your request about %(site)s under %(ordinance)s.\n\nReasons: %(reasons)s"
                )
                if granted
                else gettext_lazy(
                    "The department denied your request about %(site)s under %(ordinance)s.\n\nReasons: %(reasons)s"
                ),
                site=_site_label(site),
                ordinance=appeal.ordinance.name,
                reasons=reasons,
            ),
            link=_obligations_link(site),
        )
    return appeal


def inspection_photo_open(*, actor: Actor, site: Site, photo_id: int) -> InspectionPhoto:
    """A photo of one of ``site``'s inspections for staff to see, the viewing recorded first
    (inspection_photo_view): NotFound for another site's photo, or none."""
    try:
        photo = inspection_photo_of_site(site=site, photo_id=photo_id)
    except InspectionPhoto.DoesNotExist as exc:
        raise NotFound(_("No such photo."), code="not_found") from exc
    with transaction.atomic():
        _record(
            actor,
            Action.INSPECTION_PHOTO_VIEW,
            site=site,
            targets=[f"inspection:{photo.inspection_id}"],
            details={"photo": photo.pk, "sha256": photo.sha256},
        )
    return photo


def appeal_attachment_open(*, actor: Actor, appeal_public_id: Any, attachment_public_id: Any) -> AppealAttachment:
    """An appeal's attachment for staff to download, the reading recorded first
    (appeal_attachment_view): NotFound for an attachment that is not of that appeal or not of
    this department."""
    try:
        attachment = AppealAttachment.objects.select_related("appeal__site").get(
            public_id=attachment_public_id, appeal__public_id=appeal_public_id
        )
    except (AppealAttachment.DoesNotExist, ValidationError, ValueError) as exc:
        raise NotFound(_("No such file."), code="not_found") from exc
    with transaction.atomic():
        _record(
            actor,
            Action.APPEAL_ATTACHMENT_VIEW,
            site=attachment.appeal.site,
            targets=[f"appeal:{attachment.appeal.public_id}"],
            details={"attachment": str(attachment.public_id), "sha256": attachment.sha256},
        )
    return attachment
