"""After a database superuser rewrites and re-hashes the chain, the board sees it without
running anything: the integrity banner states the latest signed checkpoint and that the log no
longer matches it (before the next checkpoint) or the checkpoints before the rebuild (after),
and a report held to a checkpoint the log no longer matches is refused with a clear message."""

import base64
import html
import re
from typing import Any
from zoneinfo import ZoneInfo

from django.core import mail

from accounts.models import Role
from audit.checkpoints import checkpoint_make
from audit.models import AccessEvent
from audit.rollups import department_time_zone
from audit.tasks import chain_verify_hourly
from notifications.models import Kind, Notification
from tenants.models import Department
from tests.audit.tampering import chain_rewrite
from tests.audit.test_annual_report import REPORT, _last, _year, board, event, log
from tests.conftest import TenantClient
from tests.factories import UserFactory

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


def test_a_rebuilt_tree_is_e_mailed_to_every_administrator_once_and_the_banner_stays(
    board: TenantClient, log: Department, django_capture_on_commit_callbacks: Any
) -> None:
    admins = [UserFactory(role=Role.DEPT_ADMIN) for _n in range(2)]
    officer = UserFactory(role=Role.OFFICER)
    for _n in range(3):
        event("search", category="property_crime")
    checkpoint_make()
    chain_rewrite(purpose_text="nothing to see here")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        checkpoint_make()  # the tree is rebuilt from the rewritten events
    told = {address for message in mail.outbox for address in message.to}
    with django_capture_on_commit_callbacks(execute=True):
        checkpoint_make()  # nothing rewritten since: nothing more to tell

    assert {admin.email for admin in admins} <= told
    assert officer.email not in told
    assert board.get("/oversight/").status_code == 200
    assert "no longer match the log" in _banner(board)
    rebuilt = [m for m in mail.outbox if admins[0].email in m.to]
    assert len(rebuilt) == 1
    assert "failed verification" in rebuilt[0].subject
    assert Notification.objects.filter(recipient=admins[0], kind=Kind.LOG_INTEGRITY_FAILED).count() == 1


# --- One statement of the log's integrity, and the checkpoint a witness keeps (reviewer, issue 15) ---


def _plain(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def test_matching_checkpoints_before_any_full_verification_are_one_partly_verified_statement(
    board: TenantClient, log: Department
) -> None:
    # given a log that matches its signed checkpoint, and whose chain was never verified in full
    event("search", category="property_crime")
    checkpoint = checkpoint_make()

    # when the board reads the log's page
    body = board.get("/oversight/").content.decode()
    banner = _plain(_banner(board).split(">", 1)[1])

    # then one statement says both, without "matches every checkpoint" above "not yet verified",
    # in the department's zone, named
    zone = ZoneInfo(department_time_zone())
    assert body.count('id="log-integrity"') == 1
    assert '<p class="pending" id="log-integrity">' in body
    assert 'id="chain-status"' not in body
    assert banner.startswith("Partly verified.")
    assert f"#{checkpoint.pk}, 1 events, at {checkpoint.made_at.astimezone(zone):%Y-%m-%d %H:%M %Z}" in banner
    assert "The hash chain has not been verified in full yet" in banner
    assert "UTC" not in body


def test_matching_checkpoints_and_a_full_verification_are_one_verified_statement(
    board: TenantClient, log: Department
) -> None:
    event("search", category="property_crime")
    assert chain_verify_hourly().startswith("ok")
    checkpoint_make()

    banner = _plain(_banner(board).split(">", 1)[1])

    assert banner.startswith("Verified. The log matches every signed checkpoint.")
    assert "Verified in full up to event #" in banner
    assert "not been verified" not in banner


def test_the_checkpoint_to_keep_is_the_latest_signed_one_not_the_chain_head(
    board: TenantClient, log: Department
) -> None:
    # given a signed checkpoint, and events written after it (the chain's head is further on)
    event("search", category="property_crime")
    event("search", category="property_crime")
    checkpoint = checkpoint_make()
    event("search", category="property_crime")

    # when the board reads what to keep
    body = board.get("/oversight/").content.decode()
    kept = _plain(body[body.index('id="checkpoint"') : body.index("</div>", body.index('id="checkpoint"'))])

    # then it is the checkpoint: its tree size, its root hash as the signed note writes it, the
    # note itself, and the operator's command held to the checkpoint's last event
    last = AccessEvent.objects.get(seq=checkpoint.tree_size)
    assert f"tree size {checkpoint.tree_size}" in kept
    assert base64.b64encode(bytes(checkpoint.root_hash)).decode() in kept
    assert html.escape(checkpoint.note.splitlines()[2]) in body
    assert f"--expect {checkpoint.tree_size}:{last.hash}" in kept
    assert _last().seq > checkpoint.tree_size
    assert f"--expect {_last().seq}:" not in kept
