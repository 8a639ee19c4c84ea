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

Two more steps of plotext's build, vectorised and bit-identical, let a layer skip its per-point loop:
  • `line_dots`: plotext joins dots (x₀, y₀), (x₁, y₁) with the a = max(|x₁ − x₀|, |y₁ − y₀|) + 1 dots
    ⌊x₀ + i(x₁ − x₀)/(a − 1)⌋₀, i = 0…a − 2 (⌊⌋₀: towards zero; the last dot is the next segment's
    first), a segment with a missing end keeps its first point only, and the very last point is added;
  • `braille_masks`: a braille cell is dot // (2, 4), and holds the OR of its dots' bits.
"""

from __future__ import annotations

import math

import numpy as np


def to_dots(values: np.ndarray, lo: float, hi: float, bins: int) -> np.ndarray:
    """plotext's value → dot index, vectorised and bit-identical (NaN stays NaN). Floats holding integers."""
    n = np.array(values, dtype=float)  # a copy: worked on in place, in plotext's order of operations
    with np.errstate(all="ignore"):
        n -= lo
        n *= bins - 1
        n /= hi - lo
        n += 0.5
        n *= 100000000  # plotext's round(·, 8): n·10⁸, ...
        f = np.floor(n)
        n -= f
        f += n >= 0.5  # ... ceil(n) (= ⌊n⌋ + 1) from a fractional part of ½ up, then ·10⁻⁸
        f *= 1e-08
        return np.floor(f, out=f)


def cell_values(cells: np.ndarray, lo: float, hi: float, bins: int) -> np.ndarray:
    """Values that plotext maps to the given cell (or dot) indices on an axis of `bins` positions."""
    if bins <= 1:
        return np.full(np.shape(cells), float(lo))
    return lo + np.asarray(cells, dtype=float) / (bins - 1) * (hi - lo)


def line_dots(
    dx: np.ndarray, dy: np.ndarray, limit: int = 4_000_000
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The dots plotext draws for the polyline through the dots (dx, dy) (NaN: a missing point), in its
    order (`plotext._utility.get_lines`), and for each the index of the point starting its segment; None
    when that would be more than `limit` dots."""
    dx, dy = np.asarray(dx, dtype=float), np.asarray(dy, dtype=float)
    if len(dx) < 2:
        return dx, dy, np.arange(len(dx))
    x0, x1, y0, y1 = dx[:-1], dx[1:], dy[:-1], dy[1:]
    ok = np.isfinite(x0) & np.isfinite(x1) & np.isfinite(y0) & np.isfinite(y1)
    sx, sy = np.where(ok, x1 - x0, 0.0), np.where(ok, y1 - y0, 0.0)
    a = np.where(ok, np.maximum(np.abs(sx), np.abs(sy)) + 1, 2.0)  # a broken segment: its first point
    count = (a - 1).astype(np.int64)
    total = int(count.sum())
    if total > limit:
        return None
    seg = np.repeat(np.arange(len(count)), count)
    i = (np.arange(total) - np.repeat(np.cumsum(count) - count, count)).astype(float)
    step = np.maximum(a - 1, 1)
    with np.errstate(invalid="ignore"):
        px = np.trunc(x0[seg] + i * np.where(a > 1, sx / step, 0.0)[seg])
        py = np.trunc(y0[seg] + i * np.where(a > 1, sy / step, 0.0)[seg])
    return np.append(px, dx[-1]), np.append(py, dy[-1]), np.append(seg, len(dx) - 1)


def braille_masks(
    dx: np.ndarray, dy: np.ndarray, width: int, height: int, group: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Braille cells of the dots (dx, dy) on a `width` × `height` canvas, each dot in its `group` (say,
    the signal that drew it; default all 0): (group, column, row from the bottom, dot mask) for every
    group and cell holding some of its dots, sorted by group, row, column. Mask bit 2(3 − dy mod 4) +
    dx mod 2 is the dot's position in plotext's braille code (top row first, left dot before right).
    Missing dots (NaN) and dots of cells off the canvas are dropped, as plotext drops them."""
    dx, dy = np.asarray(dx, dtype=float), np.asarray(dy, dtype=float)
    group = np.zeros(len(dx), dtype=np.int64) if group is None else np.asarray(group, dtype=np.int64)
    keep = (dx >= 0) & (dx < 2 * width) & (dy >= 0) & (dy < 4 * height)  # False for NaN
    dx, dy, group = dx[keep].astype(np.int64), dy[keep].astype(np.int64), group[keep]
    size = max(width * height, 0)
    grid = np.zeros(size * (int(group.max()) + 1 if len(group) else 0), dtype=np.uint8)
    bits = (1 << (2 * (3 - dy % 4) + dx % 2)).astype(np.uint8)
    np.bitwise_or.at(grid, group * size + (dy // 4) * width + dx // 2, bits)
    cells = np.flatnonzero(grid)
    return cells // size, cells % width, cells % size // width, grid[cells]


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
    starts = np.flatnonzero(np.concatenate([[True], dx[1:] != dx[:-1]]))
    bounds = np.append(starts, n)
    ends = bounds[1:] - 1
    group = np.repeat(np.arange(len(starts)), np.diff(bounds))
    order = np.lexsort((dy, group))  # by group, then height; stable, so ties keep the earliest
    lows = order[starts]
    highs = order[ends]
    return distinct(np.concatenate([starts, ends, lows, highs]))


def distinct(keys: np.ndarray) -> np.ndarray:
    """The distinct values of an array of integers, sorted (what `np.unique` returns).

    The keys here are point indices or cell numbers of a plot, so they are dense: they are marked in a
    table as long as the largest key, with no sort (and without `np.unique`, whose first call loads NumPy's
    masked arrays into every session). Sparse or negative keys are sorted instead."""
    keys = np.asarray(keys, dtype=np.int64)
    if len(keys) == 0:
        return keys
    top = int(keys.max()) + 1
    if top <= 4 * len(keys) + 4096 and keys.min() >= 0:
        seen = np.zeros(top, dtype=bool)
        seen[keys] = True
        return np.flatnonzero(seen)
    ordered = np.sort(keys)
    return ordered[np.concatenate([[True], ordered[1:] != ordered[:-1]])]


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
