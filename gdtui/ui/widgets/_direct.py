"""`DirectLines`: a Line-API widget whose lines go to the compositor as they are.

Textual renders a widget's lines through its styles cache, which for every line that changed works out
borders, padding, tint, opacity and hatch, and looks the theme up again. The live plots and the state
panel change several lines every frame and use none of those: their `render_line` strips are already the
widget's full width with their own styles. Here they skip that cache and only go through the app's line
filters (true colour, NO_COLOR, dim), as Textual's own path would. A widget given a border, padding, tint,
opacity or text opacity by CSS takes Textual's path again, so nothing is drawn wrong."""

from __future__ import annotations

from textual.geometry import Region, Spacing
from textual.strip import Strip
from textual.widget import Widget

_NO_GUTTER = Spacing(0, 0, 0, 0)


class DirectLines(Widget):
    def render_lines(self, crop: Region) -> list[Strip]:
        styles = self.styles
        if (
            styles.gutter != _NO_GUTTER
            or styles.tint.a
            or self.opacity != 1.0
            or styles.text_opacity != 1.0
            or (styles.has_rule("hatch") and styles.hatch != "none")
        ):
            return super().render_lines(crop)
        width = self.size.width
        render_line = self.render_line
        strips = [render_line(y) for y in crop.line_range]
        if any(strip.cell_length != width for strip in strips):
            style = self.visual_style.rich_style
            strips = [strip.adjust_cell_length(width, style) for strip in strips]
        filters = self.get_line_filters()
        if filters:
            background = self.background_colors[1]
            for line_filter in filters:
                strips = [strip.apply_filter(line_filter, background) for strip in strips]
        x1, x2 = crop.column_span
        if (x1, x2) != (0, width):
            strips = [strip.crop(x1, x2) for strip in strips]
        return strips
