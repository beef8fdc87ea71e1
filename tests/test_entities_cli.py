"""Entities through the command line: tag without a database, and in the stored corpus."""

from __future__ import annotations

import json

from .conftest import run_cli


def tag_lines(*lines: str) -> list[dict]:
    from click.testing import CliRunner

    from newsweave.cli import main

    result = CliRunner().invoke(main, ["tag", "--lines"], input="\n".join(lines) + "\n", catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_tag_gives_lavrov_one_canonical_key_in_three_languages():
    texts = [
        "Der russische Außenminister Sergej Lawrow sprach am Freitag in Moskau über Afghanistan.",
        "Russian Foreign Minister Sergei Lavrov spoke in Moscow on Friday about Afghanistan.",
        "Министр иностранных дел России Сергей Лавров выступил в пятницу в Москве.",
    ]
    results = tag_lines(*texts)
    assert [r["language"] for r in results] == ["de", "en", "ru"]
    for text, result in zip(texts, results, strict=True):
        for entity in result["entities"]:
            assert text[entity["start"]:entity["end"]] == entity["text"]
    lavrov = [{e["canonical"] for e in r["entities"] if e["type"] == "PER"} for r in results]
    assert all(len(keys) == 1 for keys in lavrov) and len(set.union(*lavrov)) == 1
    moscow = {e["canonical"] for r in results for e in r["entities"] if e["text"] in ("Moskau", "Moscow", "Москве")}
    assert moscow == {"loc:city:524901"}  # the Russian form is inflected (locative)
    russia = {e["canonical"] for r in results for e in r["entities"] if e["text"] == "России"}
    assert russia == {"loc:country:RU"}


def test_show_lists_resolved_entities_and_entity_commands_join_variants(seed_db, seed_ids):
    record = json.loads(run_cli("show", seed_ids["000"], "--db", str(seed_db), "--json")[1])
    by_id = {e["id"]: e for e in record["entities"]}
    kazan = by_id["loc:city:551487"]
    assert kazan["country"] == "RU" and kazan["mentions"][0]["text"] == "Kasan"
    paragraphs = record["paragraphs"]
    for entity in record["entities"]:
        for m in entity["mentions"]:
            assert paragraphs[m["paragraph"]]["text"][m["start"]:m["end"]] == m["text"]
    rows = json.loads(run_cli("entities", "--db", str(seed_db), "--json")[1])
    lavrov = next(r for r in rows if r["id"] == "per:lavrov")
    assert {"Lawrow", "Lawrows", "Lavrov"} <= set(lavrov["variants"]) and lavrov["documents"] >= 4
    detail = json.loads(run_cli("entity", "per:lavrov", "--db", str(seed_db), "--json")[1])
    assert {"de", "en"} <= set(detail["variants"]) and len(detail["documents"]) >= 4


def test_translation_link_names_the_entities_both_documents_share(seed_db, seed_ids):
    links = json.loads(run_cli("show", seed_ids["001"], "--db", str(seed_db), "--json")[1])["links"]
    translation = next(link for link in links if link["kind"] == "translation")
    shared = {e["id"] for e in translation["evidence"]["shared_entities"]}
    assert {"per:lavrov", "loc:country:AF"} <= shared


def test_kabul_the_city_and_kabul_the_envoy_stay_apart(seed_db, seed_ids):
    record = json.loads(run_cli("show", seed_ids["004"], "--db", str(seed_db), "--json")[1])
    by_id = {e["id"]: e for e in record["entities"]}
    city = by_id["loc:city:1138958"]
    assert {m["text"] for m in city["mentions"]} == {"Kabul"}
    envoy = [e for e in record["entities"] if any("Zamir" in m["text"] for m in e["mentions"])]
    assert envoy and all(e["type"] == "PER" and e["id"] != city["id"] for e in envoy)


def test_tag_reads_a_file_that_is_not_utf8_with_the_bad_bytes_replaced(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Sergej Lawrow sprach in Moskau über die Lage \xff.\n".encode("latin-1", "replace"))
    code, stdout, stderr = run_cli("tag", str(path))
    assert code == 0 and "Traceback" not in stderr
    result = json.loads(stdout)
    assert result["language"] == "de" and "per:lavrov" in {e["canonical"] for e in result["entities"]}
