"""Periodic audit work: the signed checkpoint of the chain's head (decision 0024)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import audit

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
