"""Load benchmark for `gdtui serve`: N simulated students (asyncssh clients, 80×24 PTYs) log in at once,
open the first lesson and press play; reports time to first screen, CPU and memory per session (from
/proc of each session's app), bytes per second sent to each client, and failed sessions.

    .venv/bin/python benchmarks/classroom.py [N …] [--play SECONDS]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import asyncssh

from gdtui.classroom.roster import init_class_dir
from gdtui.classroom.server import ClassServer

TITLE = b"How models learn"
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


async def student(server: ClassServer, name: str, key, play: float, out: dict) -> None:
    start = time.monotonic()
    async with asyncssh.connect(
        "127.0.0.1",
        server.port,
        username=name,
        client_keys=[key],
        known_hosts=None,
        agent_path=None,
        config=[],
    ) as conn:
        process = await conn.create_process(term_type="xterm-256color", term_size=(80, 24), encoding=None)
        seen = b""
        async with asyncio.timeout(120):
            while TITLE not in seen:
                chunk = await process.stdout.read(65536)
                if not chunk:
                    raise RuntimeError("session ended before the home screen")
                seen = seen[-200:] + chunk
        out["first_screen"] = time.monotonic() - start
        process.stdin.write(b"\r")  # open the first lesson
        await asyncio.sleep(1.0)
        process.stdin.write(b" ")  # play its scene
        out["pid"] = next(pid for pid, s in server.sessions.items() if s.learner == name)
        received, t0 = 0, time.monotonic()
        while (left := play - (time.monotonic() - t0)) > 0:
            try:
                async with asyncio.timeout(left):
                    received += len(await process.stdout.read(65536))
            except TimeoutError:
                break
        out["bytes_per_s"] = received / play
        process.stdin.write(b"q")
        await asyncio.wait_for(process.wait(), 30)


async def run(n: int, play: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        class_dir = Path(tmp)
        init_class_dir(class_dir)
        keys = {f"s{i:02d}": asyncssh.generate_private_key("ssh-ed25519") for i in range(n)}
        lines = [
            f'[students.{name}]\nkeys = ["{k.export_public_key().decode().strip()}"]'
            for name, k in keys.items()
        ]
        (class_dir / "roster.toml").write_text("[limits]\nsessions = 500\n\n" + "\n".join(lines) + "\n")
        server = ClassServer(class_dir, port=0)
        await server.start()
        results = {name: {} for name in keys}
        tasks = [asyncio.create_task(student(server, name, keys[name], play, results[name])) for name in keys]

        async def sample() -> dict[int, tuple[float, float]]:  # cpu over the play window, peak rss
            while not all(
                "first_screen" in r or t.done() for r, t in zip(results.values(), tasks, strict=True)
            ):
                await asyncio.sleep(0.2)  # sample while everyone plays, not while apps start
            await asyncio.sleep(1.5)
            pids = [pid for pid in server.sessions]
            cpu0 = {p: cpu_seconds(p) for p in pids}
            t0 = time.monotonic()
            await asyncio.sleep(min(play / 2, 5))
            dt = time.monotonic() - t0
            return {p: ((cpu_seconds(p) - cpu0[p]) / dt, rss_mib(p)) for p in pids if p in server.sessions}

        server_cpu0 = time.process_time()
        sampler = asyncio.create_task(sample())
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        usage = await sampler
        server_cpu = time.process_time() - server_cpu0
        await server.close()
    failures = [o for o in outcomes if isinstance(o, BaseException)]
    firsts = sorted(r["first_screen"] for r in results.values() if "first_screen" in r)
    rates = [r["bytes_per_s"] for r in results.values() if "bytes_per_s" in r]
    cpu = [c for c, _ in usage.values()]
    rss = [m for _, m in usage.values()]

    def med(xs):
        return statistics.median(xs) if xs else float("nan")

    print(
        f"N={n:3d}  first screen median {med(firsts):5.2f}s max {max(firsts, default=float('nan')):5.2f}s  "
        f"cpu/session {100 * med(cpu):5.1f}% of a core (sampled {len(cpu)})  rss median {med(rss):5.1f} MiB "
        f"max {max(rss, default=float('nan')):5.1f}  bytes/s/session {med(rates):8.0f}  "
        f"failed {len(failures)}  (server+clients process cpu {server_cpu:.1f}s)"
    )
    for f in failures[:3]:
        print(f"    failure: {type(f).__name__}: {f}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="*", type=int, default=[10, 20, 40])
    parser.add_argument("--play", type=float, default=12.0, help="seconds of play per student (default 12)")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; each student: log in, open lesson 1, play {args.play:g}s, quit")
    for n in args.n:
        asyncio.run(run(n, args.play))


if __name__ == "__main__":
    main()
