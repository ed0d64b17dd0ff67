"""Writes for digitization planning. Each service checks the actor through the policy, validates, writes
in one transaction and records an audit row. Refusals a user can cause are ValidationError (shown on
the form or as a message) or PermissionDenied (their role may not do it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sohoa.archive.models import DocType, RegisterEntry
from sohoa.core import audit, policy
from sohoa.core.models import LEVEL_CODES, Level, Role
from sohoa.digitization.models import DigitalCopy
from sohoa.registry.models import Unit
from sohoa.reports.models import Series
from sohoa.usage.selectors import entry_demand

from . import scoring, selectors
from .models import BATCH_ORDER, Batch, BatchState, BatchTransition, Candidate, Exclusion, Plan, Team, TeamMember
from .selectors import selection_entries

#: Rows per bulk insert/update when candidates are materialized.
CHUNK = 1000


def _require(actor: Any, model: type[models.Model], obj: Any = None) -> None:
    if actor is None:
        return  # the system (command line, tests of the arithmetic)
    if not policy.can_create(actor, model):
        raise PermissionDenied(_("Your role may not change %(what)s.") % {"what": model._meta.verbose_name_plural})
    if obj is not None and obj.pk is not None and not policy.can_see(actor, obj):
        raise PermissionDenied(_("You may not change this object."))


def _frozen_error() -> ValidationError:
    return ValidationError(
        _("This plan is approved: its selection can no longer be changed. Create a new plan for other documents.")
    )


# ---- plans -----------------------------------------------------------------------------------------


def _selection_of(plan: Plan, units: Iterable[Unit] | None) -> dict[str, Any]:
    data: dict[str, Any] = {f: getattr(plan, f) for f in Plan.SELECTION_FIELDS}
    data["units"] = sorted(u.pk for u in units) if units is not None else None
    return data


def _check_plan(actor: Any, plan: Plan, units: list[Unit]) -> None:
    errors: dict[str, str] = {}
    if actor is not None and plan.unit_id and not policy.unit_in_scope(actor, plan.unit):
        errors["unit"] = _("You can only plan for units in your scope.")
    outside = [u.code for u in units if plan.unit_id and not u.path.startswith(plan.unit.path)]
    if outside:
        errors["units"] = _("These units are not under the planning unit: %(codes)s") % {"codes": ", ".join(outside)}
    if plan.year_from and plan.year_to and plan.year_from > plan.year_to:
        errors["year_to"] = _("The last year must not be before the first.")
    if plan.date_from and plan.date_to and plan.date_from > plan.date_to:
        errors["date_to"] = _("The last date must not be before the first.")
    bad_series = [s for s in plan.series if s not in Series.values]
    bad_types = [t for t in plan.doc_types if t not in DocType.values]
    bad_levels = [v for v in plan.levels if v not in Level.values]
    if bad_series or bad_types or bad_levels:
        errors["series"] = _("Unknown choices: %(values)s") % {
            "values": ", ".join(map(str, bad_series + bad_types + bad_levels))
        }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def plan_save(*, actor: Any, plan: Plan, units: Iterable[Unit] = ()) -> Plan:
    """Create or change a plan. The selection of an approved (or closed) plan is refused; its name,
    deadline and description may still change."""
    _require(actor, Plan, plan)
    units = list(units)
    creating = plan.pk is None
    # Sets in a stable order, so that re-sending the same choices is not seen as a change.
    plan.levels = sorted({int(v) for v in plan.levels})
    plan.series = sorted(set(plan.series))
    plan.doc_types = sorted(set(plan.doc_types))
    _check_plan(actor, plan, units)
    changes: dict[str, Any] = {}
    if not creating:
        old = Plan.objects.select_for_update().get(pk=plan.pk)
        before, after = _selection_of(old, old.units.all()), _selection_of(plan, units)
        changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
        if old.selection_frozen and changes:
            raise _frozen_error()
        plan.status = old.status  # status changes only through plan_transition
    else:
        plan.created_by = actor if getattr(actor, "is_authenticated", False) else None
        plan.status = Plan.Status.DRAFT
    plan.full_clean()
    plan.save()
    plan.units.set(units)
    audit.record("create" if creating else "update", actor=actor, obj=plan, details={"changes": changes})
    return plan


def may_approve(actor: Any, plan: Plan) -> bool:
    """A unit leader whose scope holds the plan's unit (their own unit or an ancestor of it), or an admin."""
    if policy.is_admin(actor):
        return True
    return policy.role_of(actor) == Role.UNIT_LEADER and policy.unit_in_scope(actor, plan.unit)


