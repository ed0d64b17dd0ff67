"""Fixity: re-hash every stored original and archival copy against the checksum recorded at ingest."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sohoa.core import audit

from . import storage
from .models import DigitalCopy, FixityAlert, PageReplacement


@dataclass
class FixityReport:
    checked: int = 0
    problems: list[dict[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _check(copy: DigitalCopy, rel: str, expected: str, report: FixityReport) -> None:
    report.checked += 1
    file = storage.path(rel)
    if not file.exists():
        problem, actual = "missing", ""
    else:
        actual = storage.sha256_file(file)
        if actual == expected:
            return
        problem = "mismatch"
    report.problems.append(
        {"path": rel, "problem": problem, "expected": expected, "actual": actual, "document_id": str(copy.document_id)}
    )
    FixityAlert.objects.get_or_create(
        path=rel,
        problem=problem,
        resolved=False,
        defaults={"expected_sha256": expected, "actual_sha256": actual, "copy": copy},
    )


def check_all(progress: Callable[[int], None] | None = None) -> FixityReport:
    """Check every digital copy's two files; alerts are raised (once) for each mismatch or missing file."""
    report = FixityReport()
    for copy in DigitalCopy.objects.order_by("pk").iterator(chunk_size=500):
        _check(copy, copy.original_path, copy.original_sha256, report)
        _check(copy, copy.archival_path, copy.archival_sha256, report)
        if progress:
            progress(1)
    # Page rescans: the rescan's own original, and the archival copy it superseded (kept, never
    # overwritten); the current archival copy is the DigitalCopy's, checked above.
    rescans = PageReplacement.objects.filter(status=PageReplacement.Status.DONE, page__document__isnull=False)
    for rep in rescans.select_related("page__document__digital_copy").order_by("pk").iterator(chunk_size=500):
        copy = rep.page.document.digital_copy  # type: ignore[union-attr]
        _check(copy, rep.original_path, rep.original_sha256, report)
        if rep.previous_archival_path:
            _check(copy, rep.previous_archival_path, rep.previous_archival_sha256, report)
    audit.record(
        "fixity_check",
        object_type="digitization.digitalcopy",
        details={"checked": report.checked, "problems": len(report.problems)},
    )
    return report
