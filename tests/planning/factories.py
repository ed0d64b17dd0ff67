"""Builders for planning tests, and the hidden planning objects the URL policy walker checks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sohoa.planning.models import Batch, Candidate, Exclusion, Plan, Team, TeamMember
from tests.factories import UserFactory


def make_plan(unit: Any, **kwargs: Any) -> Plan:
    """A plan written straight to the database (services are tested on their own)."""
    kwargs.setdefault("name", "Kế hoạch số hóa 2025")
    kwargs.setdefault("deadline", dt.date(2026, 12, 31))
    return Plan.objects.create(unit=unit, **kwargs)


def hidden_planning_objects(province: dict[str, Any], entry: Any, marker: str) -> dict[str, Any]:
    """Planning objects a clerk of UBKT must not see: a plan, team, batch of another province, and a
    candidate whose register entry is above their clearance. Each carries `marker` where it can."""
    other = province["other"]
    plan = make_plan(other, name=f"{marker} kế hoạch", status=Plan.Status.APPROVED)
    team = Team.objects.create(name=f"{marker} tổ", unit=other)
    member = TeamMember.objects.create(team=team, user=UserFactory(units=[other], username=f"{marker.lower()}_op"))
    batch = Batch.objects.create(plan=plan, team=team, due_date=dt.date(2026, 1, 1))
    candidate = Candidate.objects.create(plan=plan, entry=entry, reasons=[], override_reason=marker)
    exclusion = Exclusion.objects.create(plan=plan, kind=Exclusion.Kind.YEAR, value="2020", reason=marker)
    return {
        "plan": plan,
        "team": team,
        "member": member,
        "batch": batch,
        "candidate": candidate,
        "exclusion": exclusion,
    }


def digitize(entry: Any, *, at: dt.datetime | None = None) -> None:
    """Link a register entry to a document with a digital copy made at `at` (dummy paths: no files)."""
    from sohoa.digitization.models import DigitalCopy
    from tests.factories import DigitalCopyFactory, DocumentFactory

    document = DocumentFactory(unit=entry.unit, notation=entry.notation, subject=entry.subject)
    copy = DigitalCopyFactory(document=document)
    if at is not None:  # created_at is auto_now_add: set the day afterwards
        DigitalCopy.objects.filter(pk=copy.pk).update(created_at=at)
    entry.document = document
    entry.save(update_fields=["document"])
