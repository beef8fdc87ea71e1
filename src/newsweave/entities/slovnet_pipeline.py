"""Russian mentions from natasha's news NER, as a one-component spaCy pipeline.

natasha's wheel (MIT, PyPI) ships slovnet's ``slovnet_ner_news_v1``: a CNN-CRF over the
navec word vectors (250k Russian words), trained on Nerus, Lenta.ru news labelled
PER/LOC/ORG. On factRuEval's test set it scores 0.873 against 0.664 for our own ru CNN,
and reads Russian news faster (bench/ner.py). Its vocabulary is Russian, so Ukrainian,
Bulgarian and the other Cyrillic languages stay with our ru model (a Ukrainian name is an
unknown word to it; "Києві" came out a person).

Wrapped in spaCy so ``EntityRecognizer`` reads it like every other model: its spans are
set as ``doc.ents`` on spaCy's tokens (widened to whole tokens where the tokenizers differ).
Only slovnet and navec are imported: natasha itself (which imports pymorphy2) never is;
its package folder just holds the model files.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

PACKAGE = "natasha"
NER_MODEL = Path("model") / "slovnet_ner_news_v1.tar"
VECTORS = Path("emb") / "navec_news_v1_1B_250K_300d_100q.tar"


def data_folder() -> Path:
    """natasha's data folder, found without importing natasha."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"the {PACKAGE!r} package (Russian NER model) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


class SlovnetEntities:
    """A spaCy component: slovnet reads each doc's text; its spans become ``doc.ents``."""

    def __init__(self, batch_size: int = 8) -> None:
        from navec import Navec
        from slovnet import NER

        data = data_folder()
        self.model = NER.load(str(data / NER_MODEL), batch_size=batch_size)
        self.model.navec(Navec.load(data / VECTORS))

    def __call__(self, doc: Any) -> Any:
        return next(self.pipe([doc]))

    def pipe(self, docs: Iterable[Any], batch_size: int = 64) -> Iterator[Any]:
        from spacy.util import filter_spans, minibatch

        for batch in minibatch(docs, batch_size):
            for doc, markup in zip(batch, self.model.map([d.text for d in batch]), strict=True):
                spans = (doc.char_span(s.start, s.stop, label=s.type, alignment_mode="expand")
                         for s in markup.spans)
                doc.ents = filter_spans([s for s in spans if s is not None])
                yield doc


def pipeline() -> Any:
    """A blank Russian spaCy pipeline whose one component, ``ner``, is slovnet's."""
    import spacy
    from spacy.language import Language

    if not Language.has_factory("slovnet_ner"):
        Language.factory("slovnet_ner", func=lambda nlp, name: SlovnetEntities())
    nlp = spacy.blank("ru")
    nlp.add_pipe("slovnet_ner", name="ner")
    return nlp
