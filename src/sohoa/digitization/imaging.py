"""Page image preparation: mode normalisation, page detection, perspective, deskew and dpi.

Pure Python on Pillow + OpenCV + NumPy; no Django. One page at a time.

Conventions
-----------
* ``skew`` is in degrees, positive = the content is rotated counter-clockwise as displayed
  (the same sign as ``PIL.Image.rotate``); correcting it rotates the image by ``-skew``.
* ``rotated`` is the clockwise rotation (0/90/180/270) applied from the EXIF/TIFF orientation tag;
  mirroring in orientations 2/4/5/7 is applied but not counted.
* Physical size is unknown for photos (and for scans without a resolution tag), so the page is
  assumed to be A4 (210 x 297 mm, portrait or landscape): dpi = long side in pixels / 11.69 in.

Resolution policy for photos (``is_photo=True``), with A4 long side L pixels, eff = L / 11.69:
* eff >= target_dpi:            downsample to exactly target_dpi (no point storing more);
* min_dpi <= eff < target_dpi:  upsample to target_dpi (at most target/min, 1.5x by default) so every
                                archival page has the standard's nominal dpi and OCR sees 300-dpi glyphs;
* eff < min_dpi:                keep the native pixels, write dpi = eff and set ``low_dpi`` -- we never
                                invent resolution the photo does not have to hide a shortfall.
Scans keep their pixels and their dpi (estimated the same A4 way, snapped to 150/200/300/... within 3%,
when the file carries none); only a small deskew rotation (same size, corners filled with paper colour)
is applied.

Modes: '1', 'P' with a grey palette, 'LA'/'La' and 16/32-bit/float greyscale ('I;16*' scaled by 1/257)
become 'L'; colour palettes, 'RGBA'/'RGBa'/'PA' (flattened on white), 'CMYK' (via its ICC profile when
embedded), 'YCbCr', 'LAB', 'HSV' become 'RGB'. The orientation tag is honoured for scans too (lossless).

Only image data that Pillow cannot decode raises (``OSError`` from ``Image.load``); odd modes, tiny
and blank pages, and failures of the optional steps (page detection, deskew) fall back gracefully.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageOps

logger = logging.getLogger(__name__)

A4_SHORT_IN = 210 / 25.4
A4_LONG_IN = 297 / 25.4
A4_ASPECT = 297 / 210

# Working sizes (long side, pixels) for the analysis images; the full-resolution image is only
# touched once, by the final warp.
_DETECT_SIZE = 1000
_SKEW_SIZE = 1200
_MIN_ANALYSIS_SIDE = 48  # below this there is nothing meaningful to detect or deskew

_COMMON_DPIS = (100, 150, 200, 240, 300, 400, 600, 1200)

# Orientation tag -> clockwise rotation component applied by ImageOps.exif_transpose.
_ORIENTATION_DEGREES = {3: 180, 4: 180, 5: 90, 6: 90, 7: 270, 8: 270}


@dataclass(slots=True)
class PreparedPage:
    """One page ready for OCR and PDF/A assembly, with what was done to it (for QC and the audit trail)."""

    image: Image.Image  # mode 'L' or 'RGB'; info['dpi'] is set to (dpi, dpi)
    dpi: int  # resolution written into the output
    low_dpi: bool  # effective resolution below min_dpi (Circular 05/2025 asks for >= 200)
    rotated: int  # clockwise degrees applied from the orientation tag, multiple of 90
    skew: float  # degrees of skew corrected (0.0 if none was applied)
    perspective_corrected: bool  # a page quadrilateral was found in the photo and rectified


# --------------------------------------------------------------------------------------------------
# Mode normalisation
# --------------------------------------------------------------------------------------------------


def normalize_mode(img: Image.Image) -> Image.Image:
    """Convert any Pillow mode to 'L' or 'RGB' so later steps see 8-bit pixels, keeping colour if present."""
    mode = img.mode
    if mode in ("L", "RGB"):
        return img
    if mode == "1":
        return img.convert("L")
    if mode.startswith("I;16") or mode in ("I", "F"):
        return _high_depth_to_l(img)
    if mode == "P":
        if "transparency" in img.info:
            return normalize_mode(img.convert("RGBA"))
        palette = img.getpalette() or []
        rgb = img.convert("RGB")
        if palette and _palette_is_grey(palette):
            return rgb.convert("L")
        return rgb
    if mode in ("La", "RGBa"):
        # Premultiplied alpha: over white, colour = c_premultiplied + (255 - alpha), exactly.
        arr = np.asarray(img).astype(np.int16)
        flat = np.clip(arr[..., :-1] + (255 - arr[..., -1:]), 0, 255).astype(np.uint8)
        flat = flat[..., 0] if mode == "La" else flat[..., :3]
        return Image.fromarray(np.ascontiguousarray(flat))
    if mode in ("LA", "PA", "RGBA"):
        rgba = img.convert("RGBA") if mode != "RGBA" else img
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background.convert("L") if mode == "LA" else background
    if mode == "CMYK":
        return _cmyk_to_rgb(img)
    # YCbCr, LAB, HSV, RGBX and anything newer: Pillow knows how to reach RGB.
    try:
        return img.convert("RGB")
    except (ValueError, OSError):
        return img.convert("L")


def _palette_is_grey(palette: list[int]) -> bool:
    """Tell whether every palette entry is neutral, so a 'P' image can become 'L' instead of 'RGB'."""
    return all(palette[i] == palette[i + 1] == palette[i + 2] for i in range(0, len(palette) - 2, 3))


def _high_depth_to_l(img: Image.Image) -> Image.Image:
    """Scale 16/32-bit integer or float greyscale to 8 bits (full 16-bit range maps to 0..255)."""
    arr = np.asarray(img)
    if arr.size == 0:
        return Image.new("L", img.size, 255)
    if img.mode == "F":
        finite = np.nan_to_num(arr.astype(np.float32), nan=0.0, posinf=255.0, neginf=0.0)
        peak = float(finite.max())
        scaled = finite * 255.0 if peak <= 1.0 else finite
        out = np.clip(scaled, 0, 255).astype(np.uint8)
    else:
        wide = arr.astype(np.int64)
        peak = int(wide.max())
        if img.mode.startswith("I;16") or peak > 255:
            out = (np.clip(wide, 0, 65535) // 257).astype(np.uint8)
        else:
            out = np.clip(wide, 0, 255).astype(np.uint8)
    return Image.fromarray(np.ascontiguousarray(out), mode="L")


def _cmyk_to_rgb(img: Image.Image) -> Image.Image:
    """Convert CMYK to sRGB through the embedded ICC profile when there is one, else Pillow's naive formula."""
    icc = img.info.get("icc_profile")
    if icc:
        try:
            import io

            from PIL import ImageCms

            src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            dst = ImageCms.createProfile("sRGB")
            converted = ImageCms.profileToProfile(img, src, dst, outputMode="RGB")
            if converted is not None:
                return converted
        except Exception:  # a broken profile must not lose the page
            logger.info("CMYK ICC conversion failed; using naive conversion", exc_info=True)
    return img.convert("RGB")


