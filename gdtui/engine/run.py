"""Runs: a `Stepper` that advances one step at a time (live screens), and `run` / `sweep`, which step it to
the end and freeze the result.

Each step k = 1, 2, …: α = schedule(k − 1); g = ∇L at θ (or at the optimizer's look-ahead point), averaged
over a mini-batch on data-fitting problems; (step, state) = update(g, state, θ, α, …); θ ← θ + step.
A run ends with status
  `diverged`  at the first non-finite value or |loss| > 1e12 (the trajectory keeps only finite points),
  `converged` when a step moves θ by less than `tol` (tol = 0 disables this; a search's rejected
              proposal is not a step, so searches run their full budget),
  `max_steps` when the step budget is used up.
Divergence is a result, never an exception.

A sweep steps R runs together in one vectorized call: start points (R, d) and/or learning rates (R,). Its
runs share one random stream (the same mini-batches and proposals for every run), and a run that ends
stays frozen at its last point while the others go on. Apart from the random stream, each run of a sweep
follows the run `run` gives alone (the same θ bit for bit on closed-form problems; a data set's matrix
products may round differently for a batch of points). A sweep writes θ and the loss straight into
history arrays made once, and steps optimizers that have an in-place form (`Optimizer.inplace`) with it,
so a step allocates almost nothing; `history=False` keeps only the current point, for sweeps that only
need where each run ended.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from .errors import ConfigError
from .optimizers import Optimizer, get_optimizer, owned_state
from .problems import PROBLEMS, Problem, get_problem
from .schedules import Schedule, make_schedule, parse_schedule

DIVERGENCE_LIMIT = 1e12
STATUSES = ("converged", "max_steps", "diverged")
_HISTORY_BYTES = 1 << 28  # a sweep's history starts with room for this much and doubles when full


@dataclass(frozen=True)
class Trajectory:
    """A finished single run. `theta` (n+1, d) and `loss` (n+1,) start at the start point; `lr` (n,) and
    `grad_norm` (n,) belong to the step that reached each later point (`grad_norm` is None for searches,
    which use no gradient)."""

    problem: str
    optimizer: str
    settings: Mapping[str, Any]
    status: str
    theta: np.ndarray
    loss: np.ndarray
    lr: np.ndarray | None
    grad_norm: np.ndarray | None
    diverged_at: int | None = None

    @property
    def steps(self) -> int:
        """Steps taken (points after the start)."""
        return len(self.loss) - 1

    def to_dict(self) -> dict[str, Any]:
        """The `gdtui trace --format json` object."""
        out: dict[str, Any] = {
            "problem": self.problem,
            "optimizer": self.optimizer,
            "settings": dict(self.settings),
            "status": self.status,
            "steps": self.steps,
            "diverged_at": self.diverged_at,
            "theta": self.theta.tolist(),
            "loss": self.loss.tolist(),
        }
        if self.lr is not None:
            out["lr"] = self.lr.tolist()
        if self.grad_norm is not None:
            out["grad_norm"] = self.grad_norm.tolist()
        return out


@dataclass(frozen=True)
class Sweep:
    """R runs stepped together: `theta` (n+1, R, d), `loss` (n+1, R); `status` (R,) and `stopped_at` (R,),
    the step at which each run ended (n for runs that used the whole budget). A sweep made with
    `history=False` holds only the last point: `theta` (1, R, d) and `loss` (1, R). `final_theta` and
    `final_loss` give the last point either way."""

    problem: str
    optimizer: str
    settings: Mapping[str, Any]
    theta: np.ndarray
    loss: np.ndarray
    status: np.ndarray
    stopped_at: np.ndarray = field(repr=False)

    @property
    def final_theta(self) -> np.ndarray:
        """Where each run ended, (R, d)."""
        return self.theta[-1]

    @property
    def final_loss(self) -> np.ndarray:
        """The loss where each run ended, (R,)."""
        return self.loss[-1]


def _frozen(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


def _read_only(a: np.ndarray) -> np.ndarray:
    """A read-only view (the array itself stays writable for its owner)."""
    return _frozen(a.view())


class _Sampler:
    """Mini-batches of `size` example indices; a fresh permutation every epoch, so every example is visited
    once per epoch. Indices are sorted within a batch, so a batch of all N is exactly the full batch."""

    def __init__(self, n: int, size: int, rng: np.random.Generator):
        self.n, self.size, self.rng = n, size, rng
        self.order = np.empty(0, dtype=int)
        self.pos = n

    def __call__(self) -> np.ndarray:
        if self.pos >= self.n:
            self.order, self.pos = self.rng.permutation(self.n), 0
        idx = self.order[self.pos : self.pos + self.size]
        self.pos += self.size
        return np.sort(idx)


class Stepper:
    """A run that advances on demand. Read `theta`, `loss`, `grad`, `lr`, `state`, `k` and `status`
    between steps; `trajectory()` freezes what has happened so far.

    `lr` and `start` may carry a leading run axis (R,) and (R, d): the stepper then advances R runs at
    once (see `sweep`). Its `theta` and `loss` are then rows of history arrays it writes in place, and an
    optimizer with an in-place form updates the arrays of `state` in place: copy them to keep a snapshot.
    `history=False` (several runs only) keeps just the current point and the one before it.
    """

    def __init__(
        self,
        problem: str | Problem,
        optimizer: str | Optimizer,
        *,
        lr=None,
        steps: int = 100,
        start=None,
        schedule: str = "constant",
        batch_size: int | None = None,
        seed: int = 0,
        tol: float = 0.0,
        hyper: Mapping[str, float] | None = None,
        history: bool = True,
    ):
        self.problem = p = get_problem(problem)
        self.optimizer = opt = get_optimizer(optimizer, **dict(hyper or {}))
        self.max_steps = _check_steps(steps)
        self.tol = _check_tol(tol)
        self.seed = _check_seed(seed)
        start = np.array(p.start if start is None else start, dtype=float)
        if start.ndim == 0 or start.shape[-1] != p.dim or start.ndim > 2:
            raise ConfigError(
                f"{p.name} takes a start point of {p.dim} coordinate{'s' * (p.dim > 1)}, "
                f"got {start.shape[-1] if start.ndim else 1}"
            )
        if not np.all(np.isfinite(start)):
            raise ConfigError("the start point must be finite")
        lr_arr = None if lr is None else np.asarray(lr, dtype=float)
        self.runs = _run_shape(start, lr_arr)
        self.schedule = _make_schedule(opt, schedule, lr_arr, self.runs)
        self.batch_size, self._sampling = _check_batch(p, opt, batch_size)
        self._start = np.broadcast_to(start, (*self.runs, p.dim)).copy()
        if not history and not self.runs:
            raise ConfigError("history=False is for sweeps (several runs); a single run keeps its trajectory")
        self._keep_history = bool(history)
        self._lookahead = opt.lookahead
        self._update = opt.update
        self._grad = p.grad
        self._f = p.f
        self._box = np.array(p.box, dtype=float)
        self.reset()

    # -- settings -------------------------------------------------------------------------------------
    def settings(self) -> dict[str, Any]:
        """Every value this run uses, defaults included (the `settings` of `gdtui trace`)."""
        s = self.schedule
        return {
            "lr": _plain(s.lr) if s is not None else None,
            "hyperparameters": {k: _plain(v) for k, v in self.optimizer.hyper.items()},
            "steps": self.max_steps,
            "start": _plain(self._start),
            "batch_size": self.batch_size,
            "seed": self.seed,
            "schedule": {"kind": s.kind, **s.params} if s is not None else None,
            "tol": self.tol,
        }

    # -- stepping -------------------------------------------------------------------------------------
    def reset(self) -> None:
        """Back to the start point with a fresh state and the seed's random stream."""
        self.rng = np.random.default_rng(self.seed)
        self._sample = (
            _Sampler(self.problem.n_examples, self.batch_size, self.rng) if self._sampling else None
        )
        single = not self.runs
        if single:
            self.theta = self._start.copy()
        else:  # θ (and the loss) of step k go to row k of arrays made once (rows k mod 2 without history)
            rows = 2
            if self._keep_history:
                room = _HISTORY_BYTES // (8 * (self._start.size + int(np.prod(self.runs))) or 1)
                rows = min(self.max_steps + 1, max(room, 2))
            self._theta_rows = np.empty((rows, *self._start.shape))
            self._loss_rows = np.empty((rows, *self.runs))
            self._theta_rows[0] = self._start
            self.theta = self._theta_rows[0]
        self.state = self.optimizer.init(self.theta)
        self.k = 0
        with np.errstate(all="ignore"):
            self.loss = self._loss_value(self._f(self.theta))
        if not single:
            self._loss_rows[0] = self.loss
            self.loss = self._loss_rows[0]
            self._reset_runs()
        self.grad = None
        self.lr = None
        self.status: str | None = None
        self.diverged_at: int | None = None
        self._alive = True if single else np.ones(self.runs, dtype=bool)
        self._all_alive = not single and self._alive.size > 0  # several runs, none ended yet
        self._stopped_at = None if single else np.full(self.runs, self.max_steps)
        self._status_arr = None if single else np.full(self.runs, "max_steps", dtype=object)
        self._thetas = [self.theta]
        self._losses = [self.loss]
        self._history: tuple[np.ndarray, np.ndarray] | None = None  # `history()` so far, for the next call
        self._grads: list = []
        self._lrs: list = []
        needs = self.optimizer.needs
        fixed = {
            "loss_fn": self._f,
            "rng": self.rng,
            "box": (self._box[:, 0], self._box[:, 1] - self._box[:, 0]),
        }
        self._fixed = {name: value for name, value in fixed.items() if name in needs}
        self._bound_update = partial(self._update, **self._fixed)  # fixed keywords bound once
        propose = self.optimizer.propose  # a single run of a search that gives its draw: `_run_search`
        self._draw = propose(self.rng, fixed["box"], self._start.shape) if single and propose else None
        self._wants_loss = "loss" in needs
        self._wants_hessian = "hessian" in needs
        if not np.all(np.isfinite(self.loss)):  # a start point whose loss overflows
            self.diverged_at = 0
            self._finish("diverged" if single else "ended")
            if not single:
                self._status_arr[:] = "diverged"
                self._stopped_at[:] = 0
        elif not self.max_steps:
            self._finish("max_steps" if single else "ended")

    @property
    def done(self) -> bool:
        return self.status is not None

    def step(self) -> bool:
        """Take one step; False once the run has ended (then nothing changes)."""
        if self.status is not None:
            return False
        self.run(1)
        return True

    def run(self, steps: int | None = None) -> Stepper:
        """Step until the run ends, or at most `steps` more steps."""
        limit = self.max_steps if steps is None else min(self.max_steps, self.k + steps)
        if self.status is not None:
            return self
        with np.errstate(all="ignore"):
            if self._draw is not None:
                self._run_search(limit)
            elif not self.runs:
                self._run_single(limit)
            while self.status is None and self.k < limit:
                self._advance_runs()
        return self

    def _gradient(self, theta, state, lookahead=None):
        """g at θ (or at the optimizer's look-ahead point), over this step's mini-batch if sampling."""
        lookahead = lookahead or self._lookahead
        point = lookahead(theta, state) if lookahead is not None else theta
        return self._grad(point, self._sample() if self._sample is not None else None)

    def _update_with_needs(self, g, state, theta, lr, loss):
        """The optimizer's update, given by keyword what it declared it needs."""
        if self._wants_hessian:
            if self._wants_loss:
                return self._bound_update(
                    g, state, theta, lr=lr, loss=loss, hessian=self.problem.hessian(theta)
                )
            return self._bound_update(g, state, theta, lr=lr, hessian=self.problem.hessian(theta))
        if self._wants_loss:
            return self._bound_update(g, state, theta, lr=lr, loss=loss)
        return self._bound_update(g, state, theta, lr=lr)

    def _run_single(self, limit: int) -> None:
        """The hot loop of one run, up to step `limit`: locals instead of attributes, plain-Python checks
        on the short θ vector (the engine benchmark holds it within 1.5× of a hand-written loop)."""
        f, update, sched = self._f, self._update, self.schedule
        constant_lr = sched.lr if sched is not None and sched.kind == "constant" else None
        uses_grad, plain = (
            self.optimizer.uses_grad,
            not (self._fixed or self._wants_loss or self._wants_hessian),
        )
        tol = 0.0 if self.optimizer.search else self.tol
        thetas, losses, grads, lrs = self._thetas, self._losses, self._grads, self._lrs
        theta, state, loss, k = self.theta, self.state, self.loss, self.k
        g = lr = None
        status = None
        isfinite = math.isfinite
        while k < limit:
            lr = constant_lr if constant_lr is not None else sched(k) if sched is not None else None
            g = self._gradient(theta, state) if uses_grad else None
            if plain:
                step, new_state = update(g, state, theta, lr=lr)
            else:
                step, new_state = self._update_with_needs(g, state, theta, lr, loss)
            k += 1
            moves = step.tolist()
            if not any(moves):  # a zero step (e.g. a rejected proposal) leaves θ and L(θ) as they were
                state = new_state
                thetas.append(theta)
                losses.append(loss)
                grads.append(g)
                lrs.append(lr)
                if tol:  # a first-order method that stops moving has converged
                    status = "converged"
                    break
                continue
            new = theta + step
            new_loss = float(f(new))
            if not (isfinite(new_loss) and all(map(isfinite, new.tolist()))):
                status = "diverged"  # this point is not kept
                break
            theta, state, loss = new, new_state, new_loss
            thetas.append(theta)
            losses.append(loss)
            grads.append(g)
            lrs.append(lr)
            if abs(loss) > DIVERGENCE_LIMIT:
                status = "diverged"
                break
            if tol and math.sqrt(sum(v * v for v in moves)) < tol:
                status = "converged"
                break
        self._end_single(k, theta, state, loss, status)

    def _run_search(self, limit: int) -> None:
        """`_run_single` for a search that gives its draw (`Optimizer.propose`), up to step `limit`: the
        update's `_keep_if_lower` written out, so the same proposals, points, states and statuses. Most
        proposals are rejected, a zero step that leaves θ and L(θ) as they were; such a step here is the
        draw, one evaluation of L, a comparison and two appends, as in a hand-written loop (the update's
        call, its new state and its zero step were most of a step's cost); the rare kept proposal goes on
        as in `_run_single`. The rest is recorded once per call, for the steps recorded: g (None: a search
        uses no gradient), α (the schedule is a function of k, so a changing rate is computed again), and
        the state, whose counts are those steps and the proposals kept among them. A search never converges
        (a rejected proposal is not a step), so `tol` plays no part."""
        f, draw, sched = self._f, self._draw, self.schedule
        varying = sched if sched is not None and sched.kind != "constant" else None  # α changes each step
        lr = sched.lr if sched is not None and varying is None else None
        thetas, losses = self._thetas, self._losses
        add_theta, add_loss = thetas.append, losses.append
        theta, state, loss, k = self.theta, self.state, self.loss, self.k
        start, first, kept = k, len(thetas), 0  # the step and the history length this call starts at
        status = None
        isfinite = math.isfinite
        while k < limit:
            if varying is not None:
                lr = varying(k)
            proposal = draw(theta, lr)
            value = f(proposal)
            k += 1
            if not value < loss:  # rejected (a NaN loss too): a zero step
                add_theta(theta)
                add_loss(loss)
                continue
            step = proposal - theta  # kept: the rest is _run_single's step
            if not any(step.tolist()):  # θ′ − θ = 0 (θ′ = θ): a zero step all the same
                kept += 1
                add_theta(theta)
                add_loss(loss)
                continue
            new = theta + step
            # θ + (θ′ − θ) may round away from θ′, and L is known only at θ′
            new_loss = float(value) if new.tobytes() == proposal.tobytes() else float(f(new))
            if not (isfinite(new_loss) and all(map(isfinite, new.tolist()))):
                status = "diverged"  # this point is not kept, nor the state that counts it
                break
            theta, loss = new, new_loss
            kept += 1
            add_theta(theta)
            add_loss(loss)
            if abs(loss) > DIVERGENCE_LIMIT:
                status = "diverged"
                break
        n = len(thetas) - first  # steps recorded (all but a dropped diverging one)
        if n:
            state = state._replace(tried=state.tried + n, accepted=state.accepted + kept)
            self._grads.extend([None] * n)
            self._lrs.extend([lr] * n if varying is None else map(varying, range(start, start + n)))
        self._end_single(k, theta, state, loss, status)

    def _end_single(self, k: int, theta, state, loss: float, status: str | None) -> None:
        """Keep where a single run's loop stopped, and end the run if it has."""
        self.k, self.theta, self.state, self.loss = k, theta, state, loss
        if self._grads:
            self.grad, self.lr = self._grads[-1], self._lrs[-1]
        if status == "diverged":
            self.diverged_at = k
        elif status is None and k >= self.max_steps:
            status = "max_steps"
        if status is not None:
            self._finish(status)

    def _reset_runs(self) -> None:
        """The sweep's in-place machinery: the optimizer's in-place form for this shape with a state of its
        own, and −α of θ's full shape for it (a (R, 1) operand against (R, d) is many times slower)."""
        opt, sched = self.optimizer, self.schedule
        self._inplace = opt.inplace(self._start.shape) if opt.inplace is not None else None
        if self._inplace is not None:
            self.state = owned_state(self.state)
        self._neg_base = self._neg_lr = None
        if sched is not None:
            self._lr_view = _read_only(sched.lr)
            self._neg_base = -np.broadcast_to(sched.lr, self._start.shape)
            self._neg_lr = self._neg_base if sched.kind == "constant" else np.empty(self._start.shape)

    def _run_lr(self, k: int):
        """(α of step k as the schedule gives it (R, 1), −α of θ's full shape (R, d)). −(α·r) = (−α)·r."""
        sched = self.schedule
        if sched is None:
            return None, None
        if sched.kind == "constant":  # α · 1: the base rates themselves
            return self._lr_view, self._neg_lr
        rate = sched.rate(k)
        return sched.lr * rate, np.multiply(self._neg_base, rate, out=self._neg_lr)

    def _advance_runs(self) -> None:
        """One step of every run of a sweep (vectorized over the run axis)."""
        k = self.k
        theta, state = self.theta, self.state
        lr, neg_lr = self._run_lr(k)
        kernel = self._inplace
        if self.optimizer.uses_grad:
            g = self._gradient(theta, state, kernel.lookahead if kernel is not None else None)
        else:
            g = None
        if kernel is not None:
            step, state = kernel.update(g, state, theta, neg_lr=neg_lr)
        else:
            step, state = self._update_with_needs(g, state, theta, lr, self.loss)
        row = k + 1 if self._keep_history else (k + 1) % 2
        if row == len(self._theta_rows):
            self._grow_history()
        new, loss = self._theta_rows[row], self._loss_rows[row]
        np.add(theta, step, out=new)
        loss[...] = self._f(new)
        self.k = k + 1
        self._settle_runs(new, loss, step, state, g, lr)

    def _grow_history(self) -> None:
        """Twice the rows (up to the step budget), the rows so far copied over. The old arrays are left as
        they were: a result taken earlier may still be looking at them."""
        rows = min(self.max_steps + 1, 2 * len(self._theta_rows))
        for name in ("_theta_rows", "_loss_rows"):
            old = getattr(self, name)
            new = np.empty((rows, *old.shape[1:]))
            new[: len(old)] = old
            setattr(self, name, new)

    def _settle_runs(self, new, loss, step, state, g, lr) -> None:
        """The vectorized form of the end-of-step checks: runs that have ended stay where they stopped.
        `new` and `loss` are this step's rows, fixed up in place."""
        alive = self._alive
        diverged = None
        # The common case first, in four reductions (max and min propagate NaN, so NaN fails the tests):
        # every run still going, every θ finite and every |loss| ≤ the limit.
        if not (
            self._all_alive
            and loss.max() <= DIVERGENCE_LIMIT
            and loss.min() >= -DIVERGENCE_LIMIT
            and new.max() < math.inf
            and new.min() > -math.inf
        ):
            ok_point = np.isfinite(loss)
            for i in range(new.shape[-1]):  # column by column: far cheaper than isfinite(new).all(axis=-1)
                ok_point &= np.isfinite(new[..., i])
            diverged = alive & ~(ok_point & (np.abs(loss) <= DIVERGENCE_LIMIT))
            keep = alive & ok_point
            if not keep.all():  # runs that have ended (or just broke) stay where they were
                held = ~keep
                new[held] = self.theta[held]
                loss[held] = self.loss[held]
        converged = None
        if self.tol and not self.optimizer.search:
            converged = np.linalg.norm(step, axis=-1) < self.tol
            converged &= alive
            if diverged is not None:
                converged &= ~diverged
        for mask, status in ((diverged, "diverged"), (converged, "converged")):
            if mask is not None and mask.any():
                self._status_arr[mask] = status
                self._stopped_at[mask] = self.k
                alive = alive & ~mask
                self._all_alive = False
        self._alive = alive
        self._record(new, loss, state, g, lr)
        if self.k >= self.max_steps or not (self._all_alive or alive.any()):
            self._finish("ended")

    def _record(self, new, loss, state, g, lr) -> None:
        self.theta, self.loss, self.state, self.grad, self.lr = new, loss, state, g, lr

    def _finish(self, status: str) -> None:
        self.status = status

    def _loss_value(self, loss):
        return float(loss) if not self.runs else loss

    @property
    def start(self) -> np.ndarray:
        """The start point (d,), or (R, d) for a sweep (read-only)."""
        view = self._start.view()
        view.setflags(write=False)
        return view

    # -- results --------------------------------------------------------------------------------------
    def history(self) -> tuple[np.ndarray, np.ndarray]:
        """θ (k+1, d) and loss (k+1,) so far, start included (for live plots); (k+1, R, d) and (k+1, R) for
        several runs, or only the current point (1, R, d) and (1, R) without history."""
        if not self.runs:
            return self._single_history()
        theta, loss = self._kept_rows()
        return theta.copy(), loss.copy()

    def _single_history(self) -> tuple[np.ndarray, np.ndarray]:
        """A single run's history as read-only arrays. A live screen asks every frame: only the points since
        the last call are converted, and the arrays kept from that call are extended."""
        n, kept = len(self._losses), self._history
        if kept is not None and len(kept[1]) == n:
            return kept
        start = 0 if kept is None else len(kept[1])
        theta, loss = np.array(self._thetas[start:]), np.array(self._losses[start:])
        if start:
            theta, loss = np.concatenate([kept[0], theta]), np.concatenate([kept[1], loss])
        theta.setflags(write=False)
        loss.setflags(write=False)
        self._history = (theta, loss)
        return self._history

    def _kept_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """Views of the rows a sweep has kept: all k+1 so far, or the current one without history."""
        if self._keep_history:
            return self._theta_rows[: self.k + 1], self._loss_rows[: self.k + 1]
        return self.theta[None].copy(), self.loss[None].copy()  # the row will be written again

    def trajectory(self) -> Trajectory:
        """The single run so far as a frozen Trajectory."""
        if self.runs:
            raise ConfigError("a stepper over several runs gives a Sweep: use sweep_result()")
        n = len(self._losses) - 1
        return Trajectory(
            problem=self.problem.name,
            optimizer=self.optimizer.name,
            settings=self.settings(),
            status=self.status or "running",
            theta=_frozen(np.array(self._thetas).reshape(n + 1, self.problem.dim)),
            loss=_frozen(np.array(self._losses, dtype=float)),
            lr=_frozen(np.array(self._lrs, dtype=float).reshape(n)) if self.schedule is not None else None,
            grad_norm=(
                _frozen(np.linalg.norm(np.array(self._grads).reshape(n, self.problem.dim), axis=-1))
                if self.optimizer.uses_grad
                else None
            ),
            diverged_at=self.diverged_at,
        )

    def sweep_result(self) -> Sweep:
        if not self.runs:
            raise ConfigError("a single run gives a Trajectory: use trajectory()")
        theta, loss = self._kept_rows()  # rows up to k are never written again: no copy needed
        return Sweep(
            problem=self.problem.name,
            optimizer=self.optimizer.name,
            settings=self.settings(),
            theta=_frozen(theta.view()),
            loss=_frozen(loss.view()),
            status=_frozen(self._status_arr.astype(str)),
            stopped_at=_frozen(self._stopped_at.copy()),
        )


