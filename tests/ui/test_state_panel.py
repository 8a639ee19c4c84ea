"""The state panel draws its own titled rule and repaints only the lines that changed."""

from textual.app import App, ComposeResult
from textual.geometry import Region

from gdtui.ui.widgets.state import StatePanel


class PanelApp(App):
    def compose(self) -> ComposeResult:
        yield StatePanel()


def lines(*texts: str) -> list:
    return [((t, ""),) for t in texts]


def plain(panel: StatePanel, y: int) -> str:
    return panel.render_line(y).text


async def test_rule_carries_the_title_and_text_is_padded_one_cell():
    app = PanelApp()
    async with app.run_test(size=(30, 8)) as pilot:
        panel = app.query_one(StatePanel)
        panel.update("step 3/40", [(("a", ""),), (("bb", "bold"),)])
        await pilot.pause()
        assert panel.size.height == 3
        assert plain(panel, 0) == "─step 3/40" + "─" * 20
        assert plain(panel, 1) == " a" + " " * 28
        assert plain(panel, 2) == " bb" + " " * 27
        rule = {seg.style.color for seg in panel.render_line(0) if seg.text.strip()}
        text = {seg.style.color for seg in panel.render_line(1) if seg.text.strip()}
        assert rule.isdisjoint(text)  # the rule is in its own colour, not the text's


async def test_long_lines_wrap_inside_the_padding_and_the_title_is_cut_to_fit():
    app = PanelApp()
    async with app.run_test(size=(12, 8)) as pilot:
        panel = app.query_one(StatePanel)
        panel.update("a very long title", [(("one two ", ""), ("three", "dim"))])
        await pilot.pause()
        assert plain(panel, 0) == "─a very lon─"
        assert [plain(panel, y).rstrip() for y in range(1, panel.size.height)] == [" one two", " three"]
        assert all(panel.render_line(y).cell_length == 12 for y in range(panel.size.height))


async def test_only_changed_lines_are_repainted_and_a_new_line_count_lays_out_again():
    app = PanelApp()
    async with app.run_test(size=(30, 8)) as pilot:
        panel = app.query_one(StatePanel)
        panel.update("step 1/9", lines("a", "b", "c"))
        await pilot.pause()
        panel._repaint_regions.clear()
        panel.update("step 2/9", lines("a", "B", "c"))  # the rule (line 0) and line 2 changed
        assert set(panel._repaint_regions) == {Region(0, 0, 30, 1), Region(0, 2, 30, 1)}
        await pilot.pause()
        assert plain(panel, 2).strip() == "B"
        panel._repaint_regions.clear()
        panel.update("step 2/9", lines("a", "B", "c"))  # nothing changed: nothing to repaint
        assert not panel._repaint_regions
        panel.update("step 3/9", lines("a", "B", "c", "d"))
        await pilot.pause()
        assert panel.size.height == 5 and plain(panel, 4).strip() == "d"


async def test_combining_marks_count_as_one_cell():
    app = PanelApp()
    async with app.run_test(size=(20, 8)) as pilot:
        panel = app.query_one(StatePanel)
        panel.update("t", lines("m̂ 1  ŝ 2", "m̂ ŝ m̂ ŝ m̂ ŝ m̂ ŝ m̂ ŝ"))  # 9 and 19 cells (wraps at 18)
        await pilot.pause()
        assert plain(panel, 1) == " m̂ 1  ŝ 2" + " " * 11
        assert [plain(panel, y).rstrip() for y in (2, 3)] == [" m̂ ŝ m̂ ŝ m̂ ŝ m̂ ŝ m̂", " ŝ"]
        assert all(panel.render_line(y).cell_length == 20 for y in range(panel.size.height))


async def test_the_rule_follows_a_change_of_theme():
    app = PanelApp()
    async with app.run_test(size=(30, 8)) as pilot:
        app.theme = "textual-dark"
        panel = app.query_one(StatePanel)
        panel.update("step 1/9", lines("a"))
        await pilot.pause()
        before = panel.render_line(0)._segments[0].style.color
        app.theme = "nord"  # another primary colour
        await pilot.pause()
        after = panel.render_line(0)._segments[0].style.color
        assert before != after
        assert after.triplet == app.current_theme.to_color_system().primary.rich_color.triplet