def _apply_orientation(img: Image.Image) -> tuple[Image.Image, int]:
    """Apply the EXIF/TIFF orientation tag so the page is upright as the camera meant; return degrees applied."""
    try:
        orientation = int(img.getexif().get(0x0112, 1) or 1)
    except Exception:  # malformed EXIF is common on phone photos
        return img, 0
    if orientation not in _ORIENTATION_DEGREES and orientation != 2:
        return img, 0
    try:
        transposed = ImageOps.exif_transpose(img)
    except Exception:
        logger.info("exif_transpose failed; keeping pixels as stored", exc_info=True)
        return img, 0
    if transposed is None:  # pragma: no cover - only with in_place=True
        return img, 0
    return transposed, _ORIENTATION_DEGREES.get(orientation, 0)


# --------------------------------------------------------------------------------------------------
# Analysis helpers (all on small images)
# --------------------------------------------------------------------------------------------------


def _to_array(img: Image.Image) -> np.ndarray:
    """Return the pixels of an 'L' or 'RGB' image as a contiguous uint8 array (one copy)."""
    return np.ascontiguousarray(np.asarray(img, dtype=np.uint8))


def _resize(arr: np.ndarray, scale: float, interpolation: int) -> np.ndarray:
    """Resize by a factor (no-op at 1.0), never to less than one pixel."""
    if scale == 1.0:
        return arr
    h, w = arr.shape[:2]
    return cv2.resize(arr, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=interpolation)


