"""Series reduction and axis arithmetic for the plot pipeline. NumPy only, no plotext.

plotext maps a value v on an axis [lo, hi] drawn with `bins` dots to the dot
    d = ⌊round₈(½ + (bins − 1)(v − lo)/(hi − lo))⌋            (plotext._utility.get_matrix_data)
and joins consecutive points with straight dot lines. Reductions here drop points whose removal leaves
every drawn dot in place, so plotext renders the reduced series exactly as it renders the full one:
  • `drop_repeats`: a point on the same dot as the point before it adds no dot;
  • `column_envelope`: inside one dot column a polyline covers the dots from its lowest to its highest
    point, so first, min, max and last per column draw the same dots (one point per column would not).
`clip_to_box` cuts segments at the plotting box (NaN marks a break), so a diverging run's far-off points
never reach plotext, which would interpolate a line of ~10¹² dots towards them.
`braille_masks` groups dots by the cell that holds them, as plotext's braille markers do (cell = dot // (2, 4),
one bit per dot), so a scatter of many dots can reach plotext as one point per cell with its glyph.
"""

from __future__ import annotations

import math

import numpy as np


def to_dots(values: np.ndarray, lo: float, hi: float, bins: int) -> np.ndarray:
    """plotext's value → dot index, vectorised and bit-identical (NaN stays NaN). Floats holding integers."""
    with np.errstate(all="ignore"):
        change = 0.5 + (bins - 1) * (np.asarray(values, dtype=float) - lo) / (hi - lo)
        n = change * 100000000
        f = np.floor(n)
        r = np.where(n - f < 0.5, f, np.ceil(n)) * 1e-08
    return np.floor(r)


def cell_values(cells: np.ndarray, lo: float, hi: float, bins: int) -> np.ndarray:
    """Values that plotext maps to the given cell (or dot) indices on an axis of `bins` positions."""
    if bins <= 1:
        return np.full(np.shape(cells), float(lo))
    return lo + np.asarray(cells, dtype=float) / (bins - 1) * (hi - lo)


