"""Read a Vietnamese petition letter's OCR text into a proposal for the petition form (issue 9).

A petition letter follows a loose, well-known shape: the national motto, a place and date line, the title
("ĐƠN TỐ CÁO", "ĐƠN KHIẾU NẠI", "ĐƠN KIẾN NGHỊ, PHẢN ÁNH"), "Kính gửi: …", the sender ("Tôi tên là …",
"Họ và tên: …", "Chúng tôi gồm: 1. … 2. …", with "sinh năm …" and "Địa chỉ/Trú tại: …"), the person
concerned ("tố cáo ông … chức vụ … đảng viên chi bộ …", "Người bị tố cáo: …"), the content and the
signature. Anchors are matched on the diacritic-folded text (`fold_chars` keeps positions, so what is
found is cut out of the printed text with its diacritics); OCR's usual damage is tolerated: missing or
wrong diacritics, digits read in place of letters (T0i, l2), letters in place of digits (2O26), words run
together (Họvà tên). Nothing here touches the database: the intake service applies the proposal.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from sohoa.extraction.text import digits, fold, fold_chars

from .models import Kind

# ---- the result ------------------------------------------------------------------------------------


@dataclass
class Person:
    """A sender or a person (or organization) concerned, as the letter writes them."""

    name: str
    address: str = ""
    birth_year: int | None = None
    birth_date: dt.date | None = None
    position: str = ""
    workplace: str = ""  # "Chi bộ ấp 3", "UBND xã Tân Hưng": the organization as written
    organization: bool = False  # an organization concerned rather than a person


@dataclass
class Proposal:
    """What the letter says, for the fields of a petition that are still empty."""

    kind: str = ""
    senders: list[Person] = field(default_factory=list)
    concerned: list[Person] = field(default_factory=list)
    letter_date: dt.date | None = None
    summary: str = ""
    recipients: list[str] = field(default_factory=list)

    @property
    def anonymous(self) -> bool:
        """No identifiable sender: the letter is handled as anonymous (DOMAIN.md)."""
        return not self.senders


# ---- text preparation ------------------------------------------------------------------------------

_COMBINING = re.compile(r"[\u0300-\u036f]")
# Digits and signs OCR reads in place of a letter, repaired only next to letters ("T0i" → "toi", "|à" → "la").
_LETTERISH = {"0": "o", "1": "l", "5": "s", "8": "b", "4": "a", "3": "e", "|": "l", "!": "l", "@": "a", "$": "s"}
_LETTERISH_RE = re.compile(r"(?<=[a-z])[015843|!@$]|[015843|!@$](?=[a-z])")


def _prepare(text: str) -> tuple[str, str]:
    """(printed, folded): the NFC text without stray combining marks, and its folded twin, one character
    for one, with letter-shaped digits repaired, so a match in the folded text slices the printed one."""
    printed = _COMBINING.sub("", unicodedata.normalize("NFC", text or "")).replace("\r\n", "\n").replace("\r", "\n")
    printed = printed.replace("\t", " ").replace("\u00a0", " ")
    folded = fold_chars(printed)
    folded = _LETTERISH_RE.sub(lambda m: _LETTERISH[m.group(0)], folded)
    assert len(folded) == len(printed)
    return printed, folded


def _clean(value: str) -> str:
    """A captured value: single spaces, no leading/trailing punctuation."""
    return " ".join(value.split()).strip(" .,;:-–—_*")


# ---- kind --------------------------------------------------------------------------------------------

#: (folded title without "đơn", kind); the longer, combined titles first.
_TITLES = (
    ("khieu nai to cao", Kind.MIXED),
    ("khieu nai va to cao", Kind.MIXED),
    ("to cao khieu nai", Kind.MIXED),
    ("kien nghi phan anh", Kind.RECOMMENDATION),
    ("phan anh kien nghi", Kind.RECOMMENDATION),
    ("to cao", Kind.DENUNCIATION),
    ("khieu nai", Kind.COMPLAINT),
    ("kien nghi", Kind.RECOMMENDATION),
    ("phan anh", Kind.RECOMMENDATION),
    ("de nghi", Kind.RECOMMENDATION),
)
_NON_LETTERS = re.compile(r"[^a-z ]+")
_BODY_KIND = re.compile(
    r"(?:lam|viet|gui)\s*(?:don|lá don)?\s*(?:nay\s*)?(?:de\s*)?(to\s*cao|khieu\s*nai|kien\s*nghi|phan\s*anh)"
)


def _title_kind(line: str) -> str:
    """The kind a title line names ("ĐƠN TỐ CÁO", "ĐƠN T0 CÁ0", "DON KHIEU NAI - TO CAO"), or ""."""
    words = " ".join(_NON_LETTERS.sub(" ", line).split())
    if not words.startswith(("don ", "dou ")) or len(words) > 60:
        return ""
    rest = " ".join(w for w in words.split()[1:] if w not in ("thu", "v", "va", "ve", "viec"))
    found, best = "", (0.0, 0)
    for title, kind in _TITLES:
        score = fuzz.ratio(rest[: len(title)], title)
        # On a tie the longer title wins: "khiếu nại - tố cáo" is mixed, not a complaint.
        if score >= 80 and (score, len(title)) > best:
            found, best = kind, (score, len(title))
    return found


def _kind(lines: list[str], folded: str) -> str:
    for line in lines[:40]:
        kind = _title_kind(line.strip())
        if kind:
            return kind
    found = {m.group(1).replace(" ", "") for m in _BODY_KIND.finditer(folded)}
    if "tocao" in found and "khieunai" in found:
        return Kind.MIXED
    for word, kind in (("tocao", Kind.DENUNCIATION), ("khieunai", Kind.COMPLAINT)):
        if word in found:
            return kind
    if found:
        return Kind.RECOMMENDATION
    return ""


# ---- dates ---------------------------------------------------------------------------------------------

# Digits as OCR may read them; in the folded text letter-shaped digits were turned into letters (O4 → oa),
# so the class takes those letters too: the value is always read from the printed text (`digits`).
_NUM = r"[0-9oOilI|sSzZbBgGaAeE]{1,4}"
_DATE_WORDS = re.compile(rf"ngay\s*({_NUM})\s*thang\s*({_NUM})\s*nam\s*({_NUM})")
_DATE_SLASH = re.compile(rf"(?<![0-9])({_NUM})\s*[/.-]\s*({_NUM})\s*[/.-]\s*({_NUM})(?![0-9])")


def _as_date(day: str, month: str, year: str) -> dt.date | None:
    try:
        d, m, y = int(digits(day)), int(digits(month)), int(digits(year))
    except ValueError:
        return None
    if y < 100:
        y += 2000
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _letter_date(printed: str, folded: str, today: dt.date) -> dt.date | None:
    """The date of the letter: its "<place>, ngày … tháng … năm …" line, else the first plausible date
    that is not a date of birth or of another document."""
    fallback = None
    for m in _DATE_WORDS.finditer(folded):
        raw = printed[m.start(1) : m.end(1)], printed[m.start(2) : m.end(2)], printed[m.start(3) : m.end(3)]
        day = _as_date(*raw)
        if day is None or not (dt.date(1990, 1, 1) <= day <= today + dt.timedelta(days=31)):
            continue
        before = folded[max(0, m.start() - 40) : m.start()]
        line_start = folded.rfind("\n", 0, m.start()) + 1
        head = folded[line_start : m.start()]
        if "," in head and len(head) < 60 and not re.search(r"\bso\b|quyet dinh|\bsinh\b", head):
            return day  # "Cà Mau, ngày 12 tháng 3 năm 2026"
        if fallback is None and not re.search(r"\bsinh\b|quyet dinh|\bso\b|\bcap\b|ban hanh|\bky\b", before):
            fallback = day
    return fallback


# ---- names ---------------------------------------------------------------------------------------------

_HONORIFIC = re.compile(r"(?:ong\s*\(\s*ba\s*\)|ong\s*/\s*ba|ong|ba|anh|chi|dong\s*chi|d\s*/\s*c)[\s.:]+")
#: Words that end a name written in lower case (folded): what follows a name in a letter.
_NAME_STOP = frozenset(
    """la sinh chuc hien dang nguyen o tai tru thuong dia que cmnd cccd so dien dt sdt va cung voi nguoi co da
    vi thuoc can cong giu lam ma the hay nhung duoc bi tren ve cua doi gom nam""".split()
)
#: The few that end even a capitalized name ("Trần Thị Hoa Sinh năm 1965").
_NAME_STOP_UPPER = frozenset("sinh la hien chuc tru dia so sdt dt cmnd cccd".split())
#: Folded phrases that show a "name" is not one person's name.
_NOT_A_NAME = re.compile(
    r"\b(?:dang vien|nhan dan|quan chung|cong dan|nhom|tap the|chung toi|ho ten|ho va ten|ky ten|ghi ro|"
    r"nguoi|mot so|cu tri|hoi vien|ban chap hanh|cac|kinh gui|toi)\b"
)
#: Common family names (folded): a name found without an anchor (under a signature) must start with one.
_SURNAMES = frozenset(
    """nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly dinh truong luong lam trinh mai
    cao ta quach thai ha kieu tang la lai chau doan dao trieu lu luu kim thach son danh tieu to van""".split()
)
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)?")
_DELIMS = ",;:()[]\n\"'“”–—/"


def _read_name(printed: str, folded: str, start: int, *, signature: bool = False) -> tuple[str, int]:
    """The person's name written from `start` (after an anchor): (name, end) or ("", start)."""
    pos = start
    while pos < len(folded) and folded[pos] in " \t:.-*":
        pos += 1
    hon = _HONORIFIC.match(folded, pos)
    if hon:
        pos = hon.end()
    words: list[str] = []
    end = pos
    upper_mode: bool | None = None
    while len(words) < 6:
        gap = pos
        while pos < len(folded) and folded[pos] == " ":
            pos += 1
        if words and pos - gap >= 3:  # a wide gap: the next column of a form ("Họ và tên: …   Năm sinh: …")
            break
        if pos >= len(folded) or folded[pos] in _DELIMS or folded[pos] in "-.":
            break
        m = _WORD.match(printed, pos)
        if not m or (m.end() < len(printed) and printed[m.end()].isdigit()):
            break
        word = m.group(0)
        key = fold(word)
        if upper_mode is None:
            upper_mode = word[0].isupper()
        elif upper_mode and not word[0].isupper():
            break
        if words and key in (_NAME_STOP_UPPER if upper_mode else _NAME_STOP):
            break
        if words and key == "nam" and re.match(r"nam\s*sinh", folded[pos : pos + 12]):
            break  # "… Tâm Năm sinh: 1958" (but "Nguyễn Văn Nam, sinh năm …" keeps its Nam)
        words.append(word)
        pos = end = m.end()
    if not 2 <= len(words) <= 6:
        return "", start
    keys = [fold(w) for w in words]
    if _NOT_A_NAME.search(" ".join(keys)) or keys[0] in _NAME_STOP - _SURNAMES:
        return "", start
    if signature and keys[0] not in _SURNAMES:
        return "", start
    name = " ".join(words)
    if name.isupper() or name.islower():
        name = " ".join(w[:1].upper() + w[1:].lower() for w in words)
    return name, end


