"""The in-place form of each first-order update (what sweeps step with) against the pure update it mirrors:
the same floating-point operations on the same operands, so the same bits, step after step."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from gdtui.engine import OPTIMIZERS, AdamState, get_optimizer
from gdtui.engine.optimizers import owned_state

IN_PLACE = [name for name in OPTIMIZERS if get_optimizer(name).inplace is not None]
# Hyperparameters away from the defaults, so a formula that ignored one would show.
HYPER = {"momentum": 0.7, "rho": 0.8, "beta1": 0.85, "beta2": 0.99, "eps": 1e-6}


def test_every_first_order_optimizer_has_an_in_place_form_and_the_others_do_not():
    assert IN_PLACE == ["gd", "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]
    assert all(
        get_optimizer(name).inplace is None for name in ("newton", "random-search", "random-local-search")
    )


def pure_and_in_place(name, theta, grads, lrs):
    """Step the pure update and the in-place one side by side on the same gradients; returns both
    sequences of (step, state arrays, look-ahead point) copied at every step."""
    opt = get_optimizer(name, **{k: v for k, v in HYPER.items() if k in get_optimizer(name).hyper})
    kernel = opt.inplace(theta.shape)
    pure_state = opt.init(theta)
    own_state = owned_state(opt.init(theta))
    pure, own = [], []
    for g, lr in zip(grads, lrs, strict=True):
        look = opt.lookahead(theta, pure_state) if opt.lookahead else None
        step, pure_state = opt.update(g, pure_state, theta, lr=lr[..., :1])  # α (R, 1), as sweeps had it
        pure.append((step.copy(), [np.array(v) for v in pure_state], look))
        look = kernel.lookahead(theta, own_state).copy() if kernel.lookahead else None
        g_before, theta_before = g.copy(), theta.copy()
        step, own_state = kernel.update(g, own_state, theta, neg_lr=-lr)
        assert np.array_equal(g, g_before) and np.array_equal(theta, theta_before)  # only the state moves
        own.append((step.copy(), [np.array(v) for v in own_state], look))
        theta = theta + step
    return pure, own


@pytest.mark.parametrize("name", IN_PLACE)
def test_the_in_place_update_equals_the_pure_update_bit_for_bit(name):
    rng = np.random.default_rng(7)
    runs, steps = 50, 30
    theta = rng.normal(0, 2, (runs, 2))
    grads = rng.normal(0, 1, (steps, runs, 2)) * 10.0 ** rng.integers(-6, 6, (steps, runs, 1))
    lr = np.repeat(np.logspace(-4, 0, runs)[:, None], 2, axis=1)
    rates = 0.5 ** (np.arange(steps) // 7)  # a step schedule: α changes over the run
    pure, own = pure_and_in_place(name, theta, grads, [lr * r for r in rates])
    for k, ((p_step, p_state, p_look), (o_step, o_state, o_look)) in enumerate(zip(pure, own, strict=True)):
        assert np.array_equal(p_step, o_step), (name, k)
        assert all(np.array_equal(a, b) for a, b in zip(p_state, o_state, strict=True)), (name, k)
        assert (p_look is None) == (o_look is None)
        assert p_look is None or np.array_equal(p_look, o_look), (name, k)


@settings(max_examples=40, deadline=None)
@given(
    name=st.sampled_from(IN_PLACE),
    theta=arrays(np.float64, (3, 2), elements=st.floats(-1e3, 1e3)),
    g=arrays(np.float64, (4, 3, 2), elements=st.floats(-1e6, 1e6)),
    lr=st.floats(1e-6, 10.0),
)
def test_in_place_and_pure_updates_agree_on_any_finite_gradients(name, theta, g, lr):
    pure, own = pure_and_in_place(name, theta, list(g), [np.full((3, 2), lr)] * len(g))
    for (p_step, p_state, _), (o_step, o_state, _) in zip(pure, own, strict=True):
        assert np.array_equal(p_step, o_step, equal_nan=True)
        assert all(np.array_equal(a, b, equal_nan=True) for a, b in zip(p_state, o_state, strict=True))


def test_owned_state_gives_every_field_its_own_array():
    shared = get_optimizer("adam").init(np.zeros((4, 2)))
    assert shared.m is shared.s  # init hands out one zero array for all four
    own = owned_state(shared)
    assert isinstance(own, AdamState) and own.t == 0
    arrays_ = [own.m, own.s, own.m_hat, own.s_hat]
    assert len({id(a) for a in arrays_}) == 4 and not any(a is shared.m for a in arrays_)
    assert all(np.array_equal(a, np.zeros((4, 2))) and a.flags.writeable for a in arrays_)


def test_the_in_place_step_lives_in_a_buffer_reused_by_the_next_call():
    kernel = get_optimizer("gd").inplace((2, 2))
    state = owned_state(get_optimizer("gd").init(np.zeros((2, 2))))
    neg_lr = np.full((2, 2), -0.5)
    first, _ = kernel.update(np.ones((2, 2)), state, np.zeros((2, 2)), neg_lr=neg_lr)
    assert first.tolist() == [[-0.5, -0.5], [-0.5, -0.5]]
    second, _ = kernel.update(np.full((2, 2), 2.0), state, np.zeros((2, 2)), neg_lr=neg_lr)
    assert second is first and first.tolist() == [[-1.0, -1.0], [-1.0, -1.0]]