def _shrink(arr: np.ndarray, long_side: int) -> tuple[np.ndarray, float]:
    """Area-average by an integer factor to about long_side pixels (OpenCV's fast path); return it and the scale."""
    h, w = arr.shape[:2]
    factor = max(1, math.ceil(max(h, w) / long_side))
    if factor == 1:
        return arr, 1.0
    # Crop to a multiple of the factor (at most factor-1 edge pixels, analysis only) so the resize is exact.
    ch, cw = h - h % factor, w - w % factor
    if ch < factor or cw < factor:
        return _resize(arr, 1 / factor, cv2.INTER_AREA), 1 / factor
    small = cv2.resize(arr[:ch, :cw], (cw // factor, ch // factor), interpolation=cv2.INTER_AREA)
    return small, 1 / factor


def _small_gray(arr: np.ndarray, long_side: int) -> tuple[np.ndarray, float]:
    """Downscale to about long_side pixels and convert to grey; return it and the scale."""
    small, scale = _shrink(arr, long_side)
    if small.ndim == 3:
        small = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    return small, scale


def _skew_scores(xs: np.ndarray, ys: np.ndarray, angles: np.ndarray, vertical: bool) -> np.ndarray:
    """Projection-profile sharpness (sum of squared bin counts) of the foreground points at each angle."""
    scores = np.empty(len(angles), dtype=np.float64)
    for i, angle in enumerate(angles):
        rad = math.radians(float(angle))
        c, s = math.cos(rad), math.sin(rad)
        key = (xs * c - ys * s) if vertical else (ys * c + xs * s)
        bins = key.astype(np.int32)
        bins -= bins.min()
        counts = np.bincount(bins).astype(np.float64)
        scores[i] = float(np.dot(counts, counts))
    return scores


def _skew_from_gray(gray: np.ndarray, max_angle: float = 10.0) -> float | None:
    """Estimate text skew on a small greyscale page by projection profiles; None when unreliable (blank, noise)."""
    h, w = gray.shape[:2]
    if min(h, w) < _MIN_ANALYSIS_SIDE:
        return None
    block = max(15, (min(h, w) // 40) | 1)
    binary = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 15)
    # Ignore a thin frame: scanner edges and photo borders are not text lines.
    margin = max(2, min(h, w) // 50)
    binary[:margin, :] = 0
    binary[-margin:, :] = 0
    binary[:, :margin] = 0
    binary[:, -margin:] = 0
    ys, xs = np.nonzero(binary)
    n = len(xs)
    if n < 200 or n > 0.4 * h * w:
        return None
    step = max(1, n // 40000)
    xs = xs[::step].astype(np.float32)
    ys = ys[::step].astype(np.float32)

    coarse = np.arange(-max_angle, max_angle + 1e-9, 0.5)
    best: tuple[float, float, bool] | None = None  # (sharpness ratio, angle, vertical)
    for vertical in (False, True):
        scores = _skew_scores(xs, ys, coarse, vertical)
        median = float(np.median(scores))
        if median <= 0:
            continue
        idx = int(np.argmax(scores))
        ratio = float(scores[idx]) / median
        if best is None or ratio > best[0]:
            best = (ratio, float(coarse[idx]), vertical)
    if best is None:
        return None
    ratio, angle, vertical = best
    # A text page has one sharp peak; noise, photos and blank paper give a flat curve.
    if ratio < 1.25 or abs(angle) >= max_angle:
        return None
    fine = np.arange(angle - 0.5, angle + 0.5 + 1e-9, 0.05)
    scores = _skew_scores(xs, ys, fine, vertical)
    idx = int(np.argmax(scores))
    refined = float(fine[idx])
    if 0 < idx < len(fine) - 1:  # parabolic interpolation between neighbouring angles
        a, b, c = scores[idx - 1], scores[idx], scores[idx + 1]
        denom = a - 2 * b + c
        if denom < 0:
            refined += 0.05 * 0.5 * float(a - c) / float(denom)
    return refined


def _paper_colour(small: np.ndarray) -> tuple[int, ...]:
    """Estimate the paper colour (per channel) to fill corners uncovered by rotation instead of black."""
    if small.size == 0:
        return (255,) if small.ndim == 2 else (255, 255, 255)
    small = small[::3, ::3]  # a sample is plenty for a percentile
    if small.ndim == 2:
        return (int(np.percentile(small, 75)),)
    flat = small.reshape(-1, small.shape[2])
    return tuple(int(v) for v in np.percentile(flat, 75, axis=0))


def _order_corners(pts: np.ndarray) -> np.ndarray:
    """Order four points as top-left, top-right, bottom-right, bottom-left."""
    pts = pts.reshape(4, 2).astype(np.float32)
    s = pts.sum(axis=1)
    d = pts[:, 1] - pts[:, 0]
    return np.array([pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)], pts[np.argmax(d)]], dtype=np.float32)


def _quad_from_mask(mask: np.ndarray, min_area: float) -> np.ndarray | None:
    """Return the largest convex 4-corner contour of a binary mask covering at least min_area pixels."""
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:5]:
        hull = cv2.convexHull(contour)
        if cv2.contourArea(hull) < min_area:
            break
        peri = cv2.arcLength(hull, True)
        for eps in (0.02, 0.03, 0.045, 0.06):
            approx = cv2.approxPolyDP(hull, eps * peri, True)
            if len(approx) == 4 and cv2.isContourConvex(approx) and cv2.contourArea(approx) >= min_area:
                return _order_corners(approx)
    return None


def _quad_is_plausible(quad: np.ndarray, gray: np.ndarray) -> bool:
    """Accept a quad only if it is not degenerate, not the photo frame, and brighter than what surrounds it."""
    h, w = gray.shape[:2]
    tl, tr, br, bl = quad
    sides = [np.linalg.norm(tr - tl), np.linalg.norm(br - tr), np.linalg.norm(bl - br), np.linalg.norm(tl - bl)]
    if min(sides) < 0.1 * min(w, h):
        return False
    frame = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], dtype=np.float32)
    if bool(np.all(np.linalg.norm(quad - frame, axis=1) < 0.02 * max(w, h))):
        return False  # the photo is already cropped to the page
    # Paper on a table/background: the inside must be clearly lighter than the outside. This rejects the
    # text block of an already-cropped page (its surroundings are white margins).
    inside = np.zeros((h, w), dtype=np.uint8)
    cv2.fillConvexPoly(inside, np.round(quad).astype(np.int32), 255)
    outside_pixels = gray[inside == 0]
    if outside_pixels.size < 0.01 * h * w:
        return True
    return float(np.median(outside_pixels)) < float(np.median(gray[inside > 0])) - 20


