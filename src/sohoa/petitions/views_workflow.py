"""Pages of the petition workflow: the action forms of one petition (a section of its page, htmx-friendly),
the overdue and due-soon page per unit and per person, and the user's notifications. Thin: a form reads
the input, one service of petitions.workflow decides; its refusal is shown on the form, nothing typed is
lost."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sohoa.core import policy
from sohoa.core.web import attach_errors, int_param, paginate

from . import deadlines, notices, selectors, workflow
from .forms_workflow import ACTION_FORMS, ACTION_LABELS, AssignForm, ClassifyForm, RepeatForm
from .models import Petition

#: Rows of each list on the overdue page (the counts above it are complete).
LIST_LIMIT = 200


def _form(action: str, petition: Petition, user: Any, data: Any = None) -> forms.Form:
    cls = ACTION_FORMS[action]
    if cls is AssignForm:
        return AssignForm(data, petition=petition)
    if cls is RepeatForm:
        initial = {
            "repeat_of": str(petition.repeat_of) if petition.repeat_of_id else "",
            "new_facts": petition.new_facts,
        }
        return RepeatForm(data, user=user, petition=petition, initial=initial)
    if cls is ClassifyForm:
        return ClassifyForm(data, initial=ClassifyForm.initial_for(petition))
    if action == "extend":
        return cls(data, initial={"complex_case": petition.complex_case})
    return cls(data)


def workflow_context(
    who: Any, petition: Petition, *, bound: forms.Form | None = None, action: str = "", notice: str = ""
) -> dict[str, Any]:
    """What petitions/_workflow.html shows to `who` (a user, or a request and its user): the forms of the
    steps that make sense now, the deadline and what the rules suggest. `bound` is a submitted form to
    show again with its errors."""
    user = who.user if isinstance(who, HttpRequest) else who
    can_handle = policy.can_handle_petition(user, petition)
    actions = []
    if can_handle:
        for name in workflow.next_actions(petition):
            form = bound if bound is not None and name == action else _form(name, petition, user)
            actions.append({"name": name, "label": ACTION_LABELS[name], "form": form, "open": form is bound})
    step = deadlines.step_of(petition)
    today = timezone.localdate()
    days_left = (petition.deadline - today).days if petition.deadline else None
    return {
        "wf_ready": True,
        "petition": petition,
        "wf_can_handle": can_handle,
        "wf_actions": actions,
        "wf_step": deadlines.STEP_LABELS[step] if step else "",
        "wf_days_left": days_left,
        "wf_days_late": -days_left if days_left is not None and days_left < 0 else 0,
        "wf_overdue": deadlines.is_overdue(petition, today),
        "wf_due_soon": deadlines.is_due_soon(petition, today),
        "wf_suggestion": workflow.suggestion(petition),
        "wf_notice": notice,
        "wf_url": reverse("petition_workflow", args=[petition.pk]),
    }


def _detail_url(petition: Petition) -> str:
    try:
        return reverse("petition_detail", args=[petition.pk])
    except NoReverseMatch:  # the petition page is another module's; the section stands alone meanwhile
        return reverse("petition_workflow", args=[petition.pk])


def _section(request: HttpRequest, petition: Petition, status: int = 200, **kwargs: Any) -> HttpResponse:
    context = workflow_context(request.user, petition, **kwargs)
    if request.headers.get("HX-Request"):
        # htmx swaps only 2xx answers: a refusal is shown in the section itself.
        return render(request, "petitions/_workflow.html", context)
    return render(
        request, "petitions/workflow_page.html", {**context, "detail_url": _detail_url(petition)}, status=status
    )


def _run(action: str, user: Any, petition: Petition, data: dict[str, Any]) -> Petition:
    if action == "classify":
        return workflow.classify(actor=user, petition=petition, **data)
    if action == "forward":
        return workflow.forward(actor=user, petition=petition, **data)
    if action == "accept":
        return workflow.accept(actor=user, petition=petition, **data)
    if action == "verify":
        return workflow.start_verification(actor=user, petition=petition, **data)
    if action == "conclude":
        return workflow.conclude(actor=user, petition=petition, **data)
    if action == "file":
        return workflow.file_without_action(actor=user, petition=petition, **data)
    if action == "extend":
        return workflow.extend(actor=user, petition=petition, **data)
    if action == "assign":
        return workflow.assign(actor=user, petition=petition, **data)
    if action == "repeat":
        return workflow.mark_repeat(actor=user, petition=petition, **data)
    raise ValidationError(_("Unknown step."))


# Lazy: read in the language of the request that shows the notice, not of the import.
DONE = {
    "classify": gettext_lazy("Classified."),
    "forward": gettext_lazy("Forwarded."),
    "accept": gettext_lazy("Accepted for handling."),
    "verify": gettext_lazy("Verification started."),
    "conclude": gettext_lazy("Concluded."),
    "file": gettext_lazy("Filed without action."),
    "extend": gettext_lazy("Deadline extended."),
    "assign": gettext_lazy("Assigned."),
    "repeat": gettext_lazy("Saved."),
}


@login_required
def petition_workflow(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the petition's action forms. POST (`action` + its fields): take that step."""
    petition = selectors.petition_get(request.user, pk)
    if request.method != "POST":
        return _section(request, petition)
    if not policy.can_handle_petition(request.user, petition):
        raise PermissionDenied
    action = request.POST.get("action", "")
    if action not in ACTION_FORMS:
        messages.error(request, _("Unknown step."))
        return _section(request, petition, status=400)
    form = _form(action, petition, request.user, request.POST)
    if form.is_valid():
        try:
            petition = _run(action, request.user, petition, dict(form.cleaned_data))
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            done = str(DONE[action])
            if request.headers.get("HX-Request"):
                # The state, deadline and history elsewhere on the page changed too: reload it.
                response = _section(request, petition, notice=done)
                response["HX-Redirect"] = _detail_url(petition)
                return response
            messages.success(request, done)
            return redirect(_detail_url(petition))
    petition.refresh_from_db()
    return _section(request, petition, status=400, bound=form, action=action)


