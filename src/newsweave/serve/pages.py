"""Server-rendered pages (Jinja2, autoescaped): stories, a story, a document, an entity,
search. They read through the same Corpus calls as the API and need no JavaScript."""

from __future__ import annotations

import json
import secrets
from collections import Counter
from importlib.resources import files
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ..corpus import Corpus
from ..document import Document
from ..errors import InputError, SearchError
from ..search import marked_parts
from . import uploads
from .api import ApiError
from .charts import day_chart, sparkline
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
    """Stories newest first, filtered by language, dates and entity, each with its volume."""
    f = _args(request, "lang", "from", "to", "entity", "cursor")
    page = request.app.state.corpus(lambda c: c.stories(
        lang=f["lang"], date_from=f["from"], date_to=f["to"], entity=f["entity"], newest_first=True,
        limit=PAGE, cursor=f["cursor"]))
    volumes, named = request.app.state.corpus(lambda c: (
        {s.id: sparkline([d.published for d in c.documents(story=s.id)]) for s in page.results},
        {s.id: c.entities(story=s.id, limit=STORY_ENTITIES).results for s in page.results}))
    known = {e.id: e for found in named.values() for e in found}  # the entity filter suggests these
    return render("stories.html", stories=page.results, volumes=volumes, named=named, next=page.next, f=f,
                  known=sorted(known.values(), key=lambda e: e.name.lower()),
                  filtered_by=known[f["entity"]].name if f["entity"] in known else None)


STORY_ENTITIES = 4  # each story in the list names the entities most of its documents name


@router.get("/stories/{story_id}")
def story_page(request: Request, story_id: int) -> Response:
    """A story: headline, summary, documents per day, timeline, entities, places, storyline.
    The id of a story merged into another redirects to the survivor's page."""
    def read(corpus: Corpus) -> dict[str, Any]:
        found, members = corpus.story(story_id)
        line = corpus.storyline(found.storyline, with_timeline=False) if found.storyline is not None else None
        return {"story": found, "storyline": line, "members": [
            {"id": d.id, "role": role, "published": d.published, "language": d.language, "title": d.title,
             "lead": d.paragraphs[0].text[:200] if d.paragraphs else ""} for d, role in members],
            "entities": [e.to_dict() for e in corpus.entities(story=found.id, limit=50)]}

    data = request.app.state.corpus(read)
    found = data["story"]
    if found.id != story_id:
        return RedirectResponse(f"/stories/{found.id}", status_code=308)
    per_day = Counter((m["published"][:10], m["language"] or "?") for m in data["members"] if m["published"])
    volume = day_chart([{"day": day, "language": lang, "documents": n} for (day, lang), n in sorted(per_day.items())])
    titles = {m["id"]: m["title"] or m["lead"][:80] or m["id"] for m in data["members"]}
    return render("story.html", story=found, members=data["members"], entities=data["entities"],
                  storyline=data["storyline"], headline=found.headline or found.title, summary=found.summary,
                  days=found.timeline, language=found.language, titles=titles, volume=volume,
                  places=places_map(data["entities"]))


