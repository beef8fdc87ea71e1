"""Bytes to text: refuse what is not text, honour BOMs, prefer UTF-8, detect the rest.

Order of trust: a byte-order mark, then strict UTF-8 (valid UTF-8 is almost never an
accident), then a charset the container declared (HTML meta, HTTP header), then
charset-normalizer's guess among the encodings that decode the bytes at all.
"""

from __future__ import annotations

import codecs

import charset_normalizer

from ..errors import NewsweaveError


class BadContent(NewsweaveError):
    """The bytes are not a text document; `reason` says what they look like instead."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# Signatures of common binary formats, so the error names what the file really is.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"RIFF", "a RIFF container (WebP image, WAV or AVI)"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or DOCX/XLSX/EPUB)"),
    (b"\x1f\x8b", "gzip data (name the file .gz to have it unpacked)"),
    (b"BZh", "bzip2 data"),
    (b"\xfd7zXZ\x00", "xz data"),
    (b"\x7fELF", "an executable (ELF)"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\x00\x00\x00\x18ftyp", "an MP4/HEIC file"),
    (b"\x00\x00\x00\x1cftyp", "an MP4/HEIC file"),
    (b"\x00\x00\x00 ftyp", "an MP4/HEIC file"),
    (b"ID3", "an MP3 file"),
    (b"OggS", "an Ogg media file"),
)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Bytes that never occur in text: C0 controls other than tab, newlines, form feed, ESC.
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))


def sniff_binary(data: bytes) -> str | None:
    """Name the binary format of `data`, or None if it may be text."""
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return name
    head = data[:8192]
    if not head:
        return None
    if any(head.startswith(bom) for bom, _ in _BOMS):
        return None
    controls = len(head) - len(head.translate(None, _CONTROL))
    # UTF-16 without a BOM has a NUL in every other byte; leave it to the detector.
    if controls / len(head) > 0.3 and head.count(b"\x00") / len(head) > 0.3:
        return None
    if controls / len(head) > 0.02:
        return "binary data (control bytes in the text)"
    return None


def decode(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Return (text, encoding used). Raises BadContent for empty, binary or undecodable input."""
    if not data.strip():
        raise BadContent("empty input (no text at all)")
    binary = sniff_binary(data)
    if binary:
        raise BadContent(f"not a text document: looks like {binary}")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                break
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if declared:
        try:
            codec = codecs.lookup(declared).name
            return data.decode(codec), codec
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong declaration is common; fall through to detection
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise BadContent("undecodable bytes: no character encoding fits this input")
    return str(best), best.encoding
