"""Reads for compliance: the ordinance versions in force, and each site's facts for
compliance.rules, loaded for one site or many at once in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, ngettext_lazy

from accounts.models import Role, User
from audit.rollups import department_time_zone
from cameras.consent import ConsentLevel, level_at_least
from cameras.models import BusinessCategory, Camera, CameraStatus, ConsentGrant, Site, SiteKind
from cameras.selectors import RESIDENTIAL_KINDS, windows_from_json
from cameras.site_status import CoveringOrdinance, SiteStatus, UnmetRequirement
from core.errors import Invalid
from live.selectors import cameras_with_bridge_online
from notifications.services import text

from .days import department_zone, local_today
from .models import (
    PLACEMENT_LABELS,
    Appeal,
    AppealAttachment,
    AppealDecision,
    AppealKind,
    Attestation,
    ComplianceRecord,
    Inspection,
    InspectionPhoto,
    Licence,
    Notice,
    Ordinance,
    OrdinanceVersion,
)
from .rules import (
    AppealFacts,
    AttestationFacts,
    CameraFacts,
    InspectionFacts,
    Judgement,
    NoticeFacts,
    OrdinanceRules,
    PlacementCode,
    Requirement,
    Severity,
    SiteFacts,
    Status,
    Unmet,
    compliance_judge,
    megapixels,
    ordinance_covers,
    rules_problems,
    site_status,
)

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Sequence

    from django.db.models import QuerySet

    from tenants.models import DepartmentPolicy

#: The key the stored judgements of the policy's old single ordinance had; that ordinance is an
#: ordinance of its own now (compliance.policy_ordinance), and no judgement has this key.
POLICY_KEY = "policy"


def status_label(status: Status) -> str:
    return str(
        {
            Status.NOT_COVERED: _("Not covered"),
            Status.EXEMPT: _("Exempt"),
            Status.COMPLIANT: _("Compliant"),
            Status.DUE_SOON: _("Due soon"),
            # Any pending request: a page that knows which says so (pending_label).
            Status.UNDER_APPEAL: _("Exemption or appeal under review"),
            Status.NOT_COMPLIANT: _("Not compliant"),
        }[status]
    )


def site_identity(site: Site) -> str:
    """The property as a message to its owner names it, so that a business with several sites
    knows which is meant: its name, its address, and its licence or permit number when there is
    one (the owner's own, else the city licence matched to it). Lazy: rendered in the
    recipient's language (notifications.services.notification_send)."""
    name = site.business_name or site.name or site.address
    number = (
        site.permit_number
        or Licence.objects.filter(site=site).order_by("created_at", "pk").values_list("number", flat=True).first()
        or ""
    )
    address = site.address if site.address and site.address != name else ""
    if number and address:
        return text(
            gettext_lazy("%(name)s, %(address)s (licence or permit %(number)s)"),
            name=name,
            address=address,
            number=number,
        )
    if number:
        return text(gettext_lazy("%(name)s (licence or permit %(number)s)"), name=name, number=number)
    return f"{name}, {address}" if address else name


def pending_label(kinds: Collection[str]) -> str:
    """The status of a site, or of its judgement under an ordinance, while requests of these
    kinds (compliance.models.AppealKind) wait for the department's decision."""
    if set(kinds) == {"exemption"}:
        return str(_("Exemption requested: under review"))
    if set(kinds) == {"appeal"}:
        return str(_("Appeal under review"))
    return status_label(Status.UNDER_APPEAL)


def _level_label(level: str) -> str:
    return str(dict(ConsentGrant._meta.get_field("level").choices or []).get(level, level))


def requirement_label(code: str) -> str:
    labels = {
        Requirement.SITE_FACTS: _("Facts about the property"),
        Requirement.MIN_CAMERAS: _("Number of cameras"),
        Requirement.CONSENT: _("Police access (consent)"),
        Requirement.LIVE_SCHEDULE: _("Live view only on a schedule (the ordinance asks for every hour)"),
        Requirement.LIVE_CONNECTION: _("Live connection"),
        Requirement.RESOLUTION: _("Resolution"),
        Requirement.FRAME_RATE: _("Frame rate"),
        Requirement.PLACEMENTS: _("Camera placements"),
        Requirement.NIGHT_VISION: _("Night vision"),
        Requirement.RETENTION: _("Keeping footage"),
        Requirement.SIGNAGE: _("Signs"),
        Requirement.LIGHTING: _("Lighting"),
        Requirement.ATTESTATION: _("Yearly attestation"),
        Requirement.INSPECTION: _("Inspection"),
        Requirement.NOTICE: _("Notice"),
    }
    return str(labels[Requirement(code)]) if code in Requirement.__members__.values() else code


#: The sentences of compliance.rules that count (Unmet.plural), marked here with both forms for
#: makemessages (the pure module cannot import Django, and gettext_noop has no plural).
PLURALS = (
    ngettext_lazy(
        "Register at least %(n)d active camera here (%(have)d now).",
        "Register at least %(n)d active cameras here (%(have)d now).",
        "n",
    ),
    ngettext_lazy(
        "At least %(n)d camera here must allow “%(level)s”, with consent in force and not paused.",
        "At least %(n)d cameras here must allow “%(level)s”, with consent in force and not paused.",
        "n",
    ),
)


def unmet_sentence(item: Unmet) -> str:
    """The unmet requirement in the reader's language (the rules give English templates)."""
    params = dict(item.params)
    if "level" in params:
        params["level"] = _level_label(params["level"])
    if "place" in params:
        params["place"] = str(PLACEMENT_LABELS.get(PlacementCode(params["place"]), params["place"])).lower()
    if "requirement" in params:
        params["requirement"] = requirement_label(params["requirement"]).lower()
    if item.plural:
        return ngettext(item.template, item.plural, int(params["n"])) % params
    return _(item.template) % params if params else _(item.template)


def _labelled(params: dict[str, Any]) -> dict[str, Any]:
    """The parameters of a sentence with codes (kind, category) as words in the reader's language."""
    out = dict(params)
    if "kind" in out:
        out["kind"] = str(dict(SiteKind.choices).get(out["kind"], out["kind"])).lower()
    if "category" in out:
        out["category"] = str(dict(BusinessCategory.choices).get(out["category"], out["category"])).lower()
    return out


def rules_of(version: OrdinanceVersion) -> OrdinanceRules:
    # An admin form checks a version before its ordinance is saved: then it has none yet.
    ordinance = getattr(version, "ordinance", None)
    return OrdinanceRules(
        key=str(ordinance.public_id) if ordinance else "",
        name=ordinance.name if ordinance else "",
        property_kinds=tuple(version.property_kinds),
        business_categories=tuple(version.business_categories),
        built_after=version.built_after,
        min_units=version.min_units,
        min_parking_spaces=version.min_parking_spaces,
        min_floor_area_sqft=version.min_floor_area_sqft,
        min_cameras=version.min_cameras,
        placements=tuple(version.placements),
        min_megapixels=float(version.min_megapixels) if version.min_megapixels is not None else None,
        min_fps=version.min_fps,
        night_vision=version.night_vision,
        retention_days=version.retention_days,
        min_consent=version.min_consent or None,
        live_connection_required=version.live_connection_required,
        delivery_hours=version.delivery_hours,
        signage=version.signage,
        lighting=version.lighting,
        attestation_at_renewal=version.attestation_at_renewal,
        attestation_month=version.attestation_month,
        attestation_day=version.attestation_day,
        cure_days=version.cure_days,
    )


def live_view_barred_kinds(policy: DepartmentPolicy | None) -> frozenset[str]:
    """The property kinds the department's policy never views live (cameras.selectors)."""
    if policy is None or policy.residential_live_view_allowed:
        return frozenset()
    return frozenset(str(kind) for kind in RESIDENTIAL_KINDS)


#: No ordinance in force predates 1900, and none is enacted more than 20 years ahead: a date
#: outside is a typing slip (0001-01-01, 9999-12-31), never the law.
EARLIEST_DATE = dt.date(1900, 1, 1)
YEARS_AHEAD = 20


def date_too_late(day: dt.date, *, today: dt.date) -> bool:
    """Whether ``day`` is more than YEARS_AHEAD years after ``today``."""
    try:
        limit = today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:  # 29 February
        limit = today.replace(year=today.year + YEARS_AHEAD, day=28)
    return day > limit


def version_problems(
    version: OrdinanceVersion, *, policy: DepartmentPolicy | None, today: dt.date | None = None
) -> dict[str, list[str]]:
    """The contradictions of ``version`` under ``policy``, translated, by field; with them an
    effective date before EARLIEST_DATE or more than YEARS_AHEAD years after ``today`` (the
    department's day when not given)."""
    errors: dict[str, list[str]] = defaultdict(list)
    today = today or local_today()
    if version.effective_on is not None and version.effective_on < EARLIEST_DATE:
        errors["effective_on"].append(_("Give a date from %(date)s on.") % {"date": EARLIEST_DATE.isoformat()})
    elif version.effective_on is not None and date_too_late(version.effective_on, today=today):
        errors["effective_on"].append(_("Give a date at most %(n)d years from today.") % {"n": YEARS_AHEAD})
    for name, template, params in rules_problems(
        rules_of(version), live_view_barred_kinds=live_view_barred_kinds(policy)
    ):
        if "kinds" in params:  # codes as the form's labels: “Home”, not residential
            labels = dict(SiteKind.choices)
            kinds = [f"“{labels.get(code, code)}”" for code in params["kinds"].split(", ")]
            params = {**params, "kinds": ", ".join(kinds)}
        if "requirements" in params:  # the attested requirements, each in the reader's language
            params = {**params, "requirements": ", ".join(_(word) for word in params["requirements"])}
        errors[name].append(_(template) % params if params else _(template))
    return dict(errors)


def policy_ordinance_conflicts(policy: DepartmentPolicy) -> dict[str, list[str]]:
    """What a changed policy (not yet saved) would make impossible to meet in an ordinance in
    force today or from a later day: live view of homes turned off while an ordinance asks
    them for it. By the policy's field, translated, naming each ordinance; {} when none.
    tenants.services.policy_update asks it (registered in ComplianceConfig.ready)."""
    barred = live_view_barred_kinds(policy)
    if not barred:
        return {}
    today = local_today()
    versions = versions_in_force(on=today) + list(
        OrdinanceVersion.objects.filter(effective_on__gt=today).select_related("ordinance")
    )
    names = []
    for version in versions:
        rules = rules_of(version)
        allowed = {
            (name, template) for name, template, _params in rules_problems(rules, live_view_barred_kinds=frozenset())
        }
        if any(
            (name, template) not in allowed
            for name, template, _p in rules_problems(rules, live_view_barred_kinds=barred)
        ):
            names.append(version.ordinance.name)
    if not names:
        return {}
    return {
        "residential_live_view_allowed": [
            _(
                "Live view of homes cannot be turned off while %(ordinances)s asks homes for live view: those "
                "properties could never comply. Change the ordinance first."
            )
            % {"ordinances": ", ".join(sorted(set(names)))}
        ]
    }


def versions_in_force(*, on: dt.date) -> list[OrdinanceVersion]:
    """For each ordinance not retired by ``on``, its latest version in force on ``on`` (one
    query)."""
    return list(
        _not_retired(OrdinanceVersion.objects.filter(effective_on__lte=on), on=on)
        .select_related("ordinance")
        .order_by("ordinance_id", "-effective_on")
        .distinct("ordinance_id")
    )


@dataclass(frozen=True)
class OrdinanceResult:
    """One ordinance's judgement of a site, with what the pages show of the ordinance."""

    rules: OrdinanceRules
    judgement: Judgement
    version: OrdinanceVersion | None = None
    #: The kinds of the site's requests under this ordinance waiting for a decision.
    pending: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.rules.name

    @property
    def citation(self) -> str:
        return self.version.ordinance.citation if self.version else ""

    @property
    def text_url(self) -> str:
        return self.version.ordinance.text_url if self.version else ""

    @property
    def status(self) -> Status:
        return self.judgement.status

    @property
    def status_label(self) -> str:
        if self.judgement.status is Status.UNDER_APPEAL:
            return pending_label(self.pending)
        return status_label(self.judgement.status)

    @property
    def exempt_until(self) -> dt.date | None:
        return self.judgement.exempt_until

    @property
    def attestation_wanted(self) -> bool:
        """An attestation to file: one due or expired, or the first, awaited (not due soon yet)."""
        return self.judgement.missing(Requirement.ATTESTATION) or self.judgement.attestation_awaited

    def sentences(self) -> list[str]:
        return [unmet_sentence(item) for item in self.judgement.unmet]

    def why(self) -> list[str]:
        return [
            _(template) % _labelled(params) if params else _(template)
            for template, params in self.judgement.why_covered
        ]


@dataclass(frozen=True)
class SiteCompliance:
    site: Site
    results: list[OrdinanceResult] = field(default_factory=list)

    @property
    def covering(self) -> list[OrdinanceResult]:
        return [r for r in self.results if r.status is not Status.NOT_COVERED]

    @property
    def status(self) -> Status:
        return site_status([r.judgement for r in self.results])

    @property
    def status_label(self) -> str:
        if self.status is Status.UNDER_APPEAL:
            return pending_label({k for r in self.results if r.status is Status.UNDER_APPEAL for k in r.pending})
        return status_label(self.status)

    @property
    def covered(self) -> bool:
        return bool(self.covering)

    @property
    def compliant(self) -> bool:
        return self.status in (Status.COMPLIANT, Status.EXEMPT, Status.NOT_COVERED)

    @property
    def attestation_awaited(self) -> bool:
        """An ordinance covering the site awaits its first yearly attestation, not due soon yet:
        nothing is late, but no certificate certifies what no attestation has confirmed."""
        return any(r.judgement.attestation_awaited for r in self.covering)

    def sentences(self) -> list[str]:
        return [sentence for result in self.covering for sentence in result.sentences()]

    def category_asks(self) -> list[str]:
        """For each ordinance that would cover the site if its business category were one it
        names, a sentence asking the owner for the category (compliance.rules: the site is not
        judged until then)."""
        labels = dict(BusinessCategory.choices)
        return [
            _("%(ordinance)s covers these kinds of business: %(categories)s. Tell us your business category.")
            % {
                "ordinance": r.name,
                "categories": ", ".join(str(labels.get(c, c)).lower() for c in r.rules.business_categories),
            }
            for r in self.results
            if r.judgement.category_asked
        ]

    @property
    def message(self) -> str:
        """One line for the owner's pages: what is missing, or that the site meets them."""
        if self.status is Status.EXEMPT:
            return str(_("Exempt from the ordinance."))
        if not self.sentences():
            return str(_("Meets the ordinance."))
        return " ".join([f"{self.status_label}:", *self.sentences()])


def site_facts(site: Site) -> SiteFacts:
    return SiteFacts(
        kind=site.kind,
        department_owned=site.department_owned,
        business_category=site.business_category,
        constructed_on=site.constructed_on,
        units=site.units,
        parking_spaces=site.parking_spaces,
        floor_area_sqft=site.floor_area_sqft,
        licence_renews_on=site.licence_renews_on,
    )


def sites_compliance(
    *, sites: Sequence[Site], policy: DepartmentPolicy | None, schema: str, now: dt.datetime
) -> dict[int, SiteCompliance]:
    """The compliance of each site (by pk) under every ordinance in force.
    Queries: the versions, the cameras with consent, the bridges (and one Redis round trip),
    attestations, inspections, notices and appeals: the same number for one site or a thousand."""
    sites = list(sites)
    if not sites:
        return {}
    ids = [site.pk for site in sites]
    zone = department_zone()
    today = now.astimezone(zone).date()
    rules: list[tuple[OrdinanceRules, OrdinanceVersion | None]] = [
        (rules_of(version), version) for version in versions_in_force(on=today)
    ]

    cameras_by_site: dict[int, list[Any]] = defaultdict(list)
    # Only what the judgement reads: a camera's position and field of view are polygons whose
    # parsing cost more than the judgement itself when thousands of sites are judged at once.
    cameras = list(
        Camera.objects.filter(site_id__in=ids)
        .select_related("consent")
        .only(
            "public_id",
            "site_id",
            "label",
            "status",
            "views",
            "resolution",
            "frame_rate",
            "retention_days",
            "created_at",
            "consent__level",
            "consent__revoked_at",
            "consent__expires_at",
            "consent__windows",
        )
        .order_by("created_at")
    )
    online = cameras_with_bridge_online(schema=schema, camera_public_ids=[c.public_id for c in cameras])
    for camera in cameras:
        grant = getattr(camera, "consent", None)
        cameras_by_site[camera.site_id].append(
            CameraFacts(
                active=camera.status == CameraStatus.ACTIVE,
                consent_level=grant.level if grant else None,
                consent_revoked_at=grant.revoked_at if grant else None,
                consent_expires_at=grant.expires_at if grant else None,
                views=tuple(camera.views),
                megapixels=megapixels(camera.resolution),
                fps=camera.frame_rate,
                bridge_online=camera.public_id in online,
                label=camera.label,
                retention_days=camera.retention_days,
                live_windows=windows_from_json(grant.windows) if grant and grant.windows else (),
            )
        )
    attestations: dict[int, list[AttestationFacts]] = defaultdict(list)
    for att in Attestation.objects.filter(site_id__in=ids).select_related("version__ordinance"):
        attestations[att.site_id].append(
            AttestationFacts(str(att.version.ordinance.public_id), att.signed_at, frozenset(att.confirmed))
        )
    inspections: dict[int, list[InspectionFacts]] = defaultdict(list)
    for ins in Inspection.objects.filter(site_id__in=ids).select_related("ordinance"):
        failed = frozenset(code for code, met in (ins.findings or {}).items() if not met)
        inspections[ins.site_id].append(InspectionFacts(str(ins.ordinance.public_id), ins.inspected_on, failed))
    notices: dict[int, list[NoticeFacts]] = defaultdict(list)
    for notice in Notice.objects.filter(site_id__in=ids, resolved_on__isnull=True).select_related("ordinance"):
        notices[notice.site_id].append(
            NoticeFacts(str(notice.ordinance.public_id), notice.cure_by, notice.text, notice.issued_on)
        )
    appeals: dict[int, list[AppealFacts]] = defaultdict(list)
    for appeal in (
        Appeal.objects.filter(site_id__in=ids).exclude(decision=AppealDecision.DENIED).select_related("ordinance")
    ):
        appeals[appeal.site_id].append(
            AppealFacts(
                str(appeal.ordinance.public_id),
                decided=appeal.decision != AppealDecision.PENDING,
                granted=appeal.decision == AppealDecision.GRANTED,
                exempt_until=appeal.exempt_until,
                kind=appeal.kind,
                requested_on=appeal.requested_at.astimezone(zone).date(),
            )
        )

    out: dict[int, SiteCompliance] = {}
    for site in sites:
        facts = site_facts(site)
        results = [
            OrdinanceResult(
                rule,
                compliance_judge(
                    rules=rule,
                    site=facts,
                    cameras=cameras_by_site[site.pk],
                    attestations=attestations[site.pk],
                    inspections=inspections[site.pk],
                    notices=notices[site.pk],
                    appeals=appeals[site.pk],
                    now=now,
                    time_zone=zone.key,
                ),
                version,
                tuple(sorted({a.kind for a in appeals[site.pk] if not a.decided and a.ordinance_key == rule.key})),
            )
            for rule, version in rules
        ]
        out[site.pk] = SiteCompliance(site, results)
    return out


def site_compliance(*, site: Site, policy: DepartmentPolicy | None, schema: str, now: dt.datetime) -> SiteCompliance:
    return sites_compliance(sites=[site], policy=policy, schema=schema, now=now)[site.pk]


def ordinance_exists(*, name: str) -> bool:
    return Ordinance.objects.filter(name=name).exists()


def ordinances_any(*, on: dt.date) -> bool:
    """Whether any ordinance is in force: the site form asks for the
    facts coverage needs then."""
    return _not_retired(OrdinanceVersion.objects.filter(effective_on__lte=on), on=on).exists()


def _not_retired(versions: QuerySet[OrdinanceVersion], *, on: dt.date) -> QuerySet[OrdinanceVersion]:
    return versions.filter(Q(ordinance__repealed_on__isnull=True) | Q(ordinance__repealed_on__gt=on))


def ordinances_in_force(*, on: dt.date) -> list[Ordinance]:
    """The ordinances with a version in force on ``on`` (not repealed), by name: the portal's
    home page names them."""
    return sorted({version.ordinance for version in versions_in_force(on=on)}, key=lambda o: o.name)


def ordinance_kinds_in_force(*, on: dt.date) -> set[str]:
    """The property kinds some ordinance in force covers: those it names; when it names none,
    businesses alone if it names business categories (as the judgement reads it,
    compliance.rules), else every kind."""
    kinds: set[str] = set()
    for version in versions_in_force(on=on):
        if version.property_kinds:
            kinds |= set(version.property_kinds)
        elif version.business_categories:
            kinds.add(SiteKind.BUSINESS)
        else:
            kinds |= {str(kind) for kind in SiteKind.values}
    return kinds


ROW_MET, ROW_MISSING, ROW_DUE, ROW_TO_CONFIRM = "met", "missing", "due", "to-confirm"
ROW_NOT_CONFIRMED = "not-confirmed"
#: The yearly attestation when none is filed yet and the first is not due soon.
ROW_NOT_YET_DUE = "not-yet-due"
ROW_EXEMPT = "exempt"


def requirement_rows(result: OrdinanceResult) -> list[tuple[str, str, str]]:
    """The ordinance's requirements in plain words, each (code, sentence, state) for the
    checklist; state is ROW_MET, ROW_MISSING, ROW_DUE (to do by a date not yet passed),
    ROW_TO_CONFIRM (in the yearly attestation), ROW_NOT_CONFIRMED (nothing can confirm it: the
    version sets no attestation), ROW_NOT_YET_DUE (the attestation itself, none filed yet and the
    first not due soon) or ROW_EXEMPT (an exemption in force). A row agrees with the
    judgement: a requirement the latest inspection found not met is missing, and one only an
    attestation shows is never met before an attestation (or the cameras' declarations) shows it."""
    r = result.rules
    judgement = result.judgement
    rows: list[tuple[str, str]] = []
    needed = max(r.min_cameras or 1, 1)
    rows.append(
        (
            Requirement.MIN_CAMERAS,
            ngettext("At least %(n)d registered, active camera.", "At least %(n)d registered, active cameras.", needed)
            % {"n": needed},
        )
    )
    if r.min_consent:
        rows.append(
            (
                Requirement.CONSENT,
                _("Consent on those cameras: at least “%(level)s”.") % {"level": _level_label(r.min_consent)},
            )
        )
    if r.min_consent and level_at_least(r.min_consent, ConsentLevel.LIVE_EXIGENT):
        rows.append(
            (
                Requirement.LIVE_SCHEDULE,
                _("Live view at every hour of the week: a consent schedule that leaves hours out does not count."),
            )
        )
    if r.live_connection_required:
        rows.append((Requirement.LIVE_CONNECTION, _("A bridge connected to those cameras, so that live view works.")))
    if r.min_megapixels is not None:
        rows.append((Requirement.RESOLUTION, _("At least %(mp)s megapixels.") % {"mp": f"{r.min_megapixels:g}"}))
    if r.min_fps is not None:
        rows.append((Requirement.FRAME_RATE, _("At least %(fps)d frames a second.") % {"fps": r.min_fps}))
    if r.placements:
        places = ", ".join(str(PLACEMENT_LABELS[PlacementCode(p)]).lower() for p in r.placements)
        rows.append((Requirement.PLACEMENTS, _("Cameras covering: %(places)s.") % {"places": places}))
    if r.night_vision:
        rows.append((Requirement.NIGHT_VISION, _("Night vision (infrared).")))
    if r.retention_days is not None:
        rows.append((Requirement.RETENTION, _("Keep footage at least %(n)d days.") % {"n": r.retention_days}))
    if r.signage:
        rows.append((Requirement.SIGNAGE, _("Signs saying the premises are under camera surveillance.")))
    if r.lighting:
        rows.append((Requirement.LIGHTING, _("Lighting good enough for the cameras to see.")))
    if r.delivery_hours is not None:
        rows.append(
            (
                "delivery",
                _("Give police requested footage within %(n)d hours.") % {"n": r.delivery_hours},
            )
        )
    expired = any(u.requirement is Requirement.ATTESTATION and u.severity is Severity.FAIL for u in judgement.unmet)
    if r.needs_attestation and judgement.next_attestation_due is not None and not expired:
        rows.append(
            (
                Requirement.ATTESTATION,
                _("File a yearly attestation confirming the rest; the next is due on %(date)s.")
                % {"date": judgement.next_attestation_due.isoformat()},
            )
        )
    elif r.needs_attestation:
        rows.append((Requirement.ATTESTATION, _("File a yearly attestation confirming the rest.")))
    if judgement.status is Status.EXEMPT:
        return [(str(code), sentence, ROW_EXEMPT) for code, sentence in rows]
    failing: set[str] = {item.requirement for item in judgement.unmet if item.severity is Severity.FAIL}
    # The inspection's findings name the requirement they concern.
    found_not_met = {
        str(item.params["requirement"])
        for item in judgement.unmet
        if item.requirement is Requirement.INSPECTION and "requirement" in item.params
    }
    failing |= found_not_met
    due = {str(item.requirement) for item in judgement.unmet} - failing
    # What only an attestation shows is not met until a valid attestation confirms it (and
    # none is filed yet while the first is awaited, not due soon).
    awaited = judgement.attestation_awaited
    unconfirmed = (
        set(r.attested()) - judgement.declared if Requirement.ATTESTATION in failing | due or awaited else set()
    )

    def state(code: str) -> str:
        if code in judgement.not_confirmed and code not in found_not_met:
            return ROW_NOT_CONFIRMED
        if code in failing:
            return ROW_MISSING
        if code in due:
            return ROW_DUE
        if code == Requirement.ATTESTATION and awaited:
            return ROW_NOT_YET_DUE
        return ROW_TO_CONFIRM if code in unconfirmed else ROW_MET

    return [(str(code), sentence, state(code)) for code, sentence in rows]


def attestable_rows(rules: OrdinanceRules) -> list[tuple[str, str]]:
    """What an attestation of ``rules`` asks the owner to confirm, each (code, sentence)."""
    sentences = {
        Requirement.NIGHT_VISION: _("The cameras see at night (infrared night vision)."),
        Requirement.RETENTION: _("The recorder keeps footage at least %(n)d days.") % {"n": rules.retention_days or 0},
        Requirement.SIGNAGE: _("Signs at each entrance say the premises are under camera surveillance."),
        Requirement.LIGHTING: _("The lighting lets the cameras see the areas they cover."),
        Requirement.PLACEMENTS: _("Cameras cover: %(places)s.")
        % {"places": ", ".join(str(PLACEMENT_LABELS[PlacementCode(p)]).lower() for p in rules.placements)},
    }
    return [(str(code), str(sentences[code])) for code in rules.attested()]


def attestations_of_site(*, site: Site) -> Iterable[Attestation]:
    return Attestation.objects.filter(site=site).select_related("version__ordinance").order_by("-signed_at")


def attestations_of_sites(*, sites: Sequence[Site]) -> dict[int, list[Attestation]]:
    """Each site's signed attestations, newest first (one query), for the owner's obligations."""
    out: dict[int, list[Attestation]] = defaultdict(list)
    for attestation in Attestation.objects.filter(site__in=list(sites)).select_related("version__ordinance"):
        out[attestation.site_id].append(attestation)
    return out


def attestation_of_owner(*, owner: Any, public_id: Any) -> Attestation:
    """One attestation of the owner's own sites (Attestation.DoesNotExist for another owner's,
    another department's or none, and for a malformed id)."""
    try:
        return Attestation.objects.select_related("site", "version__ordinance").get(
            public_id=public_id, site__owner=owner
        )
    except (ValueError, ValidationError) as exc:
        raise Attestation.DoesNotExist from exc


def attestation_for_staff(*, public_id: Any) -> Attestation:
    """One attestation of this department (another department's lives in its own schema, so
    it is none here: Attestation.DoesNotExist, as for a malformed id)."""
    try:
        return Attestation.objects.select_related("site", "version__ordinance").get(public_id=public_id)
    except (ValueError, ValidationError) as exc:
        raise Attestation.DoesNotExist from exc


def attestation_statements(attestation: Attestation) -> list[str]:
    """The statements the owner confirmed, in the words of the signing page (in the reader's
    language); the text attested, in English, is what was signed and hashed."""
    confirmed = set(attestation.confirmed)
    return [sentence for code, sentence in attestable_rows(rules_of(attestation.version)) if code in confirmed]


def attestation_signed_local(attestation: Attestation) -> str:
    """When it was signed, in ISO 8601 with the department's own offset (e.g.
    2026-12-01T10:30:00-08:00): the time the owner saw on the clock, without ambiguity."""
    return timezone.localtime(attestation.signed_at, ZoneInfo(department_time_zone())).isoformat(timespec="seconds")


def appeals_of_sites(*, sites: Sequence[Site]) -> dict[int, list[Appeal]]:
    """Each site's exemption and appeal requests, newest first (one query)."""
    out: dict[int, list[Appeal]] = defaultdict(list)
    appeals = (
        Appeal.objects.filter(site__in=list(sites))
        .select_related("ordinance")
        .prefetch_related("attachments")
        .order_by("-requested_at")
    )
    for appeal in appeals:
        out[appeal.site_id].append(appeal)
    return dict(out)


def sites_delivery_ordinances(site_ids: Collection[int], at: dt.datetime) -> dict[int, tuple[int, str]]:
    """Within how many hours an ordinance in force at ``at`` asks each site's owner to deliver
    requested footage, and that ordinance's name and citation: the shortest of the ordinances
    covering the site, unless the department exempted the site from it. Sites no such ordinance
    covers are left out. Registered as footage's provider (footage.deadlines) by
    ComplianceConfig.ready."""
    today = at.astimezone(department_zone()).date()
    versions = [v for v in versions_in_force(on=today) if v.delivery_hours]
    if not versions or not site_ids:
        return {}
    exempt = {
        (site_id, ordinance_id)
        for site_id, ordinance_id, until in Appeal.objects.filter(
            site_id__in=list(site_ids), decision=AppealDecision.GRANTED, kind=AppealKind.EXEMPTION
        ).values_list("site_id", "ordinance_id", "exempt_until")
        if until is None or until >= today
    }
    out: dict[int, tuple[int, str]] = {}
    for site in Site.objects.filter(pk__in=list(site_ids)):
        facts = site_facts(site)
        for version in versions:
            if (site.pk, version.ordinance_id) in exempt or not ordinance_covers(rules_of(version), facts):
                continue
            hours = int(version.delivery_hours or 0)
            if site.pk not in out or hours < out[site.pk][0]:
                ordinance = version.ordinance
                out[site.pk] = (hours, ordinance.name + (f" ({ordinance.citation})" if ordinance.citation else ""))
    return out


def sites_delivery_hours(site_ids: Collection[int], at: dt.datetime) -> dict[int, int]:
    """The hours of ``sites_delivery_ordinances``, without the names."""
    return {site_id: hours for site_id, (hours, _name) in sites_delivery_ordinances(site_ids, at).items()}


#: What the owner's API calls compliant: nothing failing now (what is due by a date not yet
#: passed does not make a site non-compliant yet).
_API_COMPLIANT = frozenset({Status.NOT_COVERED, Status.EXEMPT, Status.COMPLIANT, Status.DUE_SOON})


def sites_status_for_api(
    sites: Sequence[Site], policy: DepartmentPolicy | None, schema: str, now: dt.datetime
) -> dict[int, SiteStatus] | None:
    """Each site's compliance as the owner's API reports it (cameras.site_status); None when no
    ordinance is in force. Registered by ComplianceConfig.ready; as many queries for a page of
    sites as for one."""
    compliance = sites_compliance(sites=sites, policy=policy, schema=schema, now=now)
    if not compliance or all(not c.results for c in compliance.values()):
        return None
    out: dict[int, SiteStatus] = {}
    for pk, c in compliance.items():
        out[pk] = SiteStatus(
            status=str(c.status),
            covered=c.covered,
            compliant=c.status in _API_COMPLIANT,
            message=c.message
            if c.covered
            else " ".join(c.category_asks()) or str(_("No ordinance applies to this property.")),
            unmet=tuple(
                UnmetRequirement(r.name, str(item.requirement), str(item.severity), unmet_sentence(item))
                for r in c.covering
                for item in r.judgement.unmet
            ),
            ordinances=tuple(CoveringOrdinance(r.name, r.citation, str(r.status)) for r in c.covering),
        )
    return out


# --- The department's side ------------------------------------------------------------------


def compliance_staff_allowed(user: Any) -> bool:
    """Whether ``user`` may read the compliance dashboard, record inspections, issue and resolve
    notices and decide requests: department administrators, and supervisors given the
    ``compliance`` duty (accounts.models.User.may_read_compliance). The one predicate every
    compliance staff page asks (console.compliance_actions.ComplianceStaffMixin)."""
    return bool(getattr(user, "is_authenticated", False)) and bool(getattr(user, "may_read_compliance", False))


def compliance_staff() -> QuerySet[User]:
    """The active staff ``compliance_staff_allowed`` lets in (administrators, supervisors with the
    compliance duty), by id: whom compliance's staff notices go to."""
    return (
        User.objects.filter(is_active=True)
        .filter(Q(role=Role.DEPT_ADMIN) | Q(role=Role.SUPERVISOR, compliance_duty=True))
        .order_by("pk")
    )


def inspectable_requirements(rules: OrdinanceRules) -> list[tuple[str, str]]:
    """What an inspection under ``rules`` can find met or not, each (code, sentence): the
    ordinance's requirements in plain words (as the owner's checklist gives them), without the
    paperwork (the yearly attestation is filed, not inspected)."""
    result = OrdinanceResult(rules, Judgement(rules.key, Status.COMPLIANT))
    # The schedule is the consent's, which Porchlight reads itself: nothing an inspector sees.
    paperwork = (Requirement.ATTESTATION, Requirement.LIVE_SCHEDULE)
    return [(code, sentence) for code, sentence, _state in requirement_rows(result) if code not in paperwork]


def site_for_staff(*, public_id: Any) -> Site:
    """A site of this department (Site.DoesNotExist for none, or a malformed id)."""
    try:
        return Site.objects.select_related("owner").get(public_id=public_id)
    except (ValueError, ValidationError) as exc:
        raise Site.DoesNotExist from exc


def site_records(*, site: Site) -> dict[str, list[Any]]:
    """A site's inspections (with photos), notices and requests (with attachments), newest first."""
    return {
        "inspections": list(
            Inspection.objects.filter(site=site)
            .select_related("ordinance", "inspector")
            .prefetch_related("photos")
            .order_by("-inspected_on", "-pk")
        ),
        "notices": list(
            Notice.objects.filter(site=site).select_related("ordinance", "issued_by").order_by("-issued_on", "-pk")
        ),
        "appeals": list(
            Appeal.objects.filter(site=site)
            .select_related("ordinance")
            .prefetch_related("attachments")
            .order_by("-requested_at")
        ),
    }


def inspection_photo_of_site(*, site: Site, photo_id: int) -> InspectionPhoto:
    """A photo of one of ``site``'s inspections (InspectionPhoto.DoesNotExist for another
    site's, or none): the site, found in this department's schema, scopes the photo's number."""
    return InspectionPhoto.objects.get(pk=photo_id, inspection__site=site)


def appeals_pending(*, limit: int = 200) -> list[Appeal]:
    """Requests waiting for the department's decision, oldest first."""
    return list(
        Appeal.objects.filter(decision=AppealDecision.PENDING)
        .select_related("site", "ordinance")
        .prefetch_related("attachments")
        .order_by("requested_at")[:limit]
    )


def appeal_for_staff(*, public_id: Any) -> Appeal:
    """A request of this department with its site and attachments (Appeal.DoesNotExist for none)."""
    try:
        return (
            Appeal.objects.select_related("site__owner", "ordinance", "decided_by")
            .prefetch_related("attachments")
            .get(public_id=public_id)
        )
    except (ValueError, ValidationError) as exc:
        raise Appeal.DoesNotExist from exc


def attachment_of_owner(*, owner: Any, appeal_public_id: Any, public_id: Any) -> AppealAttachment:
    """One of the owner's own attachments (AppealAttachment.DoesNotExist for another's or none)."""
    try:
        return AppealAttachment.objects.get(
            public_id=public_id, appeal__public_id=appeal_public_id, appeal__site__owner=owner
        )
    except (ValueError, ValidationError) as exc:
        raise AppealAttachment.DoesNotExist from exc


def notices_open_of_sites(*, sites: Sequence[Site]) -> dict[int, list[Notice]]:
    """Each site's notices not yet resolved, soonest deadline first (one query)."""
    out: dict[int, list[Notice]] = defaultdict(list)
    for notice in (
        Notice.objects.filter(site__in=list(sites), resolved_on__isnull=True)
        .select_related("ordinance")
        .order_by("cure_by", "pk")
    ):
        out[notice.site_id].append(notice)
    return dict(out)


def version_covering(*, site: Site, ordinance_public_id: Any, on: dt.date) -> OrdinanceVersion:
    """The version of the ordinance in force on ``on`` if it covers ``site``; Invalid naming the
    ordinance otherwise (a notice or an inspection under an ordinance that does not apply)."""
    version = next(
        (v for v in versions_in_force(on=on) if str(v.ordinance.public_id) == str(ordinance_public_id)),
        None,
    )
    if version is None:
        raise Invalid(
            _("That ordinance is not in force on %(date)s.") % {"date": on.isoformat()},
            code="ordinance_not_in_force",
            field="ordinance",
        )
    zone = department_zone()
    now = dt.datetime.combine(on, dt.time(12), tzinfo=zone)
    judgement = compliance_judge(
        rules=rules_of(version), site=site_facts(site), cameras=[], now=now, time_zone=zone.key
    )
    if judgement.status is Status.NOT_COVERED:
        raise Invalid(
            _("%(ordinance)s does not cover this property.") % {"ordinance": version.ordinance.name},
            code="site_not_covered",
            field="ordinance",
        )
    return version


def notice_site(*, notice_id: Any) -> Site:
    """The site of a notice of this department (Notice.DoesNotExist for none)."""
    return Notice.objects.select_related("site").get(pk=int(notice_id)).site


@dataclass(frozen=True)
class OrdinanceRow:
    """One ordinance on the administrator's list: the version in force today, the next one."""

    ordinance: Ordinance
    in_force: OrdinanceVersion | None
    upcoming: OrdinanceVersion | None
    retired: bool


def ordinance_sites_judged(*, ordinance: Ordinance) -> int:
    """How many sites the stored compliance records judge under ``ordinance`` (one query): the
    sites whose records a retirement recomputes without it."""
    return ComplianceRecord.objects.filter(ordinance=ordinance).values("site_id").distinct().count()


def ordinances_with_versions(*, today: dt.date) -> list[OrdinanceRow]:
    """Every ordinance with its versions (two queries, whatever their number)."""
    rows = []
    for ordinance in Ordinance.objects.prefetch_related("versions").order_by("name"):
        versions = sorted(ordinance.versions.all(), key=lambda v: v.effective_on)
        past = [v for v in versions if v.effective_on <= today]
        future = [v for v in versions if v.effective_on > today]
        retired = ordinance.repealed_on is not None and ordinance.repealed_on <= today
        rows.append(
            OrdinanceRow(
                ordinance=ordinance,
                in_force=past[-1] if past and not retired else None,
                upcoming=future[0] if future else None,
                retired=retired,
            )
        )
    return rows
