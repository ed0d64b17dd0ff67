"""Huey tasks: they take ids, call the pipeline, and are safe to run again (ARCHITECTURE.md rule 5).

One `ingest` per intake splits it into page batches; batches of all intakes run in parallel on the
workers; the batch that completes an intake's last page assembles it. A worker that dies mid-intake
loses nothing: on start-up every unfinished intake is queued again and only its missing work is done.
"""

from __future__ import annotations

import logging

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from . import pipeline
from .models import Intake

log = logging.getLogger(__name__)


@db_task()
def ingest(intake_id: int) -> None:
    numbers = pipeline.prepare(intake_id)
    size = settings.DIGITIZATION["PAGE_BATCH"]
    for i in range(0, len(numbers), size):
        ocr_pages(intake_id, numbers[i : i + size])
    if not numbers:
        pipeline.finish(intake_id)  # every page was already done before a crash


@db_task()
def ocr_pages(intake_id: int, numbers: list[int]) -> None:
    for number in numbers:
        try:
            pipeline.process_page(intake_id, number)
        except Exception as exc:  # one bad page fails its intake, never the worker
            pipeline.fail_page(intake_id, number, exc)
            return
    pipeline.finish(intake_id)


def resume_unfinished() -> int:
    """Queue again every intake a stopped worker left unfinished; returns how many."""
    unfinished = Intake.objects.filter(status__in=[Intake.Status.QUEUED, Intake.Status.PROCESSING])
    ids = list(unfinished.values_list("pk", flat=True))
    unfinished.update(step="")  # an assembly cut short is started again
    for intake_id in ids:
        ingest(intake_id)
    return len(ids)


@HUEY.on_startup()
def _resume_on_startup() -> None:
    try:
        with HUEY.lock_task("sohoa-resume"):
            count = resume_unfinished()
            if count:
                log.warning("resumed %d unfinished intakes", count)
    except Exception:  # another worker of this consumer is already doing it
        pass


@db_periodic_task(crontab(hour="2", minute="30"))
def fixity_nightly() -> None:
    from .fixity import check_all

    check_all()


@db_task()
def rescan_page(replacement_id: int) -> None:
    from .rework import process_replacement

    process_replacement(replacement_id)


@db_task()
def sync_document_files(document_id: int) -> None:
    """Encrypt (classified) or decrypt (declassified) a document's files after its level changed."""
    from .secrecy import sync_document_files as sync

    sync(document_id)
