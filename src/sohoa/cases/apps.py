from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "sohoa.cases"
    label = "cases"
    verbose_name = _("Inspection and supervision case files")

    def ready(self) -> None:
        # Case subjects are mentions (codes.owners) and case files pass to a successor (reorg.kinds): both
        # tables are extended here, so neither app changes for them.
        from . import registration

        registration.register()
