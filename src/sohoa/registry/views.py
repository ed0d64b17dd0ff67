"""Registry pages: the tree of units, one unit, and its create/edit form."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from sohoa.core import audit, policy
from sohoa.core.web import edit, list_template, paginate

from . import selectors, services
from .forms import UnitForm
from .models import Unit, UnitKind


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    q, kind = request.GET.get("q", "").strip(), request.GET.get("kind", "")
    units = selectors.unit_list(request.user, q=q, kind=kind if kind in UnitKind.values else "")
    context = {
        "page": paginate(request, units),
        "q": q,
        "kind": kind,
        "kinds": UnitKind.choices,
        "can_create": policy.can_create(request.user, Unit),
    }
    return render(request, list_template(request, "registry/unit_list.html", "registry/_unit_results.html"), context)


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = selectors.unit_get(request.user, pk)
    successors, predecessors = selectors.unit_successions(request.user, unit)
    audit.record("view", actor=request.user, obj=unit)
    context = {
        "unit": unit,
        "children": unit.children.all(),
        "successors": successors,
        "predecessors": predecessors,
        "can_edit": policy.can_edit(request.user, unit),
    }
    return render(request, "registry/unit_detail.html", context)


def _unit_form(request: HttpRequest, instance: Unit) -> HttpResponse:
    form = UnitForm(request.POST or None, instance=instance)
    title = _("Edit unit") if instance.pk else _("New unit")
    return edit(
        request,
        form=form,
        save=lambda u: services.unit_save(actor=request.user, unit=u),
        template="archive/form.html",
        context={"title": title},
        success=lambda u: reverse("unit_detail", args=[u.pk]),
    )


@login_required
def unit_create(request: HttpRequest) -> HttpResponse:
    return _unit_form(request, Unit())


@login_required
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _unit_form(request, selectors.unit_get(request.user, pk))
