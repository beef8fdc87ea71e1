"""Word hints for the character-based Chinese NER model, from jieba's segmenter.

The zh model reads characters, and its 4k training sentences (UNER GSD) show it few
names. jieba (MIT, dictionary in its package) segments Chinese into words with a part of
speech from a 350k-word dictionary plus an HMM for unknown words: its ``nr`` (person),
``ns`` (place) and ``nt`` (organisation) tags, and where its words begin and end, are
knowledge the training sentences do not hold. This pipeline component, placed before the
zh model's tok2vec, writes each character token's TAG as its place in jieba's word
(B, M, E, or S for a one-character word) and that word's tag ("B-ns", "E-nr"); the tok2vec
embeds TAG beside the character's own features.

The part of speech comes from ``jieba.posseg`` with its HMM, which also tags words the
dictionary lacks (a new name as ``nr``). It is the slow part of zh recognition (about 80k
characters/s); tags looked up in jieba's dictionary are faster but scored worse
(docs/experiments.md).

jieba reads simplified Chinese; traditional text (UNER GSD is traditional) is converted
first, character for character (OpenCC t2s), so the tags stay aligned with the tokens.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from spacy.language import Language

COMPONENT = "newsweave_zh_words"


@functools.cache
def _to_simplified() -> Any:
    import opencc

    return opencc.OpenCC("t2s").convert


@functools.cache
def _cut() -> Any:
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)  # it logs dictionary loading at INFO
    return jieba.posseg.cut


def simplified(text: str) -> str:
    """``text`` in simplified characters, character for character (OpenCC maps a few
    characters to two, or two to one; those stay as written), so offsets still hold."""
    convert = _to_simplified()
    whole = convert(text)
    if len(whole) == len(text):
        return whole
    return "".join(c if len(c := convert(char)) == 1 else char for char in text)


def char_tags(text: str) -> list[str]:
    """One tag per character of ``text``: its place in its jieba word (B, M, E; S for a
    one-character word) and that word's part of speech."""
    tags: list[str] = []
    for word, flag in _cut()(simplified(text)):
        size = len(word)
        if size == 1:
            tags.append(f"S-{flag}")
        else:
            tags += [f"B-{flag}", *[f"M-{flag}"] * (size - 2), f"E-{flag}"]
    return tags


@Language.component(COMPONENT)
def tag_words(doc: Any) -> Any:
    """Set each token's TAG to the tag of its first character (tokens are characters, or
    a run of spaces)."""
    tags = char_tags(doc.text)
    for token in doc:
        token.tag_ = tags[token.idx] if token.idx < len(tags) else "S-x"
    return doc
