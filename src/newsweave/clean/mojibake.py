"""Repair mojibake: ftfy first, then the damage ftfy leaves alone, each rule behind evidence.

ftfy fixes text that was mis-decoded once (UTF-8 read as cp1252 / Latin-1) when the result
looks "bad" enough to be sure. News scraped from the web was often damaged a second time,
and then no longer looks like mojibake to ftfy:

- a Unicode compatibility normalisation (NFKC) folded the last character: `’` became `â€™`
  then `â€TM`; `ü` became `Ã¼` then `Ã1⁄4`. We unfold these, only after a mojibake lead.
- a cleaner deleted the C1 control that Latin-1 made of byte 0x9F: Turkish `ş` (C5 9F)
  became `Å\\x9f` then `Å`, `ğ` became `Ä`.
- ftfy decodes embedded mojibake in mixed text only where each piece looks bad on its own,
  so a short piece next to clean text (`giriÅŸ`) stays. Once the same text has shown
  unmistakable mojibake, we decode such leftover pieces too (with ftfy's own rule that a
  space after a lead byte was a no-break space: Arabic "Ù Ù Ù¡" → "٠٠١").
- Mac Roman bytes read as Latin-1 leave only C1 controls, which ftfy reads as cp1252.

Every extra rule fires only in text that carries unmistakable mojibake (`_EVIDENCE`), so
clean text, including capitals with punctuation (`VOCÊ…`, `SÃO`), passes through untouched.
Curly quotes are kept (German „…“, typographic apostrophes are content, not damage), and
so is full-width CJK punctuation (`，。？`), which ftfy would turn into ASCII.

Most text has nothing for ftfy to fix, and proving that (`ftfy_would_change`) costs a
few percent of running it, so clean text skips ftfy and comes out exactly as ftfy leaves it.
"""

from __future__ import annotations

import re
import unicodedata

import ftfy
import regex
from ftfy.badness import BADNESS_RE
from ftfy.chardata import CONTROL_CHARS, HTML_ENTITY_RE, LIGATURES, UTF8_DETECTOR_RE
from ftfy.fixes import restore_byte_a0

# Unmistakable mojibake: a UTF-8 lead byte read as cp1252/Latin-1 followed by the reading of
# a continuation byte that is not also plain punctuation (so `SÃO`, `VOCÊ…`, `IRMÃ”` do not
# count), "â€" (U+20xx punctuation) and the NFKC-folded forms below. Â, Ã, Ä, Å, Ð, Ñ, Ø,
# Ù are the leads of Latin-1 letters, Latin Extended-A (Turkish, Polish, Czech), Cyrillic,
# Arabic; no language puts them before these symbols or C1 controls.
_EVIDENCE = regex.compile(
    r"â€|â‚¬|Â[\x80-\xbf]"
    r"|[ÃÄÅÐÑØÙ][\x80-\x9f¡-º¼-¿€‚ƒ„†‡ˆ‰Š‹ŒŽ‘“•˜™š›œžŸ]"
    r"|[ÃÄÅÐÑØÙ](?:[123]⁄[24]|TM|\.\.\.(?=\p{Ll}))"
)

# NFKC folds the cp1252 readings of bytes 0x99 (™), 0xBC-0xBE (¼ ½ ¾) and 0x85 (…) into
# "TM", "1⁄4" "1⁄2" "3⁄4" and "...". Right after a mojibake lead (the reading of a UTF-8
# lead byte, or "â€" for U+20xx punctuation) they cannot be anything else, except "..."
# which legitimately follows a capital ("BÄDÄÑ...."): that one is unfolded only inside a
# word (Polish `ą` = C4 85 → "Ä…" → "Ä..." as in "sÄ...d"), i.e. when a letter follows.
_UNFOLD = {"TM": "™", "1⁄4": "¼", "1⁄2": "½", "3⁄4": "¾", "...": "…"}
_FOLDED = regex.compile(r"(?P<lead>â€|â‚|[ÃÂÅÄÐÑØÙ])(?P<tail>TM|[123]⁄[24]|\.\.\.(?=\p{L}))")

# `†` (U+2020) is what `‘` becomes after a second mis-decoding that lost its third byte
# (E2 80 98 → "â€˜" → "â€\xa0" → E2 80 A0 → "†"). Only trusted glued to a word, and only
# in text that showed other mojibake: a real dagger ("† 2021") is followed by a space.
_DAGGER_QUOTE = regex.compile(r"(?<![\p{L}\p{N}])†(?=\p{L})")

