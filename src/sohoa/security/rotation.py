"""`sohoa key-rotate`: re-wrap every data key and instance identity with a new master key (decision 0020).

The new key is written to KEY_FILE.next first; while it exists both keys unwrap and new wraps use it,
so the instance keeps working during the rotation. Rows are re-wrapped in batches, each batch in its
own transaction; a row already carrying the new kid is skipped, so an interrupted rotation simply runs
again. The end renames .next over the key file and rebuilds the search index (its blind tokens derive
from the master key).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from . import keys
from .models import DataKey, InstanceIdentity

Progress = Callable[[int], None]


@dataclass
class Rotation:
    kid: str
    resumed: bool
    data_keys: int = 0
    identities: int = 0
    indexed: int = 0


def pending(kid: str) -> int:
    """Rows still wrapped by another master key than `kid`."""
    return DataKey.objects.exclude(kid=kid).count() + InstanceIdentity.objects.exclude(kid=kid).count()


def start() -> tuple[bytes, bool]:
    """The new master key: the one of an interrupted rotation, or a fresh one. (key, resumed)"""
    nxt = keys.next_key_file()
    if nxt.exists():
        return keys._read(nxt), True
    keys.master_key(create=True)  # the current key must be there (KeyMissing otherwise): rows need it to unwrap
    keys.create_key_file(nxt)
    return keys._read(nxt), False


def rewrap(new: bytes, *, batch: int = 200, progress: Progress | None = None) -> tuple[int, int]:
    """Re-wrap every row not yet under `new`; returns (data keys, identities) re-wrapped."""
    kid = keys.kid_of(new)
    done_keys = done_ids = 0
    while True:
        with transaction.atomic():
            rows = list(DataKey.objects.select_for_update().exclude(kid=kid).order_by("pk")[:batch])
            for row in rows:
                secret = keys.unwrap(row.wrapped, row.owner, row.kid)
                row.wrapped, row.kid = keys.wrap(secret, row.owner, key=new)
                row.save(update_fields=["wrapped", "kid"])
        done_keys += len(rows)
        if progress and rows:
            progress(len(rows))
        if len(rows) < batch:
            break
    for ident in InstanceIdentity.objects.exclude(kid=kid).order_by("pk"):
        with transaction.atomic():
            sign = keys.unwrap(ident.sign_private, "instance:sign", ident.kid)
            box = keys.unwrap(ident.box_private, "instance:box", ident.kid)
            ident.sign_private, _ = keys.wrap(sign, "instance:sign", key=new)
            ident.box_private, ident.kid = keys.wrap(box, "instance:box", key=new)
            ident.save(update_fields=["sign_private", "box_private", "kid"])
        done_ids += 1
        if progress:
            progress(1)
    return done_keys, done_ids


def finish() -> None:
    """Make the new key the key: rename .next over the key file (atomic), fsync the directory."""
    nxt, path = keys.next_key_file(), keys.key_file()
    os.replace(nxt, path)
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def rotate(
    *,
    batch: int = 200,
    progress: Progress | None = None,
    reindex: Callable[[], int] | None = None,
    started: tuple[bytes, bool] | None = None,
) -> Rotation:
    """The whole rotation; `started` is what `start()` returned when the caller already called it."""
    new, resumed = started or start()
    result = Rotation(kid=keys.kid_of(new), resumed=resumed)
    result.data_keys, result.identities = rewrap(new, batch=batch, progress=progress)
    if pending(result.kid):  # rows added by an old-key writer meanwhile cannot exist (new wraps use .next)
        raise RuntimeError("rows still wrapped by the old master key")
    finish()
    if reindex is None:
        from sohoa.search.services import rebuild

        reindex = rebuild
    result.indexed = reindex()
    return result