#: action → (states it may start from, state it leads to, whether only a leader may do it)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str, bool]] = {
    "submit": ((Plan.Status.DRAFT,), Plan.Status.SUBMITTED, False),
    "withdraw": ((Plan.Status.SUBMITTED,), Plan.Status.DRAFT, False),
    "approve": ((Plan.Status.SUBMITTED,), Plan.Status.APPROVED, True),
    "close": ((Plan.Status.APPROVED,), Plan.Status.CLOSED, True),
}


@transaction.atomic
def plan_transition(*, actor: Any, plan: Plan, action: str) -> Plan:
    """Submit, withdraw, approve or close. Approval and closing are for a leader of the plan's unit (or of a
    unit above it) or an administrator; the approver and the time are kept and audited."""
    if action not in TRANSITIONS:
        raise ValidationError(_("Unknown action."))
    sources, target, leaders_only = TRANSITIONS[action]
    plan = Plan.objects.select_for_update().select_related("unit").get(pk=plan.pk)
    if actor is not None and not policy.can_see(actor, plan):
        raise PermissionDenied(_("You may not change this object."))
    if leaders_only and actor is not None and not may_approve(actor, plan):
        raise PermissionDenied(_("Only a leader of the plan's unit or of a unit above it may do this."))
    if not leaders_only:
        _require(actor, Plan, plan)
    if plan.status not in sources:
        raise ValidationError(
            _("A plan that is “%(status)s” cannot be %(action)s.")
            % {"status": plan.get_status_display(), "action": _ACTION_WORDS()[action]}
        )
    now = timezone.now()
    plan.status = target
    if action == "submit":
        plan.submitted_at = now
    elif action == "approve":
        plan.approved_by, plan.approved_at = actor, now
    elif action == "close":
        plan.closed_at = now
    plan.save()
    audit.record(action, actor=actor, obj=plan, details={"status": target})
    return plan


def _ACTION_WORDS() -> dict[str, str]:  # noqa: N802 — a table, built when the language is known
    return {"submit": _("submitted"), "withdraw": _("withdrawn"), "approve": _("approved"), "close": _("closed")}


# ---- exclusions ------------------------------------------------------------------------------------


def _exclusion_value(plan: Plan, kind: str, value: str) -> str:
    """The value of a criterion exclusion in its stored form, or a message saying what is wrong with it."""
    value = value.strip()
    if kind == Exclusion.Kind.YEAR:
        if not value.isdigit() or not 1900 <= int(value) <= 2100:
            raise ValidationError({"value": _("Enter a year such as 2021.")})
        return str(int(value))
    if kind == Exclusion.Kind.DOC_TYPE:
        match = [t for t in DocType.values if t.casefold() == value.casefold()]
        if not match:
            raise ValidationError({"value": _("Enter a document type abbreviation such as QĐ or CV.")})
        return match[0]
    if kind == Exclusion.Kind.SERIES:
        if value not in Series.values:
            raise ValidationError({"value": _("Enter a series: %(values)s.") % {"values": ", ".join(Series.values)}})
        return value
    if kind == Exclusion.Kind.LEVEL:
        # The codes used everywhere else (mat, toi_mat …) or the level's number.
        level = LEVEL_CODES.get(value.casefold(), int(value) if value.isdigit() else None)
        if level is None or int(level) not in Level.values:
            raise ValidationError(
                {"value": _("Enter a level: %(codes)s (or 0 to 3).") % {"codes": ", ".join(LEVEL_CODES)}}
            )
        return str(int(level))
    if kind == Exclusion.Kind.UNIT:
        unit = Unit.objects.filter(code__iexact=value).first()
        if unit is None or not unit.path.startswith(plan.unit.path):
            raise ValidationError({"value": _("Enter the code of a unit under the planning unit.")})
        return unit.code
    raise ValidationError({"kind": _("Choose what to exclude.")})


