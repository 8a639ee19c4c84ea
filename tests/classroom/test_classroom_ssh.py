"""`gdtui serve` over real SSH connections on 127.0.0.1 (asyncssh's client): who gets in, what they get,
what is refused, and that no child process outlives its session."""

from __future__ import annotations

import asyncio
import logging
import signal
import time

import asyncssh
import pytest
from classroom_helpers import (
    PASSPHRASE,
    TITLE,
    Screen,
    alive,
    connect,
    open_terminal,
    python,
    until,
    write_roster,
)

from gdtui.classroom.dashboard import class_rows
from gdtui.classroom.server import PRELOAD
from gdtui.course import load_course
from gdtui.store import Store

# A stand-in for gdtui where the test is about the server's plumbing: reports its terminal, then waits.
REPORTER = """
import os, signal, sys, time
# os.write, not print: a print in the handler can land inside the print below (a reentrant write)
signal.signal(signal.SIGWINCH, lambda *a: os.write(1, b"size %d %d\\n" % tuple(os.get_terminal_size())))
hup = signal.getsignal(signal.SIGHUP) == signal.SIG_DFL
print("ready", sys.argv[1], "size", *os.get_terminal_size(), "tty", os.isatty(0),
      "ctty", os.tcgetpgrp(0) == os.getpgrp(), "hup-default", hup, "env", "COLUMNS" in os.environ, flush=True)
time.sleep(60)
"""


# -- who gets in -------------------------------------------------------------------------------------------
async def test_roster_student_with_key_lands_on_the_home_screen_and_q_ends_the_session(server, keys):
    async with connect(server, "ada", keys["ada"]) as conn:
        process = await open_terminal(conn)
        screen = Screen(process)
        await screen.wait_for(TITLE)
        (pid,) = server.sessions
        assert server.sessions[pid].learner == "ada"
        process.stdin.write(b"q")
        await screen.drain()
        result = await asyncio.wait_for(process.wait(), 10)
    assert result.exit_status == 0
    await until(lambda: not alive(pid) and not server.sessions)


async def test_roster_student_with_the_class_passphrase_gets_in(server):
    async with connect(server, "grace", password=PASSPHRASE) as conn:
        process = await open_terminal(conn)
        await Screen(process).wait_for(TITLE)


@pytest.mark.parametrize(
    ("user", "key", "password", "why"),
    [
        ("ada", "stranger", None, "wrong key"),
        ("mallory", "stranger", None, "not on the roster"),
        ("mallory", "ada", None, "not on the roster"),
        ("grace", None, "not the passphrase", "wrong passphrase"),
        ("mallory", None, PASSPHRASE, "not on the roster"),
    ],
    ids=[
        "wrong-key",
        "unknown-user-key",
        "unknown-user-with-a-roster-key",
        "wrong-passphrase",
        "unknown-user",
    ],
)
async def test_bad_credentials_are_refused_and_logged(server, keys, caplog, user, key, password, why):
    caplog.set_level(logging.INFO, logger="gdtui.classroom")
    with pytest.raises(asyncssh.PermissionDenied):
        async with connect(server, user, keys[key] if key else None, password):
            pass
    assert any("refused" in r.message and why in r.message and user in r.message for r in caplog.records)
    assert not server.spawned


async def test_failed_attempts_are_slowed(start_server, keys):
    server = await start_server(fail_delay=0.4)
    started = time.monotonic()
    with pytest.raises(asyncssh.PermissionDenied):
        async with connect(server, "grace", password="guess"):
            pass
    assert time.monotonic() - started >= 0.4


async def test_the_roster_is_reread_when_it_changes(server, keys):
    with pytest.raises(asyncssh.PermissionDenied):
        async with connect(server, "alan", keys["stranger"]):
            pass
    alan = keys["stranger"].export_public_key().decode().strip()
    write_roster(server.class_dir, keys, f'\n[students.alan]\nkeys = ["{alan}"]\n')
    async with connect(server, "alan", keys["stranger"]):
        pass


