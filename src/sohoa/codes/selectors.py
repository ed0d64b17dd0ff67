"""Reads: the per-process member index, suggestions for mentions without a code, code checks, the
missing-codes report. Members are offered only within the user's scope (policy: registry.partymember)."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import Count, Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process

from sohoa.core import policy
from sohoa.extraction.text import fold
from sohoa.registry.models import MemberStatus, PartyMember, Unit, UnitKind

from .matching import Candidate, MemberIndex, MemberRow, Query
from .models import BaseMention, MentionKind
from .owners import OWNERS, Owner

PARTY_KINDS = (UnitKind.PARTY_COMMITTEE, UnitKind.PARTY_CELL)

_lock = threading.Lock()
_index: MemberIndex | None = None
_fingerprint: tuple[Any, ...] | None = None
_paths_read_at = 0.0
#: Unit paths (for the "in the hinted organization's subtree" boost) change only when units move, which
#: no member fingerprint shows: they are re-read at most this often (seconds).
PATHS_MAX_AGE = 60.0


def _members_fingerprint() -> tuple[Any, ...]:
    """Changes whenever a member is added, removed or saved (one aggregate query, no rows read)."""
    agg = PartyMember.objects.aggregate(n=Count("pk"), top=Max("pk"), last=Max("updated_at"))
    return (agg["n"], agg["top"], agg["last"])


def member_index() -> MemberIndex:
    """The index of all members, rebuilt in this process when the registry changed since it was built."""
    global _index, _fingerprint, _paths_read_at
    fingerprint = _members_fingerprint()
    if _index is not None and fingerprint == _fingerprint:
        if time.monotonic() - _paths_read_at > PATHS_MAX_AGE:
            _index.paths = _member_unit_paths(_index.paths)
            _paths_read_at = time.monotonic()
        return _index
    with _lock:
        if _index is None or fingerprint != _fingerprint:
            paths = dict(Unit.objects.values_list("pk", "path"))
            today = timezone.localdate()
            rows = [
                MemberRow(
                    code,
                    full_name,
                    birth,
                    org,
                    paths.get(org, ""),
                    status != MemberStatus.ACTIVE or bool(end and end < today),
                )
                for code, full_name, birth, org, status, end in PartyMember.objects.values_list(
                    "code", "full_name", "birth_date", "organization_id", "status", "valid_to"
                ).iterator(chunk_size=5000)
            ]
            _index, _fingerprint, _paths_read_at = MemberIndex(rows), fingerprint, time.monotonic()
        return _index


def _member_unit_paths(current: dict[int, str]) -> dict[int, str]:
    return dict(Unit.objects.filter(pk__in=list(current)).values_list("pk", "path"))


def member_index_invalidate() -> None:
    """Forget the index (for writers that change members with queryset.update(), which the
    fingerprint's `updated_at` does not see)."""
    global _index, _fingerprint
    with _lock:
        _index, _fingerprint = None, None


def allowed_units(user: Any) -> np.ndarray:
    """Ids of the units whose members `user` may see (the registry.partymember rule)."""
    return np.fromiter(policy.scope_units(user).values_list("pk", flat=True), dtype=np.int64)


def mention_list(user: Any, owner: Owner, owner_obj: Any) -> QuerySet[Any]:
    """The mentions of a record the user may see (the record itself was fetched through the policy)."""
    qs = owner.mention_model._default_manager.filter(**{owner.field: owner_obj}).select_related(
        "unit_hint", "code_set_by"
    )
    return policy.restrict(user, qs)


def mention_get(user: Any, pk: Any, owner: Owner | None = None) -> BaseMention:
    owner = owner or OWNERS["document"]
    return policy.get_visible_or_404(user, owner.mention_model._default_manager.select_related(owner.field), pk=pk)


@dataclass
class OrgCandidate:
    code: str
    full_name: str
    score: float
    reasons: list[str] = field(default_factory=list)
    exact: bool = False
    birth_date: None = None
    ties: int = 0


def _party_units() -> list[tuple[str, str, str]]:
    return [(c, n, fold(n)) for c, n in Unit.objects.filter(kind__in=PARTY_KINDS).values_list("code", "name")]


def _query(mention: BaseMention) -> Query:
    return Query(mention.name, mention.birth_date, mention.unit_hint.path if mention.unit_hint else "")


def suggestions(user: Any, mentions: list[BaseMention], limit: int = 5) -> dict[int, list[Any]]:
    """Ranked candidates for each mention without a code: members (persons) or party units."""
    out: dict[int, list[Any]] = {}
    persons = [m for m in mentions if not m.code and m.kind == MentionKind.PERSON]
    if persons:
        index = member_index()
        found = index.suggest([_query(m) for m in persons], limit=limit, allowed_units=allowed_units(user))
        out.update({m.pk: c for m, c in zip(persons, found, strict=True)})
    orgs = [m for m in mentions if not m.code and m.kind == MentionKind.ORGANIZATION]
    if orgs:
        units = _party_units()
        folded = [f for _c, _n, f in units]
        for m in orgs:
            key = fold(m.name)
            hits = process.extract(key, folded, scorer=fuzz.token_sort_ratio, limit=limit, score_cutoff=70)
            out[m.pk] = [
                OrgCandidate(
                    units[i][0],
                    units[i][1],
                    round(score, 1),
                    ["same_name" if units[i][2] == key else "similar_name"],
                    units[i][2] == key and sum(f == key for f in folded) == 1,
                )
                for _f, score, i in hits
            ]
    return out


REASONS = {
    "same_name": lambda: _("same name"),
    "similar_name": lambda: _("similar name"),
    "same_birth_date": lambda: _("same date of birth"),
    "same_birth_year": lambda: _("same year of birth"),
    "other_birth_date": lambda: _("different date of birth"),
    "same_organization": lambda: _("same organization"),
    "other_organization": lambda: _("another organization"),
    "not_active": lambda: _("no longer an active member"),
}


def reason_text(candidate: Candidate | OrgCandidate) -> str:
    """The reasons of a suggestion in the user's language: "same name, same date of birth, …"."""
    return ", ".join(str(REASONS[r]()) for r in candidate.reasons if r in REASONS)


def exact_match(user: Any, mention: BaseMention) -> str:
    """The code an exact unique match gives a mention without a code, or "" (see MemberIndex.exact_unique)."""
    if mention.code:
        return ""
    if mention.kind == MentionKind.PERSON:
        row = member_index().exact_unique(_query(mention), allowed_units=allowed_units(user))
        return row.code if row else ""
    key = fold(mention.name)
    codes = [c for c, _n, f in _party_units() if f == key]
    return codes[0] if len(codes) == 1 else ""


def code_lookup(user: Any, kind: str, code: str) -> tuple[str, str] | None:
    """(code, name) of a member the user may see or of a party organization; None when unknown."""
    code = code.strip()
    if not code:
        return None
    if kind == MentionKind.ORGANIZATION:
        unit = Unit.objects.filter(code=code, kind__in=PARTY_KINDS).values_list("code", "name").first()
        return (unit[0], unit[1]) if unit else None
    member = (
        policy.restrict(user, PartyMember.objects.filter(code=code))
        .values_list("code", "full_name", "birth_date")
        .first()
    )
    if member is None:
        return None
    born = f" ({member[2]:%d/%m/%Y})" if member[2] else ""
    return member[0], f"{member[1]}{born}"


@dataclass
class MissingRow:
    unit: Unit
    records: int = 0
    mentions: int = 0


@dataclass
class MissingReport:
    rows: list[MissingRow]
    items: list[tuple[Owner, Any, str, int, str]]  # (owner, record, custodian unit code, missing, url)

    @property
    def total_records(self) -> int:
        return sum(r.records for r in self.rows)

    @property
    def total_mentions(self) -> int:
        return sum(r.mentions for r in self.rows)


def missing_report(user: Any, limit: int = 2000) -> MissingReport:
    """Records still naming someone without a code, per custodian unit (only records the user may see)."""
    per_unit: dict[int, MissingRow] = {}
    items: list[tuple[Owner, Any, str, int, str]] = []
    for owner in OWNERS.values():
        model = owner.mention_model
        owner_model = model._meta.get_field(owner.field).related_model
        missing = policy.restrict(user, model._default_manager.filter(code=""))
        counts = defaultdict(
            int, missing.values_list(owner.field).annotate(n=Count("pk")).values_list(owner.field, "n")
        )
        manager = owner_model._default_manager  # type: ignore[union-attr]
        records = policy.restrict(user, manager.filter(pk__in=missing.values(owner.field)))
        for record in records.select_related("unit").order_by("unit__path", "pk"):
            row = per_unit.setdefault(record.unit_id, MissingRow(record.unit))
            row.records += 1
            row.mentions += counts[record.pk]
            if len(items) < limit:
                items.append((owner, record, record.unit.code, counts[record.pk], owner.url(record.pk)))
    rows = sorted(per_unit.values(), key=lambda r: r.unit.path)
    return MissingReport(rows, items)
