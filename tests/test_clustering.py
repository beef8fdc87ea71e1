"""Story clustering through the corpus: reports of one event join one story, across
languages; different events in one country stay apart; a later report that bridges two
stories merges them and the merged-away id redirects."""

from __future__ import annotations

from pathlib import Path

from newsweave.corpus import Corpus
from newsweave.document import LinkKind
from newsweave.pipeline import Pipeline

# One (made-up) earthquake told three times in different words, in German and English, and a
# different Indonesian event of the same week: they share the country and little else.
QUAKE_DE = 'Erdbeben auf Sumbawa: Mindestens 14 Tote\n\nEin Erdbeben der Stärke 6,4 hat am Dienstagmorgen die indonesische Insel Sumbawa erschüttert. Nach Angaben der nationalen Katastrophenschutzbehörde kamen mindestens 14 Menschen ums Leben, Hunderte Häuser wurden beschädigt.\n\nDas Beben ereignete sich um 4.12 Uhr Ortszeit in zehn Kilometern Tiefe, rund 30 Kilometer nördlich der Stadt Bima, teilte die Behörde für Geophysik BMKG mit. Viele Bewohner flohen in Panik ins Freie.\n\nBehördensprecher Abdul Muhari sagte, in den Dörfern Sape und Wera suchten Helfer weiter nach Verschütteten. Mehr als 2000 Menschen seien in Notunterkünften untergebracht.\n\nEine Tsunami-Warnung wurde nicht ausgegeben. Auf der Nachbarinsel Lombok waren 2018 bei einer Serie von Beben mehr als 500 Menschen gestorben.'
QUAKE_EN2 = 'Rescuers dig through rubble after deadly Sumbawa quake\n\nRescue teams in eastern Indonesia dug through collapsed houses on Tuesday after a strong earthquake shook Sumbawa island before dawn, leaving at least 14 people dead, officials said.\n\nThe magnitude 6.4 tremor was centred north of Bima at a shallow depth, the BMKG geophysics agency reported. Abdul Muhari, a spokesman for the disaster mitigation agency, said the villages of Sape and Wera were worst hit.\n\nThousands of residents spent the morning outdoors, fearing aftershocks. Officials said more than 2,000 people were in shelters and that the death toll might climb as search efforts continue.'
QUAKE_EN3 = "Sumbawa earthquake: death toll reaches 14\n\nThe number of people killed by Tuesday's magnitude 6.4 earthquake on the Indonesian island of Sumbawa has risen to 14, a spokesman for the national disaster agency, Abdul Muhari, told reporters.\n\nThe quake struck before dawn north of Bima, according to the BMKG agency. In the villages of Sape and Wera, many houses were flattened and rescuers with sniffer dogs searched for survivors.\n\nMore than 2,000 residents have been evacuated to shelters. The BMKG said there was no threat of a tsunami but warned of aftershocks."
MINING = "Indonesia's parliament passes contested mining law\n\nIndonesia's House of Representatives on Thursday passed a revised mining law that extends licences for coal and nickel companies, despite protests by environmental groups in Jakarta.\n\nLawmakers approved the bill in a plenary session after months of debate. Energy minister Arifin Tasrif said the law would attract investment in processing plants and create jobs.\n\nActivists from the group Jatam said the law favoured large companies and weakened oversight of mines in Kalimantan and Sulawesi. Several hundred students demonstrated outside the parliament building."


BINDING = {LinkKind.DUPLICATE, LinkKind.NEAR_DUPLICATE, LinkKind.TRANSLATION}


def _add(corpus: Corpus, text: str, source: str) -> str:
    return corpus.add(text.encode(), source=source).id


def test_reports_of_one_event_in_two_languages_join_one_story(corpus: Corpus) -> None:
    de = _add(corpus, QUAKE_DE, "de")
    en = _add(corpus, QUAKE_EN2, "en")
    # no duplicate or translation link binds them: the story decision joined them
    assert not [link for link in corpus.store.links_of(en) if link.kind in BINDING]
    assert corpus.store.story_of(de) == corpus.store.story_of(en)


def test_another_event_in_the_same_country_starts_its_own_story(corpus: Corpus) -> None:
    quake = _add(corpus, QUAKE_EN2, "quake")
    mining = _add(corpus, MINING, "mining")
    assert corpus.store.story_of(quake) != corpus.store.story_of(mining)
    assert len(corpus.stories()) == 2


def test_a_report_bridging_two_stories_merges_them_and_the_old_id_redirects(tmp_path: Path, pipeline: Pipeline) -> None:
    db = tmp_path / "bridge.db"
    strict = pipeline.settings.with_(story_similarity=0.99)  # a corpus that split the event in two
    with Corpus(db, strict, pipeline=pipeline) as corpus:
        de, en, mining = _add(corpus, QUAKE_DE, "de"), _add(corpus, QUAKE_EN2, "en"), _add(corpus, MINING, "mining")
        split = {corpus.store.story_of(de), corpus.store.story_of(en)}
        assert len(split) == 2
    with Corpus(db, pipeline.settings, pipeline=pipeline) as corpus:
        bridge = _add(corpus, QUAKE_EN3, "bridge")
        assert not [link for link in corpus.store.links_of(bridge) if link.kind in BINDING]
        story = corpus.store.story_of(bridge)
        assert corpus.store.story_of(de) == corpus.store.story_of(en) == story
        assert corpus.store.story_of(mining) != story
        (gone,) = split - {story}
        assert corpus.store.resolve_story(gone) == story


def test_event_views_are_read_once_bounded_and_dropped_on_change(seed_docs) -> None:
    from newsweave.stories.cluster import EventView, EventViews, decision_signals

    reads: list[str] = []

    def load(doc_id: str):
        reads.append(doc_id)
        return seed_docs[doc_id]

    views = EventViews(load, capacity=2)
    for doc_id in ("001", "003", "001", "003"):
        views(doc_id)
    assert reads == ["001", "003"]  # each document parsed once while it stays in the cache
    views("004")  # past the capacity: the least recently used ("001") goes
    views("001")
    assert reads == ["001", "003", "004", "001"]
    views.drop("001")
    views("001")
    assert reads[-1] == "001" and len(reads) == 5
    # a view scores exactly as the document it was made from
    pair = decision_signals(seed_docs["000"], seed_docs["001"])
    assert decision_signals(EventView.of(seed_docs["000"]), views("001")) == pair
