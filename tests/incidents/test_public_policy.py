"""The public transparency page states which plate-reader hotlist categories are always dropped."""

from typing import Any

import pytest

from tenants.models import DepartmentPolicy

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("en", "Licence-plate reader hits are always dropped, never made an incident"),
        ("es", "Las alertas de los lectores de matrículas se descartan siempre"),
    ],
)
def test_the_public_policy_states_the_blocked_hotlist_categories(
    in_rialto: Any, rialto_client: Any, language: str, sentence: str
) -> None:
    policy = DepartmentPolicy.objects.get(department=in_rialto)
    policy.plate_hotlist_blocked = ["immigration_status", "immigration_detainer"]
    policy.save()

    page = rialto_client.get("/transparency/", HTTP_ACCEPT_LANGUAGE=language).content.decode()

    start = page.index('id="plate-hotlist-blocked"')
    stated = page[start : page.index("</li>", start)]
    assert sentence in stated
    assert "immigration detainer" in stated.lower()
