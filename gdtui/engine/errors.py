"""Errors the engine raises for bad settings. Each message is one line that names what was wrong and,
where there is a list to choose from, every valid choice. Divergence is never an error: it is a status."""

from __future__ import annotations

from collections.abc import Iterable


class ConfigError(ValueError):
    """A setting the engine cannot use (unknown name, value out of range, wrong dimension)."""


class UnknownNameError(ConfigError):
    """An unknown registry name; the message names every valid choice."""

    def __init__(self, kind: str, name: str, choices: Iterable[str]):
        super().__init__(f"unknown {kind} {name!r}; choose one of: {', '.join(choices)}")