def _camera_aspect(quad: np.ndarray, w: int, h: int) -> float | None:
    """Recover the true width/height ratio of a photographed rectangle (Zhang & He, pinhole camera, centred).

    The focal length comes from the quad itself; when a side pair is parallel it cannot, and a typical phone
    main camera (26 mm equivalent, about 0.75 x the long side in pixels) is assumed. Returns None when the quad
    is inconsistent with a plausible camera (e.g. the photo was cropped); the measured sides are used then.
    """
    centre = np.array([w / 2, h / 2], dtype=np.float64)
    m1, m2, m4, m3 = (np.append(p.astype(np.float64) - centre, 1.0) for p in quad)  # tl, tr, br, bl
    c14 = np.cross(m1, m4)
    d2 = float(np.dot(np.cross(m2, m4), m3))
    d3 = float(np.dot(np.cross(m3, m4), m2))
    if abs(d2) < 1e-9 or abs(d3) < 1e-9:
        return None
    n2 = float(np.dot(c14, m3)) / d2 * m2 - m1  # image of the page's horizontal direction
    n3 = float(np.dot(c14, m2)) / d3 * m3 - m1  # image of the page's vertical direction
    longest = float(max(w, h))
    if abs(n2[2]) < 1e-6 or abs(n3[2]) < 1e-6:
        f2 = (0.75 * longest) ** 2
    else:
        f2 = -(n2[0] * n3[0] + n2[1] * n3[1]) / (n2[2] * n3[2])
        if not (f2 > 0 and 0.3 * longest <= math.sqrt(f2) <= 5 * longest):
            return None
    num = (n2[0] ** 2 + n2[1] ** 2) / f2 + n2[2] ** 2
    den = (n3[0] ** 2 + n3[1] ** 2) / f2 + n3[2] ** 2
    if num <= 0 or den <= 0:
        return None
    return math.sqrt(num / den)


