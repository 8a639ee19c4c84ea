"""Sessions forked from a warm process: one helper process imports the app once, then forks a child per
session, so a session starts without importing Textual and NumPy again and shares those pages (copy on
write) with every other session.

The helper (`python -m gdtui.classroom.spawner MODULE…`) is the server's child, in a session of its own. It
imports each MODULE (`PACKAGE.*`: every module in the package, except `__main__` modules and the classroom
itself; a warm-up only: a name that fails to import is skipped), freezes what it has for the garbage
collector (so collections do not write to the shared pages), then serves requests on a socket of
type SOCK_SEQPACKET: one JSON packet `{"id", "argv", "env", "cwd"}` carrying the session's PTY slave as
SCM_RIGHTS; it forks, and answers `{"id", "pid"}`, and later `{"exit": pid, "status": code}` (negative: the
signal that ended it). The forked child becomes what `argv` would have started: the leader of a new
session with the PTY as its controlling terminal, SIGHUP/SIGINT/SIGQUIT/SIGTERM reset to default, the
session's environment and folder; then it runs `python -m MODULE ARGS` or `python -c CODE ARGS` in place
(what it would have imported is already there), and execs anything else. When the server closes the
socket, the helper exits.

`Spawner` is the server's side (asyncio): `start()`, `spawn()` returning a `ForkedChild` with the `pid`,
`returncode` and `wait()` of an asyncio subprocess, and `close()`. If the helper dies, children it started
are watched until they are gone, and `alive` turns false so the server starts sessions the usual way.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import gc
import importlib
import json
import logging
import os
import pkgutil
import runpy
import select
import signal
import socket
import sys
import termios
import traceback
from collections.abc import Mapping, Sequence

log = logging.getLogger("gdtui.classroom")

READY_TIMEOUT_S = 120.0  # a loaded machine imports the app slowly
_PACKET = 65536


class SpawnError(Exception):
    """The helper could not start a session."""


class ForkedChild:
    """A session's app forked by the helper: `pid`, `returncode` (None while it runs) and `wait()`."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self._exited: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def _exit(self, status: int) -> None:
        if not self._exited.done():
            self.returncode = status
            self._exited.set_result(status)

    async def wait(self) -> int:
        return await asyncio.shield(self._exited)


