"""The shipped model files: package data, installed with the newsweave wheel.

`model_path` finds them through `importlib.resources`, so an installed wheel works from any
directory, not only an editable checkout. Wheels install as folders, so the resource is a
real path that spaCy and numpy can open.
"""

from importlib import resources
from pathlib import Path


def model_path(*parts: str) -> Path:
    """A shipped model file or folder, e.g. `model_path("ner", "de")`."""
    return Path(str(resources.files(__name__).joinpath(*parts)))
