"""Reorganization pages: list, record, detail with the proposal (adjusted item by item with htmx),
propose, execute, and the stored hand-over minutes."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sohoa.core import audit, policy

from . import kinds, selectors, services
from .forms import AssignForm, ReorganizationForm
from .models import Reorganization, TransferItem

#: Items listed per kind on the page (a province hands over hundreds of thousands of documents; they
#: follow their records, and the minutes list them all).
PAGE_ITEMS = 500


@login_required
def reorg_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "reorg/list.html",
        {
            "objects": selectors.reorganization_list(request.user),
            "can_create": policy.can_create(request.user, Reorganization),
        },
    )


@login_required
def reorg_create(request: HttpRequest) -> HttpResponse:
    if not policy.can_create(request.user, Reorganization):
        raise PermissionDenied
    form = ReorganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            reorganization = services.reorganization_create(actor=request.user, **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("reorg_detail", pk=reorganization.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "reorg/form.html", {"form": form}, status=status)


def _detail(request: HttpRequest, reorganization: Reorganization, errors: list[str] | None = None) -> HttpResponse:
    sections = []
    for name, kind in kinds.KINDS.items():
        queryset = selectors.items(reorganization).filter(kind=name)
        count = queryset.count()
        if count:
            sections.append(
                {
                    "name": name,
                    "label": kind.label,
                    "count": count,
                    "items": list(queryset[:PAGE_ITEMS]),
                    "optional": kind.optional_target,
                }
            )
    context = {
        "object": reorganization,
        "dissolved": services.dissolved_units(reorganization),
        "successors": services.successor_units(reorganization),
        "sections": sections,
        "decision": services.decision_text(reorganization),
        "can_edit": policy.can_edit(request.user, reorganization),
        "executed": reorganization.status == Reorganization.Status.EXECUTED,
        "errors": errors or [],
    }
    return render(request, "reorg/detail.html", context, status=400 if errors else 200)


@login_required
def reorg_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.reorganization_get(request.user, pk))


@login_required
@require_POST
def reorg_propose(request: HttpRequest, pk: int) -> HttpResponse:
    reorganization = selectors.reorganization_get(request.user, pk)
    try:
        services.reorganization_propose(actor=request.user, reorganization=reorganization)
    except ValidationError as exc:
        return _detail(request, reorganization, exc.messages)
    return redirect("reorg_detail", pk=pk)


@login_required
@require_POST
def reorg_execute(request: HttpRequest, pk: int) -> HttpResponse:
    reorganization = selectors.reorganization_get(request.user, pk)
    try:
        services.reorganization_execute(actor=request.user, reorganization=reorganization)
    except ValidationError as exc:
        reorganization.refresh_from_db()
        return _detail(request, reorganization, exc.messages)
    return redirect("reorg_detail", pk=pk)


@login_required
@require_POST
def reorg_item_assign(request: HttpRequest, pk: int) -> HttpResponse:
    obj = selectors.item_get(request.user, pk)
    reorganization = obj.reorganization
    form = AssignForm(request.POST)
    if not form.is_valid():
        return HttpResponse("; ".join(str(m) for ms in form.errors.values() for m in ms), status=400)
    successors = services.successor_units(reorganization)
    target = next((s for s in successors if s.pk == form.cleaned_data["to_unit"]), None)
    try:
        if form.cleaned_data["to_unit"] and target is None:
            raise ValidationError(_("Only a successor of this reorganization can receive it."))
        services.transfer_item_assign(actor=request.user, item=obj, to_unit=target)
    except ValidationError as exc:
        return HttpResponse("; ".join(exc.messages), status=400)
    if request.headers.get("HX-Request"):
        obj = TransferItem.objects.select_related("from_unit", "to_unit").get(pk=obj.pk)
        return render(
            request,
            "reorg/_item.html",
            {
                "item": obj,
                "object": reorganization,
                "successors": successors,
                "optional": kinds.get(obj.kind).optional_target,
                "can_edit": True,
                "saved": True,
            },
        )
    return redirect("reorg_detail", pk=reorganization.pk)


@login_required
def reorg_minutes(request: HttpRequest, pk: int, format: str) -> FileResponse:  # noqa: A002 — the URL's word
    reorganization = selectors.reorganization_get(request.user, pk)
    path = {"docx": reorganization.minutes_docx, "pdf": reorganization.minutes_pdf}.get(format)
    if not path:
        raise Http404
    audit.record("export", actor=request.user, obj=reorganization, details={"what": "minutes", "format": format})
    return FileResponse(
        default_storage.open(path, "rb"),
        as_attachment=True,
        filename=f"bien-ban-giao-nhan-{reorganization.pk}.{format}",
    )
