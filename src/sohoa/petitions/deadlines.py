"""The legal deadlines of a petition's steps, in one table (decision 0033).

A step's deadline is computed, never typed: from its anchor date (the day the letter was received, or
the day it was accepted for handling) plus the table's days, counted in working days (weekends and
Vietnamese public holidays, Tết by the lunar calendar: sohoa.workdays.calendar) or in calendar days,
plus the days of the written extensions of that step. Because it is computed from facts kept on the
petition and its events, it can be computed again when the holiday calendar changes
(`recompute_deadlines`).

Sources: Law on Denunciation 25/2018/QH14 (art. 24: register, classify and check within 7 working days,
up to 10; forward within 5 working days when not competent; art. 29-30: accept within 7 working days,
resolve within 30 days, extendable once by 30 days, twice for complex cases, each extension in writing),
Law on Complaints 02/2011/QH13 (art. 27: accept within 10 days; art. 28: resolve the first complaint within
30 days, 45 for complex cases), docs/DOMAIN.md "Petitions".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Competence, Kind, State

if TYPE_CHECKING:
    from .models import Petition


class Step(StrEnum):
    """What the petition waits for; derived from its state (and competence)."""

    CLASSIFY = "classify"
    FORWARD = "forward"
    ACCEPT = "accept"
    RESOLVE = "resolve"


STEP_LABELS = {
    Step.CLASSIFY: _("classify and check"),
    Step.FORWARD: _("forward to the competent body"),
    Step.ACCEPT: _("accept for handling"),
    Step.RESOLVE: _("verify and conclude"),
}


class Count(StrEnum):
    WORKING = "working"
    CALENDAR = "calendar"


class Anchor(StrEnum):
    RECEIVED = "received"  # the day the letter was received
    ACCEPTED = "accepted"  # the day it was accepted for handling (thụ lý)


@dataclass(frozen=True)
class StepRule:
    """One line of the table: `days` counted as `count` from `anchor`; at most `max_extensions` written
    extensions (`complex_max_extensions` for a complex case) of at most `extension_days` each, counted the
    same way. `carries` names earlier steps with the same anchor whose extensions also push this one."""

    days: int
    count: Count
    anchor: Anchor
    max_extensions: int = 0
    complex_max_extensions: int = 0
    extension_days: int = 0
    carries: tuple[Step, ...] = ()
    basis: str = ""


_DEN_CLASSIFY = StepRule(
    7,
    Count.WORKING,
    Anchor.RECEIVED,
    1,
    1,
    3,
    basis="Luật Tố cáo 25/2018, điều 24 khoản 1 (7, tối đa 10 ngày làm việc)",
)
_FORWARD = StepRule(5, Count.WORKING, Anchor.RECEIVED, basis="Luật Tố cáo 25/2018, điều 24 khoản 2 (5 ngày làm việc)")
_DEN_ACCEPT = StepRule(
    7, Count.WORKING, Anchor.RECEIVED, carries=(Step.CLASSIFY,), basis="Luật Tố cáo 25/2018, điều 29 (7 ngày làm việc)"
)
_DEN_RESOLVE = StepRule(
    30,
    Count.CALENDAR,
    Anchor.ACCEPTED,
    1,
    2,
    30,
    basis="Luật Tố cáo 25/2018, điều 30 (30 ngày, gia hạn 30, phức tạp 2 lần)",
)
_COMPLAINT_ACCEPT = StepRule(10, Count.CALENDAR, Anchor.RECEIVED, basis="Luật Khiếu nại 02/2011, điều 27 (10 ngày)")
_COMPLAINT_RESOLVE = StepRule(
    30, Count.CALENDAR, Anchor.ACCEPTED, 0, 1, 15, basis="Luật Khiếu nại 02/2011, điều 28 (30 ngày, phức tạp 45)"
)
_REC_HANDLE = StepRule(10, Count.WORKING, Anchor.RECEIVED, basis="Xử lý đơn kiến nghị, phản ánh (10 ngày làm việc)")
_REC_RESOLVE = StepRule(30, Count.CALENDAR, Anchor.ACCEPTED, basis="Kiến nghị, phản ánh (30 ngày)")

#: (step, kind) → rule; kind "" is the rule of a petition not yet classified and of any kind not listed.
#: A mixed letter contains a denunciation, so it follows the denunciation's (stricter) rules.
RULES: dict[tuple[Step, str], StepRule] = {
    (Step.CLASSIFY, ""): _DEN_CLASSIFY,
    (Step.CLASSIFY, Kind.DENUNCIATION): _DEN_CLASSIFY,
    (Step.CLASSIFY, Kind.MIXED): _DEN_CLASSIFY,
    (Step.CLASSIFY, Kind.COMPLAINT): _COMPLAINT_ACCEPT,
    (Step.CLASSIFY, Kind.RECOMMENDATION): _REC_HANDLE,
    (Step.FORWARD, ""): _FORWARD,
    (Step.ACCEPT, ""): _DEN_ACCEPT,
    (Step.ACCEPT, Kind.COMPLAINT): _COMPLAINT_ACCEPT,
    (Step.ACCEPT, Kind.RECOMMENDATION): _REC_HANDLE,
    (Step.RESOLVE, ""): _DEN_RESOLVE,
    (Step.RESOLVE, Kind.COMPLAINT): _COMPLAINT_RESOLVE,
    (Step.RESOLVE, Kind.RECOMMENDATION): _REC_RESOLVE,
}

#: The states each step is taken in (extensions are events recorded in those states).
STEP_STATES: dict[Step, frozenset[str]] = {
    Step.CLASSIFY: frozenset({State.RECEIVED}),
    Step.FORWARD: frozenset({State.CLASSIFIED}),
    Step.ACCEPT: frozenset({State.CLASSIFIED}),
    Step.RESOLVE: frozenset({State.ACCEPTED, State.VERIFYING}),
}

#: How many days before its deadline a petition counts as "due soon".
DUE_SOON_DAYS = 3


def rule_for(step: Step, kind: str) -> StepRule:
    return RULES.get((step, kind)) or RULES[(step, "")]


def step_of(petition: Petition) -> Step | None:
    """The step the petition waits for, or None when closed."""
    if petition.state == State.RECEIVED:
        return Step.CLASSIFY
    if petition.state == State.CLASSIFIED:
        if petition.competence == Competence.OTHER:
            return Step.FORWARD
        if petition.conditions_met is False:
            return Step.CLASSIFY  # to be filed: still within the classification's time
        return Step.ACCEPT
    if petition.state in (State.ACCEPTED, State.VERIFYING):
        return Step.RESOLVE
    return None


def add(start: dt.date, days: int, count: Count) -> dt.date:
    """`days` after `start`, in working or calendar days (the holiday calendar of sohoa.workdays)."""
    from sohoa.workdays.calendar import add_days, add_working_days

    if days <= 0:
        return start
    return add_working_days(start, days) if count == Count.WORKING else add_days(start, days)


def _local(at: dt.datetime) -> dt.date:
    return timezone.localtime(at).date() if timezone.is_aware(at) else at.date()


def _events(petition: Petition) -> list[tuple[str, str, dt.date, int | None]]:
    """(action, state after, date, days) of the petition's events, oldest first."""
    if petition.pk is None:
        return []
    return [
        (a, s, _local(at), d)
        for a, s, at, d in petition.events.order_by("at", "pk").values_list("action", "state", "at", "days")
    ]


