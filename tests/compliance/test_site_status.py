"""The owner's API reports each site's compliance through cameras.site_status, whose shapes
cameras defines (it cannot import compliance): the codes it lists are compliance's."""

from cameras.site_status import REQUIREMENT_CODES, STATUSES
from compliance.rules import Requirement, Status


def test_the_api_statuses_are_compliances_statuses() -> None:
    assert tuple(STATUSES) == tuple(s.value for s in Status)


def test_the_api_requirement_codes_are_compliances_requirements() -> None:
    assert tuple(REQUIREMENT_CODES) == tuple(r.value for r in Requirement)
