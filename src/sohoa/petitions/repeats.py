"""Finding the earlier petitions a new one repeats (đơn trùng, đơn gửi nhiều lần).

A repeat is substantially the same content; the same sender and the same persons concerned make it more
certain but never make a repeat on their own (one person often writes about several matters). Content is
compared as sets of word pairs (two-syllable shingles) of the diacritic-folded text: OCR mostly confuses
diacritics, which folding removes; reordered paragraphs keep their pairs; a re-sent letter with a new
paragraph still contains the old one (the containment term). Only earlier petitions of the same unit(s)
are compared: the receiving unit, its predecessors in a merger, and the unit the petition is forwarded to,
over a window of years (docs/decisions/0034-petition-letters-repeats-stats.md).

Reads only: marking a petition as a repeat is a workflow step (petitions.workflow).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from sohoa.codes.matching import name_key
from sohoa.core import policy
from sohoa.extraction.text import fold
from sohoa.registry.models import Succession

from .models import Petition, PetitionParty

#: Content similarity (0–1) from which two letters are "substantially the same content".
MIN_CONTENT = 0.45
#: How the score is made: content weighs most, then the sender, then the persons concerned.
W_CONTENT, W_SENDER, W_CONCERNED = 0.6, 0.25, 0.15
#: Earlier petitions older than this are not compared (the complaint and denunciation cycles are far shorter).
WINDOW = dt.timedelta(days=5 * 366)
#: Names at least this similar (rapidfuzz 0–100, on folded names) are the same name; addresses likewise.
SAME_NAME, SAME_ADDRESS = 92.0, 85.0
#: A text with fewer word pairs than this is too short to compare.
MIN_SHINGLES = 8

_WORD = re.compile(r"[a-z0-9]+")
_IN_WORD_MARK = re.compile(r"(?<=[a-z])[.,'`’](?=[a-z])")
_MIXED = re.compile(r"\b(?=[a-z0-9]*[a-z])(?=[a-z0-9]*[01])[a-z0-9]+\b")
_DIGIT_LETTERS = str.maketrans({"0": "o", "1": "l"})


@dataclass
class Match:
    """An earlier petition the given one may repeat, with a score (0–1) and the reasons, best first."""

    earlier: Petition
    score: float
    reasons: list[str] = field(default_factory=list)
    #: Content similarity 0–1, None when one of the two texts is too short to compare.
    content: float | None = None
    same_sender: bool = False
    same_concerned: bool = False


@dataclass
class _Party:
    role: str
    key: str
    address: str
    member_id: int | None
    organization_id: int | None
    name: str
    #: The name and address as `_words` writes them, to cut out of the letters' text.
    phrases: tuple[str, ...] = ()


def _fold_table() -> dict[int, Any]:
    """One-character folding (lower case, no diacritics, đ → d) of every Latin letter, as a translate table:
    folding thousands of letters with `str.translate` costs a fraction of NFD and a regular expression."""
    import unicodedata

    table: dict[int, Any] = {c: None for c in range(0x300, 0x370)}  # combining marks (text in NFD)
    for code in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00)):
        base = unicodedata.normalize("NFD", chr(code))[0].lower()
        if base.isascii():
            table[code] = base
    table[ord("đ")] = table[ord("Đ")] = table[ord("Ð")] = "d"
    return table


_FOLD = _fold_table()


def _words(text: str, strip: tuple[str, ...] = ()) -> list[list[str]]:
    """The folded words of `text` in runs, OCR look-alikes repaired (rn → m, 0/1 inside words, marks inside
    words), with the phrases in `strip` (names and addresses of the parties, compared on their own) cut
    out: each cut ends a run, so no word pair spans it."""
    folded = _IN_WORD_MARK.sub("", text.lower().translate(_FOLD)).replace("rn", "m")
    if "0" in folded or "1" in folded:
        folded = _MIXED.sub(lambda m: m.group().translate(_DIGIT_LETTERS), folded)
    joined = " " + " ".join(_WORD.findall(folded)) + " "
    for phrase in strip:
        if phrase and phrase in joined:
            joined = joined.replace(f" {phrase} ", " | ")
    return [run.split() for run in joined.split("|")]


def _phrase(text: str) -> str:
    return " ".join(_words(text)[0])


#: A text's word pairs, hashed (an int hashes and compares faster than a pair of strings).
Shingles = frozenset[int]


def shingles(text: str, strip: tuple[str, ...] = ()) -> Shingles:
    """The word pairs of `text` (see `_words`), hashed."""
    pairs: set[int] = set()
    for run in _words(text, strip):
        pairs.update(map(hash, zip(run, run[1:], strict=False)))
    return frozenset(pairs)


def _text(content: str, summary: str) -> str:
    return content if len(content) >= 200 else f"{content} {summary}"


def similarity(
    a: Shingles,
    b: Shingles,
    weights: dict[int, float] | None = None,
    *,
    size_a: float | None = None,
) -> float | None:
    """Half Jaccard, half containment (a re-sent letter with an added paragraph still contains the first),
    each pair weighted by how rare it is among the compared letters (`weights`, which must hold every pair
    of both; none: each pair weighs 1); None when either text is too short. `size_a`: a's weight, when the
    caller compares one text with many."""
    if len(a) < MIN_SHINGLES or len(b) < MIN_SHINGLES:
        return None
    common_pairs = a & b
    if weights is None:
        common, size_a, size_b = float(len(common_pairs)), float(len(a)), float(len(b))
    else:
        weigh = weights.__getitem__
        common = sum(map(weigh, common_pairs))
        if size_a is None:
            size_a = sum(map(weigh, a))
        size_b = sum(map(weigh, b))
    union = size_a + size_b - common
    return 0.5 * common / union + 0.5 * common / min(size_a, size_b)


def rarity(pool: list[Shingles]) -> dict[int, float]:
    """Smoothed inverse document frequency of every word pair of `pool`: the boilerplate every letter
    shares ("kính gửi", "tôi xin cam đoan") weighs about 1, a pair of one letter about ln(n) + 1."""
    counts: Counter[int] = Counter()
    for item in pool:
        counts.update(item)
    n = len(pool)
    return {s: math.log((1 + n) / (1 + df)) + 1.0 for s, df in counts.items()}


def _units(petition: Petition) -> set[int]:
    """The receiving unit, the units merged into it (transitively) and the unit it is forwarded to."""
    units = {petition.unit_id}
    frontier = {petition.unit_id}
    while frontier:
        before = set(Succession.objects.filter(successor_id__in=frontier).values_list("predecessor_id", flat=True))
        frontier = before - units
        units |= frontier
    if petition.forward_to_unit_id:
        units.add(petition.forward_to_unit_id)
    return units


def _parties(rows: Any) -> dict[int, list[_Party]]:
    out: dict[int, list[_Party]] = defaultdict(list)
    for pid, role, name, address, member_id, organization_id in rows:
        phrases = (_phrase(name), _phrase(address))
        out[pid].append(_Party(role, name_key(name), fold(address), member_id, organization_id, name, phrases))
    return out


def _same_name(a: _Party, b: _Party) -> bool:
    if a.member_id and a.member_id == b.member_id:
        return True
    if a.organization_id and a.organization_id == b.organization_id:
        return True
    return bool(a.key and b.key and (a.key == b.key or fuzz.ratio(a.key, b.key) >= SAME_NAME))


def _sender(mine: list[_Party], theirs: list[_Party]) -> tuple[float, str]:
    """(score 0–1, reason) of the best pair of senders: same name and address 1, same name with an address
    missing on one side 0.8, same name at another address 0.5 (namesakes are common)."""
    best, reason = 0.0, ""
    for a in mine:
        for b in theirs:
            if not _same_name(a, b):
                continue
            if a.address and b.address:
                same_place = fuzz.token_set_ratio(a.address, b.address) >= SAME_ADDRESS
                score = 1.0 if same_place else 0.5
            else:
                score, same_place = 0.8, False
            if score > best:
                best = score
                if score == 1.0:
                    reason = _("same sender: %(name)s, same address") % {"name": b.name}
                elif same_place is False and a.address and b.address:
                    reason = _("same sender name: %(name)s, at another address") % {"name": b.name}
                else:
                    reason = _("same sender: %(name)s") % {"name": b.name}
    return best, reason


def _concerned(mine: list[_Party], theirs: list[_Party]) -> tuple[float, str]:
    names = [b.name for b in theirs if any(_same_name(a, b) for a in mine)]
    if not names:
        return 0.0, ""
    return 1.0, _("same person concerned: %(names)s") % {"names": ", ".join(dict.fromkeys(names))}


def _split(parties: list[_Party]) -> tuple[list[_Party], list[_Party]]:
    senders = [p for p in parties if p.role == PetitionParty.Role.SENDER]
    return senders, [p for p in parties if p.role == PetitionParty.Role.CONCERNED]


def candidates(petition: Petition, *, user: Any = None) -> Any:
    """The earlier petitions `petition` is compared with (same units, within the window, visible to
    `user` when given)."""
    units = _units(petition)
    qs = Petition.objects.filter(Q(unit_id__in=units) | Q(forward_to_unit_id__in=units))
    earlier = Q(received_on__lt=petition.received_on)
    if petition.pk:
        earlier |= Q(received_on=petition.received_on, pk__lt=petition.pk)
        qs = qs.exclude(pk=petition.pk)
    qs = qs.filter(earlier, received_on__gte=petition.received_on - WINDOW)
    return policy.restrict(user, qs) if user is not None else qs


def find_repeats(petition: Petition, *, limit: int = 5, user: Any = None) -> list[Match]:
    """The earlier petitions `petition` most likely repeats, best first.

    A candidate is kept when its content is substantially the same (similarity ≥ MIN_CONTENT), or, when
    one of the two texts is too short to compare, when both the sender and a person concerned are the same.
    """
    mine_parties = (
        _parties(
            PetitionParty.objects.filter(petition=petition).values_list(
                "petition_id", "role", "name", "address", "member_id", "organization_id"
            )
        ).get(petition.pk, [])
        if petition.pk
        else []
    )
    my_phrases = tuple(ph for p in mine_parties for ph in p.phrases)
    mine_text = shingles(_text(petition.content, petition.summary), my_phrases)
    my_senders, my_concerned = _split(mine_parties)
    if petition.anonymous:
        my_senders = []
    pool = candidates(petition, user=user)
    rows = list(pool.values_list("pk", "content", "summary", "anonymous"))
    if not rows:
        return []
    parties = _parties(
        PetitionParty.objects.filter(petition__in=pool.values("pk")).values_list(
            "petition_id", "role", "name", "address", "member_id", "organization_id"
        )
    )
    texts = {
        pk: shingles(_text(content, summary), my_phrases + tuple(ph for p in parties.get(pk, []) for ph in p.phrases))
        for pk, content, summary, _anonymous in rows
    }
    weights = rarity([mine_text, *texts.values()])
    my_size = sum(map(weights.__getitem__, mine_text))
    scored: list[tuple[float, int, Match]] = []
    for pk, _content, _summary, anonymous in rows:
        content_score = similarity(mine_text, texts[pk], weights, size_a=my_size)
        if content_score is not None and content_score < MIN_CONTENT:
            continue
        their_senders, their_concerned = _split(parties.get(pk, []))
        sender, sender_reason = _sender(my_senders, [] if anonymous else their_senders)
        concerned, concerned_reason = _concerned(my_concerned, their_concerned)
        if content_score is None and not (sender >= 0.8 and concerned):
            continue
        reasons = []
        if content_score is not None:
            reasons.append(_("similar content (%(pct)d %%)") % {"pct": round(100 * content_score)})
        else:
            reasons.append(_("content not compared: one of the letters has too little text"))
        reasons += [r for r in (sender_reason, concerned_reason) if r]
        score = W_CONTENT * (content_score or 0.0) + W_SENDER * sender + W_CONCERNED * concerned
        match = Match(
            earlier=petition,  # replaced below by the earlier petition, fetched for the kept ones only
            score=round(min(score, 1.0), 3),
            reasons=reasons,
            content=None if content_score is None else round(content_score, 3),
            same_sender=sender >= 0.8,
            same_concerned=bool(concerned),
        )
        scored.append((match.score, pk, match))
    scored.sort(key=lambda t: (-t[0], -t[1]))
    kept = scored[:limit]
    objects = Petition.objects.select_related("unit").in_bulk([pk for _s, pk, _m in kept])
    result = []
    for _s, pk, match in kept:
        match.earlier = objects[pk]
        result.append(match)
    return result
