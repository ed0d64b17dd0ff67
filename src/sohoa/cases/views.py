"""Case file pages: the list (filters, overdue), open and edit, and the detail page with its subjects,
documents by role, stage timeline and actions. Every action posts, calls one service, and comes back to
the detail page; a refusal is shown there with what was typed kept (status 400)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from sohoa.archive.models import Document
from sohoa.codes import selectors as codes_selectors
from sohoa.codes.models import CodeSource
from sohoa.core import audit, drafts, policy
from sohoa.core.web import attach_errors, paginate

from . import selectors, services
from .forms import AdvanceForm, AttachForm, CaseForm, CloseForm, FilterForm, SubjectForm, UploadForm
from .models import Case, Stage
from .services import NEXT_STAGE


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    page = paginate(request, selectors.case_list(request.user, **filters))
    context = {
        "form": form,
        "page": page,
        "can_create": policy.can_create(request.user, Case),
        "query": request.GET.urlencode(),
    }
    return render(request, "cases/list.html", context)


@login_required
def case_create(request: HttpRequest) -> HttpResponse:
    if not policy.can_create(request.user, Case):
        raise PermissionDenied
    form = CaseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_open(actor=request.user, **form.values())
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            drafts.submitted(request, "case")
            messages.success(request, _("Case file opened: %(code)s.") % {"code": case.code})
            return redirect("case_detail", pk=case.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "cases/form.html", {"form": form}, status=status)


@login_required
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(request.user, pk)
    if not policy.can_edit(request.user, case):
        raise PermissionDenied
    form = CaseForm(request.POST or None, instance=case, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_update(actor=request.user, case=case, **form.values())
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            drafts.submitted(request, "case")
            messages.success(request, _("Saved."))
            return redirect("case_detail", pk=case.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "cases/form.html", {"form": form, "case": case}, status=status)


def _detail(request: HttpRequest, case: Case, *, status: int = 200, errors: Any = (), **forms: Any) -> HttpResponse:
    subjects: list[Any] = list(selectors.case_subjects(request.user, case))
    found = codes_selectors.suggestions(request.user, subjects)
    rows = [
        (s, [(c, codes_selectors.reason_text(c)) for c in found.get(s.pk, [])] if not s.code else []) for s in subjects
    ]
    documents = selectors.case_documents(request.user, case)
    writable = policy.can_edit(request.user, case)
    open_ = writable and not case.closed
    next_stage = NEXT_STAGE.get(Stage(case.stage)) if not case.closed else None
    context = {
        "case": case,
        "subjects": rows,
        "missing": sum(1 for s in subjects if not s.code),
        "by_role": selectors.documents_by_role(documents),
        "document_count": len(documents),
        "stages": selectors.case_stages(request.user, case),
        "writable": writable,
        "open": open_,
        "next_stage": Stage(next_stage) if next_stage else None,
        "can_close": case.stage in (Stage.CONCLUDED, Stage.DISCIPLINE),
        "errors": list(errors),
    }
    if open_:
        context.update(
            subject_form=forms.get("subject_form") or SubjectForm(),
            attach_form=forms.get("attach_form")
            or AttachForm(documents=selectors.attachable_documents(request.user, case)[: selectors.ATTACHABLE_LIMIT]),
            upload_form=forms.get("upload_form") or UploadForm(user=request.user, case=case),
            advance_form=forms.get("advance_form") or AdvanceForm(initial={"stage": next_stage}),
            close_form=forms.get("close_form") or CloseForm(user=request.user, case=case),
        )
    return render(request, "cases/detail.html", context, status=status)


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(request.user, pk)
    audit.record_access(request, case, "detail", always=True)
    return _detail(request, case)


def _writable(request: HttpRequest, pk: int) -> Case:
    case = selectors.case_get(request.user, pk)  # 404 first: a hidden case does not exist
    if not policy.can_edit(request.user, case):
        raise PermissionDenied
    return case


def _done(request: HttpRequest, case: Case, notice: str) -> HttpResponse:
    messages.success(request, notice)
    return redirect("case_detail", pk=case.pk)


@login_required
@require_POST
def case_subject_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = _writable(request, pk)
    form = SubjectForm(request.POST)
    if form.is_valid():
        try:
            services.subject_add(actor=request.user, case=case, **form.values())
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            return _done(request, case, _("Saved."))
    return _detail(request, case, status=400, subject_form=form)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@require_POST
def case_subject_codes(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept ticked suggestions, apply exact unique matches (when allowed), type a code, or remove."""
    case = _writable(request, pk)
    subjects = {s.pk: s for s in selectors.case_subjects(request.user, case)}
    action = "remove" if "remove" in request.POST else request.POST.get("action", "accept")
    try:
        if action == "remove":
            subject = subjects.get(_int(request.POST.get("remove")))  # type: ignore[arg-type]
            if subject is None:
                raise ValidationError(_("This person or organization is not named in the case."))
            services.subject_remove(actor=request.user, subject=subject)
            notice = _("Removed.")
        elif action == "code":
            subject = subjects.get(_int(request.POST.get("subject")))  # type: ignore[arg-type]
            if subject is None:
                raise ValidationError(_("This person or organization is not named in the case."))
            services.subject_codes_set(
                actor=request.user,
                case=case,
                choices=[(subject, request.POST.get("code", ""))],
                source=CodeSource.TYPED,
            )
            notice = _("Saved.")
        elif action == "auto":
            if not request.POST.get("allow_auto"):
                raise ValidationError(_("Tick the box to allow exact unique matches to be applied."))
            result = services.subjects_auto_apply(actor=request.user, case=case, subjects=list(subjects.values()))
            notice = ngettext(
                "%(applied)d code applied automatically; %(left)d still missing.",
                "%(applied)d codes applied automatically; %(left)d still missing.",
                len(result.applied),
            ) % {"applied": len(result.applied), "left": result.left}
        else:
            choices = []
            for value in request.POST.getlist("choice"):
                subject_pk, _sep, code = value.partition(":")
                subject = subjects.get(_int(subject_pk))  # type: ignore[arg-type]
                if subject is not None and code and not subject.code:
                    choices.append((subject, code))
            if not choices:
                raise ValidationError(_("Choose at least one suggestion."))
            services.subject_codes_set(actor=request.user, case=case, choices=choices)
            notice = ngettext("%(n)d code accepted.", "%(n)d codes accepted.", len(choices)) % {"n": len(choices)}
    except ValidationError as exc:
        return _detail(request, case, status=400, errors=exc.messages)
    return _done(request, case, notice)


