"""End to end: the installed `gdtui` in a real terminal (tmux, 80×24), driven by keys and read back from
the pane, as a learner sees it. Uses a private tmux server so nothing else is touched."""

import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from gdtui.course import load_course

TMUX = shutil.which("tmux")
GDTUI = Path(sys.executable).with_name("gdtui")  # pip installs the console script beside the interpreter

pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed here (CI installs it)")


class Pane:
    def __init__(self, socket: str, tmp_path: Path):
        self.socket = socket
        self.env = {**os.environ, "TERM": "xterm-256color", "HOME": str(tmp_path)}

    def tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        for attempt in range(3):
            done = subprocess.run(
                [TMUX, "-L", self.socket, *args], capture_output=True, text=True, env=self.env, timeout=30
            )
            # On a loaded machine a freshly started tmux server can lose the race with its first client; that is
            # tmux's start-up, not gdtui, so starting the session is tried again.
            if args[0] == "new-session" and "server exited unexpectedly" in done.stderr and attempt < 2:
                time.sleep(0.5)
                continue
            break
        if check:
            done.check_returncode()
        return done

    def text(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "e2e").stdout

    def wait_for(self, pattern: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.text()
            if re.search(pattern, screen):
                return screen
            time.sleep(0.1)
        raise AssertionError(f"never saw {pattern!r}; the pane shows:\n{self.text()}")

    def alive(self) -> bool:
        return self.tmux("has-session", "-t", "e2e", check=False).returncode == 0


@pytest.fixture
def pane(tmp_path):
    assert GDTUI.exists(), "install the package (README's test command) so the gdtui command exists"
    # A fresh server socket per test: reusing one name lets a test reach the previous test's server while it
    # is still shutting down ("server exited unexpectedly").
    p = Pane(f"gdtui-e2e-{os.getpid()}-{uuid.uuid4().hex[:8]}", tmp_path)
    yield p
    p.tmux("kill-server", check=False)


def test_installed_gdtui_plays_a_lesson_at_80x24_and_quits_with_q(pane):
    pane.tmux("new-session", "-d", "-s", "e2e", "-x", "80", "-y", "24", f"{GDTUI} --lesson gradient-descent")
    pages = len(load_course().lesson("gradient-descent").pages)
    screen = pane.wait_for(r"Gradient descent and the learning rate")
    assert f"1/{pages}" in screen and "space Play" in screen
    assert "step 0/200" in screen and "θ 5  loss 9" in screen
    lines = screen.splitlines()
    assert len(lines) == 24 and all(len(line) <= 80 for line in lines)

    pane.tmux("send-keys", "-t", "e2e", "Space")
    screen = pane.wait_for(r"step ([1-9]\d*)/200")
    assert "running" in screen or "converged" in screen
    screen = pane.wait_for(r"converged at step \d+", timeout=30)  # α = 0.1 from 5: θ settles at 2
    assert re.search(r"θ 2(\.0+\d*)?\s", screen)

    pane.tmux("send-keys", "-t", "e2e", "n")
    pane.wait_for(rf"2/{pages}")
    pane.tmux("send-keys", "-t", "e2e", "q")
    deadline = time.monotonic() + 10
    while pane.alive() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not pane.alive(), "q should end gdtui (and so the tmux session)"


def test_a_small_terminal_is_asked_to_grow(pane):
    pane.tmux("new-session", "-d", "-s", "e2e", "-x", "60", "-y", "20", str(GDTUI))
    pane.wait_for(r"Please enlarge the terminal")
    pane.tmux("resize-window", "-t", "e2e", "-x", "80", "-y", "24")
    pane.wait_for(r"How models learn")
    pane.tmux("send-keys", "-t", "e2e", "q")


def colour_codes(pane: Pane) -> set[str]:
    """Every SGR colour parameter the pane's cells use (foreground and background)."""
    raw = pane.tmux("capture-pane", "-p", "-e", "-t", "e2e").stdout
    codes = set()
    for params in re.findall(r"\x1b\[([0-9;]*)m", raw):
        parts = params.split(";")
        i = 0
        while i < len(parts):
            if parts[i] in ("38", "48") and i + 2 < len(parts) and parts[i + 1] == "5":
                codes.add(f"{parts[i]};5;{parts[i + 2]}")
                i += 3
                continue
            if parts[i] in ("38", "48") and i + 4 < len(parts) and parts[i + 1] == "2":
                codes.add(";".join(parts[i : i + 5]))
                i += 5
                continue
            codes.add(parts[i])
            i += 1
    return codes


def play_race(pane: Pane, env_prefix: str) -> None:
    pane.tmux(
        "new-session",
        "-d",
        "-s",
        "e2e",
        "-x",
        "80",
        "-y",
        "24",
        f"env {env_prefix} {GDTUI} --lesson adaptive-race",
    )
    pane.wait_for(r"Adaptive methods race")
    pane.tmux("send-keys", "-t", "e2e", "Space")
    pane.wait_for(r"step [1-9]\d*/500")


def test_a_16_colour_terminal_gets_only_the_16_standard_colours(pane):
    play_race(pane, "-u COLORTERM TERM=xterm")
    codes = colour_codes(pane)
    standard = {str(n) for n in [*range(30, 38), *range(40, 48), *range(90, 98), *range(100, 108), 39, 49]}
    colours = {c for c in codes if c.startswith(("3", "4", "9", "10")) and c not in ("3", "4")}
    assert colours and colours <= standard, colours - standard
    screen = pane.text()
    for marker in ("o gd", "x momentum", "+ rmsprop", "# adam"):  # markers, not colour, tell runs apart
        assert marker in screen


def test_no_color_draws_in_greys_only(pane):
    play_race(pane, "NO_COLOR=1 COLORTERM=truecolor TERM=xterm-256color")
    codes = colour_codes(pane)
    chromatic = {
        c for c in codes if c.startswith(("38;5;", "48;5;")) and not 232 <= int(c.split(";")[2]) <= 255
    }
    chromatic |= {c for c in codes if c.startswith(("38;2;", "48;2;")) and len(set(c.split(";")[2:])) > 1}
    chromatic |= {
        c
        for c in codes
        if c.isdigit()
        and (31 <= int(c) <= 36 or 91 <= int(c) <= 96 or 41 <= int(c) <= 46 or 101 <= int(c) <= 106)
    }
    assert not chromatic, chromatic
    assert "# adam" in pane.text()
