"""Count and load the pages of an original, one at a time (never a whole document's images in memory)."""

from __future__ import annotations

import subprocess
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from django.conf import settings
from django.utils.translation import gettext_noop
from PIL import Image

try:  # HEIC photos from phones, when the wheel is available
    import pillow_heif

    pillow_heif.register_heif_opener()
except ImportError:  # pragma: no cover
    pass

PDF = "application/pdf"
TIFF = "image/tiff"


class PageError(ValueError):
    """The page cannot be read; `message` is a translatable msgid, `params` its values."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message % params if params else message)
        self.message, self.params = message, params


@dataclass
class LoadedPage:
    image: Image.Image
    dpi: float | None
    is_photo: bool
    # The page's JPEG bytes exactly as scanned, when the page is a plain JPEG: given to Tesseract
    # unchanged when the page needs no correction, so it is neither re-encoded nor enlarged.
    jpeg: bytes | None = None


def _plain_jpeg(image: pikepdf.Object) -> bytes | None:
    """The raw stream of a PDF image that is a JPEG and nothing else (no other filter, mask or decode)."""
    filters = image.get("/Filter")
    if isinstance(filters, pikepdf.Array):
        filters = filters[0] if len(filters) == 1 else None
    if filters != pikepdf.Name.DCTDecode or "/SMask" in image or "/Decode" in image or "/Mask" in image:
        return None
    return image.read_raw_bytes()


def _limits() -> None:
    Image.MAX_IMAGE_PIXELS = settings.DIGITIZATION["MAX_PIXELS"]
    warnings.simplefilter("error", Image.DecompressionBombWarning)


def count_pages(file: Path, mime: str) -> int:
    _limits()
    if mime == PDF:
        with pikepdf.Pdf.open(file) as pdf:
            # qpdf rebuilds a PDF cut short from the pages it can still find: that would silently
            # make a shorter document, so a file without its trailer fails as truncated instead.
            if any("startxref" in warning for warning in pdf.get_warnings()):
                raise PageError(gettext_noop("The file is damaged or truncated and cannot be read."))
            return len(pdf.pages)
    with Image.open(file) as img:
        return getattr(img, "n_frames", 1) if mime == TIFF else 1


def born_digital(file: Path, page_count: int) -> bool:
    """A PDF whose first pages already carry text (a born-digital document or an earlier OCR)."""
    last = min(page_count, 3)
    proc = subprocess.run(
        ["pdftotext", "-f", "1", "-l", str(last), str(file), "-"], capture_output=True, timeout=120, check=False
    )
    text = proc.stdout.decode(errors="replace")
    return len("".join(text.split())) >= 40 * last


def _pdf_page(file: Path, number: int) -> LoadedPage:
    with pikepdf.Pdf.open(file) as pdf:
        page = pdf.pages[number - 1]
        images = list(page.get_images().values())
        width_in = float(page.mediabox[2] - page.mediabox[0]) / 72 or 1
        if len(images) == 1:
            try:
                image = pikepdf.PdfImage(images[0]).as_pil_image()  # type: ignore[arg-type]
                image.load()
                # Rounded: the page size in points is itself rounded, and 1654 px on 595.44 pt must
                # read as 200 dpi, not 199.99999 (which the dpi check would flag as too low).
                dpi = round(image.width / width_in, 1)
                return LoadedPage(image, dpi, is_photo=False, jpeg=_plain_jpeg(images[0]))
            except (pikepdf.PdfError, NotImplementedError, ValueError, OSError):
                pass  # unusual encoding: render the page instead
    return _render_pdf_page(file, number)


def _scratch_dir(file: Path) -> str | None:
    """Where to render a page: beside a classified intake's decrypted original (in the secure work dir,
    never /tmp on a disk), else the system's temp dir."""
    from django.conf import settings

    return str(file.parent) if Path(settings.SECURE_WORK_DIR).resolve() in file.resolve().parents else None


def _render_pdf_page(file: Path, number: int, dpi: int = 300) -> LoadedPage:
    with tempfile.TemporaryDirectory(dir=_scratch_dir(file)) as tmp:
        out = Path(tmp) / "page"
        proc = subprocess.run(
            [
                "pdftoppm",
                "-r",
                str(dpi),
                "-f",
                str(number),
                "-l",
                str(number),
                "-png",
                "-singlefile",
                str(file),
                str(out),
            ],
            capture_output=True,
            timeout=300,
            check=False,
        )
        png = out.with_suffix(".png")
        if proc.returncode != 0 or not png.exists():
            raise PageError(gettext_noop("Page %(page)d cannot be read: the PDF is damaged."), page=number)
        image = Image.open(png)
        image.load()
    return LoadedPage(image, float(dpi), is_photo=False)


def _looks_like_photo(img: Image.Image) -> bool:
    exif = img.getexif()
    return bool(exif.get(0x010F) or exif.get(0x0110)) or "dpi" not in img.info  # camera make/model


def load_page(file: Path, mime: str, number: int) -> LoadedPage:
    """The image of page `number` (1-based) with the resolution the file states, if any."""
    _limits()
    try:
        if mime == PDF:
            return _pdf_page(file, number)
        img = Image.open(file)
        if mime == TIFF:
            img.seek(number - 1)
        img.load()
        dpi = img.info.get("dpi", (None,))[0]
        photo = mime != TIFF and _looks_like_photo(img)
        jpeg = file.read_bytes() if img.format == "JPEG" and not photo else None
        return LoadedPage(img, float(dpi) if dpi else None, is_photo=photo, jpeg=jpeg)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PageError(
            gettext_noop("The image is too large (more than %(limit)d million pixels)."),
            limit=settings.DIGITIZATION["MAX_PIXELS"] // 1_000_000,
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        if isinstance(exc, PageError):
            raise
        raise PageError(
            gettext_noop("Page %(page)d cannot be read: the file is damaged or truncated."), page=number
        ) from None
