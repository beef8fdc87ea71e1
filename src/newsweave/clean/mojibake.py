"""Repair mojibake: ftfy first, then the twice-damaged text ftfy leaves alone.

Text that was mis-decoded (UTF-8 read as cp1252) and *then* passed through a Unicode
compatibility normalisation (NFKC) or an ASCII folder no longer looks like mojibake to ftfy:
`’` became `â€™` and then `â€TM`; `ü` became `Ã¼` and then `Ã1⁄4`. We undo the second
step only inside a mojibake lead sequence, which plain text never contains, and hand the
result back to ftfy. No library does this second step, hence the hand-written table.
"""

from __future__ import annotations

import ftfy
import regex

# Compatibility foldings of characters that occur as the last byte of cp1252 mojibake:
# NFKC turns ™ into "TM", ¼ ½ ¾ into "1⁄4" "1⁄2" "3⁄4", and … into "...".
_UNFOLD = {
    "TM": "™",
    "1⁄4": "¼",
    "1⁄2": "½",
    "3⁄4": "¾",
    "...": "…",
}
# A mojibake lead: the cp1252/latin-1 reading of a UTF-8 lead byte, optionally followed by
# the reading of one continuation byte (â€ for U+20xx punctuation). Then a folded tail.
_FOLDED = regex.compile(
    r"(?P<lead>â€|â‚|[ÃÂÅÄÐÑ])"
    r"(?P<tail>TM|1⁄4|1⁄2|3⁄4|\.\.\.)"
)
# U+2020 (†) is what `‘` becomes after a second mis-decoding that lost its third byte
# (E2 80 98 → "â€˜" → "â€\xa0" → E2 80 A0 → "†"). Only trusted glued to a word, and only
# in text that showed other mojibake: a real dagger ("† 2021") is followed by a space.
_DAGGER_QUOTE = regex.compile(r"(?<![\p{L}\p{N}])†(?=\p{L})")
_MOJIBAKE_HINT = regex.compile(r"â€|Ã[\x80-\xbf¡-¿]|Ã\d⁄\d")


def repair(text: str) -> tuple[str, list[str]]:
    """Return the repaired text and a list of what was repaired (for the record)."""
    repairs: list[str] = []
    damaged_twice = bool(_MOJIBAKE_HINT.search(text))
    unfolded = _FOLDED.sub(lambda m: m["lead"] + _UNFOLD[m["tail"]], text)
    if unfolded != text:
        repairs.append("unfolded twice-damaged mojibake")
    fixed = ftfy.fix_text(unfolded, uncurl_quotes=False)
    if fixed != unfolded:
        repairs.append("ftfy")
    if damaged_twice:
        requoted = _DAGGER_QUOTE.sub("‘", fixed)
        if requoted != fixed:
            repairs.append("restored quotes lost to mojibake")
            fixed = requoted
    return fixed, repairs
