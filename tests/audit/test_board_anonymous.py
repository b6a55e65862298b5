"""An anonymous visitor at any of the board's addresses is sent to sign in (the usual redirect,
which brings them back after signing in), and learns nothing on the way: the answer is the same
whether the record, flag or report they named exists or not (only the address they typed comes
back, in ``next``), the sign-in page's title and text carry nothing of the board's, and no cache
may keep the redirect."""

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from audit.anomalies import FlagIn, anomaly_flags_add, anomaly_review_add
from audit.board_records import BoardRecordIn, board_record_create
from audit.models import AccessEvent, AnomalyFlag
from audit.views.readers import BoardReaderMixin
from tenants.models import Department
from tests.audit.test_annual_report import BOARD, event, log
from tests.conftest import TenantClient

__all__ = ["log"]

pytestmark = pytest.mark.django_db

SUMMARY = "Zebulon complained about camera 7 on Quartermaine Street"
NOTE = "Reviewed with Sergeant Okonkwo-Ballard"


def _board_routes() -> Iterator[str]:
    """Every route of the tenant's URL conf whose view is a page of the board's workspace."""

    def walk(patterns: list[Any], prefix: str) -> Iterator[tuple[str, Any]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), getattr(pattern.callback, "view_class", None)

    for route, view in walk(get_resolver("config.urls_tenant").url_patterns, ""):
        if isinstance(view, type) and issubclass(view, BoardReaderMixin):
            yield route


ROUTES = sorted(set(_board_routes()))


def _path(route: str, pk: int) -> str:
    return "/" + route.replace("<int:pk>", str(pk)).replace("<str:fmt>", "csv")


@pytest.fixture
def records(log: Department) -> dict[str, int]:
    """A complaint, a flag and its review: records whose numbers a visitor might guess."""
    today = timezone.localdate()
    record = board_record_create(
        record=BoardRecordIn(kind="complaint", received_on=today, category="other", summary=SUMMARY),
        actor=BOARD,
        today=today,
    )
    seq = event("live_start")
    anomaly_flags_add(
        flags=[FlagIn("off_hours", "anon-night", [seq], timezone.now(), None, "Officer Seven", "7", {"time": "x"})]
    )
    flag = AnomalyFlag.objects.get(key="anon-night")
    anomaly_review_add(flag_id=flag.pk, note=NOTE, actor=BOARD)
    return {"record": record.pk, "flag": flag.pk}


def test_every_board_page_is_found() -> None:
    # The board's workspace, found through its views' class: a new page is covered here by itself.
    assert {"oversight/", "oversight/records/<int:pk>/", "oversight/anomalies/<int:pk>/review/"} <= set(ROUTES)
    assert "oversight/report/<str:fmt>/" in ROUTES


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("method", ["get", "post", "head"])
def test_an_anonymous_visitor_is_sent_to_sign_in_the_same_way_whether_the_record_exists_or_not(
    records: dict[str, int], rialto_client: TenantClient, route: str, method: str
) -> None:
    existing = _path(route, records["record"] if "records" in route else records["flag"])
    missing = _path(route, 987654)
    events_before = AccessEvent.objects.count()

    answers = [getattr(rialto_client, method)(path) for path in (existing, missing)]

    for path, answer in zip((existing, missing), answers, strict=True):
        assert answer.status_code == 302
        assert answer["Location"] == f"/accounts/login/?next={quote(path)}"
        assert "no-cache" in answer.get("Cache-Control", "") or "private" in answer.get("Cache-Control", "")
    assert answers[0].content == answers[1].content == b""
    assert AccessEvent.objects.count() == events_before  # an anonymous visitor reads nothing, writes nothing


@pytest.mark.parametrize("route", ROUTES)
def test_the_sign_in_page_they_land_on_says_nothing_of_the_board(
    records: dict[str, int], rialto_client: TenantClient, route: str
) -> None:
    path = _path(route, records["record"] if "records" in route else records["flag"])

    page = rialto_client.get(path, follow=True)

    body = page.content.decode()
    title = body[body.index("<title>") : body.index("</title>")]
    assert page.status_code == 200
    assert page.redirect_chain[-1][0].startswith("/accounts/login/")
    assert "Rialto Police Department" in title
    # (The address they typed comes back in the language menu's form, as on every page.)
    for secret in (SUMMARY, "Zebulon", NOTE, "Okonkwo", "Officer Seven", "complaint", "Complaint", "Off hours"):
        assert secret not in body
    for word in ("Oversight", "oversight board", "review", "Review", "record #", f"#{records['record']}"):
        assert word not in title
