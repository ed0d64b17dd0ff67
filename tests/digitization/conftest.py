"""Shared fixtures for the digitization tests: synthetic scans, isolated storage, a fast stand-in OCR."""

from __future__ import annotations

import io
import subprocess
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from django.utils.translation import gettext as _
from django.utils.translation import override
from PIL import Image, ImageDraw, ImageFont

from sohoa.digitization import ocr, pipeline
from sohoa.digitization.models import Intake
from sohoa.digitization.services import intake_create

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
DPI = 200
A4_PX = (round(210 / 25.4 * DPI), round(297 / 25.4 * DPI))  # 1654 x 2339 at 200 dpi

# Short Vietnamese lines in large type: quick for Tesseract, and full of diacritics.
PAGE_LINES = [
    "BIÊN BẢN KIỂM TRA",
    "Trang {n}: công tác số hóa",
    "Ủy ban nhân dân tỉnh",
]


def page_image(lines: Sequence[str], *, mode: str = "L", size: tuple[int, int] = A4_PX) -> Image.Image:
    """A white A4 page at 200 dpi with `lines` printed in 20-point serif type, like a clean scan."""
    img = Image.new(mode, size, "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, 56)
    y = DPI
    for line in lines:
        draw.text((DPI, y), line, fill="black", font=font)
        y += 100
    return img


def scan_pages(count: int, mode: str = "L") -> list[Image.Image]:
    return [page_image([line.format(n=n) for line in PAGE_LINES], mode=mode) for n in range(1, count + 1)]


def save_pdf(path: Path, images: Sequence[Image.Image]) -> Path:
    first, *rest = images
    first.save(path, "PDF", save_all=True, append_images=rest, resolution=DPI)
    return path


def save_tiff(path: Path, images: Sequence[Image.Image]) -> Path:
    first, *rest = images
    first.save(path, "TIFF", save_all=True, append_images=rest, dpi=(DPI, DPI), compression="tiff_deflate")
    return path


def save_image(path: Path, image: Image.Image, fmt: str) -> Path:
    image.save(path, fmt, dpi=(DPI, DPI))
    return path


def born_digital_pdf(path: Path, pages: int = 3, lines: int = 12) -> Path:
    """A PDF with real text (Helvetica, via Ghostscript from PostScript): pdftotext reads it without OCR."""
    body = []
    for n in range(1, pages + 1):
        body.append(
            f"/Helvetica findfont 14 scalefont setfont\n72 760 moveto (Born digital page {n} of the report) show"
        )
        for i in range(lines):
            body.append(f"72 {730 - 20 * i} moveto (Line {i} of page {n}: archival records digitization plan) show")
        body.append("showpage")
    ps = path.with_suffix(".ps")
    ps.write_text("%!PS\n<< /PageSize [595 842] >> setpagedevice\n" + "\n".join(body) + "\n")
    subprocess.run(
        ["gs", "-q", "-dBATCH", "-dNOPAUSE", "-dSAFER", "-sDEVICE=pdfwrite", "-o", str(path), str(ps)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    ps.unlink()
    return path


def pdftotext(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, timeout=60).stdout.decode()


def renders(intake: Intake) -> dict[str, str]:
    """The intake's error rendered in Vietnamese and English (both must work, whatever the catalogue holds)."""
    out = {}
    for lang in ("vi", "en"):
        with override(lang):
            msg = _(intake.error)
            out[lang] = msg % intake.error_params if intake.error_params else msg
    return out


# ---- fixtures ---------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def isolated_storage(settings, tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    """Each test stores files in its own root: xdist workers share SOHOA_DATA_DIR, and intake ids repeat."""
    location = tmp_path_factory.mktemp("files")
    default = {**settings.STORAGES["default"], "OPTIONS": {"location": location}}
    settings.STORAGES = {**settings.STORAGES, "default": default}
    return location


@pytest.fixture
def limits(settings) -> Callable[..., None]:  # type: ignore[no-untyped-def]
    """Change DIGITIZATION limits for one test: limits(MAX_PAGES=3)."""

    def change(**values: object) -> None:
        settings.DIGITIZATION = {**settings.DIGITIZATION, **values}

    return change


class StubEngine:
    """Stands in for Tesseract where the test is about the pipeline, not recognition: the page image as a
    one-page PDF, and a fixed text."""

    text = "văn bản thử nghiệm"

    def recognize(self, image: Path, out_base: Path, *, languages: str, dpi: int) -> ocr.OcrResult:
        pdf = Path(f"{out_base}.pdf")
        with Image.open(image) as img:
            img.save(pdf, "PDF", resolution=dpi)
        return ocr.OcrResult(pdf=pdf, text=self.text, confidence=95.0)


@pytest.fixture
def stub_ocr(monkeypatch) -> StubEngine:  # type: ignore[no-untyped-def]
    engine = StubEngine()
    monkeypatch.setattr(ocr, "engine", lambda: engine)
    return engine


@pytest.fixture
def unit(province):  # type: ignore[no-untyped-def]
    return province["ubkt"]


@pytest.fixture
def intake_of(unit) -> Callable[..., Intake]:  # type: ignore[no-untyped-def]
    """Hand bytes or a file in through the service, without queuing (the test drives the pipeline)."""

    def make(data: bytes | Path, name: str | None = None, *, batch: uuid.UUID | None = None, **kw: object) -> Intake:
        if isinstance(data, Path):
            name = name or data.name
            data = data.read_bytes()
        return intake_create(
            actor=None,
            file=io.BytesIO(data),
            name=name or "file",
            unit=kw.pop("unit", unit),  # type: ignore[arg-type]
            source=Intake.Source.CLI,
            batch=batch,
            enqueue=False,
            **kw,  # type: ignore[arg-type]
        )

    return make


def run_pipeline(intake: Intake) -> Intake:
    """Drive the three stages in-process, the way the tasks do (a bad page fails the intake, nothing raises)."""
    for number in pipeline.prepare(intake.pk):
        try:
            pipeline.process_page(intake.pk, number)
        except Exception as exc:  # noqa: BLE001 (mirrors tasks.ocr_pages)
            pipeline.fail_page(intake.pk, number, exc)
            break
    pipeline.finish(intake.pk)
    intake.refresh_from_db()
    return intake


@pytest.fixture
def scanned_pdf(tmp_path) -> Callable[[int], Path]:  # type: ignore[no-untyped-def]
    def make(pages: int = 4, name: str = "bien_ban_kiem_tra.pdf") -> Path:
        return save_pdf(tmp_path / name, scan_pages(pages))

    return make


@pytest.fixture
def good_png(tmp_path) -> Path:  # type: ignore[no-untyped-def]
    return save_image(tmp_path / "good.png", page_image(["Công văn số 12"]), "PNG")


def stored_files(root: Path) -> Iterator[Path]:
    return (p for p in root.rglob("*") if p.is_file())


# ---- a real instance: its own data dir, SQLite file and queue, driven through the `sohoa` script ------

SOHOA = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "sohoa"


class Instance:
    """A migrated sohoa installation in a temp dir, run as separate processes (not the pytest database)."""

    def __init__(self, base: Path) -> None:
        import os

        self.base = base
        self.data = base / "data"
        self.data.mkdir()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SOHOA_", "DATABASE_URL", "DJANGO_"))}
        self.env = {
            **env,
            "DJANGO_SETTINGS_MODULE": "sohoa.settings",
            "SOHOA_DATA_DIR": str(self.data),
            "SOHOA_KEY_FILE": str(base / "master.key"),  # outside the data dir, as the settings ask
            "PYTHONUNBUFFERED": "1",
        }

    @property
    def db(self) -> Path:
        return self.data / "sohoa.sqlite3"

    @property
    def files(self) -> Path:
        return self.data / "files"

    def run(self, *args: str, check: bool = True, timeout: float = 180) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [str(SOHOA), *args], env=self.env, cwd=self.base, capture_output=True, text=True, timeout=timeout
        )
        if check and proc.returncode != 0:
            raise AssertionError(f"sohoa {' '.join(args)} exited {proc.returncode}:\n{proc.stderr[-3000:]}")
        return proc

    def setup(self, unit: str = "T01") -> Instance:
        self.run("migrate", "-v0")
        csv = self.base / "units.csv"
        csv.write_text(f"code,name\n{unit},Đơn vị thử nghiệm\n", encoding="utf-8")
        self.run("registry-import", str(csv))
        return self

    def query(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        import sqlite3

        con = sqlite3.connect(self.db, timeout=30)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()


@pytest.fixture
def instance(tmp_path) -> Instance:  # type: ignore[no-untyped-def]
    return Instance(tmp_path).setup()
