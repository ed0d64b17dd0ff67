"""The steps of a petition: one service per transition (decision 0033).

received → classified → (forwarded | accepted → being verified → concluded) | filed without action;
plus a written extension of the current step's deadline, assignment to a person, and marking a letter as
a repeat of an earlier one. Each service is keyword-only, locks the petition row, checks the actor and
the step, writes one PetitionEvent and one audit row, sets `state` and the legal `deadline`
(petitions.deadlines), and queues its notifications after the commit. Refusals a user can cause are
ValidationError with a translated message; nothing is changed then.

The law's rules on unprocessable letters (DOMAIN.md) are enforced here: an anonymous letter is not
processed as a denunciation or complaint (it is filed, and kept for inspection when its content is
specific); a letter already forwarded is not forwarded again for the same content; a repeat without new
facts is filed without action.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from sohoa.core import audit, policy
from sohoa.registry.models import Unit

from . import deadlines, notices
from .models import Competence, Kind, Petition, PetitionEvent, State

Action = PetitionEvent.Action

#: Kinds that an anonymous letter cannot be processed as (Law on Denunciation 2018 art. 25; Law on
#: Complaints 2011 art. 8: a complaint names its complainant).
ANONYMOUS_UNPROCESSABLE = frozenset({Kind.DENUNCIATION, Kind.COMPLAINT, Kind.MIXED})


def _lock(petition: Petition) -> Petition:
    """The petition's row, locked for this transaction (PostgreSQL: the petition's row only, since the
    joined nullable relations cannot be locked)."""
    return (
        Petition.objects.select_for_update(of=("self",))
        .select_related("unit", "assignee", "forward_to_unit", "repeat_of")
        .get(pk=petition.pk)
    )


def _check(actor: Any, petition: Petition) -> None:
    """A step is taken by an inspector, unit leader or administrator who sees the petition (None = system)."""
    if actor is None:
        return
    if not policy.can_see(actor, petition):
        raise PermissionDenied(_("This petition is outside your scope."))
    if policy.role_of(actor) not in policy.PETITION_DECIDERS:  # can_handle_petition, its can_see done above
        raise PermissionDenied(_("Your role may not decide the steps of petitions."))


def _require_state(petition: Petition, *allowed: str, doing: str) -> None:
    if petition.state not in allowed:
        raise ValidationError(
            _("A petition that is “%(state)s” cannot be %(doing)s.")
            % {"state": petition.get_state_display(), "doing": doing}
        )


def _step(
    *,
    actor: Any,
    petition: Petition,
    action: str,
    state: str | None = None,
    note: str = "",
    reference: str = "",
    days: int | None = None,
    details: dict[str, Any] | None = None,
) -> PetitionEvent:
    """Write the new state, its computed deadline, the event and the audit row; queue the notices."""
    if state is not None:
        petition.state = state
    event = PetitionEvent.objects.create(
        petition=petition,
        action=action,
        state=petition.state,
        note=note,
        reference=reference,
        days=days,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )
    petition.deadline = deadlines.compute(petition)
    petition.save()
    if event.deadline != petition.deadline:
        event.deadline = petition.deadline
        event.save(update_fields=["deadline"])
    audit.record(
        f"petition_{action}",
        actor=actor,
        obj=petition,
        details={
            "state": petition.state,
            "deadline": petition.deadline.isoformat() if petition.deadline else None,
            **({"note": note} if note else {}),
            **({"reference": reference} if reference else {}),
            **(details or {}),
        },
    )
    pk = petition.pk
    transaction.on_commit(lambda: notices.notify_petition(pk), robust=True)
    return event


def _forwarded_before(petition: Petition) -> Petition | None:
    """The earlier petition of the same content that was already forwarded, following `repeat_of`."""
    seen: set[int] = {petition.pk}
    earlier = petition.repeat_of
    while earlier is not None and earlier.pk not in seen:
        if earlier.events.filter(action=Action.FORWARDED).exists():
            return earlier
        seen.add(earlier.pk)
        earlier = earlier.repeat_of
    return None


def _repeat_without_new_facts(petition: Petition) -> bool:
    return petition.repeat_of_id is not None and not petition.new_facts


def _anonymous_unprocessable(petition: Petition) -> bool:
    return petition.anonymous and petition.kind in ANONYMOUS_UNPROCESSABLE


# ---- the transitions ---------------------------------------------------------------------------------


@transaction.atomic
def classify(
    *,
    actor: Any,
    petition: Petition,
    kind: str,
    competence: str,
    anonymous: bool = False,
    conditions_met: bool | None = None,
    conditions_note: str = "",
    forward_to: str = "",
    forward_to_unit: Unit | None = None,
    complex_case: bool | None = None,
    note: str = "",
) -> Petition:
    """Classify a received petition (again, while it has not moved on): kind, anonymous, whether it meets
    the conditions for handling, and whose it is. An anonymous denunciation or complaint and a repeat
    without new facts do not meet them: the next step is to file it."""
    petition = _lock(petition)
    _check(actor, petition)
    _require_state(petition, State.RECEIVED, State.CLASSIFIED, doing=_("classified"))
    conditions_note, forward_to, note = conditions_note.strip(), forward_to.strip(), note.strip()
    if kind not in Kind.values:
        raise ValidationError(_("Choose the kind of the petition."))
    if competence not in Competence.values:
        raise ValidationError(_("Say whether the petition is ours to handle or another body's."))
    if competence == Competence.OTHER and not (forward_to or forward_to_unit):
        raise ValidationError(_("Name the body the petition is to be forwarded to."))
    petition.kind, petition.anonymous, petition.competence = kind, anonymous, competence
    if _anonymous_unprocessable(petition):
        if conditions_met:
            raise ValidationError(
                _(
                    "An anonymous letter is not processed as a denunciation or a complaint: "
                    "it does not meet the conditions for handling."
                )
            )
        conditions_met = False
        conditions_note = conditions_note or _("Anonymous letter: not processed as a denunciation or a complaint.")
    elif _repeat_without_new_facts(petition) and competence == Competence.OURS:
        conditions_met = False
        conditions_note = conditions_note or _("Repeats petition %(number)s without new facts.") % {
            "number": petition.repeat_of
        }
    if conditions_met is None:
        raise ValidationError(_("Say whether the petition meets the conditions for handling."))
    if conditions_met is False and not conditions_note:
        raise ValidationError(_("Say why the petition does not meet the conditions for handling."))
    petition.conditions_met, petition.conditions_note = conditions_met, conditions_note if not conditions_met else ""
    petition.forward_to = forward_to if competence == Competence.OTHER else ""
    petition.forward_to_unit = forward_to_unit if competence == Competence.OTHER else None
    if complex_case is not None:
        petition.complex_case = complex_case
    _step(
        actor=actor,
        petition=petition,
        action=Action.CLASSIFIED,
        state=State.CLASSIFIED,
        note=note,
        details={
            "kind": kind,
            "anonymous": anonymous,
            "conditions_met": conditions_met,
            "competence": competence,
            "forward_to": petition.forward_to or (forward_to_unit.code if forward_to_unit else ""),
        },
    )
    return petition


@transaction.atomic
def forward(
    *,
    actor: Any,
    petition: Petition,
    reference: str = "",
    note: str = "",
    forward_to: str = "",
    forward_to_unit: Unit | None = None,
) -> Petition:
    """Forward a classified petition that is another body's to that body (once per content)."""
    petition = _lock(petition)
    _check(actor, petition)
    _require_state(petition, State.CLASSIFIED, doing=_("forwarded"))
    if petition.competence != Competence.OTHER:
        raise ValidationError(_("The petition is classified as ours to handle: classify it again to forward it."))
    if _anonymous_unprocessable(petition):
        raise ValidationError(
            _(
                "An anonymous letter is not processed as a denunciation: "
                "file it, and keep it for inspection if its content is specific."
            )
        )
    earlier = _forwarded_before(petition)
    if earlier is not None and not petition.new_facts:
        raise ValidationError(
            _(
                "The same content was already forwarded with petition %(number)s: "
                "a repeat is not forwarded again; file it without action."
            )
            % {"number": earlier}
        )
    if forward_to.strip() or forward_to_unit is not None:
        petition.forward_to, petition.forward_to_unit = forward_to.strip(), forward_to_unit
    if not (petition.forward_to or petition.forward_to_unit):
        raise ValidationError(_("Name the body the petition is forwarded to."))
    to = petition.forward_to_unit.name if petition.forward_to_unit else petition.forward_to
    _step(
        actor=actor,
        petition=petition,
        action=Action.FORWARDED,
        state=State.FORWARDED,
        note=note.strip(),
        reference=reference.strip(),
        details={"to": to},
    )
    return petition


