"""`gdtui serve` as a teacher runs it: another course with `--lessons` (and the dashboard on that course), a
lower redraw rate for the class, and bad options stopped with one line before anything listens."""

from __future__ import annotations

import asyncio
import csv
import io
import socket
import subprocess
from pathlib import Path

import pytest
from classroom_helpers import GDTUI, GdtuiServe, Screen, alive, connect, open_terminal, until

from gdtui.cli import main
from gdtui.store import Store

DATA = Path(__file__).parents[1] / "data"
UI_COURSE = DATA / "ui-course"


@pytest.fixture
def serve(class_dir):
    """`serve(*args)` starts `gdtui serve` on the class folder; every one is stopped at teardown."""
    started: list[GdtuiServe] = []

    def start(*args: str, cwd: Path | None = None) -> GdtuiServe:
        server = GdtuiServe(class_dir, *args, cwd=cwd)
        started.append(server)
        return server.started()

    yield start
    for server in started:
        assert server.stop() == 0, server.log


async def test_sessions_play_the_course_given_with_lessons_at_the_class_redraw_rate(serve, keys):
    server = serve("--lessons", "ui-course", cwd=DATA)  # a relative path, as a teacher would type it
    assert "course 'UI test course', 5 redraws a second" in server.log
    # absolute: the apps run in the class folder
    assert f"--learner NAME --lessons {UI_COURSE} --redraw-rate 5\n" in server.log
    async with connect(server, "ada", keys["ada"]) as conn:
        process = await open_terminal(conn)
        screen = Screen(process)
        await screen.wait_for("UI test course")
        (pid,) = await until(server.session_pids)
        assert Path(f"/proc/{pid}/cwd").resolve() == server.class_dir.resolve()
        process.stdin.write(b"q")
        await screen.drain()
        assert (await asyncio.wait_for(process.wait(), 10)).exit_status == 0
    await until(lambda: not alive(pid))


async def test_the_redraw_rate_can_be_raised(serve, keys):
    server = serve("--redraw-rate", "10")
    assert "--learner NAME --redraw-rate 10\n" in server.log
    async with connect(server, "ada", keys["ada"]) as conn:
        await Screen(await open_terminal(conn)).wait_for("How models learn")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--lessons", "missing"],
            "error: the course in missing: missing: folder: an existing course folder",
        ),
        (["--lessons", str(DATA / "courses" / "bad-toml")], "bad-toml/one/lesson.toml: file: valid TOML"),
        (["--lessons", str(DATA / "courses" / "unknown-names")], "problems; `gdtui check "),
        (["--redraw-rate", "0"], "error: --redraw-rate must be between 0 and 60, got 0"),
        (["--redraw-rate", "fast"], "error: argument --redraw-rate: expected a number, got 'fast'"),
        (["--port", "99999"], "error: argument --port: expected a port from 0 to 65535 (0: any free one)"),
    ],
    ids=[
        "no-such-folder",
        "broken-lesson-file",
        "several-problems",
        "zero-rate",
        "not-a-number",
        "port-range",
    ],
)
def test_bad_serve_options_are_one_line_errors_before_anything_listens(class_dir, tmp_path, args, message):
    done = subprocess.run(
        [
            str(GDTUI),
            "serve",
            "--class-dir",
            str(class_dir),
            *(["--port", "0"] if "--port" not in args else []),
            *args,
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("gdtui serve: error: ") and done.stderr.count("\n") == 1, done.stderr
    assert message in done.stderr
    assert "serving" not in done.stderr and not (class_dir / "sessions.json").exists()


def test_the_dashboard_reads_the_course_the_class_is_served(class_dir, capsys):
    with Store.open(class_dir, learner="ada") as store:
        store.page_seen("one-d", 1)
    assert main(["classroom", str(class_dir), "--csv", "--lessons", str(UI_COURSE)]) == 0
    rows = {r["student"]: r for r in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    assert rows["ada"]["lesson"] == "One dimension (page 2/3)"
    assert rows["ada"]["lessons_done"] == "0" and rows["grace"]["lesson"] == ""
    assert main(["classroom", str(class_dir), "--csv", "--lessons", str(class_dir)]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_the_classroom_commands_print_no_warnings_from_the_ssh_library(class_dir, tmp_path):
    """asyncssh names DSA types at import and cryptography 51 deprecates DSA: a teacher's terminal would
    open with a dozen lines of warnings. Even with every warning made an error, the import is quiet."""
    done = subprocess.run(
        [str(GDTUI), "classroom", str(class_dir), "--csv"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 0 and done.stderr == "" and done.stdout.startswith("student,")
    strict = subprocess.run(
        [
            str(GDTUI.parent / "python"),
            "-W",
            "error",
            "-c",
            "import gdtui.classroom.server, gdtui.classroom.roster",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert strict.returncode == 0 and strict.stderr == "", strict.stderr


def test_the_teacher_is_told_how_students_connect_and_the_host_keys_fingerprint(serve, class_dir):
    """The line to write on the board, with the fingerprint OpenSSH shows a student connecting the first
    time (ssh-keygen reads it from the host key independently)."""
    server = serve()
    fingerprint = subprocess.run(
        ["ssh-keygen", "-l", "-f", str(class_dir / "host_key")], capture_output=True, text=True, check=True
    ).stdout.split()[1]
    assert fingerprint.startswith("SHA256:")
    assert (
        f"students connect with: ssh -p {server.port} NAME@127.0.0.1  (host key {fingerprint})" in server.log
    )


def serve_fails(*args: str, cwd: Path) -> str:
    """Run `gdtui serve ARGS`, which must fail with exit 2; its last line, the error."""
    done = subprocess.run([str(GDTUI), "serve", *args], capture_output=True, text=True, cwd=cwd, timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    return done.stderr.splitlines()[-1]


def test_a_damaged_host_key_is_named_with_the_way_out(class_dir, tmp_path):
    (class_dir / "host_key").write_text("not a key\n")
    error = serve_fails("--class-dir", str(class_dir), "--port", "0", cwd=tmp_path)
    assert error.startswith(
        f"gdtui serve: error: {class_dir / 'host_key'}: expected an unencrypted SSH private key"
    )
    assert error.endswith(f"`gdtui serve --init {class_dir}` makes a new one")
    assert not (class_dir / "sessions.json").exists()


def test_a_class_folder_that_cannot_be_made_is_one_line(tmp_path):
    (tmp_path / "a-file").write_text("")
    error = serve_fails("--init", str(tmp_path / "a-file" / "class"), cwd=tmp_path)
    assert (
        error
        == f"gdtui serve: error: cannot make the class folder {tmp_path / 'a-file' / 'class'}: Not a directory"
    )


def test_a_port_in_use_is_one_line_and_leaves_nothing_running(class_dir, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        error = serve_fails("--class-dir", str(class_dir), "--port", str(port), cwd=tmp_path)
    assert error.startswith(f"gdtui serve: error: cannot listen on 127.0.0.1 port {port}: ")
    assert "in use" in error
    assert not (class_dir / "sessions.json").exists()


def test_a_class_folder_the_server_cannot_write_in_is_one_line(class_dir, tmp_path):
    (class_dir / "sessions.json").mkdir()  # where the server keeps its list of sessions for the dashboard
    error = serve_fails("--class-dir", str(class_dir), "--port", "0", cwd=tmp_path)
    assert error.startswith(f"gdtui serve: error: cannot write in the class folder {class_dir}: ")
