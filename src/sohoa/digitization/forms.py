from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sohoa.archive.forms import ScopedForm

from .models import Intake


class UploadForm(ScopedForm):
    """Where the uploaded files go; the files themselves come from the multiple file input `files`."""

    force_ocr = forms.BooleanField(label=_("OCR born-digital PDFs too"), required=False)

    class Meta:
        model = Intake
        fields = ["unit", "record", "register_entry", "confidentiality"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["record"].required = False
        self.fields["record"].label = _("Record (optional)")
        self.fields["register_entry"].required = False
        self.fields["register_entry"].label = _("Register entry of the paper document (optional)")
