"""A site's compliance with the ordinances in force, as the owner's API reports it.

Compliance (ordinances, attestations, inspections: compliance/) sits above cameras, and the
owner's API for sites and consent lives here (cameras.api): compliance registers a provider
when it starts (ComplianceConfig.ready), the way footage gives the log its figures
(audit.figures). The shapes are defined here, so that the API's schema does not depend on
which app answers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import datetime as dt

    from tenants.models import DepartmentPolicy

    from .models import Site

__all__ = [
    "REQUIREMENT_CODES",
    "STATUSES",
    "SiteStatus",
    "UnmetRequirement",
    "site_status_provider_register",
    "sites_status",
]

#: compliance.rules.Status and compliance.rules.Requirement, for the API's schema (a test in
#: tests/compliance keeps them equal: this module cannot import compliance).
STATUSES = ("not_covered", "exempt", "compliant", "due_soon", "under_appeal", "not_compliant")
REQUIREMENT_CODES = (
    "site_facts",
    "min_cameras",
    "consent",
    "live_schedule",
    "live_connection",
    "resolution",
    "frame_rate",
    "placements",
    "night_vision",
    "retention",
    "signage",
    "lighting",
    "attestation",
    "inspection",
    "notice",
)


@dataclass(frozen=True)
class UnmetRequirement:
    ordinance: str
    code: str  # compliance.rules.Requirement
    severity: str  # "due" (by a date not yet passed) or "fail"
    sentence: str  # in the reader's language


@dataclass(frozen=True)
class CoveringOrdinance:
    name: str
    citation: str
    status: str


@dataclass(frozen=True)
class SiteStatus:
    status: str  # compliance.rules.Status
    covered: bool
    compliant: bool
    message: str
    unmet: tuple[UnmetRequirement, ...] = ()
    ordinances: tuple[CoveringOrdinance, ...] = field(default=())


#: (sites, policy, schema, now) -> {site pk: status}, or None when no ordinance is in force.
Provider = Callable[["Sequence[Site]", "DepartmentPolicy | None", str, "dt.datetime"], "dict[int, SiteStatus] | None"]
_PROVIDER: list[Provider] = []


def site_status_provider_register(provider: Provider) -> None:
    _PROVIDER[:] = [provider]


def sites_status(
    *, sites: Sequence[Site], policy: DepartmentPolicy | None, schema: str, now: dt.datetime
) -> dict[int, SiteStatus] | None:
    """Each site's status (by pk); None when no ordinance is in force (or nothing judges)."""
    if not _PROVIDER:
        return None
    return _PROVIDER[0](sites, policy, schema, now)
