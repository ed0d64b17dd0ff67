"""sohoa search-check [--repair] [--json] — compare the search index with the database.

Finds documents missing from the index, stale in it (the database changed since), orphaned in it (no
longer in the database) or indexed twice, and an index that is unreadable or of another schema version.
--repair fixes them (a damaged or outdated index is rebuilt, otherwise only the differences) and checks
again. Exit code 0 when the index is (now) in step, 1 when problems remain.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sohoa.archive.models import Document
from sohoa.core import audit
from sohoa.core.progress import ProgressBar
from sohoa.search import services
from sohoa.search.index import IndexBusy
from sohoa.search.services import CheckReport

LISTS = ("missing", "stale", "orphaned", "duplicated")
SHOWN = 20  # ids printed per list in the text output
JSON_IDS = 100  # ids per list in a JSON object


def as_dict(report: CheckReport, phase: str) -> dict[str, Any]:
    """One JSON object for one pass of the check."""
    out: dict[str, Any] = {
        "phase": phase,
        "ok": report.ok,
        "schema_ok": report.schema_ok,
        "readable": report.readable,
        "error": report.error,
        "documents": report.documents,
        "indexed": report.indexed,
    }
    for name in LISTS:
        ids = getattr(report, name)
        out[name] = len(ids)
        out[f"{name}_ids"] = ids[:JSON_IDS]
    return out


class Command(BaseCommand):
    help = (
        "Compare the search index with the database: documents missing, stale, orphaned or duplicated in the "
        "index, schema version, readability. --repair fixes what it finds and checks again. Exit code 0 when "
        "the index is (now) in step with the database, 1 when problems remain. With --json, one JSON object "
        'per check on stdout: {"phase": "check"} for the index as found and, when --repair had something to '
        'fix, a second {"phase": "repaired"} for the index after the repair; each has ok, schema_ok, readable, '
        "error, "
        "documents, indexed, the counts missing/stale/orphaned/duplicated and the first 100 ids of each "
        "(missing_ids …)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--repair", action="store_true", help="fix what is found, then check again")
        parser.add_argument("--json", action="store_true", help="one JSON object per check (see above)")

    def handle(self, *args: Any, **options: Any) -> None:
        as_json = options["json"]
        report = self._check(_("checking index"))
        self._show(report, "check", as_json)
        if options["repair"] and not report.ok:
            bar = ProgressBar(Document.objects.count(), _("repairing index"))
            try:
                report = services.repair(report, progress=bar.advance)
            except IndexBusy:
                raise CommandError(_("The search index is busy (a reindex is running?): try again later.")) from None
            finally:
                bar.close()
            found = {name: len(getattr(report, name)) for name in LISTS}
            audit.record("search_repair", object_type="search.index", details={"ok": report.ok, **found})
            self._show(report, "repaired", as_json)
        if not report.ok:
            if options["repair"]:
                message = _("The search index still differs from the database after the repair.")
            else:
                message = _("The search index differs from the database: run `sohoa search-check --repair`.")
            raise CommandError(message, returncode=1)

    def _check(self, label: str) -> CheckReport:
        bar = ProgressBar(Document.objects.count(), label)
        try:
            report = services.check(progress=bar.advance)
            bar.advance(max(0, bar.total - bar.done))  # check() reports in steps of 200 documents
            return report
        finally:
            bar.close()

    def _show(self, report: CheckReport, phase: str, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(as_dict(report, phase), ensure_ascii=False))
            return
        if phase == "repaired":
            self.stdout.write(_("After the repair:"))
        if not report.schema_ok:
            self.stdout.write(_("Schema version: WRONG (the index was built by another version: it must be rebuilt)"))
        else:
            self.stdout.write(_("Schema version: OK"))
        if not report.readable:
            self.stdout.write(_("Index readable: NO (%(error)s)") % {"error": report.error})
        else:
            self.stdout.write(_("Index readable: OK"))
        self.stdout.write(
            _("%(documents)d documents in the database, %(indexed)d entries in the index.")
            % {"documents": report.documents, "indexed": report.indexed}
        )
        labels = {
            "missing": _("Missing from the index"),
            "stale": _("Stale in the index (changed since)"),
            "orphaned": _("Orphaned in the index (no longer in the database)"),
            "duplicated": _("Indexed more than once"),
        }
        for name in LISTS:
            ids = getattr(report, name)
            line = f"{labels[name]}: {len(ids)}"
            if ids:
                shown = ", ".join(str(i) for i in ids[:SHOWN])
                more = _(" … and %(n)d more") % {"n": len(ids) - SHOWN} if len(ids) > SHOWN else ""
                line += f" ({shown}{more})"
            self.stdout.write(line)
        self.stdout.write(_("Index in step with the database.") if report.ok else _("Problems found."))
