"""The mentions section of a record page (htmx), the as-you-type code check, the missing-codes report."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from sohoa.archive import selectors as archive_selectors
from sohoa.core import policy

from . import selectors, services
from .forms import MentionForm
from .models import CodeSource, MentionKind
from .owners import OWNERS

DOCUMENT = OWNERS["document"]


def _section(
    request: HttpRequest, document: Any, form: MentionForm | None = None, status: int = 200, **extra: Any
) -> HttpResponse:
    """The section as an htmx fragment, or inside a page of its own for a request without htmx."""
    mentions = list(selectors.mention_list(request.user, DOCUMENT, document))
    found = selectors.suggestions(request.user, mentions)
    rows = [(m, [(c, selectors.reason_text(c)) for c in found.get(m.pk, [])] if not m.code else []) for m in mentions]
    context = {
        "document": document,
        "rows": rows,
        "missing": sum(1 for m in mentions if not m.code),
        "form": form or MentionForm(),
        "writable": policy.can_edit(request.user, document),
        "section_url": request.path,
        **extra,
    }
    if request.headers.get("HX-Request"):
        # htmx swaps only 2xx answers: the refusal is shown in the section itself.
        return render(request, "codes/_mentions.html", context)
    return render(request, "codes/mentions_page.html", context, status=status)


@login_required
def document_mentions(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the document's persons and organizations with suggested codes. POST: add one."""
    document = archive_selectors.document_get(request.user, pk)
    if request.method != "POST":
        return _section(request, document)
    if not policy.can_edit(request.user, document):
        raise PermissionDenied
    form = MentionForm(request.POST)
    if form.is_valid():
        try:
            services.mention_add(actor=request.user, owner=DOCUMENT, record=document, **form.values())
        except ValidationError as exc:
            _attach(form, exc)
        else:
            if not request.headers.get("HX-Request"):
                messages.success(request, _("Saved."))
                return redirect("document_mentions", pk=pk)
            return _section(request, document, notice=_("Saved."))
    return _section(request, document, form=form, status=400)


def _attach(form: MentionForm, exc: ValidationError) -> None:
    from sohoa.core.web import attach_errors

    attach_errors(form, exc)


@login_required
@require_POST
def document_mentions_accept(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept chosen suggestions (one or many), apply exact unique matches (only when the clerk ticks
    the box), or type / clear the code of one mention."""
    document = archive_selectors.document_get(request.user, pk)
    if not policy.can_edit(request.user, document):
        raise PermissionDenied
    mentions = {m.pk: m for m in selectors.mention_list(request.user, DOCUMENT, document)}
    action = request.POST.get("action", "accept")
    try:
        if action == "auto":
            if not request.POST.get("allow_auto"):
                raise ValidationError(_("Tick the box to allow exact unique matches to be applied."))
            result = services.mentions_auto_apply(actor=request.user, mentions=list(mentions.values()))
            notice = ngettext(
                "%(applied)d code applied automatically; %(left)d still missing.",
                "%(applied)d codes applied automatically; %(left)d still missing.",
                len(result.applied),
            ) % {
                "applied": len(result.applied),
                "left": result.left,
            }
        elif action in ("code", "delete"):
            mention = mentions.get(_int(request.POST.get("mention")))
            if mention is None:
                raise ValidationError(_("This mention is not in the document."))
            if action == "delete":
                services.mention_delete(actor=request.user, mention=mention)
                notice = _("Removed.")
            else:
                services.mention_set_code(
                    actor=request.user, mention=mention, code=request.POST.get("code", ""), source=CodeSource.TYPED
                )
                notice = _("Saved.")
        else:
            choices = []
            for value in request.POST.getlist("choice"):
                mention_pk, _sep, code = value.partition(":")
                mention = mentions.get(_int(mention_pk))
                if mention is not None and code and not mention.code:
                    choices.append((mention, code))
            if not choices:
                raise ValidationError(_("Choose at least one suggestion."))
            services.mentions_set_codes(actor=request.user, choices=choices, source=CodeSource.SUGGESTION)
            notice = ngettext("%(n)d code accepted.", "%(n)d codes accepted.", len(choices)) % {"n": len(choices)}
    except ValidationError as exc:
        return _section(request, document, status=400, error=" ".join(exc.messages))
    if not request.headers.get("HX-Request"):
        messages.success(request, notice)
        return redirect("document_mentions", pk=pk)
    return _section(request, document, notice=notice)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
def code_check(request: HttpRequest) -> HttpResponse:
    """As the clerk types a code: the member's (or organization's) name, or "unknown code"."""
    kind = request.GET.get("kind") or MentionKind.PERSON
    code = request.GET.get("code", "").strip()
    found = selectors.code_lookup(request.user, kind, code) if code else None
    return render(request, "codes/_code_check.html", {"code": code, "found": found, "kind": kind})


@login_required
def missing_codes(request: HttpRequest) -> HttpResponse:
    report = selectors.missing_report(request.user)
    return render(request, "codes/missing.html", {"report": report})


@login_required
def missing_codes_xlsx(request: HttpRequest) -> HttpResponse:
    report = selectors.missing_report(request.user, limit=100_000)
    response = HttpResponse(
        services.missing_export(actor=request.user, report=report),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="thieu-ma_{timezone.localdate():%Y%m%d}.xlsx"'
    return response
