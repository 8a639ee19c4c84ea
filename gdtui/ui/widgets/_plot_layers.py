"""Layered plotext rendering: every cell is the one plotext draws, but only the part of the figure that
changed is built.

A figure is `Axes` (size, limits, ticks: everything that fixes where the canvas sits) plus signals in
drawing order, in layers: the frame (axes and ticks, no data), the static base (landscape, settled
curves), the dynamic layer (what moves each frame) and the static top (the legend, which plotext always
draws last). The frame is one ordinary plotext build; it says where the canvas sits. Every other layer is
built by plotext alone on a bare canvas of the same size and limits (no axes, no ticks: the same dots,
at a fraction of the cost), and its cells are the canvas cells that build wrote. A later write replaces
a whole cell (marker, colour, style) and leaves its background, so

    composite = frame, then the base's cells, then the dynamic layer's, then the top's

equals plotext's build of one figure holding all the layers' signals in that order, cell for cell
(`reference` builds that figure; tests compare the two). This leans on plotext 5.3.2's internals: the
monitor's `build_plot` and `matrix_class`'s per-cell grids, rows counted from the bottom.

plotext's build spends ~10 µs of Python per point and per dot, so a layer of a few thousand dots (the
level curves, long settled paths) costs tens of milliseconds. Where every signal of a layer is a braille
scatter or polyline, or a scatter of one-cell markers in distinct cells, `build_layer` writes the cells
that build would write without running it: plotext's own value → dot mapping and line dots (replicated
bit for bit in `_plot_reduce`), its braille table and its marker, colour and style checks. Anything else
(labels, other markers) is built by plotext; tests compare both ways.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from plotext._date import date_class
from plotext._dict import braille_codes, hd_symbols
from plotext._figure import _figure_class
from plotext._matrix import matrix_class
from plotext._monitor import monitor_class
from plotext._utility import is_color

from ._plot_reduce import braille_masks, line_dots, to_dots

PLOTEXT_VERSION = "5.3.2"  # the plotext whose internals this module reads; tests check it is installed

#: plotext's braille glyph for each dot mask; bit i is entry i of plotext's code tuple (top row first,
#: left dot before right), as `braille_masks` numbers them.
BRAILLE_GLYPHS: tuple[str, ...] = tuple(
    braille_codes[tuple((mask >> i) & 1 for i in range(8))] for mask in range(256)
)

Cell = tuple[str, object, str]  # marker, foreground colour, style
Row = tuple[list, list, list, list]  # markers, foregrounds, styles, backgrounds of one screen row


@dataclass(frozen=True, eq=False)
class Signal:
    """One plotext signal: points (NaN ends a line), marker(s), named colour, style, lines or not, label."""

    x: list
    y: list
    marker: str | list[str] = "braille"
    color: str = "default"
    style: str = "default"
    lines: bool = False
    label: str | None = None

    def key(self) -> tuple:
        """What plotext sees of this signal, for "has anything changed?" checks."""
        return (
            tuple(self.x),
            tuple(self.y),
            str(self.marker),
            self.color,
            self.style,
            self.lines,
            self.label,
        )


ANCHOR = Signal([], [])  # an empty signal: gives every layer used axes (plotext drops ticks otherwise)


@dataclass(frozen=True)
class Axes:
    """Size in cells, data limits and ticks (positions, labels) of a plot."""

    width: int
    height: int
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    xticks: tuple[tuple[float, ...], tuple[str, ...]]
    yticks: tuple[tuple[float, ...], tuple[str, ...]]


def _plain(values: list) -> list:
    """Floats for plotext, with None (plotext's line break) in place of NaN."""
    return [None if v != v else v for v in values]


class _LayerMatrix(matrix_class):
    """plotext's cell grid, also recording which canvas cells a build writes."""

    def set_matrices(self):
        self.written: set[tuple[int, int]] = set()
        cols, c0, c1 = self.cols, self.Cols_canvas.start, self.Cols_canvas.stop
        a, c = self.axes_color, self.canvas_color
        lo, hi = max(0, min(c0, cols)), max(0, min(c1, cols))
        canvas_row = [a] * lo + [c] * (hi - lo) + [a] * (cols - hi) if c0 < c1 else [a] * cols
        rows_canvas = self.Rows_canvas
        self.marker = [[" "] * cols for _ in self.Rows]
        self.fullground = [["default"] * cols for _ in self.Rows]
        self.background = [list(canvas_row) if r in rows_canvas else [a] * cols for r in self.Rows]
        self.style = [["default"] * cols for _ in self.Rows]

    def insert_element(
        self, col, row, marker, fullground=None, style=None, background=None, check_canvas=False
    ):
        if not (0 <= col < self.cols and 0 <= row < self.rows):
            return
        in_canvas = col in self.Cols_canvas and row in self.Rows_canvas
        if check_canvas and not in_canvas:
            return
        self.marker[row][col] = marker
        if fullground is not None:
            self.fullground[row][col] = fullground
        if background is not None:
            self.background[row][col] = background
        if style is not None:
            self.style[row][col] = style
        if in_canvas:
            self.written.add((row, col))


def _configure(target, axes: Axes) -> None:
    """Theme, size, limits and ticks on a figure (the frame of the reference build)."""
    target.theme("clear")  # default colours everywhere: the terminal's own background shows through
    target._set_size(axes.width, axes.height)  # as textual-plotext does: not capped at the terminal size
    target.xlim(*axes.xlim)
    target.ylim(*axes.ylim)
    target.xticks(*axes.xticks)
    target.yticks(*axes.yticks)


def _draw(draw, signal: Signal) -> None:
    draw(
        _plain(signal.x),
        _plain(signal.y),
        lines=signal.lines,
        marker=signal.marker,
        color=signal.color,
        style=signal.style,
        label=signal.label,
    )


@dataclass
class Layer:
    """One plotext build: its cell grids (plotext rows, bottom first), the canvas cells it wrote, and
    the offset (`col0`, `row0`) of its grid in the full figure's grid."""

    matrix: _LayerMatrix
    col0: int = 0
    row0: int = 0

    def cells(self) -> dict[int, list[tuple[int, Cell]]]:
        """Written cells by full-figure row: row -> [(col, (marker, colour, style)), ...]."""
        m, out = self.matrix, {}
        for r, c in m.written:
            cell = (m.marker[r][c], m.fullground[r][c], m.style[r][c])
            out.setdefault(r + self.row0, []).append((c + self.col0, cell))
        return out


@dataclass(frozen=True)
class Canvas:
    """Where the data area sits in the full grid: first column and row (from the bottom), and its size."""

    col0: int
    row0: int
    width: int
    height: int


def build_frame(axes: Axes) -> tuple[Layer, Canvas]:
    """The frame: plotext's build of the axes alone (an empty signal keeps the axes and ticks), on a
    private monitor, as a figure would build it; no ANSI string is made."""
    monitor = _monitor(axes.width, axes.height, axes)
    monitor.set_xticks(*axes.xticks)
    monitor.set_yticks(*axes.yticks)
    _draw(monitor.draw, ANCHOR)
    monitor.build_plot()
    m = monitor.matrix
    canvas = Canvas(m.Cols_canvas.start, m.Rows_canvas.start, len(m.Cols_canvas), len(m.Rows_canvas))
    return Layer(m), canvas


def build_layer(axes: Axes, canvas: Canvas, signals: list[Signal], direct: bool = True) -> Layer | CellLayer:
    """plotext's build of `signals` on a bare canvas-sized figure with the same limits (its cells written
    directly when `direct` and `direct_cells` can)."""
    cells = direct_cells(axes, canvas, signals) if direct and signals else None
    if cells is not None:
        return cells
    monitor = _bare_monitor(axes, canvas)
    for signal in signals:
        _draw(monitor.draw, signal)
    if signals and canvas.width > 0 and canvas.height > 0:
        monitor.build_plot()
    return Layer(monitor.matrix, canvas.col0, canvas.row0)


@dataclass
class CellLayer:
    """A layer's written cells by full-figure row, as `Layer.cells` gives them, made without plotext."""

    by_row: dict[int, list[tuple[int, Cell]]]

    def cells(self) -> dict[int, list[tuple[int, Cell]]]:
        return self.by_row


def direct_cells(axes: Axes, canvas: Canvas, signals: list[Signal]) -> CellLayer | None:
    """The cells plotext's build of `signals` (on a bare canvas) writes, without running it; None when a
    signal is none of: a braille scatter or polyline (its dots grouped into cells, each cell plotext's
    braille glyph of that signal's dots in it), or an unlabelled scatter of one-cell markers with one
    marker per cell. A later signal's cell replaces an earlier one's, as in plotext. All signals go
    through each NumPy step together (a layer's signals are many and small)."""
    w, h = canvas.width, canvas.height
    if w <= 0 or h <= 0:
        return CellLayer({})
    looks: list[tuple[str, str]] = []  # per signal: (colour, style) as plotext checks them
    braille: tuple[list, list, list] = ([], [], [])  # scatters: x, y, signal
    lines: tuple[list, list, list] = ([], [], [])  # polylines: x, y, signal, a break after each
    marks: tuple[list, list, list] = ([], [], [])  # one-cell markers: x, y, signal
    markers: list[str] = []  # the checked marker of every point in `marks`
    for k, s in enumerate(signals):
        n = len(s.x)
        if s.label is not None or len(s.y) != n or not (isinstance(s.color, str) and is_color(s.color)):
            return None
        looks.append(_checked_look(s.color, s.style))
        if s.marker == "braille":
            to = lines if s.lines else braille
            tail = [math.nan] if s.lines else []
            to[0].extend(s.x)
            to[0].extend(tail)
            to[1].extend(s.y)
            to[1].extend(tail)
            to[2].extend([k] * (n + len(tail)))
            continue
        listed = not isinstance(s.marker, str)
        if s.lines or (listed and len(s.marker) != n):
            return None
        checked = {m: _checked_marker(m) for m in (set(s.marker) if listed else [s.marker])}
        if any(m in hd_symbols for m in checked.values()):
            return None
        markers.extend([checked[m] for m in s.marker] if listed else [checked[s.marker]] * n)
        marks[0].extend(s.x)
        marks[1].extend(s.y)
        marks[2].extend([k] * n)
    # braille dots: scatters' points, polylines' line dots (a NaN between polylines breaks them apart)
    (x0, x1), (y0, y1) = axes.xlim, axes.ylim
    dx, dy = to_dots(braille[0] + lines[0], x0, x1, 2 * w), to_dots(braille[1] + lines[1], y0, y1, 4 * h)
    group = np.array(braille[2] + lines[2], dtype=np.int64)
    if lines[0]:
        m = len(braille[0])
        dots = line_dots(dx[m:], dy[m:])
        if dots is None:
            return None
        dx, dy = np.concatenate([dx[:m], dots[0]]), np.concatenate([dy[:m], dots[1]])
        group = np.concatenate([group[:m], group[m:][dots[2]]])
    bk, bx, by, masks = braille_masks(dx, dy, w, h, group)
    # one-cell markers: each in its cell; two different ones in a cell of one signal are plotext's to order
    mx, my = to_dots(marks[0], x0, x1, w), to_dots(marks[1], y0, y1, h)
    inside = np.flatnonzero((mx >= 0) & (mx < w) & (my >= 0) & (my < h))
    mk = np.array(marks[2], dtype=np.int64)[inside]
    mx, my = mx[inside].astype(np.int64), my[inside].astype(np.int64)
    codes = {m: i for i, m in enumerate(dict.fromkeys(markers))}
    mcode = np.array([codes[markers[i]] for i in inside.tolist()], dtype=np.int64)
    key = (mk * h + my) * w + mx
    order = np.lexsort((mcode, key))
    if np.any((key[order][1:] == key[order][:-1]) & (mcode[order][1:] != mcode[order][:-1])):
        return None
    # every cell shows the last signal that wrote it
    kind = np.concatenate([np.zeros(len(bk), dtype=np.int64), np.ones(len(mk), dtype=np.int64)])
    sig, col, row = np.concatenate([bk, mk]), np.concatenate([bx, mx]), np.concatenate([by, my])
    what = np.concatenate([masks, inside])  # braille: the mask; marker: the point's index in marks
    order = np.lexsort((sig, col, row))
    cell = row[order] * w + col[order]
    last = order[np.append(cell[1:] != cell[:-1], True)] if len(order) else order
    out: dict[int, list[tuple[int, Cell]]] = {}
    for is_mark, k, c, r, v in zip(*(a[last].tolist() for a in (kind, sig, col, row, what)), strict=True):
        glyph = markers[v] if is_mark else BRAILLE_GLYPHS[v]
        out.setdefault(r + canvas.row0, []).append((c + canvas.col0, (glyph, *looks[k])))
    return CellLayer(out)


@functools.cache
def _checked_look(color: str, style: str) -> tuple[str, str]:
    """A valid colour and a style as plotext's `draw` records them."""
    check = monitor_class()
    return check.check_color(color), check.check_style(style)


@functools.cache
def _checked_marker(marker: str) -> str:
    """A marker as plotext's `draw` records it (a name's symbol, else its first character)."""
    return monitor_class().check_marker(marker)


def _bare_monitor(axes: Axes, canvas: Canvas) -> monitor_class:
    """A canvas-sized monitor with no frame and no ticks: its canvas is all of it, at the same limits."""
    monitor = _monitor(canvas.width, canvas.height, axes)
    monitor.set_frame(False)
    monitor.set_xticks([])
    monitor.set_yticks([])
    return monitor


def _monitor(width: int, height: int, axes: Axes) -> monitor_class:
    monitor = monitor_class()
    monitor.set_date(date_class())
    monitor.matrix = _LayerMatrix()
    monitor.set_theme("clear")
    monitor.set_size([width, height])
    monitor.set_xlim(*axes.xlim)
    monitor.set_ylim(*axes.ylim)
    return monitor


def reference(axes: Axes, layers: list[list[Signal]]) -> tuple[matrix_class, str]:
    """plotext's own build of the whole figure: a fresh figure, every layer's signals in order, built
    once. Returns its matrix and its ANSI canvas (what textual-plotext would show)."""
    fig = _figure_class()
    _configure(fig, axes)
    _draw(fig._draw, ANCHOR)
    for signals in layers:
        for signal in signals:
            _draw(fig._draw, signal)
    canvas = fig.build()
    return fig.monitor.matrix, canvas


class Composite:
    """Screen rows (top first) of frame + base + dynamic + top layers, kept from one frame to the next.

    `update` takes each frame's dynamic build (and the static builds when they change) and returns the
    screen rows whose cells changed, so only those become new Strips and go to the terminal.
    """

    def __init__(self) -> None:
        self.rows: list[Row] = []
        self._under: list[tuple[list, list, list, list]] = []  # frame + base, plotext rows
        self._top: dict[int, list[tuple[int, Cell]]] = {}
        self._dyn_rows: set[int] = set()

    def update(
        self,
        dyn: Layer | None,
        static: tuple[Layer, list[Layer], Layer | None] | None = None,
        more_base: Layer | None = None,
    ) -> list[int]:
        """Compose the new frame. `static` = (frame, base layers, top) replaces the static layers (every
        row is recomposed); `more_base` is painted over the base (signals appended to it)."""
        cells = dyn.cells() if dyn else {}
        touched = self._dyn_rows | set(cells)
        if static is not None:
            frame, base, top = static
            fm = frame.matrix
            self._under = [(fm.marker[r], fm.fullground[r], fm.style[r], fm.background[r]) for r in fm.Rows]
            self._top = top.cells() if top else {}
            touched = set(range(len(self._under)))
            self._paint_under(base)
        touched |= self._paint_under([more_base] if more_base else [])
        self._dyn_rows = set(cells)
        return self._recompose(touched, cells)

    def _paint_under(self, layers: list[Layer]) -> set[int]:
        rows = set()
        for layer in layers:
            for r, row_cells in layer.cells().items():
                m, f, s, b = self._under[r]
                m, f, s = m[:], f[:], s[:]  # never write into a build's own grid
                for c, (mk, fg, st) in row_cells:
                    m[c], f[c], s[c] = mk, fg, st
                self._under[r] = (m, f, s, b)
                rows.add(r)
        return rows

    def _recompose(self, plot_rows, dyn: dict[int, list[tuple[int, Cell]]]) -> list[int]:
        height = len(self._under)
        if len(self.rows) != height:
            self.rows = [([], [], [], []) for _ in range(height)]
        changed = []
        for r in plot_rows:
            m, f, s, b = self._under[r]
            over = (dyn.get(r), self._top.get(r))
            if over[0] or over[1]:
                m, f, s = m[:], f[:], s[:]
                for layer_cells in over:
                    for c, (mk, fg, st) in layer_cells or ():
                        m[c], f[c], s[c] = mk, fg, st
            y = height - 1 - r
            old = self.rows[y]
            if old[0] != m or old[1] != f or old[2] != s or old[3] != b:
                self.rows[y] = (m, f, s, b)
                changed.append(y)
        return sorted(changed)
