"""JSON endpoints under /api/: thin formatting of Corpus's read methods, one error shape."""

from __future__ import annotations

import secrets
from collections import Counter
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from .. import __version__
from ..corpus import Corpus
from ..errors import InputError

Limit = Annotated[int, Query(ge=1, le=1000, description="Results per page.")]
Cursor = Annotated[str | None, Query(description="The `next` value of the previous page.")]
Lang = Annotated[str | None, Query(description="ISO 639-1 language, e.g. de.")]
DateFrom = Annotated[str | None, Query(alias="from", description="Published on or after (YYYY-MM-DD).")]
DateTo = Annotated[str | None, Query(alias="to", description="Published on or before (YYYY-MM-DD).")]
EntityId = Annotated[str | None, Query(description="Only documents naming this entity id.")]


class ApiError(Exception):
    """An answer other than 200: its status, a short code and a message for people."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_response(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


class ErrorBody(BaseModel):
    code: str
    message: str


class Error(BaseModel):
    error: ErrorBody


class NewArticle(BaseModel):
    """One article to ingest: its text or HTML, and what is known about it."""

    text: str | None = Field(None, description="Plain text of the article.")
    html: str | None = Field(None, description="HTML of the article page.")
    url: str | None = None
    title: str | None = None
    published: str | None = Field(None, description="YYYY-MM-DD (or ISO 8601).")
    language: str | None = None
    id: str | None = Field(None, description="Your id for it (else one is made from its content).")


ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": Error, "description": "Unknown id"},
    422: {"model": Error, "description": "Bad parameter"},
}
router = APIRouter(prefix="/api", responses=ERRORS)


def corpus_of(request: Request):
    return request.app.state.corpus


def listing(page: Any) -> dict[str, Any]:
    return {"results": [item.to_dict() for item in page], "next": page.next}


@router.get("/health", summary="Whether the server and its database answer")
def health(request: Request) -> dict[str, Any]:
    count = corpus_of(request)(len)
    return {"status": "ok", "version": __version__, "documents": count}


@router.get("/documents", summary="Documents in arrival order, filtered, paged")
def documents(request: Request, lang: Lang = None, date_from: DateFrom = None, date_to: DateTo = None,
              entity: EntityId = None, story: int | None = None, agency: str | None = None,
              limit: Limit = 100, cursor: Cursor = None) -> dict[str, Any]:
    return listing(corpus_of(request)(lambda c: c.documents(
        lang=lang, date_from=date_from, date_to=date_to, entity=entity, story=story, agency=agency,
        limit=limit, cursor=cursor)))


@router.get("/documents/{doc_id:path}/similar", summary="Documents nearest in meaning, in any language")
def similar(request: Request, doc_id: str, limit: Annotated[int, Query(ge=1, le=100)] = 10) -> dict[str, Any]:
    hits = corpus_of(request)(lambda c: c.similar(doc_id, limit))
    return {"results": [hit.to_dict() for hit in hits], "next": None}


@router.get("/documents/{doc_id:path}", summary="One document as `newsweave show --json` prints it")
def document(request: Request, doc_id: str) -> dict[str, Any]:
    return corpus_of(request)(lambda c: c.view(doc_id))


def story_view(corpus: Corpus, story_id: int) -> dict[str, Any]:
    """A story with its headline and summary, its members in time order (each with its role),
    its timeline (days of entries, each with its count of documents), documents per day and
    language (`volume`), and the entities its members name."""
    found, members = corpus.story(story_id)
    data = found.to_dict()
    data["members"] = [
        {"id": d.id, "role": role, "published": d.published, "language": d.language, "title": d.title,
         "lead": d.paragraphs[0].text[:200] if d.paragraphs else ""}
        for d, role in members
    ]
    per_day = Counter((d.published[:10], d.language or "?") for d, _ in members if d.published)
    data["volume"] = [{"day": day, "language": lang, "documents": n} for (day, lang), n in sorted(per_day.items())]
    data["timeline"] = [{**day, "documents": len(day["entries"])} for day in data["timeline"]]
    data["entities"] = [e.to_dict() for e in corpus.entities(story=story_id, limit=50)]
    return data


@router.get("/stories", summary="Stories by first date (or newest first), paged")
def stories(request: Request, lang: Lang = None, date_from: DateFrom = None, date_to: DateTo = None,
            entity: EntityId = None, order: Literal["oldest", "newest"] = "oldest",
            limit: Limit = 100, cursor: Cursor = None) -> dict[str, Any]:
    return listing(corpus_of(request)(lambda c: c.stories(
        lang=lang, date_from=date_from, date_to=date_to, entity=entity, newest_first=order == "newest",
        limit=limit, cursor=cursor)))


@router.get("/stories/{story_id}", summary="One story: members with roles, timeline, entities")
def story(request: Request, story_id: int) -> dict[str, Any]:
    return corpus_of(request)(lambda c: story_view(c, story_id))


@router.get("/entities", summary="Canonical entities, most documents first, paged")
def entities(request: Request, type: str | None = None, story: int | None = None, document: str | None = None,
             limit: Limit = 100, cursor: Cursor = None) -> dict[str, Any]:
    return listing(corpus_of(request)(lambda c: c.entities(
        type=type, story=story, document=document, limit=limit, cursor=cursor)))


@router.get("/entities/{entity_id:path}", summary="One entity: variants by language, documents, mentions per day")
def entity(request: Request, entity_id: str) -> dict[str, Any]:
    return corpus_of(request)(lambda c: c.entity(entity_id)).to_dict()


@router.get("/search", summary="Search by words and meaning, in any language")
def search(request: Request, q: Annotated[str, Query(min_length=1, max_length=500, description='words, "a phrase", prefix*')],
           lang: Lang = None, date_from: DateFrom = None, date_to: DateTo = None, entity: EntityId = None,
           story: int | None = None, agency: str | None = None,
           limit: Annotated[int, Query(ge=1, le=100)] = 20, cursor: Cursor = None,
           group_by_story: bool = False, mode: Literal["all", "keyword", "semantic"] = "all") -> dict[str, Any]:
    page = corpus_of(request)(lambda c: c.search(
        q, lang=lang, date_from=date_from, date_to=date_to, entity=entity, story=story, agency=agency,
        limit=limit, cursor=cursor, group_by_story=group_by_story, mode=mode))
    return {"results": [hit.to_dict() for hit in page], "next": page.next}


@router.get("/storylines", summary="Storylines (the stories of one ongoing affair) by first date, paged")
def storylines(request: Request, limit: Limit = 100, cursor: Cursor = None) -> dict[str, Any]:
    return listing(corpus_of(request)(lambda c: c.storylines(limit=limit, cursor=cursor)))


@router.get("/storylines/{storyline_id}", summary="One storyline: its stories in time order and their members' timeline")
def storyline(request: Request, storyline_id: int) -> dict[str, Any]:
    return corpus_of(request)(lambda c: c.storyline(storyline_id)).to_dict()


@router.get("/why", summary="Whether two documents share a story or storyline, and why")
def why(request: Request, a: Annotated[str, Query(min_length=1, description="A document id, source or id prefix.")],
        b: Annotated[str, Query(min_length=1, description="Another document.")]) -> dict[str, Any]:
    return corpus_of(request)(lambda c: c.why(a, b)).to_dict()


def check_writer(request: Request) -> None:
    """Writes need the token when one is set; with none, only a loopback-bound server takes them."""
    token = request.app.state.token
    if token:
        given = request.headers.get("authorization", "")
        if not secrets.compare_digest(given.encode(), f"Bearer {token}".encode()):
            raise ApiError(401, "unauthorized", "this server takes writes with `Authorization: Bearer TOKEN` only")
    elif not request.app.state.loopback:
        raise ApiError(403, "forbidden", "writes are refused: set NEWSWEAVE_TOKEN to take them on a non-loopback address")


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it passes `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "too_large", f"the body is over the article size limit ({limit} bytes)")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise ApiError(413, "too_large", f"the body is over the article size limit ({limit} bytes)")
    return bytes(body)


@router.post("/documents", status_code=201, summary="Ingest one article; returns it processed, with its story",
             openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                 "schema": NewArticle.model_json_schema()}}}},
             responses={401: {"model": Error}, 403: {"model": Error}, 413: {"model": Error}, 415: {"model": Error}})
async def add_document(request: Request) -> dict[str, Any]:
    check_writer(request)
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        # A web page elsewhere can post a form or text/plain to a loopback server, never JSON (CORS).
        raise ApiError(415, "unsupported_media_type", "send the article as application/json")
    holder = corpus_of(request)
    limit = holder.settings.max_article_bytes
    body = await read_body(request, limit * 2 + 4096)  # JSON escapes may double the text
    try:
        article = NewArticle.model_validate_json(body)
    except ValueError as bad:
        raise ApiError(422, "bad_body", f"the body is not an article: {_first_error(bad)}") from None
    if (article.text is None) == (article.html is None):
        raise ApiError(422, "bad_body", "give the article as exactly one of `text` or `html`")
    content = article.text if article.text is not None else article.html
    if len(content.encode("utf-8")) > limit:
        raise ApiError(413, "too_large", f"the article is over the size limit ({limit} bytes)")
    hints = {k: v for k, v in article.model_dump().items() if k in ("title", "published", "language", "id") and v}
    kind = "text" if article.text is not None else "html"

    def ingest(corpus: Corpus) -> dict[str, Any]:
        added = corpus.add(content, url=article.url, kind=kind, **hints)
        record = corpus.view(added.id)
        record["outcome"] = added.outcome
        return record

    from starlette.concurrency import run_in_threadpool

    try:
        return await run_in_threadpool(holder.write, ingest)
    except InputError as bad:
        raise ApiError(422, "bad_article", bad.reason) from None


def _first_error(error: ValueError) -> str:
    errors = getattr(error, "errors", None)
    if callable(errors):
        first = errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "body"
        return f"{where}: {first.get('msg', '')}"
    return str(error)
