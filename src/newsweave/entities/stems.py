"""Word stems for the Turkish NER model, from Snowball's Turkish stemmer.

Turkish glues case and possessive endings onto names ("Ankara'da", "Türkiye'nin",
"Erdoğan'ın", "Rusya'ya") and onto every other word, so one name comes in many spellings
and the hashed word features see each apart. This pipeline component, placed before the
tr model's tok2vec, writes each token's stem (``snowballstemmer``, BSD) into its TAG,
which the tok2vec embeds as one more hashed feature: the forms of a word share a row.
Only tr reads stems: for Arabic and German they did not carry to test
(docs/experiments.md).
"""

from __future__ import annotations

import functools
from typing import Any

from spacy.language import Language

COMPONENT = "newsweave_tr_stems"


@functools.cache
def _stem() -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer("turkish").stemWord


@Language.component(COMPONENT)
def tag_stems(doc: Any) -> Any:
    """Set each token's TAG to its Turkish stem."""
    stem = _stem()
    for token in doc:
        token.tag_ = stem(token.text)
    return doc