@router.get("/storylines/{storyline_id}")
def storyline_page(request: Request, storyline_id: int) -> HTMLResponse:
    """A storyline: the stories of one ongoing affair in time order, each with its volume,
    the documents per day of them all and their members' timeline."""
    line = request.app.state.corpus(lambda c: c.storyline(storyline_id))
    published = {e.document: e.published for day in line.timeline for e in day.entries}
    per_day = Counter(p[:10] for p in published.values() if p)
    volume = day_chart([{"day": day, "language": "all", "documents": n} for day, n in sorted(per_day.items())])
    titles = {e.document: e.title or e.lead[:80] or e.document for day in line.timeline for e in day.entries}
    return render("storyline.html", line=line, volume=volume, titles=titles,
                  volumes={s.id: sparkline([published.get(d) for d in s.documents]) for s in line.members})


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
    """Ingest what the form sends: files (read as `newsweave ingest` reads them), pasted text,
    or both. Pasted text alone goes to its document's page; files get a list of outcomes."""
    state = _writes(request)
    site = request.headers.get("sec-fetch-site", "same-origin")
    origin = request.headers.get("origin")
    if site not in ("same-origin", "none") or (origin and origin != str(request.base_url).rstrip("/")):
        raise ApiError(403, "forbidden", "articles are uploaded from this server's own form only")
    if not state["writable"]:  # refused before the body is read
        return render("upload.html", status=422, f={}, problem=state["why"], **state)
    holder = request.app.state.corpus
    limit = holder.settings.max_article_bytes
    try:
        bound = UPLOAD_BYTES * limit + 65536  # the pasted text is measured below: 413 past the limit
        form = await _bounded(request, bound).form(max_files=uploads.MAX_FILES, max_fields=20, max_part_size=bound)
    except ApiError as too_big:
        return render("upload.html", status=too_big.status, f={}, problem=too_big.message, **state)
    try:
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        sent = [f for f in form.getlist("files") if not isinstance(f, str) and (f.filename or f.size)]
        text = fields.get("text", "")
        status, problem = 422, None
        if request.app.state.token and not secrets.compare_digest(
                fields.get("token", "").encode(), request.app.state.token.encode()):
            problem = "the token is not this server's NEWSWEAVE_TOKEN"
        elif not text.strip() and not sent:
            problem = "choose files or paste the article's text or HTML"
        elif len(text.encode("utf-8")) > limit:
            status, problem = 413, f"the pasted article is over the size limit ({limit} bytes)"
        if problem is None:
            hints = {k: fields[k].strip() for k in UPLOAD_FIELDS if k != "url" and fields.get(k, "").strip()}
            url = fields.get("url", "").strip() or None

            def ingest(corpus: Corpus) -> tuple[Any, list[uploads.FileOutcome]]:
                pasted = corpus.add(text, url=url, **hints) if text.strip() else None
                return pasted, uploads.ingest_files(corpus, [(f.filename, f.file) for f in sent])

            try:
                pasted, outcomes = await run_in_threadpool(holder.write, ingest)
            except InputError as bad:
                problem = bad.reason
            else:
                if not sent:
                    return RedirectResponse(f"/documents/{quote(pasted.id, safe='')}", status_code=303)
                if pasted is not None:
                    outcomes.insert(0, uploads.FileOutcome("pasted text", [
                        uploads.Article("pasted text", pasted.outcome, pasted.id, story=pasted.story)]))
                return render("upload.html", f={}, problem=None, outcomes=outcomes, **state)
        return render("upload.html", status=status, f={k: fields.get(k, "") for k in (*UPLOAD_FIELDS, "text")},
                      problem=problem, **state)
    finally:
        await form.close()


# A form post may carry a few articles' worth of files: up to this many times the article size limit.
UPLOAD_BYTES = 5


def _bounded(request: Request, limit: int) -> Request:
    """The request, its body refused with 413 (an ApiError) once past `limit` bytes, before the
    form parser spools more of it to disk."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise_too_large(limit)
    seen = 0

    async def receive() -> Any:
        nonlocal seen
        message = await request.receive()
        seen += len(message.get("body", b""))
        if seen > limit:
            raise_too_large(limit)
        return message

    return Request(request.scope, receive)


def raise_too_large(limit: int) -> None:
    raise ApiError(413, "too_large", f"the upload is over {limit / 1e6:.1f} MB, the most one form post takes "
                                     "(send fewer files at once, or use `newsweave ingest`)")


def _writes(request: Request) -> dict[str, Any]:
    """Whether this server takes uploads (and needs the token), and the limits the form states."""
    limits = {"max_article_mb": request.app.state.corpus.settings.max_article_bytes / 1e6,
              "max_files": uploads.MAX_FILES, "max_articles": uploads.MAX_ARTICLES}
    if request.app.state.token:
        return {"writable": True, "needs_token": True, "why": None, **limits}
    if request.app.state.loopback:
        return {"writable": True, "needs_token": False, "why": None, **limits}
    return {"writable": False, "needs_token": False, **limits,
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
