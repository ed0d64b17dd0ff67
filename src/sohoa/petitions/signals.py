"""Open petitions' deadlines follow the working-day calendar: when the Office adds, changes or deletes a
holiday (sohoa.workdays), their deadlines are computed again after the commit (decision 0033).

The workdays app exposes no hook of its own, so this listens to its Holiday rows; bulk writes that send no
signal (the copy of a year's defaults) change no day, so they need no recomputation."""

from __future__ import annotations

from typing import Any

from django.db import transaction


def holiday_changed(sender: Any, **kwargs: Any) -> None:
    from .tasks import petition_deadlines_recompute

    transaction.on_commit(petition_deadlines_recompute, robust=True)


def connect() -> None:
    from django.db.models.signals import post_delete, post_save

    from sohoa.workdays.models import Holiday

    post_save.connect(holiday_changed, sender=Holiday, dispatch_uid="petitions_holiday_saved")
    post_delete.connect(holiday_changed, sender=Holiday, dispatch_uid="petitions_holiday_deleted")