# ---- the sender --------------------------------------------------------------------------------------

_SENDER_ANCHORS = re.compile(
    r"\b(?:(?:toi|chung\s*toi)\s*(?:ten\s*)?la\b|ten\s*toi\s*la\b|ho\s*(?:va\s*)?ten\s*(?:cua\s*)?(?:nguoi\s*"
    r"(?:to\s*cao|khieu\s*nai|kien\s*nghi|phan\s*anh|viet\s*don|gui\s*don|lam\s*don|de\s*nghi))?|nguoi\s*"
    r"(?:to\s*cao|khieu\s*nai|kien\s*nghi|phan\s*anh|viet\s*don|gui\s*don|lam\s*don|de\s*nghi)(?:\s*la\b)?)"
    r"\s*[:.]?"
)
_CONCERNED_LEAD = re.compile(r"bi\s*(?:to\s*cao|khieu\s*nai|kien\s*nghi|phan\s*anh)")
_LIST_ITEM = re.compile(r"^\s*(?:\d{1,2}|[a-e])\s*[.)/-]\s*", re.MULTILINE)
_GROUP = re.compile(r"chung\s*toi\s*(?:gom|gom\s*co|la|ten\s*la|gom\s*nhung\s*nguoi\s*sau)\s*[:.]?")
_BIRTH = re.compile(
    rf"(?:sinh\s*(?:nam|ngay)?|nam\s*sinh|ngay\s*(?:thang\s*nam\s*)?sinh)\s*[:.]?\s*(?:({_NUM})\s*[/.-]\s*({_NUM})\s*[/.-]\s*)?({_NUM})"
)
_ADDRESS = re.compile(
    r"\b(?:dia\s*chi(?:\s*(?:thuong\s*tru|lien\s*he|cu\s*tru|lien\s*lac|noi\s*o))?|tru\s*tai|cu\s*tru\s*tai|"
    r"noi\s*(?:cu\s*tru|o\s*hien\s*nay|o|thuong\s*tru)|(?:ho\s*khau\s*)?thuong\s*tru(?:\s*tai)?|ngu\s*tai|"
    r"hien\s*(?:dang\s*)?(?:o|cu\s*tru)\s*tai|o\s*tai)\s*[:.]?\s*"
)
_ADDRESS_END = re.compile(r"(?:dien\s*thoai|\bdt\b|sdt|so\s*cccd|cccd|cmnd|can\s*cuoc|email|\bs[o0]\s*dt)")


