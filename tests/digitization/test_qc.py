"""Quality control of digitized pages: automatic checks in the page step, the QC screen, the rework
list and page rescans spliced into a new archival copy that still passes fixity."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pikepdf
import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext, override
from PIL import Image

from sohoa.core.models import AuditEvent, Role
from sohoa.digitization import ocr, qc, rework, services, storage
from sohoa.digitization.models import DigitalCopy, Intake, Page, PageReplacement, PageReview, QcIssue
from sohoa.digitization.services import intake_create
from tests.web.test_browser import page as browser  # noqa: F401  (the Chromium page fixture)

from .conftest import A4_PX, DPI, page_image, pdftotext, run_pipeline, save_image, save_pdf, save_tiff
from .test_fixity import fixity_check
from .test_pipeline import assert_pdfa_2b


def digitize(unit, actor, data: bytes | Path, name: str = "scan.pdf") -> Intake:  # type: ignore[no-untyped-def]
    """Hand a file in as `actor` (the operator throughput counts) and run the pipeline in-process."""
    if isinstance(data, Path):
        data = data.read_bytes()
    intake = intake_create(
        actor=actor, file=io.BytesIO(data), name=name, unit=unit, source=Intake.Source.WEB, enqueue=False
    )
    intake = run_pipeline(intake)
    assert intake.status == Intake.Status.DONE, (intake.error, intake.error_params)
    return intake


def png_bytes(image: Image.Image, dpi: int = DPI) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(dpi, dpi))
    return out.getvalue()


def page_jpegs(file: Path) -> list[bytes]:
    """The raw image stream of every page: tells which scan each page of an archival PDF shows."""
    with pikepdf.Pdf.open(file) as pdf:
        return [next(iter(p.get_images().values())).read_raw_bytes() for p in pdf.pages]


def page_of(intake: Intake, number: int) -> Page:
    return Page.objects.get(intake=intake, number=number)


class ScoredEngine:
    """Stands in for Tesseract with a chosen confidence (the low-confidence check is about the number)."""

    def __init__(self, confidence: float | None, text: str = "văn bản thử nghiệm số hóa") -> None:
        self.confidence, self.text = confidence, text

    def recognize(self, image: Path, out_base: Path, *, languages: str, dpi: int) -> ocr.OcrResult:
        pdf = Path(f"{out_base}.pdf")
        with Image.open(image) as img:
            img.save(pdf, "PDF", resolution=dpi)
        return ocr.OcrResult(pdf=pdf, text=self.text, confidence=self.confidence)


@pytest.fixture
def operator(make_user, unit):  # type: ignore[no-untyped-def]
    return make_user(unit, role=Role.OPERATOR)


@pytest.fixture
def archivist(make_user, unit):  # type: ignore[no-untyped-def]
    return make_user(unit, role=Role.ARCHIVIST)


@pytest.fixture
def two_pages(tmp_path, unit, operator, stub_ocr) -> Intake:  # type: ignore[no-untyped-def]
    """A digitized two-page scan (stand-in OCR: these tests are about QC, not recognition)."""
    pages = [page_image([f"Trang {n}: công văn"]) for n in (1, 2)]
    return digitize(unit, operator, save_pdf(tmp_path / "cong_van.pdf", pages), "cong_van.pdf")


# ---- automatic checks -------------------------------------------------------------------------------


@pytest.mark.ocr
@pytest.mark.django_db
def test_a_blank_page_is_flagged_blank_and_a_text_page_has_no_issue(tmp_path, unit, operator):
    blank = Image.new("L", A4_PX, "white")
    intake = digitize(unit, operator, save_tiff(tmp_path / "two.tif", [page_image(["Công văn số 12/UBND"]), blank]))
    text, empty = page_of(intake, 1), page_of(intake, 2)
    assert text.qc_issues == [] and text.ink is not None and text.ink > 0.0003
    assert empty.qc_issues == [QcIssue.BLANK] and empty.ink is not None and empty.ink < 0.0003
    assert text.qc_status == empty.qc_status == Page.QcStatus.PENDING
    assert text.done_at is not None and empty.done_at is not None


@pytest.mark.ocr
@pytest.mark.django_db
def test_tesseract_measures_the_tilt_of_lines_and_the_pipeline_leaves_none(tmp_path, unit, operator):
    lines = ["BIÊN BẢN KIỂM TRA CÔNG TÁC", "Trang 1: công tác số hóa tài liệu", "Ủy ban nhân dân tỉnh Cà Mau"]
    straight = page_image(lines)
    tilted = straight.rotate(3, fillcolor=255)  # counter-clockwise, positive in our convention
    engine = ocr.engine()
    for image, low, high in ((straight, -1.0, 1.0), (tilted, 2.0, 4.5)):
        source = save_image(tmp_path / f"p{low}.png", image, "PNG")
        result = engine.recognize(source, tmp_path / f"out{low}", languages="vie", dpi=DPI)
        assert result.skew is not None and low <= result.skew <= high, result.skew
        assert result.words and result.words >= 10
    # Through the pipeline the 3° page is levelled before OCR: no residual skew is reported.
    intake = digitize(unit, operator, save_image(tmp_path / "tilted.png", tilted, "PNG"), "tilted.png")
    page = page_of(intake, 1)
    assert page.skew is not None and abs(page.skew) < 1.0
    assert QcIssue.SKEW not in page.qc_issues


@pytest.mark.django_db
def test_a_page_below_200_dpi_is_flagged_and_its_rescan_at_200_dpi_clears_the_copy(tmp_path, unit, operator, stub_ocr):  # type: ignore[no-untyped-def]
    low = page_image(["Công văn số 7"]).resize((1240, 1754))  # A4 at 150 dpi
    intake = digitize(unit, operator, png_bytes(low, dpi=150), "low.png")
    page = page_of(intake, 1)
    assert page.dpi == 150 and page.qc_issues == [QcIssue.LOW_DPI]
    assert intake.document.digital_copy.low_dpi  # type: ignore[union-attr]

    services.qc_reject(actor=operator, page=page, reason=QcIssue.LOW_DPI)
    rep = services.page_replace(
        actor=operator,
        page=page,
        file=io.BytesIO(png_bytes(page_image(["Công văn số 7"]))),
        name="p1.png",
        enqueue=False,
    )
    rework.process_replacement(rep.pk)
    page.refresh_from_db()
    assert page.dpi == 200 and page.qc_issues == [] and page.qc_status == Page.QcStatus.PENDING
    assert not DigitalCopy.objects.get(pk=intake.document.digital_copy.pk).low_dpi  # type: ignore[union-attr]


@pytest.mark.django_db
def test_low_ocr_confidence_is_flagged_below_the_threshold_in_settings(tmp_path, unit, operator, monkeypatch, limits):
    monkeypatch.setattr(ocr, "engine", lambda: ScoredEngine(45.0))
    source = save_image(tmp_path / "a.png", page_image(["Công văn số 12"]), "PNG")
    assert page_of(digitize(unit, operator, source, "a.png"), 1).qc_issues == [QcIssue.LOW_CONFIDENCE]
    limits(QC_MIN_CONFIDENCE=40)
    source = save_image(tmp_path / "b.png", page_image(["Công văn số 13"]), "PNG")
    assert page_of(digitize(unit, operator, source, "b.png"), 1).qc_issues == []


def test_the_rules_combine_measures_as_documented(settings):  # type: ignore[no-untyped-def]
    def check(**kw: object) -> list[str]:
        base: dict[str, object] = {"ink": 0.01, "words": 40, "confidence": 90.0, "skew": 0.2, "low_dpi": False}
        return qc.issues(qc.Measures(**{**base, **kw}))  # type: ignore[arg-type]

    assert check() == []
    # blank: nearly no ink and at most one word (a page number); no low-confidence on top of it
    assert check(ink=0.0, words=0, confidence=None) == ["blank"]
    assert check(ink=0.0005, words=1, confidence=20.0) == ["blank"]
    assert check(ink=0.0005, words=2) == []  # "Số 12" alone is a page with text
    # ink but not one word recognized is as bad as a misread page
    assert check(words=0, confidence=None) == ["low_confidence"]
    assert check(skew=-2.5, low_dpi=True, confidence=59.9) == ["skew", "low_dpi", "low_confidence"]
    settings.DIGITIZATION = {**settings.DIGITIZATION, "QC_MAX_SKEW": 3.0}
    assert check(skew=-2.5) == []


# ---- the QC screen, accept and reject ---------------------------------------------------------------


@pytest.mark.django_db
def test_the_qc_screen_lists_pages_with_thumbnails_and_issues_and_accepting_keeps_rejected_pages(
    client, two_pages, archivist
):  # type: ignore[no-untyped-def]
    Page.objects.filter(intake=two_pages, number=2).update(qc_issues=[QcIssue.SKEW])
    client.force_login(archivist)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    screen = client.get(reverse("qc_review", args=[two_pages.pk]))
    assert screen.status_code == 200
    html = screen.content.decode()
    for page in two_pages.pages.all():
        assert reverse("page_thumbnail", args=[page.pk]) in html
        assert reverse("page_reject", args=[page.pk]) in html
    assert "Skewed page" in html and "2 pages awaiting QC" in html

    second = page_of(two_pages, 2)
    response = client.post(reverse("page_reject", args=[second.pk]), {"reason": "skew", "note": "nghiêng"})
    assert response.status_code == 302
    response = client.post(reverse("qc_accept", args=[two_pages.pk]))
    assert response.status_code == 302
    first, second = page_of(two_pages, 1), page_of(two_pages, 2)
    assert first.qc_status == Page.QcStatus.ACCEPTED and first.qc_by == archivist
    assert second.qc_status == Page.QcStatus.REJECTED and second.qc_reason == "skew" and second.qc_note == "nghiêng"
    assert list(PageReview.objects.order_by("id").values_list("page__number", "decision", "reason")) == [
        (2, "reject", "skew"),
        (1, "accept", ""),
    ]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"qc_reject", "qc_accept"} <= actions


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_rejecting_for_other_without_a_note_is_refused_in_the_users_language(client, two_pages, archivist, lang):
    client.force_login(archivist)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    page = page_of(two_pages, 1)
    response = client.post(reverse("page_reject", args=[page.pk]), {"reason": "other", "note": "  "})
    assert response.status_code == 400
    with override(lang):
        expected = gettext("Describe the problem when the reason is “other”.")
    assert expected in response.content.decode()
    page.refresh_from_db()
    assert page.qc_status == Page.QcStatus.PENDING and not PageReview.objects.exists()
    response = client.post(reverse("page_reject", args=[page.pk]), {"reason": "upside-down"})
    assert response.status_code == 400 and page_of(two_pages, 1).qc_status == Page.QcStatus.PENDING


@pytest.mark.django_db
def test_only_qc_roles_in_scope_may_check_pages(client, two_pages, make_user, province):  # type: ignore[no-untyped-def]
    page = page_of(two_pages, 1)
    reject, accept = reverse("page_reject", args=[page.pk]), reverse("qc_accept", args=[two_pages.pk])
    for role in (Role.CLERK, Role.UNIT_LEADER, Role.INSPECTOR):
        client.force_login(make_user(province["ubkt"], role=role))
        assert client.post(reject, {"reason": "blank"}).status_code == 403
        assert client.post(accept).status_code == 403
    # an operator of another branch does not see the intake at all
    client.force_login(make_user(province["ubnd"], role=Role.OPERATOR))
    assert client.post(reject, {"reason": "blank"}).status_code == 404
    assert client.get(reverse("qc_review", args=[two_pages.pk])).status_code == 404
    assert page_of(two_pages, 1).qc_status == Page.QcStatus.PENDING
    # an operator of a unit above it (its subtree includes UBKT) may
    client.force_login(make_user(province["tu"], role=Role.OPERATOR))
    assert client.post(reject, {"reason": "blank"}).status_code == 302
    assert page_of(two_pages, 1).qc_status == Page.QcStatus.REJECTED


# ---- rework: the list, rescans, the new archival copy -----------------------------------------------


@pytest.mark.ocr
@pytest.mark.django_db
def test_a_rejected_page_rescanned_gets_a_new_archival_copy_that_passes_fixity(
    client, tmp_path, unit, operator, archivist, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    scans = [page_image(["BIÊN BẢN KIỂM TRA", "Trang 1: công tác số hóa"]), Image.new("L", A4_PX, "white")]
    source = save_pdf(tmp_path / "bien_ban.pdf", scans)
    intake = digitize(unit, operator, source, "bien_ban.pdf")
    copy = intake.document.digital_copy  # type: ignore[union-attr]
    old_path, old_sha = copy.archival_path, copy.archival_sha256
    old_images = page_jpegs(storage.path(old_path))
    blank = page_of(intake, 2)
    assert blank.qc_issues == [QcIssue.BLANK]

    # QC sends page 2 back; it shows on the operator's rework list with the reason
    client.force_login(archivist)
    client.post(reverse("page_reject", args=[blank.pk]), {"reason": "blank", "note": "quét thiếu mặt sau"})
    client.force_login(operator)
    listed = client.get(reverse("rework_list"), {"mine": "1"})
    html = listed.content.decode()
    assert listed.status_code == 200 and f'id="rework-{blank.pk}"' in html and "quét thiếu mặt sau" in html
    assert reverse("page_rescan", args=[blank.pk]) in html

    # the operator uploads the rescan; it runs through the page step and is spliced in
    rescan = page_image(["BIÊN BẢN KIỂM TRA", "Trang 2: kết luận kiểm tra"])
    upload = io.BytesIO(png_bytes(rescan))
    upload.name = "trang2.png"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("page_rescan", args=[blank.pk]), {"file": upload})
    assert response.status_code == 302
    rep = PageReplacement.objects.get()
    assert rep.status == PageReplacement.Status.DONE, (rep.error, rep.error_params)

    copy.refresh_from_db()
    new_file = storage.path(copy.archival_path)
    assert copy.archival_path != old_path and copy.archival_sha256 != old_sha
    assert copy.archival_sha256 == storage.sha256_file(new_file) and copy.archival_size == new_file.stat().st_size
    assert (rep.previous_archival_path, rep.previous_archival_sha256) == (old_path, old_sha)
    assert storage.sha256_file(storage.path(old_path)) == old_sha  # the superseded copy is kept unchanged
    assert hashlib.sha256(storage.path(rep.original_path).read_bytes()).hexdigest() == rep.original_sha256
    # page 1 is the same scan as before, page 2 carries the rescan's text; still PDF/A with 2 pages
    new_images = page_jpegs(new_file)
    assert len(new_images) == 2 and new_images[0] == old_images[0] and new_images[1] != old_images[1]
    assert "kết luận kiểm tra" in pdftotext(new_file)
    assert_pdfa_2b(new_file)

    page = page_of(intake, 2)
    assert page.qc_status == Page.QcStatus.PENDING and page.revision == 1 and page.qc_issues == []
    assert "kết luận" in page.text and page.thumb_path.endswith("-r1.jpg")
    assert storage.path(page.thumb_path).exists()
    assert f'id="rework-{blank.pk}"' not in client.get(reverse("rework_list")).content.decode()

    code, out, _ = fixity_check("--json")
    assert code == 0, out
    # the document's original and current archival copy, the rescan's original, the superseded copy
    assert json.loads(out.splitlines()[-1]) == {"checked": 4, "problems": 0}
    event = AuditEvent.objects.get(action="page_replace")
    assert event.details["archival_sha256"] == copy.archival_sha256
    assert event.details["previous_archival_sha256"] == old_sha and event.actor_id == operator.pk


@pytest.mark.django_db
def test_two_rescans_of_one_document_both_end_up_in_its_archival_copy(two_pages, operator, archivist):
    copy = two_pages.document.digital_copy  # type: ignore[union-attr]
    replacements = []
    for number in (1, 2):
        page = page_of(two_pages, number)
        services.qc_reject(actor=archivist, page=page, reason=QcIssue.OTHER, note="mờ")
        data = png_bytes(page_image([f"Trang {number} quét lại"]).convert("RGB"))
        rep = services.page_replace(actor=operator, page=page, file=io.BytesIO(data), name="x.png", enqueue=False)
        replacements.append(rep)
    # Both were queued against the first archival copy; the second builds on the first's result.
    for rep in replacements:
        rework.process_replacement(rep.pk)
    first, second = (PageReplacement.objects.get(pk=r.pk) for r in replacements)
    copy.refresh_from_db()
    assert second.previous_archival_sha256 == first.archival_sha256
    assert copy.archival_sha256 == second.archival_sha256
    with pikepdf.Pdf.open(storage.path(copy.archival_path)) as pdf:
        assert len(pdf.pages) == 2
        # both pages now show the colour rescans (DCT-encoded JPEGs by the page step), not the grey scans
        for page in pdf.pages:
            (image,) = page.get_images().values()
            assert image.ColorSpace == pikepdf.Name.DeviceRGB
    assert fixity_check("--json")[0] == 0


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_rescan_that_is_not_an_image_is_refused_and_nothing_changes(client, two_pages, operator, archivist, lang):
    page = page_of(two_pages, 1)
    services.qc_reject(actor=archivist, page=page, reason=QcIssue.BLANK)
    client.force_login(operator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    upload = io.BytesIO(b"Day khong phai la anh quet\n" * 20)
    upload.name = "trang1.jpg"
    stored_before = set(storage.root().rglob("originals/*/*"))
    response = client.post(reverse("page_rescan", args=[page.pk]), {"file": upload})
    assert response.status_code == 400
    with override(lang):
        expected = gettext("The new scan must be an image (TIFF, JPEG, PNG, WebP, HEIC) or a PDF.")
    assert expected in response.content.decode()
    page.refresh_from_db()
    assert page.qc_status == Page.QcStatus.REJECTED and page.qc_reason == "blank" and page.revision == 0
    assert not PageReplacement.objects.exists()
    assert set(storage.root().rglob("originals/*/*")) == stored_before  # the refused bytes are not kept
    assert f'id="rework-{page.pk}"' in response.content.decode()  # still on the list, form shown again


@pytest.mark.django_db
def test_a_rescan_must_be_one_page_of_a_rejected_page(tmp_path, two_pages, operator, archivist):
    page = page_of(two_pages, 1)
    single = io.BytesIO(png_bytes(page_image(["Trang 1"])))
    with pytest.raises(ValidationError, match="sent back by QC"):
        services.page_replace(actor=operator, page=page, file=single, name="p.png", enqueue=False)
    services.qc_reject(actor=archivist, page=page, reason=QcIssue.SKEW)
    two = save_pdf(tmp_path / "two.pdf", [page_image(["a"]), page_image(["b"])]).read_bytes()
    with pytest.raises(ValidationError, match="exactly one page; this file has 2"):
        services.page_replace(actor=operator, page=page, file=io.BytesIO(two), name="two.pdf", enqueue=False)
    # a reader may see the page but not rescan it
    from sohoa.core.models import User

    reader = User.objects.create(username="reader", role=Role.STANDING_COMMITTEE)
    reader.units.set([two_pages.unit.parent.parent])  # type: ignore[union-attr]
    with pytest.raises(PermissionDenied):
        services.page_replace(actor=reader, page=page, file=io.BytesIO(b"x"), name="p.png", enqueue=False)
    assert not PageReplacement.objects.exists()


@pytest.mark.django_db
def test_a_rescan_that_cannot_be_decoded_fails_and_the_page_stays_on_the_rework_list(
    client, two_pages, operator, archivist
):  # type: ignore[no-untyped-def]
    page = page_of(two_pages, 2)
    services.qc_reject(actor=archivist, page=page, reason=QcIssue.BLANK)
    copy = two_pages.document.digital_copy  # type: ignore[union-attr]
    before = (copy.archival_path, copy.archival_sha256)
    truncated = png_bytes(page_image(["Trang 2"]))[:3000]  # header fine, pixels cut short
    rep = services.page_replace(actor=operator, page=page, file=io.BytesIO(truncated), name="p2.png", enqueue=False)
    rework.process_replacement(rep.pk)
    rep.refresh_from_db()
    assert rep.status == PageReplacement.Status.FAILED and "damaged or truncated" in rep.error
    copy.refresh_from_db()
    assert (copy.archival_path, copy.archival_sha256) == before
    page.refresh_from_db()
    assert page.qc_status == Page.QcStatus.REJECTED and page.revision == 0
    client.force_login(operator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("rework_list")).content.decode()
    assert "The last new scan failed" in html and reverse("page_rescan", args=[page.pk]) in html
    # running the task again does nothing more
    assert rework.process_replacement(rep.pk).status == PageReplacement.Status.FAILED


@pytest.mark.django_db
def test_the_rework_list_filters_by_unit_and_by_operator(client, tmp_path, province, make_user, stub_ocr):
    ubkt_op = make_user(province["ubkt"], role=Role.OPERATOR)
    ubnd_op = make_user(province["ubnd"], role=Role.OPERATOR)
    chief = make_user(province["root"], role=Role.ARCHIVIST)
    pages = {}
    for unit, op in ((province["ubkt"], ubkt_op), (province["ubnd"], ubnd_op)):
        source = save_image(tmp_path / f"{unit.pk}.png", page_image([f"Công văn {unit.code}"]), "PNG")
        page = page_of(digitize(unit, op, source, f"{unit.code}.png"), 1)
        services.qc_reject(actor=chief, page=page, reason=QcIssue.LOW_CONFIDENCE)
        pages[unit.code] = page
    client.force_login(chief)
    url = reverse("rework_list")

    def listed(**params: object) -> set[int]:
        html = client.get(url, params).content.decode()
        return {p.pk for p in pages.values() if f'id="rework-{p.pk}"' in html}

    assert listed() == {pages["H12.UBKTTU"].pk, pages["H12.UBND"].pk}
    assert listed(unit=province["tu"].pk) == {pages["H12.UBKTTU"].pk}  # the unit's subtree
    assert listed(unit=province["ubnd"].pk) == {pages["H12.UBND"].pk}
    assert listed(unit="abc") == listed()  # a malformed filter is ignored, not an error
    client.force_login(ubkt_op)
    assert listed() == {pages["H12.UBKTTU"].pk}  # the other branch is out of scope
    assert listed(mine=1) == {pages["H12.UBKTTU"].pk}
    client.force_login(make_user(province["ubkt"], role=Role.OPERATOR))
    assert listed(mine=1) == set()


@pytest.mark.django_db
def test_qc_counts_tell_whether_a_document_is_fully_checked(two_pages, archivist):
    from sohoa.digitization import selectors

    document_id = two_pages.document_id
    assert selectors.qc_counts([document_id]) == {document_id: {"pending": 2, "accepted": 0, "rejected": 0}}
    services.qc_reject(actor=archivist, page=page_of(two_pages, 2), reason=QcIssue.BLANK)
    services.qc_accept(actor=archivist, intake=two_pages)
    assert selectors.qc_counts([document_id]) == {document_id: {"pending": 0, "accepted": 1, "rejected": 1}}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_the_browser_qc_sends_a_page_back_and_the_operator_rescans_it(
    live_server,
    browser,  # noqa: F811  (the Chromium page fixture imported above)
    tmp_path,
    unit,
    password,
    stub_ocr,
):  # type: ignore[no-untyped-def]
    from tests.factories import UserFactory

    operator = UserFactory(username="op", units=[unit], role=Role.OPERATOR)
    scans = [page_image(["Trang 1: công văn"]), page_image(["Trang 2: công văn"])]
    intake = digitize(unit, operator, save_pdf(tmp_path / "cv.pdf", scans), "cv.pdf")
    old_sha = intake.document.digital_copy.archival_sha256  # type: ignore[union-attr]
    second = page_of(intake, 2)

    browser.goto(live_server.url + "/accounts/login/")
    browser.fill("input[name=username]", "op")
    browser.fill("input[name=password]", password)
    browser.click("form button[type=submit]")
    browser.goto(live_server.url + reverse("intake_detail", args=[intake.pk]))
    browser.click(f"a[href='{reverse('qc_review', args=[intake.pk])}']")
    row = browser.locator("#page-2")
    assert row.locator("img").count() == 1
    row.locator("select[name=reason]").select_option("other")
    row.locator("input[name=note]").fill("mất góc trang")
    row.locator("button[type=submit]").click()
    browser.wait_for_selector(".flash")
    assert Page.objects.get(pk=second.pk).qc_status == Page.QcStatus.REJECTED

    browser.goto(live_server.url + reverse("rework_list") + "?mine=1")
    item = browser.locator(f"#rework-{second.pk}")
    assert "mất góc trang" in item.inner_text()
    rescan = save_image(tmp_path / "trang2.png", page_image(["Trang 2: quét lại"]), "PNG")
    item.locator("input[type=file]").set_input_files(str(rescan))
    item.locator("button[type=submit]").click()
    browser.wait_for_selector(".flash")
    assert browser.locator(f"#rework-{second.pk}").count() == 0  # processed (the queue is immediate here)
    copy = DigitalCopy.objects.get(document=intake.document)
    assert copy.archival_sha256 != old_sha and Page.objects.get(pk=second.pk).qc_status == Page.QcStatus.PENDING


@pytest.mark.django_db
def test_after_a_rescan_upload_the_operator_is_never_sent_to_another_site(client, two_pages, operator, archivist):
    page = page_of(two_pages, 1)
    services.qc_reject(actor=archivist, page=page, reason=QcIssue.BLANK)
    client.force_login(operator)
    upload = io.BytesIO(png_bytes(page_image(["Trang 1"])))
    upload.name = "p1.png"
    response = client.post(reverse("page_rescan", args=[page.pk]), {"file": upload, "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == reverse("rework_list")
    assert PageReplacement.objects.filter(page=page).count() == 1


@pytest.mark.django_db
def test_two_rescans_of_one_page_at_the_same_revision_never_overwrite_a_recorded_copy(two_pages, operator, archivist):
    """Even if two rescans of one page slipped past the lock (both revision 1), the second writes its
    archival copy under its own name: the first's recorded file and checksum stay true."""
    page = page_of(two_pages, 1)
    services.qc_reject(actor=archivist, page=page, reason=QcIssue.OTHER, note="mờ")
    first = services.page_replace(
        actor=operator, page=page, file=io.BytesIO(png_bytes(page_image(["Lần một"]))), name="a.png", enqueue=False
    )
    second_bytes = png_bytes(page_image(["Lần hai"]))
    rel, sha, size = storage.store_original(io.BytesIO(second_bytes))
    second = PageReplacement.objects.create(
        page=page,
        revision=first.revision,
        reason=first.reason,
        original_name="b.png",
        original_path=rel,
        original_sha256=sha,
        original_size=size,
        original_mime="image/png",
        created_by=operator,
    )
    for rep in (first, second):
        rework.process_replacement(rep.pk)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.archival_path != second.archival_path
    assert storage.sha256_file(storage.path(first.archival_path)) == first.archival_sha256
    assert fixity_check("--json")[0] == 0


