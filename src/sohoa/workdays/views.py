"""The Office's page of the legal calendar: a year's effective days off and make-up working days; the
Office adds, changes and deletes days there, everyone signed in reads it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sohoa.core import policy

from . import calendar, selectors, services
from .forms import HolidayForm
from .models import Holiday


def _year(raw: str | None) -> tuple[int, str]:
    """The year asked for, or this year with a message when the value is not a year we can compute."""
    if not raw:
        return selectors.this_year(), ""
    try:
        year = int(raw)
    except ValueError:
        year = 0
    if not calendar.MIN_YEAR <= year <= calendar.MAX_YEAR:
        message = _("“%(value)s” is not a year between %(first)s and %(last)s.") % {
            "value": raw,
            "first": calendar.MIN_YEAR,
            "last": calendar.MAX_YEAR,
        }
        return selectors.this_year(), message
    return year, ""


def _page(request: HttpRequest, year: int, form: HolidayForm, errors: list[str], status: int = 200) -> HttpResponse:
    context: dict[str, Any] = {
        "view": selectors.year_view(request.user, year),
        "form": form,
        "errors": errors,
        "can_edit": policy.can_create(request.user, Holiday),
        "min_year": calendar.MIN_YEAR,
        "max_year": calendar.MAX_YEAR,
    }
    return render(request, "workdays/calendar.html", context, status=status)


@login_required
def workday_calendar(request: HttpRequest) -> HttpResponse:
    """GET: one year's calendar; POST: add a day (Office and administrators)."""
    year, message = _year(request.GET.get("year"))
    if request.method != "POST":
        return _page(request, year, HolidayForm(), [message] if message else [], 400 if message else 200)
    if not policy.can_create(request.user, Holiday):
        raise PermissionDenied
    form = HolidayForm(request.POST)
    if form.is_valid():
        try:
            holiday = services.holiday_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect(f"{reverse('workday_calendar')}?year={holiday.date.year}")
    return _page(request, year, form, [], 400)


@login_required
def holiday_edit(request: HttpRequest, pk: int) -> HttpResponse:
    holiday = selectors.holiday_get(request.user, pk)
    if not policy.can_edit(request.user, holiday):
        raise PermissionDenied
    initial = {"date": holiday.date, "name": holiday.name, "kind": holiday.kind, "note": holiday.note}
    form = HolidayForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.holiday_update(actor=request.user, holiday=holiday, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect(f"{reverse('workday_calendar')}?year={form.cleaned_data['date'].year}")
    status = 400 if request.method == "POST" else 200
    return render(request, "workdays/edit.html", {"form": form, "object": holiday}, status=status)


@login_required
@require_POST
def holiday_delete(request: HttpRequest, pk: int) -> HttpResponse:
    holiday = selectors.holiday_get(request.user, pk)
    if not policy.can_edit(request.user, holiday):
        raise PermissionDenied
    year = holiday.date.year
    services.holiday_delete(actor=request.user, holiday=holiday)
    return redirect(f"{reverse('workday_calendar')}?year={year}")
