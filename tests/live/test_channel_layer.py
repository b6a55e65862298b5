"""The channel layer as the settings configure it: Redis pub/sub under a prefix of the
installation's own, with consumers that may wait as long as they like."""

import asyncio
from typing import Any

from channels.layers import get_channel_layer
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.conf import settings

from config.settings.base import channel_prefix, redis_channel_layer
from config.settings.test import _redis_db

REDIS_PY_DEFAULT_SOCKET_TIMEOUT = 5.0  # redis.asyncio.connection: what dropped idle consumers once


def _layer_on(db: int, name: str = "porchlight-test") -> Any:
    """The layer an installation (or test run) on Redis database ``db`` builds from the settings' rules."""
    url = _redis_db(settings.REDIS_URL, db)
    config = redis_channel_layer(url, prefix=channel_prefix(url, name=name))
    return RedisPubSubChannelLayer(**config["CONFIG"])


def _db() -> int:
    return int(settings.REDIS_URL.rsplit("/", 1)[1])


def test_the_configured_layer_is_redis_pub_sub_under_the_test_databases_prefix() -> None:
    layer = get_channel_layer()

    assert isinstance(layer, RedisPubSubChannelLayer)
    assert settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] == f"porchlight-test-{_db()}:"


async def test_group_messages_do_not_cross_to_a_test_run_on_another_redis_database() -> None:
    # given this run's layer and that of a run on the next Redis database, each with a member
    # of a group of the same name (the same department schema and user ids in both runs)
    mine = get_channel_layer()
    other = _layer_on((_db() + 1) % 16)
    here, there = await mine.new_channel(), await other.new_channel()
    await mine.group_add("user-rialto-1", here)
    await other.group_add("user-rialto-1", there)

    # when the other run pushes to its group
    await other.group_send("user-rialto-1", {"type": "live.recheck"})

    # then its own member hears it, and this run's does not
    assert await asyncio.wait_for(other.receive(there), 5) == {"type": "live.recheck"}
    await mine.send(here, {"type": "marker"})
    assert await asyncio.wait_for(mine.receive(here), 5) == {"type": "marker"}
    await other.flush()


async def test_a_consumer_that_waits_longer_than_redis_pys_socket_timeout_still_receives() -> None:
    # given a channel with nothing for it for longer than redis-py's default socket timeout
    layer = get_channel_layer()
    sender = _layer_on(_db())
    channel = await layer.new_channel()
    waiting = asyncio.create_task(layer.receive(channel))
    await asyncio.sleep(REDIS_PY_DEFAULT_SOCKET_TIMEOUT + 1)

    # when a message comes at last (from another process's layer)
    await sender.send(channel, {"type": "live.ping"})

    # then the consumer, still there, gets it
    assert await asyncio.wait_for(waiting, 5) == {"type": "live.ping"}
    await sender.flush()
