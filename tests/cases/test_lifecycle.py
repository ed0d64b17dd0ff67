"""Issue 9 §4: a case file from opening to a closed archival record, and the rules of its stages."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError

from sohoa.archive.models import Document, Record
from sohoa.cases import selectors, services
from sohoa.cases.models import Case, CaseDocument, Stage
from sohoa.codes import selectors as codes_selectors
from sohoa.core.models import AuditEvent, Level
from sohoa.digitization.models import Intake
from tests.factories import FondsFactory


def _messages(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(exc.value.messages)


def _open(inspector, province, **kwargs):  # type: ignore[no-untyped-def]
    values = {
        "unit": province["ubkt"],
        "title": "Kiểm tra khi có dấu hiệu vi phạm đối với đồng chí Nguyễn Văn Hùng",
        "kind": "violation",
        "confidentiality": Level.MAT,
        "opened_on": dt.date(2025, 8, 4),
        "deadline": dt.date(2025, 10, 31),
        **kwargs,
    }
    return services.case_open(actor=inspector, **values)


def test_a_case_lives_from_opening_to_a_closed_record(province, party, inspector, doc, english):
    fonds = FondsFactory(unit=province["ubkt"], code="P-UBKT")
    case = _open(inspector, province)
    assert case.code == "H12.UBKTTU.2025.01-VV" and case.stage == Stage.OPENED

    # Subjects: one by code (name and date of birth from the registry), one by name only (a missing code).
    hung = services.subject_add(actor=inspector, case=case, code="DV001")
    assert (hung.name, hung.birth_date) == ("Nguyễn Văn Hùng", dt.date(1970, 5, 1))
    ha = services.subject_add(actor=inspector, case=case, name="Trần Thị Thu Hà", birth_date=dt.date(1965, 2, 3))
    assert ha.missing
    report = codes_selectors.missing_report(inspector)
    assert [(o.kind, r.pk, n) for o, r, _u, n, _url in report.items] == [("case", case.pk, 1)]
    assert codes_selectors.suggestions(inspector, [ha])[ha.pk][0].code == "DV003"

    decision = doc(notation="12-QĐ/UBKTTU", doc_type="QĐ")
    plan = doc(notation="13-KH/UBKTTU", doc_type="KH")
    evidence = doc(notation="5-BC/CB01", confidentiality=Level.MAT)
    minutes = doc(notation="2-BB/UBKTTU")
    conclusion = doc(notation="20-KL/UBKTTU", doc_type="KL")
    discipline = doc(notation="21-QĐ/UBKTTU", doc_type="QĐ")
    # Attached in an order other than the filing order: the record follows the roles.
    for document, role in [(evidence, "evidence"), (plan, "plan"), (decision, "decision"), (minutes, "minutes")]:
        services.document_attach(actor=inspector, case=case, document=document, role=role)

    for stage in (Stage.PLANNED, Stage.VERIFYING):
        case = services.case_advance(actor=inspector, case=case, stage=stage)
    # An upload through the digitization pipeline: the row shows the upload until its document is made.
    upload = services.document_upload(
        actor=inspector, case=case, role="report", file=io.BytesIO(b"%PDF-1.4 giai trinh"), name="giai-trinh.pdf"
    )
    intake = upload.intake
    assert intake is not None and intake.unit == province["ubkt"] and intake.confidentiality == Level.MAT
    services.document_attach(actor=inspector, case=case, document=conclusion, role="conclusion")
    case = services.case_advance(actor=inspector, case=case, stage=Stage.CONCLUDED, outcome="warning")
    with pytest.raises(ValidationError) as exc:
        services.case_close(actor=inspector, case=case)
    assert "mark the discipline stage" in _messages(exc)
    case = services.case_advance(actor=inspector, case=case, stage=Stage.DISCIPLINE)
    with pytest.raises(ValidationError) as exc:
        services.case_close(actor=inspector, case=case)
    assert "Attach the discipline decision" in _messages(exc)
    assert "1 uploaded file(s) are not digitized yet" in _messages(exc)
    services.document_attach(actor=inspector, case=case, document=discipline, role="discipline_decision")

    # The pipeline finishes the upload (as its last step does: a document of the intake's unit and level).
    report_doc = Document.objects.create(
        subject="giai-trinh", unit=intake.unit, creator_unit=intake.unit, confidentiality=intake.confidentiality
    )
    Intake.objects.filter(pk=intake.pk).update(document=report_doc, status=Intake.Status.DONE)

    record = services.case_close(actor=inspector, case=case, retention="permanent")
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED and case.record == record and case.closed_at is not None
    assert record.code == "H12.UBKTTU.2025.01-VV"  # agency (unit) code + year opened + case number
    assert (record.number, record.year, record.title) == ("01-VV", 2025, case.title)
    assert record.unit == record.creator_unit == province["ubkt"] and record.fonds == fonds
    assert record.confidentiality == Level.MAT  # the highest of the case and its documents
    filed = list(Document.objects.filter(record=record).order_by("order_in_record"))
    assert [d.pk for d in filed] == [
        decision.pk,
        plan.pk,
        evidence.pk,
        minutes.pk,
        report_doc.pk,
        conclusion.pk,
        discipline.pk,
    ]
    assert [d.identifier for d in filed][:2] == ["H12.UBKTTU.2025.01-VV.1", "H12.UBKTTU.2025.01-VV.2"]
    assert CaseDocument.objects.get(pk=upload.pk).document == report_doc
    assert [s.stage for s in selectors.case_stages(inspector, case)] == [
        "opened",
        "planned",
        "verifying",
        "concluded",
        "discipline",
        "closed",
    ]
    actions = set(AuditEvent.objects.filter(object_type="cases.case").values_list("action", flat=True))
    assert {"case_open", "mention_add", "case_document_add", "case_stage", "case_close"} <= actions
    assert AuditEvent.objects.filter(action="create", object_type="archive.record", actor_id=inspector.pk).exists()

    # Read-only from now on: every change is refused with the record's code…
    refusals = [
        lambda: services.document_attach(actor=inspector, case=case, document=doc(), role="other"),
        lambda: services.subject_add(actor=inspector, case=case, name="Người khác"),
        lambda: services.subject_remove(actor=inspector, subject=hung),
        lambda: services.case_update(actor=inspector, case=case, title="Đổi tên"),
        lambda: services.case_advance(actor=inspector, case=case, stage=Stage.DISCIPLINE),
        lambda: services.case_close(actor=inspector, case=case),
        lambda: services.document_remove(actor=inspector, case_document=CaseDocument.objects.get(pk=upload.pk)),
    ]
    for refuse in refusals:
        with pytest.raises(ValidationError) as exc:
            refuse()
        assert "closed into record H12.UBKTTU.2025.01-VV" in _messages(exc)
    assert Case.objects.get(pk=case.pk).title != "Đổi tên"
    # … but a missing code may still be completed (it links a name the file gives to the registry).
    services.subject_codes_set(actor=inspector, case=case, choices=[(ha, "DV003")])
    assert codes_selectors.missing_report(inspector).items == []


def test_stage_rules_say_what_is_missing(province, party, inspector, doc, english):
    case = _open(inspector, province)
    with pytest.raises(ValidationError) as exc:
        services.case_advance(actor=inspector, case=case, stage=Stage.VERIFYING)
    assert "A case moves one stage at a time: from “Opened” it goes to “Planned”." in _messages(exc)
    with pytest.raises(ValidationError) as exc:
        services.case_advance(actor=inspector, case=case, stage=Stage.PLANNED)
    text = _messages(exc)
    assert "Name at least one Party member or organization" in text
    assert "Attach the decision on the case" in text and "Attach the plan" in text
    with pytest.raises(ValidationError) as exc:
        services.case_close(actor=inspector, case=case)
    assert "A case can be closed only once it is concluded (it is now “Opened”)." in _messages(exc)
    with pytest.raises(ValidationError) as exc:
        services.case_advance(actor=inspector, case=case, stage=Stage.CLOSED)
    assert "Close into a record" in _messages(exc)

    services.subject_add(actor=inspector, case=case, code="DV001")
    services.document_attach(actor=inspector, case=case, document=doc(), role="decision")
    services.document_attach(actor=inspector, case=case, document=doc(), role="plan")
    services.case_advance(actor=inspector, case=case, stage=Stage.PLANNED)
    services.case_advance(actor=inspector, case=case, stage=Stage.VERIFYING)
    with pytest.raises(ValidationError) as exc:
        services.case_advance(actor=inspector, case=case, stage=Stage.CONCLUDED)
    text = _messages(exc)
    assert "Choose the outcome of the case." in text
    assert "A case cannot be concluded without a conclusion document" in text
    services.document_attach(actor=inspector, case=case, document=doc(), role="conclusion")
    case = services.case_advance(actor=inspector, case=case, stage=Stage.CONCLUDED, outcome="no_violation")
    with pytest.raises(ValidationError) as exc:
        services.case_advance(actor=inspector, case=case, stage=Stage.DISCIPLINE)
    assert "The outcome “No violation” is not a discipline: close the case instead." in _messages(exc)
    assert Case.objects.get(pk=case.pk).stage == Stage.CONCLUDED
    record = services.case_close(actor=inspector, case=case)
    assert record.documents.count() == 3 and record.confidentiality == Level.MAT


def test_documents_that_may_not_join_a_case_are_refused_with_a_reason(province, inspector, doc, english):
    case = _open(inspector, province, confidentiality=Level.NONE)
    cases = {
        "This document is Mật (confidential) and the case is Not classified: raise the case's level first.": doc(
            confidentiality=Level.MAT
        ),
        "Only documents kept by the case's unit (H12.UBKTTU) can go into its file.": Document.objects.create(
            subject="Văn bản của Tỉnh ủy", unit=province["tu"], creator_unit=province["tu"]
        ),
        "This document is already filed in a record.": doc(
            record=Record.objects.create(
                code="H12.2024.01-HS",
                number="01-HS",
                title="Hồ sơ khác",
                year=2024,
                unit=province["ubkt"],
                creator_unit=province["ubkt"],
            )
        ),
        "Unknown document.": Document.objects.create(
            subject="Tuyệt mật", unit=province["ubkt"], creator_unit=province["ubkt"], confidentiality=Level.TUYET_MAT
        ),
    }
    for message, document in cases.items():
        with pytest.raises(ValidationError) as exc:
            services.document_attach(actor=inspector, case=case, document=document, role="evidence")
        assert message in _messages(exc), _messages(exc)
    shared = doc()
    services.document_attach(actor=inspector, case=case, document=shared, role="evidence")
    with pytest.raises(ValidationError) as exc:
        services.document_attach(actor=inspector, case=case, document=shared, role="other")
    assert "already in this case" in _messages(exc)
    other = _open(inspector, province, title="Giám sát chuyên đề", kind="supervision")
    with pytest.raises(ValidationError) as exc:
        services.document_attach(actor=inspector, case=other, document=shared, role="evidence")
    assert "already in another case file" in _messages(exc)
    assert other.number == "02-GS"
    # The case cannot become less secret than a document in it.
    services.case_update(actor=inspector, case=case, confidentiality=Level.MAT)
    services.document_attach(actor=inspector, case=case, document=doc(confidentiality=Level.MAT), role="evidence")
    with pytest.raises(ValidationError) as exc:
        services.case_update(actor=inspector, case=case, confidentiality=Level.NONE)
    assert "the case cannot be less secret than its documents" in _messages(exc)


def test_opening_checks_its_input(province, inspector, english):
    with pytest.raises(ValidationError) as exc:
        _open(inspector, province, title="  ", confidentiality=Level.TOI_MAT, deadline=dt.date(2025, 1, 1))
    errors = exc.value.message_dict
    assert errors["title"] == ["Give the case a title."]
    assert errors["confidentiality"] == ["This level is above your clearance."]
    assert errors["deadline"] == ["The deadline cannot be before the case was opened."]
    with pytest.raises(ValidationError) as exc:
        _open(inspector, province, number="03 /KT")
    assert "A case number has letters, digits" in _messages(exc)
    _open(inspector, province, number="03-KT")
    with pytest.raises(ValidationError) as exc:
        _open(inspector, province, number="03-KT")
    assert "Another case file already has the number 03-KT in 2025." in _messages(exc)
    with pytest.raises(ValidationError) as exc:
        _open(inspector, province, unit=province["other"])
    assert "You can only work with units in your scope." in _messages(exc)
    assert Case.objects.count() == 1


def test_case_counts_by_stage_and_outcome(province, inspector):
    from tests.cases.factories import make_case

    make_case(province["ubkt"], stage=Stage.CONCLUDED, outcome="warning")
    make_case(province["ubkt"], stage=Stage.CLOSED, outcome="no_violation")
    make_case(province["ubkt"], deadline=dt.date(2020, 1, 1))
    make_case(province["ubkt"], confidentiality=Level.TOI_MAT)  # above the inspector's clearance
    make_case(province["other"])  # outside the scope
    counts = selectors.case_counts(inspector)
    assert counts["total"] == 3
    assert counts["by_stage"]["opened"] == 1 and counts["by_stage"]["concluded"] == 1
    assert counts["by_stage"]["closed"] == 1 and counts["by_stage"]["planned"] == 0
    assert counts["by_outcome"] == {
        "": 1,
        "no_violation": 1,
        "violation": 0,
        "reprimand": 0,
        "warning": 1,
        "dismissal": 0,
        "expulsion": 0,
        "dissolution": 0,
    }
    assert selectors.case_counts(inspector, overdue=True)["total"] == 1
    assert selectors.case_counts(inspector, unit=province["tu"].pk)["total"] == 3  # the unit and below
    assert selectors.case_counts(inspector, unit=province["ubnd"].pk)["total"] == 0
