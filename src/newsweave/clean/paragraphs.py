"""Split flattened text into paragraphs, mending lines a scraper broke mid-sentence.

Scraped text uses one line per paragraph, blank lines between paragraphs, or hard-wrapped
lines; sometimes a paragraph is cut in two by a stray blank line ("their strict" /
"interpretation of …"). A line that does not end a sentence and is followed by a line
starting in lower case is one paragraph, whatever whitespace lies between them.
"""

from __future__ import annotations

import regex

_SENTENCE_END = regex.compile(r"[.!?…:;。！？؟»“”\"')\]]\s*$")
_STARTS_LOWER = regex.compile(r"^\s*\p{Ll}")


def split_paragraphs(text: str) -> list[str]:
    """Return the non-empty paragraphs of plain text, whitespace-normalised."""
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n")]
    paragraphs: list[str] = []
    for line in lines:
        if not line:
            continue
        if paragraphs and _continues(paragraphs[-1], line):
            previous = paragraphs[-1]
            if previous.endswith("-") and not previous.endswith(" -"):
                paragraphs[-1] = previous[:-1] + line  # a word hyphenated at the wrap
            else:
                paragraphs[-1] = previous + " " + line
        else:
            paragraphs.append(line)
    return paragraphs


def _continues(previous: str, line: str) -> bool:
    return not _SENTENCE_END.search(previous) and bool(_STARTS_LOWER.match(line))
