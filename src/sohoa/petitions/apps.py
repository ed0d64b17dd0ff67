from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    name = "sohoa.petitions"
    label = "petitions"
    verbose_name = _("Petitions")

    def ready(self) -> None:
        from . import intake, signals, transfer

        signals.connect()  # deadlines follow the holiday calendar
        transfer.register()  # a reorganization hands open petitions over
        intake.connect()  # the pipeline's finished/failed intakes reach their petitions