@transaction.atomic
def accept(*, actor: Any, petition: Petition, reference: str = "", note: str = "") -> Petition:
    """Accept a classified petition that is ours and meets the conditions (thụ lý): the resolution's
    deadline starts today."""
    petition = _lock(petition)
    _check(actor, petition)
    _require_state(petition, State.CLASSIFIED, doing=_("accepted"))
    if petition.competence != Competence.OURS:
        raise ValidationError(_("The petition is another body's: forward it instead."))
    if _anonymous_unprocessable(petition):
        raise ValidationError(
            _(
                "An anonymous letter is not processed as a denunciation: "
                "file it, and keep it for inspection if its content is specific."
            )
        )
    if _repeat_without_new_facts(petition):
        raise ValidationError(
            _("The letter repeats petition %(number)s without new facts: file it without action.")
            % {"number": petition.repeat_of}
        )
    if not petition.conditions_met:
        raise ValidationError(_("The petition does not meet the conditions for handling: file it without action."))
    _step(
        actor=actor,
        petition=petition,
        action=Action.ACCEPTED,
        state=State.ACCEPTED,
        note=note.strip(),
        reference=reference.strip(),
    )
    return petition


@transaction.atomic
def start_verification(*, actor: Any, petition: Petition, note: str = "") -> Petition:
    """Start verifying an accepted petition (the resolution's deadline runs on)."""
    petition = _lock(petition)
    _check(actor, petition)
    _require_state(petition, State.ACCEPTED, doing=_("put under verification"))
    _step(actor=actor, petition=petition, action=Action.VERIFYING, state=State.VERIFYING, note=note.strip())
    return petition


