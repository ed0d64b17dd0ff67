"""Watermarked copies (issue 7 §3, decision 0022): every download, print or view of a classified document
is a new numbered copy, stamped on every page and traceable from its invisible mark."""

from __future__ import annotations

import hashlib
import io
import subprocess
import time
import uuid
from pathlib import Path

import pikepdf
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.translation import override
from PIL import Image, ImageDraw, ImageFont
from reportlab.pdfgen import canvas

from sohoa.copies import services as copy_services
from sohoa.copies.models import SecretCopy
from sohoa.core.models import AuditEvent, Level, Role
from sohoa.digitization import storage
from sohoa.digitization.models import Intake, Page
from sohoa.security import access, envelope, watermark
from tests.factories import DigitalCopyFactory, DocumentFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGES = 3


@pytest.fixture(autouse=True)
def isolated_storage(settings, tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    """Each test stores files in its own root (xdist workers share SOHOA_DATA_DIR, ids repeat)."""
    location = tmp_path_factory.mktemp("files")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": location}},
    }
    return location


def small_pdf(pages: int = PAGES) -> bytes:
    """A real PDF with text on each page (what an archival copy looks like to the stamper)."""
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=(595, 842))
    for n in range(1, pages + 1):
        pdf.setFont("Helvetica", 14)
        pdf.drawString(72, 760, f"Archival page {n}")
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def thumbnail() -> bytes:
    img = Image.new("RGB", (220, 311), "white")
    ImageDraw.Draw(img).text((10, 10), "trang 1", fill="black", font=ImageFont.load_default())
    out = io.BytesIO()
    img.save(out, "JPEG")
    return out.getvalue()


def digitized(unit, level, *, encrypted: bool = False):  # type: ignore[no-untyped-def]
    """A document with a stored archival PDF, an original and one page with a thumbnail."""
    document = DocumentFactory(unit=unit, confidentiality=level, identifier=f"H12.01.{uuid.uuid4().hex[:6]}.1")
    archival, original, thumb = f"archival/{document.pk}.pdf", f"originals/{document.pk}", f"thumbs/{document.pk}-1.jpg"
    storage.put_bytes(archival, small_pdf())
    storage.put_bytes(original, b"original scan bytes")
    storage.put_bytes(thumb, thumbnail())
    if encrypted:  # as the pipeline writes a classified document's files once encryption at rest is on
        key = envelope.data_key(f"document:{document.pk}", create=True)
        assert key is not None
        for rel in (archival, original, thumb):
            envelope.encrypt_file_in_place(key, storage.path(rel))
    DigitalCopyFactory(document=document, archival_path=archival, original_path=original, page_count=PAGES)
    intake = Intake.objects.create(
        batch=uuid.uuid4(),
        source="web",
        original_name="scan.pdf",
        unit=unit,
        confidentiality=level,
        status=Intake.Status.DONE,
        document=document,
    )
    Page.objects.create(intake=intake, document=document, number=1, thumb_path=thumb, done=True)
    return document


def english(client):  # type: ignore[no-untyped-def]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def reauthenticated(client, user):  # type: ignore[no-untyped-def]
    client.force_login(user)
    session = client.session
    session[access.SESSION_KEY] = time.time()
    session.save()
    return client


