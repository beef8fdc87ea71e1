"""Mojibake repair: the damage ftfy leaves alone is repaired, clean text is never touched."""

from __future__ import annotations

import json

import ftfy
import pytest
from ftfy.fixes import fix_character_width, uncurl_quotes

from newsweave.clean.mojibake import repair

from .conftest import SHARED_EVAL, seed_path

MOJIBAKE_CASES = SHARED_EVAL / "mojibake"


def fixed(text: str) -> str:
    return repair(text)[0]


def test_seed_004_quotes_damaged_twice_are_fully_repaired():
    text = fixed(seed_path("004").read_text(encoding="utf-8"))
    assert "â€" not in text and "†" not in text and "TM" not in text
    assert text.splitlines()[0] == "Russia wants to ‘actively operate in Kabul,’ claiming the Taliban are ‘democratic.’"


@pytest.mark.parametrize(
    ("damaged", "repaired"),
    [
        ("gÃ1⁄4nlÃ1⁄4k haberler", "günlük haberler"),  # ü → Ã¼ → NFKC Ã1⁄4
        ("Italien, der TÃ1⁄4rkei und Griechenland", "Italien, der Türkei und Griechenland"),
        ("Horoz dÃ¶vÃ¼Å\x9fÃ¼ yaptÄ±ran zanlÄ±lar", "Horoz dövüşü yaptıran zanlılar"),
        # the C1 control of ş/ğ (byte 0x9F) was deleted: only "Å"/"Ä" is left
        ("EBA Åifremi nasÄ±l oluÅturulur", "EBA şifremi nasıl oluşturulur"),
        # ftfy leaves this short piece in otherwise repaired mixed text
        ("EBA Ã¶ÄŸrenci giriÅŸ Nereden yapÄ±lÄ±r? İTÇ Şifresi", "EBA öğrenci giriş Nereden yapılır? İTÇ Şifresi"),
    ],
)
def test_turkish_mojibake_damaged_twice_is_repaired(damaged, repaired):
    assert fixed(damaged) == repaired


def test_polish_letter_folded_into_an_ellipsis_is_repaired():
    assert fixed("Sprawa trafi do sÄ...du w przyszÅ‚ym tygodniu.") == "Sprawa trafi do sądu w przyszłym tygodniu."


def test_german_quotes_are_kept_and_restored():
    assert fixed("„Wir müssen handeln“, sagte sie.") == "„Wir müssen handeln“, sagte sie."
    assert fixed("â€žWir mÃ¼ssen handelnâ€œ, sagte sie.") == "„Wir müssen handeln“, sagte sie."


def test_full_width_cjk_punctuation_is_kept_and_full_width_latin_is_narrowed():
    assert fixed("英国的街道上堆满了圣诞垃圾，新年前夜？") == "英国的街道上堆满了圣诞垃圾，新年前夜？"
    assert fixed("ＧＤＰ增长１２％") == "GDP增长12％"


@pytest.mark.parametrize(
    "clean",
    [
        "BÄDÄÑ....?",
        "Bremer/Mccoy – DrÃ¥ber",
        "C O N C L U S Ã O",
        "SÃO PAULO",
        "Ärzte warnen vor Ägäis-Urlaub",
        "Åsa Larsson, Århus",
        "RETWEET SE VOCÊ…",
        "Er starb † 2021 in Berlin.",
        "Price: 1⁄4 off, TM pending",
    ],
)
def test_clean_text_that_looks_like_mojibake_is_left_alone(clean):
    assert repair(clean) == (clean, [])


def _cases(name: str) -> list[dict]:
    if not MOJIBAKE_CASES.exists():
        pytest.skip(f"{MOJIBAKE_CASES} not found (needs ../shared/eval)")
    return json.loads((MOJIBAKE_CASES / f"{name}.json").read_text(encoding="utf-8"))


def _as_ftfy_would_write(text: str) -> str:
    """ftfy's expected outputs straighten quotes and narrow full-width forms; we keep both."""
    return fix_character_width(uncurl_quotes(text))


def test_ftfy_negative_cases_are_left_unchanged():
    changed = [c["original"] for c in _cases("negative") if _as_ftfy_would_write(fixed(c["original"])) != c["fixed"]]
    assert changed == []


@pytest.mark.parametrize("name", ["in-the-wild", "synthetic"])
def test_no_regression_against_ftfy_on_its_own_cases(name):
    regressions = []
    for case in _cases(name):
        for text in (case["original"], case["original"].encode("utf-8").decode("latin-1")):
            if ftfy.fix_text(text) == case["fixed"] and _as_ftfy_would_write(fixed(text)) != case["fixed"]:
                regressions.append(text)
    assert regressions == []


def test_mac_roman_read_as_latin1_is_decoded_but_cp1252_apostrophes_stay_apostrophes():
    assert fixed("Habitantes de Coatl\x87n conf\x92an en el edil") == "Habitantes de Coatlán confían en el edil"
    assert fixed("I don\x92t know, he said\x85") == "I don’t know, he said…"
