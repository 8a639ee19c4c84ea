"""Helpers for the classroom tests: real SSH clients, a screen reader, polling, process checks."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import asyncssh

from gdtui.classroom.roster import hash_passphrase
from gdtui.classroom.server import ClassServer

PASSPHRASE = "correct horse battery"
TITLE = "How models learn"
GDTUI = Path(sys.executable).with_name("gdtui")  # the console script pip installs beside the interpreter
TIMEOUT = 30.0  # generous: a loaded machine imports Textual and NumPy slowly; polls end as soon as they can
_HASH = hash_passphrase(PASSPHRASE)
_ESCAPES = re.compile(
    rb"\x1b\[[0-9;?<>=!]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78]"
)


def make_key() -> asyncssh.SSHKey:
    return asyncssh.generate_private_key("ssh-ed25519")


def write_roster(class_dir: Path, keys: dict[str, asyncssh.SSHKey], extra: str = "") -> None:
    ada = keys["ada"].export_public_key().decode().strip()
    (class_dir / "roster.toml").write_text(
        f'passphrase = "{_HASH}"\n\n[students.ada]\nkeys = ["{ada}"]\n\n[students.grace]\nkeys = []\n{extra}',
        encoding="utf-8",
    )


def connect(server: ClassServer, user: str, key: asyncssh.SSHKey | None = None, password: str | None = None):
    """An asyncssh client that offers only what it is given (no agent, no ~/.ssh keys or config)."""
    return asyncssh.connect(
        "127.0.0.1",
        server.port,
        username=user,
        client_keys=[key] if key is not None else [],
        password=password,
        known_hosts=None,
        agent_path=None,
        config=[],
        preferred_auth="publickey,password" if password else "publickey",
    )


async def open_terminal(conn: asyncssh.SSHClientConnection, size=(80, 24)) -> asyncssh.SSHClientProcess:
    return await conn.create_process(term_type="xterm-256color", term_size=size, encoding=None)


class Screen:
    """What a client has been sent, escape sequences removed, read until some text appears."""

    def __init__(self, process: asyncssh.SSHClientProcess) -> None:
        self.process = process
        self.raw = b""

    @property
    def text(self) -> str:
        return _ESCAPES.sub(b"", self.raw).decode("utf-8", "replace")

    async def wait_for(self, text: str, timeout: float = TIMEOUT) -> None:
        async with asyncio.timeout(timeout):
            while text not in self.text:
                chunk = await self.process.stdout.read(65536)
                if not chunk:
                    raise AssertionError(f"the session ended before {text!r} appeared: {self.text[-500:]!r}")
                self.raw += chunk

    async def drain(self, timeout: float = TIMEOUT) -> None:
        """Read until the session's output ends."""
        async with asyncio.timeout(timeout):
            while chunk := await self.process.stdout.read(65536):
                self.raw += chunk


def alive(pid: int) -> bool:
    """The process exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


async def until(condition, timeout: float = TIMEOUT, every: float = 0.05):
    """Poll `condition()` until it returns something truthy; that value, or AssertionError at timeout."""
    async with asyncio.timeout(timeout):
        while not (value := condition()):
            await asyncio.sleep(every)
    return value


def python(code: str):
    """A session command running `python -c code` instead of gdtui (fast, for the server's plumbing)."""
    return lambda class_dir, learner: [sys.executable, "-c", code, learner]


class GdtuiServe:
    """`gdtui serve` as its own process (the installed command) on 127.0.0.1, on a port the system picks
    (read back from its log). Its stderr goes to a file beside the class folder."""

    def __init__(self, class_dir: Path, *args: str, cwd: Path | None = None) -> None:
        self.class_dir = class_dir
        self.log_path = class_dir.parent / f"serve-{uuid.uuid4().hex[:8]}.log"
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [str(GDTUI), "serve", "--class-dir", str(class_dir), "--port", "0", *args],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=log,
                cwd=cwd,
            )
        self.port = 0

    def started(self, timeout: float = TIMEOUT) -> GdtuiServe:
        deadline = time.monotonic() + timeout
        while not (found := re.search(r"serving .* port (\d+)", self.log)):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"gdtui serve did not start; its log:\n{self.log}")
            time.sleep(0.05)
        self.port = int(found.group(1))
        return self

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def session_pids(self) -> list[int]:
        """The apps of the open sessions, from the status file the server keeps for the dashboard."""
        try:
            status = json.loads((self.class_dir / "sessions.json").read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):  # not written yet, or being replaced
            return []
        return [s["pid"] for s in status["sessions"]]

    def apps(self) -> list[int]:
        """Live processes under the server other than its session helper (which forks the apps)."""
        helpers = self.helpers()
        found, todo = [], [self.process.pid]
        while todo:
            for pid in _children(todo.pop()):
                todo.append(pid)
                if pid not in helpers and alive(pid):
                    found.append(pid)
        return sorted(found)

    def helpers(self) -> list[int]:
        """The server's session helper, if it runs one."""
        return [pid for pid in _children(self.process.pid) if b"gdtui.classroom.spawner" in _cmdline(pid)]

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)


def _children(pid: int) -> list[int]:
    pids: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(FileNotFoundError):
            pids += map(int, (task / "children").read_text().split())
    return pids


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return b""


def wait_until(condition, timeout: float = TIMEOUT, every: float = 0.05):
    """`until` for synchronous tests."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {condition}")
        time.sleep(every)
    return value
