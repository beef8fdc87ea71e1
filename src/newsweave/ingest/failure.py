from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Failure:
    """An input that could not be read: where (file, and #line or #record) and why."""

    source: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"
