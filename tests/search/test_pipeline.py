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
