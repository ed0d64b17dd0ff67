"""Planning pages: plans (selection, candidates, approval, forecast), batches and teams. Thin: a form,
one service or selector call, then render or redirect. A refusal is shown in the user's language."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sohoa.archive.models import RegisterEntry
from sohoa.core import policy
from sohoa.core.models import Level
from sohoa.core.web import attach_errors, list_template, paginate
from sohoa.digitization import selectors as digitization_selectors
from sohoa.reports.models import Series

from . import charts, scoring, selectors, services
from .forms import BatchForm, CandidateForm, ExclusionForm, MemberForm, PlanForm, TeamForm
from .models import BATCH_ORDER, Batch, BatchState, Candidate, Plan, Team, TeamMember


def _refused(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    """403 with the service's reason, not a bare "not allowed"."""
    message = str(exc) or _("Your role does not allow this action.")
    return render(request, "planning/refused.html", {"message": message}, status=403)


def _messages_of(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# ---- plans -----------------------------------------------------------------------------------------


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in Plan.Status.values else ""
    plans = selectors.plan_list(request.user, status=status)
    context = {
        "page": paginate(request, plans),
        "status": status,
        "statuses": Plan.Status.choices,
        "can_create": policy.can_create(request.user, Plan),
    }
    return render(request, "planning/plan_list.html", context)


def _plan_form(request: HttpRequest, plan: Plan) -> HttpResponse:
    if not policy.can_create(request.user, Plan):
        raise PermissionDenied
    form = PlanForm(request.POST or None, instance=plan, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            obj = form.save(commit=False)
            obj.series = form.cleaned_data["series"]
            obj.doc_types = form.cleaned_data["doc_types"]
            obj.levels = form.cleaned_data["levels"]
            try:
                saved = services.plan_save(actor=request.user, plan=obj, units=form.cleaned_data["units"])
            except ValidationError as exc:
                attach_errors(form, exc)
            except PermissionDenied as exc:
                return _refused(request, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("plan_detail", pk=saved.pk)
        messages.error(request, _("Please correct the errors below."))
    title = _("Edit plan") if plan.pk else _("New digitization plan")
    return render(
        request,
        "planning/plan_form.html",
        {"form": form, "title": title, "plan": plan},
        status=400 if form.errors else 200,
    )


@login_required
def plan_create(request: HttpRequest) -> HttpResponse:
    return _plan_form(request, Plan(unit=policy.scope_units(request.user).order_by("path").first()))


@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_form(request, selectors.plan_get(request.user, pk))


def _criteria(plan: Plan) -> list[tuple[str, str]]:
    """The plan's selection in words, for its page."""
    everything = _("all")
    years = f"{plan.year_from or '…'}–{plan.year_to or '…'}" if plan.year_from or plan.year_to else everything
    dates = (
        f"{plan.date_from.strftime('%d/%m/%Y') if plan.date_from else '…'}–"
        f"{plan.date_to.strftime('%d/%m/%Y') if plan.date_to else '…'}"
        if plan.date_from or plan.date_to
        else everything
    )
    return [
        (_("Units"), ", ".join(u.code for u in plan.units.all()) or _("the whole planning unit")),
        (_("Series"), ", ".join(str(Series(s).label) for s in plan.series) or everything),
        (_("Years"), years),
        (_("Dates"), dates),
        (_("Document types"), ", ".join(plan.doc_types) or everything),
        (_("Confidentiality levels"), ", ".join(str(Level(v).label) for v in plan.levels) or everything),
        (_("Recency"), str(plan.get_recency_display())),
    ]


def _reasons(candidate: Candidate) -> list[dict[str, Any]]:
    return [{**r, "text": scoring.describe(r)} for r in candidate.reasons]


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(request.user, pk)
    status = request.GET.get("status", "")
    status = status if status in Candidate.Status.values else ""
    page = paginate(request, selectors.plan_candidates(request.user, plan, status=status))
    for c in page:
        c.reason_list = _reasons(c)  # type: ignore[attr-defined]
    outlook = selectors.plan_forecast(plan)
    today = timezone.localdate()
    batches = list(selectors.plan_batches(request.user, plan))
    for b in batches:
        b.overdue = b.is_overdue(today)  # type: ignore[attr-defined]
    context = {
        "plan": plan,
        "page": page,
        "status": status,
        "statuses": Candidate.Status.choices,
        "counts": selectors.plan_counts(plan),
        "exclusions": selectors.plan_exclusions(request.user, plan),
        "exclusion_form": ExclusionForm(),
        "outlook": outlook,
        "chart": charts.burndown_svg(outlook.overall),
        "batches": batches,
        "can_edit": policy.can_edit(request.user, plan),
        "can_override": policy.can_create(request.user, Candidate),
        "can_approve": services.may_approve(request.user, plan),
        "can_batch": policy.can_create(request.user, Batch) and plan.status == Plan.Status.APPROVED,
        "criteria": _criteria(plan),
        "weights": [(scoring.LABELS[name], w) for name, w in scoring.WEIGHTS.items()],
    }
    return render(request, list_template(request, "planning/plan_detail.html", "planning/_candidates.html"), context)


@login_required
@require_POST
def plan_materialize(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(request.user, pk)
    try:
        result = services.plan_materialize(actor=request.user, plan=plan)
    except PermissionDenied as exc:
        return _refused(request, exc)
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
    else:
        messages.success(
            request,
            _("%(selected)d documents selected: %(created)d new, %(removed)d dropped, %(excluded)d excluded.")
            % result.as_dict(),
        )
    return redirect("plan_detail", pk=pk)


@login_required
@require_POST
def plan_transition(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(request.user, pk)
    try:
        services.plan_transition(actor=request.user, plan=plan, action=request.POST.get("action", ""))
    except PermissionDenied as exc:
        return _refused(request, exc)
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
    else:
        messages.success(request, _("Saved."))
    return redirect("plan_detail", pk=pk)


@login_required
@require_POST
def plan_exclude(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(request.user, pk)
    form = ExclusionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _messages_of(ValidationError(form.errors)))
        return redirect("plan_detail", pk=pk)
    entry_id = form.cleaned_data.get("entry")
    entry = policy.restrict(request.user, RegisterEntry.objects.filter(pk=entry_id)).first() if entry_id else None
    try:
        services.exclusion_add(
            actor=request.user,
            plan=plan,
            kind=form.cleaned_data["kind"],
            value=form.cleaned_data.get("value", ""),
            entry=entry,
            reason=form.cleaned_data["reason"],
        )
    except PermissionDenied as exc:
        return _refused(request, exc)
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
    else:
        messages.success(request, _("Excluded. Select the candidates again to apply it."))
    return redirect("plan_detail", pk=pk)


@login_required
@require_POST
def exclusion_remove(request: HttpRequest, pk: int) -> HttpResponse:
    exclusion = selectors.exclusion_get(request.user, pk)
    try:
        services.exclusion_remove(actor=request.user, exclusion=exclusion)
    except PermissionDenied as exc:
        return _refused(request, exc)
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
    return redirect("plan_detail", pk=exclusion.plan_id)


@login_required
def candidate_edit(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = selectors.candidate_get(request.user, pk)
    if not policy.can_create(request.user, Candidate):
        return _refused(request, PermissionDenied(_("Only operators and leaders may change a candidate's priority.")))
    form = CandidateForm(request.POST or None, instance=candidate)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.candidate_update(
                    actor=request.user,
                    candidate=candidate,
                    fragile=data["fragile"],
                    condition=data["condition"],
                    legal_due=data["legal_due"],
                    override_score=data["override_score"],
                    override_reason=data["override_reason"],
                )
            except PermissionDenied as exc:
                return _refused(request, exc)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(reverse("plan_detail", args=[candidate.plan_id]) + f"#c{candidate.pk}")
        messages.error(request, _("Please correct the errors below."))
    context = {"form": form, "candidate": candidate, "reasons": _reasons(candidate)}
    return render(request, "planning/candidate_form.html", context, status=400 if form.errors else 200)


# ---- batches ---------------------------------------------------------------------------------------


@login_required
def batch_create(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(request.user, pk)
    if not policy.can_create(request.user, Batch):
        return _refused(request, PermissionDenied(_("Your role may not make batches.")))
    form = BatchForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                batch = services.batch_create(
                    actor=request.user,
                    plan=plan,
                    team=data["team"],
                    assignee=data["assignee"],
                    due_date=data["due_date"],
                    size=data["size"],
                )
            except PermissionDenied as exc:
                return _refused(request, exc)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, _("Batch created."))
                return redirect("batch_detail", pk=batch.pk)
        messages.error(request, _("Please correct the errors below."))
    return render(request, "planning/batch_form.html", {"form": form, "plan": plan}, status=400 if form.errors else 200)


@login_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.batch_get(request.user, pk)
    today = timezone.localdate()
    candidates = list(selectors.batch_candidates(request.user, batch))
    for c in candidates:
        c.reason_list = _reasons(c)  # type: ignore[attr-defined]
    steps = {t.to_state: t for t in selectors.batch_transitions(request.user, batch)}
    context = {
        "batch": batch,
        "candidates": candidates,
        "steps": [(BatchState(s).label, s, steps.get(s), s == batch.state) for s in BATCH_ORDER],
        "next_state": batch.next_state,
        "next_label": BatchState(batch.next_state).label if batch.next_state else "",
        "overdue": batch.is_overdue(today),
        "can_move": services.may_work_on(request.user, batch),
    }
    # Quality control of the batch's scans: pages per QC state, and the pages sent back with their reason.
    documents = [c.entry.document_id for c in candidates if c.entry.document_id]
    context["qc"] = selectors.batch_qc(documents)
    context["rejects"] = digitization_selectors.qc_rejects(request.user, documents)
    return render(request, "planning/batch_detail.html", context)


@login_required
@require_POST
def batch_advance(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.batch_get(request.user, pk)
    try:
        moved = services.batch_advance(
            actor=request.user, batch=batch, to_state=request.POST.get("to", ""), note=request.POST.get("note", "")
        )
    except PermissionDenied as exc:
        return _refused(request, exc)
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
    else:
        messages.success(request, _("The batch is now “%(state)s”.") % {"state": BatchState(moved.state).label})
    return redirect("batch_detail", pk=pk)


# ---- teams -----------------------------------------------------------------------------------------


@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    context = {
        "page": paginate(request, selectors.team_list(request.user)),
        "can_create": policy.can_create(request.user, Team),
    }
    return render(request, "planning/team_list.html", context)


@login_required
def team_create(request: HttpRequest) -> HttpResponse:
    if not policy.can_create(request.user, Team):
        raise PermissionDenied
    form = TeamForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            try:
                team = services.team_save(actor=request.user, team=form.save(commit=False))
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("team_detail", pk=team.pk)
        messages.error(request, _("Please correct the errors below."))
    return render(request, "planning/team_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    team = selectors.team_get(request.user, pk)
    form = MemberForm(request.POST or None, user=request.user, team=team)
    if request.method == "POST":
        if not policy.can_create(request.user, TeamMember):
            return _refused(request, PermissionDenied(_("Your role may not change teams.")))
        if form.is_valid():
            try:
                services.team_member_set(
                    actor=request.user, team=team, user=form.cleaned_data["user"], role=form.cleaned_data["role"]
                )
            except PermissionDenied as exc:
                return _refused(request, exc)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("team_detail", pk=pk)
        messages.error(request, _("Please correct the errors below."))
    today = timezone.localdate()
    batches = list(selectors.team_batches(request.user, team))
    for b in batches:
        b.overdue = b.is_overdue(today)  # type: ignore[attr-defined]
    context = {
        "team": team,
        "members": selectors.team_members(request.user, team),
        "batches": batches,
        "form": form,
        "can_edit": policy.can_create(request.user, TeamMember),
    }
    return render(request, "planning/team_detail.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    member = selectors.member_get(request.user, pk)
    try:
        services.team_member_remove(actor=request.user, member=member)
    except PermissionDenied as exc:
        return _refused(request, exc)
    return redirect("team_detail", pk=member.team_id)