def reached_at(losses: np.ndarray, target: float) -> int | None:
    """The first step at which a loss history was at or below `target` (None if it never was): what a
    race's state panel, a `target_step` answer and `gdtui check` all mean by reaching a target."""
    hits = np.flatnonzero(np.asarray(losses) <= target)
    return int(hits[0]) if hits.size else None


def run(problem: str | Problem, optimizer: str | Optimizer, **settings) -> Trajectory:
    """Run one optimizer on one problem to the end and return the frozen trajectory.
    Settings: lr, steps, start, schedule, batch_size, seed, tol, hyper (see Stepper)."""
    return Stepper(problem, optimizer, **settings).run().trajectory()


def sweep(problem: str | Problem, optimizer: str | Optimizer, *, history: bool = True, **settings) -> Sweep:
    """Step many runs together: `lr` of shape (R,) and/or `start` of shape (R, d). With `history=False`
    the result keeps only where each run ended (`theta` (1, R, d)): less memory, the same final values."""
    stepper = Stepper(problem, optimizer, history=history, **settings)
    if not stepper.runs:
        raise ConfigError("a sweep needs several learning rates (R,) or start points (R, d)")
    return stepper.run().sweep_result()


# -- validation ---------------------------------------------------------------------------------------
def _check_steps(steps) -> int:
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ConfigError(f"steps must be a whole number ≥ 0, got {steps!r}")
    return int(steps)


