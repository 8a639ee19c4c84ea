"""A store SQLite cannot read, or another program's database, is moved aside byte for byte (never over an
earlier backup), a fresh store is started and the learner is told where the old one went. A store that is
merely busy or from a newer gdtui is left alone."""

import os
import sqlite3
from datetime import UTC, datetime

import pytest

import gdtui.store
from gdtui.store import Store, StoreError


def backups(directory):
    """The backed-up databases (a backup's -wal or -journal travels with it under its name)."""
    return sorted(
        p for p in directory.iterdir() if ".corrupt-" in p.name and not p.name.endswith(("-wal", "-journal"))
    )


def random_bytes(path):
    path.write_bytes(os.urandom(8192))


def a_real_store(path, *, size=300):
    with Store.open(path.parent) as s:
        for i in range(size):
            s.attempt("intro", i, "q", "x" * 200, True)


def truncated_to_half(path):
    a_real_store(path)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def truncated_to_its_header(path):
    a_real_store(path)
    path.write_bytes(path.read_bytes()[:100])


def another_programs_database(path):
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
        conn.execute("INSERT INTO notes VALUES ('mine')")
    conn.close()


def a_store_with_an_unexpected_table(path):
    a_real_store(path, size=1)
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE extra (x)")
    conn.close()


CORRUPTIONS = [
    pytest.param(random_bytes, id="random-bytes"),
    pytest.param(truncated_to_half, id="truncated-db"),
    pytest.param(truncated_to_its_header, id="truncated-to-header"),
    pytest.param(another_programs_database, id="foreign-sqlite-db"),
    pytest.param(a_store_with_an_unexpected_table, id="unexpected-table"),
]


@pytest.mark.parametrize("corrupt", CORRUPTIONS)
def test_an_unreadable_store_is_moved_aside_and_a_fresh_one_started(tmp_path, corrupt):
    path = tmp_path / Store.FILENAME
    corrupt(path)
    before = path.read_bytes()
    with Store.open(tmp_path, "kim") as store:
        (backup,) = backups(tmp_path)
        assert backup.read_bytes() == before
        assert backup.name.startswith("progress.sqlite.corrupt-")
        assert str(backup) in store.notice and str(path) in store.notice
        assert "\n" not in store.notice
        assert store.summary() == []
        store.page_seen("intro", 2)
        assert store.position() == ("intro", 2)
    with Store.open(tmp_path, "kim") as again:
        assert again.notice is None
        assert again.position() == ("intro", 2)
    assert backups(tmp_path) == [backup]


def test_backups_in_the_same_second_never_overwrite_each_other(tmp_path, monkeypatch):
    class Noon(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)

    monkeypatch.setattr(gdtui.store, "datetime", Noon)
    path = tmp_path / Store.FILENAME
    contents = []
    for _ in range(3):
        random_bytes(path)
        contents.append(path.read_bytes())
        Store.open(tmp_path).close()
    names = [p.name for p in backups(tmp_path)]
    stem = "progress.sqlite.corrupt-20240501-120000"
    assert names == [stem, f"{stem}-1", f"{stem}-2"]
    assert [p.read_bytes() for p in backups(tmp_path)] == contents


def test_a_journal_left_by_the_unreadable_store_goes_with_its_backup(tmp_path):
    path = tmp_path / Store.FILENAME
    random_bytes(path)
    stale = os.urandom(4096)
    (tmp_path / "progress.sqlite-wal").write_bytes(stale)
    (tmp_path / "progress.sqlite-shm").write_bytes(os.urandom(4096))
    with Store.open(tmp_path) as store:
        store.page_seen("intro", 1)
        (backup,) = backups(tmp_path)
        assert (tmp_path / f"{backup.name}-wal").read_bytes() == stale
    with Store.open(tmp_path) as store:
        assert store.position() == ("intro", 1)


def test_a_store_from_a_newer_gdtui_is_refused_and_left_alone(tmp_path):
    a_real_store(tmp_path / Store.FILENAME, size=1)
    conn = sqlite3.connect(tmp_path / Store.FILENAME)
    conn.execute(f"PRAGMA user_version = {gdtui.store.SCHEMA_VERSION + 1}")
    conn.close()
    before = (tmp_path / Store.FILENAME).read_bytes()
    with pytest.raises(StoreError, match="newer gdtui"):
        Store.open(tmp_path)
    assert (tmp_path / Store.FILENAME).read_bytes() == before
    assert backups(tmp_path) == []


def test_a_store_locked_by_another_process_is_an_error_not_corruption(tmp_path, monkeypatch):
    a_real_store(tmp_path / Store.FILENAME, size=1)
    monkeypatch.setattr(gdtui.store, "BUSY_TIMEOUT_S", 0.1)
    holder = sqlite3.connect(tmp_path / Store.FILENAME, isolation_level=None)
    try:
        holder.execute("PRAGMA locking_mode = EXCLUSIVE")
        holder.execute("BEGIN EXCLUSIVE")
        holder.execute("INSERT INTO learners (name, last_activity) VALUES ('x', 'now')")
        with pytest.raises(StoreError, match="locked"):
            Store.open(tmp_path)
    finally:
        holder.close()
    assert backups(tmp_path) == []
    with Store.open(tmp_path) as store:
        assert store.notice is None


OPEN_AT_ONCE = """
import os, sys, time
from gdtui.store import Store
directory, who, go = sys.argv[1:]
while not os.path.exists(go):
    time.sleep(0.001)
with Store.open(directory, who) as store:
    store.page_seen("intro", 1)
    print(store.notice or "")
"""


def test_processes_opening_one_corrupt_store_at_once_make_one_backup(tmp_path, spawn):
    directory, go = tmp_path / "class", tmp_path / "go"
    directory.mkdir()
    random_bytes(directory / Store.FILENAME)
    before = (directory / Store.FILENAME).read_bytes()
    procs = [spawn(OPEN_AT_ONCE, directory, f"s{i}", go) for i in range(8)]  # a class's sessions, at once
    go.touch()
    notices = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        notices.append(out.strip())
    (backup,) = backups(directory)
    assert backup.read_bytes() == before
    assert len([n for n in notices if n]) == 1
    with Store.open(directory, "teacher") as store:
        assert store.learners() == [f"s{i}" for i in range(8)]
