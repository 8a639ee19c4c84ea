"""The session helper: apps forked from a process that has imported them once; what happens to sessions
when it fails; and that it ends with the server."""

from __future__ import annotations

import logging
import os
import signal
import sys
from pathlib import Path

from classroom_helpers import Screen, alive, connect, open_terminal, python, until

from gdtui.classroom.server import PRELOAD

WAIT = "import sys, time; print('up', sys.argv[1], flush=True); time.sleep(60)"


def parent(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("PPid:"))


async def session(server, keys, text: str):
    """A logged-in connection whose screen shows `text`, and the app's pid."""
    conn = await connect(server, "ada", keys["ada"])
    screen = Screen(await open_terminal(conn))
    await screen.wait_for(text)
    return conn, screen, server.spawned[-1]


async def test_sessions_are_forked_by_the_helper_which_ends_with_the_server(start_server, keys):
    server = await start_server(command=python(WAIT), preload=("json",))
    helper = server.spawner.pid
    conn, _, pid = await session(server, keys, "up ada")
    assert parent(pid) == helper and alive(helper)
    conn.close()
    await until(lambda: not alive(pid) and not server.sessions)
    await server.close()
    await until(lambda: not alive(helper))


async def test_other_commands_are_started_by_the_helper_too(start_server, keys):
    shell = ["/bin/sh", "-c", 'echo "shell for $0 on $(tty)"; sleep 60']
    server = await start_server(command=lambda class_dir, learner: [*shell, learner], preload=("json",))
    conn, screen, pid = await session(server, keys, "on /dev/pts/")
    assert "shell for ada on /dev/pts/" in screen.text and parent(pid) == server.spawner.pid
    conn.close()
    await until(lambda: not alive(pid))


async def test_the_same_python_spelled_another_way_still_runs_in_the_helpers_fork(start_server, keys):
    """A server started as `.venv/bin/../bin/python` names its interpreter with the `..`, which the helper it
    started does not: the session must still run in place (its imports warm), not exec a new Python."""
    exe = Path(sys.executable)
    roundabout = str(exe.parent / ".." / exe.parent.name / exe.name)
    code = "import sys, time; print('warm' if 'colorsys' in sys.modules else 'cold', sys.argv[1], flush=True)"
    code += "; time.sleep(60)"
    server = await start_server(
        command=lambda class_dir, learner: [roundabout, "-c", code, learner], preload=("colorsys",)
    )
    conn, screen, pid = await session(server, keys, " ada")
    assert "warm ada" in screen.text and parent(pid) == server.spawner.pid
    conn.close()
    await until(lambda: not alive(pid))


async def test_a_name_that_does_not_import_is_skipped(start_server, keys, capfd):
    server = await start_server(command=python(WAIT), preload=("json", "no_such_module_here"))
    assert server.spawner.alive
    conn, _, pid = await session(server, keys, "up ada")
    assert parent(pid) == server.spawner.pid
    assert "not preloading no_such_module_here" in capfd.readouterr().err
    conn.close()


async def test_if_the_helper_dies_running_sessions_still_end_and_new_ones_start_their_own_python(
    start_server, keys, caplog
):
    caplog.set_level(logging.INFO, logger="gdtui.classroom")
    server = await start_server(command=python(WAIT), preload=("json",))
    forked_conn, _, forked = await session(server, keys, "up ada")
    os.kill(server.spawner.pid, signal.SIGKILL)
    await until(lambda: not server.spawner.alive)
    assert any("session helper stopped" in r.getMessage() for r in caplog.records)
    assert alive(forked)

    own_conn, _, own = await session(server, keys, "up ada")
    assert parent(own) == os.getpid()  # started by the server itself

    forked_conn.close()  # the app is hung up, and its end noticed without the helper
    await until(lambda: not alive(forked) and forked not in server.sessions)
    own_conn.close()
    await until(lambda: not server.sessions)


async def test_the_helper_has_imported_the_app_but_not_the_server(start_server, keys):
    modules = [
        "gdtui.ui.app",
        "gdtui.engine",
        "numpy",
        "textual.drivers.linux_driver",
        "gdtui.classroom.server",
    ]
    report = (
        f"import sys; print('loaded', *(m in sys.modules for m in {modules!r}), 'asyncssh' in sys.modules)"
    )
    server = await start_server(command=python(report), preload=PRELOAD)
    conn, screen, _ = await session(server, keys, "loaded")
    await screen.drain()
    assert "loaded True True True True False False" in screen.text
    conn.close()
