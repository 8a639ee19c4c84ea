"""The learner's progress store: one SQLite file, `progress.sqlite`, under the user's data directory.

Several `gdtui` processes may write one file at once (a classroom: one process per student, one class
store), so every write is its own short `BEGIN IMMEDIATE … COMMIT` (saved as it happens: kill -9 loses
nothing already returned), the journal is WAL and a busy timeout waits out other writers. Rows are keyed
by the learner's name; timestamps are UTC ISO-8601 strings. A file SQLite cannot read, or that holds
another program's tables, is moved aside (never over an earlier backup) and a fresh store is started,
with a one-line `Store.notice` saying where the old file went.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import platformdirs

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; moving a corrupt store aside is then unserialised
    fcntl = None

APPLICATION_ID = 0x67647475  # "gdtu", in the file header: marks the file as ours
SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 15.0
# Errors that mean "this file is not a readable SQLite database"; anything else (busy, read-only, disk
# full, cannot open) is a StoreError and the file is left alone.
_CORRUPT_CODES = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}
_MIGRATIONS = {  # version -> statements taking the schema from version - 1 to version
    1: [
        "CREATE TABLE learners (name TEXT PRIMARY KEY, lesson TEXT, page INTEGER, last_activity TEXT NOT NULL)",
        "CREATE TABLE pages (learner TEXT NOT NULL, lesson TEXT NOT NULL, page INTEGER NOT NULL,"
        " first_seen TEXT NOT NULL, last_seen TEXT NOT NULL, PRIMARY KEY (learner, lesson, page))",
        "CREATE TABLE attempts (id INTEGER PRIMARY KEY, learner TEXT NOT NULL, lesson TEXT NOT NULL,"
        " page INTEGER NOT NULL, exercise TEXT NOT NULL, response TEXT NOT NULL, correct INTEGER NOT NULL,"
        " at TEXT NOT NULL)",
        "CREATE INDEX attempts_by_lesson ON attempts (learner, lesson)",
        "CREATE TABLE hints (learner TEXT NOT NULL, lesson TEXT NOT NULL, page INTEGER NOT NULL,"
        " exercise TEXT NOT NULL, unfolded INTEGER NOT NULL, first_at TEXT NOT NULL, last_at TEXT NOT NULL,"
        " PRIMARY KEY (learner, lesson, page, exercise))",
    ],
}
_TABLES = frozenset({"learners", "pages", "attempts", "hints"})


class _SQL:
    """The statements, by what they do. Parameters: learner first."""

    see_page = "INSERT INTO pages VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT DO UPDATE SET last_seen = excluded.last_seen"
    move = (
        "INSERT INTO learners VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE"
        " SET lesson = excluded.lesson, page = excluded.page, last_activity = excluded.last_activity"
    )
    touch = (
        "INSERT INTO learners (name, last_activity) VALUES (?, ?)"
        " ON CONFLICT DO UPDATE SET last_activity = excluded.last_activity"
    )
    attempt = (
        "INSERT INTO attempts (learner, lesson, page, exercise, response, correct, at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)"
    )
    hint = (
        "INSERT INTO hints VALUES (?1, ?2, ?3, ?4, MIN(1, ?6), ?5, ?5) ON CONFLICT DO UPDATE"
        " SET unfolded = MIN(unfolded + 1, ?6), last_at = ?5 RETURNING unfolded"
    )
    reset = [f"DELETE FROM {t} WHERE learner = ?" for t in ("pages", "attempts", "hints")] + [
        "DELETE FROM learners WHERE name = ?"
    ]
    lesson = [
        "SELECT page FROM pages WHERE learner = ? AND lesson = ?",
        "SELECT DISTINCT page, exercise FROM attempts WHERE learner = ? AND lesson = ? AND correct",
        "SELECT page, exercise, unfolded FROM hints WHERE learner = ? AND lesson = ?",
        "SELECT COUNT(*) FROM attempts WHERE learner = ? AND lesson = ?",
    ]
    position = "SELECT lesson, page, last_activity FROM learners WHERE name = ?"
    history = (
        "SELECT lesson, page, exercise, response, correct, at FROM attempts"
        " WHERE learner = ?1 AND (?2 IS NULL OR lesson = ?2) ORDER BY id"
    )
    summary = [  # rows: lesson, count, first, last; counts of pages, attempts, hints, solved
        "SELECT lesson, COUNT(*), MIN(first_seen), MAX(last_seen) FROM pages WHERE learner = ? GROUP BY lesson",
        "SELECT lesson, COUNT(*), MIN(at), MAX(at) FROM attempts WHERE learner = ? GROUP BY lesson",
        "SELECT lesson, SUM(unfolded), MIN(first_at), MAX(last_at) FROM hints WHERE learner = ? GROUP BY lesson",
        "SELECT lesson, COUNT(*), NULL, NULL FROM (SELECT DISTINCT lesson, page, exercise FROM attempts"
        " WHERE learner = ? AND correct) GROUP BY lesson",
    ]


class StoreError(Exception):
    """The store cannot be used (directory not writable, disk full, busy, newer schema). One-line message."""


@dataclass(frozen=True)
class LessonProgress:
    """One learner's progress through one lesson; keys are (page, exercise id)."""

    pages_seen: frozenset[int]
    solved: frozenset[tuple[int, str]]
    hints_used: int
    hints: dict[tuple[int, str], int]
    attempts: int