def _birth(printed: str, folded: str, start: int, end: int, today: dt.date) -> tuple[int | None, dt.date | None]:
    m = _BIRTH.search(folded, start, end)
    if not m:
        return None, None
    try:
        year = int(digits(printed[m.start(3) : m.end(3)]))
    except ValueError:
        return None, None
    if not 1900 <= year <= today.year:
        return None, None
    if m.group(1) and m.group(2):
        return year, _as_date(printed[m.start(1) : m.end(1)], printed[m.start(2) : m.end(2)], str(year))
    return year, None


def _address(printed: str, folded: str, start: int, end: int) -> str:
    m = _ADDRESS.search(folded, start, end)
    if not m:
        return ""
    stop = folded.find("\n", m.end())
    stop = len(folded) if stop < 0 else stop
    cut = _ADDRESS_END.search(folded, m.end(), stop)
    if cut:
        stop = cut.start()
    return _clean(printed[m.end() : stop])[:500]


def _person_at(printed: str, folded: str, start: int, end: int, today: dt.date, **kw: bool) -> Person | None:
    """The person named at `start`, with birth and address found before `end`."""
    name, after = _read_name(printed, folded, start, **kw)
    if not name:
        return None
    year, born = _birth(printed, folded, after, end, today)
    return Person(name=name, birth_year=year, birth_date=born, address=_address(printed, folded, after, end))


