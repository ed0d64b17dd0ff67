"""Registry sync pages: upload an export, review its diff, confirm it; past runs; mappings; histories."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sohoa.core import audit, policy
from sohoa.core.tabular import TabularError
from sohoa.core.web import attach_errors, paginate

from . import selectors, sync
from .forms import SyncSourceForm, SyncUploadForm
from .models import RegistrySync, SyncKind


def _require_office(request: HttpRequest) -> None:
    if not policy.can_create(request.user, RegistrySync):
        raise PermissionDenied


@login_required
def sync_list(request: HttpRequest) -> HttpResponse:
    context = {
        "page": paginate(request, selectors.sync_list(request.user)),
        "can_sync": policy.can_create(request.user, RegistrySync),
    }
    return render(request, "registry/sync_list.html", context)


@login_required
def sync_new(request: HttpRequest) -> HttpResponse:
    """Upload an export: its diff is computed and kept for review; nothing is applied yet."""
    _require_office(request)
    sources = selectors.sync_sources(request.user)
    form = SyncUploadForm(request.POST or None, request.FILES or None, sources=sources)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / ("export" + Path(upload.name).suffix.lower())
            with path.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            try:
                run = sync.sync_stage(
                    actor=request.user,
                    kind=form.cleaned_data["kind"],
                    file=sync.read_sync_file(path, name=upload.name),
                    source=form.cleaned_data["source"],
                    end_missing=form.cleaned_data["end_missing"],
                )
            except TabularError as exc:
                form.add_error("file", str(exc))
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                return redirect("registry_sync_detail", pk=run.pk)
    return render(request, "registry/sync_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def sync_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.sync_get(request.user, pk)
    audit.record("view", actor=request.user, obj=run)
    context = {
        "run": run,
        "diff": run.diff,
        "changes": selectors.sync_changes(request.user, run) if run.status == RegistrySync.Status.APPLIED else [],
        "can_apply": run.status == RegistrySync.Status.PREVIEW and policy.can_create(request.user, RegistrySync),
    }
    return render(request, "registry/sync_detail.html", context)


@login_required
@require_POST
def sync_apply(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.sync_get(request.user, pk)
    _require_office(request)
    try:
        result = sync.sync_confirm(actor=request.user, run=run, digest=request.POST.get("digest", ""))
    except sync.DiffChanged as exc:
        messages.warning(request, " ".join(exc.messages))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        summary = result.summary()
        messages.success(
            request,
            _("Applied: %(c)d created, %(u)d changed, %(e)d ended; %(r)d rows not applied.")
            % {"c": summary["created"], "u": summary["updated"], "e": summary["ended"], "r": len(summary["rejected"])},
        )
    return redirect("registry_sync_detail", pk=run.pk)


@login_required
def sync_sources(request: HttpRequest) -> HttpResponse:
    """The saved column mappings, and a form to add or replace one."""
    _require_office(request)
    initial = {}
    edit = request.GET.get("edit", "")
    if edit:
        source = selectors.sync_sources(request.user).filter(name=edit).first()
        if source is not None:
            initial = {
                "name": source.name,
                "kind": source.kind,
                "mapping": "\n".join(f"{k} = {v}" for k, v in source.mapping.items()),
                "date_format": source.date_format,
            }
    form = SyncSourceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            sync.sync_source_save(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("registry_sync_sources")
    context = {
        "form": form,
        "sources": selectors.sync_sources(request.user),
        "fields": {str(k.label): ", ".join(sync.FIELDS[k]) for k in SyncKind},
    }
    return render(request, "registry/sync_sources.html", context, status=400 if form.errors else 200)


@login_required
def unit_history(request: HttpRequest, pk: int) -> HttpResponse:
    unit = selectors.unit_get(request.user, pk)
    history = selectors.object_history(request.user, kind=SyncKind.ORGANIZATIONS, object_id=unit.pk)
    return render(request, "registry/history.html", {"object": unit, "title": unit.name, "history": history})


@login_required
def member_history(request: HttpRequest, pk: int) -> HttpResponse:
    member = selectors.member_get(request.user, pk)
    audit.record("view", actor=request.user, obj=member)
    history = selectors.object_history(request.user, kind=SyncKind.MEMBERS, object_id=member.pk)
    return render(request, "registry/history.html", {"object": member, "title": member.full_name, "history": history})