@transaction.atomic
def exclusion_add(
    *, actor: Any, plan: Plan, kind: str, reason: str, value: str = "", entry: RegisterEntry | None = None
) -> Exclusion:
    """Leave a register entry, or a whole year, type, series, unit or level, out of the plan, with a reason."""
    _require(actor, Exclusion)
    if actor is not None and not policy.can_see(actor, plan):
        raise PermissionDenied(_("You may not change this object."))
    if plan.selection_frozen:
        raise _frozen_error()
    if not reason.strip():
        raise ValidationError({"reason": _("Say why it is excluded.")})
    if kind == Exclusion.Kind.ENTRY:
        if entry is None or not plan.candidates.filter(entry=entry).exists():
            raise ValidationError({"entry": _("Choose a register entry among the plan's candidates.")})
        value = ""
    else:
        value, entry = _exclusion_value(plan, kind, value), None
    exclusion = Exclusion.objects.create(
        plan=plan, kind=kind, value=value, entry=entry, reason=reason.strip()[:500], created_by=actor
    )
    audit.record(
        "exclude", actor=actor, obj=plan, details={"kind": kind, "value": value, "entry": getattr(entry, "pk", None)}
    )
    return exclusion


@transaction.atomic
def exclusion_remove(*, actor: Any, exclusion: Exclusion) -> None:
    _require(actor, Exclusion, exclusion)
    if exclusion.plan.selection_frozen:
        raise _frozen_error()
    audit.record("include", actor=actor, obj=exclusion.plan, details={"kind": exclusion.kind, "value": exclusion.value})
    exclusion.delete()


def _exclusion_reason(row: dict[str, Any], exclusions: list[Exclusion]) -> str | None:
    for ex in exclusions:
        hit = (
            (ex.kind == Exclusion.Kind.ENTRY and ex.entry_id == row["id"])
            or (ex.kind == Exclusion.Kind.YEAR and ex.value == str(row["year"]))
            or (ex.kind == Exclusion.Kind.DOC_TYPE and ex.value == row["doc_type"])
            or (ex.kind == Exclusion.Kind.SERIES and ex.value == row["direction"])
            or (ex.kind == Exclusion.Kind.LEVEL and ex.value == str(row["confidentiality"]))
            or (ex.kind == Exclusion.Kind.UNIT and ex.value in row["unit_codes"])
        )
        if hit:
            return ex.reason
    return None


# ---- candidates ------------------------------------------------------------------------------------


@dataclass
class Materialized:
    selected: int = 0
    created: int = 0
    changed: int = 0
    removed: int = 0
    excluded: int = 0
    digitized: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def _context(plan: Plan, years: list[int], today: dt.date, entry_ids: list[int]) -> scoring.Context:
    since = timezone.now() - dt.timedelta(days=round(scoring.DEMAND_MONTHS * 30.44))
    demand: dict[int, int] = {}
    for i in range(0, len(entry_ids), 5000):  # keep IN lists short for SQLite
        demand.update(entry_demand(entry_ids[i : i + 5000], since=since))
    return scoring.Context(
        today=today,
        recency=plan.recency,
        year_min=plan.year_from or (min(years) if years else None),
        year_max=plan.year_to or (max(years) if years else None),
        demand=demand,
    )


def _status(row: dict[str, Any], current: Candidate | None, excluded: str | None) -> str:
    if row["digitized"]:
        return Candidate.Status.DIGITIZED
    if current is not None and current.batch_id:
        return Candidate.Status.IN_BATCH
    if excluded is not None:
        return Candidate.Status.EXCLUDED
    return Candidate.Status.WAITING


def _effective(candidate: Candidate) -> float:
    return candidate.override_score if candidate.override_score is not None else candidate.score


