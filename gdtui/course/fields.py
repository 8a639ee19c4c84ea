"""Readers for the values of one TOML file that record a `CourseIssue` instead of raising, so a loader can
report every problem in a course at once. Each reader returns the value, or None when it is absent or
wrong (and then, if it was wrong or required, an issue names the field and what was expected)."""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .schema import CourseIssue


def join(prefix: str, key: str) -> str:
    """The dotted field path: `page[2].scene` + `lr` -> `page[2].scene.lr`."""
    return f"{prefix}.{key}" if prefix else key


def choices(names: Iterable[str]) -> str:
    return "one of: " + ", ".join(names)


def is_number(value: Any) -> bool:
    """A finite TOML integer or float (booleans are not numbers here)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class Fields:
    """The issues found in one file (`file` as printed), with typed readers for its tables."""

    def __init__(self, file: str, issues: list[CourseIssue]):
        self.file = file
        self.issues = issues

    def add(self, field: str, expected: str) -> None:
        self.issues.append(CourseIssue(self.file, field, expected))

    @property
    def count(self) -> int:
        return len(self.issues)

    def read_toml(self, path: Path) -> dict[str, Any] | None:
        """The file's top-level table, or None (with an issue) if it is missing or not valid TOML."""
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            self.add("file", "a TOML file here (missing)")
            return None
        except (OSError, UnicodeDecodeError) as exc:
            self.add("file", f"a readable UTF-8 TOML file ({exc.__class__.__name__})")
            return None
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            self.add("file", f"valid TOML ({_toml_error(str(exc))})")
            return None

    def unknown(self, table: Mapping[str, Any], allowed: Iterable[str], prefix: str) -> None:
        """An issue for every key of `table` not in `allowed`."""
        allowed = tuple(allowed)
        for key in table:
            if key not in allowed:
                self.add(join(prefix, key), f"no such field; expected {choices(allowed)}")

    def string(
        self,
        table: Mapping[str, Any],
        key: str,
        prefix: str,
        *,
        required: bool = False,
        one_line: bool = False,
    ) -> str | None:
        """A non-empty string (a single line if `one_line`)."""
        if key not in table:
            if required:
                self.add(join(prefix, key), "a string (missing)")
            return None
        value = table[key]
        if not isinstance(value, str) or not value.strip():
            self.add(join(prefix, key), "a non-empty string")
            return None
        if one_line and "\n" in value.strip():
            self.add(join(prefix, key), "a single line")
            return None
        return value

    def choice(
        self,
        table: Mapping[str, Any],
        key: str,
        prefix: str,
        names: Iterable[str],
        *,
        required: bool = False,
        hint: str = "",
    ) -> str | None:
        """One of `names`."""
        names = tuple(names)
        value = table.get(key)
        if key not in table and not required:
            return None
        if value not in names:
            missing = " (missing)" if key not in table else ""
            self.add(join(prefix, key), choices(names) + hint + missing)
            return None
        return value

    def number(self, table: Mapping[str, Any], key: str, prefix: str, *, positive: bool) -> float | None:
        """A finite number, > 0 if `positive`, else ≥ 0."""
        if key not in table:
            return None
        value = table[key]
        if not is_number(value) or value < 0 or (positive and value == 0):
            self.add(join(prefix, key), "a number > 0" if positive else "a number ≥ 0")
            return None
        return float(value)

    def whole(self, table: Mapping[str, Any], key: str, prefix: str, *, least: int) -> int | None:
        """A whole number ≥ `least`."""
        if key not in table:
            return None
        value = table[key]
        if not is_whole(value) or value < least:
            self.add(join(prefix, key), f"a whole number ≥ {least}")
            return None
        return value

    def table(self, parent: Mapping[str, Any], key: str, prefix: str) -> dict[str, Any] | None:
        if key not in parent:
            return None
        value = parent[key]
        if not isinstance(value, dict):
            self.add(join(prefix, key), "a table")
            return None
        return value


def _toml_error(message: str) -> str:
    """tomllib's `What (at line 3, column 7)` as `line 3, column 7: What`."""
    match = re.fullmatch(r"(.*) \(at (line \d+, column \d+)\)", message)
    return f"{match[2]}: {match[1]}" if match else message
