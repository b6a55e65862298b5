"""The compliance dashboard's map has a legend: each status's dot in the colour the map draws it,
in words, in the reader's language, and the department's boundary line."""

import re
from typing import Any

import pytest

from accounts.models import Role
from compliance.rules import Status
from console.compliance import STATUS_COLOURS
from tests.conftest import TenantClient, login_with_mfa

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(make_staff: Any) -> TenantClient:
    user, secret = make_staff(Role.DEPT_ADMIN)
    client = TenantClient("rialto.localhost")
    assert login_with_mfa(client, user.email, secret).status_code == 302
    return client


def _legend(page: str) -> str:
    found = re.search(r'<ul class="map-legend" id="compliance-map-legend".*?</ul>', page, re.S)
    assert found is not None, "no legend"
    return found.group(0)


def test_the_legend_gives_each_status_the_colour_the_map_draws_it_in(admin_client: TenantClient) -> None:
    page = admin_client.get("/console/compliance/").content.decode()
    legend = _legend(page)

    shown = re.findall(r'<li data-status="(\w+)"><span class="dot" style="background: (#[0-9a-f]{6})"', legend)
    assert dict(shown) == {str(status): colour for status, colour in STATUS_COLOURS.items()}
    assert '"not_compliant": "#a4262c"' in page  # the colours the map's script reads
    for words in ("Compliant", "Exempt", "Due soon", "Exemption or appeal under review", "Not compliant"):
        assert f"</span> {words}</li>" in legend
    assert "The department's boundary" in legend


def test_the_legend_is_in_spanish(admin_client: TenantClient) -> None:
    legend = _legend(admin_client.get("/console/compliance/", HTTP_ACCEPT_LANGUAGE="es").content.decode())

    assert "</span> No cumple</li>" in legend
    assert "Límite del departamento" in legend
    assert 'aria-label="Leyenda del mapa"' in legend


def test_the_status_words_are_the_colours_order_worst_last() -> None:
    assert list(STATUS_COLOURS) == [
        Status.COMPLIANT,
        Status.EXEMPT,
        Status.DUE_SOON,
        Status.UNDER_APPEAL,
        Status.NOT_COMPLIANT,
    ]
