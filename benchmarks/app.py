"""The app's own costs, measured in the real app (Textual compositor and ANSI encoding included). Run on demand:

    .venv/bin/python benchmarks/app.py [--quick] [--only 1234]

Needs the `bench` extra (textual-plotext) and tmux. Everything is measured in this one run:

1. Frames while playing (Textual pilot, headless input, redraw rate 10). `_app_probe.WireDriver` makes
   the app believe a terminal is attached, so every screen update is rendered to ANSI by the app's
   console and written (then counted and dropped). Space starts the scene; it plays until it finishes
   (--quick: 3 s). A *frame* starts at a plot timer's redraw and ends when the screen update that puts
   it on the wire returns. Frame ms = the app thread's CPU time in both plots' `redraw()` + that screen
   update (layout if one is pending, compositor, `_display`: ANSI encoding and write): thread CPU, so
   other processes on the machine do not inflate it. Idle waits (the screen's 60 Hz update timer) are
   not cost; they show in "tick→wire", the wall time from the redraw to the write.
   "naive" is the same app with textual-plotext `PlotextPlot` widgets drawing the same figures from all
   the data on every frame (`_app_probe.NaiveApp`; its plotext build runs in the screen update).
   "app CPU" is the process CPU over the play (engine, state panel and layouts included).
   Resize: paused after 2 s of the race, the terminal alternates 80×24 ↔ 160×50; ms from the Resize
   event to the end of the last write before the app goes quiet (both plots must have redrawn; Textual's
   8 ms resize debounce and any redraw left to the plots' timers included); CPU ms over the same span.
   Scene change: `n`/`p`, measured the same way (the plots redraw a new scene on their timer).
2. CPU in tmux: `gdtui --lesson L --redraw-rate R` in a private tmux server at 80×24, Space, then
   utime+stime of the gdtui process from /proc over 9 s (--quick: 4 s) of the first scene playing, as %
   of one core; three runs (--quick: one), median. Paused = before Space, 2 s. Two scenes: `gradients`
   (one path over Rosenbrock's level curves, 20 steps a second: the figure the issue's targets were
   measured on) and `adaptive-race` (four runs, 50 steps a second).
3. Time to first screen: from starting `gdtui` in a tmux window (held at a `tmux wait-for` gate until its
   output is piped to a file) to the home screen's title in what it has written (escape sequences
   removed; the file read every 5 ms); the same with --lesson adaptive-race to its first page's title.
   Also measured by polling capture-pane every 10 ms, as earlier runs did (a tmux client started 100
   times a second loads the machine). 5 runs (--quick 3); also the gdtui process's CPU time by then
   (/proc, 10 ms ticks), which a busy machine skews less.
4. Keypress latency, playing (pilot, 80×24, rate 10): `+`/`-` (restart the race at another learning
   rate), from the key event to the end of the first write showing the new "×scale" in the lr control,
   and to the end of the first write after both plots redrew the restarted race.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import _app_probe as probe
import numpy as np
from textual import events
from textual.geometry import Size

from gdtui.course import load_course
from gdtui.ui.app import GdtuiApp

ROOT = Path(__file__).resolve().parents[1]
GDTUI = ROOT / ".venv" / "bin" / "gdtui"
SMALL, LARGE = (80, 24), (160, 50)
RATE = 10.0
FRAME_TARGET = {SMALL: 5.0, LARGE: 8.0}
#: Section 2's scenes: the issue's reference figure (one path over Rosenbrock's level curves) and the race.
CPU_SCENES = [
    ("gradients", "one run on Rosenbrock (the issue's reference figure)"),
    ("adaptive-race", "four runs on Rosenbrock"),
]
WORK = Path(tempfile.mkdtemp(prefix="gdtui-bench-"))  # progress stores, tmux sockets; removed at the end
clock = probe.clock


def ms(values, q: float = 0.5) -> float:
    return 1000 * float(np.nanquantile(values, q)) if len(values) else float("nan")


def verdict(value: float, limit: float) -> str:
    return "PASS" if value <= limit else "MISS"


async def settle(pilot) -> None:
    await pilot.pause()
    await asyncio.sleep(0.3)


def key(app, name: str, char: str | None = None) -> None:
    app._driver.send_message(events.Key(name, char or name))


# -- 1. frames, resize, scene change -----------------------------------------------------------------------
async def play(app_cls, slug: str, size, seconds: float) -> dict:
    app = probe.make_app(app_cls, slug, RATE, WORK)
    async with app.run_test(size=size) as pilot:
        probe.wire(app)
        await settle(pilot)
        screen = app.screen
        probe.LOG.take()
        t0, c0 = clock(), time.process_time()
        key(app, "space", " ")
        await asyncio.sleep(0.1)
        while screen.playing and clock() < t0 + seconds:
            await asyncio.sleep(0.05)
        cpu = (time.process_time() - c0) / (clock() - t0)
        log, steps = probe.LOG.take(), screen.runner.k
    f = probe.frames(log, 1 / RATE)
    return {
        "frame": [x["plots"] + x["screen"] for x in f],
        "plots": [x["plots"] for x in f],
        "screen": [x["screen"] for x in f],
        "latency": [x["end"] - x["start"] for x in f],
        "bytes": [x["bytes"] for x in f],
        "steps": steps,
        "cpu": cpu,
        "colors": app.console.color_system,
    }


async def repaints(rounds: int) -> tuple[list, list]:
    """(wall s, cpu s) of full repaints: after resizes, after scene changes."""
    app = probe.make_app(GdtuiApp, "adaptive-race", RATE, WORK)
    resize, scene = [], []
    async with app.run_test(size=SMALL) as pilot:
        probe.wire(app)
        await settle(pilot)
        key(app, "space", " ")
        await asyncio.sleep(2)
        key(app, "space", " ")
        await asyncio.sleep(0.3)
        plots = list(app.screen.query("LivePlot"))
        for action in [LARGE, SMALL] * rounds + ["n", "p"] * rounds:
            probe.LOG.take()
            t0, c0 = clock(), time.process_time()
            if isinstance(action, str):
                key(app, action)
            else:
                app._driver._size = Size(*action)
                app.post_message(events.Resize(Size(*action), Size(*action)))
            log = await probe.settled()
            end = max((e for e in log if e.kind == "display"), key=lambda e: e.t1)
            if probe.redrawn_end(log, t0, plots) is not None:  # both plots redrew: a full repaint
                (scene if isinstance(action, str) else resize).append((end.t1 - t0, end.cpu - c0))
    return resize, scene


# -- 4. keypress latency -----------------------------------------------------------------------------------
async def keypresses(count: int) -> tuple[list, list]:
    app = probe.make_app(GdtuiApp, "adaptive-race", RATE, WORK)
    shown, redrawn = [], []
    rng = np.random.default_rng(0)
    async with app.run_test(size=SMALL) as pilot:
        probe.wire(app)
        await settle(pilot)
        plots = list(app.screen.query("LivePlot"))
        key(app, "plus", "+")  # lr ×1.5: from here +,+,-,- shows ×2, ×3, ×2, ×1.5 (each unlike the last)
        key(app, "space", " ")
        probe.LOG.keep_text = True
        for i in range(count):
            await asyncio.sleep(0.25 + 0.1 * rng.random())  # a random phase against the timers
            up = i % 4 < 2
            probe.LOG.take()
            t0 = clock()
            key(app, "plus" if up else "minus", "+" if up else "-")
            label = ["×2", "×3", "×2", "×1.5"][i % 4]  # what the lr control then shows
            shown.append(np.nan)
            redrawn.append(np.nan)
            while clock() - t0 < 2 and np.isnan(redrawn[-1]):
                await asyncio.sleep(0.01)
                log = probe.LOG.events
                writes = [e for e in log if e.kind == "display" and label in e.text]
                shown[-1] = min((e.t1 - t0 for e in writes), default=np.nan)
                applied = [e.t1 for e in log if e.kind == "apply"]
                end = probe.redrawn_end(log, applied[0], plots) if applied and writes else None
                redrawn[-1] = np.nan if end is None else end.t1 - t0
        probe.LOG.keep_text = False
    return shown, redrawn


# -- 2, 3. tmux --------------------------------------------------------------------------------------------
class Tmux:
    """A private tmux server (killed by `close`)."""

    count = 0

    def __init__(self) -> None:
        Tmux.count += 1
        self.socket = WORK / f"tmux-{Tmux.count}"

    def __call__(self, *args: str) -> str:
        cmd = ["tmux", "-S", str(self.socket), *args]
        return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout

    def start(self, command: str) -> None:
        self("new-session", "-d", "-s", "b", "-x", str(SMALL[0]), "-y", str(SMALL[1]), command)

    def wait_for(self, text: str, target: str = "b", timeout: float = 10.0) -> float:
        t0 = clock()
        while text not in self("capture-pane", "-p", "-t", target):
            if clock() - t0 > timeout:
                raise TimeoutError(f"{text!r} never appeared in tmux pane {target}")
            time.sleep(0.01)
        return clock()

    def close(self) -> None:
        self("kill-server")
        self.socket.unlink(missing_ok=True)


def gdtui_command(*args: str) -> str:
    """A shell command running gdtui as the pane's process, with a fresh progress store."""
    data = tempfile.mkdtemp(dir=WORK)
    return f"cd {ROOT} && export GDTUI_DATA_DIR={data} && exec {GDTUI} {' '.join(args)}"


