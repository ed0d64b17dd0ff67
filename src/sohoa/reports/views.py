"""Report pages: the progress page and its downloads (each download is audited as an export)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from sohoa.registry import selectors as registry_selectors

from . import charts, formatting, selectors, services
from .forms import ProgressForm
from .models import Series
from .selectors import Count, Progress


def _progress(request: HttpRequest, form: ProgressForm) -> Progress:
    """The report the query asks for; a unit outside the user's scope answers 404."""
    unit_id = form.cleaned_data.get("unit")
    unit = selectors.report_unit_get(request.user, unit_id) if unit_id else selectors.default_report_unit(request.user)
    if unit is None:
        raise Http404
    return selectors.progress(
        request.user,
        unit=unit,
        year_from=form.cleaned_data["year_from"],
        year_to=form.cleaned_data["year_to"],
        basis=form.cleaned_data["basis"],
    )


def _unit_options(request: HttpRequest, selected: int | None) -> str:
    """The unit <option>s, built in one pass: a province has hundreds of units, and a template loop
    over model instances cost more than the whole report (benchmarks/progress_bench.py)."""
    units = registry_selectors.units_in_scope(request.user).values_list("pk", "code", "name")
    return format_html_join(
        "",
        '<option value="{}"{}>{} — {}</option>',
        ((pk, mark_safe(" selected") if pk == selected else "", code, name) for pk, code, name in units),  # noqa: S308
    )


def _rows(progress: Progress) -> list[dict[str, object]]:
    return [
        {"label": Series(name).label, "count": count, "fraction": formatting.fraction(count)}
        for name, count in progress.series
    ]


@login_required
def progress_page(request: HttpRequest) -> HttpResponse:
    form = ProgressForm(request.GET)
    context: dict[str, object] = {"form": form}
    if not form.is_valid():
        context["unit_options"] = _unit_options(request, None)
        return render(request, "reports/progress.html", context, status=400)
    progress = _progress(request, form)
    context.update(
        unit_options=_unit_options(request, progress.unit.pk),
        progress=progress,
        rows=_rows(progress),
        totals=formatting.fraction(progress.totals),
        children=[
            {"unit": r.unit, "count": r.row.totals, "fraction": formatting.fraction(r.row.totals)}
            for r in progress.children
        ],
        chart=charts.svg(progress),
        query=f"unit={progress.unit.pk}&from={progress.year_from}&to={progress.year_to}&by={progress.basis}",
        formats=services.FORMATS,
    )
    return render(request, "reports/progress.html", context)


def _bar(count: Count) -> dict[str, object]:
    """What a row with a percent bar shows; the meter's value is unlocalized (HTML wants a dot)."""
    return {"count": count, "fraction": formatting.fraction(count), "value": f"{count.percent or 0:.1f}"}


@login_required
def dashboard_page(request: HttpRequest) -> HttpResponse:
    """The unit (by default the top of the user's scope) at a glance; counts follow the access policy."""
    form = ProgressForm(request.GET)
    context: dict[str, object] = {"form": form}
    if not form.is_valid():
        context["unit_options"] = _unit_options(request, None)
        return render(request, "reports/dashboard.html", context, status=400)
    unit_id = form.cleaned_data.get("unit")
    unit = selectors.report_unit_get(request.user, unit_id) if unit_id else selectors.default_report_unit(request.user)
    if unit is None:
        return render(request, "reports/dashboard.html", context)  # a user without units sees an empty page
    board = selectors.dashboard(
        request.user,
        unit=unit,
        year_from=form.cleaned_data["year_from"],
        year_to=form.cleaned_data["year_to"],
        basis=form.cleaned_data["basis"],
    )
    progress = board.progress
    children = [(r.unit.code, r.row.totals) for r in progress.children]
    context.update(
        unit_options=_unit_options(request, unit.pk),
        board=board,
        progress=progress,
        totals=_bar(progress.totals),
        series=[{"label": Series(name).label, **_bar(count)} for name, count in progress.series],
        children=[{"unit": r.unit, **_bar(r.row.totals)} for r in progress.children],
        at_risk=[{"unit": r.unit, **_bar(r.count)} for r in board.at_risk],
        chart=charts.svg(progress),
        units_chart=mark_safe(  # noqa: S308 — as above
            charts.units_svg(children, title=_("Percent digitized by unit"))
        )
        if children
        else "",
        query=f"unit={progress.unit.pk}&from={progress.year_from}&to={progress.year_to}&by={progress.basis}",
    )
    return render(request, "reports/dashboard.html", context)


@login_required
def progress_download(request: HttpRequest, format: str) -> HttpResponse:  # noqa: A002 — the URL's word
    if format not in services.FORMATS:
        raise Http404
    form = ProgressForm(request.GET)
    if not form.is_valid():
        return HttpResponse(
            "; ".join(str(m) for ms in form.errors.values() for m in ms), status=400, content_type="text/plain"
        )
    export = services.report_export(actor=request.user, progress=_progress(request, form), fmt=format, via="web")
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response