def _segment_end(folded: str, start: int, anchors: list[int], limit: int) -> int:
    later = [a for a in anchors if a > start]
    return min([*later, limit, start + 600])


def _sender_anchors(folded: str, start: int, limit: int) -> list[int]:
    """Where sender names begin: after "Tôi tên là", "Họ và tên", "Người tố cáo" … but not after "Họ tên
    người bị tố cáo" (that names the person concerned)."""
    return [
        m.end()
        for m in _SENDER_ANCHORS.finditer(folded, start, limit)
        if not _CONCERNED_LEAD.search(folded, m.end(), m.end() + 16)
    ]


def _senders(printed: str, folded: str, limit: int, today: dt.date) -> list[Person]:
    """The senders written before `limit` (where the part about the persons concerned begins)."""
    people: list[Person] = []
    group = _GROUP.search(folded, 0, limit)
    if group:
        # "Chúng tôi gồm: 1. Ông Lê Văn A, sinh năm …, trú tại … 2. Bà …": one person per list item.
        items = [m.end() for m in _LIST_ITEM.finditer(folded, group.end(), limit)]
        for i, start in enumerate(items):
            end = items[i + 1] if i + 1 < len(items) else limit
            person = _person_at(printed, folded, start, end, today)
            if person:
                people.append(person)
        if people:
            return people
    anchors = _sender_anchors(folded, 0, limit)
    for start in anchors:
        end = _segment_end(folded, start, anchors, limit)
        person = _person_at(printed, folded, start, end, today)
        if person and all(fold(p.name) != fold(person.name) for p in people):
            people.append(person)
    return people


_SIGNATURE = re.compile(
    r"(?:nguoi|nhung\s*nguoi)\s*(?:to\s*cao|khieu\s*nai|kien\s*nghi|phan\s*anh|viet\s*don|lam\s*don|gui\s*don|de\s*nghi)"
    r"\s*(?:\n|$|\()"
)


