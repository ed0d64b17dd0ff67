"""Digitization pages: upload, live progress, intake detail, downloads of archival copies and thumbnails;
QC review, the rework list with page rescans, and throughput per operator."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sohoa.core import audit, policy
from sohoa.core.models import Level
from sohoa.core.web import attach_errors, int_param, paginate
from sohoa.security.access import recent_auth_required
from sohoa.usage.services import use_record

from . import charts, selectors, services, storage
from .forms import RejectForm, RescanForm, ThroughputForm, UploadForm
from .models import DigitalCopy, Intake, Page, PageReplacement


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
    if not request.headers.get("HX-Request"):  # the status poll is not a new reading
        audit.record_access(request, intake, "intake")
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


def _classified_and_visible(request: HttpRequest, document_id: int) -> bool:
    """For re-authentication: a classified document the user may see. A hidden one answers False, so
    the view itself answers 404 and the re-authentication page does not reveal that it exists."""
    return selectors.classified_copy_visible(request.user, document_id)


def _copy_response(request: HttpRequest, copy: DigitalCopy, purpose: str) -> HttpResponse:
    """A new numbered, stamped copy of a classified document (decision 0022), never cached."""
    from sohoa.copies.services import make_copy

    made = make_copy(user=request.user, document=copy.document, purpose=purpose)
    stem = _download_name(copy).removesuffix(".pdf")
    response = HttpResponse(made.data, content_type="application/pdf")
    filename = f"{stem}-ban-{made.row.number}.pdf"
    response["Content-Disposition"] = content_disposition_header(purpose == "download", filename) or "inline"
    response["Cache-Control"] = "no-store"
    return response


@login_required
@recent_auth_required(_classified_and_visible)
def archival_download(request: HttpRequest, document_id: int) -> HttpResponseBase:
    copy = selectors.copy_for_document(request.user, document_id)
    inline = request.GET.get("inline") == "1" or request.GET.get("print") == "1"
    use_record(actor=request.user, kind="view" if inline else "download", document=copy.document)
    if copy.document.confidentiality >= Level.MAT:
        purpose = "print" if request.GET.get("print") == "1" else "view" if inline else "download"
        return _copy_response(request, copy, purpose)  # the copy's own audit event is written with it
    audit.record("download", actor=request.user, obj=copy.document, details={"file": "archival"})
    return FileResponse(
        storage.open_plain(copy.archival_path, f"document:{copy.document_id}"),
        as_attachment=not inline,
        filename=_download_name(copy),
        content_type="application/pdf",
    )


@login_required
@recent_auth_required(_classified_and_visible)
def original_download(request: HttpRequest, document_id: int) -> HttpResponseBase:
    copy = selectors.copy_for_document(request.user, document_id)
    if copy.document.confidentiality >= Level.MAT:
        # The untouched original of a classified document is not handed out (decision 0022): the
        # stamped copy of its archival PDF is.
        return redirect("archival_download", document_id=copy.document_id)
    audit.record("download", actor=request.user, obj=copy.document, details={"file": "original"})
    use_record(actor=request.user, kind="download", document=copy.document)
    return FileResponse(
        storage.open_plain(copy.original_path, f"document:{copy.document_id}"),
        as_attachment=True,
        filename=copy.original_name,
        content_type=copy.original_mime or "application/octet-stream",
    )


@login_required
def page_thumbnail(request: HttpRequest, pk: int) -> HttpResponseBase:
    page = selectors.page_get(request.user, pk)
    if not page.thumb_path:
        from django.http import Http404

        raise Http404
    owner = f"document:{page.document_id}" if page.document_id else f"intake:{page.intake_id}"
    level = selectors.page_level(page)
    if level >= Level.MAT:
        # Shown with a band naming the viewer and the time, like every copy of a classified document.
        from sohoa.security import watermark

        user = request.user
        lines = [
            f"{watermark.LEVEL_STAMP[level]} · {user.get_username()}",  # type: ignore[union-attr]
            timezone.localtime().strftime("%d/%m/%Y %H:%M"),
        ]
        with storage.open_plain(page.thumb_path, owner) as fh:
            data = watermark.stamp_image(fh.read(), lines=lines)
        stamped = HttpResponse(data, content_type="image/jpeg")
        stamped["Cache-Control"] = "private, no-store"
        return stamped
    response = FileResponse(storage.open_plain(page.thumb_path, owner), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


# ---- quality control --------------------------------------------------------------------------------


def _qc_page(
    request: HttpRequest, intake: Intake, *, bad: tuple[int, RejectForm] | None = None, status: int = 200
) -> HttpResponse:
    """The QC screen; `bad` re-shows one page's refused rejection with its errors and what was typed."""
    rows: list[dict[str, Any]] = []
    pending = 0
    for page in selectors.qc_pages(request.user, intake):
        pending += page.qc_status == Page.QcStatus.PENDING
        if bad is not None and bad[0] == page.pk:
            form = bad[1]
        else:
            form = RejectForm(initial={"reason": page.qc_issues[0] if page.qc_issues else ""})
        rows.append({"page": page, "form": form})
    context = {
        "intake": intake,
        "rows": rows,
        "can_review": services.can_review(request.user, intake),
        "pending": pending,
    }
    return render(request, "digitization/qc.html", context, status=status)


