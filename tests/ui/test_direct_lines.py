"""`DirectLines` gives the compositor exactly what Textual's own styles-cache path would."""

import pytest
from rich.segment import Segment
from rich.style import Style
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from gdtui.ui.widgets._direct import DirectLines


class Stripes(DirectLines):
    """Rows of coloured, bold and plain cells, each its full width."""

    def render_line(self, y: int) -> Strip:
        w = self.size.width
        a = w // 3
        return Strip(
            [
                Segment("o" * a, Style(color="red", bold=True)),
                Segment(f"{y}" * (w - 2 * a), Style()),
                Segment("x" * a, Style(color="bright_blue", reverse=True)),
            ],
            w,
        )


class StripesApp(App):
    def __init__(self, css: str = "") -> None:
        self.CSS = css
        super().__init__()

    def compose(self) -> ComposeResult:
        yield Stripes()


CROPS = [Region(0, 0, 30, 6), Region(3, 1, 20, 4), Region(0, 5, 30, 1), Region(29, 0, 1, 6)]


@pytest.mark.parametrize("no_color", [False, True])
async def test_same_strips_as_textuals_path(monkeypatch, no_color):
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    app = StripesApp("Stripes { width: 30; height: 6; background: $panel; }")
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        widget = app.query_one(Stripes)
        assert bool(app.no_color) == no_color
        for crop in CROPS:
            direct = widget.render_lines(crop)
            widget._styles_cache.clear()
            assert direct == Widget.render_lines(widget, crop)


@pytest.mark.parametrize(
    "css", ["padding: 1 2;", "border: round red;", "tint: red 40%;", "opacity: 50%;", "text-opacity: 50%;"]
)
async def test_css_that_needs_textual_takes_its_path(css):
    app = StripesApp(f"Stripes {{ width: 30; height: 6; {css} }}")
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        widget = app.query_one(Stripes)
        crop = Region(0, 0, 30, 6)
        direct = widget.render_lines(crop)
        widget._styles_cache.clear()
        assert direct == Widget.render_lines(widget, crop)
        widget._styles_cache.clear()
        bare = [widget.render_line(y) for y in range(6)]
        assert direct != bare  # the CSS did change the lines: this compares something
