"""The plain-text cleaning shortcuts give exactly what the long way gives."""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import sys

import ftfy
import pytest
from ftfy.badness import is_bad

from newsweave.clean import boilerplate, mojibake
from newsweave.clean.metadata import extract_text_metadata, parse_date_line
from newsweave.document import Document, Paragraph

from .conftest import SEEDS, SHARED_EVAL

TODAY = dt.date(2026, 11, 23)


def _ftfy(text: str) -> str:
    return ftfy.fix_text(text, uncurl_quotes=False, fix_character_width=False)


def _mojibake_texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    for name in ("in-the-wild", "synthetic", "negative", "known-failures", "language-names"):
        path = SHARED_EVAL / "mojibake" / f"{name}.json"
        if path.exists():
            for case in json.loads(path.read_text(encoding="utf-8")):
                for text in (case.get("original"), case.get("fixed")):
                    if isinstance(text, str):
                        texts += [text, text.encode("utf-8").decode("latin-1")]
    return texts


def _pairs_texts() -> list[str]:
    path = SHARED_EVAL / "news-similarity" / "pairs.csv"
    if not path.exists():
        return []
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding="utf-8") as rows:
        return list(dict.fromkeys(t for row in csv.DictReader(rows) for t in (row["text1"], row["text2"])))


# Clean text with one thing in it that ftfy acts on: each must send the text to ftfy.
_TRIGGERS = [
    "caf\u00e9\x85", "a\x00b", "\ufb01nance", "\u0133s", "line\r\nbreak", "a\u2028b", "\x1b[31mred",
    "AT&amp;T", "cafe\u0301", "\ufeffstart", "Ã©t", "â€œquoteâ€\x9d", "Ã ", "x\nÃ  y", "sÃ³", "×²", "вЂ",
]
# Clean text ftfy leaves alone, with characters the badness check looks at.
_CLEAN = [
    "„Wir müssen handeln“, sagte sie.", "Prezydent Andrzej Duda powiedział, że „to jest ważne”.",
    "Türkiye’de İstanbul’un Şişli ilçesinde", "Москва, 31 декабря 2019 г. — «ТАСС»", "AT&T and R&D",
    "英国的街道上堆满了圣诞垃圾，新年前夜？", "À Paris, l’été — «très chaud»", "5 × 3 = 15, 20 °C, 10 €",
]


def test_badness_proof_covers_the_installed_ftfy():
    """Accented prose is proved clean without running ftfy: the shortcut reads the installed
    ftfy's badness regex (if it could not, every text would go through ftfy: correct, slower)."""
    assert not mojibake.ftfy_would_change("Prezydent Andrzej Duda powiedział, że „to jest ważne”.")


def test_ftfy_has_no_fixer_the_shortcut_does_not_know():
    """`ftfy_would_change` checks what each of these fixers acts on; a new one needs a check too."""
    assert set(ftfy.TextFixerConfig._fields) == {
        "unescape_html", "remove_terminal_escapes", "fix_encoding", "restore_byte_a0", "replace_lossy_sequences",
        "decode_inconsistent_utf8", "fix_c1_controls", "fix_latin_ligatures", "fix_character_width",
        "uncurl_quotes", "fix_line_breaks", "fix_surrogates", "remove_control_chars", "normalization",
        "max_decode_length", "explain",
    }


@pytest.mark.parametrize("text", _TRIGGERS)
def test_text_ftfy_would_change_is_sent_to_ftfy(text):
    assert mojibake.ftfy_would_change(text)


@pytest.mark.parametrize("text", _CLEAN)
def test_clean_text_skips_ftfy_and_is_unchanged(text):
    assert not mojibake.ftfy_would_change(text) and _ftfy(text) == text


def test_ftfy_is_skipped_only_where_it_changes_nothing():
    for text in _TRIGGERS + _CLEAN + _mojibake_texts() + _pairs_texts():
        if not mojibake.ftfy_would_change(text):
            assert _ftfy(text) == text, text[:200]


def test_repair_with_and_without_the_shortcut_agree(monkeypatch):
    texts = _TRIGGERS + _CLEAN + _mojibake_texts() + _pairs_texts()
    fast = [mojibake.repair(t) for t in texts]
    monkeypatch.setattr(mojibake, "ftfy_would_change", lambda text: True)
    assert [mojibake.repair(t) for t in texts] == fast


def test_badness_windows_find_every_line_ftfy_calls_bad():
    """Random text from the characters the badness regex knows, lines and spaces included."""
    rng = random.Random(7)
    alphabet = sorted(set(mojibake._WITNESSES[0].pattern[1:-1]) | set("aZ. \n\u00a0ÃÂÙØà"))
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
        if any(is_bad(line) for line in text.splitlines(keepends=True)):
            assert mojibake._maybe_bad(text), repr(text)


