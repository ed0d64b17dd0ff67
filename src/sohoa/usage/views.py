"""Usage pages: the effectiveness view, and the share / cite / request-the-paper acts that are counted."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from sohoa.archive import selectors as archive_selectors
from sohoa.registry import selectors as registry_selectors
from sohoa.reports import selectors as report_selectors

from . import selectors, services
from .forms import CiteForm, EffectivenessForm, RequestForm, ShareForm
from .models import UseKind


def _effectiveness(request: HttpRequest, form: EffectivenessForm) -> selectors.Effectiveness:
    """A unit outside the user's scope answers 404 (like the progress report)."""
    unit_id = form.cleaned_data.get("unit")
    user = request.user
    unit = report_selectors.report_unit_get(user, unit_id) if unit_id else report_selectors.default_report_unit(user)
    if unit is None:
        raise Http404
    return selectors.effectiveness(
        user,
        unit=unit,
        months=form.cleaned_data["months"],
        digitized_from=form.cleaned_data["digitized_from"],
        digitized_to=form.cleaned_data["digitized_to"],
        cost_per_page=form.cleaned_data["cost"],
    )


@login_required
def effectiveness_page(request: HttpRequest) -> HttpResponse:
    form = EffectivenessForm(request.GET)
    context: dict[str, Any] = {"form": form, "units": registry_selectors.units_in_scope(request.user)}
    if not form.is_valid():
        return render(request, "usage/effectiveness.html", context, status=400)
    result = _effectiveness(request, form)
    cost = result.cost_per_page
    context.update(
        result=result,
        cost=cost,
        totals=result.totals.as_dict(cost),
        rows=[(r.unit, r.tally.as_dict(cost)) for r in result.children],
        uses=[(UseKind(k).label, n) for k, n in sorted(result.uses_by_kind.items())],
        query=request.GET.urlencode(),
    )
    return render(request, "usage/effectiveness.html", context)


@login_required
def effectiveness_json(request: HttpRequest) -> HttpResponse:
    form = EffectivenessForm(request.GET)
    if not form.is_valid():
        errors = [str(m) for ms in form.errors.values() for m in ms]
        return JsonResponse({"errors": errors}, status=400, json_dumps_params={"ensure_ascii": False})
    return JsonResponse(_effectiveness(request, form).as_json(), json_dumps_params={"ensure_ascii": False})


def _act(
    request: HttpRequest, *, form: Any, target: Any, title: str, done: str, back: str, record: Any, link: str = ""
) -> HttpResponse:
    """The shared flow of the three acts: show the form, record the use when it is valid, go back."""
    if request.method == "POST" and form.is_valid():
        record(form.cleaned_data)
        messages.success(request, done)
        return redirect(back)
    if request.method == "POST":
        messages.error(request, _("Please correct the errors below."))
    context = {"form": form, "target": target, "title": title, "back": back, "link": link}
    return render(request, "usage/act.html", context, status=400 if form.errors else 200)


@login_required
def document_share(request: HttpRequest, pk: int) -> HttpResponse:
    document = archive_selectors.document_get(request.user, pk)
    back = reverse("document_detail", args=[pk])
    form = ShareForm(request.POST or None, user=request.user)

    def record(data: dict[str, Any]) -> None:
        services.use_record(
            actor=request.user, kind=UseKind.SHARE, document=document, recipient=data["recipient"], note=data["note"]
        )

    return _act(
        request,
        form=form,
        target=document,
        title=_("Share this document"),
        done=_("The share was recorded: send the colleague this page's link."),
        back=back,
        record=record,
        link=request.build_absolute_uri(back),
    )


@login_required
def document_cite(request: HttpRequest, pk: int) -> HttpResponse:
    document = archive_selectors.document_get(request.user, pk)

    def record(data: dict[str, Any]) -> None:
        note = data["cited_in"] + (f" — {data['note']}" if data["note"] else "")
        services.use_record(actor=request.user, kind=UseKind.CITATION, document=document, note=note)

    return _act(
        request,
        form=CiteForm(request.POST or None),
        target=document,
        title=_("Record a citation"),
        done=_("The citation was recorded."),
        back=reverse("document_detail", args=[pk]),
        record=record,
    )


@login_required
def entry_request(request: HttpRequest, pk: int) -> HttpResponse:
    entry = archive_selectors.register_get(request.user, pk)

    def record(data: dict[str, Any]) -> None:
        services.use_record(actor=request.user, kind=UseKind.REQUEST, entry=entry, note=data["purpose"])

    return _act(
        request,
        form=RequestForm(request.POST or None),
        target=entry,
        title=_("Request the paper document"),
        done=_("The request for the paper was recorded."),
        back=reverse("register_detail", args=[pk]),
        record=record,
    )
