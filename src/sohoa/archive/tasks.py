"""Background work of the archive: register files uploaded in the browser (ids in, safe to re-run)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task


@db_task()
def register_import_run(import_id: int) -> None:
    from . import services

    services.register_import_run(import_id)