# -- what is refused ---------------------------------------------------------------------------------------
async def test_exec_request_is_refused(server, keys):
    async with connect(server, "ada", keys["ada"]) as conn:
        with pytest.raises(asyncssh.ChannelOpenError):
            await conn.run("cat /etc/passwd")
    assert not server.spawned


async def test_sftp_is_refused(server, keys):
    async with connect(server, "ada", keys["ada"]) as conn:
        with pytest.raises((asyncssh.ChannelOpenError, asyncssh.SFTPError)):
            await conn.start_sftp_client()
    assert not server.spawned


async def test_port_forwarding_is_refused_both_ways(server, keys):
    async with connect(server, "ada", keys["ada"]) as conn:
        with pytest.raises(asyncssh.ChannelOpenError):
            await conn.create_connection(asyncio.Protocol, "127.0.0.1", server.port)
        with pytest.raises(asyncssh.ChannelListenError):
            await conn.forward_remote_port("127.0.0.1", 0, "127.0.0.1", server.port)


async def test_a_session_without_a_terminal_gets_one_line_of_explanation(server, keys):
    async with connect(server, "ada", keys["ada"]) as conn:
        process = await conn.create_process(encoding=None)
        result = await asyncio.wait_for(process.wait(), 10)
    assert result.exit_status == 1
    assert result.stderr.count(b"\n") == 1 and b"terminal" in result.stderr
    assert not server.spawned


# -- the session's terminal ---------------------------------------------------------------------------------
# Sessions start either as a Python of their own or forked by the session helper (as `gdtui serve` does).
SPAWN = pytest.mark.parametrize("preload", [(), ("json",)], ids=["own-python", "forked"])


@SPAWN
async def test_the_child_owns_its_terminal_and_sees_resizes(start_server, keys, preload):
    server = await start_server(command=python(REPORTER), preload=preload)
    old = signal.signal(signal.SIGHUP, signal.SIG_IGN)  # a server started under nohup
    try:
        async with connect(server, "ada", keys["ada"]) as conn:
            process = await open_terminal(conn, size=(80, 24))
            screen = Screen(process)
            await screen.wait_for("env False")
            assert "ready ada size 80 24 tty True ctty True hup-default True env False" in screen.text
            process.change_terminal_size(100, 30)
            await screen.wait_for("size 100 30")
    finally:
        signal.signal(signal.SIGHUP, old)


@SPAWN
async def test_the_students_terminal_decides_on_colour_not_the_teachers(
    start_server, keys, preload, monkeypatch
):
    """NO_COLOR in the server's environment (the teacher's terminal) does not reach the apps; a student's
    NO_COLOR sent with the session (`ssh -o SendEnv=NO_COLOR`) does, and nothing else the client sends."""
    monkeypatch.setenv("NO_COLOR", "1")
    code = "import os, sys, time; print('colour', os.environ.get('NO_COLOR'), os.environ.get('EDITOR'), flush=True)"
    server = await start_server(command=python(code + "; time.sleep(60)"), preload=preload)
    monkeypatch.delenv("EDITOR", raising=False)
    async with connect(server, "ada", keys["ada"]) as conn:
        screen = Screen(await open_terminal(conn))
        await screen.wait_for("colour")
        assert "colour None None" in screen.text
    async with connect(server, "ada", keys["ada"]) as conn:
        process = await conn.create_process(
            term_type="xterm-256color",
            term_size=(80, 24),
            env={"NO_COLOR": "yes", "EDITOR": "vi"},
            encoding=None,
        )
        screen = Screen(process)
        await screen.wait_for("colour")
        assert "colour 1 None" in screen.text


@pytest.mark.parametrize("preload", [(), PRELOAD], ids=["own-python", "forked"])
async def test_dropping_the_connection_leaves_no_child_process(start_server, keys, preload):
    server = await start_server(preload=preload)
    conn = await connect(server, "ada", keys["ada"])
    process = await open_terminal(conn)
    await Screen(process).wait_for(TITLE)
    (pid,) = server.sessions
    assert alive(pid)
    conn.abort()
    await until(lambda: not alive(pid) and not server.sessions)


