"""Named factories for the swappable components (embedders, recognizers).

One table per kind says which names exist and what builds each, so building a component
and validating a setting that names one ask the same place and cannot disagree. A name is
either whole ("use-multilingual") or a prefix with a placeholder
("sentence-transformers:<model>"), whose text after the colon goes to the factory.

The tables are data: each factory is named as "module:function" and imported only when a
component is built, so validating settings loads no model code, and this low module
imports none of the components it names (they sit above it).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from .errors import ConfigError

Factory = Callable[..., Any] | str


class Registry:
    """Factories by name for one kind of component; unknown names fail with the known ones."""

    def __init__(self, kind: str, factories: dict[str, Factory] | None = None) -> None:
        self.kind = kind
        self._factories: dict[str, Factory] = dict(factories or {})

    def register(self, name: str, factory: Factory) -> None:
        """`factory(argument, **options)`, or "module:function" naming it: `argument` is the
        text after a prefix name's colon ("" for a whole name); options are what `make`
        passes on (threads, …)."""
        self._factories[name] = factory

    def choices(self) -> str:
        return " or ".join(repr(name) for name in self._factories)

    def check(self, spec: str, what: str | None = None) -> tuple[Factory, str]:
        """The factory for `spec` and its argument; ConfigError naming the known choices.

        `what` names the bad value in the message (default: "<kind> '<spec>'")."""
        for name, factory in self._factories.items():
            prefix, colon, _placeholder = name.partition(":")
            if colon and spec.startswith(prefix + ":"):
                return factory, spec[len(prefix) + 1 :]
            if not colon and spec == name:
                return factory, ""
        raise ConfigError(f"{what or f'{self.kind} {spec!r}'} is not known; use {self.choices()}")

    def make(self, spec: str, **options: object) -> Any:
        factory, argument = self.check(spec)
        if isinstance(factory, str):
            module, _, function = factory.partition(":")
            factory = getattr(importlib.import_module(module), function)
        return factory(argument, **options)


EMBEDDERS = Registry(
    "embedder",
    {
        "use-multilingual": "newsweave.embed:universal_sentence_encoder",
        "sentence-transformers:<model>": "newsweave.embed:sentence_transformer",
    },
)
RECOGNIZERS = Registry("recognizer", {"newsweave": "newsweave.entities.recognizers:bundled"})
