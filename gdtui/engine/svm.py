"""A small multiclass SVM and slices of its loss: the cs231n picture of a high-dimensional loss seen along
one random direction, L(W + aW₁), or across a random plane, L(W + aW₁ + bW₂).

The data: 3 classes of 8 points each in the plane, class c drawn from a unit Gaussian around the point at
radius 1.5 and angle 90° + 120°·c, with a constant bias feature appended, so x = (x₁, x₂, 1) and W is 3×3
(9 parameters). Then a starting W₀ and two directions W₁, W₂, all entries standard normal. Everything
comes from one generator, np.random.default_rng(231), drawn in that order (noise, W₀, W₁, W₂).

The loss is the multiclass hinge (Weston–Watkins) loss with Δ = 1 and no regularisation:
  L(W) = (1/N) Σₙ Σ_{j≠yₙ} max(0, w_jᵀxₙ − w_{yₙ}ᵀxₙ + Δ).
Every margin is linear in W, so along a slice each margin is linear in θ and the slice is a convex,
piecewise-linear function of θ: its gradient is piecewise constant and its Hessian is zero wherever it
exists. Newton's method therefore meets a singular Hessian and the engine reports the run as diverged.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from .base import Array, Problem, _ClosedForm

SEED = 231
N_CLASSES = 3
PER_CLASS = 8
RADIUS = 1.5
DELTA = 1.0


def multiclass_hinge_loss(w: Array, x: Array, y: Array, delta: float = DELTA) -> Array:
    """L(W) = (1/N) Σₙ Σ_{j≠yₙ} max(0, w_jᵀxₙ − w_{yₙ}ᵀxₙ + Δ) for weights W of shape (..., C, F), inputs
    x (N, F) and integer labels y (N,); returns shape (...)."""
    w, x, y = np.asarray(w, dtype=float), np.asarray(x, dtype=float), np.asarray(y)
    scores = np.einsum("...cf,nf->...nc", w, x)
    correct = scores[..., np.arange(len(y)), y]  # (..., N)
    margins = np.maximum(0.0, scores - correct[..., None] + delta)
    own = np.arange(w.shape[-2]) == y[:, None]  # (N, C): the true class, which has no hinge term
    return np.where(own, 0.0, margins).sum(axis=(-2, -1)) / len(y)


def svm_data(seed: int = SEED) -> tuple[Array, Array, Array, Array]:
    """(x (24, 3) with a bias column, y (24,), W₀ (3, 3), directions (2, 3, 3)), all from one seeded
    generator."""
    rng = np.random.default_rng(seed)
    angles = np.pi / 2 + 2 * np.pi * np.arange(N_CLASSES) / N_CLASSES
    centers = RADIUS * np.stack([np.cos(angles), np.sin(angles)], axis=-1)
    y = np.repeat(np.arange(N_CLASSES), PER_CLASS)
    points = centers[y] + rng.normal(0.0, 1.0, (len(y), 2))
    x = np.column_stack([points, np.ones(len(y))])
    w0 = rng.normal(0.0, 1.0, (N_CLASSES, x.shape[1]))
    directions = rng.normal(0.0, 1.0, (2, N_CLASSES, x.shape[1]))
    return x, y, w0, directions


@dataclass(frozen=True, eq=False)
class SVMSlice(_ClosedForm):
    """f(θ) = L(W₀ + Σₖ θₖ Wₖ), the multiclass hinge loss along `dim` fixed directions through W₀.

    With the margins mₙⱼ(θ) = m⁰ₙⱼ + Σₖ θₖ Mₖₙⱼ (j ≠ yₙ), where m⁰ₙⱼ = (w⁰ⱼ − w⁰_{yₙ})ᵀxₙ + Δ and
    Mₖₙⱼ = (Wₖ[j] − Wₖ[yₙ])ᵀxₙ:
      f = (1/N) Σ max(0, mₙⱼ);   ∂f/∂θₖ = (1/N) Σ [mₙⱼ > 0] Mₖₙⱼ;   H = 0 (piecewise linear).
    At a kink (some margin exactly 0) that term counts as inactive ([m > 0], the cs231n convention): the
    gradient there is the one-sided slope from the side where that margin is negative. The Hessian is
    reported as 0 everywhere, kinks included.
    """

    x: Array = field(default_factory=lambda: np.empty((0, 0)))
    y: Array = field(default_factory=lambda: np.empty(0, dtype=int))
    w0: Array = field(default_factory=lambda: np.empty((0, 0)))
    directions: Array = field(default_factory=lambda: np.empty((0, 0, 0)))
    delta: float = DELTA

    def __post_init__(self) -> None:
        if self.directions.shape[0] != self.dim:
            raise ValueError(f"{self.name}: {self.dim} direction(s) expected, got {self.directions.shape[0]}")
        n = len(self.y)
        other = np.arange(self.w0.shape[0]) != self.y[:, None]  # (N, C): the hinge terms j ≠ yₙ
        rows = np.arange(n)

        def margins(w: Array, delta: float) -> Array:  # (N, C−1): (w_j − w_{yₙ})ᵀxₙ + Δ for j ≠ yₙ
            s = self.x @ w.T
            return (s - s[rows, self.y][:, None] + delta)[other]

        # One flat array of the N(C−1) hinge terms: their margins at θ = 0 and their slopes along each θₖ.
        object.__setattr__(self, "_m0", margins(self.w0, self.delta))
        object.__setattr__(self, "_slopes", np.stack([margins(d, 0.0) for d in self.directions]))

    def margins(self, theta: Array) -> Array:
        """The N(C−1) hinge margins at θ, shape (..., N(C−1)); computed elementwise (no BLAS) so a point
        gives bit-for-bit the same value alone or inside a grid."""
        t = self._check(theta)
        m = self._m0 + t[..., 0, None] * self._slopes[0]
        for k in range(1, self.dim):
            m = m + t[..., k, None] * self._slopes[k]
        return m

    def f(self, theta, batch=None):
        self._no_batch(batch)
        t = self._check(theta)
        points = t.reshape(-1, self.dim)
        if len(points) < _FAST_MIN_POINTS:
            return np.maximum(self.margins(t), 0.0).sum(axis=-1) / len(self.y)
        # Many points (a plotting grid): the same sums, computed one hinge term at a time over a chunk of
        # points, so every operation runs over long contiguous rows that stay in cache.
        coords = np.ascontiguousarray(points.T)  # (d, P)
        out = np.empty(len(points))
        size = -(-len(points) // -(-len(points) // _CHUNK))  # equal chunks of at most _CHUNK points
        for i in range(0, len(points), size):
            _hinge_sums(coords[:, i : i + size], self._m0, self._slopes, out[i : i + size])
        out /= len(self.y)
        return out.reshape(t.shape[:-1])

    def grad(self, theta, batch=None):
        self._no_batch(batch)
        active = self.margins(theta) > 0
        return np.stack([(active * s).sum(axis=-1) for s in self._slopes], axis=-1) / len(self.y)

    def hessian(self, theta, batch=None):
        self._no_batch(batch)
        t = self._check(theta)
        return np.zeros((*t.shape[:-1], self.dim, self.dim))

    def weights(self, theta: Array) -> Array:
        """W₀ + Σₖ θₖ Wₖ, shape (..., C, F)."""
        t = self._check(theta)
        return self.w0 + np.tensordot(t, self.directions, axes=(-1, 0))

    def kinks(self) -> Array:
        """(1-D slices) Every θ in the box where a margin crosses 0, sorted: the slope changes only there."""
        if self.dim != 1:
            raise ValueError(f"{self.name}: kinks are points only on a 1-D slice")
        ((lo, hi),) = self.box
        moving = self._slopes[0] != 0
        at = -self._m0[moving] / self._slopes[0][moving]
        return np.sort(at[(lo <= at) & (at <= hi)])

    def slice_minimum(self) -> tuple[float, float]:
        """(1-D slices) (θ*, f(θ*)), the minimum over the box. f is convex and piecewise linear, so the
        minimum is at a kink or an end of the box: evaluate f at all of them."""
        ((lo, hi),) = self.box
        candidates = np.concatenate([[lo], self.kinks(), [hi]])
        values = self.f(candidates[:, None])
        best = int(np.argmin(values))
        return float(candidates[best]), float(values[best])


_FAST_MIN_POINTS = 64  # below this, f takes the direct formula (both give the same bits)
_CHUNK = 20_000  # points per chunk of the many-points path (8 partial-sum rows of 160 KB)
_PAIRWISE_BLOCK = 128  # NumPy's pairwise-summation block (PW_BLOCKSIZE)


def _hinge_sums(coords: Array, m0: Array, slopes: Array, out: Array) -> Array:
    """out[i] = Σⱼ max(0, mⱼ(θᵢ)) with mⱼ(θ) = m0ⱼ + Σₖ θₖ slopesₖⱼ, for points given as columns of
    coords (d, P): bit for bit `np.maximum(margins, 0).sum(axis=-1)` of the direct formula.

    Each term mⱼ is one row over all P points (a scalar times a contiguous row, then adds, exactly the
    operations of the direct formula), and the rows are summed in the order NumPy's pairwise summation adds
    the elements of one row of length H (what `sum(axis=-1)` does): fewer than 8 terms one after the other;
    up to 128 terms in 8 interleaved partial sums combined as ((r₀+r₁)+(r₂+r₃))+((r₄+r₅)+(r₆+r₇)) followed
    by the remainder; more than that split in two halves (the first a multiple of 8) summed recursively.
    The reduction starts from 0, so 0 is added last. tests/engine/test_svm.py checks the bits."""
    n_points = coords.shape[1]
    zeros = np.zeros(n_points)
    scratch, tmp = np.empty(n_points), np.empty(n_points)
    offsets, rates = m0.tolist(), slopes.tolist()

    def relu_row(j: int, row: Array) -> Array:  # max(0, m0ⱼ + θ₀s₀ⱼ + θ₁s₁ⱼ + …) into row
        np.multiply(coords[0], rates[0][j], out=row)
        row += offsets[j]
        for k in range(1, len(coords)):
            np.multiply(coords[k], rates[k][j], out=tmp)
            row += tmp
        np.maximum(row, zeros, out=row)  # faster than the scalar 0 (a zero's sign is lost in the final + 0)
        return row

    def pairwise(lo: int, hi: int, res: Array) -> None:
        n = hi - lo
        if n < 8:
            res[...] = 0.0
            for j in range(lo, hi):
                res += relu_row(j, scratch)
        elif n <= _PAIRWISE_BLOCK:
            acc = np.empty((8, n_points))
            for j in range(8):
                relu_row(lo + j, acc[j])
            end = hi - n % 8
            for j in range(lo + 8, end):
                acc[(j - lo) % 8] += relu_row(j, scratch)
            np.add(acc[0::2], acc[1::2], out=acc[:4])  # r₀+r₁, r₂+r₃, r₄+r₅, r₆+r₇
            np.add(acc[0:4:2], acc[1:4:2], out=acc[:2])
            np.add(acc[0], acc[1], out=res)
            for j in range(end, hi):
                res += relu_row(j, scratch)
        else:
            half = n // 2 - (n // 2) % 8
            first = np.empty(n_points)
            pairwise(lo, lo + half, first)
            pairwise(lo + half, hi, res)
            np.add(first, res, out=res)

    pairwise(0, len(m0), out)
    out += 0.0
    return out


def svm_problems() -> list[Problem]:
    """`svm-slice` and `svm-plane`, for the registry."""
    x, y, w0, directions = svm_data()
    common = {"x": x, "y": y, "w0": w0, "delta": DELTA}
    line = SVMSlice(
        name="svm-slice",
        title="A slice through an SVM loss",
        formula="L(W + aW₁), multiclass hinge loss",
        dim=1,
        start=(-2.5,),
        box=((-3.0, 3.0),),
        directions=directions[:1],
        **common,
    )
    a_min, f_min = line.slice_minimum()
    line = replace(
        line,
        notes=f"A 3-class linear SVM on 24 points (W is 3×3, 9 numbers) seen along one random direction W₁. "
        f"Hinge loss, Δ = 1, no regularisation: convex and piecewise linear, so the slope jumps at each "
        f"kink and is constant between them. The lowest point (a ≈ {a_min:.3f}, L ≈ {f_min:.3f}) is a "
        f"kink where no gradient is zero, so no minimum is listed.",
    )
    plane = SVMSlice(
        name="svm-plane",
        title="A plane through an SVM loss",
        formula="L(W + aW₁ + bW₂), multiclass hinge loss",
        dim=2,
        start=(-2.5, -2.0),
        box=((-3.0, 3.0), (-3.0, 3.0)),
        directions=directions,
        notes="The same SVM loss over the plane spanned by two random directions W₁, W₂ through W: a convex "
        "bowl made of flat facets whose edges are the kinks. Its lowest point is a corner where facets "
        "meet, with no zero gradient, so no minimum is listed.",
        **common,
    )
    return [line, plane]


__all__ = ["DELTA", "SEED", "SVMSlice", "multiclass_hinge_loss", "svm_data", "svm_problems"]