def _check_tol(tol) -> float:
    tol = float(tol)
    if not (math.isfinite(tol) and tol >= 0):
        raise ConfigError(f"tol must be a number ≥ 0, got {tol:g}")
    return tol


def _check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ConfigError(f"seed must be a whole number ≥ 0, got {seed!r}")
    return int(seed)


def _run_shape(start: np.ndarray, lr: np.ndarray | None) -> tuple[int, ...]:
    shapes = [start.shape[:-1]] + ([lr.shape] if lr is not None else [])
    if any(len(s) > 1 for s in shapes):
        raise ConfigError("several runs take learning rates of shape (R,) and start points of shape (R, d)")
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        raise ConfigError(f"{len(lr)} learning rates do not match {start.shape[0]} start points") from None


def _make_schedule(opt: Optimizer, spec: str, lr: np.ndarray | None, runs) -> Schedule | None:
    kind, params = parse_schedule(spec)
    if not opt.uses_lr:
        if lr is not None:
            raise ConfigError(f"{opt.name} takes no learning rate")
        if kind != "constant":
            raise ConfigError(f"{opt.name} takes no learning rate, so no schedule")
        return None
    base = np.asarray(opt.default_lr if lr is None else lr, dtype=float)
    if not (np.all(np.isfinite(base)) and np.all(base > 0)):
        raise ConfigError(f"the learning rate must be a number > 0, got {_plain(base)}")
    if runs:
        base = np.broadcast_to(base, runs)[..., None].copy()
    return make_schedule(kind, base if base.ndim else float(base), **params)