class Spawner:
    """The server's end of the helper process."""

    def __init__(self, preload: Sequence[str], env: Mapping[str, str], cwd: os.PathLike | str) -> None:
        self.preload, self.env, self.cwd = tuple(preload), dict(env), cwd
        self.alive = False
        self._sock: socket.socket | None = None
        self._process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task | None = None
        self._ready: asyncio.Future[None] | None = None
        self._requests: dict[int, asyncio.Future[int]] = {}
        self._children: dict[int, ForkedChild] = {}
        self._watchers: set[asyncio.Future] = set()
        self._next_id = 0

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    async def start(self) -> None:
        """Start the helper and wait until it has imported the app; SpawnError if it cannot."""
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            env = {**self.env, "GDTUI_SPAWNER_FD": str(theirs.fileno())}
            self._process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                __name__,
                *self.preload,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
                pass_fds=[theirs.fileno()],
                env=env,
                cwd=self.cwd,
                start_new_session=True,  # a Ctrl-C meant for the server is not the helper's
            )
        except OSError as e:
            mine.close()
            raise SpawnError(f"cannot start the session helper: {e}") from None
        finally:
            theirs.close()
        mine.setblocking(False)
        self._sock = mine
        loop = asyncio.get_running_loop()
        self._ready = loop.create_future()
        self._reader = asyncio.create_task(self._read())
        try:
            await asyncio.wait_for(asyncio.shield(self._ready), READY_TIMEOUT_S)
        except (TimeoutError, SpawnError) as e:
            await self.close()
            raise SpawnError(f"the session helper did not start: {e or 'timed out'}") from None
        self.alive = True

    async def spawn(
        self, argv: Sequence[str], env: Mapping[str, str], cwd: os.PathLike | str, tty: int
    ) -> ForkedChild:
        """Fork a session's app on the terminal `tty` (the PTY slave; the caller keeps and closes it)."""
        if not self.alive or self._sock is None:
            raise SpawnError("the session helper is not running")
        self._next_id += 1
        request = self._next_id
        reply = self._requests[request] = asyncio.get_running_loop().create_future()
        packet = json.dumps({"id": request, "argv": list(argv), "env": dict(env), "cwd": str(cwd)})
        try:
            while True:
                try:
                    socket.send_fds(self._sock, [packet.encode()], [tty])
                    break
                except BlockingIOError:
                    await asyncio.sleep(0.005)
            pid = await reply
        except OSError as e:
            raise SpawnError(f"the session helper did not answer: {e}") from None
        finally:
            self._requests.pop(request, None)
        child = self._children[pid] = ForkedChild(pid)
        return child

    async def _read(self) -> None:
        loop = asyncio.get_running_loop()
        assert self._sock is not None and self._ready is not None
        try:
            while packet := await loop.sock_recv(self._sock, _PACKET):
                message = json.loads(packet)
                if "ready" in message:
                    self._ready.set_result(None)
                elif "exit" in message:
                    if (child := self._children.pop(message["exit"], None)) is not None:
                        child._exit(message["status"])
                elif (reply := self._requests.get(message["id"])) is not None and not reply.done():
                    if "pid" in message:
                        reply.set_result(message["pid"])
                    else:
                        reply.set_exception(SpawnError(message.get("error", "failed")))
        except (OSError, ValueError) as e:
            log.error("session helper: %s", e)
        finally:
            self._lost()

    def _lost(self) -> None:
        """The helper is gone: nothing more will be forked, and its children are watched by their pids."""
        if self.alive:
            log.error("the session helper stopped; new sessions start their own Python")
        self.alive = False
        for fut in [self._ready, *self._requests.values()]:
            if fut is not None and not fut.done():
                fut.set_exception(SpawnError("the session helper stopped"))
        for child in self._children.values():
            watcher = asyncio.ensure_future(_watch(child))
            self._watchers.add(watcher)
            watcher.add_done_callback(self._watchers.discard)
        self._children.clear()

    async def close(self) -> None:
        """Stop the helper (sessions it started keep running until the server ends them)."""
        self.alive = False
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        if self._process is not None:
            try:
                await asyncio.wait_for(self._process.wait(), 5)
            except TimeoutError:
                self._process.kill()
                await self._process.wait()


async def _watch(child: ForkedChild) -> None:
    """A child whose helper has died: poll until it has gone (its exit status is lost)."""
    while _running(child.pid):
        await asyncio.sleep(0.2)
    child._exit(1)


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