def first_page_title(slug: str) -> str:
    """What the lesson screen's title line ends with on the lesson's first page."""
    pages = load_course().lesson(slug).pages
    return f"1/{len(pages)}  {pages[0].title}"


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_share(pid: int, seconds: float) -> float:
    c0, t0 = cpu_seconds(pid), clock()
    time.sleep(seconds)
    return 100 * (cpu_seconds(pid) - c0) / (clock() - t0)


def tmux_cpu(rate: float, seconds: float, slug: str) -> tuple[float, float]:
    """(% of a core paused, % playing the lesson's first scene) at 80×24."""
    tmux = Tmux()
    try:
        tmux.start(gdtui_command(f"--lesson {slug}", f"--redraw-rate {rate:g}"))
        tmux.wait_for(first_page_title(slug))
        pid = int(tmux("list-panes", "-t", "b", "-F", "#{pane_pid}").split()[0])
        time.sleep(1)
        idle = cpu_share(pid, 2)
        tmux("send-keys", "-t", "b", "Space")
        time.sleep(0.5)
        return idle, cpu_share(pid, seconds)
    finally:
        tmux.close()


#: Terminal control sequences (CSI, OSC, DCS and the like, two-byte escapes), removed to read a pane's text.
_ESCAPES = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\|.)", re.S
)


