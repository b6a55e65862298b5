"""The two places footage bytes live (named in settings.STORAGES, see config/storage.py).

Every read, write and delete of a clip goes through ``clip_store()``: uploads, downloads,
the player, exports, re-hashing and purges. Pieces of unfinished resumable uploads live
in ``staging_store()``, never in the clip store.
"""

from django.core.files.storage import Storage, storages


def clip_store() -> Storage:
    return storages["clips"]


def staging_store() -> Storage:
    return storages["clip_staging"]