@transaction.atomic
def conclude(*, actor: Any, petition: Petition, note: str, reference: str = "") -> Petition:
    """Conclude an accepted petition: the conclusion's summary is required; no deadline runs any more."""
    petition = _lock(petition)
    _check(actor, petition)
    _require_state(petition, State.ACCEPTED, State.VERIFYING, doing=_("concluded"))
    if not note.strip():
        raise ValidationError(_("Write the conclusion."))
    _step(
        actor=actor,
        petition=petition,
        action=Action.CONCLUDED,
        state=State.CONCLUDED,
        note=note.strip(),
        reference=reference.strip(),
    )
    return petition


@transaction.atomic
def file_without_action(
    *, actor: Any, petition: Petition, reason: str = "", keep_for_inspection: bool = False
) -> Petition:
    """File a petition without action (lưu đơn): a reason is required, except that an anonymous letter
    and a repeat without new facts carry theirs. `keep_for_inspection` keeps a specific anonymous letter
    for the committee's inspection work."""
    petition = _lock(petition)
    _check(actor, petition)
    _require_state(petition, State.RECEIVED, State.CLASSIFIED, doing=_("filed without action"))
    reason = reason.strip()
    if not reason:
        if _anonymous_unprocessable(petition) or (petition.anonymous and keep_for_inspection):
            reason = _("Anonymous letter: not processed as a denunciation or a complaint.")
        elif _repeat_without_new_facts(petition):
            reason = _("Repeats petition %(number)s without new facts.") % {"number": petition.repeat_of}
        elif petition.state == State.CLASSIFIED and not petition.conditions_met and petition.conditions_note:
            reason = petition.conditions_note
        else:
            raise ValidationError(_("Say why the petition is filed without action."))
    petition.kept_for_inspection = keep_for_inspection
    _step(
        actor=actor,
        petition=petition,
        action=Action.FILED,
        state=State.FILED,
        note=reason,
        details={"kept_for_inspection": keep_for_inspection},
    )
    return petition


