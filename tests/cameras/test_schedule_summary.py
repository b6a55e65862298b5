"""The one-line schedule on "My cameras": grouped, named, and in the owner's language."""

from typing import Any

import pytest
from django.utils import translation

from cameras.selectors import schedule_summary


def _days(days: range | list[int], start: str = "08:00", end: str = "18:00", next_day: bool = False) -> list[Any]:
    return [{"day": day, "start": start, "end": end, "next_day": next_day} for day in days]


@pytest.mark.parametrize(
    ("windows", "summary"),
    [
        ([], "Live view: any time"),
        (_days(range(5)), "Live view: weekdays 08:00\u201318:00"),
        (_days(range(7)), "Live view: every day 08:00\u201318:00"),
        (_days([5, 6], "10:00", "14:00"), "Live view: weekends 10:00\u201314:00"),
        (_days(range(7), "22:00", "06:00", True), "Live view: every day 22:00\u201306:00 (overnight)"),
        (_days([0, 2], "09:00", "12:00"), "Live view: Mon, Wed 09:00\u201312:00"),
        (
            _days(range(5)) + _days([5, 6], "10:00", "14:00"),
            "Live view: weekdays 08:00\u201318:00; weekends 10:00\u201314:00",
        ),
    ],
)
def test_the_schedule_is_summed_up_in_one_line(windows: list[Any], summary: str) -> None:
    with translation.override("en"):
        assert schedule_summary(level="live", windows=windows) == summary


@pytest.mark.parametrize(
    ("level", "revoked", "paused"), [("on_request", False, False), ("live", True, False), ("live", False, True)]
)
def test_no_schedule_line_where_police_may_not_watch(level: str, revoked: bool, paused: bool) -> None:
    assert schedule_summary(level=level, windows=_days(range(5)), revoked=revoked, paused=paused) == ""


def test_the_schedule_line_is_in_spanish() -> None:
    with translation.override("es"):
        summary = schedule_summary(level="live_exigent", windows=_days([0, 2]))

    assert summary == "Vista en vivo: lun, mié 08:00\u201318:00"
