"""Connections that have not logged in yet: at most `pending_logins` at once (more are turned away, and a
flood of refusals is logged a line at a time), each given `login_seconds` to log in; real asyncssh clients
and raw TCP connections on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncssh
import pytest
from classroom_helpers import PASSPHRASE, TIMEOUT, connect, until, write_roster

from gdtui.classroom.roster import Limits, load_roster


class _AtThePassphrasePrompt(asyncssh.SSHClient):
    """A client that connects, is asked for the passphrase, and never answers."""

    async def password_auth_requested(self) -> str | None:
        await asyncio.Event().wait()
        return None


def hesitant(server) -> asyncio.Task:
    """A real asyncssh client left waiting to log in (a student who has not typed the passphrase yet)."""

    async def connecting() -> asyncssh.SSHClientConnection:
        return await asyncssh.connect(
            "127.0.0.1",
            server.port,
            username="grace",
            client_factory=_AtThePassphrasePrompt,
            client_keys=[],
            known_hosts=None,
            agent_path=None,
            config=[],
            preferred_auth="password",
        )

    return asyncio.create_task(connecting())


async def half_open(server) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A TCP connection that never says anything."""
    return await asyncio.open_connection("127.0.0.1", server.port)


async def close_all(tasks: list[asyncio.Task], writers: list[asyncio.StreamWriter]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for writer in writers:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


def test_the_defaults_bound_logins_in_progress():
    assert Limits().pending_logins == 50 and Limits().login_seconds == 60


async def test_a_flood_of_connections_that_do_not_log_in_is_turned_away(start_server, keys, caplog):
    caplog.set_level(logging.INFO, logger="gdtui.classroom")
    server = await start_server()
    write_roster(server.class_dir, keys, "\n[limits]\npending_logins = 3\n")
    assert load_roster(server.class_dir).limits.pending_logins == 3
    stuck = [hesitant(server) for _ in range(2)]
    writers = [(await half_open(server))[1]]
    try:
        await until(lambda: len(server.pending) == 3)
        for _ in range(4):  # the flood: every further connection is disconnected before its key exchange
            with pytest.raises(asyncssh.DisconnectError) as refused:
                async with connect(server, "ada", keys["ada"]):
                    pass
            assert refused.value.code == asyncssh.DISC_TOO_MANY_CONNECTIONS
            assert "Too many connections" in refused.value.reason
        assert len(server.pending) == 3 and not server.spawned
        lines = [r.getMessage() for r in caplog.records if "waiting to log in" in r.getMessage()]
        assert 1 <= len(lines) <= 4 and all("\n" not in line for line in lines)
        assert lines[0].startswith("refused 127.0.0.1:") and "3 connections already waiting" in lines[0]
        assert not any(r.getMessage().startswith("disconnect") for r in caplog.records)  # one line each
    finally:
        await close_all(stuck, writers)
    await until(lambda: not server.pending)
    async with connect(server, "ada", keys["ada"]):  # the flood over, students get in again
        pass
    async with connect(server, "grace", password=PASSPHRASE):
        pass


async def test_logging_in_frees_the_place(start_server, keys):
    server = await start_server()
    write_roster(server.class_dir, keys, "\n[limits]\npending_logins = 1\n")
    for _ in range(3):  # one at a time: each login leaves the queue for the next
        async with connect(server, "ada", keys["ada"]):
            assert not server.pending


async def test_a_connection_that_does_not_log_in_in_time_is_closed(start_server, keys, caplog):
    caplog.set_level(logging.INFO, logger="gdtui.classroom")
    server = await start_server()
    write_roster(server.class_dir, keys, "\n[limits]\nlogin_seconds = 0.5\n")
    stuck = hesitant(server)
    reader, writer = await half_open(server)
    with pytest.raises(asyncssh.ConnectionLost):
        await asyncio.wait_for(stuck, TIMEOUT)
    said = await asyncio.wait_for(reader.read(), TIMEOUT)  # to the end: the server closed it
    assert said.startswith(b"SSH-2.0-")
    assert not server.pending
    lines = [r.getMessage() for r in caplog.records if "not logged in within 0.5 s" in r.getMessage()]
    assert len(lines) == 2
    await close_all([], [writer])