@login_required
def qc_review(request: HttpRequest, pk: int) -> HttpResponse:
    intake = selectors.intake_get(request.user, pk)
    audit.record_access(request, intake, "qc")
    return _qc_page(request, intake)


@login_required
@require_POST
def qc_accept(request: HttpRequest, pk: int) -> HttpResponse:
    intake = selectors.intake_get(request.user, pk)
    try:
        count = services.qc_accept(actor=request.user, intake=intake)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(n)d page(s) accepted.") % {"n": count})
    return redirect("qc_review", pk=pk)


@login_required
@require_POST
def page_reject(request: HttpRequest, pk: int) -> HttpResponse:
    page = selectors.page_get(request.user, pk)
    if not services.can_review(request.user, page):
        raise PermissionDenied
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            services.qc_reject(
                actor=request.user, page=page, reason=form.cleaned_data["reason"], note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Page %(n)d was sent back for rescanning.") % {"n": page.number})
            return redirect("qc_review", pk=page.intake_id)
    messages.error(request, _("Please correct the errors below."))
    return _qc_page(request, page.intake, bad=(page.pk, form), status=400)


def _rework_page(request: HttpRequest, *, bad: tuple[int, RescanForm] | None = None, status: int = 200) -> HttpResponse:
    unit_id = int_param(request, "unit")
    mine = request.GET.get("mine") == "1"
    qs = selectors.rework_list(request.user, unit_id=unit_id, operator_id=request.user.pk if mine else None)
    page = paginate(request, qs)
    from sohoa.registry import selectors as registry_selectors

    context = {
        "page": page,
        "units": registry_selectors.units_in_scope(request.user),
        "unit_id": unit_id,
        "mine": mine,
        "bad": bad,
        "can_rescan": policy.can_create(request.user, PageReplacement),
        "failed": PageReplacement.Status.FAILED,
    }
    return render(request, "digitization/rework.html", context, status=status)


@login_required
def rework_list(request: HttpRequest) -> HttpResponse:
    return _rework_page(request)


@login_required
@require_POST
def page_rescan(request: HttpRequest, pk: int) -> HttpResponse:
    page = selectors.page_get(request.user, pk)
    if not policy.can_create(request.user, PageReplacement):
        raise PermissionDenied
    form = RescanForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.page_replace(actor=request.user, page=page, file=upload, name=upload.name or "scan")
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("The new scan of page %(n)d was received and is being processed.") % {"n": page.number}
            )
            back = request.POST.get("next", "")
            safe = url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()})
            return redirect(back if back and safe else reverse("rework_list"))
    messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return _rework_page(request, bad=(page.pk, form), status=400)


# ---- throughput -------------------------------------------------------------------------------------


@login_required
def throughput(request: HttpRequest) -> HttpResponse:
    form = ThroughputForm(request.GET)
    context: dict[str, object] = {"form": form, "teams": selectors.teams(request.user)}
    if not form.is_valid():
        return render(request, "digitization/throughput.html", context, status=400)
    period = {"date_from": form.cleaned_data["date_from"], "date_to": form.cleaned_data["date_to"]}
    team_id = form.cleaned_data.get("team")
    if team_id:
        data = selectors.team_throughput(request.user, team_id=team_id, **period)
        if data is None:
            from django.http import Http404

            raise Http404
    else:
        data = selectors.throughput(request.user, **period)
    context.update(
        data=data,
        days=[(d, data.by_day[d]) for d in data.days if data.by_day[d]],
        team_id=team_id,
        team_rows=[] if team_id else selectors.team_rollup(request.user, data),
        chart=charts.throughput_svg(data),
    )
    return render(request, "digitization/throughput.html", context)
