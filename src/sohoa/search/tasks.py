"""Background indexing: the worker takes the writer, the web process only reads. Ids in, safe to re-run."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

# A task finding the index locked (a rebuild holds it for minutes on a large archive) fails at once with
# IndexBusy and is retried later, so it never sleeps in a worker slot the OCR tasks need.
RETRY = {"retries": 40, "retry_delay": 15}
LOCK_WAIT = 1.0


@db_task(**RETRY)
def index_documents(ids: list[int]) -> None:
    from . import services

    services.index_documents(ids, wait=LOCK_WAIT)


@db_task(**RETRY)
def index_related(model: str, pk: int) -> None:
    """A unit, record or fonds changed: its documents' indexed names, paths or record codes change too."""
    from . import services

    services.index_related(model, pk, wait=LOCK_WAIT)


@db_task(**RETRY)
def rebuild_index() -> None:
    from . import services

    services.rebuild(wait=LOCK_WAIT)