def _signed_by(printed: str, folded: str, today: dt.date) -> list[Person]:
    """The name under the signature ("Người tố cáo (ký, ghi rõ họ tên) Trần Thị Hoa") of a letter that does
    not introduce its sender in the body."""
    found = list(_SIGNATURE.finditer(folded))
    if not found:
        return []
    tail_start = found[-1].start()
    lines = printed[tail_start:].split("\n")[1:8]
    pos = tail_start + len(printed[tail_start:].split("\n")[0]) + 1
    for line in lines:
        key = fold(line)
        if key and not re.search(r"ghi ro|ho ten|[()]|^\W*(?:da\s*)?ky(?:\W|$)", key):
            person = _person_at(printed, folded, pos, pos + len(line), today, signature=True)
            if person:
                return [person]
        pos += len(line) + 1
    return []


# ---- the persons concerned ---------------------------------------------------------------------------

_VERBS = r"(?:to\s*cao|khieu\s*nai|phan\s*anh|kien\s*nghi\s*(?:ve|doi\s*voi)?)"
_CONCERNED_ANCHORS = re.compile(
    rf"(?:{_VERBS}\s*(?:hanh\s*vi\s*(?:sai\s*pham\s*)?(?:cua\s*)?|viec\s*(?:lam\s*)?(?:cua\s*)?|doi\s*voi\s*)?"
    rf"(?=(?:ong\s*\(\s*ba\s*\)|ong\s*/\s*ba|ong|ba|anh|chi|dong\s*chi|d/c)[\s.:])"
    rf"|(?:ho\s*(?:va\s*)?ten\s*)?(?:cua\s*)?nguoi\s*bi\s*{_VERBS}\s*(?:la)?\s*[:.]?)"
)
_ORG_CONCERNED = re.compile(
    rf"{_VERBS}\s*(?:tap\s*the\s*)?(?=(?:ban\s*thuong\s*vu|dang\s*uy|chi\s*uy|chi\s*bo|ban\s*chap\s*hanh|"
    r"uy\s*ban\s*nhan\s*dan|ubnd|cong\s*ty|hop\s*tac\s*xa))"
)
_POSITION = re.compile(
    r"(?:chuc\s*vu|hien\s*(?:dang\s*)?(?:la|giu\s*chuc(?:\s*vu)?|cong\s*tac\s*la)|nguyen\s*la)\s*[:.]?\s*"
)
#: Titles that start a position written straight after the name (", Chủ tịch UBND xã …").
_TITLE_WORDS = re.compile(
    r"(?:pho\s*)?(?:chu\s*tich|bi\s*thu|truong\s*(?:phong|ban|ap|thon|khom|cong\s*an|tram)|giam\s*doc|"
    r"chanh\s*(?:van\s*phong|an|thanh\s*tra)|thanh\s*tra\s*vien|can\s*bo|cong\s*chuc|vien\s*chuc|ke\s*toan|"
    r"uy\s*vien|thu\s*ky|hieu\s*truong|chi\s*hoi\s*truong|cong\s*an\s*vien|dia\s*chinh|tu\s*phap)"
)
_PARTY_ORG = re.compile(
    r"dang\s*vien\s*(?:cua\s*|sinh\s*hoat\s*(?:tai\s*)?|thuoc\s*)?((?:chi\s*bo|dang\s*bo|dang\s*uy)\s)"
)
_WORKPLACE = re.compile(
    r"(?:cong\s*tac\s*tai|co\s*quan(?:\s*cong\s*tac)?|don\s*vi(?:\s*cong\s*tac)?|noi\s*cong\s*tac)\s*[:.]?\s*"
)


_MORE = re.compile(
    r"\s(?:dang\s*vien|sinh\s*nam|tru\s*tai|da\s|co\s+(?!phan|quan|so\b)|lai\s|thuong\s*xuyen|nhieu\s|"
    r"trong\s*qua\s*trinh|trong\s*thoi\s*gian|khi\s)"
)


