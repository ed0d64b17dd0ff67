"""Search benchmark (issue 6, "Performance"): full-text search over 1,000,000 Vietnamese documents.

Targets on a 2-core machine at 1,000,000 documents: p95 ≤ 50 ms for every query kind through the
service, service ≤ 5× a bare Tantivy index of the same text, indexing ≥ 2,000 documents/s, index size
≤ 1.5× the raw text (title + page texts, UTF-8).

Run from the repository root (SQLite and the index in a temporary work folder; nothing of yours is touched):

    .venv/bin/python benchmarks/search_bench.py --docs 1000000          # the run for the record (~30 min)
    .venv/bin/python benchmarks/search_bench.py --docs 20000 --queries 30   # a quick check (~1 min)

What it does, in one process:

1. `migrate` on a fresh SQLite database in `--workdir` (default: a temporary folder; the master key file
   sits beside the data dir, outside it).
2. 500 units in a tree through the registry service (so `Unit.path` is right): two provinces → 22
   departments each → sub-units. `--docs` documents with realistic metadata (Decree 30 / Guide 36
   notations such as `123-CV/TU`, `15/QĐ-UBND`, `30/2020/NĐ-CP`; `DocType` types; dates 1975–2025;
   subjects "V/v …"; 1–3 pages; 10 % classified: 5 % level 1, 3 % level 2, 2 % level 3) go into the
   `archive_document` table with plain `executemany` (not the product's write path). Text: ~300 words
   a document drawn with Zipf-like frequencies (numpy, fixed seed) from a vocabulary of real Vietnamese
   syllables and two-syllable words, collected from the repository's Vietnamese texts (translations,
   user guide, real headers in benchmarks/data/headers.jsonl, demo data) plus hand-written lists of
   administrative words. The page texts are NOT written to the database (no Page rows): a classified
   hit's snippet (made from the database's page text) therefore costs one empty query, not a highlight.
3. Indexing through the product: `search.services.rebuild(progress, docs=…)` fed with
   `search.documents.SearchDoc` objects built directly from the generated data (reading 1,000,000
   documents back through `documents.from_database` is database work, not what this measures). Timed as
   documents/s over the whole rebuild (document building incl. normalisation, content hash and blind
   tokens for classified documents, Tantivy indexing, final commit and merges); size = the index folder
   on disk vs the raw text bytes. The `meta` field (type label, unit names) is indexed too, but is not
   counted as raw text.
4. A "bare" Tantivy index of the same text in the same run: a plain schema (no blind tokens, no
   notation_f / meta fields, no content hash) with the same analyzers, every document in plain text.
5. Users: "limited" (clerk, clearance 1, scoped to 3 department subtrees, ~200 need-to-know grants on
   documents) and "province" (provincial office, clearance 3, the whole first province).
6. Query kinds, `--queries` different queries each, taken from the generated text: word, two words,
   phrase in quotes, prefix (`quyê*`: 2–4 letters), one-letter prefix (`t*`), notation, folded (no
   diacritics), filtered (a word + doc type + year range), faceted (a word, facets on) — each through
   `search.selectors.search(user, …)` as the API calls it (facets off except "faceted"), and "page": a
   sample of all the above with facets on, as the web page calls it. Every search includes what the
   service does for a result page: parsing, the policy query (its database reads for scope and grants
   happen once per user and are cached as in the product, until a grant, unit or scope changes or 30 s
   pass: the warm-up pays them), count, the database check of the 20 hits shown (core.policy),
   snippets and page numbers.
   Bare: the same text through `index.parse_query` (or `Query.phrase_prefix_query` for prefixes, a
   term query for notations), no policy, then what any caller does for 20 hits: count, load the
   stored documents, one body snippet each; "faceted" and "page" add the same aggregations.
   All queries run once as a warm-up, then once timed; p50/p95 per kind and user, and the ratio
   service p95 / bare p95 (and p50 / p50).

Prints progress on stderr and a summary table on stdout; `--json` adds one JSON object with every
number. Load average is printed per section: the machine may be shared.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CHUNK = 5_000  # documents generated together (one RNG stream per chunk, so any pass regenerates the same)
VIET = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
# The shape of a Vietnamese syllable (folded): onset, vowels, coda. Filters English words out of the sources.
_SYLLABLE = re.compile(
    r"^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|b|c|d|g|h|k|l|m|n|p|r|s|t|v|x)?"
    r"(a|e|i|o|u|y|ai|ao|au|ay|eo|eu|ia|ie|iu|oa|oi|oe|ua|ue|ui|uo|uy|ye|yeu|uoi|uou|uya|uye|ieu|oai|oay|uay|uoc)"
    r"(c|ch|m|n|ng|nh|p|t|i|o|u|y)?$"
)

# Common words of administrative documents (hand-written), most frequent first.
ADMIN = """
các của và trong về việc theo được cho với tỉnh ủy ban nhân dân đảng bộ công tác thực hiện quyết định
chỉ đạo triển khai kế hoạch báo cáo kết quả nhiệm vụ năm ngày tháng số đồng chí cán bộ đảng viên tổ chức
chi bộ cơ quan đơn vị địa phương huyện xã phường thị trấn thành phố trung ương chính phủ thủ tướng
quốc hội hội đồng mặt trận tổ quốc đoàn thể hội liên hiệp phụ nữ thanh niên cựu chiến binh nông dân
công đoàn kiểm tra giám sát thanh tra kỷ luật vi phạm khiếu nại tố cáo giải quyết đề nghị kiến nghị
phê duyệt ban hành sửa đổi bổ sung hướng dẫn quy định quy chế chương trình đề án dự án phương án
tài chính ngân sách kinh phí đầu tư xây dựng giao thông thủy lợi nông nghiệp nông thôn mới phát triển
kinh tế xã hội văn hóa giáo dục đào tạo y tế dân số môi trường tài nguyên đất đai quản lý nhà nước
an ninh quốc phòng trật tự an toàn công an quân sự biên phòng cải cách hành chính thủ tục chuyển đổi số
nghị quyết chỉ thị kết luận thông báo công văn tờ trình biên bản giấy mời hợp đồng công điện
đại hội nhiệm kỳ hội nghị ban chấp hành ban thường vụ bí thư phó bí thư chủ tịch phó chủ tịch
giám đốc phó giám đốc trưởng phòng phó trưởng phòng chánh văn phòng chuyên viên văn thư lưu trữ
hồ sơ tài liệu phông lưu trữ lịch sử số hóa mật tối mật tuyệt mật khẩn thượng khẩn hỏa tốc
tuyên giáo dân vận nội chính tổ chức bảo vệ chính trị nội bộ tuyên truyền học tập quán triệt
tư tưởng đạo đức phong cách hồ chí minh chủ nghĩa mác lênin cách mạng độc lập tự do hạnh phúc
cộng hòa xã hội chủ nghĩa việt nam nơi nhận lưu tm ký thay thừa lệnh kính gửi căn cứ xét đề nghị
điều khoản hiệu lực kể từ ngày chịu trách nhiệm thi hành phối hợp thường xuyên định kỳ đột xuất
tổng kết sơ kết đánh giá xếp loại chất lượng khen thưởng thi đua danh hiệu bằng khen giấy khen
tiếp nhận xử lý chuyển giao bàn giao tiếp công dân đơn thư phản ánh ý kiến góp ý dự thảo
cà mau bạc liêu sóc trăng kiên giang an giang cần thơ hậu giang đầm dơi năm căn ngọc hiển trần văn thời
u minh thới bình cái nước phú tân tân thành hòa bình giá rai vĩnh lợi phước long hồng dân đông hải
nguyễn trần lê phạm hoàng huỳnh phan võ đặng bùi đỗ hồ ngô dương lý văn thị minh thanh hùng lan
mười hai ba bốn năm sáu bảy tám chín một hai không trăm nghìn triệu tỷ đồng phần trăm
đảm bảo tăng cường nâng cao hiệu quả hiệu lực đẩy mạnh tiếp tục nghiêm túc kịp thời đầy đủ chính xác
""".split()

# Two-syllable words that carry the meaning of administrative texts (hand-written).
COMPOUNDS = """
ủy_ban nhân_dân quyết_định chỉ_đạo triển_khai kế_hoạch báo_cáo kết_quả nhiệm_vụ cán_bộ đảng_viên tổ_chức
chi_bộ cơ_quan đơn_vị địa_phương thị_trấn thành_phố trung_ương chính_phủ thủ_tướng quốc_hội hội_đồng
mặt_trận tổ_quốc đoàn_thể phụ_nữ thanh_niên cựu_chiến_binh nông_dân công_đoàn kiểm_tra giám_sát
thanh_tra kỷ_luật vi_phạm khiếu_nại tố_cáo giải_quyết đề_nghị kiến_nghị phê_duyệt ban_hành sửa_đổi
bổ_sung hướng_dẫn quy_định quy_chế chương_trình đề_án dự_án phương_án tài_chính ngân_sách kinh_phí
đầu_tư xây_dựng giao_thông thủy_lợi nông_nghiệp nông_thôn phát_triển kinh_tế xã_hội văn_hóa giáo_dục
đào_tạo y_tế dân_số môi_trường tài_nguyên đất_đai quản_lý nhà_nước an_ninh quốc_phòng trật_tự an_toàn
công_an quân_sự biên_phòng cải_cách hành_chính thủ_tục chuyển_đổi nghị_quyết chỉ_thị kết_luận thông_báo
công_văn tờ_trình biên_bản giấy_mời hợp_đồng công_điện đại_hội nhiệm_kỳ hội_nghị ban_chấp_hành
thường_vụ bí_thư chủ_tịch giám_đốc trưởng_phòng chánh_văn_phòng chuyên_viên văn_thư lưu_trữ hồ_sơ
tài_liệu lịch_sử số_hóa tối_mật tuyệt_mật thượng_khẩn hỏa_tốc tuyên_giáo dân_vận nội_chính bảo_vệ
chính_trị nội_bộ tuyên_truyền học_tập quán_triệt tư_tưởng đạo_đức phong_cách chủ_nghĩa cách_mạng
độc_lập tự_do hạnh_phúc cộng_hòa việt_nam nơi_nhận ký_thay thừa_lệnh kính_gửi căn_cứ hiệu_lực
trách_nhiệm thi_hành phối_hợp thường_xuyên định_kỳ đột_xuất tổng_kết sơ_kết đánh_giá xếp_loại
chất_lượng khen_thưởng thi_đua danh_hiệu bằng_khen giấy_khen tiếp_nhận xử_lý chuyển_giao bàn_giao
công_dân đơn_thư phản_ánh ý_kiến góp_ý dự_thảo cà_mau bạc_liêu đảm_bảo tăng_cường nâng_cao hiệu_quả
đẩy_mạnh tiếp_tục nghiêm_túc kịp_thời đầy_đủ chính_xác quyền_hạn cơ_cấu mối_quan_hệ sắp_xếp
tinh_gọn bộ_máy hợp_nhất sáp_nhập chính_quyền hai_cấp biên_chế tinh_giản vị_trí việc_làm
""".split()


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def fold_ascii(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.lower().replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# --- vocabulary -------------------------------------------------------------------------------------


def vocabulary() -> list[str]:
    """Real Vietnamese syllables and two-syllable words, most frequent first (by count in the sources)."""
    texts = []
    for path in [
        ROOT / "src/sohoa/locale/vi/LC_MESSAGES/django.po",
        ROOT / "docs/user-guide.vi.md",
        ROOT / "src/sohoa/core/demo.py",
        ROOT / "benchmarks/data/headers.jsonl",
    ]:
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        if path.suffix == ".po":
            text = "\n".join(re.findall(r'msgstr "(.*)"', text))
        elif path.suffix == ".jsonl":
            rows = [json.loads(line) for line in text.splitlines() if line.strip()]
            text = "\n".join(str(r.get(k) or "") for r in rows for k in ("subject", "issuer", "type_name", "place"))
        texts.append(unicodedata.normalize("NFC", text))
    uni: collections.Counter[str] = collections.Counter()
    bi: collections.Counter[str] = collections.Counter()
    for text in texts:
        for line in re.split(r"[\n.,;:()\"'!?]+", text):
            words = [w.lower() for w in re.findall(r"[^\W\d_]+", line)]
            ok = [bool(_SYLLABLE.match(fold_ascii(w))) and len(w) <= 7 for w in words]
            for w, good in zip(words, ok, strict=True):
                if good:
                    uni[w] += 1
            for i in range(len(words) - 1):
                if ok[i] and ok[i + 1]:
                    bi[words[i] + " " + words[i + 1]] += 1
    ranked: dict[str, float] = {}
    for i, w in enumerate(ADMIN):  # the hand lists lead, in their order
        ranked.setdefault(w, 1e6 - i)
    for i, w in enumerate(COMPOUNDS):
        ranked.setdefault(w.replace("_", " "), 5e5 - i)
    for w, c in uni.items():
        ranked.setdefault(w, c)
    for w, c in bi.items():
        if c >= 2:
            ranked.setdefault(w, c * 0.8)
    return [w for w, _ in sorted(ranked.items(), key=lambda kv: -kv[1])]


# --- documents --------------------------------------------------------------------------------------

PROVINCES = [("H12", "Tỉnh Cà Mau", "CM"), ("H13", "Tỉnh Bạc Liêu", "BL")]
DEPARTMENTS = [
    ("TU", "Tỉnh ủy", True), ("VPTU", "Văn phòng Tỉnh ủy", True), ("BTCTU", "Ban Tổ chức Tỉnh ủy", True),
    ("UBKTTU", "Ủy ban Kiểm tra Tỉnh ủy", True), ("BTGTU", "Ban Tuyên giáo Tỉnh ủy", True),
    ("BDVTU", "Ban Dân vận Tỉnh ủy", True), ("BNCTU", "Ban Nội chính Tỉnh ủy", True),
    ("UBND", "Ủy ban nhân dân tỉnh", False), ("SNV", "Sở Nội vụ", False), ("STC", "Sở Tài chính", False),
    ("SKHĐT", "Sở Kế hoạch và Đầu tư", False), ("SYT", "Sở Y tế", False), ("SGDĐT", "Sở Giáo dục và Đào tạo", False),
    ("STP", "Sở Tư pháp", False), ("SXD", "Sở Xây dựng", False), ("SCT", "Sở Công Thương", False),
    ("SNNPTNT", "Sở Nông nghiệp và Phát triển nông thôn", False), ("STNMT", "Sở Tài nguyên và Môi trường", False),
    ("SGTVT", "Sở Giao thông vận tải", False), ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", False),
    ("SLĐTBXH", "Sở Lao động - Thương binh và Xã hội", False), ("TTR", "Thanh tra tỉnh", False),
]  # fmt: skip
SUBS = [
    ("P.TCCB", "Phòng Tổ chức cán bộ"), ("P.HC", "Phòng Hành chính"), ("P.TH", "Phòng Tổng hợp"),
    ("P.KT", "Phòng Kiểm tra"), ("P.NV", "Phòng Nghiệp vụ"), ("P.TV", "Phòng Tài vụ"), ("P.LT", "Phòng Lưu trữ"),
    ("P.QLNN", "Phòng Quản lý nhà nước"), ("P.KH", "Phòng Kế hoạch"), ("P.PC", "Phòng Pháp chế"),
]  # fmt: skip
# DocType values and their share among documents.
TYPES = {
    "CV": 30, "QĐ": 14, "BC": 10, "TB": 8, "KH": 7, "TTr": 5, "NQ": 4, "GM": 4, "CT": 3, "HD": 3, "BB": 3,
    "KL": 1.5, "QC": 1, "QyĐ": 1, "CTr": 1, "ĐA": 1, "HĐ": 1, "CĐ": 0.5, "NĐ": 1, "TT": 1,
}  # fmt: skip
TYPE_WORDS = {
    "CV": "công văn", "QĐ": "quyết định", "BC": "báo cáo", "TB": "thông báo", "KH": "kế hoạch", "TTr": "tờ trình",
    "NQ": "nghị quyết", "GM": "giấy mời", "CT": "chỉ thị", "HD": "hướng dẫn", "BB": "biên bản", "KL": "kết luận",
    "QC": "quy chế", "QyĐ": "quy định", "CTr": "chương trình", "ĐA": "đề án", "HĐ": "hợp đồng", "CĐ": "công điện",
    "NĐ": "nghị định", "TT": "thông tư",
}  # fmt: skip


def make_units() -> list[dict[str, Any]]:
    """2 provinces → 22 departments each → sub-units: 500 units, through the registry service."""
    from sohoa.registry.models import Unit, UnitKind
    from sohoa.registry.services import unit_save

    units: list[dict[str, Any]] = []

    def add(code: str, name: str, short: str, parent: Any, party: bool, depth: int) -> Any:
        u = unit_save(
            actor=None,
            unit=Unit(code=fold_ascii(code).upper(), name=name, short_name=short, kind=UnitKind.OFFICE, parent=parent),
        )
        units.append({"id": u.pk, "path": u.path, "name": name, "short": short, "party": party, "depth": depth})
        return u

    depts = []
    for pcode, pname, pshort in PROVINCES:
        root = add(pcode, pname, pshort, None, False, 0)
        for dcode, dname, party in DEPARTMENTS:
            depts.append((add(f"{pcode}.{dcode}", f"{dname} {pname[5:]}", dcode, root, party, 1), party))
    i = 0
    while len(units) < 500:
        dept, party = depts[i % len(depts)]
        scode, sname = SUBS[(i // len(depts)) % len(SUBS)]
        add(f"{dept.code}.{scode}{i // (len(depts) * len(SUBS)) or ''}", f"{sname} {dept.name}", dept.short_name,
            dept, party, 2)  # fmt: skip
        i += 1
    return units


class Corpus:
    """Metadata of all documents (numpy arrays) and their text, regenerated per chunk from fixed seeds."""

    def __init__(self, n: int, units: list[dict[str, Any]], vocab: list[str], seed: int) -> None:
        self.n, self.units, self.seed = n, units, seed
        rng = np.random.default_rng([seed, 0])
        # Province 1 holds more units' worth of documents: its units are drawn 3× as often.
        weights = np.array([3.0 if u["path"].startswith(units[0]["path"]) else 1.0 for u in units])
        self.unit = rng.choice(len(units), size=n, p=weights / weights.sum())
        codes = list(TYPES)
        share = np.array([TYPES[c] for c in codes])
        self.types = codes
        self.type = rng.choice(len(codes), size=n, p=share / share.sum())
        self.year = rng.integers(1975, 2026, size=n)
        self.day = rng.integers(0, 365, size=n)
        self.number = (rng.zipf(1.3, size=n) % 3000) + 1
        self.level = rng.choice(4, size=n, p=[0.90, 0.05, 0.03, 0.02])
        self.pages = rng.integers(1, 4, size=n)
        self.words = np.clip(rng.normal(300, 40, size=n).astype(int), 150, 450)
        self.title_words = rng.integers(5, 16, size=n)
        # Vocabulary with Zipf-like frequencies (s = 1.0 over the rank, offset so the top is not absurd).
        self.vocab = np.array(
            vocab + [str(k) for k in range(1, 32)] + [str(y) for y in range(1975, 2026)], dtype=object
        )
        ranks = np.arange(1, len(self.vocab) + 1, dtype=float)
        ranks[len(vocab) :] = rng.uniform(50, 2000, size=len(self.vocab) - len(vocab))  # numbers: mid frequency
        p = 1.0 / (ranks + 2.7)
        self.cdf = np.cumsum(p / p.sum())
        self.punct = np.array(["", ",", "."], dtype=object)

    def notation(self, i: int) -> str:
        t, u = self.types[self.type[i]], self.units[self.unit[i]]
        n, year = int(self.number[i]), int(self.year[i])
        if t in ("NĐ", "TT"):
            return f"{n}/{year}/{t}-CP"
        if u["party"]:
            return f"{n}-{t}/{u['short']}"
        if t == "CV":
            return f"{n}/{u['short']}-VP"
        return f"{n}/{t}-{u['short']}"

    def issued(self, i: int) -> dt.date:
        return dt.date(int(self.year[i]), 1, 1) + dt.timedelta(days=int(self.day[i]))

    def titles(self, start: int) -> list[str]:
        """Subjects of documents start … start + CHUNK (their own random stream: the rows need no body)."""
        stop = min(self.n, start + CHUNK)
        rng = np.random.default_rng([self.seed, 1, start, 0])
        counts = self.title_words[start:stop]
        idx = np.minimum(np.searchsorted(self.cdf, rng.random(int(counts.sum()))), len(self.vocab) - 1)
        tokens = self.vocab[idx].tolist()
        ends = np.cumsum(counts).tolist()
        return ["V/v " + " ".join(tokens[e - c : e]) for e, c in zip(ends, counts.tolist(), strict=True)]

    def chunk(self, start: int) -> Iterator[tuple[int, str, list[str]]]:
        """(index, title, pages) of documents start … start + CHUNK."""
        stop = min(self.n, start + CHUNK)
        titles = self.titles(start)
        rng = np.random.default_rng([self.seed, 1, start, 1])
        counts = self.words[start:stop]
        idx = np.minimum(np.searchsorted(self.cdf, rng.random(int(counts.sum()))), len(self.vocab) - 1)
        marks = self.punct[np.searchsorted([0.88, 0.95], rng.random(len(idx)))]
        text = (self.vocab[idx] + marks).tolist()
        pos = 0
        for k, i in enumerate(range(start, stop)):
            body = text[pos : pos + int(counts[k])]
            pos += int(counts[k])
            size = -(-len(body) // int(self.pages[i]))
            yield i, titles[k], [" ".join(body[j : j + size]) for j in range(0, len(body), size)]

    def all(self) -> Iterator[tuple[int, str, list[str]]]:
        for start in range(0, self.n, CHUNK):
            yield from self.chunk(start)


def insert_documents(corpus: Corpus) -> float:
    """The document rows, straight into SQLite with executemany (ids = index + 1)."""
    from django.db import connection

    from sohoa.archive import notation as notation_rules
    from sohoa.archive.models import Document

    given = ["id", "notation", "notation_key", "number", "symbol", "doc_type", "issued_date", "subject",
             "confidentiality", "page_count", "unit_id", "creator_unit_id", "issuer", "created_at",
             "updated_at"]  # fmt: skip
    fields = [f for f in Document._meta.concrete_fields if f.attname not in given]
    defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in fields)
    columns = [Document._meta.get_field(n).column for n in given] + [f.column for f in fields]
    sql = f"INSERT INTO {Document._meta.db_table} ({','.join(columns)}) VALUES ({','.join('?' * len(columns))})"
    now = dt.datetime.now(dt.UTC).isoformat()
    keys: dict[str, str] = {}
    started = time.monotonic()
    connection.ensure_connection()
    raw = connection.connection
    raw.execute("PRAGMA synchronous=OFF")
    for start in range(0, corpus.n, 50_000):
        rows = []
        stop = min(corpus.n, start + 50_000)
        titles = [t for s in range(start, stop, CHUNK) for t in corpus.titles(s)]
        for i, title in zip(range(start, stop), titles, strict=True):
            notation = corpus.notation(i)
            key = keys.get(notation) or keys.setdefault(notation, notation_rules.fold(notation_rules.clean(notation)))
            number, symbol = re.match(r"(\d+)[-/](.*)", notation).groups()  # type: ignore[union-attr]
            u = corpus.units[corpus.unit[i]]
            rows.append(
                (i + 1, notation, key, number, symbol, corpus.types[corpus.type[i]], corpus.issued(i).isoformat(),
                 title, int(corpus.level[i]), int(corpus.pages[i]), u["id"], u["id"], u["name"], now, now,
                 *defaults)
            )  # fmt: skip
        raw.executemany(sql, rows)
        raw.commit()
        done = min(corpus.n, start + 50_000)
        log(f"  rows {done:,}/{corpus.n:,} ({done / (time.monotonic() - started):,.0f}/s)")
    raw.execute("PRAGMA synchronous=NORMAL")
    raw.execute("ANALYZE")
    return time.monotonic() - started


def search_docs(corpus: Corpus, stats: dict[str, int]) -> Iterator[Any]:
    from sohoa.search.documents import SearchDoc

    labels = {t: TYPE_WORDS[t] for t in corpus.types}
    for i, title, pages in corpus.all():
        u = corpus.units[corpus.unit[i]]
        stats["raw"] += len(title.encode()) + sum(len(p.encode()) for p in pages)
        stats["docs"] += 1
        t = corpus.types[corpus.type[i]]
        yield SearchDoc(
            doc_id=i + 1, notation=corpus.notation(i), title=title, pages=pages,
            meta="\n".join([labels[t], u["name"], u["short"]]), level=int(corpus.level[i]), unit_path=u["path"],
            unit_id=u["id"], doctype=t, issued=corpus.issued(i), status="digitized",
        )  # fmt: skip


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


# --- bare Tantivy -----------------------------------------------------------------------------------


def build_bare(corpus: Corpus, path: Path) -> Any:
    import tantivy

    from sohoa.search.analyzers import EXACT, FOLD, NOTATION, register

    b = tantivy.SchemaBuilder()
    b.add_integer_field("doc_id", stored=True, indexed=True, fast=True)
    b.add_text_field("notation", stored=True, tokenizer_name=NOTATION, index_option="basic")
    b.add_text_field("title", tokenizer_name=EXACT, index_option="freq")
    b.add_text_field("title_f", stored=True, tokenizer_name=FOLD, index_option="position")
    b.add_text_field("body", tokenizer_name=EXACT, index_option="freq")
    b.add_text_field("body_f", stored=True, tokenizer_name=FOLD, index_option="position")
    for name in ("level", "unit_id", "fonds_id", "year", "has_text"):
        b.add_integer_field(name, indexed=True, fast=True)
    for name in ("doctype", "status", "lang"):
        b.add_text_field(name, tokenizer_name="raw", fast=True, index_option="basic")
    if path.exists():  # --reuse: the bare index of the earlier run
        index = tantivy.Index.open(str(path))
        register(index)
        return index
    path.mkdir(parents=True)
    index = tantivy.Index(b.build(), str(path))
    register(index)
    w = index.writer(heap_size=256_000_000)
    for i, title, pages in corpus.all():
        u = corpus.units[corpus.unit[i]]
        w.add_document(
            tantivy.Document(
                doc_id=i + 1, notation=corpus.notation(i).lower(), title=title, title_f=title, body=pages, body_f=pages,
                level=int(corpus.level[i]), unit_id=u["id"], fonds_id=0, year=int(corpus.year[i]), has_text=1,
                doctype=corpus.types[corpus.type[i]], status="digitized", lang="vi",
            )
        )  # fmt: skip
    w.commit()
    w.wait_merging_threads()
    index.reload()
    return index


class Bare:
    FIELDS = ["title", "title_f", "body", "body_f"]
    BOOSTS = {"title": 3.0, "title_f": 1.5, "body": 2.0, "body_f": 1.0}

    def __init__(self, index: Any) -> None:
        self.index, self.schema = index, index.schema

    def query(self, kind: str, text: str, extra: dict[str, Any]) -> Any:
        from tantivy import FieldType, Occur, Query

        from sohoa.search.analyzers import FOLD, NOTATION, terms

        s = self.schema
        if kind == "notation":
            return Query.term_query(s, "notation", terms(text, NOTATION)[0])
        if kind in ("prefix", "prefix1"):
            stem = terms(text.rstrip("*"), FOLD)[-1]
            return Query.boolean_query(
                [(Occur.Should, Query.phrase_prefix_query(s, f, [stem])) for f in ("title_f", "body_f")]
            )
        fields = ["title_f", "body_f"] if kind == "phrase" else self.FIELDS
        q = self.index.parse_query(text, fields, field_boosts=self.BOOSTS, conjunction_by_default=True)
        if kind == "filtered":
            q = Query.boolean_query(
                [
                    (Occur.Must, q),
                    (Occur.Must, Query.term_query(s, "doctype", extra["doctype"])),
                    (Occur.Must, Query.range_query(s, "year", FieldType.Integer, extra["year_from"], extra["year_to"])),
                ]
            )
        return q

    def run(self, kind: str, text: str, extra: dict[str, Any], facets: bool) -> int:
        from tantivy import SnippetGenerator

        from sohoa.search.selectors import _AGGS

        searcher = self.index.searcher()
        q = self.query(kind, text, extra)
        found = searcher.search(q, 20, count=True)
        gen = SnippetGenerator.create(searcher, q, self.schema, "body_f")
        gen.set_max_num_chars(200)
        for _score, addr in found.hits:
            gen.snippet_from_doc(searcher.doc(addr)).to_html()
        if facets:
            searcher.aggregate(q, _AGGS)
        return found.count


# --- queries ----------------------------------------------------------------------------------------

KINDS = ["word", "two_words", "phrase", "prefix", "prefix1", "notation", "folded", "filtered", "faceted", "page"]


def make_queries(corpus: Corpus, per_kind: int, seed: int) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """Queries taken from the generated documents (so each has hits), per kind: (text, filter values)."""
    from sohoa.search.analyzers import FOLD, terms

    rng = np.random.default_rng([seed, 2])
    picks = sorted(set(rng.integers(0, corpus.n, size=per_kind * 3).tolist()))
    sample = []
    for start in sorted({p // CHUNK * CHUNK for p in picks}):
        wanted = {p for p in picks if start <= p < start + CHUNK}
        sample += [(i, t, pg) for i, t, pg in corpus.chunk(start) if i in wanted]
    order = rng.permutation(len(sample))
    sample = [sample[k] for k in order]
    out: dict[str, list[tuple[str, dict[str, Any]]]] = {k: [] for k in KINDS}

    def words(pages: list[str]) -> list[str]:
        return [w.strip(",.") for w in " ".join(pages).split() if not w.strip(",.").isdigit()]

    # Words are drawn uniformly among the distinct words of a document (not by occurrence), so queries
    # mix frequent words (most documents) with rarer ones, as people type them.

    letters = ["t", "c", "n", "q", "h", "đ", "b", "k", "v", "p", "s", "l", "m", "g", "x"]
    for j, (i, _title, pages) in enumerate(sample):
        seq = words(pages)
        ws = list(dict.fromkeys(seq))
        if len(out["word"]) < per_kind:
            out["word"].append((ws[int(rng.integers(len(ws)))], {}))
        a = int(rng.integers(len(ws) - 1))
        if len(out["two_words"]) < per_kind:
            out["two_words"].append((f"{ws[a]} {ws[int(rng.integers(len(ws)))]}", {}))
        if len(out["phrase"]) < per_kind:
            page = pages[0].split()
            k = int(rng.integers(len(page) - 3))
            phrase = " ".join(w.strip(",.") for w in page[k : k + int(rng.integers(2, 4))])
            if len(terms(phrase, FOLD)) > 1 and "," not in " ".join(page[k : k + 2]) and "." not in page[k]:
                out["phrase"].append((f'"{phrase}"', {}))
        if len(out["prefix"]) < per_kind:
            w = ws[int(rng.integers(len(ws)))]
            if len(w) >= 3:
                out["prefix"].append((w[: int(rng.integers(2, min(4, len(w) - 1) + 1))] + "*", {}))
        if len(out["prefix1"]) < per_kind:
            out["prefix1"].append((letters[j % len(letters)] + "*", {}))
        if len(out["notation"]) < per_kind:
            out["notation"].append((corpus.notation(i), {"doc": i + 1}))
        if len(out["folded"]) < per_kind:
            k = int(rng.integers(len(seq) - 2))
            out["folded"].append((" ".join(" ".join(terms(w, FOLD)) for w in seq[k : k + 2]), {}))
        if len(out["filtered"]) < per_kind:
            y = int(corpus.year[i])
            lo = y - int(rng.integers(0, 6))
            extra = {"doctype": corpus.types[corpus.type[i]], "year_from": lo, "year_to": lo + 10}
            out["filtered"].append((ws[int(rng.integers(len(ws)))], extra))
        if len(out["faceted"]) < per_kind:
            out["faceted"].append((ws[int(rng.integers(len(ws)))], {}))
    # The web page: a sample of every kind, with facets on.
    each = max(1, per_kind // 8)
    for kind in ["word", "two_words", "phrase", "prefix", "prefix1", "notation", "folded", "filtered"]:
        out["page"] += [(t, {**e, "kind": kind}) for t, e in out[kind][:each]]
    return out


def service_call(user: Any, kind: str, text: str, extra: dict[str, Any]) -> Any:
    from sohoa.search.selectors import Filters, search

    for cached in ("_sohoa_scope", "_sohoa_scope_roots"):  # a request loads its user afresh
        user.__dict__.pop(cached, None)
    inner = extra.get("kind", kind)
    filters = Filters()
    if inner == "filtered":
        filters = Filters(doctype=extra["doctype"], year_from=extra["year_from"], year_to=extra["year_to"])
    return search(user, text, filters=filters, per_page=20, facets=kind in ("faceted", "page"))


def bare_call(bare: Bare, kind: str, text: str, extra: dict[str, Any]) -> int:
    return bare.run(extra.get("kind", kind), text, extra, facets=kind in ("faceted", "page"))


def timed_kinds(call, queries: dict[str, list[tuple[str, dict[str, Any]]]]) -> dict[str, dict[str, float]]:  # type: ignore[no-untyped-def]
    for kind in KINDS:  # warm-up: every query once
        for text, extra in queries[kind]:
            call(kind, text, extra)
    out = {}
    for kind in KINDS:
        samples, totals = [], []
        for text, extra in queries[kind]:
            started = time.perf_counter()
            total = call(kind, text, extra)
            samples.append((time.perf_counter() - started) * 1000)
            totals.append(total)
        out[kind] = {
            "n": len(samples),
            "p50": round(statistics.median(samples), 2),
            "p95": round(percentile(samples, 95), 2),
            "max": round(max(samples), 2),
            "hits_median": int(statistics.median(totals)),
        }
    return out


# --- main -------------------------------------------------------------------------------------------


def setup_django(data_dir: Path) -> None:
    os.environ["SOHOA_DATA_DIR"] = str(data_dir)
    os.environ["SOHOA_KEY_FILE"] = str(data_dir.parent / "bench.key")
    os.environ["DJANGO_SETTINGS_MODULE"] = "sohoa.settings"
    os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def make_users(corpus: Corpus, units: list[dict[str, Any]], grants: int, seed: int) -> tuple[Any, Any]:
    from sohoa.archive.models import Grant
    from sohoa.core.models import Level, Role, User
    from sohoa.registry.models import Unit

    province = User.objects.create(username="province", role=Role.PROVINCIAL_OFFICE, clearance=Level.TUYET_MAT)
    province.units.set([units[0]["id"]])
    limited = User.objects.create(username="limited", role=Role.CLERK, clearance=Level.MAT)
    depts = [u for u in units if u["depth"] == 1 and u["path"].startswith(units[0]["path"])]
    limited.units.set([depts[k]["id"] for k in (2, 8, 11)])  # Ban Tổ chức, Sở Nội vụ, Sở Y tế (and their sub-units)
    rng = np.random.default_rng([seed, 3])
    ids = sorted(set((rng.integers(0, corpus.n, size=grants) + 1).tolist()))
    until = dt.datetime.now(dt.UTC) + dt.timedelta(days=365)
    # Approved grants (where grants have a request/approval workflow, only approved ones open documents).
    approved = {"status": "approved"} if any(f.name == "status" for f in Grant._meta.fields) else {}
    Grant.objects.bulk_create(
        Grant(user=limited, document_id=i, reason="benchmark", valid_until=until, **approved) for i in ids
    )
    assert Unit.objects.count() == len(units)
    return limited, province


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=80, help="different queries per kind (default 80)")
    parser.add_argument("--grants", type=int, default=200)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--workdir", type=Path, help="scratch folder (default: a temporary one, removed)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument(
        "--reuse", action="store_true", help="with --workdir of a --keep run: skip generating and indexing"
    )
    parser.add_argument("--skip-bare", action="store_true", help="no bare Tantivy index (no ratios)")
    parser.add_argument("--json", action="store_true", help="one JSON object with every number at the end")
    args = parser.parse_args()

    work = args.workdir or Path(tempfile.mkdtemp(prefix="search-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    data = work / "data"
    reuse = args.reuse and (work / "units.json").exists()
    if not reuse:
        if data.exists():
            shutil.rmtree(data)
        data.mkdir()
        (work / "bench.key").unlink(missing_ok=True)
    result: dict[str, Any] = {"docs": args.docs, "queries_per_kind": args.queries, "cpus": os.cpu_count()}
    try:
        setup_django(data)
        from django.core.management import call_command

        from sohoa.search import services
        from sohoa.search.index import index_dir, open_index

        vocab = vocabulary()
        result["vocabulary"] = len(vocab)
        if reuse:  # the database and index of an earlier --keep run: only the queries run again
            from sohoa.core.models import User

            units = json.loads((work / "units.json").read_text())
            result["index"] = json.loads((work / "index.json").read_text())
            corpus = Corpus(args.docs, units, vocab, args.seed)
            limited, province = User.objects.get(username="limited"), User.objects.get(username="province")
            run_queries(args, result, corpus, units, limited, province, work)
            return
        t0 = time.monotonic()
        call_command("migrate", verbosity=0)
        log(f"migrate {time.monotonic() - t0:.1f}s; units …")
        units = make_units()
        (work / "units.json").write_text(json.dumps(units))
        log(f"{len(units)} units, vocabulary {len(vocab):,} words; generating {args.docs:,} documents")
        corpus = Corpus(args.docs, units, vocab, args.seed)
        result["db_insert_s"] = round(insert_documents(corpus), 1)
        limited, province = make_users(corpus, units, args.grants, args.seed)

        # Indexing through the product.
        stats = {"raw": 0, "docs": 0}
        last = [time.monotonic(), 0]
        started = time.monotonic()

        def progress(k: int) -> None:
            last[1] += k
            if last[1] % 50_000 < k:
                log(f"  indexed {last[1]:,} ({last[1] / (time.monotonic() - started):,.0f} docs/s, load {load()})")

        load_before = load()
        n = services.rebuild(progress=progress, docs=search_docs(corpus, stats))
        seconds = time.monotonic() - started
        size = dir_size(index_dir())
        result["index"] = {
            "docs": n, "seconds": round(seconds, 1), "docs_per_s": round(n / seconds), "bytes": size,
            "raw_bytes": stats["raw"], "size_ratio": round(size / stats["raw"], 3),
            "segments": getattr(open_index().searcher(), "num_segments", None),
            "load": f"{load_before} → {load()}",
        }  # fmt: skip
        log(f"index: {result['index']}")
        (work / "index.json").write_text(json.dumps(result["index"]))
        run_queries(args, result, corpus, units, limited, province, work)
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(work, ignore_errors=True)


def run_queries(  # type: ignore[no-untyped-def]
    args, result: dict[str, Any], corpus: Corpus, units: list[dict[str, Any]], limited, province, work: Path
) -> None:
    queries = make_queries(corpus, args.queries, args.seed)
    result["queries"] = {k: [t for t, _ in v[:5]] for k, v in queries.items()}
    result["service"] = {}
    for name, user in (("limited", limited), ("province", province)):
        log(f"queries as {name} (load {load()}) …")
        result["service"][name] = timed_kinds(
            lambda kind, text, extra, user=user: service_call(user, kind, text, extra).total, queries
        )
    # Correctness spot check: a notation finds its document (or one with the same notation) first, for
    # the province user, when the document is in the user's province.
    seen = [
        (t, e) for t, e in queries["notation"] if units[corpus.unit[e["doc"] - 1]]["path"].startswith(units[0]["path"])
    ]
    first = sum(1 for t, e in seen if (h := service_call(province, "notation", t, e).hits) and h[0].notation == t)
    result["notation_first"] = f"{first}/{len(seen)}"

    if not args.skip_bare:
        log(f"bare index (load {load()}) …")
        t0 = time.monotonic()
        bare = Bare(build_bare(corpus, work / "bare"))
        bare_s = time.monotonic() - t0
        result["bare_index"] = {"seconds": round(bare_s, 1), "docs_per_s": round(args.docs / bare_s),
                                "bytes": dir_size(work / "bare")}  # fmt: skip
        log(f"bare index: {result['bare_index']}; queries (load {load()}) …")
        result["bare"] = timed_kinds(lambda kind, text, extra: bare_call(bare, kind, text, extra), queries)
    result["load_end"] = load()
    report(result)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))


def report(r: dict[str, Any]) -> None:
    ix = r["index"]
    print(f"\nsearch_bench: {r['docs']:,} documents, {r['queries_per_kind']} queries per kind, {r['cpus']} cpus")
    print(f"indexing: {ix['docs_per_s']:,} docs/s ({ix['seconds']} s; target ≥ 2,000), "
          f"size {ix['bytes'] / 1e6:,.0f} MB for {ix['raw_bytes'] / 1e6:,.0f} MB raw = {ix['size_ratio']}× "
          f"(target ≤ 1.5), load {ix['load']}")  # fmt: skip
    if "bare_index" in r:
        bi = r["bare_index"]
        print(f"bare index: {bi['docs_per_s']:,} docs/s, {bi['bytes'] / 1e6:,.0f} MB")
    print(f"notation found first (province user): {r['notation_first']}")
    print(
        f"{'kind':10} {'limited p50/p95':>17} {'province p50/p95':>17} {'bare p50/p95':>15} "
        f"{'ratio p95 lim/prov':>19} {'hits (prov/bare)':>17}"
    )
    for kind in KINDS:
        lim, prov = r["service"]["limited"][kind], r["service"]["province"][kind]
        bare = r.get("bare", {}).get(kind)
        cells = [f"{kind:10}", f"{lim['p50']:>7.1f} /{lim['p95']:>7.1f}", f"{prov['p50']:>7.1f} /{prov['p95']:>7.1f}"]
        if bare:
            ratio = f"{lim['p95'] / bare['p95']:.1f}× / {prov['p95'] / bare['p95']:.1f}×"
            cells += [f"{bare['p50']:>6.1f} /{bare['p95']:>6.1f}", f"{ratio:>19}",
                      f"{prov['hits_median']:>8} /{bare['hits_median']:>7}"]  # fmt: skip
        print(" ".join(cells))
    print(f"load average at the end: {r['load_end']}")


if __name__ == "__main__":
    main()
