"""What a file really is, from its first bytes (never from its name)."""

from __future__ import annotations

from pathlib import Path

MIME = {
    "pdf": "application/pdf",
    "tiff": "image/tiff",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "heic": "image/heic",
}


def sniff(file: Path | str) -> str | None:
    """The MIME type of a supported format, or None."""
    with open(file, "rb") as fh:
        head = fh.read(1024)
    if head.startswith(b"%PDF-") or (b"%PDF-" in head[:1024] and head.lstrip()[:1] == b"%"):
        return MIME["pdf"]
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return MIME["tiff"]
    if head[:3] == b"\xff\xd8\xff":
        return MIME["jpeg"]
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return MIME["png"]
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return MIME["webp"]
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis"):
        return MIME["heic"]
    return None
