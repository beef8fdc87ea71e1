"""One score from the two kinds of evidence: the query's cosine with a document (meaning,
in any language) plus a bonus for the share of the query's terms it holds (words).

Measured on bench/search.py (289 same-event SemEval pairs, a headline as the query, the
partner in the top 10), with every term searched: reciprocal rank fusion of the keyword and
semantic rankings 0.869 (cross-lingual 0.866, recall@1 0.52); cosine plus word share 0.896
(0.878, 0.59), flat for a bonus of 0.15-0.25. (With common terms left out, keyword.py: 0.896,
cross-lingual 0.915, recall@1 0.58.) RRF reads only ranks, so a document found by its "for" and "at" and
ranked a little lower by meaning outranked a translation only meaning can find, however
far apart their cosines were.
"""

from __future__ import annotations

WORD_BONUS = 0.2  # the middle of the flat stretch measured above
# A document found only by meaning must be this close to the query. On the SemEval bench a
# headline's cosine with an unrelated article has median 0.09 and 90th percentile 0.21 (5%
# of articles reach 0.25); with its same-event partner, median 0.51.
MIN_COSINE = 0.25


def fuse(cosines: dict[int, float], shares: dict[int, float], minimum_share: float) -> list[tuple[int, float]]:
    """(seq, score) best first for every document close enough in meaning or holding enough
    of the query's words; `cosines` must cover every document in `shares`."""
    scored = {
        seq: cosine + WORD_BONUS * shares.get(seq, 0.0)
        for seq, cosine in cosines.items()
        if cosine >= MIN_COSINE or shares.get(seq, 0.0) >= minimum_share
    }
    return sorted(scored.items(), key=lambda pair: -pair[1])
