from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CopiesConfig(AppConfig):
    name = "sohoa.copies"
    label = "copies"
    verbose_name = _("Register of copies of classified documents")