def braille_masks(dx: np.ndarray, dy: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The cells (column, row from the bottom) holding the dots (dx, dy) (non-negative dot indices, repeats
    allowed) and each cell's dot mask: bit 2(3 − dy mod 4) + dx mod 2, i.e. plotext's braille code order
    (top row first, left before right). Cells sorted by (column, row)."""
    dx, dy = np.asarray(dx, dtype=np.int64), np.asarray(dy, dtype=np.int64)
    if len(dx) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    rows = int(dy.max()) // 4 + 1
    cell = (dx // 2) * rows + dy // 4
    bit = 2 * (3 - dy % 4) + dx % 2
    dots = np.unique(cell * 8 + bit)  # each dot once, so a sum of its bits is their OR
    cells, where = np.unique(dots // 8, return_inverse=True)
    masks = np.bincount(where, weights=1 << (dots % 8), minlength=len(cells)).astype(np.int64)
    return cells // rows, cells % rows, masks


def drop_repeats(dx: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """Indices of the points to keep: drop each point on the same dot as its predecessor, and runs of
    breaks (NaN) after the first. Leading and trailing breaks go too."""
    n = len(dx)
    if n == 0:
        return np.arange(0)
    gap = np.isnan(dx) | np.isnan(dy)
    keep = np.ones(n, dtype=bool)
    same = (dx[1:] == dx[:-1]) & (dy[1:] == dy[:-1])
    keep[1:] &= ~same & ~(gap[1:] & gap[:-1])
    keep &= ~gap | (np.cumsum(~gap) > 0)  # no leading break
    idx = np.flatnonzero(keep)
    while len(idx) and gap[idx[-1]]:
        idx = idx[:-1]
    return idx


def column_envelope(dx: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """Indices, in order, of the first, lowest, highest and last point of each run of equal dot columns."""
    n = len(dx)
    if n <= 2:
        return np.arange(n)
    starts = np.flatnonzero(np.r_[True, dx[1:] != dx[:-1]])
    ends = np.r_[starts[1:], n] - 1
    group = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, n]))
    order = np.lexsort((dy, group))  # by group, then height; stable, so ties keep the earliest
    lows = order[starts]
    highs = order[ends]
    return np.unique(np.concatenate([starts, ends, lows, highs]))


def clip_to_box(x: np.ndarray, y: np.ndarray, box) -> tuple[np.ndarray, np.ndarray]:
    """The polyline (x, y) cut to the box ((x0, x1), (y0, y1)) by Liang–Barsky: the visible part of each
    segment, joined where consecutive parts meet, NaN between separate pieces. Non-finite points end a piece."""
    (x0, x1), (y0, y1) = box
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    inside = (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
    if inside.all() or len(x) < 2:
        return x[inside], y[inside]
    ax, ay, bx, by = x[:-1], y[:-1], x[1:], y[1:]
    ok = np.isfinite(ax) & np.isfinite(ay) & np.isfinite(bx) & np.isfinite(by)
    dx, dy = np.where(ok, bx - ax, 0.0), np.where(ok, by - ay, 0.0)
    t0, t1 = np.zeros(len(ax)), np.ones(len(ax))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for p, q in ((-dx, ax - x0), (dx, x1 - ax), (-dy, ay - y0), (dy, y1 - ay)):
            t = q / p
            par = p == 0
            ok &= ~(par & (q < 0))
            t0 = np.where(~par & (p < 0), np.maximum(t0, t), t0)
            t1 = np.where(~par & (p > 0), np.minimum(t1, t), t1)
    ok &= t0 <= t1
    xs: list[float] = []
    ys: list[float] = []
    for i in np.flatnonzero(ok):
        joins = i > 0 and ok[i - 1] and t1[i - 1] == 1 and t0[i] == 0
        if not joins:
            if xs:
                xs.append(math.nan)
                ys.append(math.nan)
            xs.append(ax[i] + t0[i] * dx[i])
            ys.append(ay[i] + t0[i] * dy[i])
        xs.append(ax[i] + t1[i] * dx[i])
        ys.append(ay[i] + t1[i] * dy[i])
    return np.array(xs, dtype=float), np.array(ys, dtype=float)


def nice_step(span: float, count: int) -> float:
    """A 1, 2 or 5 × 10ᵏ step that cuts `span` into about `count` parts."""
    raw = span / max(count, 1)
    if not raw > 0 or not math.isfinite(raw):
        return 1.0
    k = math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if m * 10.0**k >= raw * (1 - 1e-9):
            return m * 10.0**k
    return 10.0 ** (k + 1)


def nice_ceiling(v: float) -> float:
    """The least 1, 2 or 5 × 10ᵏ ≥ v (v > 0)."""
    return nice_step(v, 1)


def nice_ticks(lo: float, hi: float, count: int) -> tuple[tuple[float, ...], tuple[str, ...]]:
    """Round-number ticks inside [lo, hi], about `count` of them, with short labels."""
    step = nice_step(hi - lo, max(count - 1, 1))
    first = math.ceil(lo / step - 1e-9)
    ticks = []
    k = first
    while k * step <= hi + step * 1e-9 and len(ticks) < 50:
        ticks.append(0.0 if abs(k * step) < step * 1e-9 else k * step)
        k += 1
    return tuple(ticks), tuple(format_tick(t) for t in ticks)


def format_tick(v: float) -> str:
    """A tick label: `%g` with at most 4 significant digits, exponents short (2000, 0.25, 1.5e6)."""
    return f"{v:.4g}".replace("e+0", "e").replace("e-0", "e-").replace("e+", "e")


def decade_ticks(lo: int, hi: int, count: int) -> tuple[tuple[float, ...], tuple[str, ...]]:
    """Ticks at whole decades lo..hi of a log10 axis (every m-th so that at most `count` show)."""
    every = max(1, math.ceil((hi - lo + 1) / max(count, 1)))
    ticks = tuple(float(k) for k in range(hi, lo - 1, -every))[::-1]
    return ticks, tuple(decade_label(int(k)) for k in ticks)


def decade_label(k: int) -> str:
    """10ᵏ written short: 0.01 … 1000 in full, 1e-3 and 1e4 beyond."""
    return f"{10.0**k:g}" if -2 <= k <= 3 else f"1e{k}"
