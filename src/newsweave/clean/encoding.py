"""Bytes to text: refuse what is not text, honour BOMs, prefer UTF-8, detect the rest.

Order of trust: a byte-order mark, then strict UTF-8 (valid UTF-8 is almost never an
accident), then a charset the container declared (HTML meta, HTTP header), then
charset-normalizer's guess among the encodings that decode the bytes at all.
"""

from __future__ import annotations

import codecs
import unicodedata
from collections.abc import Callable

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

# EBCDIC code pages decode almost any byte soup into letters; no news site serves them.
_NEVER_NEWS = ["cp037", "cp273", "cp424", "cp500", "cp875", "cp1026", "cp1125", "cp1140", "mac_iceland"]

# Readings this close to the detector's best are all candidates for the plausibility check.
_CLOSE_CHAOS = 0.02
_CLOSE_COHERENCE = 0.05
_SAMPLE_CHARS = 4000
# Letters outside ASCII that each language writes (Latin-script languages whose legacy
# code pages collide). A reading full of letters its own language never uses is wrong.
_ALPHABETS = {
    "cs": "áčďéěíňóřšťúůýž", "da": "æøåé", "de": "äöüßé", "es": "áéíñóúü¿¡", "et": "äöõüšž",
    "fi": "äöåšž", "fr": "àâæçéèêëîïôœùûüÿ", "hr": "čćđšž", "hu": "áéíóöőúüű", "is": "áðéíóúýþæö",
    "it": "àèéìíîòóùú", "lt": "ąčęėįšųūž", "lv": "āčēģīķļņšūž", "nl": "éëïóöü", "no": "æøåé",
    "pl": "ąćęłńóśźż", "pt": "áàâãçéêíóôõú", "ro": "ăâîșțşţ", "sk": "áäčďéíĺľňóôŕšťúýž",
    "sl": "čšžćđ", "sq": "çë", "sv": "åäöé", "tr": "çğıİöşüâî", "ca": "àçèéíïòóúü·", "eu": "ñü",
    "gl": "áéíñóúü",
}

# Legacy encodings by how common they are on news sites (most first), for breaking ties.
_WEB_PREVALENCE = {
    name: rank
    for rank, name in enumerate(
        ["cp1252", "iso8859_1", "iso8859_15", "cp1251", "koi8_r", "cp1250", "iso8859_2", "cp1254",
         "iso8859_9", "cp1256", "iso8859_6", "cp1253", "iso8859_7", "cp1255", "gb18030", "gbk", "gb2312",
         "big5", "shift_jis", "euc_jp", "euc_kr", "cp1257", "cp1258"]
    )
}

# Bytes that never occur in text: C0 controls other than tab, newlines, form feed, ESC.
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))


def _alphabet_fit(text: str, language: str | None) -> float:
    """How plausible a reading's non-ASCII letters are, from 0 to 1 (1.0 if it has none).

    For a Latin-script language we know, the share of them its alphabet has; otherwise the
    share not stuck inside a word of ASCII letters in another script ("Hьkьmet" is cp1251
    read from Turkish; real Cyrillic words are Cyrillic throughout).
    """
    words = [w for w in text.casefold().split() if any(ord(c) > 127 and c.isalpha() for c in w)]
    letters = [c for w in words for c in w if ord(c) > 127 and c.isalpha()]
    if not letters:
        return 1.0
    alphabet = _ALPHABETS.get(language or "")
    if alphabet is not None:
        return sum(1 for c in letters if c in alphabet) / len(letters)
    mixed = sum(
        1
        for w in words
        if any(c.isascii() and c.isalpha() for c in w)
        for c in w
        if ord(c) > 127 and c.isalpha() and not unicodedata.name(c, "").startswith("LATIN")
    )
    return 1.0 - mixed / len(letters)


def _has_control_bytes(head: bytes) -> bool:
    return len(head.translate(None, _CONTROL)) < len(head)


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' if the bytes read as printable text that way, else None."""
    if len(data) < 4:
        return None
    # ASCII in UTF-16 puts its NUL byte second (little-endian) or first (big-endian).
    big_endian_first = data[0::2].count(b"\x00") > data[1::2].count(b"\x00")
    for codec in ("utf-16-be", "utf-16-le") if big_endian_first else ("utf-16-le", "utf-16-be"):
        try:
            text = data[: len(data) // 2 * 2].decode(codec)
        except UnicodeDecodeError:
            continue
        printable = sum(1 for c in text if c.isprintable() or c.isspace())
        letters = sum(1 for c in text if c.isalpha())
        if printable >= 0.98 * len(text) and letters >= 0.5 * len(text):
            return codec
    return None


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
    if controls / len(head) > 0.02 and not _utf16_without_bom(head):
        return "binary data (control bytes in the text)"
    return None


def decode(
    data: bytes, declared: str | None = None, guess_language: Callable[[str], str | None] | None = None
) -> tuple[str, str]:
    """Return (text, encoding used). Raises BadContent for empty, binary or undecodable input.

    `guess_language` (the pipeline passes its language identifier) lets equally clean
    readings be told apart by whether their accented letters belong to that language.
    """
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
    # UTF-16 without a BOM is also valid UTF-8 when it is mostly ASCII: look for it first.
    utf16 = _utf16_without_bom(data[:8192]) if _has_control_bytes(data[:8192]) else None
    if utf16:
        try:
            return data.decode(utf16), utf16
        except UnicodeDecodeError:
            pass
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
    matches = charset_normalizer.from_bytes(data, cp_exclusion=_NEVER_NEWS)
    best = matches.best()
    if best is None:
        raise BadContent("undecodable bytes: no character encoding fits this input")
    # Readings as clean as the best one (Spanish in cp1252 also reads as cp1250, ñ → ń; Czech
    # in cp1250 also reads as cp1252, ř → ø), plus the common code pages the detector may not
    # have proposed (it reads ISO-8859-2 Polish as ISO-8859-10): keep the one whose accented
    # letters belong to the language it is written in; ties go to the detector's choice,
    # then to the code page the web uses most.
    readings: dict[str, str] = {}
    for match in matches:
        if match.chaos <= best.chaos + _CLOSE_CHAOS and match.coherence >= best.coherence - _CLOSE_COHERENCE:
            readings.setdefault(match.encoding, str(match))
    if guess_language is None or len(readings) + len(_WEB_PREVALENCE) == 1:
        return str(best), best.encoding
    for codec in _WEB_PREVALENCE:
        try:
            readings.setdefault(codec, data.decode(codec))
        except (UnicodeDecodeError, LookupError):
            continue

    def rank(codec: str) -> tuple[float, int, int]:
        sample = readings[codec][:_SAMPLE_CHARS]
        fit = _alphabet_fit(sample, guess_language(sample))
        return (-fit, codec != best.encoding, _WEB_PREVALENCE.get(codec, len(_WEB_PREVALENCE)))

    chosen = min(readings, key=rank)
    return readings[chosen], chosen
