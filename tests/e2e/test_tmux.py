"""End to end: the installed `gdtui` in a real terminal (tmux, 80×24), driven by keys and read back from
the pane, as a learner sees it. Uses a private tmux server so nothing else is touched."""

import re
import sys
import time
from pathlib import Path

import pytest
from tmux_pane import TMUX, Pane

from gdtui.course import load_course

GDTUI = Path(sys.executable).with_name("gdtui")  # pip installs the console script beside the interpreter

pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed here (CI installs it)")


@pytest.fixture
def pane(tmp_path):
    assert GDTUI.exists(), "install the package (README's test command) so the gdtui command exists"
    p = Pane("gdtui-e2e", tmp_path, "e2e")
    yield p
    p.kill()


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
