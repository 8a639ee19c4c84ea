"""`gdtui serve`: an SSH server that gives each student on the roster their own `gdtui`, and nothing else.

One connection may run one interactive session: a pseudo-terminal whose slave side is the controlling
terminal of a `gdtui --data-dir CLASS --learner NAME` child (its own session and process group, SIGHUP
reset to default). The master side is forwarded in binary mode through two file descriptors of its own
(keystrokes in, screen out); window changes are set on the PTY and signalled to the child. When the app
exits, its status goes back to the client; when the channel closes, the child is hung up (SIGHUP, then
SIGKILL). Exec requests, subsystems (sftp), port, agent and X11 forwarding are refused.

With `preload` (as `gdtui serve` runs it), the apps are forked from a helper process that has imported the
app once (gdtui.classroom.spawner): a session starts in a fraction of the time and shares the imported
code with every other session. Without it, or if the helper fails, each session starts its own Python.

Before login a connection costs the server a socket and a key exchange, so at most `pending_logins` may be
waiting to log in at once (more are disconnected at once, "too many connections"), and each gets
`login_seconds` to finish logging in.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import functools
import json
import logging
import os
import pty
import shlex
import signal
import socket
import struct
import sys
import termios
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh

from .roster import Roster, RosterError, load_roster, read_host_key
from .spawner import ForkedChild, Spawner, SpawnError

log = logging.getLogger("gdtui.classroom")

STATUS = "sessions.json"  # who is connected, for the dashboard; rewritten on every change
NO_TERMINAL = b"gdtui is an interactive course: connect with a terminal (ssh -t), not a command.\r\n"
HANGUP_GRACE_S = 2.0
REFUSAL_LOG_S = 1.0  # under a flood, at most one line a second about refused connections
# What the helper imports before forking sessions: all of gdtui (but the classroom) and what Textual only
# imports once an app runs. A warm-up only (a name that no longer imports is skipped, and a session imports
# whatever else it needs); by name, so the classroom itself still never imports the app.
PRELOAD = ("gdtui.*", "textual.drivers.linux_driver", "textual.scrollbar", "textual.layouts.factory")


def app_command(
    class_dir: Path, learner: str, *, lessons: Path | None = None, redraw_rate: float | None = None
) -> list[str]:
    """The child of a session: the installed gdtui, on the class store, as this student (on another course
    and at another redraw rate when given)."""
    cmd = [sys.executable, "-m", "gdtui", "--data-dir", str(class_dir), "--learner", learner]
    if lessons is not None:
        cmd += ["--lessons", str(Path(lessons).absolute())]
    if redraw_rate is not None:
        cmd += ["--redraw-rate", f"{redraw_rate:g}"]
    return cmd


class ServeError(Exception):
    """The server cannot start: the port or the class folder cannot be used (one line)."""


@dataclass
class Session:
    learner: str
    pid: int
    peer: str
    started: float = field(default_factory=time.time)


class ClassServer:
    """The classroom SSH server. `await start()`, then `await close()` (which ends every session)."""

    def __init__(
        self,
        class_dir: Path,
        host: str = "127.0.0.1",
        port: int = 2222,
        *,
        fail_delay: float = 1.0,
        command: Callable[[Path, str], Sequence[str]] = app_command,
        preload: Sequence[str] = (),
    ) -> None:
        self.class_dir = Path(class_dir).absolute()
        self.host, self.port = host, port
        self.fail_delay = fail_delay
        self.command = command
        self.sessions: dict[int, Session] = {}  # by child pid
        self.spawned: list[int] = []  # every child pid, in order (tests check none outlives its session)
        self.pending: set[_Connection] = set()  # connected, not yet logged in
        self._refusals = (0.0, 0)  # when the last refusal was logged, refusals since (not logged)
        self._roster = load_roster(self.class_dir)
        self._roster_stamp = self._stamp()
        self._listener: asyncssh.SSHAcceptor | None = None
        self._tasks: set[asyncio.Task] = set()
        self.spawner = Spawner(preload, _helper_env(), self.class_dir) if preload else None

    # -- lifecycle ----------------------------------------------------------------------------------------
    async def start(self) -> None:
        """Listen; ServeError (one line) if the port or the class folder cannot be used."""
        try:
            host_key = read_host_key(self.class_dir)
            self._write_status()
        except RosterError as e:
            raise ServeError(str(e)) from None
        except OSError as e:
            raise ServeError(
                f"cannot write in the class folder {self.class_dir}: {e.strerror or e}"
            ) from None
        if self.spawner is not None:
            try:
                await self.spawner.start()
                log.info("sessions fork from a helper that has imported %s", ", ".join(self.spawner.preload))
            except SpawnError as e:
                log.error("%s; each session starts its own Python", e)
                self.spawner = None
        try:
            self._listener = await self._listen(host_key)
        except OSError as e:
            await self.close()
            raise ServeError(f"cannot listen on {self.host} port {self.port}: {e.strerror or e}") from None
        self.port = self._listener.sockets[0].getsockname()[1]
        log.info("each session runs: %s", shlex.join(self.command(self.class_dir, "NAME")))
        log.info("serving %s on %s port %d", self.class_dir, self.host, self.port)
        log.info(
            "students connect with: ssh%s NAME@%s  (host key %s)",
            "" if self.port == 22 else f" -p {self.port}",
            _address_for_students(self.host),
            host_key.get_fingerprint(),
        )

    async def _listen(self, host_key: asyncssh.SSHKey) -> asyncssh.SSHAcceptor:
        return await asyncssh.create_server(
            lambda: _Connection(self),
            self.host,
            self.port,
            server_host_keys=[host_key],
            encoding=None,
            line_editor=False,
            allow_pty=True,
            agent_forwarding=False,
            x11_forwarding=False,
            login_timeout=None,  # the roster's login_seconds, timed by each _Connection
        )

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.close()
            await self._listener.wait_closed()
            self._listener = None
        for pending in list(self.pending):
            if pending.conn is not None:
                pending.conn.abort()
        for pid in list(self.sessions):
            _hang_up(pid)
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.spawner is not None:
            await self.spawner.close()
        with contextlib.suppress(FileNotFoundError):
            (self.class_dir / STATUS).unlink()

    async def serve_forever(self) -> None:
        assert self._listener is not None
        await self._listener.wait_closed()

    # -- the roster, re-read when the file changes ----------------------------------------------------------
    def _stamp(self) -> tuple[int, int] | None:
        try:
            st = (self.class_dir / "roster.toml").stat()
        except OSError:
            return None
        return st.st_mtime_ns, st.st_size

    @property
    def roster(self) -> Roster:
        stamp = self._stamp()
        if stamp != self._roster_stamp:
            self._roster_stamp = stamp
            try:
                self._roster = load_roster(self.class_dir)
                log.info("roster reloaded: %d students", len(self._roster.students))
            except Exception as e:  # a half-saved edit must not lock the class out: keep the last good one
                log.error("roster not reloaded, keeping the previous one: %s", e)
        return self._roster

    # -- connections before login ------------------------------------------------------------------------
    def admit(self, conn: _Connection) -> bool:
        """Count a new connection as waiting to log in, unless `pending_logins` already are."""
        limit = self.roster.limits.pending_logins
        if len(self.pending) < limit:
            self.pending.add(conn)
            return True
        last, quiet = self._refusals
        now = time.monotonic()
        if now - last < REFUSAL_LOG_S:
            self._refusals = (last, quiet + 1)
        else:
            also = f" ({quiet} more refused since the last such line)" if quiet else ""
            log.warning("refused %s: %d connections already waiting to log in%s", conn.peer, limit, also)
            self._refusals = (now, 0)
        return False

    # -- sessions ---------------------------------------------------------------------------------------
    def _write_status(self) -> None:
        status = {
            "server_pid": os.getpid(),
            "sessions": [
                {"learner": s.learner, "pid": s.pid, "since": s.started} for s in self.sessions.values()
            ],
        }
        tmp = self.class_dir / f".{STATUS}.{os.getpid()}"
        tmp.write_text(json.dumps(status), encoding="utf-8")
        os.replace(tmp, self.class_dir / STATUS)

    async def run_session(self, conn: _Connection, process: _Session) -> None:
        """One interactive session; never raises (a failing session must not take the server down)."""
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await self._run_session(conn, process)
        except Exception:
            log.exception("session of %s from %s failed", conn.learner, conn.peer)
            with contextlib.suppress(Exception):
                process.exit(1)
        finally:
            self._tasks.discard(task)

    async def _run_session(self, conn: _Connection, process: _Session) -> None:
        name = conn.learner
        if process.term_type is None:
            log.info("refused %s from %s: no terminal requested", name, conn.peer)
            process.stderr.write(NO_TERMINAL)
            await _finish(process, 1)
            return
        limits = self.roster.limits
        mine = sum(s.learner == name for s in self.sessions.values())
        if len(self.sessions) >= limits.sessions or mine >= limits.sessions_per_student:
            which = "the class" if len(self.sessions) >= limits.sessions else name
            log.info("refused %s from %s: session limit reached for %s", name, conn.peer, which)
            process.stderr.write(f"Too many sessions open for {which}; try again later.\r\n".encode())
            await _finish(process, 1)
            return

        master, slave = pty.openpty()
        cols, rows, *_ = process.term_size
        _set_size(master, cols or 80, rows or 24)
        try:
            child = await self._spawn(
                self.command(self.class_dir, name), _child_env(process.term_type, process.env), slave
            )
        except BaseException:
            os.close(master)
            raise
        finally:
            os.close(slave)
        keys_in = os.fdopen(os.dup(master), "wb", buffering=0)
        screen_out = os.fdopen(master, "rb", buffering=0)
        self.spawned.append(child.pid)
        self.sessions[child.pid] = Session(name, child.pid, conn.peer)
        self._write_status()
        log.info(
            "session start %s from %s pid %d (%s %dx%d)",
            name,
            conn.peer,
            child.pid,
            process.term_type,
            cols,
            rows,
        )
        reason, rc = "closed by client", None
        waits: dict[str, asyncio.Future] = {}
        try:
            process.set_redirect_pid(child.pid)  # resizes and forwarded signals go to the app
            await process.redirect(stdin=keys_in, stdout=screen_out, send_eof=False)  # exit ends it
            waits = {
                "app": asyncio.ensure_future(child.wait()),
                "channel": asyncio.ensure_future(process.channel.wait_closed()),
                "idle": asyncio.ensure_future(self._idle(process, limits.idle_minutes * 60)),
            }
            done, _ = await asyncio.wait(waits.values(), return_when=asyncio.FIRST_COMPLETED)
            if waits["app"] in done:
                rc = child.returncode
                reason = f"app exited {rc}"
            elif waits["idle"] in done:
                reason = "idle timeout"
        finally:
            for fut in waits.values():
                fut.cancel()
            if child.returncode is None:
                await _end_child(child)
            for f in (keys_in, screen_out):
                f.close()
            del self.sessions[child.pid]
            self._write_status()
            log.info("session end %s pid %d: %s", name, child.pid, reason)
        if reason == "idle timeout":
            with contextlib.suppress(Exception):
                minutes = f"{limits.idle_minutes:g} minutes"
                process.stdout.write(
                    f"\r\n\x1b[0mSession closed after {minutes} without a keystroke.\r\n".encode()
                )
        # Even when the channel already looks closed: without the exit the session can stay half-open.
        await _finish(process, rc if rc is not None and rc >= 0 else 1)

    async def _spawn(
        self, argv: Sequence[str], env: dict[str, str], slave: int
    ) -> ForkedChild | asyncio.subprocess.Process:
        """The session's app on the PTY `slave`: forked by the helper, or started as a new process."""
        if self.spawner is not None and self.spawner.alive:
            try:
                return await self.spawner.spawn(argv, env, self.class_dir, slave)
            except SpawnError as e:
                log.error("%s; starting the session's own Python", e)
        return await asyncio.create_subprocess_exec(
            *argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            cwd=self.class_dir,
            preexec_fn=_become_terminal_session,
        )

    async def _idle(self, process: _Session, seconds: float) -> None:
        while (left := seconds - (time.monotonic() - process.last_input)) > 0:
            await asyncio.sleep(left)


