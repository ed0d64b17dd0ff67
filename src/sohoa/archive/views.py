"""Archive pages: thin views over selectors (reads) and services (writes)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from sohoa.core import audit, policy
from sohoa.core.web import attach_errors, describe, edit, int_param, list_template, paginate
from sohoa.digitization import selectors as digitization_selectors
from sohoa.usage.services import use_record

from . import selectors, services
from .forms import (
    DocumentFilterForm,
    DocumentForm,
    FondsForm,
    RecordForm,
    RegisterEntryForm,
    RegisterImportForm,
    RegisterPickForm,
)
from .models import Direction, Document, Fonds, Record, RegisterEntry

DOCUMENT_FIELDS = [
    "identifier",
    "notation",
    "doc_type",
    "type_name",
    "issued_date",
    "issuer",
    "issuer_unit",
    "subject",
    "record",
    "order_in_record",
    "unit",
    "creator_unit",
    "confidentiality",
    "urgency",
    "page_count",
    "language",
    "keywords",
    "information_sign",
    "access_regime",
    "confidence",
    "handwriting",
    "physical_condition",
    "location",
    "notes",
]
RECORD_FIELDS = [
    "code",
    "number",
    "title",
    "fonds",
    "year",
    "catalogue",
    "start_date",
    "end_date",
    "retention",
    "access_regime",
    "confidentiality",
    "unit",
    "creator_unit",
    "location",
    "notes",
]
FONDS_FIELDS = ["code", "name", "unit", "creator_unit", "start_year", "end_year", "description"]
REGISTER_FIELDS = [
    "direction",
    "year",
    "entry_number",
    "arrival_date",
    "author",
    "notation",
    "doc_date",
    "doc_type",
    "subject",
    "signer",
    "receiver",
    "recipients",
    "copy_keeper",
    "copies",
    "handover_date",
    "confidentiality",
    "urgency",
    "note",
    "document",
    "unit",
]


def _viewed(request: HttpRequest, obj: Any) -> None:
    """Every detail view is an audit row; a classified one carries its level, and a search hit opened
    from the results says so (issue 7 §5)."""
    audit.record_access(request, obj, "search" if request.GET.get("from") == "search" else "detail", always=True)


def _detail(request: HttpRequest, obj: Any, fields: list[str], **context: Any) -> HttpResponse:
    _viewed(request, obj)
    return render(
        request,
        "archive/detail.html",
        {
            "object": obj,
            "kind_label": str(obj._meta.verbose_name).capitalize(),
            "rows": describe(obj, fields),
            "can_edit": policy.can_edit(request.user, obj),
            **context,
        },
    )


# ---- documents ------------------------------------------------------------------------------------


@login_required
def document_list(request: HttpRequest) -> HttpResponse:
    form = DocumentFilterForm(request.GET or None, user=request.user)
    documents = selectors.document_list(request.user, **form.filters())
    context = {"form": form, "page": paginate(request, documents)}
    return render(
        request, list_template(request, "archive/document_list.html", "archive/_document_results.html"), context
    )


@login_required
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    document = selectors.document_get(request.user, pk)
    use_record(actor=request.user, kind="view", document=document)  # counted once per window (decision 0016)
    entries = list(selectors.register_list(request.user).filter(document=document))
    can_link = policy.can_edit(request.user, document)
    return _detail(
        request,
        document,
        DOCUMENT_FIELDS,
        digital_copy=digitization_selectors.copy_or_none(request.user, document.pk),
        pages=digitization_selectors.document_pages(request.user, document.pk),
        title=document.notation or _("Document"),
        edit_url=reverse("document_edit", args=[pk]),
        register_entries=entries,
        is_document=True,
        link_url=reverse("document_register_link", args=[pk]) if can_link else "",
        suggestions=selectors.register_suggestions(request.user, document) if can_link and not entries else [],
    )


@login_required
def document_register_link(request: HttpRequest, pk: int) -> HttpResponse:
    """The picker: link the document to one unlinked row of its unit's registers, or undo a link."""
    document = selectors.document_get(request.user, pk)
    if not policy.can_edit(request.user, document):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        entry = selectors.register_get(request.user, request.POST.get("entry", ""))
        try:
            if request.POST.get("action") == "unlink":
                services.register_unlink(actor=request.user, entry=entry)
                messages.success(request, _("The register entry is no longer linked to this document."))
            else:
                services.register_link(actor=request.user, entry=entry, document=document)
                messages.success(request, _("Linked to register entry %(entry)s.") % {"entry": entry})
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            status = 400
        else:
            return redirect("document_detail", pk=pk)
    form = RegisterPickForm(request.GET or None)
    entries = selectors.register_unlinked(request.user, unit_id=document.unit_id, **form.filters())
    context = {
        "document": document,
        "form": form,
        "page": paginate(request, entries),
        "linked": selectors.register_list(request.user).filter(document=document),
        "suggestions": selectors.register_suggestions(request.user, document),
    }
    return render(request, "archive/register_pick.html", context, status=status)


