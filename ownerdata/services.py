"""Deleting an owner's account (the decision, in words: docs/owner-data.md).

Their personal data and cameras go at once; clips they gave that are evidence stay with
the department, detached from them; open footage requests are closed as "no answer"; the
access log keeps its events, which name the owner only by a number that no longer leads
to anyone.
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import STAFF_ROLES, User
from accounts.services import AccountError, AccountProblem, owner_account_erase
from cameras.models import Camera, Site
from cameras.services import site_delete
from footage.departure import FootageDeparture, owner_footage_release
from live.services import bridges_history_erase, owner_live_close

logger = logging.getLogger("porchlight.ownerdata")


@dataclass(frozen=True)
class AccountDeleted:
    pseudonym: str  # how the records that stay name the owner
    sites: int
    cameras: int
    live_views_ended: int
    footage: FootageDeparture


def _snapshots_delete(names: list[str]) -> None:
    """The cameras' snapshot images (photos of the owner's property), after the commit."""
    storage = Camera._meta.get_field("snapshot").storage

    def run() -> None:
        for name in names:
            try:
                storage.delete(name)
            except OSError:  # the account is gone either way; an operator can remove the file
                logger.exception("could not delete a camera snapshot of a deleted account")

    transaction.on_commit(run)


def _staff_refusal() -> AccountError:
    return AccountError(
        _("Staff accounts cannot be deleted here: a department administrator deactivates them."),
        code=AccountProblem.STAFF_NOT_DELETABLE,
    )


def owner_account_delete(*, user: User, now: dt.datetime | None = None) -> AccountDeleted:
    """Delete an owner's account in one transaction, keeping only what the department must.

    In order: their footage (kept clips detached and pseudonymised in custody, the others
    purged, open requests closed as "no answer"), their live views (ended now, through the
    owner's own "End live view") and bridges (revoked), their properties and cameras
    (through site_delete, which erases addresses and labels from their history and tells
    open live views), and last the account itself (sessions, e-mail addresses, two-factor
    authenticators, API tokens, and the personal data of the user's history).

    The caller has checked the owner's password (and second factor). Staff accounts are
    refused with AccountError: a department administrator deactivates them. ``now`` decides
    which footage requests are still open (the present time by default).
    """
    if getattr(user, "role", None) in STAFF_ROLES:
        raise _staff_refusal()
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.role in STAFF_ROLES:  # changed since the caller read it
            raise _staff_refusal()
        footage = owner_footage_release(owner=user, now=now)
        live_views_ended = owner_live_close(owner=user)
        sites = list(Site.objects.filter(owner=user))
        cameras = Camera.objects.filter(site__owner=user)
        camera_count = cameras.count()
        snapshots = [name for name in cameras.exclude(snapshot="").values_list("snapshot", flat=True) if name]
        for site in sites:
            site_delete(owner=user, site=site)
        bridges_history_erase(site_ids=[site.pk for site in sites])
        _snapshots_delete(snapshots)
        # Messages with police go with the account (their threads cascade from the owner):
        # the owner's words and any contact a reply shared are personal data; each officer
        # message stays recorded as its message_send event in the log.
        pseudonym = owner_account_erase(user=user)
    logger.info(
        "owner account deleted",
        extra={
            "pseudonym": pseudonym,
            "clips_kept": len(footage.kept),
            "clips_deleted": footage.deleted_clips,
            "requests_closed": footage.open_requests,
        },
    )
    return AccountDeleted(
        pseudonym=pseudonym,
        sites=len(sites),
        cameras=camera_count,
        live_views_ended=live_views_ended,
        footage=footage,
    )
