"""The priority score of a candidate: a sum of weighted factors, each with a reason a person can read.

All weights live in WEIGHTS (the one place to change them); each factor gives a fraction 0…1 of its
weight, so a score is 0…100 when the weights sum to 100. A reason is stored as data
(`{"factor", "weight", "points", "params"}`) and put into words when shown, in the reader's language.

Factors are plain functions in FACTORS: a new one (e.g. use in open petitions once the petitions app
exists) is one function and one weight. See docs/decisions/0014-digitization-plans.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

#: Default weights (points at most per factor). They sum to 100.
WEIGHTS: dict[str, float] = {
    "demand": 40,  # look-ups and paper requests: the strongest sign the paper is worth scanning
    "petitions": 20,  # use in open petitions / case files (no petitions app yet: always 0)
    "recency": 15,  # newer (or older, as the plan says) documents first
    "fragility": 15,  # fragile paper is scanned before it decays further
    "deadline": 10,  # a legal due date coming up
}
#: The factors' names as people read them.
LABELS = {
    "demand": gettext_lazy("demand"),
    "petitions": gettext_lazy("open petitions and case files"),
    "recency": gettext_lazy("recency"),
    "fragility": gettext_lazy("fragility"),
    "deadline": gettext_lazy("legal deadline"),
}
#: Demand is counted over this many months; this many requests give the full weight.
DEMAND_MONTHS = 12
DEMAND_FULL = 5
#: A legal due date this close gives the full weight; one further than DEADLINE_FAR_DAYS gives none.
DEADLINE_NEAR_DAYS = 30
DEADLINE_FAR_DAYS = 365


@dataclass
class Context:
    """What the factors may read, computed once per materialization (no query per candidate)."""

    today: dt.date
    recency: str = "newer"
    year_min: int | None = None
    year_max: int | None = None
    demand: dict[int, int] = field(default_factory=dict)  # entry id → requests in DEMAND_MONTHS


@dataclass
class Inputs:
    """One candidate's facts: its entry and what the operator or planner set on it."""

    entry_id: int
    year: int
    fragile: bool = False
    condition: str = ""
    legal_due: dt.date | None = None


Factor = Callable[[Inputs, Context], tuple[float, dict[str, Any]] | None]


def demand(inputs: Inputs, ctx: Context) -> tuple[float, dict[str, Any]] | None:
    count = ctx.demand.get(inputs.entry_id, 0)
    if not count:
        return None
    return min(count / DEMAND_FULL, 1.0), {"count": count, "months": DEMAND_MONTHS}


def petitions(inputs: Inputs, ctx: Context) -> tuple[float, dict[str, Any]] | None:
    """Use in open petitions and case files. There is no petitions app yet, so no candidate gets points
    here; when it exists, count the entry's open cases and return (fraction, {"count": n})."""
    return None


def recency(inputs: Inputs, ctx: Context) -> tuple[float, dict[str, Any]] | None:
    if ctx.recency == "none" or ctx.year_min is None or ctx.year_max is None:
        return None
    span = ctx.year_max - ctx.year_min
    position = 1.0 if span <= 0 else (inputs.year - ctx.year_min) / span
    fraction = position if ctx.recency == "newer" else 1.0 - position
    if fraction <= 0:
        return None
    return fraction, {"year": inputs.year, "order": ctx.recency}


def fragility(inputs: Inputs, ctx: Context) -> tuple[float, dict[str, Any]] | None:
    if not inputs.fragile:
        return None
    return 1.0, {"condition": inputs.condition}


def deadline(inputs: Inputs, ctx: Context) -> tuple[float, dict[str, Any]] | None:
    if inputs.legal_due is None:
        return None
    days = (inputs.legal_due - ctx.today).days
    if days <= DEADLINE_NEAR_DAYS:
        fraction = 1.0
    elif days >= DEADLINE_FAR_DAYS:
        return None
    else:
        fraction = (DEADLINE_FAR_DAYS - days) / (DEADLINE_FAR_DAYS - DEADLINE_NEAR_DAYS)
    return fraction, {"date": inputs.legal_due.isoformat(), "days": days}


FACTORS: dict[str, Factor] = {
    "demand": demand,
    "petitions": petitions,
    "recency": recency,
    "fragility": fragility,
    "deadline": deadline,
}


def score(inputs: Inputs, ctx: Context, weights: dict[str, float] | None = None) -> tuple[float, list[dict[str, Any]]]:
    """(score, reasons): the sum of the factors' points, and one reason per factor that gave any."""
    weights = weights or WEIGHTS
    total, reasons = 0.0, []
    for name, factor in FACTORS.items():
        result = factor(inputs, ctx)
        weight = weights.get(name, 0)
        if result is None or not weight:
            continue
        fraction, params = result
        points = round(weight * fraction, 1)
        total += points
        reasons.append({"factor": name, "weight": weight, "points": points, "params": params})
    return round(total, 1), reasons


def describe(reason: dict[str, Any]) -> str:
    """A stored reason in words, in the active language (“requested 4 times in 12 months”)."""
    p = reason.get("params", {})
    factor = reason.get("factor")
    if factor == "demand":
        return ngettext(
            "looked up or requested %(count)d time in %(months)d months",
            "looked up or requested %(count)d times in %(months)d months",
            p["count"],
        ) % {"count": p["count"], "months": p["months"]}
    if factor == "petitions":
        return ngettext(
            "used in %(count)d open petition or case file", "used in %(count)d open petitions or case files", p["count"]
        ) % {"count": p["count"]}
    if factor == "recency":
        if p["order"] == "older":
            return _("document of %(year)d (older documents first)") % {"year": p["year"]}
        return _("document of %(year)d (newer documents first)") % {"year": p["year"]}
    if factor == "fragility":
        if p.get("condition"):
            return _("fragile paper: %(condition)s") % {"condition": p["condition"]}
        return _("fragile paper")
    if factor == "deadline":
        if p["days"] < 0:
            return _("legal due date %(date)s has passed") % {"date": p["date"]}
        return ngettext(
            "legal due date %(date)s (in %(days)d day)", "legal due date %(date)s (in %(days)d days)", p["days"]
        ) % {"date": p["date"], "days": p["days"]}
    return str(factor)
