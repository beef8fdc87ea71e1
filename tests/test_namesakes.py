"""Namesakes: people who share a surname stay apart, in one document and across the corpus."""

from __future__ import annotations

import pytest

from newsweave.document import Entity, Mention
from newsweave.entities.resolve import given_initial, resolve

from .conftest import mentions_in


@pytest.mark.parametrize(("text", "initial"), [
    ("Sergej Lawrow", "s"), ("Сергей Лавров", "s"), ("Wladimir Putin", "v"), ("Vladimir Putin", "v"),
    ("Präsident Wladimir Putin", "v"), ("Mr. Biden", None), ("Lawrow", None), ("S. Lavrov", "s"),
])
def test_given_initial_survives_transliteration_and_ignores_titles(text, initial):
    assert given_initial(text) == initial


def test_two_people_with_one_surname_in_one_document_stay_apart(gazetteer):
    text = ("Joe Biden spoke in Washington. His son Hunter Biden was in court. "
            "Biden's lawyers said little. Präsident Joe Biden did not comment.")
    entities = resolve(mentions_in(text, [("Joe Biden", "PER"), ("Washington", "LOC"), ("Hunter Biden", "PER"),
                                          ("Biden", "PER"), ("Joe Biden", "PER")]), "en", gazetteer)
    people = {e.id: e for e in entities if e.type == "PER"}
    assert set(people) == {"per:biden", "per:biden:h"}
    assert people["per:biden"].name == "Joe Biden" and people["per:biden"].given == "i"  # j folds to i
    hunter = people["per:biden:h"]
    assert [m.text for m in hunter.mentions] == ["Hunter Biden", "Biden"]  # the bare surname: latest named


def test_one_person_named_in_full_and_by_surname_is_one_entity(gazetteer):
    text = "Sergej Lawrow sprach. Lawrow sagte, Präsident Wladimir Putin und Putin seien einig."
    entities = resolve(mentions_in(text, [("Sergej Lawrow", "PER"), ("Lawrow", "PER"),
                                          ("Präsident Wladimir Putin", "PER"), ("Putin", "PER")]), "de", gazetteer)
    assert sorted(e.id for e in entities) == ["per:lavrov", "per:putin"]
    assert all(len(e.mentions) == 2 for e in entities)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """A real corpus file; documents are processed without NER and given known entities."""
    import newsweave
    from newsweave.settings import Settings

    return newsweave.open(tmp_path_factory.mktemp("namesakes") / "people.db", Settings(entities=False))


def add(corpus, text: str, entities: list[Entity]) -> dict[str, str]:
    """Add an article whose entities are given; return its people's corpus ids by display name."""
    from newsweave.document import RawArticle

    doc = corpus.pipeline.process(RawArticle(text.encode(), f"mem:{RawArticle(text.encode(), '').sha256[:12]}"))
    doc.entities = entities
    corpus.add(doc)
    stored = corpus.store.document(doc.id)
    return {e.name: e.id for e in stored.entities if e.type == "PER"}


def person(name: str, given: str | None) -> Entity:
    surname = name.split()[-1].lower()
    return Entity(f"per:{surname}", name, "PER", given=given, mentions=[Mention(name, 0, len(name), "PER")])


def place(key: str) -> Entity:
    return Entity(key, key, "LOC", mentions=[Mention(key, 0, 1, "LOC")])


def test_namesakes_across_the_corpus_separate_by_initial_and_by_company_kept(corpus):
    first = add(corpus, "The president spoke at the White House about the economy and jobs.",
                [person("Joe Biden", "i"), place("loc:city:4140963"), place("org:white-house")])
    assert first == {"Joe Biden": "per:biden"}
    second = add(corpus, "The president's son testified about Burisma and his business in Ukraine.",
                 [person("Hunter Biden", "h"), place("org:burisma"), place("loc:country:UA")])
    assert second == {"Hunter Biden": "per:biden:h"}
    third = add(corpus, "Lawyers for the younger Biden spoke about Burisma board fees again.",
                [person("Biden", None), place("org:burisma")])
    assert third == {"Biden": "per:biden:h"}  # he keeps Burisma's company
    fourth = add(corpus, "Speaking at the White House, Biden defended the jobs figures in Washington.",
                 [person("Biden", None), place("org:white-house"), place("loc:city:4140963")])
    assert fourth == {"Biden": "per:biden"}
    again = add(corpus, "Joe Biden met reporters in the Rose Garden on a warm afternoon in May.",
                [person("Joe Biden", "i")])
    assert again == {"Joe Biden": "per:biden"}


def test_a_full_name_adopts_the_person_first_known_by_surname_only(corpus):
    assert add(corpus, "Lavrov said the talks in Kazan would go on next month, officials said.",
               [person("Lavrov", None)]) == {"Lavrov": "per:lavrov"}
    assert add(corpus, "Foreign Minister Sergei Lavrov arrived in Kazan for the talks on Friday.",
               [person("Sergei Lavrov", "s")]) == {"Sergei Lavrov": "per:lavrov"}
    assert add(corpus, "Anna Lavrov, a violinist, played in Vienna to a full concert hall.",
               [person("Anna Lavrov", "a")]) == {"Anna Lavrov": "per:lavrov:a"}
    rows = {r["id"]: r for r in corpus.store.entity_rows()}
    assert rows["per:lavrov"]["given"] == "s" and rows["per:lavrov"]["name"] == "Sergei Lavrov"


def test_a_respelled_surname_joins_the_full_name_in_the_same_document(gazetteer):
    text = "RIA zitierte Hasan Saltanov, den Vertreter in der OVKS. Soltunows Äußerungen kamen später. Salton schwieg."
    entities = resolve(mentions_in(text, [("Hasan Saltanov", "PER"), ("Soltunows", "PER"), ("Salton", "PER")]),
                       "de", gazetteer)
    people = {e.id: [m.text for m in e.mentions] for e in entities}
    assert people == {"per:saltanov": ["Hasan Saltanov", "Soltunows"], "per:salton": ["Salton"]}


def test_short_surnames_are_not_matched_by_their_consonants(gazetteer):
    text = "Wen Li met the delegation. Le spoke later."
    entities = resolve(mentions_in(text, [("Wen Li", "PER"), ("Le", "PER")]), "en", gazetteer)
    assert sorted(e.id for e in entities) == ["per:le", "per:li"]
