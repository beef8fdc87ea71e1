"""Named factories for the swappable components (embedders, recognizers).

One table per kind says which names exist and how each is made, so building a component
and validating a setting that names one ask the same place and cannot disagree. A name
is either whole ("use-multilingual") or a prefix with a placeholder
("sentence-transformers:<model>"), whose text after the colon goes to the factory.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from .errors import ConfigError

T = TypeVar("T")


class Registry(Generic[T]):
    """Factories by name for one kind of component; unknown names fail with the known ones."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._factories: dict[str, Callable[..., T]] = {}

    def register(self, name: str, factory: Callable[..., T]) -> None:
        """`factory(argument, **options)`: `argument` is the text after a prefix name's colon
        ("" for a whole name); options are what `make` passes on (threads, …)."""
        self._factories[name] = factory

    def choices(self) -> str:
        return " or ".join(repr(name) for name in self._factories)

    def check(self, spec: str, what: str | None = None) -> tuple[Callable[..., T], str]:
        """The factory for `spec` and its argument; ConfigError naming the known choices.

        `what` names the bad value in the message (default: "<kind> '<spec>'")."""
        for name, factory in self._factories.items():
            prefix, colon, _placeholder = name.partition(":")
            if colon and spec.startswith(prefix + ":"):
                return factory, spec[len(prefix) + 1 :]
            if not colon and spec == name:
                return factory, ""
        raise ConfigError(f"{what or f'{self.kind} {spec!r}'} is not known; use {self.choices()}")

    def make(self, spec: str, **options: object) -> T:
        factory, argument = self.check(spec)
        return factory(argument, **options)