# Turkish is the only language whose mojibake shows `Ä±` (ı = C4 B1). Its `ğ`/`ş` (C4 9F /
# C5 9F, and capitals C4 9E / C5 9E) are the only Turkish letters whose second byte, read as
# Latin-1, is a C1 control, which cleaners delete: "oluÅturmak", "Åifre", "deÄer". In text
# with Turkish mojibake, a bare Ä/Å glued to a following letter is therefore ğ/ş (Ğ/Ş before
# a capital). `ğ` never starts a word, so Ä must also follow a letter; ftfy never touches
# these because nothing is left that looks like UTF-8.
_TURKISH_EVIDENCE = regex.compile(r"Ä[±°]|Ä\x9f|Å\x9f|ÄŸ|ÅŸ")
_TURKISH_LOST_BYTE = regex.compile(r"(?<=\p{L})Ä(?=\p{L})|(?<![\p{L}\p{N}])Å(?=\p{Ll})|(?<=\p{L})Å(?=\p{L})")

# Bytes of a Mac Roman text read as Latin-1: its accented letters (á = 0x87, í = 0x92) land
# on C1 controls, which ftfy maps through cp1252 ("Coatl‡n"). Mac Roman's 0x80-0x9F are all
# letters; cp1252 makes these of them symbols that never sit inside a word (€ ‚ „ † ‡ ˆ ‰ ‹
# • ˜ › and the undefined bytes). So a text whose only non-ASCII characters are C1 controls,
# one of them such a symbol glued between letters, is Mac Roman. ("tur\x92stico" alone stays:
# 0x92 is also cp1252's apostrophe, as in "don\x92t".)
_C1 = regex.compile(r"[\x80-\x9f]")
_MAC_ROMAN_WITNESS = regex.compile(r"(?<=\p{L})[\x80-\x82\x84\x86-\x89\x8b\x8d\x8f\x90\x95\x98\x9b\x9d](?=\p{L})")
_NOT_C1_NON_ASCII = regex.compile(r"[^\x00-\x9f]")

# Letters, marks and digits: what a leftover piece must decode to before we accept it
# (punctuation is left to ftfy, whose stricter rules already handle "â€œ" and the like).
_DECODED_OK = regex.compile(r"[\p{L}\p{M}\p{N} \xa0]+")

# ftfy's width fix turns full-width CJK punctuation (，：？（）) and the ideographic space into
# ASCII, which changes correct Chinese and Japanese text. We keep its useful half: full-width
# Latin letters and digits become ASCII, half-width katakana become full-width.
_WIDTH = {
    c: unicodedata.normalize("NFKC", chr(c))
    for c in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B), *range(0xFF66, 0xFF9E)]
}
_HALF_OR_FULL_WIDTH = re.compile("[\\uff10-\\uff9d]")  # holds every key of _WIDTH


# What ftfy.fix_text (with our options) could act on, from ftfy's own tables: C1 controls
# (and NEXT LINE), the control characters it deletes, the ligatures it splits, the line
# breaks it rewrites, surrogates and terminal escapes. Text holding none of these, no HTML
# entity, nothing ftfy's mojibake heuristic calls bad, and already in NFC comes back from
# ftfy unchanged, so `_fix_text` returns it at once: ftfy was half of plain-text cleaning.
_FTFY_TRIGGERS = re.compile(
    "["
    + "".join(re.escape(chr(c)) for c in sorted({*CONTROL_CHARS, *LIGATURES}))
    + "\\x80-\\x9f\\r\\u2028\\u2029\\ud800-\\udfff\\x1b]"
)
# ftfy fixes text line by line, and cuts a line longer than this into pieces; a cut could
# start a piece where `^` then matches, so text this long always goes to ftfy.
_FTFY_MAX_SEGMENT = ftfy.TextFixerConfig().max_decode_length


def _badness_witnesses() -> tuple[re.Pattern, int] | None:
    """Characters that every match of ftfy's badness regex holds, and its longest match.

    Each alternative of `BADNESS_RE` is a short run of character sets; from each we take a
    set of non-ASCII characters (the one with fewest letters, the later on a tie: rarest in
    prose). A text with none of these characters has no match, and one with some can only
    have matches within the longest match's length of one. None (always ask ftfy) if an
    ftfy release writes the regex in a shape this reasoning does not cover.
    """
    try:  # the standard library's regex parser: private, so without it we skip the shortcut
        import re._constants as sre
        import re._parser as sre_parse
    except ImportError:
        return None

    def charset(op, av) -> set[str] | None:
        if op is sre.LITERAL:
            return {chr(av)}
        if op is not sre.IN:
            return None
        chars: set[str] = set()
        for item, value in av:
            if item is sre.LITERAL:
                chars.add(chr(value))
            elif item is sre.RANGE:
                chars.update(map(chr, range(value[0], value[1] + 1)))
            else:  # a negated set or a category (\\s, \\w): no use as a witness
                return None
        return chars

    # Elements that look only at the characters they consume, so that a match inside one
    # line is a match in the whole text; `^` too, as we search with MULTILINE.
    plain = {sre.LITERAL, sre.IN, sre.ANY}
    repeats = {sre.MAX_REPEAT, sre.MIN_REPEAT}

    def local(op, av) -> bool:
        if op in repeats:
            return av[1] is not sre.MAXREPEAT and all(inner in plain for inner, _ in av[2])
        return op in plain or (op is sre.AT and av is sre.AT_BEGINNING)

    try:
        tree = sre_parse.parse(BADNESS_RE.pattern, BADNESS_RE.flags)
        [(op, (_, alternatives))] = tree.data
        if op is not sre.BRANCH:
            return None
        witnesses: set[str] = set()
        for alternative in alternatives:
            best: tuple[tuple[int, int], set[str]] | None = None
            for position, (op, av) in enumerate(alternative.data):
                if not local(op, av):
                    return None
                chars = charset(op, av)
                if chars and all(ord(c) > 127 for c in chars):
                    key = (sum(c.isalpha() for c in chars), -position)
                    if best is None or key < best[0]:
                        best = (key, chars)
            if best is None:
                return None
            witnesses |= best[1]
        width = tree.getwidth()[1]
    except (ValueError, TypeError, AttributeError, re.error):
        return None
    return re.compile("[" + "".join(re.escape(c) for c in sorted(witnesses)) + "]"), width


