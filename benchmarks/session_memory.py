"""Memory of classroom sessions that go through the whole course: do they stay under 60 MiB resident?

    .venv/bin/python benchmarks/session_memory.py [--students N] [--play SECONDS]

`classroom.py` measures N students on the first scene of the first lesson. A student who works through the
course opens every lesson, and every page builds its own scene: other problems and landscapes, data sets,
races of several runs, the Markdown of the page. This benchmark starts `gdtui serve`'s server in this process
(sessions forked from the preloaded helper, as a teacher's server starts them), logs N students in over SSH
(asyncssh, 80×24) and has each of them walk the course from the home screen: every lesson in order, every
page, playing each page's scene for `--play` seconds (default 1) before going on with `n`, then back to the
home screen (`escape`) and down to the next lesson. After each lesson it reads every session's memory from
/proc: RSS (what `ps` shows; shared libraries and the helper's pages count in full), split into anonymous
memory and file pages (the code of Python, NumPy and the other libraries, shared by every session), PSS and
USS (private pages), and the peak RSS (VmHWM). It prints one row per lesson (medians over the students, and the largest
RSS) and the peak at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import asyncssh
from classroom import TITLE, Stream, memory_mib

from gdtui.classroom.roster import init_class_dir
from gdtui.classroom.server import PRELOAD, ClassServer, app_command
from gdtui.course import load_course


def status_mib(pid: int) -> dict[str, float]:
    """VmHWM (peak RSS), RssAnon and RssFile (library and code pages, shared by every session) in MiB."""
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        fields = dict(line.split(":", 1) for line in f if ":" in line)
    return {k: int(fields[k].split()[0]) / 1024 for k in ("VmHWM", "RssAnon", "RssFile")}


async def walk(
    port: int, name: str, key, course, play: float, after: list[asyncio.Event], done: list
) -> None:
    """One student: the home screen, then each lesson's pages in turn; `done[i]` is set after lesson i."""
    async with asyncssh.connect(
        "127.0.0.1", port, username=name, client_keys=[key], known_hosts=None, agent_path=None, config=[]
    ) as conn:
        process = await conn.create_process(term_type="xterm-256color", term_size=(80, 24), encoding=None)
        stream = Stream(process)
        pump = asyncio.create_task(stream.pump())
        try:
            await stream.wait_for(TITLE, pump)
            for i, lesson in enumerate(course.lessons):
                if i:
                    process.stdin.write(b"\x1b[B")  # down: the home screen highlights the lesson just left
                    await asyncio.sleep(0.2)
                process.stdin.write(b"\r")
                for k, page in enumerate(lesson.pages):
                    header = f"{k + 1}/{len(lesson.pages)}  {page.title}".encode()
                    await asyncio.wait_for(stream.wait_for(header, pump), 30)
                    process.stdin.write(b" ")  # play the page's scene
                    await asyncio.sleep(play)
                    process.stdin.write(b"n" if k + 1 < len(lesson.pages) else b"\x1b")
                await asyncio.wait_for(stream.wait_for(TITLE, pump), 30)
                done[i] += 1
                await after[i].wait()
            process.stdin.write(b"q")
            await asyncio.wait_for(process.wait(), 60)
        finally:
            pump.cancel()


async def run(students: int, play: float) -> None:
    course = load_course()
    with tempfile.TemporaryDirectory() as tmp:
        class_dir = Path(tmp)
        init_class_dir(class_dir)
        keys = {f"s{i:02d}": asyncssh.generate_private_key("ssh-ed25519") for i in range(students)}
        lines = [
            f'[students.{n}]\nkeys = ["{k.export_public_key().decode().strip()}"]' for n, k in keys.items()
        ]
        (class_dir / "roster.toml").write_text("[limits]\nsessions = 500\n\n" + "\n".join(lines) + "\n")
        command = functools.partial(app_command, redraw_rate=5.0)  # as `gdtui serve` runs it
        server = ClassServer(class_dir, port=0, command=command, preload=PRELOAD)
        await server.start()
        after = [asyncio.Event() for _ in course.lessons]
        done = [0] * len(course.lessons)
        tasks = [
            asyncio.create_task(walk(server.port, n, k, course, play, after, done)) for n, k in keys.items()
        ]
        print(
            "| after lesson | pages | MiB RSS median / max | of which anon / file | PSS median | USS median | s |"
        )
        print("|---|---|---|---|---|---|---|")
        start = time.monotonic()
        peaks: dict[int, float] = {}
        try:
            for i, lesson in enumerate(course.lessons):
                while done[i] < students:
                    if failed := [t for t in tasks if t.done()]:
                        failed[0].result()  # raises what went wrong
                        raise RuntimeError("a student left early")
                    await asyncio.sleep(0.1)
                pids = list(server.sessions)
                mem = [memory_mib(p) | status_mib(p) for p in pids]
                peaks.update({p: m["VmHWM"] for p, m in zip(pids, mem, strict=True)})
                rss = [m["rss"] for m in mem]
                print(
                    f"| {lesson.slug} | {len(lesson.pages)} | {statistics.median(rss):5.1f} / {max(rss):5.1f} "
                    f"| {statistics.median(m['RssAnon'] for m in mem):5.1f} / "
                    f"{statistics.median(m['RssFile'] for m in mem):5.1f} "
                    f"| {statistics.median(m['pss'] for m in mem):5.1f} "
                    f"| {statistics.median(m['uss'] for m in mem):5.1f} | {time.monotonic() - start:5.0f} |",
                    flush=True,
                )
                after[i].set()
            await asyncio.gather(*tasks)
        finally:
            for t in tasks:
                t.cancel()
            await server.close()
        print(
            f"\npeak RSS (VmHWM) of any session: {max(peaks.values()):.1f} MiB; load average {os.getloadavg()[0]:.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=2, help="students walking the course together (2)")
    parser.add_argument("--play", type=float, default=1.0, help="seconds each page's scene plays (1)")
    args = parser.parse_args()
    print(
        f"{os.cpu_count()} cores; {args.students} students walk the whole course; each scene plays {args.play:g} s"
    )
    asyncio.run(run(args.students, args.play))


if __name__ == "__main__":
    sys.exit(main())