# -- the helper process -------------------------------------------------------------------------------------
def _helper(sock: socket.socket, preload: Sequence[str]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in preload:
        _preload(name)
    gc.collect()
    gc.freeze()
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.set_wakeup_fd(wake_w)
    sock.sendall(json.dumps({"ready": True}).encode())
    while True:
        try:
            ready, _, _ = select.select([sock, wake_r], [], [])
        except InterruptedError:
            continue
        if wake_r in ready:
            os.read(wake_r, 4096)
            _reap(sock)
        if sock in ready:
            try:
                packet, fds, _, _ = socket.recv_fds(sock, _PACKET, 1)
            except ConnectionResetError:
                return
            if not packet:
                return  # the server has closed its end
            request = json.loads(packet)
            try:
                pid = _fork(request, fds[0], (sock, wake_r, wake_w))
                answer = {"id": request["id"], "pid": pid}
            except (OSError, IndexError) as e:
                answer = {"id": request["id"], "error": str(e)}
            finally:
                for fd in fds:
                    os.close(fd)
            sock.sendall(json.dumps(answer).encode())


def _preload(name: str) -> None:
    """Import a module, or with `PACKAGE.*` every module in a package (not `__main__`, not the classroom)."""
    try:
        module = importlib.import_module(name.removesuffix(".*"))
        if not name.endswith(".*"):
            return
        classroom = __spec__.parent if __spec__ is not None else "gdtui.classroom"
        for found in pkgutil.walk_packages(module.__path__, module.__name__ + ".", onerror=lambda _: None):
            if found.name.endswith(".__main__") or found.name.startswith(classroom):
                continue
            _preload(found.name)
    except Exception as e:  # a warm-up only: the session imports what it needs
        print(f"gdtui serve: session helper: not preloading {name}: {e}", file=sys.stderr)


def _reap(sock: socket.socket) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        sock.sendall(json.dumps({"exit": pid, "status": os.waitstatus_to_exitcode(status)}).encode())


def _fork(request: dict, tty: int, helper_fds: tuple) -> int:
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        signal.set_wakeup_fd(-1)
        for sig in (signal.SIGCHLD, signal.SIGHUP, signal.SIGINT, signal.SIGQUIT, signal.SIGTERM):
            signal.signal(sig, signal.SIG_DFL)
        helper_fds[0].close()
        for fd in helper_fds[1:]:
            os.close(fd)
        os.setsid()
        for fd in (0, 1, 2):
            os.dup2(tty, fd)
        if tty > 2:
            os.close(tty)
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        code = _become(request["argv"])
    except BaseException:
        traceback.print_exc()
    finally:
        os._exit(code)


def _become(argv: list[str]) -> int:
    """Run what `argv` names in this process: `python -m MODULE …` and `python -c CODE …` in place (their
    imports are warm), anything else by exec. Returns the exit status."""
    # sys.std* anew on fds 0-2, now the terminal: line-buffered, as Python makes them on a terminal
    encoding = sys.__stdout__.encoding if sys.__stdout__ else "utf-8"
    streams = (
        open(fd, mode, encoding=encoding, errors=errors, closefd=False)  # noqa: SIM115
        for fd, mode, errors in ((0, "r", "strict"), (1, "w", "strict"), (2, "w", "backslashreplace"))
    )
    sys.stdin, sys.stdout, sys.stderr = sys.__stdin__, sys.__stdout__, sys.__stderr__ = tuple(streams)
    # The same interpreter however its path is spelled: a server started as `../.venv/bin/python` names
    # itself so, while the helper it started sees its path without the `..` (symlinks are not followed:
    # another venv's python links to the same binary but has other packages)
    same_python = os.path.abspath(argv[0]) == os.path.abspath(sys.executable)
    in_place = same_python and len(argv) >= 3 and argv[1] in ("-m", "-c")
    if in_place:  # what `ps -o comm` shows: the session, not the helper
        name = argv[2] if argv[1] == "-m" else "python"
        if "--learner" in argv[:-1]:
            name = f"{name} {argv[argv.index('--learner') + 1]}"
        with contextlib.suppress(OSError), open("/proc/self/comm", "w", encoding="utf-8") as comm:
            comm.write(name[:15])
    if not in_place:
        os.execve(argv[0], argv, os.environ)
    try:
        if argv[1] == "-m":
            sys.argv = [argv[2], *argv[3:]]
            runpy.run_module(argv[2], run_name="__main__", alter_sys=True)
        else:
            sys.argv = ["-c", *argv[3:]]
            exec(compile(argv[2], "<string>", "exec"), {"__name__": "__main__", "__builtins__": __builtins__})
        status = 0
    except SystemExit as e:
        status = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        if e.code is not None and not isinstance(e.code, int):
            print(e.code, file=sys.stderr)
    except BaseException:
        traceback.print_exc()
        status = 1
    with contextlib.suppress(Exception):
        import atexit

        atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    return status


if __name__ == "__main__":
    _helper(socket.socket(fileno=int(os.environ.pop("GDTUI_SPAWNER_FD"))), sys.argv[1:])