def _check_batch(p: Problem, opt: Optimizer, batch_size) -> tuple[int | None, bool]:
    """(batch size used, whether batches are sampled). Full-batch runs on data report N and sample nothing."""
    if batch_size is None:
        batch_size = opt.default_batch_size
        if batch_size is not None and not p.is_data:
            data = ", ".join(name for name, q in PROBLEMS.items() if q.is_data)
            raise ConfigError(f"{opt.name} samples examples from a data set; choose one of: {data}")
        if batch_size is None:
            return (p.n_examples if p.is_data else None), False
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
        raise ConfigError(f"batch size must be a whole number, got {batch_size!r}")
    if not p.is_data:
        raise ConfigError(f"{p.name} has no data set, so it takes no batch size")
    if not opt.takes_batch:
        raise ConfigError(f"{opt.name} uses the whole data set, so it takes no batch size")
    if not 1 <= batch_size <= p.n_examples:
        raise ConfigError(
            f"batch size must be between 1 and {p.n_examples} ({p.name} has {p.n_examples} "
            f"examples), got {batch_size}"
        )
    return int(batch_size), True


def _plain(v):
    """A JSON-ready copy of a number or array."""
    a = np.asarray(v)
    return a.item() if a.ndim == 0 else a.squeeze().tolist() if a.size > 1 else a.ravel().tolist()


__all__ = ["DIVERGENCE_LIMIT", "STATUSES", "Stepper", "Sweep", "Trajectory", "run", "sweep"]