def _instance(elements, rng: random.Random) -> str:
    """A random string matching one alternative of ftfy's badness regex."""
    import re._constants as sre

    out = []
    for op, av in elements:
        if op is sre.LITERAL:
            out.append(chr(av))
        elif op is sre.IN and av[0][0] is sre.NEGATE:
            out.append("1")  # the one negated set, [^A-Za-z], after "Œ"
        elif op is sre.IN:
            choices = []
            for item, value in av:
                if item is sre.LITERAL:
                    choices.append(chr(value))
                elif item is sre.RANGE:
                    choices.append(chr(rng.randint(*value)))
                elif item is sre.CATEGORY:
                    choices.append(" " if "SPACE" in str(value) else "a")
            out.append(rng.choice(choices))
        elif op is sre.ANY:
            out.append("x")
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            out.append(rng.choice(["", " "]))  # the only repeat is an optional space
    return "".join(out)


def test_badness_windows_find_every_kind_of_bad_sequence():
    """An instance of each alternative of the badness regex, in clean context, is seen."""
    import re._parser as sre_parse

    from ftfy.badness import BADNESS_RE

    rng = random.Random(11)
    [(_, (_, alternatives))] = sre_parse.parse(BADNESS_RE.pattern, BADNESS_RE.flags).data
    for alternative in alternatives:
        for _ in range(30):
            piece = _instance(alternative.data, rng)
            before = "Ein sauberer Satz über Köln.\n" if str(alternative.data[0][0]) == "AT" else "Ein sauberer Satz über "
            text = before + piece + " und danach mehr Text."
            assert BADNESS_RE.search(piece) and mojibake._maybe_bad(text), repr(piece)


def test_ideograph_prefilter_holds_every_ideograph():
    everything = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    ideographs = "".join(boilerplate._IDEOGRAPHS.findall(everything))
    assert len(boilerplate._MAYBE_IDEOGRAPHS.findall(ideographs)) == len(ideographs)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("Photos: ACME Media. All rights reserved.", "copyright"),
        ("Copyright 2023 ACME", "copyright"),
        ("Inhalte: dpa. Alle Rechte vorbehalten.", "copyright"),
        ("Bu haberin tüm hakları saklıdır.", "copyright"),
        ("本站文章 版权所有", "copyright"),
        ("Die Inhalte wurden automatisch übersetzt.", "disclaimer"),
        ("The opinions here do not necessarily reflect the views of ACME.", "disclaimer"),
        ("Our Standards: The Thomson Reuters Trust Principles.", "disclaimer"),
    ],
)
def test_rights_and_disclaimer_phrases_anywhere_in_a_short_line_are_furniture(line, reason):
    assert boilerplate.furniture_reason(line) == reason


def test_word_counts_are_computed_once_per_line_with_the_same_result():
    lines = ["Home", "出于安全考虑，海地领导人纪念独立日。", "A sentence of article text, long enough.", "ＧＤＰ 增长"]
    assert [boilerplate.word_count(line) for line in lines] == [1, 9, 7, 3]
    assert boilerplate.looks_like_page(lines) == boilerplate._looks_like_page(lines, [1, 9, 7, 3])


def test_a_line_whose_only_number_is_the_year_is_a_headline_not_a_date():
    asked: list[str] = []

    def language() -> str:
        asked.append("en")
        return "en"

    assert parse_date_line("Food trend wishlist for 2020", TODAY, language) is None
    assert asked == []  # dateparser (and the language) not needed
    assert parse_date_line("Wednesday, January 01, 2020", TODAY, language) == "2020-01-01"
    assert asked == ["en"]


def test_the_language_is_identified_once_and_only_for_a_date_line():
    calls: list[int] = []

    def language() -> str:
        calls.append(1)
        return "de"

    def doc(*lines: str) -> Document:
        return Document("d", "s", "h", paragraphs=[Paragraph(line) for line in lines])

    body = "Die Regierung hat am Mittwoch in Berlin neue Regeln beschlossen, hieß es aus Kreisen."
    extract_text_metadata(doc("Neue Regeln für Berlin", body, "Weitere Sätze folgen hier."), TODAY, language)
    assert calls == []
    done = extract_text_metadata(doc("Neue Regeln für Berlin", "10. Februar 2020, 14:54 Uhr", "3. März 2020", body), TODAY, language)
    assert calls == [1] and done.published == "2020-02-10"
