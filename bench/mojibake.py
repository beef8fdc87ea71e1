"""Mojibake repair: newsweave's `repair()` against plain `ftfy.fix_text`, side by side.

Uses ftfy's own test cases in ../shared/eval/mojibake and the article texts of
../shared/eval/news-similarity/pairs.csv, and prints one line:

- in-the-wild, synthetic, language-names: cases passed. A case passes as in ftfy's test
  suite: the fixer turns `original` into `fixed`, and also turns `original` with an extra
  layer of damage (its UTF-8 bytes read as Latin-1) into `fixed`. ftfy's `fixed` has its
  curly quotes straightened and full-width forms narrowed (`uncurl_quotes` and
  `fix_character_width`, on by default); newsweave keeps both on purpose (German „…“,
  typographic apostrophes and Chinese ，。？ are content, not damage), so newsweave's output
  passes through those two ftfy functions before the comparison; nothing else differs.
- negative: text that must not change; counts outputs differing from `fixed` (the same
  normalising applies; `fixed` differs from `original` only in quotes and one C1 control).
- known-failures: cases ftfy cannot fix; counts those fixed (same comparison). ftfy's suite
  checks these with `fix_encoding` alone; `fix_text` here already fixes one of them.
- pairs.csv: texts carrying mojibake markers before repair, after plain ftfy, after
  newsweave (`_MARKER` below says what counts), and newsweave's repair speed in texts/s.

    .venv/bin/python -m bench.mojibake [--show]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time

import ftfy
import regex
from ftfy.fixes import fix_character_width, uncurl_quotes

from newsweave.clean.mojibake import repair
from training.evaldata import eval_path

CASES = eval_path("mojibake")
PAIRS = eval_path("news-similarity", "pairs.csv")

# What a UTF-8 continuation byte (0x80-0xBF) looks like once read as cp1252 or Latin-1.
_CONT = "".join(chr(b) for b in range(0x80, 0xC0)) + "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
# Continuation readings that are also ordinary punctuation after a capital: "IRMÃ”",
# "VOCÊ…", "SÃ »". After a lead they only count when the word goes on (a lowercase letter).
_AMBIGUOUS = "…’”»–—´\xa0"
_STRONG = "".join(c for c in _CONT if c not in _AMBIGUOUS)
# A mojibake marker: a UTF-8 lead byte read as cp1252/Latin-1 (Â Ã: Latin-1 letters; Ä Å:
# Turkish, Polish, Czech; Ð Ñ: Cyrillic; Ø Ù: Arabic; Î Ï: Greek) followed by a continuation
# reading; "â€"/"â‚¬"/"â„¢" (U+20xx punctuation, €, ™); Â before any continuation reading
# (no language puts Â before punctuation or an nbsp); and the NFKC-folded forms Ã1⁄4 / â€TM.
# Plain text never contains these: Portuguese "SÃO", German "Ärzte", Swedish "Åsa" do not
# match, because a letter or a space is not a continuation reading.
_MARKER = regex.compile(
    rf"â€|â‚¬|â„¢|Â[{regex.escape(_CONT)}]|[ÃÄÅÐÑØÙÎÏ](?:[{regex.escape(_STRONG)}]|[{_AMBIGUOUS}](?=\p{{Ll}})|[123]⁄[24])"
)


def ours(text: str) -> str:
    return repair(text)[0]


def ftfy_plain(text: str) -> str:
    return ftfy.fix_text(text)


def _normalise(text: str) -> str:
    return fix_character_width(uncurl_quotes(text))


def passes(fix, case: dict, *, straighten: bool) -> bool:
    """ftfy's test-suite check: the case and its doubly damaged form both come out as `fixed`."""
    post = _normalise if straighten else (lambda s: s)
    extra_bad = case["original"].encode("utf-8").decode("latin-1")
    return post(fix(case["original"])) == case["fixed"] and post(fix(extra_bad)) == case["fixed"]


def single(fix, case: dict, *, straighten: bool) -> bool:
    post = _normalise if straighten else (lambda s: s)
    return post(fix(case["original"])) == case["fixed"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="print each case or text that differs")
    args = parser.parse_args()
    if not CASES.exists() or not PAIRS.exists():
        print(f"skipped: {CASES} or {PAIRS} not found (needs ../shared/eval)")
        return 0
    parts = []
    for name in ("in-the-wild", "synthetic", "language-names"):
        cases = json.loads((CASES / f"{name}.json").read_text(encoding="utf-8"))
        ok_ours = [passes(ours, c, straighten=True) for c in cases]
        ok_ftfy = [passes(ftfy_plain, c, straighten=False) for c in cases]
        regressions = sum(f and not o for o, f in zip(ok_ours, ok_ftfy, strict=True))
        parts.append(
            f"{name} newsweave={sum(ok_ours)}/{len(cases)} ftfy={sum(ok_ftfy)}/{len(cases)} regressions={regressions}"
        )
        if args.show:
            for case, o, f in zip(cases, ok_ours, ok_ftfy, strict=True):
                if o != f:
                    print(f"  {name}: newsweave={o} ftfy={f} {case['original']!r} -> {ours(case['original'])!r}")
    negative = json.loads((CASES / "negative.json").read_text(encoding="utf-8"))
    changed_ours = [c for c in negative if not single(ours, c, straighten=True)]
    changed_ftfy = [c for c in negative if not single(ftfy_plain, c, straighten=False)]
    parts.append(f"negative false_changes newsweave={len(changed_ours)} ftfy={len(changed_ftfy)} of {len(negative)}")
    known = json.loads((CASES / "known-failures.json").read_text(encoding="utf-8"))
    fixed_ours = [c for c in known if single(ours, c, straighten=True)]
    fixed_ftfy = [c for c in known if single(ftfy_plain, c, straighten=False)]
    parts.append(f"known-failures fixed newsweave={len(fixed_ours)} ftfy={len(fixed_ftfy)} of {len(known)}")
    if args.show:
        for case in changed_ours:
            print(f"  negative changed: {case['original']!r} -> {ours(case['original'])!r}")
        for case in known:
            print(
                f"  known-failure {'FIXED' if case in fixed_ours else 'left'}: {case['original']!r} -> {ours(case['original'])!r}"
            )

    csv.field_size_limit(sys.maxsize)
    with PAIRS.open(encoding="utf-8", newline="") as f:
        texts = [row[k] for row in csv.DictReader(f) for k in ("text1", "text2")]
    start = time.perf_counter()
    repaired = [ours(t) for t in texts]
    elapsed = time.perf_counter() - start
    start = time.perf_counter()
    by_ftfy = [ftfy.fix_text(t, uncurl_quotes=False) for t in texts]
    ftfy_elapsed = time.perf_counter() - start
    before = sum(bool(_MARKER.search(t)) for t in texts)
    after_ftfy = sum(bool(_MARKER.search(t)) for t in by_ftfy)
    after = sum(bool(_MARKER.search(t)) for t in repaired)
    changed = sum(t != r for t, r in zip(texts, repaired, strict=True))
    if args.show:
        for r in repaired:
            for m in _MARKER.finditer(r):
                print(f"  pairs.csv marker left: {r[max(0, m.start() - 30) : m.end() + 30]!r}")
    parts.append(
        f"pairs.csv texts={len(texts)} with_markers before={before} after_ftfy={after_ftfy} after_newsweave={after} "
        f"changed={changed} texts/s={len(texts) / elapsed:.0f} (ftfy alone {len(texts) / ftfy_elapsed:.0f})"
    )
    print("mojibake " + " | ".join(parts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
