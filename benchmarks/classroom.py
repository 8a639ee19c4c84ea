"""Load benchmark for `gdtui serve`: N simulated students (asyncssh clients, 80×24 PTYs) log in at once;
once every one has the home screen, all open the first lesson and press play together. Reports, per
session: time to first screen (under the burst of logins), redraws seen a second while everyone plays,
CPU and memory (from /proc of each session's app), bytes a second sent to the client; failed sessions.

    .venv/bin/python benchmarks/classroom.py [N …] [--play SECONDS] [--redraw-rate R] [--own-python]
                                             [--server-process]

Sessions start as `gdtui serve` starts them: forked from the helper that has imported the app (or, with
`--own-python`, each in a Python of its own), at the class redraw rate (5 a second unless given). The
server runs in this process, beside the clients, on one event loop; with `--server-process` it is the real
`gdtui serve` in a process of its own, as a teacher runs it, and its CPU is reported apart from the
clients' (which in a real class run on the students' machines, not on the teacher's two cores).

Redraws are counted from the byte stream. Each client answers Textual's start-up query for synchronized
output (`CSI ? 2026 $ p`) as a modern terminal does, so Textual brackets every screen update it sends in
`CSI ? 2026 h` … `CSI ? 2026 l`: one bracket is one frame. A frame can hold any part of the screen, so two
rates are reported: frames a second (every update), and the animation rate, the updates a second of the
screen row that changes most often (the playing plot; it should equal the redraw rate while the scene
runs). Each rate is the frames' intervals over the time they span, (n − 1) / (last − first), not a count
over the window, whose phase against the redraw clock alone moves a count by one frame (39 or 41 in 8 s at
5 a second). The longest gap between two updates of that row shows the worst stall a student saw.
The first lesson's first scene runs about 14 s (10 steps a second until it converges at step 139),
so a measured window of up to ≈12 s stays inside it. CPU is each app's user+system time over that window.
The machine's load average when each N starts is printed too: other work on it shares the cores.

Memory per session is reported as RSS (what `ps` shows; it counts shared libraries in full), PSS (shared
pages divided among the processes sharing them: what the sessions cost together, divided by N) and USS
(private pages: what one more session costs).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import itertools
import json
import os
import re
import socket
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh

from gdtui.classroom.roster import init_class_dir
from gdtui.classroom.server import PRELOAD, ClassServer, app_command

GDTUI = Path(sys.executable).with_name("gdtui")  # the installed command, beside this Python

TITLE = b"How models learn"
LESSON_PAGE = b"Inputs and outputs"  # the first page of the first lesson
TICK = os.sysconf("SC_CLK_TCK")
SYNC_QUERY, SYNC_REPLY = b"\x1b[?2026$p", b"\x1b[?2026;2$y"  # DECRQM for mode 2026; 2 = reset (supported)
FRAME_START, FRAME_END = b"\x1b[?2026h", b"\x1b[?2026l"
CURSOR_TO = re.compile(rb"\x1b\[(\d+);\d+H")


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def memory_mib(pid: int) -> dict[str, float]:
    """RSS, PSS and USS (private clean + dirty) of a process, from smaps_rollup."""
    kib: dict[str, int] = {}
    with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
        for line in f:
            key, _, value = line.partition(":")
            if value.strip().endswith("kB"):
                kib[key] = int(value.split()[0])
    uss = kib["Private_Clean"] + kib["Private_Dirty"]
    return {"rss": kib["Rss"] / 1024, "pss": kib["Pss"] / 1024, "uss": uss / 1024}


class Frames:
    """Screen updates in a byte stream: when each frame arrived, and when each screen row changed."""

    def __init__(self) -> None:
        self.buffer = b""
        self.times: list[float] = []
        self.rows: dict[int, list[float]] = {}

    def feed(self, data: bytes, now: float) -> None:
        self.buffer += data
        while (end := self.buffer.find(FRAME_END)) >= 0:
            frame, self.buffer = self.buffer[:end], self.buffer[end + len(FRAME_END) :]
            moves = CURSOR_TO.findall(frame)[:-1]  # the last move only parks the cursor
            self.times.append(now)
            for row in {int(row) for row in moves}:
                self.rows.setdefault(row, []).append(now)

    @property
    def frames(self) -> int:
        return len(self.times)

    @property
    def busiest_row(self) -> list[float]:
        return max(self.rows.values(), key=len, default=[])


def rate(times: list[float], window: float) -> float:
    """Updates a second: frame intervals over the time they span ((n − 1) / (last − first)), which a
    window's phase against the redraw clock does not skew (a 5/s clock puts 39 or 41 frames in 8 s by
    phase alone); the plain count over the window when there are too few to span."""
    if len(times) >= 3 and times[-1] > times[0]:
        return (len(times) - 1) / (times[-1] - times[0])
    return len(times) / window


def longest_gap(times: list[float]) -> float:
    return max((b - a for a, b in itertools.pairwise(times)), default=float("nan"))


class Stream:
    """A session's screen: read all along (answering the synchronized-output query), counted in a window."""

    def __init__(self, process: asyncssh.SSHClientProcess) -> None:
        self.process = process
        self.tail = b""
        self.answered = False
        self.counting: Frames | None = None
        self.received = 0
        self.changed = asyncio.Event()

    async def pump(self) -> None:
        while chunk := await self.process.stdout.read(65536):
            self.tail = (self.tail + chunk)[-8192:]
            if not self.answered and SYNC_QUERY in self.tail:
                self.process.stdin.write(SYNC_REPLY)
                self.answered = True
            if self.counting is not None:
                self.counting.feed(chunk, time.monotonic())
                self.received += len(chunk)
            self.changed.set()
        self.changed.set()

    async def wait_for(self, text: bytes, pump: asyncio.Task) -> None:
        while text not in self.tail:
            if pump.done():
                raise RuntimeError(f"session ended before {text.decode()!r} appeared")
            self.changed.clear()
            await self.changed.wait()


