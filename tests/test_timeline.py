"""Timelines: members by day, each development's first report first, roles and inferred
dates marked; dates read from an undated article's text (clean/dates.py)."""

from __future__ import annotations

import datetime as dt
import json

from newsweave.clean.dates import infer_date
from newsweave.document import Document, Paragraph
from newsweave.stories.timeline import timeline

from .conftest import run_cli

TODAY = dt.date(2026, 1, 1)


def doc(doc_id: str, published: str | None, language: str = "en", date_source: str | None = None) -> Document:
    return Document(doc_id, f"{doc_id}.txt", "x", title=f"title {doc_id}", published=published, language=language,
                    date_source=date_source, paragraphs=[Paragraph(f"lead of {doc_id}")])


def test_days_run_in_order_each_first_report_before_its_copies_and_later_originals_follow_up():
    members = [
        (doc("b-de", "2023-09-29", "de"), "translation"),
        (doc("c", "2023-09-30"), "original"),
        (doc("a", "2023-09-29"), "original"),
        (doc("z", None), "original"),
        (doc("a-dup", "2023-09-29"), "duplicate"),
        (doc("b", "2023-09-29"), "original"),
    ]
    origins = {"b-de": "b", "a-dup": "a"}
    days = timeline(members, origins)
    assert [d.day for d in days] == ["2023-09-29", "2023-09-30", None]
    first = days[0].entries
    assert [e.document for e in first] == ["a", "a-dup", "b", "b-de"]  # a was reported before b
    assert [e.first_report for e in first] == ["a", "a", "b", "b"]
    assert [e.role for e in first] == ["original", "duplicate", "original", "translation"]
    assert days[1].entries[0].role == "follow-up"  # an original report a day after the first
    assert days[2].entries[0].document == "z" and days[2].entries[0].published is None


def test_an_inferred_date_is_marked_on_its_entry():
    days = timeline([(doc("a", "2023-09-29"), "original"), (doc("t", "2023-09-29", "de", "story"), "translation")],
                    {"t": "a"})
    entries = days[0].entries
    assert [(e.inferred, e.date_source) for e in entries] == [(False, None), (True, "story")]
    assert entries[1].source == "t.txt" and entries[1].language == "de"


def test_the_kazan_translation_takes_its_date_from_its_story_and_shows_it_as_inferred(seed_db, seed_ids):
    code, stdout, _ = run_cli("stories", "--db", str(seed_db), "--json")
    story_id = next(s["id"] for s in json.loads(stdout) if seed_ids["001"] in s["documents"])
    code, stdout, stderr = run_cli("story", str(story_id), "--db", str(seed_db), "--json")
    assert code == 0, stderr
    days = json.loads(stdout)["timeline"]
    assert [d["day"] for d in days] == ["2023-09-29"]
    entries = days[0]["entries"]
    assert [(e["document"], e["role"]) for e in entries] == [(seed_ids["001"], "original"),
                                                            (seed_ids["000"], "translation")]
    assert entries[1]["inferred"] and entries[1]["date_source"] == "story"  # "am Freitag", a Friday
    assert entries[1]["first_report"] == seed_ids["001"] and entries[1]["source"].endswith(".txt")
    code, stdout, _ = run_cli("story", str(story_id), "--db", str(seed_db))
    assert "translation" in stdout and "2023-09-29*" in stdout and "inferred" in stdout


def test_an_undated_article_takes_its_datelines_date_and_date_filters_find_it(corpus):
    text = ("Gespräche in Berlin\n\nBERLIN, 5. Juli 2021 (dpa) – Die Minister der Nachbarländer haben sich am "
            "Montag in Berlin getroffen, um über die Lage an der Grenze zu sprechen.\n\nDie Gespräche sollen "
            "in der kommenden Woche fortgesetzt werden, sagte ein Sprecher des Ministeriums.")
    added = corpus.add(text, language="de")
    stored = corpus.document(added.id)
    assert (stored.published, stored.date_source) == ("2021-07-05", "text")
    found = corpus.documents(date_from="2021-07-05", date_to="2021-07-05")
    assert [d.id for d in found] == [added.id]


def test_a_stated_date_is_never_replaced(corpus):
    added = corpus.add("MOSCOW, Sept 29 (Reuters) - Talks opened in Kazan on Friday with delegations from "
                       "ten countries.\n\nThe talks continue.", published="2023-10-02")
    stored = corpus.document(added.id)
    assert (stored.published, stored.date_source) == ("2023-10-02", None)


def test_dates_from_text_dateline_lead_and_relative_words():
    assert infer_date(["MOSCOW, Sept 29 (Reuters) - Talks began on September 28, 2023."], "en", TODAY).date \
        == "2023-09-29"
    found = infer_date(["Lohan checks into rehab", "May 2, 2013 1: 35 pm", "Lindsay Lohan's lawyer said …"], "en", TODAY)
    assert (found.date, found.evidence) == ("2013-05-02", "date line")
    assert infer_date(["2023年9月29日 10:35", "俄罗斯主办了会谈。"], "zh", TODAY).date == "2023-09-29"
    # A date inside a sentence is background as often as news: not taken.
    assert infer_date(["Der Minister nahm am 2. Juli 2021 in Moskau an einem Treffen teil."], "de", TODAY) is None
    # A weekday or "yesterday" needs a known date to resolve against; then it is the day on or before it.
    assert infer_date(["She checked in on Tuesday."], "en", TODAY) is None
    assert infer_date(["She checked in on Tuesday."], "en", TODAY, anchor="2008-04-30").date == "2008-04-29"
    assert infer_date(["Таджикистан в среду попросил помощи."], "ru", TODAY, anchor="2021-07-08").date == "2021-07-07"
    assert infer_date(["Il ministro è arrivato ieri a Kazan."], "it", TODAY, anchor="2023-09-29").date == "2023-09-28"
    # A date after today is never taken; a year alone is no date.
    assert infer_date(["Talks are planned for March 3, 2031."], "en", TODAY) is None
    assert infer_date(["Since 2003 the group has been banned."], "en", TODAY) is None