def _document_form(request: HttpRequest, instance: Document) -> HttpResponse:
    form = DocumentForm(request.POST or None, instance=instance, user=request.user)
    duplicates: list[Document] = []
    if request.method == "POST" and form.is_valid():
        count, visible = services.duplicates_of(form.save(commit=False))
        duplicates = [d for d in visible if policy.can_see(request.user, d)]
        hidden = count - len(duplicates)
    else:
        hidden = 0

    def save(document: Document) -> Document:
        return services.document_save(
            actor=request.user,
            document=document,
            allow_duplicate=form.cleaned_data.get("allow_duplicate", False),
            legal_basis=form.cleaned_data.get("legal_basis", ""),
        )

    title = _("Edit document") if instance.pk else _("Register a document")
    return edit(
        request,
        form=form,
        save=save,
        template="archive/document_form.html",
        context={"title": title, "duplicates": duplicates, "hidden_duplicates": hidden},
        success=lambda d: reverse("document_detail", args=[d.pk]),
        draft="document",
    )


@login_required
def document_create(request: HttpRequest) -> HttpResponse:
    record_id = int_param(request, "record")
    initial = Document()
    if record_id:
        record = selectors.record_get(request.user, record_id)
        initial.record, initial.unit = record, record.unit
    return _document_form(request, initial)


@login_required
def document_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _document_form(request, selectors.document_get(request.user, pk))


# ---- records --------------------------------------------------------------------------------------


@login_required
def record_list(request: HttpRequest) -> HttpResponse:
    records = selectors.record_list(
        request.user,
        q=request.GET.get("q", "").strip(),
        year=int_param(request, "year"),
        fonds=int_param(request, "fonds"),
        unit=int_param(request, "unit"),
    )
    context = {"page": paginate(request, records), "q": request.GET.get("q", "")}
    return render(request, list_template(request, "archive/record_list.html", "archive/_record_results.html"), context)


@login_required
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.record_get(request.user, pk)
    return _detail(
        request,
        record,
        RECORD_FIELDS,
        title=record.code,
        edit_url=reverse("record_edit", args=[pk]),
        documents=selectors.record_documents(request.user, record),
        add_document_url=reverse("document_create") + f"?record={pk}",
    )


def _record_form(request: HttpRequest, instance: Record) -> HttpResponse:
    form = RecordForm(request.POST or None, instance=instance, user=request.user)
    title = _("Edit record") if instance.pk else _("New record")
    return edit(
        request,
        form=form,
        save=lambda r: services.record_save(actor=request.user, record=r),
        template="archive/form.html",
        context={"title": title},
        success=lambda r: reverse("record_detail", args=[r.pk]),
    )


@login_required
def record_create(request: HttpRequest) -> HttpResponse:
    record = Record(year=dt.date.today().year)
    fonds_id = int_param(request, "fonds")
    if fonds_id:
        record.fonds = selectors.fonds_get(request.user, fonds_id)
        record.unit = record.fonds.unit
    return _record_form(request, record)


@login_required
def record_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _record_form(request, selectors.record_get(request.user, pk))


# ---- fonds ----------------------------------------------------------------------------------------


