from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExtractionConfig(AppConfig):
    name = "sohoa.extraction"
    label = "extraction"
    verbose_name = _("Metadata extraction")
