"""The search command line: reindex, search-check (finds and repairs a damaged index) and search --as."""

from __future__ import annotations

import gc
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils.translation import override

from sohoa.archive.models import Document
from sohoa.core.models import Level, Role
from sohoa.search import index, services
from sohoa.search.documents import from_database, to_tantivy
from sohoa.search.query import blind_key
from tests.factories import DocumentFactory, GrantFactory
from tests.search.conftest import add_document, ids

pytestmark = pytest.mark.django_db

HIT_KEYS = {"document_id", "notation", "title", "score", "snippet"}


def run(*args: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of one `sohoa` command, as the console script would give them."""
    out, err = io.StringIO(), io.StringIO()
    try:
        with override("en"):  # the assertions read English messages
            call_command(*args, stdout=out, stderr=err)
        code = 0
    except CommandError as exc:
        code = exc.returncode
        err.write(str(exc))
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def json_lines(out: str) -> list[dict[str, Any]]:
    """Every stdout line is one JSON object (the --json contract): parse them all or fail."""
    return [json.loads(line) for line in out.splitlines()]


def search_json(*args: str) -> list[dict[str, Any]]:
    code, out, _ = run("search", *args, "--json")
    assert code == 0
    rows = json_lines(out)
    assert all(set(row) == HIT_KEYS for row in rows)
    return rows


@pytest.fixture
def reader(province, make_user):  # type: ignore[no-untyped-def]
    return make_user(province["root"], role=Role.PROVINCIAL_OFFICE, clearance=Level.TUYET_MAT, username="doc_gia")


def release_index() -> Path:
    """Drop this process's open handle (and its memory maps) as a new `sohoa` process would start without."""
    path = index.index_dir()
    index.forget(path)
    gc.collect()
    return path


# --- reindex --------------------------------------------------------------------------------------------


def test_reindex_json_builds_an_index_that_answers(reader, province):  # type: ignore[no-untyped-def]
    unit = province["ubkt"]
    docs = [DocumentFactory(unit=unit, subject=f"Báo cáo công tác kiểm tra quý {n}") for n in range(3)]
    assert ids(reader, "kiểm tra") == []  # created without the index (no commit in a test: no signal ran)
    code, out, _ = run("reindex", "--json")
    assert code == 0
    [summary] = json_lines(out)
    assert set(summary) == {"indexed", "seconds", "rate"}
    assert summary["indexed"] == 3 and summary["seconds"] >= 0 and summary["rate"] >= 0
    assert set(ids(reader, "kiem tra")) == {d.pk for d in docs}
    assert run("search-check")[0] == 0


def test_reindex_text_summary(province):  # type: ignore[no-untyped-def]
    DocumentFactory(unit=province["ubkt"])
    code, out, _ = run("reindex")
    assert code == 0 and "1" in out and "/s" in out


# --- search-check ---------------------------------------------------------------------------------------


def test_search_check_clean_index(province):  # type: ignore[no-untyped-def]
    add_document(unit=province["ubkt"], subject="Biên bản họp")
    code, out, _ = run("search-check", "--json")
    assert code == 0
    [report] = json_lines(out)
    assert report["phase"] == "check" and report["ok"] is True
    assert report["documents"] == report["indexed"] == 1
    assert report["missing"] == report["stale"] == report["orphaned"] == report["duplicated"] == 0


def test_search_check_finds_and_repairs_each_kind_of_difference(reader, province, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    unit = province["ubkt"]
    missing = add_document(unit=unit, subject="Nghị quyết về công tác cán bộ")
    stale = add_document(unit=unit, subject="Kế hoạch kiểm tra năm 2024")
    orphan_raw = add_document(unit=unit, subject="Thông báo lịch tiếp dân")
    orphan_qs = add_document(unit=unit, subject="Tờ trình xin kinh phí", pages=["Trang một", "Trang hai"])
    twice = add_document(unit=unit, subject="Quyết định khen thưởng tập thể")
    kept = add_document(unit=unit, subject="Công văn đôn đốc báo cáo")

    # (a) removed from the index behind the application's back
    services.delete_documents([missing.pk])
    # (b) changed in the database without signals (a bulk update)
    Document.objects.filter(pk=stale.pk).update(subject="Kế hoạch giám sát chuyên đề")
    # (c) deleted in the database while the index keeps it: a raw SQL delete (no signals at all) …
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Document._meta.db_table} WHERE id = %s", [orphan_raw.pk])
    # … and an ordinary delete whose on-commit re-index never runs (the process died after the commit)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        Document.objects.filter(pk=orphan_qs.pk).delete()
    assert callbacks  # the signal did queue the index update; it is dropped here
    # (d) indexed twice (an add without the delete that makes it an upsert)
    with index.writer() as w:
        w.add_document(to_tantivy(next(from_database([twice.pk])), blind_key()))

    code, out, err = run("search-check", "--json")
    assert code == 1 and "search-check --repair" in err
    [report] = json_lines(out)
    assert report["ok"] is False and report["schema_ok"] is True and report["readable"] is True
    assert report["missing_ids"] == [missing.pk]
    assert report["stale_ids"] == [stale.pk]
    assert report["orphaned_ids"] == sorted([orphan_raw.pk, orphan_qs.pk])
    assert report["duplicated_ids"] == [twice.pk]
    assert (report["missing"], report["stale"], report["orphaned"], report["duplicated"]) == (1, 1, 2, 1)
    assert report["documents"] == 4

    code, out, _ = run("search-check")  # the readable report names the ids too
    assert code == 1
    assert f"({missing.pk})" in out and f"({stale.pk})" in out and f"({twice.pk})" in out
    assert f"{min(orphan_raw.pk, orphan_qs.pk)}, {max(orphan_raw.pk, orphan_qs.pk)}" in out

    code, out, _ = run("search-check", "--repair", "--json")
    assert code == 0
    before, after = json_lines(out)
    assert before["phase"] == "check" and before["ok"] is False
    assert after["phase"] == "repaired" and after["ok"] is True and after["indexed"] == 4

    code, out, _ = run("search-check", "--json")
    assert code == 0 and json_lines(out)[0]["ok"] is True
    assert ids(reader, "cán bộ") == [missing.pk]
    assert ids(reader, "giám sát") == [stale.pk] and ids(reader, "kiểm tra năm") == []
    assert ids(reader, "tiếp dân") == [] and ids(reader, "kinh phí") == []
    assert ids(reader, "khen thưởng") == [twice.pk]
    assert ids(reader, "đôn đốc") == [kept.pk]


def _segment_files(path: Path, suffix: str) -> list[Path]:
    files = sorted(path.glob(f"*{suffix}"))
    assert files, f"no {suffix} file in {path}"
    return files


def _truncate(path: Path, suffix: str, keep: int = 0) -> None:
    for f in _segment_files(path, suffix):
        f.write_bytes(f.read_bytes()[: keep or max(1, f.stat().st_size // 3)])


def _overwrite(path: Path, suffix: str, at: int) -> None:
    for f in _segment_files(path, suffix):
        data = bytearray(f.read_bytes())
        data[at : at + 20 if at >= 0 else None] = b"\xff" * (20 if at >= 0 else -at)
        f.write_bytes(bytes(data))


DAMAGE = {
    "store file truncated": lambda p: _truncate(p, ".store"),
    "term file truncated": lambda p: _truncate(p, ".term"),
    "fast field file truncated": lambda p: _truncate(p, ".fast"),
    "fast field file cut to 7 bytes (a Rust panic)": lambda p: _truncate(p, ".fast", keep=7),
    "footer overwritten in a postings file": lambda p: _overwrite(p, ".idx", -8),
    "bytes overwritten inside a store file (found only by reading it)": lambda p: _overwrite(p, ".store", 5),
    "meta.json deleted": lambda p: (p / "meta.json").unlink(),
    "garbage in meta.json": lambda p: (p / "meta.json").write_text("{ceci n'est pas du json"),
    "wrong schema version": lambda p: (p / "version").write_text("0"),
    "index directory deleted": lambda p: shutil.rmtree(p),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_search_check_repair_rebuilds_a_damaged_index(reader, province, damage):  # type: ignore[no-untyped-def]
    unit = province["ubkt"]
    docs = [
        add_document(unit=unit, subject="Báo cáo tình hình tỉnh Cà Mau", notation="64-CV/TW"),
        add_document(unit=unit, subject="Kế hoạch công tác", pages=["Họp tại Cà Mau về thủy lợi"]),
        add_document(unit=unit, subject="Thông báo kết luận"),
    ]
    DAMAGE[damage](release_index())

    code, out, _ = run("search-check", "--json")
    assert code == 1
    [report] = json_lines(out)
    assert report["ok"] is False
    if damage == "wrong schema version":
        assert report["schema_ok"] is False
    else:
        assert report["readable"] is False and report["error"]
    assert report["missing"] == len(docs)  # nothing in a damaged index counts as indexed

    code, out, _ = run("search-check", "--repair")
    assert code == 0, out
    assert out.count("OK") >= 2  # after the repair: schema and readability OK

    release_index()
    code, out, _ = run("search-check", "--json")
    assert code == 0 and json_lines(out)[0]["ok"] is True
    assert [row["document_id"] for row in search_json("64-CV/TW", "--as", "doc_gia")][0] == docs[0].pk
    assert set(ids(reader, "ca mau")) == {docs[0].pk, docs[1].pk}
    assert ids(reader, "thuy loi") == [docs[1].pk]


def test_search_on_an_unreadable_index_explains_instead_of_crashing(reader, province):  # type: ignore[no-untyped-def]
    add_document(unit=province["ubkt"], subject="Biên bản")
    (release_index() / "meta.json").write_text("garbage")
    code, out, err = run("search", "biên bản", "--as", "doc_gia", "--json")
    assert code == 1 and out == "" and "search-check --repair" in err


def test_search_on_an_index_of_another_version_asks_for_reindex(reader, province):  # type: ignore[no-untyped-def]
    add_document(unit=province["ubkt"], subject="Biên bản")
    (release_index() / "version").write_text("0")
    code, out, err = run("search", "biên bản", "--as", "doc_gia")
    assert code == 1 and out == "" and "sohoa reindex" in err
    assert (index.index_dir() / "meta.json").exists()  # the index was left alone


# --- search --as ----------------------------------------------------------------------------------------


@pytest.fixture
def holdings(province):  # type: ignore[no-untyped-def]
    """Documents about "thanh tra" in and out of a clerk's unit, at and above the clerk's clearance."""
    word = "Kết luận thanh tra"
    return {
        "public": add_document(unit=province["ubkt"], subject=f"{word} công khai", notation="12-KL/UBKT"),
        "secret": add_document(unit=province["ubkt"], subject=f"{word} mật", confidentiality=Level.MAT),
        "other_unit": add_document(unit=province["ubnd"], subject=f"{word} của UBND"),
        "other_province": add_document(unit=province["other"], subject=f"{word} tỉnh khác"),
        "granted": add_document(unit=province["ubnd"], subject=f"{word} được cấp quyền"),
    }


def test_search_as_shows_exactly_what_that_user_sees(province, make_user, holdings):  # type: ignore[no-untyped-def]
    clerk = make_user(province["ubkt"], username="van_thu")
    make_user(province["ubkt"], clearance=Level.MAT, username="co_mat")
    GrantFactory(user=clerk, document=holdings["granted"])

    seen = {row["document_id"] for row in search_json("thanh tra", "--as", "van_thu", "--limit", "50")}
    assert seen == {holdings["public"].pk, holdings["granted"].pk}
    seen = {row["document_id"] for row in search_json("thanh tra", "--as", "co_mat")}
    assert seen == {holdings["public"].pk, holdings["secret"].pk}
    # the classified document is not found by its words, its number or a prefix by someone without clearance
    assert search_json(holdings["secret"].notation, "--as", "van_thu") == []
    assert search_json("mật", "--as", "van_thu") == []
    assert search_json("UBND", "--as", "van_thu") == []
    assert [r["document_id"] for r in search_json("12-KL/UBKT", "--as", "van_thu")] == [holdings["public"].pk]


def test_search_json_lines_have_exactly_the_five_keys_and_a_plain_snippet(reader, province):  # type: ignore[no-untyped-def]
    doc = add_document(
        unit=province["ubkt"], subject="Biên bản họp", notation="64-CV/TW",
        pages=["Trang một", "Họp tại Cà Mau & Bạc Liêu <script>alert(1)</script>"],
    )  # fmt: skip
    [row] = search_json("cà mau", "--as", "doc_gia")
    assert row["document_id"] == doc.pk and row["notation"] == "64-CV/TW" and row["title"] == "Biên bản họp"
    assert isinstance(row["score"], float) and row["score"] > 0
    assert "Cà Mau" in row["snippet"] and "&" in row["snippet"]
    assert "<b>" not in row["snippet"] and "&amp;" not in row["snippet"] and "&lt;" not in row["snippet"]


def test_search_readable_table(reader, province):  # type: ignore[no-untyped-def]
    doc = add_document(unit=province["ubkt"], subject="Báo cáo tình hình Cà Mau", notation="64-CV/TW")
    code, out, _ = run("search", "ca mau", "--as", "doc_gia")
    assert code == 0
    assert str(doc.pk) in out and "64-CV/TW" in out and "Báo cáo tình hình Cà Mau" in out
    assert "1" in out.splitlines()[-1]  # "1 of 1 documents shown"
    code, out, _ = run("search", "không có từ này", "--as", "doc_gia")
    assert code == 0 and len(out.splitlines()) == 1


def test_search_limit(reader, province):  # type: ignore[no-untyped-def]
    for n in range(5):
        add_document(unit=province["ubkt"], subject=f"Công văn số {n} về kiểm tra")
    assert len(search_json("kiểm tra", "--as", "doc_gia", "--limit", "2")) == 2
    assert len(search_json("kiểm tra", "--as", "doc_gia", "--limit", "500")) == 5
    code, out, err = run("search", "kiểm tra", "--as", "doc_gia", "--limit", "0")
    assert code == 2 and out == "" and "--limit" in err


def test_search_as_unknown_user_is_a_clear_error(province):  # type: ignore[no-untyped-def]
    code, out, err = run("search", "kiểm tra", "--as", "khong_co_ai", "--json")
    assert code == 2 and out == "" and "khong_co_ai" in err


def test_search_as_inactive_user_finds_nothing(province, make_user):  # type: ignore[no-untyped-def]
    add_document(unit=province["ubkt"], subject="Kết luận kiểm tra")
    make_user(province["ubkt"], username="da_nghi", is_active=False)
    code, out, err = run("search", "kiểm tra", "--as", "da_nghi", "--json")
    assert code == 0 and out == "" and "da_nghi" in err


@pytest.mark.parametrize(
    "query",
    ["", "   ", "*", '"', '"ủy ban nhân', 'a"b"c"', "Số: 15", "[a TO b]", "a OR b AND", "\\", "(", "-", "a" * 10_000,
     "kiểm tra " * 2_000, "64-CV/", "/", "***", "\x00", "🙂"],
)  # fmt: skip
def test_odd_queries_do_not_crash(reader, province, query):  # type: ignore[no-untyped-def]
    add_document(unit=province["ubkt"], subject="Kết luận kiểm tra", pages=["Ủy ban nhân dân tỉnh"])
    code, out, err = run("search", query, "--as", "doc_gia", "--json")
    assert code == 0, err
    rows = json_lines(out)
    assert all(set(row) == HIT_KEYS for row in rows)
    if len(query) >= 10_000:
        assert err.strip()  # the notice that only the start was searched goes to stderr


def test_search_messages_go_to_stderr_only(reader, province):  # type: ignore[no-untyped-def]
    add_document(unit=province["ubkt"], subject="Kết luận kiểm tra")
    code, out, err = run("search", "*", "--as", "doc_gia", "--json")
    assert code == 0 and out == "" and err.strip()
