"""`gdtui serve` reached with OpenSSH's own `ssh`, as a student would: in a real terminal (a private tmux
server at 80×24) for the course, and from a shell for a command, which is refused."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from classroom_helpers import TIMEOUT, TITLE, GdtuiServe, alive, wait_until
from tmux_pane import TMUX, Pane

from gdtui.course import load_course

SSH = shutil.which("ssh")
needs_ssh = pytest.mark.skipif(
    SSH is None, reason="OpenSSH's ssh client is not installed here (CI installs it)"
)
needs_tmux = pytest.mark.skipif(TMUX is None, reason="tmux is not installed here (CI installs it)")


@pytest.fixture
def served(class_dir, keys, tmp_path):
    """`gdtui serve` on the class folder, and ada's private key in an OpenSSH key file (mode 0600)."""
    key_file = tmp_path / "id_ed25519"
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(keys["ada"].export_private_key())
    server = GdtuiServe(class_dir)
    yield server.started(), key_file
    assert server.stop() == 0, server.log
    assert "Traceback" not in server.log, server.log


def ssh_command(server: GdtuiServe, key_file: Path, user: str, *command: str) -> list[str]:
    """OpenSSH with this key only: no config file, agent, known hosts or questions."""
    options = {
        "IdentitiesOnly": "yes",
        "IdentityAgent": "none",
        "StrictHostKeyChecking": "no",
        "UserKnownHostsFile": "/dev/null",
        "BatchMode": "yes",
        "LogLevel": "ERROR",
    }
    flags = [arg for name, value in options.items() for arg in ("-o", f"{name}={value}")]
    assert SSH is not None
    return [
        SSH,
        "-F",
        "/dev/null",
        "-p",
        str(server.port),
        "-i",
        str(key_file),
        *flags,
        f"{user}@127.0.0.1",
        *command,
    ]


@pytest.fixture
def pane(tmp_path):
    p = Pane("gdtui-ssh", tmp_path, "ssh")
    yield p
    p.kill()


def start_ssh(pane: Pane, command: list[str]) -> None:
    """ssh in the pane, which stays after ssh ends, showing how it ended."""
    pane.start(f'{shlex.join(command)}; echo "ssh ended with status $?"; exec sleep 600')


@needs_ssh
@needs_tmux
def test_openssh_in_a_terminal_gets_the_course_and_q_ends_the_connection(served, pane):
    server, key_file = served
    start_ssh(pane, ssh_command(server, key_file, "ada"))
    screen = pane.wait_for(TITLE, TIMEOUT)
    lines = screen.splitlines()
    assert len(lines) == 24 and all(len(line) <= 80 for line in lines)
    (pid,) = wait_until(server.session_pids)
    assert server.apps() == [pid]
    assert Path(f"/proc/{pid}/comm").read_text().strip() == "gdtui ada"  # forked by the helper, renamed

    pane.keys("Enter")  # the first lesson
    pane.wait_for(re.escape(load_course().lessons[0].title) + r".*1/\d+", TIMEOUT)
    pane.keys("q")
    pane.wait_for(r"ssh ended with status 0", TIMEOUT)
    wait_until(lambda: not alive(pid) and not server.session_pids() and not server.apps())
    assert re.search(r"session end ada pid \d+: app exited 0", server.log)


@needs_ssh
def test_openssh_exec_request_is_refused(served):
    server, key_file = served
    done = subprocess.run(
        ssh_command(server, key_file, "ada", "cat", "/etc/passwd"),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert done.returncode == 255 and "exec request failed" in done.stderr  # ssh's report of the refusal
    assert "root:" not in done.stdout and done.stdout == ""
    assert "refused exec request 'cat /etc/passwd'" in server.log
    assert not server.apps() and not server.session_pids()
