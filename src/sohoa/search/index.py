"""Where the index lives, how readers see new commits, and the one writer.

Tantivy allows one writer per index (a lock file); tasks take it briefly, retrying while another process
holds it. Readers keep one open Index per process and reload it when the index's meta.json changed.
The directory holds SCHEMA_VERSION in `version`; an index of another version is not used (reindex).
"""

from __future__ import annotations

import contextlib
import fcntl
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from tantivy import Index, IndexWriter

from .analyzers import register
from .schema import SCHEMA_VERSION, build_schema

_lock = threading.Lock()
_open: dict[str, tuple[Index, tuple[int, float]]] = {}


class IndexBusy(RuntimeError):
    pass


class IndexUnavailable(FileNotFoundError):
    """No index, or one built by another schema version: it must be (re)built before it can be read."""


def index_dir() -> Path:
    return Path(getattr(settings, "SEARCH_INDEX_DIR", None) or Path(settings.DATA_DIR) / "index")


def _stamp(path: Path) -> tuple[int, float]:
    """Which directory (a rebuild swaps in a new one) and which commit (meta.json is rewritten by each)."""
    try:
        return path.stat().st_ino, (path / "meta.json").stat().st_mtime_ns / 1e9
    except FileNotFoundError:
        return 0, 0.0


def version_ok(path: Path | None = None) -> bool:
    path = path or index_dir()
    try:
        return (path / "version").read_text().strip() == str(SCHEMA_VERSION)
    except FileNotFoundError:
        return False


def usable(path: Path | None = None) -> bool:
    path = path or index_dir()
    return (path / "meta.json").exists() and version_ok(path)


def open_index(path: Path | None = None, create: bool = False) -> Index:
    """The index at `path` (the configured one by default). Readers never create or replace one (an index
    of another version stays until the rebuild swaps it out); writers pass create=True."""
    path = path or index_dir()
    key = str(path)
    with _lock:
        cached = _open.get(key)
        stamp = _stamp(path)
        if cached is not None and cached[1][0] == stamp[0] and stamp[0]:
            index, seen = cached
            if stamp != seen:
                index.reload()
                _open[key] = (index, stamp)
            return index
        if not usable(path):
            if not create:
                raise IndexUnavailable(path)
            if path.exists():
                shutil.rmtree(path)
            path.mkdir(parents=True)
            index = Index(build_schema(), str(path))
            (path / "version").write_text(str(SCHEMA_VERSION))
        else:
            index = Index.open(str(path))
        register(index)
        _open[key] = (index, _stamp(path))
        return index


def forget(path: Path | None = None) -> None:
    """Drop this process's handle (after the directory was replaced or removed)."""
    with _lock:
        _open.pop(str(path or index_dir()), None)


@contextlib.contextmanager
def write_lock(wait: float = 60.0) -> Iterator[None]:
    """Exclusive right to change the live index, across processes; a rebuild holds it from start to swap,
    so no change made meanwhile goes into the index that is about to be replaced."""
    path = index_dir().with_name(index_dir().name + ".lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as f:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise IndexBusy(str(path)) from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


@contextlib.contextmanager
def writer(path: Path | None = None, heap: int = 128_000_000, threads: int = 0) -> Iterator[Any]:
    """The index writer, held for the block and committed at its end (rolled back on an error).
    Writers of the live index hold write_lock() around this."""
    index = open_index(path, create=True)
    w: IndexWriter = index.writer(heap_size=heap, num_threads=threads)
    try:
        yield w
    except BaseException:
        w.rollback()
        raise
    else:
        w.commit()
        w.wait_merging_threads()  # lets merges of small segments finish and releases the lock
    finally:
        del w
    open_index(path)  # this process's readers see the commit at once
