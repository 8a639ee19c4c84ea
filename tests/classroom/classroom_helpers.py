"""Helpers for the classroom tests: real SSH clients, a screen reader, polling, process checks."""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path

import asyncssh

from gdtui.classroom.roster import hash_passphrase
from gdtui.classroom.server import ClassServer

PASSPHRASE = "correct horse battery"
TITLE = "How models learn"
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