@dataclass
class Phases:
    """The class moves on together: all at home, all in the lesson, all playing, then the measured window."""

    lesson: asyncio.Event = field(default_factory=asyncio.Event)
    play: asyncio.Event = field(default_factory=asyncio.Event)
    measure: asyncio.Event = field(default_factory=asyncio.Event)
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    window: float = 0.0


async def student(port: int, name: str, key, phases: Phases, out: dict) -> None:
    start = time.monotonic()
    async with asyncssh.connect(
        "127.0.0.1",
        port,
        username=name,
        client_keys=[key],
        known_hosts=None,
        agent_path=None,
        config=[],
    ) as conn:
        process = await conn.create_process(term_type="xterm-256color", term_size=(80, 24), encoding=None)
        stream = Stream(process)
        pump = asyncio.create_task(stream.pump())
        try:
            async with asyncio.timeout(300):
                await stream.wait_for(TITLE, pump)
                out["first_screen"] = time.monotonic() - start
                out["sync"] = stream.answered
                await phases.lesson.wait()
                process.stdin.write(b"\r")  # open the first lesson
                await stream.wait_for(LESSON_PAGE, pump)
                out["in_lesson"] = True
                await phases.play.wait()
                process.stdin.write(b" ")  # play its scene
                out["playing"] = True
                await phases.measure.wait()
                stream.counting = frames = Frames()
                await phases.stop.wait()
                stream.counting = None
            if pump.done():
                raise RuntimeError("session dropped while playing")
            out["bytes_per_s"] = stream.received / phases.window
            out["frames_per_s"] = rate(frames.times, phases.window)
            out["animation_per_s"] = rate(frames.busiest_row, phases.window)
            out["gap"] = longest_gap(frames.busiest_row)
            process.stdin.write(b"q")
            await asyncio.wait_for(process.wait(), 60)
        finally:
            pump.cancel()