def _find_quad_small(gray: np.ndarray) -> np.ndarray | None:
    """Find the page quadrilateral in a small greyscale photo: bright-page mask first, then edges."""
    h, w = gray.shape[:2]
    if min(h, w) < _MIN_ANALYSIS_SIDE:
        return None
    min_area = 0.2 * h * w
    blur = cv2.GaussianBlur(gray, (5, 5), 0)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5))
    otsu, mask = cv2.threshold(blur, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel, iterations=2)
    candidates = [mask]
    edges = cv2.Canny(blur, max(10.0, 0.5 * otsu), max(30.0, otsu))
    candidates.append(cv2.dilate(edges, kernel, iterations=1))
    for candidate in candidates:
        quad = _quad_from_mask(candidate, min_area)
        if quad is not None and _quad_is_plausible(quad, gray):
            return quad
    return None


def _quad_size(quad: np.ndarray) -> tuple[float, float]:
    """Width and height of the rectified page: the longer of each pair of opposite sides."""
    tl, tr, br, bl = quad
    width = max(float(np.linalg.norm(tr - tl)), float(np.linalg.norm(br - bl)))
    height = max(float(np.linalg.norm(bl - tl)), float(np.linalg.norm(br - tr)))
    return width, height


def _page_size(quad: np.ndarray, w: int, h: int) -> tuple[float, float]:
    """Pixel size of the rectified page: measured sides, proportions corrected for perspective and snapped to A4."""
    width, height = _quad_size(quad)
    aspect = _camera_aspect(quad, w, h)
    # Beyond 30% foreshortening (a tilt over ~45 degrees) the camera model is more likely wrong than the photo.
    if aspect is not None and aspect > 0 and abs(aspect / (width / height) - 1) <= 0.3:
        # Keep the longer measured side (least foreshortened) and derive the other from the true ratio.
        if width >= height:
            height = width / aspect
        else:
            width = height * aspect
    return _snap_a4(width, height)


def _snap_a4(width: float, height: float) -> tuple[float, float]:
    """Snap a page size to exact ISO A proportions (A3/A4/A5 share them) when within 12%."""
    long_, short = max(width, height), min(width, height)
    if short <= 0 or abs((long_ / short) / A4_ASPECT - 1) > 0.12:
        return width, height
    short = long_ / A4_ASPECT
    return (short, long_) if height >= width else (long_, short)


def _snap_dpi(dpi: float) -> int:
    """Round an estimated dpi to a common scanner value when within 3%, else to the nearest integer."""
    for common in _COMMON_DPIS:
        if abs(dpi - common) <= 0.03 * common:
            return common
    return max(1, round(dpi))


# --------------------------------------------------------------------------------------------------
# Public building blocks
# --------------------------------------------------------------------------------------------------


def estimate_skew(img: Image.Image, *, max_angle: float = 10.0) -> float | None:
    """Estimate a page's skew in degrees (positive = counter-clockwise), or None if no reliable text lines."""
    img = normalize_mode(img)
    if min(img.size) < _MIN_ANALYSIS_SIDE:
        return None
    small, _ = _small_gray(_to_array(img), _SKEW_SIZE)
    return _skew_from_gray(small, max_angle)


def find_page_quad(img: Image.Image) -> np.ndarray | None:
    """Locate the page in a photo; return its corners (tl, tr, br, bl) in image pixels, or None."""
    img = normalize_mode(img)
    if min(img.size) < _MIN_ANALYSIS_SIDE:
        return None
    small, scale = _small_gray(_to_array(img), _DETECT_SIZE)
    quad = _find_quad_small(small)
    return None if quad is None else quad / scale


