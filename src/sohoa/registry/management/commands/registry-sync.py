"""sohoa registry-sync FILE.csv|.xlsx --kind organizations|members — sync with the central database's export."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sohoa.core.progress import ProgressBar
from sohoa.core.tabular import TabularError, write_import_report
from sohoa.registry.models import SyncKind, SyncSource
from sohoa.registry.sync import Plan, read_sync_file, registry_sync


class Command(BaseCommand):
    help = (
        "Sync party organizations or members from an export of the central database: show the diff "
        "(new, changed, missing, conflicting, malformed rows), then apply the valid rows in one transaction."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--kind", required=True, choices=SyncKind.values)
        parser.add_argument("--source", default="", help="name of a saved column mapping (registry-sync-source)")
        parser.add_argument("--dry-run", action="store_true", help="show the diff, change nothing")
        parser.add_argument(
            "--end-missing",
            action="store_true",
            help="set valid_to = today on organizations/members of the covered provinces the export no longer names",
        )
        parser.add_argument("--json", action="store_true", help="one JSON object per line on stdout")

    def handle(self, *args: Any, **options: Any) -> None:
        source = None
        if options["source"]:
            source = SyncSource.objects.filter(name=options["source"]).first()
            if source is None:
                raise CommandError(_("Unknown sync source “%(name)s”.") % {"name": options["source"]})
        try:
            file = read_sync_file(options["file"])
        except TabularError as exc:
            raise CommandError(str(exc)) from None
        as_json = options["json"]
        bar: ProgressBar | None = None

        def on_plan(plan: Plan) -> None:
            nonlocal bar
            self._print_diff(plan.diff(), as_json=as_json)
            if not options["dry_run"]:
                total = len(plan.new) + len(plan.changed) + (len(plan.missing) if options["end_missing"] else 0)
                bar = ProgressBar(total, _("applying"))

        try:
            result = registry_sync(
                actor=None,
                kind=options["kind"],
                file=file,
                source=source,
                dry_run=options["dry_run"],
                end_missing=options["end_missing"],
                progress=lambda n: bar.advance(n) if bar is not None else None,
                on_plan=on_plan,
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        if bar is not None:
            bar.close()
        summary = {**result.summary(), "file": file.name, "sha256": file.sha256}
        write_import_report(self, summary, as_json=as_json)
        if not as_json:
            self._print_outcome(summary)

    def _print_diff(self, diff: dict[str, Any], *, as_json: bool) -> None:
        """The diff before anything is applied: one line (or JSON object) per new, changed, missing object
        and per conflicting row; malformed rows come with the summary."""
        lines: list[dict[str, Any]] = []
        lines += [{"type": "new", **i} for i in diff["new"]]
        lines += [{"type": "changed", **i} for i in diff["changed"]]
        lines += [{"type": "missing", **i} for i in diff["missing"]]
        lines += [{"type": "conflict", **i} for i in diff["conflicts"]]
        for line in lines:
            if as_json:
                self.stdout.write(json.dumps(line, ensure_ascii=False))
                continue
            self.stdout.write(self._describe(line))

    def _describe(self, line: dict[str, Any]) -> str:
        kind = line["type"]
        if kind == "conflict":
            return _("conflict, row %(row)d: %(reason)s") % {"row": line["row"], "reason": line["reason"]}
        if kind == "missing":
            return _("missing from the export: %(code)s %(name)s") % {"code": line["code"], "name": line["name"]}
        changes = "; ".join(
            f"{name}: {old if old is not None else '∅'} → {new if new is not None else '∅'}"
            for name, (old, new) in line["changes"].items()
        )
        if kind == "new":
            return _("new, row %(row)d: %(code)s (%(changes)s)") % {**line, "changes": changes}
        return _("changed, row %(row)d: %(code)s (%(changes)s)") % {**line, "changes": changes}

    def _print_outcome(self, summary: dict[str, Any]) -> None:
        if summary["dry_run"]:
            self.stdout.write(_("Dry run: nothing was applied."))
            return
        if summary["rejected"]:
            self.stdout.write(
                _("The valid rows were applied; the %(n)d rows listed on stderr were not.")
                % {"n": len(summary["rejected"])}
            )
        for failure in summary["end_failed"]:
            self.stderr.write(_("%(code)s not ended: %(reason)s") % failure)
        if summary["missing"] and summary["ended"] == 0:
            self.stdout.write(
                _("%(n)d missing from the export were only reported (use --end-missing to end them).")
                % {"n": summary["missing"]}
            )