@login_required
def fonds_list(request: HttpRequest) -> HttpResponse:
    fonds = selectors.fonds_list(request.user, q=request.GET.get("q", "").strip())
    return render(request, "archive/fonds_list.html", {"page": paginate(request, fonds), "q": request.GET.get("q", "")})


@login_required
def fonds_detail(request: HttpRequest, pk: int) -> HttpResponse:
    fonds = selectors.fonds_get(request.user, pk)
    return _detail(
        request,
        fonds,
        FONDS_FIELDS,
        title=fonds.code,
        edit_url=reverse("fonds_edit", args=[pk]),
        records=selectors.fonds_records(request.user, fonds),
        add_record_url=reverse("record_create") + f"?fonds={pk}",
    )


def _fonds_form(request: HttpRequest, instance: Fonds) -> HttpResponse:
    form = FondsForm(request.POST or None, instance=instance, user=request.user)
    title = _("Edit fonds") if instance.pk else _("New fonds")
    return edit(
        request,
        form=form,
        save=lambda f: services.fonds_save(actor=request.user, fonds=f),
        template="archive/form.html",
        context={"title": title},
        success=lambda f: reverse("fonds_detail", args=[f.pk]),
    )


@login_required
def fonds_create(request: HttpRequest) -> HttpResponse:
    return _fonds_form(request, Fonds())


@login_required
def fonds_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _fonds_form(request, selectors.fonds_get(request.user, pk))


# ---- registers ------------------------------------------------------------------------------------


def _direction(direction: str) -> str:
    if direction not in Direction.values:
        raise Http404
    return direction


@login_required
def register_list(request: HttpRequest, direction: str) -> HttpResponse:
    entries = selectors.register_list(
        request.user,
        direction=_direction(direction),
        q=request.GET.get("q", "").strip(),
        year=int_param(request, "year"),
        unit=int_param(request, "unit"),
    )
    context = {
        "page": paginate(request, entries),
        "direction": direction,
        "q": request.GET.get("q", ""),
        "direction_label": Direction(direction).label,
    }
    return render(
        request, list_template(request, "archive/register_list.html", "archive/_register_results.html"), context
    )


@login_required
def register_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.register_get(request.user, pk)
    use_record(actor=request.user, kind="lookup", entry=entry)  # demand for the paper (decision 0016)
    return _detail(request, entry, REGISTER_FIELDS, title=str(entry), edit_url=reverse("register_edit", args=[pk]))


def _register_form(request: HttpRequest, instance: RegisterEntry, direction: str) -> HttpResponse:
    form = RegisterEntryForm(request.POST or None, instance=instance, user=request.user, direction=direction)
    title = (
        _("Edit register entry")
        if instance.pk
        else _("New entry: %(register)s register") % {"register": Direction(direction).label.lower()}
    )
    return edit(
        request,
        form=form,
        save=lambda e: services.register_entry_save(actor=request.user, entry=e),
        template="archive/form.html",
        context={"title": title},
        success=lambda e: reverse("register_detail", args=[e.pk]),
        draft="register_entry",
    )


@login_required
def register_create(request: HttpRequest, direction: str) -> HttpResponse:
    return _register_form(request, RegisterEntry(year=dt.date.today().year), _direction(direction))


@login_required
def register_edit(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.register_get(request.user, pk)
    return _register_form(request, entry, entry.direction)


@login_required
def register_import_new(request: HttpRequest) -> HttpResponse:
    """Upload a register file; the worker imports it while its page shows the progress."""
    if not policy.can_create(request.user, RegisterEntry):
        raise PermissionDenied
    form = RegisterImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.register_import_start(
                actor=request.user,
                unit=form.cleaned_data["unit"],
                direction=form.cleaned_data["direction"],
                name=upload.name,
                file=upload,
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            return redirect("register_import_detail", pk=job.pk)
    recent = selectors.register_imports(request.user)[:10]
    return render(request, "archive/register_import_form.html", {"form": form, "recent": recent})


@login_required
def register_import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.register_import_get(request.user, pk)
    template = "archive/_register_import_status.html" if request.headers.get("HX-Request") else None
    return render(request, template or "archive/register_import_detail.html", {"job": job})