def deskew(img: Image.Image, *, min_angle: float = 0.3, max_angle: float = 10.0) -> tuple[Image.Image, float]:
    """Rotate a page to level its text lines when the skew is reliable and in [min_angle, max_angle]; keep size."""
    img = normalize_mode(img)
    if min(img.size) < _MIN_ANALYSIS_SIDE:
        return img, 0.0
    arr = _to_array(img)
    small, _ = _small_gray(arr, _SKEW_SIZE)
    angle = _skew_from_gray(small, max_angle)
    if angle is None or not (min_angle <= abs(angle) <= max_angle):
        return img, 0.0
    h, w = arr.shape[:2]
    matrix = cv2.getRotationMatrix2D(((w - 1) / 2, (h - 1) / 2), -angle, 1.0)
    fill = _paper_colour(small if arr.ndim == 2 else _shrink(arr, _SKEW_SIZE)[0])
    out = cv2.warpAffine(
        arr, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=_border(fill)
    )
    del arr
    return Image.fromarray(out), angle


def _border(fill: tuple[int, ...]) -> tuple[int, int, int, int]:
    """Pad a fill colour to the 4-tuple OpenCV expects for borderValue."""
    values = list(fill) + [fill[-1]] * (4 - len(fill))
    return (values[0], values[1], values[2], values[3])


# --------------------------------------------------------------------------------------------------
# prepare_page
# --------------------------------------------------------------------------------------------------


def prepare_page(
    img: Image.Image,
    *,
    source_dpi: float | None,
    is_photo: bool,
    target_dpi: int = 300,
    min_dpi: int = 200,
) -> PreparedPage:
    """Turn one scanned or photographed page into an upright, level, 'L'/'RGB' image with a known dpi."""
    img.load()  # decode errors surface here, before any fallback logic
    oriented, rotated = _apply_orientation(img)
    page = normalize_mode(oriented)
    del oriented
    w, h = page.size
    if w < 1 or h < 1 or min(w, h) < _MIN_ANALYSIS_SIDE:
        return _finish(page, *_scan_dpi(page.size, source_dpi, min_dpi), rotated, 0.0, False)
    try:
        if is_photo:
            return _prepare_photo(page, rotated, target_dpi, min_dpi)
        return _prepare_scan(page, rotated, source_dpi, min_dpi)
    except (cv2.error, ValueError, ArithmeticError, IndexError, TypeError):
        # Optional geometry failed on a strange image: hand back the upright page untouched.
        logger.warning("page preparation failed; keeping the page as is", exc_info=True)
        dpi, low = _scan_dpi(page.size, None if is_photo else source_dpi, min_dpi)
        return _finish(page, dpi, low, rotated, 0.0, False)


def _scan_dpi(size: tuple[int, int], source_dpi: float | None, min_dpi: int) -> tuple[int, bool]:
    """Use the scanner's dpi if known, else estimate it assuming an A4 page; flag below min_dpi."""
    if source_dpi is not None and math.isfinite(source_dpi) and source_dpi > 0:
        dpi = max(1, round(source_dpi))
        # To 0.1 dpi: PNG stores pixels per metre, so a 200-dpi scan reads back as 199.9996 and must
        # not be flagged (nor sent back by QC) as below 200 dpi.
        return dpi, round(source_dpi, 1) < min_dpi
    estimate = max(size) / A4_LONG_IN
    dpi = _snap_dpi(estimate)
    return dpi, dpi < min_dpi


def _finish(image: Image.Image, dpi: int, low_dpi: bool, rotated: int, skew: float, perspective: bool) -> PreparedPage:
    """Stamp the dpi into the image info and build the result."""
    image.info["dpi"] = (dpi, dpi)
    return PreparedPage(
        image=image, dpi=dpi, low_dpi=low_dpi, rotated=rotated, skew=round(skew, 2), perspective_corrected=perspective
    )


# Below 1° a scan is left as the scanner made it: Tesseract reads such pages as well unaided, while the
# bilinear rotation softens the glyphs and made Tesseract ~20% slower on them (docs/performance.md), and
# the archival image stays the scanner's own pixels (so its JPEG can be embedded as it is).
SCAN_MIN_SKEW = 1.0


