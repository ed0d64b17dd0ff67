"""System checks (run by `sohoa check`, the server and the worker): where the master key lives."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register
from django.db import DatabaseError


@register()
def key_file_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    from .keys import key_file
    from .models import DataKey

    errors = []
    data_dir = settings.DATA_DIR.resolve()
    path = key_file().resolve()
    if path == data_dir or data_dir in path.parents:
        errors.append(
            Error(
                f"The master key file {path} is inside the data directory {data_dir}.",
                hint="Set SOHOA_KEY_FILE to a path outside SOHOA_DATA_DIR (a copy of the data must not carry its key).",
                id="sohoa.E001",
            )
        )
    try:
        encrypted = DataKey.objects.exists()
    except DatabaseError:  # before the first migrate
        encrypted = False
    if encrypted and not path.exists():
        errors.append(
            Error(
                f"The master key file {path} is missing, but encrypted documents exist.",
                hint="Restore the key file from its backup (without it the classified documents cannot be read).",
                id="sohoa.E002",
            )
        )
    return errors