@transaction.atomic
def extend(
    *,
    actor: Any,
    petition: Petition,
    reference: str,
    days: int,
    note: str = "",
    complex_case: bool | None = None,
) -> Petition:
    """Extend the current step's deadline by a written decision (its number in `reference`), within the
    law's limits: how many extensions the step allows (more for a complex case) and how long each is."""
    petition = _lock(petition)
    _check(actor, petition)
    step = deadlines.step_of(petition)
    if step is None:
        raise ValidationError(_("A closed petition has no deadline to extend."))
    if not reference.strip():
        raise ValidationError(_("An extension is decided in writing: give the number of the written decision."))
    if complex_case is not None:
        petition.complex_case = complex_case
    rule = deadlines.rule_for(step, petition.kind)
    allowed = deadlines.max_extensions(rule, petition.complex_case)
    if allowed == 0 or rule.extension_days == 0:
        if rule.complex_max_extensions and not petition.complex_case:
            raise ValidationError(_("This deadline can be extended only for a complex case."))
        raise ValidationError(
            _("The law allows no extension of the time to %(step)s.") % {"step": deadlines.STEP_LABELS[step]}
        )
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise ValidationError(_("Give the extension in days.")) from None
    unit = _("working days") if rule.count == deadlines.Count.WORKING else _("days")
    if days < 1 or days > rule.extension_days:
        raise ValidationError(
            _("An extension of the time to %(step)s is 1 to %(max)d %(unit)s.")
            % {"step": deadlines.STEP_LABELS[step], "max": rule.extension_days, "unit": unit}
        )
    done = len(deadlines.extensions(deadlines._events(petition), step))
    if done >= allowed:
        if not petition.complex_case and rule.complex_max_extensions > allowed:
            raise ValidationError(
                _(
                    "The deadline was already extended %(n)d times; "
                    "a further extension is allowed only for a complex case."
                )
                % {"n": done}
            )
        raise ValidationError(
            _("The deadline was already extended %(n)d times, the most the law allows.") % {"n": done}
        )
    before = petition.deadline
    _step(
        actor=actor,
        petition=petition,
        action=Action.EXTENDED,
        note=note.strip(),
        reference=reference.strip(),
        days=days,
        details={
            "days": days,
            "from": before.isoformat() if before else None,
            "complex_case": petition.complex_case,
        },
    )
    return petition


@transaction.atomic
def assign(*, actor: Any, petition: Petition, assignee: Any) -> Petition:
    """Give the petition to a person who may handle it (an inspector or leader who sees it); they are
    notified."""
    petition = _lock(petition)
    _check(actor, petition)
    if petition.closed:
        raise ValidationError(_("A closed petition is not assigned any more."))
    if assignee is None or not assignee.is_active or not policy.can_handle_petition(assignee, petition):
        raise ValidationError(
            _("Choose a person who may handle this petition (an inspector or leader of its unit, cleared for it).")
        )
    if petition.assignee_id == assignee.pk:
        raise ValidationError(_("The petition is already assigned to %(name)s.") % {"name": _name(assignee)})
    petition.assignee = assignee
    _step(
        actor=actor,
        petition=petition,
        action=Action.ASSIGNED,
        note=_name(assignee),
        details={"assignee": assignee.username},
    )
    pk, user_pk = petition.pk, assignee.pk
    transaction.on_commit(lambda: notices.notify_assigned(pk, user_pk), robust=True)
    return petition


