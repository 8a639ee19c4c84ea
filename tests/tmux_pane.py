"""A private tmux server for end-to-end tests: one window, driven by keys and read back as a learner sees it.

Each `Pane` has a socket name of its own (reusing one between tests let a test reach the previous test's
server while it was still shutting down: "server exited unexpectedly"), and a session start that loses
tmux's own start-up race on a loaded machine is tried again.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import uuid
from pathlib import Path

TMUX = shutil.which("tmux")


class Pane:
    def __init__(self, prefix: str, home: Path, session: str) -> None:
        self.socket = f"{prefix}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.session = session
        self.env = {**os.environ, "TERM": "xterm-256color", "HOME": str(home)}
        self.env.pop("SSH_AUTH_SOCK", None)  # no agent: a test's ssh uses only the key it is given

    def tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        assert TMUX is not None, "tmux is not installed"
        for attempt in range(3):
            done = subprocess.run(
                [TMUX, "-L", self.socket, *args], capture_output=True, text=True, env=self.env, timeout=30
            )
            if args[0] == "new-session" and "server exited unexpectedly" in done.stderr and attempt < 2:
                time.sleep(0.5)
                continue
            break
        if check:
            done.check_returncode()
        return done

    def start(self, shell_command: str, width: int = 80, height: int = 24) -> None:
        self.tmux("new-session", "-d", "-s", self.session, "-x", str(width), "-y", str(height), shell_command)

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.session, *keys)

    def text(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.session).stdout

    def wait_for(self, pattern: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if re.search(pattern, screen := self.text()):
                return screen
            time.sleep(0.1)
        raise AssertionError(f"never saw {pattern!r}; the pane shows:\n{self.text()}")

    def alive(self) -> bool:
        return self.tmux("has-session", "-t", self.session, check=False).returncode == 0

    def kill(self) -> None:
        self.tmux("kill-server", check=False)
