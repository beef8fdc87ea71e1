"""`newsweave` command line: thin commands over the library; tables for people, --json for tools.

Exit codes: 0 all good; 1 some input failed (the rest was ingested) or an id was not
found; 2 bad usage, a bad setting, a missing or unusable database, or an output that
cannot be written (nothing done). Bad data never prints a traceback.

Stored text is data, never markup: everything printed from the store goes through
`_plain`, so a title cannot style, link, or move the cursor of the reader's terminal.
"""

from __future__ import annotations

import atexit
import gc
import json
import re
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from . import __version__
from .corpus import Corpus
from .errors import NewsweaveError, NotFound, OutputError
from .settings import Settings

out = Console(soft_wrap=True)
err = Console(stderr=True)

# At exit the loaded models' millions of objects need no more cycle detection: frozen, they
# are skipped by the collections Python runs while it shuts down (0.35 s of a seeds ingest).
atexit.register(gc.freeze)

db_option = click.option(
    "--db", "db", default="newsweave.db", show_default=True, type=click.Path(dir_okay=False),
    help="SQLite file holding the corpus (ingest creates it; other commands need it to exist).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")


class Fatal(click.ClickException):
    """A setting or database problem: nothing was done (exit code 2)."""

    exit_code = 2


def _open(db: str, create: bool = False) -> Corpus:
    """The corpus at `db`; only writers may create it (a typo must not read as an empty corpus)."""
    if not create and not Path(db).exists():
        raise Fatal(f"no database at {_plain(db)} (`newsweave ingest PATH --db {_plain(db)}` creates one)")
    try:
        return Corpus(db, Settings.from_env())
    except NewsweaveError as error:
        raise Fatal(_plain(str(error))) from None


# ANSI/VT escape sequences (CSI, OSC up to BEL or ST, and two-byte ESC forms), then any
# control character left: C0 but tab and newline, DEL, C1 (0x9b is a one-byte CSI), and
# the bidirectional overrides that reorder what a terminal shows.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[ -~]?|\x9b[0-?]*[ -/]*[@-~]")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _plain(value: object, one_line: bool = False) -> str:
    """Stored text made safe for a terminal: escape sequences and control characters removed."""
    text = _CONTROLS.sub("", _ESCAPES.sub("", "" if value is None else str(value)))
    return " ".join(text.split()) if one_line else text


def _data(value: object, style: str = "", one_line: bool = True) -> Text:
    """Stored text as a rich Text: printed as it is, never read as markup."""
    return Text(_plain(value, one_line), style=style)


@contextmanager
def _found():
    """An unknown id is the user's mistake, not a bug: one line on stderr, exit code 1."""
    try:
        yield
    except NotFound as error:
        raise click.ClickException(str(error)) from None


def _say(line: str) -> None:
    """One unwrapped line on stderr: reports must stay one line per failure for tools."""
    click.echo(_plain(line, one_line=True), err=True)


def _print_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newsweave")
def main() -> None:
    """newsweave: multilingual news in, a clean linked record of what happened out."""


