"""Periodic core work: the signed checkpoint of the audit chain's head (decision 0024) and the purge of
old form drafts (decision 0031)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import audit, services

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*/10"))
def audit_checkpoint() -> None:
    """Every ten minutes, when the head moved: append it, signed, to the checkpoint file."""
    try:
        written = audit.write_checkpoint()
    except Exception:  # the key may be missing; the next run tries again, and audit-verify says why
        log.exception("audit checkpoint not written")
        return
    if written is not None:
        log.info("audit checkpoint #%d written", written.seq)


@db_periodic_task(crontab(hour="3", minute="20"))
def drafts_purge() -> None:
    """Every night: delete form drafts nobody saved for SOHOA_DRAFT_DAYS days (safe to re-run)."""
    services.drafts_purge()
