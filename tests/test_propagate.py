"""Document-level consistency: a name found once is found in every paragraph."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from newsweave.document import Mention
from newsweave.entities.places import Gazetteer
from newsweave.entities.propagate import name_forms, propagate

from .conftest import mentions_in


def test_a_surname_is_found_again_with_its_case_ending(gazetteer: Gazetteer) -> None:
    texts = ["Der Außenminister Sergej Lawrow traf Vertreter der Taliban.",
             "Lawrows Kommentare kommen Tage später. Lawrowanie ist kein Name."]
    found = propagate(texts, mentions_in(texts[0], [("Sergej Lawrow", "PER")]), ["de", "de"], gazetteer)
    added = [m for m in found if m.paragraph == 1]
    assert [(m.text, m.type) for m in added] == [("Lawrows", "PER")]
    assert texts[1][added[0].start:added[0].end] == "Lawrows"


def test_what_the_model_tagged_is_kept_and_not_doubled(gazetteer: Gazetteer) -> None:
    texts = ["Moskau und Kabul verhandeln.", "In Moskau hieß es, Kabul sei bereit."]
    tagged = mentions_in(texts[0], [("Moskau", "LOC"), ("Kabul", "LOC")]) + mentions_in(texts[1], [("Moskau", "LOC")])
    tagged[2].paragraph = 1
    found = propagate(texts, tagged, ["de", "de"], gazetteer)
    assert len(found) == 4  # only the second paragraph's Kabul was missing
    assert sorted((m.paragraph, m.text) for m in found) == [
        (0, "Kabul"), (0, "Moskau"), (1, "Kabul"), (1, "Moskau")]


def test_a_turkish_apostrophe_suffix_stays_outside_the_name(gazetteer: Gazetteer) -> None:
    texts = ["Dışişleri Bakanı Sergey Lavrov açıklama yaptı.", "Lavrov'un sözleri tepki çekti."]
    found = propagate(texts, mentions_in(texts[0], [("Sergey Lavrov", "PER")]), ["tr", "tr"], gazetteer)
    assert [(m.paragraph, m.text) for m in found if m.paragraph == 1] == [(1, "Lavrov")]


def test_ambiguous_short_and_place_like_forms_are_not_spread(gazetteer: Gazetteer) -> None:
    texts = ["George Washington visited Washington with the EU delegation and Jordan Peterson.",
             "Washington said the EU would pay. Jordan agreed. Peterson left."]
    tagged = mentions_in(texts[0], [("George Washington", "PER"), ("Washington", "LOC"), ("EU", "ORG"),
                                    ("Jordan Peterson", "PER")])
    assert (tagged[1].start, tagged[1].end) == (26, 36)  # the city, not the president's surname
    forms = name_forms(tagged, gazetteer)
    assert "EU" not in forms  # too short to look for
    assert forms["Washington"] == "LOC"  # tagged as a place; the surname reading does not vote
    assert "Jordan" not in forms and forms["Peterson"] == "PER"
    added = {(m.text, m.type) for m in propagate(texts, tagged, ["en", "en"], gazetteer) if m.paragraph == 1}
    assert added == {("Washington", "LOC"), ("Peterson", "PER")}


def test_lower_case_words_and_longer_words_are_never_names(gazetteer: Gazetteer) -> None:
    texts = ["Premier Mark Brown spoke.", "The brown bear and the browns of autumn; Browning wrote."]
    found = propagate(texts, mentions_in(texts[0], [("Mark Brown", "PER")]), ["en", "en"], gazetteer)
    assert [m for m in found if m.paragraph == 1] == []



WORDS = ["Lawrow", "Lawrows", "Scholz", "Berlin", "Moskau", "Kabul", "und", "traf", "in", "Lawrowanie"]


@settings(max_examples=150, derandomize=True, database=None)
@given(words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=80),
       tagged_at=st.sets(st.integers(0, 79), max_size=20), kinds=st.sampled_from(["PER", "LOC", "ORG"]))
def test_every_untagged_occurrence_is_found_and_none_overlaps(
    gazetteer: Gazetteer, words: list[str], tagged_at: set[int], kinds: str
) -> None:
    """One paragraph with many names (a one-line "article" holds thousands): each whole-word
    occurrence of a tagged name outside the tagged spans becomes a mention, and no mention
    overlaps another."""
    text = " ".join(words)
    starts = [sum(len(w) + 1 for w in words[:i]) for i in range(len(words))]
    tagged = [Mention(words[i], starts[i], starts[i] + len(words[i]), kinds)
              for i in sorted(tagged_at) if i < len(words) and words[i][0].isupper()]
    found = propagate([text], tagged, ["de"], gazetteer)
    assert all(not (a.start < b.end and b.start < a.end) for a, b in pairwise(found))
    spans = {(m.start, m.end) for m in found}
    forms = {m.text for m in tagged}
    for i, word in enumerate(words):
        if word in forms:
            assert (starts[i], starts[i] + len(word)) in spans, (word, i)
