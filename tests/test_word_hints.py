"""Word hints written into TAG before a model's tok2vec: jieba's word tags for zh (one per
character, aligned with the text, in either script) and Snowball stems for tr; the shipped
models run them first."""

from __future__ import annotations

import spacy

from newsweave.entities import stems
from newsweave.entities.chinese_words import COMPONENT, char_tags, simplified
from newsweave.entities.ner import EntityRecognizer

TRADITIONAL = "俄羅斯外長拉夫羅夫在莫斯科會見了塔利班代表團。"
SIMPLIFIED = "俄罗斯外长拉夫罗夫在莫斯科会见了塔利班代表团。"


def test_traditional_text_is_made_simplified_character_for_character() -> None:
    assert simplified(TRADITIONAL) == SIMPLIFIED
    assert len(simplified("乾隆後 Putin")) == len("乾隆後 Putin")


def test_every_character_gets_its_words_place_and_part_of_speech() -> None:
    tags = char_tags(TRADITIONAL)
    assert len(tags) == len(TRADITIONAL)
    assert tags == char_tags(SIMPLIFIED)  # the script does not change the hints
    # 俄羅斯 is one word, a place name: begin, middle, end
    assert tags[:3] == ["B-ns", "M-ns", "E-ns"]
    assert tags[TRADITIONAL.index("在")] == "S-p"
    assert all(tag[0] in "BMES" for tag in tags)


def test_a_blank_chinese_pipeline_gets_tags_that_follow_the_text_with_spaces() -> None:
    nlp = spacy.blank("zh")
    nlp.add_pipe(COMPONENT)
    doc = nlp("外長  拉夫羅夫 said")
    by_text = {t.text: t.tag_ for t in doc}
    assert by_text["拉"].startswith("B-") and by_text["羅"].startswith("M-")
    assert doc[-1].text == "d" and doc[-1].tag_.startswith("E-")  # "said" is its own word
    assert nlp("").text == ""


def test_the_shipped_zh_model_reads_the_word_hints() -> None:
    nlp = EntityRecognizer().load("zh")
    assert nlp.pipe_names[0] == COMPONENT
    assert "TAG" in nlp.config["components"]["tok2vec"]["model"]["embed"]["attrs"]
    doc = nlp(TRADITIONAL)
    assert [t.tag_ for t in doc] == char_tags(TRADITIONAL)


def test_turkish_suffixed_forms_of_a_name_share_a_stem() -> None:
    nlp = spacy.blank("tr")
    nlp.add_pipe(stems.COMPONENT)
    doc = nlp("Rusya Rusya'ya Rusya'nın ve Ankara'da Ankara'dan")
    tags = {t.text: t.tag_ for t in doc}
    assert tags["Rusya'ya"] == tags["Rusya'nın"] != tags["Ankara'da"]
    assert tags["Ankara'da"] == tags["Ankara'dan"]


def test_the_shipped_tr_model_reads_the_stems() -> None:
    recognizer = EntityRecognizer()
    nlp = recognizer.load("tr")
    assert nlp.pipe_names == [stems.COMPONENT, "tok2vec", "ner"]
    assert "TAG" in nlp.config["components"]["tok2vec"]["model"]["embed"]["attrs"]
    text = "Dışişleri Bakanı Mevlüt Çavuşoğlu Moskova'da Rusya'nın Dışişleri Bakanı Sergey Lavrov ile görüştü."
    mentions = recognizer.mentions(text, "tr")
    assert any(m.type == "LOC" and m.text == "Moskova" for m in mentions)
    assert any(m.type == "PER" and "Lavrov" in m.text for m in mentions)


def test_training_configs_put_the_hints_first_and_annotate_batches_with_them() -> None:
    from spacy.util import load_config_from_str

    from training.ner import config_text

    for lang, component in (("zh", COMPONENT), ("tr", stems.COMPONENT)):
        config = load_config_from_str(config_text(lang), interpolate=False)
        assert config["nlp"]["pipeline"] == [component, "tok2vec", "ner"]
        assert config["training"]["annotating_components"] == [component]  # spaCy's batches lack TAG otherwise
        embed = config["components"]["tok2vec"]["model"]["embed"]
        assert embed["attrs"][-1] == "TAG" and len(embed["rows"]) == len(embed["attrs"])
    plain = load_config_from_str(config_text("de"), interpolate=False)
    assert plain["nlp"]["pipeline"] == ["tok2vec", "ner"]
    assert "TAG" not in plain["components"]["tok2vec"]["model"]["embed"]["attrs"]
    assert "annotating_components" not in plain["training"]
