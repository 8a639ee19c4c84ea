"""`DirectLines` gives the compositor exactly what Textual's own styles-cache path would, and so do the
lines a `StillLines` widget keeps."""

import pytest
from rich.segment import Segment
from rich.style import Style
from textual.app import App, ComposeResult
from textual.color import Color
from textual.containers import Vertical
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from gdtui.ui.widgets._direct import DirectLines, StillLines


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


def textuals_path(widget: Widget, crop: Region) -> list[Strip]:
    """What Textual's own styles-cache path gives for `crop`, its kept lines dropped first."""
    widget._styles_cache.clear()
    return Widget.render_lines(widget, crop)


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
            assert direct == textuals_path(widget, crop)


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
        assert direct == textuals_path(widget, crop)
        widget._styles_cache.clear()
        bare = [widget.render_line(y) for y in range(6)]
        assert direct != bare  # the CSS did change the lines: this compares something


class Marked(Stripes):
    """Stripes whose row `marked` reads differently; each row's strip is made once per content."""

    marked = -1

    def __init__(self) -> None:
        super().__init__()
        self.made: dict[tuple[int, int, int], Strip] = {}

    def render_line(self, y: int) -> Strip:
        key = (y, self.size.width, y == self.marked)
        if key not in self.made:
            strip = super().render_line(y)
            if key[2]:
                strip = Strip(
                    [Segment(s.text.replace(str(y), "!"), s.style) for s in strip], strip.cell_length
                )
            self.made[key] = strip
        return self.made[key]


class MarkedApp(App):
    CSS = "Marked { width: 30; height: 6; background: $panel; }"

    def compose(self) -> ComposeResult:
        yield Marked()


async def test_lines_unchanged_since_the_last_call_are_given_again_and_changed_ones_anew():
    app = MarkedApp()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        widget = app.query_one(Marked)
        crop = Region(0, 0, 30, 6)
        first = widget.render_lines(crop)
        again = widget.render_lines(crop)
        assert all(a is b for a, b in zip(first, again, strict=True))
        widget.marked = 2
        widget.refresh(Region(0, 2, 30, 1))
        marked = widget.render_lines(crop)
        assert [a is b for a, b in zip(first, marked, strict=True)] == [True, True, False, True, True, True]
        assert marked == textuals_path(widget, crop)
        assert marked[2] != first[2]
        # another crop of the same lines is cut from them, not taken from the full-width ones
        part = Region(4, 1, 10, 3)
        assert widget.render_lines(part) == textuals_path(widget, part)


async def test_kept_lines_follow_a_new_theme_and_a_resize():
    app = MarkedApp()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        widget = app.query_one(Marked)
        crop = Region(0, 0, 30, 6)
        before = widget.render_lines(crop)
        app.theme = "textual-light" if app.theme != "textual-light" else "nord"
        await pilot.pause()
        themed = widget.render_lines(crop)
        assert themed == textuals_path(widget, crop)
        assert themed != before  # the panel's background changed with the theme: this compares something
        widget.styles.width = 24
        await pilot.pause()
        narrow = Region(0, 0, 24, 6)
        assert widget.render_lines(narrow) == textuals_path(widget, narrow)


class StillColumn(StillLines, Vertical):
    pass


class StillApp(App):
    CSS = """
    Vertical { background: red; }
    .blue { background: blue; }
    """

    def compose(self) -> ComposeResult:
        with StillColumn(id="still"):
            yield Static("inside", id="inside")
        yield Vertical(id="plain")


async def test_a_still_widget_keeps_the_css_and_type_of_the_class_after_the_mixin():
    app = StillApp()
    async with app.run_test(size=(20, 10)) as pilot:
        await pilot.pause()
        still, plain = app.query_one("#still"), app.query_one("#plain")
        assert app.query("Vertical").nodes == [still, plain]
        assert still.styles.background == plain.styles.background == Color.parse("red")
        assert still.styles.height == plain.styles.height  # Vertical's DEFAULT_CSS reached it


async def test_a_still_widget_gives_its_kept_lines_until_textual_would_draw_it_anew():
    app = StillApp()
    async with app.run_test(size=(20, 10)) as pilot:
        await pilot.pause()
        still = app.query_one("#still")
        crop = Region(0, 0, still.size.width, still.size.height)
        calls = []
        real = Widget.render_lines

        def counted(widget, region):
            calls.append(widget)
            return real(widget, region)

        Widget.render_lines = counted
        try:
            still.refresh()
            first = still.render_lines(crop)
            again = still.render_lines(crop)
            assert calls == [still] and again == first
            # a CSS class that changes its background
            still.add_class("blue")
            await pilot.pause()
            blue = still.render_lines(crop)
            assert blue != first and blue == textuals_path(still, crop)
            # a refresh (Textual drops its own lines)
            calls.clear()
            still.refresh()
            still.render_lines(crop)
            assert calls == [still]
            # a new size
            await pilot.resize_terminal(16, 8)
            await pilot.pause()
            crop = Region(0, 0, still.size.width, still.size.height)
            assert still.render_lines(crop) == textuals_path(still, crop)
            # a new theme
            app.theme = "textual-light" if app.theme != "textual-light" else "nord"
            await pilot.pause()
            assert still.render_lines(crop) == textuals_path(still, crop)
        finally:
            Widget.render_lines = real


class TranslucentApp(App):
    CSS = """
    #outer { background: green; }
    #outer.blue { background: blue; }
    StillColumn { background: red 50%; }
    """

    def compose(self) -> ComposeResult:
        with Vertical(id="outer"):
            yield StillColumn(id="still")


async def test_a_still_widget_follows_a_new_background_behind_it():
    """Only the parent's styles change: the kept lines go because the background they blend with did."""
    app = TranslucentApp()
    async with app.run_test(size=(20, 10)) as pilot:
        await pilot.pause()
        still = app.query_one("#still")
        crop = Region(0, 0, still.size.width, still.size.height)
        before = still.render_lines(crop)
        app.query_one("#outer").add_class("blue")
        await pilot.pause()
        after = still.render_lines(crop)
        assert after != before
        assert after == textuals_path(still, crop)
