"""Registering petitions: numbers, checks, files through the pipeline, pre-fill from the letter, failures."""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from sohoa.codes import selectors as code_selectors
from sohoa.codes.models import CodeSource
from sohoa.core.models import AuditEvent, Level, Role
from sohoa.digitization.models import Intake
from sohoa.petitions import intake
from sohoa.petitions.models import Kind, Petition, PetitionEvent, PetitionFile, PetitionParty, State
from sohoa.registry.models import PartyMember, UnitKind
from tests.factories import UnitFactory, UserFactory

from .helpers import LETTER_LINES, letter_png, stub_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("petition_storage")]


@pytest.fixture(autouse=True)
def _fresh_member_index():  # type: ignore[no-untyped-def]
    code_selectors.member_index_invalidate()
    yield
    code_selectors.member_index_invalidate()


@pytest.fixture
def clerk(province):  # type: ignore[no-untyped-def]
    return UserFactory(units=[province["ubkt"]], role=Role.CLERK, clearance=Level.MAT)


def _upload(data: bytes, name: str = "don.png") -> intake.Upload:
    return intake.Upload(io.BytesIO(data), name)


def _register(clerk, province, **kw):  # type: ignore[no-untyped-def]
    kw.setdefault("unit", province["ubkt"])
    kw.setdefault("received_on", dt.date(2026, 3, 16))
    return intake.petition_register(actor=clerk, **kw)


# ---- registration without files -------------------------------------------------------------------------


def test_a_petition_typed_from_the_form_gets_its_number_deadline_and_first_step(clerk, province):
    petition = _register(
        clerk,
        province,
        summary="Tố cáo cán bộ xã thu tiền",
        kind=Kind.DENUNCIATION,
        parties=[intake.PartyInput(role="sender", name="  Trần   Thị Hoa ", address="ấp 3", birth_year=1965)],
    )

    assert petition.number == "1/2026" and petition.state == State.RECEIVED
    # 7 working days after Monday 16 March 2026: Wednesday 25 March.
    assert petition.deadline == dt.date(2026, 3, 25)
    event = petition.events.get()
    assert (event.action, event.actor, event.deadline) == (PetitionEvent.Action.RECEIVED, clerk, petition.deadline)
    sender = petition.parties.get()
    assert (sender.name, sender.role, sender.address, sender.birth_year) == ("Trần Thị Hoa", "sender", "ấp 3", 1965)
    assert AuditEvent.objects.filter(action="petition_register", object_id=str(petition.pk)).exists()


