"""An in-memory index of Party members for finding the code of a person named without one (issue 8).

Django-free on purpose: the service builds it from the registry, the benchmark from generated rows.
Names are compared diacritic-folded (extraction.text.fold). To avoid comparing every query with every
member, members are blocked by their given name (the last word of a Vietnamese name): a query's given
name is matched against the small vocabulary of given names (edit distance 1–2), and only the members
with those given names are scored, with rapidfuzz over the whole block at once. Hints then move the
score: a known date of birth (same date, same year, different date), the hinted organization (the unit
or its subtree) and members who are no longer active.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from sohoa.extraction.text import fold

#: Score boosts and penalties (points on rapidfuzz's 0–100 scale).
BOOST_BIRTH_DATE = 12.0
BOOST_BIRTH_YEAR = 4.0
PENALTY_BIRTH_DATE = 15.0
BOOST_ORGANIZATION = 8.0
PENALTY_ORGANIZATION = 4.0
PENALTY_ENDED = 5.0
#: Name similarity below this is not a candidate at all.
MIN_NAME_SCORE = 70.0

# Letter sequences that cannot occur inside a Vietnamese syllable but that OCR reads in place of one
# letter (rn → m, cl → d, vv → w is not Vietnamese either), and digits read in place of letters.
_OCR_SEQUENCES = (("rn", "m"), ("cl", "d"), ("ii", "u"))
_OCR_DIGITS = str.maketrans({"0": "o", "1": "l", "5": "s", "8": "b", "6": "g", "4": "a", "3": "e"})
_NOT_LETTERS = re.compile(r"[^a-z ]+")


def name_key(text: str) -> str:
    """The compared form of a name: folded, OCR look-alikes repaired, only letters and single spaces."""
    key = fold(text).translate(_OCR_DIGITS)
    for seq, letter in _OCR_SEQUENCES:
        key = key.replace(seq, letter)
    return " ".join(_NOT_LETTERS.sub(" ", key).split())


@dataclass(frozen=True)
class MemberRow:
    """What the index keeps of a member (`path` is the organization's /id/id/ path)."""

    code: str
    full_name: str
    birth_date: dt.date | None
    organization_id: int
    path: str
    ended: bool = False


@dataclass(frozen=True)
class Query:
    """A name as written, with what else the record says: date of birth, organization (its path)."""

    name: str
    birth_date: dt.date | None = None
    unit_path: str = ""


@dataclass
class Candidate:
    """One suggested member with its score (0–100) and reasons (codes, translated for display)."""

    code: str
    full_name: str
    birth_date: dt.date | None
    organization_id: int
    score: float
    name_score: float
    reasons: list[str] = field(default_factory=list)
    exact: bool = False  # same folded name and, when known, same date of birth
    #: How many other members score exactly as high: namesakes the query's hints cannot tell apart. The
    #: first candidate is then no answer (the page asks for a date of birth or an organization instead).
    ties: int = 0


def _sorted(key: str) -> str:
    return " ".join(sorted(key.split()))


def _short(key: str) -> str:
    words = key.split()
    return f"{words[0]} {words[-1]}" if len(words) > 2 else key


def _ratios(queries: list[str], names: list[str], workers: int, cutoff: float = MIN_NAME_SCORE) -> np.ndarray:
    """fuzz.ratio of every query with every name (0–100; 0 below `cutoff`), on normalised strings."""
    return process.cdist(
        queries, names, scorer=fuzz.ratio, processor=None, score_cutoff=cutoff, workers=workers, dtype=np.float32
    )


def _ordinal(day: dt.date | None) -> int:
    return day.toordinal() if day else 0


class MemberIndex:
    """Members in arrays, blocked by given name; `suggest` answers many queries in one call."""

    def __init__(self, rows: Iterable[MemberRow]) -> None:
        rows = list(rows)
        self.rows = rows
        self.keys = [name_key(r.full_name) for r in rows]
        self.birth = np.fromiter((_ordinal(r.birth_date) for r in rows), dtype=np.int64, count=len(rows))
        self.year = np.fromiter((r.birth_date.year if r.birth_date else 0 for r in rows), dtype=np.int64)
        self.org = np.fromiter((r.organization_id for r in rows), dtype=np.int64, count=len(rows))
        self.ended = np.fromiter((r.ended for r in rows), dtype=bool, count=len(rows))
        self.by_code = {r.code: i for i, r in enumerate(rows)}
        self.paths: dict[int, str] = {r.organization_id: r.path for r in rows}
        blocks: dict[str, list[int]] = defaultdict(list)
        by_key: dict[str, list[int]] = defaultdict(list)
        for i, key in enumerate(self.keys):
            blocks[key.rsplit(" ", 1)[-1]].append(i)
            by_key[key].append(i)
        self.blocks = {given: np.array(ids, dtype=np.int64) for given, ids in blocks.items()}
        self.by_key = dict(by_key)
        self.vocabulary = list(self.blocks)
        # Three forms of each name, all compared with the fast fuzz.ratio: as written, words sorted (a
        # swapped middle name), family + given name only (middle names missing from the query).
        forms = (self.keys, [_sorted(k) for k in self.keys], [_short(k) for k in self.keys])
        self._block_forms = {
            given: tuple([form[i] for i in ids] for form in forms) for given, ids in self.blocks.items()
        }

    def __len__(self) -> int:
        return len(self.rows)

    def get(self, code: str) -> MemberRow | None:
        i = self.by_code.get(code.strip())
        return None if i is None else self.rows[i]

    def _given_names(self, key: str) -> tuple[str, ...]:
        """Given names of the registry within a small edit distance of the query's last word: one edit
        when it is itself a given name (a typo may have made one of another), two from five letters."""
        given = key.rsplit(" ", 1)[-1]
        known = given in self.blocks
        if known and len(given) <= 2:
            return (given,)
        cutoff = 1 if known or len(given) <= 4 else 2
        # OSA: a swap of two neighbouring letters ("dugn") is one edit, as a clerk's typo is.
        found = process.extract(given, self.vocabulary, scorer=OSA.distance, score_cutoff=cutoff, limit=None)
        return tuple(sorted(name for name, _d, _i in found))

    def _units_under(self, path: str) -> np.ndarray:
        return np.array([uid for uid, p in self.paths.items() if p.startswith(path)], dtype=np.int64)

    def suggest(
        self,
        queries: Sequence[Query],
        *,
        limit: int = 5,
        allowed_units: np.ndarray | None = None,
        workers: int = 1,
    ) -> list[list[Candidate]]:
        """The best `limit` members for each query, best first. `allowed_units` (organization ids)
        restricts candidates to the members a user may see; None means every member."""
        keys = [name_key(q.name) for q in queries]
        given_cache: dict[str, tuple[str, ...]] = {}
        by_block: dict[str, list[int]] = defaultdict(list)
        for qi, key in enumerate(keys):
            if not key:
                continue
            given = key.rsplit(" ", 1)[-1]
            if given not in given_cache:
                given_cache[given] = self._given_names(key)
            for name in given_cache[given]:
                by_block[name].append(qi)
        # Each block is scored once against all the queries that reach it; a query then merges the
        # candidates of its blocks.
        parts: list[list[tuple[np.ndarray, np.ndarray]]] = [[] for _ in queries]
        for name, members in by_block.items():
            ids = self.blocks[name]
            written, reordered, short = self._block_forms[name]
            block_keys = [keys[qi] for qi in members]
            scores = np.maximum(
                _ratios(block_keys, written, workers), _ratios([_sorted(k) for k in block_keys], reordered, workers)
            )
            # Middle names missing from the query ("Nguyễn Tuấn" for "Nguyễn Văn Tuấn"): compared with
            # family + given name, discounted so that a namesake with exactly that name still wins.
            np.maximum(scores, _ratios(block_keys, short, workers, MIN_NAME_SCORE + 6.0) - 6.0, out=scores)
            if allowed_units is not None:
                scores[:, ~np.isin(self.org[ids], allowed_units)] = 0.0
            for row, qi in enumerate(members):
                hits = np.flatnonzero(scores[row] >= MIN_NAME_SCORE)
                if len(hits):
                    parts[qi].append((ids[hits], scores[row, hits]))
        results: list[list[Candidate]] = [[] for _ in queries]
        subtree_cache: dict[str, np.ndarray] = {}
        for qi, found in enumerate(parts):
            if found:
                ids = np.concatenate([f[0] for f in found]) if len(found) > 1 else found[0][0]
                name_scores = np.concatenate([f[1] for f in found]) if len(found) > 1 else found[0][1]
                results[qi] = self._rank(
                    queries[qi], keys[qi], ids, name_scores, limit=limit, subtree_cache=subtree_cache
                )
        return results

    def _rank(
        self,
        query: Query,
        key: str,
        ids: np.ndarray,
        name_scores: np.ndarray,
        *,
        limit: int,
        subtree_cache: dict[str, np.ndarray],
    ) -> list[Candidate]:
        keep = name_scores >= MIN_NAME_SCORE
        if not keep.any():
            return []
        ids, name_scores = ids[keep], name_scores[keep].astype(np.float64)
        score = name_scores.copy()
        same_date = same_year = other_date = None
        if query.birth_date:
            birth = self.birth[ids]
            same_date = birth == query.birth_date.toordinal()
            same_year = ~same_date & (self.year[ids] == query.birth_date.year)
            other_date = (birth != 0) & ~same_date & ~same_year
            score += BOOST_BIRTH_DATE * same_date + BOOST_BIRTH_YEAR * same_year - PENALTY_BIRTH_DATE * other_date
        in_unit = None
        if query.unit_path:
            units = subtree_cache.get(query.unit_path)
            if units is None:
                units = subtree_cache[query.unit_path] = self._units_under(query.unit_path)
            in_unit = np.isin(self.org[ids], units)
            score += BOOST_ORGANIZATION * in_unit - PENALTY_ORGANIZATION * ~in_unit
        ended = self.ended[ids]
        score -= PENALTY_ENDED * ended
        top = np.argsort(-score, kind="stable")[:limit]
        best = score[top[0]]
        equals = int(np.count_nonzero(score >= best - 1e-6)) - 1
        out = []
        for j in top:
            i = int(ids[j])
            row = self.rows[i]
            reasons = ["same_name" if self.keys[i] == key else "similar_name"]
            if same_date is not None and same_date[j]:
                reasons.append("same_birth_date")
            elif same_year is not None and same_year[j]:
                reasons.append("same_birth_year")
            elif other_date is not None and other_date[j]:
                reasons.append("other_birth_date")
            if in_unit is not None:
                reasons.append("same_organization" if in_unit[j] else "other_organization")
            if ended[j]:
                reasons.append("not_active")
            out.append(
                Candidate(
                    code=row.code,
                    full_name=row.full_name,
                    birth_date=row.birth_date,
                    organization_id=row.organization_id,
                    score=round(float(max(0.0, min(100.0, score[j]))), 1),
                    name_score=round(float(name_scores[j]), 1),
                    reasons=reasons,
                    exact=self.keys[i] == key and (same_date is None or bool(same_date[j])),
                    ties=equals if score[j] >= best - 1e-6 else 0,
                )
            )
        return out

    def exact_unique(self, query: Query, allowed_units: np.ndarray | None = None) -> MemberRow | None:
        """The one member a query names without doubt, or None: the same folded name and the same date
        of birth, or else the only member with that exact name within the hinted organization's subtree."""
        ids = np.array(self.by_key.get(name_key(query.name), []), dtype=np.int64)
        if allowed_units is not None and len(ids):
            ids = ids[np.isin(self.org[ids], allowed_units)]
        if not len(ids):
            return None
        if query.birth_date:
            same = ids[self.birth[ids] == query.birth_date.toordinal()]
            if len(same) == 1:
                return self.rows[int(same[0])]
            if len(same) > 1:
                return None
            ids = ids[self.birth[ids] == 0]  # a namesake born on another day is someone else
        if query.unit_path and len(ids):
            inside = ids[np.isin(self.org[ids], self._units_under(query.unit_path))]
            if len(inside) == 1:
                return self.rows[int(inside[0])]
        return None