def anchor_date(petition: Petition, anchor: Anchor, events: Iterable[tuple[str, str, dt.date, int | None]]) -> dt.date:
    if anchor == Anchor.ACCEPTED:
        accepted = [on for action, _state, on, _days in events if action == "accepted"]
        if accepted:
            return accepted[-1]
    return petition.received_on


def extensions(events: Iterable[tuple[str, str, dt.date, int | None]], step: Step) -> list[int]:
    """The days of each written extension granted for `step`."""
    states = STEP_STATES[step]
    return [days or 0 for action, state, _on, days in events if action == "extended" and state in states]


def max_extensions(rule: StepRule, complex_case: bool) -> int:
    return max(rule.max_extensions, rule.complex_max_extensions) if complex_case else rule.max_extensions


def compute(petition: Petition, step: Step | None = None) -> dt.date | None:
    """The deadline of the petition's current step (or of `step`), with its extensions; None when closed."""
    step = step or step_of(petition)
    if step is None:
        return None
    rule = rule_for(step, petition.kind)
    events = _events(petition)
    start = anchor_date(petition, rule.anchor, events)
    due = add(start, rule.days, rule.count)
    for earlier in rule.carries:
        earlier_rule = rule_for(earlier, petition.kind)
        for days in extensions(events, earlier):
            due = add(due, days, earlier_rule.count)
    for days in extensions(events, step):
        due = add(due, days, rule.count)
    return due


def recompute_deadlines(*, petitions: Iterable[Petition] | None = None) -> int:
    """Compute the deadline of every open petition again (after the holiday calendar changed); returns
    how many changed. Safe to re-run; rows are updated one by one, without touching anything else."""
    from .models import CLOSED_STATES, Petition

    rows = petitions if petitions is not None else Petition.objects.exclude(state__in=CLOSED_STATES).iterator()
    changed = 0
    for petition in rows:
        due = compute(petition)
        if due != petition.deadline:
            # Only if no step moved the petition meanwhile (its own step set a fresher deadline).
            Petition.objects.filter(pk=petition.pk, state=petition.state, deadline=petition.deadline).update(
                deadline=due
            )
            petition.deadline = due
            changed += 1
    return changed


def is_overdue(petition: Petition, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return bool(petition.deadline and not petition.closed and petition.deadline < today)


def is_due_soon(petition: Petition, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return bool(
        petition.deadline
        and not petition.closed
        and today <= petition.deadline <= today + dt.timedelta(days=DUE_SOON_DAYS)
    )