def page_texts(data: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / f"{uuid.uuid4().hex}.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, timeout=60)
    return out.stdout.decode().split("\f")[:-1]


@pytest.fixture
def reader(province):  # type: ignore[no-untyped-def]
    return UserFactory(
        units=[province["ubkt"]],
        role=Role.CLERK,
        clearance=Level.TOI_MAT,
        username="vanthu",
        first_name="Nguyễn Văn",
        last_name="Ánh",
    )


@pytest.fixture
def secret(province):  # type: ignore[no-untyped-def]
    return digitized(province["ubkt"], Level.TOI_MAT)


def urls(document) -> list[str]:  # type: ignore[no-untyped-def]
    archival = reverse("archival_download", args=[document.pk])
    return [
        archival,
        archival + "?inline=1",
        archival + "?print=1",
        reverse("original_download", args=[document.pk]),
        reverse("document_copies", args=[document.pk]),
        reverse("page_thumbnail", args=[document.pages.get().pk]),
    ]


def test_each_download_is_a_new_copy_stamped_on_every_page(client, reader, secret, tmp_path):  # type: ignore[no-untyped-def]
    reauthenticated(client, reader)
    url = reverse("archival_download", args=[secret.pk])
    bodies = []
    for expected in (1, 2, 3):
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response["Cache-Control"] == "no-store"
        assert response["Content-Disposition"].startswith("attachment")
        assert f"-ban-{expected}.pdf" in response["Content-Disposition"]
        data = response.content
        bodies.append(data)
        pages = page_texts(data, tmp_path)
        assert len(pages) == PAGES
        for n, text in enumerate(pages, start=1):
            assert f"Archival page {n}" in text  # the document itself is untouched under the band
            assert f"TỐI MẬT · Bản số {expected} / copy {expected}" in text
            assert "Nguyễn Văn Ánh (vanthu)" in text and "Ủy ban Kiểm tra Tỉnh ủy" in text
        copy = watermark.identify(data)
        assert copy is not None and copy.number == expected and copy.user == reader
        assert copy.sha256 == hashlib.sha256(data).hexdigest()
    rows = list(SecretCopy.objects.filter(document=secret).order_by("number"))
    assert [r.number for r in rows] == [1, 2, 3]
    assert {(r.purpose, r.unit_id, r.level) for r in rows} == {("download", reader.units.get().pk, Level.TOI_MAT)}
    events = AuditEvent.objects.filter(action="copy", object_id=str(secret.pk)).order_by("seq")
    assert [e.details["copy"] for e in events] == [1, 2, 3]
    assert all(e.actor_id == reader.pk for e in events)
    assert len({hashlib.sha256(b).hexdigest() for b in bodies}) == 3


def test_a_leaked_copy_is_traced_to_its_user(client, province, reader, secret, tmp_path):  # type: ignore[no-untyped-def]
    colleague = UserFactory(units=[province["ubkt"]], role=Role.ARCHIVIST, clearance=Level.TUYET_MAT)
    mine = copy_services.make_copy(user=reader, document=secret, purpose="download")
    leaked = copy_services.make_copy(user=colleague, document=secret, purpose="print")
    traced = watermark.identify(leaked.data)
    assert traced is not None and traced.pk == leaked.row.pk and traced.user == colleague
    assert traced.number == 2 and traced.purpose == "print"
    assert watermark.identify(mine.data).user == reader  # type: ignore[union-attr]

    # The metadata stripped: the invisible text on the pages still names the copy.
    with pikepdf.Pdf.open(io.BytesIO(leaked.data)) as pdf:
        del pdf.docinfo[pikepdf.Name(watermark.DOCINFO_KEY)]
        del pdf.Root.Metadata
        stripped = io.BytesIO()
        pdf.save(stripped)
    assert watermark.identify(stripped.getvalue()).pk == leaked.row.pk  # type: ignore[union-attr]

    # A forged mark (a real copy id with a made-up MAC) and an unmarked file trace nobody.
    with pikepdf.Pdf.open(io.BytesIO(small_pdf())) as pdf:
        pdf.docinfo[pikepdf.Name(watermark.DOCINFO_KEY)] = f"{leaked.row.pk}:{'0' * 64}"
        forged = io.BytesIO()
        pdf.save(forged)
    assert watermark.identify(forged.getvalue()) is None
    assert watermark.identify(small_pdf()) is None
    assert watermark.identify(b"not a pdf") is None


def test_viewing_and_printing_are_copies_shown_inline(client, reader, secret):  # type: ignore[no-untyped-def]
    reauthenticated(client, reader)
    url = reverse("archival_download", args=[secret.pk])
    view = client.get(url + "?inline=1")
    printed = client.get(url + "?print=1")
    for response in (view, printed):
        assert response.status_code == 200 and response["Content-Disposition"].startswith("inline")
    assert watermark.identify(view.content).purpose == "view"  # type: ignore[union-attr]
    assert watermark.identify(printed.content).purpose == "print"  # type: ignore[union-attr]
    assert list(SecretCopy.objects.values_list("number", "purpose")) == [(1, "view"), (2, "print")]


def test_the_original_of_a_classified_document_is_never_handed_out(client, reader, secret):  # type: ignore[no-untyped-def]
    reauthenticated(client, reader)
    response = client.get(reverse("original_download", args=[secret.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("archival_download", args=[secret.pk])
    assert not SecretCopy.objects.exists()
    stamped = client.get(response["Location"])
    assert watermark.identify(stamped.content) is not None


def test_without_a_recent_password_the_user_is_sent_to_reauthenticate(client, reader, secret, password):  # type: ignore[no-untyped-def]
    client.force_login(reader)
    for url in urls(secret)[:4]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("reauth")), url
    assert not SecretCopy.objects.exists()
    # An old confirmation does not count either.
    session = client.session
    session[access.SESSION_KEY] = time.time() - access.REAUTH_SECONDS - 1
    session.save()
    assert client.get(urls(secret)[0]).status_code == 302
    # Entering the password leads back to the file.
    target = urls(secret)[0]
    back = client.post(reverse("reauth"), {"password": password, "next": target})
    assert back.status_code == 302 and back["Location"] == target
    assert watermark.identify(client.get(target).content).user == reader  # type: ignore[union-attr]


@pytest.mark.parametrize("reauth", [True, False])
def test_a_user_without_clearance_gets_404_for_every_url(client, province, secret, reauth):  # type: ignore[no-untyped-def]
    outsider = UserFactory(units=[province["ubkt"]], role=Role.CLERK, clearance=Level.MAT)
    if reauth:
        reauthenticated(client, outsider)
    else:
        client.force_login(outsider)
    for url in urls(secret):
        assert client.get(url).status_code == 404, url
    assert not SecretCopy.objects.exists()


def test_a_public_document_is_served_unchanged(client, province, reader):  # type: ignore[no-untyped-def]
    public = digitized(province["ubkt"], Level.NONE)
    client.force_login(reader)  # no re-authentication needed
    archival = client.get(reverse("archival_download", args=[public.pk]))
    assert archival.status_code == 200
    assert b"".join(archival.streaming_content) == storage.path(public.digital_copy.archival_path).read_bytes()
    original = client.get(reverse("original_download", args=[public.pk]))
    assert b"".join(original.streaming_content) == b"original scan bytes"
    thumb = client.get(reverse("page_thumbnail", args=[public.pages.get().pk]))
    assert b"".join(thumb.streaming_content) == storage.path(public.pages.get().thumb_path).read_bytes()
    assert not SecretCopy.objects.exists()


def test_thumbnails_of_a_classified_document_carry_a_band(client, reader, secret):  # type: ignore[no-untyped-def]
    client.force_login(reader)  # thumbnails are part of the page: no re-authentication
    page = secret.pages.get()
    response = client.get(reverse("page_thumbnail", args=[page.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert "no-store" in response["Cache-Control"]
    with Image.open(io.BytesIO(response.content)) as img:
        width, height = img.size
        band = img.convert("RGB").crop((0, height * 3 // 4, width, height))
        reds = sum(1 for r, g, b in band.get_flattened_data() if r > 100 and g < 90 and b < 90)
    assert reds > 10  # the level and user in red at the bottom
    assert not SecretCopy.objects.exists()  # a thumbnail is not a copy


def test_encrypted_files_are_stamped_from_their_plaintext(client, province, reader, tmp_path):  # type: ignore[no-untyped-def]
    document = digitized(province["ubkt"], Level.MAT, encrypted=True)
    assert envelope.is_encrypted_file(storage.path(document.digital_copy.archival_path))
    reauthenticated(client, reader)
    data = client.get(reverse("archival_download", args=[document.pk])).content
    assert "MẬT · Bản số 1 / copy 1" in page_texts(data, tmp_path)[0]
    thumb = client.get(reverse("page_thumbnail", args=[document.pages.get().pk]))
    assert thumb.status_code == 200 and Image.open(io.BytesIO(thumb.content)).format == "JPEG"


def test_a_failed_stamp_leaves_no_row_and_no_gap(reader, secret, monkeypatch):  # type: ignore[no-untyped-def]
    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    monkeypatch.setattr(watermark, "stamp_pdf", broken)
    with pytest.raises(RuntimeError):
        copy_services.make_copy(user=reader, document=secret, purpose="download")
    assert not SecretCopy.objects.exists() and not AuditEvent.objects.filter(action="copy").exists()
    monkeypatch.undo()
    assert copy_services.make_copy(user=reader, document=secret, purpose="download").row.number == 1


def test_the_copies_page_lists_a_documents_copies(client, province, reader, secret):  # type: ignore[no-untyped-def]
    copy_services.make_copy(user=reader, document=secret, purpose="download")
    copy_services.make_copy(user=reader, document=secret, purpose="print")
    english(client).force_login(reader)
    with override("en"):
        page = client.get(reverse("document_copies", args=[secret.pk])).content.decode()
        detail = client.get(reverse("document_detail", args=[secret.pk])).content.decode()
    assert "Copies of this document" in page and "Nguyễn Văn Ánh (vanthu)" in page
    assert page.count("<tr>") == 3  # header + two copies
    assert reverse("document_copies", args=[secret.pk]) in detail and 'id="print-copy"' in detail
    assert reverse("original_download", args=[secret.pk]) not in detail  # the original is not offered


def test_the_register_is_for_administrators_and_the_office(client, province, reader, secret):  # type: ignore[no-untyped-def]
    copy_services.make_copy(user=reader, document=secret, purpose="download")
    other = digitized(province["other"], Level.MAT)
    stranger = UserFactory(units=[province["other"]], clearance=Level.TUYET_MAT)
    copy_services.make_copy(user=stranger, document=other, purpose="view")
    url = reverse("copy_register")

    client.force_login(reader)
    assert client.get(url).status_code == 403
    office = UserFactory(units=[province["root"]], role=Role.PROVINCIAL_OFFICE, clearance=Level.TUYET_MAT)
    english(client).force_login(office)
    with override("en"):
        body = client.get(url).content.decode()
        filtered = client.get(url, {"purpose": "print"}).content.decode()
    assert "Register of copies of classified documents" in body
    assert reverse("document_detail", args=[secret.pk]) in body
    assert reverse("document_detail", args=[other.pk]) not in body  # another province
    assert "No copies yet." in filtered
    admin = UserFactory(units=[province["ubkt"]], role=Role.ADMIN, clearance=Level.NONE)
    client.force_login(admin)
    assert reverse("document_detail", args=[secret.pk]) not in client.get(url).content.decode()  # no clearance


def test_copy_identify_command_names_the_user(reader, secret, tmp_path, capsys):  # type: ignore[no-untyped-def]
    import json

    from django.core.management import call_command

    made = copy_services.make_copy(user=reader, document=secret, purpose="download")
    leaked = tmp_path / "tim-thay.pdf"
    leaked.write_bytes(made.data)
    call_command("copy-identify", str(leaked), "--json")
    row = json.loads(capsys.readouterr().out)
    assert row["found"] and row["copy_id"] == made.row.pk and row["username"] == "vanthu"
    assert row["number"] == 1 and row["sha256_matches"]
    clean = tmp_path / "khong-dau.pdf"
    clean.write_bytes(small_pdf())
    with pytest.raises(SystemExit) as exit_info:
        call_command("copy-identify", str(clean), "--json")
    assert exit_info.value.code == 1 and json.loads(capsys.readouterr().out) == {"found": False, "file": str(clean)}
