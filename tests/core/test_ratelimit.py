"""core.ratelimit against the tests' own Redis: fixed windows per subject and per department,
the seconds until the window ends, the rates read from settings, and what each limit does
when Redis cannot be reached (a real client against a port where nothing listens)."""

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from core import ratelimit
from core.errors import Unavailable
from core.ratelimit import Limit, Rate, alimit_take, limit_take, rates_parse
from tests.conftest import free_port

# The start of a one-minute window (a multiple of 60 seconds).
T0 = 60 * 20_000.0


@pytest.fixture
def three_a_minute(settings: Any) -> None:
    settings.PORCHLIGHT_RATE_LIMITS = {**settings.PORCHLIGHT_RATE_LIMITS, "search": "3/m/user,5/m/token"}


def _takes(n: int, **subjects: Any) -> list[int]:
    """The Retry-After of each of n attempts (0: allowed)."""
    answers = []
    for i in range(n):
        refusal = limit_take(limit=Limit.SEARCH, schema="rialto", now=T0 + 10 + i * 0.01, **subjects)
        answers.append(0 if refusal is None else refusal.retry_after)
    return answers


def test_attempts_over_the_amount_are_refused_until_the_window_ends(three_a_minute: None) -> None:
    answers = _takes(5, user=1)

    assert answers == [0, 0, 0, 50, 50]
    assert limit_take(limit=Limit.SEARCH, schema="rialto", user=1, now=T0 + 60) is None


def test_the_refusal_says_what_was_limited_and_when_to_retry(three_a_minute: None) -> None:
    _takes(3, user=1)

    refusal = limit_take(limit=Limit.SEARCH, schema="rialto", user=1, now=T0 + 15)

    assert refusal is not None
    assert refusal.message == "Too many searches: at most 3 every 60 seconds. Try again in 45 seconds."
    assert (refusal.code, refusal.retry_after) == ("rate_limited", 45)


def test_another_user_another_token_and_another_department_are_not_limited(three_a_minute: None) -> None:
    _takes(10, user=1, token=7)

    assert limit_take(limit=Limit.SEARCH, schema="rialto", user=2, now=T0 + 20) is None
    assert limit_take(limit=Limit.SEARCH, schema="fontana", user=1, now=T0 + 20) is None


def test_each_rate_counts_its_own_subject(three_a_minute: None) -> None:
    # given one token used by three users, once each: the token's 5 a minute is not reached
    for user in (1, 2, 3):
        _takes(1, user=user, token=7)

    # when two more users use it twice each
    answers = _takes(2, user=4, token=7) + _takes(2, user=5, token=7)

    # then the token's sixth and seventh attempts are refused, whoever makes them
    assert answers == [0, 0, 50, 50]


def test_a_rate_whose_subject_is_not_given_does_not_apply(three_a_minute: None) -> None:
    assert _takes(4, user=1, token=None)[-1] == 50
    assert _takes(4, token=99)[-1] == 0  # no user: only the token's 5 count


async def test_the_async_count_is_the_same_count(three_a_minute: None) -> None:
    _takes(2, user=1)

    third = await alimit_take(limit=Limit.SEARCH, schema="rialto", user=1, now=T0 + 30)
    fourth = await alimit_take(limit=Limit.SEARCH, schema="rialto", user=1, now=T0 + 30)

    assert third is None
    assert fourth is not None
    assert fourth.retry_after == 30


@pytest.mark.parametrize(
    ("text", "rates"),
    [
        ("60/m/user", (Rate(60, 60, "user"),)),
        ("20/m/ip, 5/15m/key", (Rate(20, 60, "ip"), Rate(5, 900, "key"))),
        ("10/30s/token,100/d/user", (Rate(10, 30, "token"), Rate(100, 86400, "user"))),
        ("", ()),
    ],
)
def test_rates_are_read_as_allauth_writes_them(text: str, rates: tuple[Rate, ...]) -> None:
    assert rates_parse(text) == rates


@pytest.mark.parametrize("text", ["60/m", "x/m/user", "60/w/user", "60/m/everyone", "60/0m/user"])
def test_a_rate_that_cannot_be_read_is_refused_with_what_to_write(text: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="rate"):
        rates_parse(text)


@pytest.fixture
def redis_gone(settings: Any, three_a_minute: None) -> None:
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"


@pytest.mark.parametrize("limit", [Limit.SEARCH, Limit.FOOTAGE_REQUEST, Limit.MESSAGE])
def test_staff_actions_go_on_unlimited_while_redis_is_unreachable(redis_gone: None, limit: Limit) -> None:
    assert [limit_take(limit=limit, schema="rialto", user=1, ip="10.0.0.1") for _ in range(30)] == [None] * 30


async def test_bridge_connection_attempts_are_refused_while_redis_is_unreachable(redis_gone: None) -> None:
    with pytest.raises(Unavailable):
        await alimit_take(limit=Limit.BRIDGE_CONNECT, schema="rialto", ip="10.0.0.1", token="abc")


def test_every_limit_has_a_rate_setting_and_a_redis_outage_rule(settings: Any) -> None:
    assert set(settings.PORCHLIGHT_RATE_LIMITS) == {str(limit) for limit in Limit}
    assert set(ratelimit.FAILS_OPEN) == set(Limit)
    assert all(rates_parse(text) for text in settings.PORCHLIGHT_RATE_LIMITS.values())
