"""What the pipeline tells other apps when an intake ends, so they need not poll it.

`intake_finished(intake, document)`: the intake is DONE and `document` is its archive document.
`intake_failed(intake)`: the intake stopped (failed, or a duplicate); the original is kept and
`intake.status`, `intake.error` and (for a duplicate of an archived file) `intake.document` say why.

Both are sent after the pipeline's own transaction committed, with `send_robust`: a receiver's error is
logged and never undoes or stops the digitization.
"""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import Signal

log = logging.getLogger(__name__)

intake_finished = Signal()
intake_failed = Signal()


def announce(signal: Signal, **kwargs: Any) -> None:
    """Send `signal` for an intake; receivers' exceptions are logged with the intake's id."""
    from .models import Intake

    for receiver, result in signal.send_robust(sender=Intake, **kwargs):
        if isinstance(result, Exception):
            log.error(
                "receiver %r of an intake signal failed for intake %s",
                receiver,
                getattr(kwargs.get("intake"), "pk", None),
                exc_info=result,
            )
