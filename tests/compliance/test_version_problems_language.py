"""An ordinance version refused for asking what only an attestation confirms, with no
attestation schedule, names those requirements in the administrator's language: the Spanish
refusal has no English words in it."""

import datetime as dt

import pytest
from django.utils import translation

from compliance.models import Ordinance, OrdinanceVersion
from compliance.selectors import version_problems

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("requirements", "spanish", "english"),
    [
        ({"night_vision": True}, "visión nocturna", "night vision"),
        ({"retention_days": 30}, "conservación mínima", "minimum retention"),
        ({"signage": True}, "letreros", "signage"),
        ({"lighting": True}, "iluminación", "lighting"),
        ({"placements": ["register"]}, "ubicaciones", "placements cameras do not record"),
    ],
)
def test_the_spanish_refusal_names_the_attested_requirements_in_spanish(
    in_rialto: object, requirements: dict[str, object], spanish: str, english: str
) -> None:
    version = OrdinanceVersion(
        ordinance=Ordinance(name="Sin declaración"), effective_on=dt.date(2026, 1, 1), **requirements
    )

    with translation.override("es"):
        problems = version_problems(version, policy=None, today=dt.date(2026, 1, 1))

    (message,) = problems["attestation_month"]
    assert message.startswith("La ordenanza exige ")
    assert spanish in message
    assert english not in message
