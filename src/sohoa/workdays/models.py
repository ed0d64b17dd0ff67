"""The Office's configuration of the legal calendar: days off and make-up working days, year by year.

The government announces each year's holidays (which days around Tết, which day next to 2/9, which
Saturdays are worked to make up a bridge day); the Office enters them here. A year with no rows follows
the Labour Code's defaults (sohoa.workdays.calendar); a year with rows follows its rows only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Holiday(models.Model):
    """One day that differs from the ordinary week: a day off, or a worked Saturday/Sunday (ngày làm bù)."""

    class Kind(models.TextChoices):
        DAY_OFF = "off", _("Day off")
        MAKE_UP = "work", _("Make-up working day")

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=200, help_text=_("e.g. Tết Nguyên đán, nghỉ bù Quốc khánh"))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.DAY_OFF)
    note = models.CharField(_("note"), max_length=500, blank=True, help_text=_("e.g. the announcement's number"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    #: Also the calendar cache's change marker (with the row count): every write moves it.
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"
