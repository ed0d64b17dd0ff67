"""Report pages: the progress page and its downloads (each download is audited as an export)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe

from sohoa.registry import selectors as registry_selectors

from . import charts, formatting, selectors, services
from .forms import ProgressForm
from .models import Series
from .selectors import Progress


def _progress(request: HttpRequest, form: ProgressForm) -> Progress:
    """The report the query asks for; a unit outside the user's scope answers 404."""
    unit_id = form.cleaned_data.get("unit")
    unit = selectors.report_unit_get(request.user, unit_id) if unit_id else selectors.default_report_unit(request.user)
    if unit is None:
        raise Http404
    return selectors.progress(
        request.user, unit=unit, year_from=form.cleaned_data["year_from"], year_to=form.cleaned_data["year_to"]
    )


def _rows(progress: Progress) -> list[dict[str, object]]:
    return [
        {"label": Series(name).label, "count": count, "fraction": formatting.fraction(count)}
        for name, count in progress.series
    ]


@login_required
def progress_page(request: HttpRequest) -> HttpResponse:
    form = ProgressForm(request.GET)
    context: dict[str, object] = {"form": form, "units": registry_selectors.units_in_scope(request.user)}
    if not form.is_valid():
        return render(request, "reports/progress.html", context, status=400)
    progress = _progress(request, form)
    context.update(
        progress=progress,
        rows=_rows(progress),
        totals=formatting.fraction(progress.totals),
        children=[
            {"unit": r.unit, "count": r.row.totals, "fraction": formatting.fraction(r.row.totals)}
            for r in progress.children
        ],
        chart=mark_safe(charts.svg(progress)),  # noqa: S308 — pygal escapes labels; no scripts (js=[])
        query=f"unit={progress.unit.pk}&from={progress.year_from}&to={progress.year_to}",
        formats=services.FORMATS,
    )
    return render(request, "reports/progress.html", context)


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
