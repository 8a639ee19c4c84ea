"""A validated course, remembered between starts.

Loading a course checks every file, field and name against the engine (which imports NumPy) and builds
each scene's steppers once: most of what `gdtui` does before its first screen. A course that loaded
without a single issue is written to a cache folder as JSON, beside a fingerprint of everything that
result depends on: the bytes of every file the loader read, gdtui's own code, and the Python and NumPy it
ran on. While the fingerprint still matches, the course is read back from there instead (no engine, no
TOML), so a cached course is always exactly what loading afresh would give; anything changed, and the
course is loaded and validated afresh. A missing, unreadable or stale entry is ignored and rewritten:
the cache only ever saves time.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
import tempfile
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

from .schema import Answer, Course, Exercise, Lesson, Page, RunSpec, Scene

#: Bumped whenever the entry's layout changes.
FORMAT = 1
_CLASSES = {cls.__name__: cls for cls in (Answer, Course, Exercise, Lesson, Page, RunSpec, Scene)}
_PACKAGE = Path(__file__).resolve().parents[1]  # gdtui/


def read(cache: Path, root: Path) -> Course | None:
    """The course at `root` as it was cached, if nothing it depends on has changed since; else None."""
    try:
        entry = json.loads(_entry_path(cache, root).read_text(encoding="utf-8"))
        if entry.get("format") != FORMAT or entry.get("code") != _code_fingerprint():
            return None
        if entry.get("files") != _files_fingerprint(root, entry.get("read", [])):
            return None
        return _decode(entry["course"], root)
    except (OSError, ValueError, LookupError, TypeError, AttributeError):  # damaged or foreign: ignored
        return None


def write(cache: Path, root: Path, course: Course) -> None:
    """Remember `course`, loaded without issues from `root` (best effort: never raises)."""
    read_files = [
        "course.toml",
        *(
            str(path.relative_to(root))
            for lesson in course.lessons
            for path in (lesson.path / "lesson.toml", *(page.source for page in lesson.pages))
        ),
    ]
    try:
        entry = {
            "format": FORMAT,
            "code": _code_fingerprint(),
            "read": read_files,
            "files": _files_fingerprint(root, read_files),
            "course": _encode(course, root),
        }
        cache.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache, prefix=".course-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(entry, f, ensure_ascii=False)
            os.replace(tmp, _entry_path(cache, root))  # atomic: a concurrent start reads old or new
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except (OSError, ValueError, TypeError):
        pass


def _entry_path(cache: Path, root: Path) -> Path:
    """One entry per course folder."""
    return cache / f"course-{hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:24]}.json"


def _files_fingerprint(root: Path, names: list[str]) -> str:
    """A digest of the bytes of the course files the loader read (raises OSError if one is gone)."""
    digest = hashlib.sha256()
    for name in names:
        data = (root / name).read_bytes()
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def _code_fingerprint() -> str:
    """What validation runs on: gdtui's own modules (path, size and modification time of each, as Python
    itself checks its bytecode cache), the Python version and NumPy's version file."""
    digest = hashlib.sha256(sys.version.encode())
    sources = sorted(_PACKAGE.rglob("*.py"))
    numpy = importlib.util.find_spec("numpy")
    if numpy is not None and numpy.origin:
        sources.append(Path(numpy.origin).with_name("version.py"))
    for path in sources:
        stat = path.stat()
        digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _encode(value: Any, root: Path) -> Any:
    """JSON for the course's frozen data; paths are kept relative to the course folder."""
    if is_dataclass(value):
        return {
            "@": type(value).__name__,
            "v": {f.name: _encode(getattr(value, f.name), root) for f in fields(value)},
        }
    if isinstance(value, tuple):
        return {"@": "tuple", "v": [_encode(v, root) for v in value]}
    if isinstance(value, dict):
        return {"@": "dict", "v": {str(k): _encode(v, root) for k, v in value.items()}}
    if isinstance(value, Path):
        return {"@": "path", "v": str(value.relative_to(root))}
    if isinstance(value, list):
        return [_encode(v, root) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot cache a {type(value).__name__}")


def _decode(value: Any, root: Path) -> Any:
    if isinstance(value, list):
        return [_decode(v, root) for v in value]
    if not isinstance(value, dict):
        return value
    kind, inner = value["@"], value["v"]
    if kind == "tuple":
        return tuple(_decode(v, root) for v in inner)
    if kind == "dict":
        return {k: _decode(v, root) for k, v in inner.items()}
    if kind == "path":
        return root / inner
    return _CLASSES[kind](**{k: _decode(v, root) for k, v in inner.items()})
