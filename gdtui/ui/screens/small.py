"""Shown instead of the app while the terminal is smaller than it needs."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Static


class TooSmallScreen(ModalScreen):
    BINDINGS = [Binding("q", "app.quit", "Quit")]

    def __init__(self, need: tuple[int, int]) -> None:
        super().__init__()
        self.need = need

    def compose(self) -> ComposeResult:
        yield Static(id="too-small-text")

    def on_mount(self) -> None:
        self.show_size(self.app.size.width, self.app.size.height)

    def show_size(self, width: int, height: int) -> None:
        w, h = self.need
        self.query_one("#too-small-text", Static).update(
            f"Please enlarge the terminal.\ngdtui needs {w}×{h}; this one is {width}×{height}.\nq quits."
        )