def test_numbers_run_per_unit_and_per_year(clerk, province):
    ubnd_clerk = UserFactory(units=[province["ubnd"]], role=Role.CLERK)
    first = _register(clerk, province, summary="một")
    second = _register(clerk, province, summary="hai")
    other_unit = _register(ubnd_clerk, province, unit=province["ubnd"], summary="ba")
    last_year = _register(clerk, province, summary="bốn", received_on=dt.date(2025, 12, 30))

    assert [p.number for p in (first, second, other_unit, last_year)] == ["1/2026", "2/2026", "1/2026", "1/2025"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({}, "summary"),  # nothing at all: neither a scan nor a word of what it says
        ({"summary": "x", "received_on": dt.date(2099, 1, 1)}, "received_on"),
        ({"summary": "x", "letter_date": dt.date(2026, 3, 20)}, "letter_date"),  # written after it arrived
        ({"summary": "x", "confidentiality": Level.TOI_MAT}, "confidentiality"),
        ({"summary": "x", "channel": "pigeon"}, "channel"),
        ({"summary": "x", "parties": [intake.PartyInput(role="sender", name="A B", birth_year=1700)]}, "birth_year"),
        ({"summary": "x", "parties": [intake.PartyInput(role="concerned", name="A B", code="NOPE99")]}, "code"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_registered(clerk, province, kwargs, field, english):
    with pytest.raises(ValidationError) as exc:
        _register(clerk, province, **kwargs)

    assert field in exc.value.message_dict and exc.value.message_dict[field][0]
    assert not Petition.objects.exists()


def test_a_unit_outside_the_scope_and_a_role_without_the_right_are_refused(clerk, province):
    with pytest.raises(ValidationError):
        _register(clerk, province, unit=province["other"], summary="x")
    operator = UserFactory(units=[province["ubkt"]], role=Role.OPERATOR)
    with pytest.raises(PermissionDenied):
        _register(operator, province, summary="x")
    assert not Petition.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_never_share_a_number(province):
    clerk = UserFactory(units=[province["ubkt"]], role=Role.CLERK)
    barrier = threading.Barrier(6)
    errors: list[BaseException] = []

    def register() -> None:
        from django.db import connection as conn

        try:
            barrier.wait()
            intake.petition_register(
                actor=clerk, unit=province["ubkt"], received_on=dt.date(2026, 3, 16), summary="đồng thời"
            )
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=register) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert not errors
    assert sorted(Petition.objects.values_list("number", flat=True)) == sorted(f"{n}/2026" for n in range(1, 7))


# ---- the letter through the pipeline ------------------------------------------------------------------


def _run(django_capture_on_commit_callbacks, make):  # type: ignore[no-untyped-def]
    """Register (or attach) and let the queued pipeline run (Huey is immediate in tests)."""
    with django_capture_on_commit_callbacks(execute=True):
        result = make()
    return result


def test_the_scanned_letter_is_digitized_and_prefills_only_the_empty_fields(
    clerk, province, stub_ocr, django_capture_on_commit_callbacks
):
    stub_ocr.text = stub_text()
    petition = _run(
        django_capture_on_commit_callbacks,
        lambda: _register(
            clerk,
            province,
            letter=_upload(letter_png(LETTER_LINES), "don-to-cao.png"),
            attachments=[_upload(letter_png(["Biên lai thu tiền"]), "bien-lai.png")],
            summary="Tóm tắt do văn thư ghi",  # typed: kept
        ),
    )
    petition.refresh_from_db()

    files = list(petition.files.order_by("pk"))
    assert [(f.role, f.name) for f in files] == [("letter", "don-to-cao.png"), ("attachment", "bien-lai.png")]
    assert all(f.document_id and f.intake.status == Intake.Status.DONE for f in files)
    assert all(f.document.unit == province["ubkt"] for f in files)
    assert petition.kind == Kind.DENUNCIATION
    assert petition.letter_date == dt.date(2026, 3, 12)
    assert petition.summary == "Tóm tắt do văn thư ghi"
    assert "Trần Thị Hoa" in petition.content
    assert not petition.anonymous
    parties = {(p.role, p.name) for p in petition.parties.all()}
    assert parties == {("sender", "Trần Thị Hoa"), ("concerned", "Nguyễn Văn Bình")}
    concerned = petition.parties.get(role="concerned")
    assert concerned.position == "Chủ tịch UBND xã Tân Hưng" and concerned.workplace == "Chi bộ ấp 3"
    prefilled = petition.events.get(action=PetitionEvent.Action.PREFILLED)
    assert prefilled.actor is None and "summary" not in prefilled.note.lower()
    assert petition.deadline == dt.date(2026, 3, 25)


def test_a_clerks_typed_sender_and_kind_are_never_overwritten(
    clerk, province, stub_ocr, django_capture_on_commit_callbacks
):
    stub_ocr.text = stub_text()
    petition = _run(
        django_capture_on_commit_callbacks,
        lambda: _register(
            clerk,
            province,
            letter=_upload(letter_png(["don 2"])),
            kind=Kind.COMPLAINT,
            parties=[intake.PartyInput(role="sender", name="Lê Văn Tám")],
        ),
    )
    petition.refresh_from_db()

    assert petition.kind == Kind.COMPLAINT
    assert list(petition.parties.filter(role="sender").values_list("name", flat=True)) == ["Lê Văn Tám"]
    assert petition.parties.filter(role="concerned").count() == 1  # none typed: taken from the letter
    assert petition.summary.startswith("Ông Bình đã lợi dụng chức vụ")


def test_a_letter_without_an_identifiable_sender_is_registered_as_anonymous(
    clerk, province, stub_ocr, django_capture_on_commit_callbacks
):
    stub_ocr.text = (
        "ĐƠN TỐ CÁO\nKính gửi: UBKT\nÔng Phạm Văn Dũng, Bí thư Đảng ủy xã, có nhiều biệt thự.\nMột đảng viên"
    )
    petition = _run(
        django_capture_on_commit_callbacks,
        lambda: _register(clerk, province, letter=_upload(letter_png(["nac danh"]))),
    )
    petition.refresh_from_db()

    assert petition.anonymous and petition.kind == Kind.DENUNCIATION
    assert not petition.parties.filter(role="sender").exists()
    assert petition.state == State.RECEIVED and petition.number == "1/2026"


def test_an_attachment_that_fails_ocr_still_attaches_and_is_flagged(
    clerk, province, stub_ocr, django_capture_on_commit_callbacks
):
    stub_ocr.text = stub_text()
    petition = _run(
        django_capture_on_commit_callbacks,
        lambda: _register(
            clerk,
            province,
            letter=_upload(letter_png(["don 3"])),
            attachments=[_upload(b"%PDF-1.4 truncated garbage", "hong.pdf")],
        ),
    )
    petition.refresh_from_db()

    broken = petition.files.get(role="attachment")
    assert broken.name == "hong.pdf" and broken.document is None
    assert broken.intake.status == Intake.Status.FAILED
    assert AuditEvent.objects.filter(action="petition_file_failed", object_id=str(petition.pk)).exists()
    assert petition.files.get(role="letter").document is not None
    assert petition.kind == Kind.DENUNCIATION  # the letter was read all the same


def test_a_letter_whose_ocr_fails_keeps_the_petition_and_what_was_typed(
    clerk, province, django_capture_on_commit_callbacks
):
    petition = _run(
        django_capture_on_commit_callbacks,
        lambda: _register(clerk, province, letter=_upload(b"\x89PNG broken", "don.png"), summary="Gõ tay"),
    )
    petition.refresh_from_db()

    letter = petition.files.get()
    assert letter.intake.status == Intake.Status.FAILED and letter.document is None
    assert (petition.summary, petition.state, petition.number) == ("Gõ tay", State.RECEIVED, "1/2026")
    assert not petition.events.filter(action=PetitionEvent.Action.PREFILLED).exists()


def test_the_same_scan_registered_twice_links_the_archived_document_and_prefills(
    clerk, province, stub_ocr, django_capture_on_commit_callbacks
):
    stub_ocr.text = stub_text()
    data = letter_png(["cung mot ban quet"])
    first = _run(django_capture_on_commit_callbacks, lambda: _register(clerk, province, letter=_upload(data)))
    second = _run(django_capture_on_commit_callbacks, lambda: _register(clerk, province, letter=_upload(data)))
    second.refresh_from_db()

    letter = second.files.get()
    assert letter.intake.status == Intake.Status.DUPLICATE
    assert letter.document == first.files.get().document
    assert second.kind == Kind.DENUNCIATION and second.parties.filter(role="sender").exists()


def test_files_added_later_go_through_the_pipeline_and_the_late_letter_prefills(
    clerk, province, stub_ocr, django_capture_on_commit_callbacks
):
    stub_ocr.text = stub_text()
    petition = _register(clerk, province, summary="Đơn nộp trực tiếp, bản quét bổ sung sau")
    _run(
        django_capture_on_commit_callbacks,
        lambda: intake.petition_attach(
            actor=clerk, petition=petition, files=[_upload(letter_png(["sau"]))], letter=True
        ),
    )
    petition.refresh_from_db()

    assert petition.files.get().role == PetitionFile.Role.LETTER
    assert petition.kind == Kind.DENUNCIATION
    with pytest.raises(ValidationError):
        intake.petition_attach(actor=clerk, petition=petition, files=[_upload(b"x")], letter=True)
    with pytest.raises(ValidationError):
        intake.petition_attach(actor=clerk, petition=petition, files=[])


def test_an_inspector_may_register_with_files_though_the_role_does_not_digitize(
    province, stub_ocr, django_capture_on_commit_callbacks
):
    inspector = UserFactory(units=[province["ubkt"]], role=Role.INSPECTOR)
    stub_ocr.text = stub_text()
    petition = _run(
        django_capture_on_commit_callbacks,
        lambda: _register(inspector, province, letter=_upload(letter_png(["thanh tra"]))),
    )

    assert petition.files.get().intake.created_by == inspector
    assert petition.files.get().document is not None


# ---- parties and codes -------------------------------------------------------------------------------


@pytest.fixture
def members(province):  # type: ignore[no-untyped-def]
    cell = UnitFactory(code="H12.UBKTTU.CB01", name="Chi bộ ấp 3", kind=UnitKind.PARTY_CELL, parent=province["ubkt"])
    rows = {}
    for code, name, born in [
        ("DV101", "Nguyễn Văn Bình", dt.date(1970, 4, 2)),
        ("DV102", "Trần Thị Hoa", dt.date(1965, 1, 9)),
        ("DV103", "Lê Văn Tám", dt.date(1950, 1, 1)),
        ("DV104", "Lê Văn Tám", dt.date(1961, 1, 1)),
    ]:
        rows[code] = PartyMember.objects.create(code=code, full_name=name, birth_date=born, organization=cell)
    return rows


def test_parties_are_matched_to_members_by_exact_name_and_year_or_code(clerk, province, members):
    petition = _register(
        clerk,
        province,
        summary="x",
        parties=[
            intake.PartyInput(role="sender", name="Tran Thi Hoa", birth_year=1965),  # no diacritics, same year
            intake.PartyInput(role="concerned", name="Nguyễn Văn Bình"),  # the only one of that name
            intake.PartyInput(role="concerned", name="Lê Văn Tám"),  # two namesakes: left for the clerk
            intake.PartyInput(role="concerned", name="Ai Đó Khác", code="DV104"),  # typed code
        ],
    )
    codes = {p.name: (p.code, p.code_source, p.member_id) for p in petition.parties.all()}

    assert codes["Tran Thi Hoa"] == ("DV102", CodeSource.AUTO, members["DV102"].pk)
    assert codes["Nguyễn Văn Bình"] == ("DV101", CodeSource.AUTO, members["DV101"].pk)
    assert codes["Lê Văn Tám"] == ("", "", None)
    assert codes["Ai Đó Khác"] == ("DV104", CodeSource.TYPED, members["DV104"].pk)


def test_a_sender_without_a_year_of_birth_is_not_taken_for_a_namesake_member(clerk, province, members):
    petition = _register(clerk, province, summary="x", parties=[intake.PartyInput(role="sender", name="Trần Thị Hoa")])

    assert petition.parties.get().code == ""


def test_a_wrong_year_of_birth_prevents_the_match(clerk, province, members):
    petition = _register(
        clerk,
        province,
        summary="x",
        parties=[intake.PartyInput(role="concerned", name="Nguyễn Văn Bình", birth_year=1990)],
    )

    assert petition.parties.get().code == ""


def test_a_prefilled_person_concerned_gets_the_code_and_organization(
    clerk, province, members, stub_ocr, django_capture_on_commit_callbacks
):
    stub_ocr.text = stub_text()
    petition = _run(
        django_capture_on_commit_callbacks,
        lambda: _register(clerk, province, letter=_upload(letter_png(["ma dang vien"]))),
    )
    binh = petition.parties.get(role="concerned")

    assert (binh.code, binh.code_source) == ("DV101", CodeSource.AUTO)
    assert binh.organization.code == "H12.UBKTTU.CB01"  # "đảng viên chi bộ ấp 3"
    assert petition.parties.get(role="sender").code == "DV102"  # name and year 1965 agree


# ---- editing -----------------------------------------------------------------------------------------


def test_editing_changes_fields_and_parties_and_keeps_the_number(clerk, province, members):
    petition = _register(
        clerk, province, summary="cũ", parties=[intake.PartyInput(role="concerned", name="Nguyen Van Binh")]
    )
    party = petition.parties.get()

    updated = intake.petition_update(
        actor=clerk,
        petition=petition,
        values={"summary": "mới", "kind": Kind.COMPLAINT, "received_on": dt.date(2026, 3, 2)},
        parties=[
            (party, intake.PartyInput(role="concerned", name="Nguyen Van Binh", code="DV101")),
            (None, intake.PartyInput(role="sender", name="Lê Thị Mai", address="ấp 1")),
        ],
    )

    assert (updated.summary, updated.kind, updated.number) == ("mới", Kind.COMPLAINT, "1/2026")
    assert updated.deadline == dt.date(2026, 3, 12)  # a complaint: 10 days from 2 March
    assert sorted(petition.parties.values_list("name", "code")) == [("Lê Thị Mai", ""), ("Nguyen Van Binh", "DV101")]
    with pytest.raises(ValidationError):
        intake.petition_update(actor=clerk, petition=updated, values={"received_on": dt.date(2025, 12, 1)})
    intake.petition_update(actor=clerk, petition=updated, parties=[(party, None)], values={})
    assert not PetitionParty.objects.filter(pk=party.pk).exists()


def test_kind_cannot_be_edited_after_classification(clerk, province):
    petition = _register(clerk, province, summary="x", kind=Kind.DENUNCIATION)
    Petition.objects.filter(pk=petition.pk).update(state=State.CLASSIFIED)
    petition.refresh_from_db()

    intake.petition_update(actor=clerk, petition=petition, values={"kind": Kind.COMPLAINT, "summary": "y"})

    petition.refresh_from_db()
    assert (petition.kind, petition.summary) == (Kind.DENUNCIATION, "y")


@pytest.mark.ocr
def test_a_real_scan_read_by_tesseract_prefills_the_petition(clerk, province, django_capture_on_commit_callbacks):
    """Real OCR misreads a diacritic now and then ("Trân"); the pre-fill still finds what matters."""
    petition = _run(
        django_capture_on_commit_callbacks,
        lambda: _register(clerk, province, letter=_upload(letter_png(LETTER_LINES), "don.png")),
    )
    petition.refresh_from_db()

    assert petition.files.get().intake.status == Intake.Status.DONE
    assert petition.kind == Kind.DENUNCIATION and petition.letter_date == dt.date(2026, 3, 12)
    sender = petition.parties.get(role="sender")
    assert sender.name.endswith("Thị Hoa") and sender.birth_year == 1965
    concerned = petition.parties.get(role="concerned")
    assert concerned.name == "Nguyễn Văn Bình" and concerned.workplace == "Chi bộ ấp 3"
    assert petition.summary.startswith("Ông Bình đã lợi dụng chức vụ")


def test_a_classified_letter_prefills_its_kind_and_date_but_no_words_in_plain(clerk, province):  # type: ignore[no-untyped-def]
    """The letter of a classified petition is sealed with its pages (decision 0025): its text, summary and
    names are not copied into the petition's plain columns."""
    petition = _register(clerk, province, confidentiality=Level.MAT, summary="x")
    Petition.objects.filter(pk=petition.pk).update(summary="")  # as if the letter alone had been given
    petition.refresh_from_db()
    filled = intake.prefill_from_text(petition=petition, text=stub_text())
    petition.refresh_from_db()
    assert petition.kind and "kind" in filled
    assert (petition.content, petition.summary, petition.anonymous) == ("", "", False)
    assert not petition.parties.exists()