@SPAWN
async def test_a_crashing_child_does_not_take_the_server_down(start_server, keys, preload):
    server = await start_server(command=python("raise RuntimeError('boom')"), preload=preload)
    for _ in range(2):
        async with connect(server, "ada", keys["ada"]) as conn:
            process = await open_terminal(conn)
            screen = Screen(process)
            await screen.drain()
            result = await asyncio.wait_for(process.wait(), 10)
        assert result.exit_status == 1 and "RuntimeError: boom" in screen.text
    assert not server.sessions


async def test_sessions_per_student_are_limited(start_server, keys):
    server = await start_server(command=python(REPORTER))
    write_roster(server.class_dir, keys, "\n[limits]\nsessions_per_student = 1\n")
    async with connect(server, "ada", keys["ada"]) as conn:
        first = Screen(await open_terminal(conn))
        await first.wait_for("ready ada")
        async with connect(server, "ada", keys["ada"]) as conn2:
            second = await open_terminal(conn2)
            result = await asyncio.wait_for(second.wait(), 10)
        assert result.exit_status == 1 and b"Too many sessions" in result.stderr
    assert len(server.spawned) == 1


async def test_the_class_is_limited_to_its_total_sessions(start_server, keys, caplog):
    server = await start_server(command=python(REPORTER))
    write_roster(server.class_dir, keys, "\n[limits]\nsessions = 1\n")
    caplog.set_level(logging.INFO, logger="gdtui.classroom")
    async with connect(server, "ada", keys["ada"]) as conn:
        await Screen(await open_terminal(conn)).wait_for("ready ada")
        async with connect(server, "grace", password=PASSPHRASE) as conn2:  # another student
            refused = await asyncio.wait_for((await open_terminal(conn2)).wait(), 10)
        assert refused.exit_status == 1
        assert refused.stderr == b"Too many sessions open for the class; try again later.\r\n"
        assert "refused grace" in caplog.text and "session limit reached for the class" in caplog.text
    assert [s.learner for s in server.sessions.values()] in ([], ["ada"])
    assert len(server.spawned) == 1
    async with connect(server, "grace", password=PASSPHRASE) as conn:  # ada's place is free again
        await until(lambda: not server.sessions)
        await Screen(await open_terminal(conn)).wait_for("ready grace")


async def test_an_idle_session_is_closed(start_server, keys):
    server = await start_server(command=python(REPORTER))
    write_roster(server.class_dir, keys, "\n[limits]\nidle_minutes = 0.01\n")  # 0.6 s
    async with connect(server, "ada", keys["ada"]) as conn:
        process = await open_terminal(conn)
        screen = Screen(process)
        await screen.wait_for("Session closed after 0.01 minutes without a keystroke")
        await asyncio.wait_for(process.wait(), 10)
    (pid,) = server.spawned
    await until(lambda: not alive(pid))


# -- progress -------------------------------------------------------------------------------------------
async def test_two_students_progress_stays_separate_and_the_dashboard_shows_both(server, keys, class_dir):
    async with (
        connect(server, "ada", keys["ada"]) as ada_conn,
        connect(server, "grace", password=PASSPHRASE) as grace_conn,
    ):
        ada, grace = Screen(await open_terminal(ada_conn)), Screen(await open_terminal(grace_conn))
        await asyncio.gather(ada.wait_for(TITLE), grace.wait_for(TITLE))
        with Store.open(class_dir, learner="teacher") as store:
            ada.process.stdin.write(b"\r")  # open the first lesson
            grace.process.stdin.write(b"\r")
            await until(lambda: store.position("ada") and store.position("grace"))
            grace.process.stdin.write(b"n")  # grace moves on a page
            await until(lambda: store.position("grace")[1] == 1)
            assert store.position("ada") == ("supervised-learning", 0)
            assert store.position("grace") == ("supervised-learning", 1)
            assert store.learners() == ["ada", "grace"]
            rows = {r.name: r for r in class_rows(class_dir, load_course(), store)}
            assert set(rows) == {"ada", "grace"}
        assert rows["ada"].connected and rows["grace"].connected
        title = load_course().lesson("supervised-learning").title
        assert rows["ada"].lesson.startswith(f"{title} (page 1/")
        assert rows["grace"].lesson.startswith(f"{title} (page 2/")