@login_required
def petition_overdue(request: HttpRequest) -> HttpResponse:
    """Overdue and due-soon petitions, counted per unit and per person; the lists narrowed to one unit,
    one person or the user's own."""
    user = request.user
    by = "person" if request.GET.get("by") == "person" else "unit"
    today = timezone.localdate()
    unit = None
    unit_pk = int_param(request, "unit")
    if unit_pk is not None:
        unit = policy.scope_units(user).filter(pk=unit_pk).first()
    assignee = None
    if request.GET.get("person") == "me":
        assignee = user
    else:
        person_pk = int_param(request, "person")
        if person_pk is not None:
            from django.contrib.auth import get_user_model

            # Only someone handling a petition the user sees: any other id would look up a name.
            handling = selectors.petitions_visible(user).filter(assignee=person_pk)
            assignee = get_user_model().objects.filter(pk=person_pk, pk__in=handling.values("assignee")).first()
    overdue = selectors.overdue(user, unit=unit, assignee=assignee, today=today)
    soon = selectors.due_soon(user, unit=unit, assignee=assignee, today=today)
    context = {
        "by": by,
        "summary": selectors.deadline_summary(user, by=by, today=today),
        "unit": unit,
        "assignee": assignee,
        "overdue": list(overdue[:LIST_LIMIT]),
        "overdue_count": overdue.count(),
        "due_soon": list(soon[:LIST_LIMIT]),
        "due_soon_count": soon.count(),
        "today": today,
        "soon_days": deadlines.DUE_SOON_DAYS,
        "limit": LIST_LIMIT,
    }
    return render(request, "petitions/overdue.html", context)


@login_required
def petition_notifications(request: HttpRequest) -> HttpResponse:
    """GET: the user's notices, newest first. POST: mark them read (one `id`, or all)."""
    if request.method == "POST":
        one = request.POST.get("id", "").strip()
        ids = [int(one)] if one.isdigit() else None
        notices.mark_read(user=request.user, ids=ids)
        return redirect("petition_notifications")
    page = paginate(request, selectors.notifications(request.user))
    return render(
        request,
        "petitions/notifications.html",
        {"page": page, "unread": selectors.unread_count(request.user), "today": timezone.localdate()},
    )