def _phrase(printed: str, folded: str, start: int, end: int) -> str:
    """From `start` to the end of its clause (comma, semicolon, full stop, line end, or `end`)."""
    stop = end
    for ch in ",;":
        i = folded.find(ch, start, stop)
        if i >= 0:
            stop = i
    # A line break ends the clause unless the line was simply full ("… chức vụ Chủ tịch⏎UBND xã …"): the
    # next line goes on when the first does not end in punctuation and the next is not a "Field: …" line.
    pos = start
    while (i := folded.find("\n", pos, stop)) >= 0:
        line_end = folded[start:i].rstrip()
        next_line = folded[i + 1 : folded.find("\n", i + 1) if "\n" in folded[i + 1 : stop] else stop]
        if not line_end or line_end[-1] in ".:;!?" or ":" in next_line[:30] or not next_line.strip():
            stop = i
            break
        pos = i + 1
    dot = re.compile(r"\.(?:\s|$)").search(folded, start, stop)
    if dot:
        stop = dot.start()
    # "… đảng viên chi bộ …", "… sinh năm …" begin another detail.
    more = _MORE.search(folded, start, stop)
    if more:
        stop = more.start()
    return _clean(printed[start:stop])


def _details(person: Person, printed: str, folded: str, start: int, end: int, today: dt.date) -> None:
    """Position, party organization, workplace and birth of a person concerned, from its sentence."""
    m = _POSITION.search(folded, start, end)
    if m:
        person.position = _phrase(printed, folded, m.end(), end)[:255]
    else:
        lead = re.compile(r"[\s,(-]*").match(folded, start)
        pos = lead.end() if lead else start
        if _TITLE_WORDS.match(folded, pos):
            person.position = _phrase(printed, folded, pos, end)[:255]
    org = _PARTY_ORG.search(folded, start, end)
    if org:
        text = _phrase(printed, folded, org.start(1), end)
        # The organization's kind in its printed form, whatever OCR made of its diacritics ("Chỉ bộ").
        kind = " ".join(folded[org.start(1) : org.end(1)].split())
        canonical = {"chi bo": "Chi bộ", "dang bo": "Đảng bộ", "dang uy": "Đảng ủy"}.get(kind)
        if canonical:
            text = canonical + text[len(printed[org.start(1) : org.end(1)].rstrip()) :]
        person.workplace = text[:1].upper() + text[1:]
    elif (w := _WORKPLACE.search(folded, start, end)) is not None:
        person.workplace = _phrase(printed, folded, w.end(), end)[:255]
    year, born = _birth(printed, folded, start, end, today)
    person.birth_year, person.birth_date = year, born
    if not person.address:
        person.address = _address(printed, folded, start, end) if _ADDRESS.search(folded, start, end) else ""


def _sentence_end(folded: str, start: int) -> int:
    m = re.compile(r"\.(?:\s|$)|\n\s*\n").search(folded, start)
    return min(m.start() if m else len(folded), start + 400)


def _concerned(printed: str, folded: str, start_at: int, today: dt.date) -> list[Person]:
    people: list[Person] = []
    for m in _CONCERNED_ANCHORS.finditer(folded, start_at):
        name, after = _read_name(printed, folded, m.end())
        if not name or any(fold(p.name) == fold(name) for p in people):
            continue
        person = Person(name=name)
        _details(person, printed, folded, after, _sentence_end(folded, after), today)
        people.append(person)
        if len(people) >= 10:
            break
    if not people:
        for m in _ORG_CONCERNED.finditer(folded, start_at):
            text = _phrase(printed, folded, m.end(), _sentence_end(folded, m.end()))
            if text and all(fold(p.name) != fold(text) for p in people):
                people.append(Person(name=text[:255], organization=True))
            if len(people) >= 5:
                break
    return people


# ---- recipients, content ---------------------------------------------------------------------------

_RECIPIENT = re.compile(r"kinh\s*g[uwi]{1,3}r?i\s*[:.]?\s*")
_CONTENT = re.compile(
    r"(?:noi\s*dung(?:\s*(?:su\s*viec|vu\s*viec|to\s*cao|khieu\s*nai|kien\s*nghi|phan\s*anh|don|cu\s*the))?"
    r"(?:\s*(?:nhu\s*sau|cu\s*the))?\s*[:.]|(?:trinh\s*bay|cu\s*the)\s*(?:su\s*viec\s*)?nhu\s*sau\s*[:.]?)"
)
_SUBJECT = re.compile(r"^\s*\(?\s*v\s*/\s*v\s*[:.]?\s*", re.MULTILINE)
_CLOSING = re.compile(
    r"(?:toi|chung\s*toi)\s*xin\s*(?:cam\s*doan|chan\s*thanh|tran\s*trong)|tran\s*trong\s*cam\s*on|xin\s*chan\s*thanh"
)
_SENTENCE = re.compile(r"(?<=[.!?…])\s+")


