"""Fuzz bench: tests/test_fuzz.py's checks on 10,000 inputs per reader, and on `process`.

Same inputs as the test (damaged real samples and arbitrary bytes, drawn by hypothesis with
a fixed seed), without shrinking, and a crash is counted rather than stopping the run. Prints
one line: inputs per reader, failures, worst seconds and peak RSS rise (MB) of one input;
then, for each distinct crash, its smallest input and the traceback's last lines.

    .venv/bin/python -m bench.fuzz [--inputs 10000] [--process-inputs 300] [--crashes DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a file (python bench/fuzz.py): the tests live beside bench/
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from newsweave.pipeline import Pipeline
from newsweave.settings import Settings
from tests.test_fuzz import (
    MAX_EXTRA_RSS_MB,
    MAX_SECONDS,
    READERS,
    check_process,
    check_reader,
    measured,
    reader_inputs,
    samples,
)


@dataclass
class Tally:
    """What one target (a reader, or process) did with its inputs."""

    inputs: int = 0
    articles: int = 0
    worst_seconds: float = 0.0
    worst_mb: float = 0.0
    over_bounds: int = 0
    # where it crashed -> (smallest input, its file extension, traceback)
    crashes: dict[str, tuple[bytes, str, str]] = field(default_factory=dict)

    def run(self, check: Callable[[], object], data: bytes, ext: str = "") -> None:
        self.inputs += 1
        result: list[object] = []
        try:
            seconds, mb = measured(lambda: result.append(check()))
        except Exception as error:  # a crash: counted by where it happened, smallest input kept
            frames = traceback.extract_tb(error.__traceback__)
            where = f"{type(error).__name__} at {Path(frames[-1].filename).name}:{frames[-1].lineno}"
            tail = "".join(traceback.format_exception(error)[-6:])
            if where not in self.crashes or len(data) < len(self.crashes[where][0]):
                self.crashes[where] = (data, ext, tail)
            return
        self.articles += sum(1 for item in result[0] or [] if type(item).__name__ == "RawArticle")
        self.worst_seconds, self.worst_mb = max(self.worst_seconds, seconds), max(self.worst_mb, mb)
        self.over_bounds += seconds >= MAX_SECONDS or mb >= MAX_EXTRA_RSS_MB


def bench_settings(examples: int) -> settings:
    return settings(
        max_examples=examples, derandomize=True, database=None, deadline=None, phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )


def fuzz_reader(reader: str, pipeline: Pipeline, folder: Path, examples: int) -> Tally:
    tally = Tally()

    @bench_settings(examples)
    @given(reader_inputs(reader))
    def run(case: tuple[str, bytes]) -> None:
        ext, data = case
        tally.run(lambda: check_reader(pipeline, folder, ext, data), data, ext)

    run()
    return tally


def fuzz_process(pipeline: Pipeline, examples: int) -> Tally:
    tally = Tally()

    @bench_settings(examples)
    @given(reader_inputs("text"), st.sampled_from(["text", "html"]))
    def run(case: tuple[str, bytes], kind: str) -> None:
        data = case[1]
        tally.run(lambda: check_process(pipeline, data, kind), data)

    run()
    return tally


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=10_000, help="inputs per reader")
    parser.add_argument("--process-inputs", type=int, default=300, help="inputs through the whole process()")
    parser.add_argument("--crashes", type=Path, help="folder to write each crash's whole input to")
    parser.add_argument("--readers", default=",".join(READERS), help="comma-separated subset of " + ",".join(READERS))
    args = parser.parse_args()
    pipeline = Pipeline(Settings())
    with tempfile.TemporaryDirectory() as tmp:  # models load once, not as part of an input's cost
        for ext, data in samples()["html"] + samples()["text"]:
            check_reader(pipeline, Path(tmp), ext, data)
    check_process(pipeline, samples()["text"][0][1], "text")
    tallies: dict[str, Tally] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for reader in args.readers.split(","):
            tallies[reader] = fuzz_reader(reader, pipeline, Path(tmp), args.inputs)
            print(f"  {reader}: {tallies[reader].inputs} inputs, {len(tallies[reader].crashes)} crash kinds",
                  file=sys.stderr, flush=True)
    if args.process_inputs:
        tallies["process"] = fuzz_process(pipeline, args.process_inputs)
    crashes = {f"{name}: {where}": found for name, tally in tallies.items() for where, found in tally.crashes.items()}
    print(
        "fuzz " + " ".join(f"{name}={t.inputs}" for name, t in tallies.items())
        + f" crash_kinds={len(crashes)} over_bounds={sum(t.over_bounds for t in tallies.values())}"
        + f" worst_s={max(t.worst_seconds for t in tallies.values()):.2f}"
        + f" worst_rss_mb={max(t.worst_mb for t in tallies.values()):.0f}"
        + " per_target=" + ",".join(f"{n}:{t.worst_seconds:.2f}s/{t.worst_mb:.0f}MB" for n, t in tallies.items())
    )
    for n, (name, (data, ext, tail)) in enumerate(crashes.items(), start=1):
        print(f"\n{name}\n  input ({len(data)} bytes): {data[:400]!r}{' …' if len(data) > 400 else ''}\n{tail}")
        if args.crashes:
            args.crashes.mkdir(parents=True, exist_ok=True)
            (args.crashes / f"crash{n}{ext}").write_bytes(data)
    return 1 if crashes else 0


if __name__ == "__main__":
    raise SystemExit(main())