@dataclass(frozen=True)
class LessonSummary:
    """One line of `gdtui progress` and the teacher's dashboard: a lesson the learner has touched."""

    lesson: str
    pages_seen: int
    solved: int
    hints_used: int
    attempts: int
    first_activity: datetime
    last_activity: datetime


@dataclass(frozen=True)
class Attempt:
    lesson: str
    page: int
    exercise: str
    response: str
    correct: bool
    at: datetime


def data_dir(override: str | Path | None = None) -> Path:
    """`override`, else `$GDTUI_DATA_DIR`, else the platform's user data directory; created if missing."""
    chosen = override if override not in (None, "") else os.environ.get("GDTUI_DATA_DIR")
    path = Path(chosen) if chosen else Path(platformdirs.user_data_dir("gdtui", appauthor=False))
    path = path.expanduser().absolute()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise StoreError(f"cannot create the data directory {path}: {e.strerror or e}") from None
    return path


def cache_dir() -> Path | None:
    """Where gdtui keeps what it can rebuild at will (a course that validated cleanly, see
    gdtui.course.cache): `$GDTUI_CACHE_DIR`, else the platform's user cache directory; None (no cache) if
    GDTUI_CACHE_DIR is set but empty. Created when first written."""
    chosen = os.environ.get("GDTUI_CACHE_DIR")
    if chosen == "":
        return None
    path = Path(chosen) if chosen else Path(platformdirs.user_cache_dir("gdtui", appauthor=False))
    return path.expanduser().absolute()


