"""sohoa extract PATH... [--json] [--jobs N]

Reads the header of each file's first page (OCR when needed; a .txt is taken as already-extracted
text) and prints the fields: with --json one line per file {"file","fields","confidence"} (and
"error" when the file could not be read), on all cores, with a progress bar on stderr.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils.translation import gettext as _

from sohoa.core.progress import ProgressBar
from sohoa.extraction.header import extract
from sohoa.extraction.reading import ReadError, read_first_page
from sohoa.extraction.selectors import unit_matcher


def _files(paths: list[str]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files += sorted(f for f in path.rglob("*") if f.is_file() and not f.name.startswith("."))
        elif path.is_file():
            files.append(path)
        else:
            raise CommandError(_("No such file or folder: %(path)s") % {"path": raw})
    return files


_MATCHER: Any = None


def _one(file: Path) -> dict[str, Any]:
    try:
        result = extract(read_first_page(file), match_unit=_MATCHER)
    except ReadError as exc:
        return {"file": str(file), "fields": None, "confidence": None, "error": _(str(exc))}
    return {"file": str(file), **result.as_dict(), "unit_code": result.unit_code}


class Command(BaseCommand):
    help = "Read the header fields (number, date, issuer, subject …) of documents."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("paths", nargs="+")
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)

    def handle(self, *args: Any, **options: Any) -> None:
        global _MATCHER
        files = _files(options["paths"])
        _MATCHER = unit_matcher()  # loaded once, inherited by the forked workers
        bar = ProgressBar(len(files), _("files"))
        if options["jobs"] > 1 and len(files) > 1:
            connections.close_all()
            with multiprocessing.get_context("fork").Pool(min(options["jobs"], len(files))) as pool:
                results = []
                for result in pool.imap(_one, files):
                    results.append(result)
                    bar.advance()
        else:
            results = []
            for file in files:
                results.append(_one(file))
                bar.advance()
        bar.close()
        for result in results:
            if options["json"]:
                self.stdout.write(json.dumps(result, ensure_ascii=False))
            else:
                self.stdout.write(_describe(result))


def _describe(result: dict[str, Any]) -> str:
    if result.get("error"):
        return f"{result['file']}: {result['error']}"
    fields = result["fields"]
    shown = ", ".join(f"{k}={v}" for k, v in fields.items() if v)
    return f"{result['file']}: {shown or _('no header found')}"