class ServeProcess:
    """`gdtui serve` in a process of its own, as a teacher runs it (the clients then do not share its
    event loop or its core time): its port, its pid and the sessions' pids (from the class folder's
    `sessions.json`, which the dashboard reads)."""

    def __init__(self, process: asyncio.subprocess.Process, class_dir: Path, port: int) -> None:
        self.process, self.class_dir, self.port = process, class_dir, port

    @classmethod
    async def start(cls, class_dir: Path, redraw_rate: float) -> ServeProcess:
        with socket.socket() as s:  # a free port (the server binds it a moment later)
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        process = await asyncio.create_subprocess_exec(
            str(GDTUI), "serve", "--class-dir", str(class_dir), "--port", str(port),
            "--redraw-rate", f"{redraw_rate:g}",
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(300):
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                await asyncio.sleep(0.05)
                continue
            writer.close()
            return cls(process, class_dir, port)
        process.kill()
        raise RuntimeError("gdtui serve did not start listening within 15 s")

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def sessions(self) -> list[int]:
        status = json.loads((self.class_dir / "sessions.json").read_text(encoding="utf-8"))
        return [s["pid"] for s in status["sessions"]]

    async def close(self) -> None:
        self.process.terminate()
        await asyncio.wait_for(self.process.wait(), 60)


async def run(n: int, play: float, redraw_rate: float, fork: bool, own_process: bool) -> dict:
    load = os.getloadavg()[0]  # other work on the machine, when this run starts
    with tempfile.TemporaryDirectory() as tmp:
        class_dir = Path(tmp)
        init_class_dir(class_dir)
        keys = {f"s{i:02d}": asyncssh.generate_private_key("ssh-ed25519") for i in range(n)}
        lines = [
            f'[students.{name}]\nkeys = ["{k.export_public_key().decode().strip()}"]'
            for name, k in keys.items()
        ]
        (class_dir / "roster.toml").write_text(
            "[limits]\nsessions = 500\npending_logins = 500\n\n" + "\n".join(lines) + "\n"
        )
        if own_process:
            server = await ServeProcess.start(class_dir, redraw_rate)
        else:
            command = functools.partial(app_command, redraw_rate=redraw_rate)  # as `gdtui serve` runs it
            server = ClassServer(class_dir, port=0, command=command, preload=PRELOAD if fork else ())
            await server.start()
        results: dict[str, dict] = {name: {} for name in keys}
        phases = Phases()
        tasks = [
            asyncio.create_task(student(server.port, name, keys[name], phases, results[name]))
            for name in keys
        ]

        async def everyone(flag: str) -> None:  # every student has got there, or has failed
            while not all(flag in r or t.done() for r, t in zip(results.values(), tasks, strict=True)):
                await asyncio.sleep(0.05)

        async def conduct() -> dict[int, tuple[float, dict[str, float]]]:
            await everyone("first_screen")
            phases.lesson.set()
            await everyone("in_lesson")
            phases.play.set()
            await everyone("playing")
            await asyncio.sleep(1.0)  # the scenes are running
            pids = list(server.sessions)
            cpu0 = {p: cpu_seconds(p) for p in pids}
            serving0 = server_seconds()
            t0 = time.monotonic()
            phases.measure.set()
            await asyncio.sleep(play)
            phases.window = time.monotonic() - t0
            usage = {p: ((cpu_seconds(p) - cpu0[p]) / phases.window, memory_mib(p)) for p in pids}
            served[0] = (server_seconds() - serving0) / phases.window
            phases.stop.set()
            return usage

        def server_seconds() -> float:  # the server's CPU (with the clients', when they share its process)
            return cpu_seconds(server.pid) if own_process else time.process_time()

        served = [float("nan")]
        server_cpu0, clients_cpu0 = server_seconds(), time.process_time()
        conductor = asyncio.create_task(conduct())
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        usage = await conductor
        server_cpu = server_seconds() - server_cpu0
        clients_cpu = time.process_time() - clients_cpu0 if own_process else float("nan")
        await server.close()
    failures = [o for o in outcomes if isinstance(o, BaseException)]
    done = [r for r in results.values() if "frames_per_s" in r]
    return {
        "n": n,
        "first": sorted(r["first_screen"] for r in results.values() if "first_screen" in r),
        "frames": [r["frames_per_s"] for r in done],
        "animation": [r["animation_per_s"] for r in done],
        "gap": [r["gap"] for r in done],
        "bytes": [r["bytes_per_s"] for r in done],
        "cpu": [c for c, _ in usage.values()],
        "mem": [m for _, m in usage.values()],
        "unsynced": sum(not r.get("sync", True) for r in results.values()),
        "failures": failures,
        "server_cpu": server_cpu,
        "clients_cpu": clients_cpu,
        "served": served[0],
        "own_process": own_process,
        "load": load,
    }


def report(r: dict) -> str:
    def med(xs):
        return statistics.median(xs) if xs else float("nan")

    def low(xs):
        return min(xs, default=float("nan"))

    first, mem = r["first"], r["mem"]
    if r["own_process"]:  # CPU seconds over the whole run; % of a core while the class plays
        serving = f"{r['server_cpu']:5.1f} s, {100 * r['served']:4.1f}% / clients {r['clients_cpu']:5.1f} s"
    else:
        serving = f"{r['server_cpu']:5.1f} s, {100 * r['served']:4.1f}% (with the clients)"
    rss, pss, uss = ([m[k] for m in mem] for k in ("rss", "pss", "uss"))
    return (
        f"| {r['n']:3d} | {med(first):5.2f} / {max(first, default=float('nan')):5.2f} "
        f"| {med(r['frames']):4.1f} / {low(r['frames']):4.1f} "
        f"| {med(r['animation']):4.1f} / {low(r['animation']):4.1f} "
        f"| {1000 * med(r['gap']):4.0f} / {1000 * max(r['gap'], default=float('nan')):4.0f} "
        f"| {100 * med(r['cpu']):5.1f} ({len(r['cpu'])}) "
        f"| {med(rss):5.1f} / {max(rss, default=float('nan')):5.1f} / {med(pss):5.1f} / {med(uss):5.1f} "
        f"| {med(r['bytes']):7.0f} | {len(r['failures'])} | {serving} | {r['load']:5.2f} |"
    )


HEADER = (
    "|   N | first screen s (median / max) | frames/s (median / min) | animation/s (median / min) "
    "| longest animation gap ms (median / max) "
    "| CPU % of a core per session (sampled) | MiB RSS (median / max) / PSS / USS (median) | bytes/s per session "
    "| failed | server CPU (run s, % playing) | load avg at start |\n|---|---|---|---|---|---|---|---|---|---|---|"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="*", type=int, default=[10, 20, 40])
    parser.add_argument(
        "--play", type=float, default=8.0, help="seconds measured while the whole class plays (default 8)"
    )
    parser.add_argument(
        "--redraw-rate", type=float, default=5.0, help="the apps' redraw rate (default 5, as gdtui serve)"
    )
    parser.add_argument(
        "--own-python",
        action="store_true",
        help="start each session's own Python instead of forking it from the preloaded helper",
    )
    parser.add_argument(
        "--server-process",
        action="store_true",
        help="run `gdtui serve` in its own process, as a teacher does, instead of in this one with the clients",
    )
    args = parser.parse_args()
    if args.server_process and args.own_python:
        parser.error("--server-process serves as `gdtui serve` does: sessions forked from its helper")
    print(
        f"{os.cpu_count()} cores; all log in; then all open lesson 1 and play; measured over {args.play:g}s; "
        f"redraw rate {args.redraw_rate:g}; sessions "
        + ("start their own Python" if args.own_python else "forked from the preloaded helper")
        + (
            "; `gdtui serve` in its own process"
            if args.server_process
            else "; server and clients in one process"
        )
    )
    print(HEADER, flush=True)
    for n in args.n:
        result = asyncio.run(run(n, args.play, args.redraw_rate, not args.own_python, args.server_process))
        print(report(result), flush=True)
        if result["unsynced"]:
            print(f"    {result['unsynced']} sessions never asked about synchronized output", file=sys.stderr)
        for f in result["failures"][:3]:
            print(f"    failure: {type(f).__name__}: {f}", file=sys.stderr)


if __name__ == "__main__":
    main()