@transaction.atomic
def mark_repeat(*, actor: Any, petition: Petition, repeat_of: Petition | None, new_facts: bool = False) -> Petition:
    """Link a letter to the earlier petition it repeats (None unlinks it), saying whether it brings new
    facts; the repeat rules of the next steps follow from it."""
    petition = _lock(petition)
    _check(actor, petition)
    _require_state(petition, State.RECEIVED, State.CLASSIFIED, doing=_("marked as a repeat"))
    if repeat_of is not None:
        if repeat_of.pk == petition.pk:
            raise ValidationError(_("A petition cannot repeat itself."))
        if actor is not None and not policy.can_see(actor, repeat_of):
            raise ValidationError(_("The earlier petition is outside your scope."))
        repeat_of = Petition.objects.get(pk=repeat_of.pk)  # its current link, not a stale copy's
        seen: set[int] = {petition.pk}
        earlier_pk: int | None = repeat_of.pk
        while earlier_pk is not None:  # no cycles
            if earlier_pk in seen:
                raise ValidationError(_("That earlier petition is itself a repeat of this one."))
            seen.add(earlier_pk)
            earlier_pk = Petition.objects.filter(pk=earlier_pk).values_list("repeat_of_id", flat=True).first()
    petition.repeat_of, petition.new_facts = repeat_of, bool(new_facts) if repeat_of is not None else False
    _step(
        actor=actor,
        petition=petition,
        action=Action.REPEAT,
        note=(
            (_("Repeats %(number)s, with new facts.") if petition.new_facts else _("Repeats %(number)s."))
            % {"number": repeat_of}
            if repeat_of is not None
            else _("Not a repeat.")
        ),
        details={"repeat_of": repeat_of.pk if repeat_of else None, "new_facts": petition.new_facts},
    )
    return petition


# ---- what the page offers --------------------------------------------------------------------------------


def next_actions(petition: Petition) -> list[str]:
    """The transitions that make sense now, in the order the page shows them (the services still check)."""
    s = petition.state
    if s == State.RECEIVED:
        return ["classify", "file", "extend", "assign", "repeat"]
    if s == State.CLASSIFIED:
        actions = ["classify"]
        if petition.competence == Competence.OTHER:
            actions.append("forward")
        elif petition.conditions_met and not _repeat_without_new_facts(petition):
            actions.append("accept")
        return [*actions, "file", "extend", "assign", "repeat"]
    if s == State.ACCEPTED:
        return ["verify", "conclude", "extend", "assign"]
    if s == State.VERIFYING:
        return ["conclude", "extend", "assign"]
    return []


def suggestion(petition: Petition) -> str:
    """One sentence on what the rules say to do with the petition now (shown above the forms)."""
    if petition.closed:
        return ""
    if _anonymous_unprocessable(petition):
        return _(
            "Anonymous letter: not processed as a denunciation or complaint. "
            "File it; keep it for inspection if its content is specific."
        )
    earlier = _forwarded_before(petition)
    if earlier is not None and not petition.new_facts:
        return _("Its content was already forwarded with petition %(number)s: file it without action.") % {
            "number": earlier
        }
    if _repeat_without_new_facts(petition):
        return _("Repeats petition %(number)s without new facts: file it without action.") % {
            "number": petition.repeat_of
        }
    if petition.deadline:
        step = deadlines.step_of(petition)
        label = deadlines.STEP_LABELS[step] if step else ""
        return _("Deadline to %(step)s: %(date)s.") % {
            "step": label,
            "date": date_format(petition.deadline, "SHORT_DATE_FORMAT"),
        }
    return ""


def _name(user: Any) -> str:
    return str(user.get_full_name() or user.username)