def _prepare_scan(page: Image.Image, rotated: int, source_dpi: float | None, min_dpi: int) -> PreparedPage:
    """Scan path: keep pixels and dpi, only deskew small angles."""
    dpi, low = _scan_dpi(page.size, source_dpi, min_dpi)
    icc = page.info.get("icc_profile")
    out, skew = deskew(page, min_angle=SCAN_MIN_SKEW)
    if icc and "icc_profile" not in out.info:
        out.info["icc_profile"] = icc
    return _finish(out, dpi, low, rotated, skew, False)


def _prepare_photo(page: Image.Image, rotated: int, target_dpi: int, min_dpi: int) -> PreparedPage:
    """Photo path: find and rectify the page, deskew and resample to target_dpi in a single full-size warp."""
    icc = page.info.get("icc_profile")
    arr = _to_array(page)
    del page
    h, w = arr.shape[:2]

    small_colour, det_scale = _shrink(arr, _DETECT_SIZE)
    small = cv2.cvtColor(small_colour, cv2.COLOR_RGB2GRAY) if small_colour.ndim == 3 else small_colour
    quad_small = _find_quad_small(small)

    # Source quadrilateral in full-resolution pixels and the measured page size.
    if quad_small is not None:
        # Pull the corners 1.5 analysis pixels inwards so no sliver of background survives the warp.
        centre = quad_small.mean(axis=0)
        offsets = quad_small - centre
        lengths = np.maximum(np.linalg.norm(offsets, axis=1, keepdims=True), 1e-6)
        quad_small = (quad_small - offsets / lengths * 1.5).astype(np.float32)
        quad = quad_small / det_scale
        page_w, page_h = _page_size(quad, w, h)
    else:
        quad = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
        page_w, page_h = float(w), float(h)

    # Skew measured on a small rectified copy, so it can be folded into the single full-size warp.
    sk_scale = _SKEW_SIZE / max(page_w, page_h)
    sk_w, sk_h = max(1, round(page_w * sk_scale)), max(1, round(page_h * sk_scale))
    sk_dst = np.array([[0, 0], [sk_w, 0], [sk_w, sk_h], [0, sk_h]], dtype=np.float32)
    to_small = cv2.getPerspectiveTransform((quad * det_scale).astype(np.float32), sk_dst)
    small_page = cv2.warpPerspective(small_colour, to_small, (sk_w, sk_h), flags=cv2.INTER_LINEAR)
    del small_colour, small
    paper = _paper_colour(small_page)
    if small_page.ndim == 3:
        small_page = cv2.cvtColor(small_page, cv2.COLOR_RGB2GRAY)
    skew_est = _skew_from_gray(small_page)
    skew = skew_est if skew_est is not None and 0.3 <= abs(skew_est) <= 10.0 else 0.0

    # Output size and dpi (see the module docstring for the policy).
    target_dpi = max(1, target_dpi, min_dpi)  # never resample a page below the standard's minimum
    long_px = max(page_w, page_h)
    effective = long_px / A4_LONG_IN
    if effective >= min_dpi:
        dpi, low = target_dpi, False
        out_scale = (A4_LONG_IN * target_dpi) / long_px
    else:
        dpi, low = max(1, round(effective)), True
        out_scale = 1.0
    out_w, out_h = max(1, round(page_w * out_scale)), max(1, round(page_h * out_scale))

    # Large reductions first go through an area-averaging resize, which a perspective warp cannot do.
    if out_scale < 0.6:
        pre = out_scale / 0.8
        arr = _resize(arr, pre, cv2.INTER_AREA)
        quad = quad * pre

    dst = np.array([[0, 0], [out_w, 0], [out_w, out_h], [0, out_h]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(quad.astype(np.float32), dst)
    if skew:
        rot = cv2.getRotationMatrix2D(((out_w - 1) / 2, (out_h - 1) / 2), -skew, 1.0)
        matrix = np.vstack([rot, [0.0, 0.0, 1.0]]) @ matrix
    # Bilinear: upsampling is at most target/min (1.5x) and cubic costs 3x the time for no OCR gain.
    out = cv2.warpPerspective(
        arr, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=_border(paper)
    )
    del arr
    image = Image.fromarray(out)
    if icc:
        image.info["icc_profile"] = icc
    return _finish(image, dpi, low, rotated, skew, quad_small is not None)
