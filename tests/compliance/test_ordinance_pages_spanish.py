"""The ordinance pages speak Spanish (review of issue 16): the labels, headings and buttons the
review found in English on /console/ordinances/ and /console/ordinances/new/ are translated."""

from typing import Any

import pytest

from accounts.models import Role

pytestmark = pytest.mark.django_db

ENGLISH = (
    "Add an ordinance",
    "The ordinance",
    "Link to the legal text",
    "Property kinds covered (none ticked: all)",
    "Required placements",
    "Add the ordinance",
    ">Citation<",
    "In force today",
    "Next version",
    "No longer in force from",
)


@pytest.mark.parametrize("path", ["/console/ordinances/", "/console/ordinances/new/"])
def test_the_ordinance_pages_have_none_of_the_english_the_review_found(
    logged_in_staff: Any, in_rialto: Any, path: str
) -> None:
    client, _admin = logged_in_staff(Role.DEPT_ADMIN)

    response = client.get(path, HTTP_ACCEPT_LANGUAGE="es")

    page = response.content.decode()
    assert response.status_code == 200
    assert 'lang="es"' in page
    assert [s for s in ENGLISH if s in page] == []
