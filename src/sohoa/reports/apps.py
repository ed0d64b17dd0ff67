from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _keep_counter_triggers(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """A later migration that rebuilds a counted table on SQLite drops its triggers: put them back."""
    from django.db import connections

    from . import counters

    counters.ensure_triggers(connections[using])


class ReportsConfig(AppConfig):
    name = "sohoa.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        post_migrate.connect(_keep_counter_triggers, sender=self, dispatch_uid="sohoa-progress-triggers")