class Store:
    FILENAME = "progress.sqlite"

    def __init__(self, conn: sqlite3.Connection, path: Path, learner: str, notice: str | None) -> None:
        self._conn = conn
        self._lock = threading.Lock()  # the connection may be used from a worker thread too
        self.path = path
        self.learner = learner
        self.notice = notice

    @classmethod
    def open(cls, directory: str | Path, learner: str = "me") -> Store:
        """Open (creating or migrating) the store in `directory`; a corrupt or foreign file is moved aside."""
        directory = Path(directory).expanduser().absolute()
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StoreError(f"cannot create the data directory {directory}: {e.strerror or e}") from None
        path = directory / cls.FILENAME
        notice = None
        # Checking, moving a damaged file aside, creating and migrating happen under one lock: otherwise a
        # process could judge another's half-created store damaged and move it aside, or open a file while
        # it is being moved (a class's sessions all open the same store at once).
        with _directory_locked(directory):
            if (problem := _check(path)) is not None:
                backup = _move_aside(path)
                notice = (
                    f"The progress store {path} could not be read ({problem}); it was moved to {backup}"
                    " and a fresh store was started."
                )
            try:
                conn = sqlite3.connect(
                    path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
                )
            except sqlite3.Error as e:
                raise StoreError(f"cannot open the progress store {path}: {_describe(e)}") from None
            try:
                _migrate(conn, path)
            except BaseException:
                conn.close()
                raise
        return cls(conn, path, learner, notice)

    # -- writes: each one is committed before it returns ------------------------------------------------
    def page_seen(self, lesson: str, page: int) -> None:
        """Record a page seen; it becomes the learner's current position."""
        now = _now()
        self._write(
            (_SQL.see_page, (self.learner, lesson, page, now)), (_SQL.move, (self.learner, lesson, page, now))
        )

    def attempt(self, lesson: str, page: int, exercise: str, response: str, correct: bool) -> None:
        now, who = _now(), self.learner
        self._write(
            (_SQL.attempt, (who, lesson, page, exercise, response, bool(correct), now)),
            (_SQL.touch, (who, now)),
        )

    def hint_used(self, lesson: str, page: int, exercise: str, limit: int | None = None) -> int:
        """Unfold one more hint; returns how many are now unfolded (at most `limit`, if given)."""
        now, cap = _now(), (1 << 62) if limit is None else max(limit, 0)
        row = (self.learner, lesson, page, exercise, now, cap)
        return self._write((_SQL.hint, row), (_SQL.touch, (self.learner, now)))[0][0][0]

    def reset(self, learner: str | None = None) -> None:
        """Delete everything recorded for `learner` (default: this store's learner)."""
        self._write(*((sql, (learner or self.learner,)) for sql in _SQL.reset))

    # -- reads ------------------------------------------------------------------------------------------
    def lesson_progress(self, lesson: str, learner: str | None = None) -> LessonProgress:
        who = (learner or self.learner, lesson)
        pages, solved, hints, attempts = self._read(*((sql, who) for sql in _SQL.lesson))
        hint_map = {(p, e): n for p, e, n in hints}
        return LessonProgress(
            pages_seen=frozenset(p for (p,) in pages),
            solved=frozenset((p, e) for p, e in solved),
            hints_used=sum(hint_map.values()),
            hints=hint_map,
            attempts=attempts[0][0],
        )

    def position(self, learner: str | None = None) -> tuple[str, int] | None:
        """Where the learner last was: (lesson slug, page), or None before the first page."""
        (rows,) = self._read((_SQL.position, (learner or self.learner,)))
        return (rows[0][0], rows[0][1]) if rows and rows[0][0] is not None else None

    def last_activity(self, learner: str | None = None) -> datetime | None:
        (rows,) = self._read((_SQL.position, (learner or self.learner,)))
        return _time(rows[0][2]) if rows else None

    def learners(self) -> list[str]:
        (rows,) = self._read(("SELECT name FROM learners ORDER BY name", ()))
        return [name for (name,) in rows]

    def history(self, lesson: str | None = None, learner: str | None = None) -> list[Attempt]:
        """Every attempt of the learner (in one lesson, if given), oldest first."""
        (rows,) = self._read((_SQL.history, (learner or self.learner, lesson)))
        return [Attempt(ls, p, e, r, bool(c), _time(at)) for ls, p, e, r, c, at in rows]

    def summary(self, learner: str | None = None) -> list[LessonSummary]:
        """Per lesson the learner has touched, in the order first touched."""
        tables = self._read(*((sql, (learner or self.learner,)) for sql in _SQL.summary))
        counts: dict[str, list] = {}  # lesson -> [pages, attempts, hints, solved, first, last]
        for column, rows in enumerate(tables):
            for lesson, n, first, last in rows:
                row = counts.setdefault(lesson, [0, 0, 0, 0, first, last])
                row[column] = n
                row[4], row[5] = min(row[4], first or row[4]), max(row[5], last or row[5])
        out = [
            LessonSummary(lesson, pages, solved, hints, attempts, _time(first), _time(last))
            for lesson, (pages, attempts, hints, solved, first, last) in counts.items()
        ]
        return sorted(out, key=lambda s: (s.first_activity, s.lesson))

    # -- plumbing ---------------------------------------------------------------------------------------
    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _write(self, *statements: tuple[str, tuple]) -> list[list[tuple]]:
        return self._transaction("BEGIN IMMEDIATE", statements)

    def _read(self, *statements: tuple[str, tuple]) -> list[list[tuple]]:
        return self._transaction("BEGIN", statements)  # one snapshot for all the statements

    def _transaction(self, begin: str, statements: Iterable[tuple[str, tuple]]) -> list[list[tuple]]:
        with self._lock:
            try:
                self._conn.execute(begin)
                try:
                    results = [self._conn.execute(sql, params).fetchall() for sql, params in statements]
                    self._conn.execute("COMMIT")
                except BaseException:
                    if self._conn.in_transaction:
                        self._conn.execute("ROLLBACK")
                    raise
            except sqlite3.Error as e:
                raise StoreError(f"progress store {self.path}: {_describe(e)}") from e
        return results


def format_report(summary: Iterable[LessonSummary], titles: dict[str, tuple[str, int, int]]) -> str:
    """A plain-text table for `gdtui progress`: the course's lessons in order (`titles` maps slug ->
    (title, page count, exercise count)), a total over them, then any recorded lesson the course lacks."""
    by_slug = {s.lesson: s for s in summary}
    if not by_slug:
        return "No progress yet."

    def row(
        title: str, done: list[LessonSummary], pages: int | None, exercises: int | None
    ) -> tuple[str, ...]:
        seen, solved, hints = (
            sum(getattr(s, f) for s in done) for f in ("pages_seen", "solved", "hints_used")
        )
        when = max(s.last_activity for s in done).strftime("%Y-%m-%d %H:%M UTC") if done else "-"
        title = title if len(title) <= 40 else title[:39] + "…"
        if pages is None:  # a lesson the course no longer has: no totals to compare with
            return title, str(seen), str(solved), str(hints), when
        return title, f"{seen}/{pages}", f"{solved}/{exercises}", str(hints), when

    def lesson(slug: str) -> list[LessonSummary]:
        return [by_slug[slug]] if slug in by_slug else []

    course = [row(title, lesson(slug), n, m) for slug, (title, n, m) in titles.items()]
    pages, exercises = sum(n for _, n, _ in titles.values()), sum(m for _, _, m in titles.values())
    total = row("Total", [s for slug in titles for s in lesson(slug)], pages, exercises)
    extra = [
        row(f"{slug} (not in this course)", [s], None, None)
        for slug, s in by_slug.items()
        if slug not in titles
    ]
    rows = [("Lesson", "Pages", "Exercises", "Hints", "Last activity"), *course, total, *extra]
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join([*lines[: 1 + len(course)], "-" * max(map(len, lines)), *lines[1 + len(course) :]])


