"""After a database superuser rewrites and re-hashes the chain, the board sees it without
running anything: the integrity banner states the latest signed checkpoint and that the log no
longer matches it (before the next checkpoint) or the checkpoints before the rebuild (after),
and a report held to a checkpoint the log no longer matches is refused with a clear message."""

from audit.checkpoints import checkpoint_make
from tenants.models import Department
from tests.audit.tampering import chain_rewrite
from tests.audit.test_annual_report import REPORT, _last, _year, board, event, log
from tests.conftest import TenantClient

__all__ = ["board", "log"]


def _banner(board: TenantClient) -> str:
    body = board.get("/oversight/").content.decode()
    start = body.index('id="log-integrity"')
    return body[start : body.index("</p>", start)]


def test_the_banner_and_the_report_tell_a_rewritten_log(board: TenantClient, log: Department) -> None:
    for _n in range(5):
        event("search", category="property_crime")
    first = checkpoint_make()

    assert "matches every signed checkpoint" in _banner(board)
    assert f"#{first.pk}" in _banner(board)

    chain_rewrite(purpose_text="nothing to see here")

    before_rebuild = _banner(board)
    refused = board.get(f"{REPORT}csv/", {"year": _year(), "checkpoint": first.pk})
    assert "no longer matches" in before_rebuild
    assert refused.status_code == 400
    assert f"The log no longer matches signed checkpoint #{first.pk}" in refused.content.decode()
    assert (_last().outcome, _last().reason) == ("denied", "checkpoint_mismatch")

    second = checkpoint_make()  # the tree is rebuilt from the rewritten events

    after_rebuild = _banner(board)
    assert second.rewrite_found
    assert "no longer match the log" in after_rebuild
    assert board.get(f"{REPORT}csv/", {"year": _year(), "checkpoint": first.pk}).status_code == 400
    assert board.get(f"{REPORT}csv/", {"year": _year(), "checkpoint": second.pk}).status_code == 200


def test_a_log_that_only_grew_matches_every_checkpoint(board: TenantClient, log: Department) -> None:
    event("search", category="property_crime")
    checkpoint_make()
    event("search", category="property_crime")
    checkpoint_make()
    event("search", category="property_crime")  # after the latest: not yet in a checkpoint

    assert "matches every signed checkpoint" in _banner(board)
