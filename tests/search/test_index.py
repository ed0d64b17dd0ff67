"""The index follows the database, and classified text never sits in it in plain form."""

from __future__ import annotations

from pathlib import Path

import pytest

from sohoa.core.models import Level, Role
from sohoa.search import selectors, services
from sohoa.search.index import open_index
from tests.factories import DocumentFactory
from tests.search.conftest import add_document, ids

pytestmark = pytest.mark.django_db

MARKER = "Xylophonquạt"  # a word found nowhere else


def _grep(directory: Path, word: str) -> list[str]:
    needles = [word.encode(), word.lower().encode(), b"xylophonquat"]
    return [str(p) for p in directory.rglob("*") if p.is_file() and any(n in p.read_bytes() for n in needles)]


@pytest.fixture
def cleared(province, make_user):  # type: ignore[no-untyped-def]
    return make_user(province["root"], role=Role.PROVINCIAL_OFFICE, clearance=Level.TUYET_MAT)


def test_classified_text_is_not_in_the_index_files_but_is_found(cleared, province, search_index):  # type: ignore[no-untyped-def]
    doc = add_document(
        unit=province["tu"], confidentiality=Level.MAT, subject=f"Báo cáo {MARKER}", notation="7-BC/TU",
        pages=["Trang đầu", f"Nội dung mật có từ {MARKER} ở trang hai"],
    )  # fmt: skip
    assert _grep(search_index, MARKER) == []
    assert _grep(search_index, "Nội dung mật") == []
    searcher = open_index().searcher()  # not even as a term (term dictionaries share prefixes: grep is not enough)
    for field in ("title", "title_f", "body", "body_f", "meta", "meta_f"):
        assert searcher.doc_freq(field, MARKER.lower()) == searcher.doc_freq(field, "xylophonquat") == 0
    page = selectors.search(cleared, MARKER.lower())
    assert [h.document_id for h in page.hits] == [doc.pk]
    hit = page.hits[0]
    assert f"<b>{MARKER}</b>" in hit.snippet and hit.page == 2
    assert ids(cleared, "7-BC/TU") == [doc.pk]
    assert ids(cleared, "xylophonquat") == [doc.pk]  # folded
    assert ids(cleared, '"noi dung mat"') == [doc.pk]  # a phrase matches by its words


def test_raising_the_level_purges_the_plain_words(cleared, province, search_index, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    doc = add_document(unit=province["tu"], subject=f"Công văn {MARKER}", pages=[f"{MARKER} công khai"])
    assert _grep(search_index, MARKER)
    assert open_index().searcher().doc_freq("body_f", "xylophonquat") == 1
    with django_capture_on_commit_callbacks(execute=True):
        doc.confidentiality = Level.TOI_MAT
        doc.save()
    assert _grep(search_index, MARKER) == []
    assert ids(cleared, MARKER) == [doc.pk]


def test_changes_are_indexed_after_commit(cleared, province, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        doc = DocumentFactory(unit=province["tu"], subject="Kế hoạch phòng chống bão lụt", issuer="")
    assert ids(cleared, "bão lụt") == [doc.pk]
    with django_capture_on_commit_callbacks(execute=True):
        doc.subject = "Kế hoạch trồng rừng"
        doc.save()
    assert ids(cleared, "bão lụt") == []
    assert ids(cleared, "trồng rừng") == [doc.pk]
    with django_capture_on_commit_callbacks(execute=True):
        doc.delete()
    assert ids(cleared, "trồng rừng") == []


def test_rebuild_gives_the_same_answers(cleared, province):  # type: ignore[no-untyped-def]
    a = add_document(unit=province["tu"], subject="Đề án chuyển đổi số")
    b = add_document(unit=province["ubnd"], subject="Chuyển đổi số trong cơ quan", confidentiality=Level.MAT)
    before = ids(cleared, "chuyển đổi số")
    assert services.rebuild() == 2
    assert ids(cleared, "chuyển đổi số") == before and set(before) == {a.pk, b.pk}
    assert services.check().ok


def test_a_renamed_unit_reindexes_its_documents(cleared, province, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    from sohoa.registry.services import unit_save

    doc = add_document(unit=province["ubkt"], subject="Thông báo kết luận")
    assert ids(cleared, "giám sát") == []
    with django_capture_on_commit_callbacks(execute=True):
        unit = province["ubkt"]
        unit.name = "Ủy ban Kiểm tra và Giám sát"
        unit_save(actor=None, unit=unit)
    assert ids(cleared, "giám sát") == [doc.pk]
    assert services.check().ok


def test_a_missing_index_is_built_when_the_server_starts(cleared, province, search_index):  # type: ignore[no-untyped-def]
    import shutil

    doc = add_document(unit=province["tu"], subject="Hồ sơ chuyển đổi số")
    shutil.rmtree(search_index)
    assert services.ensure_index() is True  # the task runs inline in tests
    assert ids(cleared, "chuyển đổi số") == [doc.pk]
    assert services.ensure_index() is False
