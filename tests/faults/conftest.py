# The worker tests' private broker and workers, as tests/test_notice_outbox.py starts them.
from tests.test_notice_outbox import broker, private_redis, workers  # noqa: F401  (fixtures)
