"""From scan to search: a page OCRed by the pipeline (real Tesseract) is found by its words."""

from __future__ import annotations

import io

import pytest

from sohoa.core.models import Level, Role
from sohoa.digitization.models import Intake
from sohoa.digitization.services import intake_create
from tests.digitization.conftest import isolated_storage, page_image, run_pipeline  # noqa: F401
from tests.search.conftest import ids

pytestmark = pytest.mark.django_db


def test_an_ocred_scan_is_searchable_after_its_commit(province, make_user, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    page_image(["NGHỊ QUYẾT", "Về chuyển đổi số", "trong cơ quan Đảng"], size=(1240, 800)).save(
        buf, "PNG", dpi=(200, 200)
    )
    with django_capture_on_commit_callbacks(execute=True):
        intake = intake_create(
            actor=None, file=io.BytesIO(buf.getvalue()), name="nq.png", unit=province["tu"],
            source=Intake.Source.CLI, enqueue=False, confidentiality=Level.MAT,
        )  # fmt: skip
        intake = run_pipeline(intake)
    assert intake.status == Intake.Status.DONE
    cleared = make_user(province["root"], role=Role.PROVINCIAL_OFFICE, clearance=Level.MAT)
    assert ids(cleared, "chuyen doi so") == [intake.document_id]
    assert ids(make_user(province["root"], role=Role.PROVINCIAL_OFFICE), "chuyển đổi số") == []


@pytest.mark.django_db
def test_an_index_task_finding_the_index_locked_gives_its_worker_back_at_once_and_is_retried(province):  # type: ignore[no-untyped-def]
    """While a rebuild holds the lock, an index task must not sleep in a worker slot the OCR tasks need:
    it fails fast with IndexBusy and the queue retries it."""
    import time

    from sohoa.search import tasks
    from sohoa.search.index import IndexBusy, write_lock
    from tests.search.conftest import add_document

    doc = add_document(["Công văn về chuyển đổi số"], unit=province["tu"])
    assert tasks.index_documents.retries >= 10 and tasks.index_documents.retry_delay > 0
    with write_lock():
        started = time.monotonic()
        with pytest.raises(IndexBusy):
            tasks.index_documents.call_local([doc.pk])
        assert time.monotonic() - started < 5
    tasks.index_documents.call_local([doc.pk])  # the retry, once the lock is free, goes through


@pytest.mark.django_db
def test_a_permission_change_made_in_another_process_drops_the_cached_filter(province, make_user):  # type: ignore[no-untyped-def]
    """The worker and the command line change grants and units outside the web process: without Redis the
    marker file in the data dir tells every process to rebuild its users' permission filters."""
    from sohoa.search import query
    from sohoa.search.index import open_index

    schema = open_index(create=True).schema
    user = make_user(province["tu"], role=Role.CLERK)
    first = query.policy_query(schema, user)
    assert query.policy_query(schema, user) is first  # cached
    query._marker().write_text("changed by the worker")  # what policy_changed() does there
    assert query.policy_query(schema, user) is not first