def watch_output(path: Path, text: str, t0: float, timeout: float = 10.0) -> float:
    """When `text` first appears in what a pane's program has written (tmux `pipe-pane` into the file at
    `path`, read every 5 ms; escape sequences removed). Reading a file costs the machine almost nothing,
    where polling capture-pane starts a tmux client 100 times a second."""
    with open(path, "rb") as stream:
        seen = ""
        while True:
            seen += stream.read().decode("utf-8", "ignore")
            if text in _ESCAPES.sub("", seen):
                return clock()
            if clock() - t0 > timeout:
                raise TimeoutError(f"{text!r} never appeared in the output piped to {path}")
            time.sleep(0.005)


def first_screens(runs: int) -> dict[tuple[str, str], list[tuple[float, float]]]:
    """{("home"|"lesson", "stream"|"polled"): [(wall s, CPU s), ...]}: time until the text shows, seen in the
    program's output stream (the figure the target is judged on) and by polling capture-pane every 10 ms
    (as earlier runs measured it: the polling's load slows the start)."""
    tmux = Tmux()
    out: dict[tuple[str, str], list[tuple[float, float]]] = {}
    try:
        tmux.start("sleep 3600")
        for i in range(runs):
            for what, args, text in [
                ("home", "", load_course().title[:40]),
                ("lesson", "--lesson adaptive-race", first_page_title("adaptive-race")),
            ]:
                for how in ("stream", "polled"):
                    name = f"w{i}{what}{how}"
                    window, output = f"b:{name}", WORK / f"{name}.out"
                    # the program starts when told to, once its output is piped to a file
                    gate = f"tmux -S {tmux.socket} wait-for go-{name}; {gdtui_command(args)}"
                    tmux("new-window", "-d", "-t", "b:", "-n", name, gate)
                    output.touch()
                    tmux("pipe-pane", "-o", "-t", window, f"cat >> {output}")
                    t0 = clock()
                    tmux("wait-for", "-S", f"go-{name}")
                    seen = watch_output(output, text, t0) if how == "stream" else tmux.wait_for(text, window)
                    wall = seen - t0
                    pid = int(tmux("display-message", "-p", "-t", window, "#{pane_pid}"))
                    out.setdefault((what, how), []).append((wall, cpu_seconds(pid)))
                    tmux("kill-window", "-t", window)
    finally:
        tmux.close()
    return out


# -- report ------------------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter plays, fewer repeats (≈1 min)")
    parser.add_argument(
        "--only", default="1234", help="the sections to run, e.g. --only 2 (CPU in tmux) or --only 13"
    )
    args = parser.parse_args()
    quick = args.quick
    only = set(args.only)
    probe.install()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs (other work skews every number)")

    if "1" in only:
        frames_and_repaints(quick)
    if "2" in only:
        cpu_in_tmux(quick)
    if "3" in only:
        first_screen(quick)
    if "4" in only:
        keypress(quick)
    print(f"\nload average {os.getloadavg()[0]:.2f}")


