"""Background indexing: the worker takes the writer, the web process only reads. Ids in, safe to re-run."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

# Retries wait out a rebuild, which holds the write lock for minutes on a large archive.
RETRY = {"retries": 20, "retry_delay": 30}


@db_task(**RETRY)
def index_documents(ids: list[int]) -> None:
    from . import services

    services.index_documents(ids)


@db_task(**RETRY)
def index_related(model: str, pk: int) -> None:
    """A unit, record or fonds changed: its documents' indexed names, paths or record codes change too."""
    from . import services

    services.index_related(model, pk)


@db_task(**RETRY)
def rebuild_index() -> None:
    from . import services

    services.rebuild()