_WITNESSES = _badness_witnesses()
_BADNESS_BY_LINE = re.compile(BADNESS_RE.pattern, BADNESS_RE.flags | re.MULTILINE)


def _maybe_bad(text: str) -> bool:
    """Whether ftfy's badness regex may match in some line of `text` (True whenever it does)."""
    if _WITNESSES is None:
        return True
    witness, width = _WITNESSES
    for match in witness.finditer(text):
        at = match.start()
        if _BADNESS_BY_LINE.search(text, max(0, at - width + 1), at + width):
            return True
    return False


def ftfy_would_change(text: str) -> bool:
    """False when `ftfy.fix_text` with our options is sure to return `text` as it is."""
    return (
        len(text) > _FTFY_MAX_SEGMENT
        or bool(_FTFY_TRIGGERS.search(text))
        or ("&" in text and bool(HTML_ENTITY_RE.search(text)))
        or not unicodedata.is_normalized("NFC", text)
        or (not text.isascii() and _maybe_bad(text))
    )


def _fix_text(text: str) -> str:
    if not ftfy_would_change(text):
        return text
    return ftfy.fix_text(text, uncurl_quotes=False, fix_character_width=False)


def _decode_piece(match: regex.Match, before: str) -> str:
    """Decode one leftover UTF-8-looking piece, if it decodes cleanly to letters or digits.

    The piece must already be in the text ftfy was given: a piece that ftfy's own decoding
    produced ("Brontë…”" from a doubly damaged original) is legitimate text.
    """
    piece = match.group(0)
    if piece not in before:
        return piece
    for encoding in ("sloppy-windows-1252", "latin-1", "sloppy-windows-1250", "sloppy-windows-1254"):
        try:
            decoded = restore_byte_a0(piece.encode(encoding)).decode("utf-8")
        except UnicodeError:
            continue
        if _DECODED_OK.fullmatch(decoded) and not decoded.isascii():
            return decoded
    return piece


def _turkish_letter(match: regex.Match) -> str:
    text, end = match.string, match.end()
    upper = end < len(text) and text[end].isupper()
    if match.group(0) == "Ä":
        return "Ğ" if upper else "ğ"
    return "Ş" if upper else "ş"


def repair(text: str) -> tuple[str, list[str]]:
    """Return the repaired text and a list of what was repaired (for the record)."""
    repairs: list[str] = []
    damaged = bool(_EVIDENCE.search(text))
    unfolded = _FOLDED.sub(lambda m: m["lead"] + _UNFOLD[m["tail"]], text) if damaged else text
    if unfolded != text:
        repairs.append("unfolded twice-damaged mojibake")
    if _C1.search(unfolded) and _MAC_ROMAN_WITNESS.search(unfolded) and not _NOT_C1_NON_ASCII.search(unfolded):
        unfolded = unfolded.encode("latin-1").decode("mac_roman")
        repairs.append("decoded Mac Roman read as Latin-1")
    fixed = _fix_text(unfolded)
    if not fixed.isascii() and _HALF_OR_FULL_WIDTH.search(fixed):
        fixed = fixed.translate(_WIDTH)
    if fixed != unfolded:
        repairs.append("ftfy")
    # ftfy decoded mojibake here (it removed some of the evidence): the text is proven damaged.
    proven = damaged and len(_EVIDENCE.findall(fixed)) < len(_EVIDENCE.findall(unfolded))
    if proven:
        leftover = UTF8_DETECTOR_RE.sub(lambda m: _decode_piece(m, unfolded), fixed)
        if leftover != fixed:
            repairs.append("decoded mojibake left in mixed text")
            fixed = leftover
    if damaged:
        requoted = _DAGGER_QUOTE.sub("‘", fixed)
        if requoted != fixed:
            repairs.append("restored quotes lost to mojibake")
            fixed = requoted
    if proven and _TURKISH_EVIDENCE.search(text):
        restored = _TURKISH_LOST_BYTE.sub(_turkish_letter, fixed)
        if restored != fixed:
            repairs.append("restored Turkish letters that lost a byte")
            fixed = restored
    return fixed, repairs
