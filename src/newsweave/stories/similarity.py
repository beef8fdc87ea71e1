"""How strongly two documents report the same event: their leads, matched both ways.

News is written as an inverted pyramid: the opening paragraphs state the event, later ones
give background that a whole storyline shares ("the Taliban, designated a terrorist
organisation in 2003 …"). So we ask whether each document's lead (first three paragraphs)
is told somewhere in the other, both ways. On ECB+ this separates same-event from
same-topic pairs better than whole-document cosine (ROC AUC 0.90 vs 0.80, within-topic
pairs; bench/stories.py measures the clustering that results).
"""

from __future__ import annotations

import numpy as np

LEAD_PARAGRAPHS = 3


def lead_similarity(a: np.ndarray | None, b: np.ndarray | None) -> float:
    """Mean best cosine of each lead paragraph in the other document, averaged both ways."""
    if a is None or b is None or len(a) == 0 or len(b) == 0:
        return 0.0
    sims = a @ b.T
    a_lead_in_b = sims[:LEAD_PARAGRAPHS].max(axis=1).mean()
    b_lead_in_a = sims[:, :LEAD_PARAGRAPHS].max(axis=0).mean()
    return float((a_lead_in_b + b_lead_in_a) / 2)


def lead_vector(vectors: np.ndarray | None) -> np.ndarray | None:
    """The mean of the lead paragraphs' vectors, unit length (None if there is none)."""
    if vectors is None or len(vectors) == 0:
        return None
    lead = vectors[:LEAD_PARAGRAPHS].mean(axis=0)
    norm = float(np.linalg.norm(lead))
    return lead / norm if norm else None