@pytest.mark.django_db
def test_a_second_rescan_while_one_is_queued_is_refused_and_its_bytes_not_kept(two_pages, operator, archivist):
    page = page_of(two_pages, 1)
    services.qc_reject(actor=archivist, page=page, reason=QcIssue.SKEW)
    services.page_replace(
        actor=operator, page=page, file=io.BytesIO(png_bytes(page_image(["A"]))), name="a.png", enqueue=False
    )
    before = set(storage.root().rglob("originals/*/*"))
    with override("en"), pytest.raises(ValidationError, match="already being processed"):
        services.page_replace(
            actor=operator, page=page, file=io.BytesIO(png_bytes(page_image(["B"]))), name="b.png", enqueue=False
        )
    assert set(storage.root().rglob("originals/*/*")) == before and PageReplacement.objects.count() == 1


@pytest.mark.django_db
def test_discarding_a_failed_intake_keeps_an_original_that_a_rescan_also_holds(two_pages, operator, archivist, unit):
    import uuid

    from sohoa.digitization.models import Intake

    page = page_of(two_pages, 1)
    services.qc_reject(actor=archivist, page=page, reason=QcIssue.BLANK)
    data = png_bytes(page_image(["Quét lại"]))
    rep = services.page_replace(actor=operator, page=page, file=io.BytesIO(data), name="r.png", enqueue=False)
    failed = Intake.objects.create(
        batch=uuid.uuid4(),
        source="web",
        original_name="r.png",
        unit=two_pages.unit,
        status=Intake.Status.FAILED,
        sha256=rep.original_sha256,
        original_path=rep.original_path,
    )
    with pytest.MonkeyPatch.context() as mp:  # run the deletion the commit would trigger, now
        from django.db import transaction

        mp.setattr(transaction, "on_commit", lambda fn, using=None, robust=False: fn())
        services.intake_discard(actor=archivist, intake=failed)
    assert storage.path(rep.original_path).exists(), "the rescan's original is kept"
