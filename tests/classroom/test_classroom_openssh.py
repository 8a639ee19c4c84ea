"""`gdtui serve` reached with OpenSSH's own `ssh`, as a student would: in a real terminal (a private tmux
server at 80×24) for the course, and from a shell for a command, which is refused."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from classroom_helpers import TIMEOUT, TITLE, GdtuiServe, alive, wait_until

from gdtui.course import load_course

TMUX = shutil.which("tmux")
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


class Pane:
    """A private tmux server (its own socket name for each test) with one 80×24 window."""

    def __init__(self, tmp_path: Path) -> None:
        self.socket = f"gdtui-ssh-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.env = {**os.environ, "TERM": "xterm-256color", "HOME": str(tmp_path)}
        self.env.pop("SSH_AUTH_SOCK", None)

    def tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        assert TMUX is not None
        for attempt in range(3):
            done = subprocess.run(
                [TMUX, "-L", self.socket, *args], capture_output=True, text=True, env=self.env, timeout=30
            )
            # a new tmux server can lose the race with its first client on a loaded machine: start again
            if args[0] == "new-session" and "server exited unexpectedly" in done.stderr and attempt < 2:
                time.sleep(0.5)
                continue
            break
        if check:
            done.check_returncode()
        return done

    def start(self, command: list[str]) -> None:
        # the pane stays after ssh ends, showing how it ended
        shell = f'{shlex.join(command)}; echo "ssh ended with status $?"; exec sleep 600'
        self.tmux("new-session", "-d", "-s", "ssh", "-x", "80", "-y", "24", shell)

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "ssh", *keys)

    def text(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "ssh").stdout

    def wait_for(self, pattern: str, timeout: float = TIMEOUT) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if re.search(pattern, screen := self.text()):
                return screen
            time.sleep(0.1)
        raise AssertionError(f"never saw {pattern!r}; the pane shows:\n{self.text()}")


@pytest.fixture
def pane(tmp_path):
    p = Pane(tmp_path)
    yield p
    p.tmux("kill-server", check=False)


@needs_ssh
@needs_tmux
def test_openssh_in_a_terminal_gets_the_course_and_q_ends_the_connection(served, pane):
    server, key_file = served
    pane.start(ssh_command(server, key_file, "ada"))
    screen = pane.wait_for(TITLE)
    lines = screen.splitlines()
    assert len(lines) == 24 and all(len(line) <= 80 for line in lines)
    (pid,) = wait_until(server.session_pids)
    assert server.apps() == [pid]
    assert Path(f"/proc/{pid}/comm").read_text().strip() == "gdtui ada"  # forked by the helper, renamed

    pane.keys("Enter")  # the first lesson
    pane.wait_for(re.escape(load_course().lessons[0].title) + r".*1/\d+")
    pane.keys("q")
    pane.wait_for(r"ssh ended with status 0")
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
