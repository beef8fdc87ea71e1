"""Volume charts as geometry for inline SVG (no script): documents per day, stacked by
language, for a story or an entity; and a small sparkline per story in the stories list."""

from __future__ import annotations

import math
from collections import Counter
from datetime import date, timedelta
from typing import Any


def day_chart(timeline: list[dict[str, Any]]) -> dict[str, Any]:
    """Documents per day, stacked by language, as bar geometry for an inline SVG."""
    days = sorted({t["day"] for t in timeline})
    languages = sorted({t["language"] for t in timeline})
    top = max((sum(t["documents"] for t in timeline if t["day"] == d) for d in days), default=1)
    bars, width, height = [], 36, 80
    for i, day in enumerate(days):
        y = height
        for t in (t for t in timeline if t["day"] == day):
            h = round(t["documents"] / top * (height - 10))
            y -= h
            bars.append({"x": i * (width + 8) + 4, "y": y, "w": width, "h": h, "language": t["language"],
                         "shade": languages.index(t["language"]) % 6, "n": t["documents"], "day": day})
    return {"bars": bars, "days": days, "languages": languages, "width": max(len(days), 1) * (width + 8) + 8,
            "height": height + 20, "label_y": height + 14, "bar_width": width}


SPARK_WIDTH, SPARK_HEIGHT, SPARK_BINS = 120, 24, 60


def sparkline(published: list[str | None]) -> dict[str, Any] | None:
    """Documents per day over a story's span, every day from its first to its last (quiet days
    too), as bars of a small SVG; a long span is binned into at most 60 bars of whole days.
    None when no member is dated."""
    days = Counter(d for d in map(_day, published) if d is not None)
    if not days:
        return None
    first, last = min(days), max(days)
    span = (last - first).days + 1
    per_bin = math.ceil(span / SPARK_BINS)
    bins = [0] * math.ceil(span / per_bin)
    for day, n in days.items():
        bins[(day - first).days // per_bin] += n
    top, step = max(bins), min(SPARK_WIDTH / len(bins), 8)  # a short story keeps narrow bars
    bars = []
    for i, n in enumerate(bins):
        if n:
            h = max(round(n / top * (SPARK_HEIGHT - 2), 1), 1.5)
            start = first + timedelta(days=i * per_bin)
            bars.append({"x": round(i * step, 2), "w": round(max(step - 1, 1), 2), "y": round(SPARK_HEIGHT - h, 1),
                         "h": h, "n": n, "day": start.isoformat()})
    what = "a day" if per_bin == 1 else f"per {per_bin} days"
    label = (f"{sum(bins)} dated documents, at most {top} {what}, "
             f"{first.isoformat()}{'' if span == 1 else ' to ' + last.isoformat()}")
    return {"bars": bars, "width": round(step * len(bins), 2), "height": SPARK_HEIGHT, "label": label,
            "per_bin": per_bin}


def _day(published: str | None) -> date | None:
    try:
        return date.fromisoformat(published[:10]) if published else None
    except ValueError:
        return None