def _recipients(printed: str, folded: str) -> list[str]:
    m = _RECIPIENT.search(folded)
    if not m:
        return []
    out = []
    first = printed[m.end() : (folded.find("\n", m.end()) + 1 or len(printed))]
    if _clean(first):
        out.append(_clean(first.lstrip("-+• ")))
    pos = m.end() + len(first)
    for line in printed[pos:].split("\n")[:5]:
        stripped = line.strip()
        if not stripped.startswith(("-", "+", "•")):
            break
        out.append(_clean(stripped.lstrip("-+• ")))
    return [r for r in out if r][:5]


def _sentences(text: str, limit: int = 400) -> str:
    """The first sentences of `text`, about two or three (at most ~`limit` characters)."""
    out = ""
    for sentence in _SENTENCE.split(" ".join(text.split())):
        if out and len(out) + len(sentence) > limit:
            break
        out = f"{out} {sentence}".strip()
        if len(out) >= limit // 2:
            break
    return out[: limit + 200].strip()


_BODY_LEAD = re.compile(
    r"\b(?:toi|chung\s*toi)\s*(?:xin\s*|lam\s*don\s*(?:nay\s*)?|viet\s*don\s*(?:nay\s*)?)?"
    r"(?:khieu\s*nai|to\s*cao|kien\s*nghi|de\s*nghi|phan\s*anh|trinh\s*bay)"
)
_DATE_LINE = re.compile(r"\n[^\S\n]*(?:[^\n,]{0,30},[^\S\n]*)?ngay\s*[0-9oOilI|sSzZbBgGaAeE]{1,2}\s*thang")


def _summary(printed: str, folded: str, body_start: int) -> str:
    """The first sentences of the content: after "Nội dung …:", else from the sentence that names the
    person concerned or says what the letter asks; the letter's "V/v" subject when there is no body."""
    content = _CONTENT.search(folded)
    start = -1
    if content:
        start = content.end()
    else:
        lead = _CONCERNED_ANCHORS.search(folded, body_start) or _BODY_LEAD.search(folded, body_start)
        if lead:
            start = folded.rfind("\n", 0, lead.start()) + 1
    text = ""
    if start >= 0:
        ends = [m.start() for m in (_CLOSING.search(folded, start), _SIGNATURE.search(folded, start)) if m]
        ends += [m.start() for m in [_DATE_LINE.search(folded, start)] if m]
        text = _sentences(printed[start : min(ends, default=len(printed))])
    if len(text) >= 20:
        return text
    subject = _SUBJECT.search(folded)
    if subject:
        line_end = folded.find("\n", subject.end())
        return _clean(printed[subject.end() : line_end if line_end >= 0 else len(printed)]).rstrip(")")
    return text


# ---- the whole letter ------------------------------------------------------------------------------


def parse(text: str, *, today: dt.date | None = None) -> Proposal:
    """The proposal a letter's text makes; every part may be missing (an empty proposal for no text)."""
    today = today or dt.date.today()
    printed, folded = _prepare(text)
    if not folded.strip():
        return Proposal()
    lines = printed.split("\n")
    proposal = Proposal(kind=_kind([fold_chars(line) for line in lines], folded))
    proposal.letter_date = _letter_date(printed, folded, today)
    proposal.recipients = _recipients(printed, folded)
    # The senders come before the persons concerned: the first "tố cáo ông …", "người bị …" or "Nội dung"
    # after the first sender anchor ends them (a "V/v: tố cáo ông …" subject line may come earlier).
    first_sender = _sender_anchors(folded, 0, len(folded))
    group = _GROUP.search(folded)
    begin = min([*first_sender[:1], *([group.start()] if group else []), len(folded)])
    ends = [m.start() for m in (_CONCERNED_ANCHORS.search(folded, begin), _CONTENT.search(folded, begin)) if m]
    sender_limit = min(ends) if ends else len(folded)
    proposal.senders = _senders(printed, folded, sender_limit, today) or _signed_by(printed, folded, today)
    proposal.concerned = _concerned(printed, folded, 0, today)
    proposal.summary = _summary(printed, folded, sender_limit if ends else begin if begin < len(folded) else 0)
    return proposal
