"""Huey tasks of petitions: they take ids or nothing, call a service, and are safe to run again."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import deadlines, notices

log = logging.getLogger(__name__)


@db_periodic_task(crontab(hour="6", minute="10"))
def petition_deadline_notices() -> None:
    """Every morning: notices for petitions whose deadline is near or past (one per deadline and person)."""
    new = notices.notify_deadlines()
    if new:
        log.info("%d petition deadline notices written", new)


@db_task()
def petition_deadlines_recompute() -> None:
    """After the holiday calendar changed: open petitions' deadlines follow it, then their notices."""
    changed = deadlines.recompute_deadlines()
    if changed:
        log.info("%d petition deadlines recomputed", changed)
        notices.notify_deadlines()
