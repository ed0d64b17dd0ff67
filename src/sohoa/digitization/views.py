"""Digitization pages: upload, live progress, intake detail, downloads of archival copies and thumbnails."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sohoa.core import audit, policy
from sohoa.core.web import paginate

from . import selectors, services, storage
from .forms import UploadForm
from .models import Intake


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    if not policy.can_create(request.user, Intake):
        raise PermissionDenied
    form = UploadForm(request.POST or None, user=request.user, initial={"unit": request.user.units.first()})  # type: ignore[union-attr]
    files = request.FILES.getlist("files")
    if request.method == "POST":
        if not files:
            form.add_error(None, _("Choose at least one file."))
        if form.is_valid():
            batch = uuid.uuid4()
            try:
                for file in files:
                    services.intake_create(
                        actor=request.user,
                        file=file,
                        name=file.name or "upload",
                        unit=form.cleaned_data["unit"],
                        record=form.cleaned_data.get("record"),
                        register_entry=form.cleaned_data.get("register_entry"),
                        confidentiality=form.cleaned_data["confidentiality"],
                        force_ocr=form.cleaned_data["force_ocr"],
                        source=Intake.Source.WEB,
                        batch=batch,
                    )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("%(n)d file(s) received and queued.") % {"n": len(files)})
                return redirect(reverse("intake_list") + f"?batch={batch}")
    return render(request, "digitization/upload.html", {"form": form}, status=400 if form.errors else 200)


def _batch(request: HttpRequest) -> uuid.UUID | None:
    try:
        return uuid.UUID(request.GET.get("batch", ""))
    except ValueError:
        return None


@login_required
def intake_list(request: HttpRequest) -> HttpResponse:
    intakes = selectors.intake_list(request.user, batch=_batch(request))
    page = paginate(request, intakes)
    polling = any(not i.finished for i in page)
    template = (
        "digitization/_intake_table.html" if request.headers.get("HX-Request") else "digitization/intake_list.html"
    )
    return render(request, template, {"page": page, "polling": polling, "batch": _batch(request)})


@login_required
def intake_detail(request: HttpRequest, pk: int) -> HttpResponse:
    intake = selectors.intake_get(request.user, pk)
    context = {
        "intake": intake,
        "pages": selectors.intake_pages(request.user, intake),
        "can_edit": policy.can_edit(request.user, intake),
    }
    template = (
        "digitization/_intake_status.html" if request.headers.get("HX-Request") else "digitization/intake_detail.html"
    )
    return render(request, template, context)


@login_required
@require_POST
def intake_retry(request: HttpRequest, pk: int) -> HttpResponse:
    intake = selectors.intake_get(request.user, pk)
    if not policy.can_edit(request.user, intake):
        raise PermissionDenied
    try:
        services.intake_retry(actor=request.user, intake=intake)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("intake_detail", pk=pk)


@login_required
@require_POST
def intake_discard(request: HttpRequest, pk: int) -> HttpResponse:
    intake = selectors.intake_get(request.user, pk)
    if not policy.can_edit(request.user, intake):
        raise PermissionDenied
    try:
        services.intake_discard(actor=request.user, intake=intake)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("intake_detail", pk=pk)


def _download_name(copy) -> str:  # type: ignore[no-untyped-def]
    """Circular 05/2025: record code + "." + order in the record; otherwise the document's number."""
    document = copy.document
    if document.identifier:
        return f"{document.identifier}.pdf"
    return f"sohoa-{document.pk}.pdf"


@login_required
def archival_download(request: HttpRequest, document_id: int) -> FileResponse:
    copy = selectors.copy_for_document(request.user, document_id)
    audit.record("download", actor=request.user, obj=copy.document, details={"file": "archival"})
    return FileResponse(
        open(storage.path(copy.archival_path), "rb"),
        as_attachment=request.GET.get("inline") != "1",
        filename=_download_name(copy),
        content_type="application/pdf",
    )


@login_required
def original_download(request: HttpRequest, document_id: int) -> FileResponse:
    copy = selectors.copy_for_document(request.user, document_id)
    audit.record("download", actor=request.user, obj=copy.document, details={"file": "original"})
    return FileResponse(
        open(storage.path(copy.original_path), "rb"),
        as_attachment=True,
        filename=copy.original_name,
        content_type=copy.original_mime or "application/octet-stream",
    )


@login_required
def page_thumbnail(request: HttpRequest, pk: int) -> FileResponse:
    page = selectors.page_get(request.user, pk)
    if not page.thumb_path:
        from django.http import Http404

        raise Http404
    response = FileResponse(open(storage.path(page.thumb_path), "rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response
