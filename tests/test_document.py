"""The core types: link kinds, removed-text records and paragraph keys, as stored and shown."""

from __future__ import annotations

import json

import pytest

from newsweave.clean.boilerplate import trim_glued_furniture
from newsweave.document import Document, Link, LinkKind, Paragraph, Removed, paragraph_key
from newsweave.store.sqlite import SQLiteStore


def test_link_kind_is_an_enum_that_stores_and_prints_as_its_string(tmp_path):
    link = Link("a", "b", "translation", 0.9, {"alignment": 0.9})
    assert link.kind is LinkKind.TRANSLATION
    assert json.loads(json.dumps(link.seen_from("b"))) == {
        "kind": "translation", "other": "a", "score": 0.9, "direction": "translation_of",
        "evidence": {"alignment": 0.9},
    }
    store = SQLiteStore(tmp_path / "k.db")
    with store.transaction():
        store.put_links([link, Link("a", "c", LinkKind.RELATED, 0.6)])
    stored = {(k.target, k.kind) for k in store.links_of("a")}
    assert stored == {("b", LinkKind.TRANSLATION), ("c", LinkKind.RELATED)}
    assert {row[0] for row in store.db.execute("SELECT kind FROM links")} == {"translation", "related"}
    store.close()


def test_an_unknown_link_kind_is_refused():
    with pytest.raises(ValueError, match="sibling"):
        Link("a", "b", "sibling", 0.5)


def test_glued_furniture_is_cut_with_its_reason_as_a_record():
    assert trim_glued_furniture("He said it was fine. © 2023 Reuters. All rights reserved.") == (
        "He said it was fine.", [Removed("© 2023 Reuters. All rights reserved.", "copyright")]
    )
    assert trim_glued_furniture("über die Grenze geflohen waren. Weiterlesen") == (
        "über die Grenze geflohen waren.", [Removed("Weiterlesen", "link to another story")]
    )


def test_a_document_stored_by_earlier_versions_loads_with_its_removed_lines():
    stored = {"id": "d", "source": "s", "raw_sha256": "h", "paragraphs": [{"text": "Body."}],
              "removed": [{"text": "Weiterlesen", "reason": "link to another story"}],
              "text": "Body.", "words": 1}
    doc = Document.from_dict(stored)
    assert doc.paragraphs == [Paragraph("Body.")]
    assert doc.removed == [Removed("Weiterlesen", "link to another story")]
    assert doc.to_dict()["removed"] == stored["removed"]


def test_paragraph_key_ignores_case_punctuation_and_spacing_in_any_script():
    assert paragraph_key("Sergej Lawrow sagte: „Nein.“") == paragraph_key("sergej  lawrow sagte nein")
    assert paragraph_key("Лавров сказал, нет!") == "лавров сказал нет"
    assert paragraph_key("Lavrov said no") != paragraph_key("Lavrov said yes")
