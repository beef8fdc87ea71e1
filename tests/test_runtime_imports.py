"""The runtime package never imports the lab: training/ and bench/ stay outside newsweave."""

from __future__ import annotations

import ast
from pathlib import Path

from .conftest import ROOT

OUTSIDE = ("training", "bench")


def imported_modules(path: Path) -> set[str]:
    """Every absolute module name a source file imports (relative imports stay inside)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_no_runtime_module_imports_training_or_bench():
    sources = sorted((ROOT / "src" / "newsweave").rglob("*.py"))
    assert len(sources) > 30  # the walk found the package
    offending = {
        str(path.relative_to(ROOT)): sorted(name for name in imported_modules(path) if name.split(".")[0] in OUTSIDE)
        for path in sources
    }
    assert {path: names for path, names in offending.items() if names} == {}


def test_training_reads_the_runtime_label_table():
    """The OntoNotes mapping lives in the runtime (the English model needs it); training
    maps Turkish Wikipedia's tags with that same table, not a copy."""
    from newsweave.entities import ner
    from training import nerdata

    assert nerdata.ONTONOTES is ner.ONTONOTES
    assert ner.MODEL_LABELS["en"]["GPE"] == "LOC"