@login_required
@require_POST
def case_document_attach(request: HttpRequest, pk: int) -> HttpResponse:
    case = _writable(request, pk)
    documents = selectors.attachable_documents(request.user, case)[: selectors.ATTACHABLE_LIMIT]
    form = AttachForm(request.POST, documents=documents)
    if form.is_valid():
        document = policy.restrict(request.user, Document.objects.filter(pk=form.cleaned_data["document"])).first()
        try:
            services.document_attach(actor=request.user, case=case, document=document, role=form.cleaned_data["role"])
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            return _done(request, case, _("The document is in the case file."))
    return _detail(request, case, status=400, attach_form=form)


@login_required
@require_POST
def case_document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    case = _writable(request, pk)
    form = UploadForm(request.POST, request.FILES, user=request.user, case=case)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.document_upload(
                actor=request.user,
                case=case,
                role=form.cleaned_data["role"],
                file=upload,
                name=upload.name or "upload",
                confidentiality=form.cleaned_data["confidentiality"],
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            return _done(request, case, _("File received: it joins the case file once digitized."))
    return _detail(request, case, status=400, upload_form=form)


@login_required
@require_POST
def case_document_remove(request: HttpRequest, pk: int) -> HttpResponse:
    case = _writable(request, pk)
    rows = {d.pk: d for d in selectors.case_documents(request.user, case)}
    row = rows.get(_int(request.POST.get("item")))  # type: ignore[arg-type]
    try:
        if row is None:
            raise ValidationError(_("This document is not in the case file."))
        services.document_remove(actor=request.user, case_document=row)
    except ValidationError as exc:
        return _detail(request, case, status=400, errors=exc.messages)
    return _done(request, case, _("Removed from the case file (the document stays in the archive)."))


@login_required
@require_POST
def case_advance(request: HttpRequest, pk: int) -> HttpResponse:
    case = _writable(request, pk)
    form = AdvanceForm(request.POST)
    if form.is_valid():
        try:
            case = services.case_advance(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            return _detail(request, case, status=400, errors=exc.messages, advance_form=form)
        return _done(request, case, _("The case is now “%(stage)s”.") % {"stage": case.get_stage_display()})
    return _detail(request, case, status=400, advance_form=form)


@login_required
@require_POST
def case_close(request: HttpRequest, pk: int) -> HttpResponse:
    case = _writable(request, pk)
    form = CloseForm(request.POST, user=request.user, case=case)
    if form.is_valid():
        try:
            record = services.case_close(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            return _detail(request, case, status=400, errors=exc.messages, close_form=form)
        return _done(request, case, _("The case file is closed into record %(code)s.") % {"code": record.code})
    return _detail(request, case, status=400, close_form=form)