@transaction.atomic
def plan_materialize(*, actor: Any, plan: Plan, today: dt.date | None = None) -> Materialized:
    """Turn the plan's selection into candidate rows with scores and reasons; safe to run again.

    A re-run adds entries that now match, refreshes scores and statuses (keeping what people set: the
    override, fragility, legal due date), and drops candidates that no longer match unless a batch holds
    them. Whole plan in one transaction; a few queries whatever the size (bulk writes of CHUNK rows).
    """
    if actor is not None:
        if not policy.can_see(actor, plan):
            raise PermissionDenied(_("You may not change this object."))
        if not (policy.can_create(actor, Plan) or policy.can_create(actor, Candidate)):
            raise PermissionDenied(_("Your role may not select candidates."))
    plan = Plan.objects.select_for_update().select_related("unit").get(pk=plan.pk)
    if plan.status == Plan.Status.CLOSED:
        raise ValidationError(_("This plan is closed."))
    today = today or timezone.localdate()
    copies = DigitalCopy.objects.filter(document_id=OuterRef("document_id"))
    rows = list(
        selection_entries(plan)
        .annotate(digitized=Exists(copies))
        .values("id", "year", "doc_type", "direction", "confidentiality", "unit__path", "digitized")
        .order_by()
    )
    codes = dict(Unit.objects.filter(path__startswith=plan.unit.path).values_list("pk", "code"))
    for row in rows:  # a unit exclusion covers the units under it: the codes of the path's ancestors
        row["unit_codes"] = {codes.get(int(p)) for p in row["unit__path"].strip("/").split("/") if p}
    exclusions = list(plan.exclusions.order_by("id"))  # the first one added gives the reason
    existing = {c.entry_id: c for c in Candidate.objects.filter(plan=plan)}
    ctx = _context(plan, [r["year"] for r in rows], today, [r["id"] for r in rows])
    result = Materialized(selected=len(rows))
    new: list[Candidate] = []
    changed: list[Candidate] = []
    for row in rows:
        current = existing.get(row["id"])
        inputs = scoring.Inputs(
            entry_id=row["id"],
            year=row["year"],
            fragile=bool(current and current.fragile),
            condition=current.condition if current else "",
            legal_due=current.legal_due if current else None,
        )
        score, reasons = scoring.score(inputs, ctx)
        excluded = _exclusion_reason(row, exclusions)
        status = _status(row, current, excluded)
        result.excluded += status == Candidate.Status.EXCLUDED
        result.digitized += status == Candidate.Status.DIGITIZED
        if current is None:
            c = Candidate(plan=plan, entry_id=row["id"], score=score, reasons=reasons, status=status)
            c.excluded_reason = excluded or ""
            c.effective_score = score
            new.append(c)
            continue
        values = {"score": score, "reasons": reasons, "status": status, "excluded_reason": excluded or ""}
        if any(getattr(current, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(current, k, v)
            current.effective_score = _effective(current)
            changed.append(current)
    selected = {r["id"] for r in rows}
    stale = [c.pk for e, c in existing.items() if e not in selected and not c.batch_id]
    Candidate.objects.bulk_create(new, batch_size=CHUNK)
    fields = ["score", "reasons", "status", "excluded_reason", "effective_score"]
    Candidate.objects.bulk_update(changed, fields, batch_size=CHUNK)
    for i in range(0, len(stale), CHUNK):
        Candidate.objects.filter(pk__in=stale[i : i + CHUNK]).delete()
    result.created, result.changed, result.removed = len(new), len(changed), len(stale)
    plan.materialized_at = timezone.now()
    plan.save(update_fields=["materialized_at", "updated_at"])
    audit.record("materialize", actor=actor, obj=plan, details=result.as_dict())
    return result


@transaction.atomic
def candidate_update(
    *,
    actor: Any,
    candidate: Candidate,
    fragile: bool,
    condition: str = "",
    legal_due: dt.date | None = None,
    override_score: float | None = None,
    override_reason: str = "",
    today: dt.date | None = None,
) -> Candidate:
    """Set what a person knows about a candidate (fragile paper, a legal due date) and, optionally, a
    score by hand with the reason. The computed score and reasons are refreshed at once."""
    _require(actor, Candidate, candidate)
    candidate = Candidate.objects.select_for_update().select_related("plan", "entry").get(pk=candidate.pk)
    if candidate.plan.status == Plan.Status.CLOSED:
        raise ValidationError(_("This plan is closed."))
    if override_score is not None and not 0 <= override_score <= 100:
        raise ValidationError({"override_score": _("A score is between 0 and 100.")})
    if override_score is not None and not override_reason.strip():
        raise ValidationError({"override_reason": _("Say why you set the score by hand.")})
    before = {
        "override_score": candidate.override_score,
        "fragile": candidate.fragile,
        "legal_due": candidate.legal_due,
    }
    candidate.fragile, candidate.condition, candidate.legal_due = fragile, condition.strip()[:255], legal_due
    if override_score != candidate.override_score or override_reason.strip() != candidate.override_reason:
        candidate.override_score = override_score
        candidate.override_reason = override_reason.strip()[:500] if override_score is not None else ""
        candidate.override_by = actor if override_score is not None else None
        candidate.override_at = timezone.now() if override_score is not None else None
    plan = candidate.plan
    years = list(selection_entries(plan).values_list("year", flat=True).distinct()) if plan.recency != "none" else []
    ctx = _context(plan, years, today or timezone.localdate(), [candidate.entry_id])
    inputs = scoring.Inputs(
        entry_id=candidate.entry_id,
        year=candidate.entry.year,
        fragile=candidate.fragile,
        condition=candidate.condition,
        legal_due=candidate.legal_due,
    )
    candidate.score, candidate.reasons = scoring.score(inputs, ctx)
    candidate.effective_score = _effective(candidate)
    candidate.save()
    audit.record(
        "override" if override_score is not None else "update",
        actor=actor,
        obj=candidate,
        details={"before": before, "override_score": override_score, "reason": candidate.override_reason},
    )
    return candidate


# ---- teams -----------------------------------------------------------------------------------------


@transaction.atomic
def team_save(*, actor: Any, team: Team) -> Team:
    _require(actor, Team, team)
    if actor is not None and team.unit_id and not policy.unit_in_scope(actor, team.unit):
        raise ValidationError({"unit": _("You can only work with units in your scope.")})
    creating = team.pk is None
    team.full_clean()
    team.save()
    audit.record("create" if creating else "update", actor=actor, obj=team)
    return team


@transaction.atomic
def team_member_set(*, actor: Any, team: Team, user: Any, role: str) -> TeamMember:
    """Add a person to a team, or change their role in it. They must belong to a unit in the team's scope."""
    _require(actor, TeamMember)
    if actor is not None and not policy.can_see(actor, team):
        raise PermissionDenied(_("You may not change this object."))
    if role not in TeamMember.Role.values:
        raise ValidationError({"role": _("Choose a role in the team.")})
    if not user.units.filter(path__startswith=_root_path(team.unit)).exists():
        raise ValidationError({"user": _("This person does not work in the team's province.")})
    member, created = TeamMember.objects.update_or_create(team=team, user=user, defaults={"role": role})
    audit.record("member", actor=actor, obj=team, details={"user": user.get_username(), "role": role})
    return member


def _root_path(unit: Unit) -> str:
    return "/" + unit.path.strip("/").split("/")[0] + "/"


@transaction.atomic
def team_member_remove(*, actor: Any, member: TeamMember) -> None:
    _require(actor, TeamMember, member)
    audit.record("member_remove", actor=actor, obj=member.team, details={"user": member.user.get_username()})
    member.delete()


# ---- batches ---------------------------------------------------------------------------------------


@transaction.atomic
def batch_create(*, actor: Any, plan: Plan, team: Team, due_date: dt.date, size: int, assignee: Any = None) -> Batch:
    """A batch of the `size` waiting candidates with the highest priority, for an approved plan.

    Only candidates both the creator and the assignee may see are taken: the assignee handles the paper.
    """
    _require(actor, Batch)
    if actor is not None and not (policy.can_see(actor, plan) and policy.can_see(actor, team)):
        raise PermissionDenied(_("You may not change this object."))
    if plan.status != Plan.Status.APPROVED:
        raise ValidationError(_("Batches are made for approved plans only."))
    if size < 1:
        raise ValidationError({"size": _("A batch holds at least one document.")})
    if assignee is not None and not team.members.filter(user=assignee).exists():
        raise ValidationError({"assignee": _("The person assigned must be a member of the team.")})
    waiting = Candidate.objects.filter(plan=plan, status=Candidate.Status.WAITING).select_for_update()
    for person in (actor, assignee):
        if person is not None:
            waiting = waiting.filter(policy.visibility_q(person, Candidate))
    picked = list(waiting.order_by("-effective_score", "id").values_list("pk", flat=True)[:size])
    if not picked:
        raise ValidationError(_("No waiting candidates are left in this plan."))
    batch = Batch.objects.create(
        plan=plan,
        team=team,
        assignee=assignee,
        due_date=due_date,
        created_by=actor,
        state_changed_at=timezone.now(),
    )
    Candidate.objects.filter(pk__in=picked).update(batch=batch, status=Candidate.Status.IN_BATCH)
    audit.record("create", actor=actor, obj=batch, details={"plan": plan.pk, "candidates": len(picked)})
    return batch


def may_work_on(actor: Any, batch: Batch) -> bool:
    return policy.can_create(actor, Batch) or batch.team.members.filter(user=actor).exists()


def _require_qc_done(batch: Batch) -> None:
    """A batch is quality-checked only when every scanned page of its documents passed QC."""
    documents = Candidate.objects.filter(batch=batch, entry__document__isnull=False).values_list(
        "entry__document_id", flat=True
    )
    qc = selectors.batch_qc(documents)
    open_pages = qc["pending"] + qc["rejected"]
    if open_pages:
        raise ValidationError(
            ngettext(
                "%(n)d page of this batch still waits for quality control or a rescan.",
                "%(n)d pages of this batch still wait for quality control or a rescan.",
                open_pages,
            )
            % {"n": open_pages}
        )


@transaction.atomic
def batch_advance(*, actor: Any, batch: Batch, to_state: str, note: str = "") -> Batch:
    """Move a batch one step on (retrieved → scanned → quality checked → indexed → returned). When it is
    returned, its digitized candidates count as done and the others go back to the waiting list."""
    batch = Batch.objects.select_for_update().select_related("team", "plan").get(pk=batch.pk)
    if actor is not None:
        if not policy.can_see(actor, batch):
            raise PermissionDenied(_("You may not change this object."))
        if not may_work_on(actor, batch):
            raise PermissionDenied(_("Only the team's members or planners may move this batch."))
    if to_state not in BATCH_ORDER:
        raise ValidationError(_("Unknown state."))
    if to_state != batch.next_state:
        current = BatchState(batch.state).label
        if batch.next_state is None:
            raise ValidationError(
                _("The batch is already “%(current)s”: it cannot move any further.") % {"current": current}
            )
        raise ValidationError(
            _("A batch that is “%(current)s” cannot become “%(target)s”; the next step is “%(next)s”.")
            % {
                "current": current,
                "target": BatchState(to_state).label,
                "next": BatchState(batch.next_state).label,
            }
        )
    if to_state == BatchState.QUALITY_CHECKED:
        _require_qc_done(batch)
    now = timezone.now()
    BatchTransition.objects.create(
        batch=batch, from_state=batch.state, to_state=to_state, at=now, by=actor, note=note[:300]
    )
    details: dict[str, Any] = {"from": batch.state, "to": to_state}
    batch.state, batch.state_changed_at = to_state, now
    batch.save(update_fields=["state", "state_changed_at"])
    if to_state == BatchState.RETURNED:
        held = Candidate.objects.filter(batch=batch)
        copies = DigitalCopy.objects.filter(document_id=OuterRef("entry__document_id"))
        done = held.filter(Exists(copies)).update(status=Candidate.Status.DIGITIZED)
        back = held.filter(status=Candidate.Status.IN_BATCH).update(status=Candidate.Status.WAITING, batch=None)
        details.update(digitized=done, back_to_waiting=back)
    audit.record("transition", actor=actor, obj=batch, details=details)
    return batch
