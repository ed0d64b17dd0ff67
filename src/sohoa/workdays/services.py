"""Writes of the Office's calendar: add, change and delete a day, each audited.

The first row entered for a year first copies that year's Labour Code defaults into rows (audited as
one "holiday_seed"): configured rows replace the defaults of their year, so without the copy one added
Saturday would silently drop Tết. The Office then edits the copied days to match the announcement.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from sohoa.core import audit, policy

from . import calendar
from .models import Holiday


def _check(actor: Any) -> None:
    if actor is not None and not policy.can_create(actor, Holiday):
        raise PermissionDenied(_("Your role may not change the working-day calendar."))


def _validate(*, date: dt.date, name: str, kind: str, exclude_pk: int | None = None) -> None:
    if not calendar.MIN_YEAR <= date.year <= calendar.MAX_YEAR:
        raise ValidationError(
            _("The calendar covers the years %(first)s–%(last)s.")
            % {"first": calendar.MIN_YEAR, "last": calendar.MAX_YEAR}
        )
    if not name.strip():
        raise ValidationError(_("Give the day a name."))
    if kind not in Holiday.Kind.values:
        raise ValidationError(_("Unknown kind of day."))
    if kind == Holiday.Kind.MAKE_UP and date.weekday() < 5:
        raise ValidationError(
            _("A make-up working day must fall on a Saturday or Sunday; %(date)s is a %(weekday)s.")
            % {"date": date_format(date, "SHORT_DATE_FORMAT"), "weekday": date_format(date, "l")}
        )
    same_date = Holiday.objects.filter(date=date)
    existing = (same_date.exclude(pk=exclude_pk) if exclude_pk else same_date).first()
    if existing is not None:
        raise ValidationError(
            _("%(date)s is already in the calendar (%(name)s): change that day instead.")
            % {"date": date_format(date, "SHORT_DATE_FORMAT"), "name": existing.name}
        )


def _seed(*, actor: Any, year: int, skip: dt.date | None = None) -> None:
    """Copy `year`'s defaults into rows (all but the day `skip`, which the caller is entering itself)."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    days = [d for d in calendar.default_days(year) if d.date != skip]
    note = "Mặc định theo Điều 112 Bộ luật Lao động 2019"  # data, in the language of the law
    Holiday.objects.bulk_create(
        [Holiday(date=d.date, name=d.name, kind=d.kind, note=note, created_by=user, updated_by=user) for d in days]
    )
    audit.record(
        "holiday_seed",
        actor=actor,
        object_type="workdays.holiday",
        object_id=str(year),
        object_repr=str(year),
        details={"days": [d.date.isoformat() for d in days]},
    )


def _save(holiday: Holiday) -> None:
    try:
        with transaction.atomic():
            holiday.save()
    except IntegrityError:  # someone saved the same date between our check and our write
        raise ValidationError(_("This date was entered by someone else meanwhile; reload the page.")) from None


@transaction.atomic
def holiday_create(
    *, actor: Any, date: dt.date, name: str, kind: str = Holiday.Kind.DAY_OFF, note: str = ""
) -> Holiday:
    """Add one day. In a year not configured yet the defaults are copied first, and a default on the
    same date gives way to the day entered (it is what the Office means for that date)."""
    _check(actor)
    name, note = name.strip(), note.strip()
    _validate(date=date, name=name, kind=kind)
    if not Holiday.objects.filter(date__year=date.year).exists():
        _seed(actor=actor, year=date.year, skip=date)
    user = actor if getattr(actor, "is_authenticated", False) else None
    holiday = Holiday(date=date, name=name, kind=kind, note=note, created_by=user, updated_by=user)
    _save(holiday)
    audit.record("holiday_create", actor=actor, obj=holiday, details={"kind": kind, "note": note})
    return holiday


@transaction.atomic
def holiday_update(*, actor: Any, holiday: Holiday, date: dt.date, name: str, kind: str, note: str = "") -> Holiday:
    """Change one day (moving it to another year copies that year's defaults first, as adding does)."""
    _check(actor)
    holiday = Holiday.objects.select_for_update().get(pk=holiday.pk)
    name, note = name.strip(), note.strip()
    _validate(date=date, name=name, kind=kind, exclude_pk=holiday.pk)
    if date.year != holiday.date.year and not Holiday.objects.filter(date__year=date.year).exists():
        _seed(actor=actor, year=date.year, skip=date)
    before = {"date": holiday.date.isoformat(), "name": holiday.name, "kind": holiday.kind, "note": holiday.note}
    holiday.date, holiday.name, holiday.kind, holiday.note = date, name, kind, note
    holiday.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    _save(holiday)
    after = {"date": date.isoformat(), "name": name, "kind": kind, "note": note}
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    audit.record("holiday_update", actor=actor, obj=holiday, details={"changes": changes})
    return holiday


@transaction.atomic
def holiday_delete(*, actor: Any, holiday: Holiday) -> None:
    """Remove one day. Removing a year's last row returns the year to the Labour Code defaults."""
    _check(actor)
    details = {"date": holiday.date.isoformat(), "name": holiday.name, "kind": holiday.kind}
    audit.record("holiday_delete", actor=actor, obj=holiday, details=details)
    Holiday.objects.filter(pk=holiday.pk).delete()
