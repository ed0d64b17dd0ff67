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


def store_original(source: IO[bytes], key: bytes | None = None) -> tuple[str, str, int]:
    """Copy an incoming file into the content-addressed store: (relative path, sha256, size).

    With a data `key` (a classified intake) the file is encrypted on the way in and never written in
    the clear: it goes to `originals/sealed/`, named and hashed by its ciphertext, so neither its path
    nor its recorded checksum reveals (or matches) the plaintext's hash. `size` is the plaintext's."""
    if key is not None:
        return _store_sealed(source, key)
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


class _Counting:
    """A reader that counts the bytes read through it."""

    def __init__(self, source: IO[bytes]) -> None:
        self.source, self.size = source, 0

    def read(self, n: int = -1) -> bytes:
        data = self.source.read(n)
        self.size += len(data)
        return data


class _Hashing:
    """A writer that hashes what goes through it."""

    def __init__(self, target: BinaryIO) -> None:
        self.target, self.digest = target, hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return self.target.write(data)


def sealed_original_rel(cipher_sha256: str) -> str:
    return f"originals/sealed/{cipher_sha256[:2]}/{cipher_sha256}"


def _store_sealed(source: IO[bytes], key: bytes) -> tuple[str, str, int]:
    from sohoa.security import envelope

    tmp_dir = root() / "incoming"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=tmp_dir, prefix=".up-")
    reader = _Counting(source)
    try:
        with os.fdopen(fd, "wb") as out:
            writer = _Hashing(out)
            envelope.encrypt_stream(key, reader, writer)  # type: ignore[arg-type]
            out.flush()
            os.fsync(out.fileno())
        sha = writer.digest.hexdigest()
        rel = sealed_original_rel(sha)
        target = path(rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, target)
        os.chmod(target, 0o440)
        _fsync_dir(target.parent)
        return rel, sha, reader.size
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def put_sealed(rel: str, source: IO[bytes], key: bytes) -> str:
    """Encrypt `source` into place under `rel` (temporary name, fsync, rename); the ciphertext's sha256."""
    from sohoa.security import envelope

    with atomic_write(rel) as out:
        writer = _Hashing(out)
        envelope.encrypt_stream(key, source, writer)  # type: ignore[arg-type]
    return writer.digest.hexdigest()


def put_file(rel: str, source: Path, key: bytes | None) -> str:
    """Put a finished work file into place, encrypted when a `key` is given (the work file is then
    removed); returns the sha256 of the bytes stored."""
    if key is None:
        move_into(rel, source)
        return sha256_file(path(rel))
    with open(source, "rb") as fh:
        sha = put_sealed(rel, fh, key)
    source.unlink(missing_ok=True)
    return sha


def secure_root() -> Path:
    """This storage root's own directory in SOHOA_SECURE_WORK_DIR (outside the data dir, a tmpfs by default)."""
    tag = hashlib.sha256(str(root().resolve()).encode()).hexdigest()[:12]
    return Path(settings.SECURE_WORK_DIR) / tag


def work_dir(intake_id: int, *, secure: bool = False) -> Path:
    """The intake's work directory: under the storage root, or in the secure work dir for a classified
    intake (its work files are plaintext pages and OCR output: they must not touch the data dir)."""
    directory = (secure_root() if secure else root() / "work") / str(intake_id)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    return directory


def secure_check_dir() -> Path:
    """A fresh private directory in the secure work dir (the caller removes it)."""
    base = secure_root()
    base.mkdir(parents=True, exist_ok=True, mode=0o700)
    return Path(tempfile.mkdtemp(dir=base, prefix="tmp-"))


def remove_work_dir(intake_id: int) -> None:
    shutil.rmtree(root() / "work" / str(intake_id), ignore_errors=True)
    shutil.rmtree(secure_root() / str(intake_id), ignore_errors=True)


def plain_copy(rel: str, key: bytes | None, directory: Path, name: str) -> Path:
    """A plaintext copy of a stored file in `directory` (a secure work dir), made once; the stored file
    itself when it is not encrypted."""
    from sohoa.security import envelope

    stored = path(rel)
    if not envelope.is_encrypted_file(stored):
        return stored
    target = directory / name
    if target.exists():
        return target
    if key is None:
        from sohoa.security.keys import KeyMissing

        raise KeyMissing(f"{rel} is encrypted and no data key was given")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".dec-")
    try:
        with os.fdopen(fd, "wb") as out, open(stored, "rb") as src:
            for chunk in envelope.decrypt_stream(key, src):
                out.write(chunk)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


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
