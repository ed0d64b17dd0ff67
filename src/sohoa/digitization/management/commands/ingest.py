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
        with _Pages(options["jobs"] if options["wait"] else 0) as runner:
            for file in files:
                with open(file, "rb") as fh:
                    try:
                        intake = intake_create(
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
                    except ValidationError as exc:
                        raise CommandError(" ".join(exc.messages)) from None
                intakes.append(intake)
                runner.submit(intake)
        for file, intake in zip(files, intakes, strict=True):
            intake.refresh_from_db()
            result = _result(file, intake)
            if options["json"]:
                self.stdout.write(json.dumps(result, ensure_ascii=False))
            else:
                self.stdout.write(f"{result['status']:<9} {file}  " + (result["error"] or f"#{intake.document_id}"))


class _Pages:
    """Runs the pages of `--wait` intakes while later files are still being stored and opened.

    With several jobs the worker processes are forked once, up front, while this process holds no
    database connection, and never again: a child forked later would inherit a live connection (and
    could close it under the parent). jobs == 0: nothing runs here (the background worker does it).
    """

    def __init__(self, jobs: int) -> None:
        self.jobs, self.pool, self.pending = jobs, None, []  # type: ignore[var-annotated]
        self.bar = ProgressBar(0, _("pages")) if jobs else None
        if jobs > 1:
            connections.close_all()
            self.pool = multiprocessing.get_context("fork").Pool(jobs)

    def __enter__(self) -> _Pages:
        return self

    def submit(self, intake: Intake) -> None:
        if not self.jobs:
            return
        numbers = pipeline.prepare(intake.pk)
        pipeline.finish(intake.pk)  # an intake whose pages were all done already
        assert self.bar is not None
        self.bar.grow(len(numbers))
        for number in numbers:
            if self.pool is None:
                self._done(_page_job((intake.pk, number)))
            else:
                self.pending.append(self.pool.apply_async(_page_job, ((intake.pk, number),), callback=self._done))

    def _done(self, result: tuple[int, int, bool]) -> None:
        assert self.bar is not None
        self.bar.advance(note=f"p.{result[1]}")

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if self.pool is not None:
            if exc_type is None:
                for job in self.pending:
                    job.wait()
                self.pool.close()
            else:
                self.pool.terminate()
            self.pool.join()
        if self.bar is not None:
            self.bar.close()
