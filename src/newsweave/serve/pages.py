"""Server-rendered pages (Jinja2, autoescaped): stories, a story, a document, an entity,
search. They read through the same Corpus calls as the API and need no JavaScript."""

from __future__ import annotations

import json
import secrets
from importlib.resources import files
from typing import Any
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ..corpus import Corpus
from ..document import Document
from ..errors import InputError, SearchError
from ..search import marked_parts
from .api import ApiError, read_body, story_view
from .worldmap import places_map

HERE = files(__package__)
templates = Environment(
    loader=FileSystemLoader(str(HERE / "templates")),
    autoescape=select_autoescape(default=True, default_for_string=True),
)
router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
PAGE = 50


def render(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(templates.get_template(name).render(**context), status_code=status)


def _args(request: Request, *names: str) -> dict[str, str | None]:
    return {n: (request.query_params.get(n) or None) for n in names}


def _int(value: str | None, name: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise SearchError(f"{name} {value!r} is not a number") from None


@router.get("/")
def stories_page(request: Request) -> HTMLResponse:
    f = _args(request, "lang", "from", "to", "entity", "cursor")
    page = request.app.state.corpus(lambda c: c.stories(
        lang=f["lang"], date_from=f["from"], date_to=f["to"], entity=f["entity"], newest_first=True,
        limit=PAGE, cursor=f["cursor"]))
    return render("stories.html", stories=page.results, next=page.next, f=f)


@router.get("/stories/{story_id}")
def story_page(request: Request, story_id: int) -> HTMLResponse:
    data = request.app.state.corpus(lambda c: story_view(c, story_id))
    return render("story.html", story=data, volume=day_chart(data["timeline"]), places=places_map(data["entities"]))


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


def marked_paragraphs(doc: Document) -> list[list[tuple[str, str | None]]]:
    """Each paragraph as pieces of text, a piece naming an entity carrying that entity's id."""
    spans: dict[int, list[tuple[int, int, str]]] = {}
    for entity in doc.entities:
        for m in entity.mentions:
            spans.setdefault(m.paragraph, []).append((m.start, m.end, entity.id))
    out = []
    for i, paragraph in enumerate(doc.paragraphs):
        pieces, at = [], 0
        for start, end, entity_id in sorted(spans.get(i, [])):
            if start < at or end > len(paragraph.text):
                continue  # overlapping or out of range: leave as text
            if start > at:
                pieces.append((paragraph.text[at:start], None))
            pieces.append((paragraph.text[start:end], entity_id))
            at = end
        pieces.append((paragraph.text[at:], None))
        out.append(pieces)
    return out


@router.get("/documents/{doc_id:path}")
def document_page(request: Request, doc_id: str) -> HTMLResponse:
    def read(corpus: Corpus) -> dict[str, Any]:
        doc = corpus.document(doc_id)
        record = corpus.view(doc.id)
        for link in record["links"]:
            other = corpus.document(link["other"])
            link["title"] = other.title or (other.paragraphs[0].text[:100] if other.paragraphs else None)
            link["language"] = other.language
            if link.get("direction") and link["evidence"].get("paragraph_pairs"):
                link["aligned"] = aligned(doc, other, link)
        return {"doc": doc, "record": record, "paragraphs": marked_paragraphs(doc)}

    data = request.app.state.corpus(read)
    for link in data["record"]["links"]:
        link["evidence_json"] = json.dumps(link["evidence"], ensure_ascii=False, indent=1)
    return render("document.html", **data)


def aligned(doc: Document, other: Document, link: dict[str, Any]) -> list[tuple[str, str, float]]:
    """A translation's paragraph pairs as (this document's, the other's, similarity)."""
    ours_first = link["direction"] == "original_of"  # pairs are (original's, translation's)
    rows = []
    for pair in link["evidence"]["paragraph_pairs"]:
        mine, theirs = (pair[0], pair[1]) if ours_first else (pair[1], pair[0])
        if mine < len(doc.paragraphs) and theirs < len(other.paragraphs):
            rows.append((doc.paragraphs[mine].text, other.paragraphs[theirs].text, pair[2]))
    return rows


@router.get("/entities/{entity_id:path}")
def entity_page(request: Request, entity_id: str) -> HTMLResponse:
    found = request.app.state.corpus(lambda c: c.entity(entity_id))
    timeline = [{"day": day, "language": "all", "documents": n} for day, n in found.timeline.items()]
    return render("entity.html", entity=found, volume=day_chart(timeline))


@router.get("/search")
def search_page(request: Request) -> HTMLResponse:
    f = _args(request, "q", "lang", "from", "to", "entity", "story", "cursor")
    hits, after, problem = [], None, None
    if f["q"]:
        try:
            page = request.app.state.corpus(lambda c: c.search(
                f["q"][:500], lang=f["lang"], date_from=f["from"], date_to=f["to"], entity=f["entity"],
                story=_int(f["story"], "story"), limit=20, cursor=f["cursor"]))
            hits = [(hit, list(marked_parts(hit.snippet))) for hit in page]
            after = page.next
        except SearchError as error:
            problem = str(error)
    return render("search.html", status=422 if problem else 200, f=f, hits=hits, next=after, problem=problem)


UPLOAD_FIELDS = ("title", "url", "published", "language", "id")


@router.get("/upload")
def upload_form(request: Request) -> HTMLResponse:
    return render("upload.html", f={}, problem=None, **_writes(request))


@router.post("/upload")
async def upload(request: Request) -> Response:
    """Ingest one pasted article from the form; on success, go to its page."""
    state = _writes(request)
    site = request.headers.get("sec-fetch-site", "same-origin")
    origin = request.headers.get("origin")
    if site not in ("same-origin", "none") or (origin and origin != str(request.base_url).rstrip("/")):
        raise ApiError(403, "forbidden", "articles are uploaded from this server's own form only")
    holder = request.app.state.corpus
    body = await read_body(request, holder.settings.max_article_bytes * 3 + 4096)  # form encoding
    form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace"), max_num_fields=20).items()}
    text = form.get("text", "")
    problem = None
    if not state["writable"]:
        problem = state["why"]
    elif request.app.state.token and not secrets.compare_digest(
            form.get("token", "").encode(), request.app.state.token.encode()):
        problem = "the token is not this server's NEWSWEAVE_TOKEN"
    elif not text.strip():
        problem = "paste the article's text or HTML"
    elif len(text.encode("utf-8")) > holder.settings.max_article_bytes:
        problem = f"the article is over the size limit ({holder.settings.max_article_bytes} bytes)"
    if problem is None:
        hints = {k: form[k].strip() for k in UPLOAD_FIELDS if k != "url" and form.get(k, "").strip()}
        try:
            added = await run_in_threadpool(
                holder.write, lambda c: c.add(text, url=form.get("url", "").strip() or None, **hints))
            return RedirectResponse(f"/documents/{quote(added.id, safe='')}", status_code=303)
        except InputError as bad:
            problem = bad.reason
    return render("upload.html", status=422, f={k: form.get(k, "") for k in (*UPLOAD_FIELDS, "text")},
                  problem=problem, **state)


def _writes(request: Request) -> dict[str, Any]:
    if request.app.state.token:
        return {"writable": True, "needs_token": True, "why": None}
    if request.app.state.loopback:
        return {"writable": True, "needs_token": False, "why": None}
    return {"writable": False, "needs_token": False,
            "why": "this server takes no uploads: it is not on loopback and NEWSWEAVE_TOKEN is not set"}


@router.get("/docs")
def docs_page(request: Request) -> HTMLResponse:
    """The API's reference, rendered from its own OpenAPI document (no CDN, no script)."""
    spec = request.app.openapi()
    operations = []
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            operations.append({
                "method": method.upper(), "path": path, "summary": op.get("summary", ""),
                "description": op.get("description", ""),
                "parameters": [
                    {"name": p["name"], "in": p["in"], "required": p.get("required", False),
                     "type": _type(p.get("schema", {})), "description": p.get("description", "")}
                    for p in op.get("parameters", [])
                ],
                "body": "requestBody" in op,
                "responses": sorted(op.get("responses", {})),
            })
    body_schema = spec["paths"]["/api/documents"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    return render("docs.html", operations=operations, info=spec["info"], body=json.dumps(body_schema, indent=1))


def _type(schema: dict[str, Any]) -> str:
    if "anyOf" in schema:
        return " | ".join(_type(s) for s in schema["anyOf"])
    if "enum" in schema:
        return " | ".join(map(str, schema["enum"]))
    bits = schema.get("type", "")
    bounds = [f"{k} {schema[k]}" for k in ("minimum", "maximum") if k in schema]
    return f"{bits} ({', '.join(bounds)})" if bounds else bits
