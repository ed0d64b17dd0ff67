"""Files on disk under SOHOA_DATA_DIR/files: written to a temporary name, fsynced, then renamed, so a
crash never leaves a partial file under its real name. Originals are content-addressed and immutable."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, BinaryIO

from django.conf import settings

CHUNK = 1 << 20


def root() -> Path:
    return Path(settings.STORAGES["default"]["OPTIONS"]["location"])  # type: ignore[index]


def path(rel: str) -> Path:
    """Absolute path of a stored file; refuses anything that would leave the storage root."""
    base = root().resolve()
    full = (base / rel).resolve()
    if base not in full.parents:
        raise ValueError(f"path outside storage: {rel}")
    return full


def sha256_file(file: Path | str) -> str:
    digest = hashlib.sha256()
    with open(file, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def atomic_write(rel: str) -> Iterator[BinaryIO]:
    """Open a temporary file beside `rel`; on success it is fsynced and renamed into place."""
    target = path(rel)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".part-")
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def move_into(rel: str, source: Path) -> None:
    """Move a finished file from the work area (same file system) into place: a rename, not a copy,
    which for a 300-page archival copy saves writing 1.5 GB again."""
    target = path(rel)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(source, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(source, target)
    _fsync_dir(target.parent)


def put_bytes(rel: str, data: bytes) -> None:
    with atomic_write(rel) as out:
        out.write(data)


def original_rel(sha256: str) -> str:
    return f"originals/{sha256[:2]}/{sha256}"


def store_original(source: IO[bytes]) -> tuple[str, str, int]:
    """Copy an incoming file into the content-addressed store: (relative path, sha256, size)."""
    tmp_dir = root() / "incoming"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    fd, tmp = tempfile.mkstemp(dir=tmp_dir, prefix=".up-")
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        sha = digest.hexdigest()
        rel = original_rel(sha)
        target = path(rel)
        if target.exists():
            Path(tmp).unlink()  # same bytes already stored: originals are immutable, keep the first
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, target)
            os.chmod(target, 0o440)
            _fsync_dir(target.parent)
        return rel, sha, size
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def work_dir(intake_id: int) -> Path:
    directory = root() / "work" / str(intake_id)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def remove_work_dir(intake_id: int) -> None:
    shutil.rmtree(root() / "work" / str(intake_id), ignore_errors=True)


def read_plain(rel: str, owner: str | None = None) -> bytes:
    """The plaintext of a stored file: decrypted with `owner`'s data key ("document:12") when encrypted."""
    from sohoa.security import envelope

    key = envelope.data_key(owner) if owner else None
    return envelope.read_file(path(rel), key)


def open_plain(rel: str, owner: str | None = None) -> BinaryIO:
    """A file object to serve: the file itself when plain, its decryption in memory when encrypted."""
    import io

    from sohoa.security import envelope

    full = path(rel)
    if not envelope.is_encrypted_file(full):
        return open(full, "rb")
    return io.BytesIO(read_plain(rel, owner))