def frames_and_repaints(quick: bool) -> None:
    seconds = 3.0 if quick else 12.0
    print(
        f"1. Frames while playing, redraw rate {RATE:g}/s (app-thread CPU ms: both plots' redraw + screen update)"
    )
    print(
        f"{'':30} {'frame med/p90':>14} {'plots':>6} {'screen':>6} {'tick→wire':>9} {'bytes':>6}"
        f" {'frames':>6} {'steps':>5} {'app CPU':>7}"
    )
    colors = set()
    for slug in ["gradients", "adaptive-race", "gradient-descent"]:  # gradients: the reference figure
        for size in [SMALL, LARGE]:
            r = {}
            for name, cls in [("layered", GdtuiApp), ("naive", probe.NaiveApp)]:
                r[name] = x = asyncio.run(play(cls, slug, size, seconds))
                colors.add(x["colors"])
                label = f"{slug} {size[0]}×{size[1]} {name}"
                print(
                    f"{label:30} {ms(x['frame']):6.1f} /{ms(x['frame'], 0.9):6.1f} {ms(x['plots']):6.1f}"
                    f" {ms(x['screen']):6.1f} {ms(x['latency']):9.1f} {np.median(x['bytes']):6.0f}"
                    f" {len(x['frame']):6} {x['steps']:5} {100 * x['cpu']:6.0f}%"
                )
            med = ms(r["layered"]["frame"])
            ratio = ms(r["naive"]["frame"]) / med
            print(
                f"{'':30} naive/layered {ratio:.1f}×; target ≤ {FRAME_TARGET[size]:g} ms: "
                f"{verdict(med, FRAME_TARGET[size])}"
            )
    print(f"(console colour system: {', '.join(sorted(map(str, colors)))})")

    resize, scene = asyncio.run(repaints(2 if quick else 5))
    wall = [w for w, _ in resize]
    print(
        f"Full repaint after resize 80×24↔160×50: median {ms(wall):.1f} ms, max {ms(wall, 1):.1f} ms,"
        f" CPU {ms([c for _, c in resize]):.1f} ms; target ≤ 30 ms: {verdict(ms(wall), 30)}"
    )
    print(
        f"Full repaint after scene change (n/p): median {ms([w for w, _ in scene]):.1f} ms,"
        f" max {ms([w for w, _ in scene], 1):.1f} ms, CPU {ms([c for _, c in scene]):.1f} ms"
    )


def cpu_in_tmux(quick: bool) -> None:
    print("\n2. CPU in tmux, 80×24, playing (median of the runs, then each run)")
    for slug, what in CPU_SCENES:
        scene = load_course().lesson(slug).pages[0].scene
        print(f"   {slug}: {what}, {scene.speed:g} steps/s whatever the redraw rate")
        for rate, limit in [(10, 7), (30, 15)]:
            runs = [
                tmux_cpu(rate, 4 if quick else min(9, scene.steps / scene.speed - 1), slug)
                for _ in range(1 if quick else 3)
            ]
            busy = float(np.median([b for _, b in runs]))
            each = " ".join(f"{b:.1f}" for _, b in runs)
            print(
                f"     redraw rate {rate:2}/s: {busy:5.1f}% of a core ({each}; paused"
                f" {np.median([i for i, _ in runs]):4.1f}%); target ≤ {limit}%: {verdict(busy, limit)}"
            )


def first_screen(quick: bool) -> None:
    print("\n3. Time to first screen in tmux")
    print(
        "   seen in the output stream (judged) / by polling capture-pane every 10 ms (earlier runs' method)"
    )
    for (what, how), runs in first_screens(3 if quick else 5).items():
        wall = [w for w, _ in runs]
        judged = f"; target < 1 s: {verdict(ms(wall), 1000)}" if how == "stream" else ""
        print(
            f"   {what:6} {how:6}: median {ms(wall):5.0f} ms, max {ms(wall, 1):5.0f} ms"
            f" (CPU {ms([c for _, c in runs]):4.0f} ms){judged}"
        )


def keypress(quick: bool) -> None:
    print("\n4. Keypress latency, playing (+/- restart the race)")
    shown, redrawn = asyncio.run(keypresses(6 if quick else 12))
    for what, t in [("lr shown", shown), ("plots redrawn", redrawn)]:
        print(
            f"   {what:13}: median {ms(t):5.1f} ms, max {ms(t, 1):5.1f} ms;"
            f" target < 100 ms: {verdict(ms(t), 100)}"
        )


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(WORK, ignore_errors=True)
