"""Fixtures for the classroom: a class folder in tmp_path with two students (ada with a key, grace with
the passphrase only) and servers on ephemeral loopback ports, closed at teardown."""

from __future__ import annotations

from pathlib import Path

import asyncssh
import pytest
from classroom_helpers import alive, make_key, write_roster

from gdtui.classroom.roster import init_class_dir
from gdtui.classroom.server import ClassServer


@pytest.fixture(scope="session")
def keys() -> dict[str, asyncssh.SSHKey]:
    return {name: make_key() for name in ("ada", "grace", "stranger")}


@pytest.fixture
def class_dir(tmp_path, keys) -> Path:
    d = tmp_path / "class"
    init_class_dir(d)
    write_roster(d, keys)
    return d


@pytest.fixture
async def start_server(class_dir):
    """`await start_server(**kwargs)` starts a ClassServer on the class folder; all are closed at teardown."""
    servers: list[ClassServer] = []

    async def start(**kwargs) -> ClassServer:
        kwargs.setdefault("fail_delay", 0.01)
        server = ClassServer(class_dir, "127.0.0.1", 0, **kwargs)
        await server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        await server.close()
        for pid in server.spawned:
            assert not alive(pid), f"child {pid} outlived the server"


@pytest.fixture
async def server(start_server) -> ClassServer:
    return await start_server()
