"""Register pages of petitions: the list with its filters, registration (with the scanned letter and its
attachments), the detail page (files and their OCR, parties with codes, the steps, the deadline) and the
edit page. Workflow actions are views_workflow's, letters views_letters'."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sohoa.core import drafts, policy
from sohoa.core.web import attach_errors, paginate
from sohoa.digitization.models import Intake

from . import deadlines, intake, letters, listing, repeats, selectors, views_workflow
from .forms import AttachForm, FilterForm, PartyFormSet, PetitionEditForm, PetitionForm, party_initial
from .models import Petition, PetitionFile, State


def _uploads(request: HttpRequest, name: str) -> list[intake.Upload]:
    return [intake.Upload(file=f, name=f.name or "upload") for f in request.FILES.getlist(name)]


@login_required
def petition_list(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None, user=request.user)
    items = listing.petition_list(request.user, **form.values())
    context = {
        "form": form,
        "page": paginate(request, items),
        "can_register": policy.can_create(request.user, Petition),
        "query": request.GET.urlencode(),
        "today": timezone.localdate(),
    }
    return render(request, "petitions/list.html", context, status=400 if form.errors else 200)


@login_required
def petition_register(request: HttpRequest) -> HttpResponse:
    if not policy.can_create(request.user, Petition):
        raise PermissionDenied
    form = PetitionForm(request.POST or None, user=request.user, instance=Petition())
    if request.method == "POST":
        if form.is_valid():
            letters, attachments = _uploads(request, "letter"), _uploads(request, "attachments")
            data = form.cleaned_data
            try:
                if len(letters) > 1:
                    raise ValidationError(
                        {"letter": _("A petition has one letter; add the other files as attachments.")}
                    )
                petition = intake.petition_register(
                    actor=request.user,
                    unit=data["unit"],
                    received_on=data["received_on"],
                    channel=data["channel"],
                    letter=letters[0] if letters else None,
                    attachments=attachments,
                    kind=data.get("kind") or "",
                    letter_date=data.get("letter_date"),
                    summary=data.get("summary") or "",
                    content=data.get("content") or "",
                    confidentiality=data["confidentiality"],
                    parties=form.parties(),
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                drafts.submitted(request, "petition")
                files = len(letters) + len(attachments)
                if files:
                    messages.success(
                        request,
                        _("Petition %(number)s registered; %(n)d file(s) are being digitized.")
                        % {"number": petition.number, "n": files},
                    )
                else:
                    messages.success(request, _("Petition %(number)s registered.") % {"number": petition.number})
                return redirect("petition_detail", pk=petition.pk)
        messages.error(request, _("Please correct the errors below."))
    context = {"form": form, "registering": True, "draft_name": "petition"}
    return render(request, "petitions/form.html", context, status=400 if form.errors else 200)


def _detail(
    request: HttpRequest, petition: Petition, *, attach_form: AttachForm | None = None, status: int = 200
) -> HttpResponse:
    files = list(listing.petition_files(request.user, petition))
    context = {
        "object": petition,
        "petition": petition,
        "files": files,
        "letter": next((f for f in files if f.role == PetitionFile.Role.LETTER), None),
        "failed": [f for f in files if f.intake and f.intake.status == Intake.Status.FAILED],
        "pending": [f for f in files if f.document_id is None and f.intake and not f.intake.finished],
        "parties": list(listing.petition_parties(request.user, petition)),
        "events": list(selectors.petition_events(request.user, petition)),
        "overdue": deadlines.is_overdue(petition),
        "due_soon": deadlines.is_due_soon(petition),
        "step": deadlines.step_of(petition),
        "step_labels": deadlines.STEP_LABELS,
        "can_edit": policy.can_edit(request.user, petition),
        "attach_form": attach_form or AttachForm(),
        "letter_kinds": dict(letters.KINDS),
        **views_workflow.workflow_context(request, petition),
        # Checked while the petition awaits classification: that is when a repeat changes what to do.
        "possible_repeats": (
            repeats.find_repeats(petition, limit=3, user=request.user)
            if petition.state == State.RECEIVED and not petition.repeat_of_id
            else []
        ),
    }
    return render(request, "petitions/detail.html", context, status=status)


@login_required
def petition_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.petition_get(request.user, pk))


@login_required
@require_POST
def petition_attach(request: HttpRequest, pk: int) -> HttpResponse:
    petition = selectors.petition_get(request.user, pk)
    if not policy.can_edit(request.user, petition):
        raise PermissionDenied
    form = AttachForm(request.POST)
    if form.is_valid():
        try:
            added = intake.petition_attach(
                actor=request.user,
                petition=petition,
                files=_uploads(request, "files"),
                letter=form.cleaned_data["as_letter"],
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("%(n)d file(s) received and queued.") % {"n": len(added)})
            return redirect("petition_detail", pk=pk)
    messages.error(request, _("Please correct the errors below."))
    return _detail(request, petition, attach_form=form, status=400)


@login_required
def petition_edit(request: HttpRequest, pk: int) -> HttpResponse:
    petition = selectors.petition_get(request.user, pk)
    if not policy.can_edit(request.user, petition):
        raise PermissionDenied
    existing = {p.pk: p for p in listing.petition_parties(request.user, petition)}
    form = PetitionEditForm(request.POST or None, instance=petition)
    parties = PartyFormSet(request.POST or None, prefix="party", initial=[party_initial(p) for p in existing.values()])
    if request.method == "POST":
        if form.is_valid() and parties.is_valid():
            changes: list[tuple[Any, Any]] = []
            for row in parties.forms:
                if not row.has_changed() and not row.cleaned_data.get("id"):
                    continue
                party = existing.get(row.cleaned_data.get("id") or 0)
                data = None if row.cleaned_data.get("DELETE") else row.party_input()
                if party is None and data is None:
                    continue
                changes.append((party, data))
            try:
                intake.petition_update(actor=request.user, petition=petition, values=form.values(), parties=changes)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                drafts.submitted(request, "petition_edit")
                messages.success(request, _("Saved."))
                return redirect("petition_detail", pk=pk)
        messages.error(request, _("Please correct the errors below."))
    context = {
        "form": form,
        "parties": parties,
        "object": petition,
        "registering": False,
        "draft_name": "petition_edit",
    }
    return render(request, "petitions/form.html", context, status=400 if request.method == "POST" else 200)
