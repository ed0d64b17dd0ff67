"""Writes to the search index: upsert and delete by document id, full rebuild, check and repair.

The index is derived data: the database is the truth, anything here can be rebuilt from it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db.models import Q
from tantivy import Query

from .documents import SearchDoc, from_database, to_tantivy
from .index import forget, index_dir, open_index, usable, version_ok, write_lock, writer
from .query import blind_key

Progress = Callable[[int], None]


def _upsert(w: object, docs: Iterable[SearchDoc], key: bytes, progress: Progress | None = None) -> int:
    n = 0
    for doc in docs:
        w.delete_documents_by_term("doc_id", doc.doc_id)  # type: ignore[attr-defined]
        w.add_document(to_tantivy(doc, key))  # type: ignore[attr-defined]
        n += 1
        if progress and n % 200 == 0:
            progress(200)
    if progress and n % 200:
        progress(n % 200)
    return n


def index_documents(ids: Iterable[int], wait: float = 60.0) -> int:
    """(Re)index these documents; ids that no longer exist are removed from the index.

    `wait` bounds the wait for the write lock (IndexBusy after it): a worker passes a short one and lets
    its queue retry later rather than hold a slot other tasks (OCR) need while a rebuild runs."""
    ids = sorted({int(i) for i in ids})
    if not ids:
        return 0
    if not usable():  # no index yet, or one of an older schema: build it whole (these ids included)
        return rebuild(wait=wait)
    docs = list(from_database(ids))
    gone = set(ids) - {d.doc_id for d in docs}
    with write_lock(wait):
        raised = _plain_in_index([d.doc_id for d in docs if d.level > 0])
        with writer() as w:
            for doc_id in gone:
                w.delete_documents_by_term("doc_id", doc_id)
            n = _upsert(w, docs, blind_key())
    if raised:
        # Their plain words stay in old segments after the delete until the segments are rewritten.
        rebuild(wait=wait)
    return n


def _plain_in_index(ids: list[int]) -> bool:
    """Whether any of these documents is in the index with plain text (it was not classified before)."""
    if not ids:
        return False
    index = open_index()
    searcher = index.searcher()
    query = Query.term_set_query(index.schema, "doc_id", ids)
    hits = searcher.search(query, len(ids) * 2, count=False).hits
    levels = searcher.fast_field_values("level", [a for _, a in hits])
    return any(level == 0 for level in levels)


def index_related(model: str, pk: int, wait: float = 60.0) -> int:
    """Reindex the documents under a unit (its subtree), in a record, or in a fonds's records."""
    from sohoa.archive.models import Document
    from sohoa.registry.models import Unit

    if model == "unit":
        path = Unit.objects.filter(pk=pk).values_list("path", flat=True).first()
        # Its documents as custodian and as creating unit (both facets hold the unit's path).
        docs = (
            Document.objects.filter(Q(unit__path__startswith=path) | Q(creator_unit__path__startswith=path))
            if path
            else Document.objects.none()
        )
    elif model == "record":
        docs = Document.objects.filter(record_id=pk)
    elif model == "fonds":
        docs = Document.objects.filter(record__fonds_id=pk)
    else:
        raise ValueError(model)
    ids = list(docs.values_list("pk", flat=True))
    for start in range(0, len(ids), 5000):
        index_documents(ids[start : start + 5000], wait)
    return len(ids)


def delete_documents(ids: Iterable[int]) -> None:
    with write_lock(), writer() as w:
        for doc_id in ids:
            w.delete_documents_by_term("doc_id", int(doc_id))


def rebuild(progress: Progress | None = None, docs: Iterable[SearchDoc] | None = None, wait: float = 600.0) -> int:
    """Build a complete new index beside the live one and swap it in; readers never see a half index.

    Also the only way to purge text Tantivy keeps in old segments after a delete (a document raised to a
    classified level must not leave its plain words behind).
    """
    live = index_dir()
    fresh, old = live.with_name(live.name + ".new"), live.with_name(live.name + ".old")
    with write_lock(wait):
        shutil.rmtree(fresh, ignore_errors=True)
        with writer(fresh, heap=512_000_000) as w:  # fewer, larger segments: less merging
            n = _upsert(w, from_database() if docs is None else docs, blind_key(), progress)
        forget(fresh)
        shutil.rmtree(old, ignore_errors=True)
        if live.exists():
            os.replace(live, old)
        os.replace(fresh, live)
        forget(live)
        shutil.rmtree(old, ignore_errors=True)
    return n


def ensure_index() -> bool:
    """Queue a full build when there is no usable index (new install, schema upgrade); True if queued."""
    from sohoa.archive.models import Document

    if usable():
        return False
    if not Document.objects.exists():
        open_index(create=True)  # a new archive: an empty index, nothing to build
        return False
    from .tasks import rebuild_index

    rebuild_index()
    return True


@dataclass
class CheckReport:
    schema_ok: bool = True
    readable: bool = True
    error: str = ""
    missing: list[int] = field(default_factory=list)  # in the database, not in the index
    stale: list[int] = field(default_factory=list)  # in both, but the index holds an older version
    orphaned: list[int] = field(default_factory=list)  # in the index, no longer in the database
    duplicated: list[int] = field(default_factory=list)  # more than once in the index
    documents: int = 0
    indexed: int = 0

    @property
    def ok(self) -> bool:
        return self.schema_ok and self.readable and not (self.missing or self.stale or self.orphaned or self.duplicated)


def _indexed(path: Path) -> dict[int, list[int]]:
    index = open_index(path, create=False)
    searcher = index.searcher()
    n = searcher.num_docs
    if not n:
        return {}
    hits = searcher.search(Query.all_query(), n, count=False).hits
    addrs = [a for _, a in hits]
    out: dict[int, list[int]] = {}
    for doc_id, digest in zip(
        searcher.fast_field_values("doc_id", addrs), searcher.fast_field_values("content_hash", addrs), strict=True
    ):
        out.setdefault(int(doc_id or 0), []).append(int(digest or 0))
    for addr in addrs:  # read every stored document (~4 µs each): damage in a .store file shows only there
        searcher.doc(addr)
    return out


def check(progress: Progress | None = None) -> CheckReport:
    """Compare the index with the database, document by document (content hash of what would be indexed)."""
    report = CheckReport()
    path = index_dir()
    if (path / "meta.json").exists() and not version_ok(path):
        report.schema_ok = False
    try:
        indexed = _indexed(path) if report.schema_ok else {}
    except BaseException as exc:  # a damaged index: Tantivy's error (or a Rust panic, not an Exception) says what
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        report.readable, report.error, indexed = False, str(exc).splitlines()[0][:300], {}
    report.indexed = sum(len(v) for v in indexed.values())
    seen: set[int] = set()
    for doc in from_database():
        report.documents += 1
        seen.add(doc.doc_id)
        digests = indexed.get(doc.doc_id)
        if not digests:
            report.missing.append(doc.doc_id)
        elif len(digests) > 1:
            report.duplicated.append(doc.doc_id)
        elif digests[0] != doc.content_hash():
            report.stale.append(doc.doc_id)
        if progress and report.documents % 200 == 0:
            progress(200)
    report.orphaned = sorted(set(indexed) - seen)
    return report


def repair(report: CheckReport, progress: Progress | None = None) -> CheckReport:
    """Fix what check() found: a damaged or outdated index is rebuilt, otherwise only the differences."""
    if not (report.schema_ok and report.readable):
        rebuild(progress)
    else:
        if report.orphaned:
            delete_documents(report.orphaned)
        todo = report.missing + report.stale + report.duplicated
        if todo:
            index_documents(todo)
    return check()