class _Connection(asyncssh.SSHServer):
    """One client connection: authentication against the roster, then at most the session."""

    def __init__(self, server: ClassServer) -> None:
        self.server = server
        self.peer = "?"
        self.learner: str | None = None
        self.admitted = False
        self.conn: asyncssh.SSHServerConnection | None = None
        self._grace: asyncio.TimerHandle | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.conn = conn
        host, port = conn.get_extra_info("peername")[:2]
        self.peer = f"{host}:{port}"
        loop = asyncio.get_running_loop()
        self.admitted = self.server.admit(self)
        if not self.admitted:  # after asyncssh has sent its version line: a disconnect the client can show
            reason = "Too many connections waiting to log in; try again in a minute"
            loop.call_soon(conn.disconnect, asyncssh.DISC_TOO_MANY_CONNECTIONS, reason)
            return
        log.info("connect %s", self.peer)
        seconds = self.server.roster.limits.login_seconds
        self._grace = loop.call_later(seconds, self._login_expired, conn, seconds)

    def _login_expired(self, conn: asyncssh.SSHServerConnection, seconds: float) -> None:
        log.info("refused %s: not logged in within %g s", self.peer, seconds)
        conn.abort()

    def _logged_in_or_gone(self) -> None:
        if self._grace is not None:
            self._grace.cancel()
            self._grace = None
        self.server.pending.discard(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self._logged_in_or_gone()
        if not self.admitted:
            return  # its refusal was its one line
        why = f" ({exc})" if exc else ""
        log.info("disconnect %s %s%s", self.learner or "(not logged in)", self.peer, why)

    def begin_auth(self, username: str) -> bool:
        return True  # every user, known or not, must authenticate

    def public_key_auth_supported(self) -> bool:
        return True

    async def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        roster = self.server.roster
        if roster.key_allowed(username, key):
            self.learner = username
            return True
        why = "wrong key" if username in roster.students else "not on the roster"
        return await self._refuse(username, why)

    def password_auth_supported(self) -> bool:
        return self.server.roster.passphrase is not None

    async def validate_password(self, username: str, password: str) -> bool:
        roster = self.server.roster
        if await asyncio.to_thread(roster.passphrase_ok, username, password):
            self.learner = username
            return True
        why = "wrong passphrase" if username in roster.students else "not on the roster"
        return await self._refuse(username, why)

    async def _refuse(self, username: str, why: str) -> bool:
        log.warning("refused %r from %s: %s", username[:40], self.peer, why)
        await asyncio.sleep(self.server.fail_delay)  # slows guessing
        return False

    def auth_completed(self) -> None:
        self._logged_in_or_gone()
        log.info("login %s from %s", self.learner, self.peer)

    def session_requested(self) -> _Session:
        return _Session(functools.partial(self.server.run_session, self))

    # Port forwarding both ways is refused (asyncssh's defaults, stated here on purpose).
    def connection_requested(self, *args: object) -> bool:
        log.info("refused %s from %s: port forwarding", self.learner, self.peer)
        return False

    def server_requested(self, *args: object) -> bool:
        log.info("refused %s from %s: remote port forwarding", self.learner, self.peer)
        return False

    def unix_connection_requested(self, *args: object) -> bool:
        return False

    def unix_server_requested(self, *args: object) -> bool:
        return False


class _Session(asyncssh.SSHServerProcess):
    """An interactive session only: exec and subsystem requests are refused; keystrokes are timed."""

    def __init__(self, handler: Callable[[_Session], object]) -> None:
        super().__init__(handler, None, 0, False)
        self.last_input = time.monotonic()

    def exec_requested(self, command: str) -> bool:
        log.warning("refused exec request %r", command[:60])
        return False

    def subsystem_requested(self, subsystem: str) -> bool:
        log.warning("refused subsystem request %r", subsystem[:60])
        return False

    def data_received(self, data: bytes, datatype: int | None) -> None:
        self.last_input = time.monotonic()
        super().data_received(data, datatype)


async def _finish(process: _Session, status: int) -> None:
    """Send the exit status, close the channel and wait for the forwarding to wind down."""
    process.exit(status)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(process.wait_closed(), 5)


def _address_for_students(host: str) -> str:
    """The address to give students: the one served on, or this machine's name when serving on all of
    its addresses (the teacher may prefer an address of its network)."""
    return socket.gethostname() if host in ("", "0.0.0.0", "::") else host


def _child_env(term_type: str | None, client_env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The server's environment minus what would mislead the app (never COLUMNS/LINES: the PTY has the
    size; not the teacher's terminal's NO_COLOR). Of the client's environment requests only NO_COLOR is
    taken (`ssh -o SendEnv=NO_COLOR`): the student's terminal, not the teacher's, decides on colour."""
    drop = {"COLUMNS", "LINES", "GDTUI_DATA_DIR", "TMUX", "TERM_PROGRAM", "COLORTERM", "NO_COLOR"}
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("SSH_")}
    env["TERM"] = term_type or "xterm-256color"
    env.setdefault("LANG", "C.UTF-8")
    if (client_env or {}).get("NO_COLOR"):  # set and not empty (no-color.org)
        env["NO_COLOR"] = "1"
    return env


def _helper_env() -> dict[str, str]:
    """The session helper's environment: the sessions' own, less the terminal; one BLAS thread, so that no
    thread is running when it forks."""
    env = _child_env(None)
    del env["TERM"]
    env["OPENBLAS_NUM_THREADS"] = "1"
    return env


def _become_terminal_session() -> None:  # runs in the child between fork and exec
    for sig in (signal.SIGHUP, signal.SIGINT, signal.SIGQUIT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)  # the PTY (already on fd 0) becomes the controlling terminal


def _set_size(fd: int, cols: int, rows: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def _hang_up(pid: int, sig: int = signal.SIGHUP) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)  # the child leads its own process group


async def _end_child(child: ForkedChild | asyncio.subprocess.Process) -> None:
    """Hang up the child's process group like a closed terminal would; kill it if it lingers."""
    _hang_up(child.pid)
    try:
        await asyncio.wait_for(child.wait(), HANGUP_GRACE_S)
    except TimeoutError:
        _hang_up(child.pid, signal.SIGKILL)
        await child.wait()


async def serve(
    class_dir: Path, host: str, port: int, *, lessons: Path | None = None, redraw_rate: float | None = None
) -> None:
    """Run until SIGINT or SIGTERM."""
    command = functools.partial(app_command, lessons=lessons, redraw_rate=redraw_rate)
    server = ClassServer(class_dir, host, port, command=command, preload=PRELOAD)
    await server.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        log.info("stopping: ending %d sessions", len(server.sessions))
        await server.close()
