"""sohoa ingest PATH... --unit CODE [--record CODE] [--confidentiality LEVEL] [--wait] [--json]

Without --wait the files are queued for the background worker. With --wait they are processed here,
on every core, with a progress bar on stderr; --json prints one line per input file on stdout.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import uuid
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils.translation import gettext as _

from sohoa.archive.models import Record
from sohoa.core.models import LEVEL_CODES
from sohoa.core.progress import ProgressBar
from sohoa.digitization import pipeline
from sohoa.digitization.models import Intake
from sohoa.digitization.services import intake_create
from sohoa.registry.models import Unit


def _expand(paths: list[str]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            files += sorted(f for f in p.rglob("*") if f.is_file() and not f.name.startswith("."))
        elif p.is_file():
            files.append(p)
        else:
            raise CommandError(_("No such file or folder: %(path)s") % {"path": raw})
    return files


def _page_job(job: tuple[int, int]) -> tuple[int, int, bool]:
    intake_id, number = job
    try:
        pipeline.process_page(intake_id, number)
        pipeline.finish(intake_id)
        return intake_id, number, True
    except Exception as exc:  # reported on the intake; the other files carry on
        pipeline.fail_page(intake_id, number, exc)
        return intake_id, number, False


def _result(path: Path, intake: Intake) -> dict[str, Any]:
    copy = getattr(intake.document, "digital_copy", None) if intake.document_id else None
    status = {"done": "done", "duplicate": "duplicate"}.get(str(intake.status), "failed")
    if intake.status in (Intake.Status.QUEUED, Intake.Status.PROCESSING):
        status = "queued"
    error = (
        (_(intake.error) % intake.error_params if intake.error_params else _(intake.error)) if intake.error else None
    )
    archival = copy.archival_path if copy is not None and intake.confidentiality == 0 else None
    return {
        "path": str(path),
        "document_id": intake.document_id,
        "status": status,
        "pages": intake.pages_total,
        "sha256": intake.sha256,
        "archival_path": archival,
        "error": error,
    }


class Command(BaseCommand):
    help = "Digitize files or folders: OCR into PDF/A archival copies."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("paths", nargs="+")
        parser.add_argument("--unit", required=True)
        parser.add_argument("--record")
        parser.add_argument("--confidentiality", default="none", help=" | ".join(LEVEL_CODES))
        parser.add_argument("--wait", action="store_true", help="process here, on all cores, and wait")
        parser.add_argument("--force-ocr", action="store_true", help="OCR born-digital PDFs too")
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)

    def handle(self, *args: Any, **options: Any) -> None:
        unit = Unit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(_("Unknown unit code: %(codes)s") % {"codes": options["unit"]})
        record = None
        if options["record"]:
            record = Record.objects.filter(code=options["record"]).first()
            if record is None:
                raise CommandError(_("Unknown record code: %(code)s") % {"code": options["record"]})
        if options["confidentiality"] not in LEVEL_CODES:
            raise CommandError(
                _("Unknown confidentiality “%(c)s”; use one of: %(all)s")
                % {"c": options["confidentiality"], "all": ", ".join(LEVEL_CODES)}
            )
        files = _expand(options["paths"])
        batch, intakes = uuid.uuid4(), []
        for file in files:
            with open(file, "rb") as fh:
                try:
                    intakes.append(
                        intake_create(
                            actor=None,
                            file=fh,
                            name=file.name,
                            unit=unit,
                            source=Intake.Source.CLI,
                            batch=batch,
                            record=record,
                            confidentiality=int(LEVEL_CODES[options["confidentiality"]]),
                            force_ocr=options["force_ocr"],
                            enqueue=not options["wait"],
                        )
                    )
                except ValidationError as exc:
                    raise CommandError(" ".join(exc.messages)) from None
        if options["wait"]:
            self._process(intakes, options["jobs"])
        for file, intake in zip(files, intakes, strict=True):
            intake.refresh_from_db()
            result = _result(file, intake)
            if options["json"]:
                self.stdout.write(json.dumps(result, ensure_ascii=False))
            else:
                self.stdout.write(f"{result['status']:<9} {file}  " + (result["error"] or f"#{intake.document_id}"))

    def _process(self, intakes: list[Intake], jobs: int) -> None:
        work = [(intake.pk, n) for intake in intakes for n in pipeline.prepare(intake.pk)]
        for intake in intakes:
            pipeline.finish(intake.pk)  # intakes whose pages were all done already
        bar = ProgressBar(len(work), _("pages"))
        if jobs <= 1 or len(work) <= 1:
            for job in work:
                _page_job(job)
                bar.advance()
        else:
            connections.close_all()  # each forked worker opens its own
            context = multiprocessing.get_context("fork")
            with context.Pool(min(jobs, len(work)), maxtasksperchild=200) as pool:
                for _intake_id, number, _ok in pool.imap_unordered(_page_job, work):
                    bar.advance(note=f"p.{number}")
        bar.close()
