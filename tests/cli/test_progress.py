"""`gdtui progress`: the learner's saved progress printed, and cleared only after confirmation."""

import subprocess
import sys
from pathlib import Path

from gdtui.cli import main
from gdtui.store import Store

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "ui-course"


def record(directory: Path) -> None:
    with Store.open(directory) as store:
        store.page_seen("one-d", 0)
        store.page_seen("one-d", 2)
        store.attempt("one-d", 0, "first-step", "4.4", True)
        store.hint_used("one-d", 2, "predict")


def test_progress_prints_pages_exercises_and_hints_per_lesson(tmp_path, capsys):
    record(tmp_path)
    code = main(["--data-dir", str(tmp_path), "--lessons", str(FIXTURE), "progress"])
    out = capsys.readouterr().out
    assert code == 0
    line = next(line for line in out.splitlines() if line.startswith("One dimension"))
    assert "2/3" in line and "1/4" in line  # pages seen of 3, exercises solved of 4
    assert line.split()[4] == "1"  # hints used
    assert any(line.startswith("A race") for line in out.splitlines())


def test_the_data_dir_comes_from_the_environment_too(tmp_path, capsys, monkeypatch):
    record(tmp_path)
    monkeypatch.setenv("GDTUI_DATA_DIR", str(tmp_path))
    assert main(["progress", "--lessons", str(FIXTURE)]) == 0
    assert "2/3" in capsys.readouterr().out


def test_no_progress_yet_says_so(tmp_path, capsys):
    assert main(["progress", "--data-dir", str(tmp_path), "--lessons", str(FIXTURE)]) == 0
    assert "No progress yet." in capsys.readouterr().out


def test_reset_without_a_terminal_asks_for_yes_and_clears_nothing(tmp_path, capsys):
    record(tmp_path)
    assert main(["progress", "--data-dir", str(tmp_path), "--reset"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == (
        "gdtui progress: error: --reset asks before clearing progress; add --yes to clear without asking"
    )
    with Store.open(tmp_path) as store:
        assert store.lesson_progress("one-d").pages_seen == {0, 2}


def test_reset_with_yes_clears_progress(tmp_path, capsys):
    record(tmp_path)
    assert main(["progress", "--data-dir", str(tmp_path), "--reset", "--yes"]) == 0
    assert "Progress cleared" in capsys.readouterr().out
    with Store.open(tmp_path) as store:
        assert store.lesson_progress("one-d").pages_seen == frozenset()


def test_in_a_class_store_reset_clears_only_that_learner_and_says_so(tmp_path, capsys):
    for name in ("ada", "grace"):
        with Store.open(tmp_path, learner=name) as store:
            store.page_seen("one-d", 1)
    assert main(["--learner", "ada", "progress", "--data-dir", str(tmp_path), "--reset", "--yes"]) == 0
    assert capsys.readouterr().out == f"ada's progress cleared ({tmp_path / Store.FILENAME}).\n"
    with Store.open(tmp_path, learner="teacher") as store:
        assert store.lesson_progress("one-d", "ada").pages_seen == frozenset()
        assert store.lesson_progress("one-d", "grace").pages_seen == {1}


def reset_in_a_terminal(data: Path, answer: str, *more: str) -> subprocess.CompletedProcess:
    """`gdtui progress --reset` on a pseudo-terminal (so the question is really asked), answered `answer`;
    stdout is everything the terminal showed."""
    script = (
        "import os, pty, sys\n"
        "pid, fd = pty.fork()\n"
        "if pid == 0:\n"
        f"    os.execv({sys.executable!r}, [{sys.executable!r}, '-m', 'gdtui', *{more!r}, 'progress', "
        f"'--data-dir', {str(data)!r}, '--reset'])\n"
        "out = b''\n"
        "while b'[y/N]' not in out:\n"
        "    out += os.read(fd, 1024)\n"
        f"os.write(fd, {(answer + chr(10)).encode()!r})\n"
        "try:\n"
        "    while chunk := os.read(fd, 1024):\n"
        "        out += chunk\n"
        "except OSError:\n"
        "    pass\n"
        "_, status = os.waitpid(pid, 0)\n"
        "sys.stdout.write(out.decode())\n"
        "sys.exit(os.waitstatus_to_exitcode(status))\n"
    )
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)


def test_reset_asks_in_a_terminal_and_no_keeps_everything(tmp_path):
    record(tmp_path)
    proc = reset_in_a_terminal(tmp_path, "n")
    assert "Clear all progress saved in" in proc.stdout and "Nothing cleared." in proc.stdout
    assert proc.returncode == 1
    with Store.open(tmp_path) as store:
        assert store.lesson_progress("one-d").pages_seen == {0, 2}


def test_in_a_class_store_the_question_names_the_learner(tmp_path):
    record(tmp_path)  # the default learner's progress, beside grace's
    with Store.open(tmp_path, learner="grace") as store:
        store.page_seen("one-d", 1)
    proc = reset_in_a_terminal(tmp_path, "n", "--learner", "grace")
    assert f"Clear grace's progress saved in {tmp_path / Store.FILENAME}? [y/N]" in proc.stdout
    assert proc.returncode == 1


def test_reset_asks_in_a_terminal_and_yes_clears_it(tmp_path, capsys):
    record(tmp_path)
    proc = reset_in_a_terminal(tmp_path, "y")
    assert f"Clear all progress saved in {tmp_path / Store.FILENAME}? [y/N]" in proc.stdout
    assert "Progress cleared" in proc.stdout and "Nothing cleared." not in proc.stdout
    assert proc.returncode == 0
    with Store.open(tmp_path) as store:
        cleared = store.lesson_progress("one-d")
        assert (cleared.pages_seen, cleared.solved, cleared.hints_used, cleared.attempts) == (
            frozenset(),
            frozenset(),
            0,
            0,
        )
        assert store.summary() == [] and store.position() is None
    assert main(["progress", "--data-dir", str(tmp_path), "--lessons", str(FIXTURE)]) == 0
    assert capsys.readouterr().out.strip() == "No progress yet."


def test_a_corrupt_store_is_backed_up_and_the_learner_told(tmp_path, capsys):
    damaged = b"this is not a database" * 50
    (tmp_path / Store.FILENAME).write_bytes(damaged)
    assert main(["progress", "--data-dir", str(tmp_path), "--lessons", str(FIXTURE)]) == 0
    err = capsys.readouterr().err
    backups = list(tmp_path.glob(Store.FILENAME + ".corrupt-*"))
    assert len(backups) == 1 and backups[0].read_bytes() == damaged
    assert str(backups[0]) in err or backups[0].name in err