# -- opening, checking, migrating ---------------------------------------------------------------------------
def _check(path: Path, readonly: bool = True) -> str | None:
    """None if `path` is missing, empty or a gdtui store; else what is wrong with it. Looks through a
    read-only connection, so looking never changes the file (nor checkpoints its WAL into it)."""
    if not path.exists():
        return None
    target, uri = (f"{path.as_uri()}?mode=ro", True) if readonly else (str(path), False)
    try:
        conn = sqlite3.connect(target, uri=uri, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except sqlite3.Error as e:
        raise StoreError(f"cannot open the progress store {path}: {_describe(e)}") from None
    try:
        return _inspect(conn, path)
    except sqlite3.DatabaseError as e:
        if readonly and _code(e) == sqlite3.SQLITE_READONLY:  # a hot journal: let a writer roll it back
            return _check(path, readonly=False)
        raise StoreError(f"cannot read the progress store {path}: {_describe(e)}") from None
    finally:
        conn.close()


def _inspect(conn: sqlite3.Connection, path: Path) -> str | None:
    try:
        check = conn.execute("PRAGMA quick_check").fetchall()
        if check != [("ok",)]:
            return f"damaged: {str(check[0][0]).splitlines()[0]}"
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        names = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
    except sqlite3.DatabaseError as e:
        if _code(e) in _CORRUPT_CODES:
            return _describe(e)
        raise
    names = {n for n in names if not n.startswith("sqlite_")}
    if not names and version == 0 and app_id == 0:
        return None  # new or empty file
    if app_id != APPLICATION_ID:
        return "it is not a gdtui progress store"
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"the progress store {path} was written by a newer gdtui (schema {version}); upgrade gdtui"
        )
    if version == SCHEMA_VERSION and names != _TABLES:
        return f"unexpected tables: {', '.join(sorted(names ^ _TABLES))}"
    return None


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    """WAL journal, then bring the schema to SCHEMA_VERSION in one transaction (re-read inside it, so two
    processes creating the same new store do it once)."""
    try:
        conn.execute("PRAGMA journal_mode = WAL").fetchall()
        if conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
            return  # the usual case: nothing to write
        conn.execute("BEGIN IMMEDIATE")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        for target in range(version + 1, SCHEMA_VERSION + 1):
            for statement in _MIGRATIONS[target]:
                conn.execute(statement)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except sqlite3.Error as e:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise StoreError(f"cannot write the progress store {path}: {_describe(e)}") from None


@contextlib.contextmanager
def _directory_locked(directory: Path) -> Iterator[None]:
    """An exclusive advisory lock on the directory itself (no lock file left behind)."""
    if fcntl is None:
        yield
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # an unreadable folder: the store's own open reports what is wrong
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _move_aside(path: Path) -> Path:
    """Move `path` (and its -wal/-journal) to `<name>.corrupt-YYYYmmdd-HHMMSS[-n]`, never replacing a file."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    for n in itertools.count():
        target = path.with_name(f"{path.name}.corrupt-{stamp}" + (f"-{n}" if n else ""))
        if any(Path(f"{target}{s}").exists() for s in ("", "-wal", "-journal")):
            continue
        try:
            try:
                os.link(path, target)  # fails rather than replace an existing file
                os.unlink(path)
            except FileExistsError:
                continue
            except OSError:  # no hard links here; the directory lock keeps gdtui processes off `target`
                os.rename(path, target)
        except OSError as e:
            raise StoreError(
                f"cannot move the unreadable progress store {path} aside: {e.strerror or e}"
            ) from None
        break
    for suffix in ("-wal", "-journal"):
        side = Path(f"{path}{suffix}")
        if side.exists() and side.stat().st_size == 0:
            side.unlink()
        elif side.exists():
            os.replace(side, f"{target}{suffix}")  # stays with its database: opening the backup applies it
    Path(f"{path}-shm").unlink(missing_ok=True)  # an index of the WAL, rebuilt on demand
    return target


def _code(e: sqlite3.Error) -> int | None:
    """SQLite's primary result code (extended codes such as SQLITE_CORRUPT_INDEX keep it in the low byte)."""
    code = getattr(e, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


def _describe(e: sqlite3.Error) -> str:
    return str(e).splitlines()[0] if str(e) else type(e).__name__


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)
