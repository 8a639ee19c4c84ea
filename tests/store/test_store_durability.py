"""Saved as it happens: a killed process loses nothing already recorded, and several processes writing
one store at once (a classroom) lose nothing either."""

import os
import signal
import time

from gdtui.store import Store

WRITE_UNTIL_KILLED = """
import sys
from gdtui.store import Store
store = Store.open(sys.argv[1], "kim")
page = 0
while True:
    store.page_seen("intro", page)
    store.attempt("intro", page, "q", f"answer {page}", page % 2 == 0)
    print(page, flush=True)
    if page == 3:
        print("ready", flush=True)
    page += 1
"""


def test_a_killed_process_loses_nothing_it_recorded(tmp_path, spawn):
    proc = spawn(WRITE_UNTIL_KILLED, tmp_path)
    lines = []
    while "ready" not in lines or len(lines) < 40:  # kill it in the middle of its loop
        line = proc.stdout.readline()
        assert line, proc.stderr.read()
        lines.append(line.strip())
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    last = max(int(line) for line in lines if line.isdigit())
    with Store.open(tmp_path, "kim") as store:
        assert store.notice is None
        progress = store.lesson_progress("intro")
        assert progress.pages_seen >= set(range(last + 1))
        assert progress.solved >= {(p, "q") for p in range(0, last + 1, 2)}
        responses = [a.response for a in store.history("intro")]
        assert responses[: last + 1] == [f"answer {p}" for p in range(last + 1)]
        assert store.position()[1] >= last


WRITE_TOGETHER = """
import os, sys, time
from gdtui.store import Store
directory, who, go, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
while not os.path.exists(go):
    time.sleep(0.001)
own, shared = Store.open(directory, who), Store.open(directory, "pair")
for i in range(n):
    own.page_seen("intro", i)
    own.attempt("intro", i, "q", f"{who} {i}", True)
    shared.hint_used("intro", 0, "q")
own.close()
shared.close()
"""


def test_processes_writing_one_new_store_at_once_lose_nothing(tmp_path, spawn):
    n, go = 150, tmp_path / "go"
    procs = [spawn(WRITE_TOGETHER, tmp_path / "class", who, go, n) for who in ("ann", "bob", "cat")]
    time.sleep(0.3)  # let them all start, then release them together onto a store that does not exist yet
    go.touch()
    for proc in procs:
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
    with Store.open(tmp_path / "class", "teacher") as store:
        assert store.learners() == ["ann", "bob", "cat", "pair"]
        for who in ("ann", "bob", "cat"):
            assert store.lesson_progress("intro", who).pages_seen == set(range(n))
            assert [a.response for a in store.history(learner=who)] == [f"{who} {i}" for i in range(n)]
        assert store.lesson_progress("intro", "pair").hints == {(0, "q"): 3 * n}  # no increment lost
    assert not [p for p in os.listdir(tmp_path / "class") if ".corrupt-" in p]


CRASH_MID_TRANSACTION = """
import os, sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA journal_mode = DELETE")  # a rollback journal, as an older or foreign writer might leave
conn.execute("PRAGMA cache_size = 1")  # spill to the file mid-transaction
conn.execute("BEGIN")
for i in range(2000):
    conn.execute("INSERT INTO learners VALUES (?, 'x', 0, 'now')", (f"ghost {i}",))
os.kill(os.getpid(), 9)
"""


def test_a_store_left_mid_transaction_by_a_crash_is_rolled_back_not_moved_aside(tmp_path, spawn):
    with Store.open(tmp_path, "kim") as store:
        store.page_seen("intro", 1)
    proc = spawn(CRASH_MID_TRANSACTION, tmp_path / Store.FILENAME)
    proc.wait(timeout=60)
    assert (tmp_path / "progress.sqlite-journal").exists()  # a hot journal, to be rolled back
    with Store.open(tmp_path, "kim") as store:
        assert store.notice is None
        assert store.learners() == ["kim"]
        assert store.position() == ("intro", 1)
    assert not [p for p in os.listdir(tmp_path) if ".corrupt-" in p]
