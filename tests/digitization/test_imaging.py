"""Page preparation: deskew, phone-photo page detection and perspective, dpi policy, odd input."""

from __future__ import annotations

import io
import math
import random

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from sohoa.digitization.imaging import PreparedPage, deskew, estimate_skew, find_page_quad, prepare_page

A4_ASPECT = 297 / 210


def text_page(dpi: int = 200, mode: str = "L", seed: int = 1) -> Image.Image:
    """A white A4 page with rows of black bars shaped like 10 pt words, 1-inch margins."""
    w, h = round(210 / 25.4 * dpi), round(297 / 25.4 * dpi)
    img = Image.new(mode, (w, h), "white")
    draw = ImageDraw.Draw(img)
    rng = random.Random(seed)
    x_height, leading = dpi * 7 // 72, dpi * 12 // 72
    y = dpi
    while y + x_height < h - dpi:
        x, end = dpi, w - dpi - rng.randint(0, w // 4)
        while x < end:
            word = rng.randint(dpi // 10, dpi // 2)
            draw.rectangle([x, y, min(x + word, end), y + x_height], fill="black")
            x += word + dpi // 12
        y += leading
    return img


def phone_photo(
    page: Image.Image,
    canvas: tuple[int, int],
    *,
    tilt_x: float = 18,
    tilt_y: float = -8,
    roll: float = 4,
    distance: float = 1.15,
    background: int = 40,
) -> Image.Image:
    """Project a page through a pinhole camera (page tilted in 3D) onto a dark table, like a phone shot."""
    src = np.asarray(page.convert("RGB"))
    h, w = src.shape[:2]
    cw, ch = canvas
    focal = 0.8 * max(cw, ch)
    half_w, half_h = w / h / 2, 0.5
    corners = np.array([[-half_w, -half_h, 0], [half_w, -half_h, 0], [half_w, half_h, 0], [-half_w, half_h, 0]])
    ax, ay, az = np.radians([tilt_x, tilt_y, roll])
    rx = np.array([[1, 0, 0], [0, math.cos(ax), -math.sin(ax)], [0, math.sin(ax), math.cos(ax)]])
    ry = np.array([[math.cos(ay), 0, math.sin(ay)], [0, 1, 0], [-math.sin(ay), 0, math.cos(ay)]])
    rz = np.array([[math.cos(az), -math.sin(az), 0], [math.sin(az), math.cos(az), 0], [0, 0, 1]])
    world = corners @ (rz @ ry @ rx).T + np.array([0, 0, distance])
    image_pts = np.stack([focal * world[:, 0] / world[:, 2] + cw / 2, focal * world[:, 1] / world[:, 2] + ch / 2], 1)
    assert image_pts.min() > 0 and image_pts[:, 0].max() < cw and image_pts[:, 1].max() < ch, "page must fit"
    matrix = cv2.getPerspectiveTransform(np.float32([[0, 0], [w, 0], [w, h], [0, h]]), image_pts.astype(np.float32))
    out = cv2.warpPerspective(
        src, matrix, canvas, borderMode=cv2.BORDER_CONSTANT, borderValue=(background, background + 5, background + 10)
    )
    return Image.fromarray(out)


# ---------------------------------------------------------------------------------------------- deskew


@pytest.mark.parametrize("angle", [3.0, -3.0, 1.6])
def test_skew_is_estimated_and_corrected(angle: float) -> None:
    page = text_page(200).rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=255)

    estimate = estimate_skew(page)
    assert estimate is not None and abs(estimate - angle) < 0.5

    result = prepare_page(page, source_dpi=200, is_photo=False)
    assert abs(result.skew - angle) < 0.5
    assert result.image.size == page.size  # scans keep their pixels
    assert result.dpi == 200 and not result.low_dpi and not result.perspective_corrected
    residual = estimate_skew(result.image)
    assert residual is None or abs(residual) < 0.3
    # Corners uncovered by the rotation are filled with paper, not black.
    corners = np.asarray(result.image)[[0, 0, -1, -1], [0, -1, 0, -1]]
    assert corners.min() > 200


def test_tiny_skew_is_left_alone() -> None:
    page = text_page(200).rotate(0.1, resample=Image.Resampling.BILINEAR, fillcolor=255)
    out, skew = deskew(page)
    assert skew == 0.0 and out is page


def test_scan_below_one_degree_keeps_its_pixels() -> None:
    """Tesseract reads slight skew unaided; rotating would only soften the scanner's image."""
    page = text_page(200).rotate(0.6, resample=Image.Resampling.BILINEAR, fillcolor=255)
    result = prepare_page(page, source_dpi=200, is_photo=False)
    assert result.skew == 0.0 and result.image is page


def test_colour_scan_stays_colour_and_is_deskewed() -> None:
    page = text_page(150, mode="RGB").rotate(-2.5, resample=Image.Resampling.BILINEAR, fillcolor="white")
    result = prepare_page(page, source_dpi=150, is_photo=False)
    assert result.image.mode == "RGB"
    assert abs(result.skew + 2.5) < 0.5
    assert result.low_dpi and result.dpi == 150


def test_scan_without_dpi_is_estimated_as_a4() -> None:
    result = prepare_page(text_page(200), source_dpi=None, is_photo=False)
    assert result.dpi == 200 and not result.low_dpi
    assert result.image.info["dpi"] == (200, 200)

    result = prepare_page(text_page(100), source_dpi=None, is_photo=False)
    assert result.dpi == 100 and result.low_dpi


# ---------------------------------------------------------------------------------------------- photos


def test_phone_photo_page_is_found_rectified_and_resampled() -> None:
    photo = phone_photo(text_page(200), (2250, 3000), tilt_x=15, tilt_y=-8, distance=1.02)  # page ~2400 px tall

    quad = find_page_quad(photo)
    assert quad is not None and quad.shape == (4, 2)

    result = prepare_page(photo, source_dpi=None, is_photo=True)
    assert result.perspective_corrected
    assert result.dpi == 300 and not result.low_dpi
    assert result.image.mode == "RGB"
    width, height = result.image.size
    assert abs((height / width) / A4_ASPECT - 1) < 0.05
    assert height == round(297 / 25.4 * 300)
    # No dark table left around the page.
    grey = np.asarray(result.image.convert("L"))
    border = np.concatenate([grey[:5].ravel(), grey[-5:].ravel(), grey[:, :5].ravel(), grey[:, -5:].ravel()])
    assert np.median(border) > 200
    # The text lines come out level.
    residual = estimate_skew(result.image)
    assert residual is None or abs(residual) < 0.5


def test_photo_on_light_background_and_landscape_exif() -> None:
    photo = phone_photo(text_page(100), (1500, 2000), tilt_x=-12, tilt_y=10, roll=-3, background=150)
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways, display rotated 90 degrees clockwise
    photo.transpose(Image.Transpose.ROTATE_90).save(buffer, "JPEG", quality=90, exif=exif)
    buffer.seek(0)

    result = prepare_page(Image.open(buffer), source_dpi=None, is_photo=True)
    assert result.rotated == 90
    assert result.perspective_corrected
    width, height = result.image.size
    assert height > width and abs((height / width) / A4_ASPECT - 1) < 0.05


def test_low_resolution_photo_keeps_pixels_and_is_flagged() -> None:
    photo = phone_photo(text_page(100), (800, 1130), distance=1.2)
    result = prepare_page(photo, source_dpi=None, is_photo=True)
    assert result.low_dpi
    assert result.dpi < 200
    assert max(result.image.size) <= 1130  # never upscaled to fake the resolution
    assert result.image.info["dpi"] == (result.dpi, result.dpi)


def test_photo_without_a_visible_page_is_kept_whole() -> None:
    cropped = text_page(300, mode="RGB")  # already cropped to the page edge: margins are not a "page"
    result = prepare_page(cropped, source_dpi=None, is_photo=True)
    assert not result.perspective_corrected
    assert result.image.size == cropped.size and result.dpi == 300


# ---------------------------------------------------------------------------------------------- odd input


def _odd_images() -> list[tuple[str, Image.Image, str]]:
    """(label, image, expected output mode) for every awkward Pillow mode we may be handed."""
    base = text_page(72).rotate(2, fillcolor=255)
    grey_palette = base.convert("P")
    colour = base.convert("RGB")
    ImageDraw.Draw(colour).ellipse([60, 60, 160, 160], outline=(200, 0, 0), width=8)  # a red stamp
    colour_palette = colour.quantize(4)
    transparent = colour_palette.copy()
    transparent.info["transparency"] = 0
    rgba = colour.convert("RGBA")
    rgba.putalpha(0)  # fully transparent: flattened onto white
    wide = np.asarray(base, dtype=np.uint16) * 257
    return [
        ("1", base.convert("1"), "L"),
        ("P grey", grey_palette, "L"),
        ("P colour", colour_palette, "RGB"),
        ("P transparency", transparent, "RGB"),
        ("RGBA", rgba, "RGB"),
        ("LA", base.convert("LA"), "L"),
        ("CMYK", colour.convert("CMYK"), "RGB"),
        ("I;16", Image.fromarray(wide), "L"),
        ("I", base.convert("I"), "L"),
        ("F", base.convert("F"), "L"),
        ("YCbCr", colour.convert("YCbCr"), "RGB"),
        ("HSV", colour.convert("HSV"), "RGB"),
    ]


@pytest.mark.parametrize("is_photo", [False, True])
def test_odd_modes_do_not_raise(is_photo: bool) -> None:
    for label, image, expected_mode in _odd_images():
        result = prepare_page(image, source_dpi=None, is_photo=is_photo)
        assert isinstance(result, PreparedPage), label
        assert result.image.mode == expected_mode, label


def test_sixteen_bit_is_scaled_not_clipped() -> None:
    wide = Image.fromarray(np.full((300, 200), 65535, dtype=np.uint16))
    assert wide.mode.startswith("I;16")
    result = prepare_page(wide, source_dpi=300, is_photo=False)
    assert np.asarray(result.image).min() == 255

    transparent = Image.new("RGBA", (200, 300), (0, 0, 0, 0))
    assert np.asarray(prepare_page(transparent, source_dpi=300, is_photo=True).image).min() == 255


@pytest.mark.parametrize("size", [(0, 0), (1, 1), (3, 500), (40, 40), (600, 2)])
@pytest.mark.parametrize("is_photo", [False, True])
def test_tiny_and_thin_images_do_not_raise(size: tuple[int, int], is_photo: bool) -> None:
    result = prepare_page(Image.new("L", size, 128), source_dpi=None, is_photo=is_photo)
    assert result.image.size == size
    assert result.dpi >= 1 and result.low_dpi and result.skew == 0.0


@pytest.mark.parametrize("is_photo", [False, True])
@pytest.mark.parametrize("mode", ["L", "RGB", "1"])
def test_blank_page_has_no_skew(is_photo: bool, mode: str) -> None:
    blank = Image.new(mode, (1654, 2339), "white")
    result = prepare_page(blank, source_dpi=200, is_photo=is_photo)
    assert result.skew == 0.0
    assert not result.perspective_corrected
    assert estimate_skew(blank) is None


def test_noise_is_not_mistaken_for_text() -> None:
    rng = np.random.default_rng(0)
    noisy = Image.fromarray(np.clip(rng.normal(225, 12, (1169, 827)), 0, 255).astype(np.uint8))
    assert prepare_page(noisy, source_dpi=100, is_photo=False).skew == 0.0
