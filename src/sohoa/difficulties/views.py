"""Difficulty pages: list, file, detail with history, status change, and the aggregate with its XLSX."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sohoa.core import policy
from sohoa.core.web import attach_errors, edit, int_param, paginate

from . import exports, selectors, services
from .forms import DifficultyForm, FilterForm, StatusForm
from .models import Category, Difficulty, Status


@login_required
def difficulty_list(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None)
    status, category = form.values()
    items = selectors.difficulty_list(
        request.user, statuses=selectors.statuses_for(status), category=category, unit=int_param(request, "unit")
    )
    context = {
        "form": form,
        "page": paginate(request, items),
        "can_file": policy.can_create(request.user, Difficulty),
    }
    return render(request, "difficulties/list.html", context)


@login_required
def difficulty_create(request: HttpRequest) -> HttpResponse:
    form = DifficultyForm(request.POST or None, user=request.user, instance=Difficulty())
    return edit(
        request,
        form=form,
        save=lambda d: services.difficulty_file(actor=request.user, difficulty=d),
        template="archive/form.html",
        context={"title": _("File a difficulty or proposal")},
        success=lambda d: reverse("difficulty_detail", args=[d.pk]),
    )


def _detail(request: HttpRequest, difficulty: Difficulty, form: StatusForm, status: int = 200) -> HttpResponse:
    context = {
        "object": difficulty,
        "history": selectors.difficulty_history(request.user, difficulty),
        "form": form if services.may_decide(request.user) else None,
    }
    return render(request, "difficulties/detail.html", context, status=status)


@login_required
def difficulty_detail(request: HttpRequest, pk: int) -> HttpResponse:
    difficulty = selectors.difficulty_get(request.user, pk)
    return _detail(request, difficulty, StatusForm(initial={"status": difficulty.status}))


@login_required
@require_POST
def difficulty_status(request: HttpRequest, pk: int) -> HttpResponse:
    difficulty = selectors.difficulty_get(request.user, pk)
    if not services.may_decide(request.user):
        raise PermissionDenied
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.difficulty_set_status(
                actor=request.user,
                difficulty=difficulty,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Status changed."))
            return redirect("difficulty_detail", pk=pk)
    messages.error(request, _("Please correct the errors below."))
    return _detail(request, difficulty, form, status=400)


def _summary(request: HttpRequest) -> tuple[FilterForm, selectors.Summary]:
    form = FilterForm(request.GET or None)
    status, _category = form.values()
    return form, selectors.summary(request.user, statuses=selectors.statuses_for(status))


@login_required
def difficulty_summary(request: HttpRequest) -> HttpResponse:
    form, summary = _summary(request)
    categories = summary.categories
    context = {
        "form": form,
        "summary": summary,
        "category_rows": [(Category(c).label, summary.by_category[c]) for c in categories],
        "category_labels": [Category(c).label for c in categories],
        "unit_rows": summary.unit_rows(),
        "chart": exports.svg(summary) if categories else "",
        "query": request.GET.urlencode(),
        "status_labels": [Status(s).label for s in summary.statuses],
    }
    return render(request, "difficulties/summary.html", context, status=400 if form.errors else 200)


@login_required
def difficulty_summary_xlsx(request: HttpRequest) -> HttpResponse:
    form, summary = _summary(request)
    items = list(selectors.difficulty_list(request.user, statuses=summary.statuses).order_by("unit__path", "category"))
    content = services.summary_export(actor=request.user, summary=summary, items=items)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="kho-khan-de-xuat_{timezone.localdate():%Y%m%d}.xlsx"'
    return response
