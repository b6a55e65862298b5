"""The channel layer's own Redis connections, as the settings configure them."""

from channels.layers import get_channel_layer


def test_the_channel_layers_redis_reads_outlast_its_blocking_pop() -> None:
    # given the configured channels-redis layer
    layer = get_channel_layer()

    # when it opens its connection pool to Redis
    pool = layer.create_pool(0)

    # then a read may take longer than the layer's blocking pop, so an idle consumer is not dropped
    assert pool.connection_kwargs["socket_timeout"] > layer.brpop_timeout
    assert pool.connection_kwargs["socket_connect_timeout"] is not None