class _RichProgress:
    """Files bar on stderr with documents and docs/s (the engine only calls three methods)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.articles = 0
        self.bar = Progress(
            TextColumn("[bold]ingest"), BarColumn(), MofNCompleteColumn(), TextColumn("files"),
            TextColumn("{task.fields[docs]} docs"), TextColumn("{task.fields[rate]} docs/s"),
            TimeElapsedColumn(), console=err, disable=not enabled, transient=False,
        )
        self.task = None

    def start(self, files: int) -> None:
        self.bar.start()
        self.task = self.bar.add_task("ingest", total=files, docs=0, rate="-")

    def file_done(self) -> None:
        self.bar.advance(self.task)

    def article_done(self, outcome: str) -> None:
        self.articles += 1
        elapsed = self.bar.tasks[0].elapsed or 1e-9
        self.bar.update(self.task, docs=self.articles, rate=f"{self.articles / elapsed:.1f}")

    def stop(self) -> None:
        self.bar.stop()

    def say(self, line: str) -> None:
        """A line above the bar (a wait for the database lock), or plain on stderr without one."""
        if self.enabled:
            self.bar.console.print(_data(line))
        else:
            _say(line)


@main.command()
@click.argument("paths", nargs=-1, required=True)
@db_option
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option("--profile", is_flag=True, help="At the end, print each pipeline stage's documents and time on stderr.")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Where articles are processed: this process, or a Dask cluster (linking and storing stay here).")
@click.option("--scheduler", metavar="ADDRESS",
              help="With --engine dask: the scheduler of an existing cluster (tcp://host:8786); "
                   "without it, a local cluster of --workers processes.")
@click.option("--workers", type=click.IntRange(1),
              help="Processes running the pipeline (linking and storing stay in this one) [local: 1; "
                   "dask without --scheduler: cores].")
def ingest(
    paths: tuple[str, ...], db: str, quiet: bool, profile: bool, engine: str, scheduler: str | None, workers: int | None
) -> None:
    """Ingest files and folders (txt, html, jsonl/json, warc, and .gz of these).

    PATH `-` reads stdin: JSONL when its first non-blank byte is `{` (one article per line,
    read as it arrives), else the whole of it is one text or HTML article. Articles from
    stdin are named by their content (`stdin:<sha256 prefix>`), so piping one again leaves
    it unchanged.
    """
    from .engines import local

    if "-" in paths and len(paths) > 1:
        raise click.UsageError("`-` (stdin) cannot be mixed with other paths")
    if scheduler and engine != "dask":
        raise click.UsageError("--scheduler needs --engine dask")
    corpus = _open(db, create=True)
    progress = _RichProgress(enabled=not quiet and err.is_terminal)
    corpus.store.on_wait = progress.say
    try:
        if paths == ("-",):
            from .ingest.stdin import read_stream

            batches, count = [read_stream(sys.stdin.buffer, corpus.settings.max_article_bytes)], 1
        else:
            batches, count = local.file_batches(corpus, paths)
        if engine == "dask":
            from .engines import dask

            report = dask.ingest_batches(corpus, batches, count, progress, scheduler=scheduler, workers=workers)
        else:
            report = local.ingest_batches(corpus, batches, count, progress, workers or 1)
    except KeyboardInterrupt:
        progress.stop()
        _say("interrupted: everything counted so far is stored; rerun to finish")
        sys.exit(130)
    except NewsweaveError as error:  # the database became unusable (a lock never freed …)
        progress.stop()
        raise Fatal(f"{_plain(str(error))}; everything counted so far is stored, rerun to finish") from None
    finally:
        progress.stop()
        corpus.close()
    for failure in report.failed:
        _say(f"failed {failure}")
    rate = (report.ingested + report.updated) / report.seconds if report.seconds else 0.0
    _say(
        f"ingested {report.ingested}, updated {report.updated}, unchanged {report.unchanged}, "
        f"failed {len(report.failed)} in {report.seconds:.1f}s ({rate:.1f} docs/s)"
    )
    if profile and (engine == "dask" or (workers or 1) > 1):
        _say("--profile: the pipeline ran in worker processes; their stage timings are not collected")
    elif profile:
        from .pipeline import profile_table

        click.echo("\n".join(profile_table(corpus.pipeline.profile())), err=True)
    sys.exit(0 if report.ok else 1)


@main.command()
@db_option
@click.option("--all", "everything", is_flag=True, help="Redo every document, not only those from an older pipeline.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def reprocess(db: str, everything: bool, quiet: bool) -> None:
    """Re-run the pipeline over stored raw inputs (after an upgrade), relinking as it goes."""
    from .engines.reprocess import reprocess as run

    corpus = _open(db)
    progress = _RichProgress(enabled=not quiet and err.is_terminal)
    corpus.store.on_wait = progress.say
    try:
        report = run(corpus, everything, progress)
    except NewsweaveError as error:
        progress.stop()
        raise Fatal(f"{_plain(str(error))}; what was reprocessed so far is stored, rerun to finish") from None
    finally:
        progress.stop()
        corpus.close()
    for failure in report.failed:
        _say(f"failed {failure}")
    _say(
        f"reprocessed {report.updated}, already current {report.unchanged}, "
        f"failed {len(report.failed)} in {report.seconds:.1f}s"
    )
    sys.exit(0 if report.ok else 1)


@main.command()
@db_option
@json_option
def documents(db: str, as_json: bool) -> None:
    """List documents: id, source, language, title, date, agency, words, story."""
    with _open(db) as corpus:
        rows = corpus.documents()
    if as_json:
        _print_json([r.to_dict() for r in rows])
        return
    table = Table("id", "language", "published", "agency", "words", "story", "title", "source")
    for r in rows:
        table.add_row(
            _data(r.id), _data(r.language), _data(r.published), _data(r.agency), str(r.words),
            str(r.story or ""), _data(_plain(r.title, one_line=True)[:60]), _data(Path(r.source).name),
        )
    out.print(table)


@main.command()
@click.argument("doc")
@db_option
@json_option
def show(doc: str, db: str, as_json: bool) -> None:
    """One document: metadata, clean paragraphs with languages, links and story."""
    with _open(db) as corpus, _found():
        record = corpus.view(doc)
    if as_json:
        _print_json(record)
        return
    out.print(_data(record["title"] or "(no title)", "bold"))
    for key in ("id", "source", "url", "published", "updated", "language", "agency", "authors", "dateline", "story", "words"):
        if record.get(key) not in (None, [], ""):
            out.print(Text.assemble((f"{key}: ", "dim"), _data(record[key])), highlight=False)
    out.print()
    for paragraph in record["paragraphs"]:
        out.print(Text.assemble((f"[{_plain(paragraph['language'])}] ", "dim"), _data(paragraph["text"]), "\n"), highlight=False)
    for caption in record["captions"]:
        out.print(Text.assemble(("caption: ", "dim"), _data(caption)), highlight=False)
    for link in record["links"]:
        out.print(Text.assemble(("link: ", "dim"), _data(f"{link['kind']} {link['other']} score={link['score']}")), highlight=False)
    if record["removed"]:
        out.print(f"[dim]removed {len(record['removed'])} pieces of boilerplate or repeats[/]")


@main.command()
@db_option
@json_option
def stories(db: str, as_json: bool) -> None:
    """List stories: headline, languages, first and last date, members."""
    with _open(db) as corpus:
        found = corpus.stories()
    if as_json:
        _print_json([s.to_dict() for s in found])
        return
    table = Table("id", "start", "end", "languages", "docs", "title")
    for s in found:
        table.add_row(str(s.id), _data(s.start), _data(s.end), _data(",".join(s.languages)), str(len(s.documents)), _data(s.title))
    out.print(table)


@main.command()
@click.argument("story_id", type=int)
@db_option
@json_option
def story(story_id: int, db: str, as_json: bool) -> None:
    """One story: its headline, summary and timeline (members by day, each development's first
    report first, each with its source, language and role; inferred dates marked)."""
    with _open(db) as corpus, _found():
        found, members = corpus.story(story_id)
    if as_json:
        data = found.to_dict()
        data["members"] = [
            {"id": d.id, "role": role, "published": d.published, "language": d.language, "title": d.title}
            for d, role in members
        ]
        _print_json(data)
        return
    out.print(Text.assemble(_data(found.title, "bold"), "  ", _data(f"({found.start or '?'} – {found.end or '?'})")))
    if found.summary:
        out.print(Text.assemble("\nSummary (", _data(found.language), "):"))
        for sentence in found.summary:
            out.print(Text.assemble("  • ", _data(sentence.text), "  [", _data(sentence.document), "]"))
    table = Table(title="Timeline")
    for name in ("day", "role", "lang", "id"):
        table.add_column(name, no_wrap=True)
    table.add_column("source")
    table.add_column("title / lead")
    for day in found.timeline:
        for entry in day.entries:
            when = (entry.published or "undated") + ("*" if entry.inferred else "")
            table.add_row(_data(when), entry.role, _data(entry.language), _data(entry.document),
                          _data(entry.source.rsplit("/", 1)[-1]), _data(entry.title or entry.lead[:80]))
    out.print(table)
    if any(e.inferred for day in found.timeline for e in day.entries):
        out.print("* date inferred from the article's text or its story's dates")


@main.command()
@db_option
@json_option
def entities(db: str, as_json: bool) -> None:
    """List canonical entities: type, name, country, documents, mentions, variants."""
    with _open(db) as corpus:
        rows = corpus.entities()
    if as_json:
        _print_json([r.to_dict() for r in rows])
        return
    table = Table("id", "type", "name", "country", "docs", "mentions", "variants")
    for r in rows:
        table.add_row(_data(r.id), _data(r.type), _data(r.name), _data(r.country), str(r.documents),
                      str(r.mentions), _data(_plain(", ".join(r.variants), one_line=True)[:80]))
    out.print(table)


@main.command()
@click.argument("entity_id")
@db_option
@json_option
def entity(entity_id: str, db: str, as_json: bool) -> None:
    """One entity: its variants by language and the documents that mention it."""
    with _open(db) as corpus, _found():
        data = corpus.entity(entity_id).to_dict()
    if as_json:
        _print_json(data)
        return
    country = f", {data['country']}" if data["country"] else ""
    out.print(Text.assemble(_data(data["name"], "bold"), " ", _data(f"({data['type']}, {data['id']}{country})")))
    for language, names in data["variants"].items():
        out.print(Text.assemble((f"{_plain(language)}: ", "dim"), _data(", ".join(names))), highlight=False)
    for doc in data["documents"]:
        line = f"  {_plain(doc['published'], True):10}  {_plain(doc['id'], True)}  ×{doc['mentions']}  {_plain(doc['title'], True)}"
        out.print(Text(line), highlight=False)


@main.command()
@click.argument("files", nargs=-1, type=click.File("r", encoding="utf-8", errors="replace"))
@click.option("--lines", is_flag=True, help="One document per input line (else one per file / all of stdin).")
def tag(files: tuple[Any, ...], lines: bool) -> None:
    """Print the language and canonical entities of text (stdin by default), one JSON line per document."""
    from .entities.tagger import Tagger

    tagger = Tagger()
    for handle in files or (sys.stdin,):
        content = handle.read()
        for text in (content.splitlines() if lines else [content]):
            if lines and not text.strip():
                continue
            click.echo(json.dumps(tagger.tag(text), ensure_ascii=False))


@main.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl", "parquet"]), default="jsonl", show_default=True)
@click.option("--out", "out_path", required=True, type=click.Path(),
              help="File to write (a folder with --partition-by).")
@click.option("--partition-by", type=click.Choice(["date", "language"]),
              help="With --format parquet: write a hive-partitioned dataset (date=YYYY-MM-DD/ or language=xx/ "
                   "folders) that Dask, DuckDB and Spark read as is.")
@db_option
def export(fmt: str, out_path: str, partition_by: str | None, db: str) -> None:
    """Export every document (as `show --json` prints it) to JSONL or Parquet."""
    from .store.export import export as run
    from .store.export import export_partitioned, refuse_protected

    if partition_by and fmt != "parquet":
        raise click.UsageError("--partition-by needs --format parquet")
    try:
        refuse_protected(Path(out_path), [db])  # before opening: a refused export touches nothing
        with _open(db) as corpus:
            records = (corpus.view(row.id) for row in corpus.documents())
            if partition_by:
                n = export_partitioned(records, out_path, partition_by, protect=[db])
            else:
                n = run(records, out_path, fmt, protect=[db])
    except OutputError as error:
        raise Fatal(_plain(str(error))) from None
    _say(f"exported {n} documents to {out_path}")


@main.command()
@click.option("--pairs", "pairs_file", required=True, type=click.File("rb"),
              help='JSONL file (or - for stdin), one {"id", "text1", "text2"} per line; texts raw or HTML.')
@json_option
def similarity(pairs_file: Any, as_json: bool) -> None:
    """Score how strongly each pair of articles reports the same event (0 … 1), no database."""
    from .stories.pairs import PairScorer, score_lines

    try:
        scorer = PairScorer(settings=Settings.from_env())
    except NewsweaveError as error:
        raise Fatal(_plain(str(error))) from None
    failed = 0
    for result in score_lines(pairs_file, scorer):
        if "error" in result:
            failed += 1
            _say(f"line {result['line']}: failed: {result['error']}")
        if as_json:
            click.echo(json.dumps(result, ensure_ascii=False))
        elif "error" not in result:
            click.echo(f"{_plain(result['id'], True)}\t{result['similarity']:.4f}")
    if failed:
        sys.exit(1)


@main.command()
@click.argument("query")
@click.option("--lang", help="Only documents in this language (ISO 639-1, e.g. de).")
@click.option("--from", "date_from", metavar="YYYY-MM-DD", help="Only documents published on or after this day.")
@click.option("--to", "date_to", metavar="YYYY-MM-DD", help="Only documents published on or before this day.")
@click.option("--entity", metavar="ID", help="Only documents naming this entity (ids as `newsweave entities` lists them).")
@click.option("--story", type=int, help="Only documents of this story.")
@click.option("--agency", help="Only documents from this news agency.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 100), help="Hits to print.")
@click.option("--by-story", is_flag=True, help="Keep each story's hits together.")
@db_option
@json_option
def search(query: str, lang: str | None, date_from: str | None, date_to: str | None, entity: str | None,
           story: int | None, agency: str | None, limit: int, by_story: bool, db: str, as_json: bool) -> None:
    """Search by words and meaning, in any language: words, "a phrase", prefix*."""
    from .errors import SearchError
    from .search import marked_parts

    with _open(db) as corpus:
        try:
            page = corpus.search(query, lang=lang, date_from=date_from, date_to=date_to, entity=entity, story=story,
                                 agency=agency, limit=limit, group_by_story=by_story)
        except SearchError as error:
            raise click.ClickException(_plain(str(error), one_line=True)) from None
    if as_json:
        _print_json([hit.to_dict() for hit in page])
        return
    table = Table("score", "id", "language", "published", "story", "title / snippet")
    for hit in page:
        snippet = Text.assemble(*((_plain(piece), "bold" if marked else "") for piece, marked in marked_parts(hit.snippet)))
        cell = Text.assemble(_data(hit.title or "(no title)", "bold"), "\n", snippet)
        table.add_row(f"{hit.score:.4f}", _data(hit.id), _data(hit.language), _data(hit.published), str(hit.story or ""), cell)
    out.print(table)


@main.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind; another than loopback takes writes only with NEWSWEAVE_TOKEN set.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1),
              help="Server processes. One answers one request at a time; give one per core for more "
                   "queries a second (each loads its own models).")
def serve(db: str, host: str, port: int, workers: int) -> None:
    """Serve the corpus: web pages at /, the JSON API under /api/ (docs at /docs).

    POST /api/documents ingests an article; it needs `Authorization: Bearer $NEWSWEAVE_TOKEN`
    when NEWSWEAVE_TOKEN is set."""
    import os

    import uvicorn

    from .serve import create_app
    from .serve.app import SERVE_DB, SERVE_HOST

    _open(db).close()  # a missing or unusable database fails here, in one line
    _say(f"serving {db} at http://{host}:{port}/ (API docs at /docs)"
         + (f" with {workers} worker processes" if workers > 1 else ""))
    if workers > 1:  # uvicorn starts each worker from an import string; they read these
        os.environ[SERVE_DB], os.environ[SERVE_HOST] = str(Path(db).resolve()), host
        uvicorn.run("newsweave.serve.app:app_from_environment", factory=True, workers=workers,
                    host=host, port=port, log_level="warning")
        return
    token = os.environ.get("NEWSWEAVE_TOKEN") or None
    app = create_app(db, token=token, host=host, settings=Settings.from_env())
    uvicorn.run(app, host=host, port=port, log_level="warning")


@main.command()
@click.argument("sources", nargs=-1, required=True)
@db_option
@click.option("--interval", default=300.0, show_default=True, type=click.FloatRange(0.1),
              help="Seconds between polls of a source (longer after failures: doubled each time, capped).")
@click.option("--fetch-articles", is_flag=True,
              help="Ingest each new item's linked page instead of the feed's summary (one request per "
                   "host per NEWSWEAVE_WATCH_HOST_DELAY seconds).")
@click.option("--once", is_flag=True, help="Poll each source that is due once, then exit (for cron).")
@click.option("--max-polls", type=click.IntRange(1), help="Exit after this many polls of each source.")
def watch(sources: tuple[str, ...], db: str, interval: float, fetch_articles: bool, once: bool,
          max_polls: int | None) -> None:
    """Follow RSS/Atom feed URLs and folders, ingesting new items as they appear.

    One line per poll on stderr. State (validators, failures, next poll, items seen) is kept
    in the database: a restart goes on where the last run stopped. Ctrl-C finishes the
    current article, saves the state and exits 0. With --once or --max-polls the exit code
    is 1 if a source's last poll or an article failed."""
    import signal
    import threading

    from .engines.watch import Watcher, normal_source
    from .ingest.feeds import is_url

    if once and max_polls:
        raise click.UsageError("--once and --max-polls cannot be combined")
    for source in sources:
        if "://" in source and not is_url(source):
            raise click.UsageError(f"{_plain(source)}: only http:// and https:// feeds can be watched")
        if not is_url(source) and not Path(source).exists():
            raise click.UsageError(f"{_plain(source)}: no such folder or file (give a feed URL or a folder)")
    corpus = _open(db, create=True)
    corpus.store.on_wait = _say
    stop = threading.Event()

    def stopping(signum: int, frame: Any) -> None:
        if stop.is_set():  # a second Ctrl-C: stop now
            raise KeyboardInterrupt
        stop.set()
        _say("stopping: finishing the current article and saving the state (Ctrl-C again to quit at once)")

    watcher = Watcher(corpus, sources, interval, fetch_articles, log=_say, stop=stop)
    previous = {sig: signal.signal(sig, stopping) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        polls = watcher.run(max_polls=max_polls, once=once)
    except KeyboardInterrupt:
        _say("interrupted: every article counted so far is stored; the feed state may be one poll behind")
        sys.exit(130)
    except NewsweaveError as error:
        raise Fatal(f"{_plain(str(error))}; everything taken in so far is stored, rerun to go on") from None
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        watcher.close()
        corpus.close()
    last = {poll.source: poll for poll in polls}
    new, failed = sum(p.new for p in polls), sum(len(p.failed or []) for p in polls)
    def count(n: int, what: str) -> str:
        return f"{n} {what}{'' if n == 1 else 's'}"

    _say(f"{'stopped' if stop.is_set() else 'done'}: {count(len(polls), 'poll')} of {count(len(sources), 'source')}, "
         f"{count(new, 'new article')}, {failed} failed")
    bad = failed or any(not last[s].ok for s in map(normal_source, sources) if s in last)
    sys.exit(1 if bad and not stop.is_set() and (once or max_polls) else 0)


@main.command()
@db_option
@json_option
def storylines(db: str, as_json: bool) -> None:
    """List storylines (the stories of one ongoing affair): title, dates, languages, stories."""
    with _open(db) as corpus:
        found = corpus.storylines()
    if as_json:
        _print_json([s.to_dict() for s in found])
        return
    table = Table("id", "start", "end", "languages", "stories", "title")
    for s in found:
        table.add_row(str(s.id), _data(s.start), _data(s.end), _data(",".join(s.languages)),
                      _data(" ".join(str(i) for i in s.stories)), _data(s.title))
    out.print(table)


@main.command()
@click.argument("storyline_id", type=int)
@db_option
@json_option
def storyline(storyline_id: int, db: str, as_json: bool) -> None:
    """One storyline: its stories in time order, then the timeline of all their members (by
    day, each development's first report first, with source, language and role)."""
    with _open(db) as corpus, _found():
        found = corpus.storyline(storyline_id)
    if as_json:
        _print_json(found.to_dict())
        return
    out.print(Text.assemble(_data(found.title, "bold"), "  ", _data(f"({found.start or '?'} – {found.end or '?'})"),
                            "  ", _data(", ".join(found.languages))))
    table = Table("start", "end", "story", "languages", "docs", "headline", title="Stories")
    for s in found.members:
        table.add_row(_data(s.start or "undated"), _data(s.end), str(s.id), _data(",".join(s.languages)),
                      str(len(s.documents)), _data(s.title))
    out.print(table)
    days = Table("day", "role", "lang", "id", "title / lead", title="Timeline")
    for day in found.timeline:
        for entry in day.entries:
            when = (entry.published or "undated") + ("*" if entry.inferred else "")
            days.add_row(_data(when), entry.role, _data(entry.language), _data(entry.document),
                         _data(entry.title or entry.lead[:80]))
    out.print(days)


@main.command()
@click.argument("doc_a")
@click.argument("doc_b")
@db_option
@json_option
def why(doc_a: str, doc_b: str, db: str, as_json: bool) -> None:
    """Whether two documents share a story or storyline, and why: the story decision's score and
    each signal's part in it, the threshold, the event model's view, their links and the
    entities both name."""
    with _open(db) as corpus, _found():
        found = corpus.why(doc_a, doc_b).to_dict()
    if as_json:
        _print_json(found)
        return
    a, b = (_plain(d, True) for d in found["documents"])
    story = "same story" if found["same_story"] else "different stories"
    line = "same storyline" if found["same_storyline"] else "different storylines"
    out.print(Text(f"{a} and {b}: {story} {found['stories']}, {line} {found['storylines']}", style="bold"))
    out.print(Text(f"story decision {found['similarity']:.3f}; a document joins a story when its decision "
                   f"against one of the story's latest members reaches {found['threshold']}"))
    table = Table("signal", "value", "log-odds")
    for name, value in found["signals"].items():
        table.add_row(name, f"{value:.3f}", f"{found['contributions'][name]:+.2f}")
    table.add_row("bias", "", f"{found['contributions']['bias']:+.2f}")
    out.print(table)
    model = found["event_model"]
    out.print(Text(f"event model (SemEval-trained) similarity {model['similarity']:.3f}: "
                   + ", ".join(f"{k} {'-' if v is None else f'{v:.2f}'}" for k, v in model["signals"].items()),
                   style="dim"))
    for link in found["links"]:
        out.print(Text.assemble(("link: ", "dim"), _data(f"{link['kind']} score={link['score']}")), highlight=False)
    if found["shared_entities"]:
        names = ", ".join(_plain(e["name"], True) for e in found["shared_entities"])
        out.print(Text.assemble(("both name: ", "dim"), Text(names)), highlight=False)


if __name__ == "__main__":
    main()
